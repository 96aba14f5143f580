/*
 * test_units.c — byte sizes: parsing (decimal and binary units, errors)
 * and formatting.
 */
#include "testutil.h"

#include "core/units.h"

static int64_t parse_ok(const char *s)
{
	int64_t v = -1;
	sl_err e = {0};
	int r = sl_bytes_parse(s, &v, &e);
	if (r != 0)
		fail_msg("\"%s\": %s", s, e.msg);
	return v;
}

static void test_parse(void **st)
{
	(void)st;
	assert_int_equal(parse_ok("0"), 0);
	assert_int_equal(parse_ok("1234"), 1234);
	assert_int_equal(parse_ok("10B"), 10);
	assert_int_equal(parse_ok("10 B"), 10);
	assert_int_equal(parse_ok("1KB"), 1000);
	assert_int_equal(parse_ok("1kB"), 1000);
	assert_int_equal(parse_ok("500MB"), 500000000);
	assert_int_equal(parse_ok("1.5GB"), 1500000000);
	assert_int_equal(parse_ok("2TB"), 2000000000000LL);
	assert_int_equal(parse_ok("3PB"), 3000000000000000LL);
	assert_int_equal(parse_ok("1KiB"), 1024);
	assert_int_equal(parse_ok("1 MiB"), 1048576);
	assert_int_equal(parse_ok("4GiB"), 4294967296LL);
	assert_int_equal(parse_ok("1TiB"), 1099511627776LL);
	assert_int_equal(parse_ok("2PiB"), 2251799813685248LL);
	assert_int_equal(parse_ok(".5KB"), 500);
	assert_int_equal(parse_ok("1e3"), 1000);
	assert_int_equal(parse_ok("  7MB  "), 7000000);
	assert_int_equal(parse_ok("0.4B"), 0); /* rounded to whole bytes */
}

static void test_parse_errors(void **st)
{
	(void)st;
	static const char *const bad[] = {"", "MB", "-5MB", "5Mb", "5 GBs", "5gb", "0x10",
	                                  "inf", "nan", "1.5.2GB", "GB5", "5 M B", "+3"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int64_t v = 42;
		sl_err e = {0};
		if (sl_bytes_parse(bad[i], &v, &e) != SL_EPARSE)
			fail_msg("\"%s\" was accepted", bad[i]);
		assert_int_equal(v, 42); /* out untouched */
		assert_non_null(strstr(e.msg, "byte size"));
		assert_non_null(strstr(e.msg, bad[i]));
	}
	int64_t v = 42;
	sl_err e = {0};
	assert_int_equal(sl_bytes_parse("1e30TB", &v, &e), SL_ERANGE);
	assert_int_equal(sl_bytes_parse("9.3e18", &v, NULL), SL_ERANGE);
	assert_int_equal(sl_bytes_parse("8EB", &v, NULL), SL_EPARSE); /* no exabytes in input */
	assert_int_equal(v, 42);
	assert_int_equal(sl_bytes_parse("9000PB", &v, NULL), 0);
	assert_int_equal(v, 9000000000000000000LL);
}

static void test_format(void **st)
{
	(void)st;
	char buf[32];
	assert_string_equal(sl_bytes_format(0, buf, sizeof buf), "0 B");
	assert_string_equal(sl_bytes_format(999, buf, sizeof buf), "999 B");
	assert_string_equal(sl_bytes_format(1500, buf, sizeof buf), "1.50 KB");
	assert_string_equal(sl_bytes_format(1.5e9, buf, sizeof buf), "1.50 GB");
	assert_string_equal(sl_bytes_format(4294967296.0, buf, sizeof buf), "4.29 GB");
	assert_string_equal(sl_bytes_format(-2e6, buf, sizeof buf), "-2.00 MB");
	assert_string_equal(sl_bytes_format(2e12, buf, sizeof buf), "2.00 TB");
	assert_string_equal(sl_bytes_format(1e21, buf, sizeof buf), "1000.00 EB");
	char tiny[6];
	assert_string_equal(sl_bytes_format(1.5e9, tiny, sizeof tiny), "1.50 "); /* truncated, terminated */
	/* round trip through the parser at format precision */
	int64_t v;
	assert_int_equal(sl_bytes_parse("1.50GB", &v, NULL), 0);
	assert_string_equal(sl_bytes_format((double)v, buf, sizeof buf), "1.50 GB");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_format),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
