/*
 * server.h — `suanli serve` as a library object: the store, the
 * group-commit writer, the event loop (policy, site queues, executor) and
 * the HTTP API (libmicrohttpd), started and stopped together.
 *
 * Threads: libmicrohttpd's pool (http_threads) parses requests, checks
 * tokens, validates bodies and reads committed state from SQLite read
 * connections; requests that need the scheduler's state (cancel, sites,
 * signals, metrics) or a durable write (submit, signal overrides) are
 * suspended and handed to the loop or the writer, which resume them when
 * done.  The API is documented in docs/service.md.
 *
 * Executors: a site whose backend is `slurm` (in the scenario, or set by
 * the operator) gets its own `slurm` executor, configured from the
 * scenario's sites[].slurm and the operator's options (docs/slurm.md);
 * every other site runs on the shared executor (local processes).
 */
#ifndef SL_SERVER_H
#define SL_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "model/network.h"

#define SL_SERVER_MAX_BODY_DEFAULT (64 * 1024)

/* An operator's choice of backend for one site, over the scenario's
 * (`suanli serve --site-backend SITE=BACKEND[:key=value,...]`).  All
 * strings borrowed. */
typedef struct sl_server_site {
	const char *site;          /* a site id of the scenario */
	const char *backend;       /* "local" or "slurm" */
	const char *options;       /* slurm: "key=value,..." — the slurm executor's options
	                              (url, socket, token_file, user, cluster, partition,
	                              account, poll_ms, idle_poll_ms, timeout_ms, tag) and
	                              jobs_dir; merged over the scenario's sites[].slurm
	                              (a url or socket here replaces both of its); or NULL */
} sl_server_site;

typedef struct sl_server_config {
	const sl_network *net;      /* borrowed; must outlive the server */
	const char *data_dir;       /* the store and the jobs' directories */
	const char *host;           /* an IPv4 address to listen on: "127.0.0.1" */
	int port;                   /* 0: any free port (see sl_server_port) */
	const char *policy;         /* a registry name: "greenest" */
	const char *policy_params;  /* or NULL */
	const char *executor;       /* the shared executor of sites that are not Slurm
	                               clusters: "local" (NULL = "local") */
	const sl_server_site *site_backends; /* [nsite_backends] operator overrides */
	size_t nsite_backends;
	int32_t failover_max;       /* see sl_loop_config; 0 = 3 */
	int64_t failover_after_s;   /* see sl_loop_config; 0 = 30 */
	int sync;                   /* SL_STORE_SYNC_* */
	int carbon_mode;            /* SL_CARBON_* */
	int http_threads;           /* 0 = 2 */
	size_t max_body;            /* bytes; 0 = SL_SERVER_MAX_BODY_DEFAULT */
	size_t max_active;          /* active jobs before 429; 0 = 1000000 */
	size_t max_pending;         /* uncommitted submissions before 429; 0 = 65536 */
	int32_t local_slots;        /* real processes per site; 0 = capacity only */
	int64_t grace_ms;           /* SIGTERM→SIGKILL on cancel and time limit */
	const sl_clock *clock;      /* required; borrowed */
	const sl_logger *log;       /* may be NULL; borrowed */
} sl_server_config;

typedef struct sl_server sl_server;

/* Open the store, recover, and start serving.  Returns 0, SL_EINVAL (bad
 * config, unknown policy), SL_EIO (store, address in use) or another
 * SL_E* with err naming the cause. */
int sl_server_start(const sl_server_config *cfg, sl_server **out, sl_err *err);

/* The port actually listened on. */
int sl_server_port(const sl_server *srv);

/* Graceful stop: refuse new requests (503) and stop listening, answer
 * every request in flight, commit everything acknowledged, and leave
 * running jobs running and recorded (a restart adopts them). */
void sl_server_stop(sl_server *srv);
void sl_server_free(sl_server *srv); /* stops first; accepts NULL */

#endif
