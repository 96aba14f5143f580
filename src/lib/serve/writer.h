/*
 * writer.h — group commit: one thread owns the store's write connection and
 * commits queued operations in shared transactions.
 *
 * Any thread submits an operation (an sl_wop embedded in the caller's own
 * struct).  The writer thread takes everything queued (up to a batch cap),
 * runs each op's apply() inside one transaction, commits once, then calls
 * each op's done() with 0.  So N concurrent submissions cost one commit
 * (one WAL fsync under synchronous=FULL), and a submission is acknowledged
 * (from done()) only after its data is durable.
 *
 * If an apply() fails, the batch is rolled back and each of its ops is run
 * again in a transaction of its own, so one bad op fails alone.  If the
 * commit itself fails (disk full, I/O error), every op of the batch gets
 * done(op, error).
 *
 * done() runs on the writer thread: it must be quick and must not wait for
 * the writer (it may submit further ops).
 */
#ifndef SL_WRITER_H
#define SL_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/log.h"
#include "serve/store.h"

typedef struct sl_wop sl_wop;
struct sl_wop {
	/* Write the op's rows (inside the batch transaction).  0 or SL_E*. */
	int (*apply)(sl_store *st, sl_wop *op, sl_err *err);
	/* After the commit (rc 0) or a failure (rc < 0).  May free the op. */
	void (*done)(sl_wop *op, int rc);
	sl_wop *next; /* private to the writer */
};

typedef struct sl_writer sl_writer;

typedef struct sl_writer_opts {
	size_t max_pending;   /* sl_writer_submit refuses beyond this; 0 = 65536 */
	size_t max_batch;     /* ops per transaction; 0 = 4096 */
	const sl_logger *log; /* may be NULL */
} sl_writer_opts;

typedef struct sl_writer_stats {
	uint64_t commits, ops, failed_ops, max_batch_seen;
	size_t pending;
} sl_writer_stats;

/* Start the writer thread on st (which it uses exclusively until stop). */
int sl_writer_start(sl_store *st, const sl_writer_opts *opts, sl_writer **out, sl_err *err);

/* Queue op.  Returns 0, SL_EFULL (too many pending: try later) or
 * SL_ESTATE (the writer is stopping).  On error done() is not called.
 * Urgent ops (the event loop's own state changes) pass force=1 to bypass
 * the max_pending limit, which exists to push back on clients. */
int sl_writer_submit(sl_writer *w, sl_wop *op, int force);

/* Commit everything queued, then stop the thread.  Submissions after this
 * began are refused.  Idempotent. */
void sl_writer_stop(sl_writer *w);
void sl_writer_free(sl_writer *w); /* stops first; accepts NULL */

void sl_writer_get_stats(sl_writer *w, sl_writer_stats *out);

#endif
