/*
 * scenario_energy.c — the scenario keys of the energy model
 * (docs/scenario-format.md, docs/energy.md): renewable generation of a
 * zone or a site from wind and solar capacity, the curtailment rule, the
 * surplus and residual-mix keys of a zone, an interconnect's fossil
 * intensity, a site's share of curtailment and its green claim on a line,
 * an origin's grid, a route's network energy, and the top-level `energy`
 * section.
 *
 * The section readers (scenario_grid.c, scenario_site.c,
 * scenario_origin.c) call the hooks below after their own keys, so every
 * reference the hooks need (zones, lines, the site's zone) is resolved.
 * Curtailment rules need every interconnect flow, so they are recorded
 * and computed by sl__sc_energy_finish after the whole walk.
 */
#include <stdio.h>
#include <string.h>

#include "core/mem.h"
#include "energy/renewable.h"
#include "energy/supply.h"
#include "io/scenario_int.h"

#include "core/banned.h"

static const char *const gen_keys[] = {
	"solar_mw", "wind_mw", "lat", "lon", "tilt_deg", "azimuth_deg", "clearness", "solar_cf",
	"wind_cf", "wind_monthly", "wind_diurnal", "wind_sigma", "wind_corr_h", "seed", "series_mw",
	NULL};
static const char *const rule_keys[] = {"must_run_mw", "rate", NULL};
static const char *const import_keys[] = {"interconnect", "mw", NULL};
static const char *const section_keys[] = {"network_kwh_per_gb", NULL};

/* A curtailment rule waiting for the interconnect flows. */
typedef struct pending_rule {
	int zone;
	const sl_yaml_node *at;   /* the curtailment_rule mapping */
	int has_must_run;
	sl_signal must_run;       /* MW, when given */
	double rate;              /* else: curtailed share of renewable energy */
} pending_rule;

struct sl__sc_energy {
	SL_VEC(pending_rule) rules;
	double *share_sum;        /* [nzones]: explicit green_surplus_share so far */
	uint8_t *share_reported;  /* [nzones] */
};

static struct sl__sc_energy *state(sl__sc *c)
{
	if (!c->energy) {
		size_t nz = (size_t)c->net->nzones + 1;
		c->energy = sl_calloc(1, sizeof *c->energy);
		c->energy->share_sum = sl_calloc(nz, sizeof *c->energy->share_sum);
		c->energy->share_reported = sl_calloc(nz, 1);
	}
	return c->energy;
}

/* (lo, hi]: a capacity factor or a share that may not be 0. */
static sl__sc_bounds open_lo(double lo, double hi) { return (sl__sc_bounds){lo, hi, 1, 0, 0}; }

/* The key node of map's pair `key` (for errors about the key itself). */
static const sl_yaml_node *key_node(const sl_yaml_node *map, const char *key)
{
	const sl_yaml_pair *p = sl_yaml_pair_of(map, key);
	return p ? p->key : map;
}

static void error_at_key(sl__sc *c, const sl_yaml_node *map, const char *key, const char *msg)
{
	size_t m = sl__sc_push(c, key);
	sl__sc_error(c, key_node(map, key), "%s", msg);
	sl__sc_pop(c, m);
}

/* One number for all n entries (when allow_one) or a list of exactly n
 * numbers, each within b.  1 / 0 (absent) / -1 as the other readers. */
static int num_list(sl__sc *c, const sl_yaml_node *map, const char *key, int n, int allow_one,
                    sl__sc_bounds b, double *out)
{
	const sl_yaml_node *v = sl_yaml_get(map, key);
	char got[96], want[128];
	double x;
	int ok = 1;
	if (!v)
		return 0;
	size_t m = sl__sc_push(c, key);
	if (allow_one && v->kind == SL_YAML_SCALAR) {
		ok = sl__sc_node_num(c, v, b, &x) == 0;
		for (int i = 0; ok && i < n; i++)
			out[i] = x;
	} else if (v->kind != SL_YAML_SEQ || (int)v->n != n) {
		if (v->kind == SL_YAML_SEQ)
			snprintf(got, sizeof got, "a list of %zu", v->n);
		else
			sl__sc_describe(v, got, sizeof got);
		sl__sc_bounds_text(b, NULL, want, sizeof want);
		sl__sc_error(c, v, "expected %s list of %d numbers (each %s), got %s",
		             allow_one ? "one number or a" : "a", n, want, got);
		ok = 0;
	} else {
		for (int i = 0; i < n; i++) {
			size_t mi = sl__sc_push_index(c, (size_t)i);
			ok &= sl__sc_node_num(c, v->items[i], b, &out[i]) == 0;
			sl__sc_pop(c, mi);
		}
	}
	sl__sc_pop(c, m);
	return ok ? 1 : -1;
}

