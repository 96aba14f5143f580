/*
 * policy_suanli.c — the suanli policy: space x time placement with
 * forecasts, reservations, residency rules and decision receipts.
 *
 * For each job, every legal site (route, data residency, latency budget,
 * size: the rules every policy obeys) and every start from the arrival of
 * its input to the latest start that still meets its deadline (capped by
 * max_slack; jobs with a latency budget or without a deadline start as soon
 * as their input is there) is a candidate if the site's reservation
 * profile has room for the job's estimate from that start.  Each candidate
 * is scored by its predicted carbon and cost (electricity over the job's
 * expected run at the forecast rates, plus data transfer) relative to what
 * the `nearest` policy would do with the job, plus a little for waiting
 * and for a start close to the deadline; the lowest score wins and its
 * steps are reserved.  When no start within the slack has room anywhere,
 * planned jobs with slack are moved out of its way if that lets it start
 * on arrival; failing that the earliest end anywhere is taken (the job
 * will be late, or with late_jobs=reject it is rejected with reason
 * `deadline`).
 *
 * Parameters ("key=value,...", sl_policy_opts.params; docs/policy-suanli.md):
 *   objective=carbon|cost|balanced   weights preset (default balanced)
 *   carbon=W cost=W wait=W late=W    explicit weights (override the preset)
 *   forecast=noisy|persistence|perfect, error=E, forecast_seed=N
 *   oracle=1                         allow (and imply) the perfect forecast
 *   max_slack=72h horizon=96h issue=6h replan=1h replan_gain=G late_jobs=run|reject
 *   alts=N prior_ratio=R
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/time.h"
#include "sched/policy_suanli_int.h"
#include "sched/transfer.h"

/* ---------- parameters ---------- */

static const char *const objective_names[] = {"carbon", "cost", "balanced"};

static void preset(sq_params *p, int objective)
{
	p->objective = objective;
	/* balanced leans to carbon: a carbon saving is worth twice the same
	 * share of cost (measured: lower carbon than 1:1 and still cheaper
	 * than nearest, docs/policy-suanli.md) */
	p->w_carbon = objective == SQ_OBJ_COST ? 0.1 : 1.0;
	p->w_cost = objective == SQ_OBJ_CARBON ? 0.1 : objective == SQ_OBJ_COST ? 1.0 : 0.45;
}

static void defaults(sq_params *p, uint64_t seed)
{
	memset(p, 0, sizeof *p);
	preset(p, SQ_OBJ_BALANCED);
	p->w_wait = 0.03;
	p->w_late = 0.05;
	p->max_slack_s = 72 * SL_HOUR;
	p->pull = 1;
	p->bump = SQ_BUMP_EXPECTED;
	p->preempt = 1;
	p->restart_s = 10 * 60;
	p->by_est = 1;
	p->green_now = 1;
	p->green_busy = 0.5;
	p->horizon_s = 96 * SL_HOUR;
	p->replan_steps = 1;
	p->issue_steps = 6;
	p->replan_gain = 0.01;
	p->late = SQ_LATE_RUN;
	p->alts = 3;
	p->fc.model = SL_FC_NOISY;
	p->fc.error = 0.15;
	p->fc.seed = seed;
	p->prior_ratio = 0.5;
	p->hold_q = 0.8;
	p->hold_min_n = 20;
	p->miss_eps = 0;
	p->head_frac = 0;
	p->tight_s = 2 * SL_HOUR;
	p->risk_s = SL_HOUR;
}

/* A duration: a number of seconds, or with an s, m, h or d suffix. */
static int parse_duration(const char *v, int64_t *out)
{
	char *end;
	errno = 0;
	double x = strtod(v, &end);
	double unit = 1;
	if (end == v || errno || !isfinite(x) || x < 0)
		return -1;
	if (*end && end[1] == '\0') {
		unit = *end == 's' ? 1 : *end == 'm' ? 60 : *end == 'h' ? 3600 : *end == 'd' ? 86400 : 0;
		end++;
	}
	if (*end || unit == 0 || x * unit > 1e9)
		return -1;
	*out = (int64_t)llround(x * unit);
	return 0;
}

