/*
 * sim_summary.c — summary.json and the side-by-side policy table.
 *
 * Both read the same sl_sim_summary of each closed run; they never
 * recompute anything, so the table and the JSON always agree.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "core/time.h"
#include "report/sim_report.h"

const char *sl_report_sim_accounting(int carbon, char *buf, size_t n)
{
	snprintf(buf, n,
	         "energy, carbon and cost are site totals incl. idle power over the window "
	         "(facility = IT x PUE); on-site, curtailed-surplus and contracted supply are "
	         "used first, the rest is grid energy at the zone's hourly %s intensity (view "
	         "below); cost = facility energy x zone tariff; "
	         "per-job figures are the jobs' marginal (busy) share",
	         sl_carbon_mode_name(carbon));
	return buf;
}

const char *sl_report_sim_view(int carbon, int green, double net_kwh_per_gb, char *buf, size_t n)
{
	snprintf(buf, n,
	         "leads with %s intensity, %s basis (%s); absorbed curtailment at its zone's "
	         "surplus intensity; network energy %g kWh/GB at the origin's grid",
	         sl_carbon_mode_name(carbon), sl_green_basis_name(green),
	         green == SL_GREEN_MARKET ? "contracted green supply and line claims count as "
	                                    "zero-carbon, the rest at the residual mix"
	                                  : "everything drawn from the grid at the zone's blended "
	                                    "average, contracts or not",
	         net_kwh_per_gb);
	return buf;
}

/* ---------- JSON ---------- */

static void set_real(json_t *o, const char *k, double v) { json_object_set_new(o, k, json_real(v)); }
static void set_int(json_t *o, const char *k, int64_t v) { json_object_set_new(o, k, json_integer(v)); }

static json_t *jobs_json(const sl_sim_summary *s)
{
	json_t *o = json_object(), *why = json_object();
	set_int(o, "submitted", s->jobs);
	set_int(o, "completed", s->completed);
	set_int(o, "killed", s->killed);
	set_int(o, "rejected", s->rejected);
	for (int r = 1; r < SL_REJECT_COUNT; r++)
		set_int(why, sl_reject_name(r), s->rejected_by[r]);
	json_object_set_new(o, "rejected_by", why);
	return o;
}

static json_t *energy_json(const sl_sim_summary *s)
{
	json_t *e = json_object();
	set_real(e, "it_mwh", s->it_kwh / 1e3);
	set_real(e, "facility_mwh", s->facility_kwh / 1e3);
	set_real(e, "jobs_mwh", s->job_kwh / 1e3);
	set_real(e, "idle_mwh", s->idle_kwh / 1e3);
	set_real(e, "green_mwh", s->green_kwh / 1e3);
	set_real(e, "grid_mwh", s->grid_kwh / 1e3);
	return e;
}

static json_t *site_json(const sl_network *net, int i, const sl_sim_site_sum *ss)
{
	json_t *o = json_object();
	json_object_set_new(o, "site", json_string(net->sites[i].id));
	set_int(o, "jobs", ss->jobs);
	set_real(o, "util_cores", ss->util_cores);
	set_real(o, "util_gpus", ss->util_gpus);
	set_real(o, "green_share", ss->green_share);
	set_real(o, "it_mwh", ss->it_kwh / 1e3);
	set_real(o, "facility_mwh", ss->facility_kwh / 1e3);
	set_real(o, "carbon_t", ss->carbon_g / 1e6);
	set_real(o, "cost_cny", ss->cost_cny);
	return o;
}

/* Both carbon modes of a pair of values, {"average": t, "marginal": t}. */
static json_t *modes_json(const double g[2])
{
	json_t *o = json_object();
	set_real(o, "average", g[SL_CARBON_AVERAGE] / 1e6);
	set_real(o, "marginal", g[SL_CARBON_MARGINAL] / 1e6);
	return o;
}

static json_t *bw_path_json(double fac_kwh, double net_kwh, const double carbon[2],
                            const double net_carbon[2], double cost, double transfer)
{
	json_t *o = json_object();
	double c[2] = {carbon[0] + net_carbon[0], carbon[1] + net_carbon[1]};
	set_real(o, "facility_mwh", fac_kwh / 1e3);
	set_real(o, "network_mwh", net_kwh / 1e3);
	json_object_set_new(o, "carbon_t", modes_json(c));
	json_object_set_new(o, "network_carbon_t", modes_json(net_carbon));
	set_real(o, "electricity_cny", cost);
	set_real(o, "transfer_cny", transfer);
	set_real(o, "cost_cny", cost + transfer);
	return o;
}

