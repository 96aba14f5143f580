/*
 * trace_int.h — private helpers shared by the trace readers (io/trace*.c,
 * the SWF reader io/swf.c and the Alibaba reader io/alibaba.c).
 *
 * sl__lines: a chunked line reader over a plain or gzip file (zlib detects
 * which) or over a buffer in memory.  It hands out lines without their
 * "\n" / "\r\n", counts line numbers from 1, and never allocates per line:
 * a line points into its buffer and stays valid until the next call.
 *
 * sl__idmap: an open-addressing hash map from id strings (the scenario's
 * origin, class or tag ids) to their index, so a reader resolves a field in
 * one hash and one memcmp instead of a strcmp scan.
 *
 * For the log readers: sl__scan_i64 (a plain decimal integer),
 * sl__idseen (a set of job ids, to refuse a repeated one), sl__line_fail
 * ("file:line: ..." errors) and sl__show (a field quoted in a message).
 * Their bodies are in io/trace_map_load.c.
 */
#ifndef SL_TRACE_INT_H
#define SL_TRACE_INT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/err.h"

#define SL__LINES_BUF (1u << 20) /* a line longer than this is an error */

typedef struct sl__lines {
	void *gz;               /* gzFile, or NULL when reading memory */
	char *buf;              /* file mode: SL__LINES_BUF + 1 bytes */
	const char *data;       /* the bytes being split: buf or the memory text */
	size_t len, pos;        /* data[pos..len) is not yet handed out */
	int eof;                /* no more input beyond data[len] */
	int64_t lineno;         /* number of the line last returned */
	const char *name;       /* for messages (borrowed) */
} sl__lines;

/* Open path for reading (plain or gzip).  Returns 0 or SL_EIO. */
int sl__lines_open(sl__lines *lr, const char *path, sl_err *err);

/* Read lines from text[0..len) (borrowed; must outlive the reader). */
void sl__lines_mem(sl__lines *lr, const char *text, size_t len, const char *name);

/* The next line into *line / *n.  Returns 1 (a line), 0 (end of input),
 * SL_EIO (read error, truncated gzip) or SL_EPARSE (line too long). */
int sl__lines_next(sl__lines *lr, const char **line, size_t *n, sl_err *err);

/* Close the file, free the buffer.  Accepts a zeroed reader. */
void sl__lines_close(sl__lines *lr);

/* Drop the UTF-8 byte order mark that spreadsheet exports put at the start
 * of the first line (call on each line sl__lines_next returns). */
static inline void sl__lines_skip_bom(const sl__lines *lr, const char **line, size_t *n)
{
	if (lr->lineno == 1 && *n >= 3 && memcmp(*line, "\xEF\xBB\xBF", 3) == 0) {
		*line += 3;
		*n -= 3;
	}
}

typedef struct sl__idslot {
	const char *s;          /* borrowed from the network; NULL = empty slot */
	uint64_t w8;            /* its first min(len, 8) bytes, zero-padded (sl__idmap_word) */
	uint32_t len;
	int32_t idx;
} sl__idslot;

typedef struct sl__idmap {
	sl__idslot *slot;
	uint32_t mask;          /* slots - 1; slots is a power of two > 2 * count */
} sl__idmap;

/* The first min(n, 8) bytes of s as a word, zero-padded: what the map
 * hashes and compares ids of up to 8 bytes by. */
static inline uint64_t sl__idmap_word(const char *s, size_t n)
{
	uint64_t w = 0;
	memcpy(&w, s, n < 8 ? n : 8);
	return w;
}

/* The map's hash of an id of n bytes whose first word is w (multiplicative;
 * longer ids fold their further words in, sl__idmap_hash). */
static inline uint32_t sl__idmap_hash8(uint64_t w, size_t n)
{
	return (uint32_t)(((w ^ (uint64_t)n) * 0x9e3779b97f4a7c15ull) >> 32);
}
uint32_t sl__idmap_hash(const char *s, size_t n);

/* A byte-at-a-time string hash (FNV-1a) for readers that hash while they
 * split (io/trace_map_load.c's string set); not the map's hash. */
static inline uint32_t sl__idmap_hash_step(uint32_t h, unsigned char c)
{
	return (h ^ c) * 16777619u;
}
#define SL__IDMAP_HASH_INIT 2166136261u

/* Build a map of n ids; ids[i] is found as i.  strs is an array of structs
 * of size stride whose first member is the const char * id (as sl_origin,
 * sl_job_class and sl_data_rule are laid out). */
void sl__idmap_build(sl__idmap *m, const void *strs, size_t stride, int n);
/* Index of the id s[0..n), or -1. */
int  sl__idmap_get(const sl__idmap *m, const char *s, size_t n);
/* The same with the hash of s[0..n) already computed. */
int  sl__idmap_find(const sl__idmap *m, const char *s, size_t n, uint32_t hash);

/* Index of the id of n <= 8 bytes whose zero-padded word is w, or -1: no
 * string compare. */
static inline int sl__idmap_find8(const sl__idmap *m, uint64_t w, size_t n)
{
	uint32_t h = sl__idmap_hash8(w, n) & m->mask;
	for (; m->slot[h].s; h = (h + 1) & m->mask)
		if (m->slot[h].w8 == w && m->slot[h].len == n)
			return m->slot[h].idx;
	return -1;
}
void sl__idmap_free(sl__idmap *m);

/* ---- shared by the log readers (swf.c, alibaba.c, trace_map_load.c) ---- */

/* Parse [p, q) as a plain decimal integer (optional '-', digits only).
 * Returns 0, 1 (not an integer) or 2 (does not fit in 64 bits). */
static inline int sl__scan_i64(const char *p, const char *q, int64_t *out)
{
	int neg = 0;
	uint64_t v = 0;
	if (p < q && *p == '-') {
		neg = 1;
		p++;
	}
	if (p == q)
		return 1;
	for (; p < q; p++) {
		unsigned d = (unsigned)(unsigned char)*p - '0';
		if (d > 9)
			return 1;
		if (v > ((uint64_t)INT64_MAX - d) / 10)
			return 2;
		v = v * 10 + d;
	}
	*out = neg ? -(int64_t)v : (int64_t)v;
	return 0;
}

/* A set of int64 ids seen so far (open addressing, -1 = empty slot, so
 * ids must be >= 0).  Zero-initialise; sl__idseen_free releases. */
typedef struct sl__idseen {
	int64_t *k;
	size_t mask, n;
} sl__idseen;

/* Add id; returns 1 if it was already there, else 0. */
int  sl__idseen_add(sl__idseen *s, int64_t id);
void sl__idseen_free(sl__idseen *s);

/* A message "name:line: ..." for a bad line of a log reader. */
int sl__line_fail(sl_err *err, const char *name, int64_t line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Copy s[0..n) for a message: at most 40 bytes, non-printables as '?'. */
const char *sl__show(const char *s, size_t n, char *buf, size_t cap);

/* Stable insertion sort of a log's jobs by submit time: logs step back at
 * most a small tolerance, so each job moves only past a few neighbours. */
struct sl_srclog;
void sl__srclog_sort(struct sl_srclog *log);

#endif
