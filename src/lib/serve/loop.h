/*
 * loop.h — the service's event loop: the one thread that owns all
 * scheduler state.
 *
 * The loop holds every active job (queued, planned, running) in a compact
 * table, one FCFS + EASY queue per site (sched/site_queue.h), the policy's
 * state, the live signal overrides and the executors: one shared by the
 * sites that run local processes, and one per site that is a Slurm cluster
 * (sl_loop_site; such a "remote" site has no queue here, feeds its live
 * capacity and health to the policy's view, and fails over: loop_sites.c,
 * docs/slurm.md).  Nothing else touches them.  Other threads talk to it through requests: a committed new job, a
 * cancel, a query (sites, signals, metrics), a signal override.  Requests
 * go into a mutex-protected inbox and an eventfd wakes the loop; a request
 * carrying a reply callback is answered on the loop thread.
 *
 * Every state change the loop makes is written through the group-commit
 * writer (writer.h).  A job is handed to its executor only after its
 * "running" record has committed, and its executor handle is recorded as
 * soon as the executor reports it, so a restart can tell what ran.
 *
 * Time: the loop reads the injected clock only.  Signals follow real time:
 * the value of a scenario series at UTC time t is the series at
 * t0 + ((t - t0) mod (t1 - t0)) — the scenario's year repeats, aligned on
 * its own calendar (a scenario for 2025 maps 2026-03-01 onto 2025-03-01).
 * A live override (PUT /v1/signals/{zone}) replaces a zone's carbon
 * intensity and/or price until it expires or is cleared.
 *
 * Restart (sl_loop_start): queued and planned jobs are placed again; a
 * running job whose executor handle still names a live process is adopted;
 * a running job whose process is gone ran while the service was down and is
 * marked failed ("lost"), unless it asked for requeue (then it goes back to
 * the queue, attempts + 1); a running job with no handle recorded (the
 * service died between recording the start and the executor's answer) is
 * marked failed ("lost at start") — it is never started twice.
 */
#ifndef SL_LOOP_H
#define SL_LOOP_H

#include <stddef.h>
#include <stdint.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "model/job.h"
#include "model/network.h"
#include "sched/policy.h"
#include "serve/exec.h"
#include "serve/store.h"
#include "serve/writer.h"

typedef struct sl_loop sl_loop;

/* A site with its own executor (a Slurm cluster: exec_slurm.h).  When the
 * executor reports health (a remote scheduler), the site is "remote": jobs
 * go to it as soon as they may start (its scheduler queues them), its live
 * capacity feeds the policy's view, and while it is down the loop fails
 * over (docs/slurm.md). */
typedef struct sl_loop_site {
	const sl_exec_ops *executor;   /* NULL: the shared executor (cfg.executor) */
	sl_exec_config exec_config;    /* its own; clock and log are filled by the loop */
} sl_loop_site;

typedef struct sl_loop_config {
	const sl_network *net;
	const sl_policy_ops *policy;
	sl_policy_opts policy_opts;
	const sl_exec_ops *executor;   /* the shared executor of sites without their own
	                                  (local by default) */
	sl_exec_config exec_config;    /* clock and log are filled from here */
	const sl_loop_site *sites;     /* [net->nsites] or NULL: sites' own executors
	                                  (borrowed; must outlive the loop) */
	int32_t failover_max;          /* times one job is placed again after failed or
	                                  refusing sites before it fails; 0 = 3 */
	int64_t failover_after_s;      /* a remote site down this long gives back the jobs
	                                  it holds unsent; 0 = 30, < 0 = at once */
	int64_t refuse_down_s;         /* a site that refused 3 submissions in a row counts
	                                  as down this long; 0 = 60 */
	const sl_clock *clock;
	const sl_logger *log;          /* may be NULL */
	int carbon_mode;               /* SL_CARBON_* */
	int32_t local_slots;           /* max real processes per site; 0 = capacity only */
	size_t max_active;             /* active jobs beyond which submissions get 429 */
	int64_t acct_period_s;         /* how often running jobs' accounting is saved;
	                                  0 = 15 */
} sl_loop_config;

/* Make a loop and read the store's active jobs and signal overrides (on
 * the calling thread, before the writer owns the store).  Returns 0, a
 * store error, or SL_EINVAL for a bad config. */
int sl_loop_new(const sl_loop_config *cfg, sl_store *st, sl_loop **out, sl_err *err);

/* Start the executor and the loop thread; recovery (placing, adopting and
 * marking the jobs read by sl_loop_new) runs first on that thread.  All
 * writes go through w. */
int sl_loop_start(sl_loop *lp, sl_writer *w, sl_err *err);

/* Answer every pending request, save running jobs' accounting, stop the
 * executor (running jobs keep running) and join the thread.  Idempotent. */
void sl_loop_stop(sl_loop *lp);
void sl_loop_free(sl_loop *lp); /* accepts NULL; stops first */

/* A job whose insert has committed: the loop places it.  Thread-safe;
 * copies what it needs. */
void sl_loop_job(sl_loop *lp, int64_t id, int64_t tenant, int64_t submit, const sl_job *job,
                 int requeue);

/* Active jobs (queued + planned + running) plus those handed over but not
 * yet seen by the loop.  Thread-safe (atomic). */
size_t sl_loop_active(const sl_loop *lp);
/* Reserve room for one submission: 0, or SL_EFULL when max_active is
 * reached.  Release with sl_loop_unreserve when the submission fails. */
int sl_loop_reserve(sl_loop *lp);
void sl_loop_unreserve(sl_loop *lp);

enum {
	SL_LREQ_CANCEL = 1,  /* job_id, tenant/admin → status, body */
	SL_LREQ_SITES,       /* → body: GET /v1/sites JSON */
	SL_LREQ_SIGNALS,     /* → body: GET /v1/signals JSON */
	SL_LREQ_METRICS,     /* → body: the loop's Prometheus metrics */
	SL_LREQ_SIGOVER,     /* ov (already committed) → status */
};

/* A request to the loop, owned by the caller until reply() is called
 * (on the loop thread, exactly once). */
typedef struct sl_loopreq sl_loopreq;
struct sl_loopreq {
	int kind;
	int64_t job_id;
	int64_t tenant;       /* the requester's tenant id */
	int admin;
	sl_sigover ov;        /* SL_LREQ_SIGOVER; ov.zone borrowed until reply */
	/* out */
	int status;           /* HTTP status */
	char *body;           /* malloc'd response body (JSON or text); caller frees */
	size_t body_len;
	void (*reply)(sl_loopreq *r);
	sl_loopreq *next;     /* private */
};

/* Hand a request to the loop.  If the loop is stopping, reply() is called
 * at once with status 503. */
void sl_loop_request(sl_loop *lp, sl_loopreq *r);

#endif
