/*
 * loop_render.c — response bodies the loop renders from its own state:
 * GET /v1/sites, GET /v1/signals and the loop's part of GET /metrics.
 *
 * Site power: IT power = installed cores and GPUs at idle power plus the
 * busy increment of the busy ones; facility power = IT × PUE now.  A remote
 * site's busy cores are its cluster's (the view's figures).
 */
#include "serve/loop_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "core/time.h"
#include "core/banned.h"

/* Busy cores and GPUs of a site now. */
static void site_busy(const sl_loop *lp, int s, int32_t *cores, int32_t *gpus)
{
	const sl_site_queue *q = &lp->sites[s].q;
	if (lp->sites[s].remote) {
		sl__remote_busy(lp, s, cores, gpus);
		return;
	}
	*cores = q->cores - q->free_c;
	*gpus = q->gpus - q->free_g;
}

/* Jobs placed at a site that have not started. */
static int64_t site_queued(const lsite *ls)
{
	int64_t n = (int64_t)ls->nplanned + ls->nwait;
	return n + (ls->remote ? ls->sub_jobs : (int64_t)ls->q.nwait);
}

static int64_t site_running(const lsite *ls)
{
	return ls->remote ? ls->run_jobs : (int64_t)ls->q.nrun - ls->nwait;
}

