/*
 * writer.c — the group-commit thread.
 *
 * Invariant: head..tail is the FIFO of queued ops, npending its length;
 * every queued op gets exactly one done() call.
 */
#include "serve/writer.h"

#include <pthread.h>
#include <string.h>

#include "core/mem.h"
#include "core/banned.h"

struct sl_writer {
	sl_store *st;
	sl_writer_opts opts;
	pthread_t thread;
	int started;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	sl_wop *head, *tail;
	size_t npending;
	int stopping, stopped;
	sl_writer_stats stats; /* guarded by mu */
};

static int apply_all(sl_store *st, sl_wop *list, sl_err *err)
{
	int rc = sl_store_begin(st, err);
	for (sl_wop *op = list; rc == 0 && op; op = op->next)
		rc = op->apply(st, op, err);
	if (rc == 0)
		rc = sl_store_commit(st, err);
	if (rc < 0)
		sl_store_rollback(st);
	return rc;
}

/* Run one op in a transaction of its own (after a batch failed). */
static int apply_one(sl_store *st, sl_wop *op, sl_err *err)
{
	int rc = sl_store_begin(st, err);
	if (rc == 0)
		rc = op->apply(st, op, err);
	if (rc == 0)
		rc = sl_store_commit(st, err);
	if (rc < 0)
		sl_store_rollback(st);
	return rc;
}

/* Call every op's done(): with 0 after a good batch; after a failed batch
 * each op is retried in a transaction of its own so that one bad op (or a
 * transient error) fails alone. */
static void finish(sl_writer *w, sl_wop *list, size_t n, int batch_rc)
{
	uint64_t failed = 0;
	for (sl_wop *op = list, *next; op; op = next) {
		sl_err err = {0};
		int rc = 0;
		next = op->next;
		if (batch_rc < 0 && (rc = apply_one(w->st, op, &err)) < 0) {
			failed++;
			sl_log(w->opts.log, SL_LOG_ERROR, "event=write_failed rc=%s msg=\"%s\"",
			       sl_strerror(rc), err.msg);
		}
		op->done(op, rc);
	}
	pthread_mutex_lock(&w->mu);
	w->stats.commits++;
	w->stats.ops += n;
	w->stats.failed_ops += failed;
	if (n > w->stats.max_batch_seen)
		w->stats.max_batch_seen = n;
	pthread_mutex_unlock(&w->mu);
}

/* Detach up to max_batch ops from the queue (caller holds mu). */
static sl_wop *take(sl_writer *w, size_t *n)
{
	sl_wop *list = w->head, *last = NULL, *op = w->head;
	size_t k = 0;
	while (op && k < w->opts.max_batch) {
		last = op;
		op = op->next;
		k++;
	}
	if (last)
		last->next = NULL;
	w->head = op;
	if (!op)
		w->tail = NULL;
	w->npending -= k;
	*n = k;
	return list;
}

static void *run(void *arg)
{
	sl_writer *w = arg;
	for (;;) {
		sl_wop *list;
		size_t n;
		sl_err err = {0};
		int rc;
		pthread_mutex_lock(&w->mu);
		while (!w->head && !w->stopping)
			pthread_cond_wait(&w->cv, &w->mu);
		if (!w->head) {
			pthread_mutex_unlock(&w->mu);
			break;
		}
		list = take(w, &n);
		pthread_mutex_unlock(&w->mu);
		rc = apply_all(w->st, list, &err);
		if (rc < 0)
			sl_log(w->opts.log, SL_LOG_WARN,
			       "event=batch_failed ops=%zu rc=%s msg=\"%s\" retry=one_by_one", n,
			       sl_strerror(rc), err.msg);
		finish(w, list, n, rc);
	}
	return NULL;
}

int sl_writer_start(sl_store *st, const sl_writer_opts *opts, sl_writer **out, sl_err *err)
{
	sl_writer *w = sl_calloc(1, sizeof *w);
	w->st = st;
	if (opts)
		w->opts = *opts;
	if (!w->opts.max_pending)
		w->opts.max_pending = 65536;
	if (!w->opts.max_batch)
		w->opts.max_batch = 4096;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	if (pthread_create(&w->thread, NULL, run, w) != 0) {
		sl_writer_free(w);
		return sl_err_set(err, SL_EINTERNAL, NULL, "cannot start the writer thread");
	}
	w->started = 1;
	*out = w;
	return 0;
}

int sl_writer_submit(sl_writer *w, sl_wop *op, int force)
{
	int rc = 0;
	op->next = NULL;
	pthread_mutex_lock(&w->mu);
	if (w->stopping)
		rc = SL_ESTATE;
	else if (!force && w->npending >= w->opts.max_pending)
		rc = SL_EFULL;
	if (rc == 0) {
		if (w->tail)
			w->tail->next = op;
		else
			w->head = op;
		w->tail = op;
		if (w->npending++ == 0)
			pthread_cond_signal(&w->cv);
	}
	pthread_mutex_unlock(&w->mu);
	return rc;
}

void sl_writer_stop(sl_writer *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->mu);
	w->stopping = 1;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	if (w->started && !w->stopped) {
		pthread_join(w->thread, NULL);
		w->stopped = 1;
	}
}

void sl_writer_free(sl_writer *w)
{
	if (!w)
		return;
	sl_writer_stop(w);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
	sl_free(w);
}

void sl_writer_get_stats(sl_writer *w, sl_writer_stats *out)
{
	pthread_mutex_lock(&w->mu);
	*out = w->stats;
	out->pending = w->npending;
	pthread_mutex_unlock(&w->mu);
}
