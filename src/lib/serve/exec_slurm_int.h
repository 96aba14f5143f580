/*
 * exec_slurm_int.h — inside the `slurm` executor: the worker thread that
 * owns the blocking slurm_rest client, and the two queues between it and the
 * loop thread.
 *
 * The loop thread (exec_slurm.c) posts requests and never waits; the worker
 * (exec_slurm_worker.c) performs them one at a time, in order, appends a
 * result and writes to an eventfd, the fd the caller's loop waits on.  Both
 * queues are guarded by one mutex; everything else is owned by one side:
 * the client and the orphan table by the worker, the jobs by the loop.
 */
#ifndef SL_EXEC_SLURM_INT_H
#define SL_EXEC_SLURM_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "core/mem.h"
#include "serve/exec.h"
#include "serve/slurm_json.h"
#include "serve/slurm_rest.h"

enum { SX_SUBMIT = 1, SX_CANCEL, SX_REFRESH };

/* A request.  Owned by the queue once posted, then by the worker. */
typedef struct sx_req {
	int kind;
	int64_t job_id;       /* suanli's job id (SUBMIT, CANCEL) */
	int64_t slurm_id;     /* CANCEL */
	char *body;           /* SUBMIT: JSON body from sl_slurm_submit_body (owned) */
	int check_first;      /* SUBMIT: look for a job commented "TAG:JOB_ID" first */
	int find_only;        /* SUBMIT: only look; never post */
	int check_health;     /* REFRESH: sl_slurm_check first (the cluster was down) */
	int64_t *ids;         /* REFRESH: the Slurm ids to report on (owned) */
	size_t nids;
} sx_req;

/* A result, moved to the loop thread by sx_worker_take. */
typedef struct sx_res {
	int kind;
	int64_t job_id, slurm_id;
	int rc;                    /* 0 or SL_E* */
	sl_slurm_fault fault;      /* why rc failed */
	int recovered;             /* SUBMIT: taken over from an earlier submission */
	char msg[SL_EXEC_MSG_MAX]; /* the error, when rc != 0 */
	sl_slurm_jobs jobs;        /* REFRESH: the asked-for jobs Slurm knows */
	SL_VEC(int64_t) missing;   /* REFRESH: asked-for ids Slurm does not know */
	sl_slurm_capacity cap;     /* REFRESH */
	int have_cap;
} sx_res;

typedef SL_VEC(sx_req) sx_req_vec;
typedef SL_VEC(sx_res) sx_res_vec;

/* A job of ours found in Slurm by its comment (see exec_slurm.h). */
typedef struct sx_orphan {
	int64_t job_id, slurm_id;
	sl_slurm_state state;
} sx_orphan;

typedef struct sx_worker {
	pthread_t thread;
	int running;               /* the thread was started */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	sx_req_vec reqs;           /* reqs.v[head .. n) wait; guarded by mu */
	size_t head;
	sx_res_vec res;            /* guarded by mu */
	atomic_int stop;           /* set by the loop thread; aborts requests in flight */
	int efd;                   /* eventfd: readable when res is not empty */
	/* worker thread only: */
	sl_slurm *client;          /* owned */
	char *tag;                 /* comment prefix */
	char *partition;           /* capacity of this partition; NULL = all nodes */
	int orphans_valid;         /* the table reflects a listing since start */
	SL_VEC(sx_orphan) orphans;
	SL_VEC(int64_t) handled;   /* Slurm ids this worker submitted or took over */
} sx_worker;

/* Start the thread; it takes ownership of client (freed by sx_worker_stop,
 * also on failure).  Errors: SL_EIO (eventfd, thread). */
int sx_worker_start(sx_worker *w, sl_slurm *client, const char *tag, const char *partition,
                    sl_err *err);

/* Abort what is in flight (within about a second), join the thread, free
 * both queues and the client.  Safe on a worker that did not start. */
void sx_worker_stop(sx_worker *w);

/* Queue a request (the worker owns *r's buffers from now on). */
void sx_worker_post(sx_worker *w, sx_req *r);

/* Move every finished result into *out (appended); drains the eventfd. */
void sx_worker_take(sx_worker *w, sx_res_vec *out);

void sx_req_release(sx_req *r);
void sx_res_release(sx_res *r);

#endif
