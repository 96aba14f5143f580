/*
 * trace_map_opts.c — the mapping's options ("key=value,..." as `--map`
 * takes them) and the comment lines a mapped trace carries: where it came
 * from, how it was mapped, what was dropped or clamped, whom to
 * acknowledge.  Contracts in io/trace_map.h and io/trace_map_int.h.
 */
#include "io/trace_map.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/time.h"
#include "io/trace_map_int.h"

void sl_map_opts_init(sl_map_opts *o)
{
	memset(o, 0, sizeof *o);
	o->seed = 1;
	o->origin = -1;
	o->cls = -1;
	o->status = SL_STATUS_KEEP;
	o->scale = 1;
}

const char *sl__map_status_name(int status)
{
	return status == SL_STATUS_DROP ? "drop" : status == SL_STATUS_RAN ? "ran" : "keep";
}

/* ---- parsing ------------------------------------------------------------- */

static int bad(sl_err *err, const char *key, const char *fmt, const char *v)
{
	char msg[300];
	snprintf(msg, sizeof msg, fmt, v);
	return sl_err_set(err, SL_EINVAL, NULL, "%s: %s", key, msg);
}

static int parse_u64(const char *v, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long x = strtoull(v, &end, 10);
	if (end == v || *end || errno || v[0] == '-' || v[0] == '+' || v[0] == ' ')
		return -1;
	*out = x;
	return 0;
}

/* One end of a window: a duration after the log's first job ("30d",
 * "36h") or an instant ("2003-01-06", "2003-01-06T08:00+01:00"). */
static int window_end(const char *v, int64_t *t, int *rel)
{
	sl_err e = {0};
	int is_date = strlen(v) >= 10 && v[4] == '-' && v[7] == '-';
	*rel = !is_date;
	if (is_date)
		return sl_time_parse_iso(v, 0, t, &e) ? -1 : 0;
	return sl_duration_parse(v, t, &e) || *t < 0 ? -1 : 0;
}

static int parse_window(sl_map_opts *o, char *v, sl_err *err)
{
	char *dots = strstr(v, "..");
	int rel_a, rel_b;
	if (!dots)
		return bad(err, "window", "expected FROM..TO (e.g. 30d..37d or 2003-01-06..2003-01-13), got \"%s\"", v);
	*dots = '\0';
	int rc_a = window_end(v, &o->win_from, &rel_a), rc_b = window_end(dots + 2, &o->win_to, &rel_b);
	*dots = '.';
	if (rc_a || rc_b)
		return bad(err, "window", "FROM and TO must be durations (30d, 12h) or ISO dates, got \"%s\"", v);
	if (rel_a != rel_b)
		return bad(err, "window", "FROM and TO must both be durations or both be dates: \"%s\"", v);
	if (o->win_to <= o->win_from)
		return bad(err, "window", "TO must be after FROM: \"%s\"", v);
	o->win_rel = rel_a;
	o->has_window = 1;
	return 0;
}

static int parse_scale(sl_map_opts *o, const char *v, sl_err *err)
{
	if (strcmp(v, "auto") == 0) {
		o->scale_auto = 1;
		return 0;
	}
	char *end;
	errno = 0;
	double x = strtod(v, &end);
	if (end == v || *end || errno || !(x > 0) || !isfinite(x) || x > 1e7)
		return bad(err, "scale", "expected auto or a number in (0, 1e7], got \"%s\"", v);
	o->scale = x;
	o->scale_auto = 0;
	return 0;
}

static int parse_status(sl_map_opts *o, const char *v, sl_err *err)
{
	static const char *const names[] = {"keep", "drop", "ran"};
	for (int i = 0; i < 3; i++)
		if (strcmp(v, names[i]) == 0) {
			o->status = i;
			return 0;
		}
	return bad(err, "status", "expected keep, drop or ran, got \"%s\"", v);
}

