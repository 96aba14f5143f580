/*
 * scenario_slurm.c — a site's `slurm` mapping: how the live service reaches
 * the Slurm cluster behind a `backend: slurm` site (slurmrestd URL and JWT
 * file, or its unix socket; partition, account, user; the shared jobs
 * directory; refresh periods).  The simulator ignores it.  Relative paths
 * are taken against the scenario file's directory, like CSV signals.
 */
#include <stdio.h>
#include <string.h>

#include "io/scenario_int.h"

#include "core/banned.h"

#define NAME_MAX_LEN 64
#define PERIOD_MAX_S 3600

static const char *const slurm_keys[] = {"url", "socket", "token_file", "user", "cluster",
                                         "partition", "account", "jobs_dir", "poll",
                                         "idle_poll", "timeout", NULL};

/* Report at key under map (the path gets ".key" for the message). */
static void error_at(sl__sc *c, const sl_yaml_node *map, const char *key, const char *msg)
{
	size_t m = sl__sc_push(c, key);
	sl__sc_error(c, sl_yaml_get(map, key), "%s", msg);
	sl__sc_pop(c, m);
}

/* A Slurm name (user, cluster, partition, account): letters, digits, '_',
 * '.', '-'. */
static void slurm_name(sl__sc *c, const sl_yaml_node *map, const char *key, const char **out)
{
	const char *v = NULL;
	if (sl__sc_str(c, map, key, 0, &v) != 1)
		return;
	size_t n = strlen(v);
	if (n == 0 || n > NAME_MAX_LEN ||
	    strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") != n) {
		char msg[160];
		snprintf(msg, sizeof msg, "expected a Slurm name (1..%d letters, digits, '_', '.', "
		         "'-'), got \"%.64s\"", NAME_MAX_LEN, v);
		error_at(c, map, key, msg);
		return;
	}
	*out = v;
}

/* A file path, made absolute against the scenario's directory. */
static void path(sl__sc *c, const sl_yaml_node *map, const char *key, const char **out)
{
	const char *v = NULL;
	if (sl__sc_str(c, map, key, 0, &v) != 1)
		return;
	if (!v[0]) {
		error_at(c, map, key, "expected a path, got \"\"");
		return;
	}
	if (v[0] == '/' || !c->dir[0]) {
		*out = v;
		return;
	}
	size_t n = strlen(c->dir) + strlen(v) + 2;
	char *full = sl_arena_alloc(&c->net->arena, n);
	snprintf(full, n, "%s/%s", c->dir, v);
	*out = full;
}

/* A refresh period or timeout: a duration in [1 s, 1 h]. */
static void period(sl__sc *c, const sl_yaml_node *map, const char *key, int64_t *out_s)
{
	int64_t v = 0;
	if (sl__sc_duration(c, map, key, 0, &v) != 1)
		return;
	if (v < 1 || v > PERIOD_MAX_S) {
		char msg[120];
		snprintf(msg, sizeof msg, "expected a duration from 1s to 1h, got %lld s",
		         (long long)v);
		error_at(c, map, key, msg);
		return;
	}
	*out_s = v;
}

/* url or socket, exactly one; a URL needs a token file. */
static void endpoint(sl__sc *c, const sl_yaml_node *map, sl_site_slurm *sl)
{
	if (sl__sc_str(c, map, "url", 0, &sl->url) == 1 && strncmp(sl->url, "http://", 7) != 0 &&
	    strncmp(sl->url, "https://", 8) != 0) {
		error_at(c, map, "url", "expected an http:// or https:// URL of slurmrestd, e.g. "
		                        "http://10.0.0.5:6820");
		sl->url = NULL;
	}
	path(c, map, "socket", &sl->socket);
	path(c, map, "token_file", &sl->token_file);
	if (sl_yaml_get(map, "url") && sl_yaml_get(map, "socket"))
		error_at(c, map, "socket", "expected either url or socket, not both");
	else if (!sl_yaml_get(map, "url") && !sl_yaml_get(map, "socket"))
		sl__sc_error(c, map, "expected url (slurmrestd over TCP, with token_file) or socket "
		                     "(slurmrestd's unix socket) in the slurm mapping");
	else if (sl->url && !sl_yaml_get(map, "token_file"))
		error_at(c, map, "url", "url needs token_file (the JWT slurmrestd expects over TCP)");
}

void sl__sc_site_slurm(sl__sc *c, const sl_yaml_node *site, sl_site *s)
{
	const sl_yaml_node *n = sl_yaml_get(site, "slurm");
	if (!n)
		return;
	size_t m = sl__sc_push(c, "slurm");
	if (s->backend != SL_BACKEND_SLURM) {
		sl__sc_error(c, n, "a slurm mapping needs backend: slurm (this site's backend is %s)",
		             s->backend == SL_BACKEND_LOCAL ? "local" : "sim");
		sl__sc_pop(c, m);
		return;
	}
	if (sl__sc_expect_map(c, n, "a mapping {url or socket, token_file, partition, account, "
	                            "...}")) {
		sl_site_slurm *sl = sl_arena_alloc(&c->net->arena, sizeof *sl);
		sl__sc_check_keys(c, n, slurm_keys);
		endpoint(c, n, sl);
		slurm_name(c, n, "user", &sl->user);
		slurm_name(c, n, "cluster", &sl->cluster);
		slurm_name(c, n, "partition", &sl->partition);
		slurm_name(c, n, "account", &sl->account);
		path(c, n, "jobs_dir", &sl->jobs_dir);
		period(c, n, "poll", &sl->poll_s);
		period(c, n, "idle_poll", &sl->idle_poll_s);
		period(c, n, "timeout", &sl->timeout_s);
		s->slurm = sl;
	}
	sl__sc_pop(c, m);
}
