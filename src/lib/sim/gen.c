/*
 * gen.c — the synthetic workload generator (sl_workload_gen, io/trace.h).
 *
 * Jobs are drawn one after another from the scenario's origin and class
 * shares until the work they offer reaches the target utilisation of the
 * binding resource (CPU cores or GPUs) over the trace span; then
 * gen_arrivals.c gives them arrival times.  Drawing the count from the work
 * rather than from a rate makes the offered load exact (within one job)
 * instead of merely right on average.  A class with a latency budget is
 * drawn only for origins that have a site within it (the class mix of an
 * origin renormalises over the classes it can run).  Every number and
 * distribution used here is documented, with its source, in
 * docs/trace-format.md.
 */
#include "io/trace.h"

#include <math.h>
#include <string.h>

#include "core/mem.h"
#include "core/rng.h"
#include "core/time.h"
#include "sim/gen_int.h"

#define EST_MIN_S 300        /* the shortest estimate users give: 5 minutes */
#define OVERASK_MAX 8.0      /* est = run x f, f log-uniform in [1, OVERASK_MAX] */
#define KILL_FRAC 0.08       /* share of jobs that run past their estimate */
#define KILL_LO 0.50         /* such a job's estimate: run x U[KILL_LO, KILL_HI] */
#define KILL_HI 0.95
#define MAX_DAYS 3660.0      /* --days */
#define MAX_SPAN_DAYS 36525.0 /* the span a job count implies: signals repeat yearly */
#define MAX_COUNT 1e7        /* cores or GPUs per job */
#define MAX_BYTES 1e18
#define TIME_SEED_MIX 0x7c3b5a1f2e4d6c8bULL /* a second stream for arrival times */

typedef struct gen {
	const sl_network *net;
	sl_rng rng;
	double *origin_share;    /* [norigins]: share, 0 for an origin that can run no class */
	double *class_share;     /* [norigins * nclasses]: row o = the class shares renormalised
	                          * over the classes origin o can run (latency budgets) */
	int64_t start, end;
	double cap_core_s;       /* installed cores x span; 0 when none (or a count is asked) */
	double cap_gpu_s;
	double core_s, gpu_s;    /* work drawn so far: sum of min(run, est) x cores, x gpus */
	size_t njobs;
} gen;

/* ---- validation -------------------------------------------------------- */

static int bad_range(sl_range r, double max)
{
	return !(isfinite(r.lo) && isfinite(r.hi) && r.lo >= 0 && r.lo <= r.hi && r.hi <= max);
}

static int check_class(const sl_job_class *k, int64_t cores, int64_t gpus, sl_err *err)
{
	const char *id = k->id ? k->id : "?";
	if (bad_range(k->cores, MAX_COUNT) || bad_range(k->gpus, MAX_COUNT))
		return sl_err_set(err, SL_EINVAL, id, "cores/gpus range invalid (0 <= lo <= hi <= %g)", MAX_COUNT);
	if (bad_range(k->runtime_s, (INT32_MAX - SL_HOUR) / OVERASK_MAX) || k->runtime_s.hi < 1)
		return sl_err_set(err, SL_EINVAL, id, "runtime range invalid (1 s <= hi <= %.0f s)",
		                  (INT32_MAX - SL_HOUR) / OVERASK_MAX);
	if (bad_range(k->deadline_s, 1e12) || bad_range(k->input_bytes, MAX_BYTES) ||
	    bad_range(k->output_bytes, MAX_BYTES) || !(k->latency_budget_ms >= 0))
		return sl_err_set(err, SL_EINVAL, id, "deadline, input, output or latency budget invalid");
	if (k->cores.hi < 1 && k->gpus.hi < 1)
		return sl_err_set(err, SL_EINVAL, id, "class requests neither cores nor GPUs");
	if (k->cores.hi >= 1 && cores == 0)
		return sl_err_set(err, SL_EINVAL, id, "class needs CPU cores but the network has none");
	if (k->gpus.hi >= 1 && gpus == 0)
		return sl_err_set(err, SL_EINVAL, id, "class needs GPUs but the network has none");
	return 0;
}

