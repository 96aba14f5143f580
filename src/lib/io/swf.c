/*
 * swf.c — the Standard Workload Format reader (contract in io/swf.h).
 *
 * Lines come in place from the shared chunked reader (plain or gzip), the
 * 18 fields are split on blanks and converted by hand in one pass, and a
 * job costs no allocation beyond its slot in the doubling array.  The
 * header's keys are parsed as they come; the ones suanli uses (start
 * instant, time zone, machine size, attribution) are validated, the rest
 * are skipped.  Every malformed line stops the read with "file:line" and
 * the field, or, when reading leniently, is counted and the first few
 * messages kept.
 */
#include "io/swf.h"

#include <limits.h>
#include <string.h>

#include "core/mem.h"
#include "io/swf_int.h"
#include "io/trace_int.h"

#define NF 18

static const char *const field_name[NF] = {
	"job number", "submit time", "wait time", "run time", "allocated processors",
	"average CPU time", "used memory", "requested processors", "requested time",
	"requested memory", "status", "user", "group", "executable", "queue", "partition",
	"preceding job", "think time",
};

/* Largest value each field may hold (the job struct's width). */
static const int64_t field_max[NF] = {
	INT64_MAX / 2, INT64_MAX / 4, INT32_MAX, INT32_MAX, INT32_MAX, 1000000000000000LL, INT64_MAX / 2,
	INT32_MAX, INT32_MAX, INT64_MAX / 2, 5, INT32_MAX, INT32_MAX, INT32_MAX, INT32_MAX,
	INT32_MAX, INT64_MAX / 2, INT32_MAX,
};

typedef struct swf_reader {
	sl__lines lines;
	sl_srclog log;
	sl__idseen seen;
	int lenient;
	int in_data;            /* a job line has been read: ';' lines are plain comments now */
	int unsorted;           /* a job stepped back (within the tolerance) */
	int64_t max_rel;        /* largest relative submit time so far */
	int has_tz_offset;
	int32_t tz_offset;      /* the TimeZone header */
	sl_err *err;
} swf_reader;

