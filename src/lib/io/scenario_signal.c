/*
 * scenario_signal.c — signals (a constant or a CSV series, expanded onto
 * the scenario grid) and ranges ([lo, hi] of numbers, durations or byte
 * sizes) for the scenario loader.
 *
 * When the time section is invalid there is no grid: signals are then
 * checked (types, bounds, keys) but not expanded, and CSV files are not
 * read, since the network will not be returned anyway.
 */
#include <stdio.h>
#include <string.h>

#include "core/time.h"
#include "io/csv_signal.h"
#include "io/scenario_int.h"

#include "core/banned.h"

static const char *const csv_keys[] = {"csv", "column", "scale", NULL};

static double *grid_alloc(sl__sc *c, sl_signal *out)
{
	const sl_network *net = c->net;
	out->n = net->nsteps;
	out->step_s = net->step_s;
	out->t0 = net->t0;
	out->v = sl_arena_alloc(&c->net->arena, (size_t)net->nsteps * sizeof *out->v);
	return out->v;
}

static int constant(sl__sc *c, double v, sl_signal *out)
{
	if (!c->grid_ok)
		return 0;
	double *x = grid_alloc(c, out);
	for (int32_t i = 0; i < out->n; i++)
		x[i] = v;
	return 0;
}

/* Report a CSV loading failure at the csv (or column) node. */
static void csv_failed(sl__sc *c, const sl_yaml_node *map, int code, const sl_err *e)
{
	const char *key = code == SL_ENOTFOUND ? "column" : "csv";
	size_t m = sl__sc_push(c, key);
	if (e->origin[0])
		sl__sc_error(c, sl_yaml_get(map, key), "cannot load the series: %s: %s", e->origin,
		             e->msg);
	else
		sl__sc_error(c, sl_yaml_get(map, key), "cannot load the series: %s", e->msg);
	sl__sc_pop(c, m);
}

/* Scale the loaded values and check each against b; reports the first. */
static int check_series(sl__sc *c, const sl_yaml_node *map, const char *file, double scale,
                        sl__sc_bounds b, sl_signal *s)
{
	for (int32_t i = 0; i < s->n; i++) {
		s->v[i] *= scale;
		if (sl__sc_in_bounds(b, s->v[i]))
			continue;
		char want[128], when[32];
		sl__sc_bounds_text(b, NULL, want, sizeof want);
		sl_time_format_iso(s->t0 + (int64_t)i * s->step_s, c->net->utc_offset_s, 1, when,
		                   sizeof when);
		sl__sc_error(c, map, "expected every value of %s%s to be %s, got %g at %s (step %d)",
		             file, scale != 1.0 ? " (after scale)" : "", want, s->v[i], when, (int)i);
		return -1;
	}
	return 0;
}

static int csv_signal(sl__sc *c, const sl_yaml_node *map, sl__sc_bounds b, sl_signal *out)
{
	const char *file = NULL, *column = NULL;
	double scale = 1.0;
	sl__sc_check_keys(c, map, csv_keys);
	int ok = sl__sc_str(c, map, "csv", 1, &file) == 1;
	ok &= sl__sc_str(c, map, "column", 1, &column) == 1;
	ok &= sl__sc_num(c, map, "scale", 0, sl__sc_any(), &scale) >= 0;
	if (!ok)
		return -1;
	if (!c->grid_ok)
		return 0;
	char full[4096];
	int k = file[0] == '/' || !c->dir[0]
	                ? snprintf(full, sizeof full, "%s", file)
	                : snprintf(full, sizeof full, "%s/%s", c->dir, file);
	if (k < 0 || (size_t)k >= sizeof full) {
		size_t m = sl__sc_push(c, "csv");
		sl__sc_error(c, sl_yaml_get(map, "csv"), "path too long");
		sl__sc_pop(c, m);
		return -1;
	}
	sl_signal s = {0};
	sl_err e = {0};
	grid_alloc(c, &s);
	int r = sl_csv_signal_load(full, column, s.t0, s.step_s, s.n, s.v, &e);
	if (r) {
		csv_failed(c, map, r, &e);
		return -1;
	}
	if (check_series(c, map, full, scale, b, &s))
		return -1;
	*out = s;
	return 0;
}

int sl__sc_node_signal(sl__sc *c, const sl_yaml_node *n, sl__sc_bounds b, sl_signal *out)
{
	double v;
	char got[96];
	if (n && n->kind == SL_YAML_MAP)
		return csv_signal(c, n, b, out);
	if (n && n->kind == SL_YAML_SCALAR) {
		if (sl__sc_node_num(c, n, b, &v))
			return -1;
		return constant(c, v, out);
	}
	sl__sc_error(c, n, "expected a number or a CSV series {csv: FILE, column: NAME}, got %s",
	             sl__sc_describe(n, got, sizeof got));
	return -1;
}

/* One end of a range, read by kind and checked against b. */
static int range_end(sl__sc *c, const sl_yaml_node *n, int kind, sl__sc_bounds b, double *out)
{
	int64_t x;
	char want[128];
	if (kind == SL__SC_RANGE_NUM)
		return sl__sc_node_num(c, n, b, out);
	int r = kind == SL__SC_RANGE_DURATION ? sl__sc_node_duration(c, n, &x)
	                                      : sl__sc_node_bytes(c, n, &x);
	if (r)
		return -1;
	if (!sl__sc_in_bounds(b, (double)x)) {
		sl__sc_bounds_text(b, kind == SL__SC_RANGE_DURATION ? "a duration (s)" : "a byte size",
		                   want, sizeof want);
		sl__sc_error(c, n, "expected %s, got %s", want, n->str);
		return -1;
	}
	*out = (double)x;
	return 0;
}

int sl__sc_node_range(sl__sc *c, const sl_yaml_node *n, int kind, sl__sc_bounds b,
                      sl_range *out)
{
	char got[96];
	double lo, hi;
	if (n && n->kind == SL_YAML_SCALAR) { /* one value v means [v, v] */
		if (range_end(c, n, kind, b, &lo))
			return -1;
		*out = (sl_range){lo, lo};
		return 0;
	}
	if (!n || n->kind != SL_YAML_SEQ || n->n != 2) {
		if (n && n->kind == SL_YAML_SEQ)
			snprintf(got, sizeof got, "a list of %zu", n->n);
		else
			sl__sc_describe(n, got, sizeof got);
		sl__sc_error(c, n, "expected a range [lo, hi] (or one value), got %s", got);
		return -1;
	}
	size_t m = sl__sc_push_index(c, 0);
	int bad = range_end(c, n->items[0], kind, b, &lo);
	sl__sc_pop(c, m);
	sl__sc_push_index(c, 1);
	bad |= range_end(c, n->items[1], kind, b, &hi);
	sl__sc_pop(c, m);
	if (bad)
		return -1;
	if (lo > hi) {
		sl__sc_error(c, n, "expected lo <= hi, got [%s, %s]", n->items[0]->str,
		             n->items[1]->str);
		return -1;
	}
	*out = (sl_range){lo, hi};
	return 0;
}