static int check_shares(const char *what, double sum, sl_err *err)
{
	if (!(sum > 0 && isfinite(sum)))
		return sl_err_set(err, SL_EINVAL, NULL, "the %s shares must be >= 0 and not all 0", what);
	return 0;
}

static int check_inputs(const sl_network *net, const sl_gen_opts *o, sl_err *err)
{
	int64_t cores, gpus;
	double so = 0, sc = 0;
	if (o->jobs && o->days != 0)
		return sl_err_set(err, SL_EINVAL, NULL, "give days or a job count, not both");
	if (!o->jobs && !(o->days > 0 && o->days <= MAX_DAYS))
		return sl_err_set(err, SL_EINVAL, NULL, "days must be in (0, %g], got %g", MAX_DAYS, o->days);
	if (!(o->load > 0 && o->load <= 2))
		return sl_err_set(err, SL_EINVAL, NULL, "load must be in (0, 2], got %g", o->load);
	if (net->norigins < 1)
		return sl_err_set(err, SL_EINVAL, NULL, "the scenario has no origins");
	if (net->nclasses < 1)
		return sl_err_set(err, SL_EINVAL, NULL,
		                  "the scenario has no job_classes: the generator draws jobs from them");
	for (int i = 0; i < net->norigins; i++)
		so += net->origins[i].share >= 0 ? net->origins[i].share : NAN;
	for (int i = 0; i < net->nclasses; i++)
		sc += net->classes[i].share >= 0 ? net->classes[i].share : NAN;
	int rc = check_shares("origin", so, err);
	if (rc || (rc = check_shares("job class", sc, err)))
		return rc;
	sl_network_capacity(net, &cores, &gpus);
	for (int i = 0; i < net->nclasses; i++)
		if (net->classes[i].share > 0 && (rc = check_class(&net->classes[i], cores, gpus, err)))
			return rc;
	return 0;
}

/* ---- draws --------------------------------------------------------------- */

/* Cores: 1 or 2 below 2.83, else the nearest multiple of 4.  GPUs: the
 * nearest of 1, 2, 4, 8 (in log scale) below 11.3, else the nearest
 * multiple of 8.  Then clamped into the class range. */
static int32_t draw_count(sl_rng *r, sl_range rg, int is_gpu)
{
	double v = sl_trace_draw_log(r, rg);
	if (v <= 0)
		return 0;
	double c;
	if (is_gpu)
		c = v < 8 * M_SQRT2 ? exp2(round(log2(v))) : 8 * round(v / 8);
	else
		c = v < M_SQRT2 ? 1 : v < 2 * M_SQRT2 ? 2 : 4 * round(v / 4);
	double lo = ceil(rg.lo < 1 ? 1 : rg.lo), hi = floor(rg.hi);
	return (int32_t)(c < lo ? lo : c > hi ? hi : c);
}

/* Round an estimate up (or down) to the next 5 minutes below one hour and
 * to the next whole hour above. */
static int32_t est_round(double x, int up)
{
	double step = x < SL_HOUR ? 300 : SL_HOUR;
	double q = up ? ceil(x / step) : floor(x / step);
	return (int32_t)(q * step);
}

/* The user's estimate (time limit) for a job that will run run_s. */
static int32_t draw_estimate(sl_rng *r, int32_t run_s)
{
	if (sl_rng_double(r) < KILL_FRAC && run_s > EST_MIN_S) {
		int32_t est = est_round(run_s * sl_rng_uniform(r, KILL_LO, KILL_HI), 0);
		return est < EST_MIN_S ? EST_MIN_S : est; /* still < run_s: it will be killed */
	}
	int32_t est = est_round(run_s * sl_rng_loguniform(r, 1.0, OVERASK_MAX), 1);
	return est < EST_MIN_S ? EST_MIN_S : est;
}

