/*
 * heap.h — a binary min-heap of (key, seq, payload) entries.
 *
 * Ordered by key, then by seq: callers give every entry a unique,
 * increasing sequence number, so equal keys pop in insertion order and a
 * run is reproducible.  The simulator's event queue is one of these.
 *
 * Invariant: for every i > 0, entry[(i-1)/2] <= entry[i].
 */
#ifndef SL_HEAP_H
#define SL_HEAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct sl_heap_entry {
	int64_t key;
	uint64_t seq;
	uint64_t payload;
} sl_heap_entry;

typedef struct sl_heap {
	sl_heap_entry *e;
	size_t n, cap;
} sl_heap;

void sl_heap_init(sl_heap *h);
void sl_heap_release(sl_heap *h);
void sl_heap_push(sl_heap *h, int64_t key, uint64_t seq, uint64_t payload);
/* Remove the smallest entry into *out; returns 0, or -1 when empty. */
int  sl_heap_pop(sl_heap *h, sl_heap_entry *out);
/* The smallest entry, or NULL when empty (borrowed; valid until next change). */
const sl_heap_entry *sl_heap_peek(const sl_heap *h);
static inline size_t sl_heap_size(const sl_heap *h) { return h->n; }

#endif
