/*
 * renewable.c — solar and wind generation series from capacity (models
 * in renewable.h, docs/energy.md).
 *
 * Solar samples the sun every quarter hour (at least once per step, at
 * the middle of equal sub-intervals) so a step's mean follows sunrise and
 * sunset inside the hour.  Wind draws one weather value per step from the
 * seeded generator, then one calibration (bisection on a scale factor)
 * makes the mean capacity factor exact despite the cap at capacity.
 */
#include "energy/renewable.h"

#include <math.h>
#include <string.h>

#include "core/mem.h"
#include "core/rng.h"
#include "core/time.h"
#include "energy/solar.h"

#define SOLAR_SAMPLE_S 900  /* a quarter hour */
#define STC_W_PER_M2 1000.0 /* irradiance at which a panel gives its rated power */

double sl_gen_default_tilt(double lat_deg) { return 0.8 * fabs(lat_deg); }

double sl_gen_default_panel_az(double lat_deg) { return lat_deg >= 0 ? 180.0 : 0.0; }

void sl_gen_defaults(sl_gen_spec *g)
{
	memset(g, 0, sizeof *g);
	for (int m = 0; m < 12; m++) {
		g->clearness[m] = 1.0;
		g->wind_monthly[m] = 1.0;
	}
	for (int h = 0; h < 24; h++)
		g->wind_diurnal[h] = 1.0;
	g->tilt_deg = sl_gen_default_tilt(g->lat_deg);
	g->panel_az_deg = sl_gen_default_panel_az(g->lat_deg);
	g->wind_sigma = SL_GEN_WIND_SIGMA;
	g->wind_corr_h = SL_GEN_WIND_CORR_H;
	g->seed = 1;
}

/* Per-unit solar output (0..1) at one instant. */
static double solar_pu(const sl_gen_spec *g, int64_t t)
{
	sl_sun sun;
	sl_civil c;
	sl_sun_position(t, g->lat_deg, g->lon_deg, &sun);
	if (sun.zenith_deg >= 90.0)
		return 0.0;
	sl_time_to_civil(t, g->utc_offset_s, &c);
	double pu = sl_clearsky_poa(&sun, g->tilt_deg, g->panel_az_deg) / STC_W_PER_M2 *
	            g->clearness[c.month - 1];
	return pu < 1.0 ? pu : 1.0;
}

void sl_gen_solar_mw(const sl_gen_spec *g, int64_t t0, int32_t step_s, int32_t n, double *out)
{
	int k = step_s > SOLAR_SAMPLE_S ? step_s / SOLAR_SAMPLE_S : 1;
	double sub = (double)step_s / k;
	for (int32_t i = 0; i < n; i++) {
		int64_t a = t0 + (int64_t)i * step_s;
		double sum = 0;
		for (int j = 0; j < k; j++)
			sum += solar_pu(g, a + (int64_t)llround((j + 0.5) * sub));
		out[i] = g->solar_mw > 0 ? g->solar_mw * sum / k : 0.0;
	}
}

/* mean(min(cap, a x)) over n values. */
static double capped_mean(const double *x, int32_t n, double cap, double a)
{
	double s = 0;
	for (int32_t i = 0; i < n; i++) {
		double v = a * x[i];
		s += v < cap ? v : cap;
	}
	return s / n;
}

int sl_gen_calibrate(double *x, int32_t n, double cap, double target)
{
	int32_t nonzero = 0;
	double sum = 0;
	for (int32_t i = 0; i < n; i++) {
		nonzero += x[i] > 0;
		sum += x[i];
	}
	if (n < 1 || nonzero == 0 || !(target > 0))
		return SL_ERANGE;
	double reach = cap * nonzero / n; /* the mean with every non-zero value at cap */
	if (target > reach * (1 + 1e-12))
		return SL_ERANGE;
	if (target >= reach * (1 - 1e-12)) { /* only "everything at capacity" reaches it */
		for (int32_t i = 0; i < n; i++)
			x[i] = x[i] > 0 ? cap : 0.0;
		return 0;
	}
	double lo = 0, hi = target / (sum / n);
	for (int i = 0; i < 200 && capped_mean(x, n, cap, hi) < target; i++)
		hi *= 2;
	for (int i = 0; i < 200 && hi - lo > 1e-15 * hi; i++) {
		double mid = 0.5 * (lo + hi);
		if (capped_mean(x, n, cap, mid) < target)
			lo = mid;
		else
			hi = mid;
	}
	for (int32_t i = 0; i < n; i++) {
		double v = hi * x[i];
		x[i] = v < cap ? v : cap;
	}
	return 0;
}

