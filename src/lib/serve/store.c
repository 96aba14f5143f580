/*
 * store.c — opening, migrating and writing the service's SQLite store.
 *
 * Reads for the HTTP API live in store_read.c.  Every statement on the write
 * connection is prepared once and reused; the write connection belongs to
 * one thread at a time (see store.h).
 */
#include "serve/store_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

#include "core/mem.h"
#include "core/banned.h"

struct sl_store {
	sqlite3 *db;
	char *dir, *path;
	sqlite3_stmt *ins_job, *upd_job, *ins_event, *active, *counts, *maxid, *argv;
	sqlite3_stmt *begin, *commit, *rollback;
};

/* Migration 1: the first schema.  Later migrations append to this list and
 * never edit an applied step. */
static const char *const migrations[] = {
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value BLOB NOT NULL);\n"
	"CREATE TABLE tenants(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,\n"
	"  created INTEGER NOT NULL);\n"
	"CREATE TABLE tokens(id INTEGER PRIMARY KEY,\n"
	"  tenant INTEGER NOT NULL REFERENCES tenants(id),\n"
	"  hash BLOB NOT NULL UNIQUE, admin INTEGER NOT NULL DEFAULT 0,\n"
	"  created INTEGER NOT NULL, revoked INTEGER);\n"
	"CREATE TABLE jobs(id INTEGER PRIMARY KEY,\n"
	"  tenant INTEGER NOT NULL, submit INTEGER NOT NULL, name TEXT,\n"
	"  command TEXT NOT NULL, env TEXT,\n"
	"  cores INTEGER NOT NULL, gpus INTEGER NOT NULL,\n"
	"  runtime_s INTEGER NOT NULL, deadline_s INTEGER NOT NULL,\n"
	"  input_bytes INTEGER NOT NULL, output_bytes INTEGER NOT NULL,\n"
	"  origin TEXT NOT NULL, data_tag TEXT, class TEXT,\n"
	"  latency_budget_ms REAL NOT NULL DEFAULT 0,\n"
	"  state INTEGER NOT NULL CHECK(state BETWEEN 0 AND 7), reason TEXT, site TEXT,\n"
	"  planned_start INTEGER, planned_end INTEGER, start INTEGER, end INTEGER,\n"
	"  exit_code INTEGER, handle TEXT, requeue INTEGER NOT NULL DEFAULT 0,\n"
	"  attempts INTEGER NOT NULL DEFAULT 0,\n"
	"  energy_kwh REAL NOT NULL DEFAULT 0, carbon_g REAL NOT NULL DEFAULT 0,\n"
	"  cost_cny REAL NOT NULL DEFAULT 0, receipt TEXT, updated INTEGER NOT NULL);\n"
	"CREATE INDEX jobs_tenant ON jobs(tenant, id);\n"
	"CREATE INDEX jobs_active ON jobs(id) WHERE state <= 2;\n"
	"CREATE TABLE events(id INTEGER PRIMARY KEY, job INTEGER NOT NULL,\n"
	"  t INTEGER NOT NULL, kind TEXT NOT NULL, detail TEXT);\n"
	"CREATE INDEX events_job ON events(job, id);\n"
	"CREATE TABLE signal_overrides(zone TEXT PRIMARY KEY,\n"
	"  carbon_g_per_kwh REAL, price_cny_per_kwh REAL,\n"
	"  set_at INTEGER NOT NULL, expires INTEGER NOT NULL DEFAULT 0);\n",
};

static const char *const state_names[SL_JOB_NSTATES] = {
	"queued", "planned", "running", "done", "failed", "timeout", "cancelled", "rejected",
};

const char *sl_jobstate_name(int state)
{
	return state >= 0 && state < SL_JOB_NSTATES ? state_names[state] : "?";
}

int sl_jobstate_parse(const char *name)
{
	for (int i = 0; i < SL_JOB_NSTATES; i++)
		if (strcmp(name, state_names[i]) == 0)
			return i;
	return -1;
}

