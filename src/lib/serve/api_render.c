/*
 * api_render.c — job rows as JSON, the GET /v1/jobs query and its cursor.
 */
#include "serve/api.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/banned.h"

static void set_opt_int(json_t *o, const char *k, int has, int64_t v)
{
	json_object_set_new(o, k, has ? json_integer(v) : json_null());
}

static void set_opt_str(json_t *o, const char *k, const char *v)
{
	json_object_set_new(o, k, v ? json_string(v) : json_null());
}

/* A stored JSON text as a value (null if absent or unreadable). */
static json_t *embedded(const char *text)
{
	json_t *v = text ? json_loads(text, 0, NULL) : NULL;
	return v ? v : json_null();
}

json_t *sl_api_job_json(const sl_jobrow *r, int receipt_detail)
{
	json_t *o = json_object();
	json_object_set_new(o, "id", json_integer(r->id));
	set_opt_str(o, "tenant", r->tenant_name);
	set_opt_str(o, "name", r->name);
	json_object_set_new(o, "state", json_string(sl_jobstate_name(r->state)));
	set_opt_str(o, "reason", r->reason);
	json_object_set_new(o, "command", embedded(r->command_json));
	if (receipt_detail)
		json_object_set_new(o, "env", embedded(r->env_json));
	json_object_set_new(o, "cores", json_integer(r->cores));
	json_object_set_new(o, "gpus", json_integer(r->gpus));
	json_object_set_new(o, "runtime_s", json_integer(r->runtime_s));
	json_object_set_new(o, "deadline_s", json_integer(r->deadline_s));
	set_opt_str(o, "origin", r->origin);
	set_opt_str(o, "data_tag", r->data_tag);
	set_opt_str(o, "class", r->cls);
	json_object_set_new(o, "latency_budget_ms", json_real(r->latency_budget_ms));
	json_object_set_new(o, "input_bytes", json_integer(r->input_bytes));
	json_object_set_new(o, "output_bytes", json_integer(r->output_bytes));
	json_object_set_new(o, "submit", json_integer(r->submit));
	set_opt_str(o, "site", r->site);
	set_opt_int(o, "planned_start", r->has_plan, r->planned_start);
	set_opt_int(o, "planned_end", r->has_plan, r->planned_end);
	set_opt_int(o, "start", r->has_start, r->start);
	set_opt_int(o, "end", r->has_end, r->end);
	set_opt_int(o, "exit_code", r->has_exit, r->exit_code);
	set_opt_str(o, "handle", r->handle && r->handle[0] ? r->handle : NULL);
	json_object_set_new(o, "attempts", json_integer(r->attempts));
	json_object_set_new(o, "requeue", json_boolean(r->requeue));
	json_object_set_new(o, "energy_kwh", json_real(r->energy_kwh));
	json_object_set_new(o, "carbon_g", json_real(r->carbon_g));
	json_object_set_new(o, "cost_cny", json_real(r->cost_cny));
	if (receipt_detail)
		json_object_set_new(o, "receipt", embedded(r->receipt_json));
	return o;
}

static const char *const list_keys[] = {"state", "site", "origin", "limit", "cursor", "tenant",
                                        NULL};

int sl_api_list_key_known(const char *key)
{
	for (int i = 0; list_keys[i]; i++)
		if (strcmp(key, list_keys[i]) == 0)
			return 1;
	return 0;
}

