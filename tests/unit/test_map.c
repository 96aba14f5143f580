/*
 * test_map.c — mapping real logs onto a network (io/trace_map.h): origins
 * by share, classes by work rank renormalised over what each origin can
 * run, local time kept in the origin's zone and the log moved to the start
 * by whole days, sizes by scale (1, a factor, auto) and clamped to the
 * largest legal site, status / window / limit, Alibaba devices and GPU
 * fractions, determinism, the comment lines, round trips through the
 * native CSV, option parsing, loading any format, and the shipped HPC2N
 * log.
 */
#include "testutil.h"

#include <unistd.h>

#include "core/rng.h"
#include "core/time.h"
#include "io/alibaba.h"
#include "io/swf.h"
#include "io/trace_map.h"
#include "test_trace_net.h"

#define TRACES "data/traces/"

/* A synthetic SWF log: n jobs from 2003-07-01 (Stockholm, summer time),
 * sizes 1-64 processors, runtimes 1 s - 1 d, most with an estimate. */
static char *swf_text(int n, uint64_t seed, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	sl_rng r;
	sl_rng_seed(&r, seed);
	fprintf(f, "; Version: 2.2\n; Computer: Test machine\n; Acknowledge: the testers\n"
	           "; UnixStartTime: 1057010400\n; TimeZone: 3600\n; TimeZoneString: Europe/Stockholm\n"
	           "; MaxProcs: 100\n");
	double t = 0;
	for (int i = 1; i <= n; i++) {
		t += sl_rng_exp(&r, 300);
		int procs = 1 << sl_rng_below(&r, 7);
		int run = (int)sl_rng_loguniform(&r, 1, 86400);
		int est = sl_rng_below(&r, 10) ? (int)(run * sl_rng_uniform(&r, 0.9, 4)) + 1 : -1;
		int status = sl_rng_below(&r, 20) ? 1 : (int)sl_rng_below(&r, 2) * 5;
		if (status == 5)
			run = 0; /* cancelled before it started */
		fprintf(f, "%d %.0f %d %d %d -1 -1 %d %d -1 %d %d 1 -1 1 -1 -1 -1\n", i, t, (int)sl_rng_below(&r, 500), run,
		        procs, procs, est, status, 1 + i % 40);
	}
	fclose(f);
	return buf;
}

static void swf_log(int n, uint64_t seed, sl_srclog *log)
{
	size_t len;
	char *text = swf_text(n, seed, &len);
	sl_err e = {0};
	assert_int_equal(sl_swf_parse(text, len, "syn.swf", NULL, log, &e), 0);
	assert_int_equal(log->n, (size_t)n);
	free(text);
}

static void map(const sl_srclog *log, const sl_network *net, const char *spec, sl_trace *t)
{
	sl_map_opts o;
	sl_err e = {0};
	char buf[256];
	sl_map_opts_init(&o);
	snprintf(buf, sizeof buf, "%s", spec);
	assert_int_equal(sl_map_opts_parse(&o, buf, net->utc_offset_s, &e), 0);
	int rc = sl_trace_map(log, net, &o, t, &e);
	if (rc)
		print_error("map: %s\n", e.msg);
	assert_int_equal(rc, 0);
}

static char *to_csv(const sl_network *net, const sl_trace *t, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	sl_err e = {0};
	assert_int_equal(sl_trace_write_csv(f, net, t, &e), 0);
	fclose(f);
	return buf;
}

static const sl_logjob *log_job(const sl_srclog *log, int64_t id)
{
	return id >= 1 && (size_t)id <= log->n && log->jobs[id - 1].id == id ? &log->jobs[id - 1] : NULL;
}

/* ---- the rules ------------------------------------------------------------ */

/* Each job keeps its local time of day and weekday, in its origin's zone,
 * and every job moves by the same whole number of days. */