static json_t *bw_json(const sl_network *net, const sl_sim_bw *b)
{
	if (b->line < 0)
		return json_null();
	const sl_interconnect *ic = &net->interconnects[b->line];
	json_t *o = json_object(), *bits, *watts;
	json_object_set_new(o, "interconnect", json_string(ic->id));
	json_object_set_new(o, "from_zone", json_string(net->zones[ic->from_zone].id));
	json_object_set_new(o, "watts_site", json_string(net->sites[b->watts_site].id));
	set_int(o, "jobs", b->jobs);
	set_int(o, "jobs_no_route", b->jobs_no_route);
	set_real(o, "it_mwh", b->it_kwh / 1e3);
	bits = bw_path_json(b->bits_kwh, b->bits_net_kwh, b->bits_carbon_g, b->bits_net_carbon_g,
	                    b->bits_cost_cny, b->bits_transfer_cny);
	set_real(bits, "energy_mwh", (b->bits_kwh + b->bits_net_kwh) / 1e3);
	watts = bw_path_json(b->watts_kwh, b->watts_net_kwh, b->watts_carbon_g,
	                     b->watts_net_carbon_g, b->watts_cost_cny, b->watts_transfer_cny);
	set_real(watts, "sent_mwh", b->watts_sent_kwh / 1e3);
	set_real(watts, "line_loss_mwh", (b->watts_sent_kwh - b->watts_kwh) / 1e3);
	set_real(watts, "energy_mwh", (b->watts_sent_kwh + b->watts_net_kwh) / 1e3);
	set_real(watts, "line_flowing_share", b->watts_flow_share);
	json_object_set_new(o, "move_bits", bits);
	json_object_set_new(o, "move_watts", watts);
	return o;
}

/* Supply by source, carbon under every view, network energy, bits or
 * watts (docs/energy.md). */
static void energy_views_json(const sl_network *net, json_t *p, const sl_sim_summary *s)
{
	json_t *o = json_object(), *v = json_object();
	set_real(o, "onsite_mwh", s->onsite_kwh / 1e3);
	set_real(o, "curtailed_absorbed_mwh", s->surplus_kwh / 1e3);
	set_real(o, "contract_mwh", s->contract_kwh / 1e3);
	set_real(o, "grid_mwh", s->grid_kwh / 1e3);
	json_object_set_new(p, "supply", o);
	for (int m = 0; m < 2; m++) {
		o = json_object();
		set_real(o, "location", s->carbon_view_g[SL_GREEN_LOCATION][m] / 1e6);
		set_real(o, "market", s->carbon_view_g[SL_GREEN_MARKET][m] / 1e6);
		json_object_set_new(v, sl_carbon_mode_name(m), o);
	}
	json_object_set_new(p, "carbon_views_t", v);
	o = json_object();
	json_object_set_new(o, "mode", json_string(sl_carbon_mode_name(!s->carbon)));
	set_real(o, "t", s->carbon_view_g[s->green][!s->carbon] / 1e6);
	set_real(o, "jobs_t", s->job_carbon_alt_g / 1e6);
	set_real(o, "idle_t", s->idle_carbon_alt_g / 1e6);
	json_object_set_new(p, "carbon_other_mode", o);
	o = json_object();
	set_real(o, "kwh_per_gb", s->net_kwh_per_gb);
	set_real(o, "mwh", s->net_kwh / 1e3);
	json_object_set_new(o, "carbon_t", modes_json(s->net_carbon_g));
	json_object_set_new(p, "network", o);
	json_object_set_new(p, "move_bits_or_watts", bw_json(net, &s->bw));
}

