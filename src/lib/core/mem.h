/*
 * mem.h — allocation wrappers and a bump arena.
 *
 * sl_malloc & co. never return NULL: on allocation failure they print one line
 * and abort().  Why: on Linux with overcommit an allocation failure is not a
 * recoverable event, and checking every small allocation makes the code worse
 * (git's xmalloc and Redis's zmalloc decide the same).  Code that allocates
 * from untrusted sizes (HTTP bodies, traces) bounds them before asking.
 *
 * sl_arena: many small allocations freed together (a loaded scenario).
 */
#ifndef SL_MEM_H
#define SL_MEM_H

#include <stddef.h>

void *sl_malloc(size_t n);
void *sl_calloc(size_t count, size_t size);
void *sl_realloc(void *p, size_t n);
char *sl_strdup(const char *s);
char *sl_strndup(const char *s, size_t n);
void  sl_free(void *p); /* accepts NULL */

/* A hint for a large array that is about to be written in full: map the
 * pages of p[0..n) now, in one system call, instead of taking one page
 * fault per page as each is first written (Linux MADV_POPULATE_WRITE;
 * elsewhere, or when refused, nothing happens).  Contents are unchanged. */
void  sl_mem_prefault(void *p, size_t n);

/* Grow *v (an array of elsize-byte items with *cap slots) to hold at least
 * need items.  Doubles; never shrinks. */
void sl__grow(void **v, size_t *cap, size_t elsize, size_t need);

/* Typed dynamic array: SL_VEC(int) xs = {0}; sl_vec_push(&xs, 3); */
#define SL_VEC(T) struct { T *v; size_t n, cap; }
#define sl_vec_reserve(vec, need) \
	sl__grow((void **)&(vec)->v, &(vec)->cap, sizeof *(vec)->v, (need))
#define sl_vec_push(vec, x) \
	(sl_vec_reserve((vec), (vec)->n + 1), (vec)->v[(vec)->n++] = (x))
#define sl_vec_free(vec) \
	(sl_free((vec)->v), (vec)->v = NULL, (vec)->n = (vec)->cap = 0)

typedef struct sl_arena_block sl_arena_block;
/* A bump allocator.  Zero-initialise; sl_arena_release frees every block. */
typedef struct sl_arena {
	sl_arena_block *head;
	size_t used, size; /* of head */
} sl_arena;

void *sl_arena_alloc(sl_arena *a, size_t n);  /* zeroed, 16-byte aligned */
char *sl_arena_strdup(sl_arena *a, const char *s);
char *sl_arena_strndup(sl_arena *a, const char *s, size_t n);
void  sl_arena_release(sl_arena *a);

#endif
