/*
 * gen_arrivals.c — when generated jobs arrive.
 *
 * Each origin's arrivals are a non-homogeneous Poisson process whose rate
 * follows a diurnal and weekly profile in the origin's local time.  The
 * generator fixes the number of jobs first (to meet the offered load), and
 * given their count the arrival times of a Poisson process are independent
 * draws from the normalised rate (the order-statistics property).  So each
 * origin's times are drawn as sorted uniforms (from exponential spacings,
 * O(n), no sort) pushed through the inverse of the cumulative rate, and the
 * per-origin sorted lists are merged.
 */
#include "sim/gen_int.h"

#include <math.h>
#include <string.h>

#include "core/mem.h"
#include "core/rng.h"
#include "core/time.h"

/* The mean of the hour-of-day and day-of-week submission profiles of three
 * Parallel Workloads Archive logs (CTC-SP2-1996, KTH-SP2-1996, HPC2N-2002;
 * each profile scaled to its peak, local time by the log's TimeZone header),
 * computed for suanli; docs/trace-format.md gives the method. */
const double sl__gen_hour_weight[24] = {
	0.30, 0.23, 0.16, 0.12, 0.11, 0.11, 0.16, 0.30, 0.60, 0.82, 0.96, 0.95,
	0.97, 1.00, 1.00, 1.00, 0.90, 0.81, 0.55, 0.53, 0.49, 0.49, 0.47, 0.43,
};
const double sl__gen_wday_weight[7] = {0.96, 0.97, 1.00, 0.99, 0.88, 0.51, 0.53};

/* The cumulative arrival weight of one origin over hour bins.  Bin k covers
 * [b0 + k h, b0 + (k+1) h) clipped to [start, end); its weight is its length
 * times the profile at the bin's middle in local time.
 * Invariant: cum[0] = 0, cum is strictly increasing, cum[nb] = total. */
typedef struct profile {
	int64_t b0, start, end;
	int64_t nb;
	double *cum;
} profile;

static void bin_span(const profile *pf, int64_t k, int64_t *lo, int64_t *hi)
{
	int64_t a = pf->b0 + k * SL_HOUR, b = a + SL_HOUR;
	*lo = a > pf->start ? a : pf->start;
	*hi = b < pf->end ? b : pf->end;
}

static void profile_build(profile *pf, int64_t start, int64_t end, int32_t utc_offset_s)
{
	pf->start = start;
	pf->end = end;
	pf->b0 = sl_floor_div(start, SL_HOUR) * SL_HOUR;
	pf->nb = (end - pf->b0 + SL_HOUR - 1) / SL_HOUR;
	pf->cum = sl_malloc((size_t)(pf->nb + 1) * sizeof *pf->cum);
	pf->cum[0] = 0;
	for (int64_t k = 0; k < pf->nb; k++) {
		int64_t lo, hi;
		sl_civil c;
		bin_span(pf, k, &lo, &hi);
		sl_time_to_civil(pf->b0 + k * SL_HOUR + SL_HOUR / 2, utc_offset_s, &c);
		double w = sl__gen_hour_weight[c.hour] * sl__gen_wday_weight[c.wday];
		pf->cum[k + 1] = pf->cum[k] + (double)(hi - lo) * w;
	}
}

/* The time at cumulative weight w, searching forward from bin *k (callers
 * ask for non-decreasing w, so a whole origin costs O(n + bins)). */
static int64_t profile_time(const profile *pf, double w, int64_t *k)
{
	while (*k < pf->nb - 1 && pf->cum[*k + 1] <= w)
		(*k)++;
	int64_t lo, hi;
	bin_span(pf, *k, &lo, &hi);
	double frac = (w - pf->cum[*k]) / (pf->cum[*k + 1] - pf->cum[*k]);
	int64_t t = lo + (int64_t)floor(frac * (double)(hi - lo));
	return t < lo ? lo : t >= hi ? hi - 1 : t;
}

/* n sorted arrival times of one origin into t[0..n). */
static void origin_times(const profile *pf, sl_rng *rng, int64_t *t, size_t n, double *scratch)
{
	double sum = 0, acc = 0, total = pf->cum[pf->nb];
	int64_t k = 0;
	for (size_t i = 0; i <= n; i++) {
		scratch[i] = sl_rng_exp(rng, 1.0);
		sum += scratch[i];
	}
	for (size_t i = 0; i < n; i++) {
		acc += scratch[i];
		double u = sum > 0 ? acc / sum : 0;
		t[i] = profile_time(pf, (u < 1 ? u : 1) * total, &k);
	}
}

/* Apply the permutation "job i goes to slot dest[i]" in place. */
static void permute(sl_job *jobs, uint32_t *dest, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		while (dest[i] != i) {
			uint32_t d = dest[i];
			sl_job tj = jobs[i];
			jobs[i] = jobs[d];
			jobs[d] = tj;
			dest[i] = dest[d];
			dest[d] = d;
		}
	}
}

/* Merge the per-origin sorted lists: list o is tm/idx[off[o] .. off[o+1]).
 * Origins are few, so a linear scan per output beats a heap. */
static void merge(const sl_network *net, const size_t *off, const int64_t *tm,
                  const uint32_t *idx, sl_job *jobs, uint32_t *dest, size_t n)
{
	size_t *head = sl_malloc((size_t)net->norigins * sizeof *head);
	memcpy(head, off, (size_t)net->norigins * sizeof *head);
	for (size_t r = 0; r < n; r++) {
		int best = -1;
		for (int o = 0; o < net->norigins; o++)
			if (head[o] < off[o + 1] && (best < 0 || tm[head[o]] < tm[head[best]]))
				best = o;
		size_t h = head[best]++;
		jobs[idx[h]].submit = tm[h];
		dest[idx[h]] = (uint32_t)r;
	}
	sl_free(head);
}

void sl__gen_arrivals(const sl_network *net, int64_t start, int64_t end, uint64_t seed,
                      sl_job *jobs, size_t n)
{
	size_t *off = sl_calloc((size_t)net->norigins + 1, sizeof *off);
	size_t *fill = sl_calloc((size_t)net->norigins, sizeof *fill);
	uint32_t *idx = sl_malloc((n ? n : 1) * sizeof *idx);
	uint32_t *dest = sl_malloc((n ? n : 1) * sizeof *dest);
	int64_t *tm = sl_malloc((n ? n : 1) * sizeof *tm);
	double *scratch = sl_malloc((n + 1) * sizeof *scratch);
	sl_rng rng;
	sl_rng_seed(&rng, seed);
	for (size_t g = 0; g < n; g++)
		off[jobs[g].origin + 1]++;
	for (int o = 0; o < net->norigins; o++)
		off[o + 1] += off[o];
	for (size_t g = 0; g < n; g++) {
		int o = jobs[g].origin;
		idx[off[o] + fill[o]++] = (uint32_t)g;
	}
	for (int o = 0; o < net->norigins; o++) {
		profile pf;
		profile_build(&pf, start, end, net->origins[o].utc_offset_s);
		origin_times(&pf, &rng, tm + off[o], off[o + 1] - off[o], scratch);
		sl_free(pf.cum);
	}
	merge(net, off, tm, idx, jobs, dest, n);
	permute(jobs, dest, n);
	for (size_t r = 0; r < n; r++)
		jobs[r].id = (int64_t)r + 1;
	sl_free(scratch);
	sl_free(tm);
	sl_free(dest);
	sl_free(idx);
	sl_free(fill);
	sl_free(off);
}
