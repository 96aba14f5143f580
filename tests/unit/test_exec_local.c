/*
 * test_exec_local.c — the local executor against real processes: exit codes,
 * argv and environment passed exactly, output files, working directories,
 * commands that cannot run, time limits, cancel (down to grandchildren),
 * adopting processes after a "restart", and many concurrent jobs reported
 * exactly once.  Every test runs with pidfds and again in scan-only mode
 * where the watching path matters.
 */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/mem.h"
#include "serve/exec.h"

#define GRACE_MS 200

typedef struct fx {
	char dir[64];   /* temporary root of the test */
	char jobs[96];  /* <dir>/jobs: the executor's jobs_dir */
	sl_clock clock;
	sl_exec ex;
	SL_VEC(sl_exec_event) evs; /* every event seen, in order */
} fx;

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void exec_open(fx *f, int scan_only, int64_t grace_ms)
{
	sl_exec_config cfg = {0};
	sl_err err = {0};
	cfg.clock = &f->clock;
	cfg.jobs_dir = f->jobs;
	cfg.grace_ms = grace_ms;
	cfg.scan_only = scan_only;
	int rc = sl_exec_start(&f->ex, &sl_exec_local, &cfg, &err);
	if (rc != 0)
		fail_msg("start: %s", err.msg);
}

static fx *fx_new(int scan_only)
{
	fx *f = sl_calloc(1, sizeof *f);
	snprintf(f->dir, sizeof f->dir, "/tmp/sl-exec-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->jobs, sizeof f->jobs, "%s/jobs", f->dir);
	f->clock = sl_clock_system();
	exec_open(f, scan_only, GRACE_MS);
	return f;
}

static int setup_pidfd(void **st) { *st = fx_new(0); return 0; }
static int setup_scan(void **st) { *st = fx_new(1); return 0; }

static int fx_release(fx *f)
{
	sl_exec_stop(&f->ex);
	sl_vec_free(&f->evs);
	return tu_rmrf(f->dir);
}

static int teardown(void **st)
{
	int rc = fx_release(*st);
	sl_free(*st);
	return rc;
}

/* Wait up to max_ms for the executor, then record what poll returns. */
static void pump(fx *f, int max_ms)
{
	int64_t t = sl_exec_timeout_ms(&f->ex);
	int wait = (t < 0 || t > max_ms) ? max_ms : (int)t;
	int fd = sl_exec_fd(&f->ex);
	if (fd >= 0) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		poll(&p, 1, wait);
	} else if (wait > 0) {
		usleep((useconds_t)wait * 1000);
	}
	sl_exec_event buf[7]; /* odd size: exercises partial batches */
	sl_err err = {0};
	int n;
	while ((n = sl_exec_poll(&f->ex, buf, 7, &err)) > 0)
		for (int i = 0; i < n; i++)
			sl_vec_push(&f->evs, buf[i]);
	if (n < 0)
		fail_msg("poll: %s", err.msg);
}

static int find(const fx *f, int64_t id, int terminal, sl_exec_event *out)
{
	for (size_t i = 0; i < f->evs.n; i++)
		if (f->evs.v[i].job_id == id &&
		    sl_exec_state_terminal(f->evs.v[i].state) == terminal) {
			if (out)
				*out = f->evs.v[i];
			return 1;
		}
	return 0;
}

/* The terminal event of job id, waiting up to timeout_ms for it. */
static sl_exec_event wait_end(fx *f, int64_t id, int timeout_ms)
{
	sl_exec_event ev;
	int64_t deadline = mono_ms() + timeout_ms;
	while (!find(f, id, 1, &ev)) {
		if (mono_ms() > deadline)
			fail_msg("job %lld did not end within %d ms", (long long)id, timeout_ms);
		pump(f, 50);
	}
	return ev;
}

static void submit(fx *f, const sl_exec_spec *spec)
{
	sl_err err = {0};
	int rc = sl_exec_submit(&f->ex, spec, &err);
	if (rc != 0)
		fail_msg("submit %lld: %s", (long long)spec->job_id, err.msg);
}

/* Run argv as job id to its end. */
static sl_exec_event run(fx *f, int64_t id, int shell, const char *const *argv)
{
	sl_exec_spec s = {.job_id = id, .argv = argv, .shell = shell};
	submit(f, &s);
	return wait_end(f, id, 5000);
}

