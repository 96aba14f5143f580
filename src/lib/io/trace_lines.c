/*
 * trace_lines.c — the chunked line reader and the id hash map shared by the
 * trace readers (contract in io/trace_int.h).
 *
 * Files are read through zlib's gzread, which passes plain files through
 * unchanged, so every trace reader accepts .gz for free.  The buffer holds
 * at most SL__LINES_BUF bytes: complete lines are handed out in place, the
 * partial tail is moved to the front and the rest refilled.
 */
#include "io/trace_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "core/mem.h"

int sl__lines_open(sl__lines *lr, const char *path, sl_err *err)
{
	memset(lr, 0, sizeof *lr);
	lr->name = path;
	gzFile gz = gzopen(path, "rb");
	if (!gz)
		return sl_err_set(err, SL_EIO, path, "cannot open: %s",
		                  errno ? strerror(errno) : "out of memory");
	gzbuffer(gz, 1u << 18);
	lr->gz = gz;
	lr->buf = sl_malloc(SL__LINES_BUF + 1);
	lr->data = lr->buf;
	return 0;
}

void sl__lines_mem(sl__lines *lr, const char *text, size_t len, const char *name)
{
	memset(lr, 0, sizeof *lr);
	lr->name = name;
	lr->data = text;
	lr->len = len;
	lr->eof = 1;
}

void sl__lines_close(sl__lines *lr)
{
	if (lr->gz)
		gzclose((gzFile)lr->gz);
	sl_free(lr->buf);
	memset(lr, 0, sizeof *lr);
}

/* Move the unread tail to the front and read once more.  Returns 0 or
 * SL_EIO (a read error, or a gzip stream that ends early). */
static int refill(sl__lines *lr, sl_err *err)
{
	size_t keep = lr->len - lr->pos;
	memmove(lr->buf, lr->buf + lr->pos, keep);
	lr->pos = 0;
	lr->len = keep;
	int got = gzread((gzFile)lr->gz, lr->buf + lr->len, (unsigned)(SL__LINES_BUF - lr->len));
	int zerr = Z_OK;
	const char *msg = gzerror((gzFile)lr->gz, &zerr);
	if (got < 0 || (zerr != Z_OK && zerr != Z_STREAM_END))
		return sl_err_set(err, SL_EIO, lr->name, "read failed: %s",
		                  zerr == Z_ERRNO ? strerror(errno) : msg);
	if (got == 0)
		lr->eof = 1;
	lr->len += (size_t)got;
	return 0;
}

static void hand_out(sl__lines *lr, size_t end, size_t next, const char **line, size_t *n)
{
	size_t start = lr->pos;
	if (end > start && lr->data[end - 1] == '\r')
		end--;
	*line = lr->data + start;
	*n = end - start;
	lr->pos = next;
	lr->lineno++;
}

int sl__lines_next(sl__lines *lr, const char **line, size_t *n, sl_err *err)
{
	for (;;) {
		const char *nl = lr->pos < lr->len
		                 ? memchr(lr->data + lr->pos, '\n', lr->len - lr->pos) : NULL;
		if (nl) {
			size_t end = (size_t)(nl - lr->data);
			hand_out(lr, end, end + 1, line, n);
			return 1;
		}
		if (lr->eof) {
			if (lr->pos >= lr->len)
				return 0;
			hand_out(lr, lr->len, lr->len, line, n); /* last line, no newline */
			return 1;
		}
		if (lr->pos == 0 && lr->len >= SL__LINES_BUF) {
			char where[SL_ERR_ORIGIN_MAX];
			snprintf(where, sizeof where, "%s:%lld", lr->name, (long long)lr->lineno + 1);
			return sl_err_set(err, SL_EPARSE, where, "line longer than %u bytes",
			                  SL__LINES_BUF);
		}
		int rc = refill(lr, err);
		if (rc)
			return rc;
	}
}

uint32_t sl__idmap_hash(const char *s, size_t n)
{
	uint64_t w = sl__idmap_word(s, n);
	for (size_t i = 8; i < n; i += 8)
		w = (w ^ sl__idmap_word(s + i, n - i)) * 0xff51afd7ed558ccdull;
	return sl__idmap_hash8(w, n);
}

void sl__idmap_build(sl__idmap *m, const void *strs, size_t stride, int n)
{
	uint32_t slots = 8;
	while (slots < 2u * (uint32_t)n + 2)
		slots *= 2;
	m->slot = sl_calloc(slots, sizeof *m->slot);
	m->mask = slots - 1;
	for (int i = 0; i < n; i++) {
		const char *s = *(const char *const *)((const char *)strs + (size_t)i * stride);
		size_t len = strlen(s);
		uint32_t h = sl__idmap_hash(s, len) & m->mask;
		while (m->slot[h].s)
			h = (h + 1) & m->mask;
		m->slot[h] = (sl__idslot){s, sl__idmap_word(s, len), (uint32_t)len, i};
	}
}

int sl__idmap_get(const sl__idmap *m, const char *s, size_t n)
{
	return sl__idmap_find(m, s, n, sl__idmap_hash(s, n));
}

int sl__idmap_find(const sl__idmap *m, const char *s, size_t n, uint32_t hash)
{
	uint32_t h = hash & m->mask;
	for (; m->slot[h].s; h = (h + 1) & m->mask)
		if (m->slot[h].len == n && memcmp(m->slot[h].s, s, n) == 0)
			return m->slot[h].idx;
	return -1;
}

void sl__idmap_free(sl__idmap *m)
{
	sl_free(m->slot);
	m->slot = NULL;
	m->mask = 0;
}
