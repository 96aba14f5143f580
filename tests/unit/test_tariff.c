/*
 * test_tariff.c — time-of-use bands in local time (edges, months, weekdays,
 * wrap-around hours, last rule wins), series tariffs, and sl_tariff_fill's
 * exact step means, including a +05:30 zone whose hours start on the UTC
 * half hour.
 */
#include "testutil.h"

#include "core/time.h"
#include "energy/tariff.h"

#define CN (8 * 3600)
#define IN (5 * 3600 + 1800)
#define ALL_MONTHS 0x1FFE
#define ALL_DAYS 0x7F

/* Local hours [from, to) as a mask, to in 1..24; from > to wraps past
 * midnight; [0, 24) is the whole day. */
static uint32_t hours(int from, int to)
{
	uint32_t m = 0;
	int h = from;
	do {
		m |= 1u << h;
		h = (h + 1) % 24;
	} while (h != to % 24);
	return m;
}

static uint16_t months(int a, int b, int c, int d)
{
	return (uint16_t)((1u << a) | (1u << b) | (1u << c) | (1u << d));
}

static int64_t at(int y, int mo, int d, int h, int mi, int s, int32_t off)
{
	return sl_time_from_civil(y, mo, d, h, mi, s, off);
}

/* docs/scenario-format.md's Xinjiang example. */
enum { XJ_CRIT, XJ_PEAK, XJ_FLAT, XJ_VALLEY, XJ_DEEP };
static sl_tariff_band xj_bands[] = {
	{"critical", 0.80}, {"peak", 0.70}, {"flat", 0.40}, {"valley", 0.10}, {"deep_valley", 0.04},
};
static sl_tariff_rule xj_rules[7];

static sl_tariff xj(void)
{
	sl_tariff_rule r[] = {
		{XJ_PEAK, hours(8, 11) | hours(19, 24), ALL_MONTHS, ALL_DAYS},
		{XJ_VALLEY, hours(4, 8) | hours(13, 17), ALL_MONTHS, ALL_DAYS},
		{XJ_DEEP, hours(14, 16), months(5, 6, 7, 8), ALL_DAYS},
		{XJ_CRIT, hours(19, 21), months(1, 11, 12, 12), ALL_DAYS},
		{XJ_CRIT, hours(21, 23), 1u << 7, ALL_DAYS},
	};
	memcpy(xj_rules, r, sizeof r);
	return (sl_tariff){.id = "XJ_TOU", .utc_offset_s = CN, .bands = xj_bands, .nbands = 5,
	                   .default_band = XJ_FLAT, .rules = xj_rules, .nrules = 5};
}

/* Chongqing: peak 11-17 and 20-22, flat 08-11, 17-20, 22-24 (the default),
 * valley 00-08, critical 12-14 in Jan, Jul, Aug, Dec. */
enum { CQ_CRIT, CQ_PEAK, CQ_FLAT, CQ_VALLEY };
static sl_tariff_band cq_bands[] = {
	{"critical", 1.10}, {"peak", 0.90}, {"flat", 0.60}, {"valley", 0.30},
};
static sl_tariff_rule cq_rules[3];

static sl_tariff cq(void)
{
	sl_tariff_rule r[] = {
		{CQ_PEAK, hours(11, 17) | hours(20, 22), ALL_MONTHS, ALL_DAYS},
		{CQ_VALLEY, hours(0, 8), ALL_MONTHS, ALL_DAYS},
		{CQ_CRIT, hours(12, 14), months(1, 7, 8, 12), ALL_DAYS},
	};
	memcpy(cq_rules, r, sizeof r);
	return (sl_tariff){.id = "CQ_TOU", .utc_offset_s = CN, .bands = cq_bands, .nbands = 4,
	                   .default_band = CQ_FLAT, .rules = cq_rules, .nrules = 3};
}

