/*
 * scenario_value.c — typed scalar readers for the scenario loader: numbers
 * with bounds, strings, ids, UTC offsets, times, durations, byte sizes,
 * references to other sections and jurisdiction codes.  Each reports
 * "expected X, got Y" at the node and the current key path.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/time.h"
#include "core/units.h"
#include "io/scenario_int.h"

#include "core/banned.h"

/* A YAML number: decimal (with optional sign, fraction, exponent), no hex,
 * no inf/nan, nothing after it. */
static int parse_number(const char *s, double *out)
{
	char *end;
	const char *p = s;
	if (*p == '+' || *p == '-')
		p++;
	if (!isdigit((unsigned char)*p) && !(*p == '.' && isdigit((unsigned char)p[1])))
		return -1;
	if (strchr(s, 'x') || strchr(s, 'X'))
		return -1;
	errno = 0;
	double v = strtod(s, &end);
	if (*end != '\0' || !isfinite(v) || errno == ERANGE)
		return -1;
	*out = v;
	return 0;
}

const char *sl__sc_bounds_text(sl__sc_bounds b, const char *what, char *buf, size_t size)
{
	if (!what)
		what = b.integer ? "an integer" : "a number";
	int lo = isfinite(b.lo), hi = isfinite(b.hi);
	if (lo && hi)
		snprintf(buf, size, "%s in %c%g, %g%c", what, b.lo_open ? '(' : '[', b.lo, b.hi,
		         b.hi_open ? ')' : ']');
	else if (lo)
		snprintf(buf, size, "%s %s %g", what, b.lo_open ? ">" : ">=", b.lo);
	else if (hi)
		snprintf(buf, size, "%s %s %g", what, b.hi_open ? "<" : "<=", b.hi);
	else
		snprintf(buf, size, "%s", what);
	return buf;
}

int sl__sc_in_bounds(sl__sc_bounds b, double v)
{
	if (b.integer && v != floor(v))
		return 0;
	if (b.lo_open ? !(v > b.lo) : !(v >= b.lo))
		return 0;
	return b.hi_open ? v < b.hi : v <= b.hi;
}

int sl__sc_node_num(sl__sc *c, const sl_yaml_node *n, sl__sc_bounds b, double *out)
{
	char want[128], got[96];
	double v;
	sl__sc_bounds_text(b, NULL, want, sizeof want);
	if (!n || n->kind != SL_YAML_SCALAR || parse_number(n->str, &v)) {
		sl__sc_error(c, n, "expected %s, got %s", want, sl__sc_describe(n, got, sizeof got));
		return -1;
	}
	if (!n->plain) {
		sl__sc_error(c, n, "expected %s, got the string \"%s\" (write numbers without quotes)",
		             want, n->str);
		return -1;
	}
	if (!sl__sc_in_bounds(b, v)) {
		sl__sc_error(c, n, "expected %s, got %s", want, n->str);
		return -1;
	}
	*out = v;
	return 0;
}

int sl__sc_node_str(sl__sc *c, const sl_yaml_node *n, const char **out)
{
	char got[96];
	if (!n || n->kind != SL_YAML_SCALAR || sl_yaml_is_null(n)) {
		sl__sc_error(c, n, "expected a string, got %s", sl__sc_describe(n, got, sizeof got));
		return -1;
	}
	if (strlen(n->str) != n->len) {
		sl__sc_error(c, n, "expected a string without NUL characters");
		return -1;
	}
	*out = sl_arena_strdup(&c->net->arena, n->str);
	return 0;
}

