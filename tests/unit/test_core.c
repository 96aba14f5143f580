/*
 * test_core.c — time, durations, offsets, rng, heap, vectors, arena, errors.
 */
#include "testutil.h"

#include "core/err.h"
#include "core/heap.h"
#include "core/mem.h"
#include "core/rng.h"
#include "core/time.h"
#include "core/clock.h"
#include "core/diag.h"

static void test_civil_roundtrip(void **st)
{
	(void)st;
	assert_int_equal(sl_days_from_civil(1970, 1, 1), 0);
	assert_int_equal(sl_days_from_civil(2000, 3, 1), 11017);
	assert_int_equal(sl_days_from_civil(1969, 12, 31), -1);
	for (int64_t d = -800000; d < 800000; d += 997) {
		int y, m, dd;
		sl_civil_from_days(d, &y, &m, &dd);
		assert_int_equal(sl_days_from_civil(y, m, dd), d);
	}
	sl_civil c;
	sl_time_to_civil(1735660800, 8 * 3600, &c); /* 2025-01-01T00:00+08:00 */
	assert_int_equal(c.year, 2025);
	assert_int_equal(c.month, 1);
	assert_int_equal(c.day, 1);
	assert_int_equal(c.hour, 0);
	assert_int_equal(c.wday, 2); /* Wednesday */
	sl_time_to_civil(-1, 0, &c);
	assert_int_equal(c.year, 1969);
	assert_int_equal(c.hour, 23);
	assert_int_equal(c.sec, 59);
}

static void test_iso_parse(void **st)
{
	(void)st;
	int64_t t;
	sl_err e = {0};
	assert_int_equal(sl_time_parse_iso("2025-07-14T00:00:00+08:00", 0, &t, &e), 0);
	assert_int_equal(t, 1752422400);
	assert_int_equal(sl_time_parse_iso("2025-07-13T16:00:00Z", 0, &t, &e), 0);
	assert_int_equal(t, 1752422400);
	assert_int_equal(sl_time_parse_iso("2025-07-13 16:00:00", 0, &t, &e), 0);
	assert_int_equal(t, 1752422400);
	assert_int_equal(sl_time_parse_iso("2025-07-14T00:00+0800", 0, &t, &e), 0);
	assert_int_equal(t, 1752422400);
	assert_int_equal(sl_time_parse_iso("2025-07-14T00:00+08", 0, &t, &e), 0);
	assert_int_equal(t, 1752422400);
	assert_int_equal(sl_time_parse_iso("2025-07-13T11:00:00.250-05:00", 0, &t, &e), 0);
	assert_int_equal(t, 1752422400);
	assert_int_equal(sl_time_parse_iso("2025-07-14", 8 * 3600, &t, &e), 0);
	assert_int_equal(t, 1752422400);
	assert_int_equal(sl_time_parse_iso("2024-02-29T24:00:00Z", 0, &t, &e), 0);
	assert_int_equal(sl_time_parse_iso("2024-03-01T00:00:00Z", 0, &t, NULL) == 0 ? t : -1, t);
	/* errors */
	assert_int_equal(sl_time_parse_iso("2025-02-29", 0, &t, &e), SL_ERANGE);
	assert_int_equal(sl_time_parse_iso("2025-13-01", 0, &t, &e), SL_ERANGE);
	assert_int_equal(sl_time_parse_iso("2025-07-14T25:00", 0, &t, &e), SL_ERANGE);
	assert_int_equal(sl_time_parse_iso("2025-7-14", 0, &t, &e), SL_EPARSE);
	assert_int_equal(sl_time_parse_iso("2025-07-14T08:00+25:00", 0, &t, &e), SL_EPARSE);
	assert_int_equal(sl_time_parse_iso("2025-07-14Tnoon", 0, &t, &e), SL_EPARSE);
	assert_non_null(strstr(e.msg, "ISO 8601"));
	assert_int_equal(sl_time_parse_iso("", 0, &t, &e), SL_EPARSE);
}

static void test_iso_format(void **st)
{
	(void)st;
	char buf[32];
	assert_string_equal(sl_time_format_iso(1752422400, 8 * 3600, 0, buf, sizeof buf),
	                    "2025-07-14T00:00:00+08:00");
	assert_string_equal(sl_time_format_iso(1752422400, 0, 1, buf, sizeof buf),
	                    "2025-07-13T16:00:00Z");
	assert_string_equal(sl_time_format_iso(1752422400, -(5 * 3600 + 1800), 0, buf, sizeof buf),
	                    "2025-07-13T10:30:00-05:30");
	/* round trip over many instants and offsets */
	for (int64_t t = -2000000000LL; t < 4000000000LL; t += 12345679) {
		for (int32_t off = -12 * 3600; off <= 14 * 3600; off += 5 * 1800) {
			int64_t back;
			sl_time_format_iso(t, off, 0, buf, sizeof buf);
			assert_int_equal(sl_time_parse_iso(buf, 0, &back, NULL), 0);
			assert_int_equal(back, t);
		}
	}
}

static void test_offsets(void **st)
{
	(void)st;
	int32_t o;
	char buf[8];
	assert_int_equal(sl_utc_offset_parse("+08:00", &o, NULL), 0);
	assert_int_equal(o, 28800);
	assert_int_equal(sl_utc_offset_parse("UTC+8", &o, NULL), 0);
	assert_int_equal(o, 28800);
	assert_int_equal(sl_utc_offset_parse("UTC", &o, NULL), 0);
	assert_int_equal(o, 0);
	assert_int_equal(sl_utc_offset_parse("-0530", &o, NULL), 0);
	assert_int_equal(o, -19800);
	assert_int_equal(sl_utc_offset_parse("+8:00", &o, NULL), 0);
	assert_int_equal(sl_utc_offset_parse("8", &o, NULL), SL_EPARSE);
	assert_int_equal(sl_utc_offset_parse("+08:00x", &o, NULL), SL_EPARSE);
	assert_string_equal(sl_utc_offset_format(-19800, buf, sizeof buf), "-05:30");
}

