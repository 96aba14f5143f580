/*
 * test_yaml.c — the YAML document tree: structure and positions in block
 * and flow style, scalar styles and nulls, and every refusal (syntax
 * errors, duplicate keys, anchors, aliases, tags, complex keys, several
 * documents, bad UTF-8, deep nesting) as a located diagnostic.
 */
#include "testutil.h"

#include "io/yaml.h"

/* Parse text; returns the code.  doc must be released by the caller. */
static int parse(sl_yaml_doc *doc, const char *text, sl_diags *d, sl_err *e)
{
	memset(doc, 0, sizeof *doc);
	return sl_yaml_parse(doc, text, strlen(text), "t.yaml", d, e);
}

static void dump(const sl_diags *d)
{
	char buf[1024];
	for (size_t i = 0; i < d->n; i++)
		print_message("  diag: %s\n", sl_diag_format(&d->v[i], buf, sizeof buf));
}

/* Assert diagnostic i is at line:col with key and a message containing word. */
static void check_diag(const sl_diags *d, size_t i, int line, int col, const char *key,
                       const char *word)
{
	if (i >= d->n || d->v[i].line != line || d->v[i].col != col ||
	    strcmp(d->v[i].key, key) != 0 || !strstr(d->v[i].msg, word)) {
		dump(d);
		fail_msg("expected diag %zu at %d:%d key \"%s\" with \"%s\"", i, line, col, key, word);
	}
	assert_string_equal(d->v[i].file, "t.yaml");
}

static void test_block_structure(void **st)
{
	(void)st;
	sl_yaml_doc doc;
	sl_diags d = {0};
	const char *text = "# comment\n"
	                   "name: demo\n"
	                   "sites:\n"
	                   "  - id: A\n"
	                   "    cores: 10\n"
	                   "  - id: B\n"
	                   "empty:\n"
	                   "quoted: \"12\"\n";
	assert_int_equal(parse(&doc, text, &d, NULL), 0);
	assert_int_equal(d.n, 0);
	const sl_yaml_node *r = doc.root;
	assert_int_equal(r->kind, SL_YAML_MAP);
	assert_int_equal(r->n, 4);
	assert_int_equal(r->line, 2);
	assert_int_equal(r->col, 1);
	assert_string_equal(r->pairs[0].key->str, "name");
	assert_string_equal(r->pairs[3].key->str, "quoted");
	const sl_yaml_node *name = sl_yaml_get(r, "name");
	assert_int_equal(name->kind, SL_YAML_SCALAR);
	assert_string_equal(name->str, "demo");
	assert_int_equal(name->line, 2);
	assert_int_equal(name->col, 7);
	assert_true(name->plain);
	const sl_yaml_node *sites = sl_yaml_get(r, "sites");
	assert_int_equal(sites->kind, SL_YAML_SEQ);
	assert_int_equal(sites->n, 2);
	assert_int_equal(sites->line, 4);
	assert_int_equal(sites->col, 3);
	const sl_yaml_node *a = sites->items[0];
	assert_int_equal(a->kind, SL_YAML_MAP);
	assert_int_equal(a->line, 4);
	assert_int_equal(a->col, 5);
	const sl_yaml_node *cores = sl_yaml_get(a, "cores");
	assert_string_equal(cores->str, "10");
	assert_int_equal(cores->line, 5);
	assert_int_equal(cores->col, 12);
	assert_string_equal(sl_yaml_get(sites->items[1], "id")->str, "B");
	assert_true(sl_yaml_is_null(sl_yaml_get(r, "empty")));
	const sl_yaml_node *q = sl_yaml_get(r, "quoted");
	assert_false(q->plain);
	assert_false(sl_yaml_is_null(q));
	assert_string_equal(q->str, "12");
	assert_int_equal(q->col, 9);
	assert_null(sl_yaml_get(r, "missing"));
	assert_null(sl_yaml_get(sites, "id")); /* not a mapping */
	assert_non_null(sl_yaml_pair_of(r, "sites"));
	assert_int_equal(sl_yaml_pair_of(r, "sites")->key->line, 3);
	sl_yaml_release(&doc);
	assert_null(doc.root);
	sl_yaml_release(&doc); /* twice is harmless */
}

