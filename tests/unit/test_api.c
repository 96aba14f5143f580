/*
 * test_api.c — HTTP API request validation and rendering: job bodies (every
 * kind of bad input names its field), defaults, the error body, list
 * queries and cursors, signal overrides.
 */
#include "testutil.h"

#include "serve/api.h"

static sl_site sites[2];
static sl_origin origins[2];
static sl_data_rule tags[1];
static sl_job_class classes[1];
static sl_network net;

static int setup(void **st)
{
	(void)st;
	memset(&net, 0, sizeof net);
	sites[0] = (sl_site){.id = "S_HAMI", .cores = 64, .gpus = 8};
	sites[1] = (sl_site){.id = "S_CQ", .cores = 32, .gpus = 0};
	origins[0] = (sl_origin){.id = "O_CQ"};
	origins[1] = (sl_origin){.id = "O_SG"};
	tags[0] = (sl_data_rule){.tag = "CN_PI", .allowed_mask = 1};
	classes[0] = (sl_job_class){.id = "inference", .latency_budget_ms = 30};
	net.sites = sites;
	net.nsites = 2;
	net.origins = origins;
	net.norigins = 2;
	net.tags = tags;
	net.ntags = 1;
	net.classes = classes;
	net.nclasses = 1;
	return 0;
}

static int parse(const char *body, sl_jobspec *s, sl_apierr *e)
{
	memset(e, 0, sizeof *e);
	return sl_api_job_parse(&net, body, strlen(body), s, e);
}

static void test_full_body(void **st)
{
	sl_jobspec s;
	sl_apierr e;
	(void)st;
	assert_int_equal(parse("{\"command\": [\"./train.sh\", \"--epochs\", \"3\"], \"cores\": 4,"
	                       " \"gpus\": 0, \"runtime_s\": 7200, \"deadline_s\": 86400,"
	                       " \"origin\": \"O_SG\", \"data_tag\": \"CN_PI\","
	                       " \"input_bytes\": 2000000000, \"output_bytes\": 5,"
	                       " \"name\": \"train\", \"env\": {\"EPOCHS\": \"3\"}, \"requeue\": true}", &s, &e), 0);
	assert_int_equal(s.requeue, 1);
	assert_string_equal(s.command_json, "[\"./train.sh\",\"--epochs\",\"3\"]");
	assert_string_equal(s.env_json, "{\"EPOCHS\":\"3\"}");
	assert_string_equal(s.name, "train");
	assert_int_equal(s.job.cores, 4);
	assert_int_equal(s.job.est_s, 7200);
	assert_int_equal(s.job.deadline_s, 86400);
	assert_int_equal(s.job.origin, 1);
	assert_string_equal(s.origin, "O_SG");
	assert_int_equal(s.job.tag, 0);
	assert_string_equal(s.data_tag, "CN_PI");
	assert_int_equal(s.job.input_bytes, 2000000000);
	assert_int_equal(s.job.output_bytes, 5);
	assert_null(s.cls);
	sl_jobnew n;
	sl_api_jobnew(&s, 9, 1000, &n);
	assert_int_equal(n.tenant, 9);
	assert_int_equal(n.runtime_s, 7200);
	assert_string_equal(n.origin, "O_SG");
	sl_jobspec_release(&s);
}

static void test_defaults(void **st)
{
	sl_jobspec s;
	sl_apierr e;
	(void)st;
	assert_int_equal(parse("{\"command\": [\"true\"], \"runtime_s\": 60}", &s, &e), 0);
	assert_int_equal(s.job.cores, 1);
	assert_int_equal(s.job.gpus, 0);
	assert_int_equal(s.job.deadline_s, 0);
	assert_int_equal(s.job.origin, 0); /* the scenario's first origin */
	assert_string_equal(s.origin, "O_CQ");
	assert_int_equal(s.job.tag, -1);
	assert_int_equal(s.job.cls, -1);
	assert_null(s.env_json);
	assert_null(s.name);
	assert_int_equal(s.requeue, 0);
	sl_jobspec_release(&s);
	/* a class brings its latency budget; an explicit one wins */
	assert_int_equal(parse("{\"command\": [\"x\"], \"runtime_s\": 1, \"class\": \"inference\","
	                       " \"data_tag\": null}", &s, &e), 0);
	assert_near(s.job.latency_budget_ms, 30, 1e-6);
	assert_string_equal(s.cls, "inference");
	sl_jobspec_release(&s);
	assert_int_equal(parse("{\"command\": [\"x\"], \"runtime_s\": 1, \"class\": \"inference\","
	                       " \"latency_budget_ms\": 12.5}", &s, &e), 0);
	assert_near(s.job.latency_budget_ms, 12.5, 1e-6);
	sl_jobspec_release(&s);
	/* GPU-only job */
	assert_int_equal(parse("{\"command\": [\"x\"], \"runtime_s\": 1, \"cores\": 0, \"gpus\": 2}",
	                       &s, &e), 0);
	sl_jobspec_release(&s);
}

