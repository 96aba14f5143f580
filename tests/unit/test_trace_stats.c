/*
 * test_trace_stats.c — describing a log: counts, span, the arrival profile
 * in local time (daylight saving included), distributions and their bins,
 * estimate accuracy (reproducing the table in docs/trace-format.md for the
 * shipped logs), GPU fractions, the load on the log's own machine and on a
 * network, and the text and JSON outputs.
 */
#include "testutil.h"

#include <jansson.h>
#include <unistd.h>

#include "io/alibaba.h"
#include "io/swf.h"
#include "io/trace_map.h"
#include "io/trace_stats.h"
#include "test_trace_net.h"

#define TRACES "data/traces/"

static void stats_of(const char *file, sl_srclog *log, sl_trace_stats *s)
{
	sl_err e = {0};
	assert_int_equal(sl_srclog_load(file, NULL, log, &e), 0);
	assert_int_equal(sl_trace_stats_compute(log, s), 0);
}

/* The estimate table of docs/trace-format.md, "Runtime estimates". */
static void test_estimate_table(void **st)
{
	(void)st;
	static const struct {
		const char *file;
		size_t jobs, with_est;
		double reached, ratio, mean;
	} rows[] = {
		{TRACES "CTC-SP2-1996-3.1-cln.swf.gz", 77222, 77199, 0.096, 3.70, 0.41},
		{TRACES "KTH-SP2-1996-2.1-cln.swf.gz", 28476, 28468, 0.131, 2.42, 0.48},
		{TRACES "HPC2N-2002-2.2-cln.swf.gz", 202871, 202871, 0.090, 2.11, 0.50},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		sl_srclog log = {0};
		sl_trace_stats s;
		stats_of(rows[i].file, &log, &s);
		assert_int_equal(s.jobs, rows[i].jobs);
		assert_int_equal(s.est_jobs, rows[i].with_est);
		assert_near(s.est_reached, rows[i].reached, 0.0005);
		assert_near(s.est_ratio_p50, rows[i].ratio, 0.005);
		assert_near(s.est_accuracy_mean, rows[i].mean, 0.005);
		size_t h = 0, d = 0;
		for (int k = 0; k < 24; k++)
			h += s.by_hour[k];
		for (int k = 0; k < 7; k++)
			d += s.by_wday[k];
		assert_int_equal(h, s.jobs);
		assert_int_equal(d, s.jobs);
		/* working hours are busier than the small hours, weekdays than Sundays */
		assert_true(s.by_hour[14] > 3 * s.by_hour[4]);
		assert_true(s.by_wday[2] > s.by_wday[6]);
		sl_srclog_release(&log);
	}
	sl_srclog log = {0};
	sl_trace_stats s;
	stats_of(TRACES "NASA-iPSC-1993-3.1-cln.swf.gz", &log, &s);
	assert_int_equal(s.est_jobs, 0); /* no requested times in that log */
	assert_int_equal(s.est_s.n, 0);
	sl_srclog_release(&log);
}

