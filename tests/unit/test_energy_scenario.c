/*
 * test_energy_scenario.c — the scenario keys of the energy model
 * (io/scenario_energy.c): good values (generation computed from the
 * capacity spec, the curtailment rule by must-run and by rate, mix load,
 * residual, origin grids, route and network kWh/GB), and one malformed
 * case per check, each asserting the line, column, key path and a word of
 * the message; plus the built-in scenario's energy keys.
 *
 * Cases edit BASE below: the first occurrence of `from` becomes `to`.
 */
#include "testutil.h"

#include "energy/renewable.h"
#include "energy/supply.h"
#include "io/scenario.h"

static const char BASE[] =
	"scenario: energy-test\n"                                          /* 1 */
	"time: {start: \"2025-04-01T00:00:00+08:00\", days: 2, step: 1h, utc_offset: \"+08:00\"}\n"
	"tariffs:\n"                                                       /* 3 */
	"  - {id: FLAT, bands: {flat: 0.5}, default: flat}\n"
	"zones:\n"                                                         /* 5 */
	"  - id: XJ\n"
	"    utc_offset: \"+08:00\"\n"                                     /* 7 */
	"    tariff: FLAT\n"
	"    carbon_avg_g_per_kwh: 600\n"                                  /* 9 */
	"    load_mw: 500\n"
	"    generation: {solar_mw: 300, lat: 43.25, lon: 94.7, clearness: 0.8, wind_mw: 400, wind_cf: 0.27, seed: 3}\n"
	"    curtailment_rule: {must_run_mw: 200}\n"                       /* 12 */
	"  - id: CQ\n"
	"    utc_offset: \"+08:00\"\n"                                     /* 14 */
	"    tariff: FLAT\n"
	"    carbon_avg_g_per_kwh: 500\n"                                  /* 16 */
	"    load_mw: 1000\n"
	"    mix_load_mw: 1200\n"                                          /* 18 */
	"interconnects:\n"
	"  - {id: L, from: XJ, to: CQ, rated_mw: 100, loss_frac: 0.1, renewable_share: 0.5, fossil_g_per_kwh: 900, flow_mw: 50}\n"
	"sites:\n"                                                         /* 21 */
	"  - id: YIW\n"
	"    zone: XJ\n"                                                   /* 23 */
	"    jurisdiction: CN\n"
	"    lat: 43.25\n"                                                 /* 25 */
	"    lon: 94.7\n"
	"    cores: 100\n"                                                 /* 27 */
	"    power: {core_idle_w: 1, core_busy_w: 3}\n"
	"    pue: 1.2\n"                                                   /* 29 */
	"    generation: {solar_mw: 0.5, clearness: 0.9}\n"
	"    green_surplus_share: 0.4\n"                                   /* 31 */
	"  - id: CKG\n"
	"    zone: CQ\n"                                                   /* 33 */
	"    jurisdiction: CN\n"
	"    cores: 100\n"                                                 /* 35 */
	"    power: {core_idle_w: 1, core_busy_w: 3}\n"
	"    pue: 1.25\n"                                                  /* 37 */
	"    green_import: {interconnect: L, mw: 2}\n"
	"origins:\n"                                                       /* 39 */
	"  - id: O\n"
	"    utc_offset: \"+08:00\"\n"                                     /* 41 */
	"    jurisdiction: CN\n"
	"    share: 1\n"                                                   /* 43 */
	"    zone: CQ\n"
	"    routes:\n"                                                    /* 45 */
	"      CKG: {rtt_ms: 1, gbps: 100, kwh_per_gb: 0}\n"
	"      YIW: {rtt_ms: 30, gbps: 100}\n"                             /* 47 */
	"energy: {network_kwh_per_gb: 0.002}\n";

static sl_network *load(const char *text, sl_diags *d)
{
	sl_network *net = NULL;
	sl_err e = {0};
	int rc = sl_scenario_parse(text, strlen(text), "energy.yaml", &net, d, &e);
	if (rc == 0)
		return net;
	return NULL;
}

