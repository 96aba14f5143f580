/*
 * test_slurm_exec.c — the `slurm` executor (exec_slurm.c) driven like the
 * service drives it: a poll(2) loop on its fd and timeout, events collected.
 * Offline cases (options, handles, an unreachable cluster) always run; the
 * live cases run against the two real clusters that
 * tests/integration/slurm_rest.sh starts (same SUANLI_SLURM_* variables as
 * test_slurm_live.c) and are skipped, with a message, without them:
 * exit codes and output files, cancel (running and pending), adopt after a
 * restart, no double submission after a restart, a refused job, live
 * capacity with GPUs, a bad token, and a controller that stops and returns.
 */
#include "testutil.h"

#include <inttypes.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/mem.h"
#include "serve/exec.h"
#include "serve/exec_slurm.h"
#include "serve/slurm_rest.h"
#include "slurmlive.h"

static char tag[32]; /* unique per run: no orphan of another run matches */

typedef struct fx {
	sl_clock clock;
	sl_exec ex;
	char jobs[512];
	SL_VEC(sl_exec_event) evs;
} fx;

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Start an executor; extra is one more option (or NULL).  0 or the error. */
static int fx_open(fx *f, const char *url, const char *cluster, const char *token,
                   const char *partition, const char *extra, sl_err *e)
{
	char o[8][600];
	const char *opts[9] = {0};
	int n = 0;
	snprintf(o[n], sizeof o[n], "url=%s", url), opts[n] = o[n], n++;
	snprintf(o[n], sizeof o[n], "cluster=%s", cluster), opts[n] = o[n], n++;
	snprintf(o[n], sizeof o[n], "tag=%s", tag), opts[n] = o[n], n++;
	snprintf(o[n], sizeof o[n], "poll_ms=200"), opts[n] = o[n], n++;
	snprintf(o[n], sizeof o[n], "idle_poll_ms=300"), opts[n] = o[n], n++;
	if (token)
		snprintf(o[n], sizeof o[n], "token_file=%s", token), opts[n] = o[n], n++;
	if (partition)
		snprintf(o[n], sizeof o[n], "partition=%s", partition), opts[n] = o[n], n++;
	if (extra)
		opts[n++] = extra;
	f->clock = sl_clock_system();
	sl_exec_config cfg = {.clock = &f->clock, .jobs_dir = f->jobs, .options = opts};
	return sl_exec_start(&f->ex, &sl_exec_slurm, &cfg, e);
}

static fx *fx_new(const char *root)
{
	fx *f = sl_calloc(1, sizeof *f);
	snprintf(f->jobs, sizeof f->jobs, "%s/exec-XXXXXX", root);
	assert_non_null(mkdtemp(f->jobs));
	return f;
}

static void fx_free(fx *f)
{
	sl_exec_stop(&f->ex);
	sl_vec_free(&f->evs);
	assert_int_equal(tu_rmrf(f->jobs), 0);
	sl_free(f);
}

/* Run the loop for up to ms, collecting events. */
static void pump(fx *f, int64_t ms)
{
	int64_t end = mono_ms() + ms;
	for (;;) {
		sl_exec_event ev[16];
		sl_err e = {0};
		int n = sl_exec_poll(&f->ex, ev, 16, &e);
		assert_true(n >= 0);
		for (int i = 0; i < n; i++)
			sl_vec_push(&f->evs, ev[i]);
		int64_t left = end - mono_ms();
		if (left <= 0)
			return;
		int64_t t = sl_exec_timeout_ms(&f->ex);
		struct pollfd p = {sl_exec_fd(&f->ex), POLLIN, 0};
		poll(&p, 1, (int)(t < 0 || t > left ? left : t));
	}
}

static const sl_exec_event *find_event(const fx *f, int64_t id, int terminal, sl_exec_state s)
{
	for (size_t i = 0; i < f->evs.n; i++)
		if (f->evs.v[i].job_id == id &&
		    (terminal ? sl_exec_state_terminal(f->evs.v[i].state) : f->evs.v[i].state == s))
			return &f->evs.v[i];
	return NULL;
}

