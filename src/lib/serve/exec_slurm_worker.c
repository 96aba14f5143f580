/*
 * exec_slurm_worker.c — the `slurm` executor's worker thread: takes one
 * request at a time off the queue, does its HTTP round trips with the
 * blocking slurm_rest client, posts the result and wakes the loop through an
 * eventfd.  It also keeps the orphan table: jobs in Slurm whose comment says
 * they are ours ("TAG:JOB_ID"), so a submission that may already have
 * reached Slurm (a lost reply, a service restart) is taken over, not sent
 * twice.
 */
#include "serve/exec_slurm_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "core/banned.h"

void sx_req_release(sx_req *r)
{
	sl_free(r->body);
	sl_free(r->ids);
	r->body = NULL;
	r->ids = NULL;
}

void sx_res_release(sx_res *r)
{
	sl_vec_free(&r->jobs);
	sl_vec_free(&r->missing);
}

static void fail_res(sx_res *res, sl_slurm *c, int rc, const sl_err *e)
{
	res->rc = rc;
	res->fault = sl_slurm_fault_of_last(c);
	if (res->fault == SL_SLURM_OK)
		res->fault = SL_SLURM_PROTOCOL;
	snprintf(res->msg, sizeof res->msg, "%s", e->msg);
}

/* ---- orphans -------------------------------------------------------------- */

static int handled(const sx_worker *w, int64_t slurm_id)
{
	for (size_t i = 0; i < w->handled.n; i++)
		if (w->handled.v[i] == slurm_id)
			return 1;
	return 0;
}

/* The suanli job id in a comment "TAG:ID", or 0. */
static int64_t comment_job_id(const sx_worker *w, const char *comment)
{
	size_t k = strlen(w->tag);
	if (strncmp(comment, w->tag, k) != 0 || comment[k] != ':')
		return 0;
	char *end = NULL;
	long long v = strtoll(comment + k + 1, &end, 10);
	return end && end != comment + k + 1 && *end == '\0' && v > 0 ? (int64_t)v : 0;
}

/* Rebuild the table from a full listing: every job of ours in any state
 * except the ids this worker already handled.  Ended ones count too: a job
 * that ran and failed while the service was down (before it recorded the
 * Slurm id) must be reported as it ended, never run a second time. */
static void orphans_rebuild(sx_worker *w, const sl_slurm_jobs *all)
{
	w->orphans.n = 0;
	for (size_t i = 0; i < all->n; i++) {
		const sl_slurm_job *j = &all->v[i];
		int64_t id = comment_job_id(w, j->comment);
		if (!id || handled(w, j->job_id))
			continue;
		sx_orphan o = {id, j->job_id, j->state};
		sl_vec_push(&w->orphans, o);
	}
	w->orphans_valid = 1;
}

static int orphans_load(sx_worker *w, sl_err *err)
{
	sl_slurm_jobs all = {0};
	int rc = sl_slurm_list_jobs(w->client, 0, &all, NULL, err);
	if (rc == 0)
		orphans_rebuild(w, &all);
	sl_vec_free(&all);
	return rc;
}

/* Take the orphan for job_id out of the table: its Slurm id, or 0.  With
 * several (a job re-sent by hand), the newest. */
static int64_t orphan_take(sx_worker *w, int64_t job_id)
{
	size_t best = SIZE_MAX;
	for (size_t i = 0; i < w->orphans.n; i++)
		if (w->orphans.v[i].job_id == job_id &&
		    (best == SIZE_MAX || w->orphans.v[i].slurm_id > w->orphans.v[best].slurm_id))
			best = i;
	if (best == SIZE_MAX)
		return 0;
	int64_t sid = w->orphans.v[best].slurm_id;
	w->orphans.v[best] = w->orphans.v[--w->orphans.n];
	return sid;
}

/* ---- the three requests --------------------------------------------------- */

static void do_submit(sx_worker *w, sx_req *r, sx_res *res)
{
	sl_err e = {0};
	int rc = 0;
	if (!w->orphans_valid || r->check_first)
		rc = orphans_load(w, &e);
	if (rc) {
		fail_res(res, w->client, rc, &e);
		return;
	}
	int64_t sid = orphan_take(w, r->job_id);
	if (sid) {
		res->slurm_id = sid;
		res->recovered = 1;
	} else if (r->find_only) {
		res->rc = SL_ENOTFOUND;
		snprintf(res->msg, sizeof res->msg, "no job commented %s:%" PRId64 " in Slurm", w->tag,
		         r->job_id);
		return;
	} else if ((rc = sl_slurm_submit_json(w->client, r->body, &res->slurm_id, &e)) != 0) {
		/* a request that may have reached slurmctld: look before re-sending */
		if (sl_slurm_fault_of_last(w->client) == SL_SLURM_LOST ||
		    sl_slurm_fault_of_last(w->client) == SL_SLURM_PROTOCOL)
			w->orphans_valid = 0;
		fail_res(res, w->client, rc, &e);
		return;
	}
	sl_vec_push(&w->handled, res->slurm_id);
}

static void do_cancel(sx_worker *w, sx_req *r, sx_res *res)
{
	sl_err e = {0};
	res->slurm_id = r->slurm_id;
	int rc = sl_slurm_cancel_job(w->client, r->slurm_id, &e);
	if (rc)
		fail_res(res, w->client, rc, &e);
}

static const sl_slurm_job *find(const sl_slurm_jobs *js, int64_t id)
{
	for (size_t i = 0; i < js->n; i++)
		if (js->v[i].job_id == id)
			return &js->v[i];
	return NULL;
}

