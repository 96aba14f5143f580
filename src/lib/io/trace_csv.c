/*
 * trace_csv.c — the native CSV trace: reader and writer.
 *
 * The reader is built for a million rows a second and more: lines come in
 * place from a 1 MiB buffer (io/trace_int.h), fields are split and
 * converted by hand in one pass, ids resolve through hash maps, and a row
 * costs no allocation (jobs land in a doubling array).  Every malformed row
 * stops the read with "name:line" and the column it is about.
 *
 * The writer formats integers by hand into a large buffer.  Together they
 * round-trip exactly: read -> write -> read gives identical jobs, and a
 * file the writer produced is reproduced byte for byte.
 */
#include "io/trace.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "io/trace_int.h"

enum col {
	C_JOB_ID, C_SUBMIT, C_ORIGIN, C_CLASS, C_CORES, C_GPUS, C_EST, C_RUN, C_DEADLINE,
	C_LATENCY, C_INPUT, C_OUTPUT, C_TAG, C_TENANT, NCOLS
};

/* The documented column order; the writer uses it. */
static const char *const col_name[NCOLS] = {
	"job_id", "submit", "origin", "class", "cores", "gpus", "est_s", "run_s", "deadline_s",
	"latency_budget_ms", "input_bytes", "output_bytes", "data_tag", "tenant",
};

/* Allowed range of each integer column (the id and float columns ignore it). */
static const int64_t col_lo[NCOLS] = {0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0};
static const int64_t col_hi[NCOLS] = {
	INT64_MAX, INT64_MAX, 0, 0, INT32_MAX, INT32_MAX, INT32_MAX, INT32_MAX, INT64_MAX,
	0, INT64_MAX, INT64_MAX, 0, INT16_MAX,
};

_Static_assert(offsetof(sl_origin, id) == 0, "idmap reads the id as the first member");
_Static_assert(offsetof(sl_job_class, id) == 0, "idmap reads the id as the first member");
_Static_assert(offsetof(sl_data_rule, tag) == 0, "idmap reads the tag as the first member");

typedef struct reader {
	const sl_network *net;
	sl__lines lines;
	sl__idmap origins, classes, tags;
	int col_at[NCOLS];        /* field position -> column */
	int native;               /* the columns are in the documented order */
	int64_t prev_submit, prev_id;
	int ids_increasing;       /* every id so far exceeded the one before */
	sl__idseen seen;          /* used only once ids stop increasing */
	sl_trace t;
	sl_err *err;
} reader;

/* ---- errors ---------------------------------------------------------- */

/* Fail the current line: "name:line" and "column "X": msg" (col < 0: no
 * column prefix). */
