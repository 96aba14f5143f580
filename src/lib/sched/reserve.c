/*
 * reserve.c — per-site reservation profiles over signal steps (reserve.h).
 *
 * Each site has two flat arrays (cores, GPUs) indexed by step - base.  The
 * arrays only move when the present has advanced past half of them
 * (memmove down, zero the tail) or an addition reaches past their end
 * (grow to the next power of two), so both are amortised O(1) per step.
 * Reads past the end see 0 without growing anything.
 */
#include "sched/reserve.h"

#include <string.h>

#include "core/mem.h"

#define RESV_CAP0 256

void sl_resv_init(sl_resv *r, const sl_network *net, int64_t k_now)
{
	memset(r, 0, sizeof *r);
	r->nsites = net->nsites;
	r->base = r->now = k_now;
	r->cap = RESV_CAP0;
	size_t n = (size_t)r->nsites * (size_t)r->cap;
	r->use_c = sl_calloc(n ? n : 1, sizeof *r->use_c);
	r->use_g = sl_calloc(n ? n : 1, sizeof *r->use_g);
	r->starts = sl_calloc(n ? n : 1, sizeof *r->starts);
	r->sbits = sl_calloc(n / 64 ? n / 64 : 1, sizeof *r->sbits);
	r->inst_c = sl_calloc((size_t)(r->nsites ? r->nsites : 1), sizeof *r->inst_c);
	r->inst_g = sl_calloc((size_t)(r->nsites ? r->nsites : 1), sizeof *r->inst_g);
	for (int s = 0; s < r->nsites; s++) {
		r->inst_c[s] = net->sites[s].cores;
		r->inst_g[s] = net->sites[s].gpus;
	}
}

void sl_resv_release(sl_resv *r)
{
	sl_free(r->use_c);
	sl_free(r->use_g);
	sl_free(r->starts);
	sl_free(r->sbits);
	sl_free(r->inst_c);
	sl_free(r->inst_g);
	memset(r, 0, sizeof *r);
}

/* Re-lay the arrays with index 0 = new_base and room for new_cap steps. */
static void relayout(sl_resv *r, int64_t new_base, int32_t new_cap)
{
	size_t shift = (size_t)(new_base - r->base);
	size_t keep = shift < (size_t)r->cap ? (size_t)r->cap - shift : 0;
	size_t n = (size_t)r->nsites * (size_t)new_cap;
	int32_t *nc = sl_calloc(n ? n : 1, sizeof *nc);
	int32_t *ng = sl_calloc(n ? n : 1, sizeof *ng);
	int32_t *ns = sl_calloc(n ? n : 1, sizeof *ns);
	if (keep > (size_t)new_cap)
		keep = (size_t)new_cap;
	for (int s = 0; s < r->nsites; s++) {
		size_t from = (size_t)s * (size_t)r->cap + shift, to = (size_t)s * (size_t)new_cap;
		memcpy(nc + to, r->use_c + from, keep * sizeof *nc);
		memcpy(ng + to, r->use_g + from, keep * sizeof *ng);
		memcpy(ns + to, r->starts + from, keep * sizeof *ns);
	}
	sl_free(r->use_c);
	sl_free(r->use_g);
	sl_free(r->starts);
	sl_free(r->sbits);
	r->use_c = nc;
	r->use_g = ng;
	r->starts = ns;
	r->sbits = sl_calloc(n / 64 ? n / 64 : 1, sizeof *r->sbits);
	for (size_t i = 0; i < n; i++)
		if (ns[i] > 0)
			r->sbits[i / 64] |= 1ull << (i % 64);
	r->base = new_base;
	r->cap = new_cap;
}

void sl_resv_advance(sl_resv *r, int64_t k_now)
{
	if (k_now <= r->now)
		return;
	r->now = k_now;
	if (k_now - r->base >= r->cap / 2)
		relayout(r, k_now, r->cap);
}

