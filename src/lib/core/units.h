/*
 * units.h — parsing and formatting of byte sizes.
 */
#ifndef SL_UNITS_H
#define SL_UNITS_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

/* Parse "1234", "500MB", "1.5GB", "2TB", "4GiB" (KB..PB decimal, KiB..PiB
 * binary, B bytes).  Returns 0, SL_EPARSE or SL_ERANGE. */
int sl_bytes_parse(const char *s, int64_t *out, sl_err *err);
/* "1.50 GB" style, decimal units. */
char *sl_bytes_format(double bytes, char *buf, size_t n);

#endif