/* Where the panels are: lat/lon of the block, else the site's (ll). */
static int gen_place(sl__sc *c, const sl_yaml_node *n, sl_gen_spec *g, const double *ll)
{
	int need = g->solar_mw > 0 && !ll;
	int rl = sl__sc_num(c, n, "lat", need, sl__sc_in(-90, 90), &g->lat_deg);
	int ro = sl__sc_num(c, n, "lon", need, sl__sc_in(-180, 180), &g->lon_deg);
	if (ll && rl == 0)
		g->lat_deg = ll[0];
	if (ll && ro == 0)
		g->lon_deg = ll[1];
	g->tilt_deg = sl_gen_default_tilt(g->lat_deg);
	g->panel_az_deg = sl_gen_default_panel_az(g->lat_deg);
	int ok = rl >= 0 && ro >= 0;
	ok &= sl__sc_num(c, n, "tilt_deg", 0, sl__sc_in(0, 90), &g->tilt_deg) >= 0;
	ok &= sl__sc_num(c, n, "azimuth_deg", 0, sl__sc_in_open_hi(0, 360), &g->panel_az_deg) >= 0;
	return ok;
}

static int gen_wind(sl__sc *c, const sl_yaml_node *n, sl_gen_spec *g)
{
	int32_t seed = 1;
	int ok = sl__sc_num(c, n, "wind_cf", g->wind_mw > 0, open_lo(0, 1), &g->wind_cf) >= 0;
	ok &= num_list(c, n, "wind_monthly", 12, 0, sl__sc_gt(0), g->wind_monthly) >= 0;
	ok &= num_list(c, n, "wind_diurnal", 24, 0, sl__sc_gt(0), g->wind_diurnal) >= 0;
	ok &= sl__sc_num(c, n, "wind_sigma", 0, sl__sc_ge(0), &g->wind_sigma) >= 0;
	ok &= sl__sc_num(c, n, "wind_corr_h", 0, sl__sc_gt(0), &g->wind_corr_h) >= 0;
	int r = sl__sc_int(c, n, "seed", 0, sl__sc_int_in(0, 2147483647.0), &seed);
	g->seed = (uint64_t)seed;
	return ok && r >= 0;
}

/* Expand a valid spec (plus an optional series) onto the grid. */
static void gen_compute(sl__sc *c, const sl_yaml_node *n, const sl_gen_spec *g,
                        const sl_signal *extra, sl_signal *out)
{
	const sl_network *net = c->net;
	sl_err e = {0};
	out->n = net->nsteps;
	out->step_s = net->step_s;
	out->t0 = net->t0;
	out->v = sl_arena_alloc(&c->net->arena, (size_t)net->nsteps * sizeof *out->v);
	if (sl_gen_fill(g, net->t0, net->step_s, net->nsteps, out->v, &e) != 0) {
		error_at_key(c, n, "solar_cf", e.msg);
		return;
	}
	for (int32_t i = 0; extra && extra->v && i < out->n; i++)
		out->v[i] += extra->v[i];
}

/* A `generation` block at map's key into *out (MW).  ll: the site's
 * lat/lon when it gave them, else NULL.  1 valid, -1 reported. */
