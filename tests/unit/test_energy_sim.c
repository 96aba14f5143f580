/*
 * test_energy_sim.c — the simulator's energy supply and accounting views
 * (sim/energy_account.c, docs/energy.md) on hand-computed cases:
 * curtailed surplus (absorbed energy, its intensity, job and idle shares),
 * contracts under the market and location bases, the supply order,
 * blended and residual intensities of a zone fed by a line, network
 * energy at the origin's grid, move bits or move watts; the average vs
 * marginal switch changing exactly the carbon figures; and invariants on
 * random runs (green used <= green available, grid draw never negative,
 * every view consistent with the run's own totals in check mode).
 *
 * The base case: zone X (600 g/kWh average, 800 marginal, 0.5 CNY/kWh),
 * site A with 10 cores (10 W idle, 30 W busy, PUE 1): 100 W idle; one
 * job of 4 cores for one hour from T0 adds 80 W, so the hour's facility
 * energy is 180 W x 1 h = 0.18 kWh.
 */
#include "testutil.h"

#include "core/rng.h"
#include "sim/sim.h"
#include "simfix.h"

#define T0 FIX_T0
#define H 3600
#define EPS 1e-9

static sl_network *base_net(void)
{
	sl_network *net = fix_net_new(T0, H, 6);
	int x = fix_zone(net, "X", 600, 0.5);
	net->zones[x].has_carbon_marginal = 1;
	fix_signal(net, &net->zones[x].carbon_marginal_g_per_kwh, 800);
	fix_site(net, "A", x, "CN", 10, 0, 10, 30, 0, 0, 1.0);
	int o = fix_origin(net, "O", "CN");
	fix_route(net, o, 0, 1, 1000, 0);
	return net;
}

static void one_job(sl_trace *t)
{
	fix_job(t, 1, T0, 0, 4, 0, H, H);
}

static sl_sim *run(const sl_network *net, const sl_trace *t, const char *policy, int carbon,
                   int green)
{
	sl_sim *sim = NULL;
	sl_err e = {0};
	sl_sim_opts o = {0};
	o.carbon = carbon;
	o.green = green;
	o.check = 1;
	if (sl_simulate(net, t, policy, &o, &sim, &e) != 0)
		fail_msg("simulate: %s", e.msg);
	return sim;
}

static void curtail(sl_network *net, int zone, double mw)
{
	net->zones[zone].has_curtailment = 1;
	fix_signal(net, &net->zones[zone].curtailment_mw, mw);
}

/* 1000 W of curtailment covers the 180 W: every view is zero, then 10 g/kWh. */
static void test_surplus_covers(void **st)
{
	(void)st;
	sl_network *net = base_net();
	sl_trace t = {0};
	one_job(&t);
	curtail(net, 0, 1000e-6);
	sl_sim *sim = run(net, &t, "nearest", SL_CARBON_AVERAGE, SL_GREEN_MARKET);
	const sl_sim_summary *s = sl_sim_get_summary(sim);
	assert_near(s->facility_kwh, 0.18, EPS);
	assert_near(s->surplus_kwh, 0.18, EPS);
	assert_near(s->green_kwh, 0.18, EPS);
	assert_near(s->grid_kwh, 0, EPS);
	for (int g = 0; g < 2; g++)
		for (int m = 0; m < 2; m++)
			assert_near(s->carbon_view_g[g][m], 0, EPS);
	sl_sim_free(sim);
	net->zones[0].surplus_g_per_kwh = 10;
	sim = run(net, &t, "nearest", SL_CARBON_MARGINAL, SL_GREEN_LOCATION);
	s = sl_sim_get_summary(sim);
	for (int g = 0; g < 2; g++)
		for (int m = 0; m < 2; m++)
			assert_near(s->carbon_view_g[g][m], 1.8, EPS);
	assert_near(s->carbon_g, 1.8, EPS);
	assert_near(sl_sim_jobs(sim, NULL)[0].carbon_g, 0.8, EPS);     /* 80 of 180 W */
	assert_near(sl_sim_jobs(sim, NULL)[0].carbon_alt_g, 0.8, EPS);
	assert_near(s->idle_carbon_g, 1.0, EPS);
	sl_sim_free(sim);
	fix_trace_free(&t);
	sl_network_free(net);
}