static void test_time(void **st)
{
	(void)st;
	sl_network *net = tn_new();
	sl_srclog log = {0};
	sl_trace t = {0};
	swf_log(5000, 1, &log);
	map(&log, net, "seed=3,start=2025-03-01", &t);
	int64_t shift = INT64_MIN;
	for (size_t i = 0; i < t.n; i++) {
		const sl_job *j = &t.jobs[i];
		const sl_logjob *l = log_job(&log, j->id);
		assert_non_null(l);
		sl_civil a, b;
		sl_time_to_civil(l->submit, sl_srclog_offset_at(&log, l->submit), &a);
		sl_time_to_civil(j->submit, net->origins[j->origin].utc_offset_s, &b);
		assert_int_equal(a.hour * 3600 + a.min * 60 + a.sec, b.hour * 3600 + b.min * 60 + b.sec);
		assert_int_equal(a.wday, b.wday);
		int64_t d = sl_days_from_civil(b.year, b.month, b.day) - sl_days_from_civil(a.year, a.month, a.day);
		if (shift == INT64_MIN)
			shift = d;
		assert_int_equal(d, shift);
		if (i)
			assert_true(j->submit >= t.jobs[i - 1].submit);
	}
	/* the log's first day (Tue 2003-07-01) lands on the first Tuesday on or
	 * after 2025-03-01: 2025-03-04 */
	sl_civil c;
	const sl_logjob *first = &log.jobs[0];
	sl_time_to_civil(first->submit, sl_srclog_offset_at(&log, first->submit), &c);
	assert_int_equal(sl_days_from_civil(c.year, c.month, c.day) + shift, sl_days_from_civil(2025, 3, 4));
	assert_non_null(strstr(t.comment, "Europe/Stockholm"));
	assert_non_null(strstr(t.comment, "EU daylight saving"));
	sl_trace_release(&t);
	sl_srclog_release(&log);
	sl_network_free(net);
}

/* Origins by share; classes by work rank and share over what each origin
 * can run (FRA has no site within inference's 50 ms). */
static void test_origins_and_classes(void **st)
{
	(void)st;
	sl_network *net = tn_new();
	sl_srclog log = {0};
	sl_trace t = {0};
	swf_log(30000, 2, &log);
	map(&log, net, "seed=5", &t);
	double norigin[3] = {0}, ncls[3][3] = {{0}};
	double max_work[3][3] = {{0}}, min_work[3][3];
	for (int o = 0; o < 3; o++)
		for (int k = 0; k < 3; k++)
			min_work[o][k] = 1e300;
	for (size_t i = 0; i < t.n; i++) {
		const sl_job *j = &t.jobs[i];
		const sl_logjob *l = log_job(&log, j->id);
		norigin[j->origin]++;
		ncls[j->origin][j->cls]++;
		double w = (l->run_s > 1 ? l->run_s : 1) * (double)(l->req_procs > 0 ? l->req_procs : 1);
		max_work[j->origin][j->cls] = fmax(max_work[j->origin][j->cls], w);
		min_work[j->origin][j->cls] = fmin(min_work[j->origin][j->cls], w);
		assert_true(j->latency_budget_ms == (float)net->classes[j->cls].latency_budget_ms);
	}
	for (int o = 0; o < 3; o++)
		assert_near(norigin[o] / (double)t.n, net->origins[o].share, 0.01);
	for (int o = 0; o < 2; o++) {
		for (int k = 0; k < 3; k++)
			assert_near(ncls[o][k] / norigin[o], net->classes[k].share, 0.01);
		/* shortest work first: inference < batch < training */
		assert_true(max_work[o][0] <= min_work[o][1]);
		assert_true(max_work[o][1] <= min_work[o][2]);
	}
	assert_int_equal(ncls[2][0], 0);
	assert_near(ncls[2][1] / norigin[2], 0.7, 0.03);
	assert_true(max_work[2][1] <= min_work[2][2]);
	assert_non_null(strstr(t.comment, "jobs per class: inference"));
	sl_trace_release(&t);
	sl_srclog_release(&log);
	sl_network_free(net);
}

/* Sizes at scale 1, what rides along (estimates, bytes, deadlines, tags,
 * tenants), and what a log leaves out. */