void sl_api_cursor_encode(int64_t before_id, char *buf, size_t n)
{
	char raw[32], b64[64];
	int len = snprintf(raw, sizeof raw, "v1:%lld", (long long)before_id);
	sodium_bin2base64(b64, sizeof b64, (const unsigned char *)raw, (size_t)len,
	                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	snprintf(buf, n, "c%s", b64);
}

int sl_api_cursor_decode(const char *s, int64_t *before_id)
{
	unsigned char raw[32];
	size_t len = 0;
	char txt[33], *end;
	long long v;
	if (s[0] != 'c' || strlen(s) > 48 ||
	    sodium_base642bin(raw, sizeof raw - 1, s + 1, strlen(s + 1), NULL, &len, NULL,
	                      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
		return SL_EPARSE;
	memcpy(txt, raw, len);
	txt[len] = '\0';
	if (strncmp(txt, "v1:", 3) != 0)
		return SL_EPARSE;
	errno = 0;
	v = strtoll(txt + 3, &end, 10);
	if (errno || end == txt + 3 || *end || v <= 0)
		return SL_EPARSE;
	*before_id = v;
	return 0;
}

int sl_api_list_parse(sl_api_getarg get, void *ud, sl_jobfilter *f, const char **tenant_name,
                      sl_apierr *e)
{
	const char *v;
	memset(f, 0, sizeof *f);
	f->state = -1;
	f->limit = SL_API_LIST_DEFAULT;
	*tenant_name = get(ud, "tenant");
	if ((v = get(ud, "state")) && (f->state = sl_jobstate_parse(v)) < 0)
		return sl_api_fail(e, SL_EINVAL, 400, "invalid_field", "state",
		                   "state: \"%.32s\" is not a job state (queued, planned, running, "
		                   "done, failed, timeout, cancelled, rejected)", v);
	f->site = get(ud, "site");
	f->origin = get(ud, "origin");
	if ((v = get(ud, "limit"))) {
		char *end;
		long n;
		errno = 0;
		n = strtol(v, &end, 10);
		if (errno || end == v || *end || n < 1 || n > SL_API_LIST_MAX)
			return sl_api_fail(e, SL_EINVAL, 400, "invalid_field", "limit",
			                   "limit: expected an integer in [1, %d]", SL_API_LIST_MAX);
		f->limit = (int)n;
	}
	if ((v = get(ud, "cursor")) && sl_api_cursor_decode(v, &f->before_id) < 0)
		return sl_api_fail(e, SL_EINVAL, 400, "invalid_field", "cursor",
		                   "cursor: not a cursor returned by this server");
	return 0;
}

static const double pow10_tab[] = {
	1e-20, 1e-19, 1e-18, 1e-17, 1e-16, 1e-15, 1e-14, 1e-13, 1e-12, 1e-11, 1e-10,
	1e-9, 1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1, 1e1, 1e2, 1e3, 1e4,
	1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18,
	1e19, 1e20,
};

/* The six significant digits of a (> 0) into dig[0..5], and its decimal
 * exponent: a ~= d.ddddd * 10^e. */
static int six_digits(double a, char dig[6])
{
	int e = (int)floor(log10(a));
	long long d = llround(a * pow10_tab[20 + 5 - e]);
	if (d >= 1000000) { /* rounding carried into a seventh digit */
		d = (d + 5) / 10;
		e++;
	} else if (d < 100000) { /* log10 rounded up just below a power of ten */
		e--;
		d = llround(a * pow10_tab[20 + 5 - e]);
	}
	for (int i = 5; i >= 0; i--, d /= 10)
		dig[i] = (char)('0' + d % 10);
	return e;
}

int sl_api_num(char *buf, size_t n, double v)
{
	char dig[6], out[48];
	double a = fabs(v);
	int e, k = 0, nd;
	if (!isfinite(v))
		return snprintf(buf, n, "null");
	if (a < 1e-12)
		return snprintf(buf, n, "0");
	if (a >= 1e15)
		return snprintf(buf, n, "%.6g", v);
	e = six_digits(a, dig);
	for (nd = 6; nd > 1 && dig[nd - 1] == '0' && nd > e + 1; nd--)
		;
	if (v < 0)
		out[k++] = '-';
	if (e < 0) {
		out[k++] = '0';
		out[k++] = '.';
		for (int z = 0; z < -e - 1; z++)
			out[k++] = '0';
	}
	for (int i = 0; i < (e < 0 ? nd : e + 1); i++)
		out[k++] = i < 6 ? dig[i] : '0';
	if (e >= 0 && nd > e + 1) {
		out[k++] = '.';
		for (int i = e + 1; i < nd; i++)
			out[k++] = dig[i];
	}
	if ((size_t)k >= n)
		k = n ? (int)n - 1 : 0;
	memcpy(buf, out, (size_t)k);
	if (n)
		buf[k] = '\0';
	return k;
}
