/*
 * trace_bench.c — how fast suanli generates, writes and reads traces.
 *
 *   trace_bench SCENARIO JOBS LOAD OUT.csv
 *
 * Generates JOBS jobs for the scenario at offered load LOAD (in memory,
 * timed), writes them to OUT.csv (timed), then reads OUT.csv back with
 * the native reader REPEAT times (default 5, env TRACE_BENCH_REPEAT) and
 * prints the best and median read times.  One line per figure:
 *   name: value unit   (what it measured)
 * It prints figures and never judges them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/err.h"
#include "io/scenario.h"
#include "io/trace.h"
#define BENCH_NAME "trace_bench"
#include "benchutil.h"

/* Read path `repeat` times; best and median seconds into t[0], t[1]. */
static int time_reads(const char *path, const sl_network *net, int repeat, size_t *n, double t[2])
{
	double *dt = calloc((size_t)repeat, sizeof *dt);
	sl_err e = {0};
	for (int i = 0; i < repeat; i++) {
		sl_trace tr = {0};
		double t0 = now_s();
		if (sl_trace_load_csv(path, net, &tr, &e)) {
			free(dt);
			return fail("read", &e);
		}
		dt[i] = now_s() - t0;
		*n = tr.n;
		sl_trace_release(&tr);
	}
	qsort(dt, (size_t)repeat, sizeof *dt, cmp_double);
	t[0] = dt[0];
	t[1] = dt[repeat / 2];
	free(dt);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: trace_bench SCENARIO JOBS LOAD OUT.csv\n");
		return 2;
	}
	const char *repeat_env = getenv("TRACE_BENCH_REPEAT");
	int repeat = repeat_env ? (int)strtol(repeat_env, NULL, 10) : 5;
	if (repeat < 1)
		repeat = 1;
	sl_network *net = NULL;
	sl_trace tr = {0};
	sl_err e = {0};
	double t0 = now_s();
	if (sl_scenario_load(argv[1], &net, NULL, &e))
		return fail("scenario", &e);
	printf("scenario load: %.3f s\n", now_s() - t0);

	sl_gen_opts o = {.seed = 1, .jobs = strtoull(argv[2], NULL, 10), .load = strtod(argv[3], NULL)};
	t0 = now_s();
	if (sl_workload_gen(net, &o, &tr, &e))
		return fail("generate", &e);
	double dt = now_s() - t0;
	sl_offered off;
	const char *days = tr.comment ? strstr(tr.comment, "days ") : NULL;
	double span_days = days ? strtod(days + 5, NULL) : 0;
	sl_trace_offered(net, &tr, (int64_t)(span_days * 86400 + 0.5), &off);
	printf("generate: %.3f s, %.2f M jobs/s  (%zu jobs spanning %.1f days; offered cpu %.3f, gpu %.3f)\n",
	       dt, (double)tr.n / dt / 1e6, tr.n, span_days, off.util_cpu, off.util_gpu);

	FILE *f = fopen(argv[4], "w");
	if (!f) {
		perror(argv[4]);
		return 1;
	}
	t0 = now_s();
	if (sl_trace_write_csv(f, net, &tr, &e) || fclose(f))
		return fail("write", &e);
	dt = now_s() - t0;
	struct stat st;
	stat(argv[4], &st);
	double mb = (double)st.st_size / 1e6;
	printf("write CSV: %.3f s, %.2f M rows/s, %.0f MB/s  (%.1f MB)\n", dt, (double)tr.n / dt / 1e6,
	       mb / dt, mb);

	size_t n = 0;
	double t[2] = {0, 0};
	if (time_reads(argv[4], net, repeat, &n, t))
		return 1;
	printf("read CSV (best of %d): %.3f s, %.2f M rows/s, %.0f MB/s\n", repeat, t[0],
	       (double)n / t[0] / 1e6, mb / t[0]);
	printf("read CSV (median of %d): %.3f s, %.2f M rows/s, %.0f MB/s\n", repeat, t[1],
	       (double)n / t[1] / 1e6, mb / t[1]);
	sl_trace_release(&tr);
	sl_network_free(net);
	return 0;
}
