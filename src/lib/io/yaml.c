/*
 * yaml.c — build a located node tree from libyaml's event stream.
 *
 * The builder keeps an explicit stack of open collections (no recursion, so
 * nesting depth is bounded by SL_YAML_MAX_DEPTH, not by the C stack).  A
 * collection's children are gathered in a growable vector and copied into
 * the document arena when the collection closes; that is also where mapping
 * keys are checked (scalars only, no duplicates).  Diagnostics carry the
 * key path of the place the builder was at ("sites[2].pue"), computed from
 * the stack.
 */
#include "io/yaml.h"

#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "core/banned.h"

#define STR_(x) #x
#define STR(x) STR_(x)
#define SL_YAML_MAX_DEPTH_STR STR(SL_YAML_MAX_DEPTH)

typedef struct frame {
	sl_yaml_node *node;
	SL_VEC(sl_yaml_node *) kids;
} frame;

typedef struct builder {
	sl_yaml_doc *doc;
	const char *file;
	const char *text;
	size_t len;
	sl_diags *diags;
	int nerr;
	int first_line, first_col; /* of the first error, for the summary */
	char first_msg[256];
	int ndocs;
	SL_VEC(frame) stack;
} builder;

/* The key path of the child the top frame is about to receive. */
static void stack_path(const builder *b, char *buf, size_t n)
{
	size_t k = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < b->stack.n && k < n; i++) {
		const frame *f = &b->stack.v[i];
		if (f->node->kind == SL_YAML_SEQ) {
			k += (size_t)snprintf(buf + k, n - k, "[%zu]", f->kids.n);
		} else if (f->kids.n % 2 == 1 && f->kids.v[f->kids.n - 1]->kind == SL_YAML_SCALAR) {
			k += (size_t)snprintf(buf + k, n - k, "%s%s", k ? "." : "",
			                      f->kids.v[f->kids.n - 1]->str);
		}
	}
}

