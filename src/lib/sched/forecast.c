/*
 * forecast.c — the forecast models of forecast.h over a cache of true
 * step values.
 *
 * Cache: per (site, signal) a ring of C entries (C a power of two sized
 * for the horizon, the persistence look-back and one read-ahead chunk),
 * entry k & (C - 1) holding step k's true value and, for the noisy model,
 * its z.  The tag says which step an entry holds; a miss reads FC_CHUNK
 * steps from the view at once (the tables move a step at a time) and
 * overwrites.  Correctness never depends on C, only the number of view
 * reads does.  When the view's signal_gen changes (a live override) the
 * ring is emptied: its true values may no longer be.
 */
#include "sched/forecast.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/mem.h"
#include "core/time.h"

#define FC_CHUNK 32

typedef struct fc_entry {
	int64_t tag;     /* the step held, INT64_MIN when empty */
	double truth;
	double z;        /* standard normal for this step (noisy model) */
} fc_entry;

struct sl_forecast {
	const sl_network *net;
	sl_forecast_opts o;
	int32_t day_steps;      /* steps per day, >= 1 */
	size_t mask;            /* ring size - 1 */
	fc_entry *ring;         /* [nsites][SL_SIG_COUNT][mask + 1] */
	double *sigma;          /* [nsigma]: noisy log-error by lead in steps */
	double *half_var;       /* [nsigma]: sigma^2 / 2 (keeps the mean) */
	int32_t nsigma;         /* leads >= nsigma - 1 use the last */
	uint64_t gen;           /* the view's signal_gen the ring was read under */
};

const char *sl_forecast_model_name(int model)
{
	switch (model) {
	case SL_FC_PERFECT: return "perfect";
	case SL_FC_PERSISTENCE: return "persistence";
	case SL_FC_NOISY: return "noisy";
	default: return "unknown";
	}
}

int sl_forecast_model_parse(const char *s)
{
	for (int m = SL_FC_PERFECT; m <= SL_FC_NOISY; m++)
		if (strcmp(s, sl_forecast_model_name(m)) == 0)
			return m;
	return -1;
}

void sl_forecast_describe(const sl_forecast_opts *o, char *buf, size_t n)
{
	if (o->model == SL_FC_NOISY)
		snprintf(buf, n, "noisy (error %g %% at 24 h, seed %llu)", o->error * 100,
		         (unsigned long long)o->seed);
	else if (o->model == SL_FC_PERSISTENCE)
		snprintf(buf, n, "persistence (same hour, latest observed day)");
	else
		snprintf(buf, n, "perfect (oracle: the true future)");
}


int sl_forecast_new(const sl_network *net, const sl_forecast_opts *o, int32_t horizon_steps,
                    sl_forecast **out, sl_err *err)
{
	if (o->model < SL_FC_PERFECT || o->model > SL_FC_NOISY)
		return sl_err_set(err, SL_EINVAL, "forecast", "unknown forecast model %d", o->model);
	if (!(o->error >= 0 && isfinite(o->error)))
		return sl_err_set(err, SL_EINVAL, "forecast", "error must be a finite number >= 0");
	if (net->step_s <= 0 || net->nsites <= 0)
		return sl_err_set(err, SL_EINVAL, "forecast", "network has no sites or no signal step");
	sl_forecast *f = sl_calloc(1, sizeof *f);
	f->net = net;
	f->o = *o;
	f->day_steps = SL_DAY / net->step_s > 0 ? (int32_t)(SL_DAY / net->step_s) : 1;
	size_t need = (size_t)(horizon_steps > 0 ? horizon_steps : 1) + 2 * (size_t)f->day_steps + 2 +
	              FC_CHUNK;
	size_t c = 64;
	while (c < need)
		c *= 2;
	f->mask = c - 1;
	size_t total = (size_t)net->nsites * SL_SIG_COUNT * c;
	f->ring = sl_malloc(total * sizeof *f->ring);
	for (size_t i = 0; i < total; i++)
		f->ring[i].tag = INT64_MIN;
	f->nsigma = (int32_t)(SL_FC_NOISE_CAP_S / net->step_s) + 2;
	f->sigma = sl_malloc((size_t)f->nsigma * sizeof *f->sigma);
	f->half_var = sl_malloc((size_t)f->nsigma * sizeof *f->half_var);
	for (int32_t l = 0; l < f->nsigma; l++) {
		double lead_s = (double)l * net->step_s;
		if (lead_s > SL_FC_NOISE_CAP_S)
			lead_s = SL_FC_NOISE_CAP_S;
		f->sigma[l] = o->error * sqrt(lead_s / SL_DAY);
		f->half_var[l] = f->sigma[l] * f->sigma[l] / 2;
	}
	*out = f;
	return 0;
}

void sl_forecast_free(sl_forecast *f)
{
	if (!f)
		return;
	sl_free(f->ring);
	sl_free(f->sigma);
	sl_free(f->half_var);
	sl_free(f);
}