static void test_good(void **st)
{
	(void)st;
	sl_diags d = {0};
	sl_network *net = load(BASE, &d);
	if (!net) {
		char buf[2048];
		for (size_t i = 0; i < d.n; i++)
			print_message("%s\n", sl_diag_format(&d.v[i], buf, sizeof buf));
		fail_msg("the base scenario does not load");
	}
	const sl_zone *xj = &net->zones[0], *cq = &net->zones[1];
	/* the zone's renewable series is the model's output */
	sl_gen_spec g;
	sl_gen_defaults(&g);
	g.solar_mw = 300;
	g.wind_mw = 400;
	g.wind_cf = 0.27;
	g.lat_deg = 43.25;
	g.lon_deg = 94.7;
	g.tilt_deg = sl_gen_default_tilt(43.25);
	g.seed = 3;
	g.utc_offset_s = 8 * 3600;
	for (int m = 0; m < 12; m++)
		g.clearness[m] = 0.8;
	double v[48];
	sl_err e = {0};
	assert_int_equal(sl_gen_fill(&g, net->t0, 3600, 48, v, &e), 0);
	assert_true(xj->has_renewable);
	assert_memory_equal(xj->renewable_mw.v, v, sizeof v);
	/* the rule: room = 500 + 50 exported - 200 must-run = 350 MW */
	assert_true(xj->has_curtailment);
	for (int k = 0; k < 48; k++)
		assert_near(xj->curtailment_mw.v[k], fmax(0, v[k] - 350), 1e-9);
	assert_true(cq->has_mix_load && cq->mix_load_mw.v[0] == 1200);
	assert_true(net->interconnects[0].has_fossil);
	/* the site's panels take the site's place; half a MW of them */
	assert_true(net->sites[0].has_onsite);
	double mx = 0;
	for (int k = 0; k < 48; k++)
		mx = fmax(mx, net->sites[0].onsite_mw.v[k]);
	assert_true(mx > 0.2 && mx <= 0.5);
	assert_near(net->sites[0].onsite_mw.v[0], 0, 0); /* midnight */
	assert_true(net->sites[0].has_green_surplus_share);
	assert_near(net->sites[0].green_surplus_share, 0.4, 0);
	assert_true(net->sites[1].has_green_import && net->sites[1].green_import_line == 0);
	assert_near(net->sites[1].green_import_mw, 2, 0);
	assert_true(net->origins[0].has_zone && net->origins[0].zone == 1);
	assert_true(net->origins[0].routes[0].has_kwh_per_gb);
	assert_false(net->origins[0].routes[1].has_kwh_per_gb);
	assert_true(net->has_network_kwh_per_gb);
	assert_near(net->network_kwh_per_gb, 0.002, 0);
	/* the supply the engine draws: the site claims 2 of 22.5 green MW */
	sl_supply s;
	sl_supply_init(&s, net);
	assert_near(sl_supply_site(&s, 1, SL_SS_CLAIM_MW)[0], 2, 1e-12);
	assert_near(sl_supply_site(&s, 0, SL_SS_SURPLUS_MW)[10], 0.4 * xj->curtailment_mw.v[10], 1e-12);
	/* CQ: 45 MW at (1 - 0.5) 900 / 0.9 = 500, like its own 500 */
	assert_near(sl_supply_zone(&s, 1, SL_ZS_CI + SL_CI_LOCATION)[0], 500, 1e-9);
	assert_near(sl_supply_zone(&s, 1, SL_ZS_CI + SL_CI_RESIDUAL)[0], 1200 * 500 / (1200 - 22.5), 1e-9);
	sl_supply_release(&s);
	sl_network_free(net);
	sl_diags_release(&d);
}

/* The rule by rate: the curtailed energy is that share of the renewable. */
static void test_rule_rate(void **st)
{
	(void)st;
	sl_diags d = {0};
	char *text = tu_edit(BASE, "curtailment_rule: {must_run_mw: 200}", "curtailment_rule: {rate: 0.1}");
	sl_network *net = load(text, &d);
	assert_non_null(net);
	double r = 0, c = 0;
	for (int k = 0; k < 48; k++) {
		r += net->zones[0].renewable_mw.v[k];
		c += net->zones[0].curtailment_mw.v[k];
	}
	assert_near(c / r, 0.1, 1e-6);
	sl_network_free(net);
	/* with a 5 MW load even no must-run output curtails more than 0.01 % */
	int found = 0;
	char *small = tu_edit(text, "{rate: 0.1}", "{rate: 0.0001}");
	char *tiny = tu_edit(small, "    load_mw: 500\n", "    load_mw: 5\n");
	assert_null(load(tiny, &d));
	for (size_t k = 0; k < d.n; k++)
		found |= d.v[k].line == 12 && d.v[k].col == 30 &&
		         strcmp(d.v[k].key, "zones[0].curtailment_rule.rate") == 0 &&
		         strstr(d.v[k].msg, "cannot be reached") != NULL;
	assert_true(found);
	sl_diags_release(&d);
	free(small);
	free(tiny);
	free(text);
}

