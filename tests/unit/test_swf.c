/*
 * test_swf.c — the Standard Workload Format reader: the four shipped
 * Parallel Workloads Archive logs (job counts, fields, headers, time
 * zones), daylight-saving rules, decimals and missing values, every kind of
 * malformed line with its line number, lenient reading, gzip, and random
 * damage that must give a log or a located error.
 */
#include "testutil.h"

#include <unistd.h>
#include <zlib.h>

#include "core/rng.h"
#include "core/time.h"
#include "io/swf.h"

#define TRACES "data/traces/"

static int parse(const char *text, sl_srclog *log, sl_err *e)
{
	return sl_swf_parse(text, strlen(text), "t.swf", NULL, log, e);
}

static const sl_logjob *find(const sl_srclog *log, int64_t id)
{
	for (size_t i = 0; i < log->n; i++)
		if (log->jobs[i].id == id)
			return &log->jobs[i];
	return NULL;
}

/* ---- the shipped logs ------------------------------------------------- */

static void load(const char *file, sl_srclog *log)
{
	sl_err e = {0};
	int rc = sl_swf_load(file, NULL, log, &e);
	if (rc)
		print_error("%s: %s: %s\n", file, e.origin, e.msg);
	assert_int_equal(rc, 0);
	for (size_t i = 1; i < log->n; i++)
		assert_true(log->jobs[i].submit >= log->jobs[i - 1].submit);
	assert_int_equal(log->report.bad, 0);
}

static void test_nasa(void **st)
{
	(void)st;
	sl_srclog log = {0};
	load(TRACES "NASA-iPSC-1993-3.1-cln.swf.gz", &log);
	assert_int_equal(log.n, 18239);
	assert_int_equal(log.start, 749458803);
	assert_string_equal(log.tz_name, "US/Pacific");
	assert_int_equal(log.utc_offset_s, -8 * 3600);
	assert_int_equal(log.tz, SL_TZ_US);
	assert_int_equal(log.max_procs, 128);
	assert_non_null(strstr(log.header, "Acknowledge: Bill Nitzberg"));
	size_t no_est = 0;
	for (size_t i = 0; i < log.n; i++) {
		no_est += log.jobs[i].est_s == -1;
		assert_int_equal(log.jobs[i].status, SL_LOGJ_UNKNOWN);
	}
	assert_int_equal(no_est, 18239); /* the log has no requested times */
	sl_srclog_release(&log);
}

static void test_kth(void **st)
{
	(void)st;
	sl_srclog log = {0};
	load(TRACES "KTH-SP2-1996-2.1-cln.swf.gz", &log);
	assert_int_equal(log.n, 28476);
	assert_int_equal(log.max_procs, 100);
	assert_string_equal(log.tz_name, "Europe/Stockholm");
	assert_int_equal(log.tz, SL_TZ_EU);
	/* "   15   599850 192180   3477    4  -1 -1    4  53940 -1  1  12  12  -1 -1 -1 -1 -1" */
	const sl_logjob *j = &log.jobs[0];
	assert_int_equal(j->id, 15);
	assert_int_equal(j->submit, 843480031 + 599850);
	assert_int_equal(j->wait_s, 192180);
	assert_int_equal(j->run_s, 3477);
	assert_int_equal(j->procs, 4);
	assert_true(j->cpu_s == -1.0f);
	assert_int_equal(j->used_mem_kb, -1);
	assert_int_equal(j->req_procs, 4);
	assert_int_equal(j->est_s, 53940);
	assert_int_equal(j->req_mem_kb, -1);
	assert_int_equal(j->status, SL_LOGJ_DONE);
	assert_int_equal(j->user, 12);
	assert_int_equal(j->group, 12);
	assert_int_equal(j->exe, -1);
	assert_int_equal(j->queue, -1);
	assert_int_equal(j->partition, -1);
	assert_int_equal(j->preceding, -1);
	assert_int_equal(j->think_s, -1);
	assert_int_equal(j->cpu_milli, -1);
	assert_int_equal(j->line, 25); /* 24 header lines before it */
	/* job 27313 gives no processor count at all: still a job */
	j = find(&log, 27313);
	assert_non_null(j);
	assert_int_equal(j->procs, -1);
	assert_int_equal(j->req_procs, -1);
	assert_int_equal(j->est_s, 600);
	assert_int_equal(find(&log, 17)->status, SL_LOGJ_FAILED);
	sl_srclog_release(&log);
}

