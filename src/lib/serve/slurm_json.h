/*
 * slurm_json.h — slurmrestd's v0.0.38 JSON (Slurm 22.05) mapped onto small
 * suanli structs, and suanli's job requests mapped onto Slurm's submit body.
 *
 * Pure functions over text: no network, no clock.  slurm_rest.c moves the
 * bytes; this module knows what they mean, so it is unit-tested on replies
 * recorded from a real cluster (tests/fixtures/slurm/).
 *
 * What Slurm 22.05 actually sends (checked against a live slurmrestd):
 *   - `exit_code` is the raw wait status: `exit 3` is 768, a SIGKILL is 9.
 *   - times are UTC seconds; a pending job has start_time 0, a running job
 *     an *expected* end_time, a job cancelled while pending a start_time
 *     equal to its end_time but no nodes.  The mapping clears what did not
 *     happen (see sl_slurm_job).
 *   - errors come as {"errors":[{"error","error_number"|"error_code"|"errno",
 *     "description","source"}]} with HTTP 500 for almost everything, 400 for
 *     a malformed request and 401 (plain text) for a missing token.
 */
#ifndef SL_SLURM_JSON_H
#define SL_SLURM_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/mem.h"

/* A Slurm job state, folded to what a scheduler needs.  Slurm's own word is
 * kept in sl_slurm_job.state_name.  Terminal states are >= COMPLETED. */
typedef enum sl_slurm_state {
	SL_SLURM_UNKNOWN = 0,  /* a word this mapping does not know (newer Slurm) */
	SL_SLURM_PENDING,      /* PENDING, REQUEUED, REQUEUE_HOLD, REQUEUE_FED,
	                          RESV_DEL_HOLD, SPECIAL_EXIT */
	SL_SLURM_RUNNING,      /* RUNNING, CONFIGURING, COMPLETING, SIGNALING,
	                          RESIZING, STAGE_OUT */
	SL_SLURM_SUSPENDED,    /* SUSPENDED, STOPPED */
	SL_SLURM_COMPLETED,    /* ended with exit code 0 */
	SL_SLURM_FAILED,       /* non-zero exit, a signal, or could not launch */
	SL_SLURM_CANCELLED,    /* CANCELLED, REVOKED (scancel, REST DELETE) */
	SL_SLURM_TIMEOUT,      /* its time limit was reached */
	SL_SLURM_NODE_FAIL,    /* a node it ran on failed */
	SL_SLURM_PREEMPTED,
	SL_SLURM_BOOT_FAIL,
	SL_SLURM_DEADLINE,
	SL_SLURM_OUT_OF_MEMORY
} sl_slurm_state;

static inline int sl_slurm_state_terminal(sl_slurm_state s) { return s >= SL_SLURM_COMPLETED; }

/* Slurm's word ("NODE_FAIL", "COMPLETING", ...) to the folded state;
 * SL_SLURM_UNKNOWN for a word not listed above. */
sl_slurm_state sl_slurm_state_parse(const char *word);
/* "pending", "running", ..., "out_of_memory"; "unknown". */
const char *sl_slurm_state_name(sl_slurm_state s);

/* Decode Slurm's raw wait status into an exit code (0..255, or -1 when the
 * job was ended by a signal) and a signal (0 if none). */
void sl_slurm_wait_status(int64_t raw, int *exit_code, int *signal);

/* One job as slurmctld reports it (GET /job/{id} or /jobs).  Strings are
 * truncated to their buffers (they are for display and matching). */
typedef struct sl_slurm_job {
	int64_t job_id;
	sl_slurm_state state;
	char state_name[24];     /* Slurm's word: "NODE_FAIL", "COMPLETING" */
	char reason[48];         /* state_reason: "None", "Resources", "TimeLimit" */
	int exit_code;           /* 0..255 once it ended after running; -1 otherwise */
	int signal;              /* the signal that ended it; 0 if none */
	int64_t submit_s;        /* UTC seconds */
	int64_t start_s;         /* when it started; 0 if it never did (yet) */
	int64_t end_s;           /* when it ended; 0 until it is terminal */
	int64_t time_limit_s;    /* 0 = none given / unlimited */
	int32_t cpus;            /* allocated (running) or requested (pending) */
	int32_t gpus;            /* GPUs asked for (gres gpu), whole job */
	int32_t node_count;
	char name[128];
	char partition[64];
	char nodes[128];         /* node list; "" while pending */
	char comment[128];       /* suanli writes "suanli:<job id>" here */
} sl_slurm_job;

typedef SL_VEC(sl_slurm_job) sl_slurm_jobs;

/* Free/used capacity of one partition (or the whole cluster), for the
 * policy's live view.  Only usable nodes (up, not drained, responding)
 * count towards cpus/gpus. */
typedef struct sl_slurm_capacity {
	int32_t nodes;           /* nodes seen */
	int32_t nodes_usable;
	int32_t cpus, cpus_alloc;    /* on usable nodes */
	int32_t gpus, gpus_alloc;
} sl_slurm_capacity;

