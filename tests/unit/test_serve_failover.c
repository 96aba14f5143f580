/*
 * test_serve_failover.c — the event loop with remote sites (loop_sites.c):
 * two "clusters" behind fake executors that report health and can
 * withdraw held jobs, and one local site.  Covers: a remote job's life
 * (handle recorded, start only when the cluster runs it, exit code; live
 * capacity in GET /sites), failover of held and planned jobs from a down
 * site while accepted ones stay, parking when every legal site is down,
 * refusals (re-placed; three in a row make the site down), the failover
 * limit, and the restart rules (adopt by handle with or without a start,
 * a job with no handle resubmitted to the same site only).
 *
 * The real Slurm executor behind the same loop is exercised end to end
 * by tests/integration/slurm_serve.sh.
 */
#include "testutil.h"

#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/clock.h"
#include "serve/loop.h"
#include "serve/store.h"
#include "serve/writer.h"
#include "servefix.h"

/* ---- the network: A and B are remote (CN), L is local (SG) ---- */

enum { A, B, L, NS };
static double v_carbon[3][1] = {{100}, {200}, {300}}, v_price[1] = {0.5}, v_pue[1] = {1.2};
static sl_zone zones[NS];
static sl_site sites[NS];
static sl_route routes[NS];
static int route_of_site[NS] = {0, 1, 2};
static sl_origin origins[1];
static const char *jurs[2] = {"CN", "SG"};
static sl_data_rule tags[1];
static sl_network net;

static sl_signal sig(double *v)
{
	sl_signal s = {v, 1, 3600, 0};
	return s;
}

static void make_net(void)
{
	static const char *const ids[NS] = {"A", "B", "L"};
	static const double rtt[NS] = {5, 9, 20};
	memset(&net, 0, sizeof net);
	for (int s = 0; s < NS; s++) {
		zones[s] = (sl_zone){.id = ids[s], .carbon_avg_g_per_kwh = sig(v_carbon[s]),
		                     .price_cny_per_kwh = sig(v_price)};
		sites[s] = (sl_site){.id = ids[s], .zone = s, .jurisdiction = s == L, .cores = 64,
		                     .core_busy_w = 5, .core_idle_w = 1, .pue = sig(v_pue)};
		routes[s] = (sl_route){.site = s, .rtt_ms = rtt[s], .gbps = 10};
	}
	tags[0] = (sl_data_rule){.tag = "CN_ONLY", .allowed_mask = 1};
	origins[0] = (sl_origin){.id = "O", .routes = routes, .nroutes = NS,
	                         .route_of_site = route_of_site};
	net.zones = zones;
	net.nzones = NS;
	net.sites = sites;
	net.nsites = NS;
	net.origins = origins;
	net.norigins = 1;
	net.tags = tags;
	net.ntags = 1;
	net.jurisdictions = jurs;
	net.njurisdictions = 2;
	net.t0 = 0;
	net.t1 = 3600;
	net.step_s = 3600;
	net.nsteps = 1;
}

/* ---- a fake cluster: health, held / accepted jobs, scripted events ---- */

typedef struct rfake {
	pthread_mutex_t mu;
	const char *name;
	int up, hold, refuse;
	int32_t cpus, cpus_alloc;
	int64_t held[64], accepted[64], submitted[64], adopted[64], adopt_start[64];
	int nheld, nacc, nsub, nadopt;
	sl_exec_event q[128];
	int nq, qhead;
} rfake;

static rfake R[2];

static void lock(rfake *f) { pthread_mutex_lock(&f->mu); }
static void unlock(rfake *f) { pthread_mutex_unlock(&f->mu); }

/* Queue an event (caller holds the lock). */
static sl_exec_event *queue_ev(rfake *f, int64_t id, sl_exec_state state)
{
	sl_exec_event *ev = &f->q[f->nq++];
	memset(ev, 0, sizeof *ev);
	ev->job_id = id;
	ev->state = state;
	ev->exit_code = -1;
	snprintf(ev->handle, sizeof ev->handle, "%s:%lld", f->name, (long long)(1000 + id));
	return ev;
}

static int take(int64_t *v, int *n, int64_t id)
{
	for (int i = 0; i < *n; i++)
		if (v[i] == id) {
			v[i] = v[--*n];
			return 1;
		}
	return 0;
}

