/*
 * test_supply.c — the supply formulas (energy/supply.h) on hand-computed
 * cases, sl_supply derived from a small network (line delivery, losses,
 * renewable share, blended and residual intensities, surplus shares,
 * green claims), its invariants, origin intensities and the exact
 * integrals of per-step series.
 */
#include "testutil.h"

#include "energy/supply.h"
#include "simfix.h"

#define T0 FIX_T0

static void test_formulas(void **st)
{
	(void)st;
	assert_near(sl_supply_delivered_mw(8000, 0.065), 7480, 1e-9);
	/* the UHVDC: half renewable, the rest coal at 832.5, 6.5 % lost */
	assert_near(sl_supply_line_ci(0.5, 832.5, 0.065), 416.25 / 0.935, 1e-9);
	assert_near(sl_supply_line_ci(0.5, 832.5, 0.065), 445.1872, 1e-4);
	/* blend: 80 MW local at 500 + 20 MW imported at 445.2 over 100 MW */
	assert_near(sl_supply_blend_ci(100, 500, 20, 445.2), (80 * 500 + 20 * 445.2) / 100.0, 1e-9);
	assert_near(sl_supply_blend_ci(100, 500, 20, 445.2), 489.04, 1e-9);
	assert_near(sl_supply_blend_ci(100, 500, 150, 445.2), 445.2, 0); /* imports cover the load */
	assert_near(sl_supply_blend_ci(0, 500, 20, 445.2), 500, 0);      /* no load to blend into */
	assert_near(sl_supply_blend_ci(100, 500, 0, 445.2), 500, 0);
	/* residual of the receiver: its emissions over the unclaimed energy */
	assert_near(sl_supply_residual_ci(100, 489.04, 0, 10), 100 * 489.04 / 90, 1e-9);
	/* residual of the sender: 100 MW leave at 416.25 g/kWh from a 600 g
	 * mix of 1000 MW of demand */
	assert_near(sl_supply_residual_ci(1000, 600, 100 * (600 - 416.25), 0), 618.375, 1e-9);
	assert_near(sl_supply_residual_ci(1000, 600, 0, 0), 600, 0);   /* exactly, nothing moved */
	assert_near(sl_supply_residual_ci(10, 600, 0, 20), 600, 0);    /* claims exceed the load */
	assert_near(sl_supply_residual_ci(100, 10, -5000, 0), 0, 0);   /* never negative */
	/* curtailment: room = 300 + 100 - 50 - 120 = 230 MW of 500 */
	assert_near(sl_supply_curtail_mw(500, 300, 100, 50, 120), 270, 1e-12);
	assert_near(sl_supply_curtail_mw(500, 300, 0, 0, 400), 500, 0);  /* no room at all */
	assert_near(sl_supply_curtail_mw(100, 300, 0, 0, 100), 0, 0);    /* all absorbed */
}

/* R = [100, 0, 100], L = [50, 50, 150]: curtailed(M) = (50 + M) + max(0,
 * M - 50), so 40 % of 200 MWh needs M = 30; 10 % is below curtailed(0). */
static void test_must_run_for_rate(void **st)
{
	(void)st;
	double r[3] = {100, 0, 100}, l[3] = {50, 50, 150}, m = -1;
	assert_int_equal(sl_supply_must_run_for_rate(r, l, NULL, NULL, 3, 0.4, &m), 0);
	assert_near(m, 30, 1e-6);
	assert_int_equal(sl_supply_must_run_for_rate(r, l, NULL, NULL, 3, 0.1, &m), SL_ERANGE);
	double x[3] = {50, 50, 50}; /* exports add room: (M) + max(0, M - 100) */
	assert_int_equal(sl_supply_must_run_for_rate(r, l, x, NULL, 3, 0.4, &m), 0);
	assert_near(m, 80, 1e-6);
	double z[3] = {0, 0, 0};
	assert_int_equal(sl_supply_must_run_for_rate(z, l, NULL, NULL, 3, 0.1, &m), SL_ERANGE);
}

/* Zones A (sender: load 1000, avg 600, marginal 800) and B (receiver:
 * load 100, avg 400), line A -> B of 20 MW, loss 10 %, renewable 50 %,
 * fossil 900 g/kWh. */
