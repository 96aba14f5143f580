/*
 * server_sites.c — which executor runs each site's jobs.
 *
 * A site whose backend is `slurm` gets its own `slurm` executor; the others
 * share the server's executor (local processes).  The backend comes from
 * the scenario (sites[].backend) unless the operator overrides it with
 * --site-backend SITE=BACKEND[:key=value,...].  A Slurm site's executor
 * options are, in order (a later key wins): cluster=SITE_ID, the
 * scenario's sites[].slurm, then the operator's options — except that an
 * operator's url or socket replaces both of the scenario's.  jobs_dir
 * (shared with the cluster's nodes) defaults to DATA/jobs.
 */
#include "serve/server_int.h"

#include <stdio.h>
#include <string.h>

#include "serve/exec_slurm.h"
#include "core/banned.h"

static void push(srv_site *ss, const char *key, const char *val)
{
	size_t n = strlen(key) + strlen(val) + 2;
	char *kv = sl_malloc(n);
	snprintf(kv, n, "%s=%s", key, val);
	sl_vec_push(&ss->opts, kv);
}

static void push_ms(srv_site *ss, const char *key, int64_t s)
{
	char v[32];
	if (s <= 0)
		return;
	snprintf(v, sizeof v, "%lld", (long long)s * 1000);
	push(ss, key, v);
}

/* 1 if the comma-separated options name key. */
static int has_key(const char *opts, const char *key)
{
	size_t k = strlen(key);
	for (const char *p = opts; p && *p;) {
		if (strncmp(p, key, k) == 0 && p[k] == '=')
			return 1;
		p = strchr(p, ',');
		p = p ? p + 1 : NULL;
	}
	return 0;
}

/* The scenario's sites[].slurm as executor options. */
static void from_scenario(srv_site *ss, const sl_site_slurm *sl, int endpoint)
{
	const char *const keys[] = {"url", "socket", "token_file", "user", "cluster", "partition",
	                            "account"};
	const char *const vals[] = {sl->url, sl->socket, sl->token_file, sl->user, sl->cluster,
	                            sl->partition, sl->account};
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (vals[i] && (endpoint || i >= 2))
			push(ss, keys[i], vals[i]);
	push_ms(ss, "poll_ms", sl->poll_s);
	push_ms(ss, "idle_poll_ms", sl->idle_poll_s);
	push_ms(ss, "timeout_ms", sl->timeout_s);
	if (sl->jobs_dir) {
		sl_free(ss->jobs_dir);
		ss->jobs_dir = sl_strdup(sl->jobs_dir);
	}
}

/* The operator's "key=value,..." after them. */
static int from_options(srv_site *ss, const char *opts, const char *site, sl_err *err)
{
	for (const char *p = opts; p && *p;) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		const char *eq = memchr(p, '=', n);
		if (!eq || eq == p)
			return sl_err_set(err, SL_EINVAL, "--site-backend", "site %s: \"%.*s\" is not "
			                  "key=value", site, (int)(n > 80 ? 80 : n), p);
		char *kv = sl_strndup(p, n);
		if (strncmp(kv, "jobs_dir=", 9) == 0) {
			sl_free(ss->jobs_dir);
			ss->jobs_dir = sl_strdup(kv + 9);
			sl_free(kv);
		} else {
			sl_vec_push(&ss->opts, kv);
		}
		p = comma ? comma + 1 : NULL;
	}
	return 0;
}

/* The operator's override of site id, or NULL; SL_EINVAL for a second one. */
static int override_of(const sl_server_config *c, const char *id, const sl_server_site **out,
                       sl_err *err)
{
	*out = NULL;
	for (size_t i = 0; i < c->nsite_backends; i++) {
		if (strcmp(c->site_backends[i].site, id) != 0)
			continue;
		if (*out)
			return sl_err_set(err, SL_EINVAL, "--site-backend", "site %s is given twice", id);
		*out = &c->site_backends[i];
	}
	return 0;
}