static uint64_t mix64(uint64_t x)
{
	x += 0x9E3779B97F4A7C15ull;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
	return x ^ (x >> 31);
}

/* A standard normal deviate determined by (seed, kind, key, step), with no
 * stream state: the sum of four 16-bit uniforms from one hash, centred and
 * scaled to unit variance (Irwin-Hall, n = 4: close to normal within
 * +-3.46 sigma, which bounds the relative error at 3.46 x error).  No
 * libm, so the same on every platform. */
static double noise_z(uint64_t seed, int kind, int key, int64_t k)
{
	uint64_t h = mix64(seed ^ mix64((uint64_t)k ^ ((uint64_t)(uint32_t)key << 40) ^
	                                ((uint64_t)kind << 56)));
	double sum = 0;
	for (int i = 0; i < 4; i++, h >>= 16)
		sum += (double)(h & 0xffff) + 0.5;
	return (sum / 65536.0 - 2.0) * 1.7320508075688772; /* var(sum of 4 U) = 1/3 */
}

/* 2^(j / 32), j = 0 .. 31, as exact literals. */
static const double exp2_32[32] = {
	0x1.0000000000000p+0, 0x1.059b0d3158574p+0, 0x1.0b5586cf9890fp+0,
	0x1.11301d0125b51p+0, 0x1.172b83c7d517bp+0, 0x1.1d4873168b9aap+0,
	0x1.2387a6e756238p+0, 0x1.29e9df51fdee1p+0, 0x1.306fe0a31b715p+0,
	0x1.371a7373aa9cbp+0, 0x1.3dea64c123422p+0, 0x1.44e086061892dp+0,
	0x1.4bfdad5362a27p+0, 0x1.5342b569d4f82p+0, 0x1.5ab07dd485429p+0,
	0x1.6247eb03a5585p+0, 0x1.6a09e667f3bcdp+0, 0x1.71f75e8ec5f74p+0,
	0x1.7a11473eb0187p+0, 0x1.82589994cce13p+0, 0x1.8ace5422aa0dbp+0,
	0x1.93737b0cdc5e5p+0, 0x1.9c49182a3f090p+0, 0x1.a5503b23e255dp+0,
	0x1.ae89f995ad3adp+0, 0x1.b7f76f2fb5e47p+0, 0x1.c199bdd85529cp+0,
	0x1.cb720dcef9069p+0, 0x1.d5818dcfba487p+0, 0x1.dfc97337b9b5fp+0,
	0x1.ea4afa2a490dap+0, 0x1.f50765b6e4540p+0,
};

/* e^x for the noise factor: 2^(x / ln 2) split into 2^(m / 32) (an
 * integer power put straight into the exponent bits of an IEEE 754 double,
 * times a table entry) and e^r for r in [0, ln 2 / 32), a cubic (relative
 * error under 1e-8, plenty for a forecast error).  Plain arithmetic, so
 * the same bits on every platform; the forecast tables call it about once
 * per step, signal and site at every issue.  |x| is clamped to 700. */
static inline double fast_exp(double x)
{
	x = x < -700 ? -700 : x > 700 ? 700 : x;
	double t = x * 46.16624130844683; /* x * 32 / ln 2 */
	int64_t m = (int64_t)t;
	m -= (double)m > t; /* floor */
	double r = (t - (double)m) * 0.021660849392498290; /* ln 2 / 32 */
	double p = 1 + r * (1 + r * (0.5 + r * (1.0 / 6)));
	int64_t j = m & 31; /* two's complement: the residue, also below 0 */
	uint64_t bits = (uint64_t)((m - j) / 32 + 1023) << 52; /* 2^((m - j) / 32) */
	double scale;
	memcpy(&scale, &bits, sizeof scale);
	return p * exp2_32[j] * scale;
}

/* Whose noise a signal shares: the zone's for grid signals, else the site's. */
static int noise_key(const sl_network *net, int kind, int site)
{
	return kind == SL_SIG_GREEN_W ? net->nzones + site : net->sites[site].zone;
}

static inline fc_entry *ring_at(sl_forecast *f, int kind, int site, int64_t k)
{
	size_t c = f->mask + 1;
	return &f->ring[((size_t)site * SL_SIG_COUNT + (size_t)kind) * c +
	                ((size_t)(uint64_t)k & f->mask)];
}

/* Steps k .. k + FC_CHUNK - 1 into the ring. */
static void fetch(sl_forecast *f, const sl_view *v, int kind, int site, int64_t k)
{
	double truth[FC_CHUNK];
	int noisy = f->o.model == SL_FC_NOISY && sl_forecast_modelled(f, kind, site);
	sl_view_signal_steps(v, kind, site, k, FC_CHUNK, truth);
	for (int i = 0; i < FC_CHUNK; i++) {
		fc_entry *e = ring_at(f, kind, site, k + i);
		e->tag = k + i;
		e->truth = truth[i];
		e->z = noisy ? noise_z(f->o.seed, kind, noise_key(f->net, kind, site), k + i)
		             : 0.0; /* read only where the model applies */
	}
}