static sl_network *two_zones(void)
{
	sl_network *net = fix_net_new(T0, 3600, 4);
	int a = fix_zone(net, "A", 600, 0.5), b = fix_zone(net, "B", 400, 1.0);
	sl_zone *za = &net->zones[a], *zb = &net->zones[b];
	za->has_carbon_marginal = 1;
	fix_signal(net, &za->carbon_marginal_g_per_kwh, 800);
	za->has_load = zb->has_load = 1;
	fix_signal(net, &za->load_mw, 1000);
	fix_signal(net, &zb->load_mw, 100);
	net->interconnects = sl_arena_alloc(&net->arena, 2 * sizeof *net->interconnects);
	net->ninterconnects = 1;
	sl_interconnect *l = &net->interconnects[0];
	l->id = "L";
	l->from_zone = a;
	l->to_zone = b;
	l->rated_mw = 25;
	l->loss_frac = 0.1;
	fix_signal(net, &l->renewable_share, 0.5);
	l->has_flow = l->has_fossil = 1;
	fix_signal(net, &l->flow_mw, 20);
	fix_signal(net, &l->fossil_g_per_kwh, 900);
	l->flow_mw.v[3] = 0; /* the line idles in the last step */
	return net;
}

static void test_supply_lines_and_zones(void **st)
{
	(void)st;
	sl_network *net = two_zones();
	sl_supply s;
	sl_supply_init(&s, net);
	assert_near(sl_supply_line(&s, 0, SL_LS_SENT_MW)[0], 20, 0);
	assert_near(sl_supply_line(&s, 0, SL_LS_DELIVERED_MW)[0], 18, 1e-12);
	assert_near(sl_supply_line(&s, 0, SL_LS_GREEN_MW)[0], 9, 1e-12);
	assert_near(sl_supply_line(&s, 0, SL_LS_CI_SENT)[0], 450, 1e-12);
	assert_near(sl_supply_line(&s, 0, SL_LS_CI_DELIVERED)[0], 500, 1e-9);
	assert_near(sl_supply_line(&s, 0, SL_LS_CI_MARGINAL)[0], 800 / 0.9, 1e-9);
	/* B: 82 MW local at 400 + 18 MW at 500 */
	assert_near(sl_supply_zone(&s, 1, SL_ZS_IMPORT_MW)[0], 18, 1e-12);
	assert_near(sl_supply_zone(&s, 1, SL_ZS_IMPORT_LOSS_MW)[0], 2, 1e-12);
	assert_near(sl_supply_zone(&s, 1, SL_ZS_IMPORT_GREEN_MW)[0], 9, 1e-12);
	assert_near(sl_supply_zone(&s, 1, SL_ZS_IMPORT_CI)[0], 500, 1e-9);
	assert_near(sl_supply_zone(&s, 1, SL_ZS_CI + SL_CI_LOCAL)[0], 400, 0);
	assert_near(sl_supply_zone(&s, 1, SL_ZS_CI + SL_CI_LOCATION)[0], 418, 1e-9);
	assert_near(sl_supply_zone(&s, 1, SL_ZS_CI + SL_CI_RESIDUAL)[0], 100 * 418 / 91.0, 1e-9);
	assert_near(sl_supply_zone(&s, 1, SL_ZS_CI + SL_CI_MARGINAL)[0], 400, 0); /* its own */
	/* A: exports 20 MW that take 450 g/kWh from a 600 g mix */
	assert_near(sl_supply_zone(&s, 0, SL_ZS_EXPORT_MW)[0], 20, 0);
	assert_near(sl_supply_zone(&s, 0, SL_ZS_CI + SL_CI_LOCATION)[0], 600, 0);
	assert_near(sl_supply_zone(&s, 0, SL_ZS_CI + SL_CI_RESIDUAL)[0], 603, 1e-9);
	assert_near(sl_supply_zone(&s, 0, SL_ZS_CI + SL_CI_MARGINAL)[0], 800, 0);
	/* no flow in step 3: every view is the zone's own again */
	assert_near(sl_supply_zone(&s, 1, SL_ZS_CI + SL_CI_LOCATION)[3], 400, 0);
	assert_near(sl_supply_zone(&s, 1, SL_ZS_CI + SL_CI_RESIDUAL)[3], 400, 0);
	assert_near(sl_supply_zone(&s, 0, SL_ZS_CI + SL_CI_RESIDUAL)[3], 600, 0);
	/* invariants: flow within the rating, delivered <= sent, green <= delivered */
	for (int k = 0; k < s.n; k++) {
		assert_true(sl_supply_line(&s, 0, SL_LS_SENT_MW)[k] <= net->interconnects[0].rated_mw);
		assert_true(sl_supply_line(&s, 0, SL_LS_DELIVERED_MW)[k] <=
		            sl_supply_line(&s, 0, SL_LS_SENT_MW)[k]);
		assert_true(sl_supply_line(&s, 0, SL_LS_GREEN_MW)[k] <=
		            sl_supply_line(&s, 0, SL_LS_DELIVERED_MW)[k]);
	}
	sl_supply_release(&s);
	/* without fossil_g_per_kwh the sender's average stands in */
	net->interconnects[0].has_fossil = 0;
	sl_supply_init(&s, net);
	assert_near(sl_supply_line(&s, 0, SL_LS_CI_SENT)[0], 300, 1e-12);
	sl_supply_release(&s);
	sl_network_free(net);
}

