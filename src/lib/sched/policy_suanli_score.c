/*
 * policy_suanli_score.c — what a (site, start) would cost: the forecast
 * tables, prediction over a job's whole run by prefix sums, the score, the
 * best feasible start at one site, and the `nearest` counterfactual.
 *
 * Tables: per site two per-kW rate series over the steps from the present
 * on, carbon (PUE x predicted grid share x forecast g/kWh) and money (PUE x
 * CNY/kWh), and their running integrals, so the carbon or cost of any run
 * [t, t + d) is two lookups: O(1) per candidate whatever the run's length.
 * They cover H steps (the slack plus a day at least); beyond them the last
 * forecast day repeats (what a planner assumes past its forecasts' reach).
 * A table whose inputs are all known ahead (perfect forecasts, a published
 * tariff, no green supply) is only extended as time passes; one that goes
 * through the forecast model is recomputed when the step changes, because
 * every lead moved.
 */
#include <math.h>
#include <string.h>

#include "core/mem.h"
#include "core/time.h"
#include "sched/policy_suanli_int.h"
#include "sched/transfer.h"

static int32_t tab_cap(const sq_state *s) { return 4 * s->H + 4; }

void sq__tables_init(sq_state *s)
{
	const sl_network *net = s->net;
	int32_t slack_steps = (int32_t)((s->p.max_slack_s + net->step_s - 1) / net->step_s);
	int32_t hz = (int32_t)((s->p.horizon_s + net->step_s - 1) / net->step_s);
	s->day_steps = SL_DAY / net->step_s > 0 ? (int32_t)(SL_DAY / net->step_s) : 1;
	s->H = hz > slack_steps + s->day_steps + 1 ? hz : slack_steps + s->day_steps + 1;
	s->k_tab = INT64_MIN;
	size_t ns = (size_t)net->nsites, cap = (size_t)tab_cap(s);
	s->tab = sl_calloc(ns, sizeof *s->tab);
	for (size_t i = 0; i < ns; i++) {
		s->tab[i].ac = sl_calloc(cap, sizeof(double));
		s->tab[i].am = sl_calloc(cap, sizeof(double));
		s->tab[i].pc = sl_calloc(cap + 1, sizeof(double));
		s->tab[i].pm = sl_calloc(cap + 1, sizeof(double));
	}
	s->buf = sl_malloc(4 * (size_t)s->H * sizeof *s->buf);
	s->idle_w = sl_malloc(ns * sizeof *s->idle_w);
	s->inc_core_w = sl_malloc(ns * sizeof *s->inc_core_w);
	s->inc_gpu_w = sl_malloc(ns * sizeof *s->inc_gpu_w);
	s->green_on = sl_calloc(ns, sizeof *s->green_on);
	for (int i = 0; i < net->nsites; i++) {
		const sl_site *st = &net->sites[i];
		/* Any green supply the accounting may give it (energy/supply.h). */
		s->green_on[i] = st->has_green || st->has_onsite || st->has_green_import ||
		                 net->zones[st->zone].has_curtailment;
		s->idle_w[i] = st->cores * st->core_idle_w + st->gpus * st->gpu_idle_w;
		s->inc_core_w[i] = st->core_busy_w - st->core_idle_w;
		s->inc_gpu_w[i] = st->gpu_busy_w - st->gpu_idle_w;
	}
}

void sq__tables_free(sq_state *s)
{
	for (int i = 0; s->tab && i < s->net->nsites; i++) {
		sl_free(s->tab[i].ac);
		sl_free(s->tab[i].am);
		sl_free(s->tab[i].pc);
		sl_free(s->tab[i].pm);
	}
	sl_free(s->tab);
	sl_free(s->buf);
	sl_free(s->idle_w);
	sl_free(s->inc_core_w);
	sl_free(s->inc_gpu_w);
	sl_free(s->green_on);
}

/* Move a site's tables so that step k is at index 0, keeping what is
 * valid from k on. */
