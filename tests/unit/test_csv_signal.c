/*
 * test_csv_signal.c — the signal CSV loader: formats it accepts (BOM,
 * comments, CRLF, gzip, hour index, ISO offsets), resampling onto coarser
 * and finer grids, and a located error for every malformed input.
 */
#include "testutil.h"

#include <unistd.h>
#include <zlib.h>

#include "core/err.h"
#include "core/rng.h"
#include "core/time.h"
#include "io/csv_signal.h"

#define T0_CN 1735660800LL /* 2025-01-01T00:00:00+08:00 = 2024-12-31T16:00:00Z */
#define T0_UTC 1735689600LL /* 2025-01-01T00:00:00Z */
#define SENTINEL -7.25
#define NMAX 64

static void fill_sentinel(double *v, int n)
{
	for (int i = 0; i < n; i++)
		v[i] = SENTINEL;
}

/* Load and expect success. */
static void load_ok(const char *path, const char *col, int64_t t0, int32_t step, int32_t n,
                    double *out)
{
	sl_err e = {0};
	int rc = sl_csv_signal_load(path, col, t0, step, n, out, &e);
	if (rc)
		fail_msg("%s: %s: %s", path, e.origin, e.msg);
	assert_int_equal(e.code, 0);
}

/* Load and expect failure code at origin with msg containing part; out untouched. */
static void load_err(const char *path, const char *col, int64_t t0, int32_t step, int32_t n,
                     int code, const char *origin, const char *part)
{
	double out[NMAX];
	sl_err e = {0};
	fill_sentinel(out, NMAX);
	int rc = sl_csv_signal_load(path, col, t0, step, n, out, &e);
	if (rc != code || strcmp(e.origin, origin) != 0 || !strstr(e.msg, part))
		fail_msg("%s: got rc %d origin \"%s\" msg \"%s\"; want rc %d origin \"%s\" with \"%s\"",
		         path, rc, e.origin, e.msg, code, origin, part);
	assert_int_equal(e.code, code);
	for (int i = 0; i < NMAX; i++)
		assert_true(out[i] == SENTINEL);
}

static void test_basic_iso_offsets(void **st)
{
	(void)st;
	double v[NMAX];
	load_ok(FIXTURE("csv/basic.csv"), "carbon_g_per_kwh", T0_CN, 3600, 6, v);
	assert_true(v[0] == 600 && v[1] == 610 && v[2] == 620.5 && v[5] == 650);
	load_ok(FIXTURE("csv/basic.csv"), "price_cny_per_kwh", T0_CN, 3600, 6, v);
	assert_true(v[0] == 0.30 && v[2] == 0.25 && v[5] == 0.40);
	/* a sub-range of the file */
	fill_sentinel(v, NMAX);
	load_ok(FIXTURE("csv/basic.csv"), "carbon_g_per_kwh", T0_CN + 2 * 3600, 3600, 3, v);
	assert_true(v[0] == 620.5 && v[1] == 630 && v[2] == 640);
	assert_true(v[3] == SENTINEL);
}

static void test_bom_comments_crlf_quotes(void **st)
{
	(void)st;
	double v[4];
	/* "2024-12-31 16:00:00" without offset is UTC = T0_CN; header is "carbon" quoted */
	load_ok(FIXTURE("csv/bom_crlf.csv"), "carbon", T0_CN, 3600, 4, v);
	assert_true(v[0] == 1 && v[1] == 2 && v[2] == 3 && v[3] == 4);
}

static void test_hour_index(void **st)
{
	(void)st;
	double v[8];
	load_ok(FIXTURE("csv/hour.csv"), "renewable_mw", T0_CN, 3600, 4, v);
	assert_true(v[0] == 100 && v[1] == 200 && v[2] == 300 && v[3] == 400);
	/* held over 30-minute steps */
	load_ok(FIXTURE("csv/hour.csv"), "renewable_mw", 1000, 1800, 8, v);
	assert_true(v[0] == 100 && v[1] == 100 && v[2] == 200 && v[7] == 400);
}

