/*
 * test_scenario.c — the scenario loader: a good file's loaded values
 * (signals expanded, tariff prices, routes, tag masks, job classes), CSV
 * series, one test per malformed-scenario case (each asserting the line,
 * column, key path and a word of the message), error collection, and a
 * truncation/garbling loop that only checks the loader returns cleanly.
 *
 * Malformed cases are edits of tests/fixtures/scenario/good.yaml: the
 * first occurrence of `from` is replaced by `to` and the text is loaded
 * from memory (under the fixture's path, so CSV paths resolve).
 */
#include "testutil.h"

#include "core/rng.h"
#include "core/time.h"
#include "energy/tariff.h"
#include "io/scenario.h"

#define GOOD FIXTURE("scenario/good.yaml")
#define SERIES FIXTURE("scenario/series.yaml")
#define XJCQ "scenarios/xinjiang-chongqing/scenario.yaml"

static void dump(const sl_diags *d)
{
	char buf[2048];
	for (size_t i = 0; i < d->n; i++)
		print_message("  diag: %s\n", sl_diag_format(&d->v[i], buf, sizeof buf));
}

/* Index of the diagnostic at line:col with key whose message has word. */
static long find_diag(const sl_diags *d, int line, int col, const char *key, const char *word)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].line == line && d->v[i].col == col && strcmp(d->v[i].key, key) == 0 &&
		    strstr(d->v[i].msg, word))
			return (long)i;
	return -1;
}

static void expect_diag(const sl_diags *d, int line, int col, const char *key, const char *word)
{
	if (find_diag(d, line, col, key, word) < 0) {
		dump(d);
		fail_msg("no diagnostic at %d:%d %s containing \"%s\"", line, col, key, word);
	}
}

static sl_network *load_good(void)
{
	sl_network *net = NULL;
	sl_diags d = {0};
	sl_err e = {0};
	int r = sl_scenario_load(GOOD, &net, &d, &e);
	if (r) {
		dump(&d);
		fail_msg("good.yaml: %s", e.msg);
	}
	assert_int_equal(d.n, 0);
	sl_diags_release(&d);
	return net;
}

static int64_t iso(const char *s)
{
	int64_t t;
	assert_int_equal(sl_time_parse_iso(s, 0, &t, NULL), 0);
	return t;
}

static void test_good_time_and_sites(void **st)
{
	(void)st;
	sl_network *net = load_good();
	assert_string_equal(net->name, "test-good");
	assert_string_equal(net->path, GOOD);
	assert_int_equal(net->t0, iso("2025-07-01T00:00:00+08:00"));
	assert_int_equal(net->t1, iso("2025-07-03T00:00:00+08:00"));
	assert_int_equal(net->step_s, 3600);
	assert_int_equal(net->nsteps, 48);
	assert_int_equal(net->utc_offset_s, 8 * 3600);
	assert_int_equal(net->nsites, 3);
	const sl_site *h = &net->sites[sl_network_site(net, "HAMI")];
	assert_string_equal(h->name, "Yiwu cloud computing centre");
	assert_int_equal(h->zone, sl_network_zone(net, "XJ"));
	assert_int_equal(h->cores, 20000);
	assert_int_equal(h->gpus, 512);
	assert_near(h->core_idle_w, 4, 1e-12);
	assert_near(h->gpu_busy_w, 400, 1e-12);
	assert_near(h->lat, 43.25, 1e-12);
	assert_int_equal(h->pue.n, 48);
	assert_int_equal(h->pue.step_s, 3600);
	assert_int_equal(h->pue.t0, net->t0);
	assert_near(h->pue.v[0], 1.2, 1e-12);
	assert_near(h->pue.v[47], 1.2, 1e-12);
	assert_true(h->has_green);
	assert_near(sl_signal_at(&h->green_mw, net->t0 + 5 * 3600), 30, 1e-12);
	assert_int_equal(h->backend, SL_BACKEND_SIM);
	const sl_site *c = &net->sites[1];
	assert_string_equal(c->id, "CKG");
	assert_string_equal(c->name, "CKG"); /* defaults to the id */
	assert_int_equal(c->gpus, 0);
	assert_false(c->has_green);
	assert_int_equal(net->sites[2].backend, SL_BACKEND_LOCAL);
	assert_near(net->sites[2].gpu_idle_w, 70, 1e-12);
	int64_t cores, gpus;
	sl_network_capacity(net, &cores, &gpus);
	assert_int_equal(cores, 32000);
	assert_int_equal(gpus, 576);
	sl_network_free(net);
}