static void test_ctc(void **st)
{
	(void)st;
	sl_srclog log = {0};
	load(TRACES "CTC-SP2-1996-3.1-cln.swf.gz", &log);
	assert_int_equal(log.n, 77222);
	assert_int_equal(log.max_procs, 338);
	assert_int_equal(log.max_nodes, 338); /* "338 (batch partition; 512 total)" */
	assert_string_equal(log.tz_name, "US/Eastern");
	assert_int_equal(log.utc_offset_s, -5 * 3600);
	/* "    1        0 588530    937  306 142.00 ..." */
	const sl_logjob *j = &log.jobs[0];
	assert_int_equal(j->id, 1);
	assert_int_equal(j->submit, 835823160);
	assert_true(j->cpu_s == 142.0f);
	assert_int_equal(j->req_procs, -1);
	assert_int_equal(j->exe, 307);
	assert_int_equal(j->queue, 3);
	sl_srclog_release(&log);
}

static void test_hpc2n(void **st)
{
	(void)st;
	sl_srclog log = {0};
	load(TRACES "HPC2N-2002-2.2-cln.swf.gz", &log);
	assert_int_equal(log.n, 202871);
	assert_int_equal(log.max_procs, 240);
	assert_int_equal(log.start, 1027839845);
	assert_non_null(strstr(log.header, "Acknowledge: Ake Sandgren"));
	assert_non_null(strstr(log.header, "Computer: Linux cluster (Seth)"));
	/* "   12   342343      5    553   40 552.21    -1   40  43200 ..." */
	const sl_logjob *j = find(&log, 12);
	assert_non_null(j);
	assert_true(fabsf(j->cpu_s - 552.21f) < 1e-3f);
	assert_int_equal(j->run_s, 553);
	assert_int_equal(j->partition, 1);
	size_t unknown = 0;
	for (size_t i = 0; i < log.n; i++)
		unknown += log.jobs[i].status == SL_LOGJ_UNKNOWN;
	assert_int_equal(unknown, 878);
	sl_srclog_release(&log);
}

/* ---- time zones ---------------------------------------------------------- */

static void test_daylight_saving(void **st)
{
	(void)st;
	sl_srclog eu = {.utc_offset_s = 3600, .tz = SL_TZ_EU};
	sl_srclog us = {.utc_offset_s = -5 * 3600, .tz = SL_TZ_US};
	sl_srclog fixed = {.utc_offset_s = 8 * 3600, .tz = SL_TZ_FIXED};
	/* EU 2003: last Sunday of March (30th) to last Sunday of October (26th), 01:00 UTC */
	int64_t b = sl_time_from_civil(2003, 3, 30, 1, 0, 0, 0), e = sl_time_from_civil(2003, 10, 26, 1, 0, 0, 0);
	assert_int_equal(sl_srclog_offset_at(&eu, b - 1), 3600);
	assert_int_equal(sl_srclog_offset_at(&eu, b), 7200);
	assert_int_equal(sl_srclog_offset_at(&eu, e - 1), 7200);
	assert_int_equal(sl_srclog_offset_at(&eu, e), 3600);
	/* EU 1995: summer time ended on the last Sunday of September (24th) */
	assert_int_equal(sl_srclog_offset_at(&eu, sl_time_from_civil(1995, 9, 24, 0, 59, 0, 0)), 7200);
	assert_int_equal(sl_srclog_offset_at(&eu, sl_time_from_civil(1995, 9, 24, 1, 0, 0, 0)), 3600);
	/* US 2006: first Sunday of April (2nd) 02:00 EST to last Sunday of October (29th) 02:00 EDT */
	b = sl_time_from_civil(2006, 4, 2, 2, 0, 0, -5 * 3600);
	e = sl_time_from_civil(2006, 10, 29, 2, 0, 0, -4 * 3600);
	assert_int_equal(sl_srclog_offset_at(&us, b - 1), -5 * 3600);
	assert_int_equal(sl_srclog_offset_at(&us, b), -4 * 3600);
	assert_int_equal(sl_srclog_offset_at(&us, e - 1), -4 * 3600);
	assert_int_equal(sl_srclog_offset_at(&us, e), -5 * 3600);
	/* US 2007 on: second Sunday of March (11th) to first Sunday of November (4th) */
	assert_int_equal(sl_srclog_offset_at(&us, sl_time_from_civil(2007, 3, 11, 3, 0, 0, -4 * 3600)), -4 * 3600);
	assert_int_equal(sl_srclog_offset_at(&us, sl_time_from_civil(2007, 11, 3, 12, 0, 0, 0)), -4 * 3600);
	assert_int_equal(sl_srclog_offset_at(&us, sl_time_from_civil(2007, 11, 5, 12, 0, 0, 0)), -5 * 3600);
	assert_int_equal(sl_srclog_offset_at(&fixed, b), 8 * 3600);
}

