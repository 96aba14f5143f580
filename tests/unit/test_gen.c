/*
 * test_gen.c — the workload generator: determinism, shares, the diurnal and
 * weekly shape in each origin's local time, sizes on their grids,
 * estimates and deadlines, offered-load accuracy, latency classes only
 * where an origin has a site within budget, bad options.
 */
#include "testutil.h"

#include "core/time.h"
#include "io/trace.h"
#include "test_trace_net.h"

static char *to_csv(const sl_network *net, const sl_trace *t, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	sl_err e = {0};
	assert_int_equal(sl_trace_write_csv(f, net, t, &e), 0);
	fclose(f);
	return buf;
}

static void gen(const sl_network *net, uint64_t seed, double days, double load, sl_trace *t)
{
	sl_gen_opts o = {.seed = seed, .days = days, .load = load};
	sl_err e = {0};
	int rc = sl_workload_gen(net, &o, t, &e);
	if (rc)
		print_error("gen: %s\n", e.msg);
	assert_int_equal(rc, 0);
}

static void test_deterministic(void **st)
{
	(void)st;
	sl_network *net = tn_new();
	sl_trace a = {0}, b = {0}, c = {0};
	gen(net, 42, 5, 0.7, &a);
	gen(net, 42, 5, 0.7, &b);
	gen(net, 43, 5, 0.7, &c);
	size_t na, nb, nc;
	char *sa = to_csv(net, &a, &na), *sb = to_csv(net, &b, &nb), *sc = to_csv(net, &c, &nc);
	assert_int_equal(na, nb);
	assert_memory_equal(sa, sb, na);
	assert_true(nc != na || memcmp(sa, sc, na) != 0);
	free(sa);
	free(sb);
	free(sc);
	sl_trace_release(&a);
	sl_trace_release(&b);
	sl_trace_release(&c);
	sl_network_free(net);
}

/* ids 1..n, sorted by submit, all inside [start, end), valid rows. */
static void test_order_and_span(void **st)
{
	(void)st;
	sl_network *net = tn_new();
	sl_trace t = {0};
	sl_gen_opts o = {.seed = 3, .days = 2.5, .load = 0.7, .start = TN_T0 + 86400 * 10 + 1234};
	sl_err e = {0};
	assert_int_equal(sl_workload_gen(net, &o, &t, &e), 0);
	assert_true(t.n > 100);
	int64_t end = o.start + (int64_t)(2.5 * 86400);
	for (size_t i = 0; i < t.n; i++) {
		assert_int_equal(t.jobs[i].id, (int64_t)i + 1);
		assert_true(t.jobs[i].submit >= o.start && t.jobs[i].submit < end);
		if (i)
			assert_true(t.jobs[i].submit >= t.jobs[i - 1].submit);
	}
	assert_non_null(strstr(t.comment, "seed 3"));
	sl_trace_release(&t);
	sl_network_free(net);
}

static void test_shares(void **st)
{
	(void)st;
	sl_network *net = tn_new();
	sl_trace t = {0};
	gen(net, 7, 30, 0.7, &t);
	assert_true(t.n > 30000);
	double norigin[3] = {0}, ncls[3][3] = {{0}}, ntag[3][3] = {{0}};
	for (size_t i = 0; i < t.n; i++) {
		const sl_job *j = &t.jobs[i];
		norigin[j->origin]++;
		ncls[j->origin][j->cls]++;
		ntag[j->origin][j->tag + 1]++;
	}
	for (int o = 0; o < 3; o++)
		assert_near(norigin[o] / (double)t.n, net->origins[o].share, 0.01);
	/* CQ and SG reach a site within inference's 50 ms: the scenario's mix */
	for (int o = 0; o < 2; o++)
		for (int c = 0; c < 3; c++)
			assert_near(ncls[o][c] / norigin[o], net->classes[c].share, 0.015);
	/* FRA (160-200 ms) cannot run inference: batch and training renormalise */
	assert_int_equal(ncls[2][0], 0);
	assert_near(ncls[2][1] / norigin[2], 0.35 / 0.50, 0.03);
	assert_near(ncls[2][2] / norigin[2], 0.15 / 0.50, 0.03);
	assert_near(ntag[0][1] / norigin[0], 0.30, 0.015); /* CQ: 30 % CN_PI */
	assert_int_equal(ntag[0][2], 0);
	assert_near(ntag[1][2] / norigin[1], 0.40, 0.015); /* SG: 40 % SG_PD */
	assert_int_equal(ntag[1][1], 0);
	assert_int_equal(ntag[2][1] + ntag[2][2], 0);     /* FRA: untagged */
	sl_trace_release(&t);
	sl_network_free(net);
}

