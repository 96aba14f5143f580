/*
 * scenario_site.c — the `sites` section: data centres, their capacity,
 * power model, PUE, green supply and backend (a Slurm site's cluster:
 * scenario_slurm.c).
 */
#include <stdio.h>
#include <string.h>

#include "io/scenario_int.h"

#include "core/banned.h"

static const char *const site_keys[] = {"id", "name", "zone", "jurisdiction", "lat", "lon",
                                        "cores", "gpus", "power", "pue", "green_mw", "backend",
                                        "generation", "green_surplus_share", "green_import",
                                        "slurm", NULL};
static const char *const power_keys[] = {"core_idle_w", "core_busy_w", "gpu_idle_w",
                                         "gpu_busy_w", NULL};
/* Indexed by SL_BACKEND_*. */
static const char *const backend_names[] = {"sim", "local", "slurm", NULL};

/* Idle and busy power of one device kind ("core" or "gpu"); busy >= idle. */
static void device_power(sl__sc *c, const sl_yaml_node *n, const char *kind, int required,
                         double *idle_w, double *busy_w)
{
	char ki[32], kb[32];
	snprintf(ki, sizeof ki, "%s_idle_w", kind);
	snprintf(kb, sizeof kb, "%s_busy_w", kind);
	int ok = sl__sc_num(c, n, ki, required, sl__sc_ge(0), idle_w) == 1;
	ok &= sl__sc_num(c, n, kb, required, sl__sc_ge(0), busy_w) == 1;
	if (ok && *busy_w < *idle_w) {
		size_t m = sl__sc_push(c, kb);
		sl__sc_error(c, sl_yaml_get(n, kb), "expected %s >= %s (%g), got %g", kb, ki, *idle_w,
		             *busy_w);
		sl__sc_pop(c, m);
	}
}

static void parse_power(sl__sc *c, const sl_yaml_node *site, sl_site *s)
{
	const sl_yaml_node *n = sl__sc_get(c, site, "power", 1);
	if (!n)
		return;
	size_t m = sl__sc_push(c, "power");
	if (sl__sc_expect_map(c, n, "a mapping {core_idle_w, core_busy_w, gpu_idle_w, gpu_busy_w}")) {
		sl__sc_check_keys(c, n, power_keys);
		device_power(c, n, "core", s->cores > 0, &s->core_idle_w, &s->core_busy_w);
		device_power(c, n, "gpu", s->gpus > 0, &s->gpu_idle_w, &s->gpu_busy_w);
	}
	sl__sc_pop(c, m);
}

static void parse_capacity(sl__sc *c, const sl_yaml_node *n, sl_site *s)
{
	int ok = sl__sc_int(c, n, "cores", 1, sl__sc_int_in(0, INFINITY), &s->cores) == 1;
	ok &= sl__sc_int(c, n, "gpus", 0, sl__sc_int_in(0, INFINITY), &s->gpus) >= 0;
	if (ok && s->cores + (int64_t)s->gpus == 0) {
		size_t m = sl__sc_push(c, "cores");
		sl__sc_error(c, sl_yaml_get(n, "cores"),
		             "expected cores + gpus > 0 (a site needs capacity), got 0 cores and 0 GPUs");
		sl__sc_pop(c, m);
	}
}

static void parse_site(sl__sc *c, const sl_yaml_node *n, sl_site *s)
{
	const sl_network *net = c->net;
	s->id = s->name = "";
	s->zone = s->jurisdiction = -1;
	if (!sl__sc_expect_map(c, n, "a site mapping {id, zone, jurisdiction, cores, power, pue}"))
		return;
	sl__sc_check_keys(c, n, site_keys);
	sl__sc_id(c, n, "id", 1, &s->id);
	if (sl__sc_str(c, n, "name", 0, &s->name) != 1)
		s->name = s->id;
	sl__sc_ref(c, n, "zone", 1, "zone", SL__SC_NAMES(net->zones, net->nzones), &s->zone);
	sl__sc_jurisdiction(c, n, "jurisdiction", 1, &s->jurisdiction);
	sl__sc_num(c, n, "lat", 0, sl__sc_in(-90, 90), &s->lat);
	sl__sc_num(c, n, "lon", 0, sl__sc_in(-180, 180), &s->lon);
	parse_capacity(c, n, s);
	parse_power(c, n, s);
	sl__sc_signal(c, n, "pue", 1, sl__sc_ge(1), &s->pue);
	s->has_green = sl__sc_signal(c, n, "green_mw", 0, sl__sc_ge(0), &s->green_mw) == 1;
	s->backend = SL_BACKEND_SIM;
	sl__sc_ref(c, n, "backend", 0, "backend", sl__sc_words(backend_names), &s->backend);
	sl__sc_site_slurm(c, n, s);
	sl__sc_site_energy(c, n, s);
}

void sl__sc_sites(sl__sc *c, const sl_yaml_node *root)
{
	const sl_yaml_node *seq = sl__sc_list(c, root, "sites", 1, 1, "sites");
	if (!seq)
		return;
	sl_network *net = c->net;
	net->sites = sl_arena_alloc(&net->arena, seq->n * sizeof *net->sites);
	net->nsites = (int)seq->n;
	size_t m0 = sl__sc_push(c, "sites");
	sl__sc_unique_ids(c, seq);
	for (size_t i = 0; i < seq->n; i++) {
		size_t m = sl__sc_push_index(c, i);
		parse_site(c, seq->items[i], &net->sites[i]);
		sl__sc_pop(c, m);
	}
	sl__sc_pop(c, m0);
}