/* Why a request failed, as far as the reply tells. */
typedef enum sl_slurm_fault {
	SL_SLURM_OK = 0,
	SL_SLURM_UNREACHABLE,  /* could not connect to slurmrestd: nothing was sent */
	SL_SLURM_LOST,         /* sent, but no complete reply (timeout, reset): the
	                          request may have taken effect */
	SL_SLURM_CTLD_DOWN,    /* slurmrestd answers but cannot reach slurmctld */
	SL_SLURM_AUTH,         /* token missing, expired or rejected */
	SL_SLURM_AMBIGUOUS,    /* Slurm 22.05 says only "Unspecified error" (-1):
	                          slurmctld down or token rejected (slurm_rest.c
	                          probes to tell which) */
	SL_SLURM_REJECTED,     /* Slurm refused the request (bad partition, limits) */
	SL_SLURM_NO_JOB,       /* no such job id */
	SL_SLURM_PROTOCOL      /* a reply that is not what v0.0.38 sends */
} sl_slurm_fault;

/* "ok", "unreachable", "slurmctld down", "authentication", ... */
const char *sl_slurm_fault_name(sl_slurm_fault f);

/* The SL_E* code for a fault: SL_EIO for UNREACHABLE, LOST, CTLD_DOWN, AUTH
 * and AMBIGUOUS (the cluster is unusable), SL_EINVAL for REJECTED, SL_ENOTFOUND
 * for NO_JOB, SL_EPARSE for PROTOCOL, 0 for OK. */
int sl_slurm_fault_code(sl_slurm_fault f);

/* Classify a reply by HTTP status and body (any text, may be empty or not
 * JSON).  A 2xx/304 reply with an empty `errors` array is SL_SLURM_OK.
 * Writes a one-line description of Slurm's complaint into msg (n bytes),
 * e.g. "Invalid partition name specified (error 2000)". */
sl_slurm_fault sl_slurm_reply_fault(long http_status, const char *body, size_t len,
                                    char *msg, size_t n);

/* Parse a successful POST /job/submit reply.  Errors: SL_EPARSE (not JSON,
 * no positive job_id). */
int sl_slurm_parse_submit(const char *body, size_t len, int64_t *job_id, sl_err *err);

/* Parse a GET /jobs or /job/{id} reply, appending every job to *out (the
 * caller owns it; sl_vec_free).  Errors: SL_EPARSE naming the job index and
 * key; *out keeps what was appended before the bad entry is not added. */
int sl_slurm_parse_jobs(const char *body, size_t len, sl_slurm_jobs *out, sl_err *err);

/* Parse a GET /nodes reply into the capacity of the nodes that belong to
 * partition (NULL or "": all nodes).  Errors: SL_EPARSE. */
int sl_slurm_parse_capacity(const char *body, size_t len, const char *partition,
                            sl_slurm_capacity *out, sl_err *err);

/* Parse a GET /ping reply: 0 when the first controller reports "UP", else
 * SL_EIO with the controller's answer.  Errors: SL_EPARSE. */
int sl_slurm_parse_ping(const char *body, size_t len, sl_err *err);

/* slurmctld's own statistics (GET /diag, what sdiag prints), for metrics.
 * Counters run since slurmctld started or `sdiag --reset`. */
typedef struct sl_slurm_diag {
	int64_t server_time_s;        /* slurmctld's clock when it answered (UTC s) */
	int32_t server_threads;       /* RPC threads busy */
	int32_t agent_queue;          /* outgoing RPCs queued (large: nodes not answering) */
	int64_t jobs_submitted, jobs_started, jobs_completed, jobs_canceled, jobs_failed;
	int64_t schedule_cycle_last_us;
} sl_slurm_diag;

/* Parse a GET /diag reply.  Errors: SL_EPARSE (no "statistics" object). */
int sl_slurm_parse_diag(const char *body, size_t len, sl_slurm_diag *out, sl_err *err);

/* A job to submit.  Pointers are borrowed for the call. */
typedef struct sl_slurm_submit {
	const char *script;       /* full batch script, starting with "#!" (required) */
	const char *name;         /* job name; NULL = "suanli" */
	const char *const *env;   /* NULL-terminated "NAME=value"; NULL = none */
	const char *default_path; /* PATH when env has none; NULL = /usr/local/bin:/usr/bin:/bin */
	const char *cwd;          /* working directory on the nodes (required, absolute) */
	const char *stdout_path;  /* absolute, or relative to cwd; NULL = Slurm's default */
	const char *stderr_path;  /* NULL = same as stdout */
	const char *partition;    /* NULL = cluster default */
	const char *account;      /* NULL = user default */
	const char *comment;      /* NULL = none */
	int64_t time_limit_s;     /* 0 = partition default; rounded up to minutes */
	int32_t cpus;             /* cores for its one task; 0 = 1 */
	int32_t gpus;             /* gres gpu per node (one node); 0 = none */
	int32_t memory_mb;        /* per node; 0 = Slurm default */
} sl_slurm_submit;

/* Build the POST /job/submit body (malloc'd JSON text in *out, caller frees
 * with sl_free).  Errors: SL_EINVAL naming the field (no script, relative
 * cwd, bad env entry, negative numbers). */
int sl_slurm_submit_body(const sl_slurm_submit *s, char **out, sl_err *err);

/* A /bin/sh batch script that runs argv exactly (each word single-quoted,
 * `exec`ed, no globbing or splitting).  With shell set, argv[0] is itself a
 * shell command run as `/bin/sh -c argv[0] sh argv[1]...`.  Malloc'd, caller
 * frees.  Errors: SL_EINVAL when argv is NULL or argv[0] empty. */
int sl_slurm_script_from_argv(const char *const *argv, int shell, char **out, sl_err *err);

/* The GPU count in a Slurm TRES/GRES string ("gres:gpu:2", "gpu:tesla:2(S:0)",
 * "gres/gpu=2", lists separated by ','); 0 when none. */
int32_t sl_slurm_gpu_count(const char *tres);

#endif
