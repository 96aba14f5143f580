/*
 * supply.h — where a site's energy comes from, hour by hour, and what it
 * emits: interconnect deliveries with their losses and renewable share,
 * each zone's grid intensity under every accounting view, each site's
 * curtailed surplus and green contracts, the curtailment rule, and the
 * energy of moving data.  The formulas are in docs/energy.md; the
 * functions named after them below are those formulas and nothing more
 * (the tests check them on hand-computed cases).
 *
 * sl_supply derives every series once from an immutable network (it
 * borrows net; the network must outlive it), on the network's step grid:
 * series index k covers [t0 + k step, t0 + (k+1) step) and, like every
 * signal, repeats cyclically outside [t0, t1).
 *
 * Accounting views (never mixed silently):
 *   carbon mode  SL_CARBON_AVERAGE | SL_CARBON_MARGINAL (sched/view.h)
 *   green basis  SL_GREEN_MARKET   | SL_GREEN_LOCATION
 * Grid energy is charged SL_CI_LOCATION (average, location-based: local
 * generation blended with imports), SL_CI_RESIDUAL (average, market-based
 * residual mix) or SL_CI_MARGINAL (either basis).  Contracted green supply
 * (a site's green_mw and its interconnect green claim) is zero-carbon in
 * the market basis and ordinary grid energy in the location basis;
 * on-site generation is zero-carbon and absorbed curtailment is charged
 * its zone's surplus_g_per_kwh in every view.
 */
#ifndef SL_SUPPLY_H
#define SL_SUPPLY_H

#include <stdint.h>

#include "model/network.h"
#include "sched/view.h"

/* Accounting basis of contracted green supply. */
enum {
	SL_GREEN_MARKET = 0,    /* contracts and line claims count; residual mix for the rest */
	SL_GREEN_LOCATION = 1   /* the grid average where the energy is drawn, contracts or not */
};

/* "market" / "location", and back (-1 if unknown). */
const char *sl_green_basis_name(int basis);
int sl_green_basis_parse(const char *s);

/* Network energy per decimal gigabyte moved when neither the route, the
 * scenario nor the caller gives one: Aslan, Mayers, Koomey and France,
 * "Electricity intensity of Internet data transmission: untangling the
 * estimates", J. Industrial Ecology 22(4):785-798, 2018
 * (doi:10.1111/jiec.12630): 0.06 kWh/GB in 2015 for core and fixed-line
 * access networks, halving about every 2 years; extrapolated to 2025:
 * 0.06 / 2^5. */
#define SL_NET_KWH_PER_GB_DEFAULT 0.001875

/* Grid intensity views of a zone (g/kWh). */
enum {
	SL_CI_LOCAL = 0,   /* the zone's own average series (its local generation) */
	SL_CI_LOCATION,    /* location-based: local generation blended with imports */
	SL_CI_RESIDUAL,    /* market-based residual mix */
	SL_CI_MARGINAL,    /* the marginal unit (imports do not change it) */
	SL_CI_COUNT
};

/* The view grid energy is charged at for a carbon mode and green basis. */
int sl_supply_ci_view(int carbon_mode, int green_basis);

/* Per-zone series. */
enum {
	SL_ZS_IMPORT_MW = 0,    /* delivered by interconnects into the zone, after losses */
	SL_ZS_IMPORT_LOSS_MW,   /* lost on those lines */
	SL_ZS_IMPORT_GREEN_MW,  /* renewable part of the delivered import */
	SL_ZS_IMPORT_CI,        /* g/kWh of the delivered import (0 without import) */
	SL_ZS_EXPORT_MW,        /* sent out of the zone */
	SL_ZS_CI,               /* SL_ZS_CI + SL_CI_* : the intensity views */
	SL_ZS_COUNT = SL_ZS_CI + SL_CI_COUNT
};

/* Per-interconnect series. */
enum {
	SL_LS_SENT_MW = 0,      /* the scheduled flow at the sending end (0 without flow_mw) */
	SL_LS_DELIVERED_MW,     /* sent x (1 - loss_frac) */
	SL_LS_GREEN_MW,         /* delivered x renewable_share */
	SL_LS_CI_SENT,          /* (1 - renewable_share) x fossil, per sent kWh */
	SL_LS_CI_DELIVERED,     /* the same per delivered kWh: / (1 - loss_frac) */
	SL_LS_CI_MARGINAL,      /* sending zone's marginal intensity / (1 - loss_frac) */
	SL_LS_COUNT
};

/* Per-site series. */
enum {
	SL_SS_ONSITE_MW = 0,    /* on-site generation (behind the meter) */
	SL_SS_SURPLUS_MW,       /* its share of the zone's curtailment */
	SL_SS_CONTRACT_MW,      /* green_mw + its interconnect green claim */
	SL_SS_CLAIM_MW,         /* the claim part of the above */
	SL_SS_COUNT
};

typedef struct sl_supply {
	const sl_network *net;
	int32_t n;                 /* steps: net->nsteps (at least 1) */
	double *zone;              /* [nzones][SL_ZS_COUNT][n] */
	double *line;              /* [ninterconnects][SL_LS_COUNT][n] */
	double *site;              /* [nsites][SL_SS_COUNT][n] */
	double *surplus_share;     /* [nsites]: share of its zone's curtailment */
} sl_supply;

/* Derive every series from net (borrowed).  Never fails (allocation
 * aborts, as everywhere). */
