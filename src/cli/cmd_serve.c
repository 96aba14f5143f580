/*
 * cmd_serve.c — `suanli serve`: load the scenario, start the service, wait
 * for SIGTERM or SIGINT, stop gracefully.
 *
 * Signals are blocked in every thread and taken synchronously with
 * sigwait() here, so no handler runs inside the library.  Logs are one
 * line per event on stderr: "ts=... level=... event=... key=value ...".
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/clock.h"
#include "core/diag.h"
#include "core/log.h"
#include "core/time.h"
#include "core/units.h"
#include "io/scenario.h"
#include "sched/policy.h"
#include "sched/view.h"
#include "serve/server.h"
#include "serve/store.h"

/* "nearest, round-robin, ..." from the policy registry. */
static const char *policy_names(char *buf, size_t n)
{
	size_t at = 0;
	buf[0] = '\0';
	for (int i = 0; i < sl_policy_count() && at < n; i++)
		at += (size_t)snprintf(buf + at, n - at, "%s%s", i ? ", " : "", sl_policy_at(i)->name);
	return buf;
}

static void usage(FILE *f)
{
	char names[256];
	fprintf(f,
	        "usage: suanli serve --scenario FILE --data DIR [options]\n\n"
	        "Run the live dispatcher: an HTTP API (docs/service.md) over a durable job\n"
	        "queue.  Jobs are placed by a policy and run by the site's executor: a site\n"
	        "whose backend is slurm submits to its Slurm cluster (docs/slurm.md); every\n"
	        "other site is a pool of slots on this machine.  Stop with SIGTERM or\n"
	        "Ctrl-C: acknowledged jobs are committed, running jobs keep running and are\n"
	        "adopted by the next start.\n\n"
	        "  --scenario FILE      the network (YAML, docs/scenario-format.md); required\n"
	        "  --data DIR           the store (DIR/suanli.db) and job directories\n"
	        "                       (DIR/jobs/ID: stdout, stderr); created; required\n"
	        "  --listen HOST:PORT   IPv4 address and port (default 127.0.0.1:8080;\n"
	        "                       port 0 picks a free one, printed in the log)\n"
	        "  --policy NAME        placement policy (default greenest): %s\n"
	        "  --policy-params S    policy-specific key=value,...\n"
	        "  --carbon MODE        average (default) or marginal grid intensity\n"
	        "  --local-slots N      at most N real processes per site (default 8; 0 = only\n"
	        "                       the scenario's cores and GPUs limit them).  Jobs\n"
	        "                       beyond it hold their cores and wait for a slot.\n"
	        "  --grace DURATION     SIGTERM-to-SIGKILL grace on cancel and time limit\n"
	        "                       (default 10s)\n"
	        "  --site-backend SITE=BACKEND[:KEY=VALUE,...]\n"
	        "                       run SITE on BACKEND (local or slurm) whatever the\n"
	        "                       scenario says; repeatable.  slurm takes the scenario's\n"
	        "                       sites[].slurm keys as url, socket, token_file, user,\n"
	        "                       cluster, partition, account, jobs_dir, poll_ms,\n"
	        "                       idle_poll_ms, timeout_ms; given ones win, e.g.\n"
	        "                       CKG=slurm:url=http://10.0.0.5:6820,token_file=/etc/jwt\n"
	        "  --failover-after DURATION\n"
	        "                       a Slurm site down this long gives back the jobs it holds\n"
	        "                       unsent, for the policy to place elsewhere (default 30s)\n"
	        "  --failover-max N     times one job is placed again before it fails\n"
	        "                       (default 3)\n"
	        "  --sync MODE          full (default): every commit is fsynced, acknowledged\n"
	        "                       jobs survive power loss; normal: they survive a crash\n"
	        "                       or kill -9 of suanli but maybe not power loss\n"
	        "  --http-threads N     HTTP worker threads (default 2)\n"
	        "  --max-body SIZE      request body limit (default 64KiB) -> 413\n"
	        "  --max-queue N        active jobs before submissions get 429 (default 1000000)\n"
	        "  --log-level LEVEL    error, warn, info (default) or debug (one line per\n"
	        "                       request)\n"
	        "  -h, --help           this text\n\n"
	        "Tokens: `suanli token add --tenant T [--admin] --data DIR`.\n\n"
	        "exit status: 0 stopped cleanly, 1 could not start (store, address in use),\n"
	        "2 bad command line, 3 the scenario cannot be read or is invalid.\n",
	        policy_names(names, sizeof names));
}

