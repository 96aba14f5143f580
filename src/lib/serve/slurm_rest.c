/*
 * slurm_rest.c — libcurl transport to slurmrestd: the JWT token (read from
 * its file, re-read when the file changes), one keep-alive connection per
 * client, bounded replies, and the mapping of every failure onto an sl_err
 * plus a fault kind.  What the replies mean lives in slurm_json.c.
 */
#include "serve/slurm_rest.h"

#include <curl/curl.h>
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core/mem.h"
#include "core/time.h"
#include "core/banned.h"

#define API "/slurm/v0.0.38"
#define TOKEN_MAX_BYTES 16384
#define REPLY_MAX_BYTES ((size_t)256 << 20) /* ~70,000 jobs at 3.7 KB each */

typedef SL_VEC(char) charbuf;

struct sl_slurm {
	char *cluster, *url, *sock, *token_file, *user_conf;
	const sl_clock *clock;
	long connect_ms, timeout_ms;
	CURL *curl;
	char *token;               /* current token text (NULL: none configured) */
	char token_user[128];      /* its "sun" claim */
	int64_t token_exp;         /* its "exp" claim; 0 = none */
	struct stat token_st;      /* file identity when read, to notice rewrites */
	charbuf reply;             /* last reply body, NUL-terminated */
	int reply_too_big;
	sl_slurm_fault fault;
	const atomic_int *abort_flag; /* borrowed; see sl_slurm_set_abort */
	char curl_err[CURL_ERROR_SIZE];
};

/* ---- token ---------------------------------------------------------------- */

static int b64url_value(int ch)
{
	if (ch >= 'A' && ch <= 'Z') return ch - 'A';
	if (ch >= 'a' && ch <= 'z') return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9') return ch - '0' + 52;
	if (ch == '-') return 62;
	if (ch == '_') return 63;
	return -1;
}

/* Decode n base64url characters (no padding) into out (n bytes suffice). */
static size_t b64url_decode(const char *in, size_t n, char *out)
{
	size_t o = 0;
	uint32_t acc = 0;
	int bits = 0;
	for (size_t i = 0; i < n; i++) {
		int v = b64url_value((unsigned char)in[i]);
		if (v < 0)
			break;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (char)((acc >> bits) & 0xff);
		}
	}
	return o;
}

/* Check a token's shape (three base64url parts) and read its claims. */
static int token_parse(sl_slurm *c, const char *tok, sl_err *err)
{
	const char *d1 = strchr(tok, '.'), *d2 = d1 ? strchr(d1 + 1, '.') : NULL;
	if (!d1 || !d2 || d1 == tok || d2 == d1 + 1 || !d2[1] || strchr(d2 + 1, '.') ||
	    strspn(tok, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.") !=
	        strlen(tok))
		return sl_err_set(err, SL_EINVAL, c->cluster,
		                  "token file %s does not hold a JWT (three base64url parts "
		                  "joined by '.'; mint one with `scontrol token`)", c->token_file);
	char payload[TOKEN_MAX_BYTES];
	size_t n = b64url_decode(d1 + 1, (size_t)(d2 - d1 - 1), payload);
	json_t *claims = json_loadb(payload, n, 0, NULL);
	if (!json_is_object(claims)) {
		json_decref(claims);
		return sl_err_set(err, SL_EINVAL, c->cluster,
		                  "token file %s: the JWT payload is not a JSON object", c->token_file);
	}
	const char *sun = json_string_value(json_object_get(claims, "sun"));
	snprintf(c->token_user, sizeof c->token_user, "%s", sun ? sun : "");
	json_t *exp = json_object_get(claims, "exp");
	c->token_exp = json_is_integer(exp) ? (int64_t)json_integer_value(exp) : 0;
	json_decref(claims);
	if (!c->user_conf && !c->token_user[0])
		return sl_err_set(err, SL_EINVAL, c->cluster,
		                  "token file %s: the JWT names no user (\"sun\") and no user is "
		                  "configured", c->token_file);
	return 0;
}

static int read_small_file(const char *path, char *buf, size_t n, sl_err *err, const char *who)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return sl_err_set(err, SL_EIO, who, "cannot open token file %s: %s", path, strerror(errno));
	size_t got = fread(buf, 1, n - 1, f);
	int bad = ferror(f), more = !feof(f) && fgetc(f) != EOF;
	fclose(f);
	if (bad)
		return sl_err_set(err, SL_EIO, who, "cannot read token file %s", path);
	if (more)
		return sl_err_set(err, SL_EINVAL, who, "token file %s is larger than %zu bytes", path,
		                  n - 1);
	buf[got] = '\0';
	return 0;
}