static json_t *policy_json(const sl_network *net, const sl_sim_summary *s)
{
	json_t *p = json_object(), *o;
	json_object_set_new(p, "policy", json_string(s->policy));
	if (s->params && *s->params)
		json_object_set_new(p, "params", json_string(s->params));
	json_object_set_new(p, "jobs", jobs_json(s));
	json_object_set_new(p, "energy", energy_json(s));
	o = json_object();
	set_real(o, "t", s->carbon_g / 1e6);
	set_real(o, "jobs_t", s->job_carbon_g / 1e6);
	set_real(o, "idle_t", s->idle_carbon_g / 1e6);
	json_object_set_new(p, "carbon", o);
	o = json_object();
	set_real(o, "electricity_cny", s->cost_cny);
	set_real(o, "jobs_electricity_cny", s->job_cost_cny);
	set_real(o, "transfer_cny", s->transfer_cny);
	json_object_set_new(p, "cost", o);
	set_real(p, "data_moved_tb", s->data_bytes / 1e12);
	o = json_object();
	set_real(o, "mean", s->wait_mean_s);
	set_real(o, "p50", s->wait_p50_s);
	set_real(o, "p95", s->wait_p95_s);
	set_real(o, "p99", s->wait_p99_s);
	json_object_set_new(p, "wait_s", o);
	o = json_object();
	set_real(o, "mean", s->bsld_mean);
	set_int(o, "tau_s", SL_SIM_BSLD_TAU_S);
	json_object_set_new(p, "bounded_slowdown", o);
	o = json_object();
	set_int(o, "latency_jobs", s->latency_jobs);
	set_int(o, "latency_violations", s->latency_violations);
	set_int(o, "deadline_jobs", s->deadline_jobs);
	set_int(o, "deadline_violations", s->deadline_violations);
	json_object_set_new(p, "sla", o);
	set_int(p, "residency_breaches", s->residency_breaches);
	energy_views_json(net, p, s);
	o = json_array();
	for (int i = 0; i < s->nsites; i++)
		json_array_append_new(o, site_json(net, i, &s->sites[i]));
	json_object_set_new(p, "sites", o);
	return p;
}

json_t *sl_report_sim_json(const sl_network *net, const char *trace, sl_sim *const *sims, int n)
{
	json_t *root = json_object(), *w = json_object(), *a = json_object(), *ps = json_array();
	char buf[512];
	json_object_set_new(root, "scenario", json_string(net->name ? net->name : ""));
	json_object_set_new(root, "trace", json_string(trace ? trace : ""));
	const sl_sim_summary *s0 = n > 0 ? sl_sim_get_summary(sims[0]) : NULL;
	set_int(root, "jobs", s0 ? s0->jobs : 0);
	set_int(w, "start", s0 ? s0->t_begin : 0);
	set_int(w, "end", s0 ? s0->t_end : 0);
	set_real(w, "hours", s0 ? (double)(s0->t_end - s0->t_begin) / 3600.0 : 0.0);
	json_object_set_new(root, "window", w);
	int carbon = s0 ? s0->carbon : SL_CARBON_AVERAGE;
	json_object_set_new(a, "carbon", json_string(sl_carbon_mode_name(carbon)));
	json_object_set_new(a, "totals", json_string("site totals incl. idle power"));
	json_object_set_new(a, "job_figures", json_string("marginal (busy) energy share"));
	json_object_set_new(a, "basis", json_string(sl_report_sim_accounting(carbon, buf, sizeof buf)));
	if (s0) {
		json_object_set_new(a, "green", json_string(sl_green_basis_name(s0->green)));
		set_real(a, "network_kwh_per_gb", s0->net_kwh_per_gb);
		json_object_set_new(a, "leads_with", json_string(sl_report_sim_view(
			s0->carbon, s0->green, s0->net_kwh_per_gb, buf, sizeof buf)));
	}
	json_object_set_new(root, "accounting", a);
	for (int i = 0; i < n; i++)
		json_array_append_new(ps, policy_json(net, sl_sim_get_summary(sims[i])));
	json_object_set_new(root, "policies", ps);
	return root;
}

/* ---------- table ---------- */

#define LABEL_W 34

typedef struct table {
	FILE *f;
	const sl_sim_summary *s[32];
	int n, w[32];
} table;

typedef void (*cell_fn)(const sl_sim_summary *s, const void *arg, char *buf, size_t n);

static void row(table *t, const char *label, cell_fn fn, const void *arg)
{
	fprintf(t->f, "%-*s", LABEL_W, label);
	for (int i = 0; i < t->n; i++) {
		char buf[64];
		fn(t->s[i], arg, buf, sizeof buf);
		fprintf(t->f, "%*s", t->w[i], buf);
	}
	fputc('\n', t->f);
}

