/*
 * test_slurm_live.c — the Slurm REST client against two real Slurm 22.05
 * clusters (started by tests/integration/slurm_rest.sh with
 * scripts/slurm-cluster.sh).  It reads, for X in A and B:
 *   SUANLI_SLURM_X_URL, SUANLI_SLURM_X_TOKEN (token file), SUANLI_SLURM_X_SOCKET,
 *   SUANLI_SLURM_X_PARTITION, SUANLI_SLURM_X_DIR (the cluster's state dir)
 * Without them (the plain unit run) every live case is skipped with a
 * message; the configuration check still runs.  Cluster A has 2 CPUs, B has
 * 4 CPUs and 2 (fake) GPUs.  The last case stops B's slurmctld and starts it
 * again with the script.
 */
#include "testutil.h"

#include <inttypes.h>
#include <time.h>
#include <unistd.h>

#include "core/mem.h"
#include "serve/slurm_rest.h"
#include "slurmlive.h"


/* A half-set environment is a broken test setup, not a reason to skip. */
static void test_live_config(void **st)
{
	(void)st;
	assert_int_equal(load_env(&A, "A"), 0);
	assert_int_equal(load_env(&B, "B"), 0);
	assert_int_equal(!!A.url, !!B.url);
	have_live = A.url != NULL;
	if (!have_live)
		print_message("SUANLI_SLURM_A_URL not set: live Slurm cases are skipped\n");
}

static sl_slurm *client(const live *l, const char *name, const char *token_file)
{
	sl_slurm_conf conf = {.cluster = name, .url = l->url, .token_file = token_file,
	                      .timeout_ms = 30000};
	sl_slurm *c = NULL;
	sl_err e = {0};
	if (sl_slurm_new(&conf, &c, &e) != 0)
		fail_msg("%s: %s", e.origin, e.msg);
	return c;
}