/* Contents of <workdir of id>/name (or of an absolute path), NUL-terminated. */
static char *slurp(const fx *f, int64_t id, const char *name)
{
	char path[256];
	if (name[0] == '/')
		snprintf(path, sizeof path, "%s", name);
	else
		snprintf(path, sizeof path, "%s/%lld/%s", f->jobs, (long long)id, name);
	FILE *fp = fopen(path, "r");
	if (!fp)
		fail_msg("cannot open %s", path);
	char *buf = sl_calloc(1, 65536);
	size_t n = fread(buf, 1, 65535, fp);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

/* Alive and not a zombie. */
static int proc_alive(pid_t pid)
{
	char path[64], buf[512];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	FILE *fp = fopen(path, "r");
	if (!fp)
		return 0;
	size_t n = fread(buf, 1, sizeof buf - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	char *p = strrchr(buf, ')');
	return p && p[1] == ' ' && p[2] != 'Z' && p[2] != 'X';
}

/* Field n (3 = state, 5 = pgrp, 22 = starttime, ...) of /proc/PID/stat. */
static unsigned long long proc_field(pid_t pid, int n)
{
	char path[64], buf[1024];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	FILE *fp = fopen(path, "r");
	assert_non_null(fp);
	size_t len = fread(buf, 1, sizeof buf - 1, fp);
	fclose(fp);
	buf[len] = '\0';
	char *p = strrchr(buf, ')') + 2;
	for (int field = 3; field < n; field++)
		p = strchr(p, ' ') + 1;
	return strtoull(p, NULL, 10);
}

/* ---- tests --------------------------------------------------------------- */

static void test_exit_codes(void **st)
{
	fx *f = *st;
	const char *t[] = {"true", NULL}, *fl[] = {"false", NULL}, *sh[] = {"exit 3", NULL};
	sl_exec_event ev = run(f, 1, 0, t), started;
	assert_int_equal(ev.state, SL_EXEC_COMPLETED);
	assert_int_equal(ev.exit_code, 0);
	assert_int_equal(ev.signal, 0);
	assert_true(ev.start > 0 && ev.end >= ev.start);
	assert_string_equal(ev.msg, "exited with code 0");
	/* RUNNING came first, with the handle and the same start */
	assert_true(find(f, 1, 0, &started));
	assert_int_equal(started.state, SL_EXEC_RUNNING);
	assert_int_equal(started.start, ev.start);
	assert_non_null(strchr(started.handle, ':'));
	assert_string_equal(started.handle, ev.handle);

	ev = run(f, 2, 0, fl);
	assert_int_equal(ev.state, SL_EXEC_FAILED);
	assert_int_equal(ev.exit_code, 1);

	ev = run(f, 3, 1, sh);
	assert_int_equal(ev.state, SL_EXEC_FAILED);
	assert_int_equal(ev.exit_code, 3);
	assert_string_equal(ev.msg, "exited with code 3");

	/* a shell script sees argv[1..] as $1.. */
	const char *args[] = {"exit $(($1 + $2))", "2", "5", NULL};
	ev = run(f, 4, 1, args);
	assert_int_equal(ev.exit_code, 7);

	/* a job killed by a signal nobody asked for has failed */
	const char *selfkill[] = {"kill -USR1 $$; sleep 5", NULL};
	ev = run(f, 5, 1, selfkill);
	assert_int_equal(ev.state, SL_EXEC_FAILED);
	assert_int_equal(ev.exit_code, -1);
	assert_int_equal(ev.signal, SIGUSR1);
	assert_non_null(strstr(ev.msg, "SIGUSR1"));
	assert_int_equal(sl_exec_count(&f->ex), 0);
}

static void test_argv_verbatim(void **st)
{
	fx *f = *st;
	const char *argv[] = {"printf", "[%s]\\n", "a b", "'single'", "\"double\"", "$HOME",
	                      "*", "; echo injected", "", "back\\slash", NULL};
	sl_exec_event ev = run(f, 10, 0, argv);
	assert_int_equal(ev.state, SL_EXEC_COMPLETED);
	char *out = slurp(f, 10, "stdout");
	assert_string_equal(out, "[a b]\n['single']\n[\"double\"]\n[$HOME]\n[*]\n"
	                         "[; echo injected]\n[]\n[back\\slash]\n");
	sl_free(out);
}

static void test_output_files(void **st)
{
	fx *f = *st;
	const char *sh[] = {"echo to-out; echo to-err >&2; echo more-out", NULL};
	sl_exec_event ev = run(f, 20, 1, sh);
	assert_int_equal(ev.state, SL_EXEC_COMPLETED);
	char *o = slurp(f, 20, "stdout"), *e = slurp(f, 20, "stderr");
	assert_string_equal(o, "to-out\nmore-out\n");
	assert_string_equal(e, "to-err\n");
	sl_free(o);
	sl_free(e);

	/* one file named twice (spelt differently): both streams, in order */
	sl_exec_spec s = {.job_id = 21, .argv = sh, .shell = 1, .stdout_path = "all.log",
	                  .stderr_path = "./all.log"};
	submit(f, &s);
	assert_int_equal(wait_end(f, 21, 5000).state, SL_EXEC_COMPLETED);
	o = slurp(f, 21, "all.log");
	assert_string_equal(o, "to-out\nto-err\nmore-out\n");
	sl_free(o);

	/* stdin is empty, not the test's */
	const char *cat[] = {"cat", NULL};
	assert_int_equal(run(f, 22, 0, cat).state, SL_EXEC_COMPLETED);
	o = slurp(f, 22, "stdout");
	assert_string_equal(o, "");
	sl_free(o);

	/* an output file that cannot be opened: the job fails with 125 */
	s = (sl_exec_spec){.job_id = 23, .argv = cat, .stdout_path = "no/such/dir/out"};
	submit(f, &s);
	ev = wait_end(f, 23, 5000);
	assert_int_equal(ev.state, SL_EXEC_FAILED);
	assert_int_equal(ev.exit_code, 125);
	assert_non_null(strstr(ev.msg, "no/such/dir/out"));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sort the lines of s in place; returns them joined again. */
static void sort_lines(char *s, char **lines, size_t *n, size_t max)
{
	*n = 0;
	for (char *p = s; *p && *n < max;) {
		char *nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		lines[(*n)++] = p;
		if (!nl)
			break;
		p = nl + 1;
	}
	qsort(lines, *n, sizeof *lines, cmp_str);
}

static void test_env_exact(void **st)
{
	fx *f = *st;
	const char *argv[] = {"env", NULL};
	const char *env[] = {"FOO=bar", "SPACES=a b  c", "EMPTY=", "SUANLI_JOB_ID=999", NULL};
	sl_exec_spec s = {.job_id = 30, .argv = argv, .env = env, .site = "XJ_HAMI",
	                  .cores = 4, .gpus = 1};
	submit(f, &s);
	assert_int_equal(wait_end(f, 30, 5000).state, SL_EXEC_COMPLETED);
	char *out = slurp(f, 30, "stdout"), *lines[32], home[256];
	size_t n;
	sort_lines(out, lines, &n, 32);
	snprintf(home, sizeof home, "HOME=%s/30", f->jobs);
	const char *want[] = {"EMPTY=", "FOO=bar", home, "PATH=/usr/local/bin:/usr/bin:/bin",
	                      "SPACES=a b  c", "SUANLI_CORES=4", "SUANLI_GPUS=1",
	                      "SUANLI_JOB_ID=30", "SUANLI_SITE=XJ_HAMI"};
	assert_int_equal(n, sizeof want / sizeof want[0]);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(lines[i], want[i]);
	sl_free(out);

	/* the spec's PATH and HOME win, and PATH is where the command is looked up */
	const char *env2[] = {"PATH=/nonexistent:/usr/bin", "HOME=/h", NULL};
	const char *echo[] = {"sh", "-c", "echo $PATH $HOME", NULL};
	s = (sl_exec_spec){.job_id = 31, .argv = echo, .env = env2};
	submit(f, &s);
	assert_int_equal(wait_end(f, 31, 5000).state, SL_EXEC_COMPLETED);
	out = slurp(f, 31, "stdout");
	assert_string_equal(out, "/nonexistent:/usr/bin /h\n");
	sl_free(out);
	const char *env3[] = {"PATH=/nonexistent", NULL};
	s = (sl_exec_spec){.job_id = 32, .argv = echo, .env = env3};
	submit(f, &s);
	assert_int_equal(wait_end(f, 32, 5000).exit_code, 127);
}

static void test_workdir(void **st)
{
	fx *f = *st;
	const char *pwd[] = {"pwd", "-P", NULL};
	char want[256], real[PATH_MAX];
	/* default: <jobs>/<id>, created */
	assert_int_equal(run(f, 40, 0, pwd).state, SL_EXEC_COMPLETED);
	char *out = slurp(f, 40, "stdout");
	snprintf(want, sizeof want, "%s/40", f->jobs);
	assert_non_null(realpath(want, real));
	assert_int_equal(strncmp(out, real, strlen(real)), 0);
	assert_string_equal(out + strlen(real), "\n");
	sl_free(out);

	/* explicit: used as is; relative command paths resolve inside it */
	snprintf(want, sizeof want, "%s/mine", f->dir);
	assert_int_equal(mkdir(want, 0755), 0);
	snprintf(real, sizeof real, "%s/tool.sh", want);
	FILE *fp = fopen(real, "w");
	fputs("#!/bin/sh\necho tool ran in \"$(pwd -P)\"\n", fp);
	fclose(fp);
	chmod(real, 0755);
	const char *tool[] = {"./tool.sh", NULL};
	sl_exec_spec s = {.job_id = 41, .argv = tool, .workdir = want};
	submit(f, &s);
	assert_int_equal(wait_end(f, 41, 5000).state, SL_EXEC_COMPLETED);
	snprintf(real, sizeof real, "%s/stdout", want);
	out = slurp(f, 41, real);
	assert_non_null(strstr(out, "tool ran in /"));
	assert_non_null(strstr(out, "/mine\n"));
	sl_free(out);

	/* explicit and missing: the job fails, it is not created */
	snprintf(want, sizeof want, "%s/missing", f->dir);
	s = (sl_exec_spec){.job_id = 42, .argv = pwd, .workdir = want};
	submit(f, &s);
	sl_exec_event ev = wait_end(f, 42, 5000);
	assert_int_equal(ev.state, SL_EXEC_FAILED);
	assert_int_equal(ev.exit_code, 125);
	assert_non_null(strstr(ev.msg, "missing"));
	assert_int_equal(access(want, F_OK), -1);
}

static void test_not_found(void **st)
{
	fx *f = *st;
	const char *nf[] = {"no-such-command-xyz", "arg", NULL};
	sl_exec_event ev = run(f, 50, 0, nf);
	assert_int_equal(ev.state, SL_EXEC_FAILED);
	assert_int_equal(ev.exit_code, 127);
	assert_int_equal(ev.start, ev.end);
	assert_non_null(strstr(ev.msg, "command not found: 'no-such-command-xyz'"));
	char *e = slurp(f, 50, "stderr");
	assert_non_null(strstr(e, "suanli: command not found"));
	sl_free(e);
	assert_false(find(f, 50, 0, NULL)); /* it never ran: no RUNNING event */

	const char *abs[] = {"/no/such/program", NULL};
	ev = run(f, 51, 0, abs);
	assert_int_equal(ev.exit_code, 127);
	assert_non_null(strstr(ev.msg, "No such file or directory"));
	assert_int_equal(sl_exec_count(&f->ex), 0);
}

/* Create <dir>/name holding text with the given mode. */
static void write_file(const char *dir, const char *name, const char *text, mode_t mode)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	assert_int_equal(chmod(path, mode), 0);
}

/* Run argv in dir with env, to its end. */
static sl_exec_event run_in(fx *f, int64_t id, const char *dir, const char *const *argv,
                            const char *const *env)
{
	sl_exec_spec s = {.job_id = id, .argv = argv, .workdir = dir, .env = env};
	submit(f, &s);
	return wait_end(f, id, 5000);
}

static void test_not_executable(void **st)
{
	fx *f = *st;
	char dir[160];
	snprintf(dir, sizeof dir, "%s/bin", f->dir);
	assert_int_equal(mkdir(dir, 0755), 0);
	write_file(dir, "plain", "echo hi\n", 0644);
	write_file(dir, "noshebang", "echo hi\n", 0755);
	write_file(dir, "badinterp", "#!/no/such/interpreter\necho hi\n", 0755);
	const char *plain[] = {"./plain", NULL}, *noshebang[] = {"./noshebang", NULL};
	const char *badinterp[] = {"./badinterp", NULL}, *bare[] = {"plain", NULL};
	const char *dirarg[] = {"/tmp", NULL}, *path_dot[] = {"PATH=.", NULL};

	sl_exec_event ev = run_in(f, 52, dir, plain, NULL);
	assert_int_equal(ev.exit_code, 126);
	assert_non_null(strstr(ev.msg, "Permission denied"));
	assert_int_equal(run_in(f, 53, dir, dirarg, NULL).exit_code, 126);
	ev = run_in(f, 54, dir, noshebang, NULL);
	assert_int_equal(ev.exit_code, 126);
	assert_non_null(strstr(ev.msg, "#!"));
	ev = run_in(f, 55, dir, badinterp, NULL);
	assert_int_equal(ev.exit_code, 127);
	assert_non_null(strstr(ev.msg, "interpreter"));
	ev = run_in(f, 56, dir, bare, path_dot); /* on PATH but not executable */
	assert_int_equal(ev.exit_code, 126);
	assert_non_null(strstr(ev.msg, "not executable"));
	assert_int_equal(sl_exec_count(&f->ex), 0);
}

static void test_time_limit(void **st)
{
	fx *f = *st;
	/* both at once, to keep the test short */
	const char *sleep30[] = {"sleep", "30", NULL};
	const char *stubborn[] = {"trap '' TERM; sleep 30; echo survived", NULL};
	const char *quick[] = {"true", NULL};
	sl_exec_spec a = {.job_id = 60, .argv = sleep30, .time_limit_s = 1};
	sl_exec_spec b = {.job_id = 61, .argv = stubborn, .shell = 1, .time_limit_s = 1};
	sl_exec_spec c = {.job_id = 62, .argv = quick, .time_limit_s = 5};
	int64_t t0 = mono_ms();
	submit(f, &a);
	submit(f, &b);
	submit(f, &c);

	/* SIGTERM at the limit ends it */
	sl_exec_event ev = wait_end(f, 60, 5000);
	int64_t took = mono_ms() - t0;
	assert_int_equal(ev.state, SL_EXEC_TIMEOUT);
	assert_int_equal(ev.signal, SIGTERM);
	assert_true(took >= 950 && took < 1000 + GRACE_MS + 1500);
	assert_string_equal(ev.msg, "time limit of 1 s reached; killed by signal 15 (SIGTERM)");

	/* it ignores SIGTERM: SIGKILL after the grace period */
	ev = wait_end(f, 61, 5000);
	took = mono_ms() - t0;
	assert_int_equal(ev.state, SL_EXEC_TIMEOUT);
	assert_int_equal(ev.signal, SIGKILL);
	assert_true(took >= 1000 + GRACE_MS - 50 && took < 1000 + GRACE_MS + 1500);
	char *o = slurp(f, 61, "stdout");
	assert_string_equal(o, "");
	sl_free(o);

	/* a job that ends in time is not touched */
	assert_int_equal(wait_end(f, 62, 5000).state, SL_EXEC_COMPLETED);
	assert_int_equal(sl_exec_count(&f->ex), 0);
}

static void test_cancel(void **st)
{
	fx *f = *st;
	sl_err err = {0};
	const char *sleep30[] = {"sleep", "30", NULL};
	sl_exec_spec s = {.job_id = 70, .argv = sleep30};
	submit(f, &s);
	pump(f, 0);
	assert_int_equal(sl_exec_count(&f->ex), 1);
	int64_t t0 = mono_ms();
	assert_int_equal(sl_exec_cancel(&f->ex, 70, &err), 0);
	assert_int_equal(sl_exec_cancel(&f->ex, 70, &err), 0); /* idempotent */
	sl_exec_event ev = wait_end(f, 70, 5000);
	assert_true(mono_ms() - t0 < 1000);
	assert_int_equal(ev.state, SL_EXEC_CANCELLED);
	assert_int_equal(ev.signal, SIGTERM);
	assert_string_equal(ev.msg, "cancelled; killed by signal 15 (SIGTERM)");
	assert_int_equal(sl_exec_cancel(&f->ex, 70, &err), SL_ENOTFOUND);
	assert_int_equal(sl_exec_cancel(&f->ex, 12345, &err), SL_ENOTFOUND);
	assert_non_null(strstr(err.msg, "12345"));

	/* cancelled after it ended but before poll saw it: its own outcome stands */
	const char *quick[] = {"true", NULL};
	s = (sl_exec_spec){.job_id = 71, .argv = quick};
	submit(f, &s);
	usleep(300 * 1000);
	assert_int_equal(sl_exec_cancel(&f->ex, 71, &err), 0);
	assert_int_equal(wait_end(f, 71, 5000).state, SL_EXEC_COMPLETED);

	/* a job that exits 0 on SIGTERM is still CANCELLED, with its exit code */
	const char *polite[] = {"trap 'exit 0' TERM; sleep 30 & wait", NULL};
	s = (sl_exec_spec){.job_id = 72, .argv = polite, .shell = 1};
	submit(f, &s);
	usleep(200 * 1000);
	assert_int_equal(sl_exec_cancel(&f->ex, 72, &err), 0);
	ev = wait_end(f, 72, 5000);
	assert_int_equal(ev.state, SL_EXEC_CANCELLED);
	assert_int_equal(ev.exit_code, 0);
}

/* Wait until <workdir of id>/name holds a pid. */
static pid_t read_pid_file(const fx *f, int64_t id, const char *name)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%lld/%s", f->jobs, (long long)id, name);
	for (int i = 0; i < 200; i++) {
		FILE *fp = fopen(path, "r");
		long pid = 0;
		if (fp) {
			if (fscanf(fp, "%ld", &pid) != 1)
				pid = 0;
			fclose(fp);
		}
		if (pid > 0)
			return (pid_t)pid;
		usleep(10 * 1000);
	}
	fail_msg("no pid in %s", path);
	return 0;
}

static void test_cancel_reaches_grandchildren(void **st)
{
	fx *f = *st;
	sl_err err = {0};
	/* a long grace: the stubborn grandchild must go when the leader does,
	 * not after the grace */
	sl_exec_stop(&f->ex);
	exec_open(f, 0, 5000);
	const char *tree[] = {"(trap '' TERM; exec sleep 30) & echo $! > gc.pid; wait", NULL};
	sl_exec_spec s = {.job_id = 80, .argv = tree, .shell = 1};
	submit(f, &s);
	pid_t gc = read_pid_file(f, 80, "gc.pid");
	assert_true(proc_alive(gc));
	int64_t t0 = mono_ms();
	assert_int_equal(sl_exec_cancel(&f->ex, 80, &err), 0);
	sl_exec_event ev = wait_end(f, 80, 8000);
	assert_true(mono_ms() - t0 < 2000);
	assert_int_equal(ev.state, SL_EXEC_CANCELLED);
	for (int i = 0; i < 100 && proc_alive(gc); i++)
		usleep(10 * 1000);
	assert_false(proc_alive(gc));

	/* a leader that exits normally takes its background leftovers with it */
	const char *leave[] = {"sleep 30 & echo $! > bg.pid; exit 0", NULL};
	s = (sl_exec_spec){.job_id = 81, .argv = leave, .shell = 1};
	submit(f, &s);
	assert_int_equal(wait_end(f, 81, 5000).state, SL_EXEC_COMPLETED);
	pid_t bg = read_pid_file(f, 81, "bg.pid");
	for (int i = 0; i < 100 && proc_alive(bg); i++)
		usleep(10 * 1000);
	assert_false(proc_alive(bg));
}

/* A process the executor did not start: `cat` reading a pipe, in its own
 * session when asked.  It ends when *wfd is closed. */
static pid_t spawn_outside(int own_session, int *wfd)
{
	int p[2];
	assert_int_equal(pipe(p), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (own_session)
			setsid();
		dup2(p[0], 0);
		close(p[0]);
		close(p[1]);
		execlp("cat", "cat", (char *)NULL);
		_exit(127);
	}
	close(p[0]);
	*wfd = p[1];
	/* wait until it is cat, in its own session if asked */
	for (int i = 0; i < 500; i++) {
		char path[64], comm[32] = "";
		snprintf(path, sizeof path, "/proc/%d/comm", (int)pid);
		FILE *fp = fopen(path, "r");
		if (fp) {
			if (!fgets(comm, sizeof comm, fp))
				comm[0] = '\0';
			fclose(fp);
		}
		if (strcmp(comm, "cat\n") == 0 &&
		    (!own_session || proc_field(pid, 5) == (unsigned long long)pid))
			return pid;
		usleep(2000);
	}
	fail_msg("outside process %d did not start", (int)pid);
	return 0;
}

static void reap(pid_t pid, int wfd, int *status)
{
	if (wfd >= 0)
		close(wfd);
	assert_int_equal(waitpid(pid, status, 0), pid);
}

static void test_adopt_outside_process(void **st)
{
	fx *f = *st;
	sl_err err = {0};
	char handle[64];
	int wfd, status;
	pid_t pid = spawn_outside(1, &wfd);
	snprintf(handle, sizeof handle, "%d:%llu", (int)pid, proc_field(pid, 22));
	sl_exec_spec s = {.job_id = 90};
	int64_t now = sl_clock_now(&f->clock);
	assert_int_equal(sl_exec_adopt(&f->ex, &s, handle, now, &err), 0);
	assert_int_equal(sl_exec_adopt(&f->ex, &s, handle, now, &err), SL_EEXIST);
	assert_int_equal(sl_exec_count(&f->ex), 1);
	pump(f, 100);
	assert_false(find(f, 90, 1, NULL)); /* alive: nothing to report */
	close(wfd);                         /* now it ends */
	sl_exec_event ev = wait_end(f, 90, 5000);
	assert_int_equal(ev.state, SL_EXEC_ENDED);
	assert_int_equal(ev.exit_code, -1);
	assert_int_equal(ev.signal, 0);
	assert_int_equal(ev.start, now);
	assert_true(ev.end >= now);
	assert_string_equal(ev.handle, handle);
	assert_non_null(strstr(ev.msg, "exit status unknown"));
	assert_false(find(f, 90, 0, NULL)); /* no RUNNING event for an adopted job */
	reap(pid, -1, &status); /* still the test's to reap */
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	/* gone */
	assert_int_equal(sl_exec_adopt(&f->ex, &s, handle, now, &err), SL_ENOTFOUND);
	/* the pid now names a process that started at another time */
	pid = spawn_outside(1, &wfd);
	snprintf(handle, sizeof handle, "%d:%llu", (int)pid, proc_field(pid, 22) + 1);
	assert_int_equal(sl_exec_adopt(&f->ex, &s, handle, now, &err), SL_ENOTFOUND);
	assert_non_null(strstr(err.msg, "another process"));
	reap(pid, wfd, &status);
	/* not the leader of its own group: signals to its group could hit others */
	pid = spawn_outside(0, &wfd);
	snprintf(handle, sizeof handle, "%d:%llu", (int)pid, proc_field(pid, 22));
	assert_int_equal(sl_exec_adopt(&f->ex, &s, handle, now, &err), SL_ENOTFOUND);
	assert_non_null(strstr(err.msg, "process group"));
	reap(pid, wfd, &status);
	const char *bad[] = {"", "12", "12:", ":5", "x:5", "12:5x", "-3:5", "0:5", "12:-5",
	                     "99999999999:5", NULL};
	for (int i = 0; bad[i]; i++)
		assert_int_equal(sl_exec_adopt(&f->ex, &s, bad[i], now, &err), SL_EINVAL);
	assert_int_equal(sl_exec_adopt(&f->ex, &s, NULL, now, &err), SL_EINVAL);
	assert_int_equal(sl_exec_count(&f->ex), 0);
}

/* Start a job under one executor, stop it (the service "restarts"), adopt it
 * under a new one: its end, cancel and time limit still work. */
static void test_adopt_after_restart(void **st)
{
	fx *f = *st;
	sl_err err = {0};
	int scan = sl_exec_fd(&f->ex) < 0;
	const char *shortjob[] = {"while [ ! -e go ]; do sleep 0.02; done", NULL};
	const char *longjob[] = {"sleep", "30", NULL};
	sl_exec_spec a = {.job_id = 100, .argv = shortjob, .shell = 1};
	sl_exec_spec b = {.job_id = 101, .argv = longjob};
	sl_exec_spec c = {.job_id = 102, .argv = longjob};
	submit(f, &a);
	submit(f, &b);
	submit(f, &c);
	pump(f, 0);
	sl_exec_event ra, rb, rc;
	assert_true(find(f, 100, 0, &ra) && find(f, 101, 0, &rb) && find(f, 102, 0, &rc));
	sl_exec_stop(&f->ex); /* the jobs keep running */
	pid_t pa = (pid_t)strtol(ra.handle, NULL, 10), pb = (pid_t)strtol(rb.handle, NULL, 10);
	pid_t pc = (pid_t)strtol(rc.handle, NULL, 10);
	assert_true(proc_alive(pb) && proc_alive(pc));

	exec_open(f, scan, GRACE_MS);
	int64_t now = sl_clock_now(&f->clock);
	c.time_limit_s = 10; /* started 20 s ago by its record: already over */
	assert_int_equal(sl_exec_adopt(&f->ex, &a, ra.handle, ra.start, &err), 0);
	assert_int_equal(sl_exec_adopt(&f->ex, &b, rb.handle, rb.start, &err), 0);
	assert_int_equal(sl_exec_adopt(&f->ex, &c, rc.handle, now - 20, &err), 0);
	assert_int_equal(sl_exec_cancel(&f->ex, 101, &err), 0);
	char go[160];
	snprintf(go, sizeof go, "%s/100/go", f->jobs);
	fclose(fopen(go, "w")); /* job 100 may end now */
	sl_exec_event ea = wait_end(f, 100, 5000);
	sl_exec_event eb = wait_end(f, 101, 5000);
	sl_exec_event ec = wait_end(f, 102, 5000);
	assert_int_equal(ea.state, SL_EXEC_ENDED);
	assert_int_equal(ea.start, ra.start);
	assert_int_equal(eb.state, SL_EXEC_CANCELLED);
	assert_int_equal(eb.exit_code, -1);
	assert_int_equal(ec.state, SL_EXEC_TIMEOUT);
	assert_non_null(strstr(ec.msg, "time limit of 10 s"));
	/* they are the test process's children: reap them and check how they ended */
	int sa, sb, sc;
	assert_int_equal(waitpid(pa, &sa, 0), pa);
	assert_int_equal(waitpid(pb, &sb, 0), pb);
	assert_int_equal(waitpid(pc, &sc, 0), pc);
	assert_true(WIFEXITED(sa) && WEXITSTATUS(sa) == 0);
	assert_true(WIFSIGNALED(sb) && WTERMSIG(sb) == SIGTERM);
	assert_true(WIFSIGNALED(sc) && WTERMSIG(sc) == SIGTERM);
}

static void test_many_concurrent(void **st)
{
	fx *f = *st;
	enum { N = 200 };
	const char *t[] = {"true", NULL};
	for (int i = 0; i < N; i++) {
		sl_exec_spec s = {.job_id = 1000 + i, .argv = t};
		submit(f, &s);
	}
	int64_t deadline = mono_ms() + 20000;
	size_t ended = 0;
	while (ended < N && mono_ms() < deadline) {
		pump(f, 50);
		ended = 0;
		for (size_t i = 0; i < f->evs.n; i++)
			ended += sl_exec_state_terminal(f->evs.v[i].state);
	}
	int running[N] = {0}, done[N] = {0};
	for (size_t i = 0; i < f->evs.n; i++) {
		sl_exec_event *e = &f->evs.v[i];
		assert_true(e->job_id >= 1000 && e->job_id < 1000 + N);
		if (e->state == SL_EXEC_RUNNING) {
			assert_int_equal(done[e->job_id - 1000], 0); /* RUNNING before the end */
			running[e->job_id - 1000]++;
		} else {
			assert_int_equal(e->state, SL_EXEC_COMPLETED);
			done[e->job_id - 1000]++;
		}
	}
	for (int i = 0; i < N; i++) {
		assert_int_equal(running[i], 1);
		assert_int_equal(done[i], 1);
	}
	pump(f, 100); /* nothing more comes */
	assert_int_equal(f->evs.n, 2 * N);
	assert_int_equal(sl_exec_count(&f->ex), 0);
	assert_int_equal(sl_exec_timeout_ms(&f->ex), -1); /* nothing left to wait for */
}

/* With a manual clock, time limits follow the injected clock, not the wall. */
static void test_injected_clock(void **st)
{
	(void)st;
	fx f = {0};
	sl_clock_manual m;
	sl_err err = {0};
	sl_clock_manual_init(&m, 1000);
	snprintf(f.dir, sizeof f.dir, "/tmp/sl-exec-XXXXXX");
	assert_non_null(mkdtemp(f.dir));
	snprintf(f.jobs, sizeof f.jobs, "%s/jobs", f.dir);
	f.clock = m.clock;
	exec_open(&f, 0, GRACE_MS);
	const char *sleep30[] = {"sleep", "30", NULL};
	sl_exec_spec s = {.job_id = 7, .argv = sleep30, .time_limit_s = 5};
	submit(&f, &s);
	pump(&f, 0);
	assert_int_equal(sl_exec_timeout_ms(&f.ex), 5000);
	m.t = 1003;
	assert_int_equal(sl_exec_timeout_ms(&f.ex), 2000);
	pump(&f, 100); /* real time passes, injected time does not: still running */
	assert_false(find(&f, 7, 1, NULL));
	m.t = 1006;
	assert_int_equal(sl_exec_timeout_ms(&f.ex), 0);
	sl_exec_event ev = wait_end(&f, 7, 5000);
	assert_int_equal(ev.state, SL_EXEC_TIMEOUT);
	assert_int_equal(ev.start, 1000);
	assert_int_equal(ev.end, 1006);
	assert_int_equal(sl_exec_cancel(&f.ex, 7, &err), SL_ENOTFOUND);
	assert_int_equal(fx_release(&f), 0);
}

static void test_bad_spec(void **st)
{
	fx *f = *st;
	sl_err err = {0};
	const char *ok[] = {"true", NULL}, *empty[] = {"", NULL}, *none[] = {NULL};
	struct {
		sl_exec_spec s;
		const char *want;
	} bad[] = {
		{{.job_id = 0, .argv = ok}, "job_id"},
		{{.job_id = 1, .argv = NULL}, "command"},
		{{.job_id = 1, .argv = none}, "command"},
		{{.job_id = 1, .argv = empty}, "command"},
		{{.job_id = 1, .argv = ok, .time_limit_s = -1}, "time_limit_s"},
		{{.job_id = 1, .argv = ok, .cores = -2}, "cores"},
		{{.job_id = 1, .argv = ok, .workdir = ""}, "workdir"},
		{{.job_id = 1, .argv = ok, .env = (const char *[]){"NOEQUALS", NULL}}, "env"},
		{{.job_id = 1, .argv = ok, .env = (const char *[]){"1X=a", NULL}}, "env"},
		{{.job_id = 1, .argv = ok, .env = (const char *[]){"=a", NULL}}, "env"},
		{{.job_id = 1, .argv = ok, .env = (const char *[]){"A-B=a", NULL}}, "env"},
		{{.job_id = 1, .argv = ok, .env = (const char *[]){"A=1", "B=2", "A=3", NULL}}, "env"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		sl_err_clear(&err);
		assert_int_equal(sl_exec_submit(&f->ex, &bad[i].s, &err), SL_EINVAL);
		assert_string_equal(err.origin, bad[i].want);
	}
	assert_non_null(strstr(err.msg, "env[2]: A is already set by env[0]"));
	assert_int_equal(sl_exec_count(&f->ex), 0);
	pump(f, 0);
	assert_int_equal(f->evs.n, 0); /* rejected specs leave no trace */

	/* a live id cannot be reused; an ended one can */
	const char *sleep5[] = {"sleep", "5", NULL};
	sl_exec_spec s = {.job_id = 5, .argv = sleep5};
	submit(f, &s);
	assert_int_equal(sl_exec_submit(&f->ex, &s, &err), SL_EEXIST);
	assert_int_equal(sl_exec_cancel(&f->ex, 5, &err), 0);
	wait_end(f, 5, 5000);
	s.argv = ok;
	submit(f, &s);
	size_t ends = 0;
	for (int64_t t0 = mono_ms(); ends < 2 && mono_ms() - t0 < 5000;) {
		pump(f, 50);
		ends = 0;
		for (size_t i = 0; i < f->evs.n; i++)
			ends += f->evs.v[i].job_id == 5 && sl_exec_state_terminal(f->evs.v[i].state);
	}
	assert_int_equal(ends, 2);
	assert_int_equal(f->evs.v[f->evs.n - 1].state, SL_EXEC_COMPLETED);

}

static void test_bad_config(void **st)
{
	fx *f = *st;
	sl_err err = {0};
	/* bad configurations */
	sl_exec ex = {0};
	sl_exec_config cfg = {.clock = &f->clock, .jobs_dir = f->jobs};
	cfg.clock = NULL;
	assert_int_equal(sl_exec_start(&ex, &sl_exec_local, &cfg, &err), SL_EINVAL);
	cfg.clock = &f->clock;
	cfg.jobs_dir = NULL;
	assert_int_equal(sl_exec_start(&ex, &sl_exec_local, &cfg, &err), SL_EINVAL);
	cfg.jobs_dir = f->jobs;
	cfg.grace_ms = -1;
	assert_int_equal(sl_exec_start(&ex, &sl_exec_local, &cfg, &err), SL_EINVAL);
	cfg.grace_ms = 0;
	cfg.options = (const char *[]){"url=http://x", NULL};
	assert_int_equal(sl_exec_start(&ex, &sl_exec_local, &cfg, &err), SL_EINVAL);
	assert_non_null(strstr(err.msg, "url=http://x"));
	cfg.options = NULL;
	cfg.jobs_dir = "/proc/version/jobs";
	assert_int_equal(sl_exec_start(&ex, &sl_exec_local, &cfg, &err), SL_EIO);
	assert_null(ex.ops);

	assert_ptr_equal(sl_exec_find("local"), &sl_exec_local);
	assert_null(sl_exec_find("pbs"));
	assert_string_equal(sl_exec_state_name(SL_EXEC_TIMEOUT), "timeout");
	assert_string_equal(sl_exec_state_name(SL_EXEC_ENDED), "ended");
}

/* The job starts clean: its own session, no inherited descriptors, signal
 * mask or ignored signals (the test process has all three). */
static void test_clean_process(void **st)
{
	fx *f = *st;
	sigset_t usr2, old;
	sigemptyset(&usr2);
	sigaddset(&usr2, SIGUSR2);
	sigprocmask(SIG_BLOCK, &usr2, &old);
	int leak = open("/dev/null", O_RDONLY); /* no O_CLOEXEC */
	assert_true(leak >= 3);
	const char *sig[] = {"grep", "-E", "^Sig(Blk|Ign)", "/proc/self/status", NULL};
	const char *fds[] = {"ls", "/proc/self/fd", NULL};
	const char *ids[] = {"echo $$; cut -d' ' -f5,6 /proc/$$/stat", NULL};
	assert_int_equal(run(f, 110, 0, sig).state, SL_EXEC_COMPLETED);
	assert_int_equal(run(f, 111, 0, fds).state, SL_EXEC_COMPLETED);
	assert_int_equal(run(f, 112, 1, ids).state, SL_EXEC_COMPLETED);
	close(leak);
	sigprocmask(SIG_SETMASK, &old, NULL);
	char *o = slurp(f, 110, "stdout");
	unsigned long long blk, ign;
	assert_int_equal(sscanf(o, "SigBlk: %llx SigIgn: %llx", &blk, &ign), 2);
	assert_int_equal(blk, 0);
	/* glibc's posix_spawn leaves its two internal signals (32, 33: below
	 * SIGRTMIN, unusable by programs) ignored rather than run the parent's
	 * handlers; every signal a program can use starts at its default */
	assert_int_equal(ign & ~(3ULL << 31), 0);
	sl_free(o);
	o = slurp(f, 111, "stdout");
	assert_string_equal(o, "0\n1\n2\n3\n"); /* 3: ls reading the directory */
	sl_free(o);
	o = slurp(f, 112, "stdout");
	long pid, pgrp, sid;
	assert_int_equal(sscanf(o, "%ld %ld %ld", &pid, &pgrp, &sid), 3);
	assert_int_equal(pgrp, pid);
	assert_int_equal(sid, pid);
	sl_free(o);
}

#define BOTH(t) cmocka_unit_test_setup_teardown(t, setup_pidfd, teardown), \
                cmocka_unit_test_setup_teardown(t, setup_scan, teardown)

int main(void)
{
	/* a stray SIGPIPE or inherited SIG_IGN must not leak into the jobs */
	signal(SIGPIPE, SIG_IGN);
	const struct CMUnitTest tests[] = {
		BOTH(test_exit_codes),
		cmocka_unit_test_setup_teardown(test_argv_verbatim, setup_pidfd, teardown),
		cmocka_unit_test_setup_teardown(test_clean_process, setup_pidfd, teardown),
		cmocka_unit_test_setup_teardown(test_output_files, setup_pidfd, teardown),
		cmocka_unit_test_setup_teardown(test_env_exact, setup_pidfd, teardown),
		cmocka_unit_test_setup_teardown(test_workdir, setup_pidfd, teardown),
		cmocka_unit_test_setup_teardown(test_not_found, setup_pidfd, teardown),
		cmocka_unit_test_setup_teardown(test_not_executable, setup_pidfd, teardown),
		BOTH(test_time_limit),
		BOTH(test_cancel),
		BOTH(test_cancel_reaches_grandchildren),
		BOTH(test_adopt_outside_process),
		BOTH(test_adopt_after_restart),
		BOTH(test_many_concurrent),
		cmocka_unit_test(test_injected_clock),
		cmocka_unit_test_setup_teardown(test_bad_spec, setup_pidfd, teardown),
		cmocka_unit_test_setup_teardown(test_bad_config, setup_pidfd, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