void sl_supply_init(sl_supply *s, const sl_network *net);
void sl_supply_release(sl_supply *s); /* accepts a zeroed struct */

/* The step index holding UTC time t (cyclic). */
int32_t sl_supply_index(const sl_supply *s, int64_t t);

static inline const double *sl_supply_zone(const sl_supply *s, int z, int series)
{
	return s->zone + ((size_t)z * SL_ZS_COUNT + (size_t)series) * (size_t)s->n;
}
static inline const double *sl_supply_line(const sl_supply *s, int l, int series)
{
	return s->line + ((size_t)l * SL_LS_COUNT + (size_t)series) * (size_t)s->n;
}
static inline const double *sl_supply_site(const sl_supply *s, int site, int series)
{
	return s->site + ((size_t)site * SL_SS_COUNT + (size_t)series) * (size_t)s->n;
}

/* Grid intensity (g/kWh) of an origin's energy at step k in view (SL_CI_*):
 * its carbon_g_per_kwh when given, else its zone's, else fallback_zone's. */
double sl_supply_origin_ci(const sl_supply *s, int origin, int fallback_zone, int view, int32_t k);

/* kWh per decimal GB over route r: the route's kwh_per_gb when given,
 * else dflt. */
static inline double sl_supply_route_kwh_per_gb(const sl_route *r, double dflt)
{
	return r->has_kwh_per_gb ? r->kwh_per_gb : dflt;
}

/* The network default in force: the caller's (has_override), else the
 * scenario's energy.network_kwh_per_gb, else SL_NET_KWH_PER_GB_DEFAULT. */
double sl_supply_net_default(const sl_network *net, int has_override, double override);

/* ---- the formulas (docs/energy.md) ---- */

/* Energy a line delivers: sent x (1 - loss). */
double sl_supply_delivered_mw(double sent_mw, double loss_frac);

/* Intensity of a line's delivered energy: (1 - re) x fossil / (1 - loss). */
double sl_supply_line_ci(double renewable_share, double fossil_g_per_kwh, double loss_frac);

/* Location-based intensity of a zone with load L (MW) whose local
 * generation has intensity local_ci and which receives import_mw at
 * import_ci: ((L - I) local + I import) / L; I >= L gives import_ci;
 * I = 0 or L <= 0 gives local_ci (nothing to blend into). */
double sl_supply_blend_ci(double load_mw, double local_ci, double import_mw, double import_ci);

/* Market-based residual mix: (L x location_ci + export_term) / (L -
 * claimed_green_mw), where export_term = sum over lines leaving the zone
 * of sent x (location_ci - ci_sent) (the zone's generation includes what
 * it exports; the line takes its own emissions with it) and claimed green
 * is the renewable energy delivered into the zone, whose certificates its
 * buyers claim.  L <= 0 or L <= claimed gives location_ci; never < 0. */
double sl_supply_residual_ci(double mix_load_mw, double location_ci, double export_term,
                             double claimed_green_mw);

/* The curtailment rule: the grid absorbs renewables up to load + exports
 * - delivered imports - must-run output; the rest is curtailed:
 * max(0, R - max(0, L + X - I - M)). */
double sl_supply_curtail_mw(double renewable_mw, double load_mw, double export_mw,
                            double import_mw, double must_run_mw);

/* The constant must-run M (MW) for which the rule curtails rate x the
 * renewable energy of the n steps (found by bisection; rate in [0, 1)).
 * Returns 0 and *must_run_mw, or SL_ERANGE when even M = 0 curtails
 * more than that, or there is no renewable energy. */
int sl_supply_must_run_for_rate(const double *renewable, const double *load,
                                const double *export_mw, const double *import_mw, int32_t n,
                                double rate, double *must_run_mw);

/* Delivered imports and sent exports of zone z (MW per step) from the
 * network's interconnect flows into imp[n] and exp[n] (n = net->nsteps). */
void sl_supply_zone_flows(const sl_network *net, int z, double *imp, double *exp);

/* ---- exact integrals of per-step series ---- */

/* Prefix sums of a per-step series, for the integral over any interval
 * (cyclic like every signal).  v has n values on (t0, step_s). */
typedef struct sl_cum {
	double *c;      /* [n + 1]: c[k] = sum of v[0..k) x step_s */
	int32_t n, step_s;
	int64_t t0;
} sl_cum;

void sl_cum_init(sl_cum *q, const double *v, int32_t n, int32_t step_s, int64_t t0);
void sl_cum_release(sl_cum *q);
/* Integral of the series over [a, b) in value x seconds (a <= b). */
double sl_cum_between(const sl_cum *q, int64_t a, int64_t b);

/* Where [a, b) falls on a series grid, so that several series on the same
 * grid (n, step_s, t0) are integrated over it with one index computation:
 * sl_cum_span_of once, then sl_cum_span_between per series gives exactly
 * sl_cum_between. */
typedef struct sl_cum_span {
	int32_t k[2];        /* of a and b (shifted by whole cycles): step within the cycle */
	int64_t frac[2];     /* seconds into that step */
	int64_t cycles[2];   /* whole cycles before it */
} sl_cum_span;
void sl_cum_span_of(const sl_cum *q, int64_t a, int64_t b, sl_cum_span *sp);
double sl_cum_span_between(const sl_cum *q, const sl_cum_span *sp);

#endif
