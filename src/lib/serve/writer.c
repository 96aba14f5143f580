/*
 * writer.c — the group-commit thread, and its checkpointer.
 *
 * Invariant: head..tail is the FIFO of queued ops, npending its length;
 * every queued op gets exactly one done() call.
 *
 * Checkpoints: SQLite's automatic WAL checkpoint runs inside the commit
 * that crosses 1000 pages, copying ~4 MB into the database file and
 * fsyncing it while every waiting submission waits too.  So the writer turns
 * it off on its connection and a second thread, on its own connection, runs
 * PASSIVE checkpoints (which never block the writer) whenever the WAL has
 * grown by SL_WAL_CKPT_PAGES.  A writer that never pauses keeps the WAL
 * from ever starting over (SQLite restarts it only when a write begins with
 * every frame already copied), so once it reaches SL_WAL_MAX_PAGES the
 * writer thread itself, between two batches, runs one RESTART checkpoint:
 * it copies only what came since the last passive one, and the next commit
 * writes the WAL from its start again.  (A RESTART from the other thread
 * would starve: the writer retakes the write lock between batches faster
 * than a busy handler retries.)
 */
#include "serve/writer.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "core/mem.h"
#include "core/banned.h"

#define SL_WAL_CKPT_PAGES 1000
#define SL_WAL_MAX_PAGES 16384

struct sl_writer {
	sl_store *st;
	/* the checkpointer (ck_mu guards ck_pages and ck_stop) */
	sqlite3 *ck_db;
	pthread_t ck_thread;
	int ck_started;
	pthread_mutex_t ck_mu;
	pthread_cond_t ck_cv;
	int ck_wanted, ck_stop;
	atomic_int restart_wanted;  /* set by the checkpointer, which then waits
	                               (under ck_mu) until the writer has done it */
	int ck_mark;            /* writer thread only: signal again at this size */
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

static void checkpoint_on(sl_writer *w, sqlite3 *db, int mode, int *log);

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
		if (atomic_load(&w->restart_wanted)) {
			int log;
			checkpoint_on(w, sl_store_db(w->st), SQLITE_CHECKPOINT_RESTART, &log);
			pthread_mutex_lock(&w->ck_mu);
			atomic_store(&w->restart_wanted, 0);
			pthread_cond_signal(&w->ck_cv);
			pthread_mutex_unlock(&w->ck_mu);
		}
		rc = apply_all(w->st, list, &err);
		if (rc < 0)
			sl_log(w->opts.log, SL_LOG_WARN,
			       "event=batch_failed ops=%zu rc=%s msg=\"%s\" retry=one_by_one", n,
			       sl_strerror(rc), err.msg);
		finish(w, list, n, rc);
	}
	return NULL;
}

/* After each commit, on the writer thread: ask for a checkpoint each time
 * the WAL has grown by another SL_WAL_CKPT_PAGES pages. */
static int wal_hook(void *ud, sqlite3 *db, const char *name, int pages)
{
	sl_writer *w = ud;
	(void)db;
	(void)name;
	if (pages < w->ck_mark - SL_WAL_CKPT_PAGES) /* the WAL started over */
		w->ck_mark = SL_WAL_CKPT_PAGES;
	if (pages >= w->ck_mark) {
		w->ck_mark = pages + SL_WAL_CKPT_PAGES;
		pthread_mutex_lock(&w->ck_mu);
		w->ck_wanted = 1;
		pthread_cond_signal(&w->ck_cv);
		pthread_mutex_unlock(&w->ck_mu);
	}
	return SQLITE_OK;
}

static void checkpoint_on(sl_writer *w, sqlite3 *db, int mode, int *log)
{
	int done = 0;
	*log = 0;
	if (sqlite3_wal_checkpoint_v2(db, NULL, mode, log, &done) != SQLITE_OK)
		sl_log(w->opts.log, SL_LOG_WARN, "event=checkpoint_failed mode=%s msg=\"%s\"",
		       mode == SQLITE_CHECKPOINT_PASSIVE ? "passive" : "restart",
		       sqlite3_errmsg(db));
}

static void checkpoint(sl_writer *w, int mode, int *log)
{
	checkpoint_on(w, w->ck_db, mode, log);
}