static int parse_real(const char *v, double lo, double hi, double *out)
{
	char *end;
	errno = 0;
	double x = strtod(v, &end);
	if (end == v || *end || errno || !isfinite(x) || x < lo || x > hi)
		return -1;
	*out = x;
	return 0;
}

static int parse_choice(const char *v, const char *const *names, int n)
{
	for (int i = 0; i < n; i++)
		if (strcmp(v, names[i]) == 0)
			return i;
	return -1;
}

typedef struct parsed {
	int objective;             /* -1: not given */
	double w[4];               /* carbon, cost, wait, late; NAN: not given */
	int model, oracle;         /* -1: not given */
} parsed;

/* One key=value.  Returns 0 or -1 with *what set to what was expected. */
static int parse_kv(sq_params *p, parsed *x, const char *k, const char *v, const char **what)
{
	static const char *const wkeys[] = {"carbon", "cost", "wait", "late"};
	static const char *const late_names[] = {"run", "reject"};
	int i;
	double d;
	if ((i = parse_choice(k, wkeys, 4)) >= 0)
		return *what = "a weight >= 0", parse_real(v, 0, 1e9, &x->w[i]);
	if (!strcmp(k, "objective"))
		return *what = "carbon, cost or balanced", (x->objective = parse_choice(v, objective_names, 3)) < 0 ? -1 : 0;
	if (!strcmp(k, "forecast"))
		return *what = "perfect, persistence or noisy", (x->model = sl_forecast_model_parse(v)) < 0 ? -1 : 0;
	if (!strcmp(k, "error"))
		return *what = "a relative error in [0, 10]", parse_real(v, 0, 10, &p->fc.error);
	if (!strcmp(k, "oracle"))
		return *what = "0 or 1", (x->oracle = parse_choice(v, (const char *const[]){"0", "1"}, 2)) < 0 ? -1 : 0;
	if (!strcmp(k, "late_jobs"))
		return *what = "run or reject", (p->late = parse_choice(v, late_names, 2)) < 0 ? -1 : 0;
	if (!strcmp(k, "max_slack"))
		return *what = "a duration (e.g. 72h)", parse_duration(v, &p->max_slack_s);
	if (!strcmp(k, "cost_cap"))
		return *what = "a ratio in [0, 100] (0 = none)", parse_real(v, 0, 100, &p->cost_cap);
	if (!strcmp(k, "green_now"))
		return *what = "0 or 1", (p->green_now = parse_choice(v, (const char *const[]){"0", "1"}, 2)) < 0 ? -1 : 0;
	if (!strcmp(k, "green_busy"))
		return *what = "a share in [0, 1]", parse_real(v, 0, 1, &p->green_busy);
	if (!strcmp(k, "pull"))
		return *what = "0, 1 or 2", (p->pull = parse_choice(v, (const char *const[]){"0", "1", "2"}, 3)) < 0 ? -1 : 0;
	if (!strcmp(k, "bump"))
		return *what = "safe or expected",
		       (p->bump = parse_choice(v, (const char *const[]){"safe", "expected"}, 2)) < 0 ? -1 : 0;
	if (!strcmp(k, "preempt"))
		return *what = "0 or 1", (p->preempt = parse_choice(v, (const char *const[]){"0", "1"}, 2)) < 0 ? -1 : 0;
	if (!strcmp(k, "by_est"))
		return *what = "0 or 1", (p->by_est = parse_choice(v, (const char *const[]){"0", "1"}, 2)) < 0 ? -1 : 0;
	if (!strcmp(k, "restart")) {
		int64_t dur;
		*what = "a duration up to a day";
		if (parse_duration(v, &dur) || dur < 0 || dur > SL_DAY)
			return -1;
		p->restart_s = (int32_t)dur;
		return 0;
	}
	if (!strcmp(k, "horizon"))
		return *what = "a duration (e.g. 96h)", parse_duration(v, &p->horizon_s);
	if (!strcmp(k, "replan")) {
		int64_t s;
		*what = "a duration (0 = never)";
		if (parse_duration(v, &s))
			return -1;
		p->replan_steps = (int32_t)s; /* seconds for now; steps in finish() */
		return 0;
	}
	if (!strcmp(k, "issue")) {
		int64_t secs;
		*what = "a duration of at least one step (e.g. 6h)";
		if (parse_duration(v, &secs) || secs <= 0)
			return -1;
		p->issue_steps = (int32_t)secs; /* seconds for now; steps in finish() */
		return 0;
	}
	if (!strcmp(k, "replan_gain"))
		return *what = "a score gain >= 0", parse_real(v, 0, 1e9, &p->replan_gain);
	if (!strcmp(k, "alts"))
		return *what = "0 .. 16", parse_real(v, 0, 16, &d) || d != floor(d) ? -1 : (p->alts = (int)d, 0);
	if (!strcmp(k, "norm"))
		return *what = "nearest or energy", (p->norm = parse_choice(v, (const char *const[]){"nearest", "energy"}, 2)) < 0 ? -1 : 0;
	if (!strcmp(k, "headroom"))
		return *what = "a share of GPUs in [0, 0.5]", parse_real(v, 0, 0.5, &p->head_frac);
	if (!strcmp(k, "risk"))
		return *what = "a duration of at least 1 s (e.g. 6h)", parse_duration(v, &p->risk_s) || p->risk_s < 1 ? -1 : 0;
	if (!strcmp(k, "tight"))
		return *what = "a duration (e.g. 2h)", parse_duration(v, &p->tight_s);
	if (!strcmp(k, "hold_q"))
		return *what = "a quantile in (0, 1] (1: hold the whole estimate)", parse_real(v, 1e-6, 1, &p->hold_q);
	if (!strcmp(k, "miss_eps"))
		return *what = "a chance in [0, 0.5] (0: plan by the estimate)", parse_real(v, 0, 0.5, &p->miss_eps);
	if (!strcmp(k, "prior_ratio"))
		return *what = "a ratio in (0, 1]", parse_real(v, 1e-6, 1, &p->prior_ratio);
	if (!strcmp(k, "forecast_seed")) {
		char *end;
		errno = 0;
		unsigned long long s = strtoull(v, &end, 10);
		*what = "an unsigned integer";
		if (end == v || *end || errno || v[0] == '-')
			return -1;
		p->fc.seed = s;
		return 0;
	}
	*what = NULL;
	return -1;
}

