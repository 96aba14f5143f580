/*
 * time.c — civil calendar arithmetic, ISO 8601 and duration parsing.
 *
 * The day-count conversions use the era-based algorithm for the proleptic
 * Gregorian calendar (400-year eras of 146097 days), valid for any int64 day.
 */
#include "core/time.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int64_t sl_days_from_civil(int year, int month, int day)
{
	int64_t y = (int64_t)year - (month <= 2);
	int64_t era = sl_floor_div(y, 400);
	int64_t yoe = y - era * 400;                                   /* [0, 399] */
	int64_t mp = (month + 9) % 12;                                 /* March = 0 */
	int64_t doy = (153 * mp + 2) / 5 + day - 1;                    /* [0, 365] */
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;           /* [0, 146096] */
	return era * 146097 + doe - 719468;
}

void sl_civil_from_days(int64_t days, int *year, int *month, int *day)
{
	int64_t z = days + 719468;
	int64_t era = sl_floor_div(z, 146097);
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int d = (int)(doy - (153 * mp + 2) / 5 + 1);
	int m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*year = (int)(yoe + era * 400 + (m <= 2));
	*month = m;
	*day = d;
}

int64_t sl_time_from_civil(int year, int month, int day, int hour, int min, int sec,
                           int32_t offset_s)
{
	return sl_days_from_civil(year, month, day) * SL_DAY + hour * 3600 + min * 60 + sec -
	       offset_s;
}

void sl_time_to_civil(int64_t t, int32_t offset_s, sl_civil *out)
{
	int64_t local = t + offset_s;
	int64_t days = sl_floor_div(local, SL_DAY);
	int64_t rem = local - days * SL_DAY;
	sl_civil_from_days(days, &out->year, &out->month, &out->day);
	out->hour = (int)(rem / 3600);
	out->min = (int)(rem % 3600 / 60);
	out->sec = (int)(rem % 60);
	out->wday = (int)sl_floor_mod(days + 3, 7); /* 1970-01-01 was a Thursday */
	out->yday = (int)(days - sl_days_from_civil(out->year, 1, 1));
}

static int digits(const char **p, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

static int days_in_month(int y, int m)
{
	static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 ? 28 + leap : dm[m - 1];
}

/* Parse an offset at *p ("Z", "+08:00", "+0800", "+08", "+8"); advances *p. */
static int parse_offset_at(const char **p, int32_t *out)
{
	const char *s = *p;
	if (*s == 'Z' || *s == 'z') {
		*p = s + 1;
		*out = 0;
		return 0;
	}
	if (*s != '+' && *s != '-')
		return -1;
	int sign = *s == '-' ? -1 : 1;
	s++;
	int h = 0, m = 0, nd = 0;
	while (isdigit((unsigned char)s[nd]) && nd < 4)
		nd++;
	if (nd == 1 || nd == 2) {
		for (int i = 0; i < nd; i++)
			h = h * 10 + (s[i] - '0');
		s += nd;
		if (*s == ':') {
			s++;
			if (digits(&s, 2, &m))
				return -1;
		}
	} else if (nd == 4) {
		h = (s[0] - '0') * 10 + (s[1] - '0');
		m = (s[2] - '0') * 10 + (s[3] - '0');
		s += 4;
	} else {
		return -1;
	}
	if (h > 14 || m > 59)
		return -1;
	*out = sign * (h * 3600 + m * 60);
	*p = s;
	return 0;
}

int sl_utc_offset_parse(const char *s, int32_t *out_s, sl_err *err)
{
	const char *p = s;
	int32_t off = 0;
	while (isspace((unsigned char)*p))
		p++;
	if (strncmp(p, "UTC", 3) == 0 || strncmp(p, "GMT", 3) == 0) {
		p += 3;
		if (*p == '\0') {
			*out_s = 0;
			return 0;
		}
	}
	if (parse_offset_at(&p, &off) || *p != '\0')
		return sl_err_set(err, SL_EPARSE, NULL,
		                  "bad UTC offset \"%s\" (expected e.g. \"+08:00\" or \"UTC+8\")", s);
	*out_s = off;
	return 0;
}

char *sl_utc_offset_format(int32_t offset_s, char *buf, size_t n)
{
	int32_t a = offset_s < 0 ? -offset_s : offset_s;
	snprintf(buf, n, "%c%02d:%02d", offset_s < 0 ? '-' : '+', (int)(a / 3600),
	         (int)(a % 3600 / 60));
	return buf;
}

int sl_time_parse_iso(const char *s, int32_t default_offset_s, int64_t *out, sl_err *err)
{
	const char *p = s;
	int y, mo, d, h = 0, mi = 0, se = 0;
	int32_t off = default_offset_s;
	while (isspace((unsigned char)*p))
		p++;
	if (digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &mo) || *p++ != '-' ||
	    digits(&p, 2, &d))
		goto bad;
	if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
		return sl_err_set(err, SL_ERANGE, NULL, "date out of range in \"%s\"", s);
	if (*p == 'T' || *p == 't' || (*p == ' ' && isdigit((unsigned char)p[1]))) {
		p++;
		if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &mi))
			goto bad;
		if (*p == ':') {
			p++;
			if (digits(&p, 2, &se))
				goto bad;
			if (*p == '.' || *p == ',') { /* fraction: ignored, seconds resolution */
				p++;
				if (!isdigit((unsigned char)*p))
					goto bad;
				while (isdigit((unsigned char)*p))
					p++;
			}
		}
		if (h > 24 || mi > 59 || se > 60 || (h == 24 && (mi || se)))
			return sl_err_set(err, SL_ERANGE, NULL, "time of day out of range in \"%s\"", s);
		if (se == 60)
			se = 59; /* leap second: clamp, suanli has no use for it */
	}
	if (*p && !isspace((unsigned char)*p)) {
		if (parse_offset_at(&p, &off))
			goto bad;
	}
	while (isspace((unsigned char)*p))
		p++;
	if (*p)
		goto bad;
	*out = sl_time_from_civil(y, mo, d, h, mi, se, off);
	return 0;
