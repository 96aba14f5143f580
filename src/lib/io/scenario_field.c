/*
 * scenario_field.c — the loader's key path, diagnostics and structural
 * checks (unknown keys with "did you mean", missing keys, wrong container
 * types, duplicate ids).
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/scenario_int.h"

#include "core/banned.h"

const char *sl__sc_name_at(sl__sc_names s, int i)
{
	return *(const char *const *)((const char *)s.base + (size_t)i * s.stride);
}

sl__sc_names sl__sc_words(const char *const *words)
{
	int n = 0;
	while (words[n])
		n++;
	return (sl__sc_names){words, sizeof *words, n};
}

size_t sl__sc_push(sl__sc *c, const char *key)
{
	size_t mark = c->plen;
	if (c->plen < sizeof c->path) {
		int k = snprintf(c->path + c->plen, sizeof c->path - c->plen, "%s%s",
		                 c->plen ? "." : "", key);
		c->plen += (size_t)k;
		if (c->plen >= sizeof c->path)
			c->plen = sizeof c->path - 1;
	}
	return mark;
}

size_t sl__sc_push_index(sl__sc *c, size_t i)
{
	size_t mark = c->plen;
	if (c->plen < sizeof c->path) {
		int k = snprintf(c->path + c->plen, sizeof c->path - c->plen, "[%zu]", i);
		c->plen += (size_t)k;
		if (c->plen >= sizeof c->path)
			c->plen = sizeof c->path - 1;
	}
	return mark;
}

void sl__sc_pop(sl__sc *c, size_t mark)
{
	c->plen = mark;
	c->path[mark] = '\0';
}

void sl__sc_error(sl__sc *c, const sl_yaml_node *at, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	sl_diags_add(c->diags, c->file, at ? at->line : 0, at ? at->col : 0, c->path, "%s", msg);
	c->nerr++;
}

static int looks_numeric(const char *s)
{
	char *end;
	if (!*s)
		return 0;
	strtod(s, &end);
	return *end == '\0';
}

const char *sl__sc_describe(const sl_yaml_node *n, char *buf, size_t size)
{
	if (!n || n->kind != SL_YAML_SCALAR) {
		snprintf(buf, size, "%s", sl_yaml_kind_name(n));
	} else if (sl_yaml_is_null(n)) {
		snprintf(buf, size, "null (no value)");
	} else {
		int quote = !n->plain || !looks_numeric(n->str);
		int cut = n->len > 48;
		snprintf(buf, size, "%s%.48s%s%s", quote ? "\"" : "", n->str, cut ? "..." : "",
		         quote ? "\"" : "");
	}
	return buf;
}

/* Edit distance (insert, delete, substitute, swap adjacent), case-blind. */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 63 || lb > 63)
		return (size_t)-1;
	size_t d[64][64];
	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++)
		for (size_t j = 1; j <= lb; j++) {
			int same = tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 1]);
			size_t best = d[i - 1][j - 1] + !same;
			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 2]) &&
			    tolower((unsigned char)a[i - 2]) == tolower((unsigned char)b[j - 1]) &&
			    d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	return d[la][lb];
}

const char *sl__sc_nearest(const char *word, sl__sc_names names)
{
	size_t len = strlen(word);
	size_t limit = len <= 4 ? 1 : (len <= 8 ? 2 : 3);
	const char *best = NULL;
	size_t best_d = limit < len ? limit + 1 : len; /* never more edits than letters */
	for (int i = 0; i < names.n; i++) {
		const char *s = sl__sc_name_at(names, i);
		if (!s || !*s)
			continue;
		size_t d = distance(word, s);
		if (d < best_d) {
			best_d = d;
			best = s;
		}
	}
	return best;
}

void sl__sc_join_names(sl__sc_names names, char *buf, size_t size)
{
	size_t k = 0;
	buf[0] = '\0';
	for (int i = 0; i < names.n && k < size; i++) {
		const char *s = sl__sc_name_at(names, i);
		if (i == 12) {
			snprintf(buf + k, size - k, ", ...");
			return;
		}
		k += (size_t)snprintf(buf + k, size - k, "%s%s", i ? ", " : "", s && *s ? s : "?");
	}
}