/* More arrivals at 14:00 than at 04:00 local time, in each origin's own
 * zone (FRA is 7 hours behind the others), and fewer on weekends. */
static void test_diurnal_weekly(void **st)
{
	(void)st;
	sl_network *net = tn_new();
	sl_trace t = {0};
	gen(net, 9, 28, 0.7, &t); /* exactly four weeks */
	double hour[3][24] = {{0}}, weekday = 0, weekend = 0;
	for (size_t i = 0; i < t.n; i++) {
		sl_civil c;
		const sl_job *j = &t.jobs[i];
		sl_time_to_civil(j->submit, net->origins[j->origin].utc_offset_s, &c);
		hour[j->origin][c.hour]++;
		if (j->origin == 0)
			*(c.wday >= 5 ? &weekend : &weekday) += 1;
	}
	for (int o = 0; o < 3; o++) {
		assert_true(hour[o][14] > 3 * hour[o][4]);
		assert_true(hour[o][11] > 2 * hour[o][2]);
	}
	/* FRA's 14:00 is 21:00 in Chongqing: FRA's own peak, not CQ's */
	assert_true(hour[2][14] > 1.5 * hour[2][21]);
	/* per day: weekends about half a weekday (profile 0.52 vs 0.96) */
	double ratio = (weekend / 8) / (weekday / 20);
	assert_true(ratio > 0.4 && ratio < 0.7);
	sl_trace_release(&t);
	sl_network_free(net);
}

static int on_core_grid(int32_t c) { return c == 1 || c == 2 || c % 4 == 0; }
static int on_gpu_grid(int32_t g) { return g == 1 || g == 2 || g == 4 || g % 8 == 0; }
static int on_est_grid(int32_t e) { return e < 3600 ? e % 300 == 0 : e % 3600 == 0; }

static void test_sizes_estimates_deadlines(void **st)
{
	(void)st;
	sl_network *net = tn_new();
	sl_trace t = {0};
	gen(net, 21, 20, 0.7, &t);
	size_t killable = 0, killed = 0, over = 0;
	double ratio_sum = 0;
	for (size_t i = 0; i < t.n; i++) {
		const sl_job *j = &t.jobs[i];
		const sl_job_class *k = &net->classes[j->cls];
		assert_true(j->cores >= k->cores.lo && j->cores <= k->cores.hi);
		assert_true(j->gpus >= k->gpus.lo && j->gpus <= k->gpus.hi);
		assert_true(j->cores + j->gpus > 0);
		assert_true(on_core_grid(j->cores) || j->cores == 0);
		assert_true(on_gpu_grid(j->gpus) || j->gpus == 0);
		assert_true(j->run_s >= k->runtime_s.lo && j->run_s <= k->runtime_s.hi);
		assert_true(j->est_s >= 300);
		assert_true(on_est_grid(j->est_s));
		assert_true(j->latency_budget_ms == (float)k->latency_budget_ms);
		if (k->deadline_s.hi > 0) {
			assert_true(j->deadline_s >= j->est_s);
			assert_true(j->deadline_s % 60 == 0);
		} else {
			assert_int_equal(j->deadline_s, 0);
		}
		assert_true(j->input_bytes >= k->input_bytes.lo && j->input_bytes <= k->input_bytes.hi);
		if (j->run_s > 300) {
			killable++;
			killed += j->run_s > j->est_s;
			if (j->run_s <= j->est_s) {
				over++;
				ratio_sum += (double)j->run_s / j->est_s;
			}
		}
	}
	double kill_frac = (double)killed / (double)killable;
	assert_true(kill_frac > 0.06 && kill_frac < 0.10); /* KILL_FRAC = 0.08 */
	double accuracy = ratio_sum / (double)over;        /* mean run/est of the rest */
	assert_true(accuracy > 0.3 && accuracy < 0.5);
	sl_trace_release(&t);
	sl_network_free(net);
}

