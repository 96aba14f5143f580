/*
 * test_reserve.c — reservation profiles (sched/reserve.h): additions and
 * removals by step, clipping to the present, growth and re-basing as time
 * moves on, fits/scan/earliest against a brute force, and the start rule
 * (a start needs room at its own step and at every step of its window
 * where another start is planned) against its definition, on random
 * profiles.
 *
 * Network: one site of 10 cores and 4 GPUs, and a second of 100 cores.
 */
#include "testutil.h"

#include "simfix.h"
#include "core/rng.h"
#include "sched/reserve.h"

static sl_network *net2(void)
{
	sl_network *net = fix_net_new(FIX_T0, 3600, 24);
	int z = fix_zone(net, "Z", 500, 0.5);
	fix_site(net, "A", z, "CN", 10, 4, 1, 2, 10, 20, 1.2);
	fix_site(net, "B", z, "CN", 100, 0, 1, 2, 0, 0, 1.2);
	return net;
}

static void test_add_remove_clip(void **st)
{
	(void)st;
	sl_network *net = net2();
	sl_resv r;
	sl_resv_init(&r, net, 100);
	sl_resv_add(&r, 0, 98, 103, 3, 1); /* steps 98, 99 are past: clipped */
	assert_int_equal(sl_resv_used(&r, 0, 0, 100), 3);
	assert_int_equal(sl_resv_used(&r, 0, 1, 102), 1);
	assert_int_equal(sl_resv_used(&r, 0, 0, 103), 0);
	assert_int_equal(sl_resv_used(&r, 1, 0, 101), 0); /* other site untouched */
	assert_int_equal(sl_resv_fits(&r, 0, 100, 103, 7, 3), 1);
	assert_int_equal(sl_resv_fits(&r, 0, 100, 103, 8, 3), 0);
	assert_int_equal(sl_resv_fits(&r, 0, 100, 103, 7, 4), 0);
	assert_int_equal(sl_resv_fits(&r, 0, 103, 110, 10, 4), 1);
	sl_resv_add(&r, 0, 101, 103, -3, -1);
	assert_int_equal(sl_resv_used(&r, 0, 0, 100), 3);
	assert_int_equal(sl_resv_used(&r, 0, 0, 101), 0);
	/* far ahead: grows; time moves on: the past is dropped */
	sl_resv_add(&r, 1, 5000, 5010, 50, 0);
	assert_int_equal(sl_resv_used(&r, 1, 0, 5009), 50);
	sl_resv_advance(&r, 4000);
	assert_int_equal(sl_resv_used(&r, 1, 0, 5005), 50);
	sl_resv_mark_start(&r, 1, 5003, 1);
	sl_resv_mark_start(&r, 1, 10, 1); /* the past: ignored */
	assert_int_equal(sl_resv_starts(&r, 1, 5003), 1);
	assert_int_equal(sl_resv_starts(&r, 1, 5004), 0);
	/* far enough on that the arrays move down: what is ahead survives */
	sl_resv_advance(&r, 5002);
	sl_resv_advance(&r, 20000);
	assert_int_equal(r.base, 20000);
	assert_int_equal(sl_resv_used(&r, 1, 0, 20000), 0);
	sl_resv_add(&r, 1, 20001, 20003, 7, 0);
	sl_resv_advance(&r, 20002);
	assert_int_equal(sl_resv_used(&r, 1, 0, 20002), 7);
	assert_int_equal(sl_resv_used(&r, 1, 0, 20003), 0);
	sl_resv_release(&r);
	sl_network_free(net);
}

/* Random profile on site 0 over steps [now, now + 60), with planned
 * starts marked at random steps. */
