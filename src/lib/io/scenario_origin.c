/*
 * scenario_origin.c — the `data_rules` and `origins` sections: where tagged
 * data may be processed, and where jobs come from (share, data tags,
 * routes to the sites they can reach).
 */
#include <string.h>

#include "io/scenario_int.h"

#include "core/banned.h"

static const char *const rule_keys[] = {"allowed", NULL};
static const char *const origin_keys[] = {"id", "name", "utc_offset", "jurisdiction", "share",
                                          "data_tags", "routes", "zone", "carbon_g_per_kwh",
                                          NULL};
static const char *const route_keys[] = {"rtt_ms", "gbps", "cny_per_gb", "kwh_per_gb", NULL};

static void parse_data_rule(sl__sc *c, const sl_yaml_pair *p, sl_data_rule *r)
{
	int j;
	r->tag = "";
	sl__sc_node_id(c, p->key, &r->tag);
	if (!sl__sc_expect_map(c, p->value, "a mapping {allowed: [jurisdiction, ...]}"))
		return;
	sl__sc_check_keys(c, p->value, rule_keys);
	const sl_yaml_node *allowed = sl__sc_list(c, p->value, "allowed", 1, 1, "jurisdictions");
	if (!allowed)
		return;
	size_t m = sl__sc_push(c, "allowed");
	for (size_t i = 0; i < allowed->n; i++) {
		size_t mi = sl__sc_push_index(c, i);
		if (sl__sc_node_jurisdiction(c, allowed->items[i], &j) == 0)
			r->allowed_mask |= (uint64_t)1 << j;
		sl__sc_pop(c, mi);
	}
	sl__sc_pop(c, m);
}

void sl__sc_data_rules(sl__sc *c, const sl_yaml_node *root)
{
	const sl_yaml_node *n = sl__sc_get(c, root, "data_rules", 0);
	if (!n)
		return;
	sl_network *net = c->net;
	size_t m0 = sl__sc_push(c, "data_rules");
	if (sl__sc_expect_map(c, n, "a mapping of data tag to {allowed: [jurisdiction, ...]}")) {
		net->tags = sl_arena_alloc(&net->arena, (n->n + 1) * sizeof *net->tags);
		net->ntags = (int)n->n;
		for (size_t i = 0; i < n->n; i++) {
			size_t m = sl__sc_push(c, n->pairs[i].key->str);
			parse_data_rule(c, &n->pairs[i], &net->tags[i]);
			sl__sc_pop(c, m);
		}
	}
	sl__sc_pop(c, m0);
}

static void parse_route(sl__sc *c, const sl_yaml_pair *p, sl_origin *o)
{
	const sl_network *net = c->net;
	int site = -1;
	sl_route *r = &o->routes[o->nroutes];
	int ok = sl__sc_node_lookup(c, p->key, "site", SL__SC_NAMES(net->sites, net->nsites),
	                            &site) == 0;
	if (!sl__sc_expect_map(c, p->value, "a route mapping {rtt_ms, gbps, cny_per_gb}"))
		return;
	sl__sc_check_keys(c, p->value, route_keys);
	ok &= sl__sc_num(c, p->value, "rtt_ms", 1, sl__sc_gt(0), &r->rtt_ms) == 1;
	ok &= sl__sc_num(c, p->value, "gbps", 1, sl__sc_gt(0), &r->gbps) == 1;
	ok &= sl__sc_num(c, p->value, "cny_per_gb", 0, sl__sc_ge(0), &r->cny_per_gb) >= 0;
	ok &= sl__sc_route_energy(c, p->value, r);
	if (!ok)
		return;
	r->site = site;
	o->route_of_site[site] = o->nroutes++;
}

static void parse_routes(sl__sc *c, const sl_yaml_node *n, sl_origin *o)
{
	const sl_network *net = c->net;
	o->route_of_site = sl_arena_alloc(&c->net->arena, ((size_t)net->nsites + 1) * sizeof(int));
	for (int i = 0; i < net->nsites; i++)
		o->route_of_site[i] = -1;
	const sl_yaml_node *routes = sl__sc_get(c, n, "routes", 1);
	if (!routes)
		return;
	size_t m0 = sl__sc_push(c, "routes");
	if (sl__sc_expect_map(c, routes, "a mapping of site id to {rtt_ms, gbps, cny_per_gb}")) {
		if (routes->n == 0)
			sl__sc_error(c, routes, "expected at least one route, got an empty mapping");
		o->routes = sl_arena_alloc(&c->net->arena, (routes->n + 1) * sizeof *o->routes);
		for (size_t i = 0; i < routes->n; i++) {
			size_t m = sl__sc_push(c, routes->pairs[i].key->str);
			parse_route(c, &routes->pairs[i], o);
			sl__sc_pop(c, m);
		}
	}
	sl__sc_pop(c, m0);
}

