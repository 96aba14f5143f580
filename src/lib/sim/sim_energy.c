/*
 * sim_energy.c — power, supply, carbon and money accounting per site, and
 * the simulator's implementation of the policy view.
 *
 * A site's power is constant between two of its events, and signals are
 * constant within a step, so integrating piece by piece (split at step
 * boundaries) is exact.  Each piece adds to the site's row for that step
 * and to its running integrals E, C, M (sim_int.h), from which jobs take
 * their share in O(1) at their end.
 *
 * Every step's supply and intensities come from the energy module
 * (energy/supply.h, via sim->sup) in one place (step_fill): the grid
 * intensity of the run's accounting view, the other carbon mode's, every
 * view for the summary, and the on-site, curtailed-surplus and contracted
 * supply caps.  piece() uses the supply in that order, then the grid
 * (docs/energy.md).
 */
#include <math.h>
#include <string.h>

#include "core/mem.h"
#include "core/time.h"
#include "sim/sim_int.h"

/* Site s's values in step k of the network grid. */
static void step_fill(const sl_sim *sim, int s, int32_t k, sim_step *v)
{
	const sl_network *net = sim->net;
	const sl_supply *sup = &sim->sup;
	const sl_site *st = &net->sites[s];
	int64_t t = net->t0 + (int64_t)k * net->step_s;
	v->pue = sl_signal_at(&st->pue, t);
	v->price = sl_signal_at(&net->zones[st->zone].price_cny_per_kwh, t);
	for (int i = 0; i < SL_CI_COUNT; i++)
		v->ci_view[i] = sl_supply_zone(sup, st->zone, SL_ZS_CI + i)[k];
	v->ci = v->ci_view[sl_supply_ci_view(sim->opts.carbon, sim->opts.green)];
	v->ci_alt = v->ci_view[sl_supply_ci_view(!sim->opts.carbon, sim->opts.green)];
	v->onsite_w = sl_supply_site(sup, s, SL_SS_ONSITE_MW)[k] * 1e6;
	v->surplus_w = sl_supply_site(sup, s, SL_SS_SURPLUS_MW)[k] * 1e6;
	v->contract_w = sl_supply_site(sup, s, SL_SS_CONTRACT_MW)[k] * 1e6;
	v->ci_sur = net->zones[st->zone].surplus_g_per_kwh;
	v->green_w = v->onsite_w + v->surplus_w +
	             (sim->opts.green == SL_GREEN_MARKET ? v->contract_w : 0.0);
	v->grid_only = v->onsite_w == 0 && v->surplus_w == 0 && v->contract_w == 0;
}

static double step_value(const sim_step *v, int kind);

double sim__signal(const sl_sim *sim, int kind, int s, int64_t t)
{
	size_t n = (size_t)(sim->net->nsteps > 0 ? sim->net->nsteps : 1);
	int32_t k = sl_supply_index(&sim->sup, t);
	return step_value(&sim->steps[(size_t)s * n + (size_t)k], kind);
}

/* Start of the step holding t, on the network's grid. */
static int64_t step_floor(const sl_sim *sim, int64_t t)
{
	const sl_network *net = sim->net;
	return net->t0 + sl_floor_div(t - net->t0, net->step_s) * net->step_s;
}

/* Tabulate every site's per-step values once, so the integrator reads an
 * array instead of four signals (and the accounting mode is fixed here). */
static void steps_init(sl_sim *sim)
{
	const sl_network *net = sim->net;
	int32_t n = net->nsteps > 0 ? net->nsteps : 1;
	sim->steps = sl_malloc((size_t)net->nsites * (size_t)n * sizeof *sim->steps);
	for (int s = 0; s < net->nsites; s++) {
		sim_step *row = &sim->steps[(size_t)s * (size_t)n];
		for (int32_t i = 0; i < n; i++)
			step_fill(sim, s, i, &row[i]);
	}
}

void sim__energy_init(sl_sim *sim)
{
	const sl_network *net = sim->net;
	for (int s = 0; s < net->nsites; s++) {
		const sl_site *st = &net->sites[s];
		sim_site *ss = &sim->site[s];
		ss->idle_w = st->cores * st->core_idle_w + st->gpus * st->gpu_idle_w;
		ss->inc_core_w = st->core_busy_w - st->core_idle_w;
		ss->inc_gpu_w = st->gpu_busy_w - st->gpu_idle_w;
		ss->last_t = ss->step_end = sim->t_begin;
		ss->k = -1;
	}
	sim__energy_supply(sim);
	steps_init(sim);
	sim__energy_setup(sim);
	sim->vstep_lo = sim->vstep_hi = INT64_MIN;
	sim->vsig = sl_calloc((size_t)net->nsites * SL_SIG_COUNT, sizeof *sim->vsig);
}

/* Make room for bucket row b (zeroed).  Rows are zeroed as they are first
 * reached, not when allocated: the row is then in cache for the pieces
 * that follow, and capacity never reached is never touched. */
