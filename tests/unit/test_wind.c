/*
 * test_wind.c — renewable generation from capacity (energy/renewable.h):
 * the seeded wind model reproduces its capacity factor exactly and its
 * monthly and diurnal shapes, is deterministic per seed and never exceeds
 * capacity; the solar series follows the sun (night zero, Hami's peak
 * hour, summer/winter ratio), scales with clearness and calibrates to a
 * capacity factor; bad specs are refused.
 */
#include "testutil.h"

#include "core/time.h"
#include "energy/renewable.h"

#define BJT (8 * 3600)
#define T0 1735660800LL /* 2025-01-01T00:00:00+08:00 */
#define YEAR 8760

static const double monthly[12] = {0.85, 0.9, 1.15, 1.3, 1.25, 1.15, 1.0, 0.9, 0.9, 0.95, 0.85, 0.8};

static sl_gen_spec wind_spec(double cf, double sigma, uint64_t seed)
{
	sl_gen_spec g;
	sl_gen_defaults(&g);
	g.wind_mw = 100;
	g.wind_cf = cf;
	g.wind_sigma = sigma;
	g.seed = seed;
	g.utc_offset_s = BJT;
	memcpy(g.wind_monthly, monthly, sizeof monthly);
	for (int h = 0; h < 24; h++)
		g.wind_diurnal[h] = h >= 8 && h < 11 ? 0.8 : (h >= 16 && h < 20 ? 1.2 : 1.0);
	return g;
}

static double mean(const double *v, int n)
{
	double s = 0;
	for (int i = 0; i < n; i++)
		s += v[i];
	return s / n;
}

static void test_wind_cf_exact(void **st)
{
	(void)st;
	double *v = malloc(YEAR * sizeof *v);
	for (uint64_t seed = 1; seed <= 20; seed++) {
		double cf = 0.1 + 0.04 * (double)seed;
		sl_gen_spec g = wind_spec(cf, 0.8, seed);
		sl_gen_wind_mw(&g, T0, 3600, YEAR, v);
		assert_near(mean(v, YEAR) / 100, cf, 1e-9);
		for (int i = 0; i < YEAR; i++)
			assert_true(v[i] >= 0 && v[i] <= 100 + 1e-9);
	}
	free(v);
}

static void test_wind_deterministic(void **st)
{
	(void)st;
	double *a = malloc(YEAR * sizeof *a), *b = malloc(YEAR * sizeof *b);
	sl_gen_spec g = wind_spec(0.27, 0.8, 42);
	sl_gen_wind_mw(&g, T0, 3600, YEAR, a);
	sl_gen_wind_mw(&g, T0, 3600, YEAR, b);
	assert_memory_equal(a, b, YEAR * sizeof *a);
	g.seed = 43;
	sl_gen_wind_mw(&g, T0, 3600, YEAR, b);
	int differ = 0;
	for (int i = 0; i < YEAR; i++)
		differ += a[i] != b[i];
	assert_true(differ > YEAR / 2);
	free(a);
	free(b);
}

/* Monthly mean of a year of hourly values starting on 1 January. */
static double month_mean(const double *v, int n_years, int m)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	double s = 0;
	int count = 0;
	for (int y = 0; y < n_years; y++) {
		int from = 0;
		for (int k = 0; k < m; k++)
			from += days[k] * 24;
		for (int i = 0; i < days[m] * 24; i++, count++)
			s += v[y * YEAR + from + i];
	}
	return s / count;
}

