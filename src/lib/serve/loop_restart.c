/*
 * loop_restart.c — picking up where the last run stopped.
 *
 * sl_loop_new reads (on the calling thread) every active job, the job
 * counts and the signal overrides from the store.  The loop thread then
 * recovers, before anything else:
 *   1. running jobs with an executor handle are adopted when the process
 *      is still the one that was started (the executor checks pid and start
 *      time), or — at a remote site — by their Slurm id (the next refresh
 *      tells whether the cluster still knows them; one recorded without a
 *      start is adopted as only submitted); they keep their site and cores;
 *      a job handed to a remote site with no Slurm id recorded is sent to
 *      the same site again, where the executor first looks it up by its
 *      comment and takes over the earlier submission if there is one;
 *   2. running jobs that cannot be adopted were lost: they are marked
 *      failed, or — if they asked for requeue — queued again (attempts + 1).
 *      One exception: a job recorded as running but with no handle yet, under
 *      the local executor, whose job directory was never created, provably
 *      never started (the executor creates it before it spawns): it simply
 *      goes back to the queue;
 *   3. queued and planned jobs, and re-queued ones, are placed again by the
 *      policy (the network may have changed while the service was down).
 * A job whose origin, data tag or class no longer exists in the scenario is
 * rejected with that reason.
 */
#include "serve/loop_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core/banned.h"

typedef struct recov {
	int64_t id, tenant, submit, start;
	sl_job job;
	int state, site, requeue, attempts;
	double energy_kwh, carbon_g, cost_cny;
	char *handle;      /* or NULL */
	char *bad;         /* why the job no longer fits the scenario, or NULL */
} recov;

/* Resolve a stored name; on failure note why in r->bad. */
static int resolve(recov *r, const char *what, const char *name, int idx)
{
	char buf[160];
	if (name && idx < 0 && !r->bad) {
		snprintf(buf, sizeof buf, "%s \"%.64s\" is no longer in the scenario", what, name);
		r->bad = sl_strdup(buf);
	}
	return idx;
}

static int read_row(void *ud, const sl_jobrow *row)
{
	sl_loop *lp = ud;
	const sl_network *net = lp->net;
	recov *r = sl_calloc(1, sizeof *r);
	r->id = row->id;
	r->tenant = row->tenant;
	r->submit = row->submit;
	r->state = row->state;
	r->start = row->has_start ? row->start : 0;
	r->requeue = row->requeue;
	r->attempts = row->attempts;
	r->energy_kwh = row->energy_kwh;
	r->carbon_g = row->carbon_g;
	r->cost_cny = row->cost_cny;
	r->handle = row->handle ? sl_strdup(row->handle) : NULL;
	r->job.id = row->id;
	r->job.submit = row->submit;
	r->job.deadline_s = row->deadline_s;
	r->job.input_bytes = row->input_bytes;
	r->job.output_bytes = row->output_bytes;
	r->job.est_s = r->job.run_s = (int32_t)row->runtime_s;
	r->job.cores = row->cores;
	r->job.gpus = row->gpus;
	r->job.latency_budget_ms = (float)row->latency_budget_ms;
	r->job.origin = (int16_t)resolve(r, "origin", row->origin, sl_network_origin(net, row->origin));
	r->job.tag = (int16_t)(row->data_tag ? resolve(r, "data tag", row->data_tag,
	                                               sl_network_tag(net, row->data_tag)) : -1);
	r->job.cls = (int16_t)(row->cls ? resolve(r, "class", row->cls,
	                                          sl_network_class(net, row->cls)) : -1);
	r->site = row->site ? sl_network_site(net, row->site) : -1;
	if (r->state == SL_JOB_RUNNING && r->site < 0)
		resolve(r, "site", row->site ? row->site : "(none)", -1);
	if (r->bad)
		r->job.origin = 0;
	sl_vec_push(&lp->recov, r);
	return 0;
}

static int read_override(void *ud, const sl_sigover *o)
{
	sl__loop_apply_override(ud, o);
	return 0;
}

