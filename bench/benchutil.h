/*
 * benchutil.h — what the benchmark programs share: a monotonic clock in
 * seconds, a comparison for qsort of doubles, and the error exit.  A
 * program defines BENCH_NAME (its name, for messages) before including it.
 */
#ifndef BENCHUTIL_H
#define BENCHUTIL_H

#include <stdio.h>
#include <time.h>

#include "core/err.h"

#ifndef BENCH_NAME
#error "define BENCH_NAME before including benchutil.h"
#endif

static inline double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static inline int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Print "BENCH_NAME: what: error" to stderr; returns the exit status 1. */
static inline int fail(const char *what, const sl_err *e)
{
	char buf[SL_ERR_MSG_MAX + SL_ERR_ORIGIN_MAX + 4];
	fprintf(stderr, BENCH_NAME ": %s: %s\n", what, sl_err_format(e, buf, sizeof buf));
	return 1;
}

#endif