static void *checkpointer(void *arg)
{
	sl_writer *w = arg;
	int log;
	for (;;) {
		int stop;
		pthread_mutex_lock(&w->ck_mu);
		while (!w->ck_stop && !w->ck_wanted)
			pthread_cond_wait(&w->ck_cv, &w->ck_mu);
		stop = w->ck_stop;
		w->ck_wanted = 0;
		pthread_mutex_unlock(&w->ck_mu);
		if (stop)
			break;
		checkpoint(w, SQLITE_CHECKPOINT_PASSIVE, &log);
		if (log < SL_WAL_MAX_PAGES)
			continue;
		/* Hand the restart to the writer and stay out of its way: two
		 * checkpoints at once make one of them fail. */
		pthread_mutex_lock(&w->ck_mu);
		atomic_store(&w->restart_wanted, 1);
		while (!w->ck_stop && atomic_load(&w->restart_wanted))
			pthread_cond_wait(&w->ck_cv, &w->ck_mu);
		pthread_mutex_unlock(&w->ck_mu);
	}
	checkpoint(w, SQLITE_CHECKPOINT_PASSIVE, &log);
	return NULL;
}

static int start_checkpointer(sl_writer *w, sl_err *err)
{
	sqlite3 *db = sl_store_db(w->st);
	pthread_mutex_init(&w->ck_mu, NULL);
	pthread_cond_init(&w->ck_cv, NULL);
	if (sqlite3_open_v2(sl_store_path(w->st), &w->ck_db,
	                    SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
		return sl_err_set(err, SL_EIO, sl_store_path(w->st), "checkpoint connection: %s",
		                  w->ck_db ? sqlite3_errmsg(w->ck_db) : "out of memory");
	sqlite3_busy_timeout(w->ck_db, 10000);
	/* A connection that has not read the database yet does not know it is
	 * in WAL mode, and its checkpoints would silently do nothing. */
	if (sqlite3_exec(w->ck_db, "SELECT count(*) FROM sqlite_master", NULL, NULL, NULL) !=
	    SQLITE_OK)
		return sl_err_set(err, SL_EIO, sl_store_path(w->st), "checkpoint connection: %s",
		                  sqlite3_errmsg(w->ck_db));
	w->ck_mark = SL_WAL_CKPT_PAGES;
	/* A connection that has not read the database yet does not know it is
	 * in WAL mode, and its checkpoints would silently do nothing. */
	if (sqlite3_exec(w->ck_db, "SELECT count(*) FROM sqlite_master", NULL, NULL, NULL) !=
	    SQLITE_OK)
		return sl_err_set(err, SL_EIO, sl_store_path(w->st), "checkpoint connection: %s",
		                  sqlite3_errmsg(w->ck_db));
	if (sqlite3_exec(db, "PRAGMA wal_autocheckpoint = 0", NULL, NULL, NULL) != SQLITE_OK)
		return sl_err_set(err, SL_EIO, NULL, "cannot turn automatic checkpoints off");
	sqlite3_wal_hook(db, wal_hook, w);
	if (pthread_create(&w->ck_thread, NULL, checkpointer, w) != 0)
		return sl_err_set(err, SL_EINTERNAL, NULL, "cannot start the checkpoint thread");
	w->ck_started = 1;
	return 0;
}

static void stop_checkpointer(sl_writer *w)
{
	if (w->ck_started) {
		pthread_mutex_lock(&w->ck_mu);
		w->ck_stop = 1;
		pthread_cond_signal(&w->ck_cv);
		pthread_mutex_unlock(&w->ck_mu);
		pthread_join(w->ck_thread, NULL);
		w->ck_started = 0;
		sqlite3_wal_hook(sl_store_db(w->st), NULL, NULL);
		sqlite3_exec(sl_store_db(w->st), "PRAGMA wal_autocheckpoint = 1000", NULL, NULL, NULL);
	}
	if (w->ck_db) {
		sqlite3_close(w->ck_db);
		w->ck_db = NULL;
		pthread_mutex_destroy(&w->ck_mu);
		pthread_cond_destroy(&w->ck_cv);
	}
}

int sl_writer_start(sl_store *st, const sl_writer_opts *opts, sl_writer **out, sl_err *err)
{
	int rc;
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
	if ((rc = start_checkpointer(w, err)) < 0) {
		sl_writer_free(w);
		return rc;
	}
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
	stop_checkpointer(w);
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
