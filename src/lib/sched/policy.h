/*
 * policy.h — global placement policies: the ops table, decisions, the
 * registry, and the legality rules every policy obeys.
 *
 * A policy is a const sl_policy_ops table (DESIGN.md §3).  For each
 * submitted job the engine calls place() with a read-only sl_view of the
 * network; the policy answers a site (and optionally an earliest planned
 * start) or a rejection with a reason.  The same tables run in the
 * simulator and, later, in the live service.
 *
 * Legality (never negotiable): a site is legal for a job when the job's
 * origin has a route to it, the job's data tag allows the site's
 * jurisdiction, the route's RTT is within the job's latency budget (when it
 * has one), and the job fits the site's installed cores and GPUs.  A job
 * with no legal site is rejected with the reason that emptied the set,
 * checked in that order.
 */
#ifndef SL_POLICY_H
#define SL_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "model/job.h"
#include "model/network.h"
#include "sched/view.h"

/* Why a job was rejected. */
enum {
	SL_REJECT_NONE = 0,
	SL_REJECT_NO_ROUTE,   /* its origin reaches no site */
	SL_REJECT_RESIDENCY,  /* no reachable site is allowed for its data tag */
	SL_REJECT_LATENCY,    /* no allowed site within its latency budget */
	SL_REJECT_TOO_BIG,    /* no allowed site in budget has enough cores/GPUs */
	SL_REJECT_DEADLINE,   /* (policies that plan) no start meets the deadline */
	SL_REJECT_POLICY,     /* the policy declined for another reason */
	SL_REJECT_COUNT
};

/* Short stable code ("no_route", "residency", ...), "" for NONE. */
const char *sl_reject_name(int reason);

#define SL_DECISION_WHY_MAX 160

/* A policy's answer.  site >= 0: run there, not before not_before (UTC;
 * 0 = as soon as its input has arrived).  site < 0: rejected; reason is
 * SL_REJECT_* and why a sentence for people (set only on rejection).
 *
 * handle is set by the engine before place() (its own number for the job,
 * which a planning policy quotes back in sl_plan_ctl.move; the simulator
 * uses the trace index; -1 or 0 when the engine offers no moves).  ticket
 * is the policy's own number for the placement, handed back in every
 * sl_job_event about the job (0 when the policy keeps none). */
typedef struct sl_decision {
	int site;
	int reason;
	int64_t not_before;
	char why[SL_DECISION_WHY_MAX];
	int32_t handle;   /* in: the engine's job handle */
	int32_t ticket;   /* out: the policy's number for this placement */
} sl_decision;

typedef struct sl_policy_opts {
	uint64_t seed;        /* for policies that draw random numbers */
	const char *params;   /* policy-specific "key=value,..." or NULL */
} sl_policy_opts;

/* ---- hooks for policies that plan ahead (sl_policy_ops.plan) ----
 *
 * A planning policy keeps its own picture of the future (reservations,
 * forecasts) and needs three things from the engine: to hear what became
 * of the jobs it placed, to move a planned start that has not come yet,
 * and a place to send its decision receipts.  The baselines leave
 * sl_policy_ops.plan NULL and the engine skips all of this. */

/* What became of a placed job.  START: it started at t (at or after the
 * planned start: later when the site's queue held it).  END: it ended at
 * t (done, or killed at its estimate). */
enum { SL_JOBEV_START = 1, SL_JOBEV_END = 2 };

typedef struct sl_job_event {
	int kind;             /* SL_JOBEV_* */
	int site;
	int32_t handle;       /* the engine's handle (sl_decision.handle) */
	int32_t ticket;       /* the policy's ticket (sl_decision.ticket) */
	int64_t t;            /* UTC seconds */
	const sl_job *job;    /* borrowed for the call */
} sl_job_event;

/* The engine's side of a re-plan.  move(ud, handle, not_before) moves the
 * planned start of a job that has not yet become eligible at its site
 * (its input may still be in transit) to not_before (UTC, >= the engine's
 * now; the job still waits for its input): the pending planned-start event
 * is cancelled and a new one made.  Returns 0, SL_ESTATE when the job is
 * already queued, running or finished (nothing changes), SL_EINVAL for an
 * unknown handle or a time in the past. */
/* retarget(ud, handle, site, not_before) (may be NULL: not offered) moves
 * such a job to another legal site: its input is sent there from the
 * engine's now (the transfer time is paid again, and the new route's
 * transfer price; what was sent to the site it leaves, the share of that
 * route's transfer time that has passed, stays paid for), and it becomes
 * eligible at max(not_before, that arrival).  Returns 0, SL_ESTATE as for move, SL_EINVAL for an unknown
 * handle, a time in the past or a site that is not legal for the job. */
typedef struct sl_plan_ctl {
	void *ud;
	int (*move)(void *ud, int32_t handle, int64_t not_before);
	int (*retarget)(void *ud, int32_t handle, int site, int64_t not_before);
	/* preempt(ud, handle, restart_s, not_before) (may be NULL): stop a
	 * running job now; it keeps the work done (a checkpoint), joins its
	 * site's queue again at max(not_before, now) and its next run begins
	 * with restart_s of overhead.  0, SL_ESTATE if it is not running, or
	 * SL_EUNSUPPORTED if its class is not preemptible. */
	int (*preempt)(void *ud, int32_t handle, int32_t restart_s, int64_t not_before);
} sl_plan_ctl;

struct sl_receipt; /* sched/receipt.h */

/* Where receipts go: called once per decision (and per move) while the
 * receipt is valid; the receipt is borrowed for the call. */