static void test_xj_band_edges(void **st)
{
	(void)st;
	sl_tariff t = xj();
	/* 2025-03-10, a Monday in March: no seasonal rule applies */
	assert_int_equal(sl_tariff_band_at(&t, at(2025, 3, 10, 0, 0, 0, CN)), XJ_FLAT);
	assert_int_equal(sl_tariff_band_at(&t, at(2025, 3, 10, 3, 59, 59, CN)), XJ_FLAT);
	assert_int_equal(sl_tariff_band_at(&t, at(2025, 3, 10, 4, 0, 0, CN)), XJ_VALLEY);
	assert_true(sl_tariff_price_at(&t, at(2025, 3, 10, 7, 59, 59, CN)) == 0.10);
	assert_true(sl_tariff_price_at(&t, at(2025, 3, 10, 8, 0, 0, CN)) == 0.70);
	assert_int_equal(sl_tariff_band_at(&t, at(2025, 3, 10, 10, 59, 59, CN)), XJ_PEAK);
	assert_int_equal(sl_tariff_band_at(&t, at(2025, 3, 10, 11, 0, 0, CN)), XJ_FLAT);
	assert_int_equal(sl_tariff_band_at(&t, at(2025, 3, 10, 13, 0, 0, CN)), XJ_VALLEY);
	assert_int_equal(sl_tariff_band_at(&t, at(2025, 3, 10, 14, 30, 0, CN)), XJ_VALLEY);
	assert_int_equal(sl_tariff_band_at(&t, at(2025, 3, 10, 17, 0, 0, CN)), XJ_FLAT);
	assert_int_equal(sl_tariff_band_at(&t, at(2025, 3, 10, 19, 0, 0, CN)), XJ_PEAK);
	assert_int_equal(sl_tariff_band_at(&t, at(2025, 3, 10, 23, 59, 59, CN)), XJ_PEAK);
	assert_int_equal(sl_tariff_band_at(&t, at(2025, 3, 11, 0, 0, 0, CN)), XJ_FLAT);
}

static void test_xj_months_in_local_time(void **st)
{
	(void)st;
	sl_tariff t = xj();
	/* deep valley May-Aug 14-16 */
	assert_true(sl_tariff_price_at(&t, at(2025, 4, 30, 14, 30, 0, CN)) == 0.10);
	assert_true(sl_tariff_price_at(&t, at(2025, 5, 1, 14, 30, 0, CN)) == 0.04);
	assert_true(sl_tariff_price_at(&t, at(2025, 8, 31, 15, 59, 59, CN)) == 0.04);
	assert_true(sl_tariff_price_at(&t, at(2025, 8, 31, 16, 0, 0, CN)) == 0.10);
	assert_true(sl_tariff_price_at(&t, at(2025, 9, 1, 15, 0, 0, CN)) == 0.10);
	/* critical 21-23 in July only; 19-21 in Jan, Nov, Dec */
	assert_int_equal(sl_tariff_band_at(&t, at(2025, 7, 31, 21, 30, 0, CN)), XJ_CRIT);
	assert_int_equal(sl_tariff_band_at(&t, at(2025, 8, 1, 21, 30, 0, CN)), XJ_PEAK);
	assert_int_equal(sl_tariff_band_at(&t, at(2025, 1, 31, 19, 30, 0, CN)), XJ_CRIT);
	assert_int_equal(sl_tariff_band_at(&t, at(2025, 2, 1, 19, 30, 0, CN)), XJ_PEAK);
	assert_int_equal(sl_tariff_band_at(&t, at(2025, 12, 1, 20, 59, 59, CN)), XJ_CRIT);
	assert_int_equal(sl_tariff_band_at(&t, at(2025, 12, 1, 21, 0, 0, CN)), XJ_PEAK);
}

static void test_local_month_across_utc(void **st)
{
	(void)st;
	/* a wrap-around May-Aug night rule [22, 2) on top of the XJ bands */
	sl_tariff t = xj();
	xj_rules[5] = (sl_tariff_rule){XJ_DEEP, hours(22, 2), months(5, 6, 7, 8), ALL_DAYS};
	t.nrules = 6;
	int64_t a = at(2025, 4, 30, 23, 30, 0, CN), b = at(2025, 5, 1, 0, 30, 0, CN);
	sl_civil ca, cb;
	sl_time_to_civil(a, 0, &ca);
	sl_time_to_civil(b, 0, &cb);
	assert_true(ca.month == 4 && ca.day == 30 && cb.month == 4 && cb.day == 30); /* UTC */
	assert_int_equal(sl_tariff_band_at(&t, a), XJ_PEAK);   /* April: 19-24 peak */
	assert_int_equal(sl_tariff_band_at(&t, b), XJ_DEEP);   /* May, 00:30 local */
	assert_int_equal(sl_tariff_band_at(&t, at(2025, 5, 1, 1, 59, 59, CN)), XJ_DEEP);
	assert_int_equal(sl_tariff_band_at(&t, at(2025, 5, 1, 2, 0, 0, CN)), XJ_FLAT);
	assert_int_equal(sl_tariff_band_at(&t, at(2025, 5, 1, 21, 59, 59, CN)), XJ_PEAK);
	assert_int_equal(sl_tariff_band_at(&t, at(2025, 5, 1, 22, 0, 0, CN)), XJ_DEEP);
	/* the UTC day boundary is 08:00 local: valley -> peak across it */
	assert_int_equal(sl_tariff_band_at(&t, at(2025, 3, 10, 23, 59, 59, 0)), XJ_VALLEY);
	assert_int_equal(sl_tariff_band_at(&t, at(2025, 3, 11, 0, 0, 0, 0)), XJ_PEAK);
}