static int row_fail(reader *r, int col, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int row_fail(reader *r, int col, const char *fmt, ...)
{
	char where[SL_ERR_ORIGIN_MAX], msg[SL_ERR_MSG_MAX - 64];
	va_list ap;
	snprintf(where, sizeof where, "%s:%lld", r->lines.name, (long long)r->lines.lineno);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (col < 0)
		return sl_err_set(r->err, SL_EPARSE, where, "%s", msg);
	return sl_err_set(r->err, SL_EPARSE, where, "column \"%s\": %s", col_name[col], msg);
}

/* ---- field conversion ------------------------------------------------ */

/* Parse [p, q) as a finite decimal number into a float.  Returns 0 or 1. */
static int scan_float(const char *p, const char *q, float *out)
{
	int64_t iv;
	if (sl__scan_i64(p, q, &iv) == 0 && iv >= -(1 << 24) && iv <= (1 << 24)) {
		*out = (float)iv; /* exact: the common case, no strtof */
		return 0;
	}
	char tmp[64];
	size_t n = (size_t)(q - p);
	if (n == 0 || n >= sizeof tmp || !(*p == '-' || *p == '.' || (*p >= '0' && *p <= '9')))
		return 1;
	memcpy(tmp, p, n);
	tmp[n] = '\0';
	char *end;
	float f = strtof(tmp, &end);
	if (end != tmp + n || !isfinite(f))
		return 1;
	*out = f;
	return 0;
}

static int field_int(reader *r, int col, const char *p, const char *q, int64_t *out)
{
	char b[64];
	int rc = sl__scan_i64(p, q, out);
	if (rc == 1)
		return p == q ? row_fail(r, col, "empty; expected an integer")
		              : row_fail(r, col, "expected an integer, got \"%s\"",
		                         sl__show(p, (size_t)(q - p), b, sizeof b));
	if (rc == 2 || *out > col_hi[col])
		return row_fail(r, col, "%s is too large (at most %lld)", sl__show(p, (size_t)(q - p), b, sizeof b),
		                (long long)col_hi[col]);
	if (*out < col_lo[col])
		return row_fail(r, col, "%lld is out of range (must be >= %lld)", (long long)*out,
		                (long long)col_lo[col]);
	return 0;
}

static int field_latency(reader *r, const char *p, const char *q, float *out)
{
	char b[64];
	if (p == q)
		return row_fail(r, C_LATENCY, "empty; expected a number (0 = no budget)");
	if (scan_float(p, q, out))
		return row_fail(r, C_LATENCY, "expected a number, got \"%s\"",
		                sl__show(p, (size_t)(q - p), b, sizeof b));
	if (*out < 0)
		return row_fail(r, C_LATENCY, "%s is negative (0 = no budget)",
		                sl__show(p, (size_t)(q - p), b, sizeof b));
	return 0;
}

/* Resolve an id field through map; empty gives -1 when allowed. */
static int field_id(reader *r, int col, const sl__idmap *map, int allow_empty,
                    const char *p, const char *q, int16_t *out)
{
	char b[64];
	if (p == q) {
		if (!allow_empty)
			return row_fail(r, col, "empty; an origin id of the scenario is required");
		*out = -1;
		return 0;
	}
	int idx = sl__idmap_get(map, p, (size_t)(q - p));
	if (idx < 0) {
		const char *what = col == C_ORIGIN ? "origin" : col == C_CLASS ? "job class" : "data tag";
		return row_fail(r, col, "unknown %s \"%s\"%s", what, sl__show(p, (size_t)(q - p), b, sizeof b),
		                *p == '"' ? " (the native format has no quoting)" : " in this scenario");
	}
	*out = (int16_t)idx;
	return 0;
}

/* Store an integer already range-checked for column col. */
static inline void store_int(sl_job *j, int col, int64_t v)
{
	switch (col) {
	case C_JOB_ID: j->id = v; break;
	case C_SUBMIT: j->submit = v; break;
	case C_CORES: j->cores = (int32_t)v; break;
	case C_GPUS: j->gpus = (int32_t)v; break;
	case C_EST: j->est_s = (int32_t)v; break;
	case C_RUN: j->run_s = (int32_t)v; break;
	case C_DEADLINE: j->deadline_s = v; break;
	case C_INPUT: j->input_bytes = v; break;
	case C_OUTPUT: j->output_bytes = v; break;
	case C_TENANT: j->tenant = (int16_t)v; break;
	default: break;
	}
}

/* Convert one field of column col into the job. */
static int parse_field(reader *r, int col, const char *p, const char *q, sl_job *j)
{
	int64_t v = 0;
	int rc = 0;
	switch (col) {
	case C_ORIGIN: return field_id(r, col, &r->origins, 0, p, q, &j->origin);
	case C_CLASS: return field_id(r, col, &r->classes, 1, p, q, &j->cls);
	case C_TAG: return field_id(r, col, &r->tags, 1, p, q, &j->tag);
	case C_LATENCY: return field_latency(r, p, q, &j->latency_budget_ms);
	default: rc = field_int(r, col, p, q, &v); break;
	}
	if (rc)
		return rc;
	store_int(j, col, v);
	return 0;
}

/* ---- rows ------------------------------------------------------------ */

static size_t count_fields(const char *p, const char *end)
{
	size_t n = 1;
	for (; p < end; p++)
		n += *p == ',';
	return n;
}

/* The fast path of one field at p: a plain integer in range, or an id that
 * resolves.  Returns where the field ends, or NULL to take the slow path
 * (which converts or explains). */
static inline const char *fast_field(reader *r, int col, const char *p, const char *end, sl_job *j)
{
	const char *q = p;
	if (col == C_ORIGIN || col == C_CLASS || col == C_TAG) {
		while (q < end && *q != ',')
			q++;
		if (q == p)
			return col == C_ORIGIN ? NULL : q; /* empty class or tag: -1 already */
		const sl__idmap *m = col == C_ORIGIN ? &r->origins : col == C_CLASS ? &r->classes : &r->tags;
		int idx = sl__idmap_get(m, p, (size_t)(q - p));
		if (idx < 0)
			return NULL;
		*(col == C_ORIGIN ? &j->origin : col == C_CLASS ? &j->cls : &j->tag) = (int16_t)idx;
		return q;
	}
	uint64_t v = 0;
	while (q < end && (unsigned)((unsigned char)*q - '0') <= 9)
		v = v * 10 + (unsigned)(*q++ - '0');
	if (q == p || (q < end && *q != ','))
		return NULL;
	if (col == C_LATENCY) {
		if (q - p > 7)
			return NULL;
		j->latency_budget_ms = (float)v; /* exact below 2^24 */
		return q;
	}
	if (q - p > 18 || (int64_t)v > col_hi[col] || (int64_t)v < col_lo[col])
		return NULL;
	store_int(j, col, (int64_t)v);
	return q;
}

/* ---- the documented column order, eight bytes at a time --------------- */

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && defined(__GNUC__)
#define SWAR 1

static inline uint64_t load8(const char *p)
{
	uint64_t w;
	memcpy(&w, p, 8);
	return w;
}

/* How many of the 8 bytes of w (in memory order) are decimal digits
 * before the first that is not (0..8).  A byte is a digit when its high
 * nibble is 3 and adding 6 keeps it so; a carry out of a byte >= 0xfa
 * only reaches later bytes, after the first non-digit. */
static inline int lead_digits(uint64_t w)
{
	const uint64_t hi = 0xf0f0f0f0f0f0f0f0ull, three = 0x3030303030303030ull;
	uint64_t bad = ((w & hi) ^ three) | (((w + 0x0606060606060606ull) & hi) ^ three);
	return bad ? __builtin_ctzll(bad) >> 3 : 8;
}

/* The value of the first n (1..8) digits of w: shifted so they end at the
 * top byte (zeros before them), then pairs, quads and halves combined. */
static inline uint64_t digits_value(uint64_t w, int n)
{
	w = (w - 0x3030303030303030ull) << (8 * (8 - n));
	w = (w * 10 + (w >> 8)) & 0x00ff00ff00ff00ffull;
	w = (w * 100 + (w >> 16)) & 0x0000ffff0000ffffull;
	return (w * 10000 + (w >> 32)) & 0xffffffffull;
}

/* Index of the first ',' among the 8 bytes of w, or 8. */
static inline int comma_at(uint64_t w)
{
	uint64_t x = w ^ 0x2c2c2c2c2c2c2c2cull;
	uint64_t z = (x - 0x0101010101010101ull) & ~x & 0x8080808080808080ull;
	return z ? __builtin_ctzll(z) >> 3 : 8;
}
#else
#define SWAR 0
#endif

static const uint64_t pow10_u[9] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000,
                                    100000000};