static void test_sizes_and_fields(void **st)
{
	(void)st;
	sl_network *net = tn_new();
	sl_srclog log = {0};
	sl_trace t = {0};
	swf_log(4000, 3, &log);
	map(&log, net, "seed=1", &t);
	size_t no_est = 0;
	for (size_t i = 0; i < t.n; i++) {
		const sl_job *j = &t.jobs[i];
		const sl_logjob *l = log_job(&log, j->id);
		const sl_job_class *k = &net->classes[j->cls];
		if (k->gpus.hi >= 1) {
			assert_int_equal(j->gpus, l->req_procs);
			assert_int_equal(j->cores, (int32_t)round(j->gpus * sqrt(8.0 * 64) / sqrt(1.0 * 64)));
		} else {
			assert_int_equal(j->cores, l->req_procs);
			assert_int_equal(j->gpus, 0);
		}
		assert_int_equal(j->run_s, l->run_s);
		if (l->est_s > 0)
			assert_int_equal(j->est_s, l->est_s);
		else
			no_est++, assert_int_equal(j->est_s, l->run_s > 0 ? l->run_s : 1);
		assert_true(j->input_bytes >= k->input_bytes.lo && j->input_bytes <= k->input_bytes.hi);
		if (k->deadline_s.hi > 0)
			assert_true(j->deadline_s >= j->est_s && j->deadline_s % 60 == 0);
		else
			assert_int_equal(j->deadline_s, 0);
		assert_int_equal(j->tenant, l->user);
		if (j->origin == 2)
			assert_int_equal(j->tag, -1); /* FRA's data is untagged */
	}
	assert_true(no_est > 200);
	char want[120];
	snprintf(want, sizeof want, "%zu without an estimate (est = run)", no_est);
	assert_non_null(strstr(t.comment, want));
	sl_trace_release(&t);
	sl_srclog_release(&log);
	sl_network_free(net);
}

/* scale=auto: the log's 100 processors become the network (64,000 cores,
 * 3,200 GPUs); a job never exceeds the largest site it may use. */
static void test_scale(void **st)
{
	(void)st;
	sl_network *net = tn_new();
	sl_srclog log = {0};
	sl_trace t = {0};
	swf_log(3000, 4, &log);
	map(&log, net, "scale=auto", &t);
	size_t clamped = 0;
	for (size_t i = 0; i < t.n; i++) {
		const sl_job *j = &t.jobs[i];
		double p = log_job(&log, j->id)->req_procs;
		int gpu = net->classes[j->cls].gpus.hi >= 1;
		double want = gpu ? p * 32 : p * 640, got = gpu ? j->gpus : j->cores;
		int32_t cap = 0;
		for (int s = 0; s < net->nsites; s++) { /* the largest legal site */
			const sl_route *rt = sl_network_route(net, j->origin, s);
			if (rt && (j->latency_budget_ms == 0 || rt->rtt_ms <= j->latency_budget_ms) &&
			    sl_network_tag_allows(net, j->tag, s))
				cap = (gpu ? net->sites[s].gpus : net->sites[s].cores) > cap
				          ? (gpu ? net->sites[s].gpus : net->sites[s].cores) : cap;
		}
		if (want > cap) {
			clamped++;
			assert_int_equal(got, cap);
		} else {
			assert_int_equal(got, want);
		}
	}
	assert_true(clamped > 10);
	char want[64];
	snprintf(want, sizeof want, "%zu clamped", clamped);
	assert_non_null(strstr(t.comment, want));
	assert_non_null(strstr(t.comment, "640 cores or 32 GPUs per processor"));
	sl_trace_release(&t);
	/* a factor */
	map(&log, net, "scale=2.5", &t);
	for (size_t i = 0; i < t.n; i++)
		if (t.jobs[i].gpus == 0)
			assert_int_equal(t.jobs[i].cores, (int32_t)round(2.5 * log_job(&log, t.jobs[i].id)->req_procs));
	sl_trace_release(&t);
	sl_srclog_release(&log);
	sl_network_free(net);
}

