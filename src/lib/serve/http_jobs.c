/*
 * http_jobs.c — the job endpoints: submit (group-committed, acknowledged
 * after the commit), list with filters and an opaque cursor, get one (with
 * its receipt and events), cancel.
 */
#include "serve/server_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/banned.h"

/* ---- POST /v1/jobs ---- */

static int insert_apply(sl_store *st, sl_wop *op, sl_err *err)
{
	req *r = (req *)((char *)op - offsetof(req, op));
	sl_jobnew n;
	sl_api_jobnew(&r->spec, r->who.tenant, r->submit_t, &n);
	return sl_store_job_insert(st, &n, &r->id, err);
}

/* Writer thread, after the commit: hand the job to the loop, answer. */
static void insert_done(sl_wop *op, int rc)
{
	req *r = (req *)((char *)op - offsetof(req, op));
	sl_server *srv = r->srv;
	char buf[96];
	int n;
	if (rc < 0) {
		sl_loop_unreserve(srv->loop);
		sl__http_fail(r, 500, "internal", "the job could not be stored (%s)", sl_strerror(rc));
		sl__http_resume(r);
		return;
	}
	sl_loop_job(srv->loop, r->id, r->who.tenant, r->submit_t, &r->spec.job, r->spec.requeue);
	atomic_fetch_add(&srv->stats.submissions, 1);
	n = snprintf(buf, sizeof buf, "{\"id\":%lld,\"state\":\"queued\"}", (long long)r->id);
	snprintf(r->location, sizeof r->location, "/v1/jobs/%lld", (long long)r->id);
	sl__http_respond(r, 201, sl_strdup(buf), (size_t)n, NULL);
	sl__http_resume(r);
}

void sl__api_jobs_post(req *r)
{
	sl_server *srv = r->srv;
	sl_apierr e = {0};
	int rc;
	if (sl_api_job_parse(srv->cfg.net, r->body ? r->body : "", r->len, &r->spec, &e) < 0) {
		sl__http_error(r, &e);
		return;
	}
	if (sl_loop_reserve(srv->loop) < 0) {
		sl__http_fail(r, 429, "queue_full", "the queue holds its maximum of %zu active jobs; "
		              "retry later", srv->cfg.max_active);
		return;
	}
	r->submit_t = sl_clock_now(srv->cfg.clock);
	r->op.apply = insert_apply;
	r->op.done = insert_done;
	sl__http_suspend(r);
	rc = sl_writer_submit(srv->writer, &r->op, 0);
	if (rc < 0) {
		sl_loop_unreserve(srv->loop);
		if (rc == SL_EFULL)
			sl__http_fail(r, 429, "queue_full", "too many submissions waiting for their "
			              "commit; retry later");
		else
			sl__http_fail(r, 503, "stopping", "the service is shutting down");
		sl__http_resume(r);
	}
}

/* ---- GET /v1/jobs/{id} ---- */

typedef struct getctx {
	req *r;
	json_t *job;
	int64_t tenant;
	int state;
} getctx;

static int got_job(void *ud, const sl_jobrow *row)
{
	getctx *g = ud;
	g->tenant = row->tenant;
	g->state = row->state;
	if (g->r->who.admin || row->tenant == g->r->who.tenant)
		g->job = sl_api_job_json(row, 1);
	return 0;
}

static int got_event(void *ud, int64_t t, const char *kind, const char *detail)
{
	json_array_append_new(ud, json_pack("{s:I,s:s,s:s?}", "t", (json_int_t)t, "event", kind,
	                                    "detail", detail));
	return 0;
}

/* Read job id for r: 0 with g filled, or -1 with the error response set
 * (404, 403, 500). */
static int read_job(req *r, int64_t id, getctx *g, int with_events)
{
	sl_store_reader *rd = sl__reader_take(r->srv);
	sl_err err = {0};
	int rc;
	memset(g, 0, sizeof *g);
	g->r = r;
	rc = sl_store_job_get(rd, id, got_job, g, &err);
	if (rc == 0 && g->job && with_events) {
		json_t *ev = json_array();
		sl_store_job_events(rd, id, got_event, ev, &err);
		json_object_set_new(g->job, "events", ev);
	}
	sl__reader_give(r->srv, rd);
	if (rc == SL_ENOTFOUND) {
		sl__http_fail(r, 404, "not_found", "job %lld does not exist", (long long)id);
		return -1;
	}
	if (rc < 0) {
		sl__http_fail(r, 500, "internal", "reading job %lld failed: %s", (long long)id,
		              err.msg);
		return -1;
	}
	if (!g->job) {
		sl__http_fail(r, 403, "forbidden", "job %lld belongs to another tenant",
		              (long long)id);
		return -1;
	}
	return 0;
}

static void respond_json(req *r, int status, json_t *o)
{
	char *s = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(10));
	size_t n = s ? strlen(s) : 0;
	char *copy = sl_malloc(n + 1);
	memcpy(copy, s ? s : "", n + 1);
	free(s);
	json_decref(o);
	sl__http_respond(r, status, copy, n, NULL);
}

void sl__api_job_get(req *r, int64_t id)
{
	getctx g;
	if (read_job(r, id, &g, 1) == 0)
		respond_json(r, 200, g.job);
}

/* ---- GET /v1/jobs ---- */