static void test_good_zones_and_prices(void **st)
{
	(void)st;
	sl_network *net = load_good();
	assert_int_equal(net->nzones, 3);
	assert_int_equal(net->ntariffs, 3);
	const sl_zone *xj = &net->zones[0];
	assert_string_equal(xj->name, "Xinjiang Hami");
	assert_int_equal(xj->tariff, sl_network_tariff(net, "XJ_TOU"));
	assert_near(xj->carbon_avg_g_per_kwh.v[10], 620, 1e-12);
	assert_true(xj->has_carbon_marginal);
	assert_near(xj->carbon_marginal_g_per_kwh.v[10], 900, 1e-12);
	assert_true(xj->has_renewable && xj->has_curtailment && !xj->has_load);
	assert_near(xj->curtailment_mw.v[3], 150, 1e-12);
	/* 2025-07-01 is a Tuesday in July: 09h peak, 12h flat, 15h deep valley
	 * (the July exception beats the general rules), 23h peak, 01h flat (the
	 * valley rule is for weekends only). */
	assert_int_equal(xj->price_cny_per_kwh.n, 48);
	assert_near(xj->price_cny_per_kwh.v[9], 0.70, 1e-12);
	assert_near(xj->price_cny_per_kwh.v[12], 0.40, 1e-12);
	assert_near(xj->price_cny_per_kwh.v[15], 0.04, 1e-12);
	assert_near(xj->price_cny_per_kwh.v[23], 0.70, 1e-12);
	assert_near(xj->price_cny_per_kwh.v[1], 0.40, 1e-12);
	assert_near(xj->price_cny_per_kwh.v[24 + 15], 0.04, 1e-12);
	const sl_tariff *tou = &net->tariffs[0];
	assert_int_equal(tou->utc_offset_s, 8 * 3600);
	assert_int_equal(tou->nbands, 4);
	assert_string_equal(tou->bands[3].name, "deep");
	assert_int_equal(tou->default_band, 1);
	assert_int_equal(tou->nrules, 3);
	assert_int_equal(tou->rules[0].hours_mask, 0x700u | 0xF80000u); /* 8-10, 19-23 */
	assert_int_equal(tou->rules[0].months_mask, 0x1FFE);
	assert_int_equal(tou->rules[0].wdays_mask, 0x7F);
	assert_int_equal(tou->rules[1].hours_mask, 0xC00003u);          /* 22-23, 0-1 */
	assert_int_equal(tou->rules[1].wdays_mask, 0x60);                /* sat, sun */
	assert_int_equal(tou->rules[2].months_mask, 0x1E0);              /* May-August */
	assert_int_equal(tou->rules[2].band, 3);
	const sl_zone *cq = &net->zones[1];
	assert_false(cq->has_carbon_marginal);
	assert_near(cq->carbon_marginal_g_per_kwh.v[0], 480, 1e-12); /* = average */
	assert_true(cq->has_load);
	assert_near(cq->price_cny_per_kwh.v[30], 0.62, 1e-12);
	const sl_zone *sg = &net->zones[2];
	assert_int_equal(sg->utc_offset_s, 8 * 3600);
	assert_true(net->tariffs[2].has_series);
	assert_near(sg->price_cny_per_kwh.v[7], 0.25, 1e-12);
	const sl_interconnect *l = &net->interconnects[0];
	assert_int_equal(net->ninterconnects, 1);
	assert_int_equal(l->from_zone, 0);
	assert_int_equal(l->to_zone, 1);
	assert_near(l->rated_mw, 8000, 1e-12);
	assert_near(l->loss_frac, 0.06, 1e-12);
	assert_near(l->length_km, 2290, 1e-12);
	assert_near(l->renewable_share.v[20], 0.5, 1e-12);
	assert_true(l->has_flow);
	assert_near(l->flow_mw.v[0], 6000, 1e-12);
	sl_network_free(net);
}

static void test_good_origins_and_tags(void **st)
{
	(void)st;
	sl_network *net = load_good();
	/* sites first (CN, SG), then data rules (MY), then origins */
	assert_int_equal(net->njurisdictions, 3);
	assert_string_equal(net->jurisdictions[0], "CN");
	assert_string_equal(net->jurisdictions[1], "SG");
	assert_string_equal(net->jurisdictions[2], "MY");
	int hami = sl_network_site(net, "HAMI"), ckg = sl_network_site(net, "CKG"),
	    sin = sl_network_site(net, "SIN");
	assert_int_equal(net->ntags, 2);
	int cn_pi = sl_network_tag(net, "CN_PI"), sg_pd = sl_network_tag(net, "SG_PD");
	assert_int_equal(net->tags[cn_pi].allowed_mask, 1u);
	assert_int_equal(net->tags[sg_pd].allowed_mask, 2u | 4u);
	assert_true(sl_network_tag_allows(net, cn_pi, hami));
	assert_false(sl_network_tag_allows(net, cn_pi, sin));
	assert_true(sl_network_tag_allows(net, sg_pd, sin));
	assert_false(sl_network_tag_allows(net, sg_pd, ckg));
	assert_true(sl_network_tag_allows(net, -1, sin));
	assert_int_equal(net->norigins, 2);
	int cq = sl_network_origin(net, "CQ_USERS");
	const sl_origin *o = &net->origins[cq];
	assert_string_equal(o->name, "Chongqing users");
	assert_int_equal(o->jurisdiction, 0);
	assert_near(o->share, 0.7, 1e-12);
	assert_int_equal(o->nroutes, 2);
	assert_int_equal(o->route_of_site[ckg], 0);
	assert_int_equal(o->route_of_site[hami], 1);
	assert_int_equal(o->route_of_site[sin], -1);
	assert_null(sl_network_route(net, cq, sin));
	const sl_route *r = sl_network_route(net, cq, hami);
	assert_int_equal(r->site, hami);
	assert_near(r->rtt_ms, 45, 1e-12);
	assert_near(r->gbps, 40, 1e-12);
	assert_near(r->cny_per_gb, 0.05, 1e-12);
	assert_near(o->tag_share[cn_pi], 0.3, 1e-12);
	assert_near(o->tag_share[sg_pd], 0, 1e-12);
	const sl_origin *sg = &net->origins[1];
	assert_int_equal(sg->jurisdiction, 1);
	assert_near(sl_network_route(net, 1, sin)->cny_per_gb, 0, 1e-12); /* default */
	assert_near(sl_network_route(net, 1, ckg)->rtt_ms, 60, 1e-12);
	assert_near(sg->tag_share[sg_pd], 0.5, 1e-12);
	sl_network_free(net);
}

