/*
 * test_serve_replan.c — a planning policy (suanli) in the live event
 * loop: the loop reports starts and ends, offers moves of planned starts
 * (sl_plan_ctl.move and .retarget), writes every move to the store, and
 * tells the policy when a planned job is withdrawn (cancelled), so its
 * reservation is given back.
 *
 * Network: windowfix.h (GRN with a green window at 06:00, ALT, SGP: the
 * greenest and cheapest).
 * The loop runs on a manual clock with a fake local executor that starts
 * what it gets at once and ends a job when the test says so.
 */
#include "testutil.h"

#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include "windowfix.h"
#include "core/clock.h"
#include "serve/loop.h"
#include "serve/store.h"
#include "serve/writer.h"
#include "servefix.h"

#define T0 FIX_T0
#define H 3600

/* ---- a fake local executor: RUNNING at once, the end when told ---- */

static int64_t submitted[32];
static int nsub;
static sl_exec_event q[64];
static int nq, qhead;
static pthread_mutex_t qmu = PTHREAD_MUTEX_INITIALIZER;

static void queue_event(int64_t id, sl_exec_state state, int64_t t)
{
	pthread_mutex_lock(&qmu);
	sl_exec_event *ev = &q[nq++];
	memset(ev, 0, sizeof *ev);
	ev->job_id = id;
	ev->state = state;
	ev->start = t;
	ev->end = sl_exec_state_terminal(state) ? t : 0;
	snprintf(ev->handle, sizeof ev->handle, "pid:%lld", (long long)id);
	pthread_mutex_unlock(&qmu);
}

static int l_start(void **st, const sl_exec_config *cfg, sl_err *err)
{
	(void)cfg;
	(void)err;
	*st = submitted;
	return 0;
}
static void l_stop(void *st) { (void)st; }
static int l_submit(void *st, const sl_exec_spec *s, sl_err *err)
{
	(void)st;
	(void)err;
	pthread_mutex_lock(&qmu);
	submitted[nsub++] = s->job_id;
	pthread_mutex_unlock(&qmu);
	queue_event(s->job_id, SL_EXEC_RUNNING, 0);
	return 0;
}
static int l_cancel(void *st, int64_t id, sl_err *err)
{
	(void)st;
	(void)err;
	queue_event(id, SL_EXEC_CANCELLED, 0);
	return 0;
}
static int adopt_ok; /* 1: a restarted loop finds its running jobs alive */
static int l_adopt(void *st, const sl_exec_spec *s, const char *h, int64_t t, sl_err *err)
{
	(void)st; (void)s; (void)h; (void)t;
	return adopt_ok ? 0 : sl_err_set(err, SL_ENOTFOUND, "pid", "gone");
}
static int l_poll(void *st, sl_exec_event *out, int max, sl_err *err)
{
	int n = 0;
	(void)st;
	(void)err;
	pthread_mutex_lock(&qmu);
	while (qhead < nq && n < max)
		out[n++] = q[qhead++];
	pthread_mutex_unlock(&qmu);
	return n;
}
static int l_fd(void *st) { (void)st; return -1; }
static int64_t l_timeout(void *st) { (void)st; return 5; }
static size_t l_count(void *st) { (void)st; return 0; }

static const sl_exec_ops local_ops = {
	.name = "local", .start = l_start, .stop = l_stop, .submit = l_submit,
	.cancel = l_cancel, .adopt = l_adopt, .poll = l_poll, .fd = l_fd,
	.timeout_ms = l_timeout, .count = l_count,
};

static int was_submitted(int64_t id)
{
	int found = 0;
	pthread_mutex_lock(&qmu);
	for (int i = 0; i < nsub; i++)
		found |= submitted[i] == id;
	pthread_mutex_unlock(&qmu);
	return found;
}

/* ---- the loop ---- */

typedef struct running {
	char dir[64];
	sl_network *net;
	sl_store *st;
	sl_writer *w;
	sl_loop *lp;
	sl_store_reader *rd;
	sl_clock_manual clock;
} running;

/* Start the loop: in a new data directory, or (again) in r->dir, with the
 * clock at t. */
static void start_at(running *r, const char *params, int fresh, int64_t t)
{
	sl_loop_config c;
	sl_err e = {0};
	char jobs[96];
	if (fresh) {
		memset(r, 0, sizeof *r);
		snprintf(r->dir, sizeof r->dir, "/tmp/suanli-test-replan.XXXXXX");
		assert_non_null(mkdtemp(r->dir));
		adopt_ok = 0;
	}
	nsub = nq = qhead = 0;
	snprintf(jobs, sizeof jobs, "%s/jobs", r->dir);
	mkdir(jobs, 0755);
	r->net = fix_net_window();
	memset(&c, 0, sizeof c);
	sl_clock_manual_init(&r->clock, t);
	c.net = r->net;
	c.policy = sl_policy_find("suanli");
	c.policy_opts.params = params;
	c.policy_opts.seed = 3;
	c.executor = &local_ops;
	c.exec_config.jobs_dir = jobs;
	c.clock = &r->clock.clock;
	assert_int_equal(sl_store_open(r->dir, SL_STORE_SYNC_NORMAL, &r->st, &e), 0);
	assert_int_equal(sl_loop_new(&c, r->st, &r->lp, &e), 0);
	assert_int_equal(sl_writer_start(r->st, NULL, &r->w, &e), 0);
	assert_int_equal(sl_loop_start(r->lp, r->w, &e), 0);
	assert_int_equal(sl_store_reader_open(r->st, &r->rd, &e), 0);
}

