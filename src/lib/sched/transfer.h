/*
 * transfer.h — moving a job's data over a route: time and price.
 *
 * A job's input travels from its origin to the site before the job may
 * start: one round trip to set up plus the bytes at the route's bandwidth,
 * rounded up to whole seconds (time is integer seconds everywhere).  No
 * input means no wait.  Price is per decimal gigabyte (1e9 bytes), for the
 * input and for the output returned after the end.  Later: shared link
 * capacity (max-min fair) replaces the fixed bandwidth here.
 */
#ifndef SL_TRANSFER_H
#define SL_TRANSFER_H

#include <math.h>
#include <stdint.h>

#include "model/job.h"
#include "model/network.h"

#define SL_TRANSFER_MAX_S 2000000000.0 /* clamp: ~63 years */

/* Seconds until input_bytes sent over r have arrived (0 when bytes <= 0). */
static inline int32_t sl_transfer_s(const sl_route *r, int64_t bytes)
{
	if (bytes <= 0)
		return 0;
	double s = r->rtt_ms / 1000.0 + (double)bytes * 8.0 / (r->gbps * 1e9);
	s = ceil(s);
	return (int32_t)(s < SL_TRANSFER_MAX_S ? s : SL_TRANSFER_MAX_S);
}

/* CNY to move bytes over r. */
static inline double sl_transfer_cny(const sl_route *r, int64_t bytes)
{
	return bytes > 0 ? (double)bytes / 1e9 * r->cny_per_gb : 0.0;
}

/* CNY to move a job's input to the site and its output back. */
static inline double sl_transfer_job_cny(const sl_route *r, const sl_job *job)
{
	return sl_transfer_cny(r, job->input_bytes) + sl_transfer_cny(r, job->output_bytes);
}

#endif