static void test_good_classes(void **st)
{
	(void)st;
	sl_network *net = load_good();
	assert_int_equal(net->nclasses, 3);
	const sl_job_class *inf = &net->classes[sl_network_class(net, "inference")];
	assert_near(inf->share, 0.5, 1e-12);
	assert_near(inf->latency_budget_ms, 20, 1e-12);
	assert_near(inf->cores.lo, 1, 0);
	assert_near(inf->cores.hi, 4, 0);
	assert_near(inf->gpus.hi, 0, 0); /* absent */
	assert_near(inf->runtime_s.lo, 1, 0);
	assert_near(inf->runtime_s.hi, 30, 0);
	assert_near(inf->deadline_s.hi, 0, 0);
	assert_near(inf->input_bytes.lo, 1000, 0);
	assert_near(inf->input_bytes.hi, 10e6, 0);
	assert_near(inf->output_bytes.lo, 1000, 0); /* one value = [v, v] */
	assert_near(inf->output_bytes.hi, 1000, 0);
	const sl_job_class *tr = &net->classes[1];
	assert_near(tr->gpus.lo, 8, 0);
	assert_near(tr->runtime_s.lo, 7200, 0);
	assert_near(tr->runtime_s.hi, 3 * 86400, 0);
	assert_near(tr->deadline_s.lo, 86400, 0);
	assert_near(tr->deadline_s.hi, 7 * 86400, 0);
	assert_near(tr->input_bytes.hi, 2e12, 0);
	assert_near(tr->output_bytes.lo, 1073741824.0, 0);
	assert_near(tr->output_bytes.hi, 10737418240.0, 0);
	assert_near(tr->latency_budget_ms, 0, 0);
	assert_near(net->classes[2].runtime_s.lo, 600, 0);
	assert_near(net->classes[2].deadline_s.lo, 6 * 3600, 0);
	assert_int_equal(tr->not_preemptible, 0); /* absent: preemptible */
	assert_int_equal(net->classes[2].not_preemptible, 1);
	sl_network_free(net);
}

static void test_series(void **st)
{
	(void)st;
	sl_network *net = NULL;
	sl_diags d = {0};
	if (sl_scenario_load(SERIES, &net, &d, NULL)) {
		dump(&d);
		fail();
	}
	assert_int_equal(net->nsteps, 6);
	const sl_zone *z = &net->zones[0];
	assert_near(z->carbon_avg_g_per_kwh.v[2], 620.5, 1e-9);
	assert_near(z->carbon_avg_g_per_kwh.v[5], 650, 1e-9);
	assert_near(z->renewable_mw.v[3], 4.0, 1e-9); /* 4000 kW, scale 0.001 */
	assert_near(z->price_cny_per_kwh.v[0], 0.30, 1e-9);
	assert_near(z->price_cny_per_kwh.v[4], 0.40, 1e-9);
	assert_near(net->sites[0].pue.v[5], 1.25, 1e-9);
	assert_near(sl_signal_at(&net->sites[0].pue, net->t0 + 6 * 3600), 1.20, 1e-9); /* wraps */
	assert_int_equal(net->utc_offset_s, 0); /* default */
	sl_network_free(net);
	sl_diags_release(&d);
}

/* Load an edit of a fixture from memory; asserts it fails with diag. */
static void load_bad(const char *fixture, const char *from, const char *to, sl_diags *d)
{
	char *base = tu_slurp(fixture, NULL);
	char *text = tu_edit(base, from, to);
	sl_network *net = NULL;
	sl_err e = {0};
	int r = sl_scenario_parse(text, strlen(text), fixture, &net, d, &e);
	if (r == 0) {
		sl_network_free(net);
		fail_msg("edit \"%s\" -> \"%s\" was accepted", from, to);
	}
	assert_int_equal(r, SL_EPARSE);
	assert_true(d->n > 0);
	assert_int_equal(e.code, SL_EPARSE);
	assert_non_null(strstr(e.origin, fixture));
	assert_null(net);
	free(text);
	free(base);
}

