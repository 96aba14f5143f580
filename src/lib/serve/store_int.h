/*
 * store_int.h — private to the store module (store.c, store_read.c).
 */
#ifndef SL_STORE_INT_H
#define SL_STORE_INT_H

#include "serve/store.h"

/* Map a failed SQLite call to SL_EIO with the connection's message. */
int sl__store_fail(sqlite3 *db, sl_err *err, const char *what);

/* Prepare sql on db into *st (keeps an existing statement). */
int sl__store_prep(sqlite3 *db, sqlite3_stmt **st, const char *sql, sl_err *err);

/* Fill a row from a statement whose columns are SL__JOB_COLUMNS. */
void sl__store_row(sqlite3_stmt *s, sl_jobrow *r);

/* The column list every job SELECT uses (jobs j LEFT JOIN tenants t). */
#define SL__JOB_COLUMNS \
	"j.id, j.tenant, t.name, j.submit, j.name, j.command, j.env, j.cores, j.gpus, " \
	"j.runtime_s, j.deadline_s, j.input_bytes, j.output_bytes, j.origin, j.data_tag, " \
	"j.class, j.latency_budget_ms, j.state, j.reason, j.site, j.planned_start, " \
	"j.planned_end, j.start, j.end, j.exit_code, j.handle, j.requeue, j.attempts, " \
	"j.energy_kwh, j.carbon_g, j.cost_cny, j.receipt, j.updated"
#define SL__JOB_FROM " FROM jobs j LEFT JOIN tenants t ON t.id = j.tenant "

#endif