typedef struct bad_case {
	const char *from, *to;
	int line, col;
	const char *key, *word;
} bad_case;

static const bad_case bad[] = {
	{"solar_mw: 300", "solar_mw: -5", 11, 28, "zones[0].generation.solar_mw", ">= 0"},
	{"wind_cf: 0.27", "wind_cf: 1.2", 11, 95, "zones[0].generation.wind_cf", "(0, 1]"},
	{"wind_cf: 0.27", "wind_cf: 0", 11, 95, "zones[0].generation.wind_cf", "(0, 1]"},
	{", wind_cf: 0.27", "", 11, 17, "zones[0].generation", "missing required key \"wind_cf\""},
	{"lat: 43.25, lon: 94.7, clearness", "clearness", 11, 17, "zones[0].generation",
	 "missing required key \"lat\""},
	{"clearness: 0.8", "clearness: [0.8, 0.8]", 11, 67, "zones[0].generation.clearness",
	 "list of 12"},
	{"clearness: 0.8", "clearness: 1.3", 11, 67, "zones[0].generation.clearness", "[0, 1]"},
	{"seed: 3}", "seed: 3, sede: 4}", 11, 110, "zones[0].generation.sede", "did you mean"},
	{"    load_mw: 500\n", "    load_mw: 500\n    renewable_mw: 10\n", 12, 5, "zones[0].generation",
	 "not both"},
	{"{must_run_mw: 200}", "{must_run_mw: 200, rate: 0.1}", 12, 23, "zones[0].curtailment_rule",
	 "exactly one"},
	{"{must_run_mw: 200}", "{rate: 1}", 12, 30, "zones[0].curtailment_rule.rate", "[0, 1)"},
	{"    load_mw: 500\n", "", 11, 23, "zones[0].curtailment_rule", "needs the zone's load_mw"},
	{"    mix_load_mw: 1200", "    mix_load_mw: 0", 18, 18, "zones[1].mix_load_mw", "> 0"},
	{"to: CQ,", "to: CQQ,", 20, 27, "interconnects[0].to", "unknown zone \"CQQ\""},
	{"    load_mw: 1000\n", "", 19, 107, "interconnects[0].flow_mw", "no load_mw"},
	{"fossil_g_per_kwh: 900", "fossil_g_per_kwh: -1", 20, 102, "interconnects[0].fossil_g_per_kwh",
	 ">= 0"},
	{"flow_mw: 50}", "flow_mw: 150}", 20, 116, "interconnects[0].flow_mw", "[0, 100]"},
	{"green_surplus_share: 0.4", "green_surplus_share: 1.4", 31, 26,
	 "sites[0].green_surplus_share", "[0, 1]"},
	{"{interconnect: L, mw: 2}", "{interconnect: LL, mw: 2}", 38, 34,
	 "sites[1].green_import.interconnect", "did you mean \"L\""},
	{"{interconnect: L, mw: 2}", "{interconnect: L, mw: -2}", 38, 41, "sites[1].green_import.mw",
	 "> 0"},
	{"    zone: CQ\n    jurisdiction: CN\n    cores: 100",
	 "    zone: XJ\n    jurisdiction: CN\n    cores: 100", 38, 34,
	 "sites[1].green_import.interconnect", "delivers to zone CQ"},
	{"    generation: {solar_mw: 0.5, clearness: 0.9}\n", "    generation: {solar_mw: -0.5}\n", 30,
	 28, "sites[0].generation.solar_mw", ">= 0"},
	{"    zone: CQ\n    routes", "    zone: CQ\n    carbon_g_per_kwh: 500\n    routes", 45, 5,
	 "origins[0].carbon_g_per_kwh", "not both"},
	{"    zone: CQ\n    routes", "    zone: CX\n    routes", 44, 11, "origins[0].zone",
	 "unknown zone"},
	{"kwh_per_gb: 0}", "kwh_per_gb: -1}", 46, 47, "origins[0].routes.CKG.kwh_per_gb", ">= 0"},
	{"network_kwh_per_gb: 0.002", "network_kwh_per_gb: -0.002", 48, 30,
	 "energy.network_kwh_per_gb", ">= 0"},
	{"network_kwh_per_gb: 0.002", "kwh_per_gb: 0.002", 48, 10, "energy.kwh_per_gb", "unknown key"},
};