static void test_header_zones(void **st)
{
	(void)st;
	sl_srclog log = {0};
	sl_err e = {0};
	const char *known = "; UnixStartTime: 1000\n; TimeZone: 3600\n;  TimeZoneString: europe/berlin\n"
	                    "1 0 0 10 1 -1 -1 1 60 -1 1 1 1 -1 -1 -1 -1 -1\n";
	assert_int_equal(parse(known, &log, &e), 0);
	assert_int_equal(log.tz, SL_TZ_EU);
	assert_int_equal(log.utc_offset_s, 3600);
	assert_int_equal(log.jobs[0].submit, 1000);
	sl_srclog_release(&log);
	const char *unknown = "; TimeZone: -10800\n; TimeZoneString: America/Sao_Paulo\n"
	                      "1 5 0 10 1 -1 -1 1 60 -1 1 1 1 -1 -1 -1 -1 -1\n";
	assert_int_equal(parse(unknown, &log, &e), 0);
	assert_int_equal(log.tz, SL_TZ_FIXED);
	assert_int_equal(log.utc_offset_s, -10800);
	assert_non_null(strstr(log.header, "not one suanli knows"));
	assert_int_equal(log.has_start, 0);
	assert_int_equal(log.jobs[0].submit, 5);
	sl_srclog_release(&log);
	/* no zone at all: UTC, said so */
	assert_int_equal(parse("1 5 0 10 1 -1 -1 1 60 -1 1 1 1 -1 -1 -1 -1 -1", &log, &e), 0);
	assert_int_equal(log.utc_offset_s, 0);
	assert_non_null(strstr(log.header, "no time zone"));
	sl_srclog_release(&log);
}

/* ---- values -------------------------------------------------------------- */

static void test_decimals_and_missing(void **st)
{
	(void)st;
	sl_srclog log = {0};
	sl_err e = {0};
	const char *text = "; MaxProcs: 64\n"
	                   "\n"
	                   "  1\t10.4  2.5 99.5  8 7.25 -1.00 -1 3600.0 -1 5 3 -1 -1 2 -1 -1 -1.0\n"
	                   "; a comment between jobs\n"
	                   "2 10.6 0 0 -1 -1 -1 16 -1 -1 0 3 -1 -1 2 -1 1 30\r\n";
	assert_int_equal(parse(text, &log, &e), 0);
	assert_int_equal(log.n, 2);
	const sl_logjob *a = &log.jobs[0], *b = &log.jobs[1];
	assert_int_equal(a->submit, 10); /* 10.4 rounds down */
	assert_int_equal(a->wait_s, 3);  /* 2.5 rounds half away from zero */
	assert_int_equal(a->run_s, 100);
	assert_true(a->cpu_s == 7.25f);
	assert_int_equal(a->used_mem_kb, -1); /* -1.00 is "unknown" too */
	assert_int_equal(a->est_s, 3600);
	assert_int_equal(a->status, SL_LOGJ_CANCELLED);
	assert_int_equal(a->think_s, -1);
	assert_int_equal(b->submit, 11);
	assert_int_equal(b->procs, -1);
	assert_int_equal(b->req_procs, 16);
	assert_int_equal(b->status, SL_LOGJ_FAILED);
	assert_int_equal(b->preceding, 1);
	assert_int_equal(b->think_s, 30);
	assert_int_equal(b->line, 5);
	assert_int_equal(log.max_procs, 64);
	sl_srclog_release(&log);
	/* partial records (2, 3, 4) share one status */
	assert_int_equal(parse("7 0 0 1 1 -1 -1 1 1 -1 3 1 1 -1 -1 -1 -1 -1\n", &log, &e), 0);
	assert_int_equal(log.jobs[0].status, SL_LOGJ_PARTIAL);
	sl_srclog_release(&log);
	/* a small step back in time is tolerated and sorted into place */
	assert_int_equal(parse("1 100 0 1 1 -1 -1 1 1 -1 1 1 1 -1 -1 -1 -1 -1\n"
	                       "2 50 0 1 1 -1 -1 1 1 -1 1 1 1 -1 -1 -1 -1 -1\n"
	                       "3 90 0 1 1 -1 -1 1 1 -1 1 1 1 -1 -1 -1 -1 -1\n", &log, &e), 0);
	assert_int_equal(log.jobs[0].id, 2);
	assert_int_equal(log.jobs[1].id, 3);
	assert_int_equal(log.jobs[2].id, 1);
	sl_srclog_release(&log);
}