static void test_csv_errors(void **st)
{
	(void)st;
	sl_diags d = {0};
	load_bad(SERIES, "data/hourly.csv, column: carbon", "data/nope.csv, column: carbon", &d);
	expect_diag(&d, 14, 33, "zones[0].carbon_avg_g_per_kwh.csv", "nope.csv");
	sl_diags_release(&d);
	load_bad(SERIES, "column: carbon_g_per_kwh", "column: carbon_gkwh", &d);
	expect_diag(&d, 14, 58, "zones[0].carbon_avg_g_per_kwh.column", "carbon_gkwh");
	sl_diags_release(&d);
	load_bad(SERIES, "column: pue}", "column: pue, scale: 0.5}", &d);
	expect_diag(&d, 22, 10, "sites[0].pue", "expected every value");
	expect_diag(&d, 22, 10, "sites[0].pue", "got 0.6 at 2024-12-31T16:00:00Z (step 0)");
	sl_diags_release(&d);
	load_bad(SERIES, "column: pue}", "column: pue, colour: red}", &d);
	expect_diag(&d, 22, 46, "sites[0].pue.colour", "unknown key");
	sl_diags_release(&d);
	load_bad(SERIES, "{csv: data/hourly.csv, column: pue}", "{csv: data/hourly.csv}", &d);
	expect_diag(&d, 22, 10, "sites[0].pue", "missing required key \"column\"");
	sl_diags_release(&d);
	/* the series must cover the whole range */
	load_bad(SERIES, "T06:00:00+08:00", "T07:00:00+08:00", &d);
	expect_diag(&d, 9, 19, "tariffs[0].series.csv", "cannot load the series");
	sl_diags_release(&d);
}

typedef struct bad_case {
	const char *from, *to; /* edit of good.yaml */
	int line, col;
	const char *key;
	const char *word;      /* in the message */
} bad_case;

