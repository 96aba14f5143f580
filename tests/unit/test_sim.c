/*
 * test_sim.c — the simulator on hand-computed cases: start and end times,
 * transfers, kills at the estimate, energy (kWh), carbon (g), cost (CNY),
 * green supply, the carbon-mode switch, waits and slowdown, and input
 * validation.
 *
 * The network of most cases (times from T0 = 2025-01-01T00:00Z, 1 h steps):
 *   site A: zone ZA (500 g/kWh, 0.5 CNY/kWh), 10 cores, core 10 W idle /
 *           30 W busy, PUE 1.5, no GPUs
 *   site B: zone ZB (100 g/kWh in hour 0, 300 in hour 1, 200 after;
 *           1.0 CNY/kWh), 4 cores (5/15 W), 2 GPUs (50/250 W), PUE 1.2
 *   origin O reaches A at 10 ms, 10 Gbit/s, 0.1 CNY/GB and B at 30 ms,
 *           1 Gbit/s, 0.2 CNY/GB.
 * Jobs (policy nearest):
 *   1: t=0,   4 cores,  est 3600, run 1800          -> A at 0, ends 1800
 *   2: t=600, 8 cores,  est 7200, run 3600          -> A (B too small), no
 *      room: waits for job 1, starts 1800, ends 5400
 *   3: t=900, 2 cores + 1 GPU, est 3600, run 4000, input 1.25 GB -> B only
 *      (A has no GPU); transfer = ceil(0.030 + 1.25e9*8/1e9) = 11 s, starts
 *      911, killed at its estimate: ends 4511.
 */
#include "testutil.h"

#include "simfix.h"
#include "sim/sim.h"

#define T0 FIX_T0
#define EPS 1e-9

static sl_network *two_sites(void)
{
	sl_network *net = fix_net_new(T0, 3600, 48);
	int za = fix_zone(net, "ZA", 500, 0.5);
	int zb = fix_zone(net, "ZB", 100, 1.0);
	double *ci = net->zones[zb].carbon_avg_g_per_kwh.v;
	ci[1] = 300;
	for (int i = 2; i < 48; i++)
		ci[i] = 200;
	fix_site(net, "A", za, "CN", 10, 0, 10, 30, 0, 0, 1.5);
	fix_site(net, "B", zb, "CN", 4, 2, 5, 15, 50, 250, 1.2);
	int o = fix_origin(net, "O", "CN");
	fix_route(net, o, 0, 10, 10, 0.1);
	fix_route(net, o, 1, 30, 1, 0.2);
	return net;
}

static void three_jobs(sl_trace *t)
{
	fix_job(t, 1, T0, 0, 4, 0, 3600, 1800);
	fix_job(t, 2, T0 + 600, 0, 8, 0, 7200, 3600);
	sl_job *j = fix_job(t, 3, T0 + 900, 0, 2, 1, 3600, 4000);
	j->input_bytes = 1250000000;
}

static sl_sim *run(const sl_network *net, const sl_trace *t, const char *policy, int carbon)
{
	sl_sim_opts o = {0};
	o.carbon = carbon;
	o.check = 1;
	sl_sim *sim = NULL;
	sl_err e = {0};
	int rc = sl_simulate(net, t, policy, &o, &sim, &e);
	if (rc)
		fprintf(stderr, "simulate: %s\n", e.msg);
	assert_int_equal(rc, 0);
	return sim;
}

static void test_times_and_transfer(void **st)
{
	(void)st;
	sl_network *net = two_sites();
	sl_trace t = {0};
	three_jobs(&t);
	sl_sim *sim = run(net, &t, "nearest", SL_CARBON_AVERAGE);
	const sl_sim_job *r = sl_sim_jobs(sim, NULL);
	assert_int_equal(r[0].site, 0);
	assert_int_equal(r[0].start, T0);
	assert_int_equal(r[0].end, T0 + 1800);
	assert_int_equal(r[0].status, SL_JOB_DONE);
	assert_int_equal(r[1].site, 0);
	assert_int_equal(r[1].start, T0 + 1800);
	assert_int_equal(r[1].end, T0 + 5400);
	assert_int_equal(r[2].site, 1);
	assert_int_equal(r[2].transfer_s, 11);
	assert_int_equal(r[2].start, T0 + 911);
	assert_int_equal(r[2].end, T0 + 4511);
	assert_int_equal(r[2].status, SL_JOB_KILLED);
	const sl_sim_summary *s = sl_sim_get_summary(sim);
	assert_int_equal(s->completed, 2);
	assert_int_equal(s->killed, 1);
	assert_int_equal(s->rejected, 0);
	assert_int_equal(s->t_begin, T0);
	assert_int_equal(s->t_end, T0 + 7200); /* last end 5400, rounded up to the hour */
	sl_sim_free(sim);
	fix_trace_free(&t);
	sl_network_free(net);
}