/* Make step k addressable (growing the arrays). */
static void reach(sl_resv *r, int64_t k)
{
	if (k - r->base < r->cap)
		return;
	int64_t need = k + 1 - r->now, c = r->cap;
	while (c < 2 * need)
		c *= 2;
	relayout(r, r->now, (int32_t)c);
}

void sl_resv_add(sl_resv *r, int site, int64_t k0, int64_t k1, int32_t cores, int32_t gpus)
{
	if (k0 < r->now)
		k0 = r->now;
	if (k1 <= k0)
		return;
	reach(r, k1 - 1);
	int32_t *uc = r->use_c + (size_t)site * (size_t)r->cap;
	int32_t *ug = r->use_g + (size_t)site * (size_t)r->cap;
	for (int64_t i = k0 - r->base; i < k1 - r->base; i++) {
		uc[i] += cores;
		ug[i] += gpus;
	}
}

void sl_resv_mark_start(sl_resv *r, int site, int64_t k, int delta)
{
	if (k < r->now)
		return;
	reach(r, k);
	size_t i = (size_t)site * (size_t)r->cap + (size_t)(k - r->base);
	r->starts[i] += delta;
	if (r->starts[i] > 0)
		r->sbits[i / 64] |= 1ull << (i % 64);
	else
		r->sbits[i / 64] &= ~(1ull << (i % 64));
}

int32_t sl_resv_starts(const sl_resv *r, int site, int64_t k)
{
	if (k < r->base || k - r->base >= r->cap)
		return 0;
	return r->starts[(size_t)site * (size_t)r->cap + (size_t)(k - r->base)];
}

int32_t sl_resv_used(const sl_resv *r, int site, int gpu, int64_t k)
{
	if (k < r->base || k - r->base >= r->cap)
		return 0;
	const int32_t *u = gpu ? r->use_g : r->use_c;
	return u[(size_t)site * (size_t)r->cap + (size_t)(k - r->base)];
}

/* Is step k blocked for a job leaving thresholds tc, tg (installed minus
 * its need)? */
static inline int blocked(const int32_t *uc, const int32_t *ug, int64_t i, int64_t cap,
                          int32_t tc, int32_t tg)
{
	if (i >= cap)
		return tc < 0 || tg < 0;
	return uc[i] > tc || ug[i] > tg;
}

int sl_resv_fits(const sl_resv *r, int site, int64_t k0, int64_t k1, int32_t cores, int32_t gpus)
{
	const int32_t *uc = r->use_c + (size_t)site * (size_t)r->cap;
	const int32_t *ug = r->use_g + (size_t)site * (size_t)r->cap;
	int32_t tc = r->inst_c[site] - cores, tg = r->inst_g[site] - gpus;
	for (int64_t k = k0 < r->base ? r->base : k0; k < k1; k++)
		if (blocked(uc, ug, k - r->base, r->cap, tc, tg))
			return 0;
	return 1;
}

void sl_resv_scan(const sl_resv *r, int site, int64_t ks, int64_t ke, int64_t len, int32_t cores,
                  int32_t gpus, uint8_t *out)
{
	const int32_t *uc = r->use_c + (size_t)site * (size_t)r->cap;
	const int32_t *ug = r->use_g + (size_t)site * (size_t)r->cap;
	int32_t tc = r->inst_c[site] - cores, tg = r->inst_g[site] - gpus;
	if (ks < r->base)
		ks = r->base; /* callers ask from the present on */
	/* Walk back from the last step any window touches, keeping the nearest
	 * blocked step at or after k: start k fits when it is >= k + len. */
	int64_t next = INT64_MAX;
	for (int64_t k = ke + len - 1; k >= ks; k--) {
		if (blocked(uc, ug, k - r->base, r->cap, tc, tg))
			next = k;
		if (k <= ke)
			out[k - ks] = next >= k + len;
	}
}

