/*
 * energy_account.c — the simulator's energy-supply accounting beyond the
 * per-site integration in sim_energy.c (docs/energy.md):
 *
 *   - the supply series a run draws its steps from (energy/supply.h);
 *   - network energy: every placed job's input (at its submission) and
 *     output (at its end), kWh/GB of its route, charged at the origin's
 *     grid intensity under both carbon modes (the series per origin, site
 *     and mode looked up once, at setup);
 *   - the other carbon mode's job shares, supply used by source, and the
 *     site totals under all four accounting views (from the per-step rows,
 *     exact because every value is constant within a step);
 *   - move bits or move watts: for jobs at sites in the sending zone of the
 *     first interconnect with sites at both ends, what running them at the
 *     receiving zone's first site on the line's power would have taken.
 *     Integrals of that site's PUE, price and the line's intensity are
 *     prefix sums (energy/supply.h sl_cum) on one grid, so each job costs
 *     O(1) and one index computation (sl_cum_span).
 */
#include <string.h>

#include "core/mem.h"
#include "core/time.h"
#include "sched/transfer.h"
#include "sim/sim_int.h"

enum { CUM_PUE = 0, CUM_PRICE, CUM_CI_AVG, CUM_CI_MARG, CUM_FLOW, CUM_COUNT };

struct sim_enx {
	double net_kwh_per_gb;       /* the default in force */
	int view[2];                 /* SL_CI_* of each carbon mode in the run's basis */
	uint8_t *bits_site;          /* [nsites]: in the line's sending zone */
	double inc_core_w, inc_gpu_w; /* busy increments at the watts site */
	double loss_frac;
	sl_cum cum[CUM_COUNT];       /* watts site: PUE, PUE x price, PUE x line ci, PUE x flowing */
	double flow_kwh;             /* watts energy in hours the line flows */
	/* [norigins][nsites][2]: the grid intensity series (sup.n steps) an
	 * origin's network energy is charged at, per site and carbon mode
	 * (sl_supply_origin_ci, looked up once); own[origin] holds an
	 * origin's own series on the step grid when it has one */
	const double **oci;
	double **own;
	int32_t ks, ke;              /* step indices of the ending job's submission and end */
	int64_t end_lo, end_hi;      /* the step holding the last end (ends come in time order) */
	int32_t end_k;
};

void sim__energy_supply(sl_sim *sim) { sl_supply_init(&sim->sup, sim->net); }

/* The first interconnect with sites in both zones, or -1; *watts gets the
 * receiving zone's first site. */
static int find_line(const sl_network *net, int *watts)
{
	for (int l = 0; l < net->ninterconnects; l++) {
		int from = -1, to = -1;
		for (int s = net->nsites - 1; s >= 0; s--) {
			if (net->sites[s].zone == net->interconnects[l].from_zone)
				from = s;
			if (net->sites[s].zone == net->interconnects[l].to_zone)
				to = s;
		}
		if (from >= 0 && to >= 0) {
			*watts = to;
			return l;
		}
	}
	return -1;
}

/* Prefix sums over the watts site's steps. */
static void bw_setup(sl_sim *sim, struct sim_enx *x, int line, int w)
{
	const sl_network *net = sim->net;
	int32_t n = sim->sup.n;
	const sim_step *row = &sim->steps[(size_t)w * (size_t)n];
	const double *ci_avg = sl_supply_line(&sim->sup, line, SL_LS_CI_DELIVERED);
	const double *ci_marg = sl_supply_line(&sim->sup, line, SL_LS_CI_MARGINAL);
	const double *sent = sl_supply_line(&sim->sup, line, SL_LS_SENT_MW);
	double *v = sl_malloc((size_t)n * sizeof *v);
	for (int c = 0; c < CUM_COUNT; c++) {
		for (int32_t k = 0; k < n; k++) {
			double f = c == CUM_PRICE ? row[k].price
			         : c == CUM_CI_AVG ? ci_avg[k]
			         : c == CUM_CI_MARG ? ci_marg[k]
			         : c == CUM_FLOW ? (sent[k] > 0) : 1.0;
			v[k] = row[k].pue * f;
		}
		sl_cum_init(&x->cum[c], v, n, net->step_s, net->t0);
	}
	sl_free(v);
	x->bits_site = sl_calloc((size_t)net->nsites + 1, 1);
	for (int s = 0; s < net->nsites; s++)
		x->bits_site[s] = net->sites[s].zone == net->interconnects[line].from_zone;
	x->inc_core_w = net->sites[w].core_busy_w - net->sites[w].core_idle_w;
	x->inc_gpu_w = net->sites[w].gpu_busy_w - net->sites[w].gpu_idle_w;
	x->loss_frac = net->interconnects[line].loss_frac;
}

