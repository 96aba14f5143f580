/*
 * exec.h — the executor interface: where jobs actually run.
 *
 * The service's event loop hands a placed job to an executor and learns from
 * it, later, how the job went.  An executor is a const ops table (like the
 * policies in DESIGN.md §3) plus an opaque state: `sl_exec_local` runs jobs
 * as processes on this machine; a `slurm` executor (talking to slurmrestd)
 * plugs in behind the same table.
 *
 * Threading and blocking: every op is called from the caller's one loop
 * thread and none of them blocks (no waiting for a process, no network round
 * trip inside a call).  Work that finishes later is reported by `poll`.  The
 * loop waits on `fd` (readable when poll has something to do) with a timeout
 * of at most `timeout_ms` (when a timer inside the executor — a time limit,
 * a kill grace period, a Slurm status refresh — falls due), then calls
 * `poll`.  Calling poll more often than that is harmless and cheap.
 *
 * Life of a job, as seen through poll:
 *
 *     submit/adopt ──> [SUBMITTED] ──> [RUNNING] ──> exactly one terminal event
 *
 * SUBMITTED is optional (an executor that starts jobs at once, like `local`,
 * goes straight to RUNNING; Slurm reports it while the job is PENDING); a job
 * that never starts goes from submit straight to a terminal FAILED or
 * CANCELLED.  Every job submitted (or adopted) and accepted gets exactly one
 * terminal event, and no event after it.  Adopted jobs get no RUNNING event:
 * the caller already knows them as running.
 *
 * Time: executors read time only through the sl_clock in their config
 * (UTC seconds for recorded start/end times, monotonic ns for limits and
 * grace periods).
 */
#ifndef SL_EXEC_H
#define SL_EXEC_H

#include <stddef.h>
#include <stdint.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"

#define SL_EXEC_HANDLE_MAX 64   /* bytes of an executor handle, with its NUL */
#define SL_EXEC_MSG_MAX 256     /* bytes of an event message, with its NUL */
#define SL_EXEC_GRACE_MS_DEFAULT 10000
#define SL_EXEC_LIMIT_S_MAX 315360000LL  /* ten years: beyond it a limit means nothing */

/* What happened to a job.  Terminal states are those >= SL_EXEC_COMPLETED. */
typedef enum sl_exec_state {
	SL_EXEC_SUBMITTED = 1, /* the backend accepted it (handle set), not running yet */
	SL_EXEC_RUNNING,       /* it started: start and handle are set */
	SL_EXEC_COMPLETED,     /* it exited with code 0 */
	SL_EXEC_FAILED,        /* non-zero exit, a signal we did not send, or it could not start */
	SL_EXEC_TIMEOUT,       /* the executor stopped it at its time limit */
	SL_EXEC_CANCELLED,     /* the executor stopped it because cancel was asked */
	SL_EXEC_ENDED          /* it ended but how is unknown (an adopted process that
	                          was not our child; a job the backend forgot).  It did
	                          run: do not re-run it automatically. */
} sl_exec_state;

/* A job to run.  All pointers are borrowed for the duration of the call. */
typedef struct sl_exec_spec {
	int64_t job_id;             /* > 0; unique among this executor's live jobs */
	const char *const *argv;    /* NULL-terminated; argv[0] non-empty.  Run as is,
	                               no shell, no globbing, no word splitting */
	int shell;                  /* 1: run argv[0] as a `/bin/sh -c` script; argv[1..]
	                               become its $1.. ($0 is "sh") */
	const char *workdir;        /* NULL: the executor's own per-job directory
	                               (local: <jobs_dir>/<job_id>, created); else it
	                               must exist */
	const char *const *env;     /* NULL-terminated "NAME=value" list, or NULL.  The
	                               job gets exactly these plus the executor's
	                               documented minimal set (docs/executors.md) */
	const char *stdout_path;    /* NULL: "stdout" in workdir; relative = to workdir */
	const char *stderr_path;    /* NULL: "stderr"; equal to stdout_path = one file */
	int64_t time_limit_s;       /* > 0: stopped (TIMEOUT) after this long; 0: none */
	int32_t cores, gpus;        /* requested resources (local: exported, not enforced) */
	const char *site;           /* site name, exported as SUANLI_SITE; may be NULL */
} sl_exec_spec;