/* Expect rejection with this status, code and field. */
static void rejects(const char *body, const char *code, const char *field)
{
	sl_jobspec s;
	sl_apierr e;
	int rc = parse(body, &s, &e);
	if (rc == 0 || strcmp(e.code, code) != 0 || strcmp(e.field, field) != 0)
		fail_msg("body %s: rc %d code %s field '%s' msg '%s' (want %s '%s')", body, rc,
		         rc ? e.code : "-", rc ? e.field : "-", rc ? e.msg : "-", code, field);
	assert_int_equal(e.status, 400);
	if (field[0])
		assert_non_null(strstr(e.msg, field)); /* the message names the field */
}

static void test_rejections(void **st)
{
	(void)st;
	rejects("", "malformed_json", "");
	rejects("{\"command\": [\"x\"], \"runtime_s\": 60", "malformed_json", "");
	rejects("[1,2]", "malformed_json", "");
	rejects("\"job\"", "malformed_json", "");
	rejects("{\"command\": [\"x\"], \"runtime_s\": 1, \"runtime_s\": 2}", "malformed_json", "");
	rejects("{\"runtime_s\": 60}", "missing_field", "command");
	rejects("{\"command\": [\"x\"]}", "missing_field", "runtime_s");
	rejects("{\"command\": [\"x\"], \"runtime_s\": 1, \"core\": 4}", "unknown_field", "core");
	rejects("{\"command\": \"./train.sh\", \"runtime_s\": 1}", "invalid_field", "command");
	rejects("{\"command\": [], \"runtime_s\": 1}", "invalid_field", "command");
	rejects("{\"command\": [\"\"], \"runtime_s\": 1}", "invalid_field", "command[0]");
	rejects("{\"command\": [\"a\", 3], \"runtime_s\": 1}", "invalid_field", "command[1]");
	rejects("{\"command\": [\"a\\u0000b\"], \"runtime_s\": 1}", "malformed_json", ""); /* jansson refuses NUL */
	rejects("{\"command\": [\"x\"], \"runtime_s\": \"2h\"}", "invalid_field", "runtime_s");
	rejects("{\"command\": [\"x\"], \"runtime_s\": 1.5}", "invalid_field", "runtime_s");
	rejects("{\"command\": [\"x\"], \"runtime_s\": 0}", "invalid_field", "runtime_s");
	rejects("{\"command\": [\"x\"], \"runtime_s\": true}", "invalid_field", "runtime_s");
	rejects("{\"command\": [\"x\"], \"runtime_s\": 1, \"cores\": -1}", "invalid_field", "cores");
	rejects("{\"command\": [\"x\"], \"runtime_s\": 1, \"cores\": \"4\"}", "invalid_field", "cores");
	rejects("{\"command\": [\"x\"], \"runtime_s\": 1, \"cores\": 65}", "invalid_field", "cores");
	rejects("{\"command\": [\"x\"], \"runtime_s\": 1, \"gpus\": 9}", "invalid_field", "gpus");
	rejects("{\"command\": [\"x\"], \"runtime_s\": 1, \"cores\": 0}", "invalid_field", "cores");
	rejects("{\"command\": [\"x\"], \"runtime_s\": 100, \"deadline_s\": 50}", "invalid_field",
	        "deadline_s");
	rejects("{\"command\": [\"x\"], \"runtime_s\": 1, \"origin\": \"O_MARS\"}", "invalid_field",
	        "origin");
	rejects("{\"command\": [\"x\"], \"runtime_s\": 1, \"origin\": null}", "invalid_field",
	        "origin");
	rejects("{\"command\": [\"x\"], \"runtime_s\": 1, \"data_tag\": 7}", "invalid_field",
	        "data_tag");
	rejects("{\"command\": [\"x\"], \"runtime_s\": 1, \"class\": \"nope\"}", "invalid_field",
	        "class");
	rejects("{\"command\": [\"x\"], \"runtime_s\": 1, \"latency_budget_ms\": -3}",
	        "invalid_field", "latency_budget_ms");
	rejects("{\"command\": [\"x\"], \"runtime_s\": 1, \"input_bytes\": -3}", "invalid_field",
	        "input_bytes");
	rejects("{\"command\": [\"x\"], \"runtime_s\": 1, \"env\": [\"A=1\"]}", "invalid_field", "env");
	rejects("{\"command\": [\"x\"], \"runtime_s\": 1, \"env\": {\"1A\": \"x\"}}", "invalid_field",
	        "env.1A");
	rejects("{\"command\": [\"x\"], \"runtime_s\": 1, \"env\": {\"A\": 1}}", "invalid_field",
	        "env.A");
	rejects("{\"command\": [\"x\"], \"runtime_s\": 1, \"name\": 5}", "invalid_field", "name");
	rejects("{\"command\": [\"x\"], \"runtime_s\": 1, \"requeue\": 1}", "invalid_field",
	        "requeue");
	rejects("{\"command\": [\"x\"], \"runtime_s\": 99999999999999999999999}", "malformed_json", "");
}

