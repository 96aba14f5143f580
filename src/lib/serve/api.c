/*
 * api.c — validation of job bodies and signal overrides, the error body.
 *
 * Each field has one small checker; the body walker rejects unknown fields
 * first, so a typo ("core": 4) is reported as unknown rather than silently
 * defaulted.
 */
#include "serve/api.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/banned.h"

int sl_api_fail(sl_apierr *e, int rc, int status, const char *code, const char *field,
                const char *fmt, ...)
{
	va_list ap;
	if (!e)
		return rc;
	e->status = status;
	e->code = code;
	snprintf(e->field, sizeof e->field, "%s", field ? field : "");
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	return rc;
}

char *sl_api_error_body(const sl_apierr *e, size_t *len)
{
	json_t *o = json_pack("{s:{s:s,s:s,s:s}}", "error", "code", e->code ? e->code : "error",
	                      "field", e->field, "message", e->msg);
	char *s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (!s)
		s = sl_strdup("{\"error\":{\"code\":\"internal\",\"field\":\"\",\"message\":\"?\"}}");
	*len = strlen(s);
	return s;
}

static int bad(sl_apierr *e, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int bad(sl_apierr *e, const char *field, const char *fmt, ...)
{
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return sl_api_fail(e, SL_EINVAL, 400, "invalid_field", field, "%s: %s", field, msg);
}

static const char *type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a number";
	case JSON_TRUE: case JSON_FALSE: return "a boolean";
	case JSON_NULL: return "null";
	}
	return "?";
}

/* An integer field in [lo, hi] (absent: keep *out). */
static int get_int(const json_t *o, const char *key, int64_t lo, int64_t hi, int64_t *out,
                   sl_apierr *e)
{
	const json_t *v = json_object_get(o, key);
	if (!v)
		return 0;
	if (!json_is_integer(v))
		return bad(e, key, "expected an integer, got %s", type_name(v));
	if (json_integer_value(v) < lo || json_integer_value(v) > hi)
		return bad(e, key, "%lld is out of range [%lld, %lld]",
		           (long long)json_integer_value(v), (long long)lo, (long long)hi);
	*out = json_integer_value(v);
	return 0;
}

/* A string field naming something of the network (absent or null: -1). */
static int get_ref(const json_t *o, const char *key, int allow_null, int *idx, const char **id,
                   int (*look)(const sl_network *, const char *), const sl_network *net,
                   sl_apierr *e)
{
	const json_t *v = json_object_get(o, key);
	if (!v || (allow_null && json_is_null(v)))
		return 0;
	if (!json_is_string(v))
		return bad(e, key, "expected a string, got %s", type_name(v));
	if ((*idx = look(net, json_string_value(v))) < 0)
		return bad(e, key, "\"%.64s\" is not defined in the scenario", json_string_value(v));
	*id = json_string_value(v);
	return 0;
}

static int check_command(const json_t *cmd, sl_apierr *e)
{
	size_t i;
	const json_t *a;
	if (!json_is_array(cmd))
		return bad(e, "command", "expected an array of strings (argv), got %s",
		           type_name(cmd));
	if (json_array_size(cmd) == 0 || json_array_size(cmd) > SL_API_MAX_ARGS)
		return bad(e, "command", "expected 1 to %d arguments, got %zu", SL_API_MAX_ARGS,
		           json_array_size(cmd));
	json_array_foreach(cmd, i, a) {
		char f[32];
		snprintf(f, sizeof f, "command[%zu]", i);
		if (!json_is_string(a))
			return bad(e, f, "expected a string, got %s", type_name(a));
		if (strlen(json_string_value(a)) != json_string_length(a))
			return bad(e, f, "contains a NUL character");
		if (i == 0 && json_string_length(a) == 0)
			return bad(e, f, "the program must not be empty");
	}
	return 0;
}

