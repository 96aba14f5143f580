/*
 * http.c — the libmicrohttpd glue: the request lifecycle, body limits,
 * routing, bearer tokens, responses, suspend/resume, request metrics.
 *
 * MHD calls the access handler first with the headers, then with each
 * piece of the body, then once with nothing left; a suspended request is
 * called once more after it is resumed, and then sends its response.
 */
#include "serve/server_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/mem.h"
#include "core/banned.h"

const double sl__http_bucket_s[SL_HTTP_NBUCKETS] = {
	0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
};
const int sl__http_codes[SL_HTTP_NCODES] = {
	200, 201, 202, 400, 401, 403, 404, 405, 409, 413, 429, 500, 503, 415,
};

void sl__http_respond(req *r, int status, char *body, size_t len, const char *ctype)
{
	sl_free(r->resp);
	r->status = status;
	r->resp = body ? body : sl_strdup("{}");
	r->resp_len = body ? len : 2;
	r->ctype = ctype ? ctype : "application/json";
	r->ready = 1;
}

void sl__http_error(req *r, const sl_apierr *e)
{
	size_t len;
	char *b = sl_api_error_body(e, &len);
	char *copy = sl_malloc(len + 1);
	memcpy(copy, b, len + 1);
	free(b); /* jansson's allocation */
	sl__http_respond(r, e->status, copy, len, NULL);
}

void sl__http_fail(req *r, int status, const char *code, const char *fmt, ...)
{
	sl_apierr e = {0};
	va_list ap;
	e.status = status;
	e.code = code;
	va_start(ap, fmt);
	vsnprintf(e.msg, sizeof e.msg, fmt, ap);
	va_end(ap);
	sl__http_error(r, &e);
}

void sl__http_suspend(req *r)
{
	r->suspended = 1;
	MHD_suspend_connection(r->conn);
}

void sl__http_resume(req *r)
{
	MHD_resume_connection(r->conn);
}

int sl__http_auth(req *r)
{
	const char *h = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
	                                            MHD_HTTP_HEADER_AUTHORIZATION);
	sl_err err = {0};
	int rc;
	if (!h) {
		sl__http_fail(r, 401, "unauthorized",
		              "Authorization: missing; send \"Authorization: Bearer <token>\"");
		return -1;
	}
	if (strncmp(h, "Bearer ", 7) != 0) {
		sl__http_fail(r, 401, "unauthorized", "Authorization: expected the Bearer scheme");
		return -1;
	}
	rc = sl_auth_check(r->srv->auth, h + 7, strlen(h + 7), &r->who, &err);
	if (rc == SL_EIO) {
		sl__http_fail(r, 500, "internal", "token check failed: %s", err.msg);
		return -1;
	}
	if (rc < 0) {
		sl__http_fail(r, 401, "unauthorized", "Authorization: %s", err.msg);
		return -1;
	}
	return 0;
}

/* Parse "/v1/jobs/<id>[/<rest>]": 0 and *id, *rest; -1 if not of that form. */
static int job_path(const char *url, int64_t *id, const char **rest)
{
	const char *p = url + strlen("/v1/jobs/");
	char *end;
	long long v;
	if (*p < '1' || *p > '9')
		return -1;
	errno = 0;
	v = strtoll(p, &end, 10);
	if (errno || (*end && *end != '/'))
		return -1;
	*id = v;
	*rest = end;
	return 0;
}

static int is(const req *r, const char *method)
{
	return strcmp(r->method, method) == 0;
}

static void not_allowed(req *r, const char *allow)
{
	sl__http_fail(r, 405, "method_not_allowed", "%s %s: allowed: %s", r->method, r->url,
	              allow);
}

