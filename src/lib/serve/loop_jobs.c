/*
 * loop_jobs.c — the life of an active job inside the loop: the job table,
 * placement by the policy, the wait for its planned start, the site queue
 * (FCFS + EASY), the process-slot cap, launching through the executor,
 * the executor's events, cancel and the end.
 *
 *   place ──> planned (heap until not_before) ──> site queue ──> started by
 *   the queue ──> slot-wait FIFO (if --local-slots is full) ──> launch:
 *   running record committed ──> executor.submit ──> terminal event ──> end
 *
 * A remote site (a Slurm cluster) has no queue here: a job whose start time
 * came goes through the FIFO to its executor at once, and starts when the
 * executor reports RUNNING (loop_sites.c handles health and failover).
 */
#include "serve/loop_int.h"

#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "core/time.h"
#include "sched/transfer.h"
#include "core/banned.h"

/* ---- the id map (open addressing, linear probing) ---- */

static size_t id_hash(int64_t k, size_t cap)
{
	uint64_t x = (uint64_t)k * 0x9E3779B97F4A7C15ULL;
	return (size_t)(x >> 17) & (cap - 1);
}

static void idmap_grow(idmap *m)
{
	idmap n = {0};
	n.cap = m->cap ? m->cap * 2 : 1024;
	if (m->n * 4 < m->cap)
		n.cap = m->cap; /* mostly tombstones: rehash at the same size */
	n.keys = sl_calloc(n.cap, sizeof *n.keys);
	n.vals = sl_calloc(n.cap, sizeof *n.vals);
	for (size_t i = 0; i < m->cap; i++)
		if (m->keys[i] > 0)
			sl__idmap_put(&n, m->keys[i], m->vals[i]);
	sl__idmap_release(m);
	*m = n;
}

void sl__idmap_put(idmap *m, int64_t key, int32_t val)
{
	size_t i;
	if ((m->used + 1) * 2 > m->cap)
		idmap_grow(m);
	for (i = id_hash(key, m->cap); m->keys[i] > 0 && m->keys[i] != key; i = (i + 1) & (m->cap - 1))
		;
	if (m->keys[i] != key) {
		if (m->keys[i] == 0)
			m->used++;
		m->n++;
	}
	m->keys[i] = key;
	m->vals[i] = val;
}

static ptrdiff_t idmap_find(const idmap *m, int64_t key)
{
	if (!m->cap)
		return -1;
	for (size_t i = id_hash(key, m->cap); m->keys[i] != 0; i = (i + 1) & (m->cap - 1))
		if (m->keys[i] == key)
			return (ptrdiff_t)i;
	return -1;
}

void sl__idmap_del(idmap *m, int64_t key)
{
	ptrdiff_t i = idmap_find(m, key);
	if (i >= 0) {
		m->keys[i] = -1;
		m->n--;
	}
}

void sl__idmap_release(idmap *m)
{
	sl_free(m->keys);
	sl_free(m->vals);
	memset(m, 0, sizeof *m);
}

/* ---- the job table ---- */

int32_t sl__lj_alloc(sl_loop *lp)
{
	int32_t slot;
	if (lp->free_head < 0) {
		size_t old = lp->njobs_cap, cap = old ? old * 2 : 1024;
		lp->jobs = sl_realloc(lp->jobs, cap * sizeof *lp->jobs);
		memset(lp->jobs + old, 0, (cap - old) * sizeof *lp->jobs);
		for (size_t i = cap; i-- > old;) {
			lp->jobs[i].link = lp->free_head;
			lp->jobs[i].state = SL_JOB_NSTATES; /* free */
			lp->free_head = (int32_t)i;
		}
		lp->njobs_cap = cap;
	}
	slot = lp->free_head;
	ljob *j = &lp->jobs[slot];
	uint32_t gen = j->gen;
	lp->free_head = j->link;
	memset(j, 0, sizeof *j);
	j->gen = gen;
	j->run = j->link = -1;
	j->site = -1;
	j->ticket = -1; /* no placement by the policy yet */
	return slot;
}

