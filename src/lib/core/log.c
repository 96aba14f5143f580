/*
 * log.c — leveled logging.
 */
#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void sl_log(const sl_logger *lg, int level, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;
	if (!lg || !lg->fn || level > lg->level)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	lg->fn(lg->ud, level, buf);
}

const char *sl_log_level_name(int level)
{
	static const char *names[] = {"error", "warn", "info", "debug"};
	return level >= 0 && level <= 3 ? names[level] : "?";
}

int sl_log_level_parse(const char *s)
{
	for (int i = 0; i <= 3; i++)
		if (strcmp(s, sl_log_level_name(i)) == 0)
			return i;
	return -1;
}

void sl_log_to_stream(void *ud, int level, const char *msg)
{
	FILE *f = ud ? ud : stderr;
	fprintf(f, "%s: %s\n", sl_log_level_name(level), msg);
}