static int has(const int64_t *v, int n, int64_t id)
{
	for (int i = 0; i < n; i++)
		if (v[i] == id)
			return 1;
	return 0;
}

static int r_start(void **st, const sl_exec_config *cfg, sl_err *err)
{
	(void)err;
	*st = &R[cfg->options[0][0] - '0'];
	return 0;
}
static void r_stop(void *st) { (void)st; }
static int r_submit(void *st, const sl_exec_spec *s, sl_err *err)
{
	rfake *f = st;
	(void)err;
	lock(f);
	f->submitted[f->nsub++] = s->job_id;
	if (f->refuse) {
		sl_exec_event *ev = queue_ev(f, s->job_id, SL_EXEC_FAILED);
		ev->handle[0] = '\0';
		ev->refused = 1;
		snprintf(ev->msg, sizeof ev->msg, "Slurm refused the job: Invalid account");
	} else if (f->hold) {
		f->held[f->nheld++] = s->job_id;
	} else {
		f->accepted[f->nacc++] = s->job_id;
		snprintf(queue_ev(f, s->job_id, SL_EXEC_SUBMITTED)->msg, SL_EXEC_MSG_MAX, "queued");
	}
	unlock(f);
	return 0;
}
static int r_cancel(void *st, int64_t id, sl_err *err)
{
	rfake *f = st;
	(void)err;
	lock(f);
	if (take(f->held, &f->nheld, id) || take(f->accepted, &f->nacc, id))
		queue_ev(f, id, SL_EXEC_CANCELLED);
	unlock(f);
	return 0;
}
static int r_adopt(void *st, const sl_exec_spec *s, const char *handle, int64_t start,
                   sl_err *err)
{
	rfake *f = st;
	(void)handle;
	(void)err;
	lock(f);
	f->adopted[f->nadopt] = s->job_id;
	f->adopt_start[f->nadopt++] = start;
	f->accepted[f->nacc++] = s->job_id;
	unlock(f);
	return 0;
}
static int r_poll(void *st, sl_exec_event *out, int max, sl_err *err)
{
	rfake *f = st;
	int n = 0;
	(void)err;
	lock(f);
	while (f->qhead < f->nq && n < max)
		out[n++] = f->q[f->qhead++];
	unlock(f);
	return n;
}
static int r_fd(void *st) { (void)st; return -1; }
static int64_t r_timeout(void *st) { (void)st; return 5; }
static size_t r_count(void *st)
{
	rfake *f = st;
	return (size_t)(f->nheld + f->nacc);
}
static void r_health(void *st, sl_exec_health *out)
{
	rfake *f = st;
	memset(out, 0, sizeof *out);
	lock(f);
	out->up = f->up;
	if (!f->up) {
		snprintf(out->fault, sizeof out->fault, "slurmctld down");
		snprintf(out->reason, sizeof out->reason, "%s: controller gone", f->name);
	}
	out->has_capacity = 1;
	out->cpus = f->cpus;
	out->cpus_alloc = f->cpus_alloc;
	out->held = (size_t)f->nheld;
	unlock(f);
}
static int r_withdraw(void *st, int64_t id, sl_err *err)
{
	rfake *f = st;
	int rc = 0;
	lock(f);
	if (!take(f->held, &f->nheld, id))
		rc = sl_err_set(err, has(f->accepted, f->nacc, id) ? SL_ESTATE : SL_ENOTFOUND,
		                "job_id", "not held");
	unlock(f);
	return rc;
}

static const sl_exec_ops remote_ops = {
	.name = "slurm", .start = r_start, .stop = r_stop, .submit = r_submit,
	.cancel = r_cancel, .adopt = r_adopt, .poll = r_poll, .fd = r_fd,
	.timeout_ms = r_timeout, .count = r_count, .health = r_health, .withdraw = r_withdraw,
};

/* The shared local executor: runs what it gets at once (RUNNING event). */
static int64_t local_sub[64];
static int nlocal;
static sl_exec_event local_q[64];
static int local_nq, local_head;