/* 100 W of curtailment: the other 80 W come from the grid.  Average: 0.08
 * kWh x 600 = 48 g, of which the job has 80/180; marginal 64 g. */
static void test_surplus_partial(void **st)
{
	(void)st;
	sl_network *net = base_net();
	sl_trace t = {0};
	one_job(&t);
	curtail(net, 0, 100e-6);
	sl_sim *sim = run(net, &t, "nearest", SL_CARBON_AVERAGE, SL_GREEN_MARKET);
	const sl_sim_summary *s = sl_sim_get_summary(sim);
	const sl_sim_job *r = sl_sim_jobs(sim, NULL);
	assert_near(s->surplus_kwh, 0.1, EPS);
	assert_near(s->grid_kwh, 0.08, EPS);
	assert_near(s->carbon_g, 48, EPS);
	assert_near(r[0].carbon_g, 80 * (80.0 / 180) * 600 / 1000, EPS);
	assert_near(r[0].carbon_g, 21.3333333333, 1e-9);
	assert_near(s->idle_carbon_g, 26.6666666667, 1e-9);
	assert_near(r[0].carbon_alt_g, 80 * (80.0 / 180) * 800 / 1000, EPS);
	assert_near(s->carbon_view_g[SL_GREEN_MARKET][SL_CARBON_MARGINAL], 64, EPS);
	assert_near(s->job_carbon_alt_g + s->idle_carbon_alt_g, 64, EPS);
	assert_near(s->sites[0].green_share, 0.1 / 0.18, EPS);
	sl_sim_bucket b;
	sl_sim_bucket_at(sim, 0, 0, &b);
	assert_near(b.surplus_j, 100 * 3600.0, 1e-6);
	assert_near(b.carbon_g, 48, EPS);
	assert_near(b.carbon_alt_g, 64, EPS);
	sl_sim_free(sim);
	fix_trace_free(&t);
	sl_network_free(net);
}

/* Contracted 50 W: zero-carbon in the market basis (130 W from the grid:
 * 78 g), grid energy in the location basis (180 W: 108 g).  On-site 30 W,
 * surplus 100 W and contract 100 W: used in that order, 50 W of contract. */
static void test_contract_and_order(void **st)
{
	(void)st;
	sl_network *net = base_net();
	sl_trace t = {0};
	one_job(&t);
	fix_green(net, 0, 50e-6);
	sl_sim *mk = run(net, &t, "nearest", SL_CARBON_AVERAGE, SL_GREEN_MARKET);
	sl_sim *lc = run(net, &t, "nearest", SL_CARBON_AVERAGE, SL_GREEN_LOCATION);
	const sl_sim_summary *a = sl_sim_get_summary(mk), *b = sl_sim_get_summary(lc);
	assert_near(a->carbon_g, 78, EPS);
	assert_near(b->carbon_g, 108, EPS);
	assert_near(a->contract_kwh, 0.05, EPS);
	assert_near(b->contract_kwh, 0.05, EPS);
	assert_near(a->green_kwh, 0.05, EPS); /* green is what the basis counts as zero-carbon */
	assert_near(b->green_kwh, 0, EPS);
	assert_near(a->carbon_view_g[SL_GREEN_LOCATION][SL_CARBON_MARGINAL], 144, EPS);
	assert_near(a->carbon_view_g[SL_GREEN_MARKET][SL_CARBON_MARGINAL], 104, EPS);
	for (int g = 0; g < 2; g++)
		for (int m = 0; m < 2; m++)
			assert_near(a->carbon_view_g[g][m], b->carbon_view_g[g][m], EPS);
	assert_int_equal(b->green, SL_GREEN_LOCATION);
	sl_sim_free(mk);
	sl_sim_free(lc);
	net->sites[0].has_onsite = 1;
	fix_signal(net, &net->sites[0].onsite_mw, 30e-6);
	curtail(net, 0, 100e-6);
	fix_signal(net, &net->sites[0].green_mw, 100e-6);
	mk = run(net, &t, "nearest", SL_CARBON_AVERAGE, SL_GREEN_MARKET);
	a = sl_sim_get_summary(mk);
	assert_near(a->onsite_kwh, 0.03, EPS);
	assert_near(a->surplus_kwh, 0.1, EPS);
	assert_near(a->contract_kwh, 0.05, EPS);
	assert_near(a->carbon_g, 0, EPS);
	assert_near(a->carbon_view_g[SL_GREEN_LOCATION][SL_CARBON_AVERAGE], 0.05 * 600, EPS);
	sl_sim_free(mk);
	fix_trace_free(&t);
	sl_network_free(net);
}