static void route_jobs(req *r)
{
	int64_t id;
	const char *rest;
	if (strcmp(r->url, "/v1/jobs") == 0 || strcmp(r->url, "/v1/jobs/") == 0) {
		if (is(r, "POST"))
			sl__api_jobs_post(r);
		else if (is(r, "GET"))
			sl__api_jobs_list(r);
		else
			not_allowed(r, "GET, POST");
	} else if (job_path(r->url, &id, &rest) < 0) {
		sl__http_fail(r, 404, "not_found", "%s: no such job (ids are positive integers)",
		              r->url);
	} else if (*rest == '\0') {
		if (is(r, "GET"))
			sl__api_job_get(r, id);
		else
			not_allowed(r, "GET");
	} else if (strcmp(rest, "/cancel") == 0) {
		if (is(r, "POST"))
			sl__api_job_cancel(r, id);
		else
			not_allowed(r, "POST");
	} else {
		sl__http_fail(r, 404, "not_found", "%s: not found", r->url);
	}
}

static void route(req *r)
{
	const char *u = r->url;
	if (strcmp(u, "/health") == 0 || strcmp(u, "/v1/health") == 0) {
		sl__api_health(r);
		return;
	}
	if (atomic_load(&r->srv->stopping)) {
		sl__http_fail(r, 503, "stopping", "the service is shutting down");
		return;
	}
	if (sl__http_auth(r) < 0)
		return;
	if (strncmp(u, "/v1/jobs", 8) == 0 && (u[8] == '\0' || u[8] == '/'))
		route_jobs(r);
	else if (strcmp(u, "/v1/sites") == 0)
		is(r, "GET") ? sl__api_loop_query(r, SL_LREQ_SITES) : not_allowed(r, "GET");
	else if (strcmp(u, "/v1/signals") == 0)
		is(r, "GET") ? sl__api_loop_query(r, SL_LREQ_SIGNALS) : not_allowed(r, "GET");
	else if (strncmp(u, "/v1/signals/", 12) == 0 && u[12])
		is(r, "PUT") ? sl__api_signal_put(r, u + 12) : not_allowed(r, "PUT");
	else if (strcmp(u, "/metrics") == 0)
		is(r, "GET") ? sl__api_loop_query(r, SL_LREQ_METRICS) : not_allowed(r, "GET");
	else
		sl__http_fail(r, 404, "not_found", "%s: not found (the API is under /v1/)", u);
}

static enum MHD_Result send_response(req *r)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(r->resp_len, r->resp,
	                                                            MHD_RESPMEM_MUST_FREE);
	enum MHD_Result ok;
	r->resp = NULL; /* MHD frees it */
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->ctype);
	if (r->status == 401)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");
	if (r->location[0])
		MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, r->location);
	ok = MHD_queue_response(r->conn, (unsigned int)r->status, resp);
	MHD_destroy_response(resp);
	r->ready = 0;
	r->suspended = 0;
	return ok;
}

/* Append body data.  Past the limit the rest is read and dropped (MHD
 * cannot answer in the middle of an upload) and 413 is answered at the
 * end; past 64 times the limit the connection is closed instead.  Returns
 * 0, or -1 to close. */
static int take_body(req *r, const char *data, size_t n)
{
	size_t max = r->srv->cfg.max_body;
	if (r->too_big || r->len + n > max) {
		r->too_big += n;
		return r->too_big > 64 * max ? -1 : 0;
	}
	if (r->len + n + 1 > r->cap) {
		r->cap = (r->len + n + 1) * 2 < max + 1 ? (r->len + n + 1) * 2 : max + 1;
		r->body = sl_realloc(r->body, r->cap);
	}
	memcpy(r->body + r->len, data, n);
	r->len += n;
	r->body[r->len] = '\0';
	return 0;
}

/* First call: only headers.  A declared body over the limit is refused at
 * once, before it is sent. */