static void start(running *r, const char *params)
{
	start_at(r, params, 1, T0 + 60);
}

/* Stop the loop and close the store; the data directory stays. */
static void halt(running *r)
{
	sl_loop_free(r->lp);
	sl_writer_free(r->w);
	sl_store_reader_free(r->rd);
	sl_store_free(r->st);
	sl_network_free(r->net);
}

static void stop(running *r)
{
	halt(r);
	assert_int_equal(tu_rmrf(r->dir), 0);
}

/* Move the clock; the loop sees it within its 1 s poll. */
static void set_clock(running *r, int64_t t)
{
	__atomic_store_n(&r->clock.t, t, __ATOMIC_SEQ_CST);
}

/* ---- submitting, as POST /v1/jobs does ---- */

typedef struct sub {
	sl_wop op;
	sl_loop *lp;
	sl_job jb;
	int64_t submit, id;
	volatile int done;
} sub;

static int sub_apply(sl_store *st, sl_wop *op, sl_err *err)
{
	sub *x = (sub *)op;
	sl_jobnew j = {0};
	(void)err;
	j.tenant = 1;
	j.submit = x->submit;
	j.command_json = "[\"work\"]";
	j.cores = x->jb.cores;
	j.gpus = x->jb.gpus;
	j.runtime_s = x->jb.est_s;
	j.deadline_s = x->jb.deadline_s;
	j.origin = "O";
	assert_int_equal(sl_store_job_insert(st, &j, &x->id, NULL), 0);
	return 0;
}

static void sub_done(sl_wop *op, int rc)
{
	sub *x = (sub *)op;
	assert_int_equal(rc, 0);
	sl_loop_job(x->lp, x->id, 1, x->submit, &x->jb, 0);
	x->done = 1;
}

/* A job of 8 cores and `gpus` GPUs for est_h hours, deadline dl_h hours
 * after submit (0: none), submitted at the clock's time. */
static int64_t submit(running *r, int gpus, int est_h, int dl_h)
{
	sub x;
	memset(&x, 0, sizeof x);
	x.op.apply = sub_apply;
	x.op.done = sub_done;
	x.lp = r->lp;
	x.submit = r->clock.t;
	x.jb.cores = 8;
	x.jb.gpus = gpus;
	x.jb.est_s = x.jb.run_s = est_h * H;
	x.jb.deadline_s = (int64_t)dl_h * H;
	x.jb.cls = -1;
	x.jb.tag = -1;
	assert_int_equal(sl_loop_reserve(r->lp), 0);
	assert_int_equal(sl_writer_submit(r->w, &x.op, 0), 0);
	for (int i = 0; i < 500 && !x.done; i++)
		usleep(10000);
	assert_true(x.done);
	return x.id;
}

/* ---- reading the store ---- */

static int wait_row(running *r, int64_t id, int state, const char *site, int64_t start)
{
	return svf_wait(r->rd, id, state, site, start);
}

/* ---- the cases ---- */

/* Job 1 takes all of SGP's GPUs with a 10 h limit.  Job 2 (8 GPUs, 2 h,
 * latest start 06:00) comes at 00:30: SGP looks full, so it is planned at
 * GRN's green window, 06:00.  Job 1 ends at 02:00; the re-plan of that
 * step sends job 2 to SGP (pull=2: every step) and the loop runs it there
 * at once: its row says SGP, an event says it was relocated, and the
 * executor got it. */
/* The common start: job 1 runs at SGP, job 2 is planned at GRN's window;
 * job 1 ends at 02:00. */
static void plan_then_free_sgp(running *r, int64_t *a, int64_t *b)
{
	*a = submit(r, 8, 10, 0);
	assert_true(wait_row(r, *a, SL_JOB_RUNNING, "SGP", 0));
	set_clock(r, T0 + H / 2);
	*b = submit(r, 8, 2, 8);
	assert_true(wait_row(r, *b, SL_JOB_PLANNED, "GRN", T0 + 6 * H));
	set_clock(r, T0 + 2 * H);
	queue_event(*a, SL_EXEC_COMPLETED, T0 + 2 * H);
	assert_true(wait_row(r, *a, SL_JOB_DONE, "SGP", 0));
}

static void test_live_relocation(void **st)
{
	running r;
	int64_t a, b;
	(void)st;
	start(&r, "oracle=1,pull=2");
	plan_then_free_sgp(&r, &a, &b);
	assert_true(wait_row(&r, b, SL_JOB_RUNNING, "SGP", T0 + 2 * H));
	assert_true(svf_has_event(r.rd, b, "relocated", "from GRN to SGP"));
	assert_true(was_submitted(b));
	stop(&r);
}