#define MAX_SITE_BACKENDS 256

typedef struct serve_opts {
	const char *scenario, *data, *listen, *policy, *params, *carbon, *sync, *level;
	long slots, threads, queue, failover_max;
	int64_t grace_s, max_body, failover_after_s;
	sl_server_site backends[MAX_SITE_BACKENDS]; /* strings point into buf */
	char *buf[MAX_SITE_BACKENDS];
	size_t nbackends;
} serve_opts;

/* SITE=BACKEND[:OPTIONS] into the next backends[] entry. */
static int parse_site_backend(serve_opts *o, const char *v)
{
	const char *eq = strchr(v, '=');
	if (o->nbackends == MAX_SITE_BACKENDS) {
		cli_error("serve", "--site-backend: at most %d", MAX_SITE_BACKENDS);
		return -1;
	}
	if (!eq || eq == v || !eq[1]) {
		cli_error("serve", "--site-backend: expected SITE=BACKEND[:KEY=VALUE,...] (e.g. "
		          "CKG=slurm:url=http://127.0.0.1:6820,token_file=jwt), got \"%s\"", v);
		return -1;
	}
	char *b = strdup(v);
	if (!b)
		return -1;
	o->buf[o->nbackends] = b;
	sl_server_site *s = &o->backends[o->nbackends++];
	b[eq - v] = '\0';
	s->site = b;
	s->backend = b + (eq - v) + 1;
	char *colon = strchr((char *)s->backend, ':');
	if (colon) {
		*colon = '\0';
		s->options = colon + 1;
	}
	return 0;
}

static void opts_release(serve_opts *o)
{
	for (size_t i = 0; i < o->nbackends; i++)
		free(o->buf[i]);
}

/* "ts=... level=... msg" on stderr, one write per line. */
static void log_line(void *ud, int level, const char *msg)
{
	const sl_clock *c = ud;
	char ts[40], line[2300];
	sl_time_format_iso(sl_clock_now(c), 0, 1, ts, sizeof ts);
	snprintf(line, sizeof line, "ts=%s level=%s %s\n", ts, sl_log_level_name(level), msg);
	fputs(line, stderr);
}

static int parse_long(const char *flag, const char *v, long lo, long hi, long *out)
{
	char *end;
	long x;
	errno = 0;
	x = strtol(v, &end, 10);
	if (errno || end == v || *end || x < lo || x > hi) {
		cli_error("serve", "%s: expected an integer in [%ld, %ld], got \"%s\"", flag, lo, hi, v);
		return -1;
	}
	*out = x;
	return 0;
}

