/*
 * policy_suanli_plan.c — the placements the suanli policy holds: their
 * reservations in the sites' profiles, what the engine reports back
 * (start, end), and the periodic re-plan.
 *
 * A placement reserves its site from its planned start for its estimate
 * (the time limit: no job runs longer), from the moment it is decided, so
 * later decisions see it even while its input is still travelling; its
 * planned start is counted until it happens.  Every placement obeys the
 * profile's start rule (reserve.h), which is what makes the sites' real
 * FCFS + EASY queues agree with the plan: each planned start finds its
 * cores and GPUs free at its time even if every job runs to its limit.  A
 * job that ends early gives back the rest of its steps at once; a job
 * the site's queue started later than planned (only after a placement
 * that had to overbook, see policy_suanli.c) moves its reservation to its
 * real start.
 *
 * The re-plan, every replan_steps steps, looks at every placed job that
 * has not started: one placed within its slack may move to a better start
 * at its site (same window, so never past its deadline) when the
 * forecasts have changed enough or room has opened; one that had no start
 * in its slack (it will be late) or no slack at all is brought forward to
 * the earliest start the rule allows, as jobs ahead of it end early.  A
 * planned start with no room left at its site (a grown hold broke it, or
 * the job will be late) is relocated: sent to another legal site, its
 * input sent there again from now (sl_plan_ctl.retarget).
 */
#include <math.h>
#include <string.h>

#include "core/mem.h"
#include "sched/policy_suanli_int.h"
#include "sched/transfer.h"

/* ---------- records and lists ---------- */

/* Put placement t at the front of the list of kind l whose head is *head. */
static void link_at(sq_state *s, int l, int32_t *head, int32_t t)
{
	sq_rec *r = &s->rec[t];
	r->link[l].prev = -1;
	r->link[l].next = *head;
	if (r->link[l].next >= 0)
		s->rec[r->link[l].next].link[l].prev = t;
	*head = t;
}

static void unlink_at(sq_state *s, int l, int32_t *head, sq_rec *r)
{
	const sq_link *k = &r->link[l];
	if (k->prev >= 0)
		s->rec[k->prev].link[l].next = k->next;
	else
		*head = k->next;
	if (k->next >= 0)
		s->rec[k->next].link[l].prev = k->prev;
}

/* Its site's list l (SQ_RUNNING, SQ_DEFERRED). */
static void list_link(sq_state *s, int l, int32_t t)
{
	link_at(s, l, &s->head[l][s->rec[t].site], t);
}

static void list_unlink(sq_state *s, int l, sq_rec *r)
{
	unlink_at(s, l, &s->head[l][r->site], r);
}

static void deferred_add(sq_state *s, int32_t ticket)
{
	if (s->ndeferred == s->cap_deferred) {
		s->cap_deferred = s->cap_deferred ? 2 * s->cap_deferred : 64;
		s->deferred = sl_realloc(s->deferred, (size_t)s->cap_deferred * sizeof *s->deferred);
		s->scratch = sl_realloc(s->scratch, (size_t)s->cap_deferred * sizeof *s->scratch);
	}
	s->rec[ticket].dpos = s->ndeferred;
	s->deferred[s->ndeferred++] = ticket;
	list_link(s, SQ_DEFERRED, ticket);
}

static void deferred_remove(sq_state *s, int32_t ticket)
{
	int32_t pos = s->rec[ticket].dpos;
	if (pos < 0)
		return;
	list_unlink(s, SQ_DEFERRED, &s->rec[ticket]);
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
	for (int l = 0; l < SQ_LISTS; l++)
		sl_free(s->head[l]);
}

/* ---------- holding ---------- */

/* Add (sign 1) or take out (-1) r's steps, and its planned start while
 * it has not happened. */