static const bad_case bad_cases[] = {
	/* time */
	{"  step: 1h", "  step: 7m", 7, 9, "time.step", "divides a day"},
	{"  days: 2", "  end: \"2025-06-30T00:00:00+08:00\"", 6, 8, "time.end", "after the start"},
	{"  days: 2\n", "  days: 2\n  end: \"2025-07-03T00:00:00+08:00\"\n", 6, 3, "time.days",
	 "not both"},
	{"2025-07-01T00:00:00+08:00", "2025-07-32T00:00:00+08:00", 5, 10, "time.start",
	 "no such date"},
	{"  start: \"2025-07-01T00:00:00+08:00\"", "  start: tomorrow", 5, 10, "time.start",
	 "ISO 8601"},
	{"  days: 2", "  days: 1.5h", 6, 9, "time.days", "expected a number in (0"},
	{"  days: 2\n", "", 5, 3, "time", "missing required key \"end\" (or \"days\")"},
	/* top level */
	{"description:", "descripton:", 3, 1, "descripton", "did you mean \"description\""},
	{"data_rules:\n  CN_PI: {allowed: [CN]}\n  SG_PD: {allowed: [SG, MY]}\n",
	 "data_rules: [CN_PI]\n", 81, 13, "data_rules", "expected a mapping"},
	/* tariffs */
	{"    default: flat", "    default: flats", 13, 14, "tariffs[0].default",
	 "unknown band \"flats\" (did you mean \"flat\"?)"},
	{"{band: peak, hours", "{band: peek, hours", 15, 16, "tariffs[0].rules[0].band",
	 "did you mean \"peak\""},
	{"[19, 24]]}", "[19, 25]]}", 15, 44, "tariffs[0].rules[0].hours[1][1]",
	 "an integer in [0, 24], got 25"},
	{"[[14, 16]]", "[[14, 14]]", 17, 30, "tariffs[0].rules[2].hours[0]", "non-empty"},
	{"hours: [[14, 16]]", "hours: [14, 16]", 17, 30, "tariffs[0].rules[2].hours[0]",
	 "[from, to] hour range"},
	{"months: [5, 6, 7, 8]", "months: [5, 6, 13, 8]", 17, 56, "tariffs[0].rules[2].months[2]",
	 "in [1, 12]"},
	{"[sat, sun]", "[sat, sunday]", 16, 58, "tariffs[0].rules[1].weekdays[1]",
	 "unknown weekday \"sunday\""},
	{"flat: 0.40,", "flat: -0.40,", 12, 31, "tariffs[0].bands.flat", ">= 0"},
	{"    series: 0.25", "    series: 0.25\n    bands: {x: 1}", 22, 5, "tariffs[2].series",
	 "not both"},
	{"    series: 0.25", "    sieries: 0.25", 21, 5, "tariffs[2]",
	 "missing required key \"bands\" (or \"series\")"},
	{"    utc_offset: \"+08:00\"\n    bands", "    bands", 10, 5, "tariffs[0]",
	 "missing required key \"utc_offset\""},
	/* zones */
	{"    tariff: CQ_FLAT", "    tariff: CQ_FLT", 34, 13, "zones[1].tariff",
	 "unknown tariff \"CQ_FLT\" (did you mean \"CQ_FLAT\"?)"},
	{"    carbon_avg_g_per_kwh: 410\n", "", 37, 5, "zones[2]",
	 "missing required key \"carbon_avg_g_per_kwh\""},
	{"    carbon_avg_g_per_kwh: 620", "    carbon_avg_g_per_kwh: [620]", 28, 27,
	 "zones[0].carbon_avg_g_per_kwh", "got a list"},
	{"    utc_offset: \"UTC+8\"", "    utc_offset: \"UTC+8h\"", 38, 17, "zones[2].utc_offset",
	 "UTC offset"},
	{"  - id: CQ\n", "  - id: XJ\n", 32, 9, "zones[1].id", "duplicate id \"XJ\" (first defined at line 24)"},
	/* interconnects */
	{"    loss_frac: 0.06", "    loss_frac: 1", 46, 16, "interconnects[0].loss_frac",
	 "in [0, 1)"},
	{"    to: CQ", "    to: XJ", 44, 9, "interconnects[0].to", "different"},
	{"    flow_mw: 6000", "    flow_mw: 9000", 49, 14, "interconnects[0].flow_mw",
	 "in [0, 8000]"},
	{"    renewable_share: 0.5", "    renewable_share: 1.5", 48, 22,
	 "interconnects[0].renewable_share", "in [0, 1]"},
	{"    rated_mw: 8000", "    rated_mw: lots", 45, 15, "interconnects[0].rated_mw",
	 "got \"lots\""},
	{"    from: XJ", "    from: XX", 43, 11, "interconnects[0].from", "unknown zone"},
	/* sites */
	{"    pue: 1.2", "    pue: 0.9", 60, 10, "sites[0].pue", "expected a number >= 1, got 0.9"},
	{"    pue: 1.2", "    pu: 1.2", 60, 5, "sites[0].pu", "did you mean \"pue\""},
	{"    pue: 1.2\n", "", 51, 5, "sites[0]", "missing required key \"pue\""},
	{"    pue: 1.35", "    pue: \"1.35\"", 68, 10, "sites[1].pue", "without quotes"},
	{"    zone: XJ", "    zone: XK", 53, 11, "sites[0].zone", "unknown zone \"XK\" (did you mean \"XJ\"?)"},
	{"    cores: 8000", "    cores: -1", 66, 12, "sites[1].cores", "an integer >= 0, got -1"},
	{"    cores: 8000", "    cores: 0", 66, 12, "sites[1].cores", "cores + gpus > 0"},
	{"    cores: 8000", "    cores: 12.5", 66, 12, "sites[1].cores", "integer"},
	{"core_busy_w: 14}", "core_busy_w: 4}", 67, 42, "sites[1].power.core_busy_w",
	 "core_busy_w >= core_idle_w (5), got 4"},
	{"      gpu_idle_w: 70\n      gpu_busy_w: 450\n", "", 75, 7, "sites[2].power",
	 "missing required key \"gpu_idle_w\""},
	{"    power: {core_idle_w: 5, core_busy_w: 14}", "    power: [5, 14]", 67, 12,
	 "sites[1].power", "expected a mapping"},
	{"  - id: CKG", "  - id: HAMI", 63, 9, "sites[1].id", "duplicate id \"HAMI\""},
	{"    jurisdiction: SG\n    cores", "    jurisdiction: [SG]\n    cores", 71, 19,
	 "sites[2].jurisdiction", "expected a string, got a list"},
	{"    backend: local", "    backend: slurmm", 80, 14, "sites[2].backend",
	 "did you mean \"slurm\""},
	{"    lat: 43.25", "    lat: 143.25", 55, 10, "sites[0].lat", "in [-90, 90]"},
	/* a Slurm site's cluster */
	{"    backend: local", "    backend: local\n    slurm: {url: http://h:1, token_file: t}", 81,
	 12, "sites[2].slurm", "needs backend: slurm (this site's backend is local)"},
	{"    backend: local", "    backend: slurm\n    slurm: {partition: p}", 81, 12,
	 "sites[2].slurm", "expected url"},
	{"    backend: local", "    backend: slurm\n    slurm: {url: http://h:1}", 81, 18,
	 "sites[2].slurm.url", "needs token_file"},
	{"    backend: local", "    backend: slurm\n    slurm: {url: ftp://h, token_file: t}", 81,
	 18, "sites[2].slurm.url", "http:// or https://"},
	{"    backend: local", "    backend: slurm\n    slurm: {url: http://h:1, token_file: t, "
	 "socket: /s}", 81, 53, "sites[2].slurm.socket", "not both"},
	{"    backend: local", "    backend: slurm\n    slurm: {socket: /s, partition: \"a b\"}", 81,
	 36, "sites[2].slurm.partition", "Slurm name"},
	{"    backend: local", "    backend: slurm\n    slurm: {socket: /s, poll: 0s}", 81, 31,
	 "sites[2].slurm.poll", "from 1s to 1h"},
	{"    backend: local", "    backend: slurm\n    slurm: {socket: /s, partiton: p}", 81, 25,
	 "sites[2].slurm.partiton", "did you mean \"partition\""},
	{"    backend: local", "    backend: slurm\n    slurm: [h]", 81, 12, "sites[2].slurm",
	 "expected a mapping"},
	{"    pue: 1.2\n", "    pue: 1.2\n    pue: 1.3\n", 61, 5, "sites[0].pue", "duplicate key"},
	{"  - id: CKG", "  - id: 9CKG", 63, 9, "sites[1].id", "expected an id"},
	/* data rules and origins */
	{"SG_PD: {allowed: [SG, MY]}", "SG_PD: {allowed: []}", 83, 20, "data_rules.SG_PD.allowed",
	 "at least one"},
	{"      SIN: {rtt_ms: 2", "      SINN: {rtt_ms: 2", 100, 7, "origins[1].routes.SINN",
	 "unknown site \"SINN\" (did you mean \"SIN\"?)"},
	{"CKG: {rtt_ms: 60", "CKG: {rtt_ms: 0", 101, 21, "origins[1].routes.CKG.rtt_ms", "> 0"},
	{"{rtt_ms: 2, gbps: 100}", "{rtt_ms: 2, gbsp: 100}", 100, 24,
	 "origins[1].routes.SIN.gbsp", "did you mean \"gbps\""},
	{"    share: 0.3\n    data_tags: {SG", "    share: 0.2\n    data_tags: {SG", 85, 3,
	 "origins", "sum to 1 (within 0.001), got 0.9"},
	{"{SG_PD: 0.5}", "{SG_PX: 0.5}", 98, 17, "origins[1].data_tags.SG_PX",
	 "no entry in data_rules (did you mean \"SG_PD\"?)"},
	{"data_tags: {CN_PI: 0.3}", "data_tags: {CN_PI: 0.3, SG_PD: 0.8}", 90, 16,
	 "origins[0].data_tags", "at most 1, got 1.1"},
	{"    share: 0.7", "    share: 1.7", 89, 12, "origins[0].share", "in [0, 1]"},
	{"    routes:\n      CKG: {rtt_ms: 3", "    routs:\n      CKG: {rtt_ms: 3", 85, 5,
	 "origins[0]", "missing required key \"routes\""},
	/* job classes */
	{"    share: 0.2\n    cores: [4, 64]", "    share: 0.1\n    cores: [4, 64]", 103, 3,
	 "job_classes", "sum to 1"},
	{"    preemptible: false", "    preemptible: no", 123, 18, "job_classes[2].preemptible",
	 "expected true or false, got \"no\""},
	{"    runtime: [10m, 6h]", "    runtime: [6h, 10m]", 121, 14, "job_classes[2].runtime",
	 "lo <= hi, got [6h, 10m]"},
	{"[100GB, 2TB]", "[100GB, 2TX]", 116, 20, "job_classes[1].input[1]", "byte size"},
	{"[2h, 3d]", "[2h, 3y]", 114, 19, "job_classes[1].runtime[1]", "duration"},
	{"    deadline: [1d, 7d]", "    deadline: [1h, 7d]", 115, 15, "job_classes[1].deadline",
	 "runtime low end (2h), got 1h"},
	{"    cores: [1, 4]\n", "", 103, 5, "job_classes[0]", "missing required key \"cores\""},
	{"    cores: [1, 4]", "    cores: [0, 4]", 106, 12, "job_classes[0].cores",
	 "at least one core or GPU"},
	{"    cores: [1, 4]", "    cores: [1, 2, 4]", 106, 12, "job_classes[0].cores",
	 "range [lo, hi]"},
	{"    runtime: [1s, 30s]", "    runtime: [0s, 30s]", 107, 15, "job_classes[0].runtime[0]",
	 "> 0"},
	{"  - id: batch", "  - id: training", 118, 9, "job_classes[2].id", "duplicate id"},
	/* YAML level */
	{"    pue: 1.2\n", "    pue: 1.2\n   bad: x\n", 61, 4, "sites[1]", "YAML syntax error"},
	{"    pue: 1.2\n", "    pue: *x\n", 60, 10, "sites[0].pue", "aliases"},
};

