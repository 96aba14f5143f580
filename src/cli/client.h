/*
 * client.h — the small HTTP client the CLI's client verbs (submit, status,
 * jobs, cancel, sites) share: libcurl for HTTP, jansson for JSON.
 *
 * The server is SUANLI_URL (default http://127.0.0.1:8080) and the bearer
 * token SUANLI_TOKEN.  Exit statuses: an API error (4xx/5xx) is
 * SL_EXIT_FAIL with the server's message on stderr; an unreachable server
 * is SL_EXIT_UNAVAILABLE.
 */
#ifndef SL_CLI_CLIENT_H
#define SL_CLI_CLIENT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#define CLIENT_URL_DEFAULT "http://127.0.0.1:8080"

typedef struct cli_client {
	void *curl;          /* CURL * */
	char base[512];      /* SUANLI_URL without a trailing slash */
	char auth[640];      /* "Authorization: Bearer ..." or "" */
	const char *verb;    /* for messages */
} cli_client;

/* Read SUANLI_URL and SUANLI_TOKEN.  Returns 0 or an exit status (usage
 * error: a malformed SUANLI_URL). */
int client_init(cli_client *c, const char *verb);
void client_release(cli_client *c);

/* Call METHOD base+path with an optional JSON body.  On a 2xx answer
 * *out gets the parsed JSON (caller decrefs) and 0 is returned.  Otherwise
 * the error is printed ("suanli VERB: 404 not_found: job 7 does not
 * exist") and the exit status returned. */
int client_call(cli_client *c, const char *method, const char *path, const char *body,
                json_t **out);

/* One request with its own client: client_init, client_call, client_release.
 * Returns 0 with *out set (caller decrefs) or an exit status. */
int client_fetch(const char *verb, const char *method, const char *path, const char *body,
                 json_t **out);

/* Parse the arguments "ID [--json]" of a one-job verb: 0, 1 (help was
 * printed with help()), or -1 (error printed). */
int client_id_args(const char *verb, int argc, char **argv, long long *id, int *json,
                   void (*help)(FILE *));

/* Print a JSON value to stdout, indented, with a newline. */
void client_print_json(const json_t *v);

/* Helpers for tables: the integer / number / string of a key ("-" if null). */
const char *client_str(const json_t *o, const char *key);
int64_t client_int(const json_t *o, const char *key, int64_t dflt);
double client_num(const json_t *o, const char *key, double dflt);
/* A UTC time field as "2025-07-14T08:00:00Z" into buf, or "-" if null. */
const char *client_time(const json_t *o, const char *key, char *buf, size_t n);

#endif
