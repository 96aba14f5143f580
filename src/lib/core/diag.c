/*
 * diag.c — located diagnostics.
 */
#include "core/diag.h"

#include <stdarg.h>

#include "core/mem.h"

void sl_diags_add(sl_diags *d, const char *file, int line, int col, const char *key,
                  const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	sl__grow((void **)&d->v, &d->cap, sizeof *d->v, d->n + 1);
	sl_diag *g = &d->v[d->n++];
	g->file = sl_strdup(file ? file : "");
	g->line = line;
	g->col = col;
	g->key = sl_strdup(key ? key : "");
	g->msg = sl_strdup(msg);
}

const char *sl_diag_format(const sl_diag *g, char *buf, size_t n)
{
	size_t k = 0;
	buf[0] = '\0';
	if (g->file[0])
		k += (size_t)snprintf(buf + k, n - k, "%s:", g->file);
	if (g->line > 0 && k < n)
		k += (size_t)snprintf(buf + k, n - k, "%d:%d:", g->line, g->col);
	if (k && k < n)
		k += (size_t)snprintf(buf + k, n - k, " ");
	if (g->key[0] && k < n)
		k += (size_t)snprintf(buf + k, n - k, "%s: ", g->key);
	if (k < n)
		snprintf(buf + k, n - k, "%s", g->msg);
	return buf;
}

void sl_diags_print(const sl_diags *d, FILE *f)
{
	char buf[2048];
	for (size_t i = 0; i < d->n; i++)
		fprintf(f, "%s\n", sl_diag_format(&d->v[i], buf, sizeof buf));
}

void sl_diags_release(sl_diags *d)
{
	for (size_t i = 0; i < d->n; i++) {
		sl_free(d->v[i].file);
		sl_free(d->v[i].key);
		sl_free(d->v[i].msg);
	}
	sl_free(d->v);
	d->v = NULL;
	d->n = d->cap = 0;
}