static int parse_args(int argc, char **argv, serve_opts *o)
{
	sl_err e = {0};
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (cli_is_help(a)) {
			usage(stdout);
			return 1;
		}
		if (!v || a[0] != '-' || a[1] != '-') {
			cli_error("serve", "%s: %s", a, v ? "unexpected argument" : "missing value");
			return -1;
		}
		i++;
		if (!strcmp(a, "--scenario")) o->scenario = v;
		else if (!strcmp(a, "--data")) o->data = v;
		else if (!strcmp(a, "--listen")) o->listen = v;
		else if (!strcmp(a, "--policy")) o->policy = v;
		else if (!strcmp(a, "--policy-params")) o->params = v;
		else if (!strcmp(a, "--carbon")) o->carbon = v;
		else if (!strcmp(a, "--sync")) o->sync = v;
		else if (!strcmp(a, "--log-level")) o->level = v;
		else if (!strcmp(a, "--local-slots")) { if (parse_long(a, v, 0, 1000000, &o->slots) < 0) return -1; }
		else if (!strcmp(a, "--http-threads")) { if (parse_long(a, v, 1, 64, &o->threads) < 0) return -1; }
		else if (!strcmp(a, "--max-queue")) { if (parse_long(a, v, 1, 100000000, &o->queue) < 0) return -1; }
		else if (!strcmp(a, "--failover-max")) { if (parse_long(a, v, 1, 100, &o->failover_max) < 0) return -1; }
		else if (!strcmp(a, "--site-backend")) { if (parse_site_backend(o, v) < 0) return -1; }
		else if (!strcmp(a, "--failover-after")) {
			if (sl_duration_parse(v, &o->failover_after_s, &e) < 0) {
				cli_error("serve", "--failover-after: %s", e.msg);
				return -1;
			}
		}
		else if (!strcmp(a, "--grace")) {
			if (sl_duration_parse(v, &o->grace_s, &e) < 0) {
				cli_error("serve", "--grace: %s", e.msg);
				return -1;
			}
		} else if (!strcmp(a, "--max-body")) {
			if (sl_bytes_parse(v, &o->max_body, &e) < 0 || o->max_body < 1024) {
				cli_error("serve", "--max-body: expected a size of at least 1KiB, got \"%s\"", v);
				return -1;
			}
		} else {
			cli_error("serve", "unknown option %s (see `suanli serve --help`)", a);
			return -1;
		}
	}
	return 0;
}

/* HOST:PORT into host (n bytes) and port. */
static int parse_listen(const char *s, char *host, size_t n, int *port)
{
	const char *colon = strrchr(s, ':');
	long p;
	if (!colon || colon == s || (size_t)(colon - s) >= n) {
		cli_error("serve", "--listen: expected HOST:PORT (e.g. 127.0.0.1:8080), got \"%s\"", s);
		return -1;
	}
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = '\0';
	if (parse_long("--listen port", colon + 1, 0, 65535, &p) < 0)
		return -1;
	*port = (int)p;
	return 0;
}

/* Check options and fill cfg.  Returns 0 or an exit status. */
static int configure(const serve_opts *o, sl_server_config *cfg, char *host, size_t n,
                     int *level)
{
	if (!o->scenario || !o->data) {
		cli_error("serve", "--scenario FILE and --data DIR are required (see --help)");
		return SL_EXIT_USAGE;
	}
	if (parse_listen(o->listen ? o->listen : "127.0.0.1:8080", host, n, &cfg->port) < 0)
		return SL_EXIT_USAGE;
	cfg->host = host;
	cfg->policy = o->policy ? o->policy : "greenest";
	if (!sl_policy_find(cfg->policy)) {
		cli_error("serve", "--policy: unknown policy \"%s\" (see --help)", cfg->policy);
		return SL_EXIT_USAGE;
	}
	cfg->policy_params = o->params;
	cfg->carbon_mode = o->carbon ? sl_carbon_mode_parse(o->carbon) : SL_CARBON_AVERAGE;
	if (cfg->carbon_mode < 0) {
		cli_error("serve", "--carbon: expected average or marginal, got \"%s\"", o->carbon);
		return SL_EXIT_USAGE;
	}
	if (o->sync && strcmp(o->sync, "full") && strcmp(o->sync, "normal")) {
		cli_error("serve", "--sync: expected full or normal, got \"%s\"", o->sync);
		return SL_EXIT_USAGE;
	}
	cfg->sync = o->sync && !strcmp(o->sync, "normal") ? SL_STORE_SYNC_NORMAL : SL_STORE_SYNC_FULL;
	if ((*level = sl_log_level_parse(o->level ? o->level : "info")) < 0) {
		cli_error("serve", "--log-level: expected error, warn, info or debug");
		return SL_EXIT_USAGE;
	}
	cfg->data_dir = o->data;
	cfg->local_slots = (int32_t)o->slots;
	cfg->http_threads = (int)o->threads;
	cfg->max_active = (size_t)o->queue;
	cfg->max_body = (size_t)o->max_body;
	cfg->grace_ms = o->grace_s * 1000;
	cfg->site_backends = o->backends;
	cfg->nsite_backends = o->nbackends;
	cfg->failover_max = (int32_t)o->failover_max;
	/* 0 s means at once (the loop's 0 means its default) */
	cfg->failover_after_s = o->failover_after_s > 0 ? o->failover_after_s : -1;
	return 0;
}

