/*
 * test_policy.c — the baseline policies and the legality rules, driven
 * through a fake sl_view (no simulator): residency forcing a farther site,
 * latency budgets excluding sites, rejection reasons, what greenest,
 * cheapest, nearest, least-loaded and round-robin choose, spill-over when
 * the best site has no room, and the registry.
 *
 * Network: jurisdictions CN, SG, MY.
 *   site  zone  jur  cores gpus   carbon g/kWh  price CNY/kWh
 *   CKG   CQ    CN   100   8      520           0.76
 *   YIW   XJ    CN   50    16     620           0.40
 *   CTU   SC    CN   100   0      140           0.60
 *   SIN   SG    SG   50    4      420           1.25
 *   JHB   MY    MY   50    4      570           0.34
 * Origins: O_CQ (CN) reaches CKG 1 ms, CTU 5, YIW 30, SIN 45;
 *          O_SG (SG) reaches SIN 1, JHB 2, CKG 45;  O_XX reaches nothing.
 * Tags: CN_PI -> {CN}; SG_PD -> {SG, MY}; SEALED -> {} (nowhere).
 */
#include "testutil.h"

#include "simfix.h"
#include "sched/policy.h"

enum { CKG, YIW, CTU, SIN, JHB };
enum { O_CQ, O_SG, O_XX };
enum { CN_PI, SG_PD, SEALED };

typedef struct fake {
	sl_site_state st[FIX_MAX];
	double sig[FIX_MAX][SL_SIG_COUNT];
} fake;

static void fake_state(const void *ctx, int site, sl_site_state *out)
{
	*out = ((const fake *)ctx)->st[site];
}

static double fake_signal(const void *ctx, int kind, int site, int64_t t)
{
	(void)t;
	return ((const fake *)ctx)->sig[site][kind];
}

static const sl_view_ops fake_ops = {fake_state, fake_signal, NULL};

typedef struct fx {
	sl_network *net;
	fake f;
	sl_view v;
} fx;

static void site(fx *x, const char *id, const char *jur, int cores, int gpus, double ci,
                 double price)
{
	int z = fix_zone(x->net, id, ci, price);
	int s = fix_site(x->net, id, z, jur, cores, gpus, 10, 20, 50, 300, 1.2);
	x->f.sig[s][SL_SIG_CARBON_G_PER_KWH] = ci;
	x->f.sig[s][SL_SIG_PRICE_CNY_PER_KWH] = price;
	x->f.sig[s][SL_SIG_PUE] = 1.2;
}

static int setup(void **st)
{
	fx *x = calloc(1, sizeof *x);
	x->net = fix_net_new(FIX_T0, 3600, 24);
	site(x, "CKG", "CN", 100, 8, 520, 0.76);
	site(x, "YIW", "CN", 50, 16, 620, 0.40);
	site(x, "CTU", "CN", 100, 0, 140, 0.60);
	site(x, "SIN", "SG", 50, 4, 420, 1.25);
	site(x, "JHB", "MY", 50, 4, 570, 0.34);
	int o = fix_origin(x->net, "O_CQ", "CN");
	fix_route(x->net, o, CKG, 1, 100, 0.15);
	fix_route(x->net, o, CTU, 5, 100, 0.15);
	fix_route(x->net, o, YIW, 30, 100, 0.15);
	fix_route(x->net, o, SIN, 45, 100, 0.65);
	o = fix_origin(x->net, "O_SG", "SG");
	fix_route(x->net, o, SIN, 1, 100, 0.10);
	fix_route(x->net, o, JHB, 2, 100, 0.50);
	fix_route(x->net, o, CKG, 45, 100, 0.65);
	fix_origin(x->net, "O_XX", "CN");
	fix_tag(x->net, "CN_PI", (const char *const[]){"CN", NULL});
	fix_tag(x->net, "SG_PD", (const char *const[]){"SG", "MY", NULL});
	fix_tag(x->net, "SEALED", (const char *const[]){NULL});
	x->v.ops = &fake_ops;
	x->v.ctx = &x->f;
	x->v.net = x->net;
	x->v.now = FIX_T0;
	*st = x;
	return 0;
}

