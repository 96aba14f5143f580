/*
 * trace_map_load.c — trace files of any format: sniffing the format, the
 * log container (sl_srclog), lenient-read reports, the helpers the log
 * readers share (id set, located messages), and a native trace read with
 * the ids it uses (no scenario needed to describe or convert it).
 * Contracts in io/trace_map.h and io/trace_int.h.
 */
#include "io/trace_map.h"

#include <stdarg.h>
#include <string.h>

#include "core/mem.h"
#include "io/alibaba.h"
#include "io/swf.h"
#include "io/trace_int.h"

/* ---- small shared helpers ---------------------------------------------- */

const char *sl__show(const char *s, size_t n, char *buf, size_t cap)
{
	size_t k = 0, max = n > 40 ? 40 : n;
	for (size_t i = 0; i < max && k + 4 < cap; i++)
		buf[k++] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	if (n > max && k + 4 < cap) {
		memcpy(buf + k, "...", 3);
		k += 3;
	}
	buf[k] = '\0';
	return buf;
}

void sl__srclog_sort(sl_srclog *log)
{
	for (size_t i = 1; i < log->n; i++) {
		sl_logjob x = log->jobs[i];
		size_t k = i;
		while (k > 0 && log->jobs[k - 1].submit > x.submit) {
			log->jobs[k] = log->jobs[k - 1];
			k--;
		}
		log->jobs[k] = x;
	}
}

int sl__line_fail(sl_err *err, const char *name, int64_t line, const char *fmt, ...)
{
	char where[SL_ERR_ORIGIN_MAX];
	va_list ap;
	snprintf(where, sizeof where, "%s:%lld", name, (long long)line);
	va_start(ap, fmt);
	sl_err_vset(err, SL_EPARSE, where, fmt, ap);
	va_end(ap);
	return SL_EPARSE;
}

static size_t id_slot(const sl__idseen *s, int64_t id)
{
	return (size_t)((uint64_t)id * 0x9e3779b97f4a7c15ULL >> 17) & s->mask;
}

static void idseen_grow(sl__idseen *s)
{
	sl__idseen old = *s;
	size_t slots = old.k ? 2 * (old.mask + 1) : 4096;
	s->k = sl_malloc(slots * sizeof *s->k);
	memset(s->k, 0xff, slots * sizeof *s->k); /* all -1 */
	s->mask = slots - 1;
	s->n = 0;
	for (size_t i = 0; old.k && i <= old.mask; i++)
		if (old.k[i] >= 0)
			sl__idseen_add(s, old.k[i]);
	sl_free(old.k);
}

int sl__idseen_add(sl__idseen *s, int64_t id)
{
	if (!s->k || 2 * (s->n + 1) > s->mask + 1)
		idseen_grow(s);
	size_t h = id_slot(s, id);
	for (; s->k[h] >= 0; h = (h + 1) & s->mask)
		if (s->k[h] == id)
			return 1;
	s->k[h] = id;
	s->n++;
	return 0;
}

void sl__idseen_free(sl__idseen *s)
{
	sl_free(s->k);
	memset(s, 0, sizeof *s);
}

void sl__read_report_add(sl_read_report *r, const sl_err *e)
{
	r->bad++;
	if (r->nshown < SL_READ_SHOW) {
		char buf[SL_ERR_MSG_MAX + SL_ERR_ORIGIN_MAX + 4];
		snprintf(r->shown[r->nshown++], sizeof r->shown[0], "%s", sl_err_format(e, buf, sizeof buf));
	}
}

void sl_read_report_print(FILE *f, const char *prefix, const sl_read_report *r)
{
	if (r->lenient_ignored)
		fprintf(f, "%snote: lenient reading does not apply to a native trace (it is read strictly)\n", prefix);
	if (r->bad == 0)
		return;
	fprintf(f, "%s%lld malformed line%s skipped (--lenient); %s:\n", prefix, (long long)r->bad,
	        r->bad == 1 ? "" : "s", r->bad > r->nshown ? "the first" : "they are");
	for (int i = 0; i < r->nshown; i++)
		fprintf(f, "%s  %s\n", prefix, r->shown[i]);
}

void sl_srclog_release(sl_srclog *log)
{
	if (!log)
		return;
	sl_free(log->name);
	sl_free(log->header);
	sl_free(log->jobs);
	memset(log, 0, sizeof *log);
}

