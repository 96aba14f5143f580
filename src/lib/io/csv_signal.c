/*
 * csv_signal.c — read one column of a signal CSV onto the scenario's grid.
 *
 * The whole file is read into memory through zlib (gzread passes plain files
 * through unchanged), then split in place line by line.  Rows must sit on a
 * regular step, detected from the first two data rows; every row is checked
 * against it as it is read, so a gap, duplicate or out-of-order time is
 * reported at the line where it happens.  Only the values are kept: the
 * times of a regular series are first_t + k * file_step.
 *
 * Resampling integrates the piecewise-constant file series over each grid
 * step, which holds a coarser series constant, averages a finer one, and
 * weights correctly when the two grids are not aligned.
 */
#include "io/csv_signal.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <zlib.h>

#include "core/mem.h"
#include "core/time.h"
#include "core/banned.h"

#define CSV_MAX_BYTES ((size_t)256 << 20) /* decompressed; a signal is far smaller */
#define CSV_MAX_HOUR 100000000LL          /* |hour index| bound: ~11,000 years */

/* Parsing state.  Invariant once nrows >= 2: row k holds the value over
 * [first_t + k*file_step, first_t + (k+1)*file_step), file_step > 0. */
typedef struct csv_ctx {
	const char *path;
	const char *column;
	char *p, *end;        /* unread part of the buffer */
	int line;             /* 1-based number of the current line */
	int by_hour;          /* first column is `hour`, not `time` */
	const char *tcol;     /* name of the first column, for messages */
	int col, ncols;       /* value column index; header field count */
	SL_VEC(char *) f;     /* fields of the current line */
	SL_VEC(double) v;     /* one value per data row */
	int64_t t0;           /* grid start (hour indices count from it) */
	int64_t first_t, prev_t, file_step;
	int first_line, second_line;
} csv_ctx;

/* Record an error located at the current line. */
__attribute__((format(printf, 4, 5)))
static int fail(const csv_ctx *c, sl_err *err, int code, const char *fmt, ...)
{
	char origin[SL_ERR_ORIGIN_MAX];
	va_list ap;
	snprintf(origin, sizeof origin, "%s:%d", c->path, c->line);
	va_start(ap, fmt);
	sl_err_vset(err, code, origin, fmt, ap);
	va_end(ap);
	return code;
}

static int read_all(const char *path, char **out, size_t *len, sl_err *err)
{
	errno = 0;
	gzFile gz = gzopen(path, "rb");
	char *buf = NULL, ebuf[128];
	size_t n = 0, cap = 0;
	int zerr = Z_OK;
	if (!gz)
		return sl_err_set(err, SL_EIO, path, "cannot open: %s",
		                  errno ? strerror_r(errno, ebuf, sizeof ebuf) : "out of memory");
	gzbuffer(gz, 1 << 17);
	for (;;) {
		sl__grow((void **)&buf, &cap, 1, n + (1 << 16) + 1);
		int got = gzread(gz, buf + n, (unsigned)(cap - n - 1));
		if (got < 0)
			break;
		if (got == 0) {
			gzerror(gz, &zerr);
			break;
		}
		n += (size_t)got;
		if (n > CSV_MAX_BYTES) {
			sl_err_set(err, SL_EIO, path, "file too large (over %zu MiB decompressed)",
			           CSV_MAX_BYTES >> 20);
			goto fail;
		}
	}
	const char *zmsg = gzerror(gz, &zerr);
	if (zerr != Z_OK && zerr != Z_STREAM_END) {
		sl_err_set(err, SL_EIO, path, "cannot read: %s",
		           zerr == Z_ERRNO ? strerror_r(errno, ebuf, sizeof ebuf) : zmsg);
		goto fail;
	}
	gzclose(gz);
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
fail:
	gzclose(gz);
	sl_free(buf);
	return SL_EIO;
}

/* The next line, NUL-terminated with any CR stripped, or NULL at the end. */
static char *next_line(csv_ctx *c)
{
	if (c->p >= c->end)
		return NULL;
	char *s = c->p, *nl = memchr(s, '\n', (size_t)(c->end - s));
	char *e = nl ? nl : c->end;
	c->p = nl ? nl + 1 : c->end;
	*e = '\0';
	if (e > s && e[-1] == '\r')
		e[-1] = '\0';
	c->line++;
	return s;
}

static int is_skipped(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return *s == '\0' || *s == '#';
}

/* Trim blanks and one pair of surrounding double quotes, in place. */
static char *trim_field(char *s, char *e)
{
	while (s < e && (*s == ' ' || *s == '\t'))
		s++;
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	if (e - s >= 2 && *s == '"' && e[-1] == '"') {
		s++;
		e--;
	}
	*e = '\0';
	return s;
}

/* Split line at commas into c->f (quotes do not protect commas). */
static void split(csv_ctx *c, char *line)
{
	c->f.n = 0;
	for (;;) {
		char *comma = strchr(line, ',');
		char *e = comma ? comma : line + strlen(line);
		sl_vec_push(&c->f, trim_field(line, e));
		if (!comma)
			return;
		line = comma + 1;
	}
}

