/*
 * site_queue.c — FCFS + EASY backfilling for one site (see site_queue.h).
 *
 * Two structures:
 *   - the wait queue: slots in arrival order over a power-of-two array,
 *     with a bottom-up min-tree (node 1 = root, leaf of slot p = cap + p)
 *     holding, per job shape, the smallest cores, GPUs and estimate below
 *     each node.  Removed slots stay as holes until the array is compacted
 *     (when the tail reaches the end), so positions only move then.
 *   - the running set: nodes in a pool with a free list (node indices are
 *     the "run" handles given to the caller), listed in live[] for O(1)
 *     start and end; while the site queues, the same nodes also form a
 *     treap keyed by (estimated end, job) with subtree sums of cores and
 *     GPUs (built on demand by tree_build_running, dropped by
 *     tree_idle_tick).
 */
#include "sched/site_queue.h"

#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

/* ---------- wait queue: slots and min-tree ---------- */

static int shape_of(int32_t cores, int32_t gpus)
{
	return gpus == 0 ? 0 : (cores == 0 ? 1 : 2);
}

static void mins_empty(sl_sq_mins *m)
{
	for (int k = 0; k < 3; k++)
		m->c[k] = m->g[k] = m->e[k] = INT32_MAX;
}

static void mins_leaf(sl_sq_mins *m, const sl_sq_slot *s)
{
	mins_empty(m);
	if (s->job < 0)
		return;
	int k = shape_of(s->cores, s->gpus);
	m->c[k] = s->cores;
	m->g[k] = s->gpus;
	m->e[k] = s->est_s;
}

static inline int32_t min32(int32_t a, int32_t b) { return a < b ? a : b; }

static void mins_pull(sl_sq_mins *t, size_t i)
{
	const sl_sq_mins *a = &t[2 * i], *b = &t[2 * i + 1];
	for (int k = 0; k < 3; k++) {
		t[i].c[k] = min32(a->c[k], b->c[k]);
		t[i].g[k] = min32(a->g[k], b->g[k]);
		t[i].e[k] = min32(a->e[k], b->e[k]);
	}
}

/* Refresh the leaf of slot p and its ancestors (stopping where nothing
 * changes any more). */
static void tree_set(sl_site_queue *q, size_t p)
{
	size_t i = q->cap + p;
	mins_leaf(&q->tree[i], &q->slot[p]);
	for (i >>= 1; i >= 1; i >>= 1) {
		sl_sq_mins old = q->tree[i];
		mins_pull(q->tree, i);
		if (memcmp(&old, &q->tree[i], sizeof old) == 0)
			break;
	}
}

static void tree_build(sl_site_queue *q)
{
	for (size_t p = 0; p < q->cap; p++)
		mins_leaf(&q->tree[q->cap + p], &q->slot[p]);
	for (size_t i = q->cap - 1; i >= 1; i--)
		mins_pull(q->tree, i);
}

/* Make room at the tail: compact the live slots to the front, doubling the
 * array when more than half of it is live.  Amortised O(1) per push. */
static void queue_reshape(sl_site_queue *q)
{
	size_t ncap = q->cap ? q->cap : 16;
	while (q->nwait * 2 + 1 > ncap)
		ncap *= 2;
	sl_sq_slot *dst = ncap == q->cap ? q->slot : sl_malloc(ncap * sizeof *dst);
	size_t n = 0, checked = 0;
	for (size_t p = q->lo; p < q->tail; p++) {
		if (q->slot[p].job < 0)
			continue;
		if (p < q->checked)
			checked++;
		dst[n++] = q->slot[p]; /* n <= p: a forward in-place copy is safe */
	}
	for (size_t p = n; p < ncap; p++)
		dst[p].job = -1;
	if (dst != q->slot) {
		sl_free(q->slot);
		sl_free(q->tree);
		q->slot = dst;
		q->tree = sl_malloc(2 * ncap * sizeof *q->tree);
		q->cap = ncap;
	}
	q->lo = 0;
	q->tail = n;
	q->checked = checked;
	tree_build(q);
}

/* ---------- running set: treap with subtree sums ---------- */

static inline int64_t sum_c(const sl_sq_run *r, int32_t x) { return x < 0 ? 0 : r[x].sum_c; }
static inline int64_t sum_g(const sl_sq_run *r, int32_t x) { return x < 0 ? 0 : r[x].sum_g; }

static void pull(sl_sq_run *r, int32_t x)
{
	r[x].sum_c = r[x].cores + sum_c(r, r[x].left) + sum_c(r, r[x].right);
	r[x].sum_g = r[x].gpus + sum_g(r, r[x].left) + sum_g(r, r[x].right);
}

