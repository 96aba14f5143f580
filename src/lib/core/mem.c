/*
 * mem.c — allocation wrappers (abort on failure, see mem.h) and the arena.
 */
#include "core/mem.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static void oom(size_t n)
{
	fprintf(stderr, "suanli: out of memory allocating %zu bytes\n", n);
	abort();
}

void *sl_malloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom(n);
	return p;
}

void *sl_calloc(size_t count, size_t size)
{
	void *p = calloc(count ? count : 1, size ? size : 1);
	if (!p)
		oom(count * size);
	return p;
}

void *sl_realloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		oom(n);
	return q;
}

char *sl_strdup(const char *s)
{
	return sl_strndup(s, strlen(s));
}

char *sl_strndup(const char *s, size_t n)
{
	char *d = sl_malloc(n + 1);
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

void sl_free(void *p)
{
	free(p);
}

void sl_mem_prefault(void *p, size_t n)
{
#ifdef MADV_POPULATE_WRITE
	long page = sysconf(_SC_PAGESIZE);
	if (page <= 0 || n < (size_t)page * 16)
		return; /* small: the faults cost nothing worth a call */
	uintptr_t a = ((uintptr_t)p + (uintptr_t)page - 1) & ~((uintptr_t)page - 1);
	uintptr_t b = ((uintptr_t)p + n) & ~((uintptr_t)page - 1);
	if (b > a)
		(void)madvise((void *)a, b - a, MADV_POPULATE_WRITE); /* a hint: failure is harmless */
#else
	(void)p;
	(void)n;
#endif
}

void sl__grow(void **v, size_t *cap, size_t elsize, size_t need)
{
	size_t c = *cap;
	if (need <= c)
		return;
	if (c < 8)
		c = 8;
	while (c < need)
		c *= 2;
	*v = sl_realloc(*v, c * elsize);
	*cap = c;
}

struct sl_arena_block {
	sl_arena_block *next;
	size_t pad; /* keeps data 16-byte aligned */
	unsigned char data[];
};

#define ARENA_BLOCK 65536

void *sl_arena_alloc(sl_arena *a, size_t n)
{
	n = (n + 15) & ~(size_t)15;
	if (!a->head || a->used + n > a->size) {
		size_t size = n > ARENA_BLOCK ? n : ARENA_BLOCK;
		sl_arena_block *b = sl_malloc(sizeof *b + size);
		b->next = a->head;
		a->head = b;
		a->used = 0;
		a->size = size;
	}
	void *p = a->head->data + a->used;
	a->used += n;
	memset(p, 0, n);
	return p;
}

char *sl_arena_strndup(sl_arena *a, const char *s, size_t n)
{
	char *d = sl_arena_alloc(a, n + 1);
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

char *sl_arena_strdup(sl_arena *a, const char *s)
{
	return s ? sl_arena_strndup(a, s, strlen(s)) : NULL;
}

void sl_arena_release(sl_arena *a)
{
	sl_arena_block *b = a->head;
	while (b) {
		sl_arena_block *next = b->next;
		sl_free(b);
		b = next;
	}
	a->head = NULL;
	a->used = a->size = 0;
}