/* Time to move bytes from origin to its slowest reachable site. */
static void draw_job(gen *g, sl_job *j)
{
	const sl_network *net = g->net;
	memset(j, 0, sizeof *j);
	j->origin = (int16_t)sl_rng_pick(&g->rng, g->origin_share, net->norigins);
	j->cls = (int16_t)sl_rng_pick(&g->rng, g->class_share + (size_t)j->origin * (size_t)net->nclasses,
	                              net->nclasses);
	const sl_job_class *k = &net->classes[j->cls];
	j->cores = draw_count(&g->rng, k->cores, 0);
	j->gpus = draw_count(&g->rng, k->gpus, 1);
	double run = round(sl_trace_draw_log(&g->rng, k->runtime_s));
	j->run_s = run < 1 ? 1 : (int32_t)run;
	j->est_s = draw_estimate(&g->rng, j->run_s);
	j->input_bytes = (int64_t)llround(sl_trace_draw_log(&g->rng, k->input_bytes));
	j->output_bytes = (int64_t)llround(sl_trace_draw_log(&g->rng, k->output_bytes));
	j->deadline_s = sl_trace_draw_deadline_s(&g->rng, g->net, k, j);
	j->latency_budget_ms = (float)k->latency_budget_ms;
	j->tag = sl_trace_draw_tag(&g->rng, net, &net->origins[j->origin]);
}

/* ---- the driver ---------------------------------------------------------- */

static double offered_util(const gen *g)
{
	double u_cpu = g->cap_core_s > 0 ? g->core_s / g->cap_core_s : 0;
	double u_gpu = g->cap_gpu_s > 0 ? g->gpu_s / g->cap_gpu_s : 0;
	return u_cpu > u_gpu ? u_cpu : u_gpu;
}

/* Draw jobs until there are o->jobs of them or, without a count, until the
 * binding resource's offered utilisation over the span reaches o->load. */
static int draw_jobs(gen *g, const sl_gen_opts *o, size_t max_jobs, sl_trace *t, sl_err *err)
{
	for (;;) {
		if (o->jobs ? t->n >= o->jobs : offered_util(g) >= o->load)
			return 0;
		if (t->n >= max_jobs)
			return sl_err_set(err, SL_ERANGE, NULL,
			                  "reaching load %g needs more than %zu jobs; use fewer days or a lower load",
			                  o->load, max_jobs);
		sl_job j;
		draw_job(g, &j);
		double busy_s = j.run_s < j.est_s ? j.run_s : j.est_s;
		g->core_s += busy_s * j.cores;
		g->gpu_s += busy_s * j.gpus;
		sl_trace_push(t, &j);
	}
}

/* With a job count, the span is what makes the drawn work the target load. */
static int span_for_count(gen *g, double load, int64_t cores, int64_t gpus, sl_err *err)
{
	double s_cpu = cores > 0 ? g->core_s / (load * (double)cores) : 0;
	double s_gpu = gpus > 0 ? g->gpu_s / (load * (double)gpus) : 0;
	double span = ceil(s_cpu > s_gpu ? s_cpu : s_gpu);
	if (span > MAX_SPAN_DAYS * SL_DAY)
		return sl_err_set(err, SL_ERANGE, NULL,
		                  "%zu jobs at load %g would span %.0f days (at most %.0f); ask for fewer jobs "
		                  "or a higher load", g->njobs, load, span / SL_DAY, MAX_SPAN_DAYS);
	g->end = g->start + (span < 1 ? 1 : (int64_t)span);
	return 0;
}

