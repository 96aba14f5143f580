/*
 * loop_write.c — the loop's writes through the group-commit writer.
 *
 * Each write is an lop: an sl_wop plus the update it applies and the
 * strings it owns.  They are queued with force=1 (the loop's own writes are
 * never pushed back) and nobody waits for them, except two:
 *   - a launch: its done() posts the lop back to the loop as a message
 *     carrying the stored command, and only then is the process started;
 *   - a cancel of a waiting job: its done() answers the HTTP request.
 */
#include "serve/loop_int.h"

#include <stdio.h>
#include <string.h>

#include "core/banned.h"

enum { LOP_PLAIN = 0, LOP_LAUNCH, LOP_REPLY };

typedef struct lop {
	sl_wop op;
	sl_loopreq msg;        /* LOP_LAUNCH: posted back to the loop */
	sl_loop *lp;
	int kind;
	sl_jobupd u;
	char *s_reason, *s_site, *s_receipt, *s_handle, *s_detail; /* owned copies */
	char *cmd, *env;       /* LOP_LAUNCH: read inside the transaction */
	int rc;
	sl_loopreq *reply;     /* LOP_REPLY */
} lop;

static void lop_free(lop *o)
{
	sl_free(o->s_reason);
	sl_free(o->s_site);
	sl_free(o->s_receipt);
	sl_free(o->s_handle);
	sl_free(o->s_detail);
	sl_free(o->cmd);
	sl_free(o->env);
	sl_free(o);
}

static int lop_apply(sl_store *st, sl_wop *op, sl_err *err)
{
	lop *o = (lop *)op;
	int rc = sl_store_job_update(st, &o->u, err);
	if (rc == 0 && o->kind == LOP_LAUNCH) {
		sl_free(o->cmd);
		sl_free(o->env);
		o->cmd = o->env = NULL;
		rc = sl_store_job_argv(st, o->u.id, &o->cmd, &o->env, err);
	}
	return rc;
}

/* On the loop thread: the running record of a launch has committed. */
static void launched(sl_loopreq *m)
{
	lop *o = (lop *)((char *)m - offsetof(lop, msg));
	sl__loop_launch_committed(o->lp, o->u.id, o->rc, o->cmd, o->env);
	lop_free(o);
}

static void lop_done(sl_wop *op, int rc)
{
	lop *o = (lop *)op;
	if (rc < 0)
		sl_log(o->lp->cfg.log, SL_LOG_ERROR, "event=job_write_failed job=%lld state=%s rc=%s",
		       (long long)o->u.id, sl_jobstate_name(o->u.state), sl_strerror(rc));
	if (o->kind == LOP_LAUNCH) {
		o->rc = rc;
		o->msg.kind = SL_LREQ_LAUNCHED;
		o->msg.reply = launched;
		if (sl__loop_post(o->lp, &o->msg) < 0)
			lop_free(o); /* cannot happen: the loop waits for its launches */
		return;
	}
	if (o->kind == LOP_REPLY) {
		char buf[128];
		int n = snprintf(buf, sizeof buf,
		                 "{\"id\":%lld,\"state\":\"%s\",\"cancel_requested\":true}",
		                 (long long)o->u.id, sl_jobstate_name(o->u.state));
		o->reply->status = rc < 0 ? 500 : 200;
		o->reply->body = rc < 0 ? NULL : sl_strdup(buf);
		o->reply->body_len = rc < 0 ? 0 : (size_t)n;
		o->reply->reply(o->reply);
	}
	lop_free(o);
}

static lop *lop_new(sl_loop *lp, const ljob *j, int state, int64_t now, const char *event)
{
	lop *o = sl_calloc(1, sizeof *o);
	o->lp = lp;
	o->op.apply = lop_apply;
	o->op.done = lop_done;
	o->u.id = j->j.id;
	o->u.state = state;
	o->u.t = now;
	o->u.event = event;
	return o;
}

static void lop_submit(sl_loop *lp, lop *o)
{
	if (sl_writer_submit(lp->w, &o->op, 1) < 0) {
		sl_log(lp->cfg.log, SL_LOG_ERROR, "event=job_write_refused job=%lld",
		       (long long)o->u.id);
		if (o->kind == LOP_REPLY) {
			o->reply->status = 503;
			o->reply->body = NULL;
			o->reply->reply(o->reply);
		}
		lop_free(o);
	}
}

static char *dup_or_null(const char *s)
{
	return s ? sl_strdup(s) : NULL;
}

void sl__w_planned(sl_loop *lp, const ljob *j, int64_t now, char *receipt)
{
	lop *o = lop_new(lp, j, SL_JOB_PLANNED, now, "planned");
	o->u.site = o->s_site = sl_strdup(lp->net->sites[j->site].id);
	o->u.set_plan = 1;
	o->u.planned_start = j->not_before;
	o->u.planned_end = j->not_before + j->j.est_s;
	o->u.receipt_json = o->s_receipt = receipt;
	o->u.detail = o->s_site;
	lop_submit(lp, o);
}