/* ---- malformed lines ------------------------------------------------------ */

#define OK "1 0 0 10 1 -1 -1 1 60 -1 1 1 1 -1 -1 -1 -1 -1\n"

typedef struct bad_case {
	const char *text;
	int line;
	const char *needle;
} bad_case;

static const bad_case bad_cases[] = {
	{"1 0 0 10 1 -1 -1 1 60 -1 1 1 1 -1 -1 -1 -1\n", 1, "17 fields, SWF has 18: field 18 (think time) is missing"},
	{"; c\n" OK "2 0 0 10 1 -1 -1 1 60 -1 1 1 1 -1 -1 -1 -1 -1 7\n", 3, "19 fields, SWF has 18"},
	{OK "2 0 0 1O 1 -1 -1 1 60 -1 1 1 1 -1 -1 -1 -1 -1\n", 2, "field 4 (run time): expected a number, got \"1O\""},
	{OK "2 0 0 1O 1 -1 -1 1 60 -1\n", 2, "line has 10 fields, SWF has 18"},
	{"1 0 0 10 1 -1 -1 1 60 -1 1 1 1 -1 -1 -1 -1 x\n", 1, "field 18 (think time): expected a number"},
	{"1 0 -5 10 1 -1 -1 1 60 -1 1 1 1 -1 -1 -1 -1 -1\n", 1, "field 3 (wait time): -5 is negative"},
	{"1 0 0 10 -2 -1 -1 1 60 -1 1 1 1 -1 -1 -1 -1 -1\n", 1, "field 5 (allocated processors): -2 is negative"},
	{"1 0 0 10 1 -0.5 -1 1 60 -1 1 1 1 -1 -1 -1 -1 -1\n", 1, "field 6 (average CPU time): -0.5 is negative"},
	{"1 0 0 3000000000 1 -1 -1 1 60 -1 1 1 1 -1 -1 -1 -1 -1\n", 1, "field 4 (run time): 3000000000 is too large"},
	{"1 0 0 10 1 -1 -1 1 60 -1 9 1 1 -1 -1 -1 -1 -1\n", 1, "field 11 (status): 9 is too large"},
	{"1 0 0 10 1 -1 -1 1 60 -1 1 1 1 -1 -1 -1 -1 99999999999999999999\n", 1, "field 18 (think time)"},
	{"-1 0 0 10 1 -1 -1 1 60 -1 1 1 1 -1 -1 -1 -1 -1\n", 1, "field 1 (job number): -1"},
	{"1 -1 0 10 1 -1 -1 1 60 -1 1 1 1 -1 -1 -1 -1 -1\n", 1, "field 2 (submit time): -1"},
	{"1 1.2.3 0 10 1 -1 -1 1 60 -1 1 1 1 -1 -1 -1 -1 -1\n", 1, "field 2 (submit time): expected a number"},
	{"1 . 0 10 1 -1 -1 1 60 -1 1 1 1 -1 -1 -1 -1 -1\n", 1, "field 2 (submit time): expected a number"},
	{"1 1e3 0 10 1 -1 -1 1 60 -1 1 1 1 -1 -1 -1 -1 -1\n", 1, "field 2 (submit time): expected a number"},
	{"1 500 0 1 1 -1 -1 1 1 -1 1 1 1 -1 -1 -1 -1 -1\n2 400 0 1 1 -1 -1 1 1 -1 1 1 1 -1 -1 -1 -1 -1\n", 2,
	 "field 2 (submit time): 400 is 100 s before an earlier job's 500"},
	{OK OK, 2, "field 1 (job number): job 1 appears twice"},
	{"; UnixStartTime: yesterday\n" OK, 1, "header UnixStartTime: expected an integer, got \"yesterday\""},
	{"; TimeZone: 99999\n" OK, 1, "header TimeZone: 99999 s is not a UTC offset"},
	{"; MaxProcs: many\n" OK, 1, "header MaxProcs: expected an integer"},
	{"; MaxNodes: -4\n" OK, 1, "header MaxNodes: -4 is negative"},
	{"job_id,submit\n", 1, "line has 1 fields, SWF has 18"},
};