static void reserve(sq_state *s, const sq_rec *r, int sign)
{
	sl_resv_add(&s->resv, r->site, r->k0, r->k1, sign * r->cores, sign * r->gpus);
	if (!r->running)
		sl_resv_mark_start(&s->resv, r->site, r->k0, sign);
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
	r->wk = -1;
	r->job_id = job->id;
	r->job = *job;
	r->arrive = e->arrive;
	r->latest = e->latest_dl;
	r->deadline = e->deadline;
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

static void unwatch(sq_state *s, sq_rec *r)
{
	if (r->wk < 0)
		return;
	unlink_at(s, SQ_WATCH, &s->whead[r->wk & (SQ_WN - 1)], r);
	r->wk = -1;
	s->nwatch--;
}

/* A running job whose reservation ends before its estimate: look again
 * when the reservation ends (sq__extend_overruns; a step already looked
 * at waits for the next look). */
static void watch(sq_state *s, int32_t t, sq_rec *r)
{
	int64_t k0, k_est;
	unwatch(s, r);
	sq__steps(s, r->t_start, r->est_s, &k0, &k_est);
	if (r->k1 >= k_est)
		return;
	if (s->wdone == INT64_MIN)
		s->wdone = s->resv.now - 1;
	r->wk = r->k1 > s->wdone ? r->k1 : s->wdone + 1;
	link_at(s, SQ_WATCH, &s->whead[r->wk & (SQ_WN - 1)], t);
	s->nwatch++;
}

/* r (ticket t) starts, or stops, running at its site. */
static void run_link(sq_state *s, int32_t t, sq_rec *r)
{
	list_link(s, SQ_RUNNING, t);
	r->running = 1;
}

static void run_unlink(sq_state *s, sq_rec *r)
{
	list_unlink(s, SQ_RUNNING, r);
	unwatch(s, r);
	r->running = 0;
}

static void on_start(sq_state *s, int32_t t, sq_rec *r, int64_t at)
{
	deferred_remove(s, t);
	sl_resv_mark_start(&s->resv, r->site, r->k0, -1);
	run_link(s, t, r);
	r->t_start = at;
	if (at != r->t_plan) {
		/* The site's queue held it: the reservation follows the real start. */
		reserve(s, r, -1);
		r->t_plan = at;
		sq__steps(s, at, r->hold_s, &r->k0, &r->k1);
		reserve(s, r, +1);
	}
	watch(s, t, r);
}

static void on_end(sq_state *s, int32_t t, sq_rec *r, int64_t at)
{
	run_unlink(s, r);
	int64_t k_end = sl_forecast_step_of(s->net, at);
	if (k_end < r->k1)
		sl_resv_add(&s->resv, r->site, k_end, r->k1, -r->cores, -r->gpus);
	if (!r->stopped)
		sq__learn(s, r->cls, at - r->t_start, r->est_s);
	s->site_dirty[r->site] = 1; /* room opened: planned jobs there may move up */
	rec_free(s, t);
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
	else if (ev->kind == SL_JOBEV_END) { /* withdrawn before it started */
		reserve(s, r, -1);
		s->site_dirty[r->site] = 1;
		rec_free(s, ev->ticket);
	}
}

/* A job the engine found running (a restart): held from its start for the
 * hold a job that has run that long gets, as if it had started here. */
int32_t sq__adopt(void *state, const sl_job *job, int site, int64_t start, int32_t handle,
                  const sl_view *v)
{
	sq_state *s = state;
	sq_ask a;
	sq_site_eval e;
	s->now_t = v->now;
	sq__refresh(s, v);
	sq__ask(s, job, &a);
	a.hold_s = sq__hold_len(s, job->cls, job->est_s, v->now > start ? v->now - start : 0);
	a.cref = a.mref = 1; /* never scored again: it runs */
	memset(&e, 0, sizeof e);
	e.site = site;
	e.arrive = e.latest = e.latest_dl = e.best.start = start;
	e.deadline = job->deadline_s > 0 ? job->submit + job->deadline_s : INT64_MAX;
	e.pkw = sq__kw(s, site, job->cores, job->gpus);
	int32_t t = sq__hold(s, job, handle, &a, &e);
	on_start(s, t, &s->rec[t], start);
	return t;
}

/* ---------- re-planning ---------- */

static void kind_receipt(sq_state *s, int kind, const sq_rec *r, const sl_receipt_option *o,
                         int64_t from, int64_t now)
{
	sl_receipt rc;
	memset(&rc, 0, sizeof rc);
	rc.kind = kind;
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
 * has already queued the job).  1 if it moved.  r's steps are out of the
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
		kind_receipt(s, SL_RECEIPT_MOVE, r, o, from, v->now);
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
	a->hold_s = r->hold_s; /* what it holds now (and will hold when moved) */
	a->tight = r->latest - v->now < s->p.tight_s;
	a->cref = r->cref;
	a->mref = r->mref;
	memset(e, 0, sizeof *e);
	e->site = r->site;
	e->arrive = r->arrive > v->now ? r->arrive : v->now;
	e->latest_dl = r->latest;
	e->deadline = r->deadline;
	e->latest = v->now + s->p.max_slack_s < r->latest ? v->now + s->p.max_slack_s : r->latest;
	e->transfer_cny = r->transfer_cny;
	e->pkw = r->pkw;
}

/* r's evaluation at candidate site c, its input sent there from now. */
static void reloc_eval(const sq_state *s, const sq_rec *r, const sl_cand *c, const sl_view *v,
                       sq_site_eval *e)
{
	memset(e, 0, sizeof *e);
	e->site = c->site;
	e->route = c->route;
	e->arrive = v->now + sl_transfer_s(c->route, r->job.input_bytes);
	e->latest_dl = r->latest;
	e->deadline = r->deadline;
	e->latest = v->now + s->p.max_slack_s < r->latest ? v->now + s->p.max_slack_s : r->latest;
	e->transfer_cny = sl_transfer_job_cny(c->route, &r->job);
	e->pkw = sq__kw(s, e->site, r->cores, r->gpus);
}

/* The earliest start at another site, if at least a step before
 * beat_start: into best (has_best set). */
static void reloc_earliest(sq_state *s, const sq_rec *r, const sq_ask *a, const sl_cand *c,
                           int n, const sl_view *v, int64_t beat_start, int opened,
                           sq_site_eval *best)
{
	sq_site_eval e;
	for (int i = 0; i < n; i++) {
		if (c[i].site == r->site || (opened && !s->site_dirty[c[i].site]) ||
		    !sl_policy_cand_usable(v, &r->job, &c[i]))
			continue;
		reloc_eval(s, r, &c[i], v, &e);
		int64_t lim = (beat_start - s->net->step_s - e.arrive) / s->net->step_s;
		if (lim < 0)
			continue;
		int64_t t = sq__earliest_at_site(s, a, &e, lim);
		if (t < 0 || t + s->net->step_s > beat_start || (best->has_best && t >= best->best.start))
			continue;
		e.best = (sl_receipt_option){e.site, t, 0, 0, e.transfer_cny, 0};
		sq__predict(s, e.site, e.pkw, t, a->run_s, &e.best.carbon_g, &e.best.cost_cny);
		e.best.cost_cny += e.transfer_cny;
		e.best.score = sq__score(s, a, e.best.carbon_g, e.best.cost_cny, t, e.arrive, r->latest);
		e.has_best = 1;
		*best = e;
	}
}

