/*
 * policy_suanli_plan.c — the placements the suanli policy holds: their
 * reservations in the sites' profiles, what the engine reports back
 * (start, end), and the periodic re-plan.
 *
 * A placement reserves its site from its planned start for its hold: a
 * high quantile of what jobs of its class have really run relative to
 * their estimate (the estimate itself until enough have ended).  Holding
 * the estimate would be safe but wasteful: estimates are time limits, on
 * average about twice the runtime, and a profile of limits shows green
 * sites full while they run half empty.  What keeps the profile honest:
 *   - the steps are held from the decision on, while the input may still
 *     be travelling, so later decisions see them;
 *   - a job the site's queue started later than planned moves its hold to
 *     the real start;
 *   - a job still running when its hold runs out has it extended (by an
 *     eighth of its estimate, at least a step, never past the estimate),
 *     so the present is never under-counted for long;
 *   - a job that ended early gives back the rest of its hold.
 * A deadline is planned on the estimate, not the hold: a job started by
 * its latest start ends in time whatever it runs.
 *
 * The re-plan, every replan_steps steps, looks at every placed job that
 * has not started: one placed within its slack may move to a better start
 * at its site (same window, so never past its deadline) when the
 * forecasts have changed enough; one that had no start in its slack (it
 * will be late) or no slack at all is brought forward to the earliest
 * start with room, as jobs ahead of it end early.
 */
#include <string.h>

#include "core/mem.h"
#include "sched/policy_suanli_int.h"

/* ---------- records and lists ---------- */

static void deferred_add(sq_state *s, int32_t ticket)
{
	if (s->ndeferred == s->cap_deferred) {
		s->cap_deferred = s->cap_deferred ? 2 * s->cap_deferred : 64;
		s->deferred = sl_realloc(s->deferred, (size_t)s->cap_deferred * sizeof *s->deferred);
		s->scratch = sl_realloc(s->scratch, (size_t)s->cap_deferred * sizeof *s->scratch);
	}
	s->rec[ticket].dpos = s->ndeferred;
	s->deferred[s->ndeferred++] = ticket;
}

static void deferred_remove(sq_state *s, int32_t ticket)
{
	int32_t pos = s->rec[ticket].dpos;
	if (pos < 0)
		return;
	int32_t last = s->deferred[--s->ndeferred];
	s->deferred[pos] = last;
	s->rec[last].dpos = pos;
	s->rec[ticket].dpos = -1;
}

static int32_t rec_alloc(sq_state *s)
{
	if (s->free_rec < 0) {
		int32_t old = s->cap_rec, n = old ? 2 * old : 256;
		s->rec = sl_realloc(s->rec, (size_t)n * sizeof *s->rec);
		for (int32_t i = n - 1; i >= old; i--) {
			s->rec[i].live = 0;
			s->rec[i].next_free = s->free_rec;
			s->free_rec = i;
		}
		s->cap_rec = n;
	}
	int32_t t = s->free_rec;
	s->free_rec = s->rec[t].next_free;
	s->nrec++;
	return t;
}

static void rec_free(sq_state *s, int32_t t)
{
	deferred_remove(s, t);
	s->rec[t].live = 0;
	s->rec[t].next_free = s->free_rec;
	s->free_rec = t;
	s->nrec--;
}

void sq__recs_free(sq_state *s)
{
	sl_free(s->rec);
	sl_free(s->deferred);
	sl_free(s->scratch);
	sl_free(s->heap);
}

/* ---------- the hold-end heap ---------- */