int sl__store_fail(sqlite3 *db, sl_err *err, const char *what)
{
	return sl_err_set(err, SL_EIO, NULL, "%s: %s", what, db ? sqlite3_errmsg(db) : "no database");
}

int sl__store_prep(sqlite3 *db, sqlite3_stmt **st, const char *sql, sl_err *err)
{
	if (*st)
		return 0;
	if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL) != SQLITE_OK)
		return sl__store_fail(db, err, "prepare");
	return 0;
}

int sl_store_user_version(sqlite3 *db)
{
	sqlite3_stmt *s = NULL;
	int v = -1;
	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return v;
}

/* Run one migration step and bump user_version, all in one transaction. */
static int migrate_step(sqlite3 *db, const char *sql, int to, sl_err *err)
{
	char *msg = NULL, bump[64];
	snprintf(bump, sizeof bump, "PRAGMA user_version = %d", to);
	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, &msg) != SQLITE_OK)
		goto fail;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		goto fail;
	if (sqlite3_exec(db, bump, NULL, NULL, &msg) != SQLITE_OK)
		goto fail;
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, &msg) != SQLITE_OK)
		goto fail;
	return 0;
fail:
	sl_err_set(err, SL_EINTERNAL, NULL, "schema migration %d failed: %s", to,
	           msg ? msg : sqlite3_errmsg(db));
	sqlite3_free(msg);
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return SL_EINTERNAL;
}

int sl_store_migrate(sqlite3 *db, const char *const *steps, int n, sl_err *err)
{
	int v = sl_store_user_version(db);
	if (v < 0)
		return sl__store_fail(db, err, "read schema version");
	if (v > n)
		return sl_err_set(err, SL_ESTATE, NULL,
		                  "database schema version %d is newer than this suanli "
		                  "understands (%d): upgrade suanli", v, n);
	for (int i = v; i < n; i++) {
		int rc = migrate_step(db, steps[i], i + 1, err);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Create the token key on a new database (inside no transaction). */
static int ensure_token_key(sqlite3 *db, sl_err *err)
{
	unsigned char key[SL_TOKEN_KEY_BYTES];
	sqlite3_stmt *s = NULL;
	int rc = 0;
	randombytes_buf(key, sizeof key);
	if (sqlite3_prepare_v2(db, "INSERT OR IGNORE INTO meta(key, value) VALUES('token_key', ?)",
	                       -1, &s, NULL) != SQLITE_OK)
		return sl__store_fail(db, err, "token key");
	sqlite3_bind_blob(s, 1, key, sizeof key, SQLITE_TRANSIENT);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = sl__store_fail(db, err, "token key");
	sqlite3_finalize(s);
	sodium_memzero(key, sizeof key);
	return rc;
}

static int configure(sqlite3 *db, int sync, sl_err *err)
{
	char *msg = NULL;
	const char *sql = sync == SL_STORE_SYNC_NORMAL
		? "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
		: "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;";
	sqlite3_busy_timeout(db, 5000);
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		sl_err_set(err, SL_EIO, NULL, "configure database: %s", msg ? msg : "?");
		sqlite3_free(msg);
		return SL_EIO;
	}
	return 0;
}

static int make_dir(const char *dir, sl_err *err)
{
	struct stat sb;
	if (mkdir(dir, 0700) == 0)
		return 0;
	if (errno == EEXIST && stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode))
		return 0;
	return sl_err_set(err, SL_EIO, dir, "cannot create data directory: %s", strerror(errno));
}