/* Job energy (facility, marginal):
 *   1: 4 x 20 W x 1.5 = 120 W x 1800 s = 216000 J = 0.06 kWh; 500 g/kWh ->
 *      30 g; 0.5 CNY/kWh -> 0.03 CNY
 *   2: 8 x 20 W x 1.5 = 240 W x 3600 s = 0.24 kWh -> 120 g, 0.12 CNY
 *   3: (2 x 10 W + 200 W) x 1.2 = 264 W x 3600 s = 0.264 kWh, 0.264 CNY;
 *      hour 0: 264 W x 2689 s = 0.1971933 kWh x 100 = 19.719333 g,
 *      hour 1: 264 W x 911 s  = 0.0668067 kWh x 300 = 20.042 g -> 39.761333 g */
static void test_job_energy(void **st)
{
	(void)st;
	sl_network *net = two_sites();
	sl_trace t = {0};
	three_jobs(&t);
	sl_sim *sim = run(net, &t, "nearest", SL_CARBON_AVERAGE);
	const sl_sim_job *r = sl_sim_jobs(sim, NULL);
	assert_near(r[0].energy_kwh, 0.06, EPS);
	assert_near(r[0].carbon_g, 30.0, 1e-7);
	assert_near(r[0].cost_cny, 0.03, EPS);
	assert_near(r[1].energy_kwh, 0.24, EPS);
	assert_near(r[1].carbon_g, 120.0, 1e-7);
	assert_near(r[1].cost_cny, 0.12, EPS);
	assert_near(r[2].energy_kwh, 0.264, EPS);
	assert_near(r[2].carbon_g, 264.0 * 2689 / 3.6e6 * 100 + 264.0 * 911 / 3.6e6 * 300, 1e-7);
	assert_near(r[2].carbon_g, 39.7613333333, 1e-6);
	assert_near(r[2].cost_cny, 0.264, EPS);
	sl_sim_free(sim);
	fix_trace_free(&t);
	sl_network_free(net);
}

/* Site totals over the window [T0, T0 + 2 h):
 *   A: idle 100 W IT x 1.5 = 150 W x 7200 s = 0.3 kWh; + jobs 0.30 ->
 *      facility 0.6 kWh, IT 0.2 + 0.04 + 0.16 = 0.4 kWh; 300 g; 0.3 CNY
 *   B: idle (4 x 5 + 2 x 50) = 120 W x 1.2 = 144 W -> 0.144 kWh per hour:
 *      14.4 g + 43.2 g = 57.6 g; + job 3 -> 0.552 kWh, 97.361333 g,
 *      0.552 CNY; IT 0.24 + 0.22 = 0.46 kWh */