static void test_bad_case(void **st)
{
	const bad_case *c = *st;
	sl_diags d = {0};
	load_bad(GOOD, c->from, c->to, &d);
	expect_diag(&d, c->line, c->col, c->key, c->word);
	for (size_t i = 0; i < d.n; i++) { /* every diagnostic is fully located */
		assert_string_equal(d.v[i].file, GOOD);
		assert_true(d.v[i].line > 0 && d.v[i].col > 0);
	}
	sl_diags_release(&d);
}

/* A Slurm-backed site: its cluster settings, relative paths taken against
 * the scenario's directory, and a site without them. */
static void test_slurm_site(void **st)
{
	(void)st;
	char *base = tu_slurp(GOOD, NULL);
	char *text = tu_edit(base, "    backend: local",
	                  "    backend: slurm\n    slurm:\n      url: http://10.0.0.5:6820\n"
	                  "      token_file: keys/jwt.token\n      partition: gpu\n"
	                  "      account: ops\n      jobs_dir: /shared/suanli\n      poll: 2s\n"
	                  "      timeout: 1m");
	sl_network *net = NULL;
	sl_diags d = {0};
	sl_err e = {0};
	if (sl_scenario_parse(text, strlen(text), GOOD, &net, &d, &e)) {
		dump(&d);
		fail_msg("%s", e.msg);
	}
	const sl_site *s = &net->sites[2];
	assert_int_equal(s->backend, SL_BACKEND_SLURM);
	assert_non_null(s->slurm);
	assert_string_equal(s->slurm->url, "http://10.0.0.5:6820");
	assert_null(s->slurm->socket);
	assert_string_equal(s->slurm->token_file, FIXTURE("scenario/keys/jwt.token"));
	assert_string_equal(s->slurm->partition, "gpu");
	assert_string_equal(s->slurm->account, "ops");
	assert_null(s->slurm->user);
	assert_string_equal(s->slurm->jobs_dir, "/shared/suanli");
	assert_int_equal(s->slurm->poll_s, 2);
	assert_int_equal(s->slurm->idle_poll_s, 0);
	assert_int_equal(s->slurm->timeout_s, 60);
	assert_null(net->sites[0].slurm);
	sl_network_free(net);
	sl_diags_release(&d);
	free(text);
	free(base);
}