/* The origin intensity table (struct sim_enx, oci). */
static void oci_setup(const sl_sim *sim, struct sim_enx *x)
{
	const sl_network *net = sim->net;
	const sl_supply *sup = &sim->sup;
	x->own = sl_calloc((size_t)net->norigins + 1, sizeof *x->own);
	x->oci = sl_calloc((size_t)net->norigins * (size_t)net->nsites * 2 + 1, sizeof *x->oci);
	for (int o = 0; o < net->norigins; o++) {
		if (net->origins[o].has_carbon) {
			x->own[o] = sl_malloc((size_t)sup->n * sizeof **x->own);
			for (int32_t k = 0; k < sup->n; k++) /* the same values, on the grid */
				x->own[o][k] = sl_supply_origin_ci(sup, o, 0, 0, k);
		}
		for (int s = 0; s < net->nsites; s++) {
			int z = net->origins[o].has_zone ? net->origins[o].zone : net->sites[s].zone;
			for (int m = 0; m < 2; m++)
				x->oci[((size_t)o * (size_t)net->nsites + (size_t)s) * 2 + (size_t)m] =
					x->own[o] ? x->own[o] : sl_supply_zone(sup, z, SL_ZS_CI + x->view[m]);
		}
	}
}

void sim__energy_setup(sl_sim *sim)
{
	struct sim_enx *x = sl_calloc(1, sizeof *x);
	sim->enx = x;
	x->net_kwh_per_gb =
		sl_supply_net_default(sim->net, sim->opts.has_net_kwh_per_gb, sim->opts.net_kwh_per_gb);
	x->end_lo = x->end_hi = INT64_MIN;
	for (int m = 0; m < 2; m++)
		x->view[m] = sl_supply_ci_view(m, sim->opts.green);
	sim->sum.net_kwh_per_gb = x->net_kwh_per_gb;
	oci_setup(sim, x);
	int w = -1, line = find_line(sim->net, &w);
	sim->sum.bw.line = line;
	sim->sum.bw.watts_site = line >= 0 ? w : -1;
	if (line >= 0)
		bw_setup(sim, x, line, w);
}

void sim__energy_free(sl_sim *sim)
{
	struct sim_enx *x = sim->enx;
	if (x) {
		for (int c = 0; c < CUM_COUNT; c++)
			sl_cum_release(&x->cum[c]);
		for (int o = 0; x->own && o < sim->net->norigins; o++)
			sl_free(x->own[o]);
		sl_free(x->own);
		sl_free(x->oci);
		sl_free(x->bits_site);
		sl_free(x);
		sim->enx = NULL;
	}
	sl_supply_release(&sim->sup);
}

/* Network energy (kWh) of a job's data over route r, and its carbon per
 * carbon mode at the origin's grid (input at submission, output at end). */
static double net_energy(const sl_sim *sim, const sl_job *job, int site, const sl_route *r,
                         double carbon_g[2])
{
	const struct sim_enx *x = sim->enx;
	double per_gb = sl_supply_route_kwh_per_gb(r, x->net_kwh_per_gb);
	double in = (double)job->input_bytes / 1e9 * per_gb;
	double out = (double)job->output_bytes / 1e9 * per_gb;
	const double *const *ci = &x->oci[((size_t)job->origin * (size_t)sim->nsites + (size_t)site) * 2];
	for (int m = 0; m < 2; m++)
		carbon_g[m] = in * ci[m][x->ks] + out * ci[m][x->ke];
	return in + out;
}

/* The step indices net_energy charges a job at: its submission's and its
 * end's (the end's from a one-step cache). */
static void job_steps(sl_sim *sim, const sl_job *job, int64_t end)
{
	struct sim_enx *x = sim->enx;
	if (end < x->end_lo || end >= x->end_hi) {
		x->end_k = sl_supply_index(&sim->sup, end);
		x->end_lo = end - sl_floor_mod(end - sim->net->t0, sim->step_s);
		x->end_hi = x->end_lo + sim->step_s;
	}
	x->ke = x->end_k;
	x->ks = sl_supply_index(&sim->sup, job->submit);
}

