/*
 * loop_int.h — private to the event loop (loop*.c).
 *
 * Split by concern: loop.c (thread, inbox, requests, shutdown),
 * loop_jobs.c (job table, placement, site queues, launching, executor
 * events), loop_write.c (the loop's writes through the group-commit
 * writer), loop_view.c (signals, overrides, the policy's view, accounting),
 * loop_render.c (sites, signals and metrics bodies), loop_restart.c
 * (recovery after a restart), loop_sites.c (the sites' executors, remote
 * sites' health, failover and parked jobs).
 */
#ifndef SL_LOOP_INT_H
#define SL_LOOP_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "core/heap.h"
#include "core/mem.h"
#include "sched/site_queue.h"
#include "sched/view.h"
#include "serve/loop.h"

/* ljob.flags */
enum {
	LJ_REQUEUE = 1,    /* re-queue if lost at a restart */
	LJ_CANCEL = 2,     /* cancel asked: kill when it runs, drop when it starts */
	LJ_INQ = 4,        /* pushed into its site queue (waiting or running there) */
	LJ_LAUNCHING = 8,  /* its running record is being committed */
	LJ_PROC = 16,      /* handed to the executor, no terminal event yet */
	LJ_ADOPT = 32,     /* adopted at restart: the queue's start is no launch */
	LJ_DEAD = 64,      /* final: kept only until the site queue lets go of it */
	LJ_STARTED = 128,  /* it really started (start is set): local jobs at launch,
	                      remote ones at the executor's RUNNING event */
	LJ_STICKY = 256,   /* may have reached its cluster before a restart: never
	                      withdrawn from it */
	LJ_PARKED = 512    /* queued: every legal site is down; placed when one returns */
};

/* An active job, 160 bytes.  Commands and environments are not kept: they
 * are read back from the store when the job launches.
 * Invariant: state is QUEUED, PLANNED or RUNNING unless LJ_DEAD is set;
 * site >= 0 once planned; run >= 0 while the site queue holds it running
 * (never at a remote site, which has no local queue). */
typedef struct ljob {
	sl_job j;               /* j.id is the job id */
	int64_t tenant;
	int64_t not_before;     /* planned: when it may join its site queue */
	int64_t start;          /* running: UTC start */
	int64_t acct_t;         /* accounting integrated up to here (UTC) */
	double energy_kwh, carbon_g, cost_cny;
	int32_t run;            /* site queue run handle, -1 */
	int32_t link;           /* free list / slot-wait FIFO, -1 */
	uint32_t gen;           /* bumped on free: stale heap entries are skipped */
	int16_t site;
	uint8_t state;
	uint8_t failovers;      /* times taken back from a failed site and placed again */
	uint16_t flags;
	int32_t attempts;
	int32_t ticket;         /* the policy's number for its placement */
} ljob;

/* Live state of one site.  Invariant: procs <= local_slots when that cap
 * is set; slot-wait FIFO holds jobs the queue started but that wait for a
 * process slot (their cores are held in the queue).
 *
 * A remote site (its own executor reports health: a Slurm cluster) has no
 * local queue: the cluster schedules.  A job that reaches its start time
 * goes through the FIFO straight to the executor; sub_* count the jobs
 * handed over that have not started, run_* those running, and the view
 * reads busy capacity from the cluster's own figures (health). */
typedef struct lsite {
	sl_site_queue q;
	int32_t procs;
	int32_t wait_head, wait_tail, nwait;
	int32_t nplanned;                 /* placed, waiting for not_before */
	int64_t planned_cores, planned_gpus;
	int dirty;                        /* schedule() needed */
	int16_t ex;                       /* index into sl_loop.exs */
	uint8_t remote;
	int32_t sub_jobs, run_jobs;       /* remote: handed over / started there */
	int64_t sub_cores, sub_gpus, run_cores, run_gpus;
	sl_exec_health h;                 /* remote: as of this pass */
	int64_t down_since;               /* when this loop saw it go down; 0 = up */
	int64_t next_scan;                /* down: next failover scan */
	int32_t refusals;                 /* submissions refused in a row */
	int64_t refused_until;            /* treated as down until then */
	uint8_t refusing;                 /* now < refused_until, as of this pass */
	uint8_t excluded;                 /* marked down only while a job taken back from
	                                     it is placed again */
	char refuse_reason[SL_EXEC_MSG_MAX];
} lsite;

/* A site's counts of the jobs planned there and not yet in its queue; sign
 * +1 adds j, -1 removes it. */
static inline void sl__site_planned(lsite *s, const ljob *j, int sign)
{
	s->nplanned += sign;
	s->planned_cores += sign * (int64_t)j->j.cores;
	s->planned_gpus += sign * (int64_t)j->j.gpus;
}

