/*
 * api.h — the HTTP API's request validation and response rendering, apart
 * from any HTTP library: job bodies, list queries and cursors, signal
 * overrides, and the JSON error body.
 *
 * Every rejection fills an sl_apierr with the HTTP status, a stable code
 * ("malformed_json", "missing_field", "unknown_field", "invalid_field",
 * ...), the field concerned and a message that names it.  The JSON error
 * body is {"error": {"code": ..., "field": ..., "message": ...}}.
 *
 * Job body (POST /v1/jobs), every field but command and runtime_s optional:
 *   command        array of 1..4096 strings (argv; no shell) — required
 *   runtime_s      integer 1..31536000: the time limit — required
 *   cores          integer >= 0, default 1;  gpus  integer >= 0, default 0
 *                  (cores + gpus > 0, and no more than the largest site has)
 *   deadline_s     integer >= 0 relative to submission, 0 = none (default);
 *                  when set, at least runtime_s
 *   origin         an origin id of the scenario; default its first origin
 *   data_tag       a data tag of the scenario, or null (default: untagged)
 *   class          a job class of the scenario, or null (default: none)
 *   latency_budget_ms  number >= 0; default the class's budget, else 0
 *   input_bytes, output_bytes  integers >= 0, default 0
 *   name           string of at most 128 bytes, default none
 *   env            object of string values (names [A-Za-z_][A-Za-z0-9_]*),
 *                  at most 256 entries, added to the job's environment
 *   requeue        boolean, default false: if the job's process is lost at
 *                  a restart (not alive, not adoptable), queue it again
 *                  instead of marking it failed (see docs/service.md)
 * Any other field is rejected (unknown_field).
 */
#ifndef SL_API_H
#define SL_API_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "model/job.h"
#include "model/network.h"
#include "serve/store.h"

#define SL_API_MAX_ARGS 4096
#define SL_API_MAX_ENV 256
#define SL_API_NAME_MAX 128
#define SL_API_MAX_RUNTIME_S 31536000
#define SL_API_LIST_DEFAULT 100
#define SL_API_LIST_MAX 1000

typedef struct sl_apierr {
	int status;           /* HTTP status */
	const char *code;     /* stable machine-readable code */
	char field[64];       /* the field concerned, or "" */
	char msg[512];
} sl_apierr;

/* Fill e and return rc (for `return sl_api_fail(...)`). */
int sl_api_fail(sl_apierr *e, int rc, int status, const char *code, const char *field,
                const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* The JSON error body for e (malloc'd, NUL-terminated; *len its length). */
char *sl_api_error_body(const sl_apierr *e, size_t *len);

/* A validated job submission.  Strings are owned (release frees them);
 * origin, data_tag and cls point into the network. */
typedef struct sl_jobspec {
	sl_job job;             /* engine fields, indices into the network */
	char *command_json;     /* compact JSON array */
	char *env_json;         /* compact JSON object, or NULL */
	char *name;             /* or NULL */
	const char *origin, *data_tag, *cls;
	int requeue;
} sl_jobspec;

/* Parse and validate a job body against net.  Returns 0 and fills *out, or
 * a negative code with e filled (status 400). */
int sl_api_job_parse(const sl_network *net, const char *body, size_t len, sl_jobspec *out,
                     sl_apierr *e);
void sl_jobspec_release(sl_jobspec *s);

/* The store's view of a spec, for tenant and submission time t. */
void sl_api_jobnew(const sl_jobspec *s, int64_t tenant, int64_t t, sl_jobnew *out);

/* A job row as JSON (new reference).  receipt_detail adds the decision
 * receipt (GET /v1/jobs/{id}); the list leaves it out. */
json_t *sl_api_job_json(const sl_jobrow *r, int receipt_detail);

/* Query of GET /v1/jobs: state, site, origin, limit, cursor, tenant
 * (admin only).  get(ud, key) returns the value or NULL.  Unknown keys are
 * checked by the caller through sl_api_list_key_known. */
typedef const char *(*sl_api_getarg)(void *ud, const char *key);
int sl_api_list_key_known(const char *key);
int sl_api_list_parse(sl_api_getarg get, void *ud, sl_jobfilter *f, const char **tenant_name,
                      sl_apierr *e);

/* The opaque cursor for "jobs older than id": "c" + base64url.  Decoding a
 * cursor that this did not produce is an error. */
void sl_api_cursor_encode(int64_t before_id, char *buf, size_t n);
int sl_api_cursor_decode(const char *s, int64_t *before_id);

/* Format v as a JSON number rounded to 6 significant digits, in plain
 * decimal notation ("0.000262", "524.4", "1234560"); "null" for NaN and
 * infinities, "0" below 1e-12 in magnitude, exponent form from 1e15 up.
 * buf needs 32 bytes.  Why not "%.6g": glibc's exact float conversion was
 * the largest user-space cost of a submission (a receipt carries some 50
 * numbers).  Returns the length written. */
int sl_api_num(char *buf, size_t n, double v);

/* Body of PUT /v1/signals/{zone}:
 *   {"carbon_g_per_kwh": number >= 0 or null, "price_cny_per_kwh": number
 *    >= 0 or null, "ttl_s": integer > 0 (optional)}
 * null (or absent) for both values clears the override.  expires = now +
 * ttl_s, or 0 (never).  Strings in out point into zone. */
int sl_api_sigover_parse(const char *zone, const char *body, size_t len, int64_t now,
                         sl_sigover *out, sl_apierr *e);

#endif