int sl_store_open(const char *dir, int sync, sl_store **out, sl_err *err)
{
	sl_store *st = NULL;
	size_t n;
	int rc;
	if (sodium_init() < 0)
		return sl_err_set(err, SL_EINTERNAL, NULL, "libsodium failed to initialise");
	if ((rc = make_dir(dir, err)) < 0)
		return rc;
	st = sl_calloc(1, sizeof *st);
	st->dir = sl_strdup(dir);
	n = strlen(dir) + sizeof SL_STORE_FILE + 2;
	st->path = sl_malloc(n);
	snprintf(st->path, n, "%s/%s", dir, SL_STORE_FILE);
	if (sqlite3_open_v2(st->path, &st->db,
	                    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
	                    NULL) != SQLITE_OK) {
		rc = sl_err_set(err, SL_EIO, st->path, "cannot open database: %s",
		                st->db ? sqlite3_errmsg(st->db) : "out of memory");
		goto fail;
	}
	if ((rc = configure(st->db, sync, err)) < 0)
		goto fail;
	if ((rc = sl_store_migrate(st->db, migrations, SL_STORE_SCHEMA_VERSION, err)) < 0)
		goto fail;
	if ((rc = ensure_token_key(st->db, err)) < 0)
		goto fail;
	*out = st;
	return 0;
fail:
	sl_store_free(st);
	return rc;
}

void sl_store_free(sl_store *st)
{
	if (!st)
		return;
	sqlite3_stmt *all[] = {st->ins_job, st->upd_job, st->ins_event, st->active, st->counts,
	                       st->maxid, st->argv, st->begin, st->commit, st->rollback};
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
		sqlite3_finalize(all[i]);
	sqlite3_close(st->db);
	sl_free(st->dir);
	sl_free(st->path);
	sl_free(st);
}

sqlite3 *sl_store_db(sl_store *st) { return st->db; }
const char *sl_store_path(const sl_store *st) { return st->path; }

static int run_simple(sl_store *st, sqlite3_stmt **s, const char *sql, sl_err *err)
{
	int rc = sl__store_prep(st->db, s, sql, err);
	if (rc < 0)
		return rc;
	rc = sqlite3_step(*s);
	sqlite3_reset(*s);
	return rc == SQLITE_DONE ? 0 : sl__store_fail(st->db, err, sql);
}

int sl_store_begin(sl_store *st, sl_err *err)
{
	return run_simple(st, &st->begin, "BEGIN IMMEDIATE", err);
}

int sl_store_commit(sl_store *st, sl_err *err)
{
	return run_simple(st, &st->commit, "COMMIT", err);
}

void sl_store_rollback(sl_store *st)
{
	if (!sqlite3_get_autocommit(st->db))
		run_simple(st, &st->rollback, "ROLLBACK", NULL);
}

static void bind_text_or_null(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, i);
}

int sl_store_job_insert(sl_store *st, const sl_jobnew *j, int64_t *id, sl_err *err)
{
	static const char sql[] =
		"INSERT INTO jobs(tenant, submit, name, command, env, cores, gpus, runtime_s,"
		" deadline_s, input_bytes, output_bytes, origin, data_tag, class,"
		" latency_budget_ms, requeue, state, updated)"
		" VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,0,?)";
	sqlite3_stmt *s;
	int rc = sl__store_prep(st->db, &st->ins_job, sql, err);
	if (rc < 0)
		return rc;
	s = st->ins_job;
	sqlite3_bind_int64(s, 1, j->tenant);
	sqlite3_bind_int64(s, 2, j->submit);
	bind_text_or_null(s, 3, j->name);
	sqlite3_bind_text(s, 4, j->command_json, -1, SQLITE_STATIC);
	bind_text_or_null(s, 5, j->env_json);
	sqlite3_bind_int(s, 6, j->cores);
	sqlite3_bind_int(s, 7, j->gpus);
	sqlite3_bind_int64(s, 8, j->runtime_s);
	sqlite3_bind_int64(s, 9, j->deadline_s);
	sqlite3_bind_int64(s, 10, j->input_bytes);
	sqlite3_bind_int64(s, 11, j->output_bytes);
	sqlite3_bind_text(s, 12, j->origin, -1, SQLITE_STATIC);
	bind_text_or_null(s, 13, j->data_tag);
	bind_text_or_null(s, 14, j->cls);
	sqlite3_bind_double(s, 15, j->latency_budget_ms);
	sqlite3_bind_int(s, 16, j->requeue ? 1 : 0);
	sqlite3_bind_int64(s, 17, j->submit);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_DONE)
		return sl__store_fail(st->db, err, "insert job");
	*id = sqlite3_last_insert_rowid(st->db);
	return 0;
}