/* Curtailment of 10 MW in A shared by an explicit 0.3 and by busy IT
 * power (100 W and 300 W); claims of 10 and 5 MW on 9 MW of green. */
static void test_sites_surplus_and_claims(void **st)
{
	(void)st;
	sl_network *net = two_zones();
	sl_zone *za = &net->zones[0];
	za->has_curtailment = 1;
	fix_signal(net, &za->curtailment_mw, 10);
	int s1 = fix_site(net, "S1", 0, "CN", 10, 0, 1, 1, 0, 0, 1.0);
	int s2 = fix_site(net, "S2", 0, "CN", 10, 0, 5, 10, 0, 0, 1.0);  /* 100 W busy */
	int s3 = fix_site(net, "S3", 0, "CN", 10, 1, 5, 10, 50, 200, 1.0); /* 300 W busy */
	int b1 = fix_site(net, "B1", 1, "CN", 4, 0, 1, 2, 0, 0, 1.0);
	int b2 = fix_site(net, "B2", 1, "CN", 4, 0, 1, 2, 0, 0, 1.0);
	net->sites[s1].has_green_surplus_share = 1;
	net->sites[s1].green_surplus_share = 0.3;
	net->sites[b1].has_green_import = net->sites[b2].has_green_import = 1;
	net->sites[b1].green_import_mw = 10;
	net->sites[b2].green_import_mw = 5;
	fix_green(net, b2, 1.5);
	sl_supply s;
	sl_supply_init(&s, net);
	assert_near(s.surplus_share[s1], 0.3, 0);
	assert_near(s.surplus_share[s2], 0.7 * 100 / 400, 1e-12);
	assert_near(s.surplus_share[s3], 0.7 * 300 / 400, 1e-12);
	assert_near(sl_supply_site(&s, s3, SL_SS_SURPLUS_MW)[0], 5.25, 1e-12);
	double sum = 0;
	for (int i = s1; i <= s3; i++)
		sum += sl_supply_site(&s, i, SL_SS_SURPLUS_MW)[0];
	assert_near(sum, 10, 1e-12); /* the shares hand out the zone's curtailment, no more */
	assert_near(sl_supply_site(&s, b1, SL_SS_SURPLUS_MW)[0], 0, 0); /* B curtails nothing */
	/* 9 MW of delivered green for 15 MW of claims: pro rata */
	assert_near(sl_supply_site(&s, b1, SL_SS_CLAIM_MW)[0], 6, 1e-12);
	assert_near(sl_supply_site(&s, b2, SL_SS_CLAIM_MW)[0], 3, 1e-12);
	assert_near(sl_supply_site(&s, b2, SL_SS_CONTRACT_MW)[0], 4.5, 1e-12);
	assert_near(sl_supply_site(&s, b1, SL_SS_CLAIM_MW)[3], 0, 0); /* no flow, no claim */
	sl_supply_release(&s);
	sl_network_free(net);
}

