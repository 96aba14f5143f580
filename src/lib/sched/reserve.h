/*
 * reserve.h — each site's capacity over future signal steps: what running
 * and planned jobs hold, so a planner can see that a job deferred to 03:00
 * keeps its cores and GPUs and no later decision gives them away.
 *
 * The profile counts, per site and step k (the network's steps, numbered
 * from net->t0), the cores and GPUs of every job whose reserved interval
 * touches the step.  A job planned over [t, t + est_s) reserves steps
 * step(t) .. step(t + est_s - 1): whole steps, so the profile never holds
 * less than the jobs will use at any instant (two jobs that only share a
 * step at different times are counted together: conservative).  Holding
 * the estimate (the time limit) rather than a guess of the runtime keeps
 * that true whatever the job actually runs; the planner gives back the
 * rest of a job's steps when it ends early.
 *
 * The profile also counts, per step, the planned starts that have not
 * happened yet.  That gives the start rule (sl_resv_startable): a job may
 * start at step k when it fits at k, and fits at every later step of its
 * window where another job is planned to start.  If every placement obeys
 * it, every planned start finds room at its time even when every job runs
 * to its estimate: the jobs running then all started by the rule, so each
 * is counted at that step, and the step's count left room for the job.
 * Steps where nobody starts may be over-booked on paper (estimates that
 * will not be used); it costs nothing, since no start depends on them.
 *
 * Steps before the one the planner calls "now" (sl_resv_advance) are the
 * past: never asked about again and dropped; everything at or after it is
 * addressable without limit (the arrays grow on demand).  A step nobody
 * reserved holds 0.
 *
 * Invariant: use >= 0 for every addressable step as long as every removal
 * matches an earlier addition clipped the same way (sl_resv_add clips
 * k0 to the present for both).
 */
#ifndef SL_RESERVE_H
#define SL_RESERVE_H

#include <stddef.h>
#include <stdint.h>

#include "model/network.h"

typedef struct sl_resv {
	int nsites;
	int64_t base;       /* the step at index 0; the present is >= base */
	int64_t now;        /* the present step (steps before it are past) */
	int32_t cap;        /* steps per site array */
	int32_t *use_c;     /* [nsites][cap] cores reserved per step */
	int32_t *use_g;     /* [nsites][cap] GPUs reserved per step */
	int32_t *starts;    /* [nsites][cap] planned starts not yet happened per step */
	uint64_t *sbits;    /* [nsites][cap / 64]: bit i set when starts[i] > 0 */
	int32_t *inst_c;    /* [nsites] installed */
	int32_t *inst_g;
} sl_resv;

/* An empty profile for net's sites, present = step k_now. */
void sl_resv_init(sl_resv *r, const sl_network *net, int64_t k_now);
void sl_resv_release(sl_resv *r);

/* Time has moved on to step k_now (>= the previous present): steps
 * before it are dropped. */
void sl_resv_advance(sl_resv *r, int64_t k_now);

/* Add cores and GPUs (negative: remove them) at site over steps
 * [k0, k1), clipped to the present. */
void sl_resv_add(sl_resv *r, int site, int64_t k0, int64_t k1, int32_t cores, int32_t gpus);

/* Count (delta 1) or uncount (delta -1) a planned start at site in step k
 * (steps before the present are ignored). */
void sl_resv_mark_start(sl_resv *r, int site, int64_t k, int delta);

/* Planned starts counted at site in step k. */
int32_t sl_resv_starts(const sl_resv *r, int site, int64_t k);

/* Cores (gpu = 0) or GPUs (gpu = 1) reserved at site in step k >= present. */
int32_t sl_resv_used(const sl_resv *r, int site, int gpu, int64_t k);

/* 1 when cores and GPUs more fit at site in every step of [k0, k1). */
int sl_resv_fits(const sl_resv *r, int site, int64_t k0, int64_t k1, int32_t cores, int32_t gpus);

/* For every start step k in [ks, ke] (ks >= present): out[k - ks] = 1 when
 * a job of len steps (>= 1) with these cores and GPUs fits over
 * [k, k + len), else 0.  O(ke - ks + len). */
void sl_resv_scan(const sl_resv *r, int site, int64_t ks, int64_t ke, int64_t len, int32_t cores,
                  int32_t gpus, uint8_t *out);

/* The earliest step k in [ks, k_limit] at which such a job fits, or -1. */
int64_t sl_resv_earliest(const sl_resv *r, int site, int64_t ks, int64_t k_limit, int64_t len,
                         int32_t cores, int32_t gpus);

/* The start rule: 1 when a job with these cores and GPUs, holding steps
 * [k0, k1), fits at step k0 and at every step of (k0, k1) where a start is
 * planned. */
int sl_resv_startable(const sl_resv *r, int site, int64_t k0, int64_t k1, int32_t cores,
                      int32_t gpus);

/* sl_resv_scan and sl_resv_earliest under the start rule.  Both visit
 * only the steps where starts are planned beyond the starts asked about
 * (a bitset of them), so a long window costs little when few starts fall
 * in it. */
void sl_resv_scan_start(const sl_resv *r, int site, int64_t ks, int64_t ke, int64_t len,
                        int32_t cores, int32_t gpus, uint8_t *out);
int64_t sl_resv_earliest_start(const sl_resv *r, int site, int64_t ks, int64_t k_limit,
                               int64_t len, int32_t cores, int32_t gpus);

#endif