static void test_status_window_limit(void **st)
{
	(void)st;
	sl_network *net = tn_new();
	sl_srclog log = {0};
	sl_trace t = {0};
	swf_log(2000, 6, &log);
	size_t failed = 0, cancelled = 0, ran = 0;
	for (size_t i = 0; i < log.n; i++) {
		failed += log.jobs[i].status == SL_LOGJ_FAILED;
		cancelled += log.jobs[i].status == SL_LOGJ_CANCELLED;
		ran += log.jobs[i].run_s > 0;
	}
	assert_true(failed > 10 && cancelled > 10);
	map(&log, net, "status=keep", &t);
	assert_int_equal(t.n, 2000);
	sl_trace_release(&t);
	map(&log, net, "status=drop", &t);
	assert_int_equal(t.n, 2000 - failed - cancelled);
	for (size_t i = 0; i < t.n; i++)
		assert_int_equal(log_job(&log, t.jobs[i].id)->status, SL_LOGJ_DONE);
	sl_trace_release(&t);
	map(&log, net, "status=ran", &t);
	assert_int_equal(t.n, ran);
	sl_trace_release(&t);
	/* a window of one day, 1d..2d after the first job, then a limit */
	map(&log, net, "window=1d..2d", &t);
	size_t want = 0;
	for (size_t i = 0; i < log.n; i++)
		want += log.jobs[i].submit >= log.jobs[0].submit + 86400 && log.jobs[i].submit < log.jobs[0].submit + 2 * 86400;
	assert_true(want > 100);
	assert_int_equal(t.n, want);
	sl_trace_release(&t);
	map(&log, net, "window=1d..2d,limit=50", &t);
	assert_int_equal(t.n, 50);
	int64_t min_id = INT64_MAX;
	for (size_t i = 0; i < t.n; i++)
		min_id = t.jobs[i].id < min_id ? t.jobs[i].id : min_id;
	assert_true(log_job(&log, min_id)->submit >= log.jobs[0].submit + 86400);
	assert_non_null(strstr(t.comment, "beyond the limit"));
	sl_trace_release(&t);
	/* a window on dates (UTC) */
	map(&log, net, "window=2003-07-02..2003-07-03", &t);
	for (size_t i = 0; i < t.n; i++) {
		int64_t s = log_job(&log, t.jobs[i].id)->submit;
		assert_true(s >= 1057104000 && s < 1057190400);
	}
	sl_trace_release(&t);
	sl_srclog_release(&log);
	sl_network_free(net);
}

static void test_alibaba(void **st)
{
	(void)st;
	sl_network *net = tn_new();
	const char *pods = "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,"
	                   "deletion_time,scheduled_time\n"
	                   "pod-1,12000,1,1,460,,LS,Running,0,86400,10\n"
	                   "pod-2,88000,1,2,1000,,BE,Succeeded,100,4000,200\n"
	                   "pod-3,3500,1,0,0,,BE,Failed,300,500,320\n"
	                   "pod-4,6000,1,1,50,,LS,Pending,400,460,\n";
	const char *nodes = "sn,cpu_milli,memory_mib,gpu,model\nn1,640000,1,32,V100M32\n";
	sl_srclog log = {0};
	sl_trace t = {0};
	sl_err e = {0};
	assert_int_equal(sl_alibaba_parse(pods, strlen(pods), "p.csv", nodes, strlen(nodes), "n.csv", NULL, &log, &e), 0);
	map(&log, net, "seed=2", &t);
	assert_int_equal(t.n, 4);
	for (size_t i = 0; i < t.n; i++) {
		const sl_job *j = &t.jobs[i];
		switch (j->id) {
		case 1: assert_int_equal(j->gpus, 1); assert_int_equal(j->cores, 12); assert_int_equal(j->run_s, 86390); break;
		case 2: assert_int_equal(j->gpus, 2); assert_int_equal(j->cores, 88); break;
		case 3: assert_int_equal(j->gpus, 0); assert_int_equal(j->cores, 4); break;
		default: assert_int_equal(j->gpus, 1); assert_int_equal(j->run_s, 0); break; /* never ran */
		}
		/* GPU pods get the GPU class, CPU pods a CPU class */
		assert_int_equal(net->classes[j->cls].gpus.hi >= 1, j->gpus > 0);
		assert_int_equal(j->est_s, j->run_s > 0 ? j->run_s : 1);
	}
	assert_non_null(strstr(t.comment, "2 jobs ask for a fraction of a GPU"));
	assert_non_null(strstr(t.comment, "sum to 2.51 GPUs exactly, 4 whole GPUs given"));
	sl_trace_release(&t);
	map(&log, net, "status=drop", &t); /* Failed and Pending go */
	assert_int_equal(t.n, 2);
	sl_trace_release(&t);
	map(&log, net, "scale=auto", &t); /* 640 cores, 32 GPUs -> x100 each */
	for (size_t i = 0; i < t.n; i++)
		if (t.jobs[i].id == 2)
			assert_int_equal(t.jobs[i].gpus, 200);
	sl_trace_release(&t);
	sl_srclog_release(&log);
	/* without the node list, auto has no machine to fit */
	assert_int_equal(sl_alibaba_parse(pods, strlen(pods), "p.csv", NULL, 0, NULL, NULL, &log, &e), 0);
	sl_map_opts o;
	sl_map_opts_init(&o);
	o.scale_auto = 1;
	assert_int_equal(sl_trace_map(&log, net, &o, &t, &e), SL_EINVAL);
	assert_non_null(strstr(e.msg, "node list"));
	assert_null(t.jobs);
	sl_srclog_release(&log);
	sl_network_free(net);
}

