/*
 * trace_map.h — real workload logs and how they are mapped onto a network.
 *
 * A log (a Parallel Workloads Archive SWF file, the Alibaba GPU trace
 * v2023, or a native trace read as a log) is first read as it is: an
 * sl_srclog holds each job's own fields — times, processors or devices,
 * requested time, status — plus what the log says about itself (start
 * instant, time zone, machine size, acknowledgements).  Nothing in it
 * refers to a network.
 *
 * sl_trace_map then turns a log into a native sl_trace for one network:
 * origins by the scenario's shares with each origin's diurnal phase,
 * classes by size and runtime, sizes scaled to the network, input/output
 * bytes and deadlines by class, data tags by origin; time-aligned with the
 * scenario and optionally windowed or cut.  The rules are documented in
 * docs/trace-format.md ("Real workload logs"); the mapping is deterministic
 * for a seed and writes its parameters into the trace's comment lines.
 *
 * sl_trace_load_any is the one entry point for "a trace file, whatever its
 * format": it sniffs the format and reads and maps as needed.
 */
#ifndef SL_TRACE_MAP_H
#define SL_TRACE_MAP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/err.h"
#include "io/trace.h"
#include "model/network.h"

/* ---- the log as read ------------------------------------------------- */

enum { SL_LOG_UNKNOWN = 0, SL_LOG_NATIVE, SL_LOG_SWF, SL_LOG_ALIBABA };

/* A job's fate in its log.  The SWF status codes keep their values (field
 * 11); the Alibaba pod phases map onto them, with two of their own. */
enum {
	SL_LOGJ_UNKNOWN = -1,   /* SWF -1 (e.g. NASA iPSC); native traces */
	SL_LOGJ_FAILED = 0,     /* SWF 0; Alibaba Failed */
	SL_LOGJ_DONE = 1,       /* SWF 1; Alibaba Succeeded */
	SL_LOGJ_PARTIAL = 2,    /* SWF 2, 3, 4: a part of a checkpointed/swapped job */
	SL_LOGJ_CANCELLED = 5,  /* SWF 5 */
	SL_LOGJ_RUNNING = 6,    /* Alibaba Running: still running when the log ends */
	SL_LOGJ_PENDING = 7     /* Alibaba Pending: never scheduled */
};

/* Alibaba quality-of-service classes (0 = not given). */
enum { SL_QOS_NONE = 0, SL_QOS_LS, SL_QOS_BE, SL_QOS_BURSTABLE, SL_QOS_GUARANTEED, SL_QOS_COUNT };

/* One job of a log.  -1 marks a value the log does not give.  SWF keeps
 * all 18 fields (decimals rounded to whole seconds / units); an Alibaba
 * pod fills the device and QoS fields and leaves the SWF-only ones -1. */
typedef struct sl_logjob {
	int64_t id;              /* SWF 1 job number; Alibaba pod number */
	int64_t submit;          /* UTC seconds (log start + SWF 2 / creation_time) */
	int64_t used_mem_kb;     /* SWF 7, per processor */
	int64_t req_mem_kb;      /* SWF 10, per processor */
	int64_t preceding;       /* SWF 17 */
	int32_t wait_s;          /* SWF 3; Alibaba scheduled - creation */
	int32_t run_s;           /* SWF 4; Alibaba deletion - scheduled */
	int32_t procs;           /* SWF 5 allocated processors */
	int32_t req_procs;       /* SWF 8 */
	int32_t est_s;           /* SWF 9 requested time (the user's estimate) */
	int32_t think_s;         /* SWF 18 */
	float cpu_s;             /* SWF 6 average CPU time used */
	int32_t user, group, exe, queue, partition; /* SWF 12-16 */
	int64_t cpu_milli;       /* explicit CPU demand, 1/1000 core (Alibaba, native) */
	int64_t gpu_milli;       /* explicit GPU demand, 1/1000 GPU: num_gpu x gpu_milli */
	int32_t mem_mib;         /* Alibaba memory_mib */
	int32_t line;            /* source line (for messages) */
	int8_t status;           /* SL_LOGJ_* */
	int8_t qos;              /* SL_QOS_* */
} sl_logjob;

