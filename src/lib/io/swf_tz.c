/*
 * swf_tz.c — the local time of a workload log.
 *
 * The Parallel Workloads Archive names each log's zone in its
 * TimeZoneString header (US/Eastern, Europe/Stockholm, ...), and those
 * zones keep daylight-saving time, which moves the daily rhythm of a log by
 * an hour for half the year.  suanli carries no time-zone database; this
 * file knows the zones the archive's logs use and the two daylight-saving
 * rules they follow:
 *
 *   US: 1987-2006 first Sunday of April to last Sunday of October, from
 *       2007 second Sunday of March to first Sunday of November, at 02:00
 *       local time (before 1987: last Sunday of April to last Sunday of
 *       October);
 *   EU: last Sunday of March to last Sunday of October (before 1996: of
 *       September), at 01:00 UTC.
 *
 * A zone it does not know falls back to the log's numeric TimeZone offset
 * without daylight saving (the reader notes this in the log's header).
 */
#include "io/trace_map.h"

#include <string.h>
#include <strings.h>

#include "core/time.h"
#include "io/swf_int.h"

typedef struct zone {
	const char *name;
	int32_t std_s;
	int rule;
} zone;

static const zone zones[] = {
	{"US/Eastern", -5 * 3600, SL_TZ_US},       {"America/New_York", -5 * 3600, SL_TZ_US},
	{"US/Central", -6 * 3600, SL_TZ_US},       {"America/Chicago", -6 * 3600, SL_TZ_US},
	{"US/Mountain", -7 * 3600, SL_TZ_US},      {"America/Denver", -7 * 3600, SL_TZ_US},
	{"US/Arizona", -7 * 3600, SL_TZ_FIXED},    {"America/Phoenix", -7 * 3600, SL_TZ_FIXED},
	{"US/Pacific", -8 * 3600, SL_TZ_US},       {"America/Los_Angeles", -8 * 3600, SL_TZ_US},
	{"Europe/London", 0, SL_TZ_EU},            {"Europe/Dublin", 0, SL_TZ_EU},
	{"Europe/Lisbon", 0, SL_TZ_EU},            {"Europe/Stockholm", 3600, SL_TZ_EU},
	{"Europe/Berlin", 3600, SL_TZ_EU},         {"Europe/Paris", 3600, SL_TZ_EU},
	{"Europe/Amsterdam", 3600, SL_TZ_EU},      {"Europe/Brussels", 3600, SL_TZ_EU},
	{"Europe/Zurich", 3600, SL_TZ_EU},         {"Europe/Rome", 3600, SL_TZ_EU},
	{"Europe/Madrid", 3600, SL_TZ_EU},         {"Europe/Vienna", 3600, SL_TZ_EU},
	{"Europe/Copenhagen", 3600, SL_TZ_EU},     {"Europe/Oslo", 3600, SL_TZ_EU},
	{"Europe/Prague", 3600, SL_TZ_EU},         {"Europe/Warsaw", 3600, SL_TZ_EU},
	{"Europe/Helsinki", 2 * 3600, SL_TZ_EU},   {"Europe/Athens", 2 * 3600, SL_TZ_EU},
	{"Asia/Shanghai", 8 * 3600, SL_TZ_FIXED},  {"Asia/Chongqing", 8 * 3600, SL_TZ_FIXED},
	{"PRC", 8 * 3600, SL_TZ_FIXED},            {"Asia/Hong_Kong", 8 * 3600, SL_TZ_FIXED},
	{"Asia/Singapore", 8 * 3600, SL_TZ_FIXED}, {"Asia/Taipei", 8 * 3600, SL_TZ_FIXED},
	{"Asia/Tokyo", 9 * 3600, SL_TZ_FIXED},     {"Asia/Seoul", 9 * 3600, SL_TZ_FIXED},
	{"UTC", 0, SL_TZ_FIXED},                   {"GMT", 0, SL_TZ_FIXED},
	{"Etc/UTC", 0, SL_TZ_FIXED},
};

int sl__swf_tz_lookup(const char *name, int32_t *std_s, int *rule)
{
	for (size_t i = 0; i < sizeof zones / sizeof zones[0]; i++)
		if (strcasecmp(name, zones[i].name) == 0) {
			*std_s = zones[i].std_s;
			*rule = zones[i].rule;
			return 0;
		}
	return -1;
}

/* ISO weekday (0 = Monday) of a day number (days since 1970-01-01, a Thursday). */
static int wday_of(int64_t days)
{
	return (int)sl_floor_mod(days + 3, 7);
}

/* Day number of the n-th (1-based) Sunday of a month, or of its last
 * Sunday when n is 0. */
static int64_t sunday(int year, int month, int n)
{
	if (n == 0) {
		int64_t last = month == 12 ? sl_days_from_civil(year + 1, 1, 1) - 1
		                           : sl_days_from_civil(year, month + 1, 1) - 1;
		return last - (wday_of(last) + 1) % 7;
	}
	int64_t first = sl_days_from_civil(year, month, 1);
	return first + (6 - wday_of(first)) + 7 * (n - 1);
}

/* [begin, end) of daylight saving time in UTC for a year, or 0 when the
 * year has none under the rule. */
static int dst_span(int rule, int year, int32_t std_s, int64_t *begin, int64_t *end)
{
	if (rule == SL_TZ_EU) {
		if (year < 1981)
			return 0;
		*begin = sunday(year, 3, 0) * SL_DAY + SL_HOUR;
		*end = sunday(year, year < 1996 ? 9 : 10, 0) * SL_DAY + SL_HOUR;
		return 1;
	}
	if (rule != SL_TZ_US || year < 1967)
		return 0;
	int64_t b, e;
	if (year >= 2007) {
		b = sunday(year, 3, 2);
		e = sunday(year, 11, 1);
	} else {
		b = year >= 1987 ? sunday(year, 4, 1) : sunday(year, 4, 0);
		e = sunday(year, 10, 0);
	}
	*begin = b * SL_DAY + 2 * SL_HOUR - std_s; /* 02:00 standard time */
	*end = e * SL_DAY + 1 * SL_HOUR - std_s;   /* 02:00 daylight time = 01:00 standard */
	return 1;
}

int32_t sl_srclog_offset_at(const sl_srclog *log, int64_t t)
{
	if (log->tz == SL_TZ_FIXED)
		return log->utc_offset_s;
	int64_t days = sl_floor_div(t + log->utc_offset_s, SL_DAY);
	int y, m, d;
	sl_civil_from_days(days, &y, &m, &d);
	int64_t b, e;
	if (dst_span(log->tz, y, log->utc_offset_s, &b, &e) && t >= b && t < e)
		return log->utc_offset_s + SL_HOUR;
	return log->utc_offset_s;
}
