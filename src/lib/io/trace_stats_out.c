/*
 * trace_stats_out.c — `suanli trace stats` output: a human report with
 * small bar charts, and the same figures as one JSON object (jansson).
 * Contract in io/trace_stats.h.
 */
#include "io/trace_stats.h"

#include <errno.h>
#include <jansson.h>
#include <string.h>

#include "core/time.h"

static const char *const wday_name[7] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
static const char *const status_name[9] = {
	"unknown", "failed", "completed", "partial", "?", "?", "cancelled", "running at the end", "never started",
};
static const char *const status_key[9] = {
	"unknown", "failed", "completed", "partial", "status_3", "status_4", "cancelled", "running", "pending",
};
static const char *const qos_name[SL_QOS_COUNT] = {"none", "LS", "BE", "Burstable", "Guaranteed"};
static const char *const size_bin_name[SL_STATS_BINS] = {"1", "2", "3-4", "5-8", "9-32", "33-128", "129-1024", ">1024"};
static const char *const time_bin_name[SL_STATS_BINS] = {"<1m", "1-10m", "10m-1h", "1-4h", "4-12h", "12h-1d", "1-2d", ">2d"};

static const char *format_name(int f)
{
	return f == SL_LOG_SWF ? "Standard Workload Format (Parallel Workloads Archive)"
	     : f == SL_LOG_ALIBABA ? "Alibaba GPU trace v2023" : "suanli native CSV";
}

static void bar(FILE *f, const char *label, size_t count, size_t max, size_t total)
{
	char hashes[41];
	int n = max ? (int)((double)count * 40 / (double)max + 0.5) : 0;
	memset(hashes, '#', (size_t)n);
	hashes[n] = '\0';
	fprintf(f, "  %-8s %-40s %5.1f%%\n", label, hashes, total ? 100.0 * (double)count / (double)total : 0);
}

static void print_profile(FILE *f, const sl_trace_stats *s)
{
	size_t mh = 0, md = 0;
	char label[16], off[8];
	for (int h = 0; h < 24; h++)
		mh = s->by_hour[h] > mh ? s->by_hour[h] : mh;
	for (int d = 0; d < 7; d++)
		md = s->by_wday[d] > md ? s->by_wday[d] : md;
	sl_utc_offset_format(s->utc_offset_s, off, sizeof off);
	fprintf(f, "\narrivals by hour of day (local time: %s, UTC%s%s)\n", s->tz_name[0] ? s->tz_name : "no zone name",
	        off, s->tz == SL_TZ_US ? ", US daylight saving" : s->tz == SL_TZ_EU ? ", EU daylight saving" : "");
	for (int h = 0; h < 24; h++) {
		snprintf(label, sizeof label, "%02d:00", h);
		bar(f, label, s->by_hour[h], mh, s->jobs);
	}
	fprintf(f, "\narrivals by day of week\n");
	for (int d = 0; d < 7; d++)
		bar(f, wday_name[d], s->by_wday[d], md, s->jobs);
}

static void print_dist(FILE *f, const char *what, const sl_dist *d, int is_time)
{
	char b[7][24];
	const double v[7] = {d->min, d->p25, d->p50, d->p75, d->p90, d->p99, d->max};
	if (d->n == 0) {
		fprintf(f, "\n%s: not in the log\n", what);
		return;
	}
	for (int i = 0; i < 7; i++) {
		if (is_time)
			sl_duration_format((int64_t)v[i], b[i], sizeof b[i]);
		else
			snprintf(b[i], sizeof b[i], "%.6g", v[i]);
	}
	fprintf(f, "\n%s (%zu jobs): min %s, p25 %s, median %s, p75 %s, p90 %s, p99 %s, max %s\n", what, d->n, b[0],
	        b[1], b[2], b[3], b[4], b[5], b[6]);
	size_t mx = 0;
	for (int i = 0; i < SL_STATS_BINS; i++)
		mx = d->bin[i] > mx ? d->bin[i] : mx;
	for (int i = 0; i < SL_STATS_BINS; i++)
		bar(f, is_time ? time_bin_name[i] : size_bin_name[i], d->bin[i], mx, d->n);
}

