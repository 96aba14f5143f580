/*
 * solar.c — the sun's position (NOAA solar-calculator equations after
 * Meeus) and clear-sky irradiance on a panel (see solar.h for the models
 * and their sources).
 *
 * Everything is a pure function of time and place.  Time enters as UTC
 * seconds, converted to the Julian day and Julian century the equations
 * are written in; the hour angle comes from true solar time, which is UTC
 * plus the equation of time plus 4 minutes per degree of east longitude.
 */
#include "energy/solar.h"

#include <math.h>

#include "core/time.h"

#define PI 3.14159265358979323846
#define RAD (PI / 180.0)
#define DEG (180.0 / PI)

static double wrap360(double x)
{
	x = fmod(x, 360.0);
	return x < 0 ? x + 360.0 : x;
}

static double clamp1(double x)
{
	return x > 1 ? 1 : (x < -1 ? -1 : x);
}

/* Declination (deg) and equation of time (min) at Julian century jc. */
static void sun_orbit(double jc, double *decl_deg, double *eot_min)
{
	double l0 = wrap360(280.46646 + jc * (36000.76983 + jc * 0.0003032));
	double m = 357.52911 + jc * (35999.05029 - 0.0001537 * jc);
	double e = 0.016708634 - jc * (0.000042037 + 0.0000001267 * jc);
	double mr = m * RAD;
	double c = sin(mr) * (1.914602 - jc * (0.004817 + 0.000014 * jc)) +
	           sin(2 * mr) * (0.019993 - 0.000101 * jc) + sin(3 * mr) * 0.000289;
	double omega = (125.04 - 1934.136 * jc) * RAD;
	double lambda = (l0 + c - 0.00569 - 0.00478 * sin(omega)) * RAD;
	double eps0 = 23.0 + (26.0 + (21.448 - jc * (46.815 + jc * (0.00059 - jc * 0.001813))) / 60.0) / 60.0;
	double eps = (eps0 + 0.00256 * cos(omega)) * RAD;
	double y = tan(eps / 2) * tan(eps / 2);
	double l0r = l0 * RAD;
	*decl_deg = asin(sin(eps) * sin(lambda)) * DEG;
	*eot_min = 4.0 * DEG *
	           (y * sin(2 * l0r) - 2 * e * sin(mr) + 4 * e * y * sin(mr) * cos(2 * l0r) -
	            0.5 * y * y * sin(4 * l0r) - 1.25 * e * e * sin(2 * mr));
}

static double julian_century(int64_t t)
{
	double jd = (double)t / 86400.0 + 2440587.5;
	return (jd - 2451545.0) / 36525.0;
}

/* NOAA's refraction correction (deg) for a geometric elevation (deg),
 * standard atmosphere. */
static double refraction_deg(double elev)
{
	double r;
	if (elev > 85.0)
		return 0.0;
	double te = tan(elev * RAD);
	if (elev > 5.0)
		r = 58.1 / te - 0.07 / (te * te * te) + 0.000086 / (te * te * te * te * te);
	else if (elev > -0.575)
		r = 1735.0 + elev * (-518.2 + elev * (103.4 + elev * (-12.79 + elev * 0.711)));
	else
		r = -20.772 / te;
	return r / 3600.0;
}

void sl_sun_position(int64_t t, double lat_deg, double lon_deg, sl_sun *out)
{
	double lat = lat_deg > 90 ? 90 : (lat_deg < -90 ? -90 : lat_deg);
	double decl, eot;
	sun_orbit(julian_century(t), &decl, &eot);
	double minutes = (double)sl_floor_mod(t, SL_DAY) / 60.0;
	double tst = fmod(minutes + eot + 4.0 * lon_deg, 1440.0);
	if (tst < 0)
		tst += 1440.0;
	double ha = tst / 4.0 - 180.0;
	double phi = lat * RAD, dr = decl * RAD, har = ha * RAD;
	double cz = clamp1(sin(phi) * sin(dr) + cos(phi) * cos(dr) * cos(har));
	double zen = acos(cz) * DEG;
	/* Azimuth from south, westward positive (atan2 stays defined at the
	 * poles), turned to clockwise from north. */
	double az_s = atan2(sin(har), cos(har) * sin(phi) - tan(dr) * cos(phi)) * DEG;
	out->declination_deg = decl;
	out->eot_min = eot;
	out->hour_angle_deg = ha;
	out->zenith_deg = zen;
	out->elevation_deg = 90.0 - zen + refraction_deg(90.0 - zen);
	out->azimuth_deg = wrap360(az_s + 180.0);
}

int64_t sl_sun_noon(int64_t t, double lon_deg)
{
	int64_t day = t - sl_floor_mod(t, SL_DAY);
	double noon_min = 720.0 - 4.0 * lon_deg;
	for (int i = 0; i < 2; i++) { /* the EoT at the noon found so far */
		double decl, eot;
		sun_orbit(julian_century(day + (int64_t)llround(noon_min * 60.0)), &decl, &eot);
		noon_min = 720.0 - 4.0 * lon_deg - eot;
	}
	return day + (int64_t)llround(noon_min * 60.0);
}

double sl_clearsky_dni(double zenith_deg)
{
	if (zenith_deg >= 90.0)
		return 0.0;
	/* Kasten and Young (1989) relative air mass. */
	double am = 1.0 / (cos(zenith_deg * RAD) + 0.50572 * pow(96.07995 - zenith_deg, -1.6364));
	return 1353.0 * pow(0.7, pow(am, 0.678));
}

double sl_clearsky_poa(const sl_sun *sun, double tilt_deg, double panel_az_deg)
{
	double dni = sl_clearsky_dni(sun->zenith_deg);
	if (dni <= 0)
		return 0.0;
	double z = sun->zenith_deg * RAD, b = tilt_deg * RAD;
	double cos_inc = cos(z) * cos(b) +
	                 sin(z) * sin(b) * cos((sun->azimuth_deg - panel_az_deg) * RAD);
	double dhi = 0.1 * dni;
	double ghi = dni * cos(z) + dhi;
	double poa = dni * (cos_inc > 0 ? cos_inc : 0) + dhi * (1 + cos(b)) / 2 +
	             ghi * 0.2 * (1 - cos(b)) / 2;
	return poa > 0 ? poa : 0.0;
}