/* ---- sniffing ----------------------------------------------------------- */

static int all_numbers(const char *p, const char *end)
{
	int n = 0;
	while (p < end) {
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p == end)
			break;
		if (!((*p >= '0' && *p <= '9') || *p == '-' || *p == '.'))
			return 0;
		n++;
		while (p < end && *p != ' ' && *p != '\t')
			p++;
	}
	return n;
}

static int starts(const char *p, size_t n, const char *s)
{
	size_t k = strlen(s);
	return n >= k && memcmp(p, s, k) == 0;
}

static int sniff_line(const char *p, size_t n)
{
	if (p[0] == ';')
		return SL_LOG_SWF;
	if (p[0] == '#')
		return SL_LOG_NATIVE;
	if (starts(p, n, "name,") && memmem(p, n, "gpu_milli", 9) && memmem(p, n, "creation_time", 13))
		return SL_LOG_ALIBABA;
	if (memmem(p, n, "job_id", 6)) /* a native header, maybe a broken one: its reader says what is wrong */
		return SL_LOG_NATIVE;
	if (all_numbers(p, p + n) >= 10)
		return SL_LOG_SWF;
	return SL_LOG_UNKNOWN;
}

int sl_trace_sniff(const char *path, sl_err *err)
{
	sl__lines lr;
	const char *line;
	size_t n;
	int rc = sl__lines_open(&lr, path, err), fmt = SL_LOG_UNKNOWN;
	if (rc)
		return rc;
	while ((rc = sl__lines_next(&lr, &line, &n, err)) == 1) {
		sl__lines_skip_bom(&lr, &line, &n);
		while (n && (*line == ' ' || *line == '\t')) {
			line++;
			n--;
		}
		if (n == 0)
			continue;
		fmt = sniff_line(line, n);
		break;
	}
	sl__lines_close(&lr);
	if (rc < 0 && rc != SL_EPARSE)
		return rc;
	return fmt;
}

/* ---- a native trace with its own ids ------------------------------------ */

/* Distinct strings, interned into the network's arena. */
typedef struct strset {
	const char **s;
	uint32_t *h;
	size_t mask, n;
	const char **list; /* in first-seen order */
	size_t cap;
} strset;

static uint32_t hash_str(const char *p, size_t n)
{
	uint32_t h = SL__IDMAP_HASH_INIT;
	for (size_t i = 0; i < n; i++)
		h = sl__idmap_hash_step(h, (unsigned char)p[i]);
	return h;
}

static void strset_grow(strset *S)
{
	strset old = *S;
	size_t slots = old.s ? 2 * (old.mask + 1) : 64;
	S->s = sl_calloc(slots, sizeof *S->s);
	S->h = sl_calloc(slots, sizeof *S->h);
	S->mask = slots - 1;
	for (size_t i = 0; old.s && i <= old.mask; i++) {
		if (!old.s[i])
			continue;
		size_t k = old.h[i] & S->mask;
		while (S->s[k])
			k = (k + 1) & S->mask;
		S->s[k] = old.s[i];
		S->h[k] = old.h[i];
	}
	sl_free(old.s);
	sl_free(old.h);
}

static void strset_put(strset *S, sl_arena *A, const char *p, size_t n)
{
	if (n == 0)
		return;
	if (!S->s || 2 * (S->n + 1) > S->mask + 1)
		strset_grow(S);
	uint32_t h = hash_str(p, n);
	size_t k = h & S->mask;
	for (; S->s[k]; k = (k + 1) & S->mask)
		if (S->h[k] == h && strlen(S->s[k]) == n && memcmp(S->s[k], p, n) == 0)
			return;
	S->s[k] = sl_arena_strndup(A, p, n);
	S->h[k] = h;
	if (S->n == S->cap)
		sl__grow((void **)&S->list, &S->cap, sizeof *S->list, S->n + 1);
	S->list[S->n++] = S->s[k];
}

static void strset_free(strset *S)
{
	sl_free(S->s);
	sl_free(S->h);
	sl_free(S->list);
}