/* Key order: (end_est, job). */
static inline int key_less(const sl_sq_run *a, const sl_sq_run *b)
{
	return a->end_est < b->end_est || (a->end_est == b->end_est && a->job < b->job);
}

/* Split t into keys < key(x) (*a) and keys >= key(x) (*b). */
static void split(sl_sq_run *r, int32_t t, const sl_sq_run *x, int32_t *a, int32_t *b)
{
	if (t < 0) {
		*a = *b = -1;
		return;
	}
	if (key_less(&r[t], x)) {
		split(r, r[t].right, x, &r[t].right, b);
		*a = t;
	} else {
		split(r, r[t].left, x, a, &r[t].left);
		*b = t;
	}
	pull(r, t);
}

static int32_t merge(sl_sq_run *r, int32_t a, int32_t b)
{
	if (a < 0)
		return b;
	if (b < 0)
		return a;
	if (r[a].prio > r[b].prio) {
		r[a].right = merge(r, r[a].right, b);
		pull(r, a);
		return a;
	}
	r[b].left = merge(r, a, r[b].left);
	pull(r, b);
	return b;
}

static int32_t insert(sl_sq_run *r, int32_t t, int32_t x)
{
	if (t < 0)
		return x;
	if (r[x].prio > r[t].prio) {
		split(r, t, &r[x], &r[x].left, &r[x].right);
		pull(r, x);
		return x;
	}
	if (key_less(&r[x], &r[t]))
		r[t].left = insert(r, r[t].left, x);
	else
		r[t].right = insert(r, r[t].right, x);
	pull(r, t);
	return t;
}

static int32_t erase(sl_sq_run *r, int32_t t, int32_t x)
{
	if (t == x)
		return merge(r, r[t].left, r[t].right);
	if (key_less(&r[x], &r[t]))
		r[t].left = erase(r, r[t].left, x);
	else
		r[t].right = erase(r, r[t].right, x);
	pull(r, t);
	return t;
}

/* The estimated end at which running jobs, taken in key order, have
 * released need (> 0) cores (gpu = 0) or GPUs (gpu = 1). */
static int64_t prefix_time(const sl_sq_run *r, int32_t t, int64_t need, int gpu)
{
	while (t >= 0) {
		int64_t ls = gpu ? sum_g(r, r[t].left) : sum_c(r, r[t].left);
		if (ls >= need) {
			t = r[t].left;
			continue;
		}
		int64_t self = gpu ? r[t].gpus : r[t].cores;
		if (ls + self >= need)
			return r[t].end_est;
		need -= ls + self;
		t = r[t].right;
	}
	return INT64_MAX; /* cannot happen: free + running = installed >= head */
}

/* Cores and GPUs of running jobs estimated to end by s. */
static void sums_upto(const sl_sq_run *r, int32_t t, int64_t s, int64_t *c, int64_t *g)
{
	int64_t cc = 0, gg = 0;
	while (t >= 0) {
		if (r[t].end_est <= s) {
			cc += sum_c(r, r[t].left) + r[t].cores;
			gg += sum_g(r, r[t].left) + r[t].gpus;
			t = r[t].right;
		} else {
			t = r[t].left;
		}
	}
	*c = cc;
	*g = gg;
}

static uint32_t mix32(uint64_t x)
{
	x += 0x9E3779B97F4A7C15ull;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
	return (uint32_t)((x ^ (x >> 31)) >> 32);
}

static int32_t node_alloc(sl_site_queue *q)
{
	if (q->free_node < 0) {
		int32_t old = q->run_cap, ncap = old ? old * 2 : 16;
		q->run = sl_realloc(q->run, (size_t)ncap * sizeof *q->run);
		q->live = sl_realloc(q->live, (size_t)ncap * sizeof *q->live);
		for (int32_t i = ncap - 1; i >= old; i--) {
			q->run[i].left = q->free_node;
			q->free_node = i;
		}
		q->run_cap = ncap;
	}
	int32_t x = q->free_node;
	q->free_node = q->run[x].left;
	q->run[x].pos = q->nrun;
	q->live[q->nrun++] = x;
	return x;
}

static void node_free(sl_site_queue *q, int32_t x)
{
	int32_t last = q->live[--q->nrun];
	q->live[q->run[x].pos] = last;
	q->run[last].pos = q->run[x].pos;
	q->run[x].left = q->free_node;
	q->free_node = x;
}

typedef struct key_ix {
	int64_t end_est;
	int32_t job, node;
} key_ix;