static void test_origin_ci_and_names(void **st)
{
	(void)st;
	sl_network *net = two_zones();
	int o1 = fix_origin(net, "O1", "CN"), o2 = fix_origin(net, "O2", "CN"),
	    o3 = fix_origin(net, "O3", "CN");
	net->origins[o1].has_zone = 1;
	net->origins[o1].zone = 1;
	net->origins[o2].has_carbon = 1;
	fix_signal(net, &net->origins[o2].carbon_g_per_kwh, 123);
	sl_supply s;
	sl_supply_init(&s, net);
	assert_near(sl_supply_origin_ci(&s, o1, 0, SL_CI_LOCATION, 0), 418, 1e-9);
	assert_near(sl_supply_origin_ci(&s, o2, 0, SL_CI_MARGINAL, 0), 123, 0);
	assert_near(sl_supply_origin_ci(&s, o3, 0, SL_CI_RESIDUAL, 0), 603, 1e-9); /* fallback */
	assert_int_equal(sl_supply_index(&s, T0 + 3 * 3600 + 5), 3);
	assert_int_equal(sl_supply_index(&s, T0 + 4 * 3600), 0);    /* cyclic */
	assert_int_equal(sl_supply_index(&s, T0 - 1), 3);
	sl_supply_release(&s);
	assert_int_equal(sl_supply_ci_view(SL_CARBON_AVERAGE, SL_GREEN_LOCATION), SL_CI_LOCATION);
	assert_int_equal(sl_supply_ci_view(SL_CARBON_AVERAGE, SL_GREEN_MARKET), SL_CI_RESIDUAL);
	assert_int_equal(sl_supply_ci_view(SL_CARBON_MARGINAL, SL_GREEN_MARKET), SL_CI_MARGINAL);
	assert_int_equal(sl_supply_ci_view(SL_CARBON_MARGINAL, SL_GREEN_LOCATION), SL_CI_MARGINAL);
	assert_int_equal(sl_green_basis_parse("market"), SL_GREEN_MARKET);
	assert_int_equal(sl_green_basis_parse("location"), SL_GREEN_LOCATION);
	assert_int_equal(sl_green_basis_parse("Market"), -1);
	assert_string_equal(sl_green_basis_name(SL_GREEN_LOCATION), "location");
	assert_near(sl_supply_net_default(net, 0, 0), SL_NET_KWH_PER_GB_DEFAULT, 0);
	net->has_network_kwh_per_gb = 1;
	net->network_kwh_per_gb = 0.01;
	assert_near(sl_supply_net_default(net, 0, 0), 0.01, 0);
	assert_near(sl_supply_net_default(net, 1, 0.0), 0.0, 0);
	assert_near(SL_NET_KWH_PER_GB_DEFAULT, 0.06 / 32, 1e-15);
	sl_network_free(net);
}

/* v = [1, 2, 3] on 10 s steps. */
static void test_cum(void **st)
{
	(void)st;
	double v[3] = {1, 2, 3};
	sl_cum q;
	sl_cum_init(&q, v, 3, 10, 1000);
	assert_near(sl_cum_between(&q, 1005, 1025), 5 * 1 + 10 * 2 + 5 * 3, 1e-12);
	assert_near(sl_cum_between(&q, 1025, 1045), 5 * 3 + 10 * 1 + 5 * 2, 1e-12); /* wraps */
	assert_near(sl_cum_between(&q, 1000, 1090), 3 * 60, 1e-12);                 /* 3 cycles */
	assert_near(sl_cum_between(&q, 1000 + 30 * 100000 + 5, 1000 + 30 * 100000 + 25), 40, 1e-9);
	assert_near(sl_cum_between(&q, 995, 1005), 5 * 3 + 5 * 1, 1e-12);           /* before t0 */
	assert_near(sl_cum_between(&q, 1007, 1007), 0, 0);
	sl_cum_release(&q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_formulas),
		cmocka_unit_test(test_must_run_for_rate),
		cmocka_unit_test(test_supply_lines_and_zones),
		cmocka_unit_test(test_sites_surplus_and_claims),
		cmocka_unit_test(test_origin_ci_and_names),
		cmocka_unit_test(test_cum),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
