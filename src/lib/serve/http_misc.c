/*
 * http_misc.c — sites, signals, signal overrides, metrics and health.
 *
 * Sites, signals and the scheduler's metrics come from the loop (it owns
 * that state); the HTTP and store metrics are appended here.
 */
#include "serve/server_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/mem.h"
#include "core/banned.h"

#define PROM_CTYPE "text/plain; version=0.0.4; charset=utf-8"

/* Append printf output to a malloc'd buffer. */
static void append(char **buf, size_t *len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void append(char **buf, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int k;
	va_start(ap, fmt);
	k = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	*buf = sl_realloc(*buf, *len + (size_t)k + 1);
	va_start(ap, fmt);
	vsnprintf(*buf + *len, (size_t)k + 1, fmt, ap);
	va_end(ap);
	*len += (size_t)k;
}

static void http_metrics(sl_server *srv, char **b, size_t *n)
{
	sl_httpstats *st = &srv->stats;
	sl_writer_stats ws;
	uint64_t cum = 0;
	append(b, n, "# HELP suanli_submissions_total Jobs acknowledged (201) since start.\n"
	             "# TYPE suanli_submissions_total counter\nsuanli_submissions_total %llu\n",
	       (unsigned long long)atomic_load(&st->submissions));
	append(b, n, "# HELP suanli_http_requests_total HTTP requests answered, by status.\n"
	             "# TYPE suanli_http_requests_total counter\n");
	for (int c = 0; c <= SL_HTTP_NCODES; c++) {
		char code[16];
		snprintf(code, sizeof code, "%d", c < SL_HTTP_NCODES ? sl__http_codes[c] : 0);
		append(b, n, "suanli_http_requests_total{code=\"%s\"} %llu\n",
		       c < SL_HTTP_NCODES ? code : "other", (unsigned long long)atomic_load(&st->codes[c]));
	}
	append(b, n, "# HELP suanli_http_request_duration_seconds Time from a request's headers to "
	             "its completion.\n# TYPE suanli_http_request_duration_seconds histogram\n");
	for (int i = 0; i <= SL_HTTP_NBUCKETS; i++) {
		cum += atomic_load(&st->buckets[i]);
		if (i < SL_HTTP_NBUCKETS)
			append(b, n, "suanli_http_request_duration_seconds_bucket{le=\"%g\"} %llu\n",
			       sl__http_bucket_s[i], (unsigned long long)cum);
		else
			append(b, n, "suanli_http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n",
			       (unsigned long long)cum);
	}
	append(b, n, "suanli_http_request_duration_seconds_sum %.9f\n"
	             "suanli_http_request_duration_seconds_count %llu\n",
	       (double)atomic_load(&st->sum_ns) / 1e9, (unsigned long long)atomic_load(&st->count));
	sl_writer_get_stats(srv->writer, &ws);
	append(b, n, "# HELP suanli_store_commits_total Store transactions committed.\n"
	             "# TYPE suanli_store_commits_total counter\nsuanli_store_commits_total %llu\n"
	             "# HELP suanli_store_writes_total Writes committed (many share a commit).\n"
	             "# TYPE suanli_store_writes_total counter\nsuanli_store_writes_total %llu\n"
	             "# HELP suanli_store_pending_writes Writes waiting for the next commit.\n"
	             "# TYPE suanli_store_pending_writes gauge\nsuanli_store_pending_writes %zu\n",
	       (unsigned long long)ws.commits, (unsigned long long)ws.ops, ws.pending);
}

static void query_reply(sl_loopreq *lr)
{
	req *r = (req *)((char *)lr - offsetof(req, lr));
	if (lr->status != 200) {
		sl_free(lr->body);
		sl__http_fail(r, 503, "stopping", "the service is shutting down");
	} else if (lr->kind == SL_LREQ_METRICS) {
		char *b = lr->body;
		size_t n = lr->body_len;
		http_metrics(r->srv, &b, &n);
		sl__http_respond(r, 200, b, n, PROM_CTYPE);
	} else {
		sl__http_respond(r, 200, lr->body, lr->body_len, NULL);
	}
	sl__http_resume(r);
}

void sl__api_loop_query(req *r, int kind)
{
	r->lr.kind = kind;
	r->lr.reply = query_reply;
	sl__http_suspend(r);
	sl_loop_request(r->srv->loop, &r->lr);
}

/* ---- PUT /v1/signals/{zone} ---- */

static void sigover_reply(sl_loopreq *lr)
{
	req *r = (req *)((char *)lr - offsetof(req, lr));
	const sl_sigover *o = &lr->ov;
	char buf[256];
	int n;
	sl_free(lr->body);
	if (lr->status != 200) {
		sl__http_fail(r, 503, "stopping", "stored, but the service is shutting down; it "
		              "applies at the next start");
	} else {
		n = snprintf(buf, sizeof buf, "{\"zone\":\"%s\",\"carbon_g_per_kwh\":", r->zone);
		n += o->has_carbon ? snprintf(buf + n, sizeof buf - (size_t)n, "%.17g",
		                              o->carbon_g_per_kwh)
		                   : snprintf(buf + n, sizeof buf - (size_t)n, "null");
		n += snprintf(buf + n, sizeof buf - (size_t)n, ",\"price_cny_per_kwh\":");
		n += o->has_price ? snprintf(buf + n, sizeof buf - (size_t)n, "%.17g",
		                             o->price_cny_per_kwh)
		                  : snprintf(buf + n, sizeof buf - (size_t)n, "null");
		n += snprintf(buf + n, sizeof buf - (size_t)n, ",\"expires\":%lld}",
		              (long long)o->expires);
		sl__http_respond(r, 200, sl_strdup(buf), (size_t)n, NULL);
	}
	sl__http_resume(r);
}

static int sigover_apply(sl_store *st, sl_wop *op, sl_err *err)
{
	req *r = (req *)((char *)op - offsetof(req, op));
	return sl_store_sigover_put(st, &r->lr.ov, err);
}

static void sigover_done(sl_wop *op, int rc)
{
	req *r = (req *)((char *)op - offsetof(req, op));
	if (rc < 0) {
		sl__http_fail(r, 500, "internal", "the override could not be stored (%s)",
		              sl_strerror(rc));
		sl__http_resume(r);
		return;
	}
	r->lr.kind = SL_LREQ_SIGOVER;
	r->lr.reply = sigover_reply;
	sl_loop_request(r->srv->loop, &r->lr);
}

void sl__api_signal_put(req *r, const char *zone)
{
	sl_server *srv = r->srv;
	sl_apierr e = {0};
	int rc;
	if (!r->who.admin) {
		sl__http_fail(r, 403, "forbidden", "only an admin token may set signals");
		return;
	}
	if (strlen(zone) >= sizeof r->zone || sl_network_zone(srv->cfg.net, zone) < 0) {
		sl__http_fail(r, 404, "not_found", "zone \"%.64s\" is not in the scenario", zone);
		return;
	}
	snprintf(r->zone, sizeof r->zone, "%s", zone);
	if (sl_api_sigover_parse(r->zone, r->body ? r->body : "", r->len,
	                         sl_clock_now(srv->cfg.clock), &r->lr.ov, &e) < 0) {
		sl__http_error(r, &e);
		return;
	}
	r->op.apply = sigover_apply;
	r->op.done = sigover_done;
	sl__http_suspend(r);
	if ((rc = sl_writer_submit(srv->writer, &r->op, 1)) < 0) {
		sl__http_fail(r, 503, "stopping", "the service is shutting down");
		sl__http_resume(r);
	}
}

void sl__api_health(req *r)
{
	char buf[128];
	int stopping = atomic_load(&r->srv->stopping);
	int n = snprintf(buf, sizeof buf, "{\"status\":\"%s\",\"active_jobs\":%zu}",
	                 stopping ? "stopping" : "ok", sl_loop_active(r->srv->loop));
	sl__http_respond(r, stopping ? 503 : 200, sl_strdup(buf), (size_t)n, NULL);
}