void sl__lj_free(sl_loop *lp, int32_t slot)
{
	ljob *j = &lp->jobs[slot];
	j->gen++;
	j->state = SL_JOB_NSTATES;
	j->flags = 0;
	j->link = lp->free_head;
	lp->free_head = slot;
}

ljob *sl__lj_find(sl_loop *lp, int64_t id, int32_t *slot)
{
	ptrdiff_t i = idmap_find(&lp->ids, id);
	if (i < 0)
		return NULL;
	*slot = lp->ids.vals[i];
	return &lp->jobs[*slot];
}

void sl__loop_set_state(sl_loop *lp, ljob *j, int state)
{
	lp->counts[j->state]--;
	lp->counts[state]++;
	j->state = (uint8_t)state;
}

/* ---- the policy's hooks ---- */

void sl__loop_job_event(sl_loop *lp, const ljob *j, int kind, int64_t t)
{
	const sl_policy_ops *p = lp->cfg.policy;
	if (!p->plan || !p->plan->job_event || j->site < 0)
		return;
	sl_job_event ev = {kind, j->site, (int32_t)(j - lp->jobs), j->ticket, t, &j->j};
	p->plan->job_event(lp->policy, &ev);
}

/* A planned job the policy may still move: placed, not yet in its site
 * queue (or handed to its cluster), not cancelled.  NULL otherwise. */
static ljob *movable(sl_loop *lp, int32_t handle)
{
	if (handle < 0 || (size_t)handle >= lp->njobs_cap)
		return NULL;
	ljob *j = &lp->jobs[handle];
	if (j->state != SL_JOB_PLANNED || (j->flags & (LJ_INQ | LJ_DEAD)) || j->site < 0)
		return NULL;
	return j;
}

/* Re-time j's wait for its site queue: the old heap entry goes stale
 * (gen), a new one is pushed; release_planned lets it in when due. */
static void replan_at(sl_loop *lp, int32_t slot, int64_t not_before)
{
	ljob *j = &lp->jobs[slot];
	j->gen++;
	j->not_before = not_before;
	sl_heap_push(&lp->planned, not_before, lp->seq++, (uint64_t)j->gen << 32 | (uint32_t)slot);
}

/* sl_plan_ctl.move: the planned start of the job at slot `handle`. */
static int live_move(void *ud, int32_t handle, int64_t not_before)
{
	sl_loop *lp = ud;
	ljob *j = movable(lp, handle);
	if (!j)
		return SL_ESTATE;
	replan_at(lp, handle, not_before);
	sl__w_replanned(lp, j, lp->ctl_now, NULL);
	return 0;
}

/* sl_plan_ctl.retarget: another site; its input is sent there from now. */
static int live_retarget(void *ud, int32_t handle, int site, int64_t not_before)
{
	sl_loop *lp = ud;
	ljob *j = movable(lp, handle);
	if (!j || site < 0 || site >= lp->net->nsites || lp->down[site])
		return SL_ESTATE;
	const sl_route *r = sl_network_route(lp->net, j->j.origin, site);
	if (!r || sl_policy_site_check(lp->net, &j->j, site, NULL) != SL_REJECT_NONE)
		return SL_EINVAL;
	int64_t arrive = lp->ctl_now + sl_transfer_s(r, j->j.input_bytes);
	lsite *from = &lp->sites[j->site], *to = &lp->sites[site];
	const char *from_id = lp->net->sites[j->site].id;
	sl__site_planned(from, j, -1);
	sl__site_planned(to, j, 1);
	j->site = (int16_t)site;
	replan_at(lp, handle, not_before > arrive ? not_before : arrive);
	sl__w_replanned(lp, j, lp->ctl_now, from_id);
	return 0;
}