static int l_start(void **st, const sl_exec_config *cfg, sl_err *err)
{
	(void)cfg;
	(void)err;
	*st = local_sub;
	return 0;
}
static void l_stop(void *st) { (void)st; }
static int l_submit(void *st, const sl_exec_spec *s, sl_err *err)
{
	(void)st;
	(void)err;
	local_sub[nlocal++] = s->job_id;
	sl_exec_event *ev = &local_q[local_nq++];
	memset(ev, 0, sizeof *ev);
	ev->job_id = s->job_id;
	ev->state = SL_EXEC_RUNNING;
	snprintf(ev->handle, sizeof ev->handle, "pid:%lld", (long long)s->job_id);
	return 0;
}
static int l_cancel(void *st, int64_t id, sl_err *err) { (void)st; (void)id; (void)err; return 0; }
static int l_adopt(void *st, const sl_exec_spec *s, const char *h, int64_t t, sl_err *err)
{
	(void)st; (void)s; (void)h; (void)t;
	return sl_err_set(err, SL_ENOTFOUND, "pid", "gone");
}
static int l_poll(void *st, sl_exec_event *out, int max, sl_err *err)
{
	int n = 0;
	(void)st;
	(void)err;
	while (local_head < local_nq && n < max)
		out[n++] = local_q[local_head++];
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

/* ---- fixtures ---- */

static char dir[256], jobs_dir[300];

static int setup(void **st)
{
	(void)st;
	snprintf(dir, sizeof dir, "/tmp/suanli-test-failover.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(jobs_dir, sizeof jobs_dir, "%s/jobs", dir);
	mkdir(jobs_dir, 0755);
	for (int i = 0; i < 2; i++) {
		memset(&R[i], 0, sizeof R[i]);
		pthread_mutex_init(&R[i].mu, NULL);
		R[i].name = i ? "B" : "A";
		R[i].up = 1;
		R[i].cpus = 64;
	}
	nlocal = local_nq = local_head = 0;
	make_net();
	return 0;
}

static int teardown(void **st)
{
	(void)st;
	for (int i = 0; i < 2; i++)
		pthread_mutex_destroy(&R[i].mu);
	return tu_rmrf(dir);
}

typedef struct running {
	sl_store *st;
	sl_writer *w;
	sl_loop *lp;
	sl_store_reader *rd;
	sl_clock_manual clock;
	sl_loop_site ls[NS];
} running;

static const char *const opt_a[] = {"0", NULL}, *const opt_b[] = {"1", NULL};

static void start(running *r, int32_t failover_max)
{
	sl_loop_config c;
	sl_err e = {0};
	memset(&c, 0, sizeof c);
	memset(r->ls, 0, sizeof r->ls);
	sl_clock_manual_init(&r->clock, 2000);
	r->ls[A] = (sl_loop_site){&remote_ops, {.jobs_dir = jobs_dir, .options = opt_a}};
	r->ls[B] = (sl_loop_site){&remote_ops, {.jobs_dir = jobs_dir, .options = opt_b}};
	c.net = &net;
	c.policy = sl_policy_find("nearest");
	c.executor = &local_ops;
	c.exec_config.jobs_dir = jobs_dir;
	c.sites = r->ls;
	c.failover_max = failover_max;
	c.failover_after_s = -1; /* at once */
	c.clock = &r->clock.clock;
	assert_int_equal(sl_store_open(dir, SL_STORE_SYNC_NORMAL, &r->st, &e), 0);
	assert_int_equal(sl_loop_new(&c, r->st, &r->lp, &e), 0);
	assert_int_equal(sl_writer_start(r->st, NULL, &r->w, &e), 0);
	assert_int_equal(sl_loop_start(r->lp, r->w, &e), 0);
	assert_int_equal(sl_store_reader_open(r->st, &r->rd, &e), 0);
}

static void stop(running *r)
{
	sl_loop_free(r->lp);
	sl_writer_free(r->w);
	sl_store_reader_free(r->rd);
	sl_store_free(r->st);
}

/* ---- jobs and the store ---- */

static int64_t add_job(sl_store *s, const char *tag)
{
	sl_jobnew j = {0};
	int64_t id;
	j.tenant = 1;
	j.submit = 1000;
	j.command_json = "[\"work\"]";
	j.cores = 2;
	j.runtime_s = 600;
	j.origin = "O";
	j.data_tag = tag;
	assert_int_equal(sl_store_job_insert(s, &j, &id, NULL), 0);
	return id;
}

typedef struct sub {
	sl_wop op;
	sl_loop *lp;
	const char *tag;
	int64_t id;
	volatile int done;
} sub;

static int sub_apply(sl_store *st, sl_wop *op, sl_err *err)
{
	(void)err;
	((sub *)op)->id = add_job(st, ((sub *)op)->tag);
	return 0;
}

static void sub_done(sl_wop *op, int rc)
{
	sub *x = (sub *)op;
	sl_job jb = {0};
	assert_int_equal(rc, 0);
	jb.cores = 2;
	jb.est_s = jb.run_s = 600;
	jb.cls = -1;
	jb.tag = (int16_t)(x->tag ? 0 : -1);
	sl_loop_job(x->lp, x->id, 1, 1000, &jb, 0);
	x->done = 1;
}

/* Submit one job as POST /v1/jobs does; returns its id. */
static int64_t submit(running *r, const char *tag)
{
	sub x;
	memset(&x, 0, sizeof x);
	x.op.apply = sub_apply;
	x.op.done = sub_done;
	x.lp = r->lp;
	x.tag = tag;
	assert_int_equal(sl_loop_reserve(r->lp), 0);
	assert_int_equal(sl_writer_submit(r->w, &x.op, 0), 0);
	for (int i = 0; i < 500 && !x.done; i++)
		usleep(10000);
	assert_true(x.done);
	return x.id;
}

typedef svf_row got;

static got job(running *r, int64_t id)
{
	return svf_job(r->rd, id);
}

/* Poll until the job is in state (and at site, when given): 5 s. */
static int wait_job(running *r, int64_t id, int state, const char *site)
{
	return svf_wait(r->rd, id, state, site, 0);
}

/* 1 if the job has an event of this kind whose detail contains word. */
static int has_event(running *r, int64_t id, const char *kind, const char *word)
{
	return svf_has_event(r->rd, id, kind, word);
}

/* Push a scripted event into a fake cluster. */
static void push(rfake *f, int64_t id, sl_exec_state state, int exit_code, int64_t start)
{
	lock(f);
	sl_exec_event *ev = queue_ev(f, id, state);
	ev->exit_code = exit_code;
	ev->start = start;
	ev->end = sl_exec_state_terminal(state) ? start + 10 : 0;
	snprintf(ev->msg, sizeof ev->msg, "%s", sl_exec_state_name(state));
	if (sl_exec_state_terminal(state))
		take(f->accepted, &f->nacc, id);
	unlock(f);
}

static void set_up(rfake *f, int up)
{
	lock(f);
	f->up = up;
	unlock(f);
}

static int count_in(rfake *f, const int64_t *v, const int *n, int64_t id)
{
	int c = 0;
	lock(f);
	for (int i = 0; i < *n; i++)
		c += v[i] == id;
	unlock(f);
	return c;
}

/* A loop request answered with a body (sites, metrics); caller frees. */
static char *query(running *r, int kind)
{
	char *body = NULL;
	svf_request(r->lp, kind, 0, &body);
	return body;
}

/* ---- the cases ---- */

/* A job at a remote site: handed over, its Slurm id recorded, started only
 * when the cluster says so, ended with the cluster's exit code.  The view
 * and GET /sites read busy cores from the cluster. */
static void test_remote_life(void **st)
{
	running r;
	(void)st;
	start(&r, 3);
	lock(&R[A]);
	R[A].cpus = 8;
	R[A].cpus_alloc = 6;
	unlock(&R[A]);
	int64_t id = submit(&r, NULL);
	assert_true(wait_job(&r, id, SL_JOB_RUNNING, "A"));
	assert_true(has_event(&r, id, "submitted", "queued"));
	got g = job(&r, id);
	assert_string_equal(g.handle, "A:1001");
	assert_int_equal(g.has_start, 0); /* pending in the cluster */
	char *body = query(&r, SL_LREQ_SITES);
	assert_non_null(strstr(body, "\"submitted_jobs\":1"));
	assert_non_null(strstr(body, "\"busy_cores\":62")); /* 64 installed - (8 - 6) free */
	free(body);

	push(&R[A], id, SL_EXEC_RUNNING, -1, 2005);
	assert_true(has_event(&r, id, "running", NULL));
	g = job(&r, id);
	assert_int_equal(g.has_start, 1);
	assert_int_equal(g.start, 2005);
	push(&R[A], id, SL_EXEC_FAILED, 3, 2005);
	assert_true(wait_job(&r, id, SL_JOB_FAILED, "A"));
	g = job(&r, id);
	assert_int_equal(g.has_exit, 1);
	assert_int_equal(g.exit_code, 3);
	stop(&r);
	assert_int_equal(count_in(&R[B], R[B].submitted, &R[B].nsub, id), 0);
}

/* A goes down: a job it holds unsent moves to B, one it accepted stays;
 * new work goes to B at once; sites and metrics say why. */
static void test_failover(void **st)
{
	running r;
	(void)st;
	start(&r, 3);
	int64_t accepted = submit(&r, NULL);
	assert_true(has_event(&r, accepted, "submitted", NULL));
	lock(&R[A]);
	R[A].hold = 1; /* the next submission does not get through */
	unlock(&R[A]);
	int64_t held = submit(&r, NULL);
	for (int i = 0; i < 500 && count_in(&R[A], R[A].held, &R[A].nheld, held) == 0; i++)
		usleep(10000);
	set_up(&R[A], 0);
	assert_true(wait_job(&r, held, SL_JOB_RUNNING, "B"));
	assert_true(has_event(&r, held, "failover", "taken back from A before it started"));
	assert_true(has_event(&r, held, "failover", "slurmctld down"));
	assert_int_equal(count_in(&R[B], R[B].submitted, &R[B].nsub, held), 1);
	int64_t fresh = submit(&r, NULL);
	assert_true(wait_job(&r, fresh, SL_JOB_RUNNING, "B"));
	assert_int_equal(count_in(&R[A], R[A].submitted, &R[A].nsub, fresh), 0);
	/* the accepted one stays A's */
	got g = job(&r, accepted);
	assert_int_equal(g.state, SL_JOB_RUNNING);
	assert_string_equal(g.site, "A");

	char *body = query(&r, SL_LREQ_SITES);
	assert_non_null(strstr(body, "\"up\":false"));
	assert_non_null(strstr(body, "\"down_fault\":\"slurmctld down\""));
	assert_non_null(strstr(body, "A: controller gone"));
	free(body);
	body = query(&r, SL_LREQ_METRICS);
	assert_non_null(strstr(body, "suanli_site_up{site=\"A\"} 0"));
	assert_non_null(strstr(body, "suanli_site_up{site=\"B\"} 1"));
	assert_non_null(strstr(body, "suanli_site_down_info{site=\"A\",fault=\"slurmctld down\"} 1"));
	assert_non_null(strstr(body, "suanli_jobs_failover_total 1"));
	free(body);
	/* A answers again: its accepted job ends there */
	set_up(&R[A], 1);
	push(&R[A], accepted, SL_EXEC_COMPLETED, 0, 2001);
	assert_true(wait_job(&r, accepted, SL_JOB_DONE, "A"));
	stop(&r);
}

/* Every legal site down: the job waits (parked), and goes where it may
 * once a site returns. */
static void test_parked(void **st)
{
	running r;
	(void)st;
	start(&r, 3);
	set_up(&R[A], 0);
	set_up(&R[B], 0);
	usleep(50000);
	int64_t id = submit(&r, "CN_ONLY"); /* L is SG: not legal */
	assert_true(has_event(&r, id, "waiting", "every legal site is down (A, B)"));
	assert_int_equal(job(&r, id).state, SL_JOB_QUEUED);
	int64_t any = submit(&r, NULL); /* untagged: L takes it */
	assert_true(wait_job(&r, any, SL_JOB_RUNNING, "L"));
	set_up(&R[B], 1);
	assert_true(wait_job(&r, id, SL_JOB_RUNNING, "B"));
	stop(&r);
	assert_int_equal(count_in(&R[A], R[A].submitted, &R[A].nsub, id), 0);
}

/* A cluster that refuses: each job is placed again elsewhere; three
 * refusals in a row make it down.  A job every site refuses fails after
 * the failover limit. */
static void test_refusals(void **st)
{
	running r;
	(void)st;
	start(&r, 3);
	lock(&R[A]);
	R[A].refuse = 1;
	unlock(&R[A]);
	int64_t ids[3];
	for (int i = 0; i < 3; i++) {
		ids[i] = submit(&r, NULL);
		assert_true(wait_job(&r, ids[i], SL_JOB_RUNNING, "B"));
		assert_true(has_event(&r, ids[i], "failover", "Invalid account"));
	}
	char *body = query(&r, SL_LREQ_SITES);
	assert_non_null(strstr(body, "\"down_fault\":\"rejects submissions\""));
	assert_non_null(strstr(body, "refused 3 submissions in a row"));
	free(body);
	int64_t next = submit(&r, NULL); /* A is down now: straight to B */
	assert_true(wait_job(&r, next, SL_JOB_RUNNING, "B"));
	assert_int_equal(count_in(&R[A], R[A].submitted, &R[A].nsub, next), 0);
	stop(&r);
}

static void test_failover_limit(void **st)
{
	running r;
	(void)st;
	start(&r, 1);
	for (int i = 0; i < 2; i++) {
		lock(&R[i]);
		R[i].refuse = 1;
		unlock(&R[i]);
	}
	int64_t id = submit(&r, "CN_ONLY");
	assert_true(wait_job(&r, id, SL_JOB_FAILED, NULL));
	got g = job(&r, id);
	assert_non_null(strstr(g.reason, "never started: taken back from failed sites 2 times"));
	assert_int_equal(count_in(&R[A], R[A].submitted, &R[A].nsub, id), 1);
	assert_int_equal(count_in(&R[B], R[B].submitted, &R[B].nsub, id), 1);
	stop(&r);
}

/* After a restart: remote jobs are adopted by their Slurm id (with the
 * recorded start, or 0 when only submitted); one with no id is sent to the
 * same site again and nowhere else. */
static void test_restart(void **st)
{
	sl_store *s = NULL;
	sl_err e = {0};
	running r;
	(void)st;
	assert_int_equal(sl_store_open(dir, SL_STORE_SYNC_NORMAL, &s, &e), 0);
	assert_int_equal(sl_store_begin(s, &e), 0);
	int64_t pend = add_job(s, NULL), run = add_job(s, NULL), unsent = add_job(s, NULL);
	sl_jobupd u1 = {.id = pend, .state = SL_JOB_RUNNING, .t = 1001, .site = "A",
	                .set_handle = 1, .handle = "A:77"};
	sl_jobupd u2 = {.id = run, .state = SL_JOB_RUNNING, .t = 1001, .site = "A",
	                .set_start = 1, .start = 1500, .set_handle = 1, .handle = "A:78"};
	sl_jobupd u3 = {.id = unsent, .state = SL_JOB_RUNNING, .t = 1001, .site = "B"};
	assert_int_equal(sl_store_job_update(s, &u1, &e), 0);
	assert_int_equal(sl_store_job_update(s, &u2, &e), 0);
	assert_int_equal(sl_store_job_update(s, &u3, &e), 0);
	assert_int_equal(sl_store_commit(s, &e), 0);
	sl_store_free(s);

	start(&r, 3);
	assert_true(has_event(&r, unsent, "resubmitting", "never submitted twice"));
	assert_true(has_event(&r, unsent, "submitted", NULL));
	push(&R[A], pend, SL_EXEC_RUNNING, -1, 2010);
	assert_true(has_event(&r, pend, "running", NULL));
	push(&R[A], run, SL_EXEC_COMPLETED, 0, 1500);
	assert_true(wait_job(&r, run, SL_JOB_DONE, "A"));
	stop(&r);
	assert_int_equal(R[A].nadopt, 2);
	for (int i = 0; i < 2; i++)
		assert_int_equal(R[A].adopt_start[i], R[A].adopted[i] == pend ? 0 : 1500);
	assert_int_equal(count_in(&R[B], R[B].submitted, &R[B].nsub, unsent), 1);
	assert_int_equal(count_in(&R[A], R[A].submitted, &R[A].nsub, unsent), 0);
	assert_int_equal(nlocal, 0);
	assert_int_equal(R[A].nsub, 0); /* adopted, never sent again */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_remote_life, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failover, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failover_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
