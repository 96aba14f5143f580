/*
 * sim.h — the trace-driven simulator: replay a workload against a network
 * under one placement policy, and account energy, carbon, cost and SLA.
 *
 * One sl_sim is one (network, trace, policy) run on a virtual clock:
 *   sl_sim_new -> sl_sim_run -> (read per-job results, e.g. write jobs.csv)
 *   -> sl_sim_close(t_end) -> read the summary and the per-step site rows.
 * Runs of several policies are compared over one accounting window: run
 * them all, take the latest sl_sim_last_end, close each at that time (idle
 * power keeps being counted until then), so their totals cover the same
 * hours.  sl_simulate() does new + run + close for one policy.
 *
 * Model (docs/simulator.md):
 *   - events on a heap totally ordered by (time, kind, job): job ends
 *     before input arrivals before submissions at equal times, then trace
 *     order; integer seconds; at most 68 years from the first submission;
 *   - a placed job's input travels origin -> site (sched/transfer.h) and
 *     the job joins the site's FCFS + EASY queue when it has arrived (or at
 *     the decision's planned start, if later);
 *   - a job runs min(run_s, est_s) seconds; past its estimate it is killed;
 *   - site IT power = idle W of all installed cores and GPUs + (busy - idle)
 *     W per busy device; facility = IT x PUE; integrated exactly between
 *     events and across signal steps; on-site generation, the site's
 *     share of curtailed surplus and contracted green supply are used
 *     first, the rest is grid energy at the zone's intensity in the run's
 *     view (opts.carbon, opts.green; docs/energy.md); cost = facility
 *     energy x zone price of the step;
 *   - each job carries its marginal (busy) facility energy and its
 *     proportional share of that step's green/grid split and price, so
 *     job figures + idle figures = site totals.
 *
 * Determinism: the same inputs give the same results, byte for byte.  No
 * wall clock, no hidden randomness (opts.seed goes to the policy).
 */
#ifndef SL_SIM_H
#define SL_SIM_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "energy/supply.h"
#include "io/trace.h"
#include "model/job.h"
#include "model/network.h"
#include "sched/policy.h"

/* Bounded slowdown threshold (Feitelson): runtimes under 10 s count as 10 s. */
#define SL_SIM_BSLD_TAU_S 10

typedef struct sl_sim_opts {
	int carbon;                 /* SL_CARBON_AVERAGE (default) or SL_CARBON_MARGINAL */
	uint64_t seed;              /* given to the policy */
	const char *policy_params;  /* given to the policy, may be NULL */
	/* Called about every 2^16 submissions and once at the end (may be NULL). */
	void (*progress)(void *ud, size_t done, size_t total);
	void *progress_ud;
	int check;                  /* 1: verify capacity and accounting as it runs */
	/* Energy accounting (docs/energy.md).  green: SL_GREEN_MARKET (the
	 * default: contracted green supply and line claims are zero-carbon,
	 * the rest at the residual mix) or SL_GREEN_LOCATION (the zone's
	 * blended grid average for everything drawn from the grid).  Network
	 * energy per GB moved: net_kwh_per_gb when has_net_kwh_per_gb, else
	 * the scenario's, else SL_NET_KWH_PER_GB_DEFAULT. */
	int green;
	int has_net_kwh_per_gb;
	double net_kwh_per_gb;
} sl_sim_opts;

/* What became of a job. */
enum { SL_JOB_PENDING = 0, SL_JOB_DONE, SL_JOB_KILLED, SL_JOB_REJECTED };

/* Short name of a status: "pending", "done", "killed", "rejected". */
const char *sl_job_status_name(int status);

/* A job's result, index-aligned with the trace.  start/end are UTC
 * seconds (0 for a rejected job); energy is marginal facility energy (busy
 * increment x PUE); carbon its grid share at the accounting intensity;
 * cost at the zone price. */
typedef struct sl_sim_job {
	int64_t start, end;
	double energy_kwh, carbon_g, cost_cny;
	double carbon_alt_g;  /* carbon under the other carbon mode (same green basis) */
	int32_t transfer_s;   /* input transfer before it could queue */
	int16_t site;         /* -1 when rejected */
	uint8_t status;       /* SL_JOB_* */
	uint8_t reason;       /* SL_REJECT_* when rejected */
	uint16_t stops;       /* times it was stopped (preempted) and restarted: end - start is
	                       * then its runtime plus the pauses and restarts */
	float resent_cny;     /* input already sent to sites it was moved away from (the
	                       * share of each route's transfer time that had passed): its
	                       * price, on top of its final route's */
} sl_sim_job;