static void test_error_body(void **st)
{
	sl_apierr e = {0};
	size_t len;
	(void)st;
	sl_api_fail(&e, SL_EINVAL, 400, "invalid_field", "cores", "cores: \"quoted\" bad");
	char *b = sl_api_error_body(&e, &len);
	json_t *o = json_loads(b, 0, NULL);
	assert_non_null(o);
	assert_string_equal(json_string_value(json_object_get(json_object_get(o, "error"), "code")),
	                    "invalid_field");
	assert_string_equal(json_string_value(json_object_get(json_object_get(o, "error"), "field")),
	                    "cores");
	assert_string_equal(json_string_value(json_object_get(json_object_get(o, "error"), "message")),
	                    "cores: \"quoted\" bad");
	assert_int_equal(len, strlen(b));
	json_decref(o);
	free(b);
}

static void test_cursor(void **st)
{
	char c[64];
	int64_t id;
	(void)st;
	sl_api_cursor_encode(123456789, c, sizeof c);
	assert_int_equal(c[0], 'c');
	assert_null(strstr(c, "123456789")); /* opaque */
	assert_int_equal(sl_api_cursor_decode(c, &id), 0);
	assert_int_equal(id, 123456789);
	assert_int_equal(sl_api_cursor_decode("", &id), SL_EPARSE);
	assert_int_equal(sl_api_cursor_decode("123", &id), SL_EPARSE);
	assert_int_equal(sl_api_cursor_decode("c!!!", &id), SL_EPARSE);
	assert_int_equal(sl_api_cursor_decode("cdjE6LTU", &id), SL_EPARSE); /* "v1:-5" */
	assert_int_equal(sl_api_cursor_decode("cYWJj", &id), SL_EPARSE);    /* "abc" */
}

typedef struct kv {
	const char *k[8], *v[8];
} kv;

static const char *get(void *ud, const char *key)
{
	kv *a = ud;
	for (int i = 0; i < 8 && a->k[i]; i++)
		if (strcmp(a->k[i], key) == 0)
			return a->v[i];
	return NULL;
}

static void test_list_query(void **st)
{
	sl_jobfilter f;
	sl_apierr e = {0};
	const char *tenant;
	char c[64];
	(void)st;
	kv none = {{0}, {0}};
	assert_int_equal(sl_api_list_parse(get, &none, &f, &tenant, &e), 0);
	assert_int_equal(f.state, -1);
	assert_int_equal(f.limit, SL_API_LIST_DEFAULT);
	assert_null(tenant);
	sl_api_cursor_encode(50, c, sizeof c);
	kv all = {{"state", "limit", "cursor", "site", "tenant"},
	          {"running", "7", c, "S_HAMI", "bob"}};
	assert_int_equal(sl_api_list_parse(get, &all, &f, &tenant, &e), 0);
	assert_int_equal(f.state, SL_JOB_RUNNING);
	assert_int_equal(f.limit, 7);
	assert_int_equal(f.before_id, 50);
	assert_string_equal(f.site, "S_HAMI");
	assert_string_equal(tenant, "bob");
	kv bad_state = {{"state"}, {"sleeping"}};
	assert_true(sl_api_list_parse(get, &bad_state, &f, &tenant, &e) < 0);
	assert_string_equal(e.field, "state");
	kv bad_limit = {{"limit"}, {"5000"}};
	assert_true(sl_api_list_parse(get, &bad_limit, &f, &tenant, &e) < 0);
	assert_string_equal(e.field, "limit");
	kv bad_limit2 = {{"limit"}, {"10x"}};
	assert_true(sl_api_list_parse(get, &bad_limit2, &f, &tenant, &e) < 0);
	kv bad_cursor = {{"cursor"}, {"zzz"}};
	assert_true(sl_api_list_parse(get, &bad_cursor, &f, &tenant, &e) < 0);
	assert_string_equal(e.field, "cursor");
	assert_true(sl_api_list_key_known("origin"));
	assert_false(sl_api_list_key_known("sort"));
}

