/*
 * scenario_grid.c — the `zones` and `interconnects` sections: grid zones
 * with their carbon, renewable and load signals, and the power lines
 * between them.
 */
#include <string.h>

#include "io/scenario_int.h"

#include "core/banned.h"

static const char *const zone_keys[] = {
	"id", "name", "utc_offset", "tariff", "carbon_avg_g_per_kwh", "carbon_marginal_g_per_kwh",
	"renewable_mw", "curtailment_mw", "load_mw", "generation", "curtailment_rule",
	"surplus_g_per_kwh", "mix_load_mw", "carbon_residual_g_per_kwh", NULL};

static const char *const line_keys[] = {"id", "from", "to", "rated_mw", "loss_frac",
                                        "length_km", "renewable_share", "flow_mw",
                                        "fossil_g_per_kwh", NULL};

static void parse_zone(sl__sc *c, const sl_yaml_node *n, sl_zone *z, int zi)
{
	const sl_network *net = c->net;
	z->id = z->name = "";
	z->tariff = -1;
	if (!sl__sc_expect_map(c, n, "a zone mapping {id, utc_offset, tariff, carbon_avg_g_per_kwh}"))
		return;
	sl__sc_check_keys(c, n, zone_keys);
	sl__sc_id(c, n, "id", 1, &z->id);
	if (sl__sc_str(c, n, "name", 0, &z->name) != 1)
		z->name = z->id;
	sl__sc_offset(c, n, "utc_offset", 1, &z->utc_offset_s);
	sl__sc_ref(c, n, "tariff", 1, "tariff", SL__SC_NAMES(net->tariffs, net->ntariffs),
	           &z->tariff);
	sl__sc_signal(c, n, "carbon_avg_g_per_kwh", 1, sl__sc_ge(0), &z->carbon_avg_g_per_kwh);
	z->has_carbon_marginal = sl__sc_signal(c, n, "carbon_marginal_g_per_kwh", 0, sl__sc_ge(0),
	                                       &z->carbon_marginal_g_per_kwh) == 1;
	if (!z->has_carbon_marginal)
		z->carbon_marginal_g_per_kwh = z->carbon_avg_g_per_kwh; /* documented default */
	z->has_renewable = sl__sc_signal(c, n, "renewable_mw", 0, sl__sc_ge(0), &z->renewable_mw) == 1;
	z->has_curtailment =
		sl__sc_signal(c, n, "curtailment_mw", 0, sl__sc_ge(0), &z->curtailment_mw) == 1;
	z->has_load = sl__sc_signal(c, n, "load_mw", 0, sl__sc_ge(0), &z->load_mw) == 1;
	sl__sc_zone_energy(c, n, z, zi);
}

void sl__sc_zones(sl__sc *c, const sl_yaml_node *root)
{
	const sl_yaml_node *seq = sl__sc_list(c, root, "zones", 1, 1, "zones");
	if (!seq)
		return;
	sl_network *net = c->net;
	net->zones = sl_arena_alloc(&net->arena, seq->n * sizeof *net->zones);
	net->nzones = (int)seq->n;
	size_t m0 = sl__sc_push(c, "zones");
	sl__sc_unique_ids(c, seq);
	for (size_t i = 0; i < seq->n; i++) {
		size_t m = sl__sc_push_index(c, i);
		parse_zone(c, seq->items[i], &net->zones[i], (int)i);
		sl__sc_pop(c, m);
	}
	sl__sc_pop(c, m0);
}

static void parse_line(sl__sc *c, const sl_yaml_node *n, sl_interconnect *l)
{
	const sl_network *net = c->net;
	sl__sc_names zones = SL__SC_NAMES(net->zones, net->nzones);
	l->id = "";
	l->from_zone = l->to_zone = -1;
	if (!sl__sc_expect_map(c, n, "an interconnect mapping {id, from, to, rated_mw, loss_frac, "
	                             "renewable_share}"))
		return;
	sl__sc_check_keys(c, n, line_keys);
	sl__sc_id(c, n, "id", 1, &l->id);
	int from_ok = sl__sc_ref(c, n, "from", 1, "zone", zones, &l->from_zone) == 1;
	if (sl__sc_ref(c, n, "to", 1, "zone", zones, &l->to_zone) == 1 && from_ok &&
	    l->from_zone == l->to_zone) {
		size_t m = sl__sc_push(c, "to");
		sl__sc_error(c, sl_yaml_get(n, "to"),
		             "expected a zone different from \"from\" (%s), got the same zone",
		             net->zones[l->to_zone].id);
		sl__sc_pop(c, m);
	}
	int rated_ok = sl__sc_num(c, n, "rated_mw", 1, sl__sc_gt(0), &l->rated_mw) == 1;
	sl__sc_num(c, n, "loss_frac", 1, sl__sc_in_open_hi(0, 1), &l->loss_frac);
	sl__sc_num(c, n, "length_km", 0, sl__sc_gt(0), &l->length_km);
	sl__sc_signal(c, n, "renewable_share", 1, sl__sc_in(0, 1), &l->renewable_share);
	l->has_flow = sl__sc_signal(c, n, "flow_mw", 0,
	                            sl__sc_in(0, rated_ok ? l->rated_mw : INFINITY),
	                            &l->flow_mw) == 1;
	sl__sc_line_energy(c, n, l);
}

void sl__sc_interconnects(sl__sc *c, const sl_yaml_node *root)
{
	const sl_yaml_node *seq = sl__sc_list(c, root, "interconnects", 0, 0, "interconnects");
	if (!seq)
		return;
	sl_network *net = c->net;
	net->interconnects = sl_arena_alloc(&net->arena, (seq->n + 1) * sizeof *net->interconnects);
	net->ninterconnects = (int)seq->n;
	size_t m0 = sl__sc_push(c, "interconnects");
	sl__sc_unique_ids(c, seq);
	for (size_t i = 0; i < seq->n; i++) {
		size_t m = sl__sc_push_index(c, i);
		parse_line(c, seq->items[i], &net->interconnects[i]);
		sl__sc_pop(c, m);
	}
	sl__sc_pop(c, m0);
}
