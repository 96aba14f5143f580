/*
 * trace_map_int.h — private to the trace mapping: io/trace_map.c does the
 * mapping, io/trace_map_opts.c parses options and writes the comment lines
 * that record what the mapping did.
 */
#ifndef SL_TRACE_MAP_INT_H
#define SL_TRACE_MAP_INT_H

#include <stddef.h>
#include <stdint.h>

#include "core/rng.h"
#include "io/trace_map.h"

/* What kind of device a log job names: SWF's generic processors (any
 * class), or explicit GPUs / CPUs only (Alibaba, native). */
enum { KIND_ANY = 0, KIND_GPU, KIND_CPU, NKIND };

typedef struct map_counts {
	size_t log_jobs;          /* in the log */
	size_t by_status;         /* dropped by the status option */
	size_t outside_window;
	size_t beyond_limit;
	size_t no_procs;          /* SWF: no processor count, read as 1 */
	size_t no_est;            /* no requested time: est = run */
	size_t over_est;          /* ran past the estimate: killed at it in the replay */
	size_t clamped;           /* larger than the largest eligible site */
	size_t frac_gpu;          /* asked for part of a GPU */
	double gpu_milli_exact;   /* sum of GPU demand, 1/1000 GPU (explicit logs) */
	double gpus_whole;        /* sum of whole GPUs given */
	size_t per_class[64];     /* jobs per class (first 64 classes) */
} map_counts;

/* Invariants: sel[0..nsel) index log->jobs in log order; rank[i] in (0, 1)
 * is job sel[i]'s rank by work within its kind; feas[o * nclasses + k] says
 * whether origin o may get class k. */
typedef struct mapper {
	const sl_srclog *log;
	const sl_network *net;
	const sl_map_opts *o;
	sl_rng rng;
	uint32_t *sel;
	size_t nsel;
	double *rank;
	int *order;               /* classes, shortest runtime first */
	uint8_t *feas;
	double *origin_w;         /* [norigins] */
	double *cores_per_gpu;    /* [nclasses] */
	int16_t *best_site;       /* cache [(o * nclasses + k) * (ntags + 1) + tag + 1], -2 unknown */
	double k_cpu, k_gpu;      /* cores / GPUs per log processor (SWF) or per device */
	int64_t machine;          /* the log's processors (SWF), for scale=auto */
	const char *machine_from; /* "MaxProcs", "MaxNodes", "largest job" */
	int64_t shift_s;          /* local-time shift that aligns the log with the start */
	int64_t start_used;
	map_counts c;
} mapper;

/* Write the comment lines describing the mapping into t. */
void sl__map_describe(const mapper *m, sl_trace *t);

/* "keep", "drop", "ran". */
const char *sl__map_status_name(int status);

#endif