static void test_small_log(void **st)
{
	(void)st;
	/* Stockholm: job 1 in winter (UTC+1), job 2 in summer (UTC+2), both at
	 * 12:00 UTC; 100 processors */
	const char *text = "; UnixStartTime: 1041422400\n; TimeZoneString: Europe/Stockholm\n; MaxProcs: 100\n"
	                   "1 0 10 3600 10 -1 -1 10 7200 -1 1 1 1 -1 -1 -1 -1 -1\n"           /* Wed 2003-01-01 */
	                   "2 15552000 20 7200 50 -1 -1 50 7200 -1 0 2 1 -1 -1 -1 -1 -1\n"    /* Mon 2003-06-30 */
	                   "3 15552060 -1 0 -1 -1 -1 4 600 -1 5 2 1 -1 -1 -1 -1 -1\n";
	sl_srclog log = {0};
	sl_trace_stats s;
	sl_err e = {0};
	assert_int_equal(sl_swf_parse(text, strlen(text), "s.swf", NULL, &log, &e), 0);
	sl_trace_stats_compute(&log, &s);
	assert_int_equal(s.jobs, 3);
	assert_int_equal(s.by_hour[13], 1); /* 12:00 UTC = 13:00 CET */
	assert_int_equal(s.by_hour[14], 2); /* = 14:00 CEST */
	assert_int_equal(s.by_wday[2], 1);
	assert_int_equal(s.by_wday[0], 2);
	assert_int_equal(s.by_status[SL_LOGJ_DONE + 1], 1);
	assert_int_equal(s.by_status[SL_LOGJ_FAILED + 1], 1);
	assert_int_equal(s.by_status[SL_LOGJ_CANCELLED + 1], 1);
	assert_int_equal(s.users, 2);
	assert_near(s.span_days, 15552060.0 / 86400, 1e-9);
	assert_int_equal(s.first_offset_s, 3600);
	assert_int_equal(s.last_offset_s, 7200);
	assert_int_equal(s.size.n, 3);
	assert_near(s.size.min, 4, 0);
	assert_near(s.size.p50, 10, 0);
	assert_near(s.size.max, 50, 0);
	assert_int_equal(s.size.bin[2], 1); /* 3-4: the 4 */
	assert_int_equal(s.size.bin[3], 0); /* 5-8: none */
	assert_int_equal(s.size.bin[4], 1); /* 9-32: the 10 */
	assert_int_equal(s.size.bin[5], 1); /* 33-128: the 50 */
	assert_int_equal(s.run_s.n, 3);
	assert_int_equal(s.run_s.bin[0], 1); /* 0 s */
	assert_int_equal(s.run_s.bin[3], 2); /* 1-4 h: 3600 and 7200 */
	assert_int_equal(s.wait_s.n, 2);
	/* estimates: two jobs ran, one reached its limit */
	assert_int_equal(s.est_jobs, 2);
	assert_near(s.est_reached, 0.5, 1e-12);
	assert_near(s.est_accuracy_mean, 0.75, 1e-12);
	assert_near(s.est_over, 0, 0);
	/* own machine: (3600 x 10 + 7200 x 50) / (100 x span) */
	assert_near(s.util_own_cpu, (3600.0 * 10 + 7200.0 * 50) / (100.0 * 15552060), 1e-12);
	sl_srclog_release(&log);
}

static void test_alibaba(void **st)
{
	(void)st;
	sl_srclog log = {0};
	sl_trace_stats s;
	stats_of(TRACES "openb_pod_list_default.csv", &log, &s);
	assert_int_equal(s.jobs, 8152);
	assert_int_equal(s.by_qos[SL_QOS_LS], 4647);
	assert_int_equal(s.by_status[SL_LOGJ_PENDING + 1], 897);
	assert_int_equal(s.gpu_jobs, 7064);
	assert_int_equal(s.frac_gpu_jobs, 3078);
	assert_near(s.gpu_exact, 6086.8, 1e-6);
	assert_near(s.gpu_whole, 7433, 0);
	assert_int_equal(s.machine_gpus, 6212);
	assert_true(s.util_own_gpu > 0 && s.util_own_gpu < 0.05);
	assert_int_equal(s.est_jobs, 0);
	assert_int_equal(s.size_is_procs, 0);
	sl_srclog_release(&log);
}

static char *print_mem(const sl_trace_stats *s, int json)
{
	char *buf = NULL;
	size_t n = 0;
	sl_err e = {0};
	FILE *f = open_memstream(&buf, &n);
	assert_int_equal(json ? sl_trace_stats_write_json(f, s, &e) : sl_trace_stats_print(f, s, &e), 0);
	fclose(f);
	return buf;
}

