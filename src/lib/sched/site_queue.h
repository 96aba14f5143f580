/*
 * site_queue.h — one site's local scheduler: FCFS with EASY backfilling on
 * the runtime estimate, over two resources (cores and GPUs).
 *
 * Semantics (the EASY rule of Lifka 1995 / Mu'alem & Feitelson 2001, with
 * two resources):
 *   - jobs start in arrival order while the first waiting job (the head)
 *     fits in the free cores and GPUs;
 *   - when the head does not fit it gets a reservation at the shadow time
 *     S: the earliest estimated end of running jobs at which enough of both
 *     resources will be free for it; "extra" is what will be free at S
 *     beyond the head's need;
 *   - a later job may start now when it fits now and either ends (by its
 *     estimate) by S or uses no more than the extra cores and GPUs, so the
 *     head is never delayed.  The earliest such job in arrival order starts
 *     first, and the scan repeats.
 *
 * Speed: waiting jobs sit in arrival order in a flat array under a min-tree
 * of (cores, GPUs, estimate) per job shape (CPU-only, GPU-only, both), so
 * "the first job that may backfill" is a pruned O(log n) descent instead of
 * a scan of the queue.  Running jobs sit in an unordered set (O(1) start
 * and end); while the site has waiting jobs they are also indexed by a
 * treap keyed by estimated end with subtree sums of cores and GPUs, so the
 * shadow time and the extra resources are O(log n).  The treap is built
 * when a reservation is first needed and dropped once the queue has stayed
 * empty for more starts and ends than there are running jobs, which pays
 * for the next build: a site that never queues never pays for it.  A pass
 * after only new arrivals tests only the new jobs (nothing else changed);
 * a job end triggers a full pass.
 *
 * The queue knows nothing of time beyond the `now` it is given and calls
 * the caller back for every job it starts.  A callback must not call back
 * into the same queue.
 */
#ifndef SL_SITE_QUEUE_H
#define SL_SITE_QUEUE_H

#include <stddef.h>
#include <stdint.h>

/* One waiting job (job < 0: a removed slot). */
typedef struct sl_sq_slot {
	int32_t job, cores, gpus, est_s;
} sl_sq_slot;

/* Min-tree node: per job shape k (0 CPU-only, 1 GPU-only, 2 both), the
 * minimum cores, GPUs and estimate of the waiting jobs below it
 * (INT32_MAX when there are none of that shape). */
typedef struct sl_sq_mins {
	int32_t c[3], g[3], e[3];
} sl_sq_mins;

/* A running job: a member of the running set and, while the treap is on,
 * a treap node keyed by (end_est, job). */
typedef struct sl_sq_run {
	int64_t end_est;
	int64_t sum_c, sum_g;   /* cores, GPUs of this subtree */
	int32_t job, cores, gpus;
	int32_t left, right;    /* -1 = none; on the free list: left = next free */
	int32_t pos;            /* index in live[] */
	uint32_t prio;
} sl_sq_run;

/* Invariants: free_c = cores - sum of running cores (same for GPUs);
 * waiting jobs are slot[lo..tail) with job >= 0, in arrival order, and
 * nwait counts them; when !dirty and nwait > 0 the head does not fit and
 * (shadow, extra_c, extra_g) are its reservation. */
typedef struct sl_site_queue {
	int32_t cores, gpus;        /* installed */
	int32_t free_c, free_g;     /* free now */

	sl_sq_slot *slot;           /* [cap] */
	sl_sq_mins *tree;           /* [2 * cap], node 1 is the root, leaves at cap + p */
	size_t cap, lo, tail, nwait;
	int64_t wait_c, wait_g;     /* cores, GPUs requested by waiting jobs */

	sl_sq_run *run;             /* node pool [run_cap] */
	int32_t *live;              /* running nodes, unordered [nrun] of [run_cap] */
	int32_t run_cap, free_node, nrun;
	int32_t root;               /* treap root when tree_on, else meaningless */
	int tree_on;
	int64_t idle_ops;           /* starts + ends since the queue emptied */
	uint64_t inserts;           /* for treap priorities */
	void *scratch;              /* treap build buffer */
	size_t scratch_cap;

	int dirty;                  /* a full pass is needed */
	size_t checked;             /* slots before this were tested by the last pass */
	int64_t shadow;
	int64_t extra_c, extra_g;
} sl_site_queue;

/* Called for each job started: run is its handle for finish(). */
typedef void (*sl_sq_start_fn)(void *ud, int32_t job, int32_t run, int64_t now,
                               int64_t end_est);

/* An empty site with this many cores and GPUs (each >= 0). */
void sl_site_queue_init(sl_site_queue *q, int32_t cores, int32_t gpus);
void sl_site_queue_release(sl_site_queue *q);

/* A job arrives (it must fit the installed capacity; est_s > 0).  When no
 * job is waiting and it fits now it starts at once (start is called);
 * otherwise it joins the tail of the queue until the next schedule(). */
void sl_site_queue_push(sl_site_queue *q, int64_t now, int32_t job, int32_t cores,
                        int32_t gpus, int32_t est_s, sl_sq_start_fn start, void *ud);

/* Start every waiting job FCFS + EASY allows at now. */
void sl_site_queue_schedule(sl_site_queue *q, int64_t now, sl_sq_start_fn start, void *ud);

/* A running job ended (at or before its estimate): free its resources. */
void sl_site_queue_finish(sl_site_queue *q, int32_t run);

/* The estimated end of a running job. */
static inline int64_t sl_site_queue_end_est(const sl_site_queue *q, int32_t run)
{
	return q->run[run].end_est;
}

/* The head's reservation after the last schedule(): 1 and the shadow time
 * and extra resources when a job waits, else 0. */
int sl_site_queue_reservation(const sl_site_queue *q, int64_t *shadow, int64_t *extra_c,
                              int64_t *extra_g);

#endif
