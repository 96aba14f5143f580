/*
 * cmd_scenario.c — `suanli scenario check FILE...` and
 * `suanli scenario show FILE [--json] [--hourly | --hourly-csv OUT]
 * [--zone ID] [--from ISO] [--hours N]`: thin wrappers over the scenario
 * loader and the scenario report (the hourly energy supply comes from
 * energy/supply.h through sl_report_scenario_hourly).
 *
 * check prints one "FILE: ok (...)" line per valid file and every
 * diagnostic of an invalid one ("file:line:col: key.path: message") on
 * stdout; exit status 0 when all are valid, 1 when one is invalid, 3 when
 * one cannot be read (the worst wins).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"
#include "core/diag.h"
#include "core/time.h"
#include "io/scenario.h"
#include "report/scenario_show.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: suanli scenario <check|show> ...\n\n"
	           "  check FILE...         validate scenario files, print every error\n"
	           "  show FILE [--json]    describe a scenario's network (--hourly: its hourly\n"
	           "                        energy supply as CSV)\n\n"
	           "`suanli scenario check --help` and `suanli scenario show --help` say more.\n"
	           "The file format is docs/scenario-format.md.\n");
}

static void usage_check(FILE *f)
{
	fprintf(f, "usage: suanli scenario check FILE...\n\n"
	           "Validate each scenario file (YAML, docs/scenario-format.md) and the CSV\n"
	           "series it names.  A valid file prints one line:\n"
	           "  FILE: ok (3 sites, 4 zones, 2 origins, ...)\n"
	           "an invalid one prints every problem found, one per line:\n"
	           "  FILE:LINE:COL: key.path: what was expected, and what was found\n\n"
	           "exit status: 0 all valid, 1 a file is invalid, 2 bad command line,\n"
	           "3 a file cannot be read.\n");
}

static void usage_show(FILE *f)
{
	fprintf(f, "usage: suanli scenario show FILE [--json] [--hourly | --hourly-csv OUT]\n"
	           "                            [--zone ID] [--from ISO] [--hours N]\n\n"
	           "Load a scenario and print its network: sites, zones (carbon intensity\n"
	           "and price over the range), interconnects, the energy supply (imports\n"
	           "after line losses, grid intensity local, location-based, residual and\n"
	           "marginal; curtailed surplus per site), origins and routes, data rules\n"
	           "and job classes.\n\n"
	           "  --json          print one JSON object instead of tables\n"
	           "  --hourly        print the hourly energy supply of every zone as CSV\n"
	           "                  instead: renewable, curtailment, load, imports (after\n"
	           "                  losses), their losses, green part and intensity, exports,\n"
	           "                  and the grid intensity local / location / residual /\n"
	           "                  marginal (docs/energy.md)\n"
	           "  --hourly-csv OUT  write that CSV to OUT and print the tables as usual\n"
	           "  --zone ID       only this zone's rows\n"
	           "  --from ISO      first hour (default the scenario start; without an\n"
	           "                  offset: the scenario's time zone)\n"
	           "  --hours N       this many steps (default to the scenario end)\n\n"
	           "exit status: 0 shown, 1 the scenario is invalid (errors on stderr),\n"
	           "2 bad command line, 3 the file cannot be read.\n");
}

static const char *plural(int n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

static void print_ok(const char *path, const sl_network *net)
{
	char step[32];
	printf("%s: ok (%d %s, %d %s, %d %s, %d %s, %d %s, %d %s, %d %s, %d steps of %s)\n", path,
	       net->nsites, plural(net->nsites, "site", "sites"), net->nzones,
	       plural(net->nzones, "zone", "zones"), net->norigins,
	       plural(net->norigins, "origin", "origins"), net->ntariffs,
	       plural(net->ntariffs, "tariff", "tariffs"), net->ninterconnects,
	       plural(net->ninterconnects, "interconnect", "interconnects"), net->ntags,
	       plural(net->ntags, "data rule", "data rules"), net->nclasses,
	       plural(net->nclasses, "job class", "job classes"), (int)net->nsteps,
	       sl_duration_format(net->step_s, step, sizeof step));
}

/* Load one file for a sub-verb; diagnostics go to diag_out.  Returns an
 * exit status; *out is set on success. */
