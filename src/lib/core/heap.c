/*
 * heap.c — binary min-heap keyed by (key, seq).
 */
#include "core/heap.h"

#include "core/mem.h"

static inline int less(const sl_heap_entry *a, const sl_heap_entry *b)
{
	return a->key < b->key || (a->key == b->key && a->seq < b->seq);
}

void sl_heap_init(sl_heap *h)
{
	h->e = NULL;
	h->n = h->cap = 0;
}

void sl_heap_release(sl_heap *h)
{
	sl_free(h->e);
	sl_heap_init(h);
}

void sl_heap_push(sl_heap *h, int64_t key, uint64_t seq, uint64_t payload)
{
	sl__grow((void **)&h->e, &h->cap, sizeof *h->e, h->n + 1);
	sl_heap_entry x = {key, seq, payload};
	size_t i = h->n++;
	while (i > 0) {
		size_t p = (i - 1) / 2;
		if (!less(&x, &h->e[p]))
			break;
		h->e[i] = h->e[p];
		i = p;
	}
	h->e[i] = x;
}

int sl_heap_pop(sl_heap *h, sl_heap_entry *out)
{
	if (h->n == 0)
		return -1;
	*out = h->e[0];
	sl_heap_entry x = h->e[--h->n];
	size_t i = 0, n = h->n;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= n)
			break;
		if (c + 1 < n && less(&h->e[c + 1], &h->e[c]))
			c++;
		if (!less(&h->e[c], &x))
			break;
		h->e[i] = h->e[c];
		i = c;
	}
	if (n)
		h->e[i] = x;
	return 0;
}

const sl_heap_entry *sl_heap_peek(const sl_heap *h)
{
	return h->n ? &h->e[0] : NULL;
}
