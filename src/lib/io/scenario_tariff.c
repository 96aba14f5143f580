/*
 * scenario_tariff.c — the `tariffs` section: time-of-use bands and rules,
 * or a price series.  Rule masks follow model/network.h: bit h of
 * hours_mask is the local hour [h, h+1), bits 1..12 of months_mask the
 * months, bit 0 of wdays_mask Monday.
 */
#include <string.h>

#include "io/scenario_int.h"

#include "core/banned.h"

#define ALL_HOURS 0xFFFFFFu
#define ALL_MONTHS 0x1FFEu
#define ALL_WDAYS 0x7Fu

static const char *const tariff_keys[] = {"id", "utc_offset", "bands", "default", "rules",
                                          "series", NULL};
static const char *const rule_keys[] = {"band", "hours", "months", "weekdays", NULL};
static const char *const wday_names[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun", NULL};

static void parse_bands(sl__sc *c, const sl_yaml_node *bands, sl_tariff *tf)
{
	if (!sl__sc_expect_map(c, bands, "a mapping of band name to price in CNY/kWh"))
		return;
	if (bands->n == 0) {
		sl__sc_error(c, bands, "expected at least one band, got an empty mapping");
		return;
	}
	tf->bands = sl_arena_alloc(&c->net->arena, bands->n * sizeof *tf->bands);
	tf->nbands = (int)bands->n;
	for (size_t i = 0; i < bands->n; i++) {
		const sl_yaml_pair *p = &bands->pairs[i];
		sl_tariff_band *band = &tf->bands[i];
		size_t m = sl__sc_push(c, p->key->str);
		band->name = "";
		sl__sc_node_id(c, p->key, &band->name);
		sl__sc_node_num(c, p->value, sl__sc_ge(0), &band->price_cny_per_kwh);
		sl__sc_pop(c, m);
	}
}

/* One [from, to) local hour range as a mask; [22, 2] wraps past midnight. */
static uint32_t hour_range(sl__sc *c, const sl_yaml_node *n)
{
	char got[96];
	double from, to;
	if (!n || n->kind != SL_YAML_SEQ || n->n != 2) {
		sl__sc_error(c, n, "expected a [from, to] hour range like [8, 11], got %s",
		             sl__sc_describe(n, got, sizeof got));
		return 0;
	}
	size_t m = sl__sc_push_index(c, 0);
	int bad = sl__sc_node_num(c, n->items[0], sl__sc_int_in(0, 24), &from);
	sl__sc_pop(c, m);
	sl__sc_push_index(c, 1);
	bad |= sl__sc_node_num(c, n->items[1], sl__sc_int_in(0, 24), &to);
	sl__sc_pop(c, m);
	if (bad)
		return 0;
	int f = (int)from, t = (int)to;
	if (f == 0 && t == 24)
		return ALL_HOURS;
	if (f % 24 == t % 24) {
		sl__sc_error(c, n, "expected a non-empty hour range (from != to), got [%d, %d]", f, t);
		return 0;
	}
	uint32_t mask = 0;
	for (int h = f % 24; h != t % 24; h = (h + 1) % 24)
		mask |= 1u << h;
	return mask;
}

static uint32_t parse_hours(sl__sc *c, const sl_yaml_node *n)
{
	uint32_t mask = 0;
	if (!sl__sc_expect_list(c, n, "a list of [from, to] hour ranges like [[8, 11], [19, 24]]"))
		return 0;
	if (n->n == 0)
		sl__sc_error(c, n, "expected at least one hour range, got an empty list");
	for (size_t i = 0; i < n->n; i++) {
		size_t m = sl__sc_push_index(c, i);
		mask |= hour_range(c, n->items[i]);
		sl__sc_pop(c, m);
	}
	return mask;
}

static uint16_t parse_months(sl__sc *c, const sl_yaml_node *n)
{
	uint16_t mask = 0;
	double v;
	if (!sl__sc_expect_list(c, n, "a list of months 1..12 like [6, 7, 8]"))
		return 0;
	if (n->n == 0)
		sl__sc_error(c, n, "expected at least one month, got an empty list");
	for (size_t i = 0; i < n->n; i++) {
		size_t m = sl__sc_push_index(c, i);
		if (sl__sc_node_num(c, n->items[i], sl__sc_int_in(1, 12), &v) == 0)
			mask |= (uint16_t)(1u << (int)v);
		sl__sc_pop(c, m);
	}
	return mask;
}

static uint8_t parse_weekdays(sl__sc *c, const sl_yaml_node *n)
{
	uint8_t mask = 0;
	int d;
	if (!sl__sc_expect_list(c, n, "a list of weekdays like [sat, sun]"))
		return 0;
	if (n->n == 0)
		sl__sc_error(c, n, "expected at least one weekday, got an empty list");
	for (size_t i = 0; i < n->n; i++) {
		size_t m = sl__sc_push_index(c, i);
		if (sl__sc_node_lookup(c, n->items[i], "weekday",
		                       sl__sc_words(wday_names), &d) == 0)
			mask |= (uint8_t)(1u << d);
		sl__sc_pop(c, m);
	}
	return mask;
}

/* A band reference; when the bands themselves were bad (already reported)
 * only its presence is checked, to not report one mistake twice. */
static void band_ref(sl__sc *c, const sl_yaml_node *n, const char *key, const sl_tariff *tf,
                     int *out)
{
	if (tf->nbands == 0)
		sl__sc_get(c, n, key, 1);
	else
		sl__sc_ref(c, n, key, 1, "band", SL__SC_NAMES(tf->bands, tf->nbands), out);
}

static void parse_rule(sl__sc *c, const sl_yaml_node *n, const sl_tariff *tf, sl_tariff_rule *r)
{
	const sl_yaml_node *v;
	r->hours_mask = ALL_HOURS;
	r->months_mask = ALL_MONTHS;
	r->wdays_mask = ALL_WDAYS;
	if (!sl__sc_expect_map(c, n, "a rule mapping {band, hours, months, weekdays}"))
		return;
	sl__sc_check_keys(c, n, rule_keys);
	band_ref(c, n, "band", tf, &r->band);
	size_t m = c->plen;
	if ((v = sl_yaml_get(n, "hours"))) {
		sl__sc_push(c, "hours");
		r->hours_mask = parse_hours(c, v);
		sl__sc_pop(c, m);
	}
	if ((v = sl_yaml_get(n, "months"))) {
		sl__sc_push(c, "months");
		r->months_mask = parse_months(c, v);
		sl__sc_pop(c, m);
	}
	if ((v = sl_yaml_get(n, "weekdays"))) {
		sl__sc_push(c, "weekdays");
		r->wdays_mask = parse_weekdays(c, v);
		sl__sc_pop(c, m);
	}
}

static void parse_rules(sl__sc *c, const sl_yaml_node *n, sl_tariff *tf)
{
	const sl_yaml_node *rules = sl__sc_list(c, n, "rules", 0, 0, "rules");
	if (!rules)
		return;
	tf->rules = sl_arena_alloc(&c->net->arena, (rules->n + 1) * sizeof *tf->rules);
	tf->nrules = (int)rules->n;
	size_t m0 = sl__sc_push(c, "rules");
	for (size_t i = 0; i < rules->n; i++) {
		size_t m = sl__sc_push_index(c, i);
		parse_rule(c, rules->items[i], tf, &tf->rules[i]);
		sl__sc_pop(c, m);
	}
	sl__sc_pop(c, m0);
}

/* A band tariff: bands, default band, optional rules. */
static void band_tariff(sl__sc *c, const sl_yaml_node *n, sl_tariff *tf)
{
	const sl_yaml_node *bands = sl_yaml_get(n, "bands");
	size_t m = sl__sc_push(c, "bands");
	parse_bands(c, bands, tf);
	sl__sc_pop(c, m);
	band_ref(c, n, "default", tf, &tf->default_band);
	parse_rules(c, n, tf);
	if (sl_yaml_get(n, "rules") && !sl_yaml_get(n, "utc_offset"))
		sl__sc_error(c, n, "missing required key \"utc_offset\" (the rules' hours are "
		                   "local time)");
}

/* A series tariff: bands, default and rules do not apply. */
static void series_tariff(sl__sc *c, const sl_yaml_node *n, sl_tariff *tf)
{
	static const char *const band_only[] = {"default", "rules", NULL};
	tf->has_series = 1;
	sl__sc_signal(c, n, "series", 1, sl__sc_any(), &tf->series);
	for (int i = 0; band_only[i]; i++) {
		const sl_yaml_pair *p = sl_yaml_pair_of(n, band_only[i]);
		if (!p)
			continue;
		size_t m = sl__sc_push(c, band_only[i]);
		sl__sc_error(c, p->key, "\"%s\" applies to band tariffs only, not with \"series\"",
		             band_only[i]);
		sl__sc_pop(c, m);
	}
}

static void parse_tariff(sl__sc *c, const sl_yaml_node *n, sl_tariff *tf)
{
	tf->id = "";
	if (!sl__sc_expect_map(c, n, "a tariff mapping {id, bands, default, rules} or {id, series}"))
		return;
	sl__sc_check_keys(c, n, tariff_keys);
	sl__sc_id(c, n, "id", 1, &tf->id);
	sl__sc_offset(c, n, "utc_offset", 0, &tf->utc_offset_s);
	const sl_yaml_pair *bands = sl_yaml_pair_of(n, "bands");
	const sl_yaml_pair *series = sl_yaml_pair_of(n, "series");
	if (bands && series) {
		size_t m = sl__sc_push(c, "series");
		sl__sc_error(c, series->key, "expected either \"bands\" or \"series\", not both");
		sl__sc_pop(c, m);
	} else if (bands) {
		band_tariff(c, n, tf);
	} else if (series) {
		series_tariff(c, n, tf);
	} else {
		sl__sc_error(c, n, "missing required key \"bands\" (or \"series\")");
	}
}

void sl__sc_tariffs(sl__sc *c, const sl_yaml_node *root)
{
	const sl_yaml_node *seq = sl__sc_list(c, root, "tariffs", 1, 1, "tariffs");
	if (!seq)
		return;
	sl_network *net = c->net;
	net->tariffs = sl_arena_alloc(&net->arena, seq->n * sizeof *net->tariffs);
	net->ntariffs = (int)seq->n;
	size_t m0 = sl__sc_push(c, "tariffs");
	sl__sc_unique_ids(c, seq);
	for (size_t i = 0; i < seq->n; i++) {
		size_t m = sl__sc_push_index(c, i);
		parse_tariff(c, seq->items[i], &net->tariffs[i]);
		sl__sc_pop(c, m);
	}
	sl__sc_pop(c, m0);
}