typedef void (*sl_receipt_fn)(void *ud, const struct sl_receipt *r);

typedef struct sl_policy_plan_ops {
	/* A placed job started or ended (may be NULL). */
	void (*job_event)(void *state, const sl_job_event *ev);
	/* Called each signal step after tick (may be NULL): may move planned
	 * starts through ctl.  view->now is the step's start. */
	void (*replan)(void *state, const sl_view *view, const sl_plan_ctl *ctl);
	/* Send a receipt per decision to fn (fn NULL: stop).  Without it the
	 * policy builds no receipts (may be NULL). */
	void (*set_receipts)(void *state, sl_receipt_fn fn, void *ud);
	/* One line saying how it was configured, e.g. its objective and
	 * forecast model, for summaries (may be NULL). */
	void (*describe)(const void *state, char *buf, size_t n);
	/* Called once before the first job with the engine's side of moves,
	 * valid for the whole run, so place() may move other jobs' planned
	 * starts too (may be NULL; then only replan() gets a ctl). */
	void (*bind)(void *state, const sl_plan_ctl *ctl);
	/* A job already running at site since start, which the policy never
	 * placed (the live service adopts running jobs at a restart): hold its
	 * resources in the plan.  Returns the ticket for its job events, or -1
	 * (may be NULL). */
	int32_t (*adopt)(void *state, const sl_job *job, int site, int64_t start, int32_t handle,
	                 const sl_view *view);
} sl_policy_plan_ops;

typedef struct sl_policy_ops {
	const char *name;
	const char *summary;  /* one line for --help */
	/* Make the policy's state (may stay NULL).  Returns 0 or SL_E*. */
	int (*init)(void **state, const sl_network *net, const sl_policy_opts *opts, sl_err *err);
	/* Decide for one job at view->now.  Returns 0 (decision in *out) or a
	 * negative SL_E* on an internal failure (not for a rejection). */
	int (*place)(void *state, const sl_job *job, const sl_view *view, sl_decision *out);
	/* Optional periodic re-plan hook (NULL for the baselines). */
	void (*tick)(void *state, const sl_view *view, int64_t now);
	/* Free the state (accepts NULL).  May be NULL when init keeps none. */
	void (*free)(void *state);
	/* Planning hooks (NULL for policies that only place). */
	const sl_policy_plan_ops *plan;
} sl_policy_ops;

/* The registry: look a policy up by name (NULL if unknown), or iterate. */
const sl_policy_ops *sl_policy_find(const char *name);
int sl_policy_count(void);
const sl_policy_ops *sl_policy_at(int i);

/* The baselines (policy_basic.c). */
extern const sl_policy_ops sl_policy_nearest;
extern const sl_policy_ops sl_policy_round_robin;
extern const sl_policy_ops sl_policy_least_loaded;
extern const sl_policy_ops sl_policy_cheapest;
extern const sl_policy_ops sl_policy_greenest;
/* The planner (policy_suanli.c; docs/policy-suanli.md). */
extern const sl_policy_ops sl_policy_suanli;

/* The legality stage a site fails for job: SL_REJECT_NO_ROUTE ..
 * SL_REJECT_TOO_BIG, or SL_REJECT_NONE when the site is legal.  *route
 * (may be NULL) gets the route when there is one. */
int sl_policy_site_check(const sl_network *net, const sl_job *job, int site,
                         const sl_route **route);

/* Candidate sites per (origin, data tag): the sites the origin reaches and
 * the tag allows, in site order, with their routes.  Built once per policy
 * instance so the per-job legality check is only latency and size
 * (sl_policy_cand_ok); the result equals sl_policy_site_check. */
typedef struct sl_cand {
	int site;
	const sl_route *route;
} sl_cand;

typedef struct sl_policy_cands {
	sl_cand *c;   /* every list back to back */
	int *off;     /* list i = c[off[i] .. off[i + 1]), i = origin * (ntags + 1) + tag + 1 */
	int ntags1;
} sl_policy_cands;

void sl_policy_cands_init(sl_policy_cands *pc, const sl_network *net);
void sl_policy_cands_release(sl_policy_cands *pc);

/* The candidate list for a job's origin and tag; *n gets its length. */
static inline const sl_cand *sl_policy_cands_of(const sl_policy_cands *pc, const sl_job *job,
                                                int *n)
{
	int i = job->origin * pc->ntags1 + job->tag + 1;
	*n = pc->off[i + 1] - pc->off[i];
	return pc->c + pc->off[i];
}

/* 1 if a candidate is legal for the job: within its latency budget and
 * big enough. */
static inline int sl_policy_cand_ok(const sl_network *net, const sl_job *job, const sl_cand *c)
{
	const sl_site *s = &net->sites[c->site];
	return (job->latency_budget_ms <= 0 || c->route->rtt_ms <= job->latency_budget_ms) &&
	       job->cores <= s->cores && job->gpus <= s->gpus;
}

/* 1 if a placement policy may send the job to the candidate now: legal
 * (sl_policy_cand_ok) and its site not marked down by the view (the live
 * service's failed cluster).  Every policy filters its choices through this. */
static inline int sl_policy_cand_usable(const sl_view *v, const sl_job *job, const sl_cand *c)
{
	return sl_policy_cand_ok(v->net, job, c) && sl_view_site_up(v, c->site);
}

/* Fill a rejection for a job no site can take: the reason is the stage
 * that left no site (route, then residency, then latency, then size) and
 * why says so in a sentence.  Returns the reason. */
int sl_policy_reject(const sl_network *net, const sl_job *job, sl_decision *out);

#endif