static int load(const char *verb, const char *path, FILE *diag_out, sl_network **out)
{
	sl_diags d = {0};
	sl_err e = {0};
	int rc = sl_scenario_load(path, out, &d, &e);
	if (rc == SL_EIO) {
		cli_error(verb, "%s: %s", path, e.msg);
	} else if (rc) {
		sl_diags_print(&d, diag_out);
		fprintf(diag_out, "%s: invalid (%zu %s)\n", path, d.n, plural((int)d.n, "error", "errors"));
	}
	sl_diags_release(&d);
	if (rc == 0)
		return SL_EXIT_OK;
	return rc == SL_EIO ? SL_EXIT_INPUT : SL_EXIT_FAIL;
}

static int cmd_check(int argc, char **argv)
{
	int nfiles = 0, status = SL_EXIT_OK;
	for (int i = 1; i < argc; i++) {
		if (cli_is_help(argv[i])) {
			usage_check(stdout);
			return SL_EXIT_OK;
		}
		if (argv[i][0] == '-' && argv[i][1] && strcmp(argv[i], "--") != 0) {
			cli_error("scenario check", "unknown option \"%s\"", argv[i]);
			usage_check(stderr);
			return SL_EXIT_USAGE;
		}
		nfiles++;
	}
	if (nfiles == 0) {
		cli_error("scenario check", "no FILE given");
		usage_check(stderr);
		return SL_EXIT_USAGE;
	}
	for (int i = 1; i < argc; i++) {
		sl_network *net = NULL;
		if (strcmp(argv[i], "--") == 0)
			continue;
		int r = load("scenario check", argv[i], stdout, &net);
		if (r == SL_EXIT_OK)
			print_ok(argv[i], net);
		sl_network_free(net);
		if (r > status)
			status = r;
	}
	return status;
}

static int show_json(const sl_network *net)
{
	json_t *j = sl_report_scenario_json(net);
	if (!j) {
		cli_error("scenario show", "could not build the JSON description");
		return SL_EXIT_INTERNAL;
	}
	int rc = json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
	json_decref(j);
	fputc('\n', stdout);
	return rc == 0 ? SL_EXIT_OK : SL_EXIT_INTERNAL;
}

/* The --hourly options of show. */
typedef struct hourly_args {
	int print;
	const char *csv, *zone, *from, *hours;
} hourly_args;

/* An hourly option at argv[*i]: 0 taken, -1 bad (reported), 1 not one. */
static int hourly_opt(int argc, char **argv, int *i, hourly_args *h)
{
	const char *o = argv[*i];
	const char **dst = !strcmp(o, "--hourly-csv") ? &h->csv
	                 : !strcmp(o, "--zone")       ? &h->zone
	                 : !strcmp(o, "--from")       ? &h->from
	                 : !strcmp(o, "--hours")      ? &h->hours : NULL;
	if (!strcmp(o, "--hourly")) {
		h->print = 1;
		return 0;
	}
	if (!dst)
		return 1;
	if (*i + 1 >= argc)
		return cli_error("scenario show", "%s needs a value", o), -1;
	*dst = argv[++*i];
	return 0;
}

/* The window and zone of --hourly from the options; -1 when bad (reported). */
static int hourly_window(const sl_network *net, const hourly_args *h, int *zone, int64_t *from,
                         int64_t *to)
{
	sl_err e = {0};
	char *end;
	*zone = -1;
	*from = net->t0;
	*to = net->t1;
	if (h->zone && (*zone = sl_network_zone(net, h->zone)) < 0)
		return cli_error("scenario show", "--zone: no zone \"%s\" in the scenario", h->zone), -1;
	if (h->from && sl_time_parse_iso(h->from, net->utc_offset_s, from, &e))
		return cli_error("scenario show", "--from: %s", e.msg), -1;
	if (h->from && (*from < net->t0 || *from >= net->t1))
		return cli_error("scenario show", "--from: %s is outside the scenario's range", h->from), -1;
	if (h->hours) {
		errno = 0;
		long long n = strtoll(h->hours, &end, 10);
		if (end == h->hours || *end || errno || n <= 0)
			return cli_error("scenario show", "--hours: expected a whole number > 0, got \"%s\"",
			                 h->hours), -1;
		if (n < (net->t1 - *from) / net->step_s)
			*to = *from + (int64_t)n * net->step_s;
	}
	return 0;
}