static int env_name_ok(const char *k)
{
	if (!((*k >= 'A' && *k <= 'Z') || (*k >= 'a' && *k <= 'z') || *k == '_'))
		return 0;
	for (k++; *k; k++)
		if (!((*k >= 'A' && *k <= 'Z') || (*k >= 'a' && *k <= 'z') || *k == '_' ||
		      (*k >= '0' && *k <= '9')))
			return 0;
	return 1;
}

static int check_env(const json_t *env, sl_apierr *e)
{
	const char *k;
	const json_t *v;
	if (!json_is_object(env))
		return bad(e, "env", "expected an object of strings, got %s", type_name(env));
	if (json_object_size(env) > SL_API_MAX_ENV)
		return bad(e, "env", "at most %d variables", SL_API_MAX_ENV);
	json_object_foreach((json_t *)env, k, v) {
		char f[64];
		snprintf(f, sizeof f, "env.%.50s", k);
		if (!env_name_ok(k))
			return bad(e, f, "not a valid variable name ([A-Za-z_][A-Za-z0-9_]*)");
		if (!json_is_string(v))
			return bad(e, f, "expected a string, got %s", type_name(v));
		if (strlen(json_string_value(v)) != json_string_length(v))
			return bad(e, f, "contains a NUL character");
	}
	return 0;
}

static const char *const job_keys[] = {
	"command", "runtime_s", "cores", "gpus", "deadline_s", "origin", "data_tag", "class",
	"latency_budget_ms", "input_bytes", "output_bytes", "name", "env", "requeue", NULL,
};

static int check_keys(const json_t *o, const char *const *keys, sl_apierr *e)
{
	const char *k;
	const json_t *v;
	json_object_foreach((json_t *)o, k, v) {
		int known = 0;
		for (int i = 0; keys[i] && !known; i++)
			known = strcmp(k, keys[i]) == 0;
		if (!known)
			return sl_api_fail(e, SL_EINVAL, 400, "unknown_field", k,
			                   "%.60s: unknown field", k);
	}
	return 0;
}

/* Largest cores and GPUs of any one site. */
static void largest_site(const sl_network *net, int64_t *cores, int64_t *gpus)
{
	*cores = *gpus = 0;
	for (int i = 0; i < net->nsites; i++) {
		if (net->sites[i].cores > *cores)
			*cores = net->sites[i].cores;
		if (net->sites[i].gpus > *gpus)
			*gpus = net->sites[i].gpus;
	}
}

static int get_sizes(const json_t *o, const sl_network *net, sl_job *j, sl_apierr *e)
{
	int64_t rt = 0, cores = 1, gpus = 0, dl = 0, in = 0, out = 0, maxc, maxg;
	int rc;
	if (!json_object_get(o, "runtime_s"))
		return sl_api_fail(e, SL_EINVAL, 400, "missing_field", "runtime_s",
		                   "runtime_s: required (the time limit in seconds)");
	largest_site(net, &maxc, &maxg);
	if ((rc = get_int(o, "runtime_s", 1, SL_API_MAX_RUNTIME_S, &rt, e)) < 0 ||
	    (rc = get_int(o, "cores", 0, 1 << 30, &cores, e)) < 0 ||
	    (rc = get_int(o, "gpus", 0, 1 << 30, &gpus, e)) < 0 ||
	    (rc = get_int(o, "deadline_s", 0, INT64_MAX / 4, &dl, e)) < 0 ||
	    (rc = get_int(o, "input_bytes", 0, INT64_MAX / 4, &in, e)) < 0 ||
	    (rc = get_int(o, "output_bytes", 0, INT64_MAX / 4, &out, e)) < 0)
		return rc;
	if (cores + gpus == 0)
		return bad(e, "cores", "a job needs at least one core or GPU");
	if (cores > maxc)
		return bad(e, "cores", "%lld is more than any site has (largest: %lld)",
		           (long long)cores, (long long)maxc);
	if (gpus > maxg)
		return bad(e, "gpus", "%lld is more than any site has (largest: %lld)",
		           (long long)gpus, (long long)maxg);
	if (dl > 0 && dl < rt)
		return bad(e, "deadline_s", "%lld is shorter than runtime_s (%lld)", (long long)dl,
		           (long long)rt);
	j->est_s = j->run_s = (int32_t)rt;
	j->cores = (int32_t)cores;
	j->gpus = (int32_t)gpus;
	j->deadline_s = dl;
	j->input_bytes = in;
	j->output_bytes = out;
	return 0;
}