/* One site over one signal step (the scenario step, 1 h in the built-in
 * scenario), from sl_sim_bucket_at.  Energies in joules (W s); divide by
 * 3.6e6 for kWh. */
typedef struct sl_sim_bucket {
	double busy_core_s, busy_gpu_s;
	double it_j, facility_j, green_j, grid_j;
	double carbon_g, cost_cny;
	/* supply used by source (green_j is on-site + surplus, + contract in
	 * the market basis) and carbon under the other carbon mode */
	double onsite_j, surplus_j, contract_j;
	double carbon_alt_g;
} sl_sim_bucket;

typedef struct sl_sim_site_sum {
	int64_t jobs;                     /* jobs started there */
	double busy_core_s, busy_gpu_s;
	double it_kwh, facility_kwh, green_kwh, grid_kwh;
	double carbon_g, cost_cny;
	double idle_kwh, idle_carbon_g, idle_cost_cny; /* facility, idle devices only */
	double job_kwh, job_carbon_g, job_cost_cny;    /* sum over its jobs */
	double util_cores, util_gpus;     /* busy / (installed x window), 0 if none */
	double green_share;               /* green / facility energy */
	double onsite_kwh, surplus_kwh, contract_kwh; /* supply used, by source */
	double carbon_alt_g, job_carbon_alt_g, idle_carbon_alt_g; /* the other carbon mode */
} sl_sim_site_sum;

/* Move bits or move watts (docs/energy.md): the work placed at sites in
 * the sending zone of `line`, as it ran (moving its data there) against
 * running it at `watts_site` in the receiving zone on the line's power
 * (the same busy time, that site's devices and PUE, energy sent =
 * facility / (1 - loss), its zone's price, its data moved there).  Figures
 * are the jobs' marginal (busy) shares; carbon is [SL_CARBON_*]. */
typedef struct sl_sim_bw {
	int line;                         /* -1: no interconnect with sites at both ends */
	int watts_site;                   /* the first site of the receiving zone */
	int64_t jobs;                     /* compared */
	int64_t jobs_no_route;            /* left out: their origin cannot reach watts_site */
	double it_kwh;                    /* their busy IT energy where they ran */
	double bits_kwh, bits_net_kwh, bits_cost_cny, bits_transfer_cny;
	double bits_carbon_g[2], bits_net_carbon_g[2];
	double watts_kwh, watts_sent_kwh, watts_net_kwh, watts_cost_cny, watts_transfer_cny;
	double watts_carbon_g[2], watts_net_carbon_g[2];
	double watts_flow_share;          /* share of watts_kwh in hours the line carries a flow */
} sl_sim_bw;

/* Totals of one run.  Energy/carbon/cost totals are site totals including
 * idle power over [t_begin, t_end); job_* are the jobs' marginal shares;
 * job_* + idle_* = totals (checked by the tests). */
typedef struct sl_sim_summary {
	const char *policy;
	int carbon;                       /* SL_CARBON_* used */
	int64_t t_begin, t_end;           /* accounting window, on the step grid */
	int64_t jobs, started, completed, killed, rejected;
	int64_t rejected_by[SL_REJECT_COUNT];
	double it_kwh, facility_kwh, green_kwh, grid_kwh, carbon_g, cost_cny;
	double idle_kwh, idle_carbon_g, idle_cost_cny;
	double job_kwh, job_carbon_g, job_cost_cny;
	double data_bytes;                /* input + output of placed jobs */
	double transfer_cny;
	double wait_mean_s, wait_p50_s, wait_p95_s, wait_p99_s; /* start - submit */
	double bsld_mean;                 /* bounded slowdown, tau = SL_SIM_BSLD_TAU_S */
	int64_t latency_jobs, latency_violations;   /* jobs with a budget; placed beyond it */
	int64_t deadline_jobs, deadline_violations; /* placed jobs with a deadline; ended late */
	int64_t residency_breaches;       /* checked per job, never assumed */
	int nsites;
	sl_sim_site_sum *sites;           /* [nsites], owned by the sim */
	/* Energy supply and accounting views (docs/energy.md).  carbon_g is
	 * carbon_view_g[green][carbon]; the other carbon mode's job and idle
	 * shares are *_alt_g.  Network energy is for the placed jobs' input
	 * and output at kWh/GB of their route, at the origin's grid. */
	int green;                        /* SL_GREEN_* used */
	double onsite_kwh, surplus_kwh, contract_kwh; /* supply used, by source */
	double job_carbon_alt_g, idle_carbon_alt_g;
	double carbon_view_g[2][2];       /* site totals incl. idle, [SL_GREEN_*][SL_CARBON_*] */
	double net_kwh_per_gb;            /* the network default in force */
	double net_kwh, net_carbon_g[2];  /* [SL_CARBON_*], in the run's green basis */
	sl_sim_bw bw;
	const char *params;               /* the policy's description of its setup, "" if none */
} sl_sim_summary;

