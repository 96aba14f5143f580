/*
 * test_forecast.c — the forecast models (sched/forecast.h) over a fake
 * view whose truth is a known series: perfect is the truth; persistence is
 * the same hour of the latest observed day (yesterday up to a day ahead,
 * the day before up to two days ahead); noisy is seeded and deterministic,
 * exact once the step has begun, grows with the lead and differs between
 * seeds; which signals go through the model (carbon and green always,
 * prices only from a price series, PUE never); fill and issued forecasts;
 * names and bad options.
 *
 * Network: two sites in zones Z0 (tariff by rules) and Z1 (price series),
 * 1 h steps over 5 days.  The fake view answers, for signal kind at site
 * s and step k: 1000 * kind + 100 * s + k (distinct everywhere).
 */
#include "testutil.h"

#include "simfix.h"
#include "sched/forecast.h"

#define T0 FIX_T0
#define H 3600

static double truth(int kind, int site, int64_t k)
{
	return 1000.0 * kind + 100.0 * site + (double)k;
}

static void fake_state(const void *ctx, int site, sl_site_state *out)
{
	(void)ctx;
	(void)site;
	memset(out, 0, sizeof *out);
}

/* Added to every answer: a live override, for test_signal_gen. */
static double shift;

static double fake_signal(const void *ctx, int kind, int site, int64_t t)
{
	(void)ctx;
	return truth(kind, site, (t - T0) / H) + shift;
}

static const sl_view_ops fake_ops = {fake_state, fake_signal, NULL};

typedef struct fx {
	sl_network *net;
	sl_view v;
} fx;