/* One state change, as returned by poll. */
typedef struct sl_exec_event {
	int64_t job_id;
	sl_exec_state state;
	int exit_code;          /* 0..255 when the job exited; -1 when it did not or is unknown */
	int signal;             /* signal that ended it; 0 if none or unknown */
	int64_t start;          /* UTC seconds it started (RUNNING and terminal); 0 if unknown */
	int64_t end;            /* UTC seconds it ended (terminal events); 0 otherwise */
	char handle[SL_EXEC_HANDLE_MAX]; /* record it to adopt the job after a restart; "" if none */
	char msg[SL_EXEC_MSG_MAX];       /* human summary: "exited with code 3", "command not
	                                    found: foo", "time limit of 60 s reached; ..." */
	int refused;            /* FAILED only: a remote backend refused the job before it
	                           could start (nothing ran; another site may take it) */
} sl_exec_event;

/* A remote backend's health and live capacity, as of its last exchange
 * (the optional `health` op).  Executors that run jobs themselves (local)
 * have none: they are always up and their capacity is the scenario's. */
typedef struct sl_exec_health {
	int up;                        /* 1 up, 0 down, -1 not known yet */
	char fault[32];                /* short stable cause when down ("unreachable",
	                                  "slurmctld down", "authentication", ...); "" when up */
	char reason[SL_EXEC_MSG_MAX];  /* the error that marked it down; "" when up */
	int64_t since;                 /* UTC seconds of the last up/down change; 0 = never */
	int64_t checked;               /* UTC seconds of its last answer; 0 = none yet */
	int has_capacity;              /* the capacity below was read from the backend */
	int32_t nodes, nodes_usable;
	int32_t cpus, cpus_alloc;      /* usable CPUs, and those allocated to anyone's jobs */
	int32_t gpus, gpus_alloc;
	int64_t capacity_at;           /* UTC seconds it was read */
	size_t held;                   /* jobs accepted by submit but held back (down) */
} sl_exec_health;

/* Settings common to every executor.  Pointers are borrowed and must outlive
 * the executor. */
typedef struct sl_exec_config {
	const sl_clock *clock;      /* required */
	const sl_logger *log;       /* optional */
	const char *jobs_dir;       /* local: parent of default job directories (created) */
	int64_t grace_ms;           /* SIGTERM→SIGKILL grace on cancel and time limit;
	                               0 = SL_EXEC_GRACE_MS_DEFAULT */
	const char *default_path;   /* PATH when the spec's env has none;
	                               NULL = "/usr/local/bin:/usr/bin:/bin" */
	const char *default_home;   /* HOME when the spec's env has none; NULL = workdir */
	int scan_only;              /* local: watch processes by scanning /proc every
	                               SL_EXEC_SCAN_MS instead of pidfds (old kernels; tests) */
	const char *const *options; /* backend-specific "key=value" list (e.g. a Slurm URL),
	                               NULL-terminated or NULL; unknown keys are SL_EINVAL */
} sl_exec_config;

#define SL_EXEC_SCAN_MS 50

typedef struct sl_exec_ops {
	const char *name; /* "local", "slurm" */

	/* Create and start an executor.  *state is written only on success.
	 * Errors: SL_EINVAL (bad config, named), SL_EIO (jobs_dir, epoll, ...). */
	int (*start)(void **state, const sl_exec_config *cfg, sl_err *err);

	/* Stop watching and free everything.  Jobs still running are left running
	 * (a restarted service adopts them); poll first to collect finished ones.
	 * Accepts NULL. */
	void (*stop)(void *state);

	/* Start (or queue) a job.  0 means accepted: poll will report it, and a
	 * job that turns out unable to run (command not found, not executable,
	 * bad workdir) ends as FAILED with a message, not as an error here.
	 * Errors: SL_EINVAL (bad spec, named), SL_EEXIST (job_id live),
	 * SL_EAGAIN (out of processes or file descriptors: retry later). */
	int (*submit)(void *state, const sl_exec_spec *spec, sl_err *err);

	/* Ask a live job to stop: SIGTERM (local) then SIGKILL after the grace
	 * period.  Its terminal event is CANCELLED unless it had already ended or
	 * hit its time limit.  Idempotent.  Errors: SL_ENOTFOUND (no live job). */
	int (*cancel)(void *state, int64_t job_id, sl_err *err);

	/* Re-attach to a job that was running before a restart, from the handle
	 * its RUNNING/SUBMITTED event carried.  Uses spec->job_id and
	 * spec->time_limit_s (the limit keeps counting from start, UTC seconds);
	 * the other spec fields are ignored.  The job's end is reported by poll.
	 * Errors: SL_EINVAL (malformed handle), SL_ENOTFOUND (the job is gone, or
	 * the pid now belongs to another process), SL_EEXIST (job_id live). */
	int (*adopt)(void *state, const sl_exec_spec *spec, const char *handle,
	             int64_t start, sl_err *err);

	/* Do due work without blocking (reap, enforce limits, refresh) and write up
	 * to max events, oldest first.  Returns how many (0..max), or a negative
	 * SL_E* code.  Events beyond max wait for the next call. */
	int (*poll)(void *state, sl_exec_event *out, int max, sl_err *err);

	/* A file descriptor that turns readable when poll has work, or -1 if the
	 * executor has none (then rely on timeout_ms).  Owned by the executor. */
	int (*fd)(void *state);

	/* Milliseconds until poll must be called even if fd stays quiet; -1 when no
	 * timer is pending.  0 means now. */
	int64_t (*timeout_ms)(void *state);

	/* Jobs submitted or adopted whose end has not been detected yet. */
	size_t (*count)(void *state);

	/* Optional, for executors in front of a remote scheduler (NULL otherwise). */

	/* The backend's health and capacity as its last exchange left them.
	 * Does not block. */
	void (*health)(void *state, sl_exec_health *out);

	/* Take back a job that provably never reached the backend (it was held
	 * while the backend was down, or not sent yet): it is forgotten with no
	 * event, and may be run elsewhere.  Errors: SL_ESTATE (it was sent, or a
	 * send whose answer was lost may have reached the backend: only the
	 * backend can end it now), SL_ENOTFOUND (no live job). */
	int (*withdraw)(void *state, int64_t job_id, sl_err *err);
} sl_exec_ops;