int64_t sl_resv_earliest(const sl_resv *r, int site, int64_t ks, int64_t k_limit, int64_t len,
                         int32_t cores, int32_t gpus)
{
	const int32_t *uc = r->use_c + (size_t)site * (size_t)r->cap;
	const int32_t *ug = r->use_g + (size_t)site * (size_t)r->cap;
	int32_t tc = r->inst_c[site] - cores, tg = r->inst_g[site] - gpus;
	if (ks < r->base)
		ks = r->base;
	/* Forward, keeping where the current run of free steps began. */
	int64_t run = ks;
	for (int64_t k = ks; run <= k_limit; k++) {
		if (blocked(uc, ug, k - r->base, r->cap, tc, tg)) {
			if (k - r->base >= r->cap) /* past the end every step is alike */
				return -1;
			run = k + 1;
		} else if (k - run + 1 >= len) {
			return run;
		}
	}
	return -1;
}

/* ---------- the start rule ---------- */

/* A profile row of one site, and a job's thresholds.  cap is a multiple
 * of 64, so a site's bits start on a word. */
typedef struct row {
	const int32_t *uc, *ug;
	const uint64_t *bits;
	int64_t base, cap;
	int32_t tc, tg;
} row;

static row row_of(const sl_resv *r, int site, int32_t cores, int32_t gpus)
{
	size_t off = (size_t)site * (size_t)r->cap;
	return (row){r->use_c + off, r->use_g + off, r->sbits + off / 64, r->base, r->cap,
	             r->inst_c[site] - cores, r->inst_g[site] - gpus};
}

static inline int row_blocked(const row *w, int64_t k)
{
	return blocked(w->uc, w->ug, k - w->base, w->cap, w->tc, w->tg);
}

/* The first step in [from, to) where a start is planned and the job has
 * no room (a critical step), or INT64_MAX.  Visits set bits only. */
static int64_t next_critical(const row *w, int64_t from, int64_t to)
{
	int64_t i = from - w->base, end = (to - w->base < w->cap ? to - w->base : w->cap);
	while (i < end) {
		uint64_t word = w->bits[i / 64] >> (i % 64);
		if (!word) {
			i = (i / 64 + 1) * 64;
			continue;
		}
		i += __builtin_ctzll(word);
		if (i >= end)
			break;
		if (blocked(w->uc, w->ug, i, w->cap, w->tc, w->tg))
			return w->base + i;
		i++;
	}
	return INT64_MAX;
}

int sl_resv_startable(const sl_resv *r, int site, int64_t k0, int64_t k1, int32_t cores,
                      int32_t gpus)
{
	row w = row_of(r, site, cores, gpus);
	if (k0 < r->base)
		k0 = r->base;
	return !row_blocked(&w, k0) && next_critical(&w, k0 + 1, k1) == INT64_MAX;
}

void sl_resv_scan_start(const sl_resv *r, int site, int64_t ks, int64_t ke, int64_t len,
                        int32_t cores, int32_t gpus, uint8_t *out)
{
	row w = row_of(r, site, cores, gpus);
	if (ks < r->base)
		ks = r->base;
	/* Forward, keeping the first critical step after k: start k is allowed
	 * when k itself has room and that step is beyond its window. */
	int64_t nc = next_critical(&w, ks + 1, ke + len);
	for (int64_t k = ks; k <= ke; k++) {
		if (nc <= k)
			nc = next_critical(&w, k + 1, ke + len);
		out[k - ks] = nc >= k + len && !row_blocked(&w, k);
	}
}

int64_t sl_resv_earliest_start(const sl_resv *r, int site, int64_t ks, int64_t k_limit,
                               int64_t len, int32_t cores, int32_t gpus)
{
	row w = row_of(r, site, cores, gpus);
	if (ks < r->base)
		ks = r->base;
	int64_t k = ks;
	while (k <= k_limit) {
		int64_t nc = next_critical(&w, k + 1, k + len);
		if (nc != INT64_MAX) {
			k = nc + 1; /* every start up to nc has it in its window, and nc is blocked */
			continue;
		}
		if (!row_blocked(&w, k))
			return k;
		if (k - w.base >= w.cap) /* past the end every step is alike */
			return -1;
		k++;
	}
	return -1;
}