static int generation(sl__sc *c, const sl_yaml_node *gn, int32_t utc_offset_s, const double *ll,
                      sl_signal *out)
{
	sl_gen_spec g;
	sl_signal extra = {0};
	sl_gen_defaults(&g);
	g.utc_offset_s = utc_offset_s;
	if (!sl__sc_expect_map(c, gn, "a generation mapping {solar_mw, wind_mw, lat, lon, "
	                              "clearness, wind_cf, ...}"))
		return -1;
	sl__sc_check_keys(c, gn, gen_keys);
	int ok = sl__sc_num(c, gn, "solar_mw", 0, sl__sc_ge(0), &g.solar_mw) >= 0;
	ok &= sl__sc_num(c, gn, "wind_mw", 0, sl__sc_ge(0), &g.wind_mw) >= 0;
	ok &= gen_place(c, gn, &g, ll);
	ok &= num_list(c, gn, "clearness", 12, 1, sl__sc_in(0, 1), g.clearness) >= 0;
	ok &= sl__sc_num(c, gn, "solar_cf", 0, open_lo(0, 1), &g.solar_cf) >= 0;
	ok &= gen_wind(c, gn, &g);
	ok &= sl__sc_signal(c, gn, "series_mw", 0, sl__sc_ge(0), &extra) >= 0;
	if (!ok)
		return -1;
	if (c->grid_ok) {
		size_t before = c->nerr;
		gen_compute(c, gn, &g, &extra, out);
		if (c->nerr != before)
			return -1;
	}
	return 1;
}

/* ---------- zones ---------- */

static void zone_rule(sl__sc *c, const sl_yaml_node *n, int zi)
{
	const sl_yaml_node *r = sl_yaml_get(n, "curtailment_rule");
	pending_rule p = {zi, r, 0, {0}, 0};
	size_t m = sl__sc_push(c, "curtailment_rule");
	if (!sl__sc_expect_map(c, r, "a mapping {must_run_mw: MW} or {rate: share}"))
		goto out;
	sl__sc_check_keys(c, r, rule_keys);
	int has_m = sl_yaml_get(r, "must_run_mw") != NULL, has_r = sl_yaml_get(r, "rate") != NULL;
	if (has_m == has_r) {
		sl__sc_error(c, r, "expected exactly one of must_run_mw and rate, got %s",
		             has_m ? "both" : "neither");
		goto out;
	}
	int ok = has_m ? sl__sc_signal(c, r, "must_run_mw", 1, sl__sc_ge(0), &p.must_run) == 1
	               : sl__sc_num(c, r, "rate", 1, sl__sc_in_open_hi(0, 1), &p.rate) == 1;
	if (sl_yaml_get(n, "curtailment_mw")) {
		sl__sc_error(c, r, "expected either curtailment_mw or curtailment_rule, not both");
		ok = 0;
	} else if (!sl_yaml_get(n, "load_mw") || !(sl_yaml_get(n, "renewable_mw") ||
	                                           sl_yaml_get(n, "generation"))) {
		sl__sc_error(c, r, "the rule needs the zone's load_mw and its renewable_mw (or "
		                   "generation)");
		ok = 0;
	}
	p.has_must_run = has_m;
	if (ok)
		sl_vec_push(&state(c)->rules, p);
out:
	sl__sc_pop(c, m);
}

void sl__sc_zone_energy(sl__sc *c, const sl_yaml_node *n, sl_zone *z, int zi)
{
	const sl_yaml_node *gn = sl_yaml_get(n, "generation");
	if (gn && sl_yaml_get(n, "renewable_mw")) {
		error_at_key(c, n, "generation", "expected either renewable_mw or generation, not both");
	} else if (gn) {
		size_t m = sl__sc_push(c, "generation");
		z->has_renewable = generation(c, gn, z->utc_offset_s, NULL, &z->renewable_mw) == 1;
		sl__sc_pop(c, m);
	}
	sl__sc_num(c, n, "surplus_g_per_kwh", 0, sl__sc_ge(0), &z->surplus_g_per_kwh);
	z->has_mix_load = sl__sc_signal(c, n, "mix_load_mw", 0, sl__sc_gt(0), &z->mix_load_mw) == 1;
	z->has_carbon_residual = sl__sc_signal(c, n, "carbon_residual_g_per_kwh", 0, sl__sc_ge(0),
	                                       &z->carbon_residual_g_per_kwh) == 1;
	if (sl_yaml_get(n, "curtailment_rule"))
		zone_rule(c, n, zi);
}