static void list_columns(const csv_ctx *c, char *buf, size_t n)
{
	size_t k = 0;
	buf[0] = '\0';
	for (size_t i = 1; i < c->f.n && k < n; i++)
		k += (size_t)snprintf(buf + k, n - k, "%s%s", i > 1 ? ", " : "", c->f.v[i]);
}

static int parse_header(csv_ctx *c, char *line, sl_err *err)
{
	char cols[256];
	split(c, line);
	c->tcol = c->f.v[0];
	c->by_hour = strcasecmp(c->tcol, "hour") == 0;
	if (!c->by_hour && strcasecmp(c->tcol, "time") != 0)
		return fail(c, err, SL_EPARSE, "first column must be `time` or `hour`, got \"%s\"",
		            c->tcol);
	c->tcol = c->by_hour ? "hour" : "time";
	c->ncols = (int)c->f.n;
	c->col = -1;
	for (size_t i = 1; i < c->f.n; i++) {
		if (strcmp(c->f.v[i], c->column) != 0)
			continue;
		if (c->col >= 0)
			return fail(c, err, SL_EPARSE, "column '%s' appears twice in the header",
			            c->column);
		c->col = (int)i;
	}
	if (c->col < 0) {
		list_columns(c, cols, sizeof cols);
		return fail(c, err, SL_ENOTFOUND, "no column '%s' in the header (columns: %s)",
		            c->column, cols[0] ? cols : "none");
	}
	return 0;
}

static int parse_time(csv_ctx *c, const char *s, int64_t *t, sl_err *err)
{
	sl_err e = {0};
	if (!*s)
		return fail(c, err, SL_EPARSE, "column '%s': empty value", c->tcol);
	if (!c->by_hour) {
		if (sl_time_parse_iso(s, 0, t, &e))
			return fail(c, err, SL_EPARSE, "column 'time': %s", e.msg);
		return 0;
	}
	char *end;
	errno = 0;
	long long h = strtoll(s, &end, 10);
	if (*end || errno || h > CSV_MAX_HOUR || h < -CSV_MAX_HOUR)
		return fail(c, err, SL_EPARSE, "column 'hour': \"%s\" is not an hour index", s);
	*t = c->t0 + h * SL_HOUR;
	return 0;
}

static int parse_value(csv_ctx *c, const char *s, double *out, sl_err *err)
{
	char *end;
	if (!*s)
		return fail(c, err, SL_EPARSE, "column '%s': empty value", c->column);
	double x = strtod(s, &end);
	if (end == s || *end)
		return fail(c, err, SL_EPARSE, "column '%s': \"%s\" is not a number", c->column, s);
	if (!isfinite(x))
		return fail(c, err, SL_EPARSE, "column '%s': %s is not a finite number", c->column, s);
	*out = x;
	return 0;
}

/* "2025-01-01T03:00:00Z" or "hour 3", for messages. */
static const char *show_t(const csv_ctx *c, int64_t t, char *buf, size_t n)
{
	if (c->by_hour)
		snprintf(buf, n, "hour %lld", (long long)((t - c->t0) / SL_HOUR));
	else
		sl_time_format_iso(t, 0, 1, buf, n);
	return buf;
}

/* Check row time t against the regular step (detected from rows 1 and 2). */
static int check_order(csv_ctx *c, int64_t t, sl_err *err)
{
	char a[40], b[40], st[32];
	size_t k = c->v.n; /* rows accepted so far */
	if (k == 0) {
		c->first_t = c->prev_t = t;
		c->first_line = c->line;
		return 0;
	}
	if (t == c->prev_t)
		return fail(c, err, SL_EPARSE, "column '%s': duplicate time %s", c->tcol,
		            show_t(c, t, a, sizeof a));
	if (t < c->prev_t)
		return fail(c, err, SL_EPARSE, "column '%s': time %s out of order (after %s)",
		            c->tcol, show_t(c, t, a, sizeof a), show_t(c, c->prev_t, b, sizeof b));
	if (k == 1) {
		c->file_step = t - c->prev_t;
		c->second_line = c->line;
	} else if (t != c->prev_t + c->file_step) {
		sl_duration_format(c->file_step, st, sizeof st);
		show_t(c, c->prev_t + c->file_step, a, sizeof a);
		if (t > c->prev_t + c->file_step)
			return fail(c, err, SL_EPARSE,
			            "column '%s': gap: missing time %s (the file's step is %s, from lines %d-%d)",
			            c->tcol, a, st, c->first_line, c->second_line);
		return fail(c, err, SL_EPARSE,
		            "column '%s': irregular step: expected %s (the file's step is %s, from lines %d-%d)",
		            c->tcol, a, st, c->first_line, c->second_line);
	}
	c->prev_t = t;
	return 0;
}

