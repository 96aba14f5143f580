/*
 * scenario_show.h — describe a loaded network for people and machines.
 */
#ifndef SL_SCENARIO_SHOW_H
#define SL_SCENARIO_SHOW_H

#include <stdio.h>

#include <jansson.h>

#include "model/network.h"

/* Print sites (capacity, PUE, zone, jurisdiction), zones (mean/min/max
 * carbon intensity and price over the range, tariff), interconnects,
 * origins and their routes, data rules and job classes as aligned tables. */
void sl_report_scenario_text(FILE *f, const sl_network *net);

/* The same as a JSON object (new reference, caller owns). */
json_t *sl_report_scenario_json(const sl_network *net);

#endif