static int fail(swf_reader *r, sl_err *e, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(swf_reader *r, sl_err *e, const char *fmt, ...)
{
	char where[SL_ERR_ORIGIN_MAX];
	va_list ap;
	snprintf(where, sizeof where, "%s:%lld", r->lines.name, (long long)r->lines.lineno);
	va_start(ap, fmt);
	sl_err_vset(e, SL_EPARSE, where, fmt, ap);
	va_end(ap);
	return SL_EPARSE;
}

/* ---- numbers ------------------------------------------------------------ */

/* Parse [p, q) as a decimal number: optional '-', digits, optional '.'
 * and digits.  *iv is the value rounded half away from zero, *dv the exact
 * value.  Returns 0, 1 (not a number) or 2 (too large). */
static int scan_num(const char *p, const char *q, int64_t *iv, double *dv)
{
	int neg = p < q && *p == '-';
	p += neg;
	uint64_t v = 0;
	int digits = 0, up = 0;
	for (; p < q && (unsigned)(*p - '0') <= 9; p++, digits++) {
		if (v > (uint64_t)INT64_MAX / 10 - 1)
			return 2;
		v = v * 10 + (unsigned)(*p - '0');
	}
	double frac = 0, scale = 0.1;
	if (p < q && *p == '.') {
		p++;
		up = p < q && *p >= '5' && *p <= '9';
		for (; p < q && (unsigned)(*p - '0') <= 9; p++, digits++, scale /= 10)
			frac += (*p - '0') * scale;
	}
	if (p != q || digits == 0)
		return 1;
	*dv = neg ? -((double)v + frac) : (double)v + frac;
	*iv = neg ? -(int64_t)(v + (uint64_t)up) : (int64_t)(v + (uint64_t)up);
	return 0;
}

/* ---- header ------------------------------------------------------------- */

static void header_add(swf_reader *r, const char *key, const char *v, size_t n)
{
	char line[400];
	int k = snprintf(line, sizeof line, "%s: %.*s\n", key, (int)(n > 300 ? 300 : n), v);
	size_t have = r->log.header ? strlen(r->log.header) : 0;
	r->log.header = sl_realloc(r->log.header, have + (size_t)k + 1);
	memcpy(r->log.header + have, line, (size_t)k + 1);
}

/* The leading (optionally signed) integer of a header value. */
static int header_int(swf_reader *r, sl_err *e, const char *key, const char *v, const char *end,
                      int64_t *out)
{
	const char *q = v + (v < end && (*v == '-' || *v == '+'));
	while (q < end && (unsigned)(*q - '0') <= 9)
		q++;
	char b[64];
	int rc = sl__scan_i64(v + (v < end && *v == '+'), q, out);
	if (rc || (q < end && *q != ' ' && *q != '\t' && *q != '('))
		return fail(r, e, "header %s: expected an integer, got \"%s\"", key,
		            sl__show(v, (size_t)(end - v), b, sizeof b));
	return 0;
}

static int header_tz(swf_reader *r, const char *v, const char *end)
{
	size_t n = 0;
	while (v + n < end && v[n] != ' ' && v[n] != '\t')
		n++;
	if (n >= sizeof r->log.tz_name)
		n = sizeof r->log.tz_name - 1;
	memcpy(r->log.tz_name, v, n);
	r->log.tz_name[n] = '\0';
	return 0;
}

/* One "; Key: value" line (before the first job). */
static int parse_header(swf_reader *r, sl_err *e, const char *p, const char *end)
{
	while (p < end && (*p == ';' || *p == ' ' || *p == '\t'))
		p++;
	const char *colon = memchr(p, ':', (size_t)(end - p));
	if (!colon)
		return 0; /* free text, a continuation line */
	size_t klen = (size_t)(colon - p);
	const char *v = colon + 1;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
#define KEY(s) (klen == sizeof(s) - 1 && memcmp(p, s, klen) == 0)
	int64_t x;
	int rc = 0;
	if (KEY("UnixStartTime")) {
		if ((rc = header_int(r, e, "UnixStartTime", v, end, &x)) == 0) {
			r->log.start = x;
			r->log.has_start = 1;
		}
	} else if (KEY("TimeZone")) {
		if ((rc = header_int(r, e, "TimeZone", v, end, &x)) == 0 && (x < -14 * 3600 || x > 14 * 3600))
			rc = fail(r, e, "header TimeZone: %lld s is not a UTC offset (-50400..50400)", (long long)x);
		if (rc == 0) {
			r->tz_offset = (int32_t)x;
			r->has_tz_offset = 1;
		}
	} else if (KEY("TimeZoneString")) {
		rc = header_tz(r, v, end);
	} else if (KEY("MaxProcs") || KEY("MaxNodes")) {
		int procs = KEY("MaxProcs");
		if ((rc = header_int(r, e, procs ? "MaxProcs" : "MaxNodes", v, end, &x)) == 0 && x < 0)
			rc = fail(r, e, "header %s: %lld is negative", procs ? "MaxProcs" : "MaxNodes", (long long)x);
		if (rc == 0)
			*(procs ? &r->log.max_procs : &r->log.max_nodes) = x;
	} else if (KEY("Computer") || KEY("Installation") || KEY("Acknowledge") || KEY("Information") ||
	           KEY("Conversion") || KEY("Version")) {
		char key[32];
		snprintf(key, sizeof key, "%.*s", (int)klen, p);
		header_add(r, key, v, (size_t)(end - v));
	}
#undef KEY
	return rc;
}

/* ---- job lines ---------------------------------------------------------- */

static int count_fields(const char *p, const char *end)
{
	int n = 0;
	while (p < end) {
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p == end)
			break;
		n++;
		while (p < end && *p != ' ' && *p != '\t')
			p++;
	}
	return n;
}

