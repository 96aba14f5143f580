/*
 * sim_metrics.c — the run's summary: job outcomes, waits, slowdown, SLA
 * and residency checks (after the run), and site energy, carbon, cost,
 * utilisation and green share over the accounting window (at close).
 *
 * Percentiles are nearest-rank: the p-th percentile of n values is the
 * ceil(p/100 * n)-th smallest, found by selection in O(n).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/mem.h"
#include "sched/transfer.h"
#include "sim/sim_int.h"

static void swap64(int64_t *a, int64_t *b)
{
	int64_t t = *a;
	*a = *b;
	*b = t;
}

/* Reorder a[0..n) so a[k] is the k-th smallest (0-based); O(n) expected.
 * Deterministic: median-of-three pivots, no randomness. */
static int64_t select_kth(int64_t *a, size_t n, size_t k)
{
	size_t lo = 0, hi = n - 1;
	while (hi > lo) {
		size_t mid = lo + (hi - lo) / 2;
		if (a[mid] < a[lo]) swap64(&a[mid], &a[lo]);
		if (a[hi] < a[lo]) swap64(&a[hi], &a[lo]);
		if (a[hi] < a[mid]) swap64(&a[hi], &a[mid]);
		int64_t pivot = a[mid];
		size_t i = lo, j = hi;
		while (i <= j) {
			while (a[i] < pivot) i++;
			while (a[j] > pivot) j--;
			if (i <= j) {
				swap64(&a[i], &a[j]);
				i++;
				if (j == 0)
					break;
				j--;
			}
		}
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			return a[k];
	}
	return a[k];
}

/* Index of the nearest-rank p-th percentile of n values. */
static size_t rank_index(size_t n, double p)
{
	size_t rank = (size_t)ceil(p / 100.0 * (double)n);
	return rank < 1 ? 0 : rank - 1;
}

#define SMALL_WAIT 65536 /* waits below this many seconds are counted by value */

/* The k[r]-th smallest (0-based, k ascending) of a[0..n) into out[r].
 * Most waits are short: values in [0, SMALL_WAIT) are counted by value in
 * one pass, which answers every rank that falls among them; the others
 * (longer, or negative, which a wait never is) are moved to the front of a
 * and selected there, each higher rank in the tail the previous selection
 * left (everything from it on is >= it). */
static void select3(int64_t *a, size_t n, const size_t k[3], double out[3])
{
	uint32_t *count = sl_calloc(SMALL_WAIT, sizeof *count);
	size_t m = 0, neg = 0;
	for (size_t i = 0; i < n; i++) {
		if (a[i] >= 0 && a[i] < SMALL_WAIT) {
			count[a[i]]++;
		} else {
			neg += a[i] < 0;
			a[m++] = a[i];
		}
	}
	size_t small = n - m, seen = 0, lo = 0;
	int64_t v = 0;
	for (int r = 0; r < 3; r++) {
		if (k[r] >= neg && k[r] - neg < small) { /* counted: walk the counts on */
			while (seen + count[v] <= k[r] - neg)
				seen += count[v++];
			out[r] = (double)v;
		} else { /* rank among the front: negatives first, then the long ones */
			size_t kf = k[r] < neg ? k[r] : k[r] - small;
			out[r] = (double)select_kth(a + lo, m - lo, kf - lo);
			lo = kf;
		}
	}
	sl_free(count);
}

/* p50, p95, p99 of a[0..n) (nearest rank). */
static void percentiles(int64_t *a, size_t n, double *p50, double *p95, double *p99)
{
	if (n == 0)
		return;
	size_t k[3] = {rank_index(n, 50), rank_index(n, 95), rank_index(n, 99)};
	double out[3];
	select3(a, n, k, out);
	*p50 = out[0];
	*p95 = out[1];
	*p99 = out[2];
}

/* Per-job checks and sums, at the job's end (its data is in cache). */
void sim__job_ended(sl_sim *sim, const sl_job *job, const sl_sim_job *r)
{
	sl_sim_summary *sum = &sim->sum;
	sl_sim_site_sum *ss = &sum->sites[r->site];
	const sl_route *route = sl_network_route(sim->net, job->origin, r->site);
	sum->started++;
	if (r->status == SL_JOB_DONE)
		sum->completed++;
	else
		sum->killed++;
	ss->jobs++;
	ss->job_kwh += r->energy_kwh;
	ss->job_carbon_g += r->carbon_g;
	ss->job_cost_cny += r->cost_cny;
	int64_t wait = r->start - job->submit, run = r->end - r->start;
	double den = run > SL_SIM_BSLD_TAU_S ? (double)run : SL_SIM_BSLD_TAU_S;
	double b = (double)(wait + run) / den;
	sim->bsld_sum += b > 1 ? b : 1;
	sim->wait_sum += (double)wait;
	if (!sim->waits) {
		sim->waits = sl_malloc((sim->trace->n ? sim->trace->n : 1) * sizeof *sim->waits);
		sl_mem_prefault(sim->waits, (sim->trace->n - sum->rejected) * sizeof *sim->waits);
	}
	sim->waits[sim->nwaits++] = wait;
	sum->data_bytes += (double)job->input_bytes + (double)job->output_bytes;
	if (route)
		sum->transfer_cny += sl_transfer_job_cny(route, job);
	sum->transfer_cny += r->resent_cny;
	if (job->latency_budget_ms > 0) {
		sum->latency_jobs++;
		if (!route || route->rtt_ms > job->latency_budget_ms)
			sum->latency_violations++;
	}
	if (job->deadline_s > 0) {
		sum->deadline_jobs++;
		if (r->end > job->submit + job->deadline_s)
			sum->deadline_violations++;
	}
	if (!route || !sl_network_tag_allows(sim->net, job->tag, r->site))
		sum->residency_breaches++;
}

