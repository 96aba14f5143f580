/*
 * trace.h — workload traces: the native CSV format and the generator.
 *
 * The native trace is a CSV file with a header naming these columns (any
 * order; extra columns are an error):
 *   job_id,submit,origin,class,cores,gpus,est_s,run_s,deadline_s,
 *   latency_budget_ms,input_bytes,output_bytes,data_tag,tenant
 * submit is UTC Unix seconds; origin/class/data_tag are ids of the scenario
 * (class and data_tag may be empty); deadline_s is relative to submit (0 =
 * none).  Rows are sorted by submit.  See docs/trace-format.md.
 */
#ifndef SL_TRACE_H
#define SL_TRACE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/err.h"
#include "model/job.h"
#include "model/network.h"

typedef struct sl_trace {
	sl_job *jobs;
	size_t n, cap;
} sl_trace;

void sl_trace_release(sl_trace *t);

/* Read a native CSV trace against net.  A malformed row is an error naming
 * "path:line" and the column.  Returns 0, SL_EIO or SL_EPARSE. */
int sl_trace_load_csv(const char *path, const sl_network *net, sl_trace *out, sl_err *err);

/* Write a native CSV trace (to f, already open).  Returns 0 or SL_EIO. */
int sl_trace_write_csv(FILE *f, const sl_network *net, const sl_trace *t, sl_err *err);

typedef struct sl_gen_opts {
	uint64_t seed;
	double days;       /* trace length from start */
	int64_t start;     /* UTC; 0 = the scenario start */
	double load;       /* target offered utilisation of the network, (0, 2] */
} sl_gen_opts;

/* Generate a synthetic trace from the scenario's origins and job classes.
 * Deterministic for (net, opts).  Returns 0 or SL_EINVAL (no classes,
 * bad options). */
int sl_workload_gen(const sl_network *net, const sl_gen_opts *opts, sl_trace *out, sl_err *err);

#endif