int sl_store_event_add(sl_store *st, int64_t job, int64_t t, const char *kind,
                       const char *detail, sl_err *err)
{
	int rc = sl__store_prep(st->db, &st->ins_event,
	                        "INSERT INTO events(job, t, kind, detail) VALUES(?,?,?,?)", err);
	if (rc < 0)
		return rc;
	sqlite3_bind_int64(st->ins_event, 1, job);
	sqlite3_bind_int64(st->ins_event, 2, t);
	sqlite3_bind_text(st->ins_event, 3, kind, -1, SQLITE_STATIC);
	bind_text_or_null(st->ins_event, 4, detail);
	rc = sqlite3_step(st->ins_event);
	sqlite3_reset(st->ins_event);
	return rc == SQLITE_DONE ? 0 : sl__store_fail(st->db, err, "insert event");
}

/* Every optional column is "col = CASE WHEN ?flag THEN ?value ELSE col END"
 * so one prepared statement serves every kind of update. */
static const char upd_sql[] =
	"UPDATE jobs SET state = ?2, updated = ?3,"
	" reason = COALESCE(?4, reason), site = COALESCE(?5, site),"
	" planned_start = CASE WHEN ?6 THEN ?7 ELSE planned_start END,"
	" planned_end = CASE WHEN ?6 THEN ?8 ELSE planned_end END,"
	" start = CASE WHEN ?9 THEN NULLIF(?10, 0) ELSE start END,"
	" end = CASE WHEN ?11 THEN NULLIF(?12, 0) ELSE end END,"
	" exit_code = CASE WHEN ?13 THEN ?14 ELSE exit_code END,"
	" handle = CASE WHEN ?15 THEN NULLIF(?16, '') ELSE handle END,"
	" energy_kwh = CASE WHEN ?18 THEN ?19 ELSE energy_kwh END,"
	" carbon_g = CASE WHEN ?18 THEN ?20 ELSE carbon_g END,"
	" cost_cny = CASE WHEN ?18 THEN ?21 ELSE cost_cny END,"
	" attempts = attempts + ?22,"
	" receipt = COALESCE(?23, receipt)"
	" WHERE id = ?1";

static void bind_update(sqlite3_stmt *s, const sl_jobupd *u)
{
	sqlite3_bind_int64(s, 1, u->id);
	sqlite3_bind_int(s, 2, u->state);
	sqlite3_bind_int64(s, 3, u->t);
	bind_text_or_null(s, 4, u->reason);
	bind_text_or_null(s, 5, u->site);
	sqlite3_bind_int(s, 6, u->set_plan);
	sqlite3_bind_int64(s, 7, u->planned_start);
	sqlite3_bind_int64(s, 8, u->planned_end);
	sqlite3_bind_int(s, 9, u->set_start);
	sqlite3_bind_int64(s, 10, u->start);
	sqlite3_bind_int(s, 11, u->set_end);
	sqlite3_bind_int64(s, 12, u->end);
	sqlite3_bind_int(s, 13, u->set_exit);
	sqlite3_bind_int(s, 14, u->exit_code);
	sqlite3_bind_int(s, 15, u->set_handle);
	bind_text_or_null(s, 16, u->set_handle ? (u->handle ? u->handle : "") : NULL);
	sqlite3_bind_int(s, 18, u->set_acct);
	sqlite3_bind_double(s, 19, u->energy_kwh);
	sqlite3_bind_double(s, 20, u->carbon_g);
	sqlite3_bind_double(s, 21, u->cost_cny);
	sqlite3_bind_int(s, 22, u->add_attempt ? 1 : 0);
	bind_text_or_null(s, 23, u->receipt_json);
}

