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

typedef struct sl_server_config {
	const sl_network *net;      /* borrowed; must outlive the server */
	const char *data_dir;       /* the store and the jobs' directories */
	const char *host;           /* an IPv4 address to listen on: "127.0.0.1" */
	int port;                   /* 0: any free port (see sl_server_port) */
	const char *policy;         /* a registry name: "greenest" */
	const char *policy_params;  /* or NULL */
	const char *executor;       /* "local" (NULL = "local") */
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