static void test_errors(void **st)
{
	(void)st;
	sl_network *net = tn_new();
	sl_srclog log = {0};
	sl_trace t = {0};
	sl_err e = {0};
	sl_map_opts o;
	swf_log(200, 8, &log);
	sl_map_opts_init(&o);
	o.origin_id = "LHASA";
	assert_int_equal(sl_trace_map(&log, net, &o, &t, &e), SL_EINVAL);
	assert_non_null(strstr(e.msg, "origins=LHASA: no such origin"));
	sl_map_opts_init(&o);
	o.class_id = "render";
	assert_int_equal(sl_trace_map(&log, net, &o, &t, &e), SL_EINVAL);
	assert_non_null(strstr(e.msg, "classes=render"));
	sl_map_opts_init(&o);
	o.origin_id = "FRA";
	o.class_id = "inference"; /* no site within 50 ms of Frankfurt */
	assert_int_equal(sl_trace_map(&log, net, &o, &t, &e), SL_EINVAL);
	assert_non_null(strstr(e.msg, "latency budget"));
	sl_map_opts_init(&o);
	o.has_window = o.win_rel = 1;
	o.win_from = 400 * 86400;
	o.win_to = 401 * 86400;
	assert_int_equal(sl_trace_map(&log, net, &o, &t, &e), SL_EINVAL);
	assert_non_null(strstr(e.msg, "no job left to map: 200 in the log"));
	assert_null(t.jobs);
	/* fixed origin and class */
	sl_map_opts_init(&o);
	o.origin_id = "SG";
	o.class_id = "batch";
	assert_int_equal(sl_trace_map(&log, net, &o, &t, &e), 0);
	for (size_t i = 0; i < t.n; i++)
		assert_true(t.jobs[i].origin == 1 && t.jobs[i].cls == 1);
	assert_non_null(strstr(t.comment, "origins=SG, classes=batch"));
	sl_trace_release(&t);
	sl_srclog_release(&log);
	sl_network_free(net);
}