static int get_refs(const json_t *o, const sl_network *net, sl_jobspec *s, sl_apierr *e)
{
	int origin = 0, tag = -1, cls = -1, rc;
	const json_t *v;
	if (net->norigins == 0)
		return sl_api_fail(e, SL_ESTATE, 503, "no_origins", "origin",
		                   "origin: the scenario defines no origins");
	s->origin = net->origins[0].id;
	if ((rc = get_ref(o, "origin", 0, &origin, &s->origin, sl_network_origin, net, e)) < 0 ||
	    (rc = get_ref(o, "data_tag", 1, &tag, &s->data_tag, sl_network_tag, net, e)) < 0 ||
	    (rc = get_ref(o, "class", 1, &cls, &s->cls, sl_network_class, net, e)) < 0)
		return rc;
	s->job.origin = (int16_t)origin;
	s->job.tag = (int16_t)tag;
	s->job.cls = (int16_t)cls;
	s->job.latency_budget_ms = cls >= 0 ? (float)net->classes[cls].latency_budget_ms : 0;
	if ((v = json_object_get(o, "latency_budget_ms"))) {
		if (!json_is_number(v))
			return bad(e, "latency_budget_ms", "expected a number, got %s", type_name(v));
		if (!(json_number_value(v) >= 0 && json_number_value(v) < 1e7))
			return bad(e, "latency_budget_ms", "expected a number in [0, 1e7)");
		s->job.latency_budget_ms = (float)json_number_value(v);
	}
	return 0;
}

static int get_texts(const json_t *o, sl_jobspec *s, sl_apierr *e)
{
	const json_t *cmd = json_object_get(o, "command"), *env, *name, *v;
	int rc;
	if (!cmd)
		return sl_api_fail(e, SL_EINVAL, 400, "missing_field", "command",
		                   "command: required (an array of strings, e.g. [\"./train.sh\"])");
	if ((rc = check_command(cmd, e)) < 0)
		return rc;
	if ((env = json_object_get(o, "env")) && !json_is_null(env)) {
		if ((rc = check_env(env, e)) < 0)
			return rc;
		s->env_json = json_dumps(env, JSON_COMPACT);
	}
	if ((name = json_object_get(o, "name")) && !json_is_null(name)) {
		if (!json_is_string(name))
			return bad(e, "name", "expected a string, got %s", type_name(name));
		if (json_string_length(name) > SL_API_NAME_MAX ||
		    strlen(json_string_value(name)) != json_string_length(name))
			return bad(e, "name", "at most %d bytes, no NUL", SL_API_NAME_MAX);
		s->name = sl_strdup(json_string_value(name));
	}
	if ((v = json_object_get(o, "requeue")) && !json_is_null(v)) {
		if (!json_is_boolean(v))
			return bad(e, "requeue", "expected true or false, got %s", type_name(v));
		s->requeue = json_is_true(v);
	}
	s->command_json = json_dumps(cmd, JSON_COMPACT);
	return 0;
}

/* Load a JSON object body; malformed text and non-objects are 400. */
static json_t *load_object(const char *body, size_t len, sl_apierr *e)
{
	json_error_t je;
	json_t *o = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
	if (!o) {
		sl_api_fail(e, SL_EPARSE, 400, "malformed_json", "",
		            "malformed JSON at line %d column %d: %s", je.line, je.column, je.text);
		return NULL;
	}
	if (!json_is_object(o)) {
		sl_api_fail(e, SL_EPARSE, 400, "malformed_json", "",
		            "the body must be a JSON object, got %s", type_name(o));
		json_decref(o);
		return NULL;
	}
	return o;
}