/* The preset, then explicit weights, then the forecast and oracle rules. */
static int finish(sq_params *p, const parsed *x, const sl_network *net, sl_err *err)
{
	if (x->objective >= 0)
		preset(p, x->objective);
	double *w[4] = {&p->w_carbon, &p->w_cost, &p->w_wait, &p->w_late};
	for (int i = 0; i < 4; i++)
		if (!isnan(x->w[i]))
			*w[i] = x->w[i];
	if (x->model == SL_FC_PERFECT && x->oracle != 1)
		return sl_err_set(err, SL_EINVAL, "suanli: forecast",
		                  "forecast=perfect reads the true future: allow it with oracle=1 "
		                  "(--oracle)");
	if (x->oracle == 1 && x->model >= 0 && x->model != SL_FC_PERFECT)
		return sl_err_set(err, SL_EINVAL, "suanli: oracle",
		                  "oracle=1 means perfect forecasts; it contradicts forecast=%s",
		                  sl_forecast_model_name(x->model));
	p->oracle = x->oracle == 1;
	if (p->oracle)
		p->fc.model = SL_FC_PERFECT;
	else if (x->model >= 0)
		p->fc.model = x->model;
	if (p->w_carbon + p->w_cost <= 0)
		return sl_err_set(err, SL_EINVAL, "suanli: weights", "carbon and cost weights are both 0");
	p->replan_steps = (int32_t)((p->replan_steps + net->step_s - 1) / net->step_s);
	p->issue_steps = (int32_t)((p->issue_steps + net->step_s - 1) / net->step_s);
	if (p->issue_steps < 1)
		p->issue_steps = 1;
	return 0;
}