static void test_finer_is_averaged(void **st)
{
	(void)st;
	double v[4];
	/* 15-min values 1 2 3 4 | 10 10 10 14 */
	load_ok(FIXTURE("csv/min15.csv"), "load_mw", T0_UTC, 3600, 2, v);
	assert_near(v[0], 2.5, 1e-12);
	assert_near(v[1], 11.0, 1e-12);
	load_ok(FIXTURE("csv/min15.csv"), "load_mw", T0_UTC, 1800, 4, v);
	assert_near(v[0], 1.5, 1e-12);
	assert_near(v[1], 3.5, 1e-12);
	assert_near(v[2], 10.0, 1e-12);
	assert_near(v[3], 12.0, 1e-12);
	/* the whole two hours as one step */
	load_ok(FIXTURE("csv/min15.csv"), "load_mw", T0_UTC, 7200, 1, v);
	assert_near(v[0], 54.0 / 8, 1e-12);
}

static void test_coarser_is_held(void **st)
{
	(void)st;
	static const double hourly[] = {600, 610, 620.5, 630, 640, 650};
	double v[24];
	load_ok(FIXTURE("csv/basic.csv"), "carbon_g_per_kwh", T0_CN, 900, 24, v);
	for (int i = 0; i < 24; i++)
		assert_true(v[i] == hourly[i / 4]);
	load_ok(FIXTURE("csv/basic.csv"), "carbon_g_per_kwh", T0_CN + 3600, 1800, 10, v);
	for (int i = 0; i < 10; i++)
		assert_true(v[i] == hourly[1 + i / 2]);
}

static void test_misaligned_is_weighted(void **st)
{
	(void)st;
	double v[5];
	/* grid shifted by 30 minutes: each step is half of two file hours */
	load_ok(FIXTURE("csv/basic.csv"), "carbon_g_per_kwh", T0_CN + 1800, 3600, 5, v);
	assert_near(v[0], 605.0, 1e-12);
	assert_near(v[1], 615.25, 1e-12);
	assert_near(v[4], 645.0, 1e-12);
	/* a 6-hour step averages all six */
	load_ok(FIXTURE("csv/basic.csv"), "carbon_g_per_kwh", T0_CN, 6 * 3600, 1, v);
	assert_near(v[0], (600 + 610 + 620.5 + 630 + 640 + 650) / 6.0, 1e-12);
}

/* A fresh temporary directory, in memory when the system has /dev/shm
 * (this file writes thousands of small files). */
static void make_tmpdir(char *dir, size_t cap)
{
	snprintf(dir, cap, "/dev/shm/sl_csv_XXXXXX");
	if (mkdtemp(dir))
		return;
	snprintf(dir, cap, "/tmp/sl_csv_XXXXXX");
	assert_non_null(mkdtemp(dir));
}

/* Write data to path through zlib's gzip writer. */
static void write_gz(const char *path, const void *data, size_t n)
{
	gzFile gz = gzopen(path, "wb");
	assert_non_null(gz);
	assert_int_equal(gzwrite(gz, data, (unsigned)n), (int)n);
	assert_int_equal(gzclose(gz), Z_OK);
}

static void test_gzip_and_bad_gzip(void **st)
{
	(void)st;
	char dir[64], gz[96], cut[96];
	size_t n;
	double v[6];
	make_tmpdir(dir, sizeof dir);
	snprintf(gz, sizeof gz, "%s/basic.csv.gz", dir);
	snprintf(cut, sizeof cut, "%s/cut.csv.gz", dir);
	char *text = tu_slurp(FIXTURE("csv/basic.csv"), &n);
	write_gz(gz, text, n);
	load_ok(gz, "carbon_g_per_kwh", T0_CN, 3600, 6, v);
	assert_true(v[0] == 600 && v[5] == 650);
	/* a truncated gzip stream is an I/O error, not a short series */
	size_t zn;
	char *z = tu_slurp(gz, &zn);
	FILE *f = fopen(cut, "wb");
	assert_non_null(f);
	fwrite(z, 1, zn - 12, f);
	fclose(f);
	load_err(cut, "carbon_g_per_kwh", T0_CN, 3600, 6, SL_EIO, cut, "cannot read");
	free(z);
	free(text);
	unlink(gz);
	unlink(cut);
	rmdir(dir);
}