static void test_bad_lines(void **st)
{
	(void)st;
	char where[64];
	for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
		const bad_case *c = &bad_cases[i];
		sl_srclog log = {0};
		sl_err e = {0};
		int rc = parse(c->text, &log, &e);
		snprintf(where, sizeof where, "t.swf:%d", c->line);
		if (rc != SL_EPARSE || strcmp(e.origin, where) != 0 || !strstr(e.msg, c->needle))
			print_error("case %zu: rc %d, \"%s: %s\"; want %s and \"%s\"\n", i, rc, e.origin, e.msg, where,
			            c->needle);
		assert_int_equal(rc, SL_EPARSE);
		assert_string_equal(e.origin, where);
		assert_non_null(strstr(e.msg, c->needle));
		assert_null(log.jobs);
	}
}

/* Lenient: every bad line skipped, counted and the first few shown. */
static void test_lenient(void **st)
{
	(void)st;
	char text[4096] = "; MaxProcs: 8\n; UnixStartTime: bad\n";
	size_t k = strlen(text);
	for (int i = 1; i <= 10; i++) /* lines 3..12: even ids are broken */
		k += (size_t)snprintf(text + k, sizeof text - k, i % 2 ? "%d %d 0 5 1 -1 -1 1 60 -1 1 1 1 -1 -1 -1 -1 -1\n"
		                                                         : "%d %d 0 five 1\n", i, i * 10);
	sl_read_opts ro = {.lenient = 1};
	sl_srclog log = {0};
	sl_err e = {0};
	assert_int_equal(sl_swf_parse(text, k, "l.swf", &ro, &log, &e), 0);
	assert_int_equal(log.n, 5);
	assert_int_equal(log.report.bad, 6); /* the header line and five jobs */
	assert_int_equal(log.report.nshown, SL_READ_SHOW);
	assert_non_null(strstr(log.report.shown[0], "l.swf:2: header UnixStartTime"));
	assert_non_null(strstr(log.report.shown[1], "l.swf:4: line has 5 fields"));
	assert_int_equal(log.max_procs, 8);
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	sl_read_report_print(f, "x: ", &log.report);
	fclose(f);
	assert_non_null(strstr(buf, "x: 6 malformed lines skipped (--lenient); the first:"));
	assert_non_null(strstr(buf, "x:   l.swf:10:")); /* the fifth shown */
	assert_null(strstr(buf, "l.swf:12:"));        /* counted, not shown */
	free(buf);
	sl_srclog_release(&log);
	/* strictly, the same text stops at line 2 */
	assert_int_equal(sl_swf_parse(text, k, "l.swf", NULL, &log, &e), SL_EPARSE);
	assert_string_equal(e.origin, "l.swf:2");
}

/* ---- files ---------------------------------------------------------------- */

static void tmp_path(char *buf, size_t n, const char *suffix)
{
	const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	snprintf(buf, n, "%s/sl_test_swf_XXXXXX%s", dir, suffix);
	int fd = mkstemps(buf, (int)strlen(suffix));
	assert_true(fd >= 0);
	close(fd);
}