/* Errors in several places are all reported, in file order. */
static void test_all_errors_collected(void **st)
{
	(void)st;
	char *base = tu_slurp(GOOD, NULL);
	char *a = tu_edit(base, "    pue: 1.2", "    pue: 0.5");
	char *b = tu_edit(a, "    pue: 1.35", "    pue: -1");
	char *c = tu_edit(b, "    pue: 1.4", "    pue: x");
	char *t = tu_edit(c, "  step: 1h", "  step: 0");
	sl_network *net = NULL;
	sl_diags d = {0};
	sl_diags_add(&d, "earlier", 0, 0, "", "a diagnostic the caller had"); /* kept, not sorted */
	assert_int_equal(sl_scenario_parse(t, strlen(t), "x/s.yaml", &net, &d, NULL), SL_EPARSE);
	assert_int_equal(d.n, 5);
	assert_string_equal(d.v[0].file, "earlier");
	expect_diag(&d, 7, 9, "time.step", "divides a day");
	expect_diag(&d, 60, 10, "sites[0].pue", "got 0.5");
	expect_diag(&d, 68, 10, "sites[1].pue", "got -1");
	expect_diag(&d, 79, 10, "sites[2].pue", "got \"x\"");
	for (size_t i = 2; i < d.n; i++)
		assert_true(d.v[i - 1].line <= d.v[i].line);
	assert_string_equal(d.v[4].key, "sites[2].pue");
	sl_diags_release(&d);
	/* without a diags list the summary still names the first error */
	sl_err e = {0};
	assert_int_equal(sl_scenario_parse(t, strlen(t), "x/s.yaml", &net, NULL, &e), SL_EPARSE);
	assert_string_equal(e.origin, "x/s.yaml:7:9");
	assert_non_null(strstr(e.msg, "time.step"));
	assert_non_null(strstr(e.msg, "4 errors"));
	free(a);
	free(b);
	free(c);
	free(t);
	free(base);
}

static void test_jurisdiction_limit(void **st)
{
	(void)st;
	char allowed[1024] = "SG_PD: {allowed: [SG, MY";
	size_t k = strlen(allowed);
	for (int i = 0; i < 61; i++) /* with CN, SG and MY: 64 in all */
		k += (size_t)snprintf(allowed + k, sizeof allowed - k, ", J%d", i);
	snprintf(allowed + k, sizeof allowed - k, "]}");
	sl_diags d = {0};
	char *base = tu_slurp(GOOD, NULL);
	char *fits = tu_edit(base, "SG_PD: {allowed: [SG, MY]}", allowed);
	sl_network *net = NULL;
	if (sl_scenario_parse(fits, strlen(fits), GOOD, &net, &d, NULL)) {
		dump(&d);
		fail_msg("64 jurisdictions should fit");
	}
	assert_int_equal(net->njurisdictions, 64);
	assert_string_equal(net->jurisdictions[63], "J60");
	assert_int_equal(net->tags[1].allowed_mask, ~(uint64_t)1);
	sl_network_free(net);
	free(fits);
	snprintf(allowed + k, sizeof allowed - k, ", K]}");
	load_bad(GOOD, "SG_PD: {allowed: [SG, MY]}", allowed, &d);
	int col = 2 + (int)(strstr(allowed, ", K]") - allowed) + 2 + 1; /* "  SG_PD: ..." */
	expect_diag(&d, 83, col, "data_rules.SG_PD.allowed[63]", "too many distinct jurisdictions");
	expect_diag(&d, 83, col, "data_rules.SG_PD.allowed[63]", "\"K\" is one more");
	sl_diags_release(&d);
	free(base);
}