/* --hourly (to stdout) or --hourly-csv OUT. */
static int show_hourly(const sl_network *net, const hourly_args *h)
{
	int zone;
	int64_t from, to;
	sl_err e = {0};
	if (hourly_window(net, h, &zone, &from, &to))
		return SL_EXIT_USAGE;
	FILE *f = h->csv ? fopen(h->csv, "w") : stdout;
	if (!f)
		return cli_error("scenario show", "%s: cannot create: %s", h->csv, strerror(errno)),
		       SL_EXIT_INTERNAL;
	int rc = sl_report_scenario_hourly(f, net, zone, from, to, &e);
	if (h->csv && fclose(f) != 0)
		rc = SL_EIO;
	if (rc)
		return cli_error("scenario show", "%s: writing failed", h->csv ? h->csv : "stdout"),
		       SL_EXIT_INTERNAL;
	return SL_EXIT_OK;
}

static int cmd_show(int argc, char **argv)
{
	const char *path = NULL;
	int json = 0;
	hourly_args h = {0};
	for (int i = 1; i < argc; i++) {
		int ho = 1;
		if (cli_is_help(argv[i])) {
			usage_show(stdout);
			return SL_EXIT_OK;
		} else if (strcmp(argv[i], "--json") == 0) {
			json = 1;
		} else if (argv[i][0] == '-' && (ho = hourly_opt(argc, argv, &i, &h)) <= 0) {
			if (ho < 0)
				return SL_EXIT_USAGE;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			cli_error("scenario show", "unknown option \"%s\"", argv[i]);
			return SL_EXIT_USAGE;
		} else if (path) {
			cli_error("scenario show", "one FILE only (got \"%s\" and \"%s\")", path, argv[i]);
			return SL_EXIT_USAGE;
		} else {
			path = argv[i];
		}
	}
	if (!path) {
		cli_error("scenario show", "no FILE given");
		usage_show(stderr);
		return SL_EXIT_USAGE;
	}
	if (h.print && (h.csv || json)) {
		cli_error("scenario show", "--hourly prints the CSV instead of the description: "
		                           "not with %s", h.csv ? "--hourly-csv" : "--json");
		return SL_EXIT_USAGE;
	}
	if (!h.print && !h.csv && (h.zone || h.from || h.hours)) {
		cli_error("scenario show", "--zone, --from and --hours go with --hourly or --hourly-csv");
		return SL_EXIT_USAGE;
	}
	sl_network *net = NULL;
	int status = load("scenario show", path, stderr, &net);
	if (status == SL_EXIT_OK && (h.print || h.csv))
		status = show_hourly(net, &h);
	if (status == SL_EXIT_OK && !h.print) {
		if (json) {
			status = show_json(net);
		} else {
			sl_report_scenario_text(stdout, net);
		}
	}
	sl_network_free(net);
	return status;
}

int cmd_scenario(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return SL_EXIT_USAGE;
	}
	if (cli_is_help(argv[1]) || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return SL_EXIT_OK;
	}
	if (strcmp(argv[1], "check") == 0)
		return cmd_check(argc - 1, argv + 1);
	if (strcmp(argv[1], "show") == 0)
		return cmd_show(argc - 1, argv + 1);
	cli_error("scenario", "unknown sub-verb \"%s\" (expected check or show)", argv[1]);
	usage(stderr);
	return SL_EXIT_USAGE;
}