static double site_it_w(const sl_loop *lp, int s)
{
	const sl_site *site = &lp->net->sites[s];
	int32_t bc, bg;
	site_busy(lp, s, &bc, &bg);
	return site->cores * site->core_idle_w + site->gpus * site->gpu_idle_w +
	       sl__job_power_w(lp->net, s, bc, bg);
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

/* A remote site's health and its cluster's capacity. */
static void remote_json(sl_loop *lp, int s, json_t *o)
{
	const lsite *ls = &lp->sites[s];
	const sl_exec_health *h = &ls->h;
	const char *fault, *reason = sl__site_down_reason(lp, s, &fault);
	json_object_set_new(o, "down_fault", lp->down[s] ? json_string(fault) : json_null());
	json_object_set_new(o, "down_reason", lp->down[s] ? json_string(reason) : json_null());
	json_object_set_new(o, "down_since", lp->down[s] ? json_integer(ls->down_since) : json_null());
	json_object_set_new(o, "held_jobs", json_integer((json_int_t)h->held));
	json_object_set_new(o, "submitted_jobs", json_integer(ls->sub_jobs));
	json_object_set_new(o, "cluster", json_pack("{s:o,s:o,s:i,s:i,s:i,s:i,s:i,s:i,s:o}",
	        "checked", h->checked ? json_integer(h->checked) : json_null(),
	        "known", json_boolean(h->up >= 0), "nodes", h->nodes, "nodes_usable",
	        h->nodes_usable, "cpus", h->cpus, "cpus_alloc", h->cpus_alloc, "gpus", h->gpus,
	        "gpus_alloc", h->gpus_alloc,
	        "capacity_at", h->capacity_at ? json_integer(h->capacity_at) : json_null()));
}

static json_t *site_json(sl_loop *lp, int s, int64_t now)
{
	const sl_site *site = &lp->net->sites[s];
	const lsite *ls = &lp->sites[s];
	int32_t bc, bg;
	int ov_c, ov_p;
	double pue = sl_signal_at(&site->pue, now), it = site_it_w(lp, s);
	double ci = sl__zone_carbon(lp, site->zone, now, &ov_c);
	double price = sl__zone_price(lp, site->zone, now, &ov_p);
	json_t *o = json_object();
	json_object_set_new(o, "id", json_string(site->id));
	json_object_set_new(o, "name", json_string(site->name ? site->name : site->id));
	json_object_set_new(o, "zone", json_string(lp->net->zones[site->zone].id));
	json_object_set_new(o, "executor", json_string(lp->exs[ls->ex].ops ?
	                                               lp->exs[ls->ex].ops->name : "?"));
	json_object_set_new(o, "up", json_boolean(!lp->down[s]));
	json_object_set_new(o, "cores", json_integer(site->cores));
	json_object_set_new(o, "gpus", json_integer(site->gpus));
	site_busy(lp, s, &bc, &bg);
	json_object_set_new(o, "busy_cores", json_integer(bc));
	json_object_set_new(o, "busy_gpus", json_integer(bg));
	json_object_set_new(o, "running_jobs", json_integer(site_running(ls)));
	json_object_set_new(o, "queued_jobs", json_integer(site_queued(ls)));
	if (ls->remote)
		remote_json(lp, s, o);
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

/* Health of every site, and the remote ones' cluster figures. */
static void health_metrics(sbuf *b, sl_loop *lp)
{
	int nremote = 0, ndown = 0;
	head(b, "suanli_site_up", "gauge", "1 when the site takes work; 0 when its cluster is down.");
	for (int s = 0; s < lp->net->nsites; s++) {
		sb_printf(b, "suanli_site_up{site=\"%s\"} %d\n", lp->net->sites[s].id, !lp->down[s]);
		nremote += lp->sites[s].remote;
		ndown += lp->down[s];
	}
	if (ndown) {
		head(b, "suanli_site_down_info", "gauge", "A down site and why (fault), value 1.");
		for (int s = 0; s < lp->net->nsites; s++) {
			const char *fault;
			if (!lp->down[s])
				continue;
			sl__site_down_reason(lp, s, &fault);
			sb_printf(b, "suanli_site_down_info{site=\"%s\",fault=\"%s\"} 1\n",
			          lp->net->sites[s].id, fault);
		}
	}
	if (!nremote)
		return;
	static const char *const names[][2] = {
		{"suanli_site_cluster_cpus", "Usable CPUs its cluster reported (remote sites)."},
		{"suanli_site_cluster_cpus_allocated", "CPUs allocated on its cluster, to any job."},
		{"suanli_site_held_jobs", "Jobs its executor holds unsent while the cluster is down."},
		{"suanli_site_submitted_jobs", "Jobs handed to its cluster that have not started."},
	};
	for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
		head(b, names[k][0], "gauge", names[k][1]);
		for (int s = 0; s < lp->net->nsites; s++) {
			const lsite *ls = &lp->sites[s];
			long long v = k == 0 ? ls->h.cpus : k == 1 ? ls->h.cpus_alloc :
			              k == 2 ? (long long)ls->h.held : ls->sub_jobs;
			if (ls->remote)
				sb_printf(b, "%s{site=\"%s\"} %lld\n", names[k][0], lp->net->sites[s].id, v);
		}
	}
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
			int32_t bc, bg;
			site_busy(lp, s, &bc, &bg);
			switch (k) {
			case 0: v = bc; break;
			case 1: v = bg; break;
			case 2: v = (double)site_queued(ls); break;
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
		queued += site_queued(&lp->sites[s]);
	head(&b, "suanli_queue_length", "gauge", "Active jobs that have not started yet.");
	sb_printf(&b, "suanli_queue_length %lld\n",
	          (long long)(queued + lp->counts[SL_JOB_QUEUED]));
	head(&b, "suanli_jobs_placed_total", "counter", "Placement decisions made since start.");
	sb_printf(&b, "suanli_jobs_placed_total %llu\n", (unsigned long long)lp->placed);
	head(&b, "suanli_jobs_launched_total", "counter", "Jobs handed to an executor since start.");
	sb_printf(&b, "suanli_jobs_launched_total %llu\n", (unsigned long long)lp->launched);
	head(&b, "suanli_jobs_failover_total", "counter",
	     "Jobs taken back from a failed or refusing site to be placed again.");
	sb_printf(&b, "suanli_jobs_failover_total %llu\n", (unsigned long long)lp->failovers);
	site_metrics(&b, lp, now);
	health_metrics(&b, lp);
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