/* Report on the asked-for jobs: from the full listing, or, for one it does
 * not hold, from a direct look-up that tells "gone" from "not answered". */
static int report_jobs(sx_worker *w, const sx_req *r, const sl_slurm_jobs *all, sx_res *res,
                       sl_err *e)
{
	for (size_t i = 0; i < r->nids; i++) {
		const sl_slurm_job *j = find(all, r->ids[i]);
		sl_slurm_job one;
		if (j) {
			sl_vec_push(&res->jobs, *j);
			continue;
		}
		int rc = sl_slurm_get_job(w->client, r->ids[i], &one, e);
		if (rc == 0)
			sl_vec_push(&res->jobs, one);
		else if (rc == SL_ENOTFOUND)
			sl_vec_push(&res->missing, r->ids[i]);
		else
			return rc;
	}
	return 0;
}

static void do_refresh(sx_worker *w, sx_req *r, sx_res *res)
{
	sl_err e = {0};
	sl_slurm_jobs all = {0};
	/* while down, one unambiguous check tells whether to go on (a listing
	 * would wait for the dead controller and then need a probe anyway) */
	int rc = r->check_health ? sl_slurm_check(w->client, &e) : 0;
	if (rc == 0)
		rc = sl_slurm_list_jobs(w->client, 0, &all, NULL, &e);
	if (rc == 0) {
		orphans_rebuild(w, &all);
		rc = report_jobs(w, r, &all, res, &e);
	}
	if (rc == 0)
		rc = sl_slurm_get_capacity(w->client, w->partition, &res->cap, &e);
	if (rc)
		fail_res(res, w->client, rc, &e);
	else
		res->have_cap = 1;
	sl_vec_free(&all);
}

/* ---- the thread ----------------------------------------------------------- */

static int next_request(sx_worker *w, sx_req *out)
{
	pthread_mutex_lock(&w->mu);
	while (!atomic_load(&w->stop) && w->head == w->reqs.n)
		pthread_cond_wait(&w->cv, &w->mu);
	int have = !atomic_load(&w->stop);
	if (have) {
		*out = w->reqs.v[w->head++];
		if (w->head == w->reqs.n)
			w->head = w->reqs.n = 0;
	}
	pthread_mutex_unlock(&w->mu);
	return have;
}

static void post_result(sx_worker *w, sx_res *res)
{
	pthread_mutex_lock(&w->mu);
	sl_vec_push(&w->res, *res);
	pthread_mutex_unlock(&w->mu);
	uint64_t one = 1;
	ssize_t n = write(w->efd, &one, sizeof one);
	(void)n; /* a full counter is still readable: nothing is lost */
}

static void *worker_main(void *arg)
{
	sx_worker *w = arg;
	sx_req r;
	while (next_request(w, &r)) {
		sx_res res = {.kind = r.kind, .job_id = r.job_id};
		if (r.kind == SX_SUBMIT)
			do_submit(w, &r, &res);
		else if (r.kind == SX_CANCEL)
			do_cancel(w, &r, &res);
		else
			do_refresh(w, &r, &res);
		sx_req_release(&r);
		post_result(w, &res);
	}
	return NULL;
}

int sx_worker_start(sx_worker *w, sl_slurm *client, const char *tag, const char *partition,
                    sl_err *err)
{
	memset(w, 0, sizeof *w);
	w->efd = -1;
	w->client = client;
	w->tag = sl_strdup(tag);
	w->partition = partition && partition[0] ? sl_strdup(partition) : NULL;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	sl_slurm_set_abort(client, &w->stop);
	w->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (w->efd < 0) {
		int rc = sl_err_set(err, SL_EIO, "eventfd", "%s", strerror(errno));
		sx_worker_stop(w);
		return rc;
	}
	int e = pthread_create(&w->thread, NULL, worker_main, w);
	if (e) {
		int rc = sl_err_set(err, SL_EIO, "pthread_create", "%s", strerror(e));
		sx_worker_stop(w);
		return rc;
	}
	w->running = 1;
	return 0;
}

void sx_worker_stop(sx_worker *w)
{
	if (w->running) {
		pthread_mutex_lock(&w->mu);
		atomic_store(&w->stop, 1);
		pthread_cond_signal(&w->cv);
		pthread_mutex_unlock(&w->mu);
		pthread_join(w->thread, NULL);
		w->running = 0;
	}
	for (size_t i = w->head; i < w->reqs.n; i++)
		sx_req_release(&w->reqs.v[i]);
	for (size_t i = 0; i < w->res.n; i++)
		sx_res_release(&w->res.v[i]);
	sl_vec_free(&w->reqs);
	sl_vec_free(&w->res);
	sl_vec_free(&w->orphans);
	sl_vec_free(&w->handled);
	if (w->efd >= 0)
		close(w->efd);
	w->efd = -1;
	sl_slurm_free(w->client);
	w->client = NULL;
	sl_free(w->tag);
	sl_free(w->partition);
	w->tag = w->partition = NULL;
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
}

void sx_worker_post(sx_worker *w, sx_req *r)
{
	pthread_mutex_lock(&w->mu);
	sl_vec_push(&w->reqs, *r);
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	memset(r, 0, sizeof *r);
}

void sx_worker_take(sx_worker *w, sx_res_vec *out)
{
	uint64_t v;
	ssize_t n = read(w->efd, &v, sizeof v); /* EAGAIN when already drained */
	(void)n;
	pthread_mutex_lock(&w->mu);
	for (size_t i = 0; i < w->res.n; i++)
		sl_vec_push(out, w->res.v[i]);
	w->res.n = 0;
	pthread_mutex_unlock(&w->mu);
}
