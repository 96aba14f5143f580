/*
 * test_store_restart.c — what a restarted service makes of the store: the
 * recovery rules of the event loop (loop.h) over a store prepared in every
 * state a crash can leave, with a fake executor that records what it is
 * asked to start and adopt.  Also: a new job is placed, launched once, and
 * its executor handle recorded; a waiting job is cancelled.
 */
#include "testutil.h"

#include <sys/stat.h>
#include <unistd.h>

#include "core/clock.h"
#include "serve/loop.h"
#include "serve/store.h"
#include "serve/writer.h"

/* ---- a two-site network ---- */

static double v_carbon1[1] = {500}, v_carbon2[1] = {100}, v_price[1] = {0.5}, v_pue[1] = {1.2};
static sl_zone zones[2];
static sl_site sites[2];
static sl_route routes[2];
static int route_of_site[2] = {0, 1};
static sl_origin origins[1];
static sl_network net;

static sl_signal sig(double *v)
{
	sl_signal s = {v, 1, 3600, 0};
	return s;
}

static void make_net(void)
{
	memset(&net, 0, sizeof net);
	zones[0] = (sl_zone){.id = "Z1", .carbon_avg_g_per_kwh = sig(v_carbon1),
	                     .price_cny_per_kwh = sig(v_price)};
	zones[1] = (sl_zone){.id = "Z2", .carbon_avg_g_per_kwh = sig(v_carbon2),
	                     .price_cny_per_kwh = sig(v_price)};
	sites[0] = (sl_site){.id = "S1", .zone = 0, .cores = 64, .core_busy_w = 5,
	                     .core_idle_w = 1, .pue = sig(v_pue)};
	sites[1] = (sl_site){.id = "S2", .zone = 1, .cores = 64, .core_busy_w = 5,
	                     .core_idle_w = 1, .pue = sig(v_pue)};
	routes[0] = (sl_route){.site = 0, .rtt_ms = 5, .gbps = 10};
	routes[1] = (sl_route){.site = 1, .rtt_ms = 9, .gbps = 10};
	origins[0] = (sl_origin){.id = "O", .routes = routes, .nroutes = 2,
	                         .route_of_site = route_of_site};
	net.zones = zones;
	net.nzones = 2;
	net.sites = sites;
	net.nsites = 2;
	net.origins = origins;
	net.norigins = 1;
	net.t0 = 0;
	net.t1 = 3600;
	net.step_s = 3600;
	net.nsteps = 1;
}

/* ---- a fake executor ---- */

typedef struct fake {
	int64_t submitted[64], adopted[64];
	int nsub, nadopt, nreported;
	sl_exec_event pending[64];
	int npending;
} fake;

static fake F; /* the loop thread and the test touch it at different times */

static int f_start(void **st, const sl_exec_config *cfg, sl_err *err)
{
	(void)cfg;
	(void)err;
	*st = &F;
	return 0;
}
static void f_stop(void *st) { (void)st; }
static int f_submit(void *st, const sl_exec_spec *s, sl_err *err)
{
	fake *f = st;
	(void)err;
	f->submitted[f->nsub++] = s->job_id;
	sl_exec_event *ev = &f->pending[f->npending++];
	memset(ev, 0, sizeof *ev);
	ev->job_id = s->job_id;
	ev->state = SL_EXEC_RUNNING;
	snprintf(ev->handle, sizeof ev->handle, "alive:%lld", (long long)s->job_id);
	snprintf(ev->msg, sizeof ev->msg, "started");
	return 0;
}
static int f_cancel(void *st, int64_t id, sl_err *err)
{
	(void)st;
	(void)id;
	(void)err;
	return 0;
}
static int f_adopt(void *st, const sl_exec_spec *s, const char *handle, int64_t start,
                   sl_err *err)
{
	fake *f = st;
	(void)start;
	if (strncmp(handle, "alive:", 6) != 0)
		return sl_err_set(err, SL_ENOTFOUND, handle, "process is gone");
	f->adopted[f->nadopt++] = s->job_id;
	return 0;
}
static int f_poll(void *st, sl_exec_event *out, int max, sl_err *err)
{
	fake *f = st;
	int n = 0;
	(void)err;
	while (f->nreported < f->npending && n < max)
		out[n++] = f->pending[f->nreported++];
	return n;
}
static int f_fd(void *st) { (void)st; return -1; }
static int64_t f_timeout(void *st) { (void)st; return 10; }
static size_t f_count(void *st) { (void)st; return 0; }