/* Cells reading a field at a byte offset of the summary. */
static void cell_i64(const sl_sim_summary *s, const void *off, char *b, size_t n)
{
	snprintf(b, n, "%lld", (long long)*(const int64_t *)((const char *)s + *(const size_t *)off));
}

typedef struct scaled {
	size_t off;
	double scale;
	const char *fmt;
} scaled;

static void cell_real(const sl_sim_summary *s, const void *arg, char *b, size_t n)
{
	const scaled *k = arg;
	snprintf(b, n, k->fmt, *(const double *)((const char *)s + k->off) * k->scale);
}

static void cell_dur(const sl_sim_summary *s, const void *off, char *b, size_t n)
{
	double v = *(const double *)((const char *)s + *(const size_t *)off);
	if (s->started == 0)
		snprintf(b, n, "-");
	else if (v < 60)
		snprintf(b, n, "%.1fs", v);
	else
		sl_duration_format((int64_t)(v + 0.5), b, n);
}

static void cell_reject(const sl_sim_summary *s, const void *arg, char *b, size_t n)
{
	snprintf(b, n, "%lld", (long long)s->rejected_by[*(const int *)arg]);
}

static void cell_deadline(const sl_sim_summary *s, const void *arg, char *b, size_t n)
{
	snprintf(b, n, "%lld / %lld", (long long)s->deadline_violations, (long long)s->deadline_jobs);
}

static void cell_green(const sl_sim_summary *s, const void *arg, char *b, size_t n)
{
	snprintf(b, n, "%.1f%%", s->facility_kwh > 0 ? 100.0 * s->green_kwh / s->facility_kwh : 0.0);
}

static void cell_site_util(const sl_sim_summary *s, const void *arg, char *b, size_t n)
{
	const sl_sim_site_sum *ss = &s->sites[*(const int *)arg];
	snprintf(b, n, "%.1f%% / %.1f%%", 100 * ss->util_cores, 100 * ss->util_gpus);
}

static void cell_site_green(const sl_sim_summary *s, const void *arg, char *b, size_t n)
{
	snprintf(b, n, "%.1f%%", 100 * s->sites[*(const int *)arg].green_share);
}

#define OFF(f) (&(const size_t){offsetof(sl_sim_summary, f)})
#define REAL(label, f, scale, fmt)                                  \
	do {                                                        \
		scaled k_ = {offsetof(sl_sim_summary, f), scale, fmt}; \
		row(t, label, cell_real, &k_);                      \
	} while (0)

static void table_jobs(table *t)
{
	static const char *const why[SL_REJECT_COUNT] = {
		"", "  no route", "  data residency", "  latency budget", "  too big for any site",
		"  deadline impossible", "  declined by policy",
	};
	row(t, "jobs completed", cell_i64, OFF(completed));
	row(t, "jobs killed at estimate", cell_i64, OFF(killed));
	row(t, "jobs rejected", cell_i64, OFF(rejected));
	for (int r = 1; r < SL_REJECT_COUNT; r++) {
		int any = 0;
		for (int i = 0; i < t->n; i++)
			any |= t->s[i]->rejected_by[r] != 0;
		if (any)
			row(t, why[r], cell_reject, &r);
	}
}

/* Cells summing two doubles of the summary (b times sign). */
typedef struct pair_cell {
	size_t a, b;
	double sign, scale;
	const char *fmt;
} pair_cell;

static void cell_pair(const sl_sim_summary *s, const void *arg, char *b, size_t n)
{
	const pair_cell *k = arg;
	double va = *(const double *)((const char *)s + k->a);
	double vb = *(const double *)((const char *)s + k->b);
	snprintf(b, n, k->fmt, (va + k->sign * vb) * k->scale);
}

#define PAIR(label, fa, fb, sign, scale, fmt)                                             \
	do {                                                                              \
		pair_cell k_ = {offsetof(sl_sim_summary, fa), offsetof(sl_sim_summary, fb), \
		                sign, scale, fmt};                                        \
		row(t, label, cell_pair, &k_);                                            \
	} while (0)

static void cell_view(const sl_sim_summary *s, const void *arg, char *b, size_t n)
{
	const int *gm = arg;
	snprintf(b, n, "%.3f", s->carbon_view_g[gm[0]][gm[1]] / 1e6);
}