static sl_slurm *socket_client(const live *l, const char *name)
{
	sl_slurm_conf conf = {.cluster = name, .unix_socket = l->sock};
	sl_slurm *c = NULL;
	sl_err e = {0};
	if (sl_slurm_new(&conf, &c, &e) != 0)
		fail_msg("%s: %s", e.origin, e.msg);
	return c;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* Poll until the job reaches want (or any terminal state when want is
 * SL_SLURM_UNKNOWN); fails after limit_s. */
static sl_slurm_job wait_job(sl_slurm *c, int64_t id, sl_slurm_state want, int limit_s)
{
	sl_slurm_job j;
	sl_err e = {0};
	for (int i = 0; i < limit_s * 5; i++) {
		if (sl_slurm_get_job(c, id, &j, &e) != 0)
			fail_msg("get job %" PRId64 ": %s", id, e.msg);
		if (j.state == want || (want == SL_SLURM_UNKNOWN && sl_slurm_state_terminal(j.state)))
			return j;
		if (sl_slurm_state_terminal(j.state))
			fail_msg("job %" PRId64 " ended %s, wanted %s", id, j.state_name,
			         sl_slurm_state_name(want));
		sleep_ms(200);
	}
	fail_msg("job %" PRId64 " still %s after %d s", id, j.state_name, limit_s);
	return j;
}

static int64_t submit(sl_slurm *c, const live *l, const char *name, const char *script,
                      int64_t limit_s, int cpus, int gpus)
{
	char out[512];
	snprintf(out, sizeof out, "%s/jobs/%s-%%j.out", l->dir, name);
	const char *env[] = {"SUANLI_TEST=live", NULL};
	char cwd[512];
	snprintf(cwd, sizeof cwd, "%s/jobs", l->dir);
	sl_slurm_submit s = {.script = script, .name = name, .env = env, .cwd = cwd,
	                     .stdout_path = out, .partition = l->partition, .comment = "suanli:live",
	                     .time_limit_s = limit_s, .cpus = cpus, .gpus = gpus};
	int64_t id = 0;
	sl_err e = {0};
	if (sl_slurm_submit_job(c, &s, &id, &e) != 0)
		fail_msg("submit %s: %s: %s", name, e.origin, e.msg);
	assert_true(id > 0);
	return id;
}

/* The job's output file (static buffer). */
static const char *output_of(const live *l, const char *name, int64_t id)
{
	static char buf[1024];
	char path[600];
	snprintf(path, sizeof path, "%s/jobs/%s-%" PRId64 ".out", l->dir, name, id);
	FILE *f = fopen(path, "r");
	if (!f)
		fail_msg("no output file %s", path);
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Wait until the job's output file holds prefix: Slurm reports RUNNING when
 * it launches the job, a moment before the script's first line runs. */
static void wait_output(const live *l, const char *name, int64_t id, const char *prefix)
{
	char path[600];
	snprintf(path, sizeof path, "%s/jobs/%s-%" PRId64 ".out", l->dir, name, id);
	for (int i = 0; i < 100; i++) {
		FILE *f = fopen(path, "r");
		char buf[64] = "";
		if (f) {
			size_t n = fread(buf, 1, sizeof buf - 1, f);
			buf[n] = '\0';
			fclose(f);
			if (strncmp(buf, prefix, strlen(prefix)) == 0)
				return;
		}
		sleep_ms(100);
	}
	fail_msg("%s never began with \"%s\"", path, prefix);
}

static void test_ping(void **st)
{
	(void)st;
	NEED_LIVE();
	sl_err e = {0};
	sl_slurm *a = client(&A, "suanli-a", A.token), *b = client(&B, "suanli-b", B.token);
	sl_slurm *u = socket_client(&A, "suanli-a-unix");
	if (sl_slurm_ping(a, &e) || sl_slurm_ping(b, &e) || sl_slurm_ping(u, &e))
		fail_msg("%s: %s", e.origin, e.msg);
	assert_int_equal(sl_slurm_fault_of_last(a), SL_SLURM_OK);
	if (sl_slurm_check(a, &e) || sl_slurm_check(u, &e))
		fail_msg("check: %s", e.msg);
	sl_slurm_diag d;
	if (sl_slurm_get_diag(b, &d, &e))
		fail_msg("diag: %s", e.msg);
	assert_true(d.server_time_s > 1700000000 && d.server_threads >= 1);
	sl_slurm_free(a);
	sl_slurm_free(b);
	sl_slurm_free(u);
}

/* exit 0 and exit 3, each on its own cluster, with the environment we gave */
static void test_exit_codes(void **st)
{
	(void)st;
	NEED_LIVE();
	sl_slurm *a = client(&A, "suanli-a", A.token), *b = client(&B, "suanli-b", B.token);
	int64_t ok = submit(a, &A, "ok",
	                    "#!/bin/sh\necho \"$SLURM_CLUSTER_NAME $SUANLI_TEST $(pwd)\"\n", 60, 1, 0);
	int64_t three = submit(b, &B, "three", "#!/bin/sh\necho on $SLURM_CLUSTER_NAME\nexit 3\n",
	                       60, 1, 0);
	sl_slurm_job j = wait_job(a, ok, SL_SLURM_COMPLETED, 60);
	assert_int_equal(j.exit_code, 0);
	assert_int_equal(j.signal, 0);
	assert_true(j.start_s > 0 && j.end_s >= j.start_s && j.submit_s <= j.start_s);
	assert_string_equal(j.name, "ok");
	assert_string_equal(j.comment, "suanli:live");
	assert_int_equal(j.time_limit_s, 60);
	char want[700];
	snprintf(want, sizeof want, "suanli-a live %s/jobs\n", A.dir);
	assert_string_equal(output_of(&A, "ok", ok), want);

	j = wait_job(b, three, SL_SLURM_FAILED, 60);
	assert_int_equal(j.exit_code, 3);
	assert_string_equal(j.reason, "NonZeroExitCode");
	assert_string_equal(output_of(&B, "three", three), "on suanli-b\n");
	sl_slurm_free(a);
	sl_slurm_free(b);
}

/* argv with quotes, spaces and globs arrives word for word */
static void test_argv_script(void **st)
{
	(void)st;
	NEED_LIVE();
	sl_slurm *a = client(&A, "suanli-a", A.token);
	const char *argv[] = {"printf", "<%s>", "it's", "a b", "*", "$HOME", NULL};
	char *script = NULL;
	assert_int_equal(sl_slurm_script_from_argv(argv, 0, &script, NULL), 0);
	int64_t id = submit(a, &A, "argv", script, 60, 1, 0);
	sl_free(script);
	wait_job(a, id, SL_SLURM_COMPLETED, 60);
	assert_string_equal(output_of(&A, "argv", id), "<it's><a b><*><$HOME>");
	sl_slurm_free(a);
}

/* cancel a running job; cancelling it again is harmless; capacity sees it */
static void test_cancel_and_capacity(void **st)
{
	(void)st;
	NEED_LIVE();
	sl_err e = {0};
	sl_slurm *a = client(&A, "suanli-a", A.token);
	int64_t id = submit(a, &A, "sleeper", "#!/bin/sh\necho started\nexec sleep 300\n", 0, 1, 0);
	sl_slurm_job j = wait_job(a, id, SL_SLURM_RUNNING, 60);
	wait_output(&A, "sleeper", id, "started\n");
	assert_true(j.start_s > 0);
	assert_int_equal(j.end_s, 0);
	assert_int_equal(j.exit_code, -1);

	sl_slurm_capacity cap;
	if (sl_slurm_get_capacity(a, A.partition, &cap, &e))
		fail_msg("%s", e.msg);
	assert_int_equal(cap.nodes_usable, 1);
	assert_int_equal(cap.cpus, 2);
	assert_int_equal(cap.cpus_alloc, 1);

	if (sl_slurm_cancel_job(a, id, &e))
		fail_msg("%s", e.msg);
	j = wait_job(a, id, SL_SLURM_CANCELLED, 30);
	assert_true(j.end_s >= j.start_s);
	assert_int_equal(j.signal, 15);
	if (sl_slurm_cancel_job(a, id, &e))
		fail_msg("second cancel: %s", e.msg);

	sl_slurm_jobs js = {0};
	int changed = -1;
	if (sl_slurm_list_jobs(a, 0, &js, &changed, &e))
		fail_msg("%s", e.msg);
	assert_int_equal(changed, 1);
	int seen = 0;
	for (size_t i = 0; i < js.n; i++)
		seen += js.v[i].job_id == id && js.v[i].state == SL_SLURM_CANCELLED;
	assert_int_equal(seen, 1);
	sl_vec_free(&js);
	sl_slurm_free(a);
}

/* a GPU job on B holds one of its two GPUs */
static void test_gpus(void **st)
{
	(void)st;
	NEED_LIVE();
	sl_err e = {0};
	sl_slurm *b = client(&B, "suanli-b", B.token);
	int64_t id = submit(b, &B, "gpu", "#!/bin/sh\necho \"$CUDA_VISIBLE_DEVICES\"\nsleep 300\n", 0,
	                    1, 1);
	sl_slurm_job j = wait_job(b, id, SL_SLURM_RUNNING, 60);
	assert_int_equal(j.gpus, 1);
	wait_output(&B, "gpu", id, "0\n");
	sl_slurm_capacity cap;
	if (sl_slurm_get_capacity(b, NULL, &cap, &e))
		fail_msg("%s", e.msg);
	assert_int_equal(cap.gpus, 2);
	assert_int_equal(cap.gpus_alloc, 1);
	assert_int_equal(cap.cpus, 4);
	assert_true(cap.cpus_alloc >= 1);
	assert_int_equal(sl_slurm_cancel_job(b, id, &e), 0);
	wait_job(b, id, SL_SLURM_CANCELLED, 30);
	assert_int_equal(strncmp(output_of(&B, "gpu", id), "0\n", 2), 0); /* then Slurm's cancel note */
	sl_slurm_free(b);
}

/* what Slurm refuses: unknown job, unknown partition */
static void test_refusals(void **st)
{
	(void)st;
	NEED_LIVE();
	sl_err e = {0};
	sl_slurm *a = client(&A, "suanli-a", A.token);
	sl_slurm_job j;
	assert_int_equal(sl_slurm_get_job(a, 99999999, &j, &e), SL_ENOTFOUND);
	assert_int_equal(sl_slurm_fault_of_last(a), SL_SLURM_NO_JOB);
	assert_string_equal(e.origin, "suanli-a");
	sl_slurm_submit s = {.script = "#!/bin/sh\ntrue\n", .cwd = "/tmp", .partition = "no-such"};
	int64_t id = 0;
	assert_int_equal(sl_slurm_submit_job(a, &s, &id, &e), SL_EINVAL);
	assert_int_equal(sl_slurm_fault_of_last(a), SL_SLURM_REJECTED);
	assert_non_null(strstr(e.msg, "Invalid partition name specified"));
	assert_int_equal(id, 0);
	sl_slurm_free(a);
}

/* B's token on A: a clear authentication error, for reads and writes */
static void test_bad_token(void **st)
{
	(void)st;
	NEED_LIVE();
	sl_err e = {0};
	sl_slurm *a = client(&A, "suanli-a", B.token);
	assert_int_equal(sl_slurm_ping(a, &e), SL_EIO);
	assert_int_equal(sl_slurm_fault_of_last(a), SL_SLURM_AUTH);
	assert_string_equal(e.origin, "suanli-a");
	assert_non_null(strstr(e.msg, "authentication failed"));
	assert_non_null(strstr(e.msg, "check the token in"));
	print_message("bad token: %s: %s\n", e.origin, e.msg);
	sl_slurm_submit s = {.script = "#!/bin/sh\ntrue\n", .cwd = "/tmp"};
	int64_t id = 0;
	assert_int_equal(sl_slurm_submit_job(a, &s, &id, &e), SL_EIO);
	assert_int_equal(sl_slurm_fault_of_last(a), SL_SLURM_AUTH);
	sl_slurm_free(a);
}

static void run_script(const char *verb, const live *l, const char *name, int base)
{
	char cmd[1024];
	const char *script = getenv("SUANLI_SLURM_SCRIPT");
	if (!script)
		script = "scripts/slurm-cluster.sh";
	if (base)
		snprintf(cmd, sizeof cmd, "%s %s %s %d %s >/dev/null", script, verb, name, base, l->dir);
	else
		snprintf(cmd, sizeof cmd, "%s %s %s >/dev/null", script, verb, l->dir);
	if (system(cmd) != 0)
		fail_msg("failed: %s", cmd);
}

/* B's controller stops: B is reported down, A is untouched; then B comes back */
static void test_ctld_down(void **st)
{
	(void)st;
	NEED_LIVE();
	sl_err e = {0};
	const char *base = getenv("SUANLI_SLURM_B_BASEPORT");
	assert_non_null(base);
	run_script("stop-ctld", &B, NULL, 0);
	sl_slurm *b = client(&B, "suanli-b", B.token), *a = client(&A, "suanli-a", A.token);
	assert_int_equal(sl_slurm_ping(b, &e), SL_EIO);
	assert_int_equal(sl_slurm_fault_of_last(b), SL_SLURM_CTLD_DOWN);
	print_message("controller down: %s: %s\n", e.origin, e.msg);
	assert_string_equal(e.origin, "suanli-b");
	sl_slurm_submit s = {.script = "#!/bin/sh\ntrue\n", .cwd = "/tmp"};
	int64_t id = 0;
	assert_int_equal(sl_slurm_submit_job(b, &s, &id, &e), SL_EIO);
	assert_int_equal(sl_slurm_fault_of_last(b), SL_SLURM_CTLD_DOWN);
	assert_non_null(strstr(e.msg, "Unable to contact slurm controller"));
	assert_int_equal(sl_slurm_ping(a, &e), 0);

	run_script("up", &B, "suanli-b", (int)strtol(base, NULL, 10));
	if (sl_slurm_ping(b, &e))
		fail_msg("after restart: %s", e.msg);
	sl_slurm_free(a);
	sl_slurm_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_live_config),  cmocka_unit_test(test_ping),
		cmocka_unit_test(test_exit_codes),   cmocka_unit_test(test_argv_script),
		cmocka_unit_test(test_cancel_and_capacity), cmocka_unit_test(test_gpus),
		cmocka_unit_test(test_refusals),     cmocka_unit_test(test_bad_token),
		cmocka_unit_test(test_ctld_down),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