/* A remote site's counts of a running-state job: handed over (sub_*) or,
 * with LJ_STARTED, running there (run_*); sign +1 adds it, -1 removes it. */
static inline void sl__site_count(lsite *s, const ljob *j, int sign)
{
	if (j->flags & LJ_STARTED) {
		s->run_jobs += sign;
		s->run_cores += sign * (int64_t)j->j.cores;
		s->run_gpus += sign * (int64_t)j->j.gpus;
	} else {
		s->sub_jobs += sign;
		s->sub_cores += sign * (int64_t)j->j.cores;
		s->sub_gpus += sign * (int64_t)j->j.gpus;
	}
}

/* A zone's live override. */
typedef struct lover {
	int has_carbon, has_price;
	double carbon_g_per_kwh, price_cny_per_kwh;
	int64_t set_at, expires;
} lover;

/* Open addressing map job id → table slot. */
typedef struct idmap {
	int64_t *keys;   /* 0 = empty, -1 = deleted */
	int32_t *vals;
	size_t cap, n, used;
} idmap;

struct sl_loop {
	sl_loop_config cfg;
	const sl_network *net;
	sl_writer *w;
	sl_exec *exs;                     /* [nexs]: 0 the shared executor, then one per
	                                     site that has its own (lsite.ex) */
	int nexs;
	void *policy;
	pthread_t thread;
	int started, stopped;

	/* inbox (guarded by mu) */
	pthread_mutex_t mu;
	sl_loopreq *in_head, *in_tail;
	int stopping;                     /* refuse outside requests */
	int closed;                       /* the thread is done: refuse everything */
	int efd;

	/* everything below is owned by the loop thread */
	ljob *jobs;
	size_t njobs_cap;
	int32_t free_head;
	idmap ids;
	lsite *sites;
	lover *over;                      /* [nzones] */
	uint64_t signal_gen;              /* the view's: counts override changes */
	uint8_t *down;                    /* [nsites]: the view's site_down */
	int ndown;
	SL_VEC(int64_t) parked;           /* gen << 32 | slot of LJ_PARKED jobs */
	int64_t next_unpark;              /* parked jobs are tried again by then */
	int quiet_park;                   /* a periodic retry: parking again writes nothing */
	sl_heap planned;                  /* (not_before, seq, gen<<32 | slot) */
	uint64_t seq;
	SL_VEC(int32_t) finish_later;     /* dead slots the queue started: finish them */
	int64_t counts[SL_JOB_NSTATES];   /* jobs per state, all time */
	int64_t next_acct;
	int64_t last_step;                /* signal step of the last policy tick */
	sl_plan_ctl ctl;                  /* moves of planned starts, for a planning policy */
	int64_t ctl_now;                  /* the time of the policy call in progress */
	int draining;                     /* stop seen: no new launches */
	int32_t nlaunching;               /* jobs with LJ_LAUNCHING */
	uint64_t placed, rejected_policy, launched, exec_errors, failovers;

	/* recovery input, read by sl_loop_new and consumed by the thread */
	SL_VEC(struct recov *) recov;

	atomic_size_t active;             /* active + handed over */
};

/* loop_jobs.c */
int32_t sl__lj_alloc(sl_loop *lp);
void sl__lj_free(sl_loop *lp, int32_t slot);
ljob *sl__lj_find(sl_loop *lp, int64_t id, int32_t *slot);
void sl__idmap_put(idmap *m, int64_t key, int32_t val);
void sl__idmap_del(idmap *m, int64_t key);
void sl__idmap_release(idmap *m);
void sl__loop_place(sl_loop *lp, int32_t slot, int64_t now);
/* The executor of a job's site (site >= 0). */
static inline sl_exec *sl__loop_ex(sl_loop *lp, int site) { return &lp->exs[lp->sites[site].ex]; }
void sl__loop_release_planned(sl_loop *lp, int64_t now);
/* A planned job (or an adopted one, LJ_ADOPT) joins its site queue. */
void sl__loop_enter_queue(sl_loop *lp, int32_t slot, int64_t now);
void sl__loop_schedule(sl_loop *lp, int64_t now);
void sl__loop_exec_events(sl_loop *lp, int64_t now);
void sl__loop_launch_committed(sl_loop *lp, int64_t id, int rc, char *command_json,
                               char *env_json);
void sl__loop_cancel(sl_loop *lp, sl_loopreq *r, int64_t now);
void sl__loop_set_state(sl_loop *lp, ljob *j, int state);
/* Tell a planning policy that j started or ended (SL_JOBEV_*) at t. */
void sl__loop_job_event(sl_loop *lp, const ljob *j, int kind, int64_t t);
/* Once per signal step: the policy's tick and re-plan hooks. */
void sl__loop_policy_tick(sl_loop *lp, int64_t now);
/* A job reaches a final state: write it (reply, if set, answers after the
 * commit), free its resources and its slot. */
