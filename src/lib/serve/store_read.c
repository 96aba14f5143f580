/*
 * store_read.c — read-only connections for the HTTP handlers: one job, a
 * filtered page of jobs, a job's events, token lookup.
 *
 * A reader is used by one thread at a time.  The job listing has one
 * statement per combination of filters (prepared on first use), so each
 * combination gets a plan that can use the (tenant, id) index.
 */
#include "serve/store_int.h"

#include <stdio.h>
#include <string.h>

#include "core/mem.h"
#include "core/banned.h"

#define NLIST 16 /* 2^4 filter combinations: tenant, state, site, origin */

struct sl_store_reader {
	sqlite3 *db;
	sqlite3_stmt *get, *token, *events, *tenant;
	sqlite3_stmt *list[NLIST];
};

int sl_store_reader_open(const sl_store *st, sl_store_reader **out, sl_err *err)
{
	sl_store_reader *rd = sl_calloc(1, sizeof *rd);
	if (sqlite3_open_v2(sl_store_path(st), &rd->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX,
	                    NULL) != SQLITE_OK) {
		sl_err_set(err, SL_EIO, sl_store_path(st), "cannot open database for reading: %s",
		           rd->db ? sqlite3_errmsg(rd->db) : "out of memory");
		sl_store_reader_free(rd);
		return SL_EIO;
	}
	sqlite3_busy_timeout(rd->db, 5000);
	*out = rd;
	return 0;
}

void sl_store_reader_free(sl_store_reader *rd)
{
	if (!rd)
		return;
	sqlite3_finalize(rd->get);
	sqlite3_finalize(rd->token);
	sqlite3_finalize(rd->events);
	sqlite3_finalize(rd->tenant);
	for (int i = 0; i < NLIST; i++)
		sqlite3_finalize(rd->list[i]);
	sqlite3_close(rd->db);
	sl_free(rd);
}

static const char *text(sqlite3_stmt *s, int i)
{
	return (const char *)sqlite3_column_text(s, i);
}

static int has(sqlite3_stmt *s, int i)
{
	return sqlite3_column_type(s, i) != SQLITE_NULL;
}

void sl__store_row(sqlite3_stmt *s, sl_jobrow *r)
{
	memset(r, 0, sizeof *r);
	r->id = sqlite3_column_int64(s, 0);
	r->tenant = sqlite3_column_int64(s, 1);
	r->tenant_name = text(s, 2);
	r->submit = sqlite3_column_int64(s, 3);
	r->name = text(s, 4);
	r->command_json = text(s, 5);
	r->env_json = text(s, 6);
	r->cores = sqlite3_column_int(s, 7);
	r->gpus = sqlite3_column_int(s, 8);
	r->runtime_s = sqlite3_column_int64(s, 9);
	r->deadline_s = sqlite3_column_int64(s, 10);
	r->input_bytes = sqlite3_column_int64(s, 11);
	r->output_bytes = sqlite3_column_int64(s, 12);
	r->origin = text(s, 13);
	r->data_tag = text(s, 14);
	r->cls = text(s, 15);
	r->latency_budget_ms = sqlite3_column_double(s, 16);
	r->state = sqlite3_column_int(s, 17);
	r->reason = text(s, 18);
	r->site = text(s, 19);
	r->has_plan = has(s, 20);
	r->planned_start = sqlite3_column_int64(s, 20);
	r->planned_end = sqlite3_column_int64(s, 21);
	r->has_start = has(s, 22);
	r->start = sqlite3_column_int64(s, 22);
	r->has_end = has(s, 23);
	r->end = sqlite3_column_int64(s, 23);
	r->has_exit = has(s, 24);
	r->exit_code = sqlite3_column_int(s, 24);
	r->handle = text(s, 25);
	r->requeue = sqlite3_column_int(s, 26);
	r->attempts = sqlite3_column_int(s, 27);
	r->energy_kwh = sqlite3_column_double(s, 28);
	r->carbon_g = sqlite3_column_double(s, 29);
	r->cost_cny = sqlite3_column_double(s, 30);
	r->receipt_json = text(s, 31);
	r->updated = sqlite3_column_int64(s, 32);
}

int sl_store_job_get(sl_store_reader *rd, int64_t id, sl_jobrow_fn fn, void *ud, sl_err *err)
{
	sl_jobrow row;
	int rc = sl__store_prep(rd->db, &rd->get,
	                        "SELECT " SL__JOB_COLUMNS SL__JOB_FROM "WHERE j.id = ?", err);
	if (rc < 0)
		return rc;
	sqlite3_bind_int64(rd->get, 1, id);
	rc = sqlite3_step(rd->get);
	if (rc == SQLITE_ROW) {
		sl__store_row(rd->get, &row);
		rc = fn(ud, &row);
	} else if (rc == SQLITE_DONE) {
		rc = sl_err_set(err, SL_ENOTFOUND, NULL, "job %lld not found", (long long)id);
	} else {
		rc = sl__store_fail(rd->db, err, "read job");
	}
	sqlite3_reset(rd->get);
	return rc;
}

