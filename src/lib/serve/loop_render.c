/*
 * loop_render.c — response bodies the loop renders from its own state:
 * GET /v1/sites, GET /v1/signals and the loop's part of GET /metrics.
 *
 * Site power: IT power = installed cores and GPUs at idle power plus the
 * busy increment of the busy ones; facility power = IT × PUE now.
 */
#include "serve/loop_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "core/time.h"
#include "core/banned.h"

static double site_it_w(const sl_loop *lp, int s)
{
	const sl_site *site = &lp->net->sites[s];
	const sl_site_queue *q = &lp->sites[s].q;
	return site->cores * site->core_idle_w + site->gpus * site->gpu_idle_w +
	       sl__job_power_w(lp->net, s, q->cores - q->free_c, q->gpus - q->free_g);
}

static char *dump(json_t *o, size_t *len)
{
	char *s = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(10));
	char *out = sl_strdup(s ? s : "{}");
	free(s);
	json_decref(o);
	*len = strlen(out);
	return out;
}

static json_t *site_json(sl_loop *lp, int s, int64_t now)
{
	const sl_site *site = &lp->net->sites[s];
	const lsite *ls = &lp->sites[s];
	int ov_c, ov_p;
	double pue = sl_signal_at(&site->pue, now), it = site_it_w(lp, s);
	double ci = sl__zone_carbon(lp, site->zone, now, &ov_c);
	double price = sl__zone_price(lp, site->zone, now, &ov_p);
	json_t *o = json_object();
	json_object_set_new(o, "id", json_string(site->id));
	json_object_set_new(o, "name", json_string(site->name ? site->name : site->id));
	json_object_set_new(o, "zone", json_string(lp->net->zones[site->zone].id));
	json_object_set_new(o, "cores", json_integer(site->cores));
	json_object_set_new(o, "gpus", json_integer(site->gpus));
	json_object_set_new(o, "busy_cores", json_integer(ls->q.cores - ls->q.free_c));
	json_object_set_new(o, "busy_gpus", json_integer(ls->q.gpus - ls->q.free_g));
	json_object_set_new(o, "running_jobs", json_integer(ls->q.nrun - ls->nwait));
	json_object_set_new(o, "queued_jobs",
	                    json_integer((json_int_t)ls->q.nwait + ls->nplanned + ls->nwait));
	json_object_set_new(o, "processes", json_integer(ls->procs));
	json_object_set_new(o, "local_slots", json_integer(lp->cfg.local_slots));
	json_object_set_new(o, "it_power_w", json_real(it));
	json_object_set_new(o, "facility_power_w", json_real(it * pue));
	json_object_set_new(o, "pue", json_real(pue));
	json_object_set_new(o, "carbon_g_per_kwh", json_real(ci));
	json_object_set_new(o, "carbon_overridden", json_boolean(ov_c));
	json_object_set_new(o, "price_cny_per_kwh", json_real(price));
	json_object_set_new(o, "price_overridden", json_boolean(ov_p));
	json_object_set_new(o, "green_w", json_real(sl__loop_signal(lp, SL_SIG_GREEN_W, s, now)));
	return o;
}

char *sl__render_sites(sl_loop *lp, int64_t now, size_t *len)
{
	json_t *arr = json_array();
	for (int s = 0; s < lp->net->nsites; s++)
		json_array_append_new(arr, site_json(lp, s, now));
	return dump(json_pack("{s:o,s:I}", "sites", arr, "time", (json_int_t)now), len);
}

/* The scenario time now maps onto: t0 + ((now - t0) mod (t1 - t0)). */
static int64_t scenario_time(const sl_network *net, int64_t now)
{
	int64_t len = net->t1 - net->t0;
	return len > 0 ? net->t0 + sl_floor_mod(now - net->t0, len) : now;
}

char *sl__render_signals(sl_loop *lp, int64_t now, size_t *len)
{
	json_t *zones = json_array();
	for (int z = 0; z < lp->net->nzones; z++) {
		const lover *o = &lp->over[z];
		int ov_c, ov_p;
		double ci = sl__zone_carbon(lp, z, now, &ov_c);
		double price = sl__zone_price(lp, z, now, &ov_p);
		json_t *zo = json_pack("{s:s,s:f,s:f}", "zone", lp->net->zones[z].id,
		                       "carbon_g_per_kwh", ci, "price_cny_per_kwh", price);
		if (o->has_carbon || o->has_price)
			json_object_set_new(zo, "override",
			                    json_pack("{s:o,s:o,s:I,s:o}", "carbon_g_per_kwh",
			                              o->has_carbon ? json_real(o->carbon_g_per_kwh) : json_null(),
			                              "price_cny_per_kwh",
			                              o->has_price ? json_real(o->price_cny_per_kwh) : json_null(),
			                              "set_at", (json_int_t)o->set_at, "expires",
			                              o->expires ? json_integer(o->expires) : json_null()));
		else
			json_object_set_new(zo, "override", json_null());
		json_array_append_new(zones, zo);
	}
	return dump(json_pack("{s:I,s:I,s:s,s:o}", "time", (json_int_t)now, "scenario_time",
	                      (json_int_t)scenario_time(lp->net, now), "carbon_mode",
	                      sl_carbon_mode_name(lp->cfg.carbon_mode), "zones", zones), len);
}