void sl__loop_ctl_init(sl_loop *lp)
{
	const sl_policy_ops *p = lp->cfg.policy;
	lp->ctl = (sl_plan_ctl){lp, live_move, live_retarget, NULL};
	if (p->plan && p->plan->bind)
		p->plan->bind(lp->policy, &lp->ctl);
}

void sl__loop_policy_tick(sl_loop *lp, int64_t now)
{
	const sl_policy_ops *p = lp->cfg.policy;
	int64_t step = lp->net->step_s > 0 ? lp->net->step_s : 3600;
	int64_t k = sl_floor_div(now - lp->net->t0, step);
	sl_view v;
	if (k == lp->last_step)
		return;
	lp->last_step = k;
	sl__loop_view(lp, now, &v);
	lp->ctl_now = now;
	if (p->tick)
		p->tick(lp->policy, &v, now);
	if (p->plan && p->plan->replan)
		p->plan->replan(lp->policy, &v, &lp->ctl);
}

/* ---- placement ---- */

void sl__loop_place(sl_loop *lp, int32_t slot, int64_t now)
{
	ljob *j = &lp->jobs[slot];
	sl_view v;
	sl_decision d;
	char reason[SL_DECISION_WHY_MAX + 32];
	int rc;
	memset(&d, 0, sizeof d);
	d.handle = slot; /* what the policy's moves name (live_move) */
	if (lp->ndown > 0 && sl__loop_park(lp, slot, now, -1))
		return;
	sl__loop_view(lp, now, &v);
	lp->ctl_now = now; /* place() may move other planned jobs out of the way */
	rc = lp->cfg.policy->place(lp->policy, &j->j, &v, &d);
	if (rc < 0) {
		d.site = -1;
		d.reason = SL_REJECT_POLICY;
		snprintf(d.why, sizeof d.why, "the policy failed (%s)", sl_strerror(rc));
	}
	if (d.site < 0 || d.site >= lp->net->nsites) {
		char *receipt = sl__loop_receipt(lp, j, &d, now);
		snprintf(reason, sizeof reason, "%s: %s", sl_reject_name(d.reason), d.why);
		lp->rejected_policy++;
		sl__loop_end(lp, slot, SL_JOB_REJECTED, now, reason, 0, 0, receipt, NULL);
		sl_free(receipt);
		return;
	}
	if (lp->down[d.site] && sl__loop_park(lp, slot, now, d.site))
		return; /* a policy that does not read the view's site_down */
	const sl_route *r = sl_network_route(lp->net, j->j.origin, d.site);
	int64_t arrive = now + (r ? sl_transfer_s(r, j->j.input_bytes) : 0);
	j->site = (int16_t)d.site;
	j->ticket = d.ticket;
	j->not_before = d.not_before > arrive ? d.not_before : arrive;
	sl__loop_set_state(lp, j, SL_JOB_PLANNED);
	lp->placed++;
	sl__w_planned(lp, j, now, sl__loop_receipt(lp, j, &d, now));
	lsite *s = &lp->sites[d.site];
	sl__site_planned(s, j, 1);
	if (j->not_before <= now)
		sl__loop_enter_queue(lp, slot, now);
	else
		sl_heap_push(&lp->planned, j->not_before, lp->seq++,
		             (uint64_t)j->gen << 32 | (uint32_t)slot);
}

/* ---- site queues ---- */

typedef struct startctx {
	sl_loop *lp;
	int site;
} startctx;

/* Append a job to a site's slot-wait FIFO. */
static void fifo_push(sl_loop *lp, lsite *s, int32_t slot)
{
	lp->jobs[slot].link = -1;
	if (s->wait_tail >= 0)
		lp->jobs[s->wait_tail].link = slot;
	else
		s->wait_head = slot;
	s->wait_tail = slot;
	s->nwait++;
}

/* The site queue started a job: queue it for a process slot (or, for an
 * adopted job, note its run handle; for a dead one, finish it after). */