static void print_head(FILE *f, const sl_trace_stats *s)
{
	char a[40], b[40];
	fprintf(f, "%s: %s\n", s->name ? s->name : "trace", format_name(s->format));
	fprintf(f, "  jobs: %zu", s->jobs);
	const char *sep = " (";
	for (int i = 0; i < 9; i++)
		if (s->by_status[i] && s->format != SL_LOG_NATIVE) {
			fprintf(f, "%s%zu %s", sep, s->by_status[i], status_name[i]);
			sep = ", ";
		}
	fprintf(f, "%s\n", sep[0] == ',' ? ")" : "");
	if (s->format == SL_LOG_ALIBABA)
		fprintf(f, "  QoS: LS %zu, BE %zu, Burstable %zu, Guaranteed %zu\n", s->by_qos[SL_QOS_LS], s->by_qos[SL_QOS_BE],
		        s->by_qos[SL_QOS_BURSTABLE], s->by_qos[SL_QOS_GUARANTEED]);
	if (s->users)
		fprintf(f, "  users: %zu\n", s->users);
	if (s->jobs) {
		sl_time_format_iso(s->first_submit, s->first_offset_s, 0, a, sizeof a);
		sl_time_format_iso(s->last_submit, s->last_offset_s, 0, b, sizeof b);
		fprintf(f, "  span: %s to %s (%.2f days, first to last submission)\n", a, b, s->span_days);
	}
	if (s->machine_procs > 0)
		fprintf(f, "  machine: %lld processors\n", (long long)s->machine_procs);
	if (s->machine_cores > 0 || s->machine_gpus > 0)
		fprintf(f, "  machine: %lld cores, %lld GPUs\n", (long long)s->machine_cores, (long long)s->machine_gpus);
}

static void print_estimates(FILE *f, const sl_trace_stats *s)
{
	if (s->est_jobs == 0) {
		fprintf(f, "\nestimates: the log gives no requested times\n");
		return;
	}
	fprintf(f, "\nestimate accuracy (%zu jobs with a runtime and a requested time): median requested/run %.2f, "
	        "mean run/requested %.2f, %.1f%% reached the limit (run >= 0.99 x requested), %.1f%% ran past it\n",
	        s->est_jobs, s->est_ratio_p50, s->est_accuracy_mean, 100 * s->est_reached, 100 * s->est_over);
}

static void print_load(FILE *f, const sl_trace_stats *s)
{
	fprintf(f, "\n");
	if (s->format != SL_LOG_NATIVE)
		fprintf(f, "offered utilisation of its own machine (work / (machine x span)):");
	if (s->format == SL_LOG_NATIVE)
		;
	else if (s->size_is_procs && s->machine_procs > 0)
		fprintf(f, " %.4f of %lld processors\n", s->util_own_cpu, (long long)s->machine_procs);
	else if (s->machine_cores > 0 || s->machine_gpus > 0)
		fprintf(f, " cpu %.4f, gpu %.4f\n", s->util_own_cpu, s->util_own_gpu);
	else
		fprintf(f, " unknown (the log does not give its machine size)\n");
	if (s->frac_gpu_jobs || (s->gpu_jobs && s->format == SL_LOG_ALIBABA))
		fprintf(f, "GPU requests: %zu jobs, %zu of them for a fraction of a GPU; %.6g GPUs exactly, %.6g "
		        "whole GPUs when each job's request is rounded up (x%.4f)\n", s->gpu_jobs, s->frac_gpu_jobs,
		        s->gpu_exact, s->gpu_whole, s->gpu_exact > 0 ? s->gpu_whole / s->gpu_exact : 0);
	if (s->has_network)
		fprintf(f, "offered utilisation of scenario \"%s\" (%lld cores, %lld GPUs), %zu jobs over %.2f days: "
		        "cpu %.4f, gpu %.4f (binding: %s)\n", s->network ? s->network : "", (long long)s->net_cores,
		        (long long)s->net_gpus, s->mapped_jobs, s->mapped_span_days, s->offered.util_cpu,
		        s->offered.util_gpu, s->offered.util_cpu >= s->offered.util_gpu ? "cpu" : "gpu");
}

