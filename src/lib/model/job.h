/*
 * job.h — a computing job as the engine sees it.
 *
 * The same struct carries a trace row into the simulator and a submission
 * into the service.  Kept small (64 bytes): the simulator holds a million.
 * Indices refer to the sl_network the job was read against.
 */
#ifndef SL_JOB_H
#define SL_JOB_H

#include <stdint.h>

typedef struct sl_job {
	int64_t id;                 /* unique within a trace / the service */
	int64_t submit;             /* UTC seconds */
	int64_t deadline_s;         /* relative to submit; 0 = no deadline */
	int64_t input_bytes;        /* data that must reach the site before start */
	int64_t output_bytes;       /* data returned to the origin after the end */
	int32_t est_s;              /* runtime estimate = time limit; > 0 */
	int32_t run_s;              /* actual runtime (trace); > est_s means killed at est_s */
	int32_t cores, gpus;        /* requested; cores + gpus > 0 */
	float latency_budget_ms;    /* max RTT origin→site; 0 = none */
	int16_t origin;             /* index into net->origins */
	int16_t cls;                /* index into net->classes, -1 = none */
	int16_t tag;                /* index into net->tags, -1 = untagged */
	int16_t tenant;             /* small tenant number; 0 = default */
} sl_job;

#endif
