/*
 * renewable.h — hourly renewable generation of a zone or a site from its
 * wind and solar capacity (docs/energy.md, "Renewable generation").
 *
 * Solar: the sun's position (energy/solar.h) at every quarter hour gives
 * the clear-sky irradiance on an equator-facing panel; output =
 * solar_mw x min(1, POA / 1000 W/m2 x clearness[month]), averaged over
 * each step.  clearness is the month's ratio of delivered to clear-sky
 * output (weather and system losses).  With solar_cf > 0 the series is
 * then scaled (capped at capacity) so its mean is solar_cf x solar_mw.
 *
 * Wind: a seeded model.  Output = wind_mw x min(1, a x monthly[month] x
 * diurnal[local hour] x w(t)), where w is a log-normal weather factor with
 * mean 1 (w = exp(s x - s^2 / 2), x an AR(1) standard normal with
 * correlation exp(-step / wind_corr_h) from one step to the next, s =
 * wind_sigma) and a is found by bisection so the mean capacity factor over
 * the series is exactly wind_cf.  The multipliers are relative (only
 * their shape matters).  The same spec and seed give the same series.
 *
 * Months and hours are local: UTC + utc_offset_s.
 */
#ifndef SL_RENEWABLE_H
#define SL_RENEWABLE_H

#include <stdint.h>

#include "core/err.h"

/* Defaults (estimates, see docs/energy.md). */
#define SL_GEN_WIND_SIGMA 0.8    /* log-normal spread of the weather factor */
#define SL_GEN_WIND_CORR_H 30.0  /* e-folding time of the weather, hours */

typedef struct sl_gen_spec {
	double solar_mw, wind_mw;       /* installed capacity, >= 0 */
	double lat_deg, lon_deg;        /* where the panels are */
	double tilt_deg;                /* panel tilt from horizontal, [0, 90] */
	double panel_az_deg;            /* panel azimuth, clockwise from north */
	double clearness[12];           /* per month, [0, 1] */
	double solar_cf;                /* 0: uncalibrated; else target mean CF in (0, 1] */
	double wind_cf;                 /* target mean capacity factor, (0, 1] when wind_mw > 0 */
	double wind_monthly[12];        /* relative, > 0 */
	double wind_diurnal[24];        /* relative, > 0, by local hour */
	double wind_sigma;              /* >= 0 */
	double wind_corr_h;             /* > 0 */
	int32_t utc_offset_s;           /* local time of months and hours */
	uint64_t seed;
} sl_gen_spec;

/* Fill g with the defaults: no capacity, clearness 1, tilt 0.8 x |lat|
 * (set lat first, or set tilt yourself), equator-facing, flat multipliers,
 * SL_GEN_WIND_SIGMA, SL_GEN_WIND_CORR_H, seed 1. */
void sl_gen_defaults(sl_gen_spec *g);

/* The default tilt for a latitude: 0.8 x |lat| (an estimate a little below
 * the annual optimum), and the equator-facing azimuth (180 north of the
 * equator, 0 south of it). */
double sl_gen_default_tilt(double lat_deg);
double sl_gen_default_panel_az(double lat_deg);

/* Solar output in MW over n steps [t0 + i step_s, ...) into out[i]. */
void sl_gen_solar_mw(const sl_gen_spec *g, int64_t t0, int32_t step_s, int32_t n, double *out);

/* Wind output in MW over n steps into out[i] (0 when wind_mw is 0). */
void sl_gen_wind_mw(const sl_gen_spec *g, int64_t t0, int32_t step_s, int32_t n, double *out);

/* Solar + wind into out (MW).  SL_EINVAL (with the offending field in err)
 * for a spec out of range: negative capacity, a capacity factor outside
 * (0, 1], clearness outside [0, 1], a multiplier <= 0, latitude outside
 * [-90, 90]; SL_ERANGE when solar_cf cannot be reached (the clear-sky
 * series is zero, or the target exceeds what the hours of daylight allow)
 * or n < 1. */
int sl_gen_fill(const sl_gen_spec *g, int64_t t0, int32_t step_s, int32_t n, double *out,
                sl_err *err);

/* Scale x[0..n) (values >= 0) in place by the factor a that makes
 * mean(min(cap, a x)) = target (0 < target <= cap).  Returns 0, or
 * SL_ERANGE when no factor reaches it (all x zero, or too few non-zero
 * values to average target even at capacity); x is unchanged then. */
int sl_gen_calibrate(double *x, int32_t n, double cap, double target);

#endif