void sim__buckets_reserve(sl_sim *sim, size_t b)
{
	if (b < sim->nbk)
		return;
	size_t ns = (size_t)sim->nsites;
	sl__grow((void **)&sim->bk, &sim->bk_cap, sizeof *sim->bk, (b + 1) * ns);
	memset(sim->bk + sim->nbk * ns, 0, (b + 1 - sim->nbk) * ns * sizeof *sim->bk);
	sim->nbk = b + 1;
}

/* last_t has reached step_end: move to the next step (or, the first
 * time, find the step holding last_t). */
static void step_refresh(sl_sim *sim, int s, sim_site *ss)
{
	int32_t n = sim->net->nsteps > 0 ? sim->net->nsteps : 1;
	if (ss->k >= 0) { /* last_t is on the grid: the next step */
		ss->k = ss->k + 1 == n ? 0 : ss->k + 1;
		ss->bucket++;
		ss->step_end = ss->last_t + sim->step_s;
	} else {
		int64_t i = sl_floor_div(ss->last_t - sim->net->t0, sim->step_s);
		ss->k = (int32_t)sl_floor_mod(i, n);
		ss->bucket = (size_t)((ss->last_t - sim->t_begin) / sim->step_s);
		ss->step_end = step_floor(sim, ss->last_t) + sim->step_s;
	}
	const sim_step *v = &sim->steps[(size_t)s * (size_t)n + (size_t)ss->k];
	ss->pue = v->pue;
	ss->ci = v->ci;
	ss->price = v->price;
	ss->green_w = v->green_w;
	ss->cur = v;
	sim__buckets_reserve(sim, ss->bucket);
}

static double min2(double a, double b) { return a < b ? a : b; }

/* piece() in a step without on-site, surplus or contracted supply: the
 * same operations on the same values with the supply terms, which are
 * all +0 there (adding +0 changes no sum), left out. */
static void piece_grid(sim_acc *b, sim_site *ss, double it, double f, double dt)
{
	sim_tot *t = &ss->tot;
	const sim_step *v = ss->cur;
	double core_s = ss->busy_c * dt, gpu_s = ss->busy_g * dt;
	b->busy_core_s += core_s;
	b->busy_gpu_s += gpu_s;
	t->carbon_alt_g += f * v->ci_alt * dt / SIM_J_PER_KWH;
	ss->Calt += ss->pue * v->ci_alt * dt;
	t->busy_core_s += core_s;
	t->busy_gpu_s += gpu_s;
	t->it_j += it * dt;
	t->facility_j += f * dt;
	t->grid_j += f * dt;
	t->carbon_g += f * dt * ss->ci / SIM_J_PER_KWH;
	t->cost_cny += f * dt * ss->price / SIM_J_PER_KWH;
	ss->E += ss->pue * dt;
	ss->C += ss->pue * ss->ci * dt;
	ss->M += ss->pue * ss->price * dt;
}

/* Add dt seconds at the site's current power and step values.  Supply in
 * order: on-site, curtailed surplus (charged ci_sur), contracts (zero in
 * the market basis, grid in the location basis), then the grid. */
static void piece(sl_sim *sim, int s, sim_site *ss, double dt)
{
	sim_acc *b = &sim->bk[ss->bucket * (size_t)sim->nsites + (size_t)s];
	sim_tot *t = &ss->tot;
	const sim_step *v = ss->cur;
	double it = ss->idle_w + ss->busy_w;
	double f = it * ss->pue;
	if (v->grid_only && f >= 0) {
		piece_grid(b, ss, it, f, dt);
		return;
	}
	double on = min2(f, v->onsite_w), sur = min2(f - on, v->surplus_w);
	double con = min2(f - on - sur, v->contract_w);
	double green = on + sur + (sim->opts.green == SL_GREEN_MARKET ? con : 0.0);
	double grid = f - green;
	double grid_frac = green > 0 ? grid / f : 1.0;
	double sur_frac = sur > 0 ? sur / f : 0.0;
	double core_s = ss->busy_c * dt, gpu_s = ss->busy_g * dt;
	b->busy_core_s += core_s;
	b->busy_gpu_s += gpu_s;
	b->green_j += green * dt;
	b->onsite_j += on * dt;
	b->surplus_j += sur * dt;
	b->contract_j += con * dt;
	t->onsite_j += on * dt;
	t->surplus_j += sur * dt;
	t->contract_j += con * dt;
	t->carbon_alt_g += (grid * v->ci_alt + sur * v->ci_sur) * dt / SIM_J_PER_KWH;
	if (sur > 0)
		t->carbon_g += sur * dt * v->ci_sur / SIM_J_PER_KWH;
	ss->Calt += ss->pue * (grid_frac * v->ci_alt + sur_frac * v->ci_sur) * dt;
	t->busy_core_s += core_s;
	t->busy_gpu_s += gpu_s;
	t->it_j += it * dt;
	t->facility_j += f * dt;
	t->green_j += green * dt;
	t->grid_j += grid * dt;
	t->carbon_g += grid * dt * ss->ci / SIM_J_PER_KWH;
	t->cost_cny += f * dt * ss->price / SIM_J_PER_KWH;
	ss->E += ss->pue * dt;
	ss->C += ss->pue * grid_frac * ss->ci * dt;
	if (sur > 0)
		ss->C += ss->pue * sur_frac * v->ci_sur * dt;
	ss->M += ss->pue * ss->price * dt;
}