/* (Re)load the token when its file is new or was rewritten since. */
static int token_load(sl_slurm *c, sl_err *err)
{
	struct stat st;
	if (!c->token_file)
		return 0;
	if (stat(c->token_file, &st) != 0)
		return sl_err_set(err, SL_EIO, c->cluster, "cannot open token file %s: %s",
		                  c->token_file, strerror(errno));
	if (c->token && st.st_ino == c->token_st.st_ino && st.st_size == c->token_st.st_size &&
	    st.st_mtim.tv_sec == c->token_st.st_mtim.tv_sec &&
	    st.st_mtim.tv_nsec == c->token_st.st_mtim.tv_nsec)
		return 0;
	char buf[TOKEN_MAX_BYTES];
	int rc = read_small_file(c->token_file, buf, sizeof buf, err, c->cluster);
	if (rc)
		return rc;
	char *t = buf + strspn(buf, " \t\r\n");
	if (strncmp(t, "SLURM_JWT=", 10) == 0)
		t += 10;
	t[strcspn(t, " \t\r\n")] = '\0';
	if (!t[0])
		return sl_err_set(err, SL_EINVAL, c->cluster, "token file %s is empty", c->token_file);
	rc = token_parse(c, t, err);
	if (rc)
		return rc;
	sl_free(c->token);
	c->token = sl_strdup(t);
	c->token_st = st;
	return 0;
}

static int token_check_expiry(sl_slurm *c, sl_err *err)
{
	if (!c->token || !c->clock || c->token_exp <= 0)
		return 0;
	int64_t now = sl_clock_now(c->clock);
	if (now < c->token_exp)
		return 0;
	char when[32];
	sl_time_format_iso(c->token_exp, 0, 1, when, sizeof when);
	c->fault = SL_SLURM_AUTH;
	return sl_err_set(err, SL_EIO, c->cluster,
	                  "token in %s expired at %s; mint a new one (scontrol token lifespan=...)",
	                  c->token_file, when);
}

/* ---- lifecycle ------------------------------------------------------------ */

static char *dup_or_null(const char *s) { return s ? sl_strdup(s) : NULL; }

static int conf_check(const sl_slurm_conf *conf, sl_err *err)
{
	if (!conf->cluster || !conf->cluster[0])
		return sl_err_set(err, SL_EINVAL, "slurm", "cluster name is required");
	if (!conf->unix_socket && (!conf->url || !conf->url[0]))
		return sl_err_set(err, SL_EINVAL, conf->cluster, "either url or unix_socket is required");
	if (conf->url && strncmp(conf->url, "http://", 7) != 0 && strncmp(conf->url, "https://", 8) != 0)
		return sl_err_set(err, SL_EINVAL, conf->cluster,
		                  "url \"%s\" must start with http:// or https://", conf->url);
	if (conf->connect_timeout_ms < 0 || conf->timeout_ms < 0)
		return sl_err_set(err, SL_EINVAL, conf->cluster, "timeouts must not be negative");
	return 0;
}