static void describe(const sl_network *net, const sl_gen_opts *o, const gen *g, sl_trace *t)
{
	char iso[40];
	sl_offered off;
	sl_trace_offered(net, t, g->end - g->start, &off);
	sl_time_format_iso(g->start, net->utc_offset_s, 1, iso, sizeof iso);
	sl_trace_comment_add(t, "suanli workload generator: scenario \"%s\", seed %llu, start %s, days %.6g, load %g",
	                     net->name ? net->name : "", (unsigned long long)o->seed, iso,
	                     (double)(g->end - g->start) / SL_DAY, o->load);
	sl_trace_comment_add(t, "%zu jobs; offered utilisation: cpu %.4f, gpu %.4f (binding: %s)", t->n,
	                     off.util_cpu, off.util_gpu, off.util_cpu >= off.util_gpu ? "cpu" : "gpu");
}

/* Per-origin class weights: a class whose latency budget no site of the
 * origin meets is never drawn there (that origin's interactive work is
 * served by hubs outside the modelled network), the rest keep their shares;
 * an origin that can run no class submits nothing.  Returns 0, or
 * SL_EINVAL when no origin can run any class. */
static int feasible_shares(gen *g, sl_err *err)
{
	const sl_network *net = g->net;
	double total = 0;
	for (int o = 0; o < net->norigins; o++) {
		double *row = g->class_share + (size_t)o * (size_t)net->nclasses, sum = 0;
		for (int k = 0; k < net->nclasses; k++) {
			double s = net->classes[k].share;
			row[k] = s > 0 && sl_trace_origin_can_run(net, o, k) ? s : 0;
			sum += row[k];
		}
		g->origin_share[o] = sum > 0 ? net->origins[o].share : 0;
		total += g->origin_share[o];
	}
	if (!(total > 0))
		return sl_err_set(err, SL_EINVAL, NULL,
		                  "no origin with a share can run any job class: every class needs a route "
		                  "within its latency budget to a site large enough for it");
	return 0;
}

static void gen_init(gen *g, const sl_network *net, const sl_gen_opts *opts, int64_t cores, int64_t gpus)
{
	memset(g, 0, sizeof *g);
	g->net = net;
	g->start = opts->start ? opts->start : net->t0;
	g->end = g->start + (int64_t)llround(opts->days * SL_DAY); /* with a count: set later */
	g->cap_core_s = (double)cores * (double)(g->end - g->start);
	g->cap_gpu_s = (double)gpus * (double)(g->end - g->start);
	g->origin_share = sl_malloc((size_t)net->norigins * sizeof *g->origin_share);
	g->class_share = sl_malloc((size_t)net->norigins * (size_t)net->nclasses * sizeof *g->class_share);
	sl_rng_seed(&g->rng, opts->seed);
}

int sl_workload_gen(const sl_network *net, const sl_gen_opts *opts, sl_trace *out, sl_err *err)
{
	sl_trace t = {0};
	gen g;
	int64_t cores, gpus;
	int rc = check_inputs(net, opts, err);
	if (rc)
		return rc;
	size_t max_jobs = opts->max_jobs ? opts->max_jobs : SL_GEN_MAX_JOBS_DEFAULT;
	if (max_jobs > UINT32_MAX - 1u)
		max_jobs = UINT32_MAX - 1u; /* gen_arrivals indexes jobs with uint32_t */
	sl_network_capacity(net, &cores, &gpus);
	gen_init(&g, net, opts, cores, gpus);
	rc = feasible_shares(&g, err);
	if (rc == 0)
		rc = draw_jobs(&g, opts, max_jobs, &t, err);
	g.njobs = t.n;
	if (rc == 0 && opts->jobs)
		rc = span_for_count(&g, opts->load, cores, gpus, err);
	if (rc == 0) {
		sl__gen_arrivals(net, g.start, g.end, opts->seed ^ TIME_SEED_MIX, t.jobs, t.n);
		describe(net, opts, &g, &t);
	}
	sl_free(g.origin_share);
	sl_free(g.class_share);
	if (rc) {
		sl_trace_release(&t);
		return rc;
	}
	sl_trace_release(out);
	*out = t;
	return 0;
}