/* A plain decimal of 1 to digits_max (<= 18) digits at *pp, ending at a ','
 * (skipped unless last) or at end when last; bytes up to lim may be read.
 * Returns 1 with *pp past it, or 0 (the slow path converts or explains). */
static inline int fast_uint(const char **pp, const char *end, const char *lim, int last,
                            int digits_max, uint64_t *out)
{
	const char *p = *pp, *q = p;
	uint64_t v = 0;
	for (;;) {
#if SWAR
		if (q + 8 <= lim) {
			uint64_t w = load8(q);
			int n = lead_digits(w);
			if (n)
				v = v * pow10_u[n] + digits_value(w, n);
			q += n;
			if (n == 8 && q - p <= 18)
				continue;
			break;
		}
#endif
		while (q < end && (unsigned)((unsigned char)*q - '0') <= 9 && q - p <= 18)
			v = v * 10 + (unsigned)(*q++ - '0');
		break;
	}
	if (q == p || q - p > digits_max || q > end)
		return 0;
	if (last ? q != end : (q == end || *q != ','))
		return 0;
	*pp = last ? q : q + 1;
	*out = v;
	return 1;
}

/* An id of map at *pp up to the next ',' (skipped): its index, -1 when
 * empty and allowed.  Returns 1, or 0 for the slow path. */