typedef struct sl_sim sl_sim;

/* Make a run of the named policy over trace on net.  Borrows net and trace
 * (they must outlive the sim).  SL_ENOTFOUND for an unknown policy,
 * SL_ERANGE for a trace of 2^31 jobs or more or spanning more than 34
 * years; the policy's init errors pass through. */
int sl_sim_new(const sl_network *net, const sl_trace *trace, const char *policy,
               const sl_sim_opts *opts, sl_sim **out, sl_err *err);

/* The same with a policy table that need not be in the registry (a policy
 * under development, a test double).  ops is borrowed. */
int sl_sim_new_ops(const sl_network *net, const sl_trace *trace, const sl_policy_ops *ops,
                   const sl_sim_opts *opts, sl_sim **out, sl_err *err);

/* Replay the whole trace.  Once.  Each job is validated when it is
 * submitted (origin, tag and class indices, sizes, est_s > 0, submit
 * order): the first bad one stops the run with SL_EINVAL and err->origin
 * "job <id> (row N)".  SL_EINTERNAL when the policy placed a job illegally
 * or an invariant failed (with a message); the policy's errors pass
 * through. */
int sl_sim_run(sl_sim *sim, sl_err *err);

/* The latest job end of the run (t_begin when nothing ran). */
int64_t sl_sim_last_end(const sl_sim *sim);

/* The step-aligned window end that covers the run: ceil(last end). */
int64_t sl_sim_window_end(const sl_sim *sim);

/* Account idle power up to t_end (rounded up to the step grid, and at
 * least sl_sim_window_end) and compute the summary.  After run, once. */
int sl_sim_close(sl_sim *sim, int64_t t_end, sl_err *err);

/* Results (borrowed from the sim). */
const sl_sim_summary *sl_sim_get_summary(const sl_sim *sim);  /* after close */
const sl_sim_job *sl_sim_jobs(const sl_sim *sim, size_t *n);  /* NULL after drop */
/* Per-step site rows after close: steps b = 0 .. sl_sim_nbuckets - 1 from
 * t_begin.  Within a step PUE, intensity and price are constant, so the
 * row is derived exactly from the busy device-seconds and green energy
 * the run recorded. */
size_t sl_sim_nbuckets(const sl_sim *sim);
void sl_sim_bucket_at(const sl_sim *sim, size_t b, int site, sl_sim_bucket *out);
const sl_network *sl_sim_network(const sl_sim *sim);
const sl_trace *sl_sim_trace(const sl_sim *sim);
const char *sl_sim_policy(const sl_sim *sim);

/* Send the decision receipts of a planning policy to fn (sched/receipt.h;
 * see sl_policy_plan_ops.set_receipts).  Before sl_sim_run.  Returns 0, or
 * SL_EUNSUPPORTED when the policy writes no receipts (fn is not kept). */
int sl_sim_set_receipts(sl_sim *sim, sl_receipt_fn fn, void *ud);

/* Free the per-job results (after writing them) to save memory. */
void sl_sim_drop_jobs(sl_sim *sim);

void sl_sim_free(sl_sim *sim); /* accepts NULL */

/* new + run + close at the run's own window end.  On success *out is a
 * closed sim (free with sl_sim_free). */
int sl_simulate(const sl_network *net, const sl_trace *trace, const char *policy,
                const sl_sim_opts *opts, sl_sim **out, sl_err *err);

#endif
