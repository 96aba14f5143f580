/*
 * rng.c — xoshiro256** with splitmix64 seeding; derived distributions.
 */
#include "core/rng.h"

#include <math.h>

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void sl_rng_seed(sl_rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t sl_rng_u64(sl_rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

double sl_rng_double(sl_rng *r)
{
	return (double)(sl_rng_u64(r) >> 11) * 0x1.0p-53;
}

uint64_t sl_rng_below(sl_rng *r, uint64_t n)
{
	uint64_t limit = -n % n; /* reject the biased low part */
	uint64_t x;
	do
		x = sl_rng_u64(r);
	while (x < limit);
	return x % n;
}

double sl_rng_uniform(sl_rng *r, double lo, double hi)
{
	return lo + (hi - lo) * sl_rng_double(r);
}

double sl_rng_exp(sl_rng *r, double mean)
{
	return -mean * log1p(-sl_rng_double(r));
}

double sl_rng_normal(sl_rng *r, double mu, double sigma)
{
	/* Box–Muller; one of the pair is discarded to keep the state simple. */
	double u1 = 1.0 - sl_rng_double(r), u2 = sl_rng_double(r);
	return mu + sigma * sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

double sl_rng_loguniform(sl_rng *r, double lo, double hi)
{
	return exp(sl_rng_uniform(r, log(lo), log(hi)));
}

int sl_rng_pick(sl_rng *r, const double *w, int n)
{
	double total = 0;
	for (int i = 0; i < n; i++)
		total += w[i];
	double x = sl_rng_double(r) * total;
	for (int i = 0; i < n; i++) {
		if (x < w[i])
			return i;
		x -= w[i];
	}
	for (int i = n - 1; i >= 0; i--)
		if (w[i] > 0)
			return i;
	return 0;
}
