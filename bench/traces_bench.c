/*
 * traces_bench.c — how fast suanli reads and maps real workload logs.
 *
 *   traces_bench SCENARIO MAP-SPEC LOG...
 *
 * For each log (SWF or Alibaba, plain or gzip): read it (sl_srclog_load)
 * and map it onto the scenario (sl_trace_map with MAP-SPEC, e.g.
 * "seed=7,scale=auto"), REPEAT times (env TRACES_BENCH_REPEAT, default 5),
 * and print the best and median of read, map and read + map.  One line
 * per log and figure; it prints figures and never judges them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/err.h"
#include "io/scenario.h"
#include "io/trace_map.h"
#define BENCH_NAME "traces_bench"
#include "benchutil.h"

/* One read + map; seconds of each into t[0], t[1]. */
static int once(const char *path, const sl_network *net, const sl_map_opts *o, size_t *n, double t[2])
{
	sl_srclog log = {0};
	sl_trace tr = {0};
	sl_err e = {0};
	double t0 = now_s();
	if (sl_srclog_load(path, o, &log, &e))
		return fail(path, &e);
	double t1 = now_s();
	if (sl_trace_map(&log, net, o, &tr, &e))
		return fail(path, &e);
	t[1] = now_s() - t1;
	t[0] = t1 - t0;
	*n = tr.n;
	sl_trace_release(&tr);
	sl_srclog_release(&log);
	return 0;
}

static void line(const char *name, const char *what, double *dt, int repeat, size_t n)
{
	qsort(dt, (size_t)repeat, sizeof *dt, cmp_double);
	printf("%s %s: best %.3f s, median %.3f s (%.2f M jobs/s at best)\n", name, what, dt[0], dt[repeat / 2],
	       (double)n / dt[0] / 1e6);
}

static int bench_log(const char *path, const sl_network *net, const sl_map_opts *o, int repeat)
{
	double *rd = calloc((size_t)repeat, sizeof *rd), *mp = calloc((size_t)repeat, sizeof *mp);
	double *both = calloc((size_t)repeat, sizeof *both);
	size_t n = 0;
	int rc = 0;
	for (int i = 0; i < repeat && rc == 0; i++) {
		double t[2] = {0, 0};
		rc = once(path, net, o, &n, t);
		rd[i] = t[0];
		mp[i] = t[1];
		both[i] = t[0] + t[1];
	}
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	if (rc == 0) {
		printf("%s: %zu jobs\n", base, n);
		line(base, "read", rd, repeat, n);
		line(base, "map", mp, repeat, n);
		line(base, "read + map", both, repeat, n);
	}
	free(rd);
	free(mp);
	free(both);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: traces_bench SCENARIO MAP-SPEC LOG...\n");
		return 2;
	}
	const char *repeat_env = getenv("TRACES_BENCH_REPEAT");
	int repeat = repeat_env ? (int)strtol(repeat_env, NULL, 10) : 5;
	if (repeat < 1)
		repeat = 1;
	sl_network *net = NULL;
	sl_err e = {0};
	if (sl_scenario_load(argv[1], &net, NULL, &e))
		return fail("scenario", &e);
	sl_map_opts o;
	sl_map_opts_init(&o);
	char *spec = strdup(argv[2]);
	if (sl_map_opts_parse(&o, spec, net->utc_offset_s, &e))
		return fail("map spec", &e);
	printf("map: %s, %d runs per figure\n", argv[2], repeat);
	int rc = 0;
	for (int i = 3; i < argc && rc == 0; i++)
		rc = bench_log(argv[i], net, &o, repeat);
	free(spec);
	sl_network_free(net);
	return rc;
}