static void on_start(void *ud, int32_t slot, int32_t run, int64_t now, int64_t end_est)
{
	startctx *c = ud;
	ljob *j = &c->lp->jobs[slot];
	lsite *s = &c->lp->sites[c->site];
	(void)now;
	(void)end_est;
	j->run = run;
	if (j->flags & LJ_DEAD) {
		sl_vec_push(&c->lp->finish_later, slot);
		return;
	}
	if (j->flags & LJ_ADOPT) {
		j->flags &= (uint16_t)~LJ_ADOPT;
		return;
	}
	fifo_push(c->lp, s, slot);
}

void sl__loop_enter_queue(sl_loop *lp, int32_t slot, int64_t now)
{
	ljob *j = &lp->jobs[slot];
	lsite *s = &lp->sites[j->site];
	startctx c = {lp, j->site};
	int32_t est = j->j.est_s;
	sl__site_planned(s, j, -1);
	j->flags |= LJ_INQ;
	if (s->remote) { /* its cluster queues it: straight to the executor */
		if (j->flags & LJ_ADOPT)
			j->flags &= (uint16_t)~LJ_ADOPT;
		else
			fifo_push(lp, s, slot);
		return;
	}
	if (j->flags & LJ_ADOPT) { /* it has run since start: what remains */
		int64_t left = (int64_t)est - (now - j->start);
		est = (int32_t)(left < 1 ? 1 : left);
	}
	sl_site_queue_push(&s->q, now, slot, j->j.cores, j->j.gpus, est, on_start, &c);
	s->dirty = 1;
}

/* Planned jobs whose start time came join their site queue. */
void sl__loop_release_planned(sl_loop *lp, int64_t now)
{
	const sl_heap_entry *top;
	while ((top = sl_heap_peek(&lp->planned)) && top->key <= now) {
		sl_heap_entry e;
		sl_heap_pop(&lp->planned, &e);
		int32_t slot = (int32_t)(uint32_t)e.payload;
		ljob *j = &lp->jobs[slot];
		if (j->gen != (uint32_t)(e.payload >> 32) || j->state != SL_JOB_PLANNED ||
		    (j->flags & (LJ_INQ | LJ_DEAD)))
			continue; /* stale: cancelled meanwhile */
		sl__loop_enter_queue(lp, slot, now);
	}
}

static void launch(sl_loop *lp, int32_t slot, int64_t now)
{
	ljob *j = &lp->jobs[slot];
	lsite *s = &lp->sites[j->site];
	s->procs++;
	lp->nlaunching++;
	j->flags |= LJ_LAUNCHING;
	sl__loop_set_state(lp, j, SL_JOB_RUNNING);
	lp->launched++;
	if (s->remote) { /* it starts when its cluster says so */
		sl__site_count(s, j, 1);
		j->start = j->acct_t = 0;
	} else {
		j->flags |= LJ_STARTED;
		j->start = j->acct_t = now;
		sl__loop_job_event(lp, j, SL_JOBEV_START, now);
	}
	sl__w_launch(lp, j, now);
}

/* Launch from the slot-wait FIFO while process slots are free. */
static void pump(sl_loop *lp, int site, int64_t now)
{
	lsite *s = &lp->sites[site];
	int32_t cap = s->remote ? 0 : lp->cfg.local_slots;
	while (!lp->draining && s->wait_head >= 0 && (cap <= 0 || s->procs < cap)) {
		int32_t slot = s->wait_head;
		ljob *j = &lp->jobs[slot];
		s->wait_head = j->link;
		if (s->wait_head < 0)
			s->wait_tail = -1;
		s->nwait--;
		j->link = -1;
		if (j->flags & LJ_DEAD) {
			sl__lj_free(lp, slot); /* cancelled while waiting: its run is finished */
			continue;
		}
		launch(lp, slot, now);
	}
}

