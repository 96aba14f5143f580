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
		s->tab[i].pue = sl_calloc(cap, sizeof(double));
	}
	s->buf = sl_malloc(3 * (size_t)s->H * sizeof *s->buf);
	s->idle_w = sl_malloc(ns * sizeof *s->idle_w);
	s->inc_core_w = sl_malloc(ns * sizeof *s->inc_core_w);
	s->inc_gpu_w = sl_malloc(ns * sizeof *s->inc_gpu_w);
	s->green_on = sl_calloc(ns, sizeof *s->green_on);
	s->head_g = sl_calloc(ns, sizeof *s->head_g);
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
		sl_free(s->tab[i].pue);
	}
	sl_free(s->tab);
	sl_free(s->buf);
	sl_free(s->idle_w);
	sl_free(s->inc_core_w);
	sl_free(s->inc_gpu_w);
	sl_free(s->green_on);
	sl_free(s->head_g);
}

/* Move a site's tables so that step k is at index 0, keeping what is
 * valid from k on. */
static void tab_rebase(sq_state *s, int site, int64_t k)
{
	sq_tab *t = &s->tab[site];
	int64_t shift = k - t->base;
	int32_t cap = tab_cap(s);
	if (shift <= 0 || shift >= cap) {
		t->base = k;
		t->filled_c = t->filled_m = t->filled_p = k;
		t->pc[0] = t->pm[0] = 0;
		return;
	}
	size_t keep = (size_t)(cap - shift);
	memmove(t->ac, t->ac + shift, keep * sizeof *t->ac);
	memmove(t->am, t->am + shift, keep * sizeof *t->am);
	memmove(t->pue, t->pue + shift, keep * sizeof *t->pue);
	memmove(t->pc, t->pc + shift, (keep + 1) * sizeof *t->pc);
	memmove(t->pm, t->pm + shift, (keep + 1) * sizeof *t->pm);
	t->base = k;
}

/* PUE (the operator's own plant: known ahead) of steps up to end. */
static void pue_fill(sq_state *s, const sl_view *v, int site, int64_t end)
{
	sq_tab *t = &s->tab[site];
	if (t->filled_p >= end)
		return;
	sl_forecast_fill(s->fc, v, SL_SIG_PUE, site, t->filled_p, (int32_t)(end - t->filled_p),
	                 t->pue + (t->filled_p - t->base));
	t->filled_p = end;
}

/* Carbon rates of steps [from, end) at site into a[] (indexed from base). */
static void carbon_rates(sq_state *s, const sl_view *v, int site, int64_t from, int64_t end)
{
	sq_tab *t = &s->tab[site];
	int32_t n = (int32_t)(end - from);
	double *ci = s->buf, *green = s->buf + s->H, *a = t->ac + (from - t->base);
	const double *pue = t->pue + (from - t->base);
	sl_forecast_fill_issued(s->fc, v, s->k_issue, SL_SIG_CARBON_G_PER_KWH, site, from, n, ci);
	if (!s->green_on[site]) {
		for (int32_t i = 0; i < n; i++)
			a[i] = pue[i] * ci[i];
		return;
	}
	/* Green supply covers the site's load first, idle power included.  What
	 * a job changes is the site's total: it adds grid energy unless the
	 * green supply exceeds the load already predicted for the step (then
	 * it runs on the spare, at no carbon).  The accounting splits the
	 * step's green share over all jobs, but the totals are what count. */
	sl_forecast_fill_issued(s->fc, v, s->k_issue, SL_SIG_GREEN_W, site, from, n, green);
	for (int32_t i = 0; i < n; i++) {
		double load = pue[i] * (s->idle_w[site] +
		                        sl_resv_used(&s->resv, site, 0, from + i) * s->inc_core_w[site] +
		                        sl_resv_used(&s->resv, site, 1, from + i) * s->inc_gpu_w[site]);
		a[i] = green[i] > load ? 0.0 : pue[i] * ci[i];
	}
}

