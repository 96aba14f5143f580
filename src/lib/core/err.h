/*
 * err.h — suanli's one error model.
 *
 * Every fallible library function returns 0 on success or a negative SL_E*
 * code, and may fill an optional sl_err out-parameter with a message and the
 * origin of the problem (a "file:line:col", a key path, a trace line).
 * Out-parameters other than sl_err are written only on success.
 */
#ifndef SL_ERR_H
#define SL_ERR_H

#include <stdarg.h>

enum {
	SL_OK = 0,
	SL_ENOMEM = -1,     /* allocation failed */
	SL_EINVAL = -2,     /* bad argument or bad input value */
	SL_EIO = -3,        /* file or socket I/O failed */
	SL_EPARSE = -4,     /* malformed input text */
	SL_ENOTFOUND = -5,  /* named thing does not exist */
	SL_ERANGE = -6,     /* value out of its allowed range */
	SL_EEXIST = -7,     /* already exists */
	SL_EFULL = -8,      /* no capacity */
	SL_ESTATE = -9,     /* operation not valid in the current state */
	SL_EUNSUPPORTED = -10,
	SL_EINTERNAL = -11, /* a bug: an invariant did not hold */
	SL_EAGAIN = -12     /* try again later */
};

#define SL_ERR_MSG_MAX 1024
#define SL_ERR_ORIGIN_MAX 512

/* An error report.  Zero-initialise it; code 0 means "no error recorded". */
typedef struct sl_err {
	int code;
	char origin[SL_ERR_ORIGIN_MAX]; /* "file:line:col", key path, or "" */
	char msg[SL_ERR_MSG_MAX];
} sl_err;

/* Record an error (err may be NULL) and return code, so callers can write
 * `return sl_err_set(err, SL_EINVAL, "x", "bad %s", what);`.  origin may be
 * NULL. */
int sl_err_set(sl_err *err, int code, const char *origin, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
int sl_err_vset(sl_err *err, int code, const char *origin, const char *fmt, va_list ap);

/* Clear a report back to "no error". */
void sl_err_clear(sl_err *err);

/* Static name of a code: "SL_EINVAL", ... */
const char *sl_strerror(int code);

/* Format "origin: msg" (or "msg") into buf; returns buf. */
const char *sl_err_format(const sl_err *err, char *buf, unsigned long n);

#endif
