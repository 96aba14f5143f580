/*
 * network.h — the domain model: a computing-power network.
 *
 * A loaded scenario is one sl_network.  Everything in it (strings, arrays,
 * signal values) is allocated from net->arena and freed by sl_network_free;
 * cross-references are indices into the network's arrays, never pointers,
 * so a network can be copied, compared and serialised simply.
 *
 * Units are in the names: _ms, _w, _mw, _kwh, _g (gCO2), _cny, _bytes, _s.
 * Times are int64 UTC seconds; local time is a fixed offset (see core/time.h).
 */
#ifndef SL_NETWORK_H
#define SL_NETWORK_H

#include <stdint.h>

#include "core/mem.h"
#include "model/signal.h"

#define SL_MAX_JURISDICTIONS 64 /* jurisdiction sets are uint64_t bit masks */

/* A tariff band: a named price (peak, flat, valley, ...). */
typedef struct sl_tariff_band {
	const char *name;
	double price_cny_per_kwh;
} sl_tariff_band;

/* A time-of-use rule: in the local hours of hours_mask (bit h = hour h..h+1),
 * on months of months_mask (bit m for month m, 1..12; all bits = every
 * month) and weekdays of wdays_mask (bit 0 = Monday), band applies.  Rules
 * are evaluated in order and the LAST matching rule wins, so general rules
 * come first and exceptions (deep valley, critical peak) after. */
typedef struct sl_tariff_rule {
	int band;
	uint32_t hours_mask;   /* 24 bits */
	uint16_t months_mask;  /* bits 1..12 */
	uint8_t wdays_mask;    /* bits 0..6 */
} sl_tariff_rule;

typedef struct sl_tariff {
	const char *id;
	int32_t utc_offset_s;    /* the local time the hours are read in */
	sl_tariff_band *bands;
	int nbands;
	int default_band;        /* applies where no rule matches */
	sl_tariff_rule *rules;
	int nrules;
	int has_series;          /* 1: price comes from series, not bands */
	sl_signal series;        /* CNY/kWh */
} sl_tariff;

typedef struct sl_zone {
	const char *id;
	const char *name;
	int32_t utc_offset_s;
	sl_signal carbon_avg_g_per_kwh;       /* average grid intensity */
	int has_carbon_marginal;
	sl_signal carbon_marginal_g_per_kwh;  /* marginal unit; = avg when absent */
	int tariff;                           /* index into net->tariffs */
	sl_signal price_cny_per_kwh;          /* the tariff evaluated on every step */
	int has_renewable;
	sl_signal renewable_mw;               /* zone renewable generation, optional */
	int has_curtailment;
	sl_signal curtailment_mw;             /* renewable output the grid cannot absorb */
	int has_load;
	sl_signal load_mw;                    /* zone demand shape, optional */
	/* energy accounting (energy/supply.h, docs/energy.md) */
	double surplus_g_per_kwh;             /* charged for absorbed curtailment; default 0 */
	int has_mix_load;
	sl_signal mix_load_mw;                /* demand its average is the mix of; default load_mw */
	int has_carbon_residual;
	sl_signal carbon_residual_g_per_kwh;  /* market-based residual mix, when published */
} sl_zone;

typedef struct sl_interconnect {
	const char *id;
	int from_zone, to_zone;
	double rated_mw;
	double loss_frac;                     /* [0, 1) */
	double length_km;                     /* 0 if not given */
	sl_signal renewable_share;            /* [0, 1] of the energy the line carries */
	int has_flow;
	sl_signal flow_mw;                    /* scheduled flow, optional; <= rated_mw */
	int has_fossil;
	sl_signal fossil_g_per_kwh;           /* its non-renewable part; default: from-zone average */
} sl_interconnect;

enum { SL_BACKEND_SIM = 0, SL_BACKEND_LOCAL = 1, SL_BACKEND_SLURM = 2 };

/* How the live service reaches a `backend: slurm` site's cluster (the
 * scenario's sites[].slurm; docs/slurm.md).  Paths are as the loader
 * resolved them (relative ones against the scenario file's directory);
 * NULL strings and 0 durations were not given (the executor's defaults). */
typedef struct sl_site_slurm {
	const char *url;                      /* slurmrestd over TCP, or */
	const char *socket;                   /* its unix socket (exactly one is set) */
	const char *token_file;               /* JWT file (required with url) */
	const char *user, *cluster, *partition, *account;
	const char *jobs_dir;                 /* shared with the nodes; NULL = DATA/jobs */
	int64_t poll_s, idle_poll_s, timeout_s;
} sl_site_slurm;

