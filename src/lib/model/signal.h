/*
 * signal.h — a time series on the scenario's fixed step.
 *
 * Every signal of a loaded network shares the network's t0, step and length
 * (the loader resamples CSV series and expands constants), so a lookup is one
 * division.  Times outside [t0, t0 + n*step) wrap around cyclically: a
 * one-year scenario repeats for a trace that runs longer (documented in
 * docs/scenario-format.md).
 *
 * Invariant: v has n >= 1 finite values; step_s > 0.
 */
#ifndef SL_SIGNAL_H
#define SL_SIGNAL_H

#include <stdint.h>

typedef struct sl_signal {
	double *v;        /* v[i] holds the value over [t0 + i*step_s, t0 + (i+1)*step_s) */
	int32_t n;
	int32_t step_s;
	int64_t t0;
} sl_signal;

/* Index of the step holding time t (wrapped into [0, n)). */
static inline int32_t sl_signal_index(const sl_signal *s, int64_t t)
{
	int64_t k = (t - s->t0) / s->step_s;
	if (t < s->t0 && (t - s->t0) % s->step_s)
		k--;
	k %= s->n;
	if (k < 0)
		k += s->n;
	return (int32_t)k;
}

static inline double sl_signal_at(const sl_signal *s, int64_t t)
{
	return s->v[sl_signal_index(s, t)];
}

/* Mean, min and max over all steps. */
void sl_signal_stats(const sl_signal *s, double *mean, double *min, double *max);

#endif