/* r (out of the profile) has no start in its slack at its site: its best
 * start within its slack at another legal site, its input sent there from
 * now, if the engine offers the move; failing that, when beat_start >= 0
 * (r will be late), the earliest start elsewhere if a step before
 * beat_start; with opened, only sites where room opened since the last
 * re-plan are looked at.  1 if it moved (r is then in the profile at its
 * new site), 0 if not (nothing changed). */
static int relocate_to(sq_state *s, sq_rec *r, const sq_site_eval *best, int late,
                       const sl_view *v, const sl_plan_ctl *ctl)
{
	sq_rec old = *r;
	int32_t t = (int32_t)(r - s->rec);
	if (r->dpos >= 0)
		list_unlink(s, SQ_DEFERRED, r);
	r->site = (int16_t)best->site;
	if (r->dpos >= 0)
		list_link(s, SQ_DEFERRED, t);
	r->arrive = best->arrive;
	r->t_plan = best->best.start;
	r->pkw = best->pkw;
	r->transfer_cny = best->transfer_cny;
	r->flex = !late;
	sq__steps(s, r->t_plan, r->hold_s, &r->k0, &r->k1);
	reserve(s, r, +1);
	if (ctl->retarget(ctl->ud, r->handle, best->site, r->t_plan) != 0) {
		reserve(s, r, -1);
		if (r->dpos >= 0)
			list_unlink(s, SQ_DEFERRED, r);
		*r = old;
		if (r->dpos >= 0)
			list_link(s, SQ_DEFERRED, t);
		return 0;
	}
	s->relocated++;
	if (s->rfn)
		kind_receipt(s, SL_RECEIPT_MOVE, r, &best->best, old.t_plan, v->now);
	return 1;
}

/* May r move to another site at all (the engine offers it, and the job has
 * a deadline and no latency budget)? */
static int relocatable(const sq_rec *r, const sl_plan_ctl *ctl)
{
	return ctl->retarget && r->latest != INT64_MAX && r->job.latency_budget_ms <= 0;
}

static int relocate(sq_state *s, sq_rec *r, const sq_ask *a, const sl_view *v,
                    const sl_plan_ctl *ctl, int64_t beat_start, int opened)
{
	int n;
	if (!relocatable(r, ctl))
		return 0;
	/* A late job's move must lower its chance of missing by SQ_BUMP_GAIN
	 * (below): with less than that at stake, no site can do it. */
	double p_ref = beat_start >= 0 ? sq__miss_p(s, r->cls, r->est_s, beat_start, r->deadline) : 1;
	if (p_ref < SQ_BUMP_GAIN)
		return 0;
	const sl_cand *c = sl_policy_cands_of(&s->pc, &r->job, &n);
	sq_site_eval best, e;
	best.has_best = 0;
	/* Past its latest start no site has a start within its slack. */
	for (int i = 0; i < n && r->latest > v->now; i++) {
		if (c[i].site == r->site || (opened && !s->site_dirty[c[i].site]) ||
		    !sl_policy_cand_usable(v, &r->job, &c[i]))
			continue;
		reloc_eval(s, r, &c[i], v, &e);
		if (e.latest < e.arrive)
			continue;
		sq__best_at_site(s, a, &e, best.has_best ? best.best.score : INFINITY);
		if (e.has_best && (!best.has_best || e.best.score < best.best.score))
			best = e;
	}
	int late = !best.has_best;
	if (late && beat_start >= 0)
		reloc_earliest(s, r, a, c, n, v, beat_start, opened, &best);
	if (!best.has_best)
		return 0;
	/* A late job moves only when that lowers its chance of missing by as
	 * much as making room must: sending its input again is paid for
	 * (measured on 24 traces: without this rule the moves cost 1.2 % of
	 * the run's money and saved 7 of 62 misses).  A start within its
	 * slack saves all of p_ref, at least that much (checked above). */
	if (late && beat_start >= 0 &&
	    p_ref - sq__miss_p(s, r->cls, r->est_s, best.best.start, r->deadline) < SQ_BUMP_GAIN)
		return 0;
	return relocate_to(s, r, &best, late, v, ctl);
}

/* r (placed within its slack) at a site where room has opened (site_dirty;
 * every other site when all): its best start there within its slack, its
 * input sent there from now, into best if it beats `beat` (its score at its
 * own site, less the gain a move must make).  Waiting counts from its first
 * arrival, as in its current score.  Its own reservation does not matter
 * here: it is at another site.  1 if found. */
