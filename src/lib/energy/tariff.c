/*
 * tariff.c — electricity prices from time-of-use rules or a price series.
 *
 * A time-of-use price is constant within each local clock hour (rules are
 * hour-granular), so it changes only where (t + utc_offset_s) is a multiple
 * of 3600 — in UTC that is on the half hour for a +05:30 zone.  A series
 * price is constant within each series step.  sl_tariff_fill integrates the
 * price between those change points, which makes each step's mean exact
 * for any offset and any step length.
 */
#include "energy/tariff.h"

#include <assert.h>

#include "core/time.h"

static int rule_matches(const sl_tariff_rule *r, const sl_civil *c)
{
	return ((r->hours_mask >> c->hour) & 1) && ((r->months_mask >> c->month) & 1) &&
	       ((r->wdays_mask >> c->wday) & 1);
}

int sl_tariff_band_at(const sl_tariff *tf, int64_t t)
{
	sl_civil c;
	if (tf->has_series)
		return -1;
	sl_time_to_civil(t, tf->utc_offset_s, &c);
	for (int i = tf->nrules - 1; i >= 0; i--) /* the last matching rule wins */
		if (rule_matches(&tf->rules[i], &c))
			return tf->rules[i].band;
	return tf->default_band;
}

double sl_tariff_price_at(const sl_tariff *tf, int64_t t)
{
	if (tf->has_series)
		return sl_signal_at(&tf->series, t);
	int band = sl_tariff_band_at(tf, t);
	assert(band >= 0 && band < tf->nbands);
	return tf->bands[band].price_cny_per_kwh;
}

/* The first instant after t where the price may change. */
static int64_t next_change(const sl_tariff *tf, int64_t t)
{
	int64_t period = tf->has_series ? tf->series.step_s : SL_HOUR;
	int64_t phase = tf->has_series ? tf->series.t0 : -(int64_t)tf->utc_offset_s;
	return t + period - sl_floor_mod(t - phase, period);
}

/* Mean price over [a, b), a < b. */
static double mean_price(const sl_tariff *tf, int64_t a, int64_t b)
{
	int64_t e = next_change(tf, a);
	double p = sl_tariff_price_at(tf, a);
	if (e >= b)
		return p; /* one constant piece: exact, no rounding */
	double sum = p * (double)(e - a);
	for (int64_t x = e; x < b; x = e) {
		e = next_change(tf, x);
		if (e > b)
			e = b;
		sum += sl_tariff_price_at(tf, x) * (double)(e - x);
	}
	return sum / (double)(b - a);
}

void sl_tariff_fill(const sl_tariff *tf, int64_t t0, int32_t step_s, int32_t n, double *out)
{
	assert(step_s > 0);
	for (int32_t i = 0; i < n; i++) {
		int64_t a = t0 + (int64_t)i * step_s;
		out[i] = mean_price(tf, a, a + step_s);
	}
}