int sl__loop_read_store(sl_loop *lp, sl_store *st, sl_err *err)
{
	int64_t maxid;
	int rc = sl_store_job_counts(st, lp->counts, &maxid, err);
	if (rc < 0 || (rc = sl_store_jobs_active(st, read_row, lp, err)) < 0 ||
	    (rc = sl_store_sigover_each(st, read_override, lp, err)) < 0)
		return rc;
	atomic_store(&lp->active, lp->recov.n);
	return 0;
}

static void recov_free(recov *r)
{
	sl_free(r->handle);
	sl_free(r->bad);
	sl_free(r);
}

void sl__loop_recov_release(sl_loop *lp)
{
	for (size_t i = 0; i < lp->recov.n; i++)
		recov_free(lp->recov.v[i]);
	sl_vec_free(&lp->recov);
}

/* A table slot for a recovered job, in the state it was read in. */
static int32_t enter(sl_loop *lp, const recov *r, int state)
{
	int32_t slot = sl__lj_alloc(lp);
	ljob *j = &lp->jobs[slot];
	j->j = r->job;
	j->tenant = r->tenant;
	j->state = (uint8_t)state;
	j->flags = r->requeue ? LJ_REQUEUE : 0;
	j->attempts = r->attempts;
	sl__idmap_put(&lp->ids, r->id, slot);
	return slot;
}

/* Adopt a running job; 0, or the executor's error (then it was lost). */
static int adopt(sl_loop *lp, const recov *r, int64_t now, sl_err *err)
{
	sl_exec_spec spec = {0};
	int32_t slot;
	ljob *j;
	int rc;
	lsite *s = &lp->sites[r->site];
	spec.job_id = r->id;
	spec.time_limit_s = r->job.est_s;
	if ((rc = sl_exec_adopt(sl__loop_ex(lp, r->site), &spec, r->handle, r->start, err)) < 0)
		return rc;
	slot = enter(lp, r, SL_JOB_RUNNING);
	j = &lp->jobs[slot];
	j->site = (int16_t)r->site;
	j->start = r->start;
	j->acct_t = now;
	j->energy_kwh = r->energy_kwh;
	j->carbon_g = r->carbon_g;
	j->cost_cny = r->cost_cny;
	j->flags |= LJ_PROC | LJ_ADOPT | LJ_STICKY;
	if (!s->remote || r->start > 0)
		j->flags |= LJ_STARTED;
	if (s->remote)
		sl__site_count(s, j, 1);
	/* into its site queue like a planned job: it takes its cores back at
	 * once (the queue calls it started) and keeps its process slot */
	s->procs++;
	sl__site_planned(s, j, 1);
	sl__loop_enter_queue(lp, slot, now);
	sl__w_event(lp, r->id, SL_JOB_RUNNING, now, "adopted", r->handle, 0);
	/* A planning policy holds it in its plan, so what it places next sees
	 * these cores and GPUs taken. */
	const sl_policy_ops *p = lp->cfg.policy;
	if (p->plan && p->plan->adopt) {
		sl_view v;
		sl__loop_view(lp, now, &v);
		j = &lp->jobs[slot];
		j->ticket = p->plan->adopt(lp->policy, &j->j, r->site, r->start > 0 ? r->start : now,
		                           slot, &v);
	}
	return 0;
}

/* A running job that could not be adopted. */
static void lost(sl_loop *lp, recov *r, int64_t now, const char *why)
{
	char msg[SL_ERR_MSG_MAX + 64];
	snprintf(msg, sizeof msg, "lost: %s", why);
	if (r->requeue && !r->bad) {
		sl__w_event(lp, r->id, SL_JOB_QUEUED, now, "requeued", msg, 1);
		lp->counts[SL_JOB_RUNNING]--;
		lp->counts[SL_JOB_QUEUED]++;
		r->state = SL_JOB_QUEUED;
		r->attempts++;
		return;
	}
	int32_t slot = enter(lp, r, SL_JOB_RUNNING);
	lp->jobs[slot].site = -1; /* holds nothing */
	lp->jobs[slot].state = SL_JOB_QUEUED;
	lp->counts[SL_JOB_RUNNING]--;
	lp->counts[SL_JOB_QUEUED]++;
	sl__loop_end(lp, slot, SL_JOB_FAILED, now, msg, 0, 0, NULL, NULL);
	r->state = -1; /* done with */
}

