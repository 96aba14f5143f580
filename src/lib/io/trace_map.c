/*
 * trace_map.c — mapping a real workload log onto a network (sl_trace_map,
 * io/trace_map.h).
 *
 * A log job has a submit time, a size (processors, or CPUs and GPUs), a
 * runtime and an estimate; a network job also needs an origin, a class,
 * data sizes, a deadline and a data tag.  The rules, all documented in
 * docs/trace-format.md ("Real workload logs"):
 *
 *   select   the status option, the time window, the job limit;
 *   origin   drawn by the scenario's shares (or fixed), among origins that
 *            can run at least one class;
 *   class    by rank of the job's work (runtime x size) within its device
 *            kind: the classes, shortest runtime first, take consecutive
 *            slices of the ranks in proportion to their shares, renormalised
 *            over the classes the origin can run (latency budgets);
 *   size     processors x scale into cores or GPUs (GPU classes get cores
 *            by the class's cores-per-GPU ratio); explicit devices x scale,
 *            fractions of a GPU rounded up; never beyond the largest site
 *            the job could legally use;
 *   time     each job keeps its local wall-clock time and weekday, moved
 *            from the log's zone into its origin's, and the whole log moves
 *            by whole days so that its first day falls on the first same
 *            weekday on or after the start;
 *   the rest bytes and deadlines from the class (as the generator draws
 *            them), the data tag by the origin's tag shares.
 *
 * All draws come from one seeded xoshiro stream in log order, so the same
 * log, network and options give the same trace.
 */
#include "io/trace_map.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/time.h"
#include "io/trace_map_int.h"

/* ---- which origin may run which class ---------------------------------- */

static int site_fits_class(const sl_site *s, const sl_job_class *k)
{
	double c = k->cores.hi >= 1 ? (k->cores.lo > 1 ? k->cores.lo : 1) : 0;
	double g = k->gpus.hi >= 1 ? (k->gpus.lo > 1 ? k->gpus.lo : 1) : 0;
	return s->cores >= c && s->gpus >= g;
}

int sl_trace_origin_can_run(const sl_network *net, int origin, int cls)
{
	const sl_origin *o = &net->origins[origin];
	const sl_job_class *k = &net->classes[cls];
	for (int r = 0; r < o->nroutes; r++) {
		const sl_route *rt = &o->routes[r];
		if (k->latency_budget_ms > 0 && rt->rtt_ms > k->latency_budget_ms)
			continue;
		if (rt->site >= 0 && rt->site < net->nsites && site_fits_class(&net->sites[rt->site], k))
			return 1;
	}
	return 0;
}

/* ---- selection ----------------------------------------------------------- */

static int status_keeps(int option, const sl_logjob *j)
{
	if (option == SL_STATUS_DROP)
		return !(j->status == SL_LOGJ_FAILED || j->status == SL_LOGJ_CANCELLED ||
		         j->status == SL_LOGJ_PENDING);
	if (option == SL_STATUS_RAN)
		return j->run_s > 0;
	return 1;
}

static void select_jobs(mapper *m)
{
	const sl_srclog *L = m->log;
	const sl_map_opts *o = m->o;
	int64_t base = L->n ? L->jobs[0].submit : 0;
	int64_t from = o->win_rel ? base + o->win_from : o->win_from;
	int64_t to = o->win_rel ? base + o->win_to : o->win_to;
	m->sel = sl_malloc((L->n ? L->n : 1) * sizeof *m->sel);
	m->c.log_jobs = L->n;
	for (size_t i = 0; i < L->n; i++) {
		const sl_logjob *j = &L->jobs[i];
		if (!status_keeps(o->status, j))
			m->c.by_status++;
		else if (o->has_window && (j->submit < from || j->submit >= to))
			m->c.outside_window++;
		else if (o->limit && m->nsel >= o->limit)
			m->c.beyond_limit++;
		else
			m->sel[m->nsel++] = (uint32_t)i;
	}
}

/* ---- classes ------------------------------------------------------------- */

static double geo_mid(sl_range r)
{
	double lo = r.lo < 1 ? 1 : r.lo, hi = r.hi < lo ? lo : r.hi;
	return sqrt(lo * hi);
}