static void test_flow_structure(void **st)
{
	(void)st;
	sl_yaml_doc doc;
	const char *text = "bands: {peak: 0.7, flat: 0.4}\n"
	                   "hours: [[8, 11], [19, 24]]\n"
	                   "esc: \"a\\0b\"\n"
	                   "nulls: [~, null, Null, NULL, '', \"null\"]\n";
	assert_int_equal(parse(&doc, text, NULL, NULL), 0);
	const sl_yaml_node *bands = sl_yaml_get(doc.root, "bands");
	assert_int_equal(bands->kind, SL_YAML_MAP);
	assert_int_equal(bands->n, 2);
	assert_int_equal(bands->col, 8);
	assert_string_equal(bands->pairs[1].key->str, "flat");
	assert_int_equal(bands->pairs[1].key->col, 20);
	assert_string_equal(bands->pairs[1].value->str, "0.4");
	assert_int_equal(bands->pairs[1].value->col, 26);
	const sl_yaml_node *hours = sl_yaml_get(doc.root, "hours");
	assert_int_equal(hours->n, 2);
	assert_int_equal(hours->items[1]->kind, SL_YAML_SEQ);
	assert_string_equal(hours->items[1]->items[1]->str, "24");
	assert_int_equal(hours->items[1]->items[1]->line, 2);
	assert_int_equal(hours->items[1]->items[1]->col, 23);
	const sl_yaml_node *esc = sl_yaml_get(doc.root, "esc");
	assert_int_equal(esc->len, 3);
	assert_int_equal(strlen(esc->str), 1);
	const sl_yaml_node *nulls = sl_yaml_get(doc.root, "nulls");
	assert_int_equal(nulls->n, 6);
	for (int i = 0; i < 4; i++)
		assert_true(sl_yaml_is_null(nulls->items[i]));
	assert_false(sl_yaml_is_null(nulls->items[4])); /* quoted empty string */
	assert_false(sl_yaml_is_null(nulls->items[5]));
	assert_string_equal(sl_yaml_kind_name(nulls->items[0]), "null");
	assert_string_equal(sl_yaml_kind_name(nulls->items[5]), "a scalar");
	assert_string_equal(sl_yaml_kind_name(nulls), "a list");
	assert_string_equal(sl_yaml_kind_name(bands), "a mapping");
	assert_string_equal(sl_yaml_kind_name(NULL), "nothing");
	sl_yaml_release(&doc);
}

static void test_empty_documents(void **st)
{
	(void)st;
	sl_yaml_doc doc;
	assert_int_equal(parse(&doc, "", NULL, NULL), 0);
	assert_null(doc.root);
	sl_yaml_release(&doc);
	assert_int_equal(parse(&doc, "# only a comment\n\n", NULL, NULL), 0);
	assert_null(doc.root);
	sl_yaml_release(&doc);
	assert_int_equal(parse(&doc, "---\n", NULL, NULL), 0);
	assert_true(sl_yaml_is_null(doc.root));
	sl_yaml_release(&doc);
}

static void test_syntax_errors(void **st)
{
	(void)st;
	sl_yaml_doc doc;
	sl_diags d = {0};
	sl_err e = {0};
	/* an unclosed flow list inside sites[1] */
	const char *text = "sites:\n"
	                   "  - id: A\n"
	                   "  - id: B\n"
	                   "    hours: [1, 2\n"
	                   "    pue: 1.2\n";
	assert_int_equal(parse(&doc, text, &d, &e), SL_EPARSE);
	assert_null(doc.root);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.v[0].line, 5);
	assert_string_equal(d.v[0].key, "sites[1].hours[2]"); /* where item [2] would be */
	assert_non_null(strstr(d.v[0].msg, "YAML syntax error"));
	assert_non_null(strstr(d.v[0].msg, "flow sequence"));
	assert_int_equal(e.code, SL_EPARSE);
	assert_non_null(strstr(e.origin, "t.yaml:5:"));
	sl_yaml_release(&doc);
	sl_diags_release(&d);

	/* bad indentation */
	assert_int_equal(parse(&doc, "a: 1\n b: 2\n", &d, NULL), SL_EPARSE);
	check_diag(&d, 0, 2, 3, "", "mapping values are not allowed");
	sl_yaml_release(&doc);
	sl_diags_release(&d);

	/* a tab used for indentation gets a hint */
	assert_int_equal(parse(&doc, "time:\n\tstart: 1\n", &d, NULL), SL_EPARSE);
	check_diag(&d, 0, 2, 1, "time", "indent YAML with spaces");
	sl_yaml_release(&doc);
	sl_diags_release(&d);

	/* unterminated quoted string */
	assert_int_equal(parse(&doc, "name: \"abc\n", &d, NULL), SL_EPARSE);
	check_diag(&d, 0, 2, 1, "name", "quoted scalar");
	sl_yaml_release(&doc);
	sl_diags_release(&d);
}

static void test_reader_errors(void **st)
{
	(void)st;
	sl_yaml_doc doc;
	sl_diags d = {0};
	/* invalid UTF-8 on line 3, byte 8 of the line */
	assert_int_equal(parse(&doc, "a: 1\nb: 2\nc: \"xy\xff\"\n", &d, NULL), SL_EPARSE);
	check_diag(&d, 0, 3, 7, "", "unreadable text");
	sl_yaml_release(&doc);
	sl_diags_release(&d);
	/* a NUL byte in the middle of the text */
	const char text[] = "a: 1\nb: x\0y\n";
	memset(&doc, 0, sizeof doc);
	assert_int_equal(sl_yaml_parse(&doc, text, sizeof text - 1, "t.yaml", &d, NULL), SL_EPARSE);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.v[0].line, 2);
	sl_yaml_release(&doc);
	sl_diags_release(&d);
}