static int teardown(void **st)
{
	fx *x = *st;
	sl_network_free(x->net);
	free(x);
	return 0;
}

static sl_job job(int origin, int cores, int gpus, int tag, float budget_ms)
{
	sl_job j;
	memset(&j, 0, sizeof j);
	j.id = 1;
	j.submit = FIX_T0;
	j.origin = (int16_t)origin;
	j.cores = cores;
	j.gpus = gpus;
	j.est_s = 600;
	j.run_s = 300;
	j.cls = -1;
	j.tag = (int16_t)tag;
	j.latency_budget_ms = budget_ms;
	return j;
}

/* Place with a named policy (fresh state), returning the site or -reason-100. */
static int place(fx *x, const char *policy, const sl_job *j, sl_decision *d)
{
	const sl_policy_ops *p = sl_policy_find(policy);
	assert_non_null(p);
	void *state = NULL;
	sl_policy_opts o = {0, NULL};
	if (p->init)
		assert_int_equal(p->init(&state, x->net, &o, NULL), 0);
	assert_int_equal(p->place(state, j, &x->v, d), 0);
	if (p->free)
		p->free(state);
	return d->site;
}

static void test_registry(void **st)
{
	(void)st;
	const char *names[] = {"nearest", "round-robin", "least-loaded", "cheapest", "greenest",
	                       "suanli"};
	assert_int_equal(sl_policy_count(), 6);
	for (int i = 0; i < 6; i++) {
		const sl_policy_ops *p = sl_policy_find(names[i]);
		assert_non_null(p);
		assert_string_equal(p->name, names[i]);
		assert_ptr_equal(sl_policy_at(i), p);
		assert_non_null(p->summary);
	}
	assert_null(sl_policy_find("suanli-typo"));
	assert_null(sl_policy_at(6));
	assert_string_equal(sl_reject_name(SL_REJECT_RESIDENCY), "residency");
	assert_int_equal(sl_carbon_mode_parse("marginal"), SL_CARBON_MARGINAL);
	assert_int_equal(sl_carbon_mode_parse("avg"), -1);
}

static void test_nearest_and_residency(void **st)
{
	fx *x = *st;
	sl_decision d;
	sl_job j = job(O_CQ, 10, 0, -1, 0);
	assert_int_equal(place(x, "nearest", &j, &d), CKG);
	/* Singapore-origin data tagged CN_PI may only go to CN: CKG at 45 ms,
	 * although SIN is 1 ms away. */
	j = job(O_SG, 10, 0, CN_PI, 0);
	assert_int_equal(place(x, "nearest", &j, &d), CKG);
	/* SG_PD from Chongqing: only SIN (SG) is reachable and allowed. */
	j = job(O_CQ, 10, 0, SG_PD, 0);
	assert_int_equal(place(x, "nearest", &j, &d), SIN);
	assert_int_equal(place(x, "greenest", &j, &d), SIN);
	assert_int_equal(place(x, "cheapest", &j, &d), SIN);
	assert_int_equal(place(x, "round-robin", &j, &d), SIN);
	assert_int_equal(place(x, "least-loaded", &j, &d), SIN);
}

/* A site the view marks down (the service's failed Slurm cluster) is
 * skipped by every baseline like an illegal one. */
static void test_site_down(void **st)
{
	fx *x = *st;
	sl_decision d;
	uint8_t down[5] = {0};
	sl_job j = job(O_CQ, 10, 0, CN_PI, 0);
	down[CKG] = 1;
	x->v.site_down = down;
	assert_int_equal(place(x, "nearest", &j, &d), CTU); /* CKG is nearer, but down */
	const char *const all[] = {"greenest", "cheapest", "round-robin", "least-loaded"};
	for (int i = 0; i < 4; i++)
		assert_int_not_equal(place(x, all[i], &j, &d), CKG);
	/* suanli would take CTU (greenest, legal); with CTU down it must not. */
	down[CKG] = 0;
	down[CTU] = 1;
	int ss = place(x, "suanli", &j, &d);
	assert_true(ss >= 0 && ss != CTU);
	down[CTU] = 0;
	assert_int_equal(place(x, "nearest", &j, &d), CKG);
	x->v.site_down = NULL;
}