static int parse_kv(sl_map_opts *o, char *key, char *v, int32_t default_offset_s, sl_err *err)
{
	uint64_t u;
	sl_err e = {0};
	if (!strcmp(key, "origins")) {
		o->origin_id = strcmp(v, "scenario") ? v : NULL;
		o->origin = -1;
	} else if (!strcmp(key, "classes")) {
		o->class_id = strcmp(v, "size") ? v : NULL;
		o->cls = -1;
	} else if (!strcmp(key, "seed")) {
		if (parse_u64(v, &o->seed))
			return bad(err, "seed", "expected an unsigned integer, got \"%s\"", v);
	} else if (!strcmp(key, "limit")) {
		if (parse_u64(v, &u) || u == 0 || u > UINT32_MAX)
			return bad(err, "limit", "expected a job count >= 1, got \"%s\"", v);
		o->limit = (size_t)u;
	} else if (!strcmp(key, "start")) {
		if (sl_time_parse_iso(v, default_offset_s, &o->start, &e))
			return sl_err_set(err, SL_EINVAL, NULL, "start: %s", e.msg);
	} else if (!strcmp(key, "status")) {
		return parse_status(o, v, err);
	} else if (!strcmp(key, "scale")) {
		return parse_scale(o, v, err);
	} else if (!strcmp(key, "window")) {
		return parse_window(o, v, err);
	} else if (!strcmp(key, "lenient")) {
		if (strcmp(v, "yes") && strcmp(v, "no"))
			return bad(err, "lenient", "expected yes or no, got \"%s\"", v);
		o->lenient = v[0] == 'y';
	} else if (!strcmp(key, "nodes")) {
		o->nodes_path = v;
	} else {
		return sl_err_set(err, SL_EINVAL, NULL, "unknown key \"%s\" (known: origins, classes, seed, "
		                  "status, start, scale, limit, window, lenient, nodes)", key);
	}
	return 0;
}

int sl_map_opts_parse(sl_map_opts *o, char *spec, int32_t default_offset_s, sl_err *err)
{
	char *p = spec;
	while (p && *p) {
		char *comma = strchr(p, ',');
		if (comma)
			*comma = '\0';
		char *eq = strchr(p, '=');
		int rc;
		if (!eq && strcmp(p, "lenient") == 0) {
			o->lenient = 1;
			rc = 0;
		} else if (!eq || eq == p || !eq[1]) {
			rc = sl_err_set(err, SL_EINVAL, NULL, "expected key=value, got \"%s\"", p);
		} else {
			*eq = '\0';
			rc = parse_kv(o, p, eq + 1, default_offset_s, err);
		}
		if (rc)
			return rc;
		p = comma ? comma + 1 : NULL;
	}
	return 0;
}

/* ---- the comment lines ------------------------------------------------------ */

static const char *format_name(int f)
{
	return f == SL_LOG_SWF ? "Standard Workload Format" : f == SL_LOG_ALIBABA ? "Alibaba GPU trace v2023"
	                                                    : "native CSV";
}

static void describe_source(const mapper *m, sl_trace *t)
{
	const sl_srclog *L = m->log;
	const sl_network *net = m->net;
	sl_trace_comment_add(t, "suanli trace map: %s (%s, %zu jobs) onto scenario \"%s\": %zu jobs",
	                     L->name ? L->name : "", format_name(L->format), L->n, net->name ? net->name : "",
	                     m->nsel);
	for (const char *p = L->header; p && *p;) {
		const char *nl = strchr(p, '\n');
		int n = nl ? (int)(nl - p) : (int)strlen(p);
		sl_trace_comment_add(t, "log %.*s", n, p);
		p = nl ? nl + 1 : p + n;
	}
	if (L->format == SL_LOG_SWF)
		sl_trace_comment_add(t, "please cite: the Parallel Workloads Archive (https://www.cs.huji.ac.il/labs/"
		                     "parallel/workload/) and D. G. Feitelson, D. Tsafrir, D. Krakov, \"Experience "
		                     "with using the Parallel Workloads Archive\", JPDC 74(10):2967-2982, 2014");
}

static void describe_options(const mapper *m, sl_trace *t)
{
	const sl_map_opts *o = m->o;
	const sl_network *net = m->net;
	char start[40], scale[160], win[120] = "", lim[40] = "";
	sl_time_format_iso(m->start_used, net->utc_offset_s, 0, start, sizeof start);
	if (o->scale_auto && m->machine > 0)
		snprintf(scale, sizeof scale, "auto (the log's %lld processors, by %s, = the network: %.6g cores or "
		         "%.6g GPUs per processor)", (long long)m->machine, m->machine_from, m->k_cpu, m->k_gpu);
	else if (o->scale_auto)
		snprintf(scale, sizeof scale, "auto (the log's %lld cores and %lld GPUs = the network: x%.6g cores, "
		         "x%.6g GPUs)", (long long)m->log->machine_cores, (long long)m->log->machine_gpus, m->k_cpu, m->k_gpu);
	else
		snprintf(scale, sizeof scale, "%.6g", o->scale);
	if (o->has_window && o->win_rel)
		snprintf(win, sizeof win, ", window %llds..%llds after the first job", (long long)o->win_from,
		         (long long)o->win_to);
	else if (o->has_window)
		snprintf(win, sizeof win, ", window [%lld, %lld) UTC s", (long long)o->win_from, (long long)o->win_to);
	if (o->limit)
		snprintf(lim, sizeof lim, ", limit %zu", o->limit);
	sl_trace_comment_add(t, "map: seed %llu, origins=%s, classes=%s, status=%s, scale=%s, start %s%s%s",
	                     (unsigned long long)o->seed, o->origin >= 0 ? net->origins[o->origin].id : "scenario",
	                     o->cls >= 0 ? net->classes[o->cls].id : "size", sl__map_status_name(o->status), scale,
	                     start, win, lim);
}