/* Against a network, and both outputs. */
static void test_offered_and_outputs(void **st)
{
	(void)st;
	sl_network *net = tn_new();
	sl_srclog log = {0};
	sl_trace_stats s;
	sl_trace t = {0};
	sl_err e = {0};
	stats_of(TRACES "KTH-SP2-1996-2.1-cln.swf.gz", &log, &s);
	sl_map_opts o;
	sl_map_opts_init(&o);
	o.scale_auto = 1;
	assert_int_equal(sl_trace_map(&log, net, &o, &t, &e), 0);
	sl_trace_stats_offered(&s, net, &t);
	sl_offered off;
	sl_trace_offered(net, &t, t.jobs[t.n - 1].submit - t.jobs[0].submit, &off);
	assert_near(s.offered.util_gpu, off.util_gpu, 1e-12);
	assert_true(s.offered.util > 0.1);
	assert_int_equal(s.net_cores, 64000);
	char *text = print_mem(&s, 0);
	assert_non_null(strstr(text, "KTH-SP2-1996-2.1-cln.swf.gz: Standard Workload Format"));
	assert_non_null(strstr(text, "jobs: 28476 (7946 failed, 20530 completed)"));
	assert_non_null(strstr(text, "local time: Europe/Stockholm, UTC+01:00, EU daylight saving"));
	assert_non_null(strstr(text, "estimate accuracy (28468 jobs"));
	assert_non_null(strstr(text, "of 100 processors"));
	assert_non_null(strstr(text, "offered utilisation of scenario \"testnet\""));
	char *js = print_mem(&s, 1);
	json_error_t jerr;
	json_t *root = json_loads(js, 0, &jerr);
	assert_non_null(root);
	assert_string_equal(json_string_value(json_object_get(root, "format")), "swf");
	assert_int_equal(json_integer_value(json_object_get(root, "jobs")), 28476);
	assert_int_equal(json_array_size(json_object_get(root, "arrivals_by_hour")), 24);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(root, "status"), "failed")), 7946);
	json_t *est = json_object_get(root, "estimates");
	assert_near(json_real_value(json_object_get(est, "reached_limit")), s.est_reached, 1e-9);
	json_t *offered = json_object_get(root, "offered");
	assert_near(json_real_value(json_object_get(offered, "util_gpu")), off.util_gpu, 1e-9);
	assert_non_null(json_object_get(json_object_get(root, "run_s"), "p99"));
	json_decref(root);
	free(text);
	free(js);
	sl_trace_release(&t);
	sl_srclog_release(&log);
	sl_network_free(net);
}

/* A native trace described without its scenario. */
static void test_native(void **st)
{
	(void)st;
	sl_network *net = tn_new();
	sl_trace t = {0};
	sl_err e = {0};
	sl_gen_opts g = {.seed = 4, .days = 2, .load = 0.5};
	assert_int_equal(sl_workload_gen(net, &g, &t, &e), 0);
	char path[256];
	snprintf(path, sizeof path, "%s/sl_test_stats_XXXXXX.csv", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	int fd = mkstemps(path, 4);
	FILE *f = fdopen(fd, "w");
	assert_int_equal(sl_trace_write_csv(f, net, &t, &e), 0);
	fclose(f);
	sl_srclog log = {0};
	sl_trace_stats s;
	stats_of(path, &log, &s);
	assert_int_equal(s.format, SL_LOG_NATIVE);
	assert_int_equal(s.jobs, t.n);
	size_t gpu_jobs = 0;
	for (size_t i = 0; i < t.n; i++)
		gpu_jobs += t.jobs[i].gpus > 0;
	assert_int_equal(s.gpu_jobs, gpu_jobs);
	assert_int_equal(s.frac_gpu_jobs, 0);
	assert_int_equal(s.est_jobs, t.n);
	assert_int_equal(s.users, 0); /* tenant 0 everywhere: no tenants named */
	sl_srclog_release(&log);
	unlink(path);
	sl_trace_release(&t);
	sl_network_free(net);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_estimate_table),
		cmocka_unit_test(test_small_log),
		cmocka_unit_test(test_alibaba),
		cmocka_unit_test(test_offered_and_outputs),
		cmocka_unit_test(test_native),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