static void error_at(builder *b, int line, int col, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void error_at(builder *b, int line, int col, const char *key, const char *fmt, ...)
{
	char msg[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (b->diags)
		sl_diags_add(b->diags, b->file, line, col, key, "%s", msg);
	if (b->nerr++ == 0) {
		b->first_line = line;
		b->first_col = col;
		snprintf(b->first_msg, sizeof b->first_msg, "%s", msg);
	}
}

/* An error at a libyaml mark, with the current key path. */
static void error_mark(builder *b, yaml_mark_t m, const char *fmt, const char *arg)
{
	char path[512];
	stack_path(b, path, sizeof path);
	error_at(b, (int)m.line + 1, (int)m.column + 1, path, fmt, arg);
}

static sl_yaml_node *new_node(builder *b, sl_yaml_kind kind, yaml_mark_t m)
{
	sl_yaml_node *n = sl_arena_alloc(&b->doc->arena, sizeof *n);
	n->kind = kind;
	n->line = (int)m.line + 1;
	n->col = (int)m.column + 1;
	n->str = "";
	return n;
}

static void attach(builder *b, sl_yaml_node *n)
{
	if (b->stack.n == 0)
		b->doc->root = n;
	else
		sl_vec_push(&b->stack.v[b->stack.n - 1].kids, n);
}

static int cmp_pair_key(const void *pa, const void *pb)
{
	const sl_yaml_pair *a = *(const sl_yaml_pair *const *)pa;
	const sl_yaml_pair *b = *(const sl_yaml_pair *const *)pb;
	size_t n = a->key->len < b->key->len ? a->key->len : b->key->len;
	int c = memcmp(a->key->str, b->key->str, n);
	if (c == 0 && a->key->len != b->key->len)
		c = a->key->len < b->key->len ? -1 : 1;
	if (c == 0) /* same key: document order (pairs are contiguous) */
		c = a < b ? -1 : (a > b ? 1 : 0);
	return c;
}

/* Report every key that repeats an earlier key of the same mapping. */
static void check_duplicates(builder *b, const sl_yaml_node *map)
{
	if (map->n < 2)
		return;
	const sl_yaml_pair **v = sl_malloc(map->n * sizeof *v);
	for (size_t i = 0; i < map->n; i++)
		v[i] = &map->pairs[i];
	qsort(v, map->n, sizeof *v, cmp_pair_key);
	char path[512], key[768];
	stack_path(b, path, sizeof path);
	for (size_t i = 1, first = 0; i < map->n; i++) {
		const sl_yaml_node *k = v[i]->key, *f = v[first]->key;
		if (k->len != f->len || memcmp(k->str, f->str, k->len) != 0) {
			first = i;
			continue;
		}
		snprintf(key, sizeof key, "%s%s%s", path, path[0] ? "." : "", k->str);
		error_at(b, k->line, k->col, key, "duplicate key \"%s\" (first at line %d, column %d)",
		         k->str, f->line, f->col);
	}
	sl_free(v);
}

/* Close the top collection: copy its children into the arena. */
static void close_collection(builder *b)
{
	frame f = b->stack.v[--b->stack.n];
	sl_yaml_node *n = f.node;
	char path[512];
	stack_path(b, path, sizeof path);
	if (n->kind == SL_YAML_SEQ) {
		n->n = f.kids.n;
		n->items = sl_arena_alloc(&b->doc->arena, (f.kids.n + 1) * sizeof *n->items);
		if (f.kids.n)
			memcpy(n->items, f.kids.v, f.kids.n * sizeof *n->items);
	} else {
		n->pairs = sl_arena_alloc(&b->doc->arena, (f.kids.n / 2 + 1) * sizeof *n->pairs);
		for (size_t i = 0; i + 1 < f.kids.n; i += 2) {
			sl_yaml_node *k = f.kids.v[i];
			if (k->kind != SL_YAML_SCALAR) {
				error_at(b, k->line, k->col, path,
				         "mapping keys must be plain strings, got %s",
				         sl_yaml_kind_name(k));
				continue;
			}
			n->pairs[n->n].key = k;
			n->pairs[n->n++].value = f.kids.v[i + 1];
		}
		check_duplicates(b, n);
	}
	sl_vec_free(&f.kids);
	attach(b, n);
}

static void open_collection(builder *b, sl_yaml_kind kind, yaml_mark_t m)
{
	frame f = {0};
	f.node = new_node(b, kind, m);
	sl_vec_push(&b->stack, f);
}

static void add_scalar(builder *b, const yaml_event_t *ev)
{
	sl_yaml_node *n = new_node(b, SL_YAML_SCALAR, ev->start_mark);
	n->len = ev->data.scalar.length;
	n->str = sl_arena_strndup(&b->doc->arena, (const char *)ev->data.scalar.value, n->len);
	n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	attach(b, n);
}

/* Anchors and tags are refused: the format needs neither, and refusing
 * them keeps every value written out where it is read. */
static void refuse_decorations(builder *b, const yaml_event_t *ev, const yaml_char_t *anchor,
                               const yaml_char_t *tag, int implicit)
{
	if (anchor)
		error_mark(b, ev->start_mark,
		           "YAML anchors (&%s) are not supported: write the value out",
		           (const char *)anchor);
	if (tag && !implicit)
		error_mark(b, ev->start_mark, "YAML tags (%s) are not supported",
		           (const char *)tag);
}

/* Handle one event.  Returns 0 to go on, 1 at the end of the stream, -1 to
 * stop (an error that makes the rest meaningless). */
static int on_event(builder *b, const yaml_event_t *ev)
{
	switch (ev->type) {
	case YAML_STREAM_END_EVENT:
		return 1;
	case YAML_DOCUMENT_START_EVENT:
		if (++b->ndocs > 1) {
			error_mark(b, ev->start_mark, "%s",
			           "expected a single YAML document, found a second one");
			return -1;
		}
		return 0;
	case YAML_ALIAS_EVENT:
		error_mark(b, ev->start_mark,
		           "YAML aliases (*%s) are not supported: write the value out",
		           (const char *)ev->data.alias.anchor);
		attach(b, new_node(b, SL_YAML_SCALAR, ev->start_mark)); /* keep pairs aligned */
		return 0;
	case YAML_SCALAR_EVENT:
		refuse_decorations(b, ev, ev->data.scalar.anchor, ev->data.scalar.tag,
		                   ev->data.scalar.plain_implicit || ev->data.scalar.quoted_implicit);
		add_scalar(b, ev);
		return 0;
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT: {
		int seq = ev->type == YAML_SEQUENCE_START_EVENT;
		refuse_decorations(b, ev, seq ? ev->data.sequence_start.anchor : ev->data.mapping_start.anchor,
		                   seq ? ev->data.sequence_start.tag : ev->data.mapping_start.tag,
		                   seq ? ev->data.sequence_start.implicit : ev->data.mapping_start.implicit);
		if (b->stack.n >= SL_YAML_MAX_DEPTH) {
			error_mark(b, ev->start_mark, "nesting deeper than %s levels",
			           SL_YAML_MAX_DEPTH_STR);
			return -1;
		}
		open_collection(b, seq ? SL_YAML_SEQ : SL_YAML_MAP, ev->start_mark);
		return 0;
	}
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		if (b->stack.n)
			close_collection(b);
		return 0;
	default:
		return 0;
	}
}

/* 1-based line and column of a byte offset (for reader errors, which carry
 * an offset but no mark). */
static void offset_position(const builder *b, size_t off, int *line, int *col)
{
	int l = 1;
	size_t bol = 0;
	if (off > b->len)
		off = b->len;
	for (size_t i = 0; i < off; i++)
		if (b->text[i] == '\n') {
			l++;
			bol = i + 1;
		}
	*line = l;
	*col = (int)(off - bol) + 1;
}

/* Byte offset of a mark (libyaml counts characters, not bytes). */
static size_t mark_byte(const builder *b, yaml_mark_t m)
{
	size_t i = 0;
	for (size_t line = 0; line < m.line && i < b->len; i++)
		if (b->text[i] == '\n')
			line++;
	for (size_t col = 0; col < m.column && i < b->len; col++) {
		i++;
		while (i < b->len && ((unsigned char)b->text[i] & 0xC0) == 0x80)
			i++; /* UTF-8 continuation byte */
	}
	return i;
}

static void syntax_error(builder *b, const yaml_parser_t *p)
{
	char path[512], ctx[256] = "";
	stack_path(b, path, sizeof path);
	if (p->error == YAML_MEMORY_ERROR) {
		error_at(b, 0, 0, path, "out of memory while parsing YAML");
		return;
	}
	if (p->error == YAML_READER_ERROR) {
		int line, col;
		offset_position(b, p->problem_offset, &line, &col);
		error_at(b, line, col, path, "unreadable text: %s",
		         p->problem ? p->problem : "invalid input");
		return;
	}
	if (p->context)
		snprintf(ctx, sizeof ctx, " (%s at line %d, column %d)", p->context,
		         (int)p->context_mark.line + 1, (int)p->context_mark.column + 1);
	size_t at = mark_byte(b, p->problem_mark);
	const char *hint = at < b->len && b->text[at] == '\t' ? " (a tab: indent YAML with spaces)" : "";
	error_at(b, (int)p->problem_mark.line + 1, (int)p->problem_mark.column + 1, path,
	         "YAML syntax error: %s%s%s", p->problem ? p->problem : "invalid YAML", ctx, hint);
}

static void run_parser(builder *b)
{
	yaml_parser_t p;
	if (!yaml_parser_initialize(&p)) {
		error_at(b, 0, 0, "", "cannot initialise the YAML parser");
		return;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)b->text, b->len);
	for (;;) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&p, &ev)) {
			syntax_error(b, &p);
			break;
		}
		int r = on_event(b, &ev);
		yaml_event_delete(&ev);
		if (r)
			break;
	}
	yaml_parser_delete(&p);
}