static void test_cq_bands(void **st)
{
	(void)st;
	sl_tariff t = cq();
	struct { int mo, h, mi, s, band; } cases[] = {
		{3, 0, 0, 0, CQ_VALLEY}, {3, 7, 59, 59, CQ_VALLEY}, {3, 8, 0, 0, CQ_FLAT},
		{3, 10, 59, 59, CQ_FLAT}, {3, 11, 0, 0, CQ_PEAK},   {3, 12, 0, 0, CQ_PEAK},
		{3, 16, 59, 59, CQ_PEAK}, {3, 17, 0, 0, CQ_FLAT},   {3, 20, 0, 0, CQ_PEAK},
		{3, 22, 0, 0, CQ_FLAT},   {3, 23, 59, 59, CQ_FLAT}, {1, 11, 59, 59, CQ_PEAK},
		{1, 12, 0, 0, CQ_CRIT},   {7, 13, 59, 59, CQ_CRIT}, {8, 14, 0, 0, CQ_PEAK},
		{12, 13, 0, 0, CQ_CRIT},  {6, 13, 0, 0, CQ_PEAK},   {11, 12, 30, 0, CQ_PEAK},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int64_t x = at(2025, cases[i].mo, 15, cases[i].h, cases[i].mi, cases[i].s, CN);
		if (sl_tariff_band_at(&t, x) != cases[i].band)
			fail_msg("case %zu: month %d %02d:%02d:%02d got band %d want %d", i, cases[i].mo,
			         cases[i].h, cases[i].mi, cases[i].s, sl_tariff_band_at(&t, x),
			         cases[i].band);
	}
	/* a January day's exact mean: 8 h valley, 3+3+2 flat, 2 critical, 1+3+2 peak */
	double day;
	sl_tariff_fill(&t, at(2025, 1, 15, 0, 0, 0, CN), SL_DAY, 1, &day);
	assert_near(day, (8 * 0.30 + 8 * 0.60 + 2 * 1.10 + 6 * 0.90) / 24, 1e-12);
}

static void test_last_rule_wins_and_weekdays(void **st)
{
	(void)st;
	sl_tariff_band b[] = {{"flat", 0.5}, {"weekend", 0.2}, {"peak", 0.9}};
	sl_tariff_rule r[] = {
		{2, hours(18, 22), ALL_MONTHS, ALL_DAYS},
		{1, hours(0, 24), ALL_MONTHS, (1u << 5) | (1u << 6)}, /* sat, sun all day */
	};
	sl_tariff t = {.id = "W", .utc_offset_s = CN, .bands = b, .nbands = 3, .default_band = 0,
	               .rules = r, .nrules = 2};
	/* 2025-01-03 is a Friday; in UTC the Saturday 00:00 local is still Friday */
	assert_int_equal(sl_tariff_band_at(&t, at(2025, 1, 3, 19, 0, 0, CN)), 2);
	assert_int_equal(sl_tariff_band_at(&t, at(2025, 1, 3, 23, 59, 59, CN)), 0);
	assert_int_equal(sl_tariff_band_at(&t, at(2025, 1, 4, 0, 0, 0, CN)), 1);
	assert_int_equal(sl_tariff_band_at(&t, at(2025, 1, 4, 19, 0, 0, CN)), 1); /* later rule */
	assert_int_equal(sl_tariff_band_at(&t, at(2025, 1, 5, 23, 59, 59, CN)), 1);
	assert_int_equal(sl_tariff_band_at(&t, at(2025, 1, 6, 0, 0, 0, CN)), 0);  /* Monday */
	assert_int_equal(sl_tariff_band_at(&t, at(2025, 1, 6, 19, 0, 0, CN)), 2);
	/* swap the order: now the evening peak beats the weekend */
	sl_tariff_rule tmp = r[0];
	r[0] = r[1];
	r[1] = tmp;
	assert_int_equal(sl_tariff_band_at(&t, at(2025, 1, 4, 19, 0, 0, CN)), 2);
	assert_int_equal(sl_tariff_band_at(&t, at(2025, 1, 4, 17, 0, 0, CN)), 1);
}

/* Mean price over [a, b) by summing every second. */
static double brute_mean(const sl_tariff *t, int64_t a, int64_t b)
{
	double sum = 0;
	for (int64_t x = a; x < b; x++)
		sum += sl_tariff_price_at(t, x);
	return sum / (double)(b - a);
}