typedef struct sl_site {
	const char *id;
	const char *name;
	int zone;
	int jurisdiction;                     /* index into net->jurisdictions */
	double lat, lon;                      /* degrees; 0,0 if not given */
	int32_t cores, gpus;
	double core_idle_w, core_busy_w;      /* power of one core when idle / busy */
	double gpu_idle_w, gpu_busy_w;
	sl_signal pue;                        /* >= 1 */
	int has_green;
	sl_signal green_mw;                   /* contracted / on-site green supply */
	int backend;                          /* SL_BACKEND_* */
	const sl_site_slurm *slurm;           /* backend slurm: its cluster, or NULL */
	/* energy supply (energy/supply.h, docs/energy.md) */
	int has_onsite;
	sl_signal onsite_mw;                  /* on-site generation, behind the meter */
	int has_green_surplus_share;
	double green_surplus_share;           /* of its zone's curtailment; default by IT power */
	int has_green_import;
	int green_import_line;                /* interconnect whose green energy it claims */
	double green_import_mw;               /* at most this much of it */
} sl_site;

/* A route from an origin to a site it can reach. */
typedef struct sl_route {
	int site;
	double rtt_ms;
	double gbps;
	double cny_per_gb;
	int has_kwh_per_gb;
	double kwh_per_gb;                    /* network energy; default the network's */
} sl_route;

typedef struct sl_origin {
	const char *id;
	const char *name;
	int32_t utc_offset_s;
	int jurisdiction;
	double share;                         /* of submitted jobs, for the generator */
	sl_route *routes;
	int nroutes;
	int *route_of_site;                   /* [nsites]: index into routes or -1 */
	double *tag_share;                    /* [ntags]: share of its jobs with each data tag */
	/* the grid its network energy is drawn from: a zone, or an intensity */
	int has_zone;
	int zone;
	int has_carbon;
	sl_signal carbon_g_per_kwh;
} sl_origin;

/* A data tag and where data so tagged may be processed. */
typedef struct sl_data_rule {
	const char *tag;
	uint64_t allowed_mask;                /* bit j = net->jurisdictions[j] allowed */
} sl_data_rule;

typedef struct sl_range {
	double lo, hi;                        /* lo <= hi; both 0 = absent */
} sl_range;

/* A job class, for the workload generator and for mapping traces. */
typedef struct sl_job_class {
	const char *id;
	double share;
	double latency_budget_ms;             /* 0 = no latency budget */
	sl_range cores, gpus;                 /* per job */
	sl_range runtime_s;
	sl_range deadline_s;                  /* relative to submit; absent = no deadline */
	sl_range input_bytes, output_bytes;
	int not_preemptible;                  /* its jobs cannot be stopped and resumed
	                                       * (scenario: preemptible: false) */
} sl_job_class;

typedef struct sl_network {
	sl_arena arena;
	const char *name;
	const char *path;                     /* the scenario file it was loaded from */
	int64_t t0, t1;                       /* [t0, t1) */
	int32_t step_s;
	int32_t nsteps;
	int32_t utc_offset_s;                 /* the scenario's base time zone */

	sl_tariff *tariffs;          int ntariffs;
	sl_zone *zones;              int nzones;
	sl_interconnect *interconnects; int ninterconnects;
	sl_site *sites;              int nsites;
	sl_origin *origins;          int norigins;
	sl_data_rule *tags;          int ntags;
	const char **jurisdictions;  int njurisdictions;
	sl_job_class *classes;       int nclasses;
	int has_network_kwh_per_gb;           /* energy.network_kwh_per_gb was given */
	double network_kwh_per_gb;
} sl_network;

/* Free a network and everything it owns.  Accepts NULL. */
void sl_network_free(sl_network *net);

/* Index of the thing with this id, or -1. */
int sl_network_zone(const sl_network *net, const char *id);
int sl_network_site(const sl_network *net, const char *id);
int sl_network_origin(const sl_network *net, const char *id);
int sl_network_tag(const sl_network *net, const char *tag);
int sl_network_class(const sl_network *net, const char *id);
int sl_network_tariff(const sl_network *net, const char *id);
int sl_network_jurisdiction(const sl_network *net, const char *code);

/* May data with tag (or -1 = untagged) be processed at site? */
static inline int sl_network_tag_allows(const sl_network *net, int tag, int site)
{
	return tag < 0 || ((net->tags[tag].allowed_mask >> net->sites[site].jurisdiction) & 1);
}

/* May jobs of class cls (-1: none) be stopped and resumed? */
static inline int sl_network_class_preemptible(const sl_network *net, int cls)
{
	return cls < 0 || cls >= net->nclasses || !net->classes[cls].not_preemptible;
}

/* The route from origin to site, or NULL when the site is unreachable. */
static inline const sl_route *sl_network_route(const sl_network *net, int origin, int site)
{
	int r = net->origins[origin].route_of_site[site];
	return r < 0 ? 0 : &net->origins[origin].routes[r];
}

/* Total installed cores and GPUs across sites. */
void sl_network_capacity(const sl_network *net, int64_t *cores, int64_t *gpus);

#endif
