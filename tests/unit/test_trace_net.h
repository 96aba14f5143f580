/*
 * test_trace_net.h — a small network built by hand in C for the trace and
 * generator tests (they must not depend on the YAML loader).
 *
 * Three sites (two in China, one in Singapore), three origins in two time
 * zones (Chongqing and Singapore at +08:00, Frankfurt at +01:00), two data
 * tags, three job classes (inference, batch, training).
 */
#ifndef SL_TEST_TRACE_NET_H
#define SL_TEST_TRACE_NET_H

#include "core/mem.h"
#include "model/network.h"

#define TN_T0 1735660800 /* 2025-01-01T00:00:00+08:00, a Wednesday */

static inline void tn_site(sl_site *s, const char *id, int jur, int32_t cores, int32_t gpus)
{
	s->id = id;
	s->name = id;
	s->jurisdiction = jur;
	s->cores = cores;
	s->gpus = gpus;
}

static inline void tn_origin(sl_network *net, int i, const char *id, int32_t off_s, int jur,
                             double share, const double rtt_ms[3], const double gbps[3])
{
	sl_origin *o = &net->origins[i];
	o->id = id;
	o->name = id;
	o->utc_offset_s = off_s;
	o->jurisdiction = jur;
	o->share = share;
	o->nroutes = 3;
	o->routes = sl_arena_alloc(&net->arena, 3 * sizeof *o->routes);
	o->route_of_site = sl_arena_alloc(&net->arena, 3 * sizeof *o->route_of_site);
	o->tag_share = sl_arena_alloc(&net->arena, 2 * sizeof *o->tag_share);
	for (int s = 0; s < 3; s++) {
		o->routes[s] = (sl_route){.site = s, .rtt_ms = rtt_ms[s], .gbps = gbps[s], .cny_per_gb = 0.05};
		o->route_of_site[s] = s;
	}
}

static inline sl_job_class tn_class(const char *id, double share, double lat_ms, double c_lo,
                                    double c_hi, double g_lo, double g_hi, double r_lo, double r_hi)
{
	sl_job_class k;
	memset(&k, 0, sizeof k);
	k.id = id;
	k.share = share;
	k.latency_budget_ms = lat_ms;
	k.cores = (sl_range){c_lo, c_hi};
	k.gpus = (sl_range){g_lo, g_hi};
	k.runtime_s = (sl_range){r_lo, r_hi};
	return k;
}

/* A new network; free with sl_network_free. */
static inline sl_network *tn_new(void)
{
	sl_arena a = {0};
	sl_network *net = sl_arena_alloc(&a, sizeof *net);
	net->arena = a; /* from here on allocate through net->arena */
	sl_arena *A = &net->arena;
	net->name = "testnet";
	net->t0 = TN_T0;
	net->t1 = TN_T0 + 365LL * 86400;
	net->step_s = 3600;
	net->nsteps = 8760;
	net->utc_offset_s = 8 * 3600;
	static const char *jur[] = {"CN", "SG", "DE"};
	net->jurisdictions = jur;
	net->njurisdictions = 3;
	net->nsites = 3;
	net->sites = sl_arena_alloc(A, 3 * sizeof *net->sites);
	tn_site(&net->sites[0], "HAMI", 0, 40000, 2000);
	tn_site(&net->sites[1], "CQ-DC", 0, 16000, 800);
	tn_site(&net->sites[2], "SG-DC", 1, 8000, 400);
	net->ntags = 2;
	net->tags = sl_arena_alloc(A, 2 * sizeof *net->tags);
	net->tags[0] = (sl_data_rule){"CN_PI", 1u << 0};
	net->tags[1] = (sl_data_rule){"SG_PD", 1u << 1};
	net->norigins = 3;
	net->origins = sl_arena_alloc(A, 3 * sizeof *net->origins);
	tn_origin(net, 0, "CQ", 8 * 3600, 0, 0.55, (double[]){40, 2, 60}, (double[]){10, 100, 5});
	tn_origin(net, 1, "SG", 8 * 3600, 1, 0.35, (double[]){90, 60, 2}, (double[]){2, 5, 100});
	tn_origin(net, 2, "FRA", 1 * 3600, 2, 0.10, (double[]){180, 200, 160}, (double[]){1, 1, 2});
	net->origins[0].tag_share[0] = 0.30; /* CQ: 30 % CN_PI */
	net->origins[1].tag_share[1] = 0.40; /* SG: 40 % SG_PD */
	net->nclasses = 3;
	net->classes = sl_arena_alloc(A, 3 * sizeof *net->classes);
	net->classes[0] = tn_class("inference", 0.50, 50, 1, 8, 0, 0, 1, 120);
	net->classes[0].input_bytes = (sl_range){1e3, 1e7};
	net->classes[0].output_bytes = (sl_range){1e3, 1e6};
	net->classes[1] = tn_class("batch", 0.35, 0, 4, 512, 0, 0, 300, 43200);
	net->classes[1].deadline_s = (sl_range){6 * 3600, 48 * 3600};
	net->classes[1].input_bytes = (sl_range){1e8, 1e11};
	net->classes[1].output_bytes = (sl_range){1e7, 1e10};
	net->classes[2] = tn_class("training", 0.15, 0, 8, 64, 1, 64, 1800, 172800);
	net->classes[2].input_bytes = (sl_range){1e10, 2e12};
	net->classes[2].output_bytes = (sl_range){1e9, 1e11};
	return net;
}

#endif