static void test_bad(void **st)
{
	(void)st;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		const bad_case *b = &bad[i];
		sl_diags d = {0};
		char *text = tu_edit(BASE, b->from, b->to);
		sl_network *net = load(text, &d);
		int found = 0;
		for (size_t k = 0; k < d.n; k++)
			found |= d.v[k].line == b->line && d.v[k].col == b->col &&
			         strcmp(d.v[k].key, b->key) == 0 && strstr(d.v[k].msg, b->word) != NULL;
		if (net || !found) {
			char buf[2048];
			for (size_t k = 0; k < d.n; k++)
				print_message("  %s\n", sl_diag_format(&d.v[k], buf, sizeof buf));
			fail_msg("case %zu (%s -> %s): no error at %d:%d %s with \"%s\"", i, b->from,
			         b->to, b->line, b->col, b->key, b->word);
		}
		sl_network_free(net);
		sl_diags_release(&d);
		free(text);
	}
}

/* Every site's share in a zone adds to at most 1: the site that tips it
 * over is named. */
static void test_share_sum(void **st)
{
	(void)st;
	sl_diags d = {0};
	char *t1 = tu_edit(BASE, "    pue: 1.25\n", "    pue: 1.25\n    green_surplus_share: 0.2\n");
	char *t2 = tu_edit(t1, "    zone: CQ\n    jurisdiction: CN\n    cores", "    zone: XJ\n    jurisdiction: CN\n    cores");
	char *t3 = tu_edit(t2, "    green_import: {interconnect: L, mw: 2}\n", "");
	char *t4 = tu_edit(t3, "green_surplus_share: 0.2", "green_surplus_share: 0.7");
	sl_network *net = load(t3, &d);
	assert_non_null(net); /* 0.4 + 0.2 */
	sl_network_free(net);
	net = load(t4, &d);
	assert_null(net);
	int found = 0;
	for (size_t k = 0; k < d.n; k++)
		found |= strcmp(d.v[k].key, "sites[1].green_surplus_share") == 0 &&
		         strstr(d.v[k].msg, "sum to at most 1") != NULL && d.v[k].line == 38;
	assert_true(found);
	sl_diags_release(&d);
	free(t1);
	free(t2);
	free(t3);
	free(t4);
}

/* The built-in scenario's energy keys load and mean what SOURCES.md says. */
static void test_builtin(void **st)
{
	(void)st;
	sl_network *net = NULL;
	sl_diags d = {0};
	sl_err e = {0};
	assert_int_equal(sl_scenario_load("scenarios/xinjiang-chongqing/scenario.yaml", &net, &d, &e), 0);
	const sl_interconnect *l = &net->interconnects[0];
	assert_true(l->has_fossil && l->fossil_g_per_kwh.v[0] == 832.5);
	assert_near(net->network_kwh_per_gb, 0.001875, 0);
	int hami = sl_network_zone(net, "XJ_HAMI"), north = sl_network_zone(net, "XJ_NORTH");
	for (int k = 0; k < net->nsteps; k += 97)
		assert_near(net->zones[hami].mix_load_mw.v[k],
		            net->zones[hami].load_mw.v[k] + net->zones[north].load_mw.v[k],
		            1e-3 * net->zones[hami].mix_load_mw.v[k]);
	for (int o = 0; o < net->norigins; o++)
		assert_true(net->origins[o].has_zone || net->origins[o].has_carbon);
	sl_supply s;
	sl_supply_init(&s, net);
	double worst = 0;
	for (int k = 0; k < s.n; k++) /* the line stays within its rating */
		worst = fmax(worst, sl_supply_line(&s, 0, SL_LS_SENT_MW)[k] / l->rated_mw);
	assert_true(worst <= 1.0 && worst > 0.5);
	sl_supply_release(&s);
	sl_network_free(net);
	sl_diags_release(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_rule_rate),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_share_sum),
		cmocka_unit_test(test_builtin),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