static void test_files(void **st)
{
	(void)st;
	char plain[256], gz[256], cut[256];
	const char *text = "; UnixStartTime: 0\n" OK "2 3 0 10 1 -1 -1 1 60 -1 1 1 1 -1 -1 -1 -1 -1\n";
	tmp_path(plain, sizeof plain, ".swf");
	tmp_path(gz, sizeof gz, ".swf.gz");
	tmp_path(cut, sizeof cut, ".swf.gz");
	FILE *f = fopen(plain, "w");
	fputs(text, f);
	fclose(f);
	gzFile z = gzopen(gz, "wb");
	for (int i = 0; i < 2000; i++) /* big enough that a cut file is missing jobs */
		gzprintf(z, "%d %d 0 10 1 -1 -1 1 60 -1 1 1 1 -1 -1 -1 -1 -1\n", i + 1, i);
	gzclose(z);
	sl_srclog log = {0};
	sl_err e = {0};
	assert_int_equal(sl_swf_load(plain, NULL, &log, &e), 0);
	assert_int_equal(log.n, 2);
	assert_string_equal(log.name, strrchr(plain, '/') + 1);
	assert_int_equal(sl_swf_load(gz, NULL, &log, &e), 0); /* replaces the log */
	assert_int_equal(log.n, 2000);
	sl_srclog_release(&log);
	/* a truncated gzip file is an I/O error, not a shorter log */
	FILE *in = fopen(gz, "rb");
	char buf[1 << 16];
	size_t n = fread(buf, 1, sizeof buf, in);
	fclose(in);
	f = fopen(cut, "wb");
	fwrite(buf, 1, n / 2, f);
	fclose(f);
	assert_int_equal(sl_swf_load(cut, NULL, &log, &e), SL_EIO);
	assert_null(log.jobs);
	assert_int_equal(sl_swf_load("/nonexistent/x.swf", NULL, &log, &e), SL_EIO);
	unlink(plain);
	unlink(gz);
	unlink(cut);
}

/* Random damage: every result is a log or a located parse error. */
static void test_mutations(void **st)
{
	(void)st;
	const char *base = "; UnixStartTime: 1000\n; TimeZoneString: US/Eastern\n; MaxProcs: 64\n"
	                   "1 0 5 100 4 99.5 -1 4 3600 -1 1 1 1 -1 -1 -1 -1 -1\n"
	                   "2 30 0 20 1 -1 -1 1 60 -1 0 2 1 -1 -1 -1 -1 -1\n"
	                   "3 31 1.5 0 8 -1 -1 8 120 -1 5 2 1 -1 -1 -1 2 7\n";
	static const char alphabet[] = "0123456789 -.\n\r;:\tx\x00e";
	size_t len = strlen(base);
	char *buf = malloc(len + 8);
	sl_rng r;
	sl_rng_seed(&r, 7);
	int ok = 0, bad = 0;
	for (int i = 0; i < 20000; i++) {
		memcpy(buf, base, len);
		size_t n = len;
		n = tu_mutate(&r, buf, n, alphabet, sizeof alphabet - 1, 4);
		sl_srclog log = {0};
		sl_err e = {0};
		sl_read_opts ro = {.lenient = (int)(i & 1)};
		int rc = sl_swf_parse(buf, n, "m.swf", &ro, &log, &e);
		if (rc == 0) {
			ok++;
			for (size_t j = 0; j < log.n; j++)
				assert_true(log.jobs[j].id >= 0 && log.jobs[j].run_s >= -1 && log.jobs[j].status <= 5);
		} else {
			bad++;
			assert_int_equal(rc, SL_EPARSE);
			assert_int_equal(strncmp(e.origin, "m.swf:", 6), 0);
		}
		sl_srclog_release(&log);
	}
	assert_true(ok > 100 && bad > 100);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nasa),
		cmocka_unit_test(test_kth),
		cmocka_unit_test(test_ctc),
		cmocka_unit_test(test_hpc2n),
		cmocka_unit_test(test_daylight_saving),
		cmocka_unit_test(test_header_zones),
		cmocka_unit_test(test_decimals_and_missing),
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_lenient),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_mutations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