/* Zone C (local 400 g/kWh, load 100 MW) fed by X over a line of 20 MW,
 * loss 10 %, half renewable, fossil 900: delivered 18 MW at 500 g/kWh,
 * location (82 x 400 + 18 x 500) / 100 = 418, residual 418 x 100 / 91. */
static sl_network *line_net(void)
{
	sl_network *net = base_net();
	int c = fix_zone(net, "C", 400, 1.0);
	net->zones[c].has_load = 1;
	fix_signal(net, &net->zones[c].load_mw, 100);
	net->interconnects = sl_arena_alloc(&net->arena, sizeof *net->interconnects);
	net->ninterconnects = 1;
	sl_interconnect *l = &net->interconnects[0];
	l->id = "L";
	l->from_zone = 0;
	l->to_zone = c;
	l->rated_mw = 30;
	l->loss_frac = 0.1;
	fix_signal(net, &l->renewable_share, 0.5);
	l->has_flow = l->has_fossil = 1;
	fix_signal(net, &l->flow_mw, 20);
	fix_signal(net, &l->fossil_g_per_kwh, 900);
	fix_site(net, "K", c, "CN", 10, 0, 5, 25, 0, 0, 1.5);
	fix_route(net, 0, 1, 20, 1000, 0.15);
	return net;
}

static void test_blend_and_residual(void **st)
{
	(void)st;
	sl_network *net = line_net();
	sl_trace t = {0};
	fix_job(&t, 1, T0, 0, 4, 0, H, H)->latency_budget_ms = 0;
	net->origins[0].route_of_site[0] = -1; /* only K is reachable */
	sl_sim *loc = run(net, &t, "nearest", SL_CARBON_AVERAGE, SL_GREEN_LOCATION);
	const sl_sim_summary *s = sl_sim_get_summary(loc);
	/* K: idle 50 W + job 80 W, x 1.5 = 195 W for an hour; A idles at 100 W */
	assert_near(s->sites[1].facility_kwh, 0.195, EPS);
	assert_near(s->sites[1].carbon_g, 0.195 * 418, 1e-9);
	assert_near(s->sites[1].carbon_alt_g, 0.195 * 400, 1e-9); /* C's own marginal = average */
	/* market: K at C's residual, A (idle, 0.1 kWh) at X's 600 (X has no
	 * load: its exports cannot be spread, the residual is its average) */
	assert_near(s->carbon_view_g[SL_GREEN_MARKET][SL_CARBON_AVERAGE],
	            0.1 * 600 + 0.195 * 418 * 100 / 91.0, 1e-9);
	assert_near(s->carbon_view_g[SL_GREEN_LOCATION][SL_CARBON_AVERAGE], 0.1 * 600 + 0.195 * 418,
	            1e-9);
	sl_sim_free(loc);
	fix_trace_free(&t);
	sl_network_free(net);
}

/* Output of 1 GB at 0.01 kWh/GB charged at the origin's zone at the
 * job's end; input of 2 GB at its submission. */
