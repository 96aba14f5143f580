/*
 * sim_bench.c — how fast the simulator replays a trace, and how much memory
 * a job costs it.
 *
 *   sim_bench SCENARIO TRACE.csv POLICY [JOBS.csv]
 *
 * One process, one policy, so the peak RSS it prints is that run's.  It
 * loads the scenario (signals), then SIM_BENCH_REPEAT times (default 3)
 * reads the trace, runs the policy to its summary, and, given JOBS.csv and
 * when the library has the jobs.csv writer (HAVE_JOBS_CSV, set by
 * bench/sim.sh), writes the per-job results; the fastest repeat is
 * reported (the machine is shared; the best is the least disturbed), and
 * the least CPU time (user + system) of read + simulate over the repeats.
 * One line of key=value figures; it never judges them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "core/err.h"
#include "io/scenario.h"
#include "io/trace.h"
#include "sim/sim.h"
#ifdef HAVE_JOBS_CSV
#include "report/sim_report.h"
#endif
#define BENCH_NAME "sim_bench"
#include "benchutil.h"

/* CPU seconds of this process (user + system): less disturbed than the
 * wall clock when other work shares the cores. */
static double cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static long peak_rss_kb(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static int write_jobs(const char *path, const sl_sim *sim, double *dt)
{
#ifdef HAVE_JOBS_CSV
	sl_err e = {0};
	double t0 = now_s();
	FILE *f = fopen(path, "w");
	if (!f) {
		perror(path);
		return 1;
	}
	if (sl_report_sim_jobs_header(f, &e) || sl_report_sim_jobs(f, sim, &e) || fclose(f))
		return fail("jobs.csv", &e);
	*dt = now_s() - t0;
	return 0;
#else
	(void)path;
	(void)sim;
	*dt = -1;
	return 0;
#endif
}

typedef struct times {
	double read, sim, jobs; /* seconds; jobs < 0 when not written */
	double cpu;             /* CPU seconds of read + simulate */
	long long completed, killed, rejected;
	size_t n;
} times;

/* One replay: read the trace, simulate to the summary, maybe write jobs.csv. */
static int one_run(const sl_network *net, const char *trace, const char *policy,
                   const char *jobs_csv, times *t)
{
	sl_trace tr = {0};
	sl_sim *sim = NULL;
	sl_sim_opts so;
	sl_err e = {0};
	memset(&so, 0, sizeof so);
	double t0 = now_s(), c0 = cpu_s();
	if (sl_trace_load_csv(trace, net, &tr, &e))
		return fail("trace", &e);
	t->read = now_s() - t0;
	t0 = now_s();
	if (sl_simulate(net, &tr, policy, &so, &sim, &e))
		return fail("simulate", &e);
	const sl_sim_summary *s = sl_sim_get_summary(sim);
	t->sim = now_s() - t0;
	t->cpu = cpu_s() - c0;
	t->jobs = -1;
	if (jobs_csv && write_jobs(jobs_csv, sim, &t->jobs))
		return 1;
	t->completed = s->completed;
	t->killed = s->killed;
	t->rejected = s->rejected;
	t->n = tr.n;
	sl_sim_free(sim);
	sl_trace_release(&tr);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 4 && argc != 5) {
		fprintf(stderr, "usage: sim_bench SCENARIO TRACE.csv POLICY [JOBS.csv]\n");
		return 2;
	}
	const char *rep = getenv("SIM_BENCH_REPEAT");
	int repeat = rep ? (int)strtol(rep, NULL, 10) : 3;
	sl_network *net = NULL;
	sl_err e = {0};
	if (sl_scenario_load(argv[1], &net, NULL, &e))
		return fail("scenario", &e);
	long rss_signals = peak_rss_kb();
	times best = {0}, t;
	double best_cpu = 0;
	for (int r = 0; r < (repeat > 0 ? repeat : 1); r++) {
		if (one_run(net, argv[2], argv[3], argc == 5 ? argv[4] : NULL, &t))
			return 1;
		if (r == 0 || t.read + t.sim < best.read + best.sim)
			best = t;
		if (r == 0 || t.cpu < best_cpu)
			best_cpu = t.cpu;
	}
	double n = (double)best.n;
	printf("policy=%s jobs=%zu read_s=%.3f sim_s=%.3f rate_read_sim=%.0f rate_sim=%.0f", argv[3],
	       best.n, best.read, best.sim, n / (best.read + best.sim), n / best.sim);
	if (best.jobs >= 0)
		printf(" jobs_csv_s=%.3f rate_with_jobs_csv=%.0f", best.jobs,
		       n / (best.read + best.sim + best.jobs));
	printf(" cpu_read_sim_s=%.3f rate_read_sim_cpu=%.0f", best_cpu, n / best_cpu);
	printf(" completed=%lld killed=%lld rejected=%lld rss_signals_kb=%ld peak_rss_kb=%ld\n",
	       best.completed, best.killed, best.rejected, rss_signals, peak_rss_kb());
	sl_network_free(net);
	return 0;
}