static inline int fast_id(const sl__idmap *m, const char **pp, const char *end, const char *lim,
                          int allow_empty, int16_t *out)
{
	const char *p = *pp, *q = p;
	int idx = -2;
#if SWAR
	if (p + 8 <= lim) {
		uint64_t w = load8(p);
		int n = comma_at(w);
		if (n > 0 && n < 8 && p + n < end) {
			q = p + n;
			idx = sl__idmap_find8(m, w & ((1ull << (8 * n)) - 1), (size_t)n);
		}
	}
#endif
	if (q == p) {
		while (q < end && *q != ',')
			q++;
		if (q > p)
			idx = sl__idmap_get(m, p, (size_t)(q - p));
		else if (allow_empty)
			idx = -1;
	}
	if (q == end || idx < -1 || (idx < 0 && q != p))
		return 0;
	*out = (int16_t)idx;
	*pp = q + 1;
	return 1;
}

/* One row in the documented column order with every field plain (what
 * the writer produces).  Returns 1, or 0 for the general path. */
static int fast_row(const reader *r, const char *p, const char *end, const char *lim, sl_job *j)
{
	uint64_t v[NCOLS];
	if (!fast_uint(&p, end, lim, 0, 18, &v[C_JOB_ID]) || !fast_uint(&p, end, lim, 0, 18, &v[C_SUBMIT]) ||
	    !fast_id(&r->origins, &p, end, lim, 0, &j->origin) ||
	    !fast_id(&r->classes, &p, end, lim, 1, &j->cls))
		return 0;
	for (int c = C_CORES; c <= C_OUTPUT; c++)
		if (!fast_uint(&p, end, lim, 0, c == C_LATENCY ? 7 : 18, &v[c]))
			return 0;
	if (!fast_id(&r->tags, &p, end, lim, 1, &j->tag) ||
	    !fast_uint(&p, end, lim, 1, 18, &v[C_TENANT]))
		return 0;
	for (int c = C_CORES; c <= C_TENANT; c++)
		if (c != C_LATENCY && c != C_TAG && (int64_t)v[c] > col_hi[c])
			return 0;
	if (v[C_EST] < 1)
		return 0;
	j->id = (int64_t)v[C_JOB_ID];
	j->submit = (int64_t)v[C_SUBMIT];
	j->cores = (int32_t)v[C_CORES];
	j->gpus = (int32_t)v[C_GPUS];
	j->est_s = (int32_t)v[C_EST];
	j->run_s = (int32_t)v[C_RUN];
	j->deadline_s = (int64_t)v[C_DEADLINE];
	j->latency_budget_ms = (float)v[C_LATENCY]; /* exact below 2^24 */
	j->input_bytes = (int64_t)v[C_INPUT];
	j->output_bytes = (int64_t)v[C_OUTPUT];
	j->tenant = (int16_t)v[C_TENANT];
	return 1;
}

/* Split and convert one data row [line, end) into *j. */
static int parse_row(reader *r, const char *line, const char *end, sl_job *j)
{
	const char *p = line;
	memset(j, 0, sizeof *j);
	j->cls = j->tag = -1;
	for (int k = 0; k < NCOLS; k++) {
		if (k > 0) {
			if (p == end)
				return row_fail(r, -1, "row has %d fields, the header has %d: column \"%s\" is missing",
				                k, NCOLS, col_name[r->col_at[k]]);
			p++; /* the comma */
		}
		const char *q = fast_field(r, r->col_at[k], p, end, j);
		if (!q) {
			q = p;
			while (q < end && *q != ',')
				q++;
			int rc = parse_field(r, r->col_at[k], p, q, j);
			if (rc)
				return rc;
		}
		p = q;
	}
	if (p != end)
		return row_fail(r, -1, "row has %zu fields, the header has %d (extra field after column \"%s\")",
		                count_fields(line, end), NCOLS, col_name[r->col_at[NCOLS - 1]]);
	return 0;
}