void sl__loop_schedule(sl_loop *lp, int64_t now)
{
	for (int s = 0; s < lp->net->nsites; s++) {
		lsite *ls = &lp->sites[s];
		startctx c = {lp, s};
		while (ls->dirty) {
			ls->dirty = 0;
			sl_site_queue_schedule(&ls->q, now, on_start, &c);
			for (size_t i = 0; i < lp->finish_later.n; i++) {
				int32_t slot = lp->finish_later.v[i];
				sl_site_queue_finish(&ls->q, lp->jobs[slot].run);
				sl__lj_free(lp, slot);
				ls->dirty = 1;
			}
			lp->finish_later.n = 0;
		}
		pump(lp, s, now);
	}
}

/* ---- the end of a job ---- */

/* Take a job out of its site: give back its queue resources or planned
 * counts.  Returns 1 if the slot may be freed now. */
static int leave_site(sl_loop *lp, ljob *j)
{
	lsite *s;
	if (j->site < 0)
		return 1;
	s = &lp->sites[j->site];
	if (!(j->flags & LJ_INQ)) {
		if (j->state == SL_JOB_PLANNED) {
			sl__site_planned(s, j, -1);
		}
		return 1;
	}
	if (j->state == SL_JOB_RUNNING)
		s->procs--; /* launched or adopted: it held a process slot */
	if (s->remote) {
		if (j->state == SL_JOB_RUNNING)
			sl__site_count(s, j, -1);
		return j->state == SL_JOB_RUNNING; /* else in the FIFO: pump() frees it */
	}
	if (j->run < 0)
		return 0; /* waiting in the queue: it leaves when the queue starts it */
	sl_site_queue_finish(&s->q, j->run);
	j->run = -1;
	s->dirty = 1;
	/* Started by the queue but still in the slot-wait FIFO: pump() frees it. */
	return j->state == SL_JOB_RUNNING;
}

void sl__loop_end(sl_loop *lp, int32_t slot, int state, int64_t now, const char *reason,
                  int exit_code, int has_exit, const char *receipt, sl_loopreq *reply)
{
	ljob *j = &lp->jobs[slot];
	int free_now;
	if (j->state == SL_JOB_RUNNING && (j->flags & LJ_STARTED))
		sl__loop_account(lp, j, now);
	/* Started or not (cancelled while planned, refused): the policy lets
	 * go of its placement. */
	sl__loop_job_event(lp, j, SL_JOBEV_END, now);
	sl__w_final(lp, j, state, now, reason, exit_code, has_exit, receipt, reply);
	free_now = leave_site(lp, j);
	sl__loop_set_state(lp, j, state);
	sl__idmap_del(&lp->ids, j->j.id);
	atomic_fetch_sub(&lp->active, 1);
	sl_log(lp->cfg.log, SL_LOG_INFO, "event=job_end job=%lld state=%s site=%s reason=\"%s\"",
	       (long long)j->j.id, sl_jobstate_name(state),
	       j->site >= 0 ? lp->net->sites[j->site].id : "-", reason ? reason : "");
	if (free_now)
		sl__lj_free(lp, slot);
	else
		j->flags |= LJ_DEAD;
}

/* ---- launching ---- */

/* argv and env lists from the stored JSON (NULL-terminated, malloc'd). */
static char **json_list(const char *text, int env)
{
	json_t *v = text ? json_loads(text, 0, NULL) : NULL;
	size_t n = 0, i = 0;
	char **out;
	if (!v)
		return NULL;
	n = env ? json_object_size(v) : json_array_size(v);
	out = sl_calloc(n + 1, sizeof *out);
	if (env) {
		const char *k;
		json_t *x;
		json_object_foreach(v, k, x) {
			size_t len = strlen(k) + strlen(json_string_value(x)) + 2;
			out[i] = sl_malloc(len);
			snprintf(out[i++], len, "%s=%s", k, json_string_value(x));
		}
	} else {
		json_t *x;
		json_array_foreach(v, i, x)
			out[i] = sl_strdup(json_string_value(x));
	}
	json_decref(v);
	return out;
}

static void list_free(char **l)
{
	for (size_t i = 0; l && l[i]; i++)
		sl_free(l[i]);
	sl_free(l);
}