static int parse_params(sq_params *p, const char *params, const sl_network *net, sl_err *err)
{
	parsed x = {-1, {NAN, NAN, NAN, NAN}, -1, -1};
	char buf[1024];
	p->replan_steps = SL_HOUR; /* seconds until finish() */
	p->issue_steps = 6 * SL_HOUR;
	if (params && strlen(params) >= sizeof buf)
		return sl_err_set(err, SL_EINVAL, "suanli", "parameters longer than %zu bytes", sizeof buf - 1);
	snprintf(buf, sizeof buf, "%s", params ? params : "");
	char *save = NULL;
	for (char *kv = strtok_r(buf, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(kv, '=');
		const char *what = NULL;
		if (!eq)
			return sl_err_set(err, SL_EINVAL, "suanli", "\"%s\": expected key=value", kv);
		*eq = '\0';
		if (parse_kv(p, &x, kv, eq + 1, &what)) {
			char where[80];
			snprintf(where, sizeof where, "suanli: %s", kv);
			if (!what)
				return sl_err_set(err, SL_EINVAL, where, "unknown parameter (see docs/policy-suanli.md)");
			return sl_err_set(err, SL_EINVAL, where, "\"%s\": expected %s", eq + 1, what);
		}
	}
	return finish(p, &x, net, err);
}

/* ---------- lifecycle ---------- */

static void sq_free(void *state);

static int sq_init(void **state, const sl_network *net, const sl_policy_opts *opts, sl_err *err)
{
	sq_state *s = sl_calloc(1, sizeof *s);
	s->net = net;
	defaults(&s->p, opts ? opts->seed : 1);
	int rc = parse_params(&s->p, opts ? opts->params : NULL, net, err);
	if (rc == 0)
		rc = sl_forecast_new(net, &s->p.fc, (int32_t)(s->p.horizon_s / net->step_s) + 1, &s->fc, err);
	if (rc) {
		sq_free(s);
		return rc;
	}
	snprintf(s->fcname, sizeof s->fcname, "%s", sl_forecast_model_name(s->p.fc.model));
	sl_policy_cands_init(&s->pc, net);
	sq__tables_init(s);
	s->nratio = (net->nclasses + 1) * (SQ_EBUCKETS + 1);
	s->ratio = sl_calloc((size_t)s->nratio, sizeof *s->ratio);
	s->free_rec = -1;
	s->bump_skip = -1;
	s->k_last_replan = INT64_MIN / 2;
	size_t ns = (size_t)net->nsites;
	s->ev = sl_calloc(ns, sizeof *s->ev);
	s->alts = sl_calloc(ns, sizeof *s->alts);
	s->excl = sl_calloc(ns, sizeof *s->excl);
	s->site_dirty = sl_calloc(ns, 1);
	for (int l = 0; l < SQ_LISTS; l++) {
		s->head[l] = sl_malloc(ns * sizeof *s->head[l]);
		memset(s->head[l], 0xff, ns * sizeof *s->head[l]); /* -1: empty */
	}
	s->site_broken = sl_calloc(ns, 1);
	s->whead = sl_malloc(SQ_WN * sizeof *s->whead);
	memset(s->whead, 0xff, SQ_WN * sizeof *s->whead);
	s->wdone = INT64_MIN;
	*state = s;
	return 0;
}

static void sq_free(void *state)
{
	sq_state *s = state;
	if (!s)
		return;
	if (s->tab)
		sq__tables_free(s);
	sl_forecast_free(s->fc);
	if (s->pc.off)
		sl_policy_cands_release(&s->pc);
	if (s->resv_on)
		sl_resv_release(&s->resv);
	sq__recs_free(s);
	sl_free(s->ratio);
	sl_free(s->ev);
	sl_free(s->feas);
	sl_free(s->alts);
	sl_free(s->excl);
	sl_free(s->site_dirty);
	sl_free(s->site_broken);
	sl_free(s->whead);
	sl_free(s->wdue);
	sl_free(s);
}

static void sq_describe(const void *state, char *buf, size_t n)
{
	const sq_state *s = state;
	char fc[96];
	sl_forecast_describe(&s->p.fc, fc, sizeof fc);
	snprintf(buf, n,
	         "objective %s (weights carbon %g, cost %g, wait %g/h, late %g); forecast %s; "
	         "max slack %g h; re-plan every %d step(s)",
	         objective_names[s->p.objective], s->p.w_carbon, s->p.w_cost, s->p.w_wait,
	         s->p.w_late, fc, (double)s->p.max_slack_s / SL_HOUR, (int)s->p.replan_steps);
}

static void sq_set_receipts(void *state, sl_receipt_fn fn, void *ud)
{
	sq_state *s = state;
	s->rfn = fn;
	s->rud = ud;
}

/* ---------- place ---------- */

/* Fill one candidate site's evaluation for job at now. */
static void eval_site(sq_state *s, const sl_job *job, const sl_cand *c, int64_t now,
                      sq_site_eval *e)
{
	memset(e, 0, sizeof *e);
	e->site = c->site;
	e->route = c->route;
	e->arrive = now + sl_transfer_s(c->route, job->input_bytes);
	e->transfer_cny = sl_transfer_job_cny(c->route, job);
	e->pkw = sq__kw(s, c->site, job->cores, job->gpus);
	e->deadline = job->deadline_s > 0 ? job->submit + job->deadline_s : INT64_MAX;
	e->latest_dl = sq__latest_of(s, job->cls, job->est_s, e->deadline);
	/* Jobs with a latency budget, or without a deadline, start when their
	 * input is there; the others anywhere up to their latest start. */
	int flex = job->latency_budget_ms <= 0 && job->deadline_s > 0;
	int64_t cap = now + s->p.max_slack_s;
	e->latest = !flex ? e->arrive : e->latest_dl < cap ? e->latest_dl : cap;
	if (flex && e->latest < e->arrive && e->latest_dl >= e->arrive)
		e->latest = e->arrive; /* the slack cap never removes the first start */
}

/* Score every legal site; the best one with room in its slack, or NULL.
 * Sites go in the order of a lower bound of their score, and one whose
 * bound cannot beat the best so far is skipped (exact: the choice is the
 * same), unless receipts want every site's best. */
static sq_site_eval *choose(sq_state *s, const sl_job *job, const sl_view *v, const sq_ask *a,
                            int *ne)
{
	int n, order[64], m = 0;
	double lb[64];
	const sl_cand *c = sl_policy_cands_of(&s->pc, job, &n);
	sq_site_eval *best = NULL;
	*ne = 0;
	for (int i = 0; i < n && *ne < 64; i++) {
		/* A site marked down (the live service's failed cluster) takes nothing. */
		if (!sl_policy_cand_usable(v, job, &c[i]))
			continue;
		sq_site_eval *e = &s->ev[*ne];
		eval_site(s, job, &c[i], v->now, e);
		double x = sq__lower_bound(s, a, e);
		int j = m++;
		for (; j > 0 && lb[j - 1] > x; j--) {
			lb[j] = lb[j - 1];
			order[j] = order[j - 1];
		}
		lb[j] = x;
		order[j] = (*ne)++;
	}
	for (int j = 0; j < m; j++) {
		sq_site_eval *e = &s->ev[order[j]];
		double beat = best && !s->rfn ? best->best.score : INFINITY;
		if (lb[j] >= beat)
			break;
		sq__best_at_site(s, a, e, beat);
		if (!e->has_best)
			e->excluded = e->latest < e->arrive ? SL_REJECT_DEADLINE : SL_RECEIPT_FULL;
		else if (!best || e->best.score < best->best.score)
			best = e;
	}
	return best;
}

/* Stopping running jobs is tried at this many of the best sites (measured
 * on 96 traces: 1 site 392 misses, 2 246, 3 177, all 7 179). */
#define SQ_PREEMPT_SITES 3

/* No start within the slack has room anywhere: try to start it on arrival
 * by moving planned jobs that have slack out of its way, best site
 * (by the score of starting on arrival) first. */
static sq_site_eval *make_room(sq_state *s, const sq_ask *a, int ne, const sl_view *v,
                               double p_ref)
{
	int order[64], n = 0;
	double sc[64];
	for (int i = 0; i < ne && n < 64; i++) {
		sq_site_eval *e = &s->ev[i];
		double c, m;
		sq__predict(s, e->site, e->pkw, e->arrive, a->run_s, &c, &m);
		double x = sq__score(s, a, c, m + e->transfer_cny, e->arrive, e->arrive, e->latest_dl);
		int j = n++;
		for (; j > 0 && sc[j - 1] > x; j--) {
			sc[j] = sc[j - 1];
			order[j] = order[j - 1];
		}
		sc[j] = x;
		order[j] = i;
	}
	for (int j = 0; j < n; j++)
		if (sq__bump(s, a, &s->ev[order[j]], v, p_ref))
			return &s->ev[order[j]];
	/* Then by stopping running jobs. */
	for (int j = 0; j < n && j < SQ_PREEMPT_SITES && s->p.preempt && s->ctl && s->ctl->preempt; j++)
		if (sq__preempt(s, a, &s->ev[order[j]], v, p_ref))
			return &s->ev[order[j]];
	return NULL;
}

/* No start within the slack has room anywhere: the earliest end. */
static sq_site_eval *fallback(sq_state *s, const sq_ask *a, int ne)
{
	sq_site_eval *best = NULL;
	int64_t limit = 4 * (int64_t)s->H + 30 * (int64_t)s->day_steps;
	for (int i = 0; i < ne; i++) {
		sq_site_eval *e = &s->ev[i];
		int64_t t = sq__earliest_at_site(s, a, e, limit);
		if (t < 0)
			continue;
		double c, m;
		sq__predict(s, e->site, e->pkw, t, a->run_s, &c, &m);
		m += e->transfer_cny;
		double sc = sq__score(s, a, c, m, t, e->arrive, e->latest_dl);
		if (!best || t < best->best.start || (t == best->best.start && sc < best->best.score)) {
			e->best = (sl_receipt_option){e->site, t, c, m, e->transfer_cny, sc};
			e->has_best = 1;
			best = e;
		}
	}
	return best;
}

/* Nothing has room within the search either: the nearest site, starting
 * when its input is there (the site's queue will hold it). */
static sq_site_eval *nearest_eval(sq_state *s, int ne, const sl_receipt_option *near)
{
	int i = 0;
	while (i < ne - 1 && s->ev[i].site != near->site)
		i++;
	s->ev[i].best = *near;
	s->ev[i].best.start = s->ev[i].arrive;
	s->ev[i].has_best = 1;
	return &s->ev[i];
}

/* Sites that are not legal, and legal sites no start was found at. */
static int excluded(sq_state *s, const sl_job *job, int ne)
{
	int n = 0;
	for (int site = 0; site < s->net->nsites; site++) {
		int i = 0;
		while (i < ne && s->ev[i].site != site)
			i++;
		if (i == ne)
			s->excl[n++] = (sl_receipt_excluded){site, sl_policy_site_check(s->net, job, site, NULL)};
		else if (s->ev[i].excluded)
			s->excl[n++] = (sl_receipt_excluded){site, s->ev[i].excluded};
	}
	return n;
}

static void receipt(sq_state *s, const sl_job *job, int ne, const sq_site_eval *chosen,
                    const sl_receipt_option *nearest, const sl_decision *d, int late)
{
	sl_receipt r;
	memset(&r, 0, sizeof r);
	r.policy = "suanli";
	r.job_id = job->id;
	r.decided = s->now_t;
	r.forecast = s->fcname;
	r.nearest = *nearest;
	r.excluded = s->excl;
	r.nexcluded = excluded(s, job, ne);
	if (!chosen) {
		r.kind = SL_RECEIPT_REJECT;
		r.reason = d->reason;
		r.why = d->why;
		s->rfn(s->rud, &r);
		return;
	}
	r.kind = SL_RECEIPT_PLACE;
	r.chosen = chosen->best;
	r.arrive = chosen->arrive;
	r.late = late;
	for (int i = 0; i < ne; i++) { /* the best start at each other site, best first */
		const sq_site_eval *e = &s->ev[i];
		if (e == chosen || !e->has_best || e->excluded)
			continue;
		int j = r.nalts++;
		for (; j > 0 && s->alts[j - 1].score > e->best.score; j--)
			s->alts[j] = s->alts[j - 1];
		s->alts[j] = e->best;
	}
	r.nalts = r.nalts < s->p.alts ? r.nalts : s->p.alts;
	r.alts = s->alts;
	s->rfn(s->rud, &r);
}

static void reject_deadline(sq_state *s, const sl_job *job, const sq_site_eval *e, sl_decision *d)
{
	d->site = -1;
	d->reason = SL_REJECT_DEADLINE;
	d->not_before = 0;
	snprintf(d->why, sizeof d->why,
	         "no legal site can finish it by its deadline: the earliest end, at %s, is %.1f h late",
	         s->net->sites[e->site].id,
	         (double)(e->best.start + job->est_s - job->submit - job->deadline_s) / SL_HOUR);
}

static int sq_place(void *state, const sl_job *job, const sl_view *v, sl_decision *out)
{
	sq_state *s = state;
	sq_ask a;
	sl_receipt_option near;
	int ne, late = 0;
	s->now_t = v->now;
	sq__refresh(s, v);
	sq__ask(s, job, &a);
	sq__nearest(s, v, job, &a, &near);
	if (near.site < 0) {
		sl_policy_reject(s->net, job, out);
		if (s->rfn)
			receipt(s, job, 0, NULL, &near, out, 0);
		return 0;
	}
	if (s->p.norm == SQ_NORM_ENERGY) {
		double kwh = sq__kw(s, near.site, job->cores, job->gpus) * (double)a.run_s / 3600.0;
		a.cref = kwh * s->ci_ref;
		a.mref = kwh * s->m_ref;
	} else {
		a.cref = near.carbon_g;
		a.mref = near.cost_cny;
	}
	a.cref = a.cref > 1e-9 ? a.cref : 1.0;
	a.mref = a.mref > 1e-9 ? a.mref : 0.01;
	sq_site_eval *e = choose(s, job, v, &a, &ne);
	if (!e) {
		s->fallback++;
		/* Without moving others: the earliest start anywhere, and the
		 * chance that the job ends late from there. */
		sq_site_eval *fb = fallback(s, &a, ne);
		double p_ref = fb ? sq__miss_p(s, a.cls, a.est_s, fb->best.start, fb->deadline) : 1;
		if (!(e = make_room(s, &a, ne, v, p_ref)) && !(e = fb))
			e = nearest_eval(s, ne, &near);
		late = job->deadline_s > 0 && e->best.start + job->est_s > job->submit + job->deadline_s;
		if (late && s->p.late == SQ_LATE_REJECT) {
			reject_deadline(s, job, e, out);
			if (s->rfn)
				receipt(s, job, ne, NULL, &near, out, 0);
			return 0;
		}
		s->late_jobs += late;
	}
	out->site = e->site;
	out->reason = SL_REJECT_NONE;
	out->not_before = e->best.start;
	out->ticket = sq__hold(s, job, out->handle, &a, e);
	if (s->rfn)
		receipt(s, job, ne, e, &near, out, late);
	return 0;
}

static const sl_policy_plan_ops sq_plan = {
	.job_event = sq__job_event, .replan = sq__replan, .set_receipts = sq_set_receipts,
	.describe = sq_describe, .bind = sq__bind, .adopt = sq__adopt,
};

const sl_policy_ops sl_policy_suanli = {
	"suanli", "space x time: best legal site and start in the slack (forecasts, reservations)",
	sq_init, sq_place, NULL, sq_free, &sq_plan,
};
