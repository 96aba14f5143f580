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
 *
 * Lines starting with '#' before the header are comments (provenance: the
 * generator writes its parameters there); they are kept in sl_trace.comment
 * and written back, so read -> write reproduces a file byte for byte.
 *
 * Other formats (SWF, the Alibaba GPU trace) are read as logs and mapped
 * onto a network by io/trace_map.h, which fills the same sl_trace with
 * sl_trace_push and records the mapping with sl_trace_comment_add; the
 * readers share io/trace_int.h (chunked line reader over plain or gzip
 * files, id hash map).
 */
#ifndef SL_TRACE_H
#define SL_TRACE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/err.h"
#include "model/job.h"
#include "model/network.h"

/* Invariant: jobs[0..n) are sorted by submit; cap >= n.  comment is NULL or
 * a heap string of whole lines, each starting with '#' and ending in '\n'. */
typedef struct sl_trace {
	sl_job *jobs;
	size_t n, cap;
	char *comment;
} sl_trace;

/* Free what t owns and zero it.  Accepts NULL and a zeroed trace. */
void sl_trace_release(sl_trace *t);

/* Append a copy of *job (no validation: readers validate). */
void sl_trace_push(sl_trace *t, const sl_job *job);

/* Append the comment line "# <text>\n" (text formatted printf-style; any
 * newline in it starts a new "# " line). */
void sl_trace_comment_add(sl_trace *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Read a native CSV trace against net.  Plain or gzip-compressed (detected
 * from the content, not the name).  A malformed row is an error naming
 * "path:line" and the column.  *out must be zeroed or released; it is
 * written only on success.  Returns 0, SL_EIO or SL_EPARSE. */
int sl_trace_load_csv(const char *path, const sl_network *net, sl_trace *out, sl_err *err);

/* The same reader over text[0..len) in memory; name is used in messages
 * ("name:line").  Returns 0 or SL_EPARSE. */
int sl_trace_parse_csv(const char *text, size_t len, const char *name, const sl_network *net,
                       sl_trace *out, sl_err *err);

/* Write a native CSV trace (to f, already open): comment lines, the header
 * in the documented column order, one row per job.  Returns 0, SL_EINVAL (a
 * job refers to an origin, class or tag net does not have) or SL_EIO. */
int sl_trace_write_csv(FILE *f, const sl_network *net, const sl_trace *t, sl_err *err);

/* Offered load of a trace on a network (docs/trace-format.md, "Offered
 * load"): the work each job would occupy, min(run_s, est_s) x cores (and x
 * gpus), against the installed capacity over span_s seconds. */
typedef struct sl_offered {
	double core_s, gpu_s;       /* offered work: core-seconds, GPU-seconds */
	double util_cpu, util_gpu;  /* work / (installed x span_s); 0 if none installed */
	double util;                /* the larger of the two: the binding resource */
} sl_offered;

void sl_trace_offered(const sl_network *net, const sl_trace *t, int64_t span_s, sl_offered *out);

/* Can origin submit jobs of class cls at all?  A class with a latency
 * budget needs a route from the origin within the budget to a site that
 * has the class's smallest size (cores.lo and gpus.lo, at least one of a
 * device the class asks for); a class without one needs only a route.
 * The generator and the trace mapping draw a class only where this holds
 * (docs/trace-format.md, "Latency classes and origins"). */
int sl_trace_origin_can_run(const sl_network *net, int origin, int cls);

/* Draws shared by the generator and the trace mapping, so a generated and a
 * mapped job get their sizes, tags and deadlines by one rule.
 * sl_trace_draw_log: log-uniform in rg, a lower bound below 1 read as 1; 0
 * when the range is absent (hi < 1).
 * sl_trace_draw_tag: a data tag by the origin's tag shares, -1 for the
 * untagged rest.
 * sl_trace_draw_deadline_s: from the class's deadline range, but never less
 * than the job's estimate plus its input's transfer to the origin's slowest
 * route; whole minutes; 0 when the class has no deadline. */
struct sl_rng;
double  sl_trace_draw_log(struct sl_rng *r, sl_range rg);
int16_t sl_trace_draw_tag(struct sl_rng *r, const sl_network *net, const sl_origin *o);
int64_t sl_trace_draw_deadline_s(struct sl_rng *r, const sl_network *net, const sl_job_class *k,
                                 const sl_job *j);

#define SL_GEN_MAX_JOBS_DEFAULT 20000000u

typedef struct sl_gen_opts {
	uint64_t seed;
	double days;       /* trace length from start */
	int64_t start;     /* UTC; 0 = the scenario start */
	double load;       /* target offered utilisation of the network, (0, 2] */
	size_t max_jobs;   /* refuse to generate more; 0 = SL_GEN_MAX_JOBS_DEFAULT */
	size_t jobs;       /* > 0: exactly this many jobs, days = 0, and the span is
	                    * whatever makes their work the target load */
} sl_gen_opts;

/* Generate a synthetic trace from the scenario's origins and job classes
 * (the model is docs/trace-format.md, "The generator").  Deterministic for
 * (net, opts): the same inputs give the same jobs on every platform.  *out
 * must be zeroed or released; it is written only on success.  Returns 0,
 * SL_EINVAL (no classes, a class needing a resource the network lacks, bad
 * options) or SL_ERANGE (more than max_jobs would be needed, or a job count
 * would span more than 100 years). */
int sl_workload_gen(const sl_network *net, const sl_gen_opts *opts, sl_trace *out, sl_err *err);

#endif