void sl_gen_wind_mw(const sl_gen_spec *g, int64_t t0, int32_t step_s, int32_t n, double *out)
{
	if (!(g->wind_mw > 0) || n < 1) {
		for (int32_t i = 0; i < n; i++)
			out[i] = 0.0;
		return;
	}
	sl_rng r;
	sl_rng_seed(&r, g->seed);
	double rho = exp(-(double)step_s / (g->wind_corr_h * SL_HOUR));
	double innov = sqrt(1.0 - rho * rho), s = g->wind_sigma;
	double x = sl_rng_normal(&r, 0, 1);
	for (int32_t i = 0; i < n; i++) {
		sl_civil c;
		sl_time_to_civil(t0 + (int64_t)i * step_s, g->utc_offset_s, &c);
		if (i > 0)
			x = rho * x + innov * sl_rng_normal(&r, 0, 1);
		double w = exp(s * x - 0.5 * s * s);
		out[i] = g->wind_monthly[c.month - 1] * g->wind_diurnal[c.hour] * w;
	}
	double cf = g->wind_cf > 1 ? 1 : g->wind_cf;
	if (sl_gen_calibrate(out, n, 1.0, cf) != 0)
		cf = 0; /* only for a cf of 0: no output */
	for (int32_t i = 0; i < n; i++)
		out[i] = cf > 0 ? out[i] * g->wind_mw : 0.0;
}

/* The first field of g out of its range, or NULL. */
static const char *spec_problem(const sl_gen_spec *g)
{
	if (!(g->solar_mw >= 0) || !(g->wind_mw >= 0))
		return "capacity must be >= 0 MW";
	if (!(g->lat_deg >= -90 && g->lat_deg <= 90) || !(g->lon_deg >= -180 && g->lon_deg <= 180))
		return "lat must be in [-90, 90] and lon in [-180, 180]";
	if (!(g->tilt_deg >= 0 && g->tilt_deg <= 90))
		return "tilt must be in [0, 90] degrees";
	if (g->solar_cf != 0 && !(g->solar_cf > 0 && g->solar_cf <= 1))
		return "solar_cf must be in (0, 1]";
	if (g->wind_mw > 0 && !(g->wind_cf > 0 && g->wind_cf <= 1))
		return "wind_cf must be in (0, 1]";
	if (!(g->wind_sigma >= 0) || !(g->wind_corr_h > 0))
		return "wind_sigma must be >= 0 and wind_corr_h > 0";
	for (int m = 0; m < 12; m++)
		if (!(g->clearness[m] >= 0 && g->clearness[m] <= 1) || !(g->wind_monthly[m] > 0))
			return "clearness must be in [0, 1] and wind_monthly > 0";
	for (int h = 0; h < 24; h++)
		if (!(g->wind_diurnal[h] > 0))
			return "wind_diurnal must be > 0";
	return NULL;
}

int sl_gen_fill(const sl_gen_spec *g, int64_t t0, int32_t step_s, int32_t n, double *out,
                sl_err *err)
{
	const char *bad = spec_problem(g);
	if (bad)
		return sl_err_set(err, SL_EINVAL, "generation", "%s", bad);
	if (n < 1 || step_s <= 0)
		return sl_err_set(err, SL_ERANGE, "generation", "no steps to fill");
	double *wind = sl_malloc((size_t)n * sizeof *wind);
	int rc = 0;
	sl_gen_solar_mw(g, t0, step_s, n, out);
	if (g->solar_mw > 0 && g->solar_cf > 0 &&
	    sl_gen_calibrate(out, n, g->solar_mw, g->solar_cf * g->solar_mw) != 0)
		rc = sl_err_set(err, SL_ERANGE, "generation.solar_cf",
		                "a solar capacity factor of %g cannot be reached here (the sun "
		                "shines too few hours, or clearness is 0)", g->solar_cf);
	sl_gen_wind_mw(g, t0, step_s, n, wind);
	for (int32_t i = 0; i < n; i++)
		out[i] += wind[i];
	sl_free(wind);
	return rc;
}