static void test_opts_parse(void **st)
{
	(void)st;
	sl_map_opts o;
	sl_err e = {0};
	char spec[] = "origins=CQ,classes=batch,seed=9,status=ran,start=2025-03-01,scale=auto,limit=10,"
	              "window=1d..36h,lenient,nodes=/x/n.csv";
	sl_map_opts_init(&o);
	assert_int_equal(sl_map_opts_parse(&o, spec, 8 * 3600, &e), 0);
	assert_string_equal(o.origin_id, "CQ");
	assert_string_equal(o.class_id, "batch");
	assert_int_equal(o.seed, 9);
	assert_int_equal(o.status, SL_STATUS_RAN);
	assert_int_equal(o.start, 1740758400); /* 2025-03-01T00:00+08:00 */
	assert_int_equal(o.scale_auto, 1);
	assert_int_equal(o.limit, 10);
	assert_true(o.has_window && o.win_rel && o.win_from == 86400 && o.win_to == 36 * 3600);
	assert_int_equal(o.lenient, 1);
	assert_string_equal(o.nodes_path, "/x/n.csv");
	char scen[] = "origins=scenario,classes=size,scale=3,lenient=no";
	assert_int_equal(sl_map_opts_parse(&o, scen, 0, &e), 0);
	assert_null(o.origin_id);
	assert_null(o.class_id);
	assert_true(o.scale == 3 && !o.scale_auto && !o.lenient);
	static const struct {
		const char *spec, *needle;
	} bad[] = {
		{"seed=-1", "seed: expected an unsigned integer"}, {"scale=0", "scale: expected auto or a number"},
		{"status=maybe", "status: expected keep, drop or ran"}, {"window=2d..1d", "TO must be after FROM"},
		{"window=1d..2025-01-01", "both be durations or both be dates"}, {"window=5d", "expected FROM..TO"},
		{"frob=1", "unknown key \"frob\""}, {"start=tomorrow", "start:"}, {"limit=0", "limit: expected a job count"},
		{"seed", "expected key=value, got \"seed\""}, {"seed=", "expected key=value"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char buf[64];
		snprintf(buf, sizeof buf, "%s", bad[i].spec);
		sl_map_opts_init(&o);
		assert_int_equal(sl_map_opts_parse(&o, buf, 0, &e), SL_EINVAL);
		if (!strstr(e.msg, bad[i].needle))
			print_error("%s: %s\n", bad[i].spec, e.msg);
		assert_non_null(strstr(e.msg, bad[i].needle));
	}
}

/* Same seed, same bytes; mapped -> CSV -> read -> identical jobs -> same bytes. */
static void test_determinism_and_round_trip(void **st)
{
	(void)st;
	sl_network *net = tn_new();
	sl_srclog log = {0};
	sl_trace a = {0}, b = {0}, c = {0};
	sl_err e = {0};
	swf_log(3000, 9, &log);
	map(&log, net, "seed=7,scale=auto", &a);
	map(&log, net, "seed=7,scale=auto", &b);
	map(&log, net, "seed=8,scale=auto", &c);
	size_t na, nb, nc, nd;
	char *sa = to_csv(net, &a, &na), *sb = to_csv(net, &b, &nb), *sc = to_csv(net, &c, &nc);
	assert_int_equal(na, nb);
	assert_memory_equal(sa, sb, na);
	assert_true(na != nc || memcmp(sa, sc, na) != 0);
	assert_non_null(strstr(sa, "# map: seed 7, origins=scenario, classes=size, status=keep, scale=auto"));
	assert_non_null(strstr(sa, "# log Acknowledge: the testers"));
	assert_non_null(strstr(sa, "# please cite: the Parallel Workloads Archive"));
	sl_trace d = {0};
	assert_int_equal(sl_trace_parse_csv(sa, na, "m.csv", net, &d, &e), 0);
	assert_int_equal(d.n, a.n);
	for (size_t i = 0; i < a.n; i++)
		assert_memory_equal(&a.jobs[i], &d.jobs[i], offsetof(sl_job, tenant) + sizeof(int16_t));
	char *sd = to_csv(net, &d, &nd);
	assert_int_equal(na, nd);
	assert_memory_equal(sa, sd, na);
	free(sa);
	free(sb);
	free(sc);
	free(sd);
	sl_trace_release(&a);
	sl_trace_release(&b);
	sl_trace_release(&c);
	sl_trace_release(&d);
	sl_srclog_release(&log);
	sl_network_free(net);
}

/* ---- files of any format ------------------------------------------------------ */

static void write_file(char *path, size_t n, const char *suffix, const char *text, size_t len)
{
	const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	snprintf(path, n, "%s/sl_test_map_XXXXXX%s", dir, suffix);
	int fd = mkstemps(path, (int)strlen(suffix));
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
}

static void test_load_any(void **st)
{
	(void)st;
	sl_network *net = tn_new();
	char swf[256], csv[256], junk[256], pods[256];
	size_t len;
	char *text = swf_text(500, 10, &len);
	write_file(swf, sizeof swf, ".swf", text, len);
	free(text);
	write_file(junk, sizeof junk, ".txt", "hello, world\n", 13);
	const char *p = "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,"
	                "scheduled_time\npod-1,1000,1,1,500,,LS,Running,0,100,0\n";
	write_file(pods, sizeof pods, ".csv", p, strlen(p));
	sl_err e = {0};
	assert_int_equal(sl_trace_sniff(swf, &e), SL_LOG_SWF);
	assert_int_equal(sl_trace_sniff(pods, &e), SL_LOG_ALIBABA);
	assert_int_equal(sl_trace_sniff(junk, &e), SL_LOG_UNKNOWN);
	assert_int_equal(sl_trace_sniff("/nonexistent/t.swf", &e), SL_EIO);
	/* a SWF file through load_any == read + map with the same options */
	sl_trace a = {0}, b = {0};
	sl_map_opts o;
	sl_map_opts_init(&o);
	o.seed = 3;
	assert_int_equal(sl_trace_load_any(swf, net, &o, &a, NULL, &e), 0);
	assert_int_equal(sl_trace_load_spec(swf, "seed=3", net, &b, NULL, NULL, &e), 0);
	size_t na, nb;
	char *sa = to_csv(net, &a, &na), *sb = to_csv(net, &b, &nb);
	assert_int_equal(na, nb);
	assert_memory_equal(sa, sb, na);
	/* that CSV read back as a native trace, with and without the scenario */
	write_file(csv, sizeof csv, ".csv", sa, na);
	assert_int_equal(sl_trace_sniff(csv, &e), SL_LOG_NATIVE);
	sl_trace c = {0};
	assert_int_equal(sl_trace_load_any(csv, net, NULL, &c, NULL, &e), 0);
	assert_int_equal(c.n, a.n);
	sl_network *own = NULL;
	sl_trace d = {0};
	assert_int_equal(sl_trace_load_csv_ids(csv, &own, &d, &e), 0);
	assert_true(own->norigins <= 3 && own->norigins >= 2);
	size_t nd;
	char *sd = to_csv(own, &d, &nd);
	assert_int_equal(nd, na);
	assert_memory_equal(sd, sa, na); /* lossless without the scenario */
	assert_int_equal(sl_trace_load_any(pods, net, NULL, &c, NULL, &e), 0);
	assert_int_equal(c.n, 1);
	assert_int_equal(sl_trace_load_any(junk, net, NULL, &c, NULL, &e), SL_EUNSUPPORTED);
	assert_non_null(strstr(e.msg, "not a trace format"));
	assert_int_equal(sl_trace_load_spec(swf, "seed=x", net, &c, NULL, NULL, &e), SL_EINVAL);
	free(sa);
	free(sb);
	free(sd);
	sl_trace_release(&a);
	sl_trace_release(&b);
	sl_trace_release(&c);
	sl_trace_release(&d);
	sl_network_free(own);
	unlink(swf);
	unlink(csv);
	unlink(junk);
	unlink(pods);
	sl_network_free(net);
}

/* The shipped HPC2N log maps whole, sorted, with its acknowledgement. */
static void test_hpc2n(void **st)
{
	(void)st;
	sl_network *net = tn_new();
	sl_trace t = {0};
	sl_err e = {0};
	assert_int_equal(sl_trace_load_spec(TRACES "HPC2N-2002-2.2-cln.swf.gz", "seed=7,scale=auto,status=ran", net, &t,
	                                    NULL, NULL, &e), 0);
	assert_int_equal(t.n, 202871); /* every HPC2N job ran */
	for (size_t i = 1; i < t.n; i++)
		assert_true(t.jobs[i].submit >= t.jobs[i - 1].submit);
	assert_non_null(strstr(t.comment, "# log Acknowledge: Ake Sandgren"));
	assert_non_null(strstr(t.comment, "onto scenario \"testnet\": 202871 jobs"));
	sl_trace_release(&t);
	sl_network_free(net);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_time),
		cmocka_unit_test(test_origins_and_classes),
		cmocka_unit_test(test_sizes_and_fields),
		cmocka_unit_test(test_scale),
		cmocka_unit_test(test_status_window_limit),
		cmocka_unit_test(test_alibaba),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_opts_parse),
		cmocka_unit_test(test_determinism_and_round_trip),
		cmocka_unit_test(test_load_any),
		cmocka_unit_test(test_hpc2n),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