/* The job run at the watts site instead, on the line's power. */
static void bw_job(sl_sim *sim, const sl_job *job, const sl_sim_job *r, const double here_net[2],
                   double here_kwh)
{
	const sl_network *net = sim->net;
	struct sim_enx *x = sim->enx;
	sl_sim_bw *bw = &sim->sum.bw;
	const sl_route *rw = sl_network_route(net, job->origin, bw->watts_site);
	const sl_route *rh = sl_network_route(net, job->origin, r->site);
	const sl_site *st = &net->sites[r->site];
	double c[2];
	bw->jobs++;
	if (!rw) {
		bw->jobs_no_route++;
		return;
	}
	int lead = sim->opts.carbon;
	double it_w = job->cores * (st->core_busy_w - st->core_idle_w) +
	              job->gpus * (st->gpu_busy_w - st->gpu_idle_w);
	double w_w = job->cores * x->inc_core_w + job->gpus * x->inc_gpu_w;
	bw->it_kwh += it_w * (double)(r->end - r->start) / SIM_J_PER_KWH;
	bw->bits_kwh += r->energy_kwh;
	bw->bits_cost_cny += r->cost_cny;
	bw->bits_carbon_g[lead] += r->carbon_g;
	bw->bits_carbon_g[!lead] += r->carbon_alt_g;
	bw->bits_net_kwh += here_kwh;
	bw->bits_transfer_cny += sl_transfer_job_cny(rh, job);
	sl_cum_span sp; /* every cum shares the grid: one index computation */
	sl_cum_span_of(&x->cum[CUM_PUE], r->start, r->end, &sp);
	double fac = w_w * sl_cum_span_between(&x->cum[CUM_PUE], &sp) / SIM_J_PER_KWH;
	bw->watts_kwh += fac;
	bw->watts_sent_kwh += fac / (1.0 - x->loss_frac);
	bw->watts_cost_cny += w_w * sl_cum_span_between(&x->cum[CUM_PRICE], &sp) / SIM_J_PER_KWH;
	bw->watts_carbon_g[SL_CARBON_AVERAGE] +=
		w_w * sl_cum_span_between(&x->cum[CUM_CI_AVG], &sp) / SIM_J_PER_KWH;
	bw->watts_carbon_g[SL_CARBON_MARGINAL] +=
		w_w * sl_cum_span_between(&x->cum[CUM_CI_MARG], &sp) / SIM_J_PER_KWH;
	x->flow_kwh += w_w * sl_cum_span_between(&x->cum[CUM_FLOW], &sp) / SIM_J_PER_KWH;
	bw->watts_net_kwh += net_energy(sim, job, bw->watts_site, rw, c);
	bw->watts_transfer_cny += sl_transfer_job_cny(rw, job);
	for (int m = 0; m < 2; m++) {
		bw->bits_net_carbon_g[m] += here_net[m];
		bw->watts_net_carbon_g[m] += c[m];
	}
}

void sim__energy_resent(sl_sim *sim, const sl_job *job, int site, double frac)
{
	const sl_route *route = sl_network_route(sim->net, job->origin, site);
	struct sim_enx *x = sim->enx;
	if (!route || frac <= 0)
		return;
	double kwh = frac * (double)job->input_bytes / 1e9 *
	             sl_supply_route_kwh_per_gb(route, x->net_kwh_per_gb);
	int32_t k = sl_supply_index(&sim->sup, sim->now);
	const double *const *ci = &x->oci[((size_t)job->origin * (size_t)sim->nsites + (size_t)site) * 2];
	sim->sum.net_kwh += kwh;
	for (int m = 0; m < 2; m++)
		sim->sum.net_carbon_g[m] += kwh * ci[m][k];
	sim->sum.data_bytes += frac * (double)job->input_bytes;
}

void sim__energy_job_end(sl_sim *sim, const sl_job *job, const sl_sim_job *r)
{
	sl_sim_summary *sum = &sim->sum;
	const sl_route *route = sl_network_route(sim->net, job->origin, r->site);
	double c[2] = {0, 0}, kwh = 0;
	sum->sites[r->site].job_carbon_alt_g += r->carbon_alt_g;
	job_steps(sim, job, r->end);
	if (route)
		kwh = net_energy(sim, job, r->site, route, c);
	sum->net_kwh += kwh;
	for (int m = 0; m < 2; m++)
		sum->net_carbon_g[m] += c[m];
	if (sum->bw.line >= 0 && sim->enx->bits_site[r->site] && route)
		bw_job(sim, job, r, c, kwh);
}

/* Site totals under every view, from the per-step rows (the part of
 * sl_sim_bucket_at they need, by the same expressions). */