static void test_sigover_body(void **st)
{
	sl_sigover o;
	sl_apierr e = {0};
	const char *b1 = "{\"carbon_g_per_kwh\": 420.5, \"ttl_s\": 3600}";
	(void)st;
	assert_int_equal(sl_api_sigover_parse("XJ_HAMI", b1, strlen(b1), 1000, &o, &e), 0);
	assert_true(o.has_carbon);
	assert_false(o.has_price);
	assert_near(o.carbon_g_per_kwh, 420.5, 1e-9);
	assert_int_equal(o.expires, 4600);
	assert_string_equal(o.zone, "XJ_HAMI");
	const char *b2 = "{\"carbon_g_per_kwh\": null, \"price_cny_per_kwh\": null}";
	assert_int_equal(sl_api_sigover_parse("CQ", b2, strlen(b2), 1000, &o, &e), 0);
	assert_false(o.has_carbon || o.has_price);
	assert_int_equal(o.expires, 0);
	const char *b3 = "{\"carbon\": 1}";
	assert_true(sl_api_sigover_parse("CQ", b3, strlen(b3), 1000, &o, &e) < 0);
	assert_string_equal(e.code, "unknown_field");
	const char *b4 = "{\"price_cny_per_kwh\": -1}";
	assert_true(sl_api_sigover_parse("CQ", b4, strlen(b4), 1000, &o, &e) < 0);
	assert_string_equal(e.field, "price_cny_per_kwh");
	const char *b5 = "{\"price_cny_per_kwh\": \"cheap\"}";
	assert_true(sl_api_sigover_parse("CQ", b5, strlen(b5), 1000, &o, &e) < 0);
	const char *b6 = "{\"ttl_s\": 0, \"carbon_g_per_kwh\": 1}";
	assert_true(sl_api_sigover_parse("CQ", b6, strlen(b6), 1000, &o, &e) < 0);
	assert_string_equal(e.field, "ttl_s");
}

static void test_job_json(void **st)
{
	sl_jobrow r = {0};
	(void)st;
	r.id = 7;
	r.tenant_name = "alice";
	r.command_json = "[\"sleep\",\"1\"]";
	r.state = SL_JOB_DONE;
	r.origin = "O_CQ";
	r.has_start = 1;
	r.start = 100;
	r.has_exit = 1;
	r.exit_code = 0;
	r.receipt_json = "{\"policy\":\"greenest\"}";
	json_t *o = sl_api_job_json(&r, 1);
	assert_int_equal(json_integer_value(json_object_get(o, "id")), 7);
	assert_string_equal(json_string_value(json_object_get(o, "state")), "done");
	assert_string_equal(json_string_value(json_array_get(json_object_get(o, "command"), 0)),
	                    "sleep");
	assert_true(json_is_null(json_object_get(o, "end")));
	assert_int_equal(json_integer_value(json_object_get(o, "start")), 100);
	assert_string_equal(json_string_value(json_object_get(json_object_get(o, "receipt"),
	                                                      "policy")), "greenest");
	json_decref(o);
	o = sl_api_job_json(&r, 0);
	assert_null(json_object_get(o, "receipt"));
	json_decref(o);
}

static void test_num(void **st)
{
	char b[32];
	(void)st;
	struct { double v; const char *want; } cases[] = {
		{0, "0"}, {1, "1"}, {-1, "-1"}, {524.4, "524.4"}, {0.4, "0.4"},
		{1.133067, "1.13307"}, {0.00026249999999999998, "0.0002625"},
		{1234567, "1234570"}, {999999.5, "1000000"}, {0.1, "0.1"}, {100, "100"},
		{116.19, "116.19"}, {1e-12 / 2, "0"}, {1e-7, "0.0000001"}, {12.5, "12.5"},
		{99999.95, "100000"}, {1e14, "100000000000000"}, {-0.000123456789, "-0.000123457"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		sl_api_num(b, sizeof b, cases[i].v);
		if (strcmp(b, cases[i].want) != 0)
			fail_msg("%.17g: got %s, want %s", cases[i].v, b, cases[i].want);
	}
	sl_api_num(b, sizeof b, NAN);
	assert_string_equal(b, "null");
	sl_api_num(b, sizeof b, 2e15);
	assert_string_equal(b, "2e+15");
	/* every value reads back within 6 significant digits */
	for (double v = 1e-9; v < 1e14; v *= 1.37) {
		sl_api_num(b, sizeof b, v);
		assert_true(fabs(strtod(b, NULL) - v) <= v * 5e-6);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_body),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_rejections),
		cmocka_unit_test(test_error_body),
		cmocka_unit_test(test_cursor),
		cmocka_unit_test(test_list_query),
		cmocka_unit_test(test_sigover_body),
		cmocka_unit_test(test_job_json),
		cmocka_unit_test(test_num),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