static int submit(sl_loop *lp, ljob *j, const char *cmd, const char *env, sl_err *err)
{
	char **argv = json_list(cmd, 0), **envv = env ? json_list(env, 1) : NULL;
	int rc;
	sl_exec_spec spec = {0};
	if (!argv || !argv[0]) {
		list_free(argv);
		list_free(envv);
		return sl_err_set(err, SL_EINVAL, "command", "stored command is unreadable");
	}
	spec.job_id = j->j.id;
	spec.argv = (const char *const *)argv;
	spec.env = (const char *const *)envv;
	spec.time_limit_s = j->j.est_s;
	spec.cores = j->j.cores;
	spec.gpus = j->j.gpus;
	spec.site = lp->net->sites[j->site].id;
	rc = sl_exec_submit(sl__loop_ex(lp, j->site), &spec, err);
	list_free(argv);
	list_free(envv);
	return rc;
}

void sl__loop_launch_committed(sl_loop *lp, int64_t id, int rc, char *cmd, char *env)
{
	int32_t slot;
	ljob *j = sl__lj_find(lp, id, &slot);
	int64_t now = sl_clock_now(lp->cfg.clock);
	sl_err err = {0};
	char reason[SL_ERR_MSG_MAX + 32];
	if (!j || !(j->flags & LJ_LAUNCHING))
		return;
	j->flags &= (uint16_t)~LJ_LAUNCHING;
	lp->nlaunching--;
	if (lp->draining && rc == 0 && !(j->flags & LJ_CANCEL)) {
		/* Stopping: never start a process now; back to the queue, so the
		 * next run starts it (it is not "lost"). */
		sl__w_event(lp, id, SL_JOB_QUEUED, now, "requeued", "service stopping", 0);
		return;
	}
	if (rc < 0) {
		sl__loop_end(lp, slot, SL_JOB_FAILED, now, "could not record its start", 0, 0, NULL,
		             NULL);
		return;
	}
	if (j->flags & LJ_CANCEL) {
		sl__loop_end(lp, slot, SL_JOB_CANCELLED, now, "cancelled before it started", 0, 0,
		             NULL, NULL);
		return;
	}
	if ((rc = submit(lp, j, cmd, env, &err)) < 0) {
		lp->exec_errors++;
		snprintf(reason, sizeof reason, "executor refused it: %s", err.msg);
		sl__loop_end(lp, slot, SL_JOB_FAILED, now, reason, 0, 0, NULL, NULL);
		return;
	}
	j->flags |= LJ_PROC;
}

/* ---- executor events ---- */

static int final_state(sl_exec_state s)
{
	switch (s) {
	case SL_EXEC_COMPLETED: return SL_JOB_DONE;
	case SL_EXEC_TIMEOUT: return SL_JOB_TIMEOUT;
	case SL_EXEC_CANCELLED: return SL_JOB_CANCELLED;
	case SL_EXEC_ENDED: return SL_JOB_DONE; /* it ran; its exit status is unknown */
	default: return SL_JOB_FAILED;
	}
}

/* A remote job started (at the cluster's start time, or now). */
static void remote_started(sl_loop *lp, ljob *j, const sl_exec_event *ev, int64_t now)
{
	lsite *s = &lp->sites[j->site];
	sl__site_count(s, j, -1);
	j->flags |= LJ_STARTED;
	sl__site_count(s, j, 1); /* now counted as running */
	j->start = j->acct_t = ev->start > 0 ? ev->start : now;
	sl__loop_job_event(lp, j, SL_JOBEV_START, j->start);
	sl__w_started(lp, j, now, ev->handle[0] ? ev->handle : NULL, ev->msg);
}