/* Without weather noise the shape is the multipliers exactly (uncapped). */
static void test_wind_shapes_exact(void **st)
{
	(void)st;
	double *v = malloc(YEAR * sizeof *v);
	sl_gen_spec g = wind_spec(0.2, 0.0, 1);
	sl_gen_wind_mw(&g, T0, 3600, YEAR, v);
	for (int m = 0; m < 12; m++)
		assert_near(month_mean(v, 1, m) / month_mean(v, 1, 0), monthly[m] / monthly[0], 1e-9);
	double hour[24] = {0};
	for (int i = 0; i < YEAR; i++)
		hour[i % 24] += v[i]; /* T0 is local midnight */
	assert_near(hour[9] / hour[0], 0.8, 1e-9);
	assert_near(hour[17] / hour[0], 1.2, 1e-9);
	assert_near(mean(v, YEAR) / 100, 0.2, 1e-9);
	free(v);
}

/* With weather noise the seasonal shape holds on average: spring (Mar-May)
 * against winter (Nov-Jan) over 20 years of 365-day spans (the calendar
 * drifts by the 5 leap days, which the 15 % tolerance covers). */
static void test_wind_shapes_noisy(void **st)
{
	(void)st;
	int ny = 20;
	double *v = malloc((size_t)ny * YEAR * sizeof *v), spring = 0, winter = 0;
	sl_gen_spec g = wind_spec(0.27, 0.8, 7);
	sl_gen_wind_mw(&g, T0, 3600, ny * YEAR, v);
	for (int y = 0; y < ny; y++)
		for (int i = 0; i < YEAR; i++) {
			int doy = i / 24;
			if (doy >= 59 && doy < 151)
				spring += v[y * YEAR + i];
			else if (doy < 31 || doy >= 304)
				winter += v[y * YEAR + i];
		}
	double expect = (1.15 * 31 + 1.3 * 30 + 1.25 * 31) / (0.85 * 31 + 0.85 * 30 + 0.8 * 31);
	assert_true(fabs(spring / winter / expect - 1) < 0.15);
	assert_near(mean(v, ny * YEAR) / 100, 0.27, 1e-9);
	free(v);
}

static sl_gen_spec solar_spec(void)
{
	sl_gen_spec g;
	sl_gen_defaults(&g);
	g.solar_mw = 100;
	g.lat_deg = 43.25;
	g.lon_deg = 94.70;
	g.tilt_deg = sl_gen_default_tilt(g.lat_deg);
	g.panel_az_deg = sl_gen_default_panel_az(g.lat_deg);
	g.utc_offset_s = BJT;
	for (int m = 0; m < 12; m++)
		g.clearness[m] = 0.9;
	return g;
}

static void test_solar_follows_sun(void **st)
{
	(void)st;
	double *v = malloc(YEAR * sizeof *v);
	sl_gen_spec g = solar_spec();
	sl_err e = {0};
	assert_int_equal(sl_gen_fill(&g, T0, 3600, YEAR, v, &e), 0);
	double hour[24] = {0}, jun = 0, dec = 0;
	for (int i = 0; i < YEAR; i++) {
		hour[i % 24] += v[i];
		assert_true(v[i] >= 0 && v[i] <= 100);
		if (i % 24 <= 4 || i % 24 == 23) /* Beijing 23:00-05:00: night in Hami all year */
			assert_near(v[i], 0, 0);
		if (i >= 151 * 24 && i < 181 * 24)
			jun += v[i];
		if (i >= 334 * 24)
			dec += v[i];
	}
	int peak = 0;
	for (int h = 0; h < 24; h++)
		if (hour[h] > hour[peak])
			peak = h;
	assert_int_equal(peak, 13); /* 13:00-14:00 BJT holds solar noon ~13:45 */
	assert_true(jun / dec > 1.5 && jun / dec < 2.6); /* "summer ~ 2 x winter" */
	free(v);
}

