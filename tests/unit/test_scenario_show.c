/*
 * test_scenario_show.c — the scenario description: JSON fields and values
 * computed from a small hand-built network, and the text tables (ids,
 * computed means, column alignment, width).
 */
#include "testutil.h"

#include "core/time.h"
#include "report/scenario_show.h"

#define T0 1735660800LL /* 2025-01-01T00:00:00+08:00 */
#define N 4

/* A small network: zones XJ (TOU) and CQ (series price), sites HAMI (GPUs,
 * green supply) and CQ_DC, one origin CQ_USERS reaching both, one data tag,
 * one line, one job class.  Everything is static: no loader involved. */
typedef struct fixture {
	sl_network net;
	double xj_carbon[N], cq_carbon[N], xj_price[N], cq_price[N], ren[N], pue1[N], pue2[N],
	       green[N], share[N];
	sl_tariff tariffs[2];
	sl_tariff_band bands[2];
	sl_tariff_rule rules[1];
	sl_zone zones[2];
	sl_site sites[2];
	sl_interconnect line;
	sl_route routes[2];
	int route_of_site[2];
	double tag_share[1];
	sl_origin origin;
	sl_data_rule tag;
	const char *jur[2];
	sl_job_class cls;
} fixture;

static sl_signal sig(double *v, const double *vals)
{
	memcpy(v, vals, N * sizeof *v);
	return (sl_signal){.v = v, .n = N, .step_s = 3600, .t0 = T0};
}

static void make_zones(fixture *f)
{
	f->bands[0] = (sl_tariff_band){"flat", 0.40};
	f->bands[1] = (sl_tariff_band){"valley", 0.10};
	f->rules[0] = (sl_tariff_rule){1, 0xF, 0x1FFE, 0x7F};
	f->tariffs[0] = (sl_tariff){.id = "XJ_TOU", .utc_offset_s = 8 * 3600, .bands = f->bands,
	                            .nbands = 2, .default_band = 0, .rules = f->rules, .nrules = 1};
	f->tariffs[1] = (sl_tariff){.id = "CQ_SPOT", .utc_offset_s = 8 * 3600, .has_series = 1,
	                            .series = sig(f->cq_price, (double[]){0.5, 0.6, 0.7, 0.9})};
	f->zones[0] = (sl_zone){.id = "XJ_HAMI", .name = "Hami 哈密", .utc_offset_s = 8 * 3600,
	                        .tariff = 0, .has_renewable = 1,
	                        .carbon_avg_g_per_kwh = sig(f->xj_carbon, (double[]){400, 500, 600, 700}),
	                        .price_cny_per_kwh = sig(f->xj_price, (double[]){0.1, 0.1, 0.1, 0.1}),
	                        .renewable_mw = sig(f->ren, (double[]){10, 20, 30, 40})};
	f->zones[0].carbon_marginal_g_per_kwh = f->zones[0].carbon_avg_g_per_kwh;
	f->zones[1] = (sl_zone){.id = "CQ", .name = "Chongqing", .utc_offset_s = 8 * 3600,
	                        .tariff = 1,
	                        .carbon_avg_g_per_kwh = sig(f->cq_carbon, (double[]){300, 310, 320, 330}),
	                        .price_cny_per_kwh = f->tariffs[1].series};
	f->zones[1].carbon_marginal_g_per_kwh = f->zones[1].carbon_avg_g_per_kwh;
	f->line = (sl_interconnect){.id = "HAMI_CQ", .from_zone = 0, .to_zone = 1, .rated_mw = 8000,
	                            .loss_frac = 0.07, .length_km = 2290,
	                            .renewable_share = sig(f->share, (double[]){.2, .4, .4, .6})};
}