/* ---- Prometheus text format 0.0.4 ---- */

typedef struct sbuf {
	char *v;
	size_t n, cap;
} sbuf;

static void sb_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int k;
	for (;;) {
		va_start(ap, fmt);
		k = vsnprintf(b->v + b->n, b->cap - b->n, fmt, ap);
		va_end(ap);
		if (k >= 0 && (size_t)k < b->cap - b->n)
			break;
		b->cap = (b->cap + (size_t)(k > 0 ? k : 0) + 1) * 2;
		b->v = sl_realloc(b->v, b->cap);
	}
	b->n += (size_t)k;
}

static void head(sbuf *b, const char *name, const char *type, const char *help)
{
	sb_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void site_metrics(sbuf *b, sl_loop *lp, int64_t now)
{
	static const char *const names[][2] = {
		{"suanli_site_busy_cores", "Cores held by jobs started at the site."},
		{"suanli_site_busy_gpus", "GPUs held by jobs started at the site."},
		{"suanli_site_queued_jobs", "Jobs placed at the site that have not started."},
		{"suanli_site_processes", "Real processes running for the site (local executor)."},
		{"suanli_site_it_power_watts", "Site IT power now: idle power plus busy increments."},
		{"suanli_site_facility_power_watts", "Site facility power now: IT power times PUE."},
	};
	for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
		head(b, names[k][0], "gauge", names[k][1]);
		for (int s = 0; s < lp->net->nsites; s++) {
			const lsite *ls = &lp->sites[s];
			double it = site_it_w(lp, s), v = 0;
			switch (k) {
			case 0: v = ls->q.cores - ls->q.free_c; break;
			case 1: v = ls->q.gpus - ls->q.free_g; break;
			case 2: v = (double)ls->q.nwait + ls->nplanned + ls->nwait; break;
			case 3: v = ls->procs; break;
			case 4: v = it; break;
			default: v = it * sl_signal_at(&lp->net->sites[s].pue, now); break;
			}
			sb_printf(b, "%s{site=\"%s\"} %.17g\n", names[k][0], lp->net->sites[s].id, v);
		}
	}
}

char *sl__render_metrics(sl_loop *lp, int64_t now, size_t *len)
{
	sbuf b = {sl_malloc(4096), 0, 4096};
	int64_t queued = 0;
	head(&b, "suanli_jobs", "gauge", "Jobs known to the service, by state.");
	for (int s = 0; s < SL_JOB_NSTATES; s++)
		sb_printf(&b, "suanli_jobs{state=\"%s\"} %lld\n", sl_jobstate_name(s),
		          (long long)lp->counts[s]);
	for (int s = 0; s < lp->net->nsites; s++)
		queued += (int64_t)lp->sites[s].q.nwait + lp->sites[s].nplanned + lp->sites[s].nwait;
	head(&b, "suanli_queue_length", "gauge", "Active jobs that have not started yet.");
	sb_printf(&b, "suanli_queue_length %lld\n",
	          (long long)(queued + lp->counts[SL_JOB_QUEUED]));
	head(&b, "suanli_jobs_placed_total", "counter", "Placement decisions made since start.");
	sb_printf(&b, "suanli_jobs_placed_total %llu\n", (unsigned long long)lp->placed);
	head(&b, "suanli_jobs_launched_total", "counter", "Jobs handed to an executor since start.");
	sb_printf(&b, "suanli_jobs_launched_total %llu\n", (unsigned long long)lp->launched);
	site_metrics(&b, lp, now);
	head(&b, "suanli_zone_carbon_intensity_g_per_kwh", "gauge",
	     "Grid carbon intensity now (scenario series or live override).");
	for (int z = 0; z < lp->net->nzones; z++) {
		int ov;
		sb_printf(&b, "suanli_zone_carbon_intensity_g_per_kwh{zone=\"%s\"} %.17g\n",
		          lp->net->zones[z].id, sl__zone_carbon(lp, z, now, &ov));
	}
	head(&b, "suanli_zone_price_cny_per_kwh", "gauge", "Electricity price now.");
	for (int z = 0; z < lp->net->nzones; z++) {
		int ov;
		sb_printf(&b, "suanli_zone_price_cny_per_kwh{zone=\"%s\"} %.17g\n",
		          lp->net->zones[z].id, sl__zone_price(lp, z, now, &ov));
	}
	*len = b.n;
	return b.v;
}
