/*
 * time.h — time as int64 seconds since the Unix epoch, UTC.
 *
 * Everything inside suanli is UTC seconds.  Local time exists only at the
 * edges (tariffs, reports, diurnal patterns) as a fixed UTC offset in
 * seconds: the zones suanli models (China, Singapore, Malaysia, Indonesia,
 * Vietnam) keep no daylight saving time.
 */
#ifndef SL_TIME_H
#define SL_TIME_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define SL_MINUTE 60
#define SL_HOUR 3600
#define SL_DAY 86400

/* A broken-down civil time (proleptic Gregorian). */
typedef struct sl_civil {
	int year, month, day;     /* month 1..12, day 1..31 */
	int hour, min, sec;
	int wday;                 /* 0 = Monday .. 6 = Sunday (ISO 8601) */
	int yday;                 /* 0-based day of the year */
} sl_civil;

/* Days since 1970-01-01 of a civil date, and back. */
int64_t sl_days_from_civil(int year, int month, int day);
void    sl_civil_from_days(int64_t days, int *year, int *month, int *day);

/* UTC seconds from civil fields read in a zone UTC+offset_s. */
int64_t sl_time_from_civil(int year, int month, int day, int hour, int min, int sec,
                           int32_t offset_s);

/* Civil fields of t seen in a zone UTC+offset_s. */
void sl_time_to_civil(int64_t t, int32_t offset_s, sl_civil *out);

/* Parse ISO 8601: "2025-07-14", "2025-07-14T08:00", "2025-07-14 08:00:00",
 * with optional fraction (ignored), and "Z", "+08:00", "+0800", "+08" or
 * nothing (then default_offset_s applies).  Returns 0 or SL_EPARSE with a
 * message naming what was expected. */
int sl_time_parse_iso(const char *s, int32_t default_offset_s, int64_t *out, sl_err *err);

/* Format t as "2025-07-14T08:00:00+08:00" (or "...Z" when offset_s is 0
 * and utc_z is set).  buf needs 26 bytes.  Returns buf. */
char *sl_time_format_iso(int64_t t, int32_t offset_s, int utc_z, char *buf, size_t n);

/* Parse a UTC offset: "+08:00", "-05:30", "+0800", "+8", "UTC+8", "UTC",
 * "Z".  Returns 0 or SL_EPARSE. */
int sl_utc_offset_parse(const char *s, int32_t *out_s, sl_err *err);
/* Format an offset as "+08:00".  buf needs 7 bytes. */
char *sl_utc_offset_format(int32_t offset_s, char *buf, size_t n);

/* Parse a duration: "90", "90s", "15m", "2h", "1d", "1h30m", "1.5h", "1w".
 * A bare number is seconds.  Returns 0 or SL_EPARSE / SL_ERANGE. */
int sl_duration_parse(const char *s, int64_t *out_s, sl_err *err);
/* Format seconds compactly: "2h", "1h30m", "45s", "3d4h". */
char *sl_duration_format(int64_t s, char *buf, size_t n);

/* Floor division helpers for possibly negative times. */
static inline int64_t sl_floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}
static inline int64_t sl_floor_mod(int64_t a, int64_t b)
{
	return a - sl_floor_div(a, b) * b;
}

#endif
