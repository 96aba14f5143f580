/*
 * units.c — byte sizes: "500MB", "1.5GB", "4GiB" and back.
 *
 * Decimal units (KB..PB) are powers of 1000, binary units (KiB..PiB) powers
 * of 1024; unit names are case-sensitive except that "kB" is accepted for
 * KB, because "Mb" (megabit) and "MB" (megabyte) must not be confused.
 */
#include "core/units.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

typedef struct unit {
	const char *name;
	double bytes;
} unit;

static const unit units[] = {
	{"B", 1.0},
	{"KB", 1e3}, {"kB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12}, {"PB", 1e15},
	{"KiB", 1024.0}, {"MiB", 1048576.0}, {"GiB", 1073741824.0},
	{"TiB", 1099511627776.0}, {"PiB", 1125899906842624.0},
};

static int unit_bytes(const char *s, size_t n, double *out)
{
	if (n == 0) {
		*out = 1.0;
		return 0;
	}
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
		if (strlen(units[i].name) == n && memcmp(units[i].name, s, n) == 0) {
			*out = units[i].bytes;
			return 0;
		}
	return -1;
}

int sl_bytes_parse(const char *s, int64_t *out, sl_err *err)
{
	const char *p = s;
	char *end;
	double mult;
	while (isspace((unsigned char)*p))
		p++;
	if (!isdigit((unsigned char)*p) && !(*p == '.' && isdigit((unsigned char)p[1])))
		goto bad;
	double v = strtod(p, &end);
	if (end == p || !isfinite(v) || memchr(p, 'x', (size_t)(end - p)) ||
	    memchr(p, 'X', (size_t)(end - p)))
		goto bad; /* no hexadecimal, no inf/nan */
	p = end;
	while (*p == ' ')
		p++;
	size_t n = strlen(p);
	while (n && isspace((unsigned char)p[n - 1]))
		n--;
	if (unit_bytes(p, n, &mult))
		goto bad;
	v *= mult;
	if (v >= 9.2e18)
		return sl_err_set(err, SL_ERANGE, NULL, "byte size \"%s\" too large", s);
	*out = (int64_t)llround(v);
	return 0;
bad:
	return sl_err_set(err, SL_EPARSE, NULL,
	                  "bad byte size \"%s\" (expected a number of bytes or e.g. 500MB, "
	                  "1.5GB, 2TB, 4GiB)", s);
}

char *sl_bytes_format(double bytes, char *buf, size_t n)
{
	static const char *const names[] = {"B", "KB", "MB", "GB", "TB", "PB", "EB"};
	double a = fabs(bytes);
	int k = 0;
	while (a >= 1000.0 && k < 6) {
		a /= 1000.0;
		k++;
	}
	if (k == 0)
		snprintf(buf, n, "%.0f B", bytes);
	else
		snprintf(buf, n, "%.2f %s", bytes < 0 ? -a : a, names[k]);
	return buf;
}