static int count_events(const fx *f, int64_t id, sl_exec_state s)
{
	int n = 0;
	for (size_t i = 0; i < f->evs.n; i++)
		n += f->evs.v[i].job_id == id && f->evs.v[i].state == s;
	return n;
}

/* Pump until job id has an event in state s (any terminal one if terminal). */
static const sl_exec_event *wait_event(fx *f, int64_t id, int terminal, sl_exec_state s,
                                       int limit_s)
{
	int64_t end = mono_ms() + limit_s * 1000;
	const sl_exec_event *ev;
	while (!(ev = find_event(f, id, terminal, s)) && mono_ms() < end)
		pump(f, 100);
	if (!ev)
		fail_msg("job %" PRId64 ": no %s event within %d s", id,
		         terminal ? "terminal" : sl_exec_state_name(s), limit_s);
	return ev;
}

static sl_exec_slurm_status status_of(fx *f)
{
	sl_exec_slurm_status st;
	sl_exec_slurm_status_get(f->ex.state, &st);
	return st;
}

static void wait_status(fx *f, int up, int limit_s)
{
	int64_t end = mono_ms() + limit_s * 1000;
	while (status_of(f).up != up && mono_ms() < end)
		pump(f, 100);
	sl_exec_slurm_status st = status_of(f);
	if (st.up != up)
		fail_msg("cluster still up=%d after %d s (%s)", st.up, limit_s, st.reason);
}

static int submit(fx *f, int64_t id, const char *const *argv, int shell, int cores, int gpus,
                  const char *const *env)
{
	sl_exec_spec s = {.job_id = id, .argv = argv, .shell = shell, .cores = cores, .gpus = gpus,
	                  .env = env, .site = "test-site", .time_limit_s = 120};
	sl_err e = {0};
	int rc = sl_exec_submit(&f->ex, &s, &e);
	if (rc)
		print_message("submit %" PRId64 ": %s: %s\n", id, e.origin, e.msg);
	return rc;
}