/* A job recorded as handed to a remote site with no Slurm id: it may have
 * reached the cluster before the service stopped.  It goes to the same site
 * again, where the executor's first submission looks it up by its comment
 * and takes the earlier one over instead of sending it twice; it is never
 * withdrawn from that site (LJ_STICKY). */
static void resubmit(sl_loop *lp, recov *r, int64_t now)
{
	int32_t slot = enter(lp, r, SL_JOB_PLANNED);
	ljob *j = &lp->jobs[slot];
	lsite *s = &lp->sites[r->site];
	j->site = (int16_t)r->site;
	j->flags |= LJ_STICKY;
	sl__site_planned(s, j, 1);
	lp->counts[SL_JOB_RUNNING]--;
	lp->counts[SL_JOB_PLANNED]++;
	sl__w_event(lp, r->id, SL_JOB_PLANNED, now, "resubmitting",
	            "the service stopped before the cluster's job id was recorded: sent to the "
	            "same site again, looked up there first so it is never submitted twice", 0);
	sl__loop_enter_queue(lp, slot, now);
	r->state = -1;
}

/* Under the shared local executor: 1 if job id's directory does not exist,
 * so the executor never got as far as starting it. */
static int never_started(const sl_loop *lp, const recov *r)
{
	char path[1200];
	struct stat sb;
	const char *dir = lp->cfg.exec_config.jobs_dir;
	int64_t id = r->id;
	if (!dir || strcmp(lp->cfg.executor->name, "local") != 0 || lp->sites[r->site].ex != 0)
		return 0;
	snprintf(path, sizeof path, "%s/%lld", dir, (long long)id);
	return stat(path, &sb) < 0 && errno == ENOENT;
}

void sl__loop_recover(sl_loop *lp, int64_t now)
{
	sl_err err;
	/* 1-2: running jobs first, so adopted ones hold their cores before
	 * anything is placed */
	for (size_t i = 0; i < lp->recov.n; i++) {
		recov *r = lp->recov.v[i];
		if (r->state != SL_JOB_RUNNING || r->bad)
			continue;
		memset(&err, 0, sizeof err);
		if (!r->handle && lp->sites[r->site].remote) {
			resubmit(lp, r, now);
		} else if (!r->handle && never_started(lp, r)) {
			sl__w_event(lp, r->id, SL_JOB_QUEUED, now, "requeued",
			            "never started: the service stopped before launching it", 0);
			lp->counts[SL_JOB_RUNNING]--;
			lp->counts[SL_JOB_QUEUED]++;
			r->state = SL_JOB_QUEUED;
		} else if (!r->handle)
			lost(lp, r, now, "the service stopped before the executor reported the process; "
			                 "not started again, so it never runs twice");
		else if (adopt(lp, r, now, &err) == 0)
			r->state = -1;
		else
			lost(lp, r, now, err.msg);
	}
	/* 3: everything else is placed again */
	for (size_t i = 0; i < lp->recov.n; i++) {
		recov *r = lp->recov.v[i];
		if (r->state < 0)
			continue;
		int32_t slot = enter(lp, r, SL_JOB_QUEUED);
		lp->counts[r->state]--;
		lp->counts[SL_JOB_QUEUED]++;
		if (r->bad)
			sl__loop_end(lp, slot, SL_JOB_REJECTED, now, r->bad, 0, 0, NULL, NULL);
		else
			sl__loop_place(lp, slot, now);
	}
	sl_log(lp->cfg.log, SL_LOG_INFO, "event=recovered jobs=%zu active=%zu", lp->recov.n,
	       atomic_load(&lp->active));
	sl__loop_recov_release(lp);
}