/* The same without moves between forecast issues (pull=0): job 2 keeps
 * its plan at GRN and is not run before 06:00. */
static void test_live_plan_kept(void **st)
{
	running r;
	int64_t a, b;
	(void)st;
	start(&r, "oracle=1,pull=0");
	plan_then_free_sgp(&r, &a, &b);
	set_clock(&r, T0 + 3 * H);
	usleep(1500000); /* a full poll period: the 02:00 and 03:00 re-plans have run */
	assert_true(wait_row(&r, b, SL_JOB_PLANNED, "GRN", T0 + 6 * H));
	assert_false(was_submitted(b));
	set_clock(&r, T0 + 6 * H);
	assert_true(wait_row(&r, b, SL_JOB_RUNNING, "GRN", 0));
	stop(&r);
}

/* Perfect forecasts; a long job keeps SGP busy, and a job of all 8 of
 * GRN's GPUs for 2 h with a day of slack is planned into GRN's green
 * window at 06:00: its id. */
static int64_t plan_into_window(running *r)
{
	start(r, "oracle=1");
	int64_t busy = submit(r, 8, 48, 0);
	assert_true(wait_row(r, busy, SL_JOB_RUNNING, "SGP", 0));
	int64_t a = submit(r, 8, 2, 24);
	assert_true(wait_row(r, a, SL_JOB_PLANNED, "GRN", T0 + 6 * H));
	return a;
}

/* A planned job that is cancelled gives its reservation back.  Job 1 is
 * planned into GRN's window, then cancelled; job 2, the same shape, gets
 * the window.  Had job 1's reservation stayed, job 2 would have had to go
 * elsewhere. */
static void test_cancel_frees_plan(void **st)
{
	running r;
	(void)st;
	int64_t a = plan_into_window(&r);
	assert_int_equal(svf_request(r.lp, SL_LREQ_CANCEL, a, NULL), 200);
	assert_true(wait_row(&r, a, SL_JOB_CANCELLED, "GRN", 0));
	int64_t b = submit(&r, 8, 2, 24);
	assert_true(wait_row(&r, b, SL_JOB_PLANNED, "GRN", T0 + 6 * H));
	stop(&r);
}

/* A live signal override reaches the plan at once.  A job is planned
 * into GRN's green window (perfect forecasts, so the policy reads each
 * carbon step once and keeps it).  Then GRN's zone is overridden to 2000
 * g/kWh at every hour: at the next step's re-plan the job leaves GRN for
 * ALT (550 g/kWh) and runs there at once. */
static void test_override_replans(void **st)
{
	running r;
	(void)st;
	int64_t b = plan_into_window(&r);
	svf_waiter w;
	memset(&w, 0, sizeof w);
	w.req.kind = SL_LREQ_SIGOVER;
	w.req.admin = 1;
	w.req.ov = (sl_sigover){.zone = "ZG", .has_carbon = 1, .carbon_g_per_kwh = 2000, .set_at = T0};
	w.req.reply = svf_on_reply;
	sl_loop_request(r.lp, &w.req);
	for (int i = 0; i < 500 && !w.done; i++)
		usleep(10000);
	assert_int_equal(w.req.status, 200);
	free(w.req.body);
	set_clock(&r, T0 + H);
	assert_true(wait_row(&r, b, SL_JOB_RUNNING, "ALT", 0));
	assert_true(svf_has_event(r.rd, b, "relocated", "from GRN to ALT"));
	stop(&r);
}

/* A job still running at a restart is held in the plan.  Job 1 takes all
 * of SGP's GPUs for up to 10 h; the service restarts at 01:00 and adopts
 * it.  Job 2 (8 GPUs, 2 h, a day of slack) is then planned at SGP after
 * job 1's hold (11:00, still its best), not at 01:00 as if SGP were free. */
static void test_restart_holds_adopted(void **st)
{
	running r;
	(void)st;
	start(&r, "oracle=1");
	int64_t a = submit(&r, 8, 10, 0);
	assert_true(wait_row(&r, a, SL_JOB_RUNNING, "SGP", 0));
	for (int i = 0; i < 500 && !svf_job(r.rd, a).handle[0]; i++)
		usleep(10000);
	halt(&r);
	adopt_ok = 1;
	start_at(&r, "oracle=1", 0, T0 + H);
	assert_true(svf_has_event(r.rd, a, "adopted", NULL));
	int64_t b = submit(&r, 8, 2, 24);
	assert_true(wait_row(&r, b, SL_JOB_PLANNED, "SGP", T0 + 11 * H));
	stop(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_live_relocation),
		cmocka_unit_test(test_live_plan_kept),
		cmocka_unit_test(test_cancel_frees_plan),
		cmocka_unit_test(test_restart_holds_adopted),
		cmocka_unit_test(test_override_replans),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