int sl_trace_stats_print(FILE *f, const sl_trace_stats *s, sl_err *err)
{
	print_head(f, s);
	print_profile(f, s);
	print_dist(f, s->size_is_procs ? "size (processors requested)" : "size (cores)", &s->size, 0);
	if (s->gpus.n || s->format != SL_LOG_SWF)
		print_dist(f, "GPUs (fractions included)", &s->gpus, 0);
	print_dist(f, "runtime", &s->run_s, 1);
	print_dist(f, "requested time", &s->est_s, 1);
	print_dist(f, "wait", &s->wait_s, 1);
	print_estimates(f, s);
	print_load(f, s);
	if (fflush(f) != 0 || ferror(f))
		return sl_err_set(err, SL_EIO, NULL, "writing the report failed: %s", strerror(errno));
	return 0;
}

/* ---- JSON ------------------------------------------------------------------ */

static json_t *dist_json(const sl_dist *d, int is_time)
{
	json_t *o = json_object(), *bins = json_object();
	json_object_set_new(o, "n", json_integer((json_int_t)d->n));
	if (d->n) {
		const char *k[9] = {"min", "p10", "p25", "p50", "p75", "p90", "p99", "max", "mean"};
		const double v[9] = {d->min, d->p10, d->p25, d->p50, d->p75, d->p90, d->p99, d->max, d->mean};
		for (int i = 0; i < 9; i++)
			json_object_set_new(o, k[i], json_real(v[i]));
	}
	for (int i = 0; i < SL_STATS_BINS; i++)
		json_object_set_new(bins, is_time ? time_bin_name[i] : size_bin_name[i], json_integer((json_int_t)d->bin[i]));
	json_object_set_new(o, "bins", bins);
	return o;
}

static json_t *counts_json(const size_t *c, int n)
{
	json_t *a = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(a, json_integer((json_int_t)c[i]));
	return a;
}

static void head_json(json_t *o, const sl_trace_stats *s)
{
	static const char *const fmt[] = {"unknown", "native", "swf", "alibaba"};
	char a[40], b[40];
	json_t *st = json_object(), *q = json_object();
	json_object_set_new(o, "trace", json_string(s->name ? s->name : ""));
	json_object_set_new(o, "format", json_string(fmt[s->format >= 0 && s->format <= 3 ? s->format : 0]));
	json_object_set_new(o, "jobs", json_integer((json_int_t)s->jobs));
	for (int i = 0; i < 9; i++)
		if (s->by_status[i])
			json_object_set_new(st, status_key[i], json_integer((json_int_t)s->by_status[i]));
	json_object_set_new(o, "status", st);
	for (int i = 1; i < SL_QOS_COUNT; i++)
		if (s->by_qos[i])
			json_object_set_new(q, qos_name[i], json_integer((json_int_t)s->by_qos[i]));
	json_object_set_new(o, "qos", q);
	json_object_set_new(o, "users", json_integer((json_int_t)s->users));
	sl_time_format_iso(s->first_submit, s->first_offset_s, 0, a, sizeof a);
	sl_time_format_iso(s->last_submit, s->last_offset_s, 0, b, sizeof b);
	json_object_set_new(o, "first_submit", json_string(a));
	json_object_set_new(o, "last_submit", json_string(b));
	json_object_set_new(o, "span_days", json_real(s->span_days));
	json_object_set_new(o, "time_zone", json_string(s->tz_name));
	json_object_set_new(o, "utc_offset_s", json_integer(s->utc_offset_s));
	json_object_set_new(o, "daylight_saving", json_string(s->tz == SL_TZ_US ? "US" : s->tz == SL_TZ_EU ? "EU" : "none"));
	json_object_set_new(o, "arrivals_by_hour", counts_json(s->by_hour, 24));
	json_object_set_new(o, "arrivals_by_weekday", counts_json(s->by_wday, 7));
}