static void money_rates(sq_state *s, const sl_view *v, int site, int64_t from, int64_t end)
{
	sq_tab *t = &s->tab[site];
	int32_t n = (int32_t)(end - from);
	double *price = s->buf + 2 * s->H, *a = t->am + (from - t->base);
	const double *pue = t->pue + (from - t->base);
	sl_forecast_fill_issued(s->fc, v, s->k_issue, SL_SIG_PRICE_CNY_PER_KWH, site, from, n, price);
	for (int32_t i = 0; i < n; i++)
		a[i] = pue[i] * price[i];
}

/* Rates and integrals of one table for steps [from, end). */
static void tab_fill(sq_state *s, const sl_view *v, int site, int which, int64_t from, int64_t end)
{
	sq_tab *t = &s->tab[site];
	if (from >= end)
		return;
	if (which)
		money_rates(s, v, site, from, end);
	else
		carbon_rates(s, v, site, from, end);
	double *a = which ? t->am : t->ac, *p = which ? t->pm : t->pc;
	double step_h = s->net->step_s / 3600.0;
	for (int64_t i = from - t->base; i < end - t->base; i++)
		p[i + 1] = p[i] + a[i] * step_h;
}

/* One site's tables over [k, k + H).  A table the forecast model touches
 * is recomputed whole when a forecast is issued and only extended in
 * between (the issue's forecast, at longer leads); a known-ahead table is
 * only ever extended. */
static void site_refresh(sq_state *s, const sl_view *v, int site, int64_t k, int issued)
{
	sq_tab *t = &s->tab[site];
	if (s->k_tab == INT64_MIN || k < t->base || k + s->H + 1 - t->base > tab_cap(s))
		tab_rebase(s, site, k);
	if (t->filled_p < k)
		t->filled_p = k;
	if (t->filled_c < k)
		t->filled_c = k; /* a gap: start afresh at k */
	if (t->filled_m < k)
		t->filled_m = k;
	int64_t end = k + s->H;
	pue_fill(s, v, site, end);
	int dyn_c = sl_forecast_modelled(s->fc, SL_SIG_CARBON_G_PER_KWH, site) || s->green_on[site];
	int dyn_m = sl_forecast_modelled(s->fc, SL_SIG_PRICE_CNY_PER_KWH, site);
	int64_t from_c = dyn_c && issued ? k : t->filled_c, from_m = dyn_m && issued ? k : t->filled_m;
	tab_fill(s, v, site, 0, from_c, end);
	tab_fill(s, v, site, 1, from_m, end);
	t->filled_c = t->filled_m = end;
	/* The lowest rates bound any run's prediction from below (past the
	 * window the last day repeats, which is inside it).  Between
	 * recomputations only the new steps are folded in: the minimum then
	 * covers a few steps already past, a looser bound but still one. */
	if (from_c == k) {
		t->csum = 0;
		for (int64_t i = k - t->base; i < end - t->base; i++)
			t->csum += t->ac[i];
	}
	if (from_m == k) {
		t->msum = 0;
		for (int64_t i = k - t->base; i < end - t->base; i++)
			t->msum += t->am[i];
	}
	if (from_c == k)
		t->cmin = INFINITY;
	if (from_m == k)
		t->mmin = INFINITY;
	for (int64_t i = from_c - t->base; i < end - t->base; i++)
		t->cmin = t->ac[i] < t->cmin ? t->ac[i] : t->cmin;
	for (int64_t i = from_m - t->base; i < end - t->base; i++)
		t->mmin = t->am[i] < t->mmin ? t->am[i] : t->mmin;
}

double sq__lower_bound(const sq_state *s, const sq_ask *a, const sq_site_eval *e)
{
	const sq_tab *t = &s->tab[e->site];
	double run_h = (double)a->run_s / 3600.0;
	return s->p.w_carbon * e->pkw * t->cmin * run_h / a->cref +
	       s->p.w_cost * (e->pkw * t->mmin * run_h + e->transfer_cny) / a->mref;
}