/* Split and convert the 18 fields; range checks per field. */
static int split_fields(swf_reader *r, sl_err *e, const char *p, const char *end, int64_t *iv,
                        double *cpu_s)
{
	const char *line = p;
	char b[64];
	for (int k = 0; k < NF; k++) {
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p == end)
			return fail(r, e, "line has %d fields, SWF has 18: field %d (%s) is missing", k, k + 1,
			            field_name[k]);
		const char *q = p;
		while (q < end && *q != ' ' && *q != '\t')
			q++;
		double dv;
		int rc = scan_num(p, q, &iv[k], &dv);
		if (rc == 1 && count_fields(line, end) != NF) /* not SWF at all: say so */
			return fail(r, e, "line has %d fields, SWF has 18", count_fields(line, end));
		if (rc == 1)
			return fail(r, e, "field %d (%s): expected a number, got \"%s\"", k + 1, field_name[k],
			            sl__show(p, (size_t)(q - p), b, sizeof b));
		if (rc == 2 || iv[k] > field_max[k])
			return fail(r, e, "field %d (%s): %s is too large", k + 1, field_name[k],
			            sl__show(p, (size_t)(q - p), b, sizeof b));
		if (dv < 0 && dv != -1.0)
			return fail(r, e, "field %d (%s): %s is negative (only -1, \"unknown\", may be)", k + 1,
			            field_name[k], sl__show(p, (size_t)(q - p), b, sizeof b));
		if (k == 5)
			*cpu_s = (float)dv;
		p = q;
	}
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p != end)
		return fail(r, e, "line has %d fields, SWF has 18", count_fields(p, end) + NF);
	return 0;
}

static void fill_job(swf_reader *r, const int64_t *iv, double cpu_s, sl_logjob *j)
{
	memset(j, 0, sizeof *j);
	j->id = iv[0];
	j->submit = r->log.start + iv[1];
	j->wait_s = (int32_t)iv[2];
	j->run_s = (int32_t)iv[3];
	j->procs = (int32_t)iv[4];
	j->cpu_s = (float)cpu_s;
	j->used_mem_kb = iv[6];
	j->req_procs = (int32_t)iv[7];
	j->est_s = (int32_t)iv[8];
	j->req_mem_kb = iv[9];
	j->status = (int8_t)(iv[10] >= 2 && iv[10] <= 4 ? SL_LOGJ_PARTIAL : iv[10]);
	j->user = (int32_t)iv[11];
	j->group = (int32_t)iv[12];
	j->exe = (int32_t)iv[13];
	j->queue = (int32_t)iv[14];
	j->partition = (int32_t)iv[15];
	j->preceding = iv[16];
	j->think_s = (int32_t)iv[17];
	j->cpu_milli = j->gpu_milli = j->mem_mib = -1;
	j->qos = SL_QOS_NONE;
	j->line = r->lines.lineno > INT32_MAX ? INT32_MAX : (int32_t)r->lines.lineno;
}

/* Checks across fields and lines, then append. */
static int add_job(swf_reader *r, sl_err *e, const char *p, const char *end)
{
	int64_t iv[NF];
	double cpu_s = -1;
	int rc = split_fields(r, e, p, end, iv, &cpu_s);
	if (rc)
		return rc;
	if (iv[0] < 0)
		return fail(r, e, "field 1 (job number): -1; every job needs its number");
	if (iv[1] < 0)
		return fail(r, e, "field 2 (submit time): -1; every job needs its submit time");
	if (iv[1] < r->max_rel - SL_LOG_BACKSTEP_TOL_S)
		return fail(r, e, "field 2 (submit time): %lld is %lld s before an earlier job's %lld "
		            "(jobs are sorted by submit time; at most %d s back is tolerated)",
		            (long long)iv[1], (long long)(r->max_rel - iv[1]), (long long)r->max_rel,
		            SL_LOG_BACKSTEP_TOL_S);
	if (sl__idseen_add(&r->seen, iv[0]))
		return fail(r, e, "field 1 (job number): job %lld appears twice", (long long)iv[0]);
	if (iv[1] < r->max_rel)
		r->unsorted = 1;
	else
		r->max_rel = iv[1];
	if (r->log.n == r->log.cap)
		sl__grow((void **)&r->log.jobs, &r->log.cap, sizeof *r->log.jobs, r->log.n + 1);
	fill_job(r, iv, cpu_s, &r->log.jobs[r->log.n++]);
	return 0;
}

