/*
 * scenario_show.h — describe a loaded network for people and machines.
 */
#ifndef SL_SCENARIO_SHOW_H
#define SL_SCENARIO_SHOW_H

#include <stdio.h>

#include <jansson.h>

#include "core/err.h"
#include "model/network.h"

/* Print sites (capacity, PUE, zone, jurisdiction), zones (mean/min/max
 * carbon intensity and price over the range, tariff), interconnects,
 * origins and their routes, data rules and job classes as aligned tables. */
void sl_report_scenario_text(FILE *f, const sl_network *net);

/* The hourly energy supply of every zone (zone < 0) or of one zone as CSV
 * (energy/supply.h, docs/energy.md), one row per step and zone over
 * [from, to) clipped to the scenario's range:
 *   time,zone,renewable_mw,curtailment_mw,load_mw,import_mw,import_loss_mw,
 *   import_green_mw,import_carbon_g_per_kwh,export_mw,carbon_local_g_per_kwh,
 *   carbon_location_g_per_kwh,carbon_residual_g_per_kwh,carbon_marginal_g_per_kwh
 * time in the scenario's offset; a zone's absent series are empty cells;
 * imports are after line losses.  Returns 0 or SL_EIO. */
int sl_report_scenario_hourly(FILE *f, const sl_network *net, int zone, int64_t from, int64_t to,
                              sl_err *err);

/* The same as a JSON object (new reference, caller owns). */
json_t *sl_report_scenario_json(const sl_network *net);

#endif
