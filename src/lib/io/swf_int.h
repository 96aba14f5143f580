/*
 * swf_int.h — private to the SWF reader (io/swf.c) and the time zones of
 * the logs (io/swf_tz.c).
 */
#ifndef SL_SWF_INT_H
#define SL_SWF_INT_H

#include <stdint.h>

/* Standard offset and daylight-saving rule (SL_TZ_*) of a zone name such
 * as "Europe/Stockholm" (case-insensitive).  Returns 0, or -1 when the
 * zone is not one the table knows. */
int sl__swf_tz_lookup(const char *name, int32_t *std_s, int *rule);

#endif
