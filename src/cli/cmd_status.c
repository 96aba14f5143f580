/*
 * cmd_status.c — `suanli status ID [--json]`: one job in detail: state,
 * placement, times, exit code, accounting so far, the decision receipt and
 * the job's history.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"
#include "client.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: suanli status ID [--json]\n\n"
	           "Show one job: state and reason, site, planned and actual start and end\n"
	           "(UTC), exit code, energy (kWh), carbon (g CO2) and cost (CNY) so far, the\n"
	           "placement receipt (every site considered and what the job would cost\n"
	           "there) and its history.  --json prints the API's object.\n\n"
	           "exit status: 0 shown, 1 refused (no such job, another tenant's), 2 bad\n"
	           "command line, 5 server unreachable.\n");
}

static void print_receipt(const json_t *rc)
{
	size_t i;
	json_t *a;
	if (!json_is_object(rc))
		return;
	printf("\nplacement by %s: %s\n", client_str(rc, "policy"), client_str(rc, "site"));
	printf("  %-6s %-9s %7s %9s %9s %12s %12s %10s\n", "SITE", "CHECK", "RTT_MS", "gCO2/kWh",
	       "CNY/kWh", "EST_KWH", "EST_gCO2", "EST_CNY");
	json_array_foreach(json_object_get(rc, "alternatives"), i, a)
		printf("  %-6s %-9s %7.0f %9.1f %9.4f %12.4g %12.4g %10.4g\n", client_str(a, "site"),
		       client_str(a, "check"), client_num(a, "rtt_ms", 0),
		       client_num(a, "carbon_g_per_kwh", 0), client_num(a, "price_cny_per_kwh", 0),
		       client_num(a, "est_energy_kwh", 0), client_num(a, "est_carbon_g", 0),
		       client_num(a, "est_cost_cny", 0));
}

static void print_job(const json_t *j)
{
	char t1[32], t2[32];
	size_t i;
	json_t *ev;
	char *cmd = json_dumps(json_object_get(j, "command"), JSON_COMPACT);
	printf("job %lld  %s", (long long)client_int(j, "id", 0), client_str(j, "state"));
	if (json_is_string(json_object_get(j, "reason")))
		printf("  (%s)", client_str(j, "reason"));
	printf("\n  tenant    %s\n  command   %s\n", client_str(j, "tenant"), cmd ? cmd : "?");
	free(cmd);
	printf("  size      %lld cores, %lld GPUs, runtime limit %lld s, deadline %lld s\n",
	       (long long)client_int(j, "cores", 0), (long long)client_int(j, "gpus", 0),
	       (long long)client_int(j, "runtime_s", 0), (long long)client_int(j, "deadline_s", 0));
	printf("  origin    %s  data tag %s  class %s\n", client_str(j, "origin"),
	       client_str(j, "data_tag"), client_str(j, "class"));
	if (json_is_string(json_object_get(j, "handle")))
		printf("  executor  %s\n", client_str(j, "handle"));
	printf("  site      %s\n  submitted %s\n", client_str(j, "site"),
	       client_time(j, "submit", t1, sizeof t1));
	printf("  planned   %s .. %s\n", client_time(j, "planned_start", t1, sizeof t1),
	       client_time(j, "planned_end", t2, sizeof t2));
	printf("  ran       %s .. %s\n", client_time(j, "start", t1, sizeof t1),
	       client_time(j, "end", t2, sizeof t2));
	if (json_is_integer(json_object_get(j, "exit_code")))
		printf("  exit code %lld\n", (long long)client_int(j, "exit_code", 0));
	printf("  so far    %.6g kWh, %.6g g CO2, %.6g CNY\n", client_num(j, "energy_kwh", 0),
	       client_num(j, "carbon_g", 0), client_num(j, "cost_cny", 0));
	print_receipt(json_object_get(j, "receipt"));
	printf("\nhistory:\n");
	json_array_foreach(json_object_get(j, "events"), i, ev)
		printf("  %s  %-10s %s\n", client_time(ev, "t", t1, sizeof t1), client_str(ev, "event"),
		       json_is_string(json_object_get(ev, "detail")) ? client_str(ev, "detail") : "");
}

int cmd_status(int argc, char **argv)
{
	long long id = 0;
	int json = 0, rc;
	char path[64];
	json_t *out = NULL;
	if ((rc = client_id_args("status", argc, argv, &id, &json, usage)) != 0)
		return rc > 0 ? SL_EXIT_OK : SL_EXIT_USAGE;
	snprintf(path, sizeof path, "/v1/jobs/%lld", id);
	rc = client_fetch("status", "GET", path, NULL, &out);
	if (rc != 0)
		return rc;
	if (json)
		client_print_json(out);
	else
		print_job(out);
	json_decref(out);
	return SL_EXIT_OK;
}
