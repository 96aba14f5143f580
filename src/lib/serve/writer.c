/*
 * writer.c — the group-commit thread, and its checkpointer.
 *
 * Invariant: head..tail is the FIFO of queued ops, npending its length;
 * every queued op gets exactly one done() call.
 *
 * Checkpoints run on the writer's own connection, on the writer thread,
 * between two batches, never on a second connection: SQLite before 3.52
 * (Debian 12 ships 3.40) has the WAL-reset bug, a race between a checkpoint
 * on one connection and a commit that starts the WAL over on another, which
 * can lose committed transactions or corrupt the database (sqlite.org,
 * wal.html, "The WAL-reset bug").  With one connection doing both, the race
 * cannot happen.  SQLite's automatic checkpoint is off; after each commit
 * the WAL hook notes when the WAL has grown by SL_WAL_CKPT_PAGES, and the
 * writer then runs one PASSIVE checkpoint before taking the next batch
 * (submissions queued meanwhile wait for it, and then share one commit).
 * A checkpoint that copied everything lets the next commit write the WAL
 * from its start again; if readers kept it from that and the WAL reaches
 * SL_WAL_MAX_PAGES, a RESTART checkpoint waits for them (busy timeout).
 */
#include "serve/writer.h"

#include <pthread.h>
#include <string.h>

#include "core/mem.h"
#include "core/banned.h"

#define SL_WAL_CKPT_PAGES 1000
#define SL_WAL_MAX_PAGES 16384

struct sl_writer {
	sl_store *st;
	int ck_wanted;          /* writer thread only: the WAL hook asks for a checkpoint */
	int ck_mark;            /* writer thread only: ask again at this size */
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

static void checkpoint(sl_writer *w, int mode, int *log);

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
		if (w->ck_wanted) {
			int log;
			w->ck_wanted = 0;
			checkpoint(w, SQLITE_CHECKPOINT_PASSIVE, &log);
			if (log >= SL_WAL_MAX_PAGES)
				checkpoint(w, SQLITE_CHECKPOINT_RESTART, &log);
		}
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
		w->ck_wanted = 1;
	}
	return SQLITE_OK;
}

/* A checkpoint on the writer's connection (writer thread, between
 * batches); *log gets the WAL's size in frames. */
static void checkpoint(sl_writer *w, int mode, int *log)
{
	int done = 0;
	sqlite3 *db = sl_store_db(w->st);
	*log = 0;
	if (sqlite3_wal_checkpoint_v2(db, NULL, mode, log, &done) != SQLITE_OK)
		sl_log(w->opts.log, SL_LOG_WARN, "event=checkpoint_failed mode=%s msg=\"%s\"",
		       mode == SQLITE_CHECKPOINT_PASSIVE ? "passive" : "restart",
		       sqlite3_errmsg(db));
}

static int hook_wal(sl_writer *w, sl_err *err)
{
	sqlite3 *db = sl_store_db(w->st);
	w->ck_mark = SL_WAL_CKPT_PAGES;
	if (sqlite3_exec(db, "PRAGMA wal_autocheckpoint = 0", NULL, NULL, NULL) != SQLITE_OK)
		return sl_err_set(err, SL_EIO, NULL, "cannot turn automatic checkpoints off");
	sqlite3_wal_hook(db, wal_hook, w);
	return 0;
}

static void unhook_wal(sl_writer *w)
{
	sqlite3 *db = sl_store_db(w->st);
	int log;
	sqlite3_wal_hook(db, NULL, NULL);
	checkpoint(w, SQLITE_CHECKPOINT_PASSIVE, &log);
	sqlite3_exec(db, "PRAGMA wal_autocheckpoint = 1000", NULL, NULL, NULL);
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
	if ((rc = hook_wal(w, err)) < 0) {
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
		unhook_wal(w);
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