bad:
	return sl_err_set(err, SL_EPARSE, NULL,
	                  "bad time \"%s\" (expected ISO 8601 like 2025-07-14T08:00:00+08:00)", s);
}

char *sl_time_format_iso(int64_t t, int32_t offset_s, int utc_z, char *buf, size_t n)
{
	sl_civil c;
	char off[8];
	sl_time_to_civil(t, offset_s, &c);
	if (offset_s == 0 && utc_z)
		snprintf(off, sizeof off, "Z");
	else
		sl_utc_offset_format(offset_s, off, sizeof off);
	snprintf(buf, n, "%04d-%02d-%02dT%02d:%02d:%02d%s", c.year, c.month, c.day, c.hour, c.min,
	         c.sec, off);
	return buf;
}

int sl_duration_parse(const char *s, int64_t *out_s, sl_err *err)
{
	const char *p = s;
	double total = 0;
	int parts = 0;
	while (isspace((unsigned char)*p))
		p++;
	while (*p) {
		char *end;
		if (!isdigit((unsigned char)*p) && *p != '.')
			goto bad;
		double v = strtod(p, &end);
		if (end == p)
			goto bad;
		p = end;
		double unit = 1;
		switch (*p) {
		case 's': unit = 1; p++; break;
		case 'm': unit = 60; p++; break;
		case 'h': unit = 3600; p++; break;
		case 'd': unit = 86400; p++; break;
		case 'w': unit = 7 * 86400; p++; break;
		case '\0': if (parts) goto bad; break; /* bare number = seconds */
		default: goto bad;
		}
		total += v * unit;
		parts++;
		while (isspace((unsigned char)*p))
			p++;
	}
	if (!parts)
		goto bad;
	if (total > 1e15)
		return sl_err_set(err, SL_ERANGE, NULL, "duration \"%s\" too large", s);
	*out_s = (int64_t)(total + 0.5);
	return 0;
bad:
	return sl_err_set(err, SL_EPARSE, NULL,
	                  "bad duration \"%s\" (expected e.g. 90s, 15m, 2h, 1h30m, 3d)", s);
}

char *sl_duration_format(int64_t s, char *buf, size_t n)
{
	size_t k = 0;
	if (s < 0) {
		k += (size_t)snprintf(buf, n, "-");
		s = -s;
	}
	if (s == 0) {
		snprintf(buf, n, "0s");
		return buf;
	}
	int64_t d = s / 86400, h = s % 86400 / 3600, m = s % 3600 / 60, sec = s % 60;
	if (d && k < n)
		k += (size_t)snprintf(buf + k, n - k, "%lldd", (long long)d);
	if (h && k < n)
		k += (size_t)snprintf(buf + k, n - k, "%lldh", (long long)h);
	if (m && k < n)
		k += (size_t)snprintf(buf + k, n - k, "%lldm", (long long)m);
	if (sec && k < n)
		snprintf(buf + k, n - k, "%llds", (long long)sec);
	return buf;
}