/* --site-backend names sites of the scenario (checked here for exit 2). */
static int check_backends(const serve_opts *o, const sl_network *net)
{
	for (size_t i = 0; i < o->nbackends; i++)
		if (sl_network_site(net, o->backends[i].site) < 0) {
			cli_error("serve", "--site-backend: no site \"%s\" in the scenario",
			          o->backends[i].site);
			return -1;
		}
	return 0;
}

static int load_scenario(const char *path, sl_network **net)
{
	sl_diags d = {0};
	sl_err e = {0};
	char buf[SL_ERR_MSG_MAX + SL_ERR_ORIGIN_MAX];
	int rc = sl_scenario_load(path, net, &d, &e);
	if (rc < 0) {
		sl_diags_print(&d, stderr);
		cli_error("serve", "%s", sl_err_format(&e, buf, sizeof buf));
	}
	sl_diags_release(&d);
	return rc < 0 ? SL_EXIT_INPUT : 0;
}

int cmd_serve(int argc, char **argv)
{
	static serve_opts o; /* 10 KB of --site-backend slots: off the stack */
	o = (serve_opts){.slots = 8, .threads = 2, .queue = 1000000, .grace_s = 10,
	                 .max_body = 64 * 1024, .failover_max = 3, .failover_after_s = 30};
	sl_server_config cfg;
	sl_network *net = NULL;
	sl_server *srv = NULL;
	sl_clock clock = sl_clock_system();
	sl_logger lg = {log_line, &clock, SL_LOG_INFO};
	sl_err e = {0};
	char host[64], buf[SL_ERR_MSG_MAX + SL_ERR_ORIGIN_MAX];
	sigset_t sigs;
	int rc, sig = 0;
	memset(&cfg, 0, sizeof cfg);
	if ((rc = parse_args(argc, argv, &o)) != 0) {
		opts_release(&o);
		return rc > 0 ? SL_EXIT_OK : SL_EXIT_USAGE;
	}
	if ((rc = configure(&o, &cfg, host, sizeof host, &lg.level)) != 0 ||
	    (rc = load_scenario(o.scenario, &net)) != 0) {
		opts_release(&o);
		return rc;
	}
	if (check_backends(&o, net) < 0) {
		opts_release(&o);
		sl_network_free(net);
		return SL_EXIT_USAGE;
	}
	cfg.net = net;
	cfg.clock = &clock;
	cfg.log = &lg;
	/* Block the stop signals in every thread the server starts; take them here. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (sl_server_start(&cfg, &srv, &e) < 0) {
		cli_error("serve", "%s", sl_err_format(&e, buf, sizeof buf));
		sl_network_free(net);
		opts_release(&o);
		return SL_EXIT_FAIL;
	}
	sigwait(&sigs, &sig);
	sl_log(&lg, SL_LOG_INFO, "event=signal name=%s", sig == SIGINT ? "SIGINT" : "SIGTERM");
	sl_server_free(srv);
	sl_network_free(net);
	opts_release(&o);
	return SL_EXIT_OK;
}