/* Column positions of origin, class and data_tag in a header line. */
static void id_columns(const char *p, const char *end, int col[3])
{
	col[0] = col[1] = col[2] = -1;
	for (int k = 0; p <= end; k++) {
		const char *q = memchr(p, ',', (size_t)(end - p));
		if (!q)
			q = end;
		size_t n = (size_t)(q - p);
		if (n == 6 && memcmp(p, "origin", 6) == 0)
			col[0] = k;
		else if (n == 5 && memcmp(p, "class", 5) == 0)
			col[1] = k;
		else if (n == 8 && memcmp(p, "data_tag", 8) == 0)
			col[2] = k;
		p = q + 1;
	}
}

static void collect_row(const char *p, const char *end, const int col[3], strset set[3], sl_arena *A)
{
	for (int k = 0; p <= end; k++) {
		const char *q = memchr(p, ',', (size_t)(end - p));
		if (!q)
			q = end;
		for (int c = 0; c < 3; c++)
			if (col[c] == k)
				strset_put(&set[c], A, p, (size_t)(q - p));
		p = q + 1;
	}
}

/* Pass 1: every id in the origin, class and data_tag columns. */
static int scan_ids(const char *path, strset set[3], sl_arena *A, sl_err *err)
{
	sl__lines lr;
	const char *line;
	size_t n;
	int col[3] = {-1, -1, -1}, have_header = 0;
	int rc = sl__lines_open(&lr, path, err);
	if (rc)
		return rc;
	while ((rc = sl__lines_next(&lr, &line, &n, err)) == 1) {
		sl__lines_skip_bom(&lr, &line, &n);
		if (n == 0 || line[0] == '#')
			continue;
		if (!have_header) {
			id_columns(line, line + n, col);
			have_header = 1;
			continue;
		}
		collect_row(line, line + n, col, set, A);
		if (set[0].n > INT16_MAX || set[1].n > INT16_MAX || set[2].n > INT16_MAX) {
			rc = sl_err_set(err, SL_EPARSE, path, "more than %d distinct origin, class or tag ids",
			                INT16_MAX);
			break;
		}
	}
	sl__lines_close(&lr);
	return rc < 0 ? rc : 0;
}

static sl_network *ids_network_new(const char *path)
{
	sl_arena a = {0};
	sl_network *net = sl_arena_alloc(&a, sizeof *net);
	net->arena = a; /* from here on allocate through net->arena */
	net->name = sl_arena_strdup(&net->arena, "(the trace's own ids)");
	net->path = sl_arena_strdup(&net->arena, path);
	return net;
}

/* The id arrays from the sets (strings already in the network's arena). */
static void ids_network_fill(sl_network *net, strset set[3])
{
	sl_arena *A = &net->arena;
	net->norigins = (int)set[0].n;
	net->origins = sl_arena_alloc(A, (set[0].n + 1) * sizeof *net->origins);
	for (size_t i = 0; i < set[0].n; i++)
		net->origins[i].id = net->origins[i].name = set[0].list[i];
	net->nclasses = (int)set[1].n;
	net->classes = sl_arena_alloc(A, (set[1].n + 1) * sizeof *net->classes);
	for (size_t i = 0; i < set[1].n; i++)
		net->classes[i].id = set[1].list[i];
	net->ntags = (int)set[2].n;
	net->tags = sl_arena_alloc(A, (set[2].n + 1) * sizeof *net->tags);
	for (size_t i = 0; i < set[2].n; i++)
		net->tags[i].tag = set[2].list[i];
}

int sl_trace_load_csv_ids(const char *path, sl_network **net, sl_trace *out, sl_err *err)
{
	strset set[3];
	memset(set, 0, sizeof set);
	sl_network *n = ids_network_new(path);
	int rc = scan_ids(path, set, &n->arena, err);
	if (rc == 0) {
		ids_network_fill(n, set);
		rc = sl_trace_load_csv(path, n, out, err);
	}
	for (int c = 0; c < 3; c++)
		strset_free(&set[c]);
	if (rc) {
		sl_network_free(n);
		return rc;
	}
	*net = n;
	return 0;
}

/* ---- loading any format -------------------------------------------------- */