/* ---------- interconnects ---------- */

void sl__sc_line_energy(sl__sc *c, const sl_yaml_node *n, sl_interconnect *l)
{
	const sl_network *net = c->net;
	char msg[256];
	l->has_fossil =
		sl__sc_signal(c, n, "fossil_g_per_kwh", 0, sl__sc_ge(0), &l->fossil_g_per_kwh) == 1;
	if (l->has_flow && l->to_zone >= 0 && !net->zones[l->to_zone].has_load) {
		snprintf(msg, sizeof msg,
		         "zone %s receives this flow but has no load_mw to blend it into (its "
		         "location-based intensity needs the zone's demand)",
		         net->zones[l->to_zone].id);
		error_at_key(c, n, "flow_mw", msg);
	}
}

/* ---------- sites ---------- */

static void site_share(sl__sc *c, const sl_yaml_node *n, sl_site *s)
{
	struct sl__sc_energy *en;
	if (sl__sc_num(c, n, "green_surplus_share", 0, sl__sc_in(0, 1), &s->green_surplus_share) != 1)
		return;
	s->has_green_surplus_share = 1;
	if (s->zone < 0)
		return;
	en = state(c);
	en->share_sum[s->zone] += s->green_surplus_share;
	if (en->share_sum[s->zone] > 1 + 1e-9 && !en->share_reported[s->zone]) {
		char msg[256];
		en->share_reported[s->zone] = 1;
		snprintf(msg, sizeof msg,
		         "expected the green_surplus_share of the sites in zone %s to sum to at most "
		         "1, got %.6g so far",
		         c->net->zones[s->zone].id, en->share_sum[s->zone]);
		size_t m = sl__sc_push(c, "green_surplus_share");
		sl__sc_error(c, sl_yaml_get(n, "green_surplus_share"), "%s", msg);
		sl__sc_pop(c, m);
	}
}

static void site_import(sl__sc *c, const sl_yaml_node *n, sl_site *s)
{
	const sl_network *net = c->net;
	const sl_yaml_node *g = sl_yaml_get(n, "green_import");
	size_t m = sl__sc_push(c, "green_import");
	if (!sl__sc_expect_map(c, g, "a mapping {interconnect: ID, mw: MW}"))
		goto out;
	sl__sc_check_keys(c, g, import_keys);
	int line = -1;
	int ok = sl__sc_ref(c, g, "interconnect", 1, "interconnect",
	                    SL__SC_NAMES(net->interconnects, net->ninterconnects), &line) == 1;
	ok &= sl__sc_num(c, g, "mw", 1, sl__sc_gt(0), &s->green_import_mw) == 1;
	if (!ok)
		goto out;
	const sl_interconnect *ic = &net->interconnects[line];
	if (s->zone >= 0 && ic->to_zone >= 0 && ic->to_zone != s->zone) {
		size_t mk = sl__sc_push(c, "interconnect");
		sl__sc_error(c, sl_yaml_get(g, "interconnect"),
		             "interconnect %s delivers to zone %s, not to this site's zone %s", ic->id,
		             net->zones[ic->to_zone].id, net->zones[s->zone].id);
		sl__sc_pop(c, mk);
		goto out;
	}
	s->has_green_import = 1;
	s->green_import_line = line;
out:
	sl__sc_pop(c, m);
}

void sl__sc_site_energy(sl__sc *c, const sl_yaml_node *n, sl_site *s)
{
	const sl_yaml_node *gn = sl_yaml_get(n, "generation");
	if (gn) {
		double ll[2] = {s->lat, s->lon};
		int has_ll = sl_yaml_get(n, "lat") && sl_yaml_get(n, "lon");
		int32_t off = s->zone >= 0 ? c->net->zones[s->zone].utc_offset_s : 0;
		size_t m = sl__sc_push(c, "generation");
		s->has_onsite = generation(c, gn, off, has_ll ? ll : NULL, &s->onsite_mw) == 1;
		sl__sc_pop(c, m);
	}
	site_share(c, n, s);
	if (sl_yaml_get(n, "green_import"))
		site_import(c, n, s);
}