/* A job id must not repeat.  While ids increase that is free; the first
 * time one does not, the ids so far go into a hash set. */
static int check_id(reader *r, int64_t id)
{
	if (r->ids_increasing && (r->t.n == 0 || id > r->prev_id)) {
		r->prev_id = id;
		return 0;
	}
	if (r->ids_increasing) {
		r->ids_increasing = 0;
		for (size_t i = 0; i < r->t.n; i++) /* all different: they increased */
			sl__idseen_add(&r->seen, r->t.jobs[i].id);
	}
	if (sl__idseen_add(&r->seen, id))
		return row_fail(r, C_JOB_ID, "job %lld appears twice (ids must be unique)", (long long)id);
	return 0;
}

/* Checks across fields and rows. */
static int check_row(reader *r, const sl_job *j)
{
	if (j->cores == 0 && j->gpus == 0)
		return row_fail(r, -1, "columns \"cores\" and \"gpus\" are both 0: a job needs at least one core or GPU");
	if (r->t.n > 0 && j->submit < r->prev_submit)
		return row_fail(r, C_SUBMIT, "%lld is before the previous row's %lld: rows must be sorted by submit",
		                (long long)j->submit, (long long)r->prev_submit);
	r->prev_submit = j->submit;
	return check_id(r, j->id);
}

/* ---- header ------------------------------------------------------------ */

static int header_fail_missing(reader *r, const int *seen)
{
	char list[512] = "";
	size_t k = 0;
	int missing = 0;
	for (int c = 0; c < NCOLS; c++) {
		if (seen[c])
			continue;
		k += (size_t)snprintf(list + k, sizeof list - k, "%s%s", missing ? ", " : "", col_name[c]);
		missing++;
		if (k >= sizeof list)
			break;
	}
	return row_fail(r, -1, "header: missing column%s %s", missing > 1 ? "s" : "", list);
}

static int parse_header(reader *r, const char *p, const char *end)
{
	int seen[NCOLS] = {0}, pos = 0;
	char b[64];
	for (;;) {
		const char *q = p;
		while (q < end && *q != ',')
			q++;
		int c = 0;
		while (c < NCOLS && !((size_t)(q - p) == strlen(col_name[c]) &&
		                      memcmp(p, col_name[c], (size_t)(q - p)) == 0))
			c++;
		if (c == NCOLS)
			return row_fail(r, -1, "header: unknown column \"%s\" (the columns are job_id, submit, "
			                "origin, class, cores, gpus, est_s, run_s, deadline_s, "
			                "latency_budget_ms, input_bytes, output_bytes, data_tag, tenant)",
			                sl__show(p, (size_t)(q - p), b, sizeof b));
		if (seen[c])
			return row_fail(r, -1, "header: column \"%s\" appears twice", col_name[c]);
		seen[c] = 1;
		r->col_at[pos++] = c;
		if (q == end)
			break;
		p = q + 1;
	}
	if (pos != NCOLS)
		return header_fail_missing(r, seen);
	r->native = 1;
	for (int k = 0; k < NCOLS; k++)
		r->native &= r->col_at[k] == k;
	return 0;
}

/* ---- the read loop ------------------------------------------------------ */

static void keep_comment(reader *r, const char *line, size_t n)
{
	size_t have = r->t.comment ? strlen(r->t.comment) : 0;
	r->t.comment = sl_realloc(r->t.comment, have + n + 2);
	memcpy(r->t.comment + have, line, n);
	r->t.comment[have + n] = '\n';
	r->t.comment[have + n + 1] = '\0';
}

