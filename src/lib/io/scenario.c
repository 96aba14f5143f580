/*
 * scenario.c — load a scenario file: read it, build the YAML tree, walk the
 * sections into a new sl_network, then materialise the zone prices.
 *
 * Sections are read in dependency order (time, tariffs, zones,
 * interconnects, sites, data_rules, origins, job_classes) whatever their
 * order in the file, so every reference can be resolved as it is met.
 * Diagnostics are sorted by position at the end so they read top to bottom.
 */
#include "io/scenario.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/time.h"
#include "energy/tariff.h"
#include "io/scenario_int.h"
#include "io/yaml.h"

#include "core/banned.h"

#define MAX_FILE_BYTES (64u << 20)

static const char *const top_keys[] = {"scenario", "description", "time", "tariffs", "zones",
                                       "interconnects", "sites", "origins", "data_rules",
                                       "job_classes", "energy", NULL};
static const char *const time_keys[] = {"start", "end", "days", "step", "utc_offset", NULL};

/* The end of the range, from `end` or `days` (exactly one of them). */
static int time_end(sl__sc *c, const sl_yaml_node *n, int64_t start, int start_ok, int64_t *end)
{
	const sl_yaml_pair *e = sl_yaml_pair_of(n, "end"), *d = sl_yaml_pair_of(n, "days");
	double days;
	if (e && d) {
		size_t m = sl__sc_push(c, "days");
		sl__sc_error(c, d->key, "expected either \"end\" or \"days\", not both");
		sl__sc_pop(c, m);
		return -1;
	}
	if (!e && !d) {
		sl__sc_error(c, n, "missing required key \"end\" (or \"days\")");
		return -1;
	}
	if (e)
		return sl__sc_time(c, n, "end", 1, c->net->utc_offset_s, end) == 1 ? 0 : -1;
	if (sl__sc_num(c, n, "days", 1, (sl__sc_bounds){0, 1e5, 1, 0, 0}, &days) != 1 || !start_ok)
		return -1;
	*end = start + (int64_t)llround(days * SL_DAY);
	return 0;
}

/* Check the grid [start, end) / step and record it in the network. */
static int time_grid(sl__sc *c, const sl_yaml_node *n, int64_t start, int64_t end, int64_t step)
{
	char buf[32];
	const char *endkey = sl_yaml_get(n, "end") ? "end" : "days";
	size_t m = sl__sc_push(c, endkey);
	const sl_yaml_node *at = sl_yaml_get(n, endkey);
	int ok = 0;
	if (end <= start)
		sl__sc_error(c, at, "expected the end after the start (%s), got %s",
		             sl_time_format_iso(start, c->net->utc_offset_s, 0, buf, sizeof buf), at->str);
	else if ((end - start) % step != 0)
		sl__sc_error(c, at, "expected the range to be a whole number of steps (%s), got %s",
		             sl_duration_format(step, buf, sizeof buf), at->str);
	else if ((end - start) / step > SL__SC_MAX_STEPS)
		sl__sc_error(c, at, "expected at most %d steps, got %lld (make the step longer)",
		             SL__SC_MAX_STEPS, (long long)((end - start) / step));
	else
		ok = 1;
	sl__sc_pop(c, m);
	if (!ok)
		return -1;
	c->net->t0 = start;
	c->net->t1 = end;
	c->net->step_s = (int32_t)step;
	c->net->nsteps = (int32_t)((end - start) / step);
	return 0;
}

static int time_step(sl__sc *c, const sl_yaml_node *n, int64_t *step)
{
	int r = sl__sc_duration(c, n, "step", 0, step);
	if (r <= 0)
		return r;
	if (*step > 0 && SL_DAY % *step == 0)
		return 1;
	size_t m = sl__sc_push(c, "step");
	sl__sc_error(c, sl_yaml_get(n, "step"), "expected a step that divides a day (e.g. 15m, 1h), got %s",
	             sl_yaml_get(n, "step")->str);
	sl__sc_pop(c, m);
	return -1;
}

