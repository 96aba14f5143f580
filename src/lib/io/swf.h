/*
 * swf.h — the Standard Workload Format (SWF, version 2.2) of the Parallel
 * Workloads Archive (Feitelson, Tsafrir and Krakov, JPDC 74(10), 2014).
 *
 * An SWF file is header comments (lines starting with ';', "; Key: value")
 * followed by one line per job of 18 whitespace-separated numbers:
 *   1 job number   2 submit time   3 wait time   4 run time
 *   5 allocated processors   6 average CPU time   7 used memory (KB/proc)
 *   8 requested processors   9 requested time   10 requested memory
 *   11 status (1 done, 0 failed, 5 cancelled, 2-4 partial)   12 user
 *   13 group   14 executable   15 queue   16 partition
 *   17 preceding job   18 think time
 * -1 means "not known"; some logs write decimals (142.00), which are
 * rounded to whole seconds and units (field 6 is kept as a float).
 * The header keys UnixStartTime, TimeZone, TimeZoneString, MaxProcs,
 * MaxNodes, Computer, Installation, Acknowledge and Information are read
 * and used (docs/trace-format.md, "SWF").
 */
#ifndef SL_SWF_H
#define SL_SWF_H

#include <stddef.h>

#include "core/err.h"
#include "io/trace_map.h"

/* Jobs may go back in submit time by at most this much (and are then
 * sorted into place); a larger step back is a malformed line. */
#define SL_LOG_BACKSTEP_TOL_S 60

/* Read an SWF log, plain or gzip (detected from the content).  Every
 * malformed line is an error "file:line: ..." naming the field; with
 * opts->lenient it is skipped and counted in out->report instead.  *out
 * must be zeroed or released; written only on success.  Returns 0,
 * SL_EIO or SL_EPARSE. */
int sl_swf_load(const char *path, const sl_read_opts *opts, sl_srclog *out, sl_err *err);

/* The same over text[0..len) in memory; name is used in messages. */
int sl_swf_parse(const char *text, size_t len, const char *name, const sl_read_opts *opts,
                 sl_srclog *out, sl_err *err);

#endif
