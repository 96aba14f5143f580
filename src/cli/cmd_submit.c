/*
 * cmd_submit.c — `suanli submit [options] -- COMMAND [ARGS...]`: build a job
 * body from flags and POST it to /v1/jobs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"
#include "client.h"
#include "core/time.h"
#include "core/units.h"

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: suanli submit --runtime DURATION [options] -- COMMAND [ARGS...]\n\n"
	        "Submit a job to the service at SUANLI_URL (default %s) with the token\n"
	        "in SUANLI_TOKEN.  COMMAND runs as an argv, with no shell, in its own job\n"
	        "directory (stdout and stderr are files there).\n\n"
	        "  --runtime DURATION  time limit: the job is stopped when it runs longer\n"
	        "                      (90, 15m, 2h, 1h30m, 1d); required\n"
	        "  --cores N           cores (default 1)       --gpus N   GPUs (default 0)\n"
	        "  --deadline DURATION finish within this long of submission (default none)\n"
	        "  --origin ID         where the job and its data come from (default: the\n"
	        "                      scenario's first origin)\n"
	        "  --data-tag TAG      data-residency tag of its input (default none)\n"
	        "  --class ID          job class of the scenario (brings its latency budget)\n"
	        "  --latency-ms MS     latency budget: max RTT from the origin\n"
	        "  --input SIZE        input bytes to move to the site (500MB, 2GB, ...)\n"
	        "  --output SIZE       output bytes returned to the origin\n"
	        "  --name NAME         a label\n"
	        "  --env NAME=VALUE    add to the job's environment (repeatable)\n"
	        "  --shell             run COMMAND ARGS... as one /bin/sh -c script\n"
	        "  --requeue           if the job's process is lost at a service restart,\n"
	        "                      run it again instead of marking it failed\n"
	        "  --json              print the server's answer as JSON\n\n"
	        "Prints the new job's id.  exit status: 0 accepted, 1 refused by the\n"
	        "server (message on stderr), 2 bad command line, 5 server unreachable.\n",
	        CLIENT_URL_DEFAULT);
}

static int set_duration(json_t *o, const char *key, const char *flag, const char *v)
{
	int64_t s;
	sl_err e = {0};
	if (sl_duration_parse(v, &s, &e) < 0 || s <= 0) {
		cli_error("submit", "%s: expected a duration like 90, 15m, 2h (%s)", flag,
		          e.msg[0] ? e.msg : "must be > 0");
		return -1;
	}
	json_object_set_new(o, key, json_integer(s));
	return 0;
}

static int set_count(json_t *o, const char *key, const char *flag, const char *v)
{
	char *end;
	long long n;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno || end == v || *end || n < 0) {
		cli_error("submit", "%s: expected a whole number >= 0, got \"%s\"", flag, v);
		return -1;
	}
	json_object_set_new(o, key, json_integer(n));
	return 0;
}

static int set_bytes(json_t *o, const char *key, const char *flag, const char *v)
{
	int64_t n;
	sl_err e = {0};
	if (sl_bytes_parse(v, &n, &e) < 0) {
		cli_error("submit", "%s: %s", flag, e.msg);
		return -1;
	}
	json_object_set_new(o, key, json_integer(n));
	return 0;
}

static int set_env(json_t *o, const char *v)
{
	const char *eq = strchr(v, '=');
	json_t *env = json_object_get(o, "env");
	char name[256];
	if (!eq || eq == v || (size_t)(eq - v) >= sizeof name) {
		cli_error("submit", "--env: expected NAME=VALUE, got \"%s\"", v);
		return -1;
	}
	memcpy(name, v, (size_t)(eq - v));
	name[eq - v] = '\0';
	if (!env)
		json_object_set_new(o, "env", env = json_object());
	json_object_set_new(env, name, json_string(eq + 1));
	return 0;
}

/* One option with a value; 0, or -1 (error printed). */
static int option(json_t *o, const char *a, const char *v)
{
	if (!strcmp(a, "--runtime")) return set_duration(o, "runtime_s", a, v);
	if (!strcmp(a, "--deadline")) return set_duration(o, "deadline_s", a, v);
	if (!strcmp(a, "--cores")) return set_count(o, "cores", a, v);
	if (!strcmp(a, "--gpus")) return set_count(o, "gpus", a, v);
	if (!strcmp(a, "--latency-ms")) return set_count(o, "latency_budget_ms", a, v);
	if (!strcmp(a, "--input")) return set_bytes(o, "input_bytes", a, v);
	if (!strcmp(a, "--output")) return set_bytes(o, "output_bytes", a, v);
	if (!strcmp(a, "--env")) return set_env(o, v);
	if (!strcmp(a, "--origin") || !strcmp(a, "--data-tag") || !strcmp(a, "--class") ||
	    !strcmp(a, "--name")) {
		const char *key = !strcmp(a, "--origin") ? "origin" : !strcmp(a, "--data-tag")
		                  ? "data_tag" : !strcmp(a, "--class") ? "class" : "name";
		json_object_set_new(o, key, json_string(v));
		return 0;
	}
	cli_error("submit", "unknown option %s (see `suanli submit --help`)", a);
	return -1;
}

