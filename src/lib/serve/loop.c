/*
 * loop.c — the event loop's thread, inbox and requests.
 *
 * One pass of the loop: take the inbox, handle each request, collect the
 * executors' events, check remote sites' health (failover), release planned
 * jobs whose start time came, run the site queues, save accounting when
 * due; then sleep in poll() on the inbox eventfd and the executors' fds
 * until the next timer.
 */
#include "serve/loop_int.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "core/banned.h"

typedef struct newjob {
	sl_loopreq r;
	int64_t id, tenant, submit;
	sl_job job;
	int requeue;
} newjob;

int sl_loop_new(const sl_loop_config *cfg, sl_store *st, sl_loop **out, sl_err *err)
{
	sl_loop *lp;
	int rc;
	if (!cfg->net || !cfg->policy || !cfg->executor || !cfg->clock)
		return sl_err_set(err, SL_EINVAL, NULL, "loop: network, policy, executor and clock "
		                  "are required");
	if (cfg->net->nsites == 0)
		return sl_err_set(err, SL_EINVAL, NULL, "the scenario has no sites");
	lp = sl_calloc(1, sizeof *lp);
	lp->cfg = *cfg;
	if (!lp->cfg.acct_period_s)
		lp->cfg.acct_period_s = 15;
	if (!lp->cfg.max_active)
		lp->cfg.max_active = 1000000;
	if (lp->cfg.failover_max <= 0)
		lp->cfg.failover_max = 3;
	if (!lp->cfg.failover_after_s)
		lp->cfg.failover_after_s = 30;
	if (lp->cfg.refuse_down_s <= 0)
		lp->cfg.refuse_down_s = 60;
	lp->net = cfg->net;
	lp->efd = -1;
	lp->free_head = -1;
	pthread_mutex_init(&lp->mu, NULL);
	sl_heap_init(&lp->planned);
	lp->sites = sl_calloc((size_t)lp->net->nsites, sizeof *lp->sites);
	lp->nexs = 1;
	for (int s = 0; s < lp->net->nsites; s++) {
		lsite *ls = &lp->sites[s];
		const sl_exec_ops *own = cfg->sites ? cfg->sites[s].executor : NULL;
		sl_site_queue_init(&ls->q, lp->net->sites[s].cores, lp->net->sites[s].gpus);
		ls->wait_head = ls->wait_tail = -1;
		ls->ex = (int16_t)(own ? lp->nexs++ : 0);
		ls->remote = own && own->health;
		ls->h.up = ls->remote ? -1 : 1;
	}
	lp->exs = sl_calloc((size_t)lp->nexs, sizeof *lp->exs);
	lp->down = sl_calloc((size_t)lp->net->nsites, 1);
	lp->over = sl_calloc((size_t)(lp->net->nzones ? lp->net->nzones : 1), sizeof *lp->over);
	if ((lp->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0) {
		rc = sl_err_set(err, SL_EIO, NULL, "eventfd: %s", strerror(errno));
		goto fail;
	}
	if (cfg->policy->init &&
	    (rc = cfg->policy->init(&lp->policy, lp->net, &cfg->policy_opts, err)) < 0)
		goto fail;
	sl__loop_ctl_init(lp);
	if ((rc = sl__loop_read_store(lp, st, err)) < 0)
		goto fail;
	*out = lp;
	return 0;
fail:
	sl_loop_free(lp);
	return rc;
}

static void wake(sl_loop *lp)
{
	uint64_t one = 1;
	ssize_t n = write(lp->efd, &one, sizeof one);
	(void)n; /* a full counter still wakes the loop */
}

/* Queue r; 0, or -1 when the loop refuses it (r not queued): outside
 * requests once stopping was asked, internal messages once it finished. */
static int enqueue(sl_loop *lp, sl_loopreq *r, int internal)
{
	int first;
	r->next = NULL;
	pthread_mutex_lock(&lp->mu);
	if (lp->closed || (!internal && lp->stopping)) {
		pthread_mutex_unlock(&lp->mu);
		return -1;
	}
	first = lp->in_head == NULL;
	if (lp->in_tail)
		lp->in_tail->next = r;
	else
		lp->in_head = r;
	lp->in_tail = r;
	pthread_mutex_unlock(&lp->mu);
	if (first)
		wake(lp);
	return 0;
}

int sl__loop_post(sl_loop *lp, sl_loopreq *r)
{
	return enqueue(lp, r, 1);
}

void sl_loop_request(sl_loop *lp, sl_loopreq *r)
{
	if (enqueue(lp, r, 0) < 0) {
		r->status = 503;
		r->body = NULL;
		r->reply(r);
	}
}

void sl_loop_job(sl_loop *lp, int64_t id, int64_t tenant, int64_t submit, const sl_job *job,
                 int requeue)
{
	newjob *m = sl_calloc(1, sizeof *m);
	m->r.kind = SL_LREQ_JOB;
	m->id = id;
	m->tenant = tenant;
	m->submit = submit;
	m->job = *job;
	m->requeue = requeue;
	if (sl__loop_post(lp, &m->r) < 0)
		sl_free(m); /* the loop has finished: the job stays queued in the store */
}

size_t sl_loop_active(const sl_loop *lp)
{
	return atomic_load(&lp->active);
}

int sl_loop_reserve(sl_loop *lp)
{
	size_t n = atomic_fetch_add(&lp->active, 1);
	if (n >= lp->cfg.max_active) {
		atomic_fetch_sub(&lp->active, 1);
		return SL_EFULL;
	}
	return 0;
}

void sl_loop_unreserve(sl_loop *lp)
{
	atomic_fetch_sub(&lp->active, 1);
}

/* A committed job enters the table and is placed at once. */
static void take_job(sl_loop *lp, newjob *m, int64_t now)
{
	int32_t slot = sl__lj_alloc(lp);
	ljob *j = &lp->jobs[slot];
	j->j = m->job;
	j->j.id = m->id;
	j->j.submit = m->submit;
	j->tenant = m->tenant;
	j->state = SL_JOB_QUEUED;
	j->flags = m->requeue ? LJ_REQUEUE : 0;
	sl__idmap_put(&lp->ids, m->id, slot);
	lp->counts[SL_JOB_QUEUED]++;
	sl_free(m);
	sl__loop_place(lp, slot, now);
}

static void answer(sl_loopreq *r, int status, char *body, size_t len)
{
	r->status = status;
	r->body = body;
	r->body_len = len;
	r->reply(r);
}

static void handle(sl_loop *lp, sl_loopreq *r, int64_t now)
{
	size_t len = 0;
	char *body;
	switch (r->kind) {
	case SL_LREQ_JOB:
		take_job(lp, (newjob *)r, now);
		return;
	case SL_LREQ_LAUNCHED:
		r->reply(r); /* the message carries its own handler */
		return;
	case SL_LREQ_CANCEL:
		sl__loop_cancel(lp, r, now);
		return;
	case SL_LREQ_SITES:
		body = sl__render_sites(lp, now, &len);
		answer(r, 200, body, len);
		return;
	case SL_LREQ_SIGNALS:
		body = sl__render_signals(lp, now, &len);
		answer(r, 200, body, len);
		return;
	case SL_LREQ_METRICS:
		body = sl__render_metrics(lp, now, &len);
		answer(r, 200, body, len);
		return;
	case SL_LREQ_SIGOVER:
		sl__loop_apply_override(lp, &r->ov);
		answer(r, 200, NULL, 0);
		return;
	}
	answer(r, 500, NULL, 0);
}

/* Handle everything in the inbox; returns 1 once stopping was asked. */
static int drain(sl_loop *lp, int64_t now)
{
	sl_loopreq *list;
	uint64_t v;
	int stop;
	ssize_t n = read(lp->efd, &v, sizeof v);
	(void)n;
	pthread_mutex_lock(&lp->mu);
	list = lp->in_head;
	lp->in_head = lp->in_tail = NULL;
	stop = lp->stopping;
	pthread_mutex_unlock(&lp->mu);
	while (list) {
		sl_loopreq *next = list->next;
		handle(lp, list, now);
		list = next;
	}
	return stop;
}

/* Save the accounting of running jobs every acct_period_s. */
static void tick(sl_loop *lp, int64_t now, int force)
{
	if (!force && now < lp->next_acct)
		return;
	lp->next_acct = now + lp->cfg.acct_period_s;
	sl__loop_expire_overrides(lp, now);
	for (size_t i = 0; i < lp->njobs_cap; i++) {
		ljob *j = &lp->jobs[i];
		if (j->state == SL_JOB_RUNNING && !(j->flags & LJ_DEAD) &&
		    (j->flags & (LJ_PROC | LJ_STARTED)) == (LJ_PROC | LJ_STARTED)) {
			sl__loop_account(lp, j, now);
			sl__w_acct(lp, j, now);
		}
	}
}

static int timeout_ms(sl_loop *lp, int64_t now)
{
	int64_t t = 1000, x;
	const sl_heap_entry *top = sl_heap_peek(&lp->planned);
	if (top && (x = (top->key - now) * 1000) < t)
		t = x;
	for (int i = 0; i < lp->nexs; i++)
		if ((x = sl_exec_timeout_ms(&lp->exs[i])) >= 0 && x < t)
			t = x;
	return t < 0 ? 0 : (int)t;
}

#define MAX_POLLFDS 64

/* Sleep until the inbox or an executor has work, or the next timer.  Past
 * MAX_POLLFDS - 1 executors the rest are served by the timer (1 s at most). */
static void wait_events(sl_loop *lp, int64_t now)
{
	struct pollfd p[MAX_POLLFDS];
	nfds_t n = 0;
	p[n++] = (struct pollfd){lp->efd, POLLIN, 0};
	for (int i = 0; i < lp->nexs && n < MAX_POLLFDS; i++) {
		int fd = sl_exec_fd(&lp->exs[i]);
		if (fd >= 0)
			p[n++] = (struct pollfd){fd, POLLIN, 0};
	}
	if (poll(p, n, timeout_ms(lp, now)) < 0 && errno != EINTR)
		sl_log(lp->cfg.log, SL_LOG_ERROR, "event=poll_failed err=\"%s\"", strerror(errno));
}

static size_t exec_count(sl_loop *lp)
{
	size_t n = 0;
	for (int i = 0; i < lp->nexs; i++)
		if (lp->exs[i].ops)
			n += sl_exec_count(&lp->exs[i]);
	return n;
}

/* The thread is finishing: refuse everything from now on and dispose of
 * what arrived since the last pass (new jobs stay queued in the store). */
static void close_inbox(sl_loop *lp)
{
	sl_loopreq *list;
	pthread_mutex_lock(&lp->mu);
	lp->closed = 1;
	list = lp->in_head;
	lp->in_head = lp->in_tail = NULL;
	pthread_mutex_unlock(&lp->mu);
	while (list) {
		sl_loopreq *next = list->next;
		if (list->kind == SL_LREQ_JOB)
			sl_free(list);
		else
			answer(list, 503, NULL, 0);
		list = next;
	}
}

static void *run(void *arg)
{
	sl_loop *lp = arg;
	int64_t now = sl_clock_now(lp->cfg.clock);
	lp->next_acct = now + lp->cfg.acct_period_s;
	lp->last_step = INT64_MIN;
	sl__loop_recover(lp, now);
	for (;;) {
		int stop;
		now = sl_clock_now(lp->cfg.clock);
		stop = drain(lp, now);
		sl__loop_exec_events(lp, now);
		sl__loop_sites_check(lp, now);
		sl__loop_release_planned(lp, now);
		sl__loop_schedule(lp, now);
		sl__loop_policy_tick(lp, now);
		tick(lp, now, stop);
		if (stop && lp->nlaunching == 0)
			break;
		lp->draining = stop;
		wait_events(lp, now);
	}
	close_inbox(lp);
	sl_log(lp->cfg.log, SL_LOG_INFO, "event=loop_stopped running=%zu", exec_count(lp));
	return NULL;
}

int sl_loop_start(sl_loop *lp, sl_writer *w, sl_err *err)
{
	int rc;
	lp->w = w;
	if ((rc = sl__loop_exec_start(lp, err)) < 0)
		return rc;
	if (pthread_create(&lp->thread, NULL, run, lp) != 0) {
		sl__loop_exec_stop(lp);
		return sl_err_set(err, SL_EINTERNAL, NULL, "cannot start the loop thread");
	}
	lp->started = 1;
	return 0;
}

void sl_loop_stop(sl_loop *lp)
{
	if (!lp)
		return;
	pthread_mutex_lock(&lp->mu);
	lp->stopping = 1;
	pthread_mutex_unlock(&lp->mu);
	if (lp->started && !lp->stopped) {
		wake(lp);
		pthread_join(lp->thread, NULL);
		lp->stopped = 1;
		sl__loop_exec_stop(lp);
	}
}

void sl_loop_free(sl_loop *lp)
{
	if (!lp)
		return;
	sl_loop_stop(lp);
	for (int s = 0; lp->sites && s < lp->net->nsites; s++)
		sl_site_queue_release(&lp->sites[s].q);
	if (lp->policy && lp->cfg.policy->free)
		lp->cfg.policy->free(lp->policy);
	sl__loop_recov_release(lp);
	sl_heap_release(&lp->planned);
	sl__idmap_release(&lp->ids);
	sl_vec_free(&lp->finish_later);
	sl_vec_free(&lp->parked);
	sl_free(lp->exs);
	sl_free(lp->down);
	sl_free(lp->jobs);
	sl_free(lp->sites);
	sl_free(lp->over);
	if (lp->efd >= 0)
		close(lp->efd);
	pthread_mutex_destroy(&lp->mu);
	sl_free(lp);
}
