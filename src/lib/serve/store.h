/*
 * store.h — the service's durable store: SQLite in WAL mode under a data
 * directory (DIR/suanli.db).
 *
 * Holds jobs (the full submitted body, state, placement, times, exit code,
 * accounting so far, the decision receipt), tenants and their hashed tokens,
 * the history of state transitions (events), live signal overrides, and a
 * small meta table (the token-hashing key).  The schema is versioned with
 * PRAGMA user_version and upgraded by an ordered list of migrations, each
 * applied in its own transaction.
 *
 * Connections.  An sl_store owns the one write connection; it is used by one
 * thread at a time (the group-commit writer, see writer.h, or a short-lived
 * command such as `suanli token add`).  Readers (HTTP handler threads) each
 * take an sl_store_reader, a separate read-only connection that sees the
 * last committed state (WAL readers never block the writer).
 *
 * Durability.  synchronous=FULL (the default) fsyncs the WAL at every
 * commit: a committed job survives power loss.  synchronous=NORMAL skips
 * that fsync: a commit still survives a crash or kill -9 of the process (the
 * WAL is in the OS page cache) but the last commits may be lost on power
 * loss.  Group commit (writer.h) makes FULL affordable.
 */
#ifndef SL_STORE_H
#define SL_STORE_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "core/err.h"

#define SL_STORE_FILE "suanli.db"
#define SL_STORE_SCHEMA_VERSION 1
#define SL_TOKEN_KEY_BYTES 32

/* Job states.  The first three are "active" (held by the event loop); the
 * rest are final.  Stored as integers; names are the API's spelling. */
typedef enum sl_jobstate {
	SL_JOB_QUEUED = 0,   /* acknowledged, waiting for a placement */
	SL_JOB_PLANNED = 1,  /* placed at a site, waiting for its start */
	SL_JOB_RUNNING = 2,  /* handed to the site's executor */
	SL_JOB_DONE = 3,     /* exited with status 0 */
	SL_JOB_FAILED = 4,   /* exited non-zero, killed by a signal, or lost */
	SL_JOB_TIMEOUT = 5,  /* killed at its time limit (runtime_s) */
	SL_JOB_CANCELLED = 6,
	SL_JOB_REJECTED = 7, /* no site can take it legally; reason says why */
	SL_JOB_NSTATES = 8
} sl_jobstate;

const char *sl_jobstate_name(int state);           /* "queued", ...; "?" if bad */
int sl_jobstate_parse(const char *name);           /* -1 if unknown */
static inline int sl_jobstate_active(int s) { return s >= SL_JOB_QUEUED && s <= SL_JOB_RUNNING; }

typedef struct sl_store sl_store;
typedef struct sl_store_reader sl_store_reader;

enum { SL_STORE_SYNC_FULL = 0, SL_STORE_SYNC_NORMAL = 1 };

/* Open (creating DIR and the database if needed) and migrate the store to
 * SL_STORE_SCHEMA_VERSION.  sync is SL_STORE_SYNC_*.  Returns 0, SL_EIO
 * (cannot create or open), SL_ESTATE (the database is from a newer suanli),
 * or SL_EINTERNAL (a migration failed; nothing of it is applied). */
int sl_store_open(const char *dir, int sync, sl_store **out, sl_err *err);
void sl_store_free(sl_store *st); /* accepts NULL */

/* The write connection (for the writer thread and tests). */
sqlite3 *sl_store_db(sl_store *st);
const char *sl_store_path(const sl_store *st);

/* Apply migrations steps[v..n-1] to db whose user_version is v, each in its
 * own transaction that also sets user_version.  A version above n is
 * SL_ESTATE; a failing step is rolled back and returns SL_EINTERNAL naming
 * the step.  Exposed for the store's own tests. */
int sl_store_migrate(sqlite3 *db, const char *const *steps, int n, sl_err *err);
int sl_store_user_version(sqlite3 *db);

/* Transactions on the write connection. */
int sl_store_begin(sl_store *st, sl_err *err);
int sl_store_commit(sl_store *st, sl_err *err);
void sl_store_rollback(sl_store *st);

/* ---- jobs ---- */

/* A job as submitted: what POST /v1/jobs stores.  Strings are borrowed. */
typedef struct sl_jobnew {
	int64_t tenant;            /* tenants.id */
	int64_t submit;            /* UTC seconds */
	const char *name;          /* or NULL */
	const char *command_json;  /* a JSON array of strings */
	const char *env_json;      /* a JSON object of strings, or NULL */
	int32_t cores, gpus;
	int64_t runtime_s, deadline_s, input_bytes, output_bytes;
	const char *origin;        /* scenario ids */
	const char *data_tag;      /* or NULL */
	const char *cls;           /* or NULL */
	double latency_budget_ms;
	int requeue;               /* 1: re-queue if lost at a restart */
} sl_jobnew;

/* Insert a queued job; *id gets its new id.  Write connection, inside a
 * transaction.  Returns 0 or SL_EIO. */
int sl_store_job_insert(sl_store *st, const sl_jobnew *job, int64_t *id, sl_err *err);

/* A change of a job's state and the fields that go with it.  Fields whose
 * "set" flag is 0 keep their stored value. */
typedef struct sl_jobupd {
	int64_t id;
	int state;                 /* sl_jobstate */
	int64_t t;                 /* when (UTC), recorded in the event */
	const char *reason;        /* or NULL: keep */
	const char *site;          /* or NULL: keep */
	int set_plan;   int64_t planned_start, planned_end;
	int set_start;  int64_t start;            /* 0 clears */
	int set_end;    int64_t end;              /* 0 clears */
	int set_exit;   int exit_code;
	int set_handle; const char *handle;       /* executor handle; NULL/"" clears */
	int set_acct;   double energy_kwh, carbon_g, cost_cny;
	int add_attempt;
	const char *receipt_json;  /* or NULL: keep */
	const char *event;         /* event kind to record, or NULL for none */
	const char *detail;        /* event detail, or NULL */
} sl_jobupd;