static void test_duplicate_keys(void **st)
{
	(void)st;
	sl_yaml_doc doc;
	sl_diags d = {0};
	const char *text = "sites:\n"
	                   "  - id: A\n"
	                   "    pue: 1.2\n"
	                   "    id: B\n"
	                   "    id: C\n"
	                   "name: x\n"
	                   "name: y\n";
	assert_int_equal(parse(&doc, text, &d, NULL), SL_EPARSE);
	assert_null(doc.root);
	assert_int_equal(d.n, 3);
	check_diag(&d, 0, 4, 5, "sites[0].id", "duplicate key \"id\" (first at line 2, column 5)");
	check_diag(&d, 1, 5, 5, "sites[0].id", "first at line 2");
	check_diag(&d, 2, 7, 1, "name", "duplicate key \"name\"");
	sl_yaml_release(&doc);
	sl_diags_release(&d);
	/* keys that only look alike are distinct */
	assert_int_equal(parse(&doc, "{a: 1, A: 2, \"a \": 3, b: {a: 4}}", &d, NULL), 0);
	assert_int_equal(doc.root->n, 4);
	sl_yaml_release(&doc);
}

static void test_refusals(void **st)
{
	(void)st;
	sl_yaml_doc doc;
	sl_diags d = {0};
	const char *text = "base: &b {x: 1}\n"
	                   "copy: *b\n"
	                   "typed: !!str 5\n"
	                   "? [a, b]\n"
	                   ": 1\n";
	assert_int_equal(parse(&doc, text, &d, NULL), SL_EPARSE);
	assert_int_equal(d.n, 4);
	check_diag(&d, 0, 1, 7, "base", "anchors (&b) are not supported");
	check_diag(&d, 1, 2, 7, "copy", "aliases (*b) are not supported");
	check_diag(&d, 2, 3, 8, "typed", "tags");
	check_diag(&d, 3, 4, 3, "", "mapping keys must be plain strings, got a list");
	sl_yaml_release(&doc);
	sl_diags_release(&d);

	assert_int_equal(parse(&doc, "a: 1\n---\nb: 2\n", &d, NULL), SL_EPARSE);
	check_diag(&d, 0, 2, 1, "", "single YAML document");
	sl_yaml_release(&doc);
	sl_diags_release(&d);
}

static void test_depth_limit(void **st)
{
	(void)st;
	char text[512];
	sl_yaml_doc doc;
	sl_diags d = {0};
	size_t k = 0;
	for (int i = 0; i < SL_YAML_MAX_DEPTH; i++)
		text[k++] = '[';
	for (int i = 0; i < SL_YAML_MAX_DEPTH; i++)
		text[k++] = ']';
	text[k] = '\0';
	assert_int_equal(parse(&doc, text, &d, NULL), 0); /* exactly at the limit */
	assert_int_equal(doc.root->kind, SL_YAML_SEQ);
	sl_yaml_release(&doc);
	k = 0;
	for (int i = 0; i < 300; i++)
		text[k++] = '[';
	text[k] = '\0';
	assert_int_equal(parse(&doc, text, &d, NULL), SL_EPARSE);
	check_diag(&d, 0, 1, SL_YAML_MAX_DEPTH + 1, "[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]"
	                                            "[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]"
	                                            "[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]"
	                                            "[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]",
	           "nesting deeper than 64");
	sl_yaml_release(&doc);
	sl_diags_release(&d);
}

/* Every prefix of a document parses or fails cleanly. */
static void test_truncations(void **st)
{
	(void)st;
	const char *text = "a: {b: [1, 2, {c: \"d\"}], e: 'f'}\n"
	                   "g:\n"
	                   "  - h: i\n"
	                   "    j: [k, l]\n"
	                   "  - ? m\n"
	                   "    : n\n";
	size_t len = strlen(text);
	for (size_t n = 0; n <= len; n++) {
		sl_yaml_doc doc = {0};
		sl_diags d = {0};
		int r = sl_yaml_parse(&doc, text, n, NULL, &d, NULL);
		assert_true(r == 0 || r == SL_EPARSE);
		assert_true(r == 0 ? d.n == 0 : d.n > 0);
		sl_yaml_release(&doc);
		sl_diags_release(&d);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_block_structure), cmocka_unit_test(test_flow_structure),
		cmocka_unit_test(test_empty_documents), cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_reader_errors),   cmocka_unit_test(test_duplicate_keys),
		cmocka_unit_test(test_refusals),        cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_truncations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
