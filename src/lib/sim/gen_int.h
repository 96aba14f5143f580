/*
 * gen_int.h — private interface between the two halves of the workload
 * generator: sim/gen.c draws what each job is, sim/gen_arrivals.c decides
 * when each job arrives (see docs/trace-format.md, "The generator").
 */
#ifndef SL_GEN_INT_H
#define SL_GEN_INT_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "model/job.h"
#include "model/network.h"

/* Relative arrival rate by hour of the day and day of the week (Monday
 * first), in local time, each scaled to a peak of 1. */
extern const double sl__gen_hour_weight[24];
extern const double sl__gen_wday_weight[7];

/* Give jobs[0..n) (each with its origin set, in generation order) submit
 * times in [start, end) from their origin's arrival profile, then reorder
 * them by (submit, origin, generation order) and number them 1..n.
 * Deterministic for seed. */
void sl__gen_arrivals(const sl_network *net, int64_t start, int64_t end, uint64_t seed,
                      sl_job *jobs, size_t n);

#endif