static void test_network_energy(void **st)
{
	(void)st;
	sl_network *net = base_net();
	int z = fix_zone(net, "OZ", 500, 1.0);
	net->zones[z].carbon_avg_g_per_kwh.v[1] = 300;
	net->zones[z].has_carbon_marginal = 1; /* 500 throughout */
	net->origins[0].has_zone = 1;
	net->origins[0].zone = z;
	net->origins[0].routes[0].has_kwh_per_gb = 1;
	net->origins[0].routes[0].kwh_per_gb = 0.01;
	sl_trace t = {0};
	sl_job *j = fix_job(&t, 1, T0, 0, 4, 0, H, H);
	j->input_bytes = 2000000000;
	j->output_bytes = 1000000000;
	sl_sim *sim = run(net, &t, "nearest", SL_CARBON_AVERAGE, SL_GREEN_MARKET);
	const sl_sim_summary *s = sl_sim_get_summary(sim);
	assert_int_equal(sl_sim_jobs(sim, NULL)[0].start, T0 + 1); /* the input took 1 s */
	assert_near(s->net_kwh, 0.03, EPS);
	assert_near(s->net_carbon_g[SL_CARBON_AVERAGE], 0.02 * 500 + 0.01 * 300, EPS);
	assert_near(s->net_carbon_g[SL_CARBON_MARGINAL], 0.03 * 500, EPS);
	assert_near(s->net_kwh_per_gb, SL_NET_KWH_PER_GB_DEFAULT, 0);
	sl_sim_free(sim);
	/* the route's own figure wins over the default; without one the
	 * caller's (then the scenario's) applies */
	net->origins[0].routes[0].has_kwh_per_gb = 0;
	sl_sim_opts o = {0};
	o.has_net_kwh_per_gb = 1;
	o.net_kwh_per_gb = 0.1;
	sl_err e = {0};
	assert_int_equal(sl_simulate(net, &t, "nearest", &o, &sim, &e), 0);
	assert_near(sl_sim_get_summary(sim)->net_kwh, 0.3, EPS);
	sl_sim_free(sim);
	o.net_kwh_per_gb = -1;
	assert_int_equal(sl_simulate(net, &t, "nearest", &o, &sim, &e), SL_EINVAL);
	o.net_kwh_per_gb = 0;
	o.green = 7;
	assert_int_equal(sl_simulate(net, &t, "nearest", &o, &sim, &e), SL_EINVAL);
	fix_trace_free(&t);
	sl_network_free(net);
}

/* A job at A (X, PUE 1) against the same job at K (C, PUE 1.5, 20 W per
 * busy core) on the line's power: 0.12 kWh facility, 0.12 / 0.9 sent,
 * 500 g/kWh delivered (average) or 800 / 0.9 (marginal), C's price 1.0. */
static void test_bits_or_watts(void **st)
{
	(void)st;
	sl_network *net = line_net();
	for (int k = 1; k < 6; k++)
		net->interconnects[0].flow_mw.v[k] = 0; /* flowing in the first hour only */
	net->origins[0].has_carbon = 1;
	fix_signal(net, &net->origins[0].carbon_g_per_kwh, 400);
	net->origins[0].routes[0].has_kwh_per_gb = 1;
	net->origins[0].routes[0].kwh_per_gb = 0.01;
	net->origins[0].routes[0].cny_per_gb = 0.2;
	net->origins[0].routes[1].has_kwh_per_gb = 1; /* kwh_per_gb 0 to K */
	int p = fix_origin(net, "P", "CN");
	fix_route(net, p, 0, 1, 1000, 0);
	sl_trace t = {0};
	fix_job(&t, 1, T0, 0, 4, 0, H, H)->output_bytes = 1000000000;
	fix_job(&t, 2, T0 + 10, p, 1, 0, 60, 60);
	sl_sim *sim = run(net, &t, "nearest", SL_CARBON_AVERAGE, SL_GREEN_MARKET);
	const sl_sim_bw *b = &sl_sim_get_summary(sim)->bw;
	assert_int_equal(b->line, 0);
	assert_int_equal(b->watts_site, 1);
	assert_int_equal(b->jobs, 2);
	assert_int_equal(b->jobs_no_route, 1);
	assert_near(b->it_kwh, 0.08, EPS);
	assert_near(b->bits_kwh, 0.08, EPS);
	assert_near(b->bits_net_kwh, 0.01, EPS);
	assert_near(b->bits_carbon_g[SL_CARBON_AVERAGE], 48, EPS);
	assert_near(b->bits_carbon_g[SL_CARBON_MARGINAL], 64, EPS);
	assert_near(b->bits_net_carbon_g[SL_CARBON_AVERAGE], 4, EPS);
	assert_near(b->bits_cost_cny, 0.04, EPS);
	assert_near(b->bits_transfer_cny, 0.2, EPS);
	assert_near(b->watts_kwh, 0.12, EPS);
	assert_near(b->watts_sent_kwh, 0.12 / 0.9, EPS);
	assert_near(b->watts_carbon_g[SL_CARBON_AVERAGE], 60, 1e-9);
	assert_near(b->watts_carbon_g[SL_CARBON_MARGINAL], 0.12 * 800 / 0.9, 1e-9);
	assert_near(b->watts_cost_cny, 0.12, EPS);
	assert_near(b->watts_transfer_cny, 0.15, EPS);
	assert_near(b->watts_net_kwh, 0, 0);
	assert_near(b->watts_flow_share, 1.0, EPS);
	sl_sim_free(sim);
	fix_trace_free(&t);
	sl_network_free(net);
}