void sl_sim_bucket_at(const sl_sim *sim, size_t b, int s, sl_sim_bucket *out)
{
	const sim_acc *a = &sim->bk[b * (size_t)sim->nsites + (size_t)s];
	const sim_site *ss = &sim->site[s];
	int32_t n = sim->net->nsteps > 0 ? sim->net->nsteps : 1;
	int64_t t = sim->t_begin + (int64_t)b * sim->step_s;
	int32_t k = (int32_t)sl_floor_mod(sl_floor_div(t - sim->net->t0, sim->step_s), n);
	const sim_step *v = &sim->steps[(size_t)s * (size_t)n + (size_t)k];
	out->busy_core_s = a->busy_core_s;
	out->busy_gpu_s = a->busy_gpu_s;
	out->it_j = sim__bucket_it_j(sim, ss, a);
	out->facility_j = out->it_j * v->pue;
	out->green_j = a->green_j;
	out->grid_j = out->facility_j - a->green_j;
	out->carbon_g = out->grid_j * v->ci / SIM_J_PER_KWH + a->surplus_j * v->ci_sur / SIM_J_PER_KWH;
	out->carbon_alt_g = (out->grid_j * v->ci_alt + a->surplus_j * v->ci_sur) / SIM_J_PER_KWH;
	out->onsite_j = a->onsite_j;
	out->surplus_j = a->surplus_j;
	out->contract_j = a->contract_j;
	out->cost_cny = out->facility_j * v->price / SIM_J_PER_KWH;
}

size_t sl_sim_nbuckets(const sl_sim *sim) { return sim->nbk; }

void sim__advance(sl_sim *sim, int s, int64_t t)
{
	sim_site *ss = &sim->site[s];
	while (ss->last_t < t) {
		if (ss->last_t >= ss->step_end)
			step_refresh(sim, s, ss);
		int64_t b = ss->step_end < t ? ss->step_end : t;
		piece(sim, s, ss, (double)(b - ss->last_t));
		ss->last_t = b;
	}
}

/* ---------- the view ---------- */

static void view_site_state(const void *ctx, int s, sl_site_state *out)
{
	const sl_sim *sim = ctx;
	const sim_site *ss = &sim->site[s];
	out->busy_cores = ss->busy_c;
	out->busy_gpus = ss->busy_g;
	out->pending_cores = ss->pend_c;
	out->pending_gpus = ss->pend_g;
	out->pending_jobs = ss->pend_jobs;
	out->running_jobs = ss->q.nrun;
}

static double step_value(const sim_step *v, int kind)
{
	switch (kind) {
	case SL_SIG_CARBON_G_PER_KWH: return v->ci;
	case SL_SIG_PRICE_CNY_PER_KWH: return v->price;
	case SL_SIG_PUE: return v->pue;
	case SL_SIG_GREEN_W: return v->green_w;
	default: return 0.0;
	}
}

static double view_signal(const void *ctx, int kind, int s, int64_t t)
{
	const sl_sim *sim = ctx;
	if (t >= sim->vstep_lo && t < sim->vstep_hi && kind >= 0 && kind < SL_SIG_COUNT)
		return sim->vsig[(size_t)s * SL_SIG_COUNT + (size_t)kind];
	return sim__signal(sim, kind, s, t);
}

/* n steps from k0 in one pass: one index computation, then the next row
 * (wrapping as sl_supply_index does). */
static void view_signal_steps(const void *ctx, int kind, int s, int64_t k0, int32_t n,
                              double *out)
{
	const sl_sim *sim = ctx;
	if (n <= 0)
		return;
	int32_t ns = sim->net->nsteps > 0 ? sim->net->nsteps : 1;
	int32_t k = sl_supply_index(&sim->sup, sim->net->t0 + k0 * sim->net->step_s);
	const sim_step *row = &sim->steps[(size_t)s * (size_t)ns];
	for (int32_t i = 0; i < n; i++) {
		out[i] = step_value(&row[k], kind);
		k = k + 1 == ns ? 0 : k + 1;
	}
}

const sl_view_ops sim__view_ops = {view_site_state, view_signal, view_signal_steps};

void sim__view_at(sl_sim *sim, int64_t now)
{
	sim->view.now = now;
	if (now >= sim->vstep_lo && now < sim->vstep_hi)
		return;
	int32_t n = sim->net->nsteps > 0 ? sim->net->nsteps : 1;
	sim->vstep_lo = step_floor(sim, now);
	sim->vstep_hi = sim->vstep_lo + sim->step_s;
	sim->vk = (int32_t)sl_floor_mod(sl_floor_div(now - sim->net->t0, sim->step_s), n);
	for (int s = 0; s < sim->nsites; s++)
		for (int kind = 0; kind < SL_SIG_COUNT; kind++)
			sim->vsig[(size_t)s * SL_SIG_COUNT + (size_t)kind] =
				step_value(&sim->steps[(size_t)s * (size_t)n + (size_t)sim->vk], kind);
}
