/*
 * signal.c — signal statistics.
 */
#include "model/signal.h"

void sl_signal_stats(const sl_signal *s, double *mean, double *min, double *max)
{
	double sum = 0, lo = s->v[0], hi = s->v[0];
	for (int32_t i = 0; i < s->n; i++) {
		double x = s->v[i];
		sum += x;
		if (x < lo)
			lo = x;
		if (x > hi)
			hi = x;
	}
	if (mean)
		*mean = sum / s->n;
	if (min)
		*min = lo;
	if (max)
		*max = hi;
}