/* ---------- the average/marginal switch and random invariants ---------- */

static void random_series(sl_signal *s, sl_rng *r, double lo, double hi)
{
	for (int32_t i = 0; i < s->n; i++)
		s->v[i] = sl_rng_uniform(r, lo, hi);
}

static sl_network *random_net(sl_rng *r)
{
	sl_network *net = line_net();
	sl_zone *x = &net->zones[0], *c = &net->zones[1];
	random_series(&x->carbon_avg_g_per_kwh, r, 300, 800);
	random_series(&x->carbon_marginal_g_per_kwh, r, 0, 900);
	random_series(&c->carbon_avg_g_per_kwh, r, 100, 600);
	c->has_carbon_marginal = 1;
	fix_signal(net, &c->carbon_marginal_g_per_kwh, 0);
	random_series(&c->carbon_marginal_g_per_kwh, r, 400, 900);
	random_series(&x->price_cny_per_kwh, r, 0.1, 1.0);
	curtail(net, 0, 0);
	random_series(&x->curtailment_mw, r, 0, 0.0006);
	net->sites[0].has_onsite = 1;
	fix_signal(net, &net->sites[0].onsite_mw, 0);
	random_series(&net->sites[0].onsite_mw, r, 0, 0.0001);
	fix_green(net, 1, 0);
	random_series(&net->sites[1].green_mw, r, 0, 0.0002);
	random_series(&net->interconnects[0].flow_mw, r, 0, 30);
	random_series(&net->sites[1].pue, r, 1.1, 1.6);
	return net;
}

static void random_trace(sl_trace *t, sl_rng *r, int n)
{
	int64_t now = T0 + 17;
	for (int i = 0; i < n; i++) {
		now += (int64_t)sl_rng_exp(r, 60.0);
		int32_t est = 60 + (int32_t)sl_rng_below(r, 5400);
		sl_job *j = fix_job(t, 100 + i, now, 0, 1 + (int32_t)sl_rng_below(r, 10), 0, est,
		                    (int32_t)sl_rng_below(r, (uint64_t)est + 600));
		j->input_bytes = (int64_t)sl_rng_below(r, 5000000000ull);
		j->output_bytes = (int64_t)sl_rng_below(r, 500000000ull);
	}
}

/* Zero what the carbon mode may change, so the rest can be compared byte
 * for byte. */
static void blank_carbon(sl_sim_summary *s)
{
	s->carbon = 0;
	s->carbon_g = s->job_carbon_g = s->idle_carbon_g = 0;
	s->job_carbon_alt_g = s->idle_carbon_alt_g = 0;
	s->bw.bits_carbon_g[0] = s->bw.bits_carbon_g[1] = 0; /* same sums, other integrals */
	s->sites = NULL;
	s->policy = s->params = NULL;
}

static void blank_site(sl_sim_site_sum *o)
{
	o->carbon_g = o->job_carbon_g = o->idle_carbon_g = 0;
	o->carbon_alt_g = o->job_carbon_alt_g = o->idle_carbon_alt_g = 0;
}