static int key_ix_cmp(const void *a, const void *b)
{
	const key_ix *x = a, *y = b;
	if (x->end_est != y->end_est)
		return x->end_est < y->end_est ? -1 : 1;
	return (x->job > y->job) - (x->job < y->job);
}

static void pull_all(sl_sq_run *r, int32_t x)
{
	if (x < 0)
		return;
	pull_all(r, r[x].left);
	pull_all(r, r[x].right);
	pull(r, x);
}

/* Build the treap over the running set: sort by key, then the Cartesian
 * tree of the nodes' own priorities (a stack pass), which is exactly the
 * treap those keys and priorities define.  O(n log n). */
static void tree_build_running(sl_site_queue *q)
{
	size_t n = (size_t)q->nrun, need = n * (sizeof(key_ix) + sizeof(int32_t));
	if (need > q->scratch_cap) {
		q->scratch_cap = need * 2;
		q->scratch = sl_realloc(q->scratch, q->scratch_cap);
	}
	key_ix *k = q->scratch;
	int32_t *stack = (int32_t *)(k + n), top = 0;
	for (size_t i = 0; i < n; i++) {
		const sl_sq_run *x = &q->run[q->live[i]];
		k[i] = (key_ix){x->end_est, x->job, q->live[i]};
	}
	qsort(k, n, sizeof *k, key_ix_cmp);
	for (size_t i = 0; i < n; i++) {
		int32_t x = k[i].node, last = -1;
		while (top > 0 && q->run[stack[top - 1]].prio < q->run[x].prio)
			last = stack[--top];
		q->run[x].left = last;
		q->run[x].right = -1;
		if (top > 0)
			q->run[stack[top - 1]].right = x;
		stack[top++] = x;
	}
	q->root = top > 0 ? stack[0] : -1;
	pull_all(q->run, q->root);
	q->tree_on = 1;
}

/* Count a start or end while the queue is empty; drop the treap once
 * enough of them have passed to pay for rebuilding it. */
static void tree_idle_tick(sl_site_queue *q)
{
	if (q->tree_on && q->nwait == 0 && ++q->idle_ops > (int64_t)q->nrun + 32)
		q->tree_on = 0;
}

/* ---------- scheduling ---------- */

void sl_site_queue_init(sl_site_queue *q, int32_t cores, int32_t gpus)
{
	memset(q, 0, sizeof *q);
	q->cores = q->free_c = cores;
	q->gpus = q->free_g = gpus;
	q->root = q->free_node = -1;
}

void sl_site_queue_release(sl_site_queue *q)
{
	sl_free(q->slot);
	sl_free(q->tree);
	sl_free(q->run);
	sl_free(q->live);
	sl_free(q->scratch);
	memset(q, 0, sizeof *q);
	q->root = q->free_node = -1;
}

static void run_start(sl_site_queue *q, int64_t now, const sl_sq_slot *s, sl_sq_start_fn fn,
                      void *ud)
{
	int32_t x = node_alloc(q);
	sl_sq_run *n = &q->run[x];
	n->end_est = now + s->est_s;
	n->job = s->job;
	n->cores = s->cores;
	n->gpus = s->gpus;
	n->left = n->right = -1;
	n->prio = mix32(q->inserts++ ^ ((uint64_t)(uint32_t)s->job << 32));
	if (q->tree_on) {
		pull(q->run, x);
		q->root = insert(q->run, q->root, x);
		tree_idle_tick(q);
	}
	q->free_c -= s->cores;
	q->free_g -= s->gpus;
	fn(ud, s->job, x, now, now + s->est_s);
}

/* Remove waiting slot p and start its job. */
static void start_slot(sl_site_queue *q, size_t p, int64_t now, sl_sq_start_fn fn, void *ud)
{
	sl_sq_slot s = q->slot[p];
	q->slot[p].job = -1;
	tree_set(q, p);
	q->nwait--;
	q->wait_c -= s.cores;
	q->wait_g -= s.gpus;
	if (q->nwait == 0) {
		q->lo = q->tail = q->checked = 0; /* every leaf is empty again */
	} else if (p == q->lo) {
		while (q->slot[q->lo].job < 0)
			q->lo++;
	}
	run_start(q, now, &s, fn, ud);
}

void sl_site_queue_push(sl_site_queue *q, int64_t now, int32_t job, int32_t cores,
                        int32_t gpus, int32_t est_s, sl_sq_start_fn start, void *ud)
{
	sl_sq_slot s = {job, cores, gpus, est_s};
	if (q->nwait == 0 && cores <= q->free_c && gpus <= q->free_g) {
		run_start(q, now, &s, start, ud);
		return;
	}
	if (q->nwait == 0)
		q->dirty = 1;
	if (q->tail == q->cap)
		queue_reshape(q);
	size_t p = q->tail++;
	q->slot[p] = s;
	tree_set(q, p);
	q->nwait++;
	q->wait_c += cores;
	q->wait_g += gpus;
}

