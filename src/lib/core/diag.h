/*
 * diag.h — a list of located diagnostics.
 *
 * Validation collects every problem it finds instead of stopping at the
 * first: each carries file:line:col, the key path ("sites[2].pue") and a
 * message saying what was expected.  Printed one per line as
 *   scenario.yaml:12:5: sites[2].pue: expected a number >= 1, got 0.9
 */
#ifndef SL_DIAG_H
#define SL_DIAG_H

#include <stddef.h>
#include <stdio.h>

typedef struct sl_diag {
	char *file;   /* may be "" */
	int line, col; /* 1-based; 0 = unknown */
	char *key;    /* may be "" */
	char *msg;
} sl_diag;

typedef struct sl_diags {
	sl_diag *v;
	size_t n, cap;
} sl_diags;

/* Append a diagnostic (copies every string). */
void sl_diags_add(sl_diags *d, const char *file, int line, int col, const char *key,
                  const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* Format one as "file:line:col: key: msg" into buf; returns buf. */
const char *sl_diag_format(const sl_diag *g, char *buf, size_t n);
/* Print every diagnostic, one per line. */
void sl_diags_print(const sl_diags *d, FILE *f);
void sl_diags_release(sl_diags *d);

#endif