int sl_api_job_parse(const sl_network *net, const char *body, size_t len, sl_jobspec *out,
                     sl_apierr *e)
{
	sl_jobspec s;
	json_t *o = load_object(body, len, e);
	int rc;
	if (!o)
		return SL_EPARSE;
	memset(&s, 0, sizeof s);
	if ((rc = check_keys(o, job_keys, e)) < 0 || (rc = get_texts(o, &s, e)) < 0 ||
	    (rc = get_sizes(o, net, &s.job, e)) < 0 || (rc = get_refs(o, net, &s, e)) < 0)
		goto fail;
	/* The reference strings point into o: re-point them into the network. */
	s.origin = net->origins[s.job.origin].id;
	s.data_tag = s.job.tag >= 0 ? net->tags[s.job.tag].tag : NULL;
	s.cls = s.job.cls >= 0 ? net->classes[s.job.cls].id : NULL;
	json_decref(o);
	*out = s;
	return 0;
fail:
	json_decref(o);
	sl_jobspec_release(&s);
	return rc;
}

void sl_jobspec_release(sl_jobspec *s)
{
	if (!s)
		return;
	free(s->command_json); /* from json_dumps: plain malloc */
	free(s->env_json);
	sl_free(s->name);
	memset(s, 0, sizeof *s);
}

void sl_api_jobnew(const sl_jobspec *s, int64_t tenant, int64_t t, sl_jobnew *out)
{
	memset(out, 0, sizeof *out);
	out->tenant = tenant;
	out->submit = t;
	out->name = s->name;
	out->command_json = s->command_json;
	out->env_json = s->env_json;
	out->cores = s->job.cores;
	out->gpus = s->job.gpus;
	out->runtime_s = s->job.est_s;
	out->deadline_s = s->job.deadline_s;
	out->input_bytes = s->job.input_bytes;
	out->output_bytes = s->job.output_bytes;
	out->origin = s->origin;
	out->data_tag = s->data_tag;
	out->cls = s->cls;
	out->latency_budget_ms = s->job.latency_budget_ms;
	out->requeue = s->requeue;
}

static int get_optnum(const json_t *o, const char *key, int *has, double *out, sl_apierr *e)
{
	const json_t *v = json_object_get(o, key);
	*has = 0;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_number(v))
		return bad(e, key, "expected a number or null, got %s", type_name(v));
	if (!(json_number_value(v) >= 0 && isfinite(json_number_value(v))))
		return bad(e, key, "expected a number >= 0");
	*has = 1;
	*out = json_number_value(v);
	return 0;
}

int sl_api_sigover_parse(const char *zone, const char *body, size_t len, int64_t now,
                         sl_sigover *out, sl_apierr *e)
{
	static const char *const keys[] = {"carbon_g_per_kwh", "price_cny_per_kwh", "ttl_s", NULL};
	sl_sigover o = {0};
	int64_t ttl = 0;
	json_t *b = load_object(body, len, e);
	int rc;
	if (!b)
		return SL_EPARSE;
	o.zone = zone;
	o.set_at = now;
	if ((rc = check_keys(b, keys, e)) < 0 ||
	    (rc = get_optnum(b, "carbon_g_per_kwh", &o.has_carbon, &o.carbon_g_per_kwh, e)) < 0 ||
	    (rc = get_optnum(b, "price_cny_per_kwh", &o.has_price, &o.price_cny_per_kwh, e)) < 0 ||
	    (rc = get_int(b, "ttl_s", 1, 10LL * 365 * 86400, &ttl, e)) < 0) {
		json_decref(b);
		return rc;
	}
	o.expires = ttl > 0 ? now + ttl : 0;
	json_decref(b);
	*out = o;
	return 0;
}
