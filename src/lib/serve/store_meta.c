/*
 * store_meta.c — tenants, token hashes and signal overrides on the write
 * connection.  These are rare writes (an operator adding a token, an admin
 * pushing a carbon value), so statements are prepared per call.
 */
#include "serve/store_int.h"

#include <string.h>

#include "core/banned.h"

int sl_store_token_key(sl_store *st, unsigned char key[SL_TOKEN_KEY_BYTES], sl_err *err)
{
	sqlite3 *db = sl_store_db(st);
	sqlite3_stmt *s = NULL;
	int rc;
	if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = 'token_key'", -1, &s,
	                       NULL) != SQLITE_OK)
		return sl__store_fail(db, err, "read token key");
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW || sqlite3_column_bytes(s, 0) != SL_TOKEN_KEY_BYTES) {
		sqlite3_finalize(s);
		return sl_err_set(err, SL_EIO, sl_store_path(st), "token key missing or damaged");
	}
	memcpy(key, sqlite3_column_blob(s, 0), SL_TOKEN_KEY_BYTES);
	sqlite3_finalize(s);
	return 0;
}

/* Prepare sql, let bind() fill it, step it once. */
static int exec1(sqlite3 *db, const char *sql, void (*bind)(sqlite3_stmt *, const void *),
                 const void *arg, sl_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc;
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		return sl__store_fail(db, err, sql);
	bind(s, arg);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc == SQLITE_CONSTRAINT)
		return sl_err_set(err, SL_EEXIST, NULL, "this token is already stored");
	return rc == SQLITE_DONE ? 0 : sl__store_fail(db, err, sql);
}

typedef struct token_args {
	const char *tenant;
	const unsigned char *hash;
	size_t hash_len;
	int admin;
	int64_t now, tid;
} token_args;

static void bind_tenant(sqlite3_stmt *s, const void *arg)
{
	const token_args *a = arg;
	sqlite3_bind_text(s, 1, a->tenant, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, a->now);
}

static void bind_token(sqlite3_stmt *s, const void *arg)
{
	const token_args *a = arg;
	sqlite3_bind_int64(s, 1, a->tid);
	sqlite3_bind_blob(s, 2, a->hash, (int)a->hash_len, SQLITE_STATIC);
	sqlite3_bind_int(s, 3, a->admin ? 1 : 0);
	sqlite3_bind_int64(s, 4, a->now);
}

static int64_t tenant_id(sqlite3 *db, const char *name)
{
	sqlite3_stmt *s = NULL;
	int64_t id = 0;
	if (sqlite3_prepare_v2(db, "SELECT id FROM tenants WHERE name = ?", -1, &s, NULL) !=
	    SQLITE_OK)
		return 0;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		id = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return id;
}

int sl_store_token_add(sl_store *st, const char *tenant, const unsigned char *hash,
                       size_t hash_len, int admin, int64_t now, int64_t *tid_out,
                       sl_err *err)
{
	sqlite3 *db = sl_store_db(st);
	token_args a = {tenant, hash, hash_len, admin, now, 0};
	int rc = sl_store_begin(st, err);
	if (rc < 0)
		return rc;
	rc = exec1(db, "INSERT OR IGNORE INTO tenants(name, created) VALUES(?, ?)", bind_tenant,
	           &a, err);
	if (rc < 0)
		goto fail;
	if ((a.tid = tenant_id(db, tenant)) == 0) {
		rc = sl__store_fail(db, err, "find tenant");
		goto fail;
	}
	rc = exec1(db, "INSERT INTO tokens(tenant, hash, admin, created) VALUES(?,?,?,?)",
	           bind_token, &a, err);
	if (rc < 0 || (rc = sl_store_commit(st, err)) < 0)
		goto fail;
	*tid_out = a.tid;
	return 0;
fail:
	sl_store_rollback(st);
	return rc;
}

int sl_store_sigover_put(sl_store *st, const sl_sigover *o, sl_err *err)
{
	sqlite3 *db = sl_store_db(st);
	sqlite3_stmt *s = NULL;
	int rc;
	const char *sql = o->has_carbon || o->has_price
		? "INSERT OR REPLACE INTO signal_overrides(zone, carbon_g_per_kwh,"
		  " price_cny_per_kwh, set_at, expires) VALUES(?1, ?2, ?3, ?4, ?5)"
		: "DELETE FROM signal_overrides WHERE zone = ?1";
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		return sl__store_fail(db, err, "signal override");
	sqlite3_bind_text(s, 1, o->zone, -1, SQLITE_STATIC);
	if (o->has_carbon || o->has_price) {
		if (o->has_carbon)
			sqlite3_bind_double(s, 2, o->carbon_g_per_kwh);
		if (o->has_price)
			sqlite3_bind_double(s, 3, o->price_cny_per_kwh);
		sqlite3_bind_int64(s, 4, o->set_at);
		sqlite3_bind_int64(s, 5, o->expires);
	}
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : sl__store_fail(db, err, "signal override");
}

int sl_store_sigover_each(sl_store *st, sl_sigover_fn fn, void *ud, sl_err *err)
{
	sqlite3 *db = sl_store_db(st);
	sqlite3_stmt *s = NULL;
	int rc;
	if (sqlite3_prepare_v2(db, "SELECT zone, carbon_g_per_kwh, price_cny_per_kwh, set_at,"
	                           " expires FROM signal_overrides ORDER BY zone", -1, &s,
	                       NULL) != SQLITE_OK)
		return sl__store_fail(db, err, "read signal overrides");
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		sl_sigover o = {0};
		o.zone = (const char *)sqlite3_column_text(s, 0);
		o.has_carbon = sqlite3_column_type(s, 1) != SQLITE_NULL;
		o.carbon_g_per_kwh = sqlite3_column_double(s, 1);
		o.has_price = sqlite3_column_type(s, 2) != SQLITE_NULL;
		o.price_cny_per_kwh = sqlite3_column_double(s, 2);
		o.set_at = sqlite3_column_int64(s, 3);
		o.expires = sqlite3_column_int64(s, 4);
		if ((rc = fn(ud, &o)) != 0) {
			sqlite3_finalize(s);
			return rc;
		}
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : sl__store_fail(db, err, "read signal overrides");
}
