/*
 * test_easy.c — the site queue: FCFS + EASY backfilling on two resources.
 *
 * Hand cases: a backfill that fills a hole without delaying the head's
 * reservation; one refused because it would delay it; a job using only
 * the resource the head does not need; FCFS order when nothing may
 * backfill.  Then a randomized comparison against a naive O(n^2) EASY
 * (sort the running jobs, scan the whole queue on every pass) over many
 * seeds: every start time must agree, which checks the min-tree pruning,
 * the treap sums and the "test only new arrivals" shortcut.
 */
#include "testutil.h"

#include "core/mem.h"
#include "core/rng.h"
#include "sched/site_queue.h"

#define MAXJ 4096

/* Records what the queue starts. */
typedef struct rec {
	int64_t start[MAXJ];
	int32_t run[MAXJ];
	int order[MAXJ];
	int n;
} rec;

static void on_start(void *ud, int32_t job, int32_t run, int64_t now, int64_t end_est)
{
	rec *r = ud;
	r->start[job] = now;
	r->run[job] = run;
	r->order[r->n++] = job;
	(void)end_est;
}

static void rec_init(rec *r)
{
	memset(r, 0, sizeof *r);
	for (int i = 0; i < MAXJ; i++)
		r->start[i] = -1;
}

/* 10 cores.  t=0: A (6 cores, est 100) starts; B (8, est 50) is the head
 * and waits: shadow S = 100 (A's estimated end), extra = 4 + 6 - 8 = 2.
 * C (3 cores, est 80) fits and ends by S: backfills at 0.  D (1 core, est
 * 1000) fits and runs past S but within the extra 2: backfills at 0 (extra
 * -> 1).  E (1 core, est 1000): no free core left, waits.  t=80: C ends;
 * B still needs 8 > 3; S = 100, extra = 3 + 6 - 8 = 1, so E (1 core past
 * S) backfills at 80.  t=100: A ends, B starts at exactly its reservation. */
static void test_backfill_fills_hole(void **st)
{
	(void)st;
	static rec r;
	rec_init(&r);
	sl_site_queue q;
	sl_site_queue_init(&q, 10, 0);
	sl_site_queue_push(&q, 0, 0, 6, 0, 100, on_start, &r); /* A */
	assert_int_equal(r.start[0], 0);
	sl_site_queue_push(&q, 0, 1, 8, 0, 50, on_start, &r);   /* B */
	sl_site_queue_push(&q, 0, 2, 3, 0, 80, on_start, &r);   /* C */
	sl_site_queue_push(&q, 0, 3, 1, 0, 1000, on_start, &r); /* D */
	sl_site_queue_push(&q, 0, 4, 1, 0, 1000, on_start, &r); /* E */
	sl_site_queue_schedule(&q, 0, on_start, &r);
	assert_int_equal(r.start[1], -1);
	assert_int_equal(r.start[2], 0);
	assert_int_equal(r.start[3], 0);
	assert_int_equal(r.start[4], -1);
	int64_t s, xc, xg;
	assert_int_equal(sl_site_queue_reservation(&q, &s, &xc, &xg), 1);
	assert_int_equal(s, 100);
	assert_int_equal(xc, 1);
	assert_int_equal(q.free_c, 0);
	sl_site_queue_finish(&q, r.run[2]); /* C ends at 80 */
	sl_site_queue_schedule(&q, 80, on_start, &r);
	assert_int_equal(r.start[4], 80);
	assert_int_equal(r.start[1], -1);
	sl_site_queue_finish(&q, r.run[0]); /* A ends at 100 */
	sl_site_queue_schedule(&q, 100, on_start, &r);
	assert_int_equal(r.start[1], 100);
	assert_int_equal(q.nwait, 0);
	assert_int_equal(q.free_c, 0); /* B 8 + D 1 + E 1 */
	sl_site_queue_release(&q);
}

/* 10 cores.  A (6, est 100) runs; B (8, est 50) waits with S = 100 and
 * extra 2.  C (4 cores, est 200) fits now but would still hold 4 cores at
 * S, more than the extra 2: starting it would delay B, so it is refused.
 * B starts at 100, C when B ends at 150. */
static void test_backfill_refused(void **st)
{
	(void)st;
	static rec r;
	rec_init(&r);
	sl_site_queue q;
	sl_site_queue_init(&q, 10, 0);
	sl_site_queue_push(&q, 0, 0, 6, 0, 100, on_start, &r);
	sl_site_queue_push(&q, 0, 1, 8, 0, 50, on_start, &r);
	sl_site_queue_push(&q, 0, 2, 4, 0, 200, on_start, &r);
	sl_site_queue_schedule(&q, 0, on_start, &r);
	assert_int_equal(r.start[2], -1);
	sl_site_queue_finish(&q, r.run[0]);
	sl_site_queue_schedule(&q, 100, on_start, &r);
	assert_int_equal(r.start[1], 100);
	assert_int_equal(r.start[2], -1);
	sl_site_queue_finish(&q, r.run[1]);
	sl_site_queue_schedule(&q, 150, on_start, &r);
	assert_int_equal(r.start[2], 150);
	sl_site_queue_release(&q);
}