/* Apply an update (write connection, inside a transaction).  Returns 0,
 * SL_ENOTFOUND or SL_EIO. */
int sl_store_job_update(sl_store *st, const sl_jobupd *u, sl_err *err);

/* Copies of a job's stored command and environment JSON (write
 * connection; *env_json is NULL when the job has none).  The caller frees
 * both with sl_free.  Returns 0, SL_ENOTFOUND or SL_EIO. */
int sl_store_job_argv(sl_store *st, int64_t id, char **command_json, char **env_json,
                      sl_err *err);

/* A stored job as read back.  Strings are borrowed from the statement and
 * valid only during the callback that receives the row. */
typedef struct sl_jobrow {
	int64_t id;
	int64_t tenant;
	const char *tenant_name;
	int64_t submit;
	const char *name, *command_json, *env_json;
	int32_t cores, gpus;
	int64_t runtime_s, deadline_s, input_bytes, output_bytes;
	const char *origin, *data_tag, *cls;
	double latency_budget_ms;
	int state;
	const char *reason, *site;
	int has_plan;  int64_t planned_start, planned_end;
	int has_start; int64_t start;
	int has_end;   int64_t end;
	int has_exit;  int exit_code;
	const char *handle;        /* executor handle (to adopt after a restart) or NULL */
	int requeue;
	int attempts;
	double energy_kwh, carbon_g, cost_cny;
	const char *receipt_json;
	int64_t updated;
} sl_jobrow;

typedef int (*sl_jobrow_fn)(void *ud, const sl_jobrow *row);

/* Call fn for every active job (queued, planned, running) in id order,
 * on the write connection (used at startup).  A non-zero return from fn
 * stops and is returned. */
int sl_store_jobs_active(sl_store *st, sl_jobrow_fn fn, void *ud, sl_err *err);

/* Count jobs per state into counts[SL_JOB_NSTATES]; *max_id gets the
 * largest id (0 if none). */
int sl_store_job_counts(sl_store *st, int64_t *counts, int64_t *max_id, sl_err *err);

/* Append an event without a state change (write connection). */
int sl_store_event_add(sl_store *st, int64_t job, int64_t t, const char *kind,
                       const char *detail, sl_err *err);

/* ---- tenants and tokens ---- */

/* The 32-byte key tokens are hashed with (created with the database). */
int sl_store_token_key(sl_store *st, unsigned char key[SL_TOKEN_KEY_BYTES], sl_err *err);

/* Create tenant `name` if new, and add a token hash for it.  *tenant_id
 * gets the tenant's id.  Runs its own transaction.  Returns 0, SL_EEXIST
 * (the hash is already stored) or SL_EIO. */
int sl_store_token_add(sl_store *st, const char *tenant, const unsigned char *hash,
                       size_t hash_len, int admin, int64_t now, int64_t *tenant_id,
                       sl_err *err);

/* ---- signal overrides ---- */

typedef struct sl_sigover {
	const char *zone;
	int has_carbon;  double carbon_g_per_kwh;
	int has_price;   double price_cny_per_kwh;
	int64_t set_at;
	int64_t expires;           /* UTC; 0 = never */
} sl_sigover;

/* Set (replace) the override of a zone; a row with neither value clears it. */
int sl_store_sigover_put(sl_store *st, const sl_sigover *o, sl_err *err);
typedef int (*sl_sigover_fn)(void *ud, const sl_sigover *o);
int sl_store_sigover_each(sl_store *st, sl_sigover_fn fn, void *ud, sl_err *err);

/* ---- readers ---- */

/* Open a read-only connection on the store's database. */
int sl_store_reader_open(const sl_store *st, sl_store_reader **out, sl_err *err);
void sl_store_reader_free(sl_store_reader *rd);

/* Read one job.  Returns fn's result, or SL_ENOTFOUND, or SL_EIO. */
int sl_store_job_get(sl_store_reader *rd, int64_t id, sl_jobrow_fn fn, void *ud, sl_err *err);

/* A page of jobs, newest first.  Zero/NULL fields do not filter. */
typedef struct sl_jobfilter {
	int64_t tenant;            /* 0 = every tenant */
	int state;                 /* -1 = any */
	const char *site, *origin; /* NULL = any */
	int64_t before_id;         /* only ids < this; 0 = from the newest */
	int limit;                 /* 1..1000 */
} sl_jobfilter;

/* Call fn for each job of the page; *nrows gets the number of rows. */
int sl_store_jobs_list(sl_store_reader *rd, const sl_jobfilter *f, sl_jobrow_fn fn, void *ud,
                       int *nrows, sl_err *err);

/* Look a token hash up: *tenant_id, *admin and tenant name (into name, n
 * bytes).  Returns 0, SL_ENOTFOUND (unknown or revoked) or SL_EIO. */
int sl_store_token_lookup(sl_store_reader *rd, const unsigned char *hash, size_t hash_len,
                          int64_t *tenant_id, int *admin, char *name, size_t n, sl_err *err);

/* The id of tenant name: 0, SL_ENOTFOUND or SL_EIO. */
int sl_store_tenant_id(sl_store_reader *rd, const char *name, int64_t *id, sl_err *err);

/* The events of a job in order: fn(ud, t, kind, detail). */
typedef int (*sl_event_fn)(void *ud, int64_t t, const char *kind, const char *detail);
int sl_store_job_events(sl_store_reader *rd, int64_t id, sl_event_fn fn, void *ud, sl_err *err);

#endif