static void make_sites(fixture *f)
{
	f->sites[0] = (sl_site){.id = "HAMI", .name = "Hami Cloud Silk Road", .zone = 0,
	                        .jurisdiction = 0, .cores = 1000, .gpus = 100, .core_idle_w = 5,
	                        .core_busy_w = 12, .gpu_idle_w = 60, .gpu_busy_w = 400,
	                        .pue = sig(f->pue1, (double[]){1.2, 1.2, 1.3, 1.3}), .has_green = 1,
	                        .green_mw = sig(f->green, (double[]){1, 2, 3, 4}),
	                        .backend = SL_BACKEND_SLURM};
	f->sites[1] = (sl_site){.id = "CQ_DC", .name = "Liangjiang 两江数据中心园区 Shuitu Chongqing", .zone = 1, .jurisdiction = 0,
	                        .cores = 500, .core_idle_w = 4, .core_busy_w = 10,
	                        .pue = sig(f->pue2, (double[]){1.5, 1.5, 1.5, 1.5}),
	                        .backend = SL_BACKEND_SIM};
	f->routes[0] = (sl_route){.site = 1, .rtt_ms = 3, .gbps = 100, .cny_per_gb = 0};
	f->routes[1] = (sl_route){.site = 0, .rtt_ms = 42.5, .gbps = 10, .cny_per_gb = 0.05};
	f->route_of_site[0] = 1;
	f->route_of_site[1] = 0;
	f->tag_share[0] = 0.3;
	f->origin = (sl_origin){.id = "CQ_USERS", .name = "Chongqing users", .utc_offset_s = 8 * 3600,
	                        .jurisdiction = 0, .share = 1, .routes = f->routes, .nroutes = 2,
	                        .route_of_site = f->route_of_site, .tag_share = f->tag_share};
	f->tag = (sl_data_rule){.tag = "CN_PI", .allowed_mask = 1};
	f->jur[0] = "CN";
	f->jur[1] = "SG";
	f->cls = (sl_job_class){.id = "train", .share = 1, .cores = {8, 64}, .gpus = {1, 8},
	                        .runtime_s = {3600, 86400}, .input_bytes = {1e9, 5e11}};
}

static void make_network(fixture *f)
{
	memset(f, 0, sizeof *f);
	make_zones(f);
	make_sites(f);
	f->net = (sl_network){.name = "tiny", .path = "tiny.yaml", .t0 = T0, .t1 = T0 + N * 3600,
	                      .step_s = 3600, .nsteps = N, .utc_offset_s = 8 * 3600,
	                      .tariffs = f->tariffs, .ntariffs = 2, .zones = f->zones, .nzones = 2,
	                      .interconnects = &f->line, .ninterconnects = 1, .sites = f->sites,
	                      .nsites = 2, .origins = &f->origin, .norigins = 1, .tags = &f->tag,
	                      .ntags = 1, .jurisdictions = f->jur, .njurisdictions = 2,
	                      .classes = &f->cls, .nclasses = 1};
}

/* Follow a path like "sites[0].pue.mean"; NULL when absent. */
static json_t *json_path_get(json_t *v, const char *path)
{
	char key[64];
	while (v && *path) {
		size_t n = strcspn(path, ".[");
		if (n) {
			assert_true(n < sizeof key);
			memcpy(key, path, n);
			key[n] = '\0';
			v = json_object_get(v, key);
			path += n;
		} else if (*path == '[') {
			char *end;
			v = json_array_get(v, strtoul(path + 1, &end, 10));
			path = end + 1; /* past ']' */
		} else {
			path++; /* '.' */
		}
	}
	return v;
}

static double num(json_t *root, const char *path)
{
	json_t *v = json_path_get(root, path);
	if (!json_is_number(v))
		fail_msg("%s is not a number", path);
	return json_number_value(v);
}