static void test_fill_half_hour_offset(void **st)
{
	(void)st;
	sl_tariff_band b[] = {{"flat", 0.5}, {"peak", 0.9}};
	sl_tariff_rule r[] = {{1, hours(18, 22), ALL_MONTHS, ALL_DAYS}};
	sl_tariff t = {.id = "IN", .utc_offset_s = IN, .bands = b, .nbands = 2, .default_band = 0,
	               .rules = r, .nrules = 1};
	int64_t noon = at(2025, 6, 2, 12, 0, 0, 0); /* 17:30 local */
	double v[8];
	sl_tariff_fill(&t, noon, 3600, 6, v);
	assert_near(v[0], 0.7, 1e-12); /* 17:30-18:30 local: half flat, half peak */
	assert_true(v[1] == 0.9 && v[3] == 0.9);
	assert_near(v[4], 0.7, 1e-12); /* 21:30-22:30 */
	assert_true(v[5] == 0.5);
	sl_tariff_fill(&t, noon, 900, 4, v);
	assert_true(v[0] == 0.5 && v[1] == 0.5 && v[2] == 0.9 && v[3] == 0.9);
	sl_tariff_fill(&t, noon, SL_DAY, 2, v);
	assert_near(v[0], (4 * 0.9 + 20 * 0.5) / 24, 1e-12);
	assert_near(v[1], v[0], 1e-12);
	/* odd steps at odd starts agree with a second-by-second sum */
	int64_t t0 = noon + 1234;
	int32_t steps[] = {900, 3600, 5400, 7 * 3600, SL_DAY};
	for (size_t k = 0; k < sizeof steps / sizeof steps[0]; k++) {
		sl_tariff_fill(&t, t0, steps[k], 3, v);
		for (int i = 0; i < 3; i++)
			assert_near(v[i], brute_mean(&t, t0 + (int64_t)i * steps[k],
			                             t0 + (int64_t)(i + 1) * steps[k]), 1e-12);
	}
}

static void test_fill_cq_matches_brute_force(void **st)
{
	(void)st;
	sl_tariff t = cq();
	double v[4];
	/* across the Jul/Aug boundary in local time, on a 6-hour grid offset by 20 min */
	int64_t t0 = at(2025, 7, 31, 10, 20, 0, CN);
	sl_tariff_fill(&t, t0, 6 * 3600, 4, v);
	for (int i = 0; i < 4; i++)
		assert_near(v[i], brute_mean(&t, t0 + i * 6 * 3600LL, t0 + (i + 1) * 6 * 3600LL), 1e-12);
	/* on an hour-aligned 15-min grid each step is the price at its start */
	int64_t d0 = at(2025, 8, 1, 11, 0, 0, CN);
	sl_tariff_fill(&t, d0, 900, 4, v);
	for (int i = 0; i < 4; i++)
		assert_true(v[i] == sl_tariff_price_at(&t, d0 + i * 900));
}

static void test_series_tariff(void **st)
{
	(void)st;
	double p[] = {0.2, 0.4, 0.6, 0.8};
	int64_t t0 = at(2025, 1, 1, 0, 0, 0, CN);
	sl_tariff t = {.id = "SPOT", .utc_offset_s = CN, .has_series = 1,
	               .series = {.v = p, .n = 4, .step_s = 3600, .t0 = t0}};
	assert_int_equal(sl_tariff_band_at(&t, t0), -1);
	assert_true(sl_tariff_price_at(&t, t0 + 3599) == 0.2);
	assert_true(sl_tariff_price_at(&t, t0 + 3600) == 0.4);
	assert_true(sl_tariff_price_at(&t, t0 + 4 * 3600) == 0.2); /* cyclic */
	double v[4];
	sl_tariff_fill(&t, t0 + 1800, 3600, 4, v);
	assert_near(v[0], 0.3, 1e-12);
	assert_near(v[2], 0.7, 1e-12);
	assert_near(v[3], 0.5, 1e-12); /* 0.8 then the wrapped 0.2 */
	sl_tariff_fill(&t, t0, 900, 4, v);
	assert_true(v[0] == 0.2 && v[3] == 0.2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xj_band_edges),
		cmocka_unit_test(test_xj_months_in_local_time),
		cmocka_unit_test(test_local_month_across_utc),
		cmocka_unit_test(test_cq_bands),
		cmocka_unit_test(test_last_rule_wins_and_weekdays),
		cmocka_unit_test(test_fill_half_hour_offset),
		cmocka_unit_test(test_fill_cq_matches_brute_force),
		cmocka_unit_test(test_series_tariff),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