static void test_switch_changes_only_carbon(void **st)
{
	(void)st;
	sl_rng r;
	sl_rng_seed(&r, 5);
	sl_network *net = random_net(&r);
	sl_trace t = {0};
	random_trace(&t, &r, 400);
	for (int g = 0; g < 2; g++) {
		sl_sim *av = run(net, &t, "least-loaded", SL_CARBON_AVERAGE, g);
		sl_sim *mg = run(net, &t, "least-loaded", SL_CARBON_MARGINAL, g);
		sl_sim_summary sa, sm;
		memcpy(&sa, sl_sim_get_summary(av), sizeof sa);
		memcpy(&sm, sl_sim_get_summary(mg), sizeof sm);
		/* the lead and the other mode swap places, per job and in total */
		size_t n;
		const sl_sim_job *ra = sl_sim_jobs(av, &n), *rm = sl_sim_jobs(mg, NULL);
		for (size_t i = 0; i < n; i++) {
			assert_near(ra[i].carbon_g, rm[i].carbon_alt_g, 1e-9 * (1 + ra[i].carbon_g));
			assert_near(ra[i].carbon_alt_g, rm[i].carbon_g, 1e-9 * (1 + rm[i].carbon_g));
			sl_sim_job x = ra[i], y = rm[i];
			x.carbon_g = x.carbon_alt_g = y.carbon_g = y.carbon_alt_g = 0;
			assert_memory_equal(&x, &y, sizeof x);
		}
		assert_near(sa.carbon_g, sm.carbon_view_g[g][SL_CARBON_AVERAGE], 1e-9 * sa.carbon_g);
		assert_near(sm.carbon_g, sa.carbon_view_g[g][SL_CARBON_MARGINAL], 1e-9 * sm.carbon_g);
		assert_near(sa.job_carbon_g, sm.job_carbon_alt_g, 1e-9 * sa.job_carbon_g);
		assert_near(sm.job_carbon_g, sa.job_carbon_alt_g, 1e-9 * sm.job_carbon_g);
		assert_true(sa.carbon_g != sm.carbon_g);
		for (int m = 0; m < 2; m++)
			assert_near(sa.bw.bits_carbon_g[m], sm.bw.bits_carbon_g[m],
			            1e-9 * sa.bw.bits_carbon_g[m]);
		for (int s = 0; s < sa.nsites; s++) {
			sl_sim_site_sum x = sa.sites[s], y = sm.sites[s];
			assert_near(x.carbon_g, y.carbon_alt_g, 1e-9 * (1 + x.carbon_g));
			blank_site(&x);
			blank_site(&y);
			assert_memory_equal(&x, &y, sizeof x);
		}
		blank_carbon(&sa);
		blank_carbon(&sm);
		assert_memory_equal(&sa, &sm, sizeof sa); /* energy, cost, waits, views, network, bw */
		sl_sim_free(av);
		sl_sim_free(mg);
	}
	fix_trace_free(&t);
	sl_network_free(net);
}

/* Green used <= green available and grid draw >= 0 in every step of every
 * site, under every policy and both bases; --check holds throughout. */
static void test_random_invariants(void **st)
{
	(void)st;
	sl_rng r;
	sl_rng_seed(&r, 11);
	sl_network *net = random_net(&r);
	sl_trace t = {0};
	random_trace(&t, &r, 1500);
	const char *pol[] = {"nearest", "round-robin", "least-loaded", "cheapest", "greenest"};
	for (int p = 0; p < 5; p++) {
		for (int g = 0; g < 2; g++) {
			sl_sim *sim = run(net, &t, pol[p], p % 2, g);
			const sl_sim_summary *s = sl_sim_get_summary(sim);
			for (size_t b = 0; b < sl_sim_nbuckets(sim); b++) {
				int32_t k = (int32_t)(b % 6);
				for (int i = 0; i < net->nsites; i++) {
					sl_sim_bucket x;
					sl_sim_bucket_at(sim, b, i, &x);
					const sl_site *st_ = &net->sites[i];
					double on = st_->has_onsite ? st_->onsite_mw.v[k] * 1e6 * H : 0;
					double sur = i == 0 ? net->zones[0].curtailment_mw.v[k] * 1e6 * H : 0;
					double con = st_->has_green ? st_->green_mw.v[k] * 1e6 * H : 0;
					assert_true(x.onsite_j <= on * (1 + 1e-12) + 1e-9);
					assert_true(x.surplus_j <= sur * (1 + 1e-12) + 1e-9);
					assert_true(x.contract_j <= con * (1 + 1e-12) + 1e-9);
					assert_true(x.grid_j >= -1e-6);
					assert_true(x.green_j <= x.facility_j * (1 + 1e-12));
					assert_true(x.onsite_j + x.surplus_j + x.contract_j <= x.facility_j * (1 + 1e-12));
				}
			}
			assert_near(s->green_kwh + s->grid_kwh, s->facility_kwh, 1e-9 * s->facility_kwh);
			assert_true(s->net_kwh > 0 && s->bw.jobs > 0);
			sl_sim_free(sim);
		}
	}
	fix_trace_free(&t);
	sl_network_free(net);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_surplus_covers),
		cmocka_unit_test(test_surplus_partial),
		cmocka_unit_test(test_contract_and_order),
		cmocka_unit_test(test_blend_and_residual),
		cmocka_unit_test(test_network_energy),
		cmocka_unit_test(test_bits_or_watts),
		cmocka_unit_test(test_switch_changes_only_carbon),
		cmocka_unit_test(test_random_invariants),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