static void test_site_energy(void **st)
{
	(void)st;
	sl_network *net = two_sites();
	sl_trace t = {0};
	three_jobs(&t);
	sl_sim *sim = run(net, &t, "nearest", SL_CARBON_AVERAGE);
	const sl_sim_summary *s = sl_sim_get_summary(sim);
	const sl_sim_site_sum *a = &s->sites[0], *b = &s->sites[1];
	assert_near(a->facility_kwh, 0.6, EPS);
	assert_near(a->it_kwh, 0.4, EPS);
	assert_near(a->carbon_g, 300.0, 1e-7);
	assert_near(a->cost_cny, 0.3, EPS);
	assert_near(a->idle_kwh, 0.3, EPS);
	assert_near(a->job_kwh, 0.3, EPS);
	assert_near(b->facility_kwh, 0.552, EPS);
	assert_near(b->it_kwh, 0.46, EPS);
	assert_near(b->carbon_g, 97.3613333333, 1e-6);
	assert_near(b->cost_cny, 0.552, EPS);
	assert_near(b->idle_carbon_g, 57.6, 1e-7);
	assert_near(s->facility_kwh, 1.152, EPS);
	assert_near(s->it_kwh, 0.86, EPS);
	assert_near(s->carbon_g, 397.3613333333, 1e-6);
	assert_near(s->cost_cny, 0.852, EPS);
	assert_near(s->job_kwh + s->idle_kwh, s->facility_kwh, EPS);
	assert_near(s->job_carbon_g + s->idle_carbon_g, s->carbon_g, 1e-7);
	/* utilisation: A 4x1800 + 8x3600 = 36000 core-s / (10 x 7200) */
	assert_near(a->util_cores, 0.5, EPS);
	assert_near(b->util_cores, 0.25, EPS);
	assert_near(b->util_gpus, 0.25, EPS);
	assert_near(a->green_share, 0.0, EPS);
	/* per-step rows: A hour 0 and B hour 1 */
	assert_int_equal(sl_sim_nbuckets(sim), 2);
	sl_sim_bucket bk;
	sl_sim_bucket_at(sim, 0, 0, &bk);
	assert_near(bk.busy_core_s, 4 * 1800 + 8 * 1800, EPS);
	assert_near(bk.it_j, 100.0 * 3600 + 80.0 * 1800 + 160.0 * 1800, 1e-6);
	assert_near(bk.facility_j, 1.5 * (100.0 * 3600 + 80.0 * 1800 + 160.0 * 1800), 1e-6);
	assert_near(bk.cost_cny, 0.5 * bk.facility_j / 3.6e6, 1e-12);
	sl_sim_bucket_at(sim, 1, 1, &bk); /* B, hour 1 */
	assert_near(bk.carbon_g, 43.2 + 264.0 * 911 / 3.6e6 * 300, 1e-7);
	assert_near(bk.busy_gpu_s, 911, EPS);
	sl_sim_free(sim);
	fix_trace_free(&t);
	sl_network_free(net);
}

/* Data, waits and slowdown: waits (start - submit, transfer included) 0,
 * 1200, 11 s; nearest-rank p50 = the 2nd smallest = 11, p95 = p99 = 1200;
 * bounded slowdown (1 + 4800/3600 + 3611/3600) / 3; transfer 1.25 GB x
 * 0.2 CNY/GB = 0.25 CNY. */
static void test_waits_and_data(void **st)
{
	(void)st;
	sl_network *net = two_sites();
	sl_trace t = {0};
	three_jobs(&t);
	sl_sim *sim = run(net, &t, "nearest", SL_CARBON_AVERAGE);
	const sl_sim_summary *s = sl_sim_get_summary(sim);
	assert_near(s->wait_mean_s, (0 + 1200 + 11) / 3.0, EPS);
	assert_near(s->wait_p50_s, 11, EPS);
	assert_near(s->wait_p95_s, 1200, EPS);
	assert_near(s->wait_p99_s, 1200, EPS);
	assert_near(s->bsld_mean, (1.0 + 4800.0 / 3600 + 3611.0 / 3600) / 3, 1e-12);
	assert_near(s->data_bytes, 1.25e9, EPS);
	assert_near(s->transfer_cny, 0.25, EPS);
	assert_int_equal(s->residency_breaches, 0);
	assert_int_equal(s->latency_violations, 0);
	sl_sim_free(sim);
	fix_trace_free(&t);
	sl_network_free(net);
}

/* Green supply first: A gets 200 W of green.  Facility power at A:
 *   [0, 1800)     idle 150 + job 1 120 = 270 W -> grid 70 W
 *   [1800, 5400)  idle 150 + job 2 240 = 390 W -> grid 190 W
 *   [5400, 7200)  idle 150 W               -> grid 0
 * grid energy = 70x1800 + 190x3600 = 810000 J = 0.225 kWh -> 112.5 g.
 * Jobs carry their share: job 1 216000 J x 70/270 -> 7.777778 g; job 2
 * 864000 J x 190/390 -> 58.461538 g.  Green: 200x5400 + 150x1800 J =
 * 0.375 kWh of 0.6 -> share 0.625. */