static req *begin(sl_server *srv, struct MHD_Connection *conn, const char *url,
                  const char *method)
{
	req *r = sl_calloc(1, sizeof *r);
	const char *cl;
	r->srv = srv;
	r->conn = conn;
	r->url = url;
	r->method = method;
	r->t0_ns = sl_clock_now_ns(srv->cfg.clock);
	atomic_fetch_add(&srv->inflight, 1);
	cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl && strtoull(cl, NULL, 10) > srv->cfg.max_body)
		sl__http_fail(r, 413, "payload_too_large", "the body (%s bytes) is larger than %zu "
		              "bytes", cl, srv->cfg.max_body);
	return r;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload, size_t *upload_size, void **con_cls)
{
	sl_server *srv = cls;
	req *r = *con_cls;
	(void)version;
	if (!r) {
		*con_cls = r = begin(srv, conn, url, method);
		return r->ready ? send_response(r) : MHD_YES;
	}
	if (r->ready)
		return send_response(r);
	if (*upload_size) {
		int close = take_body(r, upload, *upload_size) < 0;
		*upload_size = 0;
		return close ? MHD_NO : MHD_YES;
	}
	if (r->suspended)
		return MHD_YES; /* resumed without a response: cannot happen */
	if (r->too_big)
		sl__http_fail(r, 413, "payload_too_large", "the body is larger than %zu bytes",
		              r->srv->cfg.max_body);
	else
		route(r);
	if (r->ready)
		return send_response(r);
	return MHD_YES; /* suspended: the writer or the loop resumes it */
}

static void count(sl_server *srv, const req *r, int64_t now_ns)
{
	sl_httpstats *st = &srv->stats;
	double s = (double)(now_ns - r->t0_ns) / 1e9;
	int b = 0, c = 0;
	while (b < SL_HTTP_NBUCKETS && s > sl__http_bucket_s[b])
		b++;
	atomic_fetch_add(&st->buckets[b], 1);
	atomic_fetch_add(&st->count, 1);
	atomic_fetch_add(&st->sum_ns, (uint_fast64_t)(now_ns - r->t0_ns));
	while (c < SL_HTTP_NCODES && sl__http_codes[c] != r->status)
		c++;
	atomic_fetch_add(&st->codes[c], 1);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	sl_server *srv = cls;
	req *r = *con_cls;
	(void)conn;
	if (!r)
		return;
	if (r->status)
		count(srv, r, sl_clock_now_ns(srv->cfg.clock));
	if (srv->cfg.log && srv->cfg.log->level >= SL_LOG_DEBUG)
		sl_log(srv->cfg.log, SL_LOG_DEBUG, "event=http method=%s path=%s status=%d ok=%d",
		       r->method, r->url, r->status, toe == MHD_REQUEST_TERMINATED_COMPLETED_OK);
	sl_jobspec_release(&r->spec);
	sl_free(r->body);
	sl_free(r->resp);
	sl_free(r);
	*con_cls = NULL;
	atomic_fetch_sub(&srv->inflight, 1);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	sl_server *srv = cls;
	char msg[512];
	size_t n;
	vsnprintf(msg, sizeof msg, fmt, ap);
	n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	sl_log(srv->cfg.log, SL_LOG_WARN, "event=http_server msg=\"%s\"", msg);
}

int sl__http_start(sl_server *srv, sl_err *err)
{
	struct sockaddr_in sa;
	const union MHD_DaemonInfo *info;
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)srv->cfg.port);
	if (inet_pton(AF_INET, srv->cfg.host, &sa.sin_addr) != 1)
		return sl_err_set(err, SL_EINVAL, "--listen", "\"%s\" is not an IPv4 address",
		                  srv->cfg.host);
	srv->d = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME |
			MHD_USE_ERROR_LOG,
		0, NULL, NULL, on_request, srv,
		MHD_OPTION_EXTERNAL_LOGGER, mhd_log, srv,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
		MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)srv->cfg.http_threads,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)120,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned int)4096,
		MHD_OPTION_END);
	if (!srv->d)
		return sl_err_set(err, SL_EIO, "--listen", "cannot listen on %s:%d (in use, or not "
		                  "a local address?)", srv->cfg.host, srv->cfg.port);
	info = MHD_get_daemon_info(srv->d, MHD_DAEMON_INFO_BIND_PORT);
	srv->port = info ? info->port : srv->cfg.port;
	return 0;
}

void sl__http_quiesce(sl_server *srv)
{
	MHD_socket fd;
	if (!srv->d)
		return;
	fd = MHD_quiesce_daemon(srv->d);
	if (fd != MHD_INVALID_SOCKET)
		close(fd);
}

void sl__http_stop(sl_server *srv)
{
	if (srv->d)
		MHD_stop_daemon(srv->d);
	srv->d = NULL;
}
