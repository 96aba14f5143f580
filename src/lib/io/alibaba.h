/*
 * alibaba.h — the Alibaba GPU cluster trace v2023 ("openb"; Weng et al.,
 * "Beware of Fragmentation: Scheduling GPU-Sharing Workloads with
 * Fragmentation Gradient Descent", USENIX ATC 2023), as published in
 * alibaba/clusterdata cluster-trace-gpu-v2023/csv.
 *
 * The pod (task) list has the header
 *   name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,
 *   creation_time,deletion_time,scheduled_time
 * (columns in any order): CPU in 1/1000 cores, num_gpu GPUs each of which
 * the pod uses gpu_milli/1000 of (a fraction only when num_gpu is 1), a
 * QoS class (LS, BE, Burstable, Guaranteed), the phase the pod was in when
 * the trace ended (Succeeded, Failed, Running, Pending), and times in
 * seconds from the trace start (scheduled_time empty for a Pending pod).
 * The node list (sn,cpu_milli,memory_mib,gpu,model) gives the cluster's
 * size.
 *
 * A pod becomes an sl_logjob with submit = creation_time, wait =
 * scheduled - creation, run = deletion - scheduled (for a Running pod that
 * is the time until the trace ended), cpu_milli and gpu_milli = num_gpu x
 * gpu_milli exactly; how fractions map onto whole GPUs is the mapping's
 * business (docs/trace-format.md, "Alibaba GPU trace").  The trace gives
 * no absolute start: time 0 is read as local midnight in China (UTC+08:00).
 */
#ifndef SL_ALIBABA_H
#define SL_ALIBABA_H

#include <stddef.h>

#include "core/err.h"
#include "io/trace_map.h"

/* The node list the trace ships beside its pod lists. */
#define SL_ALIBABA_NODES_FILE "openb_node_list_all_node.csv"

/* Read a pod list (plain or gzip) and, if nodes_path is given, the node
 * list; with nodes_path NULL the node list beside the pod list is read when
 * it exists.  Every malformed line is an error "file:line: column ...";
 * with opts->lenient it is skipped and counted in out->report.  *out must
 * be zeroed or released; written only on success.  Returns 0, SL_EIO or
 * SL_EPARSE. */
int sl_alibaba_load(const char *pods_path, const char *nodes_path, const sl_read_opts *opts,
                    sl_srclog *out, sl_err *err);

/* The same over text in memory (nodes may be NULL); names are used in
 * messages. */
int sl_alibaba_parse(const char *pods, size_t pods_len, const char *pods_name, const char *nodes,
                     size_t nodes_len, const char *nodes_name, const sl_read_opts *opts,
                     sl_srclog *out, sl_err *err);

#endif