static void test_time_errors(void **st)
{
	(void)st;
	load_err(FIXTURE("csv/gap.csv"), "x", T0_UTC, 3600, 4, SL_EPARSE,
	         FIXTURE("csv/gap.csv:5"), "column 'time': gap: missing time 2025-01-01T03:00:00Z");
	load_err(FIXTURE("csv/dup.csv"), "x", T0_UTC, 3600, 3, SL_EPARSE,
	         FIXTURE("csv/dup.csv:4"), "column 'time': duplicate time 2025-01-01T01:00:00Z");
	load_err(FIXTURE("csv/order.csv"), "x", T0_UTC, 3600, 3, SL_EPARSE,
	         FIXTURE("csv/order.csv:6"), "out of order");
	load_err(FIXTURE("csv/irregular.csv"), "x", T0_UTC, 3600, 2, SL_EPARSE,
	         FIXTURE("csv/irregular.csv:4"), "irregular step");
	load_err(FIXTURE("csv/badtime.csv"), "x", T0_UTC, 3600, 2, SL_EPARSE,
	         FIXTURE("csv/badtime.csv:3"), "column 'time': bad time");
	load_err(FIXTURE("csv/badhour.csv"), "x", T0_UTC, 3600, 2, SL_EPARSE,
	         FIXTURE("csv/badhour.csv:3"), "column 'hour'");
}

static void test_value_errors(void **st)
{
	(void)st;
	load_err(FIXTURE("csv/badnum.csv"), "x", T0_UTC, 3600, 3, SL_EPARSE,
	         FIXTURE("csv/badnum.csv:4"), "column 'x': \"12abc\" is not a number");
	load_err(FIXTURE("csv/nan.csv"), "x", T0_UTC, 3600, 2, SL_EPARSE,
	         FIXTURE("csv/nan.csv:3"), "column 'x': NaN is not a finite number");
	load_err(FIXTURE("csv/inf.csv"), "x", T0_UTC, 3600, 3, SL_EPARSE,
	         FIXTURE("csv/inf.csv:4"), "column 'x': 1e999 is not a finite number");
	load_err(FIXTURE("csv/empty_value.csv"), "x", T0_UTC, 3600, 2, SL_EPARSE,
	         FIXTURE("csv/empty_value.csv:3"), "column 'x': empty value");
	/* the bad value is in another column: only the wanted column is checked */
	double v[3];
	load_ok(FIXTURE("csv/badnum.csv"), "y", T0_UTC, 3600, 3, v);
	assert_true(v[2] == 3);
}

static void test_shape_errors(void **st)
{
	(void)st;
	load_err(FIXTURE("csv/short.csv"), "x", T0_UTC, 3600, 2, SL_EPARSE,
	         FIXTURE("csv/short.csv:3"), "short row: 2 fields, the header has 3");
	load_err(FIXTURE("csv/short.csv"), "y", T0_UTC, 3600, 2, SL_EPARSE,
	         FIXTURE("csv/short.csv:3"), "short row: 2 fields, the header has 3 "
	                                     "(no value for column 'y')");
	load_err(FIXTURE("csv/long.csv"), "x", T0_UTC, 3600, 2, SL_EPARSE,
	         FIXTURE("csv/long.csv:3"), "long row");
	load_err(FIXTURE("csv/basic.csv"), "nope", T0_CN, 3600, 6, SL_ENOTFOUND,
	         FIXTURE("csv/basic.csv:1"), "no column 'nope' in the header (columns: "
	                                     "carbon_g_per_kwh, price_cny_per_kwh)");
	load_err(FIXTURE("csv/bom_crlf.csv"), "time", T0_CN, 3600, 4, SL_ENOTFOUND,
	         FIXTURE("csv/bom_crlf.csv:4"), "no column 'time'");
	load_err(FIXTURE("csv/badhead.csv"), "x", T0_UTC, 3600, 1, SL_EPARSE,
	         FIXTURE("csv/badhead.csv:2"), "first column must be `time` or `hour`");
	load_err(FIXTURE("csv/empty.csv"), "x", T0_UTC, 3600, 1, SL_EPARSE,
	         FIXTURE("csv/empty.csv"), "no header row");
	load_err(FIXTURE("csv/no-such-file.csv"), "x", T0_UTC, 3600, 1, SL_EIO,
	         FIXTURE("csv/no-such-file.csv"), "cannot open");
}