static int read_rows(reader *r)
{
	const char *line;
	size_t n;
	int rc, have_header = 0;
	while ((rc = sl__lines_next(&r->lines, &line, &n, r->err)) == 1) {
		sl__lines_skip_bom(&r->lines, &line, &n);
		if (n == 0)
			continue;
		if (line[0] == '#') {
			if (!have_header)
				keep_comment(r, line, n);
			continue;
		}
		if (!have_header) {
			if ((rc = parse_header(r, line, line + n)))
				return rc;
			have_header = 1;
			continue;
		}
		if (r->t.n == r->t.cap)
			sl__grow((void **)&r->t.jobs, &r->t.cap, sizeof *r->t.jobs, r->t.n + 1);
		sl_job *j = &r->t.jobs[r->t.n];
		const char *lim = r->lines.data + r->lines.len; /* readable bytes end */
		if (!(r->native && fast_row(r, line, line + n, lim, j)) &&
		    (rc = parse_row(r, line, line + n, j)))
			return rc;
		if ((rc = check_row(r, j)))
			return rc;
		r->t.n++;
	}
	if (rc < 0)
		return rc;
	if (!have_header)
		return sl_err_set(r->err, SL_EPARSE, r->lines.name,
		                  "no header line (expected job_id,submit,origin,...)");
	return 0;
}

/* Shared by the file and memory entry points: r->lines is open. */
static int read_trace(reader *r, const sl_network *net, sl_trace *out)
{
	r->net = net;
	r->ids_increasing = 1;
	sl__idmap_build(&r->origins, net->origins, sizeof *net->origins, net->norigins);
	sl__idmap_build(&r->classes, net->classes, sizeof *net->classes, net->nclasses);
	sl__idmap_build(&r->tags, net->tags, sizeof *net->tags, net->ntags);
	int rc = read_rows(r);
	sl__idmap_free(&r->origins);
	sl__idmap_free(&r->classes);
	sl__idmap_free(&r->tags);
	sl__idseen_free(&r->seen);
	sl__lines_close(&r->lines);
	if (rc) {
		sl_trace_release(&r->t);
		return rc;
	}
	sl_trace_release(out);
	*out = r->t;
	return 0;
}

int sl_trace_load_csv(const char *path, const sl_network *net, sl_trace *out, sl_err *err)
{
	reader r;
	memset(&r, 0, sizeof r);
	r.err = err;
	int rc = sl__lines_open(&r.lines, path, err);
	if (rc)
		return rc;
	return read_trace(&r, net, out);
}

int sl_trace_parse_csv(const char *text, size_t len, const char *name, const sl_network *net,
                       sl_trace *out, sl_err *err)
{
	reader r;
	memset(&r, 0, sizeof r);
	r.err = err;
	sl__lines_mem(&r.lines, text, len, name ? name : "<memory>");
	return read_trace(&r, net, out);
}

/* ---- writer ------------------------------------------------------------ */

#define WBUF (1u << 20)