/* Empty the ring if the view's signals changed since it was read. */
static void sync_gen(sl_forecast *f, const sl_view *v)
{
	if (v->signal_gen == f->gen)
		return;
	size_t total = (size_t)f->net->nsites * SL_SIG_COUNT * (f->mask + 1);
	for (size_t i = 0; i < total; i++)
		f->ring[i].tag = INT64_MIN;
	f->gen = v->signal_gen;
}

static inline fc_entry *entry(sl_forecast *f, const sl_view *v, int kind, int site, int64_t k)
{
	fc_entry *e = ring_at(f, kind, site, k);
	if (e->tag != k)
		fetch(f, v, kind, site, k);
	return e;
}

int sl_forecast_modelled(const sl_forecast *f, int kind, int site)
{
	const sl_network *net = f->net;
	if (f->o.model == SL_FC_PERFECT)
		return 0;
	if (kind == SL_SIG_CARBON_G_PER_KWH || kind == SL_SIG_GREEN_W)
		return 1;
	if (kind == SL_SIG_PRICE_CNY_PER_KWH) {
		const sl_zone *z = &net->zones[net->sites[site].zone];
		return z->tariff >= 0 && z->tariff < net->ntariffs && net->tariffs[z->tariff].has_series;
	}
	return 0;
}

/* Step k forecast with lead (k - issue step) > 0 under the model. */
static inline double model_value(sl_forecast *f, const sl_view *v, int kind, int site, int64_t k,
                                 int64_t lead)
{
	if (f->o.model == SL_FC_PERSISTENCE) {
		int64_t days = (lead + f->day_steps - 1) / f->day_steps;
		return entry(f, v, kind, site, k - days * f->day_steps)->truth;
	}
	const fc_entry *e = entry(f, v, kind, site, k);
	if (e->truth == 0)
		return e->truth; /* no green supply: none forecast (the common case) */
	int64_t l = lead < f->nsigma ? lead : f->nsigma - 1;
	return e->truth * fast_exp(f->sigma[l] * e->z - f->half_var[l]);
}

double sl_forecast_step(sl_forecast *f, const sl_view *v, int kind, int site, int64_t k)
{
	sync_gen(f, v);
	int64_t lead = k - sl_forecast_step_of(f->net, v->now);
	if (lead <= 0 || !sl_forecast_modelled(f, kind, site))
		return entry(f, v, kind, site, k)->truth;
	return model_value(f, v, kind, site, k, lead);
}

void sl_forecast_fill(sl_forecast *f, const sl_view *v, int kind, int site, int64_t k0, int32_t n,
                      double *out)
{
	sl_forecast_fill_issued(f, v, sl_forecast_step_of(f->net, v->now), kind, site, k0, n, out);
}

void sl_forecast_fill_issued(sl_forecast *f, const sl_view *v, int64_t issue, int kind,
                             int site, int64_t k0, int32_t n, double *out)
{
	sync_gen(f, v);
	int modelled = sl_forecast_modelled(f, kind, site);
	if (!modelled || f->o.model != SL_FC_NOISY) {
		for (int32_t i = 0; i < n; i++) {
			int64_t k = k0 + i, lead = k - issue;
			out[i] = lead <= 0 || !modelled ? entry(f, v, kind, site, k)->truth
			                                : model_value(f, v, kind, site, k, lead);
		}
		return;
	}
	/* The noisy model in two passes, chunk by chunk: the cache first (its
	 * misses read the view), then the arithmetic alone, whose steps are
	 * independent of each other and overlap in the CPU. */
	double z[64];
	for (int32_t i0 = 0; i0 < n; i0 += 64) {
		int32_t m = n - i0 < 64 ? n - i0 : 64;
		for (int32_t i = 0; i < m; i++) {
			const fc_entry *e = entry(f, v, kind, site, k0 + i0 + i);
			out[i0 + i] = e->truth;
			z[i] = e->z;
		}
		for (int32_t i = 0; i < m; i++) {
			int64_t lead = k0 + i0 + i - issue;
			if (lead <= 0 || out[i0 + i] == 0)
				continue; /* the present is known; no green supply: none forecast */
			int64_t l = lead < f->nsigma ? lead : f->nsigma - 1;
			out[i0 + i] *= fast_exp(f->sigma[l] * z[i] - f->half_var[l]);
		}
	}
}

double sl_forecast_at(sl_forecast *f, const sl_view *v, int kind, int site, int64_t t)
{
	return sl_forecast_step(f, v, kind, site, sl_forecast_step_of(f->net, t));
}