/* The lines a lenient read skipped: how many, and the first few messages. */
#define SL_READ_SHOW 5
typedef struct sl_read_report {
	int64_t bad;                        /* malformed lines skipped */
	int nshown;
	char shown[SL_READ_SHOW][320];      /* "file:line: message" */
	int lenient_ignored;                /* lenient was asked for a native trace (read strictly) */
} sl_read_report;

/* A log as read.  Invariants: jobs[0..n) sorted by submit (stable), ids
 * unique; header is NULL or whole lines, each ending in '\n'. */
typedef struct sl_srclog {
	int format;                /* SL_LOG_* */
	char *name;                /* the file (base name) */
	int64_t start;             /* UTC instant of log time 0 (SWF UnixStartTime); 0 unknown */
	int has_start;
	int32_t utc_offset_s;      /* the log's standard local time (SWF TimeZone) */
	int tz;                    /* daylight-saving rule, SL_TZ_*; local time = sl_srclog_local */
	char tz_name[48];          /* SWF TimeZoneString, or "" */
	int64_t max_procs, max_nodes;      /* SWF header; 0 unknown */
	int64_t machine_cores, machine_gpus; /* Alibaba node file totals; 0 unknown */
	int64_t machine_nodes;
	char *header;              /* attribution lines to carry along ("Computer: ..."), or NULL */
	sl_logjob *jobs;
	size_t n, cap;
	sl_read_report report;     /* lines skipped by a lenient read */
} sl_srclog;

/* Daylight-saving rules of the zones the logs use (io/swf_tz.c). */
enum { SL_TZ_FIXED = 0, SL_TZ_US, SL_TZ_EU };

/* Free what log owns and zero it.  Accepts NULL and a zeroed log. */
void sl_srclog_release(sl_srclog *log);

/* Local-time offset of the log at UTC instant t (its standard offset plus
 * one hour while its daylight-saving rule is in force). */
int32_t sl_srclog_offset_at(const sl_srclog *log, int64_t t);

/* How a reader treats bad lines. */
typedef struct sl_read_opts {
	int lenient;               /* skip malformed lines (counted in log->report) */
} sl_read_opts;

/* Append "file:line: msg" to a lenient read's report (internal to the
 * readers, exposed for the ones in other files). */
void sl__read_report_add(sl_read_report *r, const sl_err *e);

/* ---- mapping ----------------------------------------------------------- */

/* What to do with jobs that failed or were cancelled. */
enum {
	SL_STATUS_KEEP = 0,   /* replay every job as logged (default) */
	SL_STATUS_DROP,       /* drop failed and cancelled jobs (SWF 0 and 5; Alibaba Failed, Pending) */
	SL_STATUS_RAN         /* keep only jobs that ran: runtime > 0 (drops never-started jobs) */
};

typedef struct sl_map_opts {
	uint64_t seed;             /* default 1 */
	int origin;                /* -1: by the scenario's shares (origins=scenario); else this origin */
	int cls;                   /* -1: by size and runtime (classes=size); else this class */
	const char *origin_id, *class_id; /* as given, resolved against the network by sl_trace_map */
	int status;                /* SL_STATUS_* */
	int64_t start;             /* align the log's first day to the first same weekday on or after
	                            * this instant; 0 = the scenario start */
	double scale;              /* devices per log processor; 0 = auto (fit the log's machine to
	                            * the network); default 1 */
	int scale_auto;
	size_t limit;              /* > 0: at most this many jobs (the first, after the window) */
	int64_t win_from, win_to;  /* window on the log's own time; see win_rel */
	int has_window;
	int win_rel;               /* 1: from/to are seconds after the log's first submission */
	int lenient;               /* readers skip bad lines (reported) */
	const char *nodes_path;    /* Alibaba node list; NULL = openb_node_list_all_node.csv beside */
} sl_map_opts;