static char *put_i64(char *p, int64_t v)
{
	char tmp[24];
	int k = 0;
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	if (v < 0)
		*p++ = '-';
	do {
		tmp[k++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	while (k)
		*p++ = tmp[--k];
	return p;
}

/* The shortest decimal that strtof reads back as exactly f. */
static char *put_float(char *p, float f)
{
	if (f >= 0 && f < 1e9f && f == (float)(int64_t)f)
		return put_i64(p, (int64_t)f);
	char tmp[32];
	int n = 0;
	for (int prec = 6; prec <= 9; prec++) {
		n = snprintf(tmp, sizeof tmp, "%.*g", prec, (double)f);
		if (strtof(tmp, NULL) == f)
			break;
	}
	memcpy(p, tmp, (size_t)n);
	return p + n;
}

static char *put_str(char *p, const char *s, size_t n)
{
	memcpy(p, s, n);
	return p + n;
}

typedef struct idlens {
	size_t *origin, *cls, *tag;
	size_t max;
} idlens;

static size_t note_len(size_t *slot, const char *s, size_t max)
{
	*slot = strlen(s);
	return *slot > max ? *slot : max;
}

static void idlens_init(idlens *L, const sl_network *net)
{
	L->origin = sl_calloc((size_t)net->norigins + 1, sizeof(size_t));
	L->cls = sl_calloc((size_t)net->nclasses + 1, sizeof(size_t));
	L->tag = sl_calloc((size_t)net->ntags + 1, sizeof(size_t));
	L->max = 0;
	for (int i = 0; i < net->norigins; i++)
		L->max = note_len(&L->origin[i], net->origins[i].id, L->max);
	for (int i = 0; i < net->nclasses; i++)
		L->max = note_len(&L->cls[i], net->classes[i].id, L->max);
	for (int i = 0; i < net->ntags; i++)
		L->max = note_len(&L->tag[i], net->tags[i].tag, L->max);
}

static void idlens_free(idlens *L)
{
	sl_free(L->origin);
	sl_free(L->cls);
	sl_free(L->tag);
}

static char *put_row(char *p, const sl_network *net, const idlens *L, const sl_job *j)
{
	p = put_i64(p, j->id);
	*p++ = ',';
	p = put_i64(p, j->submit);
	*p++ = ',';
	p = put_str(p, net->origins[j->origin].id, L->origin[j->origin]);
	*p++ = ',';
	if (j->cls >= 0)
		p = put_str(p, net->classes[j->cls].id, L->cls[j->cls]);
	*p++ = ',';
	p = put_i64(p, j->cores);
	*p++ = ',';
	p = put_i64(p, j->gpus);
	*p++ = ',';
	p = put_i64(p, j->est_s);
	*p++ = ',';
	p = put_i64(p, j->run_s);
	*p++ = ',';
	p = put_i64(p, j->deadline_s);
	*p++ = ',';
	p = put_float(p, j->latency_budget_ms);
	*p++ = ',';
	p = put_i64(p, j->input_bytes);
	*p++ = ',';
	p = put_i64(p, j->output_bytes);
	*p++ = ',';
	if (j->tag >= 0)
		p = put_str(p, net->tags[j->tag].tag, L->tag[j->tag]);
	*p++ = ',';
	p = put_i64(p, j->tenant);
	*p++ = '\n';
	return p;
}

static int check_refs(const sl_network *net, const sl_job *j, sl_err *err)
{
	if (j->origin < 0 || j->origin >= net->norigins || j->cls < -1 || j->cls >= net->nclasses ||
	    j->tag < -1 || j->tag >= net->ntags)
		return sl_err_set(err, SL_EINVAL, NULL,
		                  "job %lld refers to an origin, class or tag the network does not have",
		                  (long long)j->id);
	return 0;
}

static int flush(FILE *f, const char *buf, size_t n, sl_err *err)
{
	if (n && fwrite(buf, 1, n, f) != n)
		return sl_err_set(err, SL_EIO, NULL, "writing the trace failed: %s", strerror(errno));
	return 0;
}

int sl_trace_write_csv(FILE *f, const sl_network *net, const sl_trace *t, sl_err *err)
{
	idlens L;
	int rc = 0;
	idlens_init(&L, net);
	size_t row_max = 3 * L.max + 14 * 24 + 64; /* ids, 14 numbers, commas */
	size_t cap = WBUF > 2 * row_max ? WBUF : 2 * row_max;
	char *buf = sl_malloc(cap), *p = buf;
	if (t->comment && (rc = flush(f, t->comment, strlen(t->comment), err)))
		goto done;
	for (int c = 0; c < NCOLS; c++)
		p += snprintf(p, 64, "%s%s", col_name[c], c + 1 < NCOLS ? "," : "\n");
	for (size_t i = 0; i < t->n; i++) {
		if ((rc = check_refs(net, &t->jobs[i], err)))
			goto done;
		if ((size_t)(p - buf) + row_max > cap) {
			if ((rc = flush(f, buf, (size_t)(p - buf), err)))
				goto done;
			p = buf;
		}
		p = put_row(p, net, &L, &t->jobs[i]);
	}
	if ((rc = flush(f, buf, (size_t)(p - buf), err)))
		goto done;
	if (fflush(f) != 0 || ferror(f))
		rc = sl_err_set(err, SL_EIO, NULL, "writing the trace failed: %s", strerror(errno));
done:
	idlens_free(&L);
	sl_free(buf);
	return rc;
}