/* A deadline leaves room for the input to reach the slowest site. */
static void test_deadline_covers_transfer(void **st)
{
	(void)st;
	sl_network *net = tn_new();
	/* batch only, with huge inputs from a slow origin */
	net->classes[0].share = 0;
	net->classes[2].share = 0;
	net->classes[1].share = 1;
	net->classes[1].input_bytes = (sl_range){1e12, 1e12}; /* 1 TB: 8000 s at 1 Gbit/s */
	net->classes[1].deadline_s = (sl_range){600, 600};
	sl_trace t = {0};
	gen(net, 1, 1, 0.2, &t);
	for (size_t i = 0; i < t.n; i++) {
		const sl_job *j = &t.jobs[i];
		double worst = j->origin == 2 ? 0.2 + 8000 : j->origin == 1 ? 0.09 + 4000 : 0.06 + 1600;
		assert_true((double)j->deadline_s >= j->est_s + worst);
		assert_true((double)j->deadline_s < j->est_s + worst + 60);
	}
	sl_trace_release(&t);
	sl_network_free(net);
}

static void check_load(sl_network *net, double days, double load, int want_gpu_binding)
{
	sl_trace t = {0};
	sl_offered off;
	gen(net, 99, days, load, &t);
	sl_trace_offered(net, &t, (int64_t)(days * 86400), &off);
	assert_near(off.util, load, 0.02 * load);
	assert_true(off.util >= load); /* stops at the first job reaching it */
	if (want_gpu_binding)
		assert_true(off.util_gpu >= off.util_cpu);
	else
		assert_true(off.util_cpu >= off.util_gpu);
	sl_trace_release(&t);
}

static void test_offered_load(void **st)
{
	(void)st;
	sl_network *net = tn_new();
	check_load(net, 14, 0.3, 1);
	check_load(net, 14, 0.7, 1);
	check_load(net, 7, 1.3, 1);
	/* CPU-bound when training is rare */
	net->classes[2].share = 0.01;
	net->classes[0].share = 0.64;
	check_load(net, 14, 0.7, 0);
	sl_network_free(net);
}

/* A job count instead of days: exactly n jobs, the span follows the load. */
static void test_job_count(void **st)
{
	(void)st;
	sl_network *net = tn_new();
	sl_trace t = {0};
	sl_err e = {0};
	sl_gen_opts o = {.seed = 4, .jobs = 20000, .load = 0.7};
	assert_int_equal(sl_workload_gen(net, &o, &t, &e), 0);
	assert_int_equal(t.n, 20000);
	assert_int_equal(t.jobs[t.n - 1].id, 20000);
	const char *d = strstr(t.comment, "days ");
	assert_non_null(d);
	double days = strtod(d + 5, NULL);
	assert_true(days > 1 && days < 60);
	assert_true(t.jobs[t.n - 1].submit < TN_T0 + (int64_t)(days * 86400) + 1);
	sl_offered off;
	sl_trace_offered(net, &t, (int64_t)ceil(days * 86400), &off);
	assert_near(off.util, 0.7, 0.001);
	sl_trace_release(&t);
	o.days = 3;
	assert_int_equal(sl_workload_gen(net, &o, &t, &e), SL_EINVAL);
	assert_non_null(strstr(e.msg, "not both"));
	o.days = 0;
	o.max_jobs = 100;
	assert_int_equal(sl_workload_gen(net, &o, &t, &e), SL_ERANGE);
	sl_network_free(net);
}

/* A latency class is drawn only for an origin with a site within its
 * budget; an origin that can run no class submits nothing; the offered
 * load stays exact. */