static const char *file_text(const fx *f, int64_t id, const char *name)
{
	static char buf[2048];
	char path[700];
	snprintf(path, sizeof path, "%s/%" PRId64 "/%s", f->jobs, id, name);
	FILE *fp = fopen(path, "r");
	if (!fp)
		fail_msg("no file %s", path);
	size_t n = fread(buf, 1, sizeof buf - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

/* Pump until the job's file begins with prefix: Slurm reports RUNNING when
 * it launches a job, a moment before the script's first line runs. */
static void wait_file(fx *f, int64_t id, const char *name, const char *prefix)
{
	char path[700];
	snprintf(path, sizeof path, "%s/%" PRId64 "/%s", f->jobs, id, name);
	for (int i = 0; i < 100; i++) {
		FILE *fp = fopen(path, "r");
		char buf[64] = "";
		if (fp) {
			size_t n = fread(buf, 1, sizeof buf - 1, fp);
			buf[n] = '\0';
			fclose(fp);
			if (strncmp(buf, prefix, strlen(prefix)) == 0)
				return;
		}
		pump(f, 100);
	}
	fail_msg("%s never began with \"%s\"", path, prefix);
}

/* ---- offline --------------------------------------------------------------- */

static void test_setup(void **st)
{
	(void)st;
	(void)load_env(&A, "A");
	(void)load_env(&B, "B");
	have_live = A.url && B.url && A.dir && B.dir && A.token && B.token && B.base;
	snprintf(tag, sizeof tag, "t%d", (int)getpid());
	if (!have_live)
		print_message("SUANLI_SLURM_A_URL not set: live Slurm cases are skipped\n");
	assert_true(!A.url == !B.url); /* half a setup is a broken setup */
}

static void test_options(void **st)
{
	(void)st;
	fx *f = fx_new("/tmp");
	sl_err e = {0};
	sl_clock clk = sl_clock_system();
	const char *none[] = {"cluster=x", NULL};
	sl_exec_config cfg = {.clock = &clk, .jobs_dir = f->jobs, .options = none};
	assert_int_equal(sl_exec_start(&f->ex, &sl_exec_slurm, &cfg, &e), SL_EINVAL);
	assert_non_null(strstr(e.msg, "url=... or socket=..."));
	const char *unknown[] = {"url=http://127.0.0.1:1", "colour=blue", NULL};
	cfg.options = unknown;
	assert_int_equal(sl_exec_start(&f->ex, &sl_exec_slurm, &cfg, &e), SL_EINVAL);
	assert_non_null(strstr(e.msg, "unknown option \"colour\""));
	const char *badms[] = {"url=http://127.0.0.1:1", "poll_ms=fast", NULL};
	cfg.options = badms;
	assert_int_equal(sl_exec_start(&f->ex, &sl_exec_slurm, &cfg, &e), SL_EINVAL);
	assert_non_null(strstr(e.msg, "poll_ms=fast"));
	const char *badname[] = {"url=http://127.0.0.1:1", "cluster=a:b", NULL};
	cfg.options = badname;
	assert_int_equal(sl_exec_start(&f->ex, &sl_exec_slurm, &cfg, &e), SL_EINVAL);
	const char *notkv[] = {"url", NULL};
	cfg.options = notkv;
	assert_int_equal(sl_exec_start(&f->ex, &sl_exec_slurm, &cfg, &e), SL_EINVAL);
	assert_non_null(strstr(e.msg, "not key=value"));
	const char *tok[] = {"url=http://127.0.0.1:1", "token_file=/nonexistent", NULL};
	cfg.options = tok;
	assert_int_equal(sl_exec_start(&f->ex, &sl_exec_slurm, &cfg, &e), SL_EIO);
	assert_non_null(strstr(e.msg, "/nonexistent"));
	cfg.options = NULL;
	cfg.clock = NULL;
	assert_int_equal(sl_exec_start(&f->ex, &sl_exec_slurm, &cfg, &e), SL_EINVAL);
	assert_null(f->ex.ops);

	assert_ptr_equal(sl_exec_find("slurm"), &sl_exec_slurm);

	char cl[64];
	int64_t id = 0;
	assert_int_equal(sl_exec_slurm_handle_parse("suanli-a:42", cl, sizeof cl, &id, &e), 0);
	assert_string_equal(cl, "suanli-a");
	assert_int_equal(id, 42);
	assert_int_equal(sl_exec_slurm_handle_parse("42", cl, sizeof cl, &id, &e), SL_EINVAL);
	assert_int_equal(sl_exec_slurm_handle_parse("a:0", cl, sizeof cl, &id, &e), SL_EINVAL);
	assert_int_equal(sl_exec_slurm_handle_parse("a:12x", cl, sizeof cl, &id, &e), SL_EINVAL);
	assert_int_equal(sl_exec_slurm_handle_parse(":5", cl, sizeof cl, &id, &e), SL_EINVAL);
	assert_int_equal(sl_exec_slurm_handle_parse(NULL, cl, sizeof cl, &id, &e), SL_EINVAL);
	fx_free(f);
}

/* Nothing listens: the cluster is down, jobs wait, cancel ends them at once,
 * bad specs and handles are refused at the call. */
static void test_unreachable(void **st)
{
	(void)st;
	fx *f = fx_new("/tmp");
	sl_err e = {0};
	assert_int_equal(fx_open(f, "http://127.0.0.1:1", "nowhere", NULL, NULL, NULL, &e), 0);
	assert_int_equal(status_of(f).up, -1);
	wait_status(f, 0, 10);
	sl_exec_slurm_status s = status_of(f);
	assert_int_equal(s.fault, SL_SLURM_UNREACHABLE);
	assert_non_null(strstr(s.reason, "cannot reach slurmrestd at http://127.0.0.1:1"));
	assert_true(s.since > 0 && s.failures >= 1);

	const char *argv[] = {"true", NULL};
	assert_int_equal(submit(f, 1, argv, 0, 1, 0, NULL), 0);
	assert_int_equal(submit(f, 1, argv, 0, 1, 0, NULL), SL_EEXIST);
	const char *bad[] = {"", NULL};
	assert_int_equal(submit(f, 2, bad, 0, 1, 0, NULL), SL_EINVAL);
	pump(f, 300);
	assert_int_equal(status_of(f).waiting, 1);
	assert_int_equal(sl_exec_count(&f->ex), 1);
	assert_int_equal(sl_exec_cancel(&f->ex, 1, &e), 0);
	const sl_exec_event *ev = wait_event(f, 1, 1, 0, 5);
	assert_int_equal(ev->state, SL_EXEC_CANCELLED);
	assert_int_equal(ev->exit_code, -1);
	assert_string_equal(ev->handle, "");
	assert_non_null(strstr(ev->msg, "before it reached Slurm"));
	assert_int_equal(sl_exec_count(&f->ex), 0);
	assert_int_equal(sl_exec_cancel(&f->ex, 1, &e), SL_ENOTFOUND);

	sl_exec_spec sp = {.job_id = 5};
	assert_int_equal(sl_exec_adopt(&f->ex, &sp, "other:9", 0, &e), SL_EINVAL);
	assert_non_null(strstr(e.msg, "cluster other"));
	assert_int_equal(sl_exec_adopt(&f->ex, &sp, "garbage", 0, &e), SL_EINVAL);
	fx_free(f);
}

/* ---- live ------------------------------------------------------------------- */

static void test_exit_codes(void **st)
{
	(void)st;
	NEED_LIVE();
	fx *f = fx_new(A.dir);
	sl_err e = {0};
	if (fx_open(f, A.url, "suanli-a", A.token, A.partition, NULL, &e))
		fail_msg("%s", e.msg);
	const char *ok[] = {"echo \"$1 $SUANLI_JOB_ID $SUANLI_SITE $GREETING $HOME\"; echo oops >&2",
	                    "out", NULL};
	const char *env[] = {"GREETING=ni hao", "SUANLI_JOB_ID=forged", NULL};
	const char *three[] = {"sh", "-c", "exit 3", NULL};
	assert_int_equal(submit(f, 101, ok, 1, 1, 0, env), 0);
	assert_int_equal(submit(f, 102, three, 0, 1, 0, NULL), 0);
	const sl_exec_event *ev = wait_event(f, 101, 1, 0, 60);
	assert_int_equal(ev->state, SL_EXEC_COMPLETED);
	assert_int_equal(ev->exit_code, 0);
	assert_true(ev->start > 0 && ev->end >= ev->start);
	assert_int_equal(strncmp(ev->handle, "suanli-a:", 9), 0);
	char want[700];
	snprintf(want, sizeof want, "out 101 test-site ni hao %s/101\n", f->jobs);
	assert_string_equal(file_text(f, 101, "stdout"), want);
	assert_string_equal(file_text(f, 101, "stderr"), "oops\n");
	ev = wait_event(f, 102, 1, 0, 60);
	assert_int_equal(ev->state, SL_EXEC_FAILED);
	assert_int_equal(ev->exit_code, 3);
	assert_string_equal(ev->msg, "exited with code 3");
	for (int64_t id = 101; id <= 102; id++) { /* the full life, each step once */
		assert_int_equal(count_events(f, id, SL_EXEC_SUBMITTED), 1);
		assert_int_equal(count_events(f, id, SL_EXEC_RUNNING), 1);
	}
	assert_int_equal(sl_exec_count(&f->ex), 0);
	fx_free(f);
}

static void test_cancel(void **st)
{
	(void)st;
	NEED_LIVE();
	fx *f = fx_new(A.dir);
	sl_err e = {0};
	if (fx_open(f, A.url, "suanli-a", A.token, A.partition, NULL, &e))
		fail_msg("%s", e.msg);
	const char *sleeper[] = {"echo started; exec sleep 300", NULL};
	assert_int_equal(submit(f, 201, sleeper, 1, 2, 0, NULL), 0); /* all of A's CPUs */
	wait_event(f, 201, 0, SL_EXEC_RUNNING, 60);
	wait_file(f, 201, "stdout", "started\n");
	assert_int_equal(submit(f, 202, sleeper, 1, 2, 0, NULL), 0); /* must wait */
	wait_event(f, 202, 0, SL_EXEC_SUBMITTED, 30);
	pump(f, 500);
	assert_null(find_event(f, 202, 0, SL_EXEC_RUNNING));
	sl_exec_slurm_status s = status_of(f);
	assert_int_equal(s.capacity.cpus, 2);
	assert_int_equal(s.capacity.cpus_alloc, 2);
	assert_int_equal(sl_exec_cancel(&f->ex, 202, &e), 0);
	assert_int_equal(sl_exec_cancel(&f->ex, 201, &e), 0);
	assert_int_equal(sl_exec_cancel(&f->ex, 201, &e), 0); /* idempotent */
	const sl_exec_event *ev = wait_event(f, 201, 1, 0, 30);
	assert_int_equal(ev->state, SL_EXEC_CANCELLED);
	assert_int_equal(ev->signal, 15);
	assert_string_equal(ev->msg, "cancelled; killed by signal 15 (SIGTERM)");
	ev = wait_event(f, 202, 1, 0, 30);
	assert_int_equal(ev->state, SL_EXEC_CANCELLED);
	assert_int_equal(ev->start, 0);
	assert_int_equal(ev->exit_code, -1);
	assert_string_equal(ev->msg, "cancelled before it started");
	assert_int_equal(sl_exec_count(&f->ex), 0);
	fx_free(f);
}

/* A restart: the second executor adopts a running job and a pending one by
 * their handles; the first keeps no say. */
static void test_adopt(void **st)
{
	(void)st;
	NEED_LIVE();
	fx *f = fx_new(A.dir);
	sl_err e = {0};
	if (fx_open(f, A.url, "suanli-a", A.token, A.partition, NULL, &e))
		fail_msg("%s", e.msg);
	const char *run[] = {"sleep 3; exit 5", NULL}, *hog[] = {"sleep 4", NULL};
	assert_int_equal(submit(f, 301, run, 1, 1, 0, NULL), 0);
	assert_int_equal(submit(f, 302, hog, 1, 1, 0, NULL), 0);
	wait_event(f, 301, 0, SL_EXEC_RUNNING, 60);
	wait_event(f, 302, 0, SL_EXEC_RUNNING, 60);
	const char *late[] = {"exit 0", NULL};
	assert_int_equal(submit(f, 303, late, 1, 2, 0, NULL), 0); /* pending behind both */
	wait_event(f, 303, 0, SL_EXEC_SUBMITTED, 30);
	sl_exec_event run_ev = *find_event(f, 301, 0, SL_EXEC_RUNNING);
	sl_exec_event late_ev = *find_event(f, 303, 0, SL_EXEC_SUBMITTED);
	sl_exec_stop(&f->ex);
	f->evs.n = 0;

	if (fx_open(f, A.url, "suanli-a", A.token, A.partition, NULL, &e))
		fail_msg("%s", e.msg);
	sl_exec_spec s1 = {.job_id = 301}, s3 = {.job_id = 303};
	assert_int_equal(sl_exec_adopt(&f->ex, &s1, run_ev.handle, run_ev.start, &e), 0);
	assert_int_equal(sl_exec_adopt(&f->ex, &s3, late_ev.handle, 0, &e), 0);
	assert_int_equal(sl_exec_adopt(&f->ex, &s1, run_ev.handle, run_ev.start, &e), SL_EEXIST);
	const sl_exec_event *ev = wait_event(f, 301, 1, 0, 60);
	assert_int_equal(ev->state, SL_EXEC_FAILED);
	assert_int_equal(ev->exit_code, 5);
	assert_int_equal(ev->start, run_ev.start);
	assert_int_equal(count_events(f, 301, SL_EXEC_RUNNING), 0); /* known as running */
	ev = wait_event(f, 303, 1, 0, 60);
	assert_int_equal(ev->state, SL_EXEC_COMPLETED);
	assert_int_equal(count_events(f, 303, SL_EXEC_RUNNING), 1); /* it was only submitted */
	assert_string_equal(ev->handle, late_ev.handle);
	fx_free(f);
}

/* The service died after Slurm took the job but before it recorded the id:
 * after the restart the same submit finds the job instead of sending it again. */
static void test_no_double_submit(void **st)
{
	(void)st;
	NEED_LIVE();
	fx *f = fx_new(A.dir);
	sl_err e = {0};
	if (fx_open(f, A.url, "suanli-a", A.token, A.partition, NULL, &e))
		fail_msg("%s", e.msg);
	const char *argv[] = {"sleep", "2", NULL};
	assert_int_equal(submit(f, 401, argv, 0, 1, 0, NULL), 0);
	sl_exec_event first = *wait_event(f, 401, 0, SL_EXEC_SUBMITTED, 30);
	sl_exec_stop(&f->ex); /* "crash": the handle was never recorded */
	f->evs.n = 0;

	if (fx_open(f, A.url, "suanli-a", A.token, A.partition, NULL, &e))
		fail_msg("%s", e.msg);
	assert_int_equal(submit(f, 401, argv, 0, 1, 0, NULL), 0);
	const sl_exec_event *ev = wait_event(f, 401, 0, SL_EXEC_SUBMITTED, 30);
	assert_string_equal(ev->handle, first.handle);
	assert_non_null(strstr(ev->msg, "not sent again"));
	ev = wait_event(f, 401, 1, 0, 60);
	assert_int_equal(ev->state, SL_EXEC_COMPLETED);

	/* Slurm holds exactly one job with this comment */
	sl_slurm_conf conf = {.cluster = "suanli-a", .url = A.url, .token_file = A.token};
	sl_slurm *c = NULL;
	assert_int_equal(sl_slurm_new(&conf, &c, &e), 0);
	sl_slurm_jobs js = {0};
	assert_int_equal(sl_slurm_list_jobs(c, 0, &js, NULL, &e), 0);
	char comment[64];
	snprintf(comment, sizeof comment, "%s:401", tag);
	int n = 0;
	for (size_t i = 0; i < js.n; i++)
		n += strcmp(js.v[i].comment, comment) == 0;
	assert_int_equal(n, 1);
	sl_vec_free(&js);
	sl_slurm_free(c);
	fx_free(f);
}

static void test_refused(void **st)
{
	(void)st;
	NEED_LIVE();
	fx *f = fx_new(A.dir);
	sl_err e = {0};
	if (fx_open(f, A.url, "suanli-a", A.token, "no-such-partition", NULL, &e))
		fail_msg("%s", e.msg);
	const char *argv[] = {"true", NULL};
	assert_int_equal(submit(f, 501, argv, 0, 1, 0, NULL), 0);
	const sl_exec_event *ev = wait_event(f, 501, 1, 0, 30);
	assert_int_equal(ev->state, SL_EXEC_FAILED);
	print_message("refused: %s\n", ev->msg);
	assert_int_equal(strncmp(ev->msg, "Slurm refused the job: ", 23), 0);
	assert_non_null(strstr(ev->msg, "Invalid partition name specified"));
	assert_int_equal(status_of(f).up, 1); /* the job was bad, not the cluster */
	fx_free(f);
}

static void test_capacity_gpus(void **st)
{
	(void)st;
	NEED_LIVE();
	fx *f = fx_new(B.dir);
	sl_err e = {0};
	if (fx_open(f, B.url, "suanli-b", B.token, B.partition, NULL, &e))
		fail_msg("%s", e.msg);
	wait_status(f, 1, 30);
	sl_exec_slurm_status s = status_of(f);
	assert_int_equal(s.capacity.cpus, 4);
	assert_int_equal(s.capacity.gpus, 2);
	assert_true(s.capacity_at > 0);
	const char *argv[] = {"echo \"$CUDA_VISIBLE_DEVICES $SUANLI_GPUS\"; sleep 300", NULL};
	assert_int_equal(submit(f, 601, argv, 1, 1, 1, NULL), 0);
	wait_event(f, 601, 0, SL_EXEC_RUNNING, 60);
	wait_file(f, 601, "stdout", "0 1\n");
	pump(f, 600); /* one more refresh after it started */
	s = status_of(f);
	assert_int_equal(s.capacity.gpus_alloc, 1);
	assert_true(s.capacity.cpus_alloc >= 1);
	assert_int_equal(sl_exec_cancel(&f->ex, 601, &e), 0);
	wait_event(f, 601, 1, 0, 30);
	assert_int_equal(strncmp(file_text(f, 601, "stdout"), "0 1\n", 4), 0);
	fx_free(f);
}

static void test_bad_token(void **st)
{
	(void)st;
	NEED_LIVE();
	fx *f = fx_new(A.dir);
	sl_err e = {0};
	if (fx_open(f, A.url, "suanli-a", B.token, A.partition, NULL, &e)) /* B's key */
		fail_msg("%s", e.msg);
	wait_status(f, 0, 30);
	sl_exec_slurm_status s = status_of(f);
	assert_int_equal(s.fault, SL_SLURM_AUTH);
	assert_non_null(strstr(s.reason, "check the token"));
	print_message("bad token: %s\n", s.reason);
	const char *argv[] = {"true", NULL};
	assert_int_equal(submit(f, 701, argv, 0, 1, 0, NULL), 0);
	pump(f, 300);
	assert_int_equal(status_of(f).waiting, 1);
	assert_int_equal(sl_exec_cancel(&f->ex, 701, &e), 0);
	assert_int_equal(wait_event(f, 701, 1, 0, 5)->state, SL_EXEC_CANCELLED);
	fx_free(f);
}

static void cluster_script(const char *verb, const live *l, const char *name)
{
	char cmd[1024];
	const char *script = getenv("SUANLI_SLURM_SCRIPT");
	if (!script)
		script = "scripts/slurm-cluster.sh";
	if (name)
		snprintf(cmd, sizeof cmd, "%s %s %s %s %s >/dev/null 2>&1", script, verb, name, l->base,
		         l->dir);
	else
		snprintf(cmd, sizeof cmd, "%s %s %s >/dev/null 2>&1", script, verb, l->dir);
	if (system(cmd) != 0)
		fail_msg("failed: %s", cmd);
}

/* B's controller stops: B is marked down with the reason, a job submitted
 * meanwhile waits (and a cancel removes one at once); when B returns the
 * waiting job is sent and runs. */
static void test_ctld_down_and_back(void **st)
{
	(void)st;
	NEED_LIVE();
	fx *f = fx_new(B.dir);
	sl_err e = {0};
	if (fx_open(f, B.url, "suanli-b", B.token, B.partition, NULL, &e))
		fail_msg("%s", e.msg);
	wait_status(f, 1, 30);
	cluster_script("stop-ctld", &B, NULL);
	int64_t t0 = mono_ms();
	wait_status(f, 0, 30);
	sl_exec_slurm_status s = status_of(f);
	print_message("down after %.1f s: %s\n", (double)(mono_ms() - t0) / 1000, s.reason);
	assert_int_equal(s.fault, SL_SLURM_CTLD_DOWN);
	assert_non_null(strstr(s.reason, "slurmctld unreachable"));

	const char *argv[] = {"echo back", NULL};
	assert_int_equal(submit(f, 801, argv, 1, 1, 0, NULL), 0);
	assert_int_equal(submit(f, 802, argv, 1, 1, 0, NULL), 0);
	pump(f, 300);
	assert_int_equal(status_of(f).waiting, 2);
	assert_int_equal(sl_exec_cancel(&f->ex, 802, &e), 0);
	assert_int_equal(wait_event(f, 802, 1, 0, 5)->state, SL_EXEC_CANCELLED);

	cluster_script("up", &B, "suanli-b");
	t0 = mono_ms();
	const sl_exec_event *ev = wait_event(f, 801, 1, 0, 60);
	print_message("job sent and done %.1f s after the controller returned\n",
	              (double)(mono_ms() - t0) / 1000);
	assert_int_equal(ev->state, SL_EXEC_COMPLETED);
	assert_string_equal(file_text(f, 801, "stdout"), "back\n");
	assert_int_equal(status_of(f).up, 1);
	assert_int_equal(count_events(f, 801, SL_EXEC_SUBMITTED), 1);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_setup),         cmocka_unit_test(test_options),
		cmocka_unit_test(test_unreachable),   cmocka_unit_test(test_exit_codes),
		cmocka_unit_test(test_cancel),        cmocka_unit_test(test_adopt),
		cmocka_unit_test(test_no_double_submit), cmocka_unit_test(test_refused),
		cmocka_unit_test(test_capacity_gpus), cmocka_unit_test(test_bad_token),
		cmocka_unit_test(test_ctld_down_and_back),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