static int parse_row(csv_ctx *c, char *line, sl_err *err)
{
	int64_t t = 0;
	double x = 0;
	int rc;
	split(c, line);
	if ((int)c->f.n <= c->col)
		return fail(c, err, SL_EPARSE,
		            "short row: %zu fields, the header has %d (no value for column '%s')",
		            c->f.n, c->ncols, c->column);
	if ((int)c->f.n < c->ncols)
		return fail(c, err, SL_EPARSE, "short row: %zu fields, the header has %d", c->f.n,
		            c->ncols);
	if ((int)c->f.n > c->ncols)
		return fail(c, err, SL_EPARSE, "long row: %zu fields, the header has %d", c->f.n,
		            c->ncols);
	if ((rc = parse_time(c, c->f.v[0], &t, err)) || (rc = parse_value(c, c->f.v[c->col], &x, err)))
		return rc;
	if ((rc = check_order(c, t, err)))
		return rc;
	sl_vec_push(&c->v, x);
	return 0;
}

static int parse_all(csv_ctx *c, sl_err *err)
{
	char *line;
	int rc, have_header = 0;
	if (c->end - c->p >= 3 && memcmp(c->p, "\xEF\xBB\xBF", 3) == 0)
		c->p += 3;
	while ((line = next_line(c))) {
		if (strchr(line, '\r'))
			return fail(c, err, SL_EPARSE,
			            "carriage return inside a line (old Mac line endings?)");
		if (is_skipped(line))
			continue;
		rc = have_header ? parse_row(c, line, err) : parse_header(c, line, err);
		if (rc)
			return rc;
		have_header = 1;
	}
	if (!have_header)
		return sl_err_set(err, SL_EPARSE, c->path, "no header row (expected `time,<columns>` "
		                  "or `hour,<columns>`)");
	return 0;
}

/* The file must cover [t0, t0 + n*step_s). */
static int check_cover(const csv_ctx *c, int32_t step_s, int32_t n, sl_err *err)
{
	char a[40], b[40], x[40], y[40];
	int64_t t1 = c->t0 + (int64_t)n * step_s;
	if (c->v.n == 0)
		return sl_err_set(err, SL_ERANGE, c->path, "column '%s': no data rows", c->column);
	if (c->v.n == 1)
		return sl_err_set(err, SL_ERANGE, c->path,
		                  "column '%s': only one data row (line %d): cannot tell its step",
		                  c->column, c->first_line);
	int64_t hi = c->prev_t + c->file_step;
	if (c->first_t <= c->t0 && hi >= t1)
		return 0;
	return sl_err_set(err, SL_ERANGE, c->path,
	                  "column '%s': the series covers [%s, %s) but the scenario needs [%s, %s)",
	                  c->column, show_t(c, c->first_t, a, sizeof a), show_t(c, hi, b, sizeof b),
	                  show_t(c, c->t0, x, sizeof x), show_t(c, t1, y, sizeof y));
}

/* Mean of the file series over each grid step (see the file comment). */
static void resample(const csv_ctx *c, int32_t step_s, int32_t n, double *out)
{
	const int64_t fs = c->file_step, ft = c->first_t;
	for (int32_t i = 0; i < n; i++) {
		int64_t a = c->t0 + (int64_t)i * step_s, b = a + step_s;
		int64_t k = (a - ft) / fs; /* a >= ft by check_cover */
		if (ft + (k + 1) * fs >= b) {
			out[i] = c->v.v[k]; /* one file step covers the grid step: exact */
			continue;
		}
		double sum = 0;
		for (int64_t x = a; x < b; k++) {
			int64_t e = ft + (k + 1) * fs;
			if (e > b)
				e = b;
			sum += c->v.v[k] * (double)(e - x);
			x = e;
		}
		out[i] = sum / step_s;
	}
}

int sl_csv_signal_load(const char *path, const char *column, int64_t t0, int32_t step_s,
                       int32_t n, double *out, sl_err *err)
{
	csv_ctx c = {.path = path, .column = column, .t0 = t0};
	char *buf = NULL;
	size_t len = 0;
	int rc;
	if (step_s <= 0 || n <= 0)
		return sl_err_set(err, SL_EINVAL, path, "bad grid: %d steps of %d s", n, step_s);
	if ((rc = read_all(path, &buf, &len, err)))
		return rc;
	const char *nul = memchr(buf, '\0', len);
	if (nul) {
		c.line = 1;
		for (const char *q = buf; q < nul; q++)
			c.line += *q == '\n';
		rc = fail(&c, err, SL_EPARSE, "NUL byte in the file (binary data?)");
		goto done;
	}
	c.p = buf;
	c.end = buf + len;
	if ((rc = parse_all(&c, err)) || (rc = check_cover(&c, step_s, n, err)))
		goto done;
	resample(&c, step_s, n, out);
done:
	sl_vec_free(&c.f);
	sl_vec_free(&c.v);
	sl_free(buf);
	return rc;
}