int sl_slurm_new(const sl_slurm_conf *conf, sl_slurm **out, sl_err *err)
{
	int rc = conf_check(conf, err);
	if (rc)
		return rc;
	sl_slurm *c = sl_calloc(1, sizeof *c);
	c->cluster = sl_strdup(conf->cluster);
	c->url = sl_strdup(conf->url && conf->url[0] ? conf->url : "http://localhost");
	size_t ul = strlen(c->url);
	while (ul > 0 && c->url[ul - 1] == '/')
		c->url[--ul] = '\0';
	c->sock = dup_or_null(conf->unix_socket);
	c->token_file = dup_or_null(conf->token_file);
	c->user_conf = dup_or_null(conf->user);
	c->clock = conf->clock;
	c->connect_ms = conf->connect_timeout_ms ? (long)conf->connect_timeout_ms : 3000;
	c->timeout_ms = conf->timeout_ms ? (long)conf->timeout_ms : 20000;
	rc = token_load(c, err);
	if (rc)
		goto fail;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK || !(c->curl = curl_easy_init())) {
		rc = sl_err_set(err, SL_EIO, c->cluster, "libcurl failed to initialise");
		goto fail;
	}
	*out = c;
	return 0;
fail:
	sl_slurm_free(c);
	return rc;
}

void sl_slurm_free(sl_slurm *c)
{
	if (!c)
		return;
	if (c->curl) {
		curl_easy_cleanup(c->curl);
		curl_global_cleanup();
	}
	sl_vec_free(&c->reply);
	sl_free(c->token);
	sl_free(c->cluster);
	sl_free(c->url);
	sl_free(c->sock);
	sl_free(c->token_file);
	sl_free(c->user_conf);
	sl_free(c);
}

const char *sl_slurm_cluster(const sl_slurm *c) { return c->cluster; }

void sl_slurm_set_abort(sl_slurm *c, const atomic_int *flag) { c->abort_flag = flag; }

/* libcurl calls this about once a second (and during transfers); non-zero
 * aborts the request. */
static int on_progress(void *ud, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	const sl_slurm *c = ud;
	(void)dt, (void)dn, (void)ut, (void)un;
	return c->abort_flag && atomic_load(c->abort_flag) ? 1 : 0;
}

sl_slurm_fault sl_slurm_fault_of_last(const sl_slurm *c) { return c->fault; }

/* ---- one HTTP exchange ---------------------------------------------------- */

static size_t on_data(char *p, size_t size, size_t n, void *ud)
{
	sl_slurm *c = ud;
	size_t len = size * n;
	if (c->reply.n + len + 1 > REPLY_MAX_BYTES) {
		c->reply_too_big = 1;
		return 0; /* makes curl fail with CURLE_WRITE_ERROR */
	}
	sl_vec_reserve(&c->reply, c->reply.n + len + 1);
	memcpy(c->reply.v + c->reply.n, p, len);
	c->reply.n += len;
	return len;
}

static struct curl_slist *make_headers(const sl_slurm *c, int has_body)
{
	char line[TOKEN_MAX_BYTES + 64];
	struct curl_slist *h = curl_slist_append(NULL, "Accept: application/json");
	h = curl_slist_append(h, "Expect:"); /* no 100-continue round trip */
	if (has_body)
		h = curl_slist_append(h, "Content-Type: application/json");
	if (c->token) {
		snprintf(line, sizeof line, "X-SLURM-USER-NAME: %s",
		         c->user_conf ? c->user_conf : c->token_user);
		h = curl_slist_append(h, line);
		snprintf(line, sizeof line, "X-SLURM-USER-TOKEN: %s", c->token);
		h = curl_slist_append(h, line);
	}
	return h;
}