/* A non-terminal event: record the handle (and, at a remote site, the start). */
static void on_progress(sl_loop *lp, ljob *j, const sl_exec_event *ev, int64_t now)
{
	lsite *s = &lp->sites[j->site];
	if (!s->remote) {
		if (ev->handle[0])
			sl__w_handle(lp, j, now, ev->handle, ev->msg);
		return;
	}
	if (ev->state == SL_EXEC_SUBMITTED) {
		sl__loop_accepted(lp, j->site);
		if (ev->handle[0])
			sl__w_handle(lp, j, now, ev->handle, ev->msg);
	} else if (!(j->flags & LJ_STARTED)) {
		remote_started(lp, j, ev, now);
	}
}

static void on_event(sl_loop *lp, const sl_exec_event *ev, int64_t now)
{
	int32_t slot;
	ljob *j = sl__lj_find(lp, ev->job_id, &slot);
	if (!j || !(j->flags & LJ_PROC)) {
		sl_log(lp->cfg.log, SL_LOG_WARN, "event=exec_unknown_job job=%lld state=%s",
		       (long long)ev->job_id, sl_exec_state_name(ev->state));
		return;
	}
	if (!sl_exec_state_terminal(ev->state)) {
		on_progress(lp, j, ev, now);
		return;
	}
	j->flags &= (uint16_t)~LJ_PROC;
	if (ev->refused && lp->sites[j->site].remote && !(j->flags & LJ_CANCEL)) {
		sl__loop_refused(lp, slot, now, ev->msg);
		return;
	}
	if (lp->sites[j->site].remote && !(j->flags & LJ_STARTED) && ev->start > 0)
		remote_started(lp, j, ev, now); /* ran between two refreshes */
	sl__loop_end(lp, slot, final_state(ev->state), ev->end > 0 ? ev->end : now, ev->msg,
	             ev->exit_code, ev->exit_code >= 0, NULL, NULL);
}

void sl__loop_exec_events(sl_loop *lp, int64_t now)
{
	sl_exec_event ev[32];
	for (int x = 0; x < lp->nexs; x++) {
		sl_err err = {0};
		int n;
		do {
			n = sl_exec_poll(&lp->exs[x], ev, 32, &err);
			if (n < 0) {
				sl_log(lp->cfg.log, SL_LOG_ERROR, "event=exec_poll_failed msg=\"%s\"",
				       err.msg);
				break;
			}
			for (int i = 0; i < n; i++)
				on_event(lp, &ev[i], now);
		} while (n == 32);
	}
}

/* ---- cancel ---- */

static char *cancel_body(int64_t id, const char *state, int requested, size_t *len)
{
	char buf[128];
	int n = snprintf(buf, sizeof buf, "{\"id\":%lld,\"state\":\"%s\",\"cancel_requested\":%s}",
	                 (long long)id, state, requested ? "true" : "false");
	*len = (size_t)n;
	return sl_strdup(buf);
}

void sl__loop_cancel(sl_loop *lp, sl_loopreq *r, int64_t now)
{
	int32_t slot;
	ljob *j = sl__lj_find(lp, r->job_id, &slot);
	sl_err err = {0};
	if (!j || (j->flags & LJ_DEAD)) {
		r->status = 409;
		r->body = NULL;
		r->reply(r);
		return;
	}
	if (!r->admin && j->tenant != r->tenant) {
		r->status = 403;
		r->body = NULL;
		r->reply(r);
		return;
	}
	if (j->state != SL_JOB_RUNNING) {
		/* answered when the cancelled record commits (loop_write.c) */
		sl__loop_end(lp, slot, SL_JOB_CANCELLED, now, "cancelled by request", 0, 0, NULL, r);
		return;
	}
	j->flags |= LJ_CANCEL;
	if ((j->flags & LJ_PROC) && sl_exec_cancel(sl__loop_ex(lp, j->site), j->j.id, &err) < 0)
		sl_log(lp->cfg.log, SL_LOG_WARN, "event=cancel_failed job=%lld msg=\"%s\"",
		       (long long)j->j.id, err.msg);
	r->status = 202;
	r->body = cancel_body(j->j.id, "running", 1, &r->body_len);
	r->reply(r);
}