/* Defaults: seed 1, origins by share, classes by size, keep every status,
 * scenario start, scale 1, everything. */
void sl_map_opts_init(sl_map_opts *o);

/* Apply "key=value[,key=value...]" to o.  Keys: origins (scenario | ID),
 * classes (size | ID), seed, status (keep | drop | ran), start (ISO date or
 * date-time, default zone +08:00... read in default_offset_s), scale (auto | number > 0),
 * limit (N), window (FROM..TO: durations after the log's first job such as
 * 30d..37d, or ISO date-times), lenient (yes|no), nodes (a path).  The
 * strings are borrowed.  Returns 0 or SL_EINVAL naming the key. */
int sl_map_opts_parse(sl_map_opts *o, char *spec, int32_t default_offset_s, sl_err *err);

/* Map a log onto net (rules: docs/trace-format.md, "Real workload logs").
 * Borrows log and net.  *out must be zeroed or released; written only on
 * success; its comment lines record the source, the mapping parameters,
 * the log's acknowledgements and what was dropped or clamped.  Returns 0,
 * SL_EINVAL (an unknown origin/class id, no origin or class the network
 * can run, scale=auto without a machine size) or SL_ERANGE (too many jobs
 * or a span the simulator cannot take). */
int sl_trace_map(const sl_srclog *log, const sl_network *net, const sl_map_opts *opts,
                 sl_trace *out, sl_err *err);

/* ---- any file ---------------------------------------------------------- */

/* The format of a trace file, from its first non-blank line (plain or
 * gzip): SWF (';' comments or 18 numbers), Alibaba (its pod header),
 * native ('#' comments, or a header naming job_id).
 * Returns SL_LOG_* (SL_LOG_UNKNOWN when none fits), or SL_EIO. */
int sl_trace_sniff(const char *path, sl_err *err);

/* Read any log (SWF, Alibaba pods, native) into *out without a network.
 * A native trace is read with the ids it uses.  Returns 0, SL_EIO,
 * SL_EPARSE (malformed line, strict), SL_EUNSUPPORTED (unknown format). */
int sl_srclog_load(const char *path, const sl_map_opts *opts, sl_srclog *out, sl_err *err);

/* Read a trace file of any format for net: a native trace as it is (opts
 * unused but for lenient reporting); a log read and mapped with opts
 * (NULL = defaults).  report (may be NULL) receives what a lenient read
 * skipped.  *out must be zeroed or released. */
int sl_trace_load_any(const char *path, const sl_network *net, const sl_map_opts *opts,
                      sl_trace *out, sl_read_report *report, sl_err *err);

/* sl_trace_load_any with the options as one "key=value,..." string, as a
 * --map option gives them (spec NULL or "" = the defaults; a start without
 * an offset is read in the scenario's zone).  What a lenient read skipped
 * is printed to report_to (NULL: not printed), each line after prefix.
 * Returns as sl_trace_load_any; SL_EINVAL for a bad spec. */
int sl_trace_load_spec(const char *path, const char *spec, const sl_network *net, sl_trace *out,
                       FILE *report_to, const char *prefix, sl_err *err);

/* Print a lenient read's report ("N malformed lines skipped; the first:"
 * and the first few) to f, and a note when lenient did not apply; nothing
 * otherwise. */
void sl_read_report_print(FILE *f, const char *prefix, const sl_read_report *r);

/* Read a native CSV trace with a throwaway network made of the origin,
 * class and tag ids the file itself uses (no sites): for describing or
 * converting a native trace without its scenario.  *net is new (free with
 * sl_network_free).  Returns as sl_trace_load_csv. */
int sl_trace_load_csv_ids(const char *path, sl_network **net, sl_trace *out, sl_err *err);

#endif
