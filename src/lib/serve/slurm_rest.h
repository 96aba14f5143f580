/*
 * slurm_rest.h — a blocking client for one Slurm cluster's slurmrestd
 * (REST API v0.0.38, Slurm 22.05), over TCP with a JWT token or over a unix
 * socket (rest_auth/local).
 *
 * Blocking by design: every call is one HTTP round trip bounded by the
 * configured timeouts (plus, only on an ambiguous failure, one probe).  The
 * `slurm` executor runs a client on its own worker thread so the service's
 * loop never waits; tests and tools call it directly.  A client is not
 * thread-safe: one thread at a time.
 *
 * Errors: every failure is an sl_err whose origin is the cluster name and
 * whose message names the request and what went wrong ("GET
 * /slurm/v0.0.38/jobs: slurmctld unreachable: Unable to contact slurm
 * controller (connect failure) (error 1800), HTTP 500"); sl_slurm_fault()
 * tells the caller which kind of failure it was (cluster down, token
 * rejected, request refused, unknown job).
 */
#ifndef SL_SLURM_REST_H
#define SL_SLURM_REST_H

#include <stdatomic.h>
#include <stdint.h>

#include "core/clock.h"
#include "core/err.h"
#include "serve/slurm_json.h"

/* How to reach one cluster.  Strings are copied by sl_slurm_new. */
typedef struct sl_slurm_conf {
	const char *cluster;         /* name for messages (required), e.g. "suanli-a" */
	const char *url;             /* "http://127.0.0.1:6821"; with unix_socket it may
	                                be NULL (then "http://localhost") */
	const char *unix_socket;     /* slurmrestd's unix socket, or NULL for TCP */
	const char *token_file;      /* file holding the JWT (a bare token, or the
	                                "SLURM_JWT=..." line scontrol prints); NULL:
	                                send no token (unix socket, local auth) */
	const char *user;            /* X-SLURM-USER-NAME; NULL = the token's "sun" */
	const sl_clock *clock;       /* optional: reject an expired token up front */
	int64_t connect_timeout_ms;  /* 0 = 3000 */
	int64_t timeout_ms;          /* whole request; 0 = 20000 (slurmrestd waits
	                                MessageTimeout for a dead slurmctld) */
} sl_slurm_conf;

typedef struct sl_slurm sl_slurm;

/* Create a client.  Checks the configuration and reads the token file (a
 * missing, empty or malformed token is an error here, not at the first
 * request); does not contact the cluster.  *out is written on success only.
 * Errors: SL_EINVAL (bad config or token, named), SL_EIO (token file
 * unreadable). */
int sl_slurm_new(const sl_slurm_conf *conf, sl_slurm **out, sl_err *err);

/* Free a client (NULL is fine). */
void sl_slurm_free(sl_slurm *c);

/* Let another thread abort this client's requests: while *flag is non-zero
 * a request in flight fails within about a second (fault LOST).  flag (borrowed) may be NULL to turn this off. */
void sl_slurm_set_abort(sl_slurm *c, const atomic_int *flag);

/* The cluster name the client was configured with. */
const char *sl_slurm_cluster(const sl_slurm *c);

/* The kind of the last call's failure (SL_SLURM_OK after a success).  When
 * Slurm's answer is the ambiguous "Unspecified error", the client has
 * already probed and reports CTLD_DOWN or AUTH instead. */
sl_slurm_fault sl_slurm_fault_of_last(const sl_slurm *c);

/* Is the controller up?  GET /ping.  Errors: SL_EIO (down, unreachable,
 * token rejected), SL_EPARSE. */
int sl_slurm_ping(sl_slurm *c, sl_err *err);

/* The cheapest unambiguous health check: 0 when slurmrestd answers,
 * slurmctld is reachable and accepts the token.  It asks Slurm to cancel
 * job 0, which cannot exist (so it changes nothing): Slurm 22.05 answers
 * that with slurmctld's own error number, where GET requests only say
 * "Unspecified error".  Errors: SL_EIO (fault UNREACHABLE, LOST, CTLD_DOWN
 * or AUTH). */
int sl_slurm_check(sl_slurm *c, sl_err *err);

/* Submit a batch job; *job_id is Slurm's id.  Errors: SL_EINVAL (bad spec
 * or Slurm refused it, e.g. an unknown partition), SL_EIO, SL_EPARSE. */
int sl_slurm_submit_job(sl_slurm *c, const sl_slurm_submit *spec, int64_t *job_id, sl_err *err);

/* The same with a body already built by sl_slurm_submit_body (so a caller
 * can check a spec on one thread and send it from another). */
int sl_slurm_submit_json(sl_slurm *c, const char *body, int64_t *job_id, sl_err *err);

/* One job.  Errors: SL_ENOTFOUND (Slurm does not know the id: never
 * existed, or purged after MinJobAge), SL_EIO, SL_EPARSE. */
int sl_slurm_get_job(sl_slurm *c, int64_t job_id, sl_slurm_job *out, sl_err *err);

/* Every job slurmctld still holds (running, pending, and finished ones for
 * MinJobAge), appended to *out.  With since_s > 0, asks for changes since
 * then: when nothing changed Slurm answers 304 and *changed is 0 (out
 * untouched); otherwise *changed is 1 and the full list is appended.
 * changed may be NULL.  Errors: SL_EIO, SL_EPARSE. */
int sl_slurm_list_jobs(sl_slurm *c, int64_t since_s, sl_slurm_jobs *out, int *changed,
                       sl_err *err);

/* Cancel a job (what scancel does: it ends as CANCELLED).  Cancelling a
 * job that already ended succeeds.  Errors: SL_ENOTFOUND, SL_EIO. */
int sl_slurm_cancel_job(sl_slurm *c, int64_t job_id, sl_err *err);

/* CPUs and GPUs of the nodes in partition (NULL: all), from GET /nodes.
 * Errors: SL_EIO, SL_EPARSE. */
int sl_slurm_get_capacity(sl_slurm *c, const char *partition, sl_slurm_capacity *out, sl_err *err);

/* slurmctld's statistics (GET /diag).  Errors: SL_EIO, SL_EPARSE. */
int sl_slurm_get_diag(sl_slurm *c, sl_slurm_diag *out, sl_err *err);

#endif