static void tab_rebase(sq_state *s, int site, int64_t k)
{
	sq_tab *t = &s->tab[site];
	sq_tab *ti = t;
	int64_t shift = k - ti->base;
	int32_t cap = tab_cap(s);
	if (shift <= 0 || shift >= cap) {
		ti->base = k;
		ti->filled_c = ti->filled_m = k;
		t->pc[0] = t->pm[0] = 0;
		return;
	}
	size_t keep = (size_t)(cap - shift);
	memmove(t->ac, t->ac + shift, keep * sizeof *t->ac);
	memmove(t->am, t->am + shift, keep * sizeof *t->am);
	memmove(t->pc, t->pc + shift, (keep + 1) * sizeof *t->pc);
	memmove(t->pm, t->pm + shift, (keep + 1) * sizeof *t->pm);
	ti->base = k;
}

/* Carbon rates of n steps from k at site into a[], from forecasts. */
static void carbon_rates(sq_state *s, const sl_view *v, int site, int64_t k, int32_t n, double *a)
{
	double *ci = s->buf, *pue = s->buf + s->H, *green = s->buf + 2 * s->H;
	sl_forecast_fill(s->fc, v, SL_SIG_CARBON_G_PER_KWH, site, k, n, ci);
	sl_forecast_fill(s->fc, v, SL_SIG_PUE, site, k, n, pue);
	if (!s->green_on[site]) {
		for (int32_t i = 0; i < n; i++)
			a[i] = pue[i] * ci[i];
		return;
	}
	/* Green supply covers the site's predicted load first: a job is
	 * charged the grid share of the step, as the accounting does. */
	sl_forecast_fill(s->fc, v, SL_SIG_GREEN_W, site, k, n, green);
	for (int32_t i = 0; i < n; i++) {
		double load = pue[i] * (s->idle_w[site] +
		                        sl_resv_used(&s->resv, site, 0, k + i) * s->inc_core_w[site] +
		                        sl_resv_used(&s->resv, site, 1, k + i) * s->inc_gpu_w[site]);
		double grid = load > 0 ? 1.0 - green[i] / load : 0.0;
		a[i] = pue[i] * ci[i] * (grid > 0 ? grid : 0.0);
	}
}

static void money_rates(sq_state *s, const sl_view *v, int site, int64_t k, int32_t n, double *a)
{
	double *price = s->buf + 3 * s->H, *pue = s->buf + s->H;
	sl_forecast_fill(s->fc, v, SL_SIG_PRICE_CNY_PER_KWH, site, k, n, price);
	sl_forecast_fill(s->fc, v, SL_SIG_PUE, site, k, n, pue);
	for (int32_t i = 0; i < n; i++)
		a[i] = pue[i] * price[i];
}

/* Fill rates and integrals of one table for steps [from, k + H). */
static void tab_fill(sq_state *s, const sl_view *v, int site, int which, int64_t k, int64_t from)
{
	sq_tab *t = &s->tab[site];
	int64_t base = t->base;
	double *a = which ? t->am : t->ac, *p = which ? t->pm : t->pc;
	int64_t end = k + s->H;
	if (from >= end)
		return;
	int32_t n = (int32_t)(end - from);
	if (which)
		money_rates(s, v, site, from, n, a + (from - base));
	else
		carbon_rates(s, v, site, from, n, a + (from - base));
	double step_h = s->net->step_s / 3600.0;
	for (int64_t i = from - base; i < end - base; i++)
		p[i + 1] = p[i] + a[i] * step_h;
}

void sq__refresh(sq_state *s, const sl_view *v)
{
	int64_t k = sl_forecast_step_of(s->net, v->now);
	if (!s->resv_on) {
		sl_resv_init(&s->resv, s->net, k);
		s->resv_on = 1;
	}
	sl_resv_advance(&s->resv, k);
	if (k == s->k_tab)
		return;
	for (int site = 0; site < s->net->nsites; site++) {
		sq_tab *ti = &s->tab[site];
		if (s->k_tab == INT64_MIN || k < ti->base || k + s->H + 1 - ti->base > tab_cap(s))
			tab_rebase(s, site, k);
		if (ti->filled_c < k)
			ti->filled_c = k; /* a gap: start afresh at k */
		if (ti->filled_m < k)
			ti->filled_m = k;
		int dyn_c = sl_forecast_modelled(s->fc, SL_SIG_CARBON_G_PER_KWH, site) ||
		            s->green_on[site];
		int dyn_m = sl_forecast_modelled(s->fc, SL_SIG_PRICE_CNY_PER_KWH, site);
		tab_fill(s, v, site, 0, k, dyn_c ? k : ti->filled_c);
		tab_fill(s, v, site, 1, k, dyn_m ? k : ti->filled_m);
		ti->filled_c = ti->filled_m = k + s->H;
	}
	s->k_tab = k;
}

