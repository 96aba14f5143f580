/*
 * server.c — starting and stopping the service's parts in order, and the
 * pool of read connections the HTTP threads share.
 *
 * Start: store → sites' executors (configured) → loop (reads the active
 * jobs) → writer → loop thread (starts the executors, recovers) → auth →
 * readers → HTTP.  Stop: refuse new requests and stop
 * listening → stop the loop (it answers what it holds and finishes its
 * launches) → stop the writer (it commits everything queued and resumes
 * those requests) → wait for the last responses → stop HTTP → close.
 */
#include "serve/server_int.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/mem.h"
#include "core/banned.h"

sl_store_reader *sl__reader_take(sl_server *srv)
{
	sl_store_reader *rd;
	pthread_mutex_lock(&srv->rd_mu);
	while (srv->nfree == 0)
		pthread_cond_wait(&srv->rd_cv, &srv->rd_mu);
	rd = srv->readers[--srv->nfree];
	pthread_mutex_unlock(&srv->rd_mu);
	return rd;
}

void sl__reader_give(sl_server *srv, sl_store_reader *rd)
{
	pthread_mutex_lock(&srv->rd_mu);
	srv->readers[srv->nfree++] = rd;
	pthread_cond_signal(&srv->rd_cv);
	pthread_mutex_unlock(&srv->rd_mu);
}

static int open_readers(sl_server *srv, sl_err *err)
{
	int n = srv->cfg.http_threads + 2;
	srv->readers = sl_calloc((size_t)n, sizeof *srv->readers);
	for (int i = 0; i < n; i++) {
		int rc = sl_store_reader_open(srv->store, &srv->readers[i], err);
		if (rc < 0)
			return rc;
		srv->nreaders = srv->nfree = i + 1;
	}
	return 0;
}

static void defaults(sl_server_config *c)
{
	if (!c->host)
		c->host = "127.0.0.1";
	if (!c->policy)
		c->policy = "greenest";
	if (!c->executor)
		c->executor = "local";
	if (c->http_threads <= 0)
		c->http_threads = 2;
	if (!c->max_body)
		c->max_body = SL_SERVER_MAX_BODY_DEFAULT;
	if (!c->max_active)
		c->max_active = 1000000;
	if (!c->max_pending)
		c->max_pending = 65536;
}

static int start_loop(sl_server *srv, sl_err *err)
{
	const sl_server_config *c = &srv->cfg;
	sl_loop_config lc;
	memset(&lc, 0, sizeof lc);
	lc.net = c->net;
	lc.policy = sl_policy_find(c->policy);
	lc.policy_opts.params = c->policy_params;
	lc.executor = sl_exec_find(c->executor);
	lc.exec_config.jobs_dir = srv->jobs_dir;
	lc.exec_config.grace_ms = c->grace_ms;
	lc.clock = c->clock;
	lc.log = c->log;
	lc.carbon_mode = c->carbon_mode;
	lc.local_slots = c->local_slots;
	lc.max_active = c->max_active;
	lc.failover_max = c->failover_max;
	lc.failover_after_s = c->failover_after_s;
	if (!lc.policy)
		return sl_err_set(err, SL_EINVAL, "--policy", "unknown policy \"%s\"", c->policy);
	if (!lc.executor)
		return sl_err_set(err, SL_EINVAL, "--executor", "unknown executor \"%s\"", c->executor);
	int rc = sl__server_sites(srv, &lc, err);
	return rc < 0 ? rc : sl_loop_new(&lc, srv->store, &srv->loop, err);
}

int sl_server_start(const sl_server_config *cfg, sl_server **out, sl_err *err)
{
	sl_server *srv = sl_calloc(1, sizeof *srv);
	sl_writer_opts wo = {0};
	int rc;
	srv->cfg = *cfg;
	defaults(&srv->cfg);
	pthread_mutex_init(&srv->rd_mu, NULL);
	pthread_cond_init(&srv->rd_cv, NULL);
	if (!cfg->net || !cfg->clock || !cfg->data_dir) {
		rc = sl_err_set(err, SL_EINVAL, NULL, "server: network, clock and data dir required");
		goto fail;
	}
	snprintf(srv->jobs_dir, sizeof srv->jobs_dir, "%s/jobs", cfg->data_dir);
	wo.max_pending = srv->cfg.max_pending;
	wo.log = cfg->log;
	if ((rc = sl_store_open(cfg->data_dir, cfg->sync, &srv->store, err)) < 0 ||
	    (rc = start_loop(srv, err)) < 0 ||
	    (rc = sl_writer_start(srv->store, &wo, &srv->writer, err)) < 0 ||
	    (rc = sl_loop_start(srv->loop, srv->writer, err)) < 0 ||
	    (rc = sl_auth_new(srv->store, &srv->auth, err)) < 0 ||
	    (rc = open_readers(srv, err)) < 0 || (rc = sl__http_start(srv, err)) < 0)
		goto fail;
	sl_log(cfg->log, SL_LOG_INFO, "event=listening addr=%s:%d policy=%s data=%s sync=%s "
	       "local_slots=%d", srv->cfg.host, srv->port, srv->cfg.policy, cfg->data_dir,
	       cfg->sync == SL_STORE_SYNC_NORMAL ? "normal" : "full", (int)cfg->local_slots);
	*out = srv;
	return 0;
fail:
	sl_server_free(srv);
	return rc;
}

int sl_server_port(const sl_server *srv)
{
	return srv->port;
}

/* Wait (up to about 5 s) until every request has completed. */
static void wait_inflight(sl_server *srv)
{
	struct timespec ts = {0, 10 * 1000 * 1000};
	for (int i = 0; i < 500 && atomic_load(&srv->inflight) > 0; i++)
		nanosleep(&ts, NULL);
}

void sl_server_stop(sl_server *srv)
{
	if (!srv || srv->stopped)
		return;
	srv->stopped = 1;
	atomic_store(&srv->stopping, 1);
	sl__http_quiesce(srv);
	sl_loop_stop(srv->loop);
	sl_writer_stop(srv->writer);
	if (srv->d)
		wait_inflight(srv);
	sl__http_stop(srv);
	sl_log(srv->cfg.log, SL_LOG_INFO, "event=stopped");
}

void sl_server_free(sl_server *srv)
{
	if (!srv)
		return;
	sl_server_stop(srv);
	sl_loop_free(srv->loop);
	sl__server_sites_free(srv);
	sl_writer_free(srv->writer);
	for (int i = 0; i < srv->nreaders; i++)
		sl_store_reader_free(srv->readers[i]);
	sl_free(srv->readers);
	sl_auth_free(srv->auth);
	sl_store_free(srv->store);
	pthread_mutex_destroy(&srv->rd_mu);
	pthread_cond_destroy(&srv->rd_cv);
	sl_free(srv);
}