static json_t *command(char **argv, int n, int shell)
{
	json_t *cmd = json_array();
	if (shell) {
		size_t len = 1;
		for (int i = 0; i < n; i++)
			len += strlen(argv[i]) + 1;
		char *script = calloc(1, len);
		for (int i = 0; i < n; i++) {
			if (i)
				strncat(script, " ", len - strlen(script) - 1);
			strncat(script, argv[i], len - strlen(script) - 1);
		}
		json_array_append_new(cmd, json_string("/bin/sh"));
		json_array_append_new(cmd, json_string("-c"));
		json_array_append_new(cmd, json_string(script));
		free(script);
	} else {
		for (int i = 0; i < n; i++)
			json_array_append_new(cmd, json_string(argv[i]));
	}
	return cmd;
}

/* Parse flags into body; *cmd_at gets the index after "--". */
static int parse(int argc, char **argv, json_t *body, int *json_out, int *shell, int *cmd_at)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--")) {
			*cmd_at = i + 1;
			return 0;
		}
		if (cli_is_help(a)) {
			usage(stdout);
			return 1;
		}
		if (!strcmp(a, "--json")) *json_out = 1;
		else if (!strcmp(a, "--shell")) *shell = 1;
		else if (!strcmp(a, "--requeue")) json_object_set_new(body, "requeue", json_true());
		else if (a[0] != '-') {
			*cmd_at = i; /* the command starts here (no "--") */
			return 0;
		} else if (i + 1 >= argc) {
			cli_error("submit", "%s: missing value", a);
			return -1;
		} else if (option(body, a, argv[++i]) < 0) {
			return -1;
		}
	}
	*cmd_at = argc;
	return 0;
}

int cmd_submit(int argc, char **argv)
{
	json_t *body = json_object(), *out = NULL;
	int json_out = 0, shell = 0, cmd_at = argc, rc;
	char *text;
	rc = parse(argc, argv, body, &json_out, &shell, &cmd_at);
	if (rc == 0 && cmd_at >= argc) {
		cli_error("submit", "no command given (suanli submit --runtime 1h -- ./job.sh)");
		rc = -1;
	}
	if (rc == 0 && !json_object_get(body, "runtime_s")) {
		cli_error("submit", "--runtime is required (the job's time limit)");
		rc = -1;
	}
	if (rc != 0) {
		json_decref(body);
		return rc > 0 ? SL_EXIT_OK : SL_EXIT_USAGE;
	}
	json_object_set_new(body, "command", command(argv + cmd_at, argc - cmd_at, shell));
	text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	rc = client_fetch("submit", "POST", "/v1/jobs", text, &out);
	free(text);
	if (rc != 0)
		return rc;
	if (json_out)
		client_print_json(out);
	else
		printf("%lld\n", (long long)client_int(out, "id", 0));
	json_decref(out);
	return SL_EXIT_OK;
}
