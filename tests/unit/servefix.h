/*
 * servefix.h — reading what the service's event loop did, for the loop
 * tests (test_serve_failover.c, test_serve_replan.c): a job's stored row,
 * its events, waiting for either, and a request answered by the loop.
 * Each waits up to a few seconds, polling the store through a reader.
 */
#ifndef SERVEFIX_H
#define SERVEFIX_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "serve/loop.h"
#include "serve/store.h"

/* A job's stored row, the fields the tests look at. */
typedef struct svf_row {
	int state, has_start, has_exit, exit_code, has_plan;
	int64_t start, planned_start;
	char site[16], handle[64], reason[300];
} svf_row;

static inline int svf_grab(void *ud, const sl_jobrow *r)
{
	svf_row *g = ud;
	g->state = r->state;
	g->has_start = r->has_start;
	g->start = r->start;
	g->has_exit = r->has_exit;
	g->exit_code = r->exit_code;
	g->has_plan = r->has_plan;
	g->planned_start = r->planned_start;
	snprintf(g->site, sizeof g->site, "%s", r->site ? r->site : "");
	snprintf(g->handle, sizeof g->handle, "%s", r->handle ? r->handle : "");
	snprintf(g->reason, sizeof g->reason, "%s", r->reason ? r->reason : "");
	return 0;
}

/* The row now (state -1 when there is none). */
static inline svf_row svf_job(sl_store_reader *rd, int64_t id)
{
	svf_row g;
	memset(&g, 0, sizeof g);
	g.state = -1;
	sl_store_job_get(rd, id, svf_grab, &g, NULL);
	return g;
}

/* Poll (5 s) until the job is in state, at site when given, planned to
 * start at planned when not 0.  1, or 0 after printing what it is. */
static inline int svf_wait(sl_store_reader *rd, int64_t id, int state, const char *site,
                           int64_t planned)
{
	svf_row g;
	for (int i = 0; i < 500; i++) {
		g = svf_job(rd, id);
		if (g.state == state && (!site || !strcmp(g.site, site)) &&
		    (!planned || (g.has_plan && g.planned_start == planned)))
			return 1;
		usleep(10000);
	}
	print_message("job %lld: state %d site %s planned %lld reason %s\n", (long long)id,
	              g.state, g.site, (long long)g.planned_start, g.reason);
	return 0;
}

typedef struct svf_evq {
	const char *kind, *word;
	int found;
} svf_evq;

static inline int svf_ev_match(void *ud, int64_t t, const char *kind, const char *detail)
{
	svf_evq *q = ud;
	(void)t;
	if (!strcmp(kind, q->kind) && (!q->word || (detail && strstr(detail, q->word))))
		q->found = 1;
	return 0;
}

/* 1 if the job gets (within 2 s) an event of this kind whose detail
 * contains word (any detail when word is NULL). */
static inline int svf_has_event(sl_store_reader *rd, int64_t id, const char *kind,
                                const char *word)
{
	svf_evq q = {kind, word, 0};
	for (int i = 0; i < 200 && !q.found; i++) {
		sl_store_job_events(rd, id, svf_ev_match, &q, NULL);
		if (!q.found)
			usleep(10000);
	}
	return q.found;
}

typedef struct svf_waiter {
	sl_loopreq req;
	volatile int done;
} svf_waiter;

static inline void svf_on_reply(sl_loopreq *q)
{
	((svf_waiter *)q)->done = 1;
}

/* Ask the loop as an admin (kind SL_LREQ_*, job_id for a cancel) and wait
 * for the answer: its HTTP status; *body (may be NULL) gets the body, the
 * caller frees it. */
static inline int svf_request(sl_loop *lp, int kind, int64_t job_id, char **body)
{
	svf_waiter w;
	memset(&w, 0, sizeof w);
	w.req.kind = kind;
	w.req.job_id = job_id;
	w.req.admin = 1;
	w.req.reply = svf_on_reply;
	sl_loop_request(lp, &w.req);
	for (int i = 0; i < 500 && !w.done; i++)
		usleep(10000);
	assert_true(w.done);
	if (body)
		*body = w.req.body;
	else
		free(w.req.body);
	return w.req.status;
}

#endif