/* 8 cores, 4 GPUs.  A (4 GPUs, est 100) runs; the head B needs 2 GPUs and
 * no cores; C (8 cores, est 1000) runs far past S but uses only cores,
 * which B does not need (extra cores = 8): it backfills.  D (1 GPU) does
 * not fit now. */
static void test_two_resources(void **st)
{
	(void)st;
	static rec r;
	rec_init(&r);
	sl_site_queue q;
	sl_site_queue_init(&q, 8, 4);
	sl_site_queue_push(&q, 0, 0, 0, 4, 100, on_start, &r);
	sl_site_queue_push(&q, 5, 1, 0, 2, 10, on_start, &r);
	sl_site_queue_push(&q, 5, 2, 8, 0, 1000, on_start, &r);
	sl_site_queue_push(&q, 5, 3, 0, 1, 10, on_start, &r);
	sl_site_queue_schedule(&q, 5, on_start, &r);
	assert_int_equal(r.start[2], 5);
	assert_int_equal(r.start[1], -1);
	assert_int_equal(r.start[3], -1);
	int64_t s, xc, xg;
	assert_int_equal(sl_site_queue_reservation(&q, &s, &xc, &xg), 1);
	assert_int_equal(s, 100);
	assert_int_equal(xc, 0);
	assert_int_equal(xg, 2);
	sl_site_queue_finish(&q, r.run[0]);
	sl_site_queue_schedule(&q, 60, on_start, &r);
	assert_int_equal(r.start[1], 60);
	assert_int_equal(r.start[3], 60); /* FCFS: B then D */
	assert_int_equal(r.order[2], 1);
	assert_int_equal(r.order[3], 3);
	sl_site_queue_release(&q);
}

/* ---------- the naive reference ---------- */

typedef struct rjob {
	int32_t id, c, g, est;
	int64_t end_est;
} rjob;

typedef struct ref {
	int32_t fc, fg;
	rjob wait[MAXJ];
	int nwait;
	rjob run[MAXJ];
	int nrun;
} ref;

static void ref_start(ref *f, int i, int64_t now, int64_t *start)
{
	rjob j = f->wait[i];
	memmove(&f->wait[i], &f->wait[i + 1], (size_t)(f->nwait - i - 1) * sizeof j);
	f->nwait--;
	j.end_est = now + j.est;
	f->run[f->nrun++] = j;
	f->fc -= j.c;
	f->fg -= j.g;
	start[j.id] = now;
}

