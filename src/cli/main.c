/*
 * main.c — suanli: subcommand dispatch, --help, --version.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

typedef struct verb {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} verb;

static const verb verbs[] = {
	{"simulate", cmd_simulate, "replay a trace against a scenario, compare policies"},
	{"scenario", cmd_scenario, "check or show a network scenario (YAML)"},
	{"trace", cmd_trace, "generate, describe or convert workload traces"},
	{"serve", cmd_serve, "run the live dispatcher: HTTP API, durable queue, local executor"},
	{"token", cmd_token, "make an API token for a tenant (token add)"},
	{"submit", cmd_submit, "submit a job to the service"},
	{"status", cmd_status, "show one job: state, placement, receipt, history"},
	{"jobs", cmd_jobs, "list jobs (filters, pages)"},
	{"cancel", cmd_cancel, "cancel a job"},
	{"sites", cmd_sites, "show every site's live load, power, carbon and queue"},
};

void cli_error(const char *verb_name, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "suanli %s: ", verb_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cli_is_help(const char *arg)
{
	return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: suanli <verb> [options]\n\n"
	           "suanli decides where and when computing jobs run across a green\n"
	           "computing-power network, and accounts for energy, carbon, cost and SLA.\n\n"
	           "verbs:\n");
	for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
		fprintf(f, "  %-10s %s\n", verbs[i].name, verbs[i].summary);
	fprintf(f, "\n`suanli <verb> --help` describes each verb.\n\n"
	           "exit status:\n"
	           "  0  success\n"
	           "  1  the operation ran and failed (e.g. the scenario has errors)\n"
	           "  2  bad command line\n"
	           "  3  an input file could not be read or parsed\n"
	           "  4  internal or system error\n"
	           "  5  the server could not be reached\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return SL_EXIT_USAGE;
	}
	if (cli_is_help(argv[1]) || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return SL_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		printf("suanli %s\n", SUANLI_VERSION);
		return SL_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
		if (strcmp(argv[1], verbs[i].name) == 0)
			return verbs[i].run(argc - 1, argv + 1);
	fprintf(stderr, "suanli: unknown verb \"%s\" (see `suanli --help`)\n", argv[1]);
	return SL_EXIT_USAGE;
}