static void describe_time(const mapper *m, sl_trace *t)
{
	const sl_srclog *L = m->log;
	char off[8];
	sl_utc_offset_format(L->utc_offset_s, off, sizeof off);
	sl_trace_comment_add(t, "time: the log's local time (%s, UTC%s%s) is kept in each origin's own zone: "
	                     "local time of day and weekday as logged, shifted by %lld whole days",
	                     L->tz_name[0] ? L->tz_name : "no zone name", off,
	                     L->tz == SL_TZ_US ? ", US daylight saving" : L->tz == SL_TZ_EU ? ", EU daylight saving" : "",
	                     (long long)(m->shift_s / SL_DAY));
}

static void describe_classes(const mapper *m, sl_trace *t)
{
	const sl_network *net = m->net;
	char buf[700];
	size_t k = 0;
	if (m->o->cls >= 0)
		return;
	for (int i = 0; i < net->nclasses && k < sizeof buf - 80; i++) {
		int c = m->order[i];
		k += (size_t)snprintf(buf + k, sizeof buf - k, "%s%s %.3g", i ? ", " : "", net->classes[c].id,
		                      net->classes[c].share);
	}
	sl_trace_comment_add(t, "classes: by rank of work (runtime x size) within device kind, shortest first, "
	                     "in proportion to the class shares: %s; a latency class only for origins with a site "
	                     "within its budget", buf);
	k = 0;
	buf[0] = '\0';
	for (int c = 0; c < net->nclasses && c < 64 && k < sizeof buf - 80; c++)
		k += (size_t)snprintf(buf + k, sizeof buf - k, "%s%s %zu", c ? ", " : "", net->classes[c].id,
		                      m->c.per_class[c]);
	sl_trace_comment_add(t, "jobs per class: %s", buf);
}

static void describe_counts(const mapper *m, sl_trace *t)
{
	const map_counts *c = &m->c;
	sl_trace_comment_add(t, "dropped: %zu by status, %zu outside the window, %zu beyond the limit; "
	                     "%zu without a processor count (read as 1), %zu without an estimate (est = run), "
	                     "%zu ran past their estimate (killed at it), %zu clamped to the largest legal site",
	                     c->by_status, c->outside_window, c->beyond_limit, c->no_procs, c->no_est, c->over_est,
	                     c->clamped);
	if (c->gpu_milli_exact > 0)
		sl_trace_comment_add(t, "GPUs: %zu jobs ask for a fraction of a GPU; each job gets ceil(GPU demand) "
		                     "whole GPUs: their requests sum to %.6g GPUs exactly, %.6g whole GPUs given (x%.4f)", c->frac_gpu,
		                     c->gpu_milli_exact / 1000, c->gpus_whole,
		                     c->gpus_whole / (c->gpu_milli_exact / 1000));
}

static void describe_offered(const mapper *m, sl_trace *t)
{
	if (t->n == 0)
		return;
	int64_t span = t->jobs[t->n - 1].submit - t->jobs[0].submit;
	sl_offered off;
	sl_trace_offered(m->net, t, span > 0 ? span : 1, &off);
	sl_trace_comment_add(t, "offered utilisation over the %.4g days from first to last submission: cpu %.4f, "
	                     "gpu %.4f", (double)span / SL_DAY, off.util_cpu, off.util_gpu);
}

void sl__map_describe(const mapper *m, sl_trace *t)
{
	describe_source(m, t);
	describe_options(m, t);
	describe_time(m, t);
	describe_classes(m, t);
	describe_counts(m, t);
	describe_offered(m, t);
}