static void test_latency_feasible(void **st)
{
	(void)st;
	sl_network *net = tn_new();
	sl_trace t = {0};
	sl_err e = {0};
	for (int o = 0; o < 3; o++)
		for (int k = 0; k < 3; k++)
			assert_int_equal(sl_trace_origin_can_run(net, o, k), !(o == 2 && k == 0));
	gen(net, 11, 10, 0.7, &t);
	size_t fra = 0;
	for (size_t i = 0; i < t.n; i++) {
		const sl_job *j = &t.jobs[i];
		const sl_origin *o = &net->origins[j->origin];
		double best = 1e9;
		for (int r = 0; r < o->nroutes; r++)
			best = o->routes[r].rtt_ms < best ? o->routes[r].rtt_ms : best;
		if (j->latency_budget_ms > 0)
			assert_true(best <= j->latency_budget_ms);
		fra += j->origin == 2;
	}
	assert_true(fra > 100);
	sl_offered off;
	sl_trace_offered(net, &t, 10 * 86400, &off);
	assert_near(off.util, 0.7, 0.014);
	sl_trace_release(&t);
	/* only inference left: FRA submits nothing, the others all of it */
	net->classes[1].share = net->classes[2].share = 0;
	gen(net, 12, 1, 0.0005, &t);
	assert_true(t.n > 100);
	for (size_t i = 0; i < t.n; i++)
		assert_true(t.jobs[i].origin != 2 && t.jobs[i].cls == 0);
	sl_trace_release(&t);
	/* a budget no origin meets: nothing can be drawn */
	net->classes[0].latency_budget_ms = 1;
	sl_gen_opts o = {.seed = 1, .days = 1, .load = 0.5};
	assert_int_equal(sl_workload_gen(net, &o, &t, &e), SL_EINVAL);
	assert_non_null(strstr(e.msg, "latency budget"));
	assert_null(t.jobs);
	/* a site too small for the class does not count as within budget */
	net->classes[0].latency_budget_ms = 50;
	net->classes[0].gpus = (sl_range){1, 8};
	net->sites[0].gpus = net->sites[1].gpus = 0; /* CQ's near site has no GPUs now */
	assert_int_equal(sl_trace_origin_can_run(net, 0, 0), 0);
	assert_int_equal(sl_trace_origin_can_run(net, 1, 0), 1); /* SG-DC has 400 */
	sl_network_free(net);
}

static void test_bad_options(void **st)
{
	(void)st;
	sl_network *net = tn_new();
	sl_trace t = {0};
	sl_err e = {0};
	sl_gen_opts o = {.seed = 1, .days = 1, .load = 0.7};
	o.load = 0;
	assert_int_equal(sl_workload_gen(net, &o, &t, &e), SL_EINVAL);
	assert_non_null(strstr(e.msg, "load"));
	o.load = 2.5;
	assert_int_equal(sl_workload_gen(net, &o, &t, &e), SL_EINVAL);
	o.load = 0.7;
	o.days = 0;
	assert_int_equal(sl_workload_gen(net, &o, &t, &e), SL_EINVAL);
	assert_non_null(strstr(e.msg, "days"));
	o.days = NAN;
	assert_int_equal(sl_workload_gen(net, &o, &t, &e), SL_EINVAL);
	o.days = 1;
	o.max_jobs = 10;
	assert_int_equal(sl_workload_gen(net, &o, &t, &e), SL_ERANGE);
	assert_non_null(strstr(e.msg, "more than 10 jobs"));
	o.max_jobs = 0;
	for (int s = 0; s < net->nsites; s++)
		net->sites[s].gpus = 0;
	assert_int_equal(sl_workload_gen(net, &o, &t, &e), SL_EINVAL);
	assert_string_equal(e.origin, "training");
	assert_non_null(strstr(e.msg, "GPUs"));
	net->classes[2].share = 0; /* no GPU class drawn: fine again */
	assert_int_equal(sl_workload_gen(net, &o, &t, &e), 0);
	sl_trace_release(&t);
	net->classes[1].runtime_s = (sl_range){600, 60};
	assert_int_equal(sl_workload_gen(net, &o, &t, &e), SL_EINVAL);
	assert_string_equal(e.origin, "batch");
	net->nclasses = 0;
	assert_int_equal(sl_workload_gen(net, &o, &t, &e), SL_EINVAL);
	assert_non_null(strstr(e.msg, "job_classes"));
	assert_null(t.jobs);
	sl_network_free(net);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_order_and_span),
		cmocka_unit_test(test_shares),
		cmocka_unit_test(test_diurnal_weekly),
		cmocka_unit_test(test_sizes_estimates_deadlines),
		cmocka_unit_test(test_deadline_covers_transfer),
		cmocka_unit_test(test_offered_load),
		cmocka_unit_test(test_job_count),
		cmocka_unit_test(test_latency_feasible),
		cmocka_unit_test(test_bad_options),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