void sl__sc_time_section(sl__sc *c, const sl_yaml_node *root)
{
	const sl_yaml_node *n = sl__sc_get(c, root, "time", 1);
	if (!n)
		return;
	size_t m = sl__sc_push(c, "time");
	if (sl__sc_expect_map(c, n, "a mapping {start, end or days, step, utc_offset}")) {
		int64_t start = 0, end = 0, step = SL_HOUR;
		sl__sc_check_keys(c, n, time_keys);
		int ok = sl__sc_offset(c, n, "utc_offset", 0, &c->net->utc_offset_s) >= 0;
		int start_ok = sl__sc_time(c, n, "start", 1, c->net->utc_offset_s, &start) == 1;
		ok &= time_end(c, n, start, start_ok, &end) == 0;
		ok &= time_step(c, n, &step) >= 0;
		c->grid_ok = ok && start_ok && time_grid(c, n, start, end, step) == 0;
	}
	sl__sc_pop(c, m);
}

static void walk(sl__sc *c, const sl_yaml_node *root)
{
	static const sl_yaml_node top = {SL_YAML_SCALAR, 1, 1, 1, "", 0, 0, NULL, NULL};
	if (!root) {
		sl__sc_error(c, &top, "the file is empty (expected a scenario mapping)");
		return;
	}
	if (!sl__sc_expect_map(c, root, "a scenario mapping {scenario, time, tariffs, zones, "
	                                "sites, origins, ...} at the top level"))
		return;
	sl__sc_check_keys(c, root, top_keys);
	const char *desc;
	sl__sc_str(c, root, "scenario", 1, &c->net->name);
	sl__sc_str(c, root, "description", 0, &desc);
	sl__sc_time_section(c, root);
	sl__sc_tariffs(c, root);
	sl__sc_zones(c, root);
	sl__sc_interconnects(c, root);
	sl__sc_sites(c, root);
	sl__sc_data_rules(c, root);
	sl__sc_origins(c, root);
	sl__sc_job_classes(c, root);
	sl__sc_energy_section(c, root);
}

/* Evaluate each zone's tariff on the grid (only for a valid network). */
static void fill_prices(sl_network *net)
{
	for (int i = 0; i < net->nzones; i++) {
		sl_zone *z = &net->zones[i];
		sl_signal *p = &z->price_cny_per_kwh;
		p->n = net->nsteps;
		p->step_s = net->step_s;
		p->t0 = net->t0;
		p->v = sl_arena_alloc(&net->arena, (size_t)net->nsteps * sizeof *p->v);
		sl_tariff_fill(&net->tariffs[z->tariff], net->t0, net->step_s, net->nsteps, p->v);
	}
}

/* A new network living in its own arena (see sl_network_free). */
static sl_network *network_new(const char *path)
{
	sl_arena a = {0};
	sl_network *net = sl_arena_alloc(&a, sizeof *net);
	net->arena = a; /* from here on, allocate only from net->arena */
	net->path = sl_arena_strdup(&net->arena, path);
	net->name = "";
	net->jurisdictions =
		sl_arena_alloc(&net->arena, SL_MAX_JURISDICTIONS * sizeof *net->jurisdictions);
	return net;
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return sl_strdup("");
	return slash == path ? sl_strdup("/") : sl_strndup(path, (size_t)(slash - path));
}

typedef struct ranked {
	sl_diag d;
	size_t seq;
} ranked;

static int cmp_ranked(const void *pa, const void *pb)
{
	const ranked *a = pa, *b = pb;
	if (a->d.line != b->d.line)
		return a->d.line < b->d.line ? -1 : 1;
	if (a->d.col != b->d.col)
		return a->d.col < b->d.col ? -1 : 1;
	return a->seq < b->seq ? -1 : (a->seq > b->seq);
}