/* A native trace as a log (for `trace stats`): devices in 1/1000. */
static void native_to_log(const sl_trace *t, sl_srclog *log)
{
	log->jobs = sl_calloc(t->n ? t->n : 1, sizeof *log->jobs);
	log->n = log->cap = t->n;
	for (size_t i = 0; i < t->n; i++) {
		const sl_job *j = &t->jobs[i];
		sl_logjob *l = &log->jobs[i];
		memset(l, 0xff, sizeof *l); /* every field -1 */
		l->id = j->id;
		l->submit = j->submit;
		l->run_s = j->run_s;
		l->est_s = j->est_s;
		l->cpu_milli = (int64_t)j->cores * 1000;
		l->gpu_milli = (int64_t)j->gpus * 1000;
		l->cpu_s = -1;
		l->user = j->tenant > 0 ? j->tenant : -1; /* tenants, when the trace names any */
		l->line = -1;
		l->status = SL_LOGJ_UNKNOWN;
		l->qos = SL_QOS_NONE;
	}
}

static int load_native_log(const char *path, int lenient, sl_srclog *out, sl_err *err)
{
	sl_network *net = NULL;
	sl_trace t = {0};
	int rc = sl_trace_load_csv_ids(path, &net, &t, err);
	if (rc)
		return rc;
	sl_srclog log;
	memset(&log, 0, sizeof log);
	log.format = SL_LOG_NATIVE;
	const char *base = strrchr(path, '/');
	log.name = sl_strdup(base ? base + 1 : path);
	log.header = t.comment ? sl_strdup(t.comment) : NULL;
	log.report.lenient_ignored = lenient;
	native_to_log(&t, &log);
	sl_trace_release(&t);
	sl_network_free(net);
	sl_srclog_release(out);
	*out = log;
	return 0;
}

static int unknown_format(const char *path, sl_err *err)
{
	return sl_err_set(err, SL_EUNSUPPORTED, path,
	                  "not a trace format suanli reads (the Standard Workload Format, the Alibaba "
	                  "GPU trace v2023 pod list, or the native CSV; docs/trace-format.md)");
}

int sl_srclog_load(const char *path, const sl_map_opts *opts, sl_srclog *out, sl_err *err)
{
	sl_read_opts ro = {opts ? opts->lenient : 0};
	int fmt = sl_trace_sniff(path, err);
	if (fmt < 0)
		return fmt;
	switch (fmt) {
	case SL_LOG_SWF: return sl_swf_load(path, &ro, out, err);
	case SL_LOG_ALIBABA: return sl_alibaba_load(path, opts ? opts->nodes_path : NULL, &ro, out, err);
	case SL_LOG_NATIVE: return load_native_log(path, ro.lenient, out, err);
	default: return unknown_format(path, err);
	}
}

int sl_trace_load_any(const char *path, const sl_network *net, const sl_map_opts *opts,
                      sl_trace *out, sl_read_report *report, sl_err *err)
{
	sl_map_opts dflt;
	if (!opts) {
		sl_map_opts_init(&dflt);
		opts = &dflt;
	}
	int fmt = sl_trace_sniff(path, err);
	if (fmt < 0)
		return fmt;
	if (fmt == SL_LOG_NATIVE) {
		if (report) {
			memset(report, 0, sizeof *report);
			report->lenient_ignored = opts->lenient;
		}
		return sl_trace_load_csv(path, net, out, err);
	}
	if (fmt == SL_LOG_UNKNOWN)
		return unknown_format(path, err);
	sl_srclog log;
	memset(&log, 0, sizeof log);
	int rc = sl_srclog_load(path, opts, &log, err);
	if (rc == 0)
		rc = sl_trace_map(&log, net, opts, out, err);
	if (rc == 0 && report)
		*report = log.report;
	sl_srclog_release(&log);
	return rc;
}

int sl_trace_load_spec(const char *path, const char *spec, const sl_network *net, sl_trace *out,
                       FILE *report_to, const char *prefix, sl_err *err)
{
	sl_map_opts o;
	sl_read_report rep;
	char *copy = sl_strdup(spec ? spec : ""); /* the options borrow from it */
	sl_map_opts_init(&o);
	int rc = sl_map_opts_parse(&o, copy, net->utc_offset_s, err);
	if (rc == 0)
		rc = sl_trace_load_any(path, net, &o, out, &rep, err);
	if (rc == 0 && report_to)
		sl_read_report_print(report_to, prefix ? prefix : "", &rep);
	sl_free(copy);
	return rc;
}