void sl__w_replanned(sl_loop *lp, const ljob *j, int64_t now, const char *from_site)
{
	char detail[160];
	const char *to = lp->net->sites[j->site].id;
	lop *o = lop_new(lp, j, SL_JOB_PLANNED, now, from_site ? "relocated" : "replanned");
	o->u.site = o->s_site = sl_strdup(to);
	o->u.set_plan = 1;
	o->u.planned_start = j->not_before;
	o->u.planned_end = j->not_before + j->j.est_s;
	if (from_site)
		snprintf(detail, sizeof detail, "from %s to %s, start %lld", from_site, to,
		         (long long)j->not_before);
	else
		snprintf(detail, sizeof detail, "%s, start %lld", to, (long long)j->not_before);
	o->u.detail = o->s_detail = sl_strdup(detail);
	lop_submit(lp, o);
}

/* Local: the job starts now.  Remote: it is handed to its cluster, start
 * unknown until the cluster runs it (event "dispatched", start cleared). */
void sl__w_launch(sl_loop *lp, const ljob *j, int64_t now)
{
	int remote = lp->sites[j->site].remote;
	lop *o = lop_new(lp, j, SL_JOB_RUNNING, now, remote ? "dispatched" : "started");
	o->kind = LOP_LAUNCH;
	o->u.set_start = 1;
	o->u.start = remote ? 0 : now;
	o->u.set_handle = 1; /* clears a handle from an earlier attempt */
	o->u.site = o->s_site = sl_strdup(lp->net->sites[j->site].id);
	lop_submit(lp, o);
}

void sl__w_handle(sl_loop *lp, const ljob *j, int64_t now, const char *handle,
                  const char *msg)
{
	lop *o = lop_new(lp, j, SL_JOB_RUNNING, now,
	                 lp->sites[j->site].remote ? "submitted" : "executor");
	o->u.set_handle = 1;
	o->u.handle = o->s_handle = sl_strdup(handle);
	o->u.detail = o->s_detail = dup_or_null(msg);
	lop_submit(lp, o);
}

void sl__w_started(sl_loop *lp, const ljob *j, int64_t now, const char *handle,
                   const char *msg)
{
	lop *o = lop_new(lp, j, SL_JOB_RUNNING, now, "running");
	o->u.set_start = 1;
	o->u.start = j->start;
	if (handle) {
		o->u.set_handle = 1;
		o->u.handle = o->s_handle = sl_strdup(handle);
	}
	o->u.detail = o->s_detail = dup_or_null(msg);
	lop_submit(lp, o);
}

void sl__w_final(sl_loop *lp, const ljob *j, int state, int64_t now, const char *reason,
                 int exit_code, int has_exit, const char *receipt, sl_loopreq *reply)
{
	lop *o = lop_new(lp, j, state, now, sl_jobstate_name(state));
	o->u.reason = o->s_reason = dup_or_null(reason);
	o->u.detail = o->u.reason;
	o->u.receipt_json = o->s_receipt = dup_or_null(receipt);
	o->u.set_end = 1;
	o->u.end = now;
	o->u.set_exit = has_exit;
	o->u.exit_code = exit_code;
	o->u.set_acct = j->state == SL_JOB_RUNNING;
	o->u.energy_kwh = j->energy_kwh;
	o->u.carbon_g = j->carbon_g;
	o->u.cost_cny = j->cost_cny;
	if (reply) {
		o->kind = LOP_REPLY;
		o->reply = reply;
	}
	lop_submit(lp, o);
}

void sl__w_acct(sl_loop *lp, const ljob *j, int64_t now)
{
	lop *o = lop_new(lp, j, j->state, now, NULL);
	o->u.set_acct = 1;
	o->u.energy_kwh = j->energy_kwh;
	o->u.carbon_g = j->carbon_g;
	o->u.cost_cny = j->cost_cny;
	lop_submit(lp, o);
}

void sl__w_event(sl_loop *lp, int64_t id, int state, int64_t now, const char *event,
                 const char *detail, int add_attempt)
{
	ljob tmp;
	memset(&tmp, 0, sizeof tmp);
	tmp.j.id = id;
	lop *o = lop_new(lp, &tmp, state, now, event);
	o->u.detail = o->s_detail = dup_or_null(detail);
	o->u.add_attempt = add_attempt;
	if (state == SL_JOB_QUEUED) { /* back to the queue: forget the old run */
		o->u.set_start = o->u.set_end = o->u.set_handle = 1;
		o->u.start = o->u.end = 0;
	}
	lop_submit(lp, o);
}