static int pull_find(sq_state *s, sq_rec *r, const sq_ask *a, const sl_view *v,
                     const sl_plan_ctl *ctl, double beat, int all, sq_site_eval *best)
{
	int n;
	best->has_best = 0;
	if (!relocatable(r, ctl))
		return 0;
	const sl_cand *c = sl_policy_cands_of(&s->pc, &r->job, &n);
	sq_site_eval e;
	for (int i = 0; i < n; i++) {
		if (c[i].site == r->site || (!all && !s->site_dirty[c[i].site]) ||
		    !sl_policy_cand_usable(v, &r->job, &c[i]))
			continue;
		double lim = best->has_best ? best->best.score : beat;
		/* First a bound without the transfer (cheap), then the real one. */
		e.site = c[i].site;
		e.pkw = sq__kw(s, c[i].site, r->cores, r->gpus);
		e.transfer_cny = 0;
		if (sq__lower_bound(s, a, &e) >= lim)
			continue;
		reloc_eval(s, r, &c[i], v, &e);
		double extra = s->p.w_wait * (double)(e.arrive - r->arrive) / 3600.0;
		if (e.latest < e.arrive || sq__lower_bound(s, a, &e) + extra >= lim)
			continue;
		sq__best_at_site(s, a, &e, lim - extra);
		if (!e.has_best)
			continue;
		e.best.score += extra;
		if (e.best.score < lim)
			*best = e;
	}
	return best->has_best;
}

/* r (late, out of the profile) to start on its input's arrival at another
 * site, by moving planned jobs there out of its way (sq__bump) when fewer
 * misses are to be expected.  1 if it moved. */