/* Sort diagnostics [from, n) by position, keeping the order of ties. */
static void sort_diags(sl_diags *d, size_t from)
{
	size_t n = d->n - from;
	if (n < 2)
		return;
	ranked *r = sl_malloc(n * sizeof *r);
	for (size_t i = 0; i < n; i++)
		r[i] = (ranked){d->v[from + i], i};
	qsort(r, n, sizeof *r, cmp_ranked);
	for (size_t i = 0; i < n; i++)
		d->v[from + i] = r[i].d;
	sl_free(r);
}

static int summarise(const sl_diags *d, size_t from, int code, sl_err *err)
{
	char origin[SL_ERR_ORIGIN_MAX];
	const sl_diag *g = &d->v[from];
	size_t n = d->n - from;
	snprintf(origin, sizeof origin, "%s:%d:%d", g->file, g->line, g->col);
	return sl_err_set(err, code, origin, "%s%s%s (%zu error%s)", g->key, g->key[0] ? ": " : "",
	                  g->msg, n, n == 1 ? "" : "s");
}

static int validate(const char *path, const sl_yaml_node *root, sl_diags *d, sl_network **out)
{
	sl__sc c = {0};
	c.file = path;
	c.dir = dir_of(path);
	c.diags = d;
	c.net = network_new(path);
	walk(&c, root);
	sl__sc_energy_finish(&c);
	if (c.nerr == 0 && c.grid_ok)
		fill_prices(c.net);
	sl_free(c.dir);
	if (c.nerr) {
		sl_network_free(c.net);
		return SL_EPARSE;
	}
	*out = c.net;
	return 0;
}

int sl_scenario_parse(const char *text, size_t len, const char *path, sl_network **out,
                      sl_diags *diags, sl_err *err)
{
	sl_diags local = {0};
	sl_diags *d = diags ? diags : &local;
	size_t from = d->n;
	sl_yaml_doc doc = {0};
	sl_network *net = NULL;
	if (!path)
		path = "<memory>";
	int rc = sl_yaml_parse(&doc, text, len, path, d, NULL);
	if (rc == 0)
		rc = validate(path, doc.root, d, &net);
	sl_yaml_release(&doc);
	if (rc) {
		sort_diags(d, from);
		if (d->n > from)
			summarise(d, from, rc, err);
		else
			sl_err_set(err, rc, path, "invalid scenario");
	} else {
		*out = net;
	}
	sl_diags_release(&local);
	return rc;
}

/* Read a whole file (at most MAX_FILE_BYTES) into a NUL-terminated buffer. */
static int read_file(const char *path, char **text, size_t *len, sl_err *err)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return sl_err_set(err, SL_EIO, path, "cannot open: %s", strerror(errno));
	size_t n = 0, cap = 65536;
	char *buf = sl_malloc(cap + 1);
	size_t got;
	while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap && cap < MAX_FILE_BYTES) {
			cap *= 2;
			buf = sl_realloc(buf, cap + 1);
		} else if (n == cap) {
			break;
		}
	}
	int bad = ferror(f), e = errno, big = n == cap && fgetc(f) != EOF;
	fclose(f);
	if (bad || big) {
		sl_free(buf);
		return big ? sl_err_set(err, SL_EIO, path, "file larger than %u MiB", MAX_FILE_BYTES >> 20)
		           : sl_err_set(err, SL_EIO, path, "cannot read: %s", strerror(e));
	}
	buf[n] = '\0';
	*text = buf;
	*len = n;
	return 0;
}

int sl_scenario_load(const char *path, sl_network **out, sl_diags *diags, sl_err *err)
{
	char *text = NULL;
	size_t len = 0;
	sl_err e = {0};
	if (read_file(path, &text, &len, &e)) {
		if (diags)
			sl_diags_add(diags, path, 0, 0, "", "%s", e.msg);
		if (err)
			*err = e;
		return e.code;
	}
	int rc = sl_scenario_parse(text, len, path, out, diags, err);
	sl_free(text);
	return rc;
}