static int setup(void **st)
{
	fx *x = calloc(1, sizeof *x);
	x->net = fix_net_new(T0, H, 120);
	int z0 = fix_zone(x->net, "Z0", 500, 0.5);
	int z1 = fix_zone(x->net, "Z1", 400, 0.9);
	x->net->tariffs[1].id = "series";
	x->net->tariffs[1].has_series = 1;
	x->net->ntariffs = 2;
	x->net->zones[z1].tariff = 1;
	fix_site(x->net, "A", z0, "CN", 10, 0, 1, 2, 0, 0, 1.2);
	fix_site(x->net, "B", z1, "SG", 10, 0, 1, 2, 0, 0, 1.2);
	x->v.ops = &fake_ops;
	x->v.net = x->net;
	x->v.now = T0 + 50 * H + 1234; /* inside step 50 */
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

static sl_forecast *make(const fx *x, int model, double error, uint64_t seed)
{
	sl_forecast_opts o = {model, error, seed};
	sl_forecast *f = NULL;
	assert_int_equal(sl_forecast_new(x->net, &o, 96, &f, NULL), 0);
	return f;
}

static void test_perfect_is_truth(void **st)
{
	fx *x = *st;
	sl_forecast *f = make(x, SL_FC_PERFECT, 0, 1);
	for (int kind = 0; kind < SL_SIG_COUNT; kind++)
		for (int64_t k = 40; k < 130; k += 7)
			assert_true(sl_forecast_step(f, &x->v, kind, 1, k) == truth(kind, 1, k));
	assert_true(sl_forecast_at(f, &x->v, SL_SIG_CARBON_G_PER_KWH, 0, T0 + 70 * H + 5) ==
	            truth(SL_SIG_CARBON_G_PER_KWH, 0, 70));
	sl_forecast_free(f);
}

/* The cache keeps what the view answered until its signal_gen changes (a
 * live override in the service): then every step is read again. */
static void test_signal_gen(void **st)
{
	fx *x = *st;
	int c = SL_SIG_CARBON_G_PER_KWH;
	const int models[] = {SL_FC_PERFECT, SL_FC_NOISY};
	for (int m = 0; m < 2; m++) {
		int model = models[m];
		sl_forecast *f = make(x, model, 0.1, 1);
		double before[3], after[3];
		sl_forecast_fill(f, &x->v, c, 0, 60, 3, before);
		shift = 1000;
		double cached = sl_forecast_step(f, &x->v, c, 0, 70);
		x->v.signal_gen++;
		sl_forecast_fill(f, &x->v, c, 0, 60, 3, after);
		double fresh = sl_forecast_step(f, &x->v, c, 0, 70);
		shift = 0;
		x->v.signal_gen++;
		if (model == SL_FC_PERFECT) {
			assert_true(cached == truth(c, 0, 70));
			assert_true(fresh == truth(c, 0, 70) + 1000);
		} else {
			assert_true(fresh > cached + 500); /* a factor near 1 of a value 1000 higher */
		}
		for (int i = 0; i < 3; i++)
			assert_true(after[i] > before[i] + 500);
		assert_true(sl_forecast_step(f, &x->v, c, 0, 70) == cached);
		sl_forecast_free(f);
	}
}

static void test_persistence(void **st)
{
	fx *x = *st;
	sl_forecast *f = make(x, SL_FC_PERSISTENCE, 0, 1);
	int c = SL_SIG_CARBON_G_PER_KWH;
	/* now is in step 50: steps up to 50 are observed */
	assert_true(sl_forecast_step(f, &x->v, c, 0, 50) == truth(c, 0, 50));
	assert_true(sl_forecast_step(f, &x->v, c, 0, 45) == truth(c, 0, 45));
	/* up to a day ahead: yesterday's same hour */
	assert_true(sl_forecast_step(f, &x->v, c, 0, 51) == truth(c, 0, 27));
	assert_true(sl_forecast_step(f, &x->v, c, 0, 74) == truth(c, 0, 50));
	/* one to two days ahead: the day before */
	assert_true(sl_forecast_step(f, &x->v, c, 0, 75) == truth(c, 0, 27));
	assert_true(sl_forecast_step(f, &x->v, c, 1, 98) == truth(c, 1, 50));
	assert_true(sl_forecast_step(f, &x->v, c, 1, 99) == truth(c, 1, 27)); /* 3 days back */
	/* green supply goes through the model too */
	assert_true(sl_forecast_step(f, &x->v, SL_SIG_GREEN_W, 1, 60) == truth(SL_SIG_GREEN_W, 1, 36));
	sl_forecast_free(f);
}

static void test_what_is_modelled(void **st)
{
	fx *x = *st;
	sl_forecast *f = make(x, SL_FC_PERSISTENCE, 0, 1);
	int p = SL_SIG_PRICE_CNY_PER_KWH;
	/* Z0's tariff is rules (published): known ahead; Z1's is a series. */
	assert_int_equal(sl_forecast_modelled(f, p, 0), 0);
	assert_int_equal(sl_forecast_modelled(f, p, 1), 1);
	assert_int_equal(sl_forecast_modelled(f, SL_SIG_PUE, 1), 0);
	assert_int_equal(sl_forecast_modelled(f, SL_SIG_CARBON_G_PER_KWH, 0), 1);
	assert_true(sl_forecast_step(f, &x->v, p, 0, 60) == truth(p, 0, 60));
	assert_true(sl_forecast_step(f, &x->v, p, 1, 60) == truth(p, 1, 36));
	assert_true(sl_forecast_step(f, &x->v, SL_SIG_PUE, 1, 60) == truth(SL_SIG_PUE, 1, 60));
	sl_forecast_free(f);
	f = make(x, SL_FC_PERFECT, 0, 1);
	assert_int_equal(sl_forecast_modelled(f, SL_SIG_CARBON_G_PER_KWH, 0), 0);
	sl_forecast_free(f);
}

static void test_noisy_seeded(void **st)
{
	fx *x = *st;
	sl_forecast *a = make(x, SL_FC_NOISY, 0.2, 7), *b = make(x, SL_FC_NOISY, 0.2, 7);
	sl_forecast *c = make(x, SL_FC_NOISY, 0.2, 8);
	int kc = SL_SIG_CARBON_G_PER_KWH, differ = 0;
	double vb[120];
	for (int64_t k = 119; k >= 30; k--) /* b is asked in the other order */
		vb[k] = sl_forecast_step(b, &x->v, kc, 0, k);
	for (int64_t k = 30; k < 120; k++) {
		double va = sl_forecast_step(a, &x->v, kc, 0, k);
		assert_true(va == vb[k]); /* same seed: the same value */
		differ += va != sl_forecast_step(c, &x->v, kc, 0, k);
		if (k <= 50)
			assert_true(va == truth(kc, 0, k)); /* observed: exact */
		else
			assert_true(va >= 0);
	}
	assert_true(differ >= 60); /* another seed, other noise (all future steps) */
	/* sites in one zone share the grid forecast's noise; here zones differ */
	assert_true(sl_forecast_step(a, &x->v, kc, 0, 80) / truth(kc, 0, 80) !=
	            sl_forecast_step(a, &x->v, kc, 1, 80) / truth(kc, 1, 80));
	sl_forecast_free(a);
	sl_forecast_free(b);
	sl_forecast_free(c);
}

/* The relative error grows with the lead: about error x sqrt(lead / 24 h)
 * as a standard deviation, so its spread over many steps at 24 h is near
 * `error` and at 6 h near half of it. */
static void test_noisy_error_scale(void **st)
{
	fx *x = *st;
	sl_forecast *f = make(x, SL_FC_NOISY, 0.2, 3);
	double s24 = 0, s6 = 0;
	int n = 0, kc = SL_SIG_CARBON_G_PER_KWH;
	for (int64_t now = 0; now < 2000; now++, n++) {
		x->v.now = T0 + now * H;
		double t24 = truth(kc, 0, now + 24), t6 = truth(kc, 0, now + 6);
		double e24 = sl_forecast_step(f, &x->v, kc, 0, now + 24) / t24 - 1;
		double e6 = sl_forecast_step(f, &x->v, kc, 0, now + 6) / t6 - 1;
		s24 += e24 * e24;
		s6 += e6 * e6;
	}
	double sd24 = sqrt(s24 / n), sd6 = sqrt(s6 / n);
	assert_true(sd24 > 0.17 && sd24 < 0.23);
	assert_true(sd6 > 0.08 && sd6 < 0.12);
	sl_forecast_free(f);
}

static void test_fill_and_issued(void **st)
{
	fx *x = *st;
	sl_forecast *f = make(x, SL_FC_NOISY, 0.3, 11);
	double out[40];
	int kc = SL_SIG_CARBON_G_PER_KWH;
	sl_forecast_fill(f, &x->v, kc, 1, 45, 40, out);
	for (int i = 0; i < 40; i++)
		assert_true(out[i] == sl_forecast_step(f, &x->v, kc, 1, 45 + i));
	/* issued at step 44: step 50 is a forecast (lead 6), not the truth */
	sl_forecast_fill_issued(f, &x->v, 44, kc, 1, 50, 1, out);
	assert_true(out[0] != truth(kc, 1, 50));
	sl_view w = x->v;
	w.now = T0 + 44 * H;
	assert_true(out[0] == sl_forecast_step(f, &w, kc, 1, 50));
	sl_forecast_free(f);
}

static void test_names_and_errors(void **st)
{
	fx *x = *st;
	sl_forecast *f = NULL;
	sl_err e = {0};
	for (int m = SL_FC_PERFECT; m <= SL_FC_NOISY; m++)
		assert_int_equal(sl_forecast_model_parse(sl_forecast_model_name(m)), m);
	assert_int_equal(sl_forecast_model_parse("crystal-ball"), -1);
	sl_forecast_opts bad = {7, 0, 0};
	assert_int_equal(sl_forecast_new(x->net, &bad, 96, &f, &e), SL_EINVAL);
	sl_forecast_opts neg = {SL_FC_NOISY, -0.1, 0};
	assert_int_equal(sl_forecast_new(x->net, &neg, 96, &f, &e), SL_EINVAL);
	assert_non_null(strstr(e.msg, "error"));
	assert_null(f);
	char buf[96];
	sl_forecast_opts o = {SL_FC_NOISY, 0.15, 7};
	sl_forecast_describe(&o, buf, sizeof buf);
	assert_string_equal(buf, "noisy (error 15 % at 24 h, seed 7)");
	sl_forecast_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_perfect_is_truth, setup, teardown),
		cmocka_unit_test_setup_teardown(test_persistence, setup, teardown),
		cmocka_unit_test_setup_teardown(test_signal_gen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_what_is_modelled, setup, teardown),
		cmocka_unit_test_setup_teardown(test_noisy_seeded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_noisy_error_scale, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fill_and_issued, setup, teardown),
		cmocka_unit_test_setup_teardown(test_names_and_errors, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
