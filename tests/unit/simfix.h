/*
 * simfix.h — build small networks and traces in C for the simulator,
 * policy and EASY tests (no scenario file or trace reader needed).
 *
 * A fixture network has room for FIX_MAX zones, sites, origins, tags and
 * jurisdictions; every signal is on the network's grid (t0, step, nsteps),
 * constant unless a test fills a series.  Everything lives in the
 * network's arena (sl_network_free releases it).
 */
#ifndef SL_SIMFIX_H
#define SL_SIMFIX_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "io/trace.h"
#include "model/network.h"

#define FIX_MAX 16
#define FIX_T0 1735689600 /* 2025-01-01T00:00:00Z */

static inline void fix_signal(sl_network *net, sl_signal *s, double value)
{
	s->n = net->nsteps;
	s->step_s = net->step_s;
	s->t0 = net->t0;
	s->v = sl_arena_alloc(&net->arena, (size_t)net->nsteps * sizeof *s->v);
	for (int32_t i = 0; i < net->nsteps; i++)
		s->v[i] = value;
}

static inline sl_network *fix_net_new(int64_t t0, int32_t step_s, int32_t nsteps)
{
	sl_arena a = {0};
	sl_network *net = sl_arena_alloc(&a, sizeof *net);
	net->arena = a;
	sl_arena *ar = &net->arena;
	net->name = "fixture";
	net->path = "";
	net->t0 = t0;
	net->step_s = step_s;
	net->nsteps = nsteps;
	net->t1 = t0 + (int64_t)step_s * nsteps;
	net->tariffs = sl_arena_alloc(ar, FIX_MAX * sizeof *net->tariffs);
	net->zones = sl_arena_alloc(ar, FIX_MAX * sizeof *net->zones);
	net->sites = sl_arena_alloc(ar, FIX_MAX * sizeof *net->sites);
	net->origins = sl_arena_alloc(ar, FIX_MAX * sizeof *net->origins);
	net->tags = sl_arena_alloc(ar, FIX_MAX * sizeof *net->tags);
	net->jurisdictions = sl_arena_alloc(ar, FIX_MAX * sizeof *net->jurisdictions);
	net->classes = sl_arena_alloc(ar, FIX_MAX * sizeof *net->classes);
	net->tariffs[0].id = "flat";
	net->ntariffs = 1;
	return net;
}

static inline int fix_jurisdiction(sl_network *net, const char *code)
{
	int j = sl_network_jurisdiction(net, code);
	if (j >= 0)
		return j;
	net->jurisdictions[net->njurisdictions] = code;
	return net->njurisdictions++;
}

/* A zone with constant carbon intensity (g/kWh) and price (CNY/kWh). */
static inline int fix_zone(sl_network *net, const char *id, double ci, double price)
{
	sl_zone *z = &net->zones[net->nzones];
	z->id = z->name = id;
	z->tariff = 0;
	fix_signal(net, &z->carbon_avg_g_per_kwh, ci);
	fix_signal(net, &z->carbon_marginal_g_per_kwh, ci);
	fix_signal(net, &z->price_cny_per_kwh, price);
	return net->nzones++;
}

static inline int fix_site(sl_network *net, const char *id, int zone, const char *jur,
                           int32_t cores, int32_t gpus, double core_idle_w, double core_busy_w,
                           double gpu_idle_w, double gpu_busy_w, double pue)
{
	sl_site *s = &net->sites[net->nsites];
	s->id = s->name = id;
	s->zone = zone;
	s->jurisdiction = fix_jurisdiction(net, jur);
	s->cores = cores;
	s->gpus = gpus;
	s->core_idle_w = core_idle_w;
	s->core_busy_w = core_busy_w;
	s->gpu_idle_w = gpu_idle_w;
	s->gpu_busy_w = gpu_busy_w;
	fix_signal(net, &s->pue, pue);
	return net->nsites++;
}

static inline void fix_green(sl_network *net, int site, double mw)
{
	net->sites[site].has_green = 1;
	fix_signal(net, &net->sites[site].green_mw, mw);
}

static inline int fix_origin(sl_network *net, const char *id, const char *jur)
{
	sl_origin *o = &net->origins[net->norigins];
	o->id = o->name = id;
	o->jurisdiction = fix_jurisdiction(net, jur);
	o->routes = sl_arena_alloc(&net->arena, FIX_MAX * sizeof *o->routes);
	o->route_of_site = sl_arena_alloc(&net->arena, FIX_MAX * sizeof *o->route_of_site);
	for (int i = 0; i < FIX_MAX; i++)
		o->route_of_site[i] = -1;
	return net->norigins++;
}

static inline void fix_route(sl_network *net, int origin, int site, double rtt_ms, double gbps,
                             double cny_per_gb)
{
	sl_origin *o = &net->origins[origin];
	sl_route *r = &o->routes[o->nroutes];
	r->site = site;
	r->rtt_ms = rtt_ms;
	r->gbps = gbps;
	r->cny_per_gb = cny_per_gb;
	o->route_of_site[site] = o->nroutes++;
}

/* A data tag allowed in the listed jurisdictions (NULL-terminated). */
static inline int fix_tag(sl_network *net, const char *tag, const char *const *jurs)
{
	sl_data_rule *d = &net->tags[net->ntags];
	d->tag = tag;
	for (; *jurs; jurs++)
		d->allowed_mask |= 1ull << fix_jurisdiction(net, *jurs);
	return net->ntags++;
}

/* Trace building without the trace reader. */
static inline sl_job *fix_job(sl_trace *t, int64_t id, int64_t submit, int origin,
                              int32_t cores, int32_t gpus, int32_t est_s, int32_t run_s)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		t->jobs = sl_realloc(t->jobs, t->cap * sizeof *t->jobs);
	}
	sl_job *j = &t->jobs[t->n++];
	memset(j, 0, sizeof *j);
	j->id = id;
	j->submit = submit;
	j->origin = (int16_t)origin;
	j->cores = cores;
	j->gpus = gpus;
	j->est_s = est_s;
	j->run_s = run_s;
	j->cls = -1;
	j->tag = -1;
	return j;
}

static inline void fix_trace_free(sl_trace *t)
{
	sl_free(t->jobs);
	memset(t, 0, sizeof *t);
}

#endif