/* Carbon under all four views (the run's marked), the other carbon mode's
 * job share, and network energy (docs/energy.md). */
static void table_views(table *t)
{
	static const int order[4][2] = {{SL_GREEN_LOCATION, SL_CARBON_AVERAGE},
	                                {SL_GREEN_MARKET, SL_CARBON_AVERAGE},
	                                {SL_GREEN_LOCATION, SL_CARBON_MARGINAL},
	                                {SL_GREEN_MARKET, SL_CARBON_MARGINAL}};
	const sl_sim_summary *s0 = t->s[0];
	char label[64];
	fprintf(t->f, "carbon by accounting view (t CO2)\n");
	for (int i = 0; i < 4; i++) {
		int lead = order[i][0] == s0->green && order[i][1] == s0->carbon;
		snprintf(label, sizeof label, "  %s, %s%s", sl_carbon_mode_name(order[i][1]),
		         sl_green_basis_name(order[i][0]), lead ? " (leads)" : "");
		row(t, label, cell_view, order[i]);
	}
	snprintf(label, sizeof label, "  jobs' share, %s", sl_carbon_mode_name(!s0->carbon));
	REAL(label, job_carbon_alt_g, 1e-6, "%.3f");
	REAL("network energy (MWh)", net_kwh, 1e-3, "%.3f");
	REAL("  its carbon, average (t CO2)", net_carbon_g[SL_CARBON_AVERAGE], 1e-6, "%.3f");
	REAL("  its carbon, marginal (t CO2)", net_carbon_g[SL_CARBON_MARGINAL], 1e-6, "%.3f");
}

static void cell_flow(const sl_sim_summary *s, const void *arg, char *b, size_t n)
{
	snprintf(b, n, "%.0f%%", 100 * s->bw.watts_flow_share);
}

/* Move bits or move watts, for the work placed in the line's sending zone. */
static void table_bw(table *t, const sl_network *net)
{
	const sl_sim_bw *b = &t->s[0]->bw;
	if (b->line < 0)
		return;
	const sl_interconnect *ic = &net->interconnects[b->line];
	fprintf(t->f, "move bits: run in %s as placed, move the data there;\n"
	              "move watts: run at %s on %s power (loss %.1f%%), move the data there\n",
	        net->zones[ic->from_zone].id, net->sites[b->watts_site].id, ic->id,
	        100 * ic->loss_frac);
	row(t, "  jobs compared", cell_i64, OFF(bw.jobs));
	PAIR("  bits: energy (MWh)", bw.bits_kwh, bw.bits_net_kwh, 1, 1e-3, "%.3f");
	PAIR("    carbon, average (t CO2)", bw.bits_carbon_g[0], bw.bits_net_carbon_g[0], 1, 1e-6, "%.3f");
	PAIR("    carbon, marginal (t CO2)", bw.bits_carbon_g[1], bw.bits_net_carbon_g[1], 1, 1e-6, "%.3f");
	PAIR("    cost (CNY)", bw.bits_cost_cny, bw.bits_transfer_cny, 1, 1, "%.0f");
	PAIR("  watts: energy sent (MWh)", bw.watts_sent_kwh, bw.watts_net_kwh, 1, 1e-3, "%.3f");
	PAIR("    of which line losses (MWh)", bw.watts_sent_kwh, bw.watts_kwh, -1, 1e-3, "%.3f");
	PAIR("    carbon, average (t CO2)", bw.watts_carbon_g[0], bw.watts_net_carbon_g[0], 1, 1e-6, "%.3f");
	PAIR("    carbon, marginal (t CO2)", bw.watts_carbon_g[1], bw.watts_net_carbon_g[1], 1, 1e-6, "%.3f");
	PAIR("    cost (CNY)", bw.watts_cost_cny, bw.watts_transfer_cny, 1, 1, "%.0f");
	row(t, "    of it while the line flows", cell_flow, NULL);
}