/* The local executor: jobs are processes on this machine (exec_local.c,
 * docs/executors.md). */
extern const sl_exec_ops sl_exec_local;

/* An executor instance: the ops and their state, for convenient calls. */
typedef struct sl_exec {
	const sl_exec_ops *ops;
	void *state;
} sl_exec;

/* The executor named name ("local"), or NULL. */
const sl_exec_ops *sl_exec_find(const char *name);

/* "submitted", "running", "completed", "failed", "timeout", "cancelled",
 * "ended"; "?" for anything else. */
const char *sl_exec_state_name(sl_exec_state s);

/* 1 for the terminal states (COMPLETED and after). */
static inline int sl_exec_state_terminal(sl_exec_state s) { return s >= SL_EXEC_COMPLETED; }

/* Check a spec against the rules every executor shares: job_id > 0, argv[0]
 * non-empty, env entries "NAME=value" with a valid, unduplicated NAME,
 * time_limit_s in 0..SL_EXEC_LIMIT_S_MAX, cores and gpus >= 0.  Errors: SL_EINVAL naming the field. */
int sl_exec_spec_check(const sl_exec_spec *spec, sl_err *err);

/* Thin wrappers over the ops. */
static inline int sl_exec_start(sl_exec *ex, const sl_exec_ops *ops,
                                const sl_exec_config *cfg, sl_err *err)
{
	void *st = NULL;
	int rc = ops->start(&st, cfg, err);
	if (rc == 0) {
		ex->ops = ops;
		ex->state = st;
	}
	return rc;
}
static inline void sl_exec_stop(sl_exec *ex)
{
	if (ex->ops)
		ex->ops->stop(ex->state);
	ex->ops = NULL;
	ex->state = NULL;
}
static inline int sl_exec_submit(sl_exec *ex, const sl_exec_spec *spec, sl_err *err)
{
	return ex->ops->submit(ex->state, spec, err);
}
static inline int sl_exec_cancel(sl_exec *ex, int64_t job_id, sl_err *err)
{
	return ex->ops->cancel(ex->state, job_id, err);
}
static inline int sl_exec_adopt(sl_exec *ex, const sl_exec_spec *spec, const char *handle,
                                int64_t start, sl_err *err)
{
	return ex->ops->adopt(ex->state, spec, handle, start, err);
}
static inline int sl_exec_poll(sl_exec *ex, sl_exec_event *out, int max, sl_err *err)
{
	return ex->ops->poll(ex->state, out, max, err);
}
static inline int sl_exec_fd(sl_exec *ex) { return ex->ops->fd(ex->state); }
static inline int64_t sl_exec_timeout_ms(sl_exec *ex) { return ex->ops->timeout_ms(ex->state); }
static inline size_t sl_exec_count(sl_exec *ex) { return ex->ops->count(ex->state); }
/* 1 and *out filled if the executor reports health, else 0. */
static inline int sl_exec_health_get(sl_exec *ex, sl_exec_health *out)
{
	if (!ex->ops->health)
		return 0;
	ex->ops->health(ex->state, out);
	return 1;
}
/* SL_ESTATE when the executor cannot withdraw jobs at all. */
static inline int sl_exec_withdraw(sl_exec *ex, int64_t job_id, sl_err *err)
{
	if (!ex->ops->withdraw)
		return sl_err_set(err, SL_ESTATE, "job_id", "the %s executor cannot withdraw jobs",
		                  ex->ops->name);
	return ex->ops->withdraw(ex->state, job_id, err);
}

#endif