static int cmp_run(const void *a, const void *b)
{
	const rjob *x = a, *y = b;
	if (x->end_est != y->end_est)
		return x->end_est < y->end_est ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static void ref_schedule(ref *f, int64_t now, int64_t *start)
{
	while (f->nwait && f->wait[0].c <= f->fc && f->wait[0].g <= f->fg)
		ref_start(f, 0, now, start);
	if (!f->nwait)
		return;
	qsort(f->run, (size_t)f->nrun, sizeof *f->run, cmp_run);
	int64_t ac = f->fc, ag = f->fg, s = now;
	int k = 0;
	const rjob *h = &f->wait[0];
	while (ac < h->c || ag < h->g) {
		s = f->run[k].end_est;
		while (k < f->nrun && f->run[k].end_est == s) {
			ac += f->run[k].c;
			ag += f->run[k].g;
			k++;
		}
	}
	int64_t xc = ac - h->c, xg = ag - h->g;
	for (int i = 1; i < f->nwait;) {
		const rjob *j = &f->wait[i];
		if (j->c <= f->fc && j->g <= f->fg &&
		    (now + j->est <= s || (j->c <= xc && j->g <= xg))) {
			if (now + j->est > s) {
				xc -= j->c;
				xg -= j->g;
			}
			ref_start(f, i, now, start);
		} else {
			i++;
		}
	}
}

static void ref_finish(ref *f, int32_t id)
{
	for (int i = 0; i < f->nrun; i++)
		if (f->run[i].id == id) {
			f->fc += f->run[i].c;
			f->fg += f->run[i].g;
			f->run[i] = f->run[--f->nrun];
			return;
		}
	fail_msg("reference lost job %d", id);
}

/* ---------- randomized comparison ---------- */

typedef struct wl {
	int n;
	int64_t submit[MAXJ];
	int32_t c[MAXJ], g[MAXJ], est[MAXJ], runs[MAXJ];
} wl;

static void make_workload(wl *w, sl_rng *rng, int n, int32_t cores, int32_t gpus)
{
	int64_t t = 0;
	w->n = n;
	for (int i = 0; i < n; i++) {
		t += (int64_t)sl_rng_below(rng, 40);
		w->submit[i] = t;
		int shape = (int)sl_rng_below(rng, gpus ? 3 : 1);
		w->c[i] = shape == 1 ? 0 : 1 + (int32_t)sl_rng_below(rng, (uint64_t)cores);
		w->g[i] = shape == 0 ? 0 : 1 + (int32_t)sl_rng_below(rng, (uint64_t)gpus);
		w->est[i] = 1 + (int32_t)sl_rng_below(rng, 600);
		/* mostly over-asked estimates, sometimes exceeded (killed at est) */
		w->runs[i] = sl_rng_below(rng, 10) == 0 ? w->est[i] + 50
		                                         : (int32_t)sl_rng_below(rng, (uint64_t)w->est[i] + 1);
	}
}

/* Run the workload through both; end events at time t are processed
 * before arrivals at t, then one schedule pass. */
static void compare(const wl *w, int32_t cores, int32_t gpus)
{
	static rec r;
	static ref f;
	static int64_t fstart[MAXJ];
	rec_init(&r);
	memset(&f, 0, sizeof f);
	for (int i = 0; i < w->n; i++)
		fstart[i] = -1;
	f.fc = cores;
	f.fg = gpus;
	sl_site_queue q;
	sl_site_queue_init(&q, cores, gpus);
	int next = 0, done = 0;
	int64_t now = 0;
	static uint8_t ended[MAXJ];
	memset(ended, 0, sizeof ended);
	while (done < w->n) {
		/* next time: earliest pending end or arrival */
		int64_t t = next < w->n ? w->submit[next] : INT64_MAX;
		for (int i = 0; i < w->n; i++)
			if (r.start[i] >= 0 && !ended[i]) {
				int64_t e = r.start[i] + (w->runs[i] < w->est[i] ? w->runs[i] : w->est[i]);
				if (e < t)
					t = e;
			}
		assert_true(t != INT64_MAX);
		now = t;
		for (int i = 0; i < w->n; i++)
			if (r.start[i] >= 0 && !ended[i] &&
			    r.start[i] + (w->runs[i] < w->est[i] ? w->runs[i] : w->est[i]) == now) {
				ended[i] = 1;
				done++;
				sl_site_queue_finish(&q, r.run[i]);
				ref_finish(&f, i);
			}
		while (next < w->n && w->submit[next] == now) {
			int i = next++;
			sl_site_queue_push(&q, now, i, w->c[i], w->g[i], w->est[i], on_start, &r);
			f.wait[f.nwait++] = (rjob){i, w->c[i], w->g[i], w->est[i], 0};
		}
		sl_site_queue_schedule(&q, now, on_start, &r);
		ref_schedule(&f, now, fstart);
		for (int i = 0; i < next; i++)
			if (r.start[i] != fstart[i])
				fail_msg("job %d: queue starts it at %lld, reference at %lld (t=%lld)", i,
				         (long long)r.start[i], (long long)fstart[i], (long long)now);
		assert_true(q.free_c >= 0 && q.free_g >= 0);
	}
	assert_int_equal(q.free_c, cores);
	assert_int_equal(q.free_g, gpus);
	assert_int_equal(q.nrun, 0);
	sl_site_queue_release(&q);
}

static void test_random_vs_reference(void **st)
{
	(void)st;
	static wl w;
	sl_rng rng;
	for (uint64_t seed = 1; seed <= 40; seed++) {
		sl_rng_seed(&rng, seed);
		int32_t cores = 4 + (int32_t)sl_rng_below(&rng, 60);
		int32_t gpus = seed % 4 == 0 ? 0 : 1 + (int32_t)sl_rng_below(&rng, 8);
		make_workload(&w, &rng, 300 + (int)sl_rng_below(&rng, 500), cores, gpus);
		compare(&w, cores, gpus);
	}
}

/* A long queue forces compaction and growth of the slot array. */
static void test_long_queue(void **st)
{
	(void)st;
	static wl w;
	sl_rng rng;
	sl_rng_seed(&rng, 99);
	make_workload(&w, &rng, MAXJ, 16, 4);
	for (int i = 0; i < w.n; i++)
		w.submit[i] = i / 8; /* a burst: the queue grows to thousands */
	compare(&w, 16, 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backfill_fills_hole),
		cmocka_unit_test(test_backfill_refused),
		cmocka_unit_test(test_two_resources),
		cmocka_unit_test(test_random_vs_reference),
		cmocka_unit_test(test_long_queue),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