void sl__sc_check_keys(sl__sc *c, const sl_yaml_node *map, const char *const *known)
{
	sl__sc_names names = sl__sc_words(known);
	for (size_t i = 0; i < map->n; i++) {
		const sl_yaml_node *k = map->pairs[i].key;
		int found = 0;
		for (int j = 0; j < names.n && !found; j++)
			found = strcmp(k->str, known[j]) == 0;
		if (found)
			continue;
		size_t m = sl__sc_push(c, k->str);
		const char *hint = sl__sc_nearest(k->str, names);
		char list[512];
		if (hint) {
			sl__sc_error(c, k, "unknown key \"%s\" (did you mean \"%s\"?)", k->str, hint);
		} else {
			sl__sc_join_names(names, list, sizeof list);
			sl__sc_error(c, k, "unknown key \"%s\" (expected one of: %s)", k->str, list);
		}
		sl__sc_pop(c, m);
	}
}

const sl_yaml_node *sl__sc_get(sl__sc *c, const sl_yaml_node *map, const char *key, int required)
{
	const sl_yaml_node *v = sl_yaml_get(map, key);
	if (!v && required)
		sl__sc_error(c, map, "missing required key \"%s\"", key);
	return v;
}

static int expect_kind(sl__sc *c, const sl_yaml_node *n, sl_yaml_kind kind, const char *what)
{
	char got[96];
	if (n && n->kind == kind)
		return 1;
	sl__sc_error(c, n, "expected %s, got %s", what, sl__sc_describe(n, got, sizeof got));
	return 0;
}

int sl__sc_expect_map(sl__sc *c, const sl_yaml_node *n, const char *what)
{
	return expect_kind(c, n, SL_YAML_MAP, what);
}

int sl__sc_expect_list(sl__sc *c, const sl_yaml_node *n, const char *what)
{
	return expect_kind(c, n, SL_YAML_SEQ, what);
}

const sl_yaml_node *sl__sc_list(sl__sc *c, const sl_yaml_node *map, const char *key,
                                int required, int nonempty, const char *what)
{
	const sl_yaml_node *n = sl__sc_get(c, map, key, required);
	if (!n)
		return NULL;
	char want[128];
	size_t m = sl__sc_push(c, key);
	snprintf(want, sizeof want, "a list of %s", what);
	if (!sl__sc_expect_list(c, n, want)) {
		n = NULL;
	} else if (nonempty && n->n == 0) {
		sl__sc_error(c, n, "expected at least one entry in %s, got an empty list", key);
		n = NULL;
	}
	sl__sc_pop(c, m);
	return n;
}

typedef struct id_at {
	const sl_yaml_node *id;
	size_t item;
} id_at;

static int cmp_id_at(const void *pa, const void *pb)
{
	const id_at *a = pa, *b = pb;
	int c = strcmp(a->id->str, b->id->str);
	return c ? c : (a->item < b->item ? -1 : (a->item > b->item));
}

/* Sorted, so a long list costs n log n, not n^2. */
void sl__sc_unique_ids(sl__sc *c, const sl_yaml_node *seq)
{
	id_at *v = sl_malloc((seq->n + 1) * sizeof *v);
	size_t n = 0;
	for (size_t i = 0; i < seq->n; i++) {
		const sl_yaml_node *id = sl_yaml_get(seq->items[i], "id");
		if (id && id->kind == SL_YAML_SCALAR && !sl_yaml_is_null(id))
			v[n++] = (id_at){id, i};
	}
	qsort(v, n, sizeof *v, cmp_id_at);
	for (size_t i = 1, first = 0; i < n; i++) {
		if (strcmp(v[i].id->str, v[first].id->str) != 0) {
			first = i;
			continue;
		}
		size_t m = sl__sc_push_index(c, v[i].item);
		sl__sc_push(c, "id");
		sl__sc_error(c, v[i].id, "duplicate id \"%s\" (first defined at line %d)",
		             v[i].id->str, v[first].id->line);
		sl__sc_pop(c, m);
	}
	sl_free(v);
}

void sl__sc_shares_sum(sl__sc *c, const sl_yaml_node *seq, const char *what, double sum)
{
	if (fabs(sum - 1.0) > 0.001)
		sl__sc_error(c, seq, "expected the %s shares to sum to 1 (within 0.001), got %.6g",
		             what, sum);
}