/* Check the overrides on their own: known sites and backends. */
static int check_overrides(const sl_server_config *c, sl_err *err)
{
	for (size_t i = 0; i < c->nsite_backends; i++) {
		const sl_server_site *o = &c->site_backends[i];
		if (sl_network_site(c->net, o->site) < 0)
			return sl_err_set(err, SL_EINVAL, "--site-backend", "no site \"%s\" in the "
			                  "scenario", o->site);
		if (strcmp(o->backend, "slurm") != 0 && strcmp(o->backend, "local") != 0)
			return sl_err_set(err, SL_EINVAL, "--site-backend", "site %s: backend \"%s\": "
			                  "expected local or slurm", o->site, o->backend);
		if (!strcmp(o->backend, "local") && o->options && o->options[0])
			return sl_err_set(err, SL_EINVAL, "--site-backend", "site %s: options are for "
			                  "the slurm backend only", o->site);
	}
	return 0;
}

/* One Slurm site's options; SL_EINVAL when nothing says where its cluster is. */
static int slurm_site(sl_server *srv, int s, const sl_server_site *o, sl_err *err)
{
	const sl_site *site = &srv->cfg.net->sites[s];
	srv_site *ss = &srv->ssites[s];
	const char *opts = o ? o->options : NULL;
	int own_endpoint = has_key(opts, "url") || has_key(opts, "socket");
	ss->jobs_dir = sl_strdup(srv->jobs_dir);
	push(ss, "cluster", site->id);
	if (site->slurm)
		from_scenario(ss, site->slurm, !own_endpoint);
	int rc = from_options(ss, opts, site->id, err);
	if (rc < 0)
		return rc;
	if (!own_endpoint && !(site->slurm && (site->slurm->url || site->slurm->socket)))
		return sl_err_set(err, SL_EINVAL, "--site-backend", "site %s has backend slurm but no "
		                  "cluster: add sites[].slurm {url, token_file} or {socket} to the "
		                  "scenario, or pass --site-backend %s=slurm:url=http://HOST:PORT,"
		                  "token_file=FILE", site->id, site->id);
	sl_vec_push(&ss->opts, NULL);
	sl_loop_site *ls = &srv->lsites[s];
	ls->executor = &sl_exec_slurm;
	ls->exec_config.jobs_dir = ss->jobs_dir;
	ls->exec_config.options = (const char *const *)ss->opts.v;
	sl_log(srv->cfg.log, SL_LOG_INFO, "event=site_executor site=%s executor=slurm "
	       "jobs_dir=%s options=%zu", site->id, ss->jobs_dir, ss->opts.n - 1);
	return 0;
}

int sl__server_sites(sl_server *srv, sl_loop_config *lc, sl_err *err)
{
	const sl_server_config *c = &srv->cfg;
	int n = c->net->nsites, rc = check_overrides(c, err), any = 0;
	if (rc < 0)
		return rc;
	srv->ssites = sl_calloc((size_t)n, sizeof *srv->ssites);
	srv->lsites = sl_calloc((size_t)n, sizeof *srv->lsites);
	for (int s = 0; s < n; s++) {
		const sl_server_site *o;
		if ((rc = override_of(c, c->net->sites[s].id, &o, err)) < 0)
			return rc;
		int slurm = o ? !strcmp(o->backend, "slurm") : c->net->sites[s].backend == SL_BACKEND_SLURM;
		if (!slurm)
			continue;
		if ((rc = slurm_site(srv, s, o, err)) < 0)
			return rc;
		any = 1;
	}
	lc->sites = any ? srv->lsites : NULL;
	return 0;
}

void sl__server_sites_free(sl_server *srv)
{
	for (int s = 0; srv->ssites && s < srv->cfg.net->nsites; s++) {
		srv_site *ss = &srv->ssites[s];
		for (size_t i = 0; i < ss->opts.n; i++)
			sl_free(ss->opts.v[i]);
		sl_vec_free(&ss->opts);
		sl_free(ss->jobs_dir);
	}
	sl_free(srv->ssites);
	sl_free(srv->lsites);
	srv->ssites = NULL;
	srv->lsites = NULL;
}