static const sl_exec_ops fake_ops = {
	.name = "local", .start = f_start, .stop = f_stop, .submit = f_submit, .cancel = f_cancel,
	.adopt = f_adopt, .poll = f_poll, .fd = f_fd, .timeout_ms = f_timeout, .count = f_count,
};

/* ---- fixtures ---- */

static char dir[256], jobs_dir[300];

static int setup(void **st)
{
	(void)st;
	snprintf(dir, sizeof dir, "/tmp/suanli-test-restart.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(jobs_dir, sizeof jobs_dir, "%s/jobs", dir);
	mkdir(jobs_dir, 0755);
	memset(&F, 0, sizeof F);
	make_net();
	return 0;
}

static int teardown(void **st)
{
	(void)st;
	return tu_rmrf(dir);
}

static int64_t add_job(sl_store *s, const char *origin, int requeue)
{
	sl_jobnew j = {0};
	int64_t id;
	j.tenant = 1;
	j.submit = 1000;
	j.command_json = "[\"work\"]";
	j.cores = 2;
	j.runtime_s = 600;
	j.origin = origin;
	j.requeue = requeue;
	assert_int_equal(sl_store_job_insert(s, &j, &id, NULL), 0);
	return id;
}

static void set_running(sl_store *s, int64_t id, const char *handle)
{
	sl_jobupd u = {.id = id, .state = SL_JOB_RUNNING, .t = 1001, .site = "S2",
	               .set_start = 1, .start = 1001, .set_handle = handle != NULL,
	               .handle = handle};
	assert_int_equal(sl_store_job_update(s, &u, NULL), 0);
}

typedef struct got {
	int state, attempts, has_handle;
	char reason[200];
} got;

static int grab(void *ud, const sl_jobrow *r)
{
	got *g = ud;
	g->state = r->state;
	g->attempts = r->attempts;
	g->has_handle = r->handle != NULL;
	snprintf(g->reason, sizeof g->reason, "%s", r->reason ? r->reason : "");
	return 0;
}

static got job(sl_store_reader *rd, int64_t id)
{
	got g = {-1, 0, 0, ""};
	sl_store_job_get(rd, id, grab, &g, NULL);
	return g;
}

/* Poll until job id reaches state (5 s). */
static int wait_state(sl_store_reader *rd, int64_t id, int state, int want_handle)
{
	for (int i = 0; i < 500; i++) {
		got g = job(rd, id);
		if (g.state == state && (!want_handle || g.has_handle))
			return 1;
		usleep(10000);
	}
	return 0;
}

static int count_of(const int64_t *v, int n, int64_t id)
{
	int c = 0;
	for (int i = 0; i < n; i++)
		c += v[i] == id;
	return c;
}

typedef struct running {
	sl_store *st;
	sl_writer *w;
	sl_loop *lp;
	sl_clock_manual clock;
} running;

static void start(running *r, int32_t local_slots)
{
	sl_loop_config c;
	sl_err e = {0};
	memset(&c, 0, sizeof c);
	sl_clock_manual_init(&r->clock, 2000);
	c.net = &net;
	c.policy = sl_policy_find("greenest");
	c.executor = &fake_ops;
	c.exec_config.jobs_dir = jobs_dir;
	c.clock = &r->clock.clock;
	c.local_slots = local_slots;
	assert_int_equal(sl_store_open(dir, SL_STORE_SYNC_NORMAL, &r->st, &e), 0);
	assert_int_equal(sl_loop_new(&c, r->st, &r->lp, &e), 0);
	assert_int_equal(sl_writer_start(r->st, NULL, &r->w, &e), 0);
	assert_int_equal(sl_loop_start(r->lp, r->w, &e), 0);
}

static void stop(running *r)
{
	sl_loop_free(r->lp);
	sl_writer_free(r->w);
	sl_store_free(r->st);
}

static void test_recovery_rules(void **st)
{
	sl_store *s = NULL;
	sl_store_reader *rd = NULL;
	sl_err e = {0};
	running r;
	char path[400];
	(void)st;
	assert_int_equal(sl_store_open(dir, SL_STORE_SYNC_NORMAL, &s, &e), 0);
	assert_int_equal(sl_store_begin(s, &e), 0);
	int64_t queued = add_job(s, "O", 0);
	int64_t planned = add_job(s, "O", 0);
	sl_jobupd p = {.id = planned, .state = SL_JOB_PLANNED, .t = 1001, .site = "S1",
	               .set_plan = 1, .planned_start = 1001, .planned_end = 1601};
	assert_int_equal(sl_store_job_update(s, &p, &e), 0);
	int64_t alive = add_job(s, "O", 0);
	set_running(s, alive, "alive:77");
	int64_t gone = add_job(s, "O", 0);
	set_running(s, gone, "dead:78");
	int64_t gone_requeue = add_job(s, "O", 1);
	set_running(s, gone_requeue, "dead:79");
	int64_t unstarted = add_job(s, "O", 0);
	set_running(s, unstarted, NULL);
	int64_t maybe_started = add_job(s, "O", 0);
	set_running(s, maybe_started, NULL);
	int64_t orphan = add_job(s, "O_GONE", 0);
	assert_int_equal(sl_store_commit(s, &e), 0);
	sl_store_free(s);
	snprintf(path, sizeof path, "%s/%lld", jobs_dir, (long long)maybe_started);
	mkdir(path, 0755); /* the executor got as far as its directory */

	start(&r, 0);
	assert_int_equal(sl_store_reader_open(r.st, &rd, &e), 0);
	assert_true(wait_state(rd, queued, SL_JOB_RUNNING, 1));
	assert_true(wait_state(rd, planned, SL_JOB_RUNNING, 1));
	assert_true(wait_state(rd, gone_requeue, SL_JOB_RUNNING, 1));
	assert_true(wait_state(rd, unstarted, SL_JOB_RUNNING, 1));
	assert_true(wait_state(rd, orphan, SL_JOB_REJECTED, 0));
	assert_true(wait_state(rd, gone, SL_JOB_FAILED, 0));
	assert_true(wait_state(rd, maybe_started, SL_JOB_FAILED, 0));
	stop(&r);

	/* adopted, not started again */
	assert_int_equal(F.nadopt, 1);
	assert_int_equal(F.adopted[0], alive);
	assert_int_equal(count_of(F.submitted, F.nsub, alive), 0);
	got g = job(rd, alive);
	assert_int_equal(g.state, SL_JOB_RUNNING);
	/* lost: failed, never started again */
	g = job(rd, gone);
	assert_non_null(strstr(g.reason, "lost"));
	assert_int_equal(count_of(F.submitted, F.nsub, gone), 0);
	g = job(rd, maybe_started);
	assert_non_null(strstr(g.reason, "lost"));
	assert_int_equal(count_of(F.submitted, F.nsub, maybe_started), 0);
	/* lost but asked for requeue: started again, one attempt counted */
	assert_int_equal(count_of(F.submitted, F.nsub, gone_requeue), 1);
	assert_int_equal(job(rd, gone_requeue).attempts, 1);
	/* provably never started: started now, no attempt counted */
	assert_int_equal(count_of(F.submitted, F.nsub, unstarted), 1);
	assert_int_equal(job(rd, unstarted).attempts, 0);
	/* queued and planned ones: placed and started once */
	assert_int_equal(count_of(F.submitted, F.nsub, queued), 1);
	assert_int_equal(count_of(F.submitted, F.nsub, planned), 1);
	assert_int_equal(F.nsub, 4);
	/* a job whose origin left the scenario */
	g = job(rd, orphan);
	assert_non_null(strstr(g.reason, "O_GONE"));
	sl_store_reader_free(rd);
}

/* A new job through the loop: placed at the greener site, started once;
 * with one process slot per site the next waits and can be cancelled. */
typedef struct waiter {
	sl_loopreq req;
	volatile int done;
} waiter;

static void on_reply(sl_loopreq *q)
{
	waiter *w = (waiter *)q;
	w->done = 1;
}

/* A submission as POST /v1/jobs makes it: insert through the writer, hand
 * to the loop after the commit. */
typedef struct sub {
	sl_wop op;
	sl_loop *lp;
	int64_t id;
	volatile int done;
} sub;

static int sub_apply(sl_store *st, sl_wop *op, sl_err *err)
{
	(void)err;
	((sub *)op)->id = add_job(st, "O", 0);
	return 0;
}

static void sub_done(sl_wop *op, int rc)
{
	sub *x = (sub *)op;
	sl_job jb = {0};
	assert_int_equal(rc, 0);
	jb.cores = 2;
	jb.est_s = jb.run_s = 600;
	jb.tag = jb.cls = -1;
	sl_loop_job(x->lp, x->id, 1, 1000, &jb, 0);
	x->done = 1;
}

static void test_new_job_and_cancel(void **st)
{
	running r;
	sl_store_reader *rd = NULL;
	sl_err e = {0};
	sub a, b;
	(void)st;
	memset(&a, 0, sizeof a);
	memset(&b, 0, sizeof b);
	start(&r, 1);
	a.op.apply = b.op.apply = sub_apply;
	a.op.done = b.op.done = sub_done;
	a.lp = b.lp = r.lp;
	assert_int_equal(sl_loop_reserve(r.lp), 0);
	assert_int_equal(sl_loop_reserve(r.lp), 0);
	assert_int_equal(sl_writer_submit(r.w, &a.op, 0), 0);
	assert_int_equal(sl_writer_submit(r.w, &b.op, 0), 0);
	assert_int_equal(sl_store_reader_open(r.st, &rd, &e), 0);
	for (int i = 0; i < 500 && !(a.done && b.done); i++)
		usleep(10000);
	assert_true(wait_state(rd, a.id, SL_JOB_RUNNING, 1));
	usleep(50000);
	assert_int_equal(job(rd, b.id).state, SL_JOB_PLANNED); /* no process slot */
	waiter w;
	memset(&w, 0, sizeof w);
	w.req.kind = SL_LREQ_CANCEL;
	w.req.job_id = b.id;
	w.req.tenant = 2; /* another tenant */
	w.req.reply = on_reply;
	sl_loop_request(r.lp, &w.req);
	for (int i = 0; i < 500 && !w.done; i++)
		usleep(10000);
	assert_int_equal(w.req.status, 403);
	w.done = 0;
	w.req.tenant = 1;
	sl_loop_request(r.lp, &w.req);
	for (int i = 0; i < 500 && !w.done; i++)
		usleep(10000);
	assert_int_equal(w.req.status, 200);
	free(w.req.body);
	assert_int_equal(job(rd, b.id).state, SL_JOB_CANCELLED);
	assert_int_equal(sl_loop_active(r.lp), 1);
	stop(&r);
	assert_int_equal(F.nsub, 1);
	assert_int_equal(F.submitted[0], a.id);
	sl_store_reader_free(rd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_recovery_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_new_job_and_cancel, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
