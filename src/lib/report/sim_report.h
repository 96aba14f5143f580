/*
 * sim_report.h — what a simulation writes: jobs.csv, sites_hourly.csv,
 * summary.json and the side-by-side policy table.
 *
 * Formats (docs/simulator.md, "Output files"):
 *   jobs.csv          one row per job and policy:
 *     job_id,policy,origin,site,class,submit,start,end,cores,gpus,wait_s,
 *     transfer_s,energy_kwh,carbon_g,cost_cny,transfer_cny,sla_ok,status,reason,
 *     stops
 *     times in Unix seconds; a rejected job has empty site/start/end/wait_s,
 *     status "rejected" and its reason code; stops: times it was preempted.
 *   sites_hourly.csv  one row per policy, site and signal step:
 *     policy,site,hour,busy_cores,busy_gpus,it_kw,facility_kw,green_kw,
 *     grid_kw,carbon_g,cost_cny
 *     hour = the step's start (Unix seconds); busy_* and *_kw are averages
 *     over the step; carbon_g and cost_cny are the step's totals.
 *   summary.json      {"scenario", "trace", "window", "accounting",
 *                      "policies": [per-policy totals]}
 * Every writer is deterministic (fixed decimals, fixed order).
 */
#ifndef SL_SIM_REPORT_H
#define SL_SIM_REPORT_H

#include <stdio.h>

#include <jansson.h>

#include "core/err.h"
#include "sim/sim.h"

/* jobs.csv: the header line, then the rows of one run (needs its per-job
 * results: call before sl_sim_drop_jobs).  Return 0 or SL_EIO. */
int sl_report_sim_jobs_header(FILE *f, sl_err *err);
int sl_report_sim_jobs(FILE *f, const sl_sim *sim, sl_err *err);

/* sites_hourly.csv: the header line, then the rows of one closed run. */
int sl_report_sim_hourly_header(FILE *f, sl_err *err);
int sl_report_sim_hourly(FILE *f, const sl_sim *sim, sl_err *err);

/* The summary of n closed runs of the same network and trace as a JSON
 * object (new reference).  trace names the trace (a path or "") . */
json_t *sl_report_sim_json(const sl_network *net, const char *trace, sl_sim *const *sims, int n);

/* The same as a table for people, policies side by side. */
void sl_report_sim_table(FILE *f, const sl_network *net, const char *trace, sl_sim *const *sims,
                         int n);

/* A sentence naming which view each total is, e.g. "energy and carbon:
 * site totals incl. idle power; carbon at zone average intensity after
 * green supply; ...".  Returns buf. */
const char *sl_report_sim_accounting(int carbon, char *buf, size_t n);

/* A sentence naming the accounting view the totals lead with (carbon mode
 * and green basis, docs/energy.md) and the network energy in force, e.g.
 * "leads with average intensity, market basis (...)".  Returns buf. */
const char *sl_report_sim_view(int carbon, int green, double net_kwh_per_gb, char *buf, size_t n);

#endif