void sq__refresh(sq_state *s, const sl_view *v)
{
	int64_t k = sl_forecast_step_of(s->net, v->now);
	if (!s->resv_on) {
		sl_resv_init(&s->resv, s->net, k);
		s->resv_on = 1;
	}
	sl_resv_advance(&s->resv, k);
	/* The view's signals changed (a live override): every table is read
	 * again from now, as at a forecast issue, and the next re-plan looks
	 * at every deferred job. */
	int changed = v->signal_gen != s->sig_gen && s->k_tab != INT64_MIN;
	s->sig_gen = v->signal_gen;
	if (k == s->k_tab && !changed)
		return;
	if (changed) {
		for (int site = 0; site < s->net->nsites; site++) {
			sq_tab *t = &s->tab[site];
			if (k >= t->base) /* else site_refresh rebases, which reads all again */
				t->filled_c = t->filled_m = t->filled_p = k;
		}
		s->k_issue_replanned = INT64_MIN;
	}
	int issued = s->k_tab == INT64_MIN || changed || k >= s->k_issue + s->p.issue_steps;
	if (issued)
		s->k_issue = k;
	double cs = 0, ms = 0;
	for (int site = 0; site < s->net->nsites; site++) {
		site_refresh(s, v, site, k, issued);
		cs += s->tab[site].csum;
		ms += s->tab[site].msum;
	}
	s->k_tab = k;
	if (issued && s->net->nsites > 0) {
		s->ci_ref = cs / ((double)s->H * s->net->nsites);
		s->m_ref = ms / ((double)s->H * s->net->nsites);
		for (int site = 0; site < s->net->nsites; site++)
			s->head_g[site] = s->tab[site].csum / s->H > s->ci_ref
			                      ? (int32_t)lround(s->p.head_frac * s->net->sites[site].gpus)
			                      : 0;
	}
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

/* The table of class cls (est_s <= 0), or of its range of estimates:
 * range b >= 1 holds estimates in [2^(b-1), 2^b) x SQ_EBUCKET0_S (the
 * first also shorter ones, the last also longer ones). */
static sq_ratio *table_of(const sq_state *s, int cls, int32_t est_s)
{
	int c = cls + 1 >= 0 && (cls + 1) * (SQ_EBUCKETS + 1) < s->nratio ? cls + 1 : 0, b = 0;
	if (est_s > 0) {
		uint32_t e = (uint32_t)est_s / SQ_EBUCKET0_S;
		b = e < 2 ? 1 : 1 + (31 - __builtin_clz(e)); /* 1 + floor(log2 e) */
		b = b > SQ_EBUCKETS ? SQ_EBUCKETS : b;
	}
	return &s->ratio[c * (SQ_EBUCKETS + 1) + b];
}

/* What predicts the chance of missing for a job of class cls with
 * estimate est_s (0: any): its range's table once enough of it have
 * ended, else its class's. */
static sq_ratio *ratio_of(const sq_state *s, int cls, int32_t est_s)
{
	sq_ratio *r = table_of(s, cls, est_s);
	return r->n >= (uint32_t)s->p.hold_min_n ? r : table_of(s, cls, 0);
}

/* The quantile q of the ratios in bins from `from` on: the upper edge of
 * the bin where the count reaches q of theirs; 1 when there are none. */
static double bins_quantile(const sq_ratio *r, int from, double q)
{
	uint32_t m = 0;
	for (int i = from; i < SQ_RBINS; i++)
		m += r->bin[i];
	if (m == 0)
		return 1.0;
	double need = ceil(q * m), acc = 0;
	for (int i = from; i < SQ_RBINS; i++) {
		acc += r->bin[i];
		if (acc >= need)
			return (double)(i + 1) / SQ_RBINS;
	}
	return 1.0;
}

static void learn_into(const sq_state *s, sq_ratio *r, double x)
{
	int b = (int)ceil(x * SQ_RBINS) - 1;
	r->n++;
	r->sum += x;
	r->bin[b < 0 ? 0 : b]++;
	r->above_ok = 0; /* sq__miss_p_late sums again when it next needs them */
	/* The quantile moves slowly: recomputed every 16 ends (and at the
	 * first use), not at each. */
	if (s->p.hold_q < 1 && r->n >= (uint32_t)s->p.hold_min_n &&
	    (r->n % 16 == 0 || r->n == (uint32_t)s->p.hold_min_n))
		r->q = bins_quantile(r, 0, s->p.hold_q);
}

void sq__learn(sq_state *s, int cls, int64_t run_s, int32_t est_s)
{
	double x = est_s > 0 ? (double)run_s / est_s : 1.0;
	x = x < 0 ? 0 : x > 1 ? 1 : x;
	learn_into(s, table_of(s, cls, 0), x);
	if (s->p.by_est && est_s > 0)
		learn_into(s, table_of(s, cls, est_s), x);
}

/* Fill r->above (and r->eps_bin) from the bins, if stale. */
static void above_of(const sq_state *s, sq_ratio *r)
{
	if (r->above_ok)
		return;
	r->above[SQ_RBINS] = 0;
	for (int i = SQ_RBINS - 1; i >= 0; i--)
		r->above[i] = r->above[i + 1] + r->bin[i];
	/* The next job is as likely to be any rank among n + 1: its chance
	 * of a ratio above bin b's lower edge is at most (above + 1) / (n + 1). */
	double lim = s->p.miss_eps * (r->n + 1.0) - 1.0;
	int b = SQ_RBINS;
	while (b > 0 && (double)r->above[b - 1] <= lim)
		b--;
	r->eps_bin = b;
	r->above_ok = 1;
}

double sq__miss_p_late(const sq_state *s, int cls, int32_t est_s, int64_t start, int64_t deadline)
{
	/* It misses when its runtime exceeds deadline - start, a ratio x of
	 * its estimate. */
	double x = (double)(deadline - start) / est_s;
	if (x <= 0)
		return 1;
	sq_ratio *r = ratio_of(s, cls, s->p.by_est ? est_s : 0); /* above[] is a cache */
	if (r->n < (uint32_t)s->p.hold_min_n)
		return 1 - x;
	above_of(s, r);
	double fb = x * SQ_RBINS;
	int b = (int)fb;
	double above = r->above[b + 1 <= SQ_RBINS ? b + 1 : SQ_RBINS];
	if (b < SQ_RBINS)
		above += r->bin[b] * (b + 1 - fb); /* the part of x's bin above it */
	return above / r->n;
}

int64_t sq__latest_of(const sq_state *s, int cls, int32_t est_s, int64_t deadline)
{
	if (deadline == INT64_MAX)
		return INT64_MAX;
	if (s->p.miss_eps <= 0 || est_s <= 0)
		return deadline - est_s;
	sq_ratio *r = table_of(s, cls, s->p.by_est ? est_s : 0);
	above_of(s, r); /* with too few jobs ended, no bin is within miss_eps */
	return deadline - (int64_t)ceil((double)est_s * r->eps_bin / SQ_RBINS);
}

int32_t sq__hold_len(const sq_state *s, int cls, int32_t est_s, int64_t ran_s)
{
	const sq_ratio *r = table_of(s, cls, 0);
	double q = r->n < (uint32_t)s->p.hold_min_n || s->p.hold_q >= 1 ? 1.0 : r->q;
	if (ran_s > 0 && q < 1) {
		/* Given that it has run ran_s: the quantile of the ratios above. */
		int from = (int)floor((double)ran_s / est_s * SQ_RBINS);
		q = from >= SQ_RBINS ? 1.0 : bins_quantile(r, from, s->p.hold_q);
	}
	int64_t h = (int64_t)ceil(q * est_s);
	if (h <= ran_s)
		h = ran_s + 1;
	return (int32_t)(h < 1 ? 1 : h > est_s ? est_s : h);
}

void sq__ask(const sq_state *s, const sl_job *job, sq_ask *a)
{
	const sq_ratio *r = table_of(s, job->cls, 0);
	double mean = (r->sum + s->p.prior_ratio * RATIO_PRIOR_WEIGHT) / (r->n + RATIO_PRIOR_WEIGHT);
	a->cores = job->cores;
	a->gpus = job->gpus;
	a->est_s = job->est_s;
	a->hold_s = sq__hold_len(s, job->cls, job->est_s, 0);
	a->tight = job->latency_budget_ms > 0 || job->deadline_s <= 0 ||
	           job->submit + job->deadline_s - job->est_s - s->now_t < s->p.tight_s;
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
	/* Above the cost cap (a multiple of the nearest counterfactual's
	 * cost), each unit over weighs SQ_CAP_W carbon units. */
	if (s->p.cost_cap > 0 && cost_cny / a->mref > s->p.cost_cap)
		x += SQ_CAP_W * (cost_cny / a->mref - s->p.cost_cap);
	if (latest_dl != INT64_MAX) {
		double margin = (double)(latest_dl - start), R = (double)s->p.risk_s;
		if (margin < R)
			x += s->p.w_late * (R - margin) / R;
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

/* The best of the step-aligned starts ks .. ke whose feas[] is set, by the
 * same score as consider() but in one pass: both integrals of a start at a
 * step boundary are table lookups, and the run ends at the same offset
 * into a step for every such start.  Returns the step, or -1. */
static int64_t best_aligned(const sq_state *s, const sq_ask *a, const sq_site_eval *e, int64_t ks,
                            int64_t ke, const uint8_t *feas)
{
	const sq_tab *t = &s->tab[e->site];
	int64_t step = s->net->step_s, q = a->run_s / step, off = s->k_tab - t->base;
	double r_h = (double)(a->run_s - q * step) / 3600.0;
	double A = s->p.w_carbon * e->pkw / a->cref, B = s->p.w_cost * e->pkw / a->mref;
	double W = s->p.w_wait / 3600.0, best = 0;
	int64_t bk = -1;
	for (int64_t k = ks; k <= ke; k++) {
		if (!feas[k - ks])
			continue;
		int64_t i = k - s->k_tab, t0 = s->net->t0 + k * step;
		double dc, dm;
		if (i + q < s->H) {
			int64_t j = off + i, je = j + q;
			dc = t->pc[je] + t->ac[je] * r_h - t->pc[j];
			dm = t->pm[je] + t->am[je] * r_h - t->pm[j];
		} else {
			dc = integral(s, e->site, 0, t0 + a->run_s) - integral(s, e->site, 0, t0);
			dm = integral(s, e->site, 1, t0 + a->run_s) - integral(s, e->site, 1, t0);
		}
		double x = A * dc + B * dm + W * (double)(t0 - e->arrive);
		if (e->latest_dl != INT64_MAX && e->latest_dl - t0 < s->p.risk_s)
			x += s->p.w_late * (double)(s->p.risk_s - (e->latest_dl - t0)) / (double)s->p.risk_s;
		if (bk < 0 || x < best) {
			best = x;
			bk = k;
		}
	}
	return bk;
}

/* The best score of the aligned starts ks .. ke ignoring room: a bound
 * for best_aligned, at a fraction of the scan's cost. */
static double bound_aligned(const sq_state *s, const sq_ask *a, const sq_site_eval *e, int64_t ks,
                            int64_t ke)
{
	double best = INFINITY;
	const sq_tab *t = &s->tab[e->site];
	int64_t step = s->net->step_s, q = a->run_s / step, off = s->k_tab - t->base;
	if (ke - s->k_tab + q >= s->H)
		return -INFINITY; /* past the tables: no cheap bound, scan */
	double r_h = (double)(a->run_s - q * step) / 3600.0;
	double A = s->p.w_carbon * e->pkw / a->cref, B = s->p.w_cost * e->pkw / a->mref;
	double W = s->p.w_wait / 3600.0;
	for (int64_t k = ks; k <= ke; k++) {
		int64_t j = off + (k - s->k_tab), je = j + q;
		double dc = t->pc[je] + t->ac[je] * r_h - t->pc[j];
		double dm = t->pm[je] + t->am[je] * r_h - t->pm[j];
		double x = A * dc + B * dm + W * (double)(s->net->t0 + k * step - e->arrive);
		best = x < best ? x : best;
	}
	return best + s->p.w_cost * e->transfer_cny / a->mref;
}

/* The GPUs a job must find free at a site: its own, plus what is kept back
 * there unless it is tight (never more than the site has). */
static int32_t room_gpus(const sq_state *s, const sq_ask *a, int site)
{
	int32_t g = a->gpus + (a->tight ? 0 : s->head_g[site]);
	return g < s->net->sites[site].gpus ? g : a->gpus > s->net->sites[site].gpus ? a->gpus : s->net->sites[site].gpus;
}

/* Is the site's binding resource for this job (GPUs if it asks for any)
 * at least green_busy reserved at step k? */
static int busy_site(const sq_state *s, const sq_ask *a, int site, int64_t k)
{
	int gpu = a->gpus > 0;
	int32_t inst = gpu ? s->resv.inst_g[site] : s->resv.inst_c[site];
	return (double)sl_resv_used(&s->resv, site, gpu, k) >= s->p.green_busy * inst;
}

void sq__best_at_site(sq_state *s, const sq_ask *a, sq_site_eval *e, double beat)
{
	const sl_network *net = s->net;
	int64_t k0, k1;
	int32_t g = room_gpus(s, a, e->site);
	e->has_best = 0;
	if (e->latest < e->arrive)
		return;
	sq__steps(s, e->arrive, a->hold_s, &k0, &k1);
	if (sl_resv_startable(&s->resv, e->site, k0, k1, a->cores, g))
		consider(s, a, e, e->arrive);
	/* At a busy site greener than the network's mean, room now is used
	 * now: waiting there for a better hour leaves scarce green capacity
	 * idle that another job would have used instead of a dirtier site. */
	if (e->has_best && s->p.green_now && s->tab[e->site].csum < s->ci_ref * s->H &&
	    busy_site(s, a, e->site, k0))
		return;
	if (e->has_best && e->best.score < beat)
		beat = e->best.score;
	/* Step-aligned starts after the arrival step, up to the latest, and
	 * only as far as the wait alone would not make it lose to beat. */
	int64_t ks = k0 + 1, ke = sl_forecast_step_of(net, e->latest);
	if (s->p.w_wait > 0 && beat < INFINITY) {
		double room_s = (beat - sq__lower_bound(s, a, e)) * 3600.0 / s->p.w_wait;
		if (room_s < 0)
			return;
		if (room_s < (double)(e->latest - e->arrive)) {
			int64_t kw = sl_forecast_step_of(net, e->arrive + (int64_t)room_s) + 1;
			ke = kw < ke ? kw : ke;
		}
	}
	if (ke < ks || bound_aligned(s, a, e, ks, ke) >= beat)
		return;
	int64_t len = (a->hold_s + net->step_s - 1) / net->step_s;
	if (ke - ks + 1 > s->nfeas_cap) {
		s->nfeas_cap = (int32_t)(ke - ks + 1) * 2;
		s->feas = sl_realloc(s->feas, (size_t)s->nfeas_cap);
	}
	sl_resv_scan_start(&s->resv, e->site, ks, ke, len, a->cores, g, s->feas);
	int64_t k = best_aligned(s, a, e, ks, ke, s->feas);
	if (k >= 0)
		consider(s, a, e, net->t0 + k * net->step_s);
}

int64_t sq__earliest_at_site(sq_state *s, const sq_ask *a, const sq_site_eval *e, int64_t limit)
{
	int64_t k0, k1;
	int32_t g = room_gpus(s, a, e->site);
	sq__steps(s, e->arrive, a->hold_s, &k0, &k1);
	if (sl_resv_startable(&s->resv, e->site, k0, k1, a->cores, g))
		return e->arrive;
	int64_t len = (a->hold_s + s->net->step_s - 1) / s->net->step_s;
	int64_t k = sl_resv_earliest_start(&s->resv, e->site, k0 + 1, k0 + limit, len, a->cores, g);
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