/* ---- the read loop ------------------------------------------------------- */

/* A bad line: the error (strict) or a counted skip (lenient). */
static int bad_line(swf_reader *r, int rc, const sl_err *e)
{
	if (!r->lenient) {
		if (r->err)
			*r->err = *e;
		return rc;
	}
	sl__read_report_add(&r->log.report, e);
	return 0;
}

static int read_lines(swf_reader *r)
{
	const char *line;
	size_t n;
	int rc;
	while ((rc = sl__lines_next(&r->lines, &line, &n, r->err)) == 1) {
		const char *p = line, *end = line + n;
		sl_err e = {0};
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p == end)
			continue;
		if (*p == ';') {
			if (!r->in_data && (rc = parse_header(r, &e, p, end)) && (rc = bad_line(r, rc, &e)))
				return rc;
			continue;
		}
		r->in_data = 1;
		if ((rc = add_job(r, &e, p, end)) && (rc = bad_line(r, rc, &e)))
			return rc;
	}
	return rc < 0 ? rc : 0;
}

/* The log's local time: the named zone if known, else the TimeZone offset. */
static void resolve_tz(swf_reader *r)
{
	sl_srclog *L = &r->log;
	int32_t std_s;
	int rule;
	if (L->tz_name[0] && sl__swf_tz_lookup(L->tz_name, &std_s, &rule) == 0) {
		L->utc_offset_s = std_s;
		L->tz = rule;
		return;
	}
	L->tz = SL_TZ_FIXED;
	L->utc_offset_s = r->has_tz_offset ? r->tz_offset : 0;
	char note[200];
	snprintf(note, sizeof note, "%s%s%s, read as a fixed UTC offset of %+d s (no daylight saving)",
	         L->tz_name[0] ? "time zone \"" : "no time zone in the header",
	         L->tz_name[0] ? L->tz_name : "", L->tz_name[0] ? "\" is not one suanli knows" : "",
	         (int)L->utc_offset_s);
	header_add(r, "Note", note, strlen(note));
}

static int read_log(swf_reader *r, const sl_read_opts *opts, sl_srclog *out)
{
	r->lenient = opts && opts->lenient;
	r->log.format = SL_LOG_SWF;
	const char *base = strrchr(r->lines.name, '/');
	r->log.name = sl_strdup(base ? base + 1 : r->lines.name);
	int rc = read_lines(r);
	sl__idseen_free(&r->seen);
	sl__lines_close(&r->lines);
	if (rc) {
		sl_srclog_release(&r->log);
		return rc;
	}
	if (r->unsorted)
		sl__srclog_sort(&r->log);
	resolve_tz(r);
	sl_srclog_release(out);
	*out = r->log;
	return 0;
}

int sl_swf_load(const char *path, const sl_read_opts *opts, sl_srclog *out, sl_err *err)
{
	swf_reader r;
	memset(&r, 0, sizeof r);
	r.err = err;
	int rc = sl__lines_open(&r.lines, path, err);
	if (rc)
		return rc;
	return read_log(&r, opts, out);
}

int sl_swf_parse(const char *text, size_t len, const char *name, const sl_read_opts *opts,
                 sl_srclog *out, sl_err *err)
{
	swf_reader r;
	memset(&r, 0, sizeof r);
	r.err = err;
	sl__lines_mem(&r.lines, text, len, name ? name : "<memory>");
	return read_log(&r, opts, out);
}
