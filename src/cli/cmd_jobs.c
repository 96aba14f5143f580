/*
 * cmd_jobs.c — `suanli jobs [filters] [--all] [--json]`: list jobs, newest
 * first, one page (or every page with --all) of GET /v1/jobs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"
#include "client.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: suanli jobs [--state S] [--site ID] [--origin ID] [--tenant T]\n"
	           "                   [--limit N] [--all] [--json]\n\n"
	           "List your jobs, newest first (an admin token lists every tenant's).\n\n"
	           "  --state S    queued, planned, running, done, failed, timeout, cancelled,\n"
	           "               rejected\n"
	           "  --site ID    placed at this site       --origin ID   from this origin\n"
	           "  --tenant T   (admin) only this tenant's jobs\n"
	           "  --limit N    jobs per page, 1..1000 (default 100)\n"
	           "  --all        follow the pages to the oldest job\n"
	           "  --json       print {\"jobs\": [...], \"next\": CURSOR-or-null} (with --all,\n"
	           "               one object holding every job and next null)\n\n"
	           "exit status: 0 listed, 1 refused, 2 bad command line, 5 server unreachable.\n");
}

/* Append "&key=value" (percent-encoded) to q. */
static void add_arg(char *q, size_t n, const char *key, const char *v)
{
	size_t at = strlen(q);
	at += (size_t)snprintf(q + at, n - at, "%s%s=", at ? "&" : "", key);
	for (; *v && at + 4 < n; v++) {
		unsigned char c = (unsigned char)*v;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.' || c == '~')
			q[at++] = (char)c;
		else
			at += (size_t)snprintf(q + at, n - at, "%%%02X", c);
	}
	q[at] = '\0';
}

static void print_row(const json_t *j)
{
	char t1[32], t2[32];
	char *cmd = json_dumps(json_object_get(j, "command"), JSON_COMPACT);
	const json_t *ex = json_object_get(j, "exit_code");
	char exit[16] = "-";
	if (json_is_integer(ex))
		snprintf(exit, sizeof exit, "%lld", (long long)json_integer_value(ex));
	printf("%8lld %-9s %-6s %5lld %4lld %-20s %-20s %4s  %.60s\n",
	       (long long)client_int(j, "id", 0), client_str(j, "state"), client_str(j, "site"),
	       (long long)client_int(j, "cores", 0), (long long)client_int(j, "gpus", 0),
	       client_time(j, "submit", t1, sizeof t1), client_time(j, "end", t2, sizeof t2), exit,
	       json_is_string(json_object_get(j, "name")) ? client_str(j, "name") : (cmd ? cmd : ""));
	free(cmd);
}

typedef struct jobs_opts {
	char query[1024];
	int all, json;
} jobs_opts;

static int parse(int argc, char **argv, jobs_opts *o)
{
	static const char *const keys[][2] = {{"--state", "state"}, {"--site", "site"},
	                                      {"--origin", "origin"}, {"--tenant", "tenant"},
	                                      {"--limit", "limit"}};
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		size_t k = 0;
		if (cli_is_help(a)) {
			usage(stdout);
			return 1;
		}
		if (!strcmp(a, "--all")) { o->all = 1; continue; }
		if (!strcmp(a, "--json")) { o->json = 1; continue; }
		while (k < sizeof keys / sizeof keys[0] && strcmp(a, keys[k][0]) != 0)
			k++;
		if (k == sizeof keys / sizeof keys[0] || i + 1 >= argc) {
			cli_error("jobs", "%s: %s", a, k == sizeof keys / sizeof keys[0]
			          ? "unknown option (see --help)" : "missing value");
			return -1;
		}
		add_arg(o->query, sizeof o->query, keys[k][1], argv[++i]);
	}
	return 0;
}

int cmd_jobs(int argc, char **argv)
{
	jobs_opts o = {{0}, 0, 0};
	json_t *all = json_array(), *out = NULL;
	cli_client c;
	char path[1400], cursor[128] = "";
	int rc = parse(argc, argv, &o), pages = 0;
	if (rc != 0) {
		json_decref(all);
		return rc > 0 ? SL_EXIT_OK : SL_EXIT_USAGE;
	}
	if ((rc = client_init(&c, "jobs")) != 0)
		goto done;
	do {
		size_t i;
		json_t *j;
		char q[1200];
		snprintf(q, sizeof q, "%s", o.query);
		if (cursor[0])
			add_arg(q, sizeof q, "cursor", cursor);
		snprintf(path, sizeof path, "/v1/jobs%s%s", q[0] ? "?" : "", q);
		if ((rc = client_call(&c, "GET", path, NULL, &out)) != 0)
			break;
		if (!o.json && pages == 0)
			printf("%8s %-9s %-6s %5s %4s %-20s %-20s %4s  %s\n", "ID", "STATE", "SITE",
			       "CORES", "GPUS", "SUBMITTED", "ENDED", "EXIT", "NAME/COMMAND");
		json_array_foreach(json_object_get(out, "jobs"), i, j) {
			if (!o.json)
				print_row(j);
			json_array_append(all, j);
		}
		snprintf(cursor, sizeof cursor, "%s", json_is_string(json_object_get(out, "next"))
		         ? client_str(out, "next") : "");
		if (o.json && !o.all)
			client_print_json(out);
		json_decref(out);
		pages++;
	} while (o.all && cursor[0]);
	if (rc == 0 && o.json && o.all) {
		json_t *obj = json_pack("{s:O,s:n}", "jobs", all, "next");
		client_print_json(obj);
		json_decref(obj);
	} else if (rc == 0 && !o.json && cursor[0]) {
		printf("(more: --all, or --limit up to 1000)\n");
	}
done:
	client_release(&c);
	json_decref(all);
	return rc;
}