static void load_json(json_t *o, const sl_trace_stats *s)
{
	json_t *e = json_object(), *m = json_object();
	json_object_set_new(e, "jobs", json_integer((json_int_t)s->est_jobs));
	json_object_set_new(e, "median_requested_over_run", json_real(s->est_ratio_p50));
	json_object_set_new(e, "mean_run_over_requested", json_real(s->est_accuracy_mean));
	json_object_set_new(e, "reached_limit", json_real(s->est_reached));
	json_object_set_new(e, "ran_past_limit", json_real(s->est_over));
	json_object_set_new(o, "estimates", e);
	json_object_set_new(m, "processors", json_integer(s->machine_procs));
	json_object_set_new(m, "cores", json_integer(s->machine_cores));
	json_object_set_new(m, "gpus", json_integer(s->machine_gpus));
	json_object_set_new(m, "util_cpu", json_real(s->util_own_cpu));
	json_object_set_new(m, "util_gpu", json_real(s->util_own_gpu));
	json_object_set_new(o, "own_machine", m);
	json_t *g = json_object();
	json_object_set_new(g, "jobs", json_integer((json_int_t)s->gpu_jobs));
	json_object_set_new(g, "fractional_jobs", json_integer((json_int_t)s->frac_gpu_jobs));
	json_object_set_new(g, "exact", json_real(s->gpu_exact));
	json_object_set_new(g, "whole", json_real(s->gpu_whole));
	json_object_set_new(o, "gpu_requests", g);
	if (!s->has_network)
		return;
	json_t *n = json_object();
	json_object_set_new(n, "scenario", json_string(s->network ? s->network : ""));
	json_object_set_new(n, "cores", json_integer(s->net_cores));
	json_object_set_new(n, "gpus", json_integer(s->net_gpus));
	json_object_set_new(n, "jobs", json_integer((json_int_t)s->mapped_jobs));
	json_object_set_new(n, "span_days", json_real(s->mapped_span_days));
	json_object_set_new(n, "util_cpu", json_real(s->offered.util_cpu));
	json_object_set_new(n, "util_gpu", json_real(s->offered.util_gpu));
	json_object_set_new(n, "util", json_real(s->offered.util));
	json_object_set_new(o, "offered", n);
}

int sl_trace_stats_write_json(FILE *f, const sl_trace_stats *s, sl_err *err)
{
	json_t *o = json_object();
	head_json(o, s);
	json_object_set_new(o, "size_unit", json_string(s->size_is_procs ? "processors" : "cores"));
	json_object_set_new(o, "size", dist_json(&s->size, 0));
	json_object_set_new(o, "gpus", dist_json(&s->gpus, 0));
	json_object_set_new(o, "run_s", dist_json(&s->run_s, 1));
	json_object_set_new(o, "requested_s", dist_json(&s->est_s, 1));
	json_object_set_new(o, "wait_s", dist_json(&s->wait_s, 1));
	load_json(o, s);
	int bad = json_dumpf(o, f, JSON_INDENT(2) | JSON_REAL_PRECISION(10) | JSON_PRESERVE_ORDER) != 0 ||
	          fputc('\n', f) == EOF || fflush(f) != 0;
	json_decref(o);
	return bad ? sl_err_set(err, SL_EIO, NULL, "writing the JSON failed: %s", strerror(errno)) : 0;
}