static void test_range_errors(void **st)
{
	(void)st;
	/* one hour too many at the end, one hour too early at the start */
	load_err(FIXTURE("csv/basic.csv"), "carbon_g_per_kwh", T0_CN, 3600, 7, SL_ERANGE,
	         FIXTURE("csv/basic.csv"), "covers [2024-12-31T16:00:00Z, 2024-12-31T22:00:00Z) "
	                                   "but the scenario needs [2024-12-31T16:00:00Z, "
	                                   "2024-12-31T23:00:00Z)");
	load_err(FIXTURE("csv/basic.csv"), "carbon_g_per_kwh", T0_CN - 3600, 3600, 2, SL_ERANGE,
	         FIXTURE("csv/basic.csv"), "covers");
	/* a 15-min grid step cut short by the file's end */
	load_err(FIXTURE("csv/min15.csv"), "load_mw", T0_UTC + 900, 3600, 2, SL_ERANGE,
	         FIXTURE("csv/min15.csv"), "covers");
	load_err(FIXTURE("csv/header_only.csv"), "x", T0_UTC, 3600, 1, SL_ERANGE,
	         FIXTURE("csv/header_only.csv"), "no data rows");
	load_err(FIXTURE("csv/one_row.csv"), "x", T0_UTC, 3600, 1, SL_ERANGE,
	         FIXTURE("csv/one_row.csv"), "only one data row (line 2)");
	load_err(FIXTURE("csv/basic.csv"), "carbon_g_per_kwh", T0_CN, 0, 6, SL_EINVAL,
	         FIXTURE("csv/basic.csv"), "bad grid");
}