static void test_latency_budget(void **st)
{
	fx *x = *st;
	sl_decision d;
	/* Budget 20 ms: CKG (1) and CTU (5) qualify; greenest takes CTU. */
	sl_job j = job(O_CQ, 10, 0, -1, 20);
	assert_int_equal(place(x, "greenest", &j, &d), CTU);
	/* Budget 3 ms: only CKG, though CTU is greener. */
	j = job(O_CQ, 10, 0, -1, 3);
	assert_int_equal(place(x, "greenest", &j, &d), CKG);
	/* Budget 20 ms excludes YIW (30 ms), the cheapest CN site. */
	j = job(O_CQ, 10, 0, -1, 20);
	assert_int_equal(place(x, "cheapest", &j, &d), CTU);
	j = job(O_CQ, 10, 0, -1, 0);
	assert_int_equal(place(x, "cheapest", &j, &d), YIW);
}

static void expect_reject(fx *x, const sl_job *j, int reason, const char *word)
{
	const char *pols[] = {"nearest", "round-robin", "least-loaded", "cheapest", "greenest"};
	for (int i = 0; i < 5; i++) {
		sl_decision d;
		assert_int_equal(place(x, pols[i], j, &d), -1);
		assert_int_equal(d.reason, reason);
		if (!strstr(d.why, word))
			fail_msg("%s: why \"%s\" lacks \"%s\"", pols[i], d.why, word);
	}
}

static void test_rejections(void **st)
{
	fx *x = *st;
	sl_job j = job(O_XX, 1, 0, -1, 0);
	expect_reject(x, &j, SL_REJECT_NO_ROUTE, "no route");
	j = job(O_SG, 1, 0, SEALED, 0);
	expect_reject(x, &j, SL_REJECT_RESIDENCY, "SEALED");
	/* budget 0.5 ms: every site is farther */
	j = job(O_CQ, 0, 1, -1, 0.5f);
	expect_reject(x, &j, SL_REJECT_LATENCY, "0.5 ms");
	/* 16 GPUs within 10 ms: CKG and CTU qualify on latency, neither has
	 * 16 GPUs (YIW has, but 30 ms away): too big, the last stage. */
	j = job(O_CQ, 0, 16, -1, 10);
	expect_reject(x, &j, SL_REJECT_TOO_BIG, "16 GPUs");
	j = job(O_CQ, 200, 0, -1, 0);
	expect_reject(x, &j, SL_REJECT_TOO_BIG, "200 cores");
	/* residency is reported before latency: CN_PI from SG within 5 ms */
	j = job(O_SG, 1, 0, CN_PI, 5);
	expect_reject(x, &j, SL_REJECT_LATENCY, "45 ms");
	assert_int_equal(sl_policy_site_check(x->net, &j, SIN, NULL), SL_REJECT_RESIDENCY);
	assert_int_equal(sl_policy_site_check(x->net, &j, CKG, NULL), SL_REJECT_LATENCY);
	assert_int_equal(sl_policy_site_check(x->net, &j, CTU, NULL), SL_REJECT_NO_ROUTE);
}

static void test_greenest_and_spill(void **st)
{
	fx *x = *st;
	sl_decision d;
	sl_job j = job(O_CQ, 10, 0, -1, 0);
	assert_int_equal(place(x, "greenest", &j, &d), CTU);
	/* CTU has 95 cores busy: no room for 10; next greenest with room is SIN. */
	x->f.st[CTU].busy_cores = 95;
	assert_int_equal(place(x, "greenest", &j, &d), SIN);
	/* Pending work counts too: SIN full of queued jobs -> CKG (520). */
	x->f.st[SIN].pending_cores = 45;
	assert_int_equal(place(x, "greenest", &j, &d), CKG);
	/* No legal site has room: queue at the greenest, CTU. */
	x->f.st[CKG].busy_cores = 100;
	x->f.st[YIW].busy_cores = 45;
	assert_int_equal(place(x, "greenest", &j, &d), CTU);
	/* nearest spills the same way: CKG full -> CTU (5 ms) would be full
	 * too, so all full -> CKG, the nearest. */
	assert_int_equal(place(x, "nearest", &j, &d), CKG);
	x->f.st[CTU].busy_cores = 0;
	assert_int_equal(place(x, "nearest", &j, &d), CTU);
	memset(x->f.st, 0, sizeof x->f.st);
	/* The view's carbon decides, not the zone's average in the network. */
	x->f.sig[YIW][SL_SIG_CARBON_G_PER_KWH] = 5; /* e.g. a marginal view in a windy hour */
	assert_int_equal(place(x, "greenest", &j, &d), YIW);
	x->f.sig[YIW][SL_SIG_CARBON_G_PER_KWH] = 620;
}