/* Class a before class b: shorter typical runtime, then fewer GPUs, then
 * scenario order. */
static int class_before(const sl_network *net, int a, int b)
{
	const sl_job_class *x = &net->classes[a], *y = &net->classes[b];
	double dx = geo_mid(x->runtime_s), dy = geo_mid(y->runtime_s);
	if (dx != dy)
		return dx < dy;
	double gx = x->gpus.hi >= 1 ? geo_mid(x->gpus) : 0, gy = y->gpus.hi >= 1 ? geo_mid(y->gpus) : 0;
	if (gx != gy)
		return gx < gy;
	return a < b;
}

/* order[] := the classes sorted by class_before (few: insertion sort). */
static void sort_classes(const sl_network *net, int *order)
{
	for (int i = 0; i < net->nclasses; i++) {
		int x = i, k = i;
		while (k > 0 && class_before(net, x, order[k - 1])) {
			order[k] = order[k - 1];
			k--;
		}
		order[k] = x;
	}
}

static int job_kind(const sl_logjob *j)
{
	if (j->cpu_milli < 0 && j->gpu_milli < 0)
		return KIND_ANY;
	return j->gpu_milli > 0 ? KIND_GPU : KIND_CPU;
}

static int class_in_kind(const sl_job_class *k, int kind)
{
	if (kind == KIND_GPU)
		return k->gpus.hi >= 1;
	if (kind == KIND_CPU)
		return k->gpus.hi < 1;
	return 1;
}

/* Does the network have a class of this kind that someone may draw? */
static int kind_has_class(const mapper *m, int kind)
{
	for (int k = 0; k < m->net->nclasses; k++)
		if (m->net->classes[k].share > 0 && class_in_kind(&m->net->classes[k], kind))
			return 1;
	return 0;
}

/* The processors a SWF job asks for: requested, else allocated, else 1. */
static int32_t job_procs(const sl_logjob *j)
{
	return j->req_procs > 0 ? j->req_procs : j->procs > 0 ? j->procs : 1;
}

typedef struct rankkey {
	double work;
	int32_t run;
	uint32_t i;
} rankkey;

