/*
 * exec_slurm.h — the `slurm` executor: the jobs of one site run on one real
 * Slurm cluster, reached through its slurmrestd (REST API v0.0.38, Slurm
 * 22.05).  It implements exec.h's contract (no op blocks; events come out
 * of poll) with a worker thread that owns a slurm_rest client, plus two
 * things only a remote cluster has: its health (up, or down with a reason)
 * and its live capacity (free/allocated CPUs and GPUs) for the policy's view.
 *
 * Options (sl_exec_config.options, "key=value"):
 *   url=http://127.0.0.1:6821   slurmrestd over TCP          } one of the two
 *   socket=/path/rest.sock      slurmrestd's unix socket     }
 *   token_file=PATH             JWT for X-SLURM-USER-TOKEN (TCP needs one)
 *   user=NAME                   X-SLURM-USER-NAME (default: the token's user)
 *   cluster=NAME                name in messages and handles (default "slurm")
 *   partition=NAME account=NAME where jobs go (default: the cluster's)
 *   poll_ms=1000                status refresh period while jobs are live
 *   idle_poll_ms=5000           health/capacity refresh period when idle
 *   timeout_ms=20000            bound on one HTTP request
 *   tag=suanli                  jobs carry the Slurm comment "TAG:JOB_ID"
 * jobs_dir must be a directory the cluster's nodes see at the same path: a
 * job's default working directory is JOBS_DIR/<job id>/ (created here).
 *
 * Semantics (docs/slurm.md has the long version):
 *   - submit checks and builds the request at once (SL_EINVAL for a bad
 *     spec) and queues it; the worker posts it.  Slurm's job id comes back
 *     in a SUBMITTED event whose handle is "CLUSTER:ID".  A job Slurm
 *     refuses (unknown partition, limits) ends FAILED with Slurm's reason.
 *   - never submitted twice: while the cluster is unreachable a job waits
 *     in the executor (health says so; cancel removes it at once), and
 *     before re-sending after a failure that may have reached Slurm, and
 *     on the first submit after start (a restart), the worker looks for a
 *     job whose comment is "TAG:JOB_ID" and takes that one instead.
 *   - states: PENDING is SUBMITTED; RUNNING/SUSPENDED is RUNNING; COMPLETED,
 *     FAILED (also NODE_FAIL, OUT_OF_MEMORY, BOOT_FAIL, PREEMPTED), TIMEOUT
 *     (also DEADLINE) map to themselves; CANCELLED is CANCELLED when suanli
 *     asked for it and FAILED ("cancelled outside suanli") otherwise; a job
 *     slurmctld no longer knows is ENDED.  exit_code/signal come from
 *     Slurm's raw wait status.
 *   - time limits are Slurm's (rounded up to whole minutes); cancel is
 *     Slurm's (its KillWait grace; grace_ms does not apply).  A cancel that
 *     cannot reach Slurm is retried until it does.
 *   - adopt takes the handle and does not block: the next refresh tells
 *     whether Slurm still knows the job (if not, it ends ENDED).  A start of
 *     0 means the caller knew the job only as submitted: it then gets a
 *     RUNNING event when the job starts.
 *   - the optional ops: health reports sl_exec_slurm_status_get's view;
 *     withdraw takes back a job held here that no send may have delivered
 *     (the service places it at another site); a job Slurm refused ends
 *     FAILED with event.refused set.
 */
#ifndef SL_EXEC_SLURM_H
#define SL_EXEC_SLURM_H

#include <stddef.h>
#include <stdint.h>

#include "serve/exec.h"
#include "serve/slurm_json.h"

extern const sl_exec_ops sl_exec_slurm;

/* A Slurm executor's view of its cluster, as of its last exchange. */
typedef struct sl_exec_slurm_status {
	int up;                        /* 1 up, 0 down, -1 not known yet */
	sl_slurm_fault fault;          /* why down (SL_SLURM_OK when up) */
	char reason[SL_EXEC_MSG_MAX];  /* the error that marked it down; "" when up */
	int64_t since;                 /* UTC seconds of the last up/down change; 0 = never */
	int64_t checked;               /* UTC seconds of the last refresh answer; 0 = none */
	sl_slurm_capacity capacity;    /* nodes/CPUs/GPUs of the partition */
	int64_t capacity_at;           /* UTC seconds it was read; 0 = never */
	size_t waiting;                /* jobs held back because the cluster is down */
	uint64_t refreshes, failures;  /* refresh exchanges done / failed */
} sl_exec_slurm_status;

/* Fill *out from a running `slurm` executor's state (the state pointer of an
 * sl_exec whose ops are &sl_exec_slurm).  Does not block: it reports what
 * the last refresh learned.  Loop thread only. */
void sl_exec_slurm_status_get(void *state, sl_exec_slurm_status *out);

/* "CLUSTER:ID" handles: parse one (0, or SL_EINVAL with the reason). */
int sl_exec_slurm_handle_parse(const char *handle, char *cluster, size_t n, int64_t *slurm_id,
                               sl_err *err);

#endif