static void test_green_first(void **st)
{
	(void)st;
	sl_network *net = two_sites();
	fix_green(net, 0, 200e-6);
	sl_trace t = {0};
	three_jobs(&t);
	sl_sim *sim = run(net, &t, "nearest", SL_CARBON_AVERAGE);
	const sl_sim_job *r = sl_sim_jobs(sim, NULL);
	const sl_sim_summary *s = sl_sim_get_summary(sim);
	assert_near(s->sites[0].carbon_g, 112.5, 1e-7);
	assert_near(r[0].carbon_g, 216000.0 * 70 / 270 / 3.6e6 * 500, 1e-7);
	assert_near(r[0].carbon_g, 7.7777777778, 1e-7);
	assert_near(r[1].carbon_g, 58.4615384615, 1e-7);
	assert_near(r[0].energy_kwh, 0.06, EPS); /* energy is unchanged by supply */
	assert_near(s->sites[0].green_kwh, 0.375, EPS);
	assert_near(s->sites[0].green_share, 0.625, EPS);
	assert_near(s->sites[0].job_carbon_g + s->sites[0].idle_carbon_g, 112.5, 1e-7);
	sl_sim_free(sim);
	fix_trace_free(&t);
	sl_network_free(net);
}

/* The accounting switch changes carbon and only carbon: ZA's marginal
 * unit at 800 g/kWh -> job 1 0.06 kWh x 800 = 48 g, site A 0.6 x 800 =
 * 480 g; B has no marginal series and keeps its average. */
static void test_marginal_switch(void **st)
{
	(void)st;
	sl_network *net = two_sites();
	sl_zone *za = &net->zones[0];
	za->has_carbon_marginal = 1;
	for (int i = 0; i < za->carbon_marginal_g_per_kwh.n; i++)
		za->carbon_marginal_g_per_kwh.v[i] = 800;
	sl_trace t = {0};
	three_jobs(&t);
	sl_sim *avg = run(net, &t, "nearest", SL_CARBON_AVERAGE);
	sl_sim *mar = run(net, &t, "nearest", SL_CARBON_MARGINAL);
	const sl_sim_summary *sa = sl_sim_get_summary(avg), *sm = sl_sim_get_summary(mar);
	assert_near(sl_sim_jobs(mar, NULL)[0].carbon_g, 48.0, 1e-7);
	assert_near(sm->sites[0].carbon_g, 480.0, 1e-7);
	assert_near(sm->sites[1].carbon_g, sa->sites[1].carbon_g, 1e-9);
	assert_near(sm->facility_kwh, sa->facility_kwh, 1e-12);
	assert_near(sm->cost_cny, sa->cost_cny, 1e-12);
	assert_int_equal(sm->carbon, SL_CARBON_MARGINAL);
	sl_sim_free(avg);
	sl_sim_free(mar);
	fix_trace_free(&t);
	sl_network_free(net);
}

/* Two policies closed over one window: the earlier-finishing run keeps
 * counting idle power to the common end. */
static void test_common_window(void **st)
{
	(void)st;
	sl_network *net = two_sites();
	sl_trace t = {0};
	three_jobs(&t);
	sl_sim_opts o = {0};
	sl_sim *sim = NULL;
	assert_int_equal(sl_sim_new(net, &t, "nearest", &o, &sim, NULL), 0);
	assert_int_equal(sl_sim_run(sim, NULL), 0);
	assert_int_equal(sl_sim_last_end(sim), T0 + 5400);
	assert_int_equal(sl_sim_window_end(sim), T0 + 7200);
	assert_int_equal(sl_sim_close(sim, T0 + 3 * 3600 + 1, NULL), 0); /* rounds up to 4 h */
	const sl_sim_summary *s = sl_sim_get_summary(sim);
	assert_int_equal(s->t_end, T0 + 4 * 3600);
	assert_near(s->sites[0].idle_kwh, 0.15 * 4, EPS);
	assert_near(s->sites[0].facility_kwh, 0.6 + 0.3, EPS);
	assert_int_equal(sl_sim_close(sim, 0, NULL), SL_ESTATE);
	sl_sim_free(sim);
	fix_trace_free(&t);
	sl_network_free(net);
}

