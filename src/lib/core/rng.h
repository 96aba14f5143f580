/*
 * rng.h — a seeded pseudo-random generator (xoshiro256**, seeded through
 * splitmix64).  Deterministic across platforms for a given seed: the only
 * randomness the library uses.  State lives in the caller's sl_rng.
 */
#ifndef SL_RNG_H
#define SL_RNG_H

#include <stdint.h>

typedef struct sl_rng {
	uint64_t s[4];
} sl_rng;

void     sl_rng_seed(sl_rng *r, uint64_t seed);
uint64_t sl_rng_u64(sl_rng *r);
double   sl_rng_double(sl_rng *r);                 /* [0, 1) */
uint64_t sl_rng_below(sl_rng *r, uint64_t n);      /* [0, n), unbiased; n > 0 */
double   sl_rng_uniform(sl_rng *r, double lo, double hi);
double   sl_rng_exp(sl_rng *r, double mean);       /* exponential */
double   sl_rng_normal(sl_rng *r, double mu, double sigma);
double   sl_rng_loguniform(sl_rng *r, double lo, double hi); /* lo, hi > 0 */
/* Index drawn from weights w[0..n-1] (non-negative, not all zero). */
int      sl_rng_pick(sl_rng *r, const double *w, int n);

#endif