int sl_store_job_update(sl_store *st, const sl_jobupd *u, sl_err *err)
{
	int rc = sl__store_prep(st->db, &st->upd_job, upd_sql, err);
	if (rc < 0)
		return rc;
	if (u->state < 0 || u->state >= SL_JOB_NSTATES)
		return sl_err_set(err, SL_EINVAL, NULL, "job %lld: bad state %d", (long long)u->id,
		                  u->state);
	bind_update(st->upd_job, u);
	rc = sqlite3_step(st->upd_job);
	sqlite3_reset(st->upd_job);
	sqlite3_clear_bindings(st->upd_job);
	if (rc != SQLITE_DONE)
		return sl__store_fail(st->db, err, "update job");
	if (sqlite3_changes(st->db) != 1)
		return sl_err_set(err, SL_ENOTFOUND, NULL, "job %lld not found", (long long)u->id);
	if (u->event)
		return sl_store_event_add(st, u->id, u->t, u->event, u->detail, err);
	return 0;
}

int sl_store_jobs_active(sl_store *st, sl_jobrow_fn fn, void *ud, sl_err *err)
{
	sl_jobrow row;
	int rc = sl__store_prep(st->db, &st->active,
	                        "SELECT " SL__JOB_COLUMNS SL__JOB_FROM
	                        "WHERE j.state <= 2 ORDER BY j.id", err);
	if (rc < 0)
		return rc;
	while ((rc = sqlite3_step(st->active)) == SQLITE_ROW) {
		sl__store_row(st->active, &row);
		if ((rc = fn(ud, &row)) != 0) {
			sqlite3_reset(st->active);
			return rc;
		}
	}
	sqlite3_reset(st->active);
	return rc == SQLITE_DONE ? 0 : sl__store_fail(st->db, err, "read active jobs");
}

int sl_store_job_counts(sl_store *st, int64_t *counts, int64_t *max_id, sl_err *err)
{
	int rc = sl__store_prep(st->db, &st->counts,
	                        "SELECT state, count(*) FROM jobs GROUP BY state", err);
	if (rc < 0 || (rc = sl__store_prep(st->db, &st->maxid,
	                                   "SELECT coalesce(max(id), 0) FROM jobs", err)) < 0)
		return rc;
	memset(counts, 0, sizeof *counts * SL_JOB_NSTATES);
	while ((rc = sqlite3_step(st->counts)) == SQLITE_ROW) {
		int s = sqlite3_column_int(st->counts, 0);
		if (s >= 0 && s < SL_JOB_NSTATES)
			counts[s] = sqlite3_column_int64(st->counts, 1);
	}
	sqlite3_reset(st->counts);
	if (rc != SQLITE_DONE)
		return sl__store_fail(st->db, err, "count jobs");
	rc = sqlite3_step(st->maxid);
	*max_id = rc == SQLITE_ROW ? sqlite3_column_int64(st->maxid, 0) : 0;
	sqlite3_reset(st->maxid);
	return rc == SQLITE_ROW ? 0 : sl__store_fail(st->db, err, "max job id");
}

int sl_store_job_argv(sl_store *st, int64_t id, char **command_json, char **env_json,
                      sl_err *err)
{
	int rc = sl__store_prep(st->db, &st->argv, "SELECT command, env FROM jobs WHERE id = ?",
	                        err);
	if (rc < 0)
		return rc;
	sqlite3_bind_int64(st->argv, 1, id);
	rc = sqlite3_step(st->argv);
	if (rc == SQLITE_ROW) {
		const char *env = (const char *)sqlite3_column_text(st->argv, 1);
		*command_json = sl_strdup((const char *)sqlite3_column_text(st->argv, 0));
		*env_json = env ? sl_strdup(env) : NULL;
		rc = 0;
	} else if (rc == SQLITE_DONE) {
		rc = sl_err_set(err, SL_ENOTFOUND, NULL, "job %lld not found", (long long)id);
	} else {
		rc = sl__store_fail(st->db, err, "read command");
	}
	sqlite3_reset(st->argv);
	return rc;
}
