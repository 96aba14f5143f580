/*
 * client.c — libcurl + jansson API client for the CLI's client verbs.
 */
#include "client.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "cli.h"
#include "core/mem.h"
#include "core/time.h"
#include "core/banned.h"

#define MAX_RESPONSE (64u << 20) /* a listing of 1000 jobs is far below this */

typedef struct rbuf {
	char *v;
	size_t n;
	int over;
} rbuf;

static size_t on_data(char *p, size_t size, size_t nmemb, void *ud)
{
	rbuf *b = ud;
	size_t n = size * nmemb;
	if (b->n + n > MAX_RESPONSE) {
		b->over = 1;
		return 0;
	}
	b->v = sl_realloc(b->v, b->n + n + 1);
	memcpy(b->v + b->n, p, n);
	b->n += n;
	b->v[b->n] = '\0';
	return n;
}

int client_init(cli_client *c, const char *verb)
{
	const char *url = getenv("SUANLI_URL"), *tok = getenv("SUANLI_TOKEN");
	size_t n;
	memset(c, 0, sizeof c[0]);
	c->verb = verb;
	if (!url || !*url)
		url = CLIENT_URL_DEFAULT;
	if ((strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0) ||
	    strlen(url) >= sizeof c->base) {
		cli_error(verb, "SUANLI_URL: expected http://HOST:PORT, got \"%s\"", url);
		return SL_EXIT_USAGE;
	}
	snprintf(c->base, sizeof c->base, "%s", url);
	n = strlen(c->base);
	while (n > 0 && c->base[n - 1] == '/')
		c->base[--n] = '\0';
	if (tok && *tok)
		snprintf(c->auth, sizeof c->auth, "Authorization: Bearer %s", tok);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	c->curl = curl_easy_init();
	if (!c->curl) {
		cli_error(verb, "cannot initialise libcurl");
		return SL_EXIT_INTERNAL;
	}
	return 0;
}

void client_release(cli_client *c)
{
	if (c->curl)
		curl_easy_cleanup(c->curl);
	c->curl = NULL;
	curl_global_cleanup();
}

/* Print the server's error body (or the raw text) for a non-2xx status. */
static int api_error(const cli_client *c, long status, const rbuf *b)
{
	json_t *o = b->v ? json_loadb(b->v, b->n, 0, NULL) : NULL;
	json_t *e = o ? json_object_get(o, "error") : NULL;
	if (e)
		cli_error(c->verb, "%ld %s: %s", status, client_str(e, "code"),
		          client_str(e, "message"));
	else
		cli_error(c->verb, "HTTP %ld: %.200s", status, b->v ? b->v : "(no body)");
	if (status == 401 && !c->auth[0])
		fprintf(stderr, "suanli %s: set SUANLI_TOKEN (from `suanli token add`)\n", c->verb);
	json_decref(o);
	return SL_EXIT_FAIL;
}

static struct curl_slist *headers(const cli_client *c, const char *body)
{
	struct curl_slist *h = NULL;
	if (c->auth[0])
		h = curl_slist_append(h, c->auth);
	if (body)
		h = curl_slist_append(h, "Content-Type: application/json");
	return curl_slist_append(h, "Expect:");
}

int client_call(cli_client *c, const char *method, const char *path, const char *body,
                json_t **out)
{
	CURL *cu = c->curl;
	char url[2048];
	rbuf b = {0};
	long status = 0;
	json_error_t je;
	struct curl_slist *h = headers(c, body);
	CURLcode rc;
	int ret = 0;
	snprintf(url, sizeof url, "%s%s", c->base, path);
	curl_easy_reset(cu);
	curl_easy_setopt(cu, CURLOPT_URL, url);
	curl_easy_setopt(cu, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(cu, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(cu, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(cu, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(cu, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(cu, CURLOPT_TIMEOUT, 120L);
	curl_easy_setopt(cu, CURLOPT_NOSIGNAL, 1L);
	if (body)
		curl_easy_setopt(cu, CURLOPT_POSTFIELDS, body);
	rc = curl_easy_perform(cu);
	curl_slist_free_all(h);
	if (rc != CURLE_OK) {
		cli_error(c->verb, "%s: %s%s", c->base, curl_easy_strerror(rc),
		          b.over ? " (response too large)" : "");
		ret = b.over ? SL_EXIT_FAIL : SL_EXIT_UNAVAILABLE;
		goto done;
	}
	curl_easy_getinfo(cu, CURLINFO_RESPONSE_CODE, &status);
	if (status < 200 || status >= 300) {
		ret = api_error(c, status, &b);
		goto done;
	}
	*out = json_loadb(b.v ? b.v : "", b.n, 0, &je);
	if (!*out) {
		cli_error(c->verb, "the server's answer is not JSON: %s", je.text);
		ret = SL_EXIT_FAIL;
	}
done:
	sl_free(b.v);
	return ret;
}

void client_print_json(const json_t *v)
{
	char *s = json_dumps(v, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
	if (s)
		printf("%s\n", s);
	free(s);
}

const char *client_str(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	return json_is_string(v) ? json_string_value(v) : "-";
}

int64_t client_int(const json_t *o, const char *key, int64_t dflt)
{
	const json_t *v = json_object_get(o, key);
	return json_is_integer(v) ? json_integer_value(v) : dflt;
}

double client_num(const json_t *o, const char *key, double dflt)
{
	const json_t *v = json_object_get(o, key);
	return json_is_number(v) ? json_number_value(v) : dflt;
}

const char *client_time(const json_t *o, const char *key, char *buf, size_t n)
{
	const json_t *v = json_object_get(o, key);
	if (!json_is_integer(v))
		return "-";
	return sl_time_format_iso(json_integer_value(v), 0, 1, buf, n);
}

/* Parse "ID [--json]"; 0, 1 (help shown) or -1. */
int client_id_args(const char *verb, int argc, char **argv, long long *id, int *json,
                void (*help)(FILE *))
{
	int have = 0;
	for (int i = 1; i < argc; i++) {
		char *end;
		if (cli_is_help(argv[i])) {
			help(stdout);
			return 1;
		}
		if (!strcmp(argv[i], "--json")) {
			*json = 1;
			continue;
		}
		errno = 0;
		*id = strtoll(argv[i], &end, 10);
		if (have || errno || end == argv[i] || *end || *id <= 0) {
			cli_error(verb, "expected one job id (a positive integer), got \"%s\"", argv[i]);
			return -1;
		}
		have = 1;
	}
	if (!have) {
		cli_error(verb, "a job id is required (see `suanli %s --help`)", verb);
		return -1;
	}
	return 0;
}

int client_fetch(const char *verb, const char *method, const char *path, const char *body,
                 json_t **out)
{
	cli_client c;
	int rc = client_init(&c, verb);
	if (rc == 0)
		rc = client_call(&c, method, path, body, out);
	client_release(&c);
	return rc;
}