static void test_rejected_job(void **st)
{
	(void)st;
	sl_network *net = two_sites();
	sl_trace t = {0};
	fix_job(&t, 1, T0, 0, 64, 0, 60, 60); /* no site has 64 cores */
	fix_job(&t, 2, T0 + 5, 0, 1, 0, 60, 60);
	sl_sim *sim = run(net, &t, "greenest", SL_CARBON_AVERAGE);
	const sl_sim_job *r = sl_sim_jobs(sim, NULL);
	assert_int_equal(r[0].status, SL_JOB_REJECTED);
	assert_int_equal(r[0].reason, SL_REJECT_TOO_BIG);
	assert_int_equal(r[0].site, -1);
	assert_int_equal(r[1].status, SL_JOB_DONE);
	assert_int_equal(r[1].site, 1); /* ZB: 100 g/kWh < 500 */
	const sl_sim_summary *s = sl_sim_get_summary(sim);
	assert_int_equal(s->rejected, 1);
	assert_int_equal(s->rejected_by[SL_REJECT_TOO_BIG], 1);
	sl_sim_free(sim);
	fix_trace_free(&t);
	sl_network_free(net);
}

static void expect_bad(sl_trace *t, const char *origin, const char *msg_part)
{
	sl_network *net = two_sites();
	sl_sim *sim = NULL;
	sl_err e = {0};
	assert_int_equal(sl_sim_new(net, t, "nearest", NULL, &sim, &e), 0);
	assert_int_equal(sl_sim_run(sim, &e), SL_EINVAL);
	sl_sim_free(sim);
	assert_string_equal(e.origin, origin);
	assert_non_null(strstr(e.msg, msg_part));
	sl_network_free(net);
	fix_trace_free(t);
}

static void test_bad_jobs(void **st)
{
	(void)st;
	sl_trace t = {0};
	fix_job(&t, 1, T0, 0, 1, 0, 60, 60);
	fix_job(&t, 7, T0, 0, 1, 0, 0, 60);
	expect_bad(&t, "job 7 (row 2)", "est_s");
	fix_job(&t, 1, T0 + 10, 0, 1, 0, 60, 60);
	fix_job(&t, 2, T0, 0, 1, 0, 60, 60);
	expect_bad(&t, "job 2 (row 2)", "sorted");
	fix_job(&t, 3, T0, 5, 1, 0, 60, 60);
	expect_bad(&t, "job 3 (row 1)", "origin");
	fix_job(&t, 4, T0, 0, 0, 0, 60, 60);
	expect_bad(&t, "job 4 (row 1)", "cores");
	fix_job(&t, 5, T0, 0, 1, 0, 60, 60)->tag = 3;
	expect_bad(&t, "job 5 (row 1)", "tag");
	/* unknown policy */
	sl_network *net = two_sites();
	sl_sim *sim = NULL;
	sl_err e = {0};
	assert_int_equal(sl_sim_new(net, &t, "bogus", NULL, &sim, &e), SL_ENOTFOUND);
	assert_non_null(strstr(e.msg, "bogus"));
	sl_network_free(net);
}

/* An empty trace runs and reports zeros. */
static void test_empty_trace(void **st)
{
	(void)st;
	sl_network *net = two_sites();
	sl_trace t = {0};
	sl_sim *sim = run(net, &t, "nearest", SL_CARBON_AVERAGE);
	const sl_sim_summary *s = sl_sim_get_summary(sim);
	assert_int_equal(s->jobs, 0);
	assert_near(s->facility_kwh, 0, EPS);
	sl_sim_free(sim);
	sl_network_free(net);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_times_and_transfer),
		cmocka_unit_test(test_job_energy),
		cmocka_unit_test(test_site_energy),
		cmocka_unit_test(test_waits_and_data),
		cmocka_unit_test(test_green_first),
		cmocka_unit_test(test_marginal_switch),
		cmocka_unit_test(test_common_window),
		cmocka_unit_test(test_rejected_job),
		cmocka_unit_test(test_bad_jobs),
		cmocka_unit_test(test_empty_trace),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