/* The integral per kW from the start of step k_tab to t (>= that start),
 * the last forecast day repeating past the tables. */
static inline double integral(const sq_state *s, int site, int which, int64_t t)
{
	const sq_tab *tb = &s->tab[site];
	const double *a = which ? tb->am : tb->ac, *p = which ? tb->pm : tb->pc;
	int64_t off = s->k_tab - tb->base;
	int64_t x = t - (s->net->t0 + s->k_tab * s->net->step_s);
	int64_t i = x / s->net->step_s;
	double r_h = (double)(x - i * s->net->step_s) / 3600.0;
	if (i < s->H)
		return p[off + i] + a[off + i] * r_h;
	int64_t D = s->day_steps, m = (i - (s->H - D)) / D, i2 = i - m * D;
	double day = p[off + s->H] - p[off + s->H - D];
	return p[off + i2] + (double)m * day + a[off + i2] * r_h;
}

void sq__predict(const sq_state *s, int site, double pkw, int64_t t, int64_t dur_s,
                 double *carbon_g, double *cost_cny)
{
	*carbon_g = pkw * (integral(s, site, 0, t + dur_s) - integral(s, site, 0, t));
	*cost_cny = pkw * (integral(s, site, 1, t + dur_s) - integral(s, site, 1, t));
}

double sq__kw(const sq_state *s, int site, int32_t cores, int32_t gpus)
{
	return (cores * s->inc_core_w[site] + gpus * s->inc_gpu_w[site]) / 1000.0;
}

/* ---------- runtimes ---------- */

#define RATIO_PRIOR_WEIGHT 20.0

static sq_ratio *ratio_of(const sq_state *s, int cls)
{
	return &s->ratio[cls + 1 >= 0 && cls + 1 < s->nratio ? cls + 1 : 0];
}

void sq__learn(sq_state *s, int cls, int64_t run_s, int32_t est_s)
{
	sq_ratio *r = ratio_of(s, cls);
	double x = est_s > 0 ? (double)run_s / est_s : 1.0;
	x = x < 0 ? 0 : x > 1 ? 1 : x;
	r->n++;
	r->sum += x;
}

void sq__ask(const sq_state *s, const sl_job *job, sq_ask *a)
{
	const sq_ratio *r = ratio_of(s, job->cls);
	double mean = (r->sum + s->p.prior_ratio * RATIO_PRIOR_WEIGHT) / (r->n + RATIO_PRIOR_WEIGHT);
	a->cores = job->cores;
	a->gpus = job->gpus;
	a->est_s = job->est_s;
	a->cls = job->cls;
	a->run_s = (int64_t)llround(job->est_s * mean);
	if (a->run_s < 1)
		a->run_s = 1;
}

/* ---------- scores and candidates ---------- */

double sq__score(const sq_state *s, const sq_ask *a, double carbon_g, double cost_cny,
                 int64_t start, int64_t arrive, int64_t latest_dl)
{
	double x = s->p.w_carbon * carbon_g / a->cref + s->p.w_cost * cost_cny / a->mref +
	           s->p.w_wait * (double)(start - arrive) / 3600.0;
	if (latest_dl != INT64_MAX) {
		double margin = (double)(latest_dl - start), step = s->net->step_s;
		if (margin < step)
			x += s->p.w_late * (step - margin) / step;
	}
	return x;
}

void sq__steps(const sq_state *s, int64_t t, int64_t len_s, int64_t *k0, int64_t *k1)
{
	*k0 = sl_forecast_step_of(s->net, t);
	*k1 = sl_forecast_step_of(s->net, t + (len_s > 0 ? len_s : 1) - 1) + 1;
}