/* The statement for one filter combination (bit 0 tenant, 1 state, 2 site,
 * 3 origin); parameters ?1..?4 are the filters, ?5 before_id, ?6 limit. */
static int list_stmt(sl_store_reader *rd, int mask, sl_err *err)
{
	char sql[1024];
	snprintf(sql, sizeof sql,
	         "SELECT " SL__JOB_COLUMNS SL__JOB_FROM "WHERE j.id < ?5%s%s%s%s"
	         " ORDER BY j.id DESC LIMIT ?6",
	         mask & 1 ? " AND j.tenant = ?1" : "", mask & 2 ? " AND j.state = ?2" : "",
	         mask & 4 ? " AND j.site = ?3" : "", mask & 8 ? " AND j.origin = ?4" : "");
	return sl__store_prep(rd->db, &rd->list[mask], sql, err);
}

int sl_store_jobs_list(sl_store_reader *rd, const sl_jobfilter *f, sl_jobrow_fn fn, void *ud,
                       int *nrows, sl_err *err)
{
	int mask = (f->tenant ? 1 : 0) | (f->state >= 0 ? 2 : 0) | (f->site ? 4 : 0) |
	           (f->origin ? 8 : 0);
	int rc = list_stmt(rd, mask, err), n = 0;
	sqlite3_stmt *s = rd->list[mask];
	sl_jobrow row;
	if (rc < 0)
		return rc;
	if (mask & 1)
		sqlite3_bind_int64(s, 1, f->tenant);
	if (mask & 2)
		sqlite3_bind_int(s, 2, f->state);
	if (mask & 4)
		sqlite3_bind_text(s, 3, f->site, -1, SQLITE_STATIC);
	if (mask & 8)
		sqlite3_bind_text(s, 4, f->origin, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, f->before_id > 0 ? f->before_id : INT64_MAX);
	sqlite3_bind_int(s, 6, f->limit);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		sl__store_row(s, &row);
		n++;
		if ((rc = fn(ud, &row)) != 0)
			break;
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != 0 && rc != SQLITE_DONE)
		return rc < 0 ? rc : sl__store_fail(rd->db, err, "list jobs");
	*nrows = n;
	return 0;
}

int sl_store_token_lookup(sl_store_reader *rd, const unsigned char *hash, size_t hash_len,
                          int64_t *tenant_id, int *admin, char *name, size_t n, sl_err *err)
{
	int rc = sl__store_prep(rd->db, &rd->token,
	                        "SELECT k.tenant, k.admin, t.name FROM tokens k"
	                        " JOIN tenants t ON t.id = k.tenant"
	                        " WHERE k.hash = ? AND k.revoked IS NULL", err);
	if (rc < 0)
		return rc;
	sqlite3_bind_blob(rd->token, 1, hash, (int)hash_len, SQLITE_STATIC);
	rc = sqlite3_step(rd->token);
	if (rc == SQLITE_ROW) {
		*tenant_id = sqlite3_column_int64(rd->token, 0);
		*admin = sqlite3_column_int(rd->token, 1);
		snprintf(name, n, "%s", text(rd->token, 2));
		rc = 0;
	} else if (rc == SQLITE_DONE) {
		rc = sl_err_set(err, SL_ENOTFOUND, NULL, "unknown token");
	} else {
		rc = sl__store_fail(rd->db, err, "token lookup");
	}
	sqlite3_reset(rd->token);
	return rc;
}

int sl_store_job_events(sl_store_reader *rd, int64_t id, sl_event_fn fn, void *ud, sl_err *err)
{
	int rc = sl__store_prep(rd->db, &rd->events,
	                        "SELECT t, kind, detail FROM events WHERE job = ? ORDER BY id", err);
	if (rc < 0)
		return rc;
	sqlite3_bind_int64(rd->events, 1, id);
	while ((rc = sqlite3_step(rd->events)) == SQLITE_ROW) {
		rc = fn(ud, sqlite3_column_int64(rd->events, 0), text(rd->events, 1),
		        text(rd->events, 2));
		if (rc != 0)
			break;
	}
	sqlite3_reset(rd->events);
	if (rc != 0 && rc != SQLITE_DONE)
		return rc < 0 ? rc : sl__store_fail(rd->db, err, "read events");
	return 0;
}

int sl_store_tenant_id(sl_store_reader *rd, const char *name, int64_t *id, sl_err *err)
{
	int rc = sl__store_prep(rd->db, &rd->tenant, "SELECT id FROM tenants WHERE name = ?", err);
	if (rc < 0)
		return rc;
	sqlite3_bind_text(rd->tenant, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(rd->tenant);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(rd->tenant, 0);
		rc = 0;
	} else if (rc == SQLITE_DONE) {
		rc = sl_err_set(err, SL_ENOTFOUND, NULL, "no tenant \"%s\"", name);
	} else {
		rc = sl__store_fail(rd->db, err, "find tenant");
	}
	sqlite3_reset(rd->tenant);
	return rc;
}