static void test_unreadable(void **st)
{
	(void)st;
	sl_network *net = NULL;
	sl_diags d = {0};
	sl_err e = {0};
	assert_int_equal(sl_scenario_load("tests/fixtures/scenario/nope.yaml", &net, &d, &e), SL_EIO);
	assert_null(net);
	assert_int_equal(d.n, 1);
	assert_non_null(strstr(d.v[0].msg, "No such file"));
	assert_string_equal(e.origin, "tests/fixtures/scenario/nope.yaml");
	sl_diags_release(&d);
	assert_int_equal(sl_scenario_load("tests/fixtures/scenario", &net, NULL, &e), SL_EIO);
	assert_non_null(strstr(e.msg, "directory"));
	/* empty text and a top-level list */
	assert_int_equal(sl_scenario_parse("", 0, "e.yaml", &net, &d, NULL), SL_EPARSE);
	expect_diag(&d, 1, 1, "", "empty");
	sl_diags_release(&d);
	assert_int_equal(sl_scenario_parse("- a\n", 4, NULL, &net, &d, NULL), SL_EPARSE);
	expect_diag(&d, 1, 1, "", "expected a scenario mapping");
	assert_string_equal(d.v[0].file, "<memory>");
	sl_diags_release(&d);
	assert_null(net);
}

/* Load text; only checks that the loader comes back with a consistent
 * answer (a network and no new diagnostics, or an error and some). */
static void load_quietly(const char *text, size_t len, const char *path)
{
	sl_network *net = NULL;
	sl_diags d = {0};
	int r = sl_scenario_parse(text, len, path, &net, &d, NULL);
	if (r == 0) {
		assert_non_null(net);
		assert_int_equal(d.n, 0);
		sl_network_free(net);
	} else {
		assert_int_equal(r, SL_EPARSE);
		assert_null(net);
		assert_true(d.n > 0);
	}
	sl_diags_release(&d);
}

static void test_garbled_inputs(void **st)
{
	(void)st;
	static const char noise[] = ":[]{}-,#&*!|>'\"\t\n 0x9.";
	const char *paths[] = {GOOD, SERIES};
	for (int f = 0; f < 2; f++) {
		size_t len;
		char *text = tu_slurp(paths[f], &len);
		for (size_t n = 0; n <= len; n += (f == 0 ? 7 : 3)) /* truncations */
			load_quietly(text, n, paths[f]);
		sl_rng rng;
		sl_rng_seed(&rng, 20250701 + (uint64_t)f);
		char *copy = malloc(len + 1);
		for (int round = 0; round < 400; round++) { /* one to four bytes garbled */
			memcpy(copy, text, len + 1);
			int edits = 1 + (int)sl_rng_below(&rng, 4);
			for (int k = 0; k < edits; k++) {
				size_t at = (size_t)sl_rng_below(&rng, len);
				uint64_t pick = sl_rng_below(&rng, sizeof noise + 2);
				copy[at] = pick < sizeof noise - 1 ? noise[pick] : (pick & 1 ? '\0' : '\xff');
			}
			load_quietly(copy, len, paths[f]);
		}
		free(copy);
		free(text);
	}
}

static void test_xinjiang_chongqing(void **st)
{
	(void)st;
	FILE *f = fopen(XJCQ, "r");
	if (!f)
		skip(); /* the built-in scenario is not in this tree yet */
	fclose(f);
	sl_network *net = NULL;
	sl_diags d = {0};
	int r = sl_scenario_load(XJCQ, &net, &d, NULL);
	if (r) {
		dump(&d);
		fail_msg("%s does not validate", XJCQ);
	}
	assert_true(net->nsites > 0 && net->nzones > 0 && net->norigins > 0);
	sl_network_free(net);
	sl_diags_release(&d);
}

int main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_good_time_and_sites),
		cmocka_unit_test(test_good_zones_and_prices),
		cmocka_unit_test(test_good_origins_and_tags),
		cmocka_unit_test(test_good_classes),
		cmocka_unit_test(test_series),
		cmocka_unit_test(test_csv_errors),
		cmocka_unit_test(test_slurm_site),
		cmocka_unit_test(test_all_errors_collected),
		cmocka_unit_test(test_jurisdiction_limit),
		cmocka_unit_test(test_unreadable),
		cmocka_unit_test(test_garbled_inputs),
		cmocka_unit_test(test_xinjiang_chongqing),
	};
	enum { NFIXED = sizeof fixed / sizeof fixed[0], NBAD = sizeof bad_cases / sizeof bad_cases[0] };
	static struct CMUnitTest tests[NFIXED + NBAD];
	static char names[NBAD][96];
	memcpy(tests, fixed, sizeof fixed);
	for (size_t i = 0; i < NBAD; i++) {
		snprintf(names[i], sizeof names[i], "bad %zu: %s", i, bad_cases[i].key);
		tests[NFIXED + i] = (struct CMUnitTest){names[i], test_bad_case, NULL, NULL,
		                                        (void *)&bad_cases[i]};
	}
	return _cmocka_run_group_tests("test_scenario", tests, NFIXED + NBAD, NULL, NULL);
}