static void random_profile(sl_resv *r, sl_rng *g, int64_t now)
{
	for (int i = 0; i < 12; i++) {
		int64_t a = now + (int64_t)sl_rng_below(g, 60), b = a + 1 + (int64_t)sl_rng_below(g, 10);
		sl_resv_add(r, 0, a, b, (int32_t)sl_rng_below(g, 5), (int32_t)sl_rng_below(g, 3));
		if (sl_rng_below(g, 2))
			sl_resv_mark_start(r, 0, a, 1);
	}
}

static int fits_brute(const sl_resv *r, int64_t k0, int64_t k1, int32_t c, int32_t g)
{
	for (int64_t k = k0; k < k1; k++)
		if (sl_resv_used(r, 0, 0, k) + c > 10 || sl_resv_used(r, 0, 1, k) + g > 4)
			return 0;
	return 1;
}

static int startable_brute(const sl_resv *r, int64_t k0, int64_t k1, int32_t c, int32_t g)
{
	if (!fits_brute(r, k0, k0 + 1, c, g))
		return 0;
	for (int64_t k = k0 + 1; k < k1; k++)
		if (sl_resv_starts(r, 0, k) > 0 && !fits_brute(r, k, k + 1, c, g))
			return 0;
	return 1;
}

static void test_against_brute_force(void **st)
{
	(void)st;
	sl_network *net = net2();
	sl_rng g;
	sl_rng_seed(&g, 42);
	int feasible = 0, startable_only = 0;
	for (int round = 0; round < 300; round++) {
		sl_resv r;
		int64_t now = 1000 + round;
		sl_resv_init(&r, net, now);
		random_profile(&r, &g, now);
		int32_t c = (int32_t)sl_rng_below(&g, 8), gp = (int32_t)sl_rng_below(&g, 4);
		int64_t len = 1 + (int64_t)sl_rng_below(&g, 12), ks = now + (int64_t)sl_rng_below(&g, 5);
		int64_t ke = ks + (int64_t)sl_rng_below(&g, 40);
		uint8_t a[64], b[64];
		sl_resv_scan(&r, 0, ks, ke, len, c, gp, a);
		sl_resv_scan_start(&r, 0, ks, ke, len, c, gp, b);
		int64_t first = -1, first_s = -1;
		for (int64_t k = ks; k <= ke; k++) {
			int f = fits_brute(&r, k, k + len, c, gp), s = startable_brute(&r, k, k + len, c, gp);
			assert_int_equal(a[k - ks], f);
			assert_int_equal(sl_resv_fits(&r, 0, k, k + len, c, gp), f);
			assert_int_equal(b[k - ks], s);
			assert_int_equal(sl_resv_startable(&r, 0, k, k + len, c, gp), s);
			assert_true(s || !f); /* the rule is weaker than fitting everywhere */
			feasible += f;
			startable_only += s && !f;
			if (f && first < 0)
				first = k;
			if (s && first_s < 0)
				first_s = k;
		}
		assert_int_equal(sl_resv_earliest(&r, 0, ks, ke, len, c, gp), first);
		assert_int_equal(sl_resv_earliest_start(&r, 0, ks, ke, len, c, gp), first_s);
		sl_resv_release(&r);
	}
	assert_true(feasible > 100);       /* the cases are not all empty... */
	assert_true(startable_only > 50);  /* ...and the rule admits more than fitting */
	sl_network_free(net);
}

/* A job bigger than the site never fits, however far the search goes. */
static void test_too_big_never(void **st)
{
	(void)st;
	sl_network *net = net2();
	sl_resv r;
	sl_resv_init(&r, net, 0);
	assert_int_equal(sl_resv_earliest(&r, 0, 0, 100000, 3, 11, 0), -1);
	assert_int_equal(sl_resv_earliest_start(&r, 0, 0, 100000, 3, 0, 5), -1);
	assert_int_equal(sl_resv_earliest_start(&r, 0, 0, 100000, 3, 10, 4), 0);
	sl_resv_release(&r);
	sl_network_free(net);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_remove_clip),
		cmocka_unit_test(test_against_brute_force),
		cmocka_unit_test(test_too_big_never),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