void sim__job_rejected(sl_sim *sim, const sl_sim_job *r)
{
	sim->sum.rejected++;
	sim->sum.rejected_by[r->reason]++;
}

int sim__job_metrics(sl_sim *sim, sl_err *err)
{
	sl_sim_summary *sum = &sim->sum;
	size_t nw = sim->nwaits;
	sum->jobs = (int64_t)sim->trace->n;
	if (sum->started + sum->rejected != sum->jobs)
		return sl_err_set(err, SL_EINTERNAL, NULL, "%lld of %lld jobs never finished",
		                  (long long)(sum->jobs - sum->started - sum->rejected),
		                  (long long)sum->jobs);
	for (int s = 0; s < sim->nsites; s++) {
		sum->job_kwh += sum->sites[s].job_kwh;
		sum->job_carbon_g += sum->sites[s].job_carbon_g;
		sum->job_cost_cny += sum->sites[s].job_cost_cny;
	}
	if (nw) {
		sum->wait_mean_s = sim->wait_sum / (double)nw;
		sum->bsld_mean = sim->bsld_sum / (double)nw;
		percentiles(sim->waits, nw, &sum->wait_p50_s, &sum->wait_p95_s, &sum->wait_p99_s);
	}
	sl_free(sim->waits);
	sim->waits = NULL;
	return 0;
}

static void site_totals(sl_sim *sim, int s, double window_s)
{
	sl_sim_site_sum *o = &sim->sum.sites[s];
	const sim_site *ss = &sim->site[s];
	const sim_tot *t = &ss->tot;
	const sl_site *st = &sim->net->sites[s];
	o->busy_core_s = t->busy_core_s;
	o->busy_gpu_s = t->busy_gpu_s;
	o->carbon_g = t->carbon_g;
	o->cost_cny = t->cost_cny;
	o->it_kwh = t->it_j / SIM_J_PER_KWH;
	o->facility_kwh = t->facility_j / SIM_J_PER_KWH;
	o->green_kwh = t->green_j / SIM_J_PER_KWH;
	o->grid_kwh = t->grid_j / SIM_J_PER_KWH;
	o->idle_kwh = ss->idle_w * ss->E / SIM_J_PER_KWH;
	o->idle_carbon_g = ss->idle_w * ss->C / SIM_J_PER_KWH;
	o->idle_cost_cny = ss->idle_w * ss->M / SIM_J_PER_KWH;
	o->util_cores = st->cores > 0 && window_s > 0 ? t->busy_core_s / (st->cores * window_s) : 0;
	o->util_gpus = st->gpus > 0 && window_s > 0 ? t->busy_gpu_s / (st->gpus * window_s) : 0;
	o->green_share = t->facility_j > 0 ? t->green_j / t->facility_j : 0;
}

/* Relative difference, safe near zero. */
static double rel_diff(double a, double b)
{
	double m = fabs(a) > fabs(b) ? fabs(a) : fabs(b);
	return m > 1e-9 ? fabs(a - b) / m : fabs(a - b);
}

/* job + idle = site, for energy, carbon and cost (check mode). */
static int check_site(const sl_sim *sim, int s, sl_err *err)
{
	const sl_sim_site_sum *o = &sim->sum.sites[s];
	const char *what = NULL;
	double a = 0, b = 0;
	if (rel_diff(o->job_kwh + o->idle_kwh, o->facility_kwh) > 1e-9)
		what = "energy (kWh)", a = o->job_kwh + o->idle_kwh, b = o->facility_kwh;
	else if (rel_diff(o->job_carbon_g + o->idle_carbon_g, o->carbon_g) > 1e-9)
		what = "carbon (g)", a = o->job_carbon_g + o->idle_carbon_g, b = o->carbon_g;
	else if (rel_diff(o->job_cost_cny + o->idle_cost_cny, o->cost_cny) > 1e-9)
		what = "cost (CNY)", a = o->job_cost_cny + o->idle_cost_cny, b = o->cost_cny;
	if (!what)
		return 0;
	return sl_err_set(err, SL_EINTERNAL, sim->net->sites[s].id,
	                  "jobs + idle %s = %.12g, but the site's total is %.12g", what, a, b);
}

int sim__site_metrics(sl_sim *sim, sl_err *err)
{
	sl_sim_summary *sum = &sim->sum;
	double window_s = (double)(sum->t_end - sum->t_begin);
	for (int s = 0; s < sim->nsites; s++) {
		site_totals(sim, s, window_s);
		const sl_sim_site_sum *o = &sum->sites[s];
		sum->it_kwh += o->it_kwh;
		sum->facility_kwh += o->facility_kwh;
		sum->green_kwh += o->green_kwh;
		sum->grid_kwh += o->grid_kwh;
		sum->carbon_g += o->carbon_g;
		sum->cost_cny += o->cost_cny;
		sum->idle_kwh += o->idle_kwh;
		sum->idle_carbon_g += o->idle_carbon_g;
		sum->idle_cost_cny += o->idle_cost_cny;
		int rc = sim->opts.check ? check_site(sim, s, err) : 0;
		if (rc)
			return rc;
	}
	return 0;
}