void sl__loop_end(sl_loop *lp, int32_t slot, int state, int64_t now, const char *reason,
                  int exit_code, int has_exit, const char *receipt, sl_loopreq *reply);

/* loop_write.c: the loop's writes, queued (forced) on the group-commit
 * writer; none waits.  Strings are copied. */
void sl__w_planned(sl_loop *lp, const ljob *j, int64_t now, char *receipt /* taken */);
/* The policy moved j's planned start (event "replanned"), maybe to another
 * site (event "relocated", from the site named). */
void sl__w_replanned(sl_loop *lp, const ljob *j, int64_t now, const char *from_site);
/* The policy's moves of planned starts (loop_jobs.c): lp->ctl. */
void sl__loop_ctl_init(sl_loop *lp);
void sl__w_launch(sl_loop *lp, const ljob *j, int64_t now);
void sl__w_handle(sl_loop *lp, const ljob *j, int64_t now, const char *handle,
                  const char *msg);
/* A remote job started at j->start (its handle too, when given). */
void sl__w_started(sl_loop *lp, const ljob *j, int64_t now, const char *handle,
                   const char *msg);
void sl__w_final(sl_loop *lp, const ljob *j, int state, int64_t now, const char *reason,
                 int exit_code, int has_exit, const char *receipt, sl_loopreq *reply);
void sl__w_acct(sl_loop *lp, const ljob *j, int64_t now);
void sl__w_event(sl_loop *lp, int64_t id, int state, int64_t now, const char *event,
                 const char *detail, int add_attempt);
/* Post an internal message to the loop (from the writer thread): 0, or -1
 * once the loop thread has finished (then the caller disposes of r). */
int sl__loop_post(sl_loop *lp, sl_loopreq *r);

/* loop_view.c */
void sl__loop_view(sl_loop *lp, int64_t now, sl_view *out);
/* A remote site's busy cores and GPUs as the view reports them. */
void sl__remote_busy(const sl_loop *lp, int site, int32_t *cores, int32_t *gpus);
double sl__loop_signal(const sl_loop *lp, int kind, int site, int64_t t);
double sl__zone_carbon(const sl_loop *lp, int zone, int64_t t, int *overridden);
double sl__zone_price(const sl_loop *lp, int zone, int64_t t, int *overridden);
double sl__job_power_w(const sl_network *net, int site, int32_t cores, int32_t gpus);
void sl__loop_account(sl_loop *lp, ljob *j, int64_t upto);
void sl__loop_apply_override(sl_loop *lp, const sl_sigover *o);
void sl__loop_expire_overrides(sl_loop *lp, int64_t now);
char *sl__loop_receipt(sl_loop *lp, const ljob *j, const sl_decision *d, int64_t now);

/* loop_render.c: malloc'd bodies */
char *sl__render_sites(sl_loop *lp, int64_t now, size_t *len);
char *sl__render_signals(sl_loop *lp, int64_t now, size_t *len);
char *sl__render_metrics(sl_loop *lp, int64_t now, size_t *len);

/* loop_sites.c */
/* Start the shared executor and each site's own; 0 or the first error
 * (naming the site).  Stop them all (running jobs keep running). */
int sl__loop_exec_start(sl_loop *lp, sl_err *err);
void sl__loop_exec_stop(sl_loop *lp);
/* Each pass: read remote sites' health, mark them down or up for the view,
 * place parked jobs when a site returns, fail over from sites down for
 * failover_after_s. */
void sl__loop_sites_check(sl_loop *lp, int64_t now);
/* Before placing: 1 if every legal site of the job is down (it is then
 * parked, queued, and written so); 0 to place it. */
int sl__loop_park(sl_loop *lp, int32_t slot, int64_t now, int chosen);
/* Take a job that has not started back from its site and place it again
 * (or fail it past failover_max), with why in its events. */
void sl__loop_failover(sl_loop *lp, int32_t slot, int64_t now, const char *why);
/* A remote site refused a job (a submission Slurm rejected). */
void sl__loop_refused(sl_loop *lp, int32_t slot, int64_t now, const char *msg);
/* A remote site accepted a submission. */
void sl__loop_accepted(sl_loop *lp, int site);
/* Why a site is down ("" when up) and its short fault. */
const char *sl__site_down_reason(const sl_loop *lp, int site, const char **fault);

/* loop_restart.c */
int sl__loop_read_store(sl_loop *lp, sl_store *st, sl_err *err);
void sl__loop_recover(sl_loop *lp, int64_t now);
void sl__loop_recov_release(sl_loop *lp);

/* Internal request kinds (never from outside). */
enum {
	SL_LREQ_JOB = 100,     /* a committed new job (struct newjob) */
	SL_LREQ_LAUNCHED = 101 /* a running record committed (struct launchmsg) */
};

#endif
