/*
 * sim_events.c — the simulator's event queue: a 4-ary min-heap of 16-byte
 * entries keyed by one 64-bit integer packing (time, kind, job).
 *
 * Why not core/heap.h: the key already is a total order (a job has at most
 * one live event of each kind, and ticks use job 0), so no insertion
 * sequence is needed to break ties, entries shrink from 24 to 16 bytes and
 * four children share a cache line.  Ties in time are broken by kind (ends
 * first) and then by job index, which is also the order jobs were placed:
 * the replay does not depend on how the heap is implemented.  A moved
 * planned start (sim.c, move_planned) leaves its cancelled event in the
 * heap; if the job is moved back, two equal keys may coexist, and they are
 * interchangeable (the second finds the job queued and is dropped).
 *
 * Invariant: for every i > 0, e[(i - 1) / 4].key <= e[i].key.
 */
#include "core/mem.h"
#include "sim/sim_int.h"

void sim__evq_push(sim_evq *q, uint64_t key, uint32_t run)
{
	sl__grow((void **)&q->e, &q->cap, sizeof *q->e, q->n + 1);
	size_t i = q->n++;
	while (i > 0) {
		size_t p = (i - 1) / 4;
		if (q->e[p].key < key)
			break;
		q->e[i] = q->e[p];
		i = p;
	}
	q->e[i] = (sim_ev){key, run, 0};
}

/* Index of the smallest of the children c .. end-1 (end - c in 1..4),
 * chosen with conditional moves: heap keys are random, so branches on
 * them mispredict half the time. */
static inline size_t min_child(const sim_ev *e, size_t c, size_t end)
{
	size_t b = c;
	uint64_t bk = e[c].key;
	for (size_t j = c + 1; j < end; j++) {
		uint64_t k = e[j].key;
		int lt = k < bk;
		b = lt ? j : b;
		bk = lt ? k : bk;
	}
	return b;
}

int sim__evq_pop(sim_evq *q, sim_ev *out)
{
	if (q->n == 0)
		return -1;
	/* Field by field: entries are written that way (push), and a 16-byte
	 * load of two recent 8-byte stores waits for them to retire. */
	out->key = q->e[0].key;
	out->run = q->e[0].run;
	out->pad = 0;
	sim_ev x;
	q->n--;
	x.key = q->e[q->n].key;
	x.run = q->e[q->n].run;
	x.pad = 0;
	size_t i = 0, n = q->n;
	for (;;) {
		size_t c = 4 * i + 1;
		if (c >= n)
			break;
		size_t best = min_child(q->e, c, c + 4 < n ? c + 4 : n);
		if (x.key < q->e[best].key)
			break;
		q->e[i] = q->e[best];
		i = best;
	}
	if (n)
		q->e[i] = x;
	return 0;
}

void sim__evq_release(sim_evq *q)
{
	sl_free(q->e);
	q->e = NULL;
	q->n = q->cap = 0;
}
