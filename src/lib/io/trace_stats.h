/*
 * trace_stats.h — describing a workload log: `suanli trace stats`.
 *
 * From any log (SWF, Alibaba, native; io/trace_map.h) it counts jobs and
 * their fates, the span, arrivals by hour of day and day of week in the
 * log's own local time, the distributions of size, runtime, requested time
 * and wait, how accurate the users' estimates were, and the load the log
 * offered its own machine; given a network and the log mapped onto it, the
 * load it offers that network (io/trace.h, "Offered load").  What each
 * figure means is in docs/trace-format.md ("Describing a trace").
 */
#ifndef SL_TRACE_STATS_H
#define SL_TRACE_STATS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/err.h"
#include "io/trace.h"
#include "io/trace_map.h"
#include "model/network.h"

#define SL_STATS_BINS 8

/* A distribution of the values known (a log's -1s are left out).  bins
 * count values per bin of the histogram the field documents. */
typedef struct sl_dist {
	size_t n;
	double min, p10, p25, p50, p75, p90, p99, max, mean;
	size_t bin[SL_STATS_BINS];
} sl_dist;

typedef struct sl_trace_stats {
	int format;                      /* SL_LOG_* */
	const char *name;                /* borrowed from the log */
	size_t jobs;
	int64_t first_submit, last_submit;
	int32_t first_offset_s, last_offset_s; /* the log's local offset at each */
	double span_days;                /* (last - first) submission */
	int32_t utc_offset_s;            /* the log's standard local time */
	int tz;                          /* SL_TZ_* */
	char tz_name[48];
	size_t by_hour[24], by_wday[7];  /* submissions by local hour, local weekday (0 = Monday) */
	size_t by_status[9];             /* index SL_LOGJ_* + 1 */
	size_t by_qos[SL_QOS_COUNT];
	size_t users;                    /* distinct users (SWF field 12) */
	/* size: processors (SWF) or cores (explicit logs); GPUs exact, fractions
	 * included.  Bins: 1, 2, 3-4, 5-8, 9-32, 33-128, 129-1024, more */
	sl_dist size, gpus;
	int size_is_procs;
	/* seconds; bins: < 1 min, < 10 min, < 1 h, < 4 h, < 12 h, < 1 d, < 2 d, more */
	sl_dist run_s, est_s, wait_s;
	/* estimates, over jobs with run > 0 and an estimate */
	size_t est_jobs;
	double est_reached;              /* share with run >= 0.99 x estimate */
	double est_over;                 /* share with run > estimate (killed at it on replay) */
	double est_ratio_p50;            /* median estimate / run */
	double est_accuracy_mean;        /* mean run / estimate */
	/* GPU fractions (explicit logs) */
	size_t gpu_jobs, frac_gpu_jobs;
	double gpu_exact, gpu_whole;     /* sum of requests: exact, rounded up per job */
	/* the log's own machine and the load the log offered it */
	int64_t machine_procs, machine_cores, machine_gpus;
	double util_own_cpu, util_own_gpu; /* SWF: processors in util_own_cpu */
	/* against a network (sl_trace_stats_offered) */
	int has_network;
	const char *network;             /* borrowed */
	int64_t net_cores, net_gpus;
	size_t mapped_jobs;
	double mapped_span_days;
	sl_offered offered;
} sl_trace_stats;

/* Describe a log.  Borrows log (out->name points into it).  Returns 0. */
int sl_trace_stats_compute(const sl_srclog *log, sl_trace_stats *out);

/* Add the load that trace (the log mapped onto net, or a native trace read
 * against net) offers net, over its first-to-last submission span. */
void sl_trace_stats_offered(sl_trace_stats *s, const sl_network *net, const sl_trace *trace);

/* Human-readable report.  Returns 0 or SL_EIO. */
int sl_trace_stats_print(FILE *f, const sl_trace_stats *s, sl_err *err);

/* The same as one JSON object (docs/trace-format.md lists the keys).
 * Returns 0 or SL_EIO. */
int sl_trace_stats_write_json(FILE *f, const sl_trace_stats *s, sl_err *err);

#endif