/* The head does not fit: compute its shadow time and the extra resources. */
static void reserve(sl_site_queue *q, int64_t now)
{
	const sl_sq_slot *h = &q->slot[q->lo];
	int64_t need_c = (int64_t)h->cores - q->free_c, need_g = (int64_t)h->gpus - q->free_g;
	int64_t s = now, t, cc, cg;
	if (!q->tree_on)
		tree_build_running(q);
	q->idle_ops = 0;
	if (need_c > 0 && (t = prefix_time(q->run, q->root, need_c, 0)) > s)
		s = t;
	if (need_g > 0 && (t = prefix_time(q->run, q->root, need_g, 1)) > s)
		s = t;
	sums_upto(q->run, q->root, s, &cc, &cg);
	q->shadow = s;
	q->extra_c = q->free_c + cc - h->cores;
	q->extra_g = q->free_g + cg - h->gpus;
}

typedef struct pred {
	int64_t fc, fg, t, xc, xg;
} pred;

/* May some job below this node backfill?  Exact at a leaf. */
static int pass(const sl_sq_mins *m, const pred *p)
{
	for (int k = 0; k < 3; k++) {
		if (m->c[k] > p->fc || m->g[k] > p->fg)
			continue;
		if (m->e[k] <= p->t || (m->c[k] <= p->xc && m->g[k] <= p->xg))
			return 1;
	}
	return 0;
}

/* The first slot >= from under node (covering [nl, nr)) that may backfill. */
static ptrdiff_t find(const sl_site_queue *q, size_t node, size_t nl, size_t nr, size_t from,
                      const pred *p)
{
	if (nr <= from || !pass(&q->tree[node], p))
		return -1;
	if (nr - nl == 1)
		return (ptrdiff_t)nl;
	size_t mid = nl + (nr - nl) / 2;
	ptrdiff_t r = find(q, 2 * node, nl, mid, from, p);
	return r >= 0 ? r : find(q, 2 * node + 1, mid, nr, from, p);
}

static void backfill(sl_site_queue *q, int64_t now, size_t from, sl_sq_start_fn fn, void *ud)
{
	while (q->nwait > 1) {
		pred p = {q->free_c, q->free_g, q->shadow - now, q->extra_c, q->extra_g};
		ptrdiff_t at = find(q, 1, 0, q->cap, from, &p);
		if (at < 0)
			break;
		sl_sq_slot s = q->slot[at];
		start_slot(q, (size_t)at, now, fn, ud);
		if (now + s.est_s > q->shadow) { /* runs past S: uses the extra */
			q->extra_c -= s.cores;
			q->extra_g -= s.gpus;
		}
		/* Earlier slots failed under a looser state; they still fail. */
		from = (size_t)at + 1;
	}
}

void sl_site_queue_schedule(sl_site_queue *q, int64_t now, sl_sq_start_fn start, void *ud)
{
	size_t from;
	if (q->nwait == 0) {
		q->dirty = 0;
		return;
	}
	if (q->dirty) {
		while (q->nwait > 0 && q->slot[q->lo].cores <= q->free_c &&
		       q->slot[q->lo].gpus <= q->free_g)
			start_slot(q, q->lo, now, start, ud);
		if (q->nwait == 0) {
			q->dirty = 0;
			return;
		}
		reserve(q, now);
		from = q->lo + 1;
	} else {
		from = q->checked; /* only jobs pushed since the last pass */
	}
	backfill(q, now, from, start, ud);
	q->dirty = 0;
	q->checked = q->tail;
}

void sl_site_queue_finish(sl_site_queue *q, int32_t run)
{
	sl_sq_run *x = &q->run[run];
	q->free_c += x->cores;
	q->free_g += x->gpus;
	if (q->tree_on) {
		q->root = erase(q->run, q->root, run);
		tree_idle_tick(q);
	}
	node_free(q, run);
	q->dirty = 1;
}

int sl_site_queue_reservation(const sl_site_queue *q, int64_t *shadow, int64_t *extra_c,
                              int64_t *extra_g)
{
	if (q->nwait == 0 || q->dirty)
		return 0;
	*shadow = q->shadow;
	*extra_c = q->extra_c;
	*extra_g = q->extra_g;
	return 1;
}
