/*
 * testutil.h — shared includes for cmocka unit tests.
 */
#ifndef SL_TESTUTIL_H
#define SL_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"

/* Path of a test fixture relative to the repository root (tests run there). */
#define FIXTURE(name) "tests/fixtures/" name

#define assert_near(a, b, eps) \
	assert_true(fabs((double)(a) - (double)(b)) <= (eps))

/* Damage buf[0..n) with 1 to max_edits random edits, each a byte from
 * alphabet (nalpha characters), a deletion or a truncation; returns the
 * new length (the mutation tests of the trace readers). */
static inline size_t tu_mutate(sl_rng *r, char *buf, size_t n, const char *alphabet, size_t nalpha,
                               int max_edits)
{
	for (int k = 0, edits = 1 + (int)sl_rng_below(r, (uint64_t)max_edits); k < edits && n > 0; k++) {
		size_t at = (size_t)sl_rng_below(r, n);
		switch (sl_rng_below(r, 3)) {
		case 0: buf[at] = alphabet[sl_rng_below(r, nalpha)]; break;
		case 1: memmove(buf + at, buf + at + 1, n - at - 1); n--; break;
		default: n = at; break; /* truncate */
		}
	}
	return n;
}

/* Remove a test's temporary directory tree: 0, or -1. */
static inline int tu_rmrf(const char *dir)
{
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* A whole file (up to 1 MiB) as a NUL-terminated heap string; its length
 * into *len when len is not NULL.  Fails the test if it cannot be read. */
static inline char *tu_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	char *buf = malloc(1 << 20);
	size_t n = fread(buf, 1, (1 << 20) - 1, f);
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

/* text with the first `from` replaced by `to` (heap). */
static inline char *tu_edit(const char *text, const char *from, const char *to)
{
	const char *at = strstr(text, from);
	if (!at)
		fail_msg("edit: \"%s\" not found", from);
	size_t pre = (size_t)(at - text), lf = strlen(from), lt = strlen(to);
	char *out = malloc(strlen(text) - lf + lt + 1);
	memcpy(out, text, pre);
	memcpy(out + pre, to, lt);
	strcpy(out + pre + lt, at + lf);
	return out;
}

#endif