static void test_durations(void **st)
{
	(void)st;
	int64_t d;
	char buf[32];
	assert_int_equal(sl_duration_parse("90", &d, NULL), 0);
	assert_int_equal(d, 90);
	assert_int_equal(sl_duration_parse("2h", &d, NULL), 0);
	assert_int_equal(d, 7200);
	assert_int_equal(sl_duration_parse("1h30m", &d, NULL), 0);
	assert_int_equal(d, 5400);
	assert_int_equal(sl_duration_parse("1.5h", &d, NULL), 0);
	assert_int_equal(d, 5400);
	assert_int_equal(sl_duration_parse("3d", &d, NULL), 0);
	assert_int_equal(d, 259200);
	assert_int_equal(sl_duration_parse("1w", &d, NULL), 0);
	assert_int_equal(d, 604800);
	assert_int_equal(sl_duration_parse("2x", &d, NULL), SL_EPARSE);
	assert_int_equal(sl_duration_parse("", &d, NULL), SL_EPARSE);
	assert_int_equal(sl_duration_parse("-5m", &d, NULL), SL_EPARSE);
	assert_int_equal(sl_duration_parse("1h 30", &d, NULL), SL_EPARSE);
	assert_string_equal(sl_duration_format(5400, buf, sizeof buf), "1h30m");
	assert_string_equal(sl_duration_format(90061, buf, sizeof buf), "1d1h1m1s");
	assert_string_equal(sl_duration_format(0, buf, sizeof buf), "0s");
}

static void test_rng(void **st)
{
	(void)st;
	sl_rng a, b;
	sl_rng_seed(&a, 42);
	sl_rng_seed(&b, 42);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(sl_rng_u64(&a), sl_rng_u64(&b));
	sl_rng_seed(&b, 43);
	assert_int_not_equal(sl_rng_u64(&a), sl_rng_u64(&b));
	double sum = 0;
	int counts[3] = {0};
	double w[3] = {0.2, 0.0, 0.8};
	for (int i = 0; i < 100000; i++) {
		double x = sl_rng_double(&a);
		assert_true(x >= 0 && x < 1);
		sum += sl_rng_exp(&a, 5.0);
		counts[sl_rng_pick(&a, w, 3)]++;
		assert_true(sl_rng_below(&a, 7) < 7);
	}
	assert_near(sum / 100000, 5.0, 0.1);
	assert_int_equal(counts[1], 0);
	assert_near(counts[0] / 100000.0, 0.2, 0.01);
}

static void test_heap(void **st)
{
	(void)st;
	sl_heap h;
	sl_heap_init(&h);
	sl_rng r;
	sl_rng_seed(&r, 1);
	for (uint64_t i = 0; i < 10000; i++)
		sl_heap_push(&h, (int64_t)sl_rng_below(&r, 100), i, i);
	assert_int_equal(sl_heap_size(&h), 10000);
	sl_heap_entry prev = {-1, 0, 0}, e;
	size_t n = 0;
	while (sl_heap_pop(&h, &e) == 0) {
		assert_true(e.key > prev.key || (e.key == prev.key && e.seq > prev.seq));
		prev = e;
		n++;
	}
	assert_int_equal(n, 10000);
	assert_null(sl_heap_peek(&h));
	assert_int_equal(sl_heap_pop(&h, &e), -1);
	sl_heap_release(&h);
}

static void test_vec_arena_err(void **st)
{
	(void)st;
	SL_VEC(int) xs = {0};
	for (int i = 0; i < 1000; i++)
		sl_vec_push(&xs, i * 2);
	assert_int_equal(xs.n, 1000);
	assert_int_equal(xs.v[999], 1998);
	sl_vec_free(&xs);
	assert_null(xs.v);

	sl_arena a = {0};
	char *s = sl_arena_strdup(&a, "hello");
	void *big = sl_arena_alloc(&a, 200000);
	assert_string_equal(s, "hello");
	assert_non_null(big);
	assert_int_equal(((uintptr_t)big) % 16, 0);
	sl_arena_release(&a);

	sl_err e = {0};
	char buf[256];
	assert_int_equal(sl_err_set(&e, SL_EINVAL, "a.yaml:3:4", "bad %s", "thing"), SL_EINVAL);
	assert_string_equal(sl_err_format(&e, buf, sizeof buf), "a.yaml:3:4: bad thing");
	assert_int_equal(sl_err_set(NULL, SL_EIO, NULL, "x"), SL_EIO);
	assert_string_equal(sl_strerror(SL_ENOTFOUND), "SL_ENOTFOUND");

	sl_diags d = {0};
	sl_diags_add(&d, "s.yaml", 12, 5, "sites[2].pue", "expected a number >= 1, got %g", 0.9);
	assert_string_equal(sl_diag_format(&d.v[0], buf, sizeof buf),
	                    "s.yaml:12:5: sites[2].pue: expected a number >= 1, got 0.9");
	sl_diags_release(&d);

	sl_clock_manual m;
	sl_clock_manual_init(&m, 100);
	assert_int_equal(sl_clock_now(&m.clock), 100);
	m.t = 200;
	assert_int_equal(sl_clock_now(&m.clock), 200);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_civil_roundtrip), cmocka_unit_test(test_iso_parse),
		cmocka_unit_test(test_iso_format),      cmocka_unit_test(test_offsets),
		cmocka_unit_test(test_durations),       cmocka_unit_test(test_rng),
		cmocka_unit_test(test_heap),            cmocka_unit_test(test_vec_arena_err),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