static int cmp_rank(const void *a, const void *b)
{
	const rankkey *x = a, *y = b;
	if (x->work != y->work)
		return x->work < y->work ? -1 : 1;
	if (x->run != y->run)
		return x->run < y->run ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* rank[i]: the position of job sel[i] by work among the selected jobs of
 * its kind, as (pos + 0.5) / count. */
static void rank_jobs(mapper *m)
{
	rankkey *key = sl_malloc((m->nsel ? m->nsel : 1) * sizeof *key);
	m->rank = sl_malloc((m->nsel ? m->nsel : 1) * sizeof *m->rank);
	for (int kind = 0; kind < NKIND; kind++) {
		size_t n = 0;
		for (size_t i = 0; i < m->nsel; i++) {
			const sl_logjob *j = &m->log->jobs[m->sel[i]];
			if (job_kind(j) != kind)
				continue;
			double size = kind == KIND_ANY ? job_procs(j) : kind == KIND_GPU ? (double)j->gpu_milli
			                                                                 : (double)j->cpu_milli;
			double run = j->run_s > 1 ? j->run_s : 1;
			key[n++] = (rankkey){run * (size > 0 ? size : 1), j->run_s, (uint32_t)i};
		}
		qsort(key, n, sizeof *key, cmp_rank);
		for (size_t r = 0; r < n; r++)
			m->rank[key[r].i] = ((double)r + 0.5) / (double)n;
	}
	sl_free(key);
}

/* The class of a job of this kind and rank from origin o: the classes the
 * origin may run (of the job's kind when there are any), shortest first,
 * split the ranks in proportion to their shares. */
static int pick_class(const mapper *m, int o, int kind, double rank)
{
	const sl_network *net = m->net;
	if (m->o->cls >= 0)
		return m->o->cls;
	for (int pass = 0; pass < 2; pass++) {
		double sum = 0, acc = 0;
		int last = -1;
		for (int i = 0; i < net->nclasses; i++) {
			int k = m->order[i];
			if (m->feas[o * net->nclasses + k] && (pass || class_in_kind(&net->classes[k], kind)))
				sum += net->classes[k].share;
		}
		if (!(sum > 0))
			continue;
		for (int i = 0; i < net->nclasses; i++) {
			int k = m->order[i];
			if (!m->feas[o * net->nclasses + k] || !(pass || class_in_kind(&net->classes[k], kind)))
				continue;
			acc += net->classes[k].share / sum;
			last = k;
			if (rank < acc)
				return k;
		}
		return last;
	}
	return m->order[0]; /* unreachable: origins without a class are never drawn */
}

/* ---- origins and feasibility --------------------------------------------- */

static int setup_classes(mapper *m, sl_err *err)
{
	const sl_network *net = m->net;
	int no = net->norigins, nk = net->nclasses;
	double wsum = 0;
	m->order = sl_malloc((size_t)nk * sizeof *m->order);
	m->feas = sl_calloc((size_t)no * (size_t)nk, 1);
	m->origin_w = sl_calloc((size_t)no, sizeof *m->origin_w);
	m->cores_per_gpu = sl_calloc((size_t)nk, sizeof *m->cores_per_gpu);
	for (int k = 0; k < nk; k++) {
		const sl_job_class *c = &net->classes[k];
		if (c->gpus.hi >= 1 && c->cores.hi >= 1)
			m->cores_per_gpu[k] = geo_mid(c->cores) / geo_mid(c->gpus);
	}
	sort_classes(net, m->order);
	for (int o = 0; o < no; o++) {
		int any = 0;
		for (int k = 0; k < nk; k++) {
			int want = m->o->cls >= 0 ? k == m->o->cls : net->classes[k].share > 0;
			m->feas[o * nk + k] = (uint8_t)(want && sl_trace_origin_can_run(net, o, k));
			any |= m->feas[o * nk + k];
		}
		double share = m->o->origin >= 0 ? (o == m->o->origin) : net->origins[o].share;
		m->origin_w[o] = any && share > 0 ? share : 0;
		wsum += m->origin_w[o];
	}
	if (!(wsum > 0))
		return sl_err_set(err, SL_EINVAL, NULL, "%s",
		                  m->o->origin >= 0 ? "the chosen origin cannot run the chosen class (no site within its latency budget)"
		                                    : "no origin with a positive share can run any job class with a positive share");
	return 0;
}

/* ---- scale ---------------------------------------------------------------- */

static int setup_scale(mapper *m, sl_err *err)
{
	const sl_srclog *L = m->log;
	int64_t cores, gpus;
	sl_network_capacity(m->net, &cores, &gpus);
	int explicit = L->n && job_kind(&L->jobs[0]) != KIND_ANY;
	if (!m->o->scale_auto) {
		m->k_cpu = m->k_gpu = m->o->scale > 0 ? m->o->scale : 1;
		return 0;
	}
	if (explicit) {
		if (L->machine_cores <= 0 && L->machine_gpus <= 0)
			return sl_err_set(err, SL_EINVAL, NULL, "scale=auto needs the log's machine size: for the "
			                  "Alibaba trace, its node list (%s)", "nodes=PATH");
		m->k_cpu = L->machine_cores > 0 ? (double)cores / (double)L->machine_cores : 1;
		m->k_gpu = L->machine_gpus > 0 ? (double)gpus / (double)L->machine_gpus : 1;
		return 0;
	}
	m->machine = L->max_procs > 0 ? L->max_procs : L->max_nodes;
	m->machine_from = L->max_procs > 0 ? "MaxProcs" : "MaxNodes";
	if (m->machine <= 0) {
		m->machine_from = "its largest job";
		for (size_t i = 0; i < L->n; i++)
			if (job_procs(&L->jobs[i]) > m->machine)
				m->machine = job_procs(&L->jobs[i]);
	}
	m->k_cpu = (double)cores / (double)m->machine;
	m->k_gpu = (double)gpus / (double)m->machine;
	return 0;
}

/* ---- time ------------------------------------------------------------------ */

static int wday_of(int64_t days)
{
	return (int)sl_floor_mod(days + 3, 7); /* 1970-01-01 was a Thursday; 0 = Monday */
}

/* Whole days that move the first selected job's local day onto the first
 * day on or after the start with the same weekday. */
static void setup_time(mapper *m)
{
	const sl_logjob *j0 = &m->log->jobs[m->sel[0]];
	int64_t wall0 = j0->submit + sl_srclog_offset_at(m->log, j0->submit);
	int64_t d0 = sl_floor_div(wall0, SL_DAY);
	m->start_used = m->o->start ? m->o->start : m->net->t0;
	int64_t ds = sl_floor_div(m->start_used + m->net->utc_offset_s, SL_DAY);
	int64_t target = ds + sl_floor_mod(wday_of(d0) - wday_of(ds), 7);
	m->shift_s = (target - d0) * SL_DAY;
}

/* ---- sizes ------------------------------------------------------------------ */

static int32_t clamp_i32(double v)
{
	return v >= INT32_MAX ? INT32_MAX : v < 0 ? 0 : (int32_t)v;
}

static void sizes_swf(mapper *m, const sl_logjob *l, int k, sl_job *j)
{
	const sl_job_class *c = &m->net->classes[k];
	double p = job_procs(l);
	if (l->req_procs <= 0 && l->procs <= 0)
		m->c.no_procs++;
	if (c->gpus.hi >= 1) {
		double g = round(p * m->k_gpu);
		j->gpus = clamp_i32(g < 1 ? 1 : g);
		if (m->cores_per_gpu[k] > 0) {
			double cores = round(j->gpus * m->cores_per_gpu[k]);
			j->cores = clamp_i32(cores < 1 ? 1 : cores);
		}
	} else {
		double cores = round(p * m->k_cpu);
		j->cores = clamp_i32(cores < 1 ? 1 : cores);
	}
}

static void sizes_explicit(mapper *m, const sl_logjob *l, sl_job *j)
{
	double cores = ceil((double)l->cpu_milli * m->k_cpu / 1000 - 1e-9);
	double gpus = ceil((double)l->gpu_milli * m->k_gpu / 1000 - 1e-9);
	j->cores = clamp_i32(cores);
	j->gpus = clamp_i32(gpus);
	if (j->cores == 0 && j->gpus == 0)
		j->cores = 1;
	if (l->gpu_milli > 0) {
		m->c.gpu_milli_exact += (double)l->gpu_milli;
		m->c.gpus_whole += j->gpus;
		m->c.frac_gpu += l->gpu_milli % 1000 != 0;
	}
}

/* The legal site with the most of the job's binding resource, or -1. */
static int best_site(mapper *m, const sl_job *j, int need_gpu)
{
	const sl_network *net = m->net;
	size_t slot = (((size_t)j->origin * (size_t)net->nclasses + (size_t)j->cls) * (size_t)(net->ntags + 1) +
	               (size_t)(j->tag + 1)) * 2 + (size_t)need_gpu;
	if (m->best_site[slot] != -2)
		return m->best_site[slot];
	const sl_origin *o = &net->origins[j->origin];
	int best = -1;
	for (int r = 0; r < o->nroutes; r++) {
		int s = o->routes[r].site;
		if ((j->latency_budget_ms > 0 && o->routes[r].rtt_ms > j->latency_budget_ms) ||
		    !sl_network_tag_allows(net, j->tag, s))
			continue;
		int64_t have = need_gpu ? net->sites[s].gpus : net->sites[s].cores;
		int64_t top = best < 0 ? -1 : need_gpu ? net->sites[best].gpus : net->sites[best].cores;
		if (have > top)
			best = s;
	}
	m->best_site[slot] = (int16_t)best;
	return best;
}

static void clamp_to_site(mapper *m, sl_job *j)
{
	int s = best_site(m, j, j->gpus > 0);
	if (s < 0)
		return; /* no legal site at all: the simulator rejects it with the reason */
	const sl_site *site = &m->net->sites[s];
	if (j->cores <= site->cores && j->gpus <= site->gpus)
		return;
	m->c.clamped++;
	if (j->gpus > site->gpus) { /* cores shrink with the GPUs: the job keeps its shape */
		j->cores = clamp_i32(ceil((double)j->cores * site->gpus / j->gpus));
		j->gpus = site->gpus;
	}
	if (j->cores > site->cores)
		j->cores = site->cores;
}

/* ---- one job --------------------------------------------------------------- */

double sl_trace_draw_log(sl_rng *r, sl_range rg)
{
	if (rg.hi < 1)
		return 0;
	double lo = rg.lo < 1 ? 1 : rg.lo;
	return lo >= rg.hi ? lo : sl_rng_loguniform(r, lo, rg.hi);
}

int16_t sl_trace_draw_tag(sl_rng *r, const sl_network *net, const sl_origin *o)
{
	if (!o->tag_share || net->ntags == 0)
		return -1;
	double u = sl_rng_double(r), acc = 0;
	for (int i = 0; i < net->ntags; i++) {
		acc += o->tag_share[i];
		if (u < acc)
			return (int16_t)i;
	}
	return -1; /* the untagged rest */
}

int64_t sl_trace_draw_deadline_s(sl_rng *r, const sl_network *net, const sl_job_class *k,
                                 const sl_job *j)
{
	if (k->deadline_s.hi < 1)
		return 0;
	double d = sl_trace_draw_log(r, k->deadline_s), worst = 0;
	const sl_origin *o = &net->origins[j->origin];
	for (int i = 0; i < o->nroutes; i++) {
		const sl_route *rt = &o->routes[i];
		double s = rt->rtt_ms / 1000.0 + (rt->gbps > 0 ? (double)j->input_bytes * 8 / (rt->gbps * 1e9) : 0);
		worst = s > worst ? s : worst;
	}
	if (d < j->est_s + worst)
		d = j->est_s + worst;
	return (int64_t)ceil(d / SL_MINUTE) * SL_MINUTE;
}

static void times(mapper *m, const sl_logjob *l, sl_job *j)
{
	int64_t wall = l->submit + sl_srclog_offset_at(m->log, l->submit);
	j->submit = wall + m->shift_s - m->net->origins[j->origin].utc_offset_s;
	j->run_s = l->run_s > 0 ? l->run_s : 0;
	if (l->est_s > 0) {
		j->est_s = l->est_s;
	} else {
		j->est_s = j->run_s > 0 ? j->run_s : 1;
		m->c.no_est++;
	}
	m->c.over_est += j->run_s > j->est_s;
}

static void map_job(mapper *m, size_t i, sl_job *j)
{
	const sl_network *net = m->net;
	const sl_logjob *l = &m->log->jobs[m->sel[i]];
	memset(j, 0, sizeof *j);
	j->id = l->id;
	j->origin = (int16_t)(m->o->origin >= 0 ? m->o->origin : sl_rng_pick(&m->rng, m->origin_w, net->norigins));
	int kind = job_kind(l);
	if (!kind_has_class(m, kind))
		kind = KIND_ANY;
	j->cls = (int16_t)pick_class(m, j->origin, kind, m->rank[i]);
	const sl_job_class *k = &net->classes[j->cls];
	if (j->cls < 64)
		m->c.per_class[j->cls]++;
	j->latency_budget_ms = (float)k->latency_budget_ms;
	j->tag = sl_trace_draw_tag(&m->rng, net, &net->origins[j->origin]);
	if (job_kind(l) == KIND_ANY)
		sizes_swf(m, l, j->cls, j);
	else
		sizes_explicit(m, l, j);
	clamp_to_site(m, j);
	times(m, l, j);
	j->input_bytes = (int64_t)llround(sl_trace_draw_log(&m->rng, k->input_bytes));
	j->output_bytes = (int64_t)llround(sl_trace_draw_log(&m->rng, k->output_bytes));
	j->deadline_s = sl_trace_draw_deadline_s(&m->rng, m->net, k, j);
	j->tenant = (int16_t)(l->user > 0 && l->user <= INT16_MAX ? l->user : 0);
}

/* ---- the driver -------------------------------------------------------------- */

typedef struct order_key {
	int64_t submit;
	uint32_t i;
} order_key;

static int cmp_order(const void *a, const void *b)
{
	const order_key *x = a, *y = b;
	if (x->submit != y->submit)
		return x->submit < y->submit ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* Map every selected job into t, sorted by (submit, log order). */
static void map_all(mapper *m, sl_trace *t)
{
	sl_job *tmp = sl_malloc(m->nsel * sizeof *tmp);
	order_key *key = sl_malloc(m->nsel * sizeof *key);
	for (size_t i = 0; i < m->nsel; i++) {
		map_job(m, i, &tmp[i]);
		key[i] = (order_key){tmp[i].submit, (uint32_t)i};
	}
	qsort(key, m->nsel, sizeof *key, cmp_order);
	t->jobs = sl_malloc(m->nsel * sizeof *t->jobs);
	t->n = t->cap = m->nsel;
	for (size_t i = 0; i < m->nsel; i++)
		t->jobs[i] = tmp[key[i].i];
	sl_free(key);
	sl_free(tmp);
}

static int resolve_ids(mapper *m, sl_map_opts *o, sl_err *err)
{
	const sl_network *net = m->net;
	if (net->norigins < 1 || net->nclasses < 1 || net->nsites < 1)
		return sl_err_set(err, SL_EINVAL, NULL, "the scenario needs origins, sites and job_classes to map a log onto");
	if (o->origin_id && (o->origin = sl_network_origin(net, o->origin_id)) < 0)
		return sl_err_set(err, SL_EINVAL, NULL, "origins=%s: no such origin in scenario \"%s\"", o->origin_id,
		                  net->name ? net->name : "");
	if (o->class_id && (o->cls = sl_network_class(net, o->class_id)) < 0)
		return sl_err_set(err, SL_EINVAL, NULL, "classes=%s: no such job class in scenario \"%s\"", o->class_id,
		                  net->name ? net->name : "");
	if (m->log->n > UINT32_MAX - 1u)
		return sl_err_set(err, SL_ERANGE, NULL, "the log has more than 2^32 jobs");
	return 0;
}

static int check_selection(const mapper *m, sl_err *err)
{
	if (m->nsel > 0)
		return 0;
	return sl_err_set(err, SL_EINVAL, m->log->name,
	                  "no job left to map: %zu in the log, %zu dropped by status=%s, %zu outside the window",
	                  m->c.log_jobs, m->c.by_status, sl__map_status_name(m->o->status), m->c.outside_window);
}

static void mapper_free(mapper *m)
{
	sl_free(m->sel);
	sl_free(m->rank);
	sl_free(m->order);
	sl_free(m->feas);
	sl_free(m->origin_w);
	sl_free(m->cores_per_gpu);
	sl_free(m->best_site);
}

int sl_trace_map(const sl_srclog *log, const sl_network *net, const sl_map_opts *opts,
                 sl_trace *out, sl_err *err)
{
	sl_map_opts o;
	sl_trace t = {0};
	mapper m;
	if (opts)
		o = *opts;
	else
		sl_map_opts_init(&o);
	memset(&m, 0, sizeof m);
	m.log = log;
	m.net = net;
	m.o = &o;
	int rc = resolve_ids(&m, &o, err);
	if (rc == 0)
		select_jobs(&m);
	if (rc == 0 && (rc = check_selection(&m, err)) == 0 && (rc = setup_classes(&m, err)) == 0 &&
	    (rc = setup_scale(&m, err)) == 0) {
		size_t slots = (size_t)net->norigins * (size_t)net->nclasses * (size_t)(net->ntags + 1) * 2;
		m.best_site = sl_malloc(slots * sizeof *m.best_site);
		for (size_t i = 0; i < slots; i++)
			m.best_site[i] = -2;
		sl_rng_seed(&m.rng, o.seed);
		rank_jobs(&m);
		setup_time(&m);
		map_all(&m, &t);
		sl__map_describe(&m, &t);
	}
	mapper_free(&m);
	if (rc) {
		sl_trace_release(&t);
		return rc;
	}
	sl_trace_release(out);
	*out = t;
	return 0;
}
