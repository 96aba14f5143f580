/*
 * cmd_sites.c — `suanli sites [--json]`: every site's live load, power,
 * carbon intensity, price and queue (GET /v1/sites).
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"
#include "client.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: suanli sites [--json]\n\n"
	           "Show each site now: its executor and state (up, or down when its Slurm\n"
	           "cluster fails; the reasons follow the table), busy cores and GPUs of\n"
	           "installed (a Slurm site's from its cluster), running and queued jobs,\n"
	           "local processes, IT and facility power (kW), PUE, grid carbon intensity\n"
	           "(g CO2/kWh; * = live override) and price (CNY/kWh).\n\n"
	           "exit status: 0 shown, 1 refused, 2 bad command line, 5 server unreachable.\n");
}

/* "up", "down", or "?" before a remote site's first answer. */
static const char *state_of(const json_t *s)
{
	const json_t *c = json_object_get(s, "cluster");
	if (!json_is_true(json_object_get(s, "up")))
		return "down";
	return c && !json_is_true(json_object_get(c, "known")) ? "?" : "up";
}

static void print_down(const json_t *out)
{
	size_t i;
	json_t *s;
	json_array_foreach(json_object_get(out, "sites"), i, s)
		if (!json_is_true(json_object_get(s, "up")))
			printf("%s down (%s): %s\n", client_str(s, "id"), client_str(s, "down_fault"),
			       client_str(s, "down_reason"));
}

static void print_sites(const json_t *out)
{
	size_t i;
	json_t *s;
	printf("%-6s %-6s %-5s %-9s %15s %11s %5s %6s %5s %10s %10s %5s %10s %8s\n", "SITE",
	       "EXEC", "STATE", "ZONE", "CORES", "GPUS", "RUN", "QUEUE", "PROC", "IT_KW", "FAC_KW",
	       "PUE", "gCO2/kWh", "CNY/kWh");
	json_array_foreach(json_object_get(out, "sites"), i, s) {
		char cores[32], gpus[32];
		snprintf(cores, sizeof cores, "%lld/%lld", (long long)client_int(s, "busy_cores", 0),
		         (long long)client_int(s, "cores", 0));
		snprintf(gpus, sizeof gpus, "%lld/%lld", (long long)client_int(s, "busy_gpus", 0),
		         (long long)client_int(s, "gpus", 0));
		printf("%-6s %-6s %-5s %-9s %15s %11s %5lld %6lld %5lld %10.1f %10.1f %5.2f %9.1f%s "
		       "%8.4f\n", client_str(s, "id"), client_str(s, "executor"), state_of(s),
		       client_str(s, "zone"), cores, gpus,
		       (long long)client_int(s, "running_jobs", 0),
		       (long long)client_int(s, "queued_jobs", 0),
		       (long long)client_int(s, "processes", 0), client_num(s, "it_power_w", 0) / 1e3,
		       client_num(s, "facility_power_w", 0) / 1e3, client_num(s, "pue", 0),
		       client_num(s, "carbon_g_per_kwh", 0),
		       json_is_true(json_object_get(s, "carbon_overridden")) ? "*" : " ",
		       client_num(s, "price_cny_per_kwh", 0));
	}
	print_down(out);
}

int cmd_sites(int argc, char **argv)
{
	int json = 0, rc;
	json_t *out = NULL;
	for (int i = 1; i < argc; i++) {
		if (cli_is_help(argv[i])) {
			usage(stdout);
			return SL_EXIT_OK;
		}
		if (strcmp(argv[i], "--json") != 0) {
			cli_error("sites", "unexpected argument \"%s\" (see --help)", argv[i]);
			return SL_EXIT_USAGE;
		}
		json = 1;
	}
	rc = client_fetch("sites", "GET", "/v1/sites", NULL, &out);
	if (rc != 0)
		return rc;
	if (json)
		client_print_json(out);
	else
		print_sites(out);
	json_decref(out);
	return SL_EXIT_OK;
}