static void heap_push(sq_state *s, int64_t k1, int32_t ticket, int32_t handle)
{
	if (s->nheap == s->cap_heap) {
		s->cap_heap = s->cap_heap ? 2 * s->cap_heap : 256;
		s->heap = sl_realloc(s->heap, (size_t)s->cap_heap * sizeof *s->heap);
	}
	int32_t i = s->nheap++;
	while (i > 0 && s->heap[(i - 1) / 2].k1 > k1) {
		s->heap[i] = s->heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	s->heap[i] = (sq_hold_ev){k1, ticket, handle};
}

static sq_hold_ev heap_pop(sq_state *s)
{
	sq_hold_ev top = s->heap[0], x = s->heap[--s->nheap];
	int32_t i = 0, n = s->nheap;
	for (;;) {
		int32_t c = 2 * i + 1;
		if (c >= n)
			break;
		if (c + 1 < n && s->heap[c + 1].k1 < s->heap[c].k1)
			c++;
		if (x.k1 <= s->heap[c].k1)
			break;
		s->heap[i] = s->heap[c];
		i = c;
	}
	if (n)
		s->heap[i] = x;
	return top;
}

/* ---------- holding ---------- */

static void reserve(sq_state *s, const sq_rec *r, int sign)
{
	sl_resv_add(&s->resv, r->site, r->k0, r->k1, sign * r->cores, sign * r->gpus);
}

int32_t sq__hold(sq_state *s, const sl_job *job, int32_t handle, const sq_ask *a,
                 const sq_site_eval *e)
{
	int32_t t = rec_alloc(s);
	sq_rec *r = &s->rec[t];
	memset(r, 0, sizeof *r);
	r->handle = handle;
	r->next_free = -1;
	r->dpos = -1;
	r->site = (int16_t)e->site;
	r->cls = job->cls;
	r->live = 1;
	r->flex = e->latest > e->arrive && e->best.start <= e->latest_dl;
	r->cores = job->cores;
	r->gpus = job->gpus;
	r->est_s = job->est_s;
	r->hold_s = a->hold_s;
	r->job_id = job->id;
	r->arrive = e->arrive;
	r->latest = e->latest_dl;
	r->t_plan = e->best.start;
	r->pkw = e->pkw;
	r->cref = a->cref;
	r->mref = a->mref;
	r->transfer_cny = e->transfer_cny;
	sq__steps(s, r->t_plan, r->hold_s, &r->k0, &r->k1);
	reserve(s, r, +1);
	if (r->t_plan > s->now_t)
		deferred_add(s, t);
	return t;
}

/* The engine's report for a ticket, if it is one of ours. */
static sq_rec *rec_of(sq_state *s, const sl_job_event *ev)
{
	if (ev->ticket < 0 || ev->ticket >= s->cap_rec)
		return NULL;
	sq_rec *r = &s->rec[ev->ticket];
	return r->live && r->handle == ev->handle ? r : NULL;
}

static void on_start(sq_state *s, int32_t t, sq_rec *r, int64_t at)
{
	deferred_remove(s, t);
	r->running = 1;
	r->t_start = at;
	if (at != r->t_plan) {
		/* The site's queue held it: the reservation follows the real start. */
		reserve(s, r, -1);
		r->t_plan = at;
		sq__steps(s, at, r->hold_s, &r->k0, &r->k1);
		reserve(s, r, +1);
	}
	heap_push(s, r->k1, t, r->handle);
}

static void on_end(sq_state *s, int32_t t, sq_rec *r, int64_t at)
{
	int64_t k_end = sl_forecast_step_of(s->net, at);
	if (k_end < r->k1)
		sl_resv_add(&s->resv, r->site, k_end, r->k1, -r->cores, -r->gpus);
	sq__learn(s, r->cls, at - r->t_start, r->est_s);
	rec_free(s, t); /* its heap entry goes stale */
}

void sq__job_event(void *state, const sl_job_event *ev)
{
	sq_state *s = state;
	sq_rec *r = rec_of(s, ev);
	if (!r || !s->resv_on)
		return;
	sl_resv_advance(&s->resv, sl_forecast_step_of(s->net, ev->t));
	if (ev->kind == SL_JOBEV_START && !r->running)
		on_start(s, ev->ticket, r, ev->t);
	else if (ev->kind == SL_JOBEV_END && r->running)
		on_end(s, ev->ticket, r, ev->t);
}

/* Jobs still running at the end of their hold keep their resources: extend
 * every hold that ends by the next step. */
static void extend_holds(sq_state *s, int64_t k_now)
{
	while (s->nheap > 0 && s->heap[0].k1 <= k_now + 1) {
		sq_hold_ev h = heap_pop(s);
		sq_rec *r = &s->rec[h.ticket];
		if (!r->live || !r->running || r->handle != h.handle || r->k1 != h.k1)
			continue; /* ended, or already moved on */
		int64_t ext = r->est_s / 8 > s->net->step_s ? r->est_s / 8 : s->net->step_s;
		int64_t end = s->net->t0 + k_now * s->net->step_s + ext, limit = r->t_start + r->est_s;
		int64_t k1 = sl_forecast_step_of(s->net, (end < limit ? end : limit) - 1) + 1;
		if (k1 <= r->k1)
			k1 = r->k1 + 1; /* never shorter; at the estimate's step it simply holds on */
		sl_resv_add(&s->resv, r->site, r->k1, k1, r->cores, r->gpus);
		r->k1 = k1;
		s->extended++;
		heap_push(s, k1, h.ticket, h.handle);
	}
}

/* ---------- re-planning ---------- */

static void move_receipt(sq_state *s, const sq_rec *r, const sl_receipt_option *o, int64_t from,
                         int64_t now)
{
	sl_receipt rc;
	memset(&rc, 0, sizeof rc);
	rc.kind = SL_RECEIPT_MOVE;
	rc.policy = "suanli";
	rc.job_id = r->job_id;
	rc.decided = now;
	rc.arrive = r->arrive;
	rc.chosen = *o;
	rc.moved_from = from;
	rc.nearest.site = -1;
	rc.forecast = s->fcname;
	s->rfn(s->rud, &rc);
}

/* Move r's plan to o->start: reserve it first (a move to now may start the
 * job inside the call), back to the old plan if the engine refuses (it
 * has already queued the job).  1 if it moved.  r's hold is out of the
 * profile on entry and in it on return. */
static int move_to(sq_state *s, sq_rec *r, const sl_receipt_option *o, const sl_view *v,
                   const sl_plan_ctl *ctl)
{
	int64_t from = r->t_plan, k0 = r->k0, k1 = r->k1;
	r->t_plan = o->start;
	sq__steps(s, r->t_plan, r->hold_s, &r->k0, &r->k1);
	reserve(s, r, +1);
	if (ctl->move(ctl->ud, r->handle, r->t_plan) != 0) {
		reserve(s, r, -1);
		r->t_plan = from;
		r->k0 = k0;
		r->k1 = k1;
		reserve(s, r, +1);
		return 0;
	}
	if (s->rfn)
		move_receipt(s, r, o, from, v->now);
	return 1;
}

/* The ask and evaluation of a held job at its site, from now on. */
static void rec_eval(const sq_state *s, const sq_rec *r, const sl_view *v, sq_ask *a,
                     sq_site_eval *e)
{
	sl_job job;
	memset(&job, 0, sizeof job);
	job.cores = r->cores;
	job.gpus = r->gpus;
	job.est_s = r->est_s;
	job.cls = r->cls;
	sq__ask(s, &job, a);
	a->hold_s = r->hold_s; /* what it holds, not what a new job would */
	a->cref = r->cref;
	a->mref = r->mref;
	memset(e, 0, sizeof *e);
	e->site = r->site;
	e->arrive = r->arrive > v->now ? r->arrive : v->now;
	e->latest_dl = r->latest;
	e->latest = v->now + s->p.max_slack_s < r->latest ? v->now + s->p.max_slack_s : r->latest;
	e->transfer_cny = r->transfer_cny;
	e->pkw = r->pkw;
}

/* A job with no start in its slack, or no slack: bring it forward to the
 * earliest start with room.  1 if it moved. */
static int compress_one(sq_state *s, sq_rec *r, const sl_view *v, const sl_plan_ctl *ctl)
{
	sq_ask a;
	sq_site_eval e;
	rec_eval(s, r, v, &a, &e);
	reserve(s, r, -1);
	int64_t t = sq__earliest_at_site(s, &a, &e, r->k0 - 1 - sl_forecast_step_of(s->net, e.arrive));
	if (t < 0 || t >= r->t_plan) {
		reserve(s, r, +1);
		return 0;
	}
	sl_receipt_option o = {r->site, t, 0, 0, r->transfer_cny, 0};
	sq__predict(s, r->site, r->pkw, t, a.run_s, &o.carbon_g, &o.cost_cny);
	o.cost_cny += r->transfer_cny;
	o.score = sq__score(s, &a, o.carbon_g, o.cost_cny, t, r->arrive, r->latest);
	return move_to(s, r, &o, v, ctl);
}

/* A job placed within its slack: its best start now, if clearly better.
 * Scores of one job share its normalisers, so the gain threshold means
 * the same for every job.  1 if it moved. */
static int replan_one(sq_state *s, sq_rec *r, const sl_view *v, const sl_plan_ctl *ctl)
{
	sq_ask a;
	sq_site_eval e;
	rec_eval(s, r, v, &a, &e);
	reserve(s, r, -1);
	double c, m;
	sq__predict(s, r->site, r->pkw, r->t_plan, a.run_s, &c, &m);
	double cur = sq__score(s, &a, c, m + r->transfer_cny, r->t_plan, r->arrive, r->latest);
	sq__best_at_site(s, &a, &e);
	/* Waiting counts from the original arrival, as in the current score. */
	if (e.has_best)
		e.best.score += s->p.w_wait * (double)(e.arrive - r->arrive) / 3600.0;
	if (!e.has_best || e.best.start == r->t_plan || e.best.score > cur - s->p.replan_gain) {
		reserve(s, r, +1);
		return 0;
	}
	return move_to(s, r, &e.best, v, ctl);
}

void sq__replan(void *state, const sl_view *v, const sl_plan_ctl *ctl)
{
	sq_state *s = state;
	int64_t k = sl_forecast_step_of(s->net, v->now);
	if (!s->resv_on)
		return;
	s->now_t = v->now;
	sl_resv_advance(&s->resv, k);
	extend_holds(s, k);
	if (s->p.replan_steps <= 0 || !ctl || !ctl->move || s->ndeferred == 0 ||
	    k - s->k_last_replan < s->p.replan_steps)
		return;
	s->k_last_replan = k;
	sq__refresh(s, v);
	/* A snapshot: a move to now may start the job inside the call, and its
	 * start event takes it off the deferred list. */
	int32_t n = s->ndeferred;
	memcpy(s->scratch, s->deferred, (size_t)n * sizeof *s->scratch);
	for (int32_t i = 0; i < n; i++) {
		sq_rec *r = &s->rec[s->scratch[i]];
		if (!r->live || r->running || r->dpos < 0 || r->t_plan <= v->now)
			continue;
		s->moves += r->flex ? replan_one(s, r, v, ctl) : compress_one(s, r, v, ctl);
	}
}