static void table_energy(table *t)
{
	REAL("energy IT (MWh)", it_kwh, 1e-3, "%.3f");
	REAL("energy facility (MWh)", facility_kwh, 1e-3, "%.3f");
	REAL("  jobs, marginal (MWh)", job_kwh, 1e-3, "%.3f");
	REAL("  idle (MWh)", idle_kwh, 1e-3, "%.3f");
	row(t, "  green supply share", cell_green, NULL);
	REAL("  on-site generation (MWh)", onsite_kwh, 1e-3, "%.3f");
	REAL("  curtailed energy absorbed (MWh)", surplus_kwh, 1e-3, "%.3f");
	REAL("  contracted green (MWh)", contract_kwh, 1e-3, "%.3f");
	REAL("carbon (t CO2)", carbon_g, 1e-6, "%.3f");
	REAL("  jobs, marginal (t CO2)", job_carbon_g, 1e-6, "%.3f");
	table_views(t);
	REAL("electricity cost (CNY)", cost_cny, 1, "%.0f");
	REAL("data moved (TB)", data_bytes, 1e-12, "%.3f");
	REAL("data transfer cost (CNY)", transfer_cny, 1, "%.0f");
}

static void table_service(table *t)
{
	row(t, "wait mean", cell_dur, OFF(wait_mean_s));
	row(t, "wait p50", cell_dur, OFF(wait_p50_s));
	row(t, "wait p95", cell_dur, OFF(wait_p95_s));
	row(t, "wait p99", cell_dur, OFF(wait_p99_s));
	REAL("bounded slowdown (mean, tau 10 s)", bsld_mean, 1, "%.2f");
	row(t, "latency SLA violations", cell_i64, OFF(latency_violations));
	row(t, "deadline SLA violations / jobs", cell_deadline, NULL);
	row(t, "data-residency breaches", cell_i64, OFF(residency_breaches));
}

static void table_sites(table *t, const sl_network *net)
{
	char label[64];
	fprintf(t->f, "utilisation cores / GPUs\n");
	for (int s = 0; s < net->nsites; s++) {
		snprintf(label, sizeof label, "  %s", net->sites[s].id);
		row(t, label, cell_site_util, &s);
	}
	fprintf(t->f, "green share of facility energy\n");
	for (int s = 0; s < net->nsites; s++) {
		snprintf(label, sizeof label, "  %s", net->sites[s].id);
		row(t, label, cell_site_green, &s);
	}
}

static void table_head(table *t, const sl_network *net, const char *trace)
{
	const sl_sim_summary *s0 = t->s[0];
	char a[32], b[32], acc[512];
	sl_time_format_iso(s0->t_begin, net->utc_offset_s, 1, a, sizeof a);
	sl_time_format_iso(s0->t_end, net->utc_offset_s, 1, b, sizeof b);
	fprintf(t->f, "scenario %s, trace %s: %lld jobs\n", net->name ? net->name : "",
	        trace && *trace ? trace : "(in memory)", (long long)s0->jobs);
	fprintf(t->f, "window %s .. %s (%.0f h)\n", a, b, (double)(s0->t_end - s0->t_begin) / 3600);
	fprintf(t->f, "accounting: %s\n", sl_report_sim_accounting(s0->carbon, acc, sizeof acc));
	fprintf(t->f, "view: %s\n",
	        sl_report_sim_view(s0->carbon, s0->green, s0->net_kwh_per_gb, acc, sizeof acc));
	for (int i = 0; i < t->n; i++)
		if (t->s[i]->params && *t->s[i]->params)
			fprintf(t->f, "%s: %s\n", t->s[i]->policy, t->s[i]->params);
	fputc('\n', t->f);
	fprintf(t->f, "%-*s", LABEL_W, "");
	for (int i = 0; i < t->n; i++)
		fprintf(t->f, "%*s", t->w[i], t->s[i]->policy);
	fputc('\n', t->f);
}

void sl_report_sim_table(FILE *f, const sl_network *net, const char *trace, sl_sim *const *sims,
                         int n)
{
	table t = {f, {0}, 0, {0}};
	if (n <= 0)
		return;
	t.n = n > 32 ? 32 : n;
	for (int i = 0; i < t.n; i++) {
		t.s[i] = sl_sim_get_summary(sims[i]);
		int w = (int)strlen(t.s[i]->policy) + 2;
		t.w[i] = w > 16 ? w : 16;
	}
	table_head(&t, net, trace);
	table_jobs(&t);
	table_energy(&t);
	table_bw(&t, net);
	table_service(&t);
	table_sites(&t, net);
}
