/*
 * solar.h — where the sun is, and how much light reaches a panel under a
 * clear sky.
 *
 * Sun position: the NOAA solar-calculator equations (after Meeus,
 * "Astronomical Algorithms", 1991): Julian century, the sun's geometric
 * mean longitude and anomaly, equation of centre, apparent longitude,
 * obliquity, declination, equation of time, true solar time, hour angle,
 * zenith, elevation and azimuth, plus NOAA's standard-atmosphere
 * refraction.  Stated accuracy about 1 arc minute for 1800-2100 within
 * 72 degrees of the equator; the tests hold it to published cases (NREL
 * SPA example, solstice noon elevation, equinox sunrise azimuth) within
 * 0.5 degrees.
 *
 * Clear sky: direct normal irradiance by Meinel (1976) with Kasten-Young
 * (1989) air mass, diffuse taken as 10 % of the direct beam, and the
 * plane-of-array sum for a tilted panel (beam x cos incidence + isotropic
 * diffuse + ground reflection).  Pure functions of their arguments; angles
 * in degrees.
 */
#ifndef SL_SOLAR_H
#define SL_SOLAR_H

#include <stdint.h>

/* The sun seen from one place at one instant. */
typedef struct sl_sun {
	double declination_deg;    /* of the sun, north positive */
	double eot_min;            /* equation of time: apparent - mean solar time, minutes */
	double hour_angle_deg;     /* 0 at solar noon, negative in the morning, [-180, 180) */
	double zenith_deg;         /* geometric (no refraction), [0, 180] */
	double elevation_deg;      /* 90 - zenith + atmospheric refraction */
	double azimuth_deg;        /* clockwise from true north, [0, 360) */
} sl_sun;

/* Position of the sun at UTC second t seen from lat_deg (north +) and
 * lon_deg (east +).  Never fails; lat is clamped to [-90, 90]. */
void sl_sun_position(int64_t t, double lat_deg, double lon_deg, sl_sun *out);

/* UTC second of solar noon (hour angle 0) on the UTC day holding t, at
 * longitude lon_deg (from the equation of time at that day's noon). */
int64_t sl_sun_noon(int64_t t, double lon_deg);

/* Clear-sky direct normal irradiance (W/m2): Meinel, 1353 x
 * 0.7^(AM^0.678), AM by Kasten-Young; 0 below the horizon. */
double sl_clearsky_dni(double zenith_deg);

/* Clear-sky irradiance (W/m2) on a panel tilted tilt_deg from horizontal
 * facing azimuth panel_az_deg (clockwise from north), for the sun sun:
 * DNI x max(0, cos incidence) + DHI x (1 + cos tilt) / 2 + GHI x albedo x
 * (1 - cos tilt) / 2 with DHI = 0.1 DNI, GHI = DNI cos z + DHI and a
 * ground albedo of 0.2.  At tilt 0 this is DNI cos z + DHI. */
double sl_clearsky_poa(const sl_sun *sun, double tilt_deg, double panel_az_deg);

#endif