/* Score (e->site, t) into e->best when it beats it (or there is none). */
static void consider(const sq_state *s, const sq_ask *a, sq_site_eval *e, int64_t t)
{
	double c, m;
	sq__predict(s, e->site, e->pkw, t, a->run_s, &c, &m);
	m += e->transfer_cny;
	double sc = sq__score(s, a, c, m, t, e->arrive, e->latest_dl);
	if (!e->has_best || sc < e->best.score) {
		e->best = (sl_receipt_option){e->site, t, c, m, e->transfer_cny, sc};
		e->has_best = 1;
	}
}

void sq__best_at_site(sq_state *s, const sq_ask *a, sq_site_eval *e)
{
	const sl_network *net = s->net;
	int64_t k0, k1;
	e->has_best = 0;
	if (e->latest < e->arrive)
		return;
	sq__steps(s, e->arrive, a->est_s, &k0, &k1);
	if (sl_resv_startable(&s->resv, e->site, k0, k1, a->cores, a->gpus))
		consider(s, a, e, e->arrive);
	/* Step-aligned starts after the arrival step, up to the latest. */
	int64_t ks = k0 + 1, ke = sl_forecast_step_of(net, e->latest);
	if (ke < ks)
		return;
	int64_t len = (a->est_s + net->step_s - 1) / net->step_s;
	if (ke - ks + 1 > s->nfeas_cap) {
		s->nfeas_cap = (int32_t)(ke - ks + 1) * 2;
		s->feas = sl_realloc(s->feas, (size_t)s->nfeas_cap);
	}
	sl_resv_scan_start(&s->resv, e->site, ks, ke, len, a->cores, a->gpus, s->feas);
	for (int64_t k = ks; k <= ke; k++)
		if (s->feas[k - ks])
			consider(s, a, e, net->t0 + k * net->step_s);
}

int64_t sq__earliest_at_site(sq_state *s, const sq_ask *a, const sq_site_eval *e, int64_t limit)
{
	int64_t k0, k1;
	sq__steps(s, e->arrive, a->est_s, &k0, &k1);
	if (sl_resv_startable(&s->resv, e->site, k0, k1, a->cores, a->gpus))
		return e->arrive;
	int64_t len = (a->est_s + s->net->step_s - 1) / s->net->step_s;
	int64_t k = sl_resv_earliest_start(&s->resv, e->site, k0 + 1, k0 + limit, len, a->cores,
	                                   a->gpus);
	return k < 0 ? -1 : s->net->t0 + k * s->net->step_s;
}

/* 1 if the site has room for the job now (installed - busy - pending),
 * as the nearest policy judges it. */
static int room_now(const sl_view *v, const sl_job *job, int site)
{
	const sl_site *st = &v->net->sites[site];
	sl_site_state ss;
	sl_view_site_state(v, site, &ss);
	return (int64_t)st->cores - ss.busy_cores - ss.pending_cores >= job->cores &&
	       (int64_t)st->gpus - ss.busy_gpus - ss.pending_gpus >= job->gpus;
}

void sq__nearest(sq_state *s, const sl_view *v, const sl_job *job, const sq_ask *a,
                 sl_receipt_option *out)
{
	int n, best_tier = 0;
	const sl_cand *c = sl_policy_cands_of(&s->pc, job, &n), *bc = NULL;
	for (int i = 0; i < n; i++) {
		if (!sl_policy_cand_ok(s->net, job, &c[i]))
			continue;
		int tier = !room_now(v, job, c[i].site);
		if (!bc || tier < best_tier ||
		    (tier == best_tier && c[i].route->rtt_ms < bc->route->rtt_ms)) {
			best_tier = tier;
			bc = &c[i];
		}
	}
	memset(out, 0, sizeof *out);
	out->site = bc ? bc->site : -1;
	if (!bc)
		return;
	int64_t arrive = v->now + sl_transfer_s(bc->route, job->input_bytes);
	out->start = arrive;
	out->transfer_cny = sl_transfer_job_cny(bc->route, job);
	sq__predict(s, bc->site, sq__kw(s, bc->site, job->cores, job->gpus), arrive, a->run_s,
	            &out->carbon_g, &out->cost_cny);
	out->cost_cny += out->transfer_cny;
}