/* The data_rules entry of a tag used by an origin, or -1 (reported). */
static int tag_of(sl__sc *c, const sl_yaml_node *key)
{
	const sl_network *net = c->net;
	sl__sc_names tags = SL__SC_NAMES(net->tags, net->ntags);
	for (int i = 0; i < net->ntags; i++)
		if (strcmp(net->tags[i].tag, key->str) == 0)
			return i;
	const char *hint = sl__sc_nearest(key->str, tags);
	if (hint)
		sl__sc_error(c, key, "data tag \"%s\" has no entry in data_rules (did you mean \"%s\"?)",
		             key->str, hint);
	else
		sl__sc_error(c, key, "data tag \"%s\" has no entry in data_rules", key->str);
	return -1;
}

static void parse_data_tags(sl__sc *c, const sl_yaml_node *n, sl_origin *o)
{
	const sl_network *net = c->net;
	o->tag_share = sl_arena_alloc(&c->net->arena, ((size_t)net->ntags + 1) * sizeof(double));
	const sl_yaml_node *tags = sl_yaml_get(n, "data_tags");
	if (!tags)
		return;
	size_t m0 = sl__sc_push(c, "data_tags");
	double sum = 0;
	int is_map = sl__sc_expect_map(c, tags, "a mapping of data tag to share of jobs");
	int all = is_map;
	for (size_t i = 0; is_map && i < tags->n; i++) {
		const sl_yaml_pair *p = &tags->pairs[i];
		double share;
		size_t m = sl__sc_push(c, p->key->str);
		int tag = tag_of(c, p->key);
		int ok = sl__sc_node_num(c, p->value, sl__sc_in(0, 1), &share) == 0 && tag >= 0;
		if (ok) {
			o->tag_share[tag] = share;
			sum += share;
		}
		all &= ok;
		sl__sc_pop(c, m);
	}
	if (all && sum > 1.001)
		sl__sc_error(c, tags, "expected the data tag shares to sum to at most 1, got %.6g", sum);
	sl__sc_pop(c, m0);
}

/* Returns 1 when the origin's share was read (and adds it to *sum). */
static int parse_origin(sl__sc *c, const sl_yaml_node *n, sl_origin *o, double *sum)
{
	o->id = o->name = "";
	o->jurisdiction = -1;
	if (!sl__sc_expect_map(c, n, "an origin mapping {id, utc_offset, jurisdiction, share, routes}"))
		return 0;
	sl__sc_check_keys(c, n, origin_keys);
	sl__sc_id(c, n, "id", 1, &o->id);
	if (sl__sc_str(c, n, "name", 0, &o->name) != 1)
		o->name = o->id;
	sl__sc_offset(c, n, "utc_offset", 1, &o->utc_offset_s);
	sl__sc_jurisdiction(c, n, "jurisdiction", 1, &o->jurisdiction);
	int share_ok = sl__sc_num(c, n, "share", 1, sl__sc_in(0, 1), &o->share) == 1;
	parse_data_tags(c, n, o);
	parse_routes(c, n, o);
	sl__sc_origin_energy(c, n, o);
	if (share_ok)
		*sum += o->share;
	return share_ok;
}

void sl__sc_origins(sl__sc *c, const sl_yaml_node *root)
{
	const sl_yaml_node *seq = sl__sc_list(c, root, "origins", 1, 1, "origins");
	if (!seq)
		return;
	sl_network *net = c->net;
	net->origins = sl_arena_alloc(&net->arena, seq->n * sizeof *net->origins);
	net->norigins = (int)seq->n;
	size_t m0 = sl__sc_push(c, "origins");
	sl__sc_unique_ids(c, seq);
	double sum = 0;
	int all = 1;
	for (size_t i = 0; i < seq->n; i++) {
		size_t m = sl__sc_push_index(c, i);
		all &= parse_origin(c, seq->items[i], &net->origins[i], &sum);
		sl__sc_pop(c, m);
	}
	if (all)
		sl__sc_shares_sum(c, seq, "origin", sum);
	sl__sc_pop(c, m0);
}