int sl_yaml_parse(sl_yaml_doc *doc, const char *text, size_t len, const char *file,
                  sl_diags *diags, sl_err *err)
{
	builder b = {0};
	if (!text) {
		text = "";
		len = 0;
	}
	b.doc = doc;
	b.file = file ? file : "";
	b.text = text;
	b.len = len;
	b.diags = diags;
	doc->root = NULL;
	run_parser(&b);
	for (size_t i = 0; i < b.stack.n; i++)
		sl_vec_free(&b.stack.v[i].kids);
	sl_vec_free(&b.stack);
	if (b.nerr == 0)
		return 0;
	doc->root = NULL;
	char origin[SL_ERR_ORIGIN_MAX];
	snprintf(origin, sizeof origin, "%s:%d:%d", b.file, b.first_line, b.first_col);
	return sl_err_set(err, SL_EPARSE, origin, "%s%s", b.first_msg,
	                  b.nerr > 1 ? " (and more errors)" : "");
}

void sl_yaml_release(sl_yaml_doc *doc)
{
	if (!doc)
		return;
	sl_arena_release(&doc->arena);
	doc->root = NULL;
}

const sl_yaml_pair *sl_yaml_pair_of(const sl_yaml_node *map, const char *key)
{
	if (!map || map->kind != SL_YAML_MAP)
		return NULL;
	size_t klen = strlen(key);
	for (size_t i = 0; i < map->n; i++) {
		const sl_yaml_node *k = map->pairs[i].key;
		if (k->len == klen && memcmp(k->str, key, klen) == 0)
			return &map->pairs[i];
	}
	return NULL;
}

const sl_yaml_node *sl_yaml_get(const sl_yaml_node *map, const char *key)
{
	const sl_yaml_pair *p = sl_yaml_pair_of(map, key);
	return p ? p->value : NULL;
}

int sl_yaml_is_null(const sl_yaml_node *n)
{
	if (!n || n->kind != SL_YAML_SCALAR || !n->plain)
		return 0;
	return n->len == 0 || strcmp(n->str, "~") == 0 || strcmp(n->str, "null") == 0 ||
	       strcmp(n->str, "Null") == 0 || strcmp(n->str, "NULL") == 0;
}

const char *sl_yaml_kind_name(const sl_yaml_node *n)
{
	if (!n)
		return "nothing";
	switch (n->kind) {
	case SL_YAML_MAP: return "a mapping";
	case SL_YAML_SEQ: return "a list";
	case SL_YAML_SCALAR: return sl_yaml_is_null(n) ? "null" : "a scalar";
	}
	return "nothing";
}