static int bump_elsewhere(sq_state *s, sq_rec *r, const sq_ask *a, const sl_view *v,
                          const sl_plan_ctl *ctl, double p_ref)
{
	int n;
	if (!relocatable(r, ctl))
		return 0;
	const sl_cand *c = sl_policy_cands_of(&s->pc, &r->job, &n);
	sq_site_eval e;
	for (int i = 0; i < n; i++) {
		/* Only where room opened since the last look (measured on 96
		 * traces: every site at forecast issues too saves no misses and
		 * costs about 3 % of the run). */
		if (c[i].site == r->site || !s->site_dirty[c[i].site] ||
		    !sl_policy_cand_usable(v, &r->job, &c[i]))
			continue;
		reloc_eval(s, r, &c[i], v, &e);
		if (sq__bump(s, a, &e, v, p_ref))
			return relocate_to(s, r, &e, e.arrive > r->latest, v, ctl);
	}
	return 0;
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
	if ((t < 0 || t > r->latest) && (r->latest >= v->now + 1 || s->p.bump == SQ_BUMP_EXPECTED)) {
		/* Still late: make room now by moving planned jobs (bump=safe:
		 * those with slack; expected: any, when fewer misses are to be
		 * expected), or go where it starts sooner. */
		if (e.arrive <= v->now)
			e.arrive = v->now + 1;
		s->bump_skip = (int32_t)(r - s->rec);
		int64_t t_ref = t >= 0 && t < r->t_plan ? t : r->t_plan;
		double p_ref = sq__miss_p(s, r->cls, r->est_s, t_ref, r->deadline);
		int bumped = sq__bump(s, &a, &e, v, p_ref), moved = 0;
		if (bumped)
			t = e.arrive;
		else if (t < 0 || t > r->latest)
			moved = relocate(s, r, &a, v, ctl, t_ref, !s->replan_all) ||
			        (s->p.bump == SQ_BUMP_EXPECTED && bump_elsewhere(s, r, &a, v, ctl, p_ref));
		s->bump_skip = -1;
		if (moved)
			return 1;
	}
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
 * the same for every job.  Between forecast issues (earlier_only) nothing
 * but room has changed, and only where jobs ended: only earlier starts
 * are looked at then.  1 if it moved. */
static int replan_one(sq_state *s, sq_rec *r, const sl_view *v, const sl_plan_ctl *ctl,
                      int earlier_only)
{
	sq_ask a;
	sq_site_eval e, p;
	rec_eval(s, r, v, &a, &e);
	double c, m;
	sq__predict(s, r->site, r->pkw, r->t_plan, a.run_s, &c, &m);
	double cur = sq__score(s, &a, c, m + r->transfer_cny, r->t_plan, r->arrive, r->latest);
	/* Room opened at another site: a clearly better start there is worth
	 * sending the input again.  What was sent here is spent whether it
	 * moves or not (the engine charges it): a move must beat this start
	 * with the new transfer paid on top. */
	double sunk = s->p.w_cost * r->transfer_cny / a.mref;
	if (s->p.pull && (s->p.pull == 2 || !earlier_only) &&
	    pull_find(s, r, &a, v, ctl, cur - sunk - s->p.replan_gain, !earlier_only, &p)) {
		reserve(s, r, -1);
		if (relocate_to(s, r, &p, 0, v, ctl))
			return 1;
		reserve(s, r, +1);
	}
	/* Between issues nothing changed at its own site unless a job ended
	 * there, and then only earlier starts are worth a look. */
	if (earlier_only && !s->site_dirty[r->site])
		return 0;
	if (earlier_only && e.latest >= r->t_plan)
		e.latest = r->t_plan - 1;
	reserve(s, r, -1);
	/* Waiting counts from the original arrival, as in the current score;
	 * nothing scoring above the current one can be taken. */
	double waited = s->p.w_wait * (double)(e.arrive - r->arrive) / 3600.0;
	sq__best_at_site(s, &a, &e, nextafter(cur - waited, INFINITY));
	if (e.has_best)
		e.best.score += waited;
	/* Earlier at no worse a score is worth a move on its own: room that is
	 * not used now is lost, and it frees later steps. */
	int earlier = e.has_best && e.best.start < r->t_plan && e.best.score <= cur;
	if (!e.has_best || e.best.start == r->t_plan ||
	    (!earlier && e.best.score > cur - s->p.replan_gain)) {
		reserve(s, r, +1);
		return 0;
	}
	return move_to(s, r, &e.best, v, ctl);
}

#define EXTEND_STEPS 3

/* 1 when a step of [k0, k1) at site has a planned start and more cores or
 * GPUs reserved than installed: only then can a hold grown over [k0, k1)
 * have broken a planned start (the start rule looks at no other step). */
static int overbooked_start(const sq_state *s, int site, int64_t k0, int64_t k1)
{
	for (int64_t k = k0 > s->resv.now ? k0 : s->resv.now; k < k1; k++)
		if (sl_resv_starts(&s->resv, site, k) > 0 &&
		    (sl_resv_used(&s->resv, site, 1, k) > s->resv.inst_g[site] ||
		     sl_resv_used(&s->resv, site, 0, k) > s->resv.inst_c[site]))
			return 1;
	return 0;
}

/* The running job of ticket t, whose reservation has ended by step k_now
 * (the step looked at): extend it to what a job that has run this long
 * is predicted to need, and watch it again. */
static void extend_one(sq_state *s, int32_t t, int64_t k_now)
{
	sq_rec *r = &s->rec[t];
	int64_t ran = s->net->t0 + k_now * s->net->step_s - r->t_start, k0, k1;
	r->hold_s = sq__hold_len(s, r->cls, r->est_s, ran);
	sq__steps(s, r->t_start, r->hold_s, &k0, &k1);
	/* At least EXTEND_STEPS more (or to the estimate): fewer, coarser
	 * growths, each a little more cautious. */
	int64_t k_est;
	sq__steps(s, r->t_start, r->est_s, &k0, &k_est);
	if (k1 < k_now + EXTEND_STEPS)
		k1 = k_now + EXTEND_STEPS < k_est ? k_now + EXTEND_STEPS : k_est;
	if (k1 <= k_now)
		k1 = k_now + 1;
	sl_resv_add(&s->resv, r->site, r->k1, k1, r->cores, r->gpus);
	if (overbooked_start(s, r->site, r->k1, k1))
		s->site_broken[r->site] = 1;
	r->k1 = k1;
	s->extended++;
	watch(s, t, r);
}

void sq__extend_overruns(sq_state *s, int64_t k_now)
{
	/* A step early: a planned start in the step where a hold ends can
	 * still be moved (at that step the job may already be queued). */
	k_now += 1;
	if (s->wdone == INT64_MIN)
		return; /* nothing watched yet */
	/* Step by step, each bucket's due watches in the order they were made
	 * (the front of a bucket is its newest). */
	for (int64_t k = s->wdone + 1; k <= k_now && s->nwatch > 0; k++) {
		int32_t n = 0;
		for (int32_t t = s->whead[k & (SQ_WN - 1)]; t >= 0; t = s->rec[t].link[SQ_WATCH].next) {
			if (s->rec[t].wk != k)
				continue;
			if (n == s->cap_wdue) {
				s->cap_wdue = s->cap_wdue ? 2 * s->cap_wdue : 64;
				s->wdue = sl_realloc(s->wdue, (size_t)s->cap_wdue * sizeof *s->wdue);
			}
			s->wdue[n++] = t;
		}
		while (n > 0)
			extend_one(s, s->wdue[--n], k_now);
	}
	s->wdone = k_now;
}

/* A planned start at a site where a reservation grew: if it no longer
 * obeys the start rule, plan it again at its site, at its best start
 * within its slack.  With none there it keeps its plan and the site's
 * queue starts it as soon as the cores and GPUs are free (measured: that
 * misses fewer deadlines than re-planning it to the profile's earliest
 * start, which counts every predicted hold as certain).  1 if it moved. */
static int repair_one(sq_state *s, sq_rec *r, const sl_view *v, const sl_plan_ctl *ctl)
{
	reserve(s, r, -1);
	if (sl_resv_startable(&s->resv, r->site, r->k0, r->k1, r->cores, r->gpus) || !r->flex) {
		reserve(s, r, +1);
		return 0;
	}
	sq_ask a;
	sq_site_eval e;
	rec_eval(s, r, v, &a, &e);
	sq__best_at_site(s, &a, &e, INFINITY);
	if (!e.has_best) {
		if (relocate(s, r, &a, v, ctl, -1, 0))
			return 1;
		reserve(s, r, +1);
		return 0;
	}
	s->repaired++;
	return move_to(s, r, &e.best, v, ctl);
}

/* Every planned start at a site marked broken, earliest first would be
 * best; deferred-list order is close enough (each is checked against what
 * the others hold). */
static void repair_sites(sq_state *s, const sl_view *v, const sl_plan_ctl *ctl)
{
	sq__refresh(s, v);
	int32_t n = s->ndeferred;
	memcpy(s->scratch, s->deferred, (size_t)n * sizeof *s->scratch);
	for (int32_t i = 0; i < n; i++) {
		sq_rec *r = &s->rec[s->scratch[i]];
		if (r->live && !r->running && r->dpos >= 0 && r->t_plan > v->now &&
		    s->site_broken[r->site])
			s->moves += repair_one(s, r, v, ctl);
	}
	memset(s->site_broken, 0, (size_t)s->net->nsites);
}

void sq__replan(void *state, const sl_view *v, const sl_plan_ctl *ctl)
{
	sq_state *s = state;
	int64_t k = sl_forecast_step_of(s->net, v->now);
	if (!s->resv_on)
		return;
	s->now_t = v->now;
	sl_resv_advance(&s->resv, k);
	sq__extend_overruns(s, k);
	if (!ctl || !ctl->move || s->ndeferred == 0)
		return;
	int repair = 0;
	for (int i = 0; i < s->net->nsites; i++)
		repair |= s->site_broken[i];
	if (repair)
		repair_sites(s, v, ctl);
	if (s->p.replan_steps <= 0 || k - s->k_last_replan < s->p.replan_steps)
		return;
	s->k_last_replan = k;
	sq__refresh(s, v);
	/* Forecasts change only when issued, room only where a job ended: in
	 * between, only the jobs at such sites have anything to gain. */
	int all = s->k_issue != s->k_issue_replanned;
	s->replan_all = all;
	s->k_issue_replanned = s->k_issue;
	/* A snapshot: a move to now may start the job inside the call, and its
	 * start event takes it off the deferred list. */
	int dirty = 0;
	for (int i = 0; i < s->net->nsites; i++)
		dirty |= s->site_dirty[i];
	int any = dirty && s->p.pull == 2;
	/* A late job looks for room wherever it opened, unless stopping
	 * running jobs made room for it when it was placed (measured: with
	 * preemption this costs time and saves no misses). */
	int late_anywhere = dirty && !(s->p.preempt && ctl->preempt);
	int32_t n = s->ndeferred;
	memcpy(s->scratch, s->deferred, (size_t)n * sizeof *s->scratch);
	for (int32_t i = 0; i < n; i++) {
		sq_rec *r = &s->rec[s->scratch[i]];
		if (!r->live || r->running || r->dpos < 0 || r->t_plan <= v->now ||
		    (!all && !s->site_dirty[r->site] && !(any && r->flex) &&
		     !(late_anywhere && r->t_plan > r->latest)))
			continue;
		/* Planned to start when its input arrives: nothing is earlier (a
		 * job with slack may still find a better hour when forecasts come,
		 * or another site with pull=2). */
		if (r->t_plan <= r->arrive && (!r->flex || (!all && s->p.pull != 2)))
			continue;
		s->moves += r->flex ? replan_one(s, r, v, ctl, !all) : compress_one(s, r, v, ctl);
	}
	memset(s->site_dirty, 0, (size_t)s->net->nsites);
}

/* ---------- making room ---------- */

void sq__bind(void *state, const sl_plan_ctl *ctl)
{
	((sq_state *)state)->ctl = ctl;
}

#define BUMP_MAX 64

/* The planned jobs at e's site whose start steps, inside the window
 * [k0, k1) of a job of a's shape, leave it no room (at k0 itself: any
 * planned there, since they share the step): into bl; -1 when one of them
 * may not move (no slack, or too many). */
static int blockers(sq_state *s, const sq_ask *a, const sq_site_eval *e, int64_t k0, int64_t k1,
                    int32_t *bl)
{
	int loose = s->p.bump == SQ_BUMP_EXPECTED;
	int nb = 0;
	for (int32_t t = s->head[SQ_DEFERRED][e->site]; t >= 0; t = s->rec[t].link[SQ_DEFERRED].next) {
		sq_rec *r = &s->rec[t];
		if (t == s->bump_skip || r->running || r->k0 < k0 ||
		    r->k0 >= k1 ||
		    r->t_plan <= s->now_t ||
		    sl_resv_fits(&s->resv, e->site, r->k0, r->k0 + 1, a->cores, a->gpus))
			continue;
		if ((!r->flex && !(loose && r->latest != INT64_MAX && r->job.latency_budget_ms <= 0)) ||
		    nb == BUMP_MAX)
			return -1;
		bl[nb++] = t;
	}
	return nb;
}

/* Give back the blockers bl[0 .. n) their old plans (from[]); the first
 * `moved` of them hold new ones to take out first. */
static void bump_undo(sq_state *s, const int32_t *bl, int n, int moved, const int64_t *from,
                      const uint8_t *flex)
{
	for (int i = 0; i < n; i++) {
		sq_rec *r = &s->rec[bl[i]];
		if (i < moved)
			reserve(s, r, -1);
		r->flex = flex[i];
		r->t_plan = from[i];
		sq__steps(s, r->t_plan, r->hold_s, &r->k0, &r->k1);
		reserve(s, r, +1);
	}
}

/* Plan blocker r again around what is now reserved: its best start in
 * its slack, or else its earliest start if its expected run still ends in
 * time there (jobs end early more often than not, and the re-plan brings
 * it forward then: the better trade for a job with no slack at all).
 * Reserves it and returns 1, or 0 (r left out of the profile). */
static int replace_blocker(sq_state *s, sq_rec *r, const sl_view *v)
{
	sq_ask ka;
	sq_site_eval ke;
	rec_eval(s, r, v, &ka, &ke);
	if (ke.arrive <= v->now)
		ke.arrive = v->now + 1; /* never "now": that would start it inside place() */
	sq__best_at_site(s, &ka, &ke, INFINITY);
	if (!ke.has_best) {
		int64_t t2 = sq__earliest_at_site(s, &ka, &ke, 4 * (int64_t)s->H);
		/* bump=expected weighs the chance it now ends late instead */
		if (t2 < 0 || (s->p.bump == SQ_BUMP_SAFE && t2 + ka.run_s > r->deadline))
			return 0;
		ke.best.start = t2;
		r->flex = 0;
	}
	r->t_plan = ke.best.start;
	sq__steps(s, r->t_plan, r->hold_s, &r->k0, &r->k1);
	reserve(s, r, +1);
	return 1;
}

/* The moves are settled: tell the engine (the starts are in the future
 * and not queued, so it accepts), and write their receipts. */
static void bump_commit(sq_state *s, const int32_t *bl, int nb, const int64_t *from,
                        const sl_view *v)
{
	for (int i = 0; i < nb; i++) {
		sq_rec *r = &s->rec[bl[i]];
		s->ctl->move(s->ctl->ud, r->handle, r->t_plan);
		if (s->rfn) {
			sl_receipt_option o = {r->site, r->t_plan, 0, 0, r->transfer_cny, 0};
			kind_receipt(s, SL_RECEIPT_MOVE, r, &o, from[i], v->now);
		}
	}
	s->bumped += nb;
}

/* The expected misses of blockers bl[0 .. n) at their planned starts
 * (at[i], or their plans when at is NULL). */
static double blockers_miss_p(const sq_state *s, const int32_t *bl, int n, const int64_t *at)
{
	double p = 0;
	for (int i = 0; i < n; i++) {
		const sq_rec *r = &s->rec[bl[i]];
		p += sq__miss_p(s, r->cls, r->est_s, at ? at[i] : r->t_plan, r->deadline);
	}
	return p;
}

/* Could the job fit at step k0 with the blockers out?  (Those that start
 * at k0 are the only ones holding it.)  A cheap test before the profile
 * is touched. */
static int fits_first_step(const sq_state *s, const sq_ask *a, int site, int64_t k0,
                           const int32_t *bl, int nb)
{
	int64_t c = sl_resv_used(&s->resv, site, 0, k0), g = sl_resv_used(&s->resv, site, 1, k0);
	for (int i = 0; i < nb; i++) {
		const sq_rec *r = &s->rec[bl[i]];
		if (r->k0 <= k0 && k0 < r->k1) {
			c -= r->cores;
			g -= r->gpus;
		}
	}
	return c + a->cores <= s->resv.inst_c[site] && g + a->gpus <= s->resv.inst_g[site];
}

/* Room was made: the job's option is to start on arrival at e's site. */
static int start_on_arrival(const sq_state *s, const sq_ask *a, sq_site_eval *e)
{
	double c, m;
	sq__predict(s, e->site, e->pkw, e->arrive, a->run_s, &c, &m);
	m += e->transfer_cny;
	e->best = (sl_receipt_option){e->site, e->arrive, c, m, e->transfer_cny,
	                              sq__score(s, a, c, m, e->arrive, e->arrive, e->latest_dl)};
	e->has_best = 1;
	return 1;
}

int sq__bump(sq_state *s, const sq_ask *a, sq_site_eval *e, const sl_view *v, double p_ref)
{
	int32_t bl[BUMP_MAX];
	int64_t from[BUMP_MAX], k0, k1;
	uint8_t flex[BUMP_MAX];
	if (!s->ctl || !s->ctl->move || (e->latest_dl < e->arrive && s->p.bump == SQ_BUMP_SAFE))
		return 0;
	int expected = s->p.bump == SQ_BUMP_EXPECTED;
	double p_new = expected ? sq__miss_p(s, a->cls, a->est_s, e->arrive, e->deadline) : 0;
	if (expected && p_ref - p_new < SQ_BUMP_GAIN)
		return 0; /* moving others can only add to what it would save */
	sq__steps(s, e->arrive, a->hold_s, &k0, &k1);
	int nb = blockers(s, a, e, k0, k1, bl);
	if (nb <= 0 || !fits_first_step(s, a, e->site, k0, bl, nb))
		return 0;
	for (int i = 0; i < nb; i++) {
		from[i] = s->rec[bl[i]].t_plan;
		flex[i] = s->rec[bl[i]].flex;
		reserve(s, &s->rec[bl[i]], -1);
	}
	if (!sl_resv_startable(&s->resv, e->site, k0, k1, a->cores, a->gpus)) {
		bump_undo(s, bl, nb, 0, from, flex);
		return 0;
	}
	/* The job first, then each blocker at its best start around it. */
	sl_resv_add(&s->resv, e->site, k0, k1, a->cores, a->gpus);
	sl_resv_mark_start(&s->resv, e->site, k0, 1);
	int moved = 0;
	while (moved < nb && replace_blocker(s, &s->rec[bl[moved]], v))
		moved++;
	sl_resv_add(&s->resv, e->site, k0, k1, -a->cores, -a->gpus);
	sl_resv_mark_start(&s->resv, e->site, k0, -1);
	if (moved == nb && expected &&
	    p_new + blockers_miss_p(s, bl, nb, NULL) >
	        p_ref + blockers_miss_p(s, bl, nb, from) - SQ_BUMP_GAIN)
		moved = -1; /* no fewer misses to expect: leave the plan as it was */
	if (moved < nb) {
		bump_undo(s, bl, nb, moved < 0 ? nb : moved, from, flex);
		return 0;
	}
	bump_commit(s, bl, nb, from, v);
	return start_on_arrival(s, a, e);
}

/* ---------- preemption ---------- */

#define PRE_MAX 64

typedef struct victim {
	int32_t t, gpus;
	double dp;      /* the rise in its chance of missing */
} victim;

/* Cheapest first; among equals the biggest (fewer stops), then the oldest
 * ticket, so the order never depends on the list's. */
static int victim_cmp(const void *x, const void *y)
{
	const victim *a = x, *b = y;
	if (a->dp != b->dp)
		return a->dp < b->dp ? -1 : 1;
	if (a->gpus != b->gpus)
		return a->gpus > b->gpus ? -1 : 1;
	return a->t < b->t ? -1 : a->t > b->t;
}

int sq__preempt(sq_state *s, const sq_ask *a, sq_site_eval *e, const sl_view *v, double p_ref)
{
	const sl_plan_ctl *ctl = s->ctl;
	if (!ctl || !ctl->preempt || s->p.bump != SQ_BUMP_EXPECTED)
		return 0;
	double p_new = sq__miss_p(s, a->cls, a->est_s, e->arrive, e->deadline);
	if (p_ref - p_new < SQ_BUMP_GAIN)
		return 0;
	int64_t k0, k1, step = s->net->step_s;
	sq__steps(s, e->arrive, a->hold_s, &k0, &k1);
	int64_t t_after = s->net->t0 + k1 * step; /* victims restart after its hold */
	victim vs[PRE_MAX];
	int nv = 0;
	for (int32_t t = s->head[SQ_RUNNING][e->site]; t >= 0 && nv < PRE_MAX;
	     t = s->rec[t].link[SQ_RUNNING].next) {
		sq_rec *r = &s->rec[t];
		if (r->latest == INT64_MAX || r->job.latency_budget_ms > 0 || r->k1 <= k0 ||
		    (a->gpus > 0 && r->gpus == 0) || !sl_network_class_preemptible(s->net, r->cls))
			continue;
		int64_t left = r->est_s - (v->now - r->t_start) + s->p.restart_s;
		if (left <= s->p.restart_s)
			continue; /* about to end anyway */
		double old = sq__miss_p(s, r->cls, r->est_s, r->t_start, r->deadline);
		double p = sq__miss_p(s, r->cls, (int32_t)left, t_after, r->deadline);
		vs[nv++] = (victim){t, r->gpus, p - old};
	}
	if (nv == 0)
		return 0;
	for (int i = 1; i < nv; i++) { /* insertion sort: a handful at a site */
		victim x = vs[i];
		int j = i;
		for (; j > 0 && victim_cmp(&vs[j - 1], &x) > 0; j--)
			vs[j] = vs[j - 1];
		vs[j] = x;
	}
	/* Take victims' holds out, cheapest first, until the job can start. */
	int n = 0, ok = 0;
	double cost = 0;
	int64_t kn = sl_forecast_step_of(s->net, v->now);
	while (n < nv && !ok && p_new + cost + vs[n].dp <= p_ref - SQ_BUMP_GAIN) {
		sq_rec *r = &s->rec[vs[n++].t];
		cost += vs[n - 1].dp;
		sl_resv_add(&s->resv, r->site, kn, r->k1, -r->cores, -r->gpus);
		ok = sl_resv_startable(&s->resv, e->site, k0, k1, a->cores, a->gpus);
	}
	if (!ok) {
		for (int i = 0; i < n; i++) {
			sq_rec *r = &s->rec[vs[i].t];
			sl_resv_add(&s->resv, r->site, kn, r->k1, r->cores, r->gpus);
		}
		return 0;
	}
	/* Stop them; each is planned again at its site after the job's hold. */
	for (int i = 0; i < n; i++) {
		int32_t t = vs[i].t;
		sq_rec *r = &s->rec[t];
		int32_t left = (int32_t)(r->est_s - (v->now - r->t_start)) + s->p.restart_s;
		if (ctl->preempt(ctl->ud, r->handle, s->p.restart_s, t_after) != 0) {
			sl_resv_add(&s->resv, r->site, kn, r->k1, r->cores, r->gpus); /* still running */
			continue;
		}
		run_unlink(s, r);
		r->stopped = 1;
		r->est_s = left;
		r->latest = r->deadline - left;
		int32_t h = sq__hold_len(s, r->cls, r->job.est_s, r->job.est_s - left + s->p.restart_s);
		r->hold_s = h - (r->job.est_s - left + s->p.restart_s) + s->p.restart_s;
		if (r->hold_s < 1 || r->hold_s > left)
			r->hold_s = left;
		r->t_plan = t_after;
		r->flex = t_after <= r->latest;
		sq__steps(s, r->t_plan, r->hold_s, &r->k0, &r->k1);
		reserve(s, r, +1);
		deferred_add(s, t);
		s->preempted++;
		if (s->rfn) {
			sl_receipt_option o = {r->site, r->t_plan, 0, 0, r->transfer_cny, 0};
			kind_receipt(s, SL_RECEIPT_STOP, r, &o, v->now, v->now);
		}
	}
	return start_on_arrival(s, a, e);
}