static int id_ok(const char *s)
{
	if (!isalpha((unsigned char)s[0]) || strlen(s) >= SL__SC_ID_MAX)
		return 0;
	for (const char *p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-')
			return 0;
	return 1;
}

/* Why *out is written even for a malformed id: references to it then still
 * resolve, so one bad id is reported once, not once per reference. */
int sl__sc_node_id(sl__sc *c, const sl_yaml_node *n, const char **out)
{
	if (sl__sc_node_str(c, n, out))
		return -1;
	if (!id_ok(n->str)) {
		sl__sc_error(c, n, "expected an id (a letter, then letters, digits, _ or -; at most "
		                   "%d characters), got \"%s\"", SL__SC_ID_MAX - 1, n->str);
		return -1;
	}
	return 0;
}

int sl__sc_node_duration(sl__sc *c, const sl_yaml_node *n, int64_t *out_s)
{
	char got[96];
	if (n && n->kind == SL_YAML_SCALAR && !sl_yaml_is_null(n) &&
	    sl_duration_parse(n->str, out_s, NULL) == 0)
		return 0;
	sl__sc_error(c, n, "expected a duration (seconds, or e.g. 90s, 15m, 2h, 1h30m, 3d), got %s",
	             sl__sc_describe(n, got, sizeof got));
	return -1;
}

int sl__sc_node_bytes(sl__sc *c, const sl_yaml_node *n, int64_t *out)
{
	char got[96];
	if (n && n->kind == SL_YAML_SCALAR && !sl_yaml_is_null(n) &&
	    sl_bytes_parse(n->str, out, NULL) == 0)
		return 0;
	sl__sc_error(c, n, "expected a byte size (bytes, or e.g. 500MB, 1.5GB, 2TB, 4GiB), got %s",
	             sl__sc_describe(n, got, sizeof got));
	return -1;
}

int sl__sc_node_lookup(sl__sc *c, const sl_yaml_node *n, const char *what, sl__sc_names names,
                       int *out)
{
	char got[96];
	if (!n || n->kind != SL_YAML_SCALAR || sl_yaml_is_null(n)) {
		sl__sc_error(c, n, "expected a %s id, got %s", what, sl__sc_describe(n, got, sizeof got));
		return -1;
	}
	for (int i = 0; i < names.n; i++) {
		const char *s = sl__sc_name_at(names, i);
		if (s && *s && strcmp(s, n->str) == 0) {
			*out = i;
			return 0;
		}
	}
	const char *hint = sl__sc_nearest(n->str, names);
	if (hint)
		sl__sc_error(c, n, "unknown %s \"%s\" (did you mean \"%s\"?)", what, n->str, hint);
	else if (names.n == 0)
		sl__sc_error(c, n, "unknown %s \"%s\" (none is defined)", what, n->str);
	else {
		char list[512];
		sl__sc_join_names(names, list, sizeof list);
		sl__sc_error(c, n, "unknown %s \"%s\" (known: %s)", what, n->str, list);
	}
	return -1;
}

int sl__sc_node_jurisdiction(sl__sc *c, const sl_yaml_node *n, int *out)
{
	sl_network *net = c->net;
	const char *code;
	if (sl__sc_node_str(c, n, &code))
		return -1;
	if (!id_ok(code)) {
		sl__sc_error(c, n, "expected a jurisdiction code like CN, SG or MY, got \"%s\"", code);
		return -1;
	}
	int j = sl_network_jurisdiction(net, code);
	if (j >= 0) {
		*out = j;
		return 0;
	}
	if (net->njurisdictions >= SL_MAX_JURISDICTIONS) {
		sl__sc_error(c, n, "too many distinct jurisdictions (at most %d), \"%s\" is one more",
		             SL_MAX_JURISDICTIONS, code);
		return -1;
	}
	net->jurisdictions[net->njurisdictions] = code;
	*out = net->njurisdictions++;
	return 0;
}

/* Look key up and enter it on the path.  NULL when absent (then *r is 0,
 * or -1 when it was required and has been reported). */
static const sl_yaml_node *enter(sl__sc *c, const sl_yaml_node *map, const char *key, int req,
                                 size_t *mark, int *r)
{
	const sl_yaml_node *n = sl__sc_get(c, map, key, req);
	*r = req ? -1 : 0;
	if (n)
		*mark = sl__sc_push(c, key);
	return n;
}

#define KEY_READER(call)                                                  \
	do {                                                              \
		size_t m_;                                                \
		int r_;                                                   \
		const sl_yaml_node *n_ = enter(c, map, key, req, &m_, &r_); \
		if (!n_)                                                  \
			return r_;                                        \
		r_ = (call) ? -1 : 1;                                     \
		sl__sc_pop(c, m_);                                        \
		return r_;                                                \
	} while (0)

int sl__sc_num(sl__sc *c, const sl_yaml_node *map, const char *key, int req, sl__sc_bounds b,
               double *out)
{
	KEY_READER(sl__sc_node_num(c, n_, b, out));
}

static int node_int(sl__sc *c, const sl_yaml_node *n, sl__sc_bounds b, int32_t *out)
{
	double v;
	b.integer = 1;
	if (sl__sc_node_num(c, n, b, &v))
		return -1;
	if (v < -2147483648.0 || v > 2147483647.0) {
		sl__sc_error(c, n, "expected an integer that fits in 32 bits, got %s", n->str);
		return -1;
	}
	*out = (int32_t)v;
	return 0;
}

int sl__sc_int(sl__sc *c, const sl_yaml_node *map, const char *key, int req, sl__sc_bounds b,
               int32_t *out)
{
	KEY_READER(node_int(c, n_, b, out));
}

int sl__sc_str(sl__sc *c, const sl_yaml_node *map, const char *key, int req, const char **out)
{
	KEY_READER(sl__sc_node_str(c, n_, out));
}

static int node_bool(sl__sc *c, const sl_yaml_node *n, int *out)
{
	char got[96];
	if (n && n->kind == SL_YAML_SCALAR && !sl_yaml_is_null(n)) {
		if (!strcmp(n->str, "true") || !strcmp(n->str, "false")) {
			*out = n->str[0] == 't';
			return 0;
		}
	}
	sl__sc_error(c, n, "expected true or false, got %s", sl__sc_describe(n, got, sizeof got));
	return -1;
}

int sl__sc_bool(sl__sc *c, const sl_yaml_node *map, const char *key, int req, int *out)
{
	KEY_READER(node_bool(c, n_, out));
}

int sl__sc_id(sl__sc *c, const sl_yaml_node *map, const char *key, int req, const char **out)
{
	KEY_READER(sl__sc_node_id(c, n_, out));
}

static int node_offset(sl__sc *c, const sl_yaml_node *n, int32_t *out_s)
{
	char got[96];
	if (n && n->kind == SL_YAML_SCALAR && !sl_yaml_is_null(n) &&
	    sl_utc_offset_parse(n->str, out_s, NULL) == 0)
		return 0;
	sl__sc_error(c, n, "expected a UTC offset like \"+08:00\" or \"UTC+8\", got %s",
	             sl__sc_describe(n, got, sizeof got));
	return -1;
}

int sl__sc_offset(sl__sc *c, const sl_yaml_node *map, const char *key, int req, int32_t *out_s)
{
	KEY_READER(node_offset(c, n_, out_s));
}

static int node_time(sl__sc *c, const sl_yaml_node *n, int32_t default_offset_s, int64_t *out)
{
	char got[96];
	sl_err e = {0};
	if (n && n->kind == SL_YAML_SCALAR && !sl_yaml_is_null(n)) {
		int r = sl_time_parse_iso(n->str, default_offset_s, out, &e);
		if (r == 0)
			return 0;
		if (r == SL_ERANGE) {
			sl__sc_error(c, n, "expected a valid date and time, got \"%s\" (%s)", n->str,
			             strstr(e.msg, "date") ? "no such date" : "no such time of day");
			return -1;
		}
	}
	sl__sc_error(c, n, "expected an ISO 8601 time like 2025-01-01T00:00:00+08:00, got %s",
	             sl__sc_describe(n, got, sizeof got));
	return -1;
}

int sl__sc_time(sl__sc *c, const sl_yaml_node *map, const char *key, int req,
                int32_t default_offset_s, int64_t *out)
{
	KEY_READER(node_time(c, n_, default_offset_s, out));
}

int sl__sc_duration(sl__sc *c, const sl_yaml_node *map, const char *key, int req,
                    int64_t *out_s)
{
	KEY_READER(sl__sc_node_duration(c, n_, out_s));
}

int sl__sc_ref(sl__sc *c, const sl_yaml_node *map, const char *key, int req, const char *what,
               sl__sc_names names, int *out)
{
	KEY_READER(sl__sc_node_lookup(c, n_, what, names, out));
}

int sl__sc_jurisdiction(sl__sc *c, const sl_yaml_node *map, const char *key, int req, int *out)
{
	KEY_READER(sl__sc_node_jurisdiction(c, n_, out));
}

int sl__sc_signal(sl__sc *c, const sl_yaml_node *map, const char *key, int req, sl__sc_bounds b,
                  sl_signal *out)
{
	KEY_READER(sl__sc_node_signal(c, n_, b, out));
}

int sl__sc_range(sl__sc *c, const sl_yaml_node *map, const char *key, int req, int kind,
                 sl__sc_bounds b, sl_range *out)
{
	KEY_READER(sl__sc_node_range(c, n_, kind, b, out));
}