/* Write text (n bytes, may hold NULs) to a fresh temp file; returns its path. */
static void write_tmp(char *path, size_t cap, const char *dir, const char *name,
                      const char *text, size_t n)
{
	snprintf(path, cap, "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, n, f), n);
	fclose(f);
}

static void test_binary_and_cr(void **st)
{
	(void)st;
	char dir[64], p[96], origin[128];
	make_tmpdir(dir, sizeof dir);
	static const char nul[] = "time,x\n2025-01-01T00:00:00Z,1\n2025-01-01T01:00:00Z,2\0\n";
	write_tmp(p, sizeof p, dir, "nul.csv", nul, sizeof nul - 1);
	snprintf(origin, sizeof origin, "%s:3", p);
	load_err(p, "x", T0_UTC, 3600, 2, SL_EPARSE, origin, "NUL byte");
	unlink(p);
	static const char mac[] = "time,x\r2025-01-01T00:00:00Z,1\r2025-01-01T01:00:00Z,2\r";
	write_tmp(p, sizeof p, dir, "mac.csv", mac, sizeof mac - 1);
	snprintf(origin, sizeof origin, "%s:1", p);
	load_err(p, "x", T0_UTC, 3600, 2, SL_EPARSE, origin, "carriage return");
	unlink(p);
	rmdir(dir);
}

/* A year of hourly data round-trips exactly (the loader's speed is a bench matter). */
static void test_year_hourly(void **st)
{
	(void)st;
	char dir[64], p[96], ts[40];
	enum { N = 8760 };
	make_tmpdir(dir, sizeof dir);
	snprintf(p, sizeof p, "%s/year.csv", dir);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fprintf(f, "time,carbon,other\n");
	for (int i = 0; i < N; i++)
		fprintf(f, "%s,%d.5,0\n", sl_time_format_iso(T0_CN + i * 3600LL, 8 * 3600, 0, ts,
		                                                  sizeof ts), 300 + i % 500);
	fclose(f);
	double *v = malloc(N * sizeof *v);
	load_ok(p, "carbon", T0_CN, 3600, N, v);
	for (int i = 0; i < N; i++)
		assert_true(v[i] == 300 + i % 500 + 0.5);
	free(v);
	unlink(p);
	rmdir(dir);
}

/* Apply 1-4 random edits (byte changes, deletions, insertions of the
 * characters the parser cares about) to buf of *n bytes (room for 8 more). */
static void mutate(sl_rng *r, char *buf, size_t *n)
{
	static const char alphabet[] = ",\n\r#\" -+.:eTZ0123456789\xEF\xBB\xBF\0";
	int edits = 1 + (int)sl_rng_below(r, 4);
	for (int k = 0; k < edits && *n > 0; k++) {
		size_t at = sl_rng_below(r, *n);
		char c = alphabet[sl_rng_below(r, sizeof alphabet - 1)];
		switch (sl_rng_below(r, 3)) {
		case 0: buf[at] = c; break;
		case 1: memmove(buf + at, buf + at + 1, *n - at - 1); (*n)--; break;
		default: memmove(buf + at + 1, buf + at, *n - at); buf[at] = c; (*n)++; break;
		}
	}
}

/* Mutated files load or fail with a located error; never crash or half-fill. */
static void test_mutations(void **st)
{
	(void)st;
	char dir[64], p[96], buf[1024];
	size_t len;
	char *orig = tu_slurp(FIXTURE("csv/basic.csv"), &len);
	sl_rng r;
	int ok = 0;
	make_tmpdir(dir, sizeof dir);
	sl_rng_seed(&r, 7);
	for (int i = 0; i < 3000; i++) {
		size_t n = len;
		memcpy(buf, orig, len);
		mutate(&r, buf, &n);
		write_tmp(p, sizeof p, dir, "m.csv", buf, n);
		double out[6];
		sl_err e = {0};
		fill_sentinel(out, 6);
		int rc = sl_csv_signal_load(p, "carbon_g_per_kwh", T0_CN, 3600, 6, out, &e);
		if (rc == 0) {
			ok++;
			for (int k = 0; k < 6; k++)
				assert_true(isfinite(out[k]) && out[k] != SENTINEL);
			continue;
		}
		assert_int_equal(e.code, rc);
		assert_true(rc == SL_EPARSE || rc == SL_ERANGE || rc == SL_ENOTFOUND);
		assert_int_equal(strncmp(e.origin, p, strlen(p)), 0);
		assert_true(e.msg[0] != '\0');
		for (int k = 0; k < 6; k++)
			assert_true(out[k] == SENTINEL);
	}
	assert_true(ok > 0 && ok < 3000); /* the mutations exercise both paths */
	free(orig);
	unlink(p);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic_iso_offsets),  cmocka_unit_test(test_bom_comments_crlf_quotes),
		cmocka_unit_test(test_hour_index),         cmocka_unit_test(test_finer_is_averaged),
		cmocka_unit_test(test_coarser_is_held),    cmocka_unit_test(test_misaligned_is_weighted),
		cmocka_unit_test(test_gzip_and_bad_gzip),  cmocka_unit_test(test_time_errors),
		cmocka_unit_test(test_value_errors),       cmocka_unit_test(test_shape_errors),
		cmocka_unit_test(test_range_errors),       cmocka_unit_test(test_binary_and_cr),
		cmocka_unit_test(test_year_hourly),        cmocka_unit_test(test_mutations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