static void test_cheapest_tie_break(void **st)
{
	fx *x = *st;
	sl_decision d;
	sl_job j = job(O_SG, 10, 0, -1, 0);
	assert_int_equal(place(x, "cheapest", &j, &d), JHB); /* 0.34 */
	/* Same price at SIN: the cheaper transfer (0.10 vs 0.50 CNY/GB) wins. */
	x->f.sig[SIN][SL_SIG_PRICE_CNY_PER_KWH] = 0.34;
	j.input_bytes = 10000000000;
	assert_int_equal(place(x, "cheapest", &j, &d), SIN);
	x->f.sig[SIN][SL_SIG_PRICE_CNY_PER_KWH] = 1.25;
}

static void test_least_loaded(void **st)
{
	fx *x = *st;
	sl_decision d;
	x->f.st[CKG].busy_cores = 50;   /* 0.5 */
	x->f.st[YIW].busy_cores = 10;   /* 0.2 */
	x->f.st[CTU].pending_cores = 30; /* 0.3 */
	x->f.st[SIN].busy_cores = 20;   /* 0.4 */
	sl_job j = job(O_CQ, 10, 0, -1, 0);
	assert_int_equal(place(x, "least-loaded", &j, &d), YIW);
	/* GPU job: CKG 4/8, YIW 12/16, SIN 1/4 -> SIN; CTU has no GPUs */
	x->f.st[CKG].busy_gpus = 4;
	x->f.st[YIW].busy_gpus = 12;
	x->f.st[SIN].pending_gpus = 1;
	j = job(O_CQ, 0, 2, -1, 0);
	assert_int_equal(place(x, "least-loaded", &j, &d), SIN);
	memset(x->f.st, 0, sizeof x->f.st);
}

static void test_round_robin(void **st)
{
	fx *x = *st;
	const sl_policy_ops *p = sl_policy_find("round-robin");
	void *state = NULL;
	sl_policy_opts o = {0, NULL};
	assert_int_equal(p->init(&state, x->net, &o, NULL), 0);
	sl_decision d;
	sl_job any = job(O_CQ, 10, 0, -1, 0), cn = job(O_CQ, 10, 0, CN_PI, 0);
	int want[] = {CKG, YIW, CTU, SIN, CKG};
	for (int i = 0; i < 5; i++) {
		assert_int_equal(p->place(state, &any, &x->v, &d), 0);
		assert_int_equal(d.site, want[i]);
	}
	/* after CKG: the next legal site for CN_PI is YIW, then CTU, then CKG */
	int want_cn[] = {YIW, CTU, CKG};
	for (int i = 0; i < 3; i++) {
		assert_int_equal(p->place(state, &cn, &x->v, &d), 0);
		assert_int_equal(d.site, want_cn[i]);
	}
	p->free(state);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registry),
		cmocka_unit_test_setup_teardown(test_nearest_and_residency, setup, teardown),
		cmocka_unit_test_setup_teardown(test_site_down, setup, teardown),
		cmocka_unit_test_setup_teardown(test_latency_budget, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rejections, setup, teardown),
		cmocka_unit_test_setup_teardown(test_greenest_and_spill, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cheapest_tie_break, setup, teardown),
		cmocka_unit_test_setup_teardown(test_least_loaded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_round_robin, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