static void setup_curl(sl_slurm *c, const char *method, const char *url, const char *body,
                       struct curl_slist *hdrs)
{
	CURL *k = c->curl;
	curl_easy_reset(k); /* keeps the open connection */
	curl_easy_setopt(k, CURLOPT_URL, url);
	curl_easy_setopt(k, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(k, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(k, CURLOPT_CONNECTTIMEOUT_MS, c->connect_ms);
	curl_easy_setopt(k, CURLOPT_TIMEOUT_MS, c->timeout_ms);
	curl_easy_setopt(k, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(k, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(k, CURLOPT_WRITEDATA, c);
	curl_easy_setopt(k, CURLOPT_ERRORBUFFER, c->curl_err);
	if (c->sock)
		curl_easy_setopt(k, CURLOPT_UNIX_SOCKET_PATH, c->sock);
	if (c->abort_flag) {
		curl_easy_setopt(k, CURLOPT_NOPROGRESS, 0L);
		curl_easy_setopt(k, CURLOPT_XFERINFOFUNCTION, on_progress);
		curl_easy_setopt(k, CURLOPT_XFERINFODATA, c);
	}
	if (body) {
		curl_easy_setopt(k, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(k, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	}
	if (strcmp(method, "GET") != 0 && strcmp(method, "POST") != 0)
		curl_easy_setopt(k, CURLOPT_CUSTOMREQUEST, method);
}

/* Send one request; on return c->reply holds the body and *status the HTTP
 * status.  Only transport failures are errors here (fault UNREACHABLE or
 * LOST). */
static int exchange(sl_slurm *c, const char *method, const char *path, const char *body,
                    long *status, sl_err *err)
{
	char url[2048];
	snprintf(url, sizeof url, "%s%s", c->url, path);
	struct curl_slist *hdrs = make_headers(c, body != NULL);
	c->reply.n = 0;
	c->reply_too_big = 0;
	c->curl_err[0] = '\0';
	setup_curl(c, method, url, body, hdrs);
	CURLcode res = curl_easy_perform(c->curl);
	curl_slist_free_all(hdrs);
	sl_vec_reserve(&c->reply, c->reply.n + 1);
	c->reply.v[c->reply.n] = '\0';
	if (res != CURLE_OK) {
		/* before the connection exists nothing can have reached slurmrestd */
		int unsent = res == CURLE_COULDNT_CONNECT || res == CURLE_COULDNT_RESOLVE_HOST ||
		             res == CURLE_COULDNT_RESOLVE_PROXY || res == CURLE_UNSUPPORTED_PROTOCOL ||
		             res == CURLE_URL_MALFORMAT;
		c->fault = c->reply_too_big ? SL_SLURM_PROTOCOL
		           : unsent         ? SL_SLURM_UNREACHABLE
		                            : SL_SLURM_LOST;
		if (c->reply_too_big)
			return sl_err_set(err, SL_EPARSE, c->cluster, "%s %s: reply larger than %zu bytes",
			                  method, path, REPLY_MAX_BYTES);
		return sl_err_set(err, SL_EIO, c->cluster, "%s %s: cannot reach slurmrestd at %s%s: %s",
		                  method, path, c->sock ? "unix:" : "", c->sock ? c->sock : c->url,
		                  c->curl_err[0] ? c->curl_err : curl_easy_strerror(res));
	}
	curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, status);
	return 0;
}

/* Slurm 22.05 answers "Unspecified error" (-1) both when slurmctld is down
 * and when it rejects the token.  A cancel of job 0 (which cannot exist, so
 * it changes nothing) keeps slurmctld's own error number: 1800 means down,
 * 5005 a rejected token, 2017 (no such job) that both are fine. */
static sl_slurm_fault probe(sl_slurm *c)
{
	long status = 0;
	char msg[256];
	if (exchange(c, "DELETE", API "/job/0", NULL, &status, NULL) != 0)
		return c->fault;
	sl_slurm_fault f = sl_slurm_reply_fault(status, c->reply.v, c->reply.n, msg, sizeof msg);
	return f == SL_SLURM_CTLD_DOWN || f == SL_SLURM_AUTH ? f : SL_SLURM_AMBIGUOUS;
}

/* One API call: token checks, the exchange, and the reply's verdict.  0
 * when Slurm reports success (the body is in c->reply), else an sl_err. */
static int call(sl_slurm *c, const char *method, const char *path, const char *body,
                long *status_out, sl_err *err)
{
	long status = 0;
	char msg[512];
	c->fault = SL_SLURM_OK;
	int rc = token_load(c, err);
	if (rc) {
		c->fault = SL_SLURM_AUTH;
		return rc == SL_EINVAL ? SL_EIO : rc;
	}
	if ((rc = token_check_expiry(c, err)) || (rc = exchange(c, method, path, body, &status, err)))
		return rc;
	if (status_out)
		*status_out = status;
	sl_slurm_fault f = sl_slurm_reply_fault(status, c->reply.v, c->reply.n, msg, sizeof msg);
	if (f == SL_SLURM_OK)
		return 0;
	if (f == SL_SLURM_AMBIGUOUS) {
		charbuf keep = c->reply; /* the probe reuses the reply buffer */
		c->reply = (charbuf){0};
		f = probe(c);
		sl_vec_free(&c->reply);
		c->reply = keep;
	}
	c->fault = f;
	char hint[SL_ERR_MSG_MAX / 2] = "";
	if (f == SL_SLURM_AUTH && c->token_file)
		snprintf(hint, sizeof hint, ": check the token in %s (expired, signed with another "
		         "cluster's key, or for another user?)", c->token_file);
	else if (f == SL_SLURM_AUTH)
		snprintf(hint, sizeof hint, ": this slurmrestd wants a token (token_file)");
	return sl_err_set(err, sl_slurm_fault_code(f), c->cluster, "%s %s: %s%s (HTTP %ld; Slurm: %s)",
	                  method, path, sl_slurm_fault_name(f), hint, status, msg);
}

/* Prefix err's message with the request it belongs to and record the
 * fault.  Returns rc. */
static int relabel(sl_slurm *c, sl_slurm_fault f, const char *method, const char *path, int rc,
                   sl_err *err)
{
	c->fault = f;
	if (err) {
		char was[SL_ERR_MSG_MAX], where[SL_ERR_ORIGIN_MAX + 2] = "";
		snprintf(was, sizeof was, "%s", err->msg);
		if (err->origin[0] && strcmp(err->origin, c->cluster) != 0)
			snprintf(where, sizeof where, "%s: ", err->origin);
		sl_err_set(err, rc, c->cluster, "%s%s%s: %s%s", method, method[0] ? " " : "", path,
		           where, was);
	}
	return rc;
}

/* ---- the API -------------------------------------------------------------- */

int sl_slurm_check(sl_slurm *c, sl_err *err)
{
	int rc = call(c, "DELETE", API "/job/0", NULL, NULL, err);
	if (rc == SL_ENOTFOUND) { /* "Invalid job id": everything on the way works */
		c->fault = SL_SLURM_OK;
		sl_err_clear(err);
		return 0;
	}
	if (rc == 0) {
		c->fault = SL_SLURM_PROTOCOL;
		return sl_err_set(err, SL_EPARSE, c->cluster, "DELETE " API "/job/0: Slurm accepted "
		                  "cancelling job 0, which cannot exist");
	}
	return rc;
}

int sl_slurm_ping(sl_slurm *c, sl_err *err)
{
	int rc = call(c, "GET", API "/ping", NULL, NULL, err);
	if (rc)
		return rc;
	rc = sl_slurm_parse_ping(c->reply.v, c->reply.n, err);
	if (rc)
		return relabel(c, rc == SL_EIO ? SL_SLURM_CTLD_DOWN : SL_SLURM_PROTOCOL,
		               "GET", API "/ping", rc, err);
	return 0;
}

int sl_slurm_submit_json(sl_slurm *c, const char *body, int64_t *job_id, sl_err *err)
{
	int rc = call(c, "POST", API "/job/submit", body, NULL, err);
	/* A reply that carries a job id means slurmctld queued the job, even
	 * when it lists an error beside it: right after slurmctld restarts,
	 * before its nodes register, it answers error 2068 ("Required node not
	 * available") for a job it has queued, pending.  Calling that a refusal
	 * would send the job a second time. */
	if (rc && c->fault == SL_SLURM_REJECTED && c->reply.n &&
	    sl_slurm_parse_submit(c->reply.v, c->reply.n, job_id, NULL) == 0) {
		c->fault = SL_SLURM_OK;
		sl_err_clear(err);
		return 0;
	}
	if (rc)
		return rc;
	rc = sl_slurm_parse_submit(c->reply.v, c->reply.n, job_id, err);
	return rc ? relabel(c, SL_SLURM_PROTOCOL, "POST", API "/job/submit", rc, err) : 0;
}

int sl_slurm_submit_job(sl_slurm *c, const sl_slurm_submit *spec, int64_t *job_id, sl_err *err)
{
	char *body = NULL;
	int rc = sl_slurm_submit_body(spec, &body, err);
	if (rc)
		return relabel(c, SL_SLURM_REJECTED, "", "job spec", rc, err);
	rc = sl_slurm_submit_json(c, body, job_id, err);
	sl_free(body);
	return rc;
}

int sl_slurm_get_job(sl_slurm *c, int64_t job_id, sl_slurm_job *out, sl_err *err)
{
	char path[64];
	if (job_id <= 0)
		return sl_err_set(err, SL_EINVAL, c->cluster, "job id %" PRId64 " is not positive", job_id);
	snprintf(path, sizeof path, API "/job/%" PRId64, job_id);
	int rc = call(c, "GET", path, NULL, NULL, err);
	if (rc)
		return rc;
	sl_slurm_jobs jobs = {0};
	rc = sl_slurm_parse_jobs(c->reply.v, c->reply.n, &jobs, err);
	if (rc) {
		sl_vec_free(&jobs);
		return relabel(c, SL_SLURM_PROTOCOL, "GET", path, rc, err);
	}
	rc = SL_ENOTFOUND;
	for (size_t i = 0; i < jobs.n; i++)
		if (jobs.v[i].job_id == job_id) {
			*out = jobs.v[i];
			rc = 0;
		}
	sl_vec_free(&jobs);
	if (rc) {
		c->fault = SL_SLURM_NO_JOB;
		return sl_err_set(err, rc, c->cluster, "GET %s: the reply does not list job %" PRId64,
		                  path, job_id);
	}
	return 0;
}

int sl_slurm_list_jobs(sl_slurm *c, int64_t since_s, sl_slurm_jobs *out, int *changed,
                       sl_err *err)
{
	char path[96];
	long status = 0;
	if (since_s > 0)
		snprintf(path, sizeof path, API "/jobs?update_time=%" PRId64, since_s);
	else
		snprintf(path, sizeof path, API "/jobs");
	int rc = call(c, "GET", path, NULL, &status, err);
	if (rc)
		return rc;
	if (status == 304) {
		if (changed)
			*changed = 0;
		return 0;
	}
	rc = sl_slurm_parse_jobs(c->reply.v, c->reply.n, out, err);
	if (rc)
		return relabel(c, SL_SLURM_PROTOCOL, "GET", path, rc, err);
	if (changed)
		*changed = 1;
	return 0;
}

int sl_slurm_cancel_job(sl_slurm *c, int64_t job_id, sl_err *err)
{
	char path[64];
	if (job_id <= 0)
		return sl_err_set(err, SL_EINVAL, c->cluster, "job id %" PRId64 " is not positive", job_id);
	snprintf(path, sizeof path, API "/job/%" PRId64, job_id);
	/* Slurm answers 200 for a job that already ended: nothing to undo */
	return call(c, "DELETE", path, NULL, NULL, err);
}

int sl_slurm_get_capacity(sl_slurm *c, const char *partition, sl_slurm_capacity *out, sl_err *err)
{
	int rc = call(c, "GET", API "/nodes", NULL, NULL, err);
	if (rc)
		return rc;
	rc = sl_slurm_parse_capacity(c->reply.v, c->reply.n, partition, out, err);
	return rc ? relabel(c, SL_SLURM_PROTOCOL, "GET", API "/nodes", rc, err) : 0;
}

int sl_slurm_get_diag(sl_slurm *c, sl_slurm_diag *out, sl_err *err)
{
	int rc = call(c, "GET", API "/diag", NULL, NULL, err);
	if (rc)
		return rc;
	rc = sl_slurm_parse_diag(c->reply.v, c->reply.n, out, err);
	return rc ? relabel(c, SL_SLURM_PROTOCOL, "GET", API "/diag", rc, err) : 0;
}