typedef struct listctx {
	req *r;
	json_t *jobs;
	int limit, n;
	int64_t last_id;
	const char *unknown;
} listctx;

static const char *get_arg(void *ud, const char *key)
{
	req *r = ud;
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, key);
}

static enum MHD_Result check_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                 const char *value)
{
	listctx *l = cls;
	(void)kind;
	(void)value;
	if (!sl_api_list_key_known(key)) {
		l->unknown = key;
		return MHD_NO;
	}
	return MHD_YES;
}

static int list_row(void *ud, const sl_jobrow *row)
{
	listctx *l = ud;
	if (l->n++ < l->limit) {
		json_array_append_new(l->jobs, sl_api_job_json(row, 0));
		l->last_id = row->id;
	}
	return 0;
}

/* The tenant filter: own jobs for a tenant, any (or a named) tenant for an
 * admin.  0, or -1 with the response set. */
static int tenant_filter(req *r, const char *name, sl_jobfilter *f)
{
	if (!r->who.admin) {
		if (name && strcmp(name, r->who.name) != 0) {
			sl__http_fail(r, 403, "forbidden", "tenant: only an admin may list the jobs of "
			              "another tenant");
			return -1;
		}
		f->tenant = r->who.tenant;
		return 0;
	}
	if (name) {
		sl_store_reader *rd = sl__reader_take(r->srv);
		int rc = sl_store_tenant_id(rd, name, &f->tenant, NULL);
		sl__reader_give(r->srv, rd);
		if (rc < 0)
			f->tenant = -1; /* unknown tenant: an empty page */
	}
	return 0;
}

void sl__api_jobs_list(req *r)
{
	listctx l = {r, NULL, 0, 0, 0, NULL};
	sl_jobfilter f;
	sl_apierr e = {0};
	sl_err err = {0};
	const char *tenant;
	int rc, nrows;
	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, check_arg, &l);
	if (l.unknown) {
		sl__http_fail(r, 400, "unknown_field", "%.60s: unknown query parameter (known: state, "
		              "site, origin, limit, cursor, tenant)", l.unknown);
		return;
	}
	if (sl_api_list_parse(get_arg, r, &f, &tenant, &e) < 0) {
		sl__http_error(r, &e);
		return;
	}
	if (tenant_filter(r, tenant, &f) < 0)
		return;
	l.jobs = json_array();
	l.limit = f.limit;
	f.limit++; /* one more tells whether there is a next page */
	sl_store_reader *rd = sl__reader_take(r->srv);
	rc = sl_store_jobs_list(rd, &f, list_row, &l, &nrows, &err);
	sl__reader_give(r->srv, rd);
	if (rc < 0) {
		json_decref(l.jobs);
		sl__http_fail(r, 500, "internal", "listing jobs failed: %s", err.msg);
		return;
	}
	json_t *next = json_null();
	if (l.n > l.limit) {
		char c[64];
		sl_api_cursor_encode(l.last_id, c, sizeof c);
		next = json_string(c);
	}
	respond_json(r, 200, json_pack("{s:o,s:o}", "jobs", l.jobs, "next", next));
}

/* ---- POST /v1/jobs/{id}/cancel ---- */

static void cancel_reply(sl_loopreq *lr)
{
	req *r = (req *)((char *)lr - offsetof(req, lr));
	switch (lr->status) {
	case 200: case 202:
		sl__http_respond(r, lr->status, lr->body, lr->body_len, NULL);
		break;
	case 409:
		sl__http_fail(r, 409, "conflict", "job %lld has already finished",
		              (long long)lr->job_id);
		break;
	case 403:
		sl__http_fail(r, 403, "forbidden", "job %lld belongs to another tenant",
		              (long long)lr->job_id);
		break;
	case 503:
		sl__http_fail(r, 503, "stopping", "the service is shutting down");
		break;
	default:
		sl__http_fail(r, 500, "internal", "cancel failed");
	}
	if (lr->status != 200 && lr->status != 202)
		sl_free(lr->body);
	sl__http_resume(r);
}

static int body_empty(const req *r)
{
	size_t i = 0;
	const char *b = r->body ? r->body : "";
	while (i < r->len && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t'))
		i++;
	if (i == r->len)
		return 1;
	json_t *o = json_loadb(b, r->len, 0, NULL);
	int ok = o && json_is_object(o) && json_object_size(o) == 0;
	json_decref(o);
	return ok;
}

void sl__api_job_cancel(req *r, int64_t id)
{
	getctx g;
	if (!body_empty(r)) {
		sl__http_fail(r, 400, "unknown_field", "cancel takes no body (or {})");
		return;
	}
	if (read_job(r, id, &g, 0) < 0)
		return;
	json_decref(g.job);
	if (!sl_jobstate_active(g.state)) {
		sl__http_fail(r, 409, "conflict", "job %lld has already finished (%s)", (long long)id,
		              sl_jobstate_name(g.state));
		return;
	}
	r->lr.kind = SL_LREQ_CANCEL;
	r->lr.job_id = id;
	r->lr.tenant = r->who.tenant;
	r->lr.admin = r->who.admin;
	r->lr.reply = cancel_reply;
	sl__http_suspend(r);
	sl_loop_request(r->srv->loop, &r->lr);
}