/* ---------- origins, routes, the energy section ---------- */

void sl__sc_origin_energy(sl__sc *c, const sl_yaml_node *n, sl_origin *o)
{
	const sl_network *net = c->net;
	o->has_zone = sl__sc_ref(c, n, "zone", 0, "zone", SL__SC_NAMES(net->zones, net->nzones),
	                         &o->zone) == 1;
	o->has_carbon =
		sl__sc_signal(c, n, "carbon_g_per_kwh", 0, sl__sc_ge(0), &o->carbon_g_per_kwh) == 1;
	if (sl_yaml_get(n, "zone") && sl_yaml_get(n, "carbon_g_per_kwh"))
		error_at_key(c, n, "carbon_g_per_kwh", "expected either zone or carbon_g_per_kwh, not both");
}

int sl__sc_route_energy(sl__sc *c, const sl_yaml_node *map, sl_route *r)
{
	int k = sl__sc_num(c, map, "kwh_per_gb", 0, sl__sc_ge(0), &r->kwh_per_gb);
	r->has_kwh_per_gb = k == 1;
	return k >= 0;
}

void sl__sc_energy_section(sl__sc *c, const sl_yaml_node *root)
{
	const sl_yaml_node *n = sl_yaml_get(root, "energy");
	if (!n)
		return;
	size_t m = sl__sc_push(c, "energy");
	if (sl__sc_expect_map(c, n, "a mapping {network_kwh_per_gb}")) {
		sl__sc_check_keys(c, n, section_keys);
		c->net->has_network_kwh_per_gb = sl__sc_num(c, n, "network_kwh_per_gb", 0, sl__sc_ge(0),
		                                             &c->net->network_kwh_per_gb) == 1;
	}
	sl__sc_pop(c, m);
}

/* ---------- after the walk: curtailment rules ---------- */

static void run_rule(sl__sc *c, const pending_rule *p)
{
	sl_network *net = c->net;
	sl_zone *z = &net->zones[p->zone];
	int32_t n = net->nsteps;
	double *imp = sl_malloc((size_t)n * sizeof *imp), *exp = sl_malloc((size_t)n * sizeof *exp);
	double must_run = 0;
	sl_supply_zone_flows(net, p->zone, imp, exp);
	if (!p->has_must_run && sl_supply_must_run_for_rate(z->renewable_mw.v, z->load_mw.v, exp, imp,
	                                                    n, p->rate, &must_run) != 0) {
		char path[64];
		snprintf(path, sizeof path, "zones[%d].curtailment_rule.rate", p->zone);
		sl_diags_add(c->diags, c->file, sl_yaml_get(p->at, "rate")->line,
		             sl_yaml_get(p->at, "rate")->col, path,
		             "a curtailment rate of %g cannot be reached: with no must-run output at all "
		             "the rule already curtails more (or the zone has no renewable energy)",
		             p->rate);
		c->nerr++;
		goto out;
	}
	sl_signal *s = &z->curtailment_mw;
	s->n = n;
	s->step_s = net->step_s;
	s->t0 = net->t0;
	s->v = sl_arena_alloc(&net->arena, (size_t)n * sizeof *s->v);
	for (int32_t k = 0; k < n; k++)
		s->v[k] = sl_supply_curtail_mw(z->renewable_mw.v[k], z->load_mw.v[k], exp[k], imp[k],
		                               p->has_must_run ? p->must_run.v[k] : must_run);
	z->has_curtailment = 1;
out:
	sl_free(imp);
	sl_free(exp);
}

void sl__sc_energy_finish(sl__sc *c)
{
	struct sl__sc_energy *en = c->energy;
	if (!en)
		return;
	for (size_t i = 0; c->nerr == 0 && c->grid_ok && i < en->rules.n; i++)
		run_rule(c, &en->rules.v[i]);
	sl_vec_free(&en->rules);
	sl_free(en->share_sum);
	sl_free(en->share_reported);
	sl_free(en);
	c->energy = NULL;
}
