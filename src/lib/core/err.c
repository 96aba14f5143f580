/*
 * err.c — error codes and the sl_err report.
 */
#include "core/err.h"

#include <stdio.h>
#include <string.h>

int sl_err_vset(sl_err *err, int code, const char *origin, const char *fmt, va_list ap)
{
	if (!err)
		return code;
	err->code = code;
	snprintf(err->origin, sizeof err->origin, "%s", origin ? origin : "");
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	return code;
}

int sl_err_set(sl_err *err, int code, const char *origin, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sl_err_vset(err, code, origin, fmt, ap);
	va_end(ap);
	return code;
}

void sl_err_clear(sl_err *err)
{
	if (err)
		memset(err, 0, sizeof *err);
}

const char *sl_strerror(int code)
{
	switch (code) {
	case SL_OK: return "SL_OK";
	case SL_ENOMEM: return "SL_ENOMEM";
	case SL_EINVAL: return "SL_EINVAL";
	case SL_EIO: return "SL_EIO";
	case SL_EPARSE: return "SL_EPARSE";
	case SL_ENOTFOUND: return "SL_ENOTFOUND";
	case SL_ERANGE: return "SL_ERANGE";
	case SL_EEXIST: return "SL_EEXIST";
	case SL_EFULL: return "SL_EFULL";
	case SL_ESTATE: return "SL_ESTATE";
	case SL_EUNSUPPORTED: return "SL_EUNSUPPORTED";
	case SL_EINTERNAL: return "SL_EINTERNAL";
	case SL_EAGAIN: return "SL_EAGAIN";
	}
	return "SL_E?";
}

const char *sl_err_format(const sl_err *err, char *buf, unsigned long n)
{
	if (!err || n == 0)
		return "";
	if (err->origin[0])
		snprintf(buf, n, "%s: %s", err->origin, err->msg);
	else
		snprintf(buf, n, "%s", err->msg[0] ? err->msg : sl_strerror(err->code));
	return buf;
}