static void views(sl_sim *sim)
{
	int32_t n = sim->sup.n;
	double cv[2][2] = {{0, 0}, {0, 0}}; /* [basis][mode], as sum->carbon_view_g */
	int32_t k = sl_supply_index(&sim->sup, sim->t_begin);
	for (size_t b = 0; b < sim->nbk; b++, k = k + 1 == n ? 0 : k + 1) {
		const sim_acc *row = &sim->bk[b * (size_t)sim->nsites];
		for (int s = 0; s < sim->nsites; s++) {
			const sim_step *v = &sim->steps[(size_t)s * (size_t)n + (size_t)k];
			const sim_acc *a = &row[s];
			double facility_j = sim__bucket_it_j(sim, &sim->site[s], a) * v->pue;
			double loc = facility_j - a->onsite_j - a->surplus_j, mkt = loc - a->contract_j;
			double sur = a->surplus_j * v->ci_sur;
			cv[SL_GREEN_LOCATION][SL_CARBON_AVERAGE] += (loc * v->ci_view[SL_CI_LOCATION] + sur) / SIM_J_PER_KWH;
			cv[SL_GREEN_LOCATION][SL_CARBON_MARGINAL] += (loc * v->ci_view[SL_CI_MARGINAL] + sur) / SIM_J_PER_KWH;
			cv[SL_GREEN_MARKET][SL_CARBON_AVERAGE] += (mkt * v->ci_view[SL_CI_RESIDUAL] + sur) / SIM_J_PER_KWH;
			cv[SL_GREEN_MARKET][SL_CARBON_MARGINAL] += (mkt * v->ci_view[SL_CI_MARGINAL] + sur) / SIM_J_PER_KWH;
		}
	}
	memcpy(sim->sum.carbon_view_g, cv, sizeof cv);
}

static double rel_diff(double a, double b)
{
	double m = a > b ? a : b;
	double d = a > b ? a - b : b - a;
	return m > 1e-9 ? d / m : d;
}

/* Check mode: the views and the other mode agree with the run's totals. */
static int check(const sl_sim *sim, sl_err *err)
{
	const sl_sim_summary *sum = &sim->sum;
	double lead = sum->carbon_view_g[sim->opts.green][sim->opts.carbon];
	double alt = sum->carbon_view_g[sim->opts.green][!sim->opts.carbon];
	double alt_tot = 0;
	for (int s = 0; s < sim->nsites; s++) {
		const sl_sim_site_sum *o = &sum->sites[s];
		alt_tot += o->carbon_alt_g;
		if (rel_diff(o->job_carbon_alt_g + o->idle_carbon_alt_g, o->carbon_alt_g) > 1e-9)
			return sl_err_set(err, SL_EINTERNAL, sim->net->sites[s].id,
			                  "jobs + idle carbon under the other mode = %.12g, site total %.12g",
			                  o->job_carbon_alt_g + o->idle_carbon_alt_g, o->carbon_alt_g);
	}
	if (rel_diff(lead, sum->carbon_g) > 1e-9 || rel_diff(alt, alt_tot) > 1e-9)
		return sl_err_set(err, SL_EINTERNAL, NULL,
		                  "carbon views (%.12g, %.12g) differ from the run's totals (%.12g, %.12g)",
		                  lead, alt, sum->carbon_g, alt_tot);
	return 0;
}

int sim__energy_close(sl_sim *sim, sl_err *err)
{
	sl_sim_summary *sum = &sim->sum;
	for (int s = 0; s < sim->nsites; s++) {
		const sim_site *ss = &sim->site[s];
		sl_sim_site_sum *o = &sum->sites[s];
		o->onsite_kwh = ss->tot.onsite_j / SIM_J_PER_KWH;
		o->surplus_kwh = ss->tot.surplus_j / SIM_J_PER_KWH;
		o->contract_kwh = ss->tot.contract_j / SIM_J_PER_KWH;
		o->carbon_alt_g = ss->tot.carbon_alt_g;
		o->idle_carbon_alt_g = ss->idle_w * ss->Calt / SIM_J_PER_KWH;
		sum->onsite_kwh += o->onsite_kwh;
		sum->surplus_kwh += o->surplus_kwh;
		sum->contract_kwh += o->contract_kwh;
		sum->job_carbon_alt_g += o->job_carbon_alt_g;
		sum->idle_carbon_alt_g += o->idle_carbon_alt_g;
	}
	views(sim);
	if (sum->bw.watts_kwh > 0)
		sum->bw.watts_flow_share = sim->enx->flow_kwh / sum->bw.watts_kwh;
	return sim->opts.check ? check(sim, err) : 0;
}