static void test_json(void **st)
{
	(void)st;
	fixture f;
	make_network(&f);
	json_t *j = sl_report_scenario_json(&f.net);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "scenario")), "tiny");
	assert_near(num(j, "time.step_s"), 3600, 0);
	assert_near(num(j, "time.steps"), 4, 0);
	assert_string_equal(json_string_value(json_path_get(j, "time.start")),
	                    "2025-01-01T00:00:00+08:00");
	assert_near(num(j, "totals.cores"), 1500, 0);
	assert_near(num(j, "totals.it_idle_kw"), 5 + 6 + 2, 1e-9);
	assert_near(num(j, "sites[0].it_busy_kw"), 12 + 40, 1e-9);
	assert_near(num(j, "sites[0].pue.mean"), 1.25, 1e-12);
	assert_near(num(j, "sites[0].green_mw.max"), 4, 0);
	assert_true(json_is_null(json_path_get(j, "sites[1].green_mw")));
	assert_string_equal(json_string_value(json_path_get(j, "sites[0].backend")), "slurm");
	assert_string_equal(json_string_value(json_path_get(j, "sites[1].zone")), "CQ");
	assert_near(num(j, "zones[0].carbon_avg_g_per_kwh.mean"), 550, 1e-9);
	assert_near(num(j, "zones[0].carbon_avg_g_per_kwh.min"), 400, 0);
	assert_near(num(j, "zones[1].price_cny_per_kwh.mean"), 0.675, 1e-12);
	assert_near(num(j, "zones[1].price_cny_per_kwh.max"), 0.9, 0);
	assert_string_equal(json_string_value(json_path_get(j, "zones[0].series[0]")), "renewable_mw");
	assert_int_equal(json_array_size(json_path_get(j, "zones[1].series")), 0);
	assert_string_equal(json_string_value(json_path_get(j, "tariffs[1].kind")), "series");
	assert_near(num(j, "tariffs[0].bands_cny_per_kwh.valley"), 0.1, 0);
	assert_near(num(j, "interconnects[0].renewable_share.mean"), 0.4, 1e-12);
	assert_near(num(j, "origins[0].routes[1].rtt_ms"), 42.5, 0);
	assert_string_equal(json_string_value(json_path_get(j, "origins[0].routes[1].site")), "HAMI");
	assert_near(num(j, "origins[0].data_tags.CN_PI"), 0.3, 0);
	assert_string_equal(json_string_value(json_path_get(j, "data_rules.CN_PI.allowed[0]")), "CN");
	assert_int_equal(json_array_size(json_path_get(j, "data_rules.CN_PI.allowed")), 1);
	assert_near(num(j, "job_classes[0].gpus[1]"), 8, 0);
	assert_true(json_is_null(json_path_get(j, "job_classes[0].deadline_s")));
	assert_true(json_is_null(json_path_get(j, "job_classes[0].latency_budget_ms")));
	json_decref(j);
}

/* The text report as a string (caller frees). */
static char *render(const sl_network *net)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	assert_non_null(f);
	sl_report_scenario_text(f, net);
	fclose(f);
	return buf;
}

/* The line of s holding needle, copied into line (NUL-terminated). */
static void line_of(const char *s, const char *needle, char *line, size_t cap)
{
	const char *p = strstr(s, needle);
	if (!p)
		fail_msg("no \"%s\" in the report", needle);
	while (p > s && p[-1] != '\n')
		p--;
	size_t n = strcspn(p, "\n");
	assert_true(n < cap);
	memcpy(line, p, n);
	line[n] = '\0';
}

/* Column just past the end of word in line. */
static long end_col(const char *line, const char *word)
{
	const char *p = strstr(line, word);
	if (!p)
		fail_msg("no \"%s\" in \"%s\"", word, line);
	return (long)(p - line) + (long)strlen(word);
}

/* Terminal columns of n bytes of UTF-8 (CJK U+3000..U+9FFF count two). */
static size_t columns(const char *s, size_t n)
{
	size_t w = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c & 0xC0) != 0x80)
			w += c >= 0xE3 && c <= 0xE9 ? 2 : 1;
	}
	return w;
}

static void test_text(void **st)
{
	(void)st;
	fixture f;
	char head[256], row[256], row2[256];
	make_network(&f);
	char *s = render(&f.net);
	const char *want[] = {"Scenario tiny", "HAMI", "CQ_DC", "XJ_HAMI", "CQ_USERS", "HAMI_CQ",
	                      "CN_PI", "train", "550", "0.675", "slurm", "renewable", "1.25",
	                      "8-64", "1h-1d", "1GB-500GB", "42.5", "Liangjiang 两江"};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
		if (!strstr(s, want[i]))
			fail_msg("report lacks \"%s\":\n%s", want[i], s);
	/* numbers are right-aligned under their headings */
	line_of(s, "  site ", head, sizeof head);
	line_of(s, "  HAMI ", row, sizeof row);
	line_of(s, "  CQ_DC ", row2, sizeof row2);
	assert_int_equal(end_col(head, "cores"), end_col(row, "1000"));
	assert_int_equal(end_col(head, "cores"), end_col(row2, "500"));
	assert_int_equal(end_col(head, "idle kW"), end_col(row, "11.0"));
	/* a name too long for the line is cut, not wrapped */
	line_of(s, "  CQ_DC ", row2, sizeof row2);
	assert_non_null(strstr(row2, "Liangjiang 两江"));
	assert_null(strstr(row2, "Chongqing"));
	assert_int_equal(strcmp(row2 + strlen(row2) - 3, "..."), 0);
	/* no line is wider than 100 columns or ends in a blank */
	for (const char *p = s; *p;) {
		size_t n = strcspn(p, "\n");
		assert_true(columns(p, n) <= 100);
		assert_true(n == 0 || p[n - 1] != ' ');
		p += n + (p[n] == '\n');
	}
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