static void test_solar_clearness_and_cf(void **st)
{
	(void)st;
	double *a = malloc(YEAR * sizeof *a), *b = malloc(YEAR * sizeof *b);
	sl_gen_spec g = solar_spec();
	sl_err e = {0};
	sl_gen_solar_mw(&g, T0, 3600, YEAR, a);
	g.clearness[5] = 0.45; /* June at half the clearness: half the output */
	sl_gen_solar_mw(&g, T0, 3600, YEAR, b);
	assert_near(month_mean(b, 1, 5), 0.5 * month_mean(a, 1, 5), 1e-9);
	assert_near(month_mean(b, 1, 6), month_mean(a, 1, 6), 1e-12);
	g.solar_cf = 0.19;
	assert_int_equal(sl_gen_fill(&g, T0, 3600, YEAR, b, &e), 0);
	assert_near(mean(b, YEAR) / 100, 0.19, 1e-9);
	g.solar_cf = 0.9; /* more than the daylight allows at capacity */
	assert_int_equal(sl_gen_fill(&g, T0, 3600, YEAR, b, &e), SL_ERANGE);
	assert_non_null(strstr(e.msg, "cannot be reached"));
	free(a);
	free(b);
}

static void test_bad_specs(void **st)
{
	(void)st;
	double v[48];
	sl_err e = {0};
	sl_gen_spec g = solar_spec();
	g.solar_mw = -1;
	assert_int_equal(sl_gen_fill(&g, T0, 3600, 48, v, &e), SL_EINVAL);
	assert_non_null(strstr(e.msg, ">= 0"));
	g = wind_spec(1.2, 0.8, 1);
	assert_int_equal(sl_gen_fill(&g, T0, 3600, 48, v, &e), SL_EINVAL);
	assert_non_null(strstr(e.msg, "wind_cf"));
	g = solar_spec();
	g.clearness[3] = 1.5;
	assert_int_equal(sl_gen_fill(&g, T0, 3600, 48, v, &e), SL_EINVAL);
	g = wind_spec(0.3, 0.8, 1);
	g.wind_diurnal[5] = 0;
	assert_int_equal(sl_gen_fill(&g, T0, 3600, 48, v, &e), SL_EINVAL);
	g = solar_spec();
	g.lat_deg = 91;
	assert_int_equal(sl_gen_fill(&g, T0, 3600, 48, v, &e), SL_EINVAL);
	g = solar_spec();
	assert_int_equal(sl_gen_fill(&g, T0, 3600, 0, v, &e), SL_ERANGE);
}

static void test_calibrate(void **st)
{
	(void)st;
	double x[4] = {1, 2, 3, 0};
	assert_int_equal(sl_gen_calibrate(x, 4, 1.0, 0.5), 0);
	/* a x = [a, 2a, 3a, 0] capped at 1: mean 0.5 -> a = 1/3 + ... solve:
	 * a < 1/3: 6a/4 = 0.5 -> a = 1/3: exactly [1/3, 2/3, 1, 0] */
	assert_near(x[0], 1.0 / 3, 1e-9);
	assert_near(x[1], 2.0 / 3, 1e-9);
	assert_near(x[2], 1.0, 1e-9);
	double y[4] = {1, 2, 3, 0};
	assert_int_equal(sl_gen_calibrate(y, 4, 1.0, 0.75), 0); /* all non-zero at cap */
	assert_near(y[0], 1, 0);
	assert_near(y[3], 0, 0);
	double z[4] = {1, 2, 3, 0};
	assert_int_equal(sl_gen_calibrate(z, 4, 1.0, 0.8), SL_ERANGE); /* > 3/4 */
	assert_near(z[0], 1, 0); /* unchanged */
	double w[2] = {0, 0};
	assert_int_equal(sl_gen_calibrate(w, 2, 1.0, 0.1), SL_ERANGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wind_cf_exact),
		cmocka_unit_test(test_wind_deterministic),
		cmocka_unit_test(test_wind_shapes_exact),
		cmocka_unit_test(test_wind_shapes_noisy),
		cmocka_unit_test(test_solar_follows_sun),
		cmocka_unit_test(test_solar_clearness_and_cf),
		cmocka_unit_test(test_bad_specs),
		cmocka_unit_test(test_calibrate),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
