/*
 * test_slurm.c — the slurmrestd v0.0.38 mapping (slurm_json) on replies
 * recorded from a real Slurm 22.05 cluster (tests/fixtures/slurm/, file
 * names carry the HTTP status), the submit body and argv scripts, and the
 * REST client's offline behaviour (token checks, unreachable server).
 * Live calls against real clusters are in test_slurm_live.c.
 */
#include "testutil.h"

#include <jansson.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/mem.h"
#include "serve/slurm_json.h"
#include "serve/slurm_rest.h"

/* The whole fixture file, NUL-terminated; *len its size. */
static char *fixture(const char *name, size_t *len)
{
	char path[256];
	snprintf(path, sizeof path, FIXTURE("slurm/%s"), name);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = sl_malloc((size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static const sl_slurm_job *find_job(const sl_slurm_jobs *js, int64_t id)
{
	for (size_t i = 0; i < js->n; i++)
		if (js->v[i].job_id == id)
			return &js->v[i];
	fail_msg("job %lld not in the list", (long long)id);
	return NULL;
}

static void test_states_and_wait_status(void **st)
{
	(void)st;
	assert_int_equal(sl_slurm_state_parse("PENDING"), SL_SLURM_PENDING);
	assert_int_equal(sl_slurm_state_parse("REQUEUE_HOLD"), SL_SLURM_PENDING);
	assert_int_equal(sl_slurm_state_parse("COMPLETING"), SL_SLURM_RUNNING);
	assert_int_equal(sl_slurm_state_parse("CONFIGURING"), SL_SLURM_RUNNING);
	assert_int_equal(sl_slurm_state_parse("STOPPED"), SL_SLURM_SUSPENDED);
	assert_int_equal(sl_slurm_state_parse("NODE_FAIL"), SL_SLURM_NODE_FAIL);
	assert_int_equal(sl_slurm_state_parse("OUT_OF_MEMORY"), SL_SLURM_OUT_OF_MEMORY);
	assert_int_equal(sl_slurm_state_parse("REVOKED"), SL_SLURM_CANCELLED);
	assert_int_equal(sl_slurm_state_parse("PREEMPTED"), SL_SLURM_PREEMPTED);
	assert_int_equal(sl_slurm_state_parse("running"), SL_SLURM_UNKNOWN); /* case matters */
	assert_int_equal(sl_slurm_state_parse("WARP_DRIVE"), SL_SLURM_UNKNOWN);
	assert_int_equal(sl_slurm_state_parse(NULL), SL_SLURM_UNKNOWN);
	assert_false(sl_slurm_state_terminal(SL_SLURM_SUSPENDED));
	assert_true(sl_slurm_state_terminal(SL_SLURM_COMPLETED));
	assert_true(sl_slurm_state_terminal(SL_SLURM_OUT_OF_MEMORY));
	assert_string_equal(sl_slurm_state_name(SL_SLURM_NODE_FAIL), "node_fail");

	int code, sig;
	sl_slurm_wait_status(0, &code, &sig);
	assert_true(code == 0 && sig == 0);
	sl_slurm_wait_status(768, &code, &sig); /* exit 3 */
	assert_true(code == 3 && sig == 0);
	sl_slurm_wait_status(255 << 8, &code, &sig);
	assert_true(code == 255 && sig == 0);
	sl_slurm_wait_status(9, &code, &sig); /* SIGKILL */
	assert_true(code == -1 && sig == 9);
	sl_slurm_wait_status(15 | 0x80, &code, &sig); /* SIGTERM with core flag */
	assert_true(code == -1 && sig == 15);
	sl_slurm_wait_status(4294967294LL, &code, &sig); /* NO_VAL */
	assert_true(code == -1 && sig == 0);
}

/* Finished jobs from a real cluster: exit 3, exit 0, kill -9 of itself, a
 * time limit, a cancel while running and a cancel while pending. */
static void test_jobs_finished(void **st)
{
	(void)st;
	size_t len;
	char *body = fixture("jobs_mixed.200.json", &len);
	sl_slurm_jobs js = {0};
	sl_err e = {0};
	assert_int_equal(sl_slurm_parse_jobs(body, len, &js, &e), 0);
	assert_int_equal(js.n, 7);

	const sl_slurm_job *j = find_job(&js, 1);
	assert_int_equal(j->state, SL_SLURM_FAILED);
	assert_string_equal(j->state_name, "FAILED");
	assert_string_equal(j->reason, "NonZeroExitCode");
	assert_int_equal(j->exit_code, 3);
	assert_int_equal(j->signal, 0);
	assert_string_equal(j->name, "exit3");
	assert_string_equal(j->partition, "suanli-a");
	assert_string_equal(j->nodes, "suanli-a-n1");
	assert_int_equal(j->cpus, 1);
	assert_int_equal(j->submit_s, 1795927005);
	assert_int_equal(j->start_s, 1795927005);
	assert_int_equal(j->end_s, 1795927005);

	j = find_job(&js, 2);
	assert_int_equal(j->state, SL_SLURM_COMPLETED);
	assert_int_equal(j->exit_code, 0);

	j = find_job(&js, 3); /* kill -9 $$ */
	assert_int_equal(j->state, SL_SLURM_FAILED);
	assert_int_equal(j->exit_code, -1);
	assert_int_equal(j->signal, 9);

	j = find_job(&js, 4); /* time_limit 1 minute, sleep 600 */
	assert_int_equal(j->state, SL_SLURM_TIMEOUT);
	assert_int_equal(j->time_limit_s, 60);
	assert_int_equal(j->signal, 15);
	assert_int_equal(j->end_s - j->start_s, 66);

	j = find_job(&js, 5); /* DELETE while running */
	assert_int_equal(j->state, SL_SLURM_CANCELLED);
	assert_int_equal(j->signal, 15);
	assert_true(j->start_s > 0 && j->end_s > j->start_s);

	j = find_job(&js, 7); /* DELETE while pending: Slurm says start == end */
	assert_int_equal(j->state, SL_SLURM_CANCELLED);
	assert_int_equal(j->start_s, 0);
	assert_int_equal(j->exit_code, -1);
	assert_int_equal(j->signal, 0);
	assert_int_equal(j->end_s, 1795927086);
	assert_string_equal(j->nodes, "");
	sl_vec_free(&js);
	sl_free(body);
}

/* Live jobs: a GPU job and a 2-CPU job running, one pending for resources. */
static void test_jobs_live(void **st)
{
	(void)st;
	size_t len;
	char *body = fixture("jobs_live.200.json", &len);
	sl_slurm_jobs js = {0};
	assert_int_equal(sl_slurm_parse_jobs(body, len, &js, NULL), 0);
	assert_int_equal(js.n, 3);
	const sl_slurm_job *j = find_job(&js, 1);
	assert_int_equal(j->state, SL_SLURM_RUNNING);
	assert_int_equal(j->gpus, 1);
	assert_true(j->start_s > 0);
	assert_int_equal(j->end_s, 0); /* Slurm's expected end is cleared */
	assert_int_equal(j->exit_code, -1);
	j = find_job(&js, 2);
	assert_int_equal(j->cpus, 2);
	assert_int_equal(j->gpus, 0);
	assert_int_equal(j->time_limit_s, 600);
	assert_string_equal(j->comment, "suanli:42");
	j = find_job(&js, 3);
	assert_int_equal(j->state, SL_SLURM_PENDING);
	assert_string_equal(j->reason, "Resources");
	assert_int_equal(j->start_s, 0);
	assert_int_equal(j->end_s, 0);
	sl_free(body);

	/* appending: a second parse adds to the same vector */
	body = fixture("job_running.200.json", &len);
	assert_int_equal(sl_slurm_parse_jobs(body, len, &js, NULL), 0);
	assert_int_equal(js.n, 4);
	assert_int_equal(js.v[3].job_id, 2);
	sl_vec_free(&js);
	sl_free(body);
}

static void test_jobs_malformed(void **st)
{
	(void)st;
	sl_slurm_jobs js = {0};
	sl_err e = {0};
	const char *nojson = "<html>502 Bad Gateway</html>";
	assert_int_equal(sl_slurm_parse_jobs(nojson, strlen(nojson), &js, &e), SL_EPARSE);
	assert_non_null(strstr(e.msg, "not JSON"));
	const char *noarr = "{\"jobs\": 3}";
	assert_int_equal(sl_slurm_parse_jobs(noarr, strlen(noarr), &js, &e), SL_EPARSE);
	assert_non_null(strstr(e.msg, "\"jobs\" array"));
	const char *nostate = "{\"jobs\":[{\"job_id\":4,\"job_state\":\"RUNNING\"},{\"job_id\":5}]}";
	assert_int_equal(sl_slurm_parse_jobs(nostate, strlen(nostate), &js, &e), SL_EPARSE);
	assert_non_null(strstr(e.msg, "jobs[1] (job 5): job_state missing"));
	assert_int_equal(js.n, 1); /* the good entry before it was kept */
	const char *badid = "{\"jobs\":[{\"job_id\":\"x\",\"job_state\":\"RUNNING\"}]}";
	assert_int_equal(sl_slurm_parse_jobs(badid, strlen(badid), &js, &e), SL_EPARSE);
	assert_non_null(strstr(e.msg, "jobs[0]: job_id"));
	const char *unknown = "{\"jobs\":[{\"job_id\":9,\"job_state\":\"HYPERSPACE\"}]}";
	assert_int_equal(sl_slurm_parse_jobs(unknown, strlen(unknown), &js, &e), 0);
	assert_int_equal(js.v[js.n - 1].state, SL_SLURM_UNKNOWN);
	assert_string_equal(js.v[js.n - 1].state_name, "HYPERSPACE");
	sl_vec_free(&js);
}

static void test_capacity(void **st)
{
	(void)st;
	size_t len;
	sl_slurm_capacity c;
	char *body = fixture("nodes.200.json", &len); /* 4 CPUs (3 used), 2 GPUs (1 used) */
	assert_int_equal(sl_slurm_parse_capacity(body, len, NULL, &c, NULL), 0);
	assert_int_equal(c.nodes, 1);
	assert_int_equal(c.nodes_usable, 1);
	assert_int_equal(c.cpus, 4);
	assert_int_equal(c.cpus_alloc, 3);
	assert_int_equal(c.gpus, 2);
	assert_int_equal(c.gpus_alloc, 1);
	assert_int_equal(sl_slurm_parse_capacity(body, len, "suanli-b", &c, NULL), 0);
	assert_int_equal(c.cpus, 4);
	assert_int_equal(sl_slurm_parse_capacity(body, len, "elsewhere", &c, NULL), 0);
	assert_int_equal(c.nodes, 0);
	assert_int_equal(c.cpus, 0);
	sl_free(body);

	body = fixture("nodes_drained.200.json", &len); /* idle but DRAIN */
	assert_int_equal(sl_slurm_parse_capacity(body, len, "", &c, NULL), 0);
	assert_int_equal(c.nodes, 1);
	assert_int_equal(c.nodes_usable, 0);
	assert_int_equal(c.cpus, 0);
	sl_free(body);

	sl_err e = {0};
	assert_int_equal(sl_slurm_parse_capacity("{}", 2, NULL, &c, &e), SL_EPARSE);
	assert_non_null(strstr(e.msg, "\"nodes\""));

	assert_int_equal(sl_slurm_gpu_count("gres:gpu:2"), 2);
	assert_int_equal(sl_slurm_gpu_count("gpu:tesla:4(S:0-1)"), 4);
	assert_int_equal(sl_slurm_gpu_count("gpu:1(IDX:0),gpu:a100:2(IDX:1-2)"), 3);
	assert_int_equal(sl_slurm_gpu_count("gres/gpu=3"), 3);
	assert_int_equal(sl_slurm_gpu_count("gres:gpu"), 1);
	assert_int_equal(sl_slurm_gpu_count("gres:mps:100,cpu=4"), 0);
	assert_int_equal(sl_slurm_gpu_count("gpus:2"), 0); /* not the gpu gres */
	assert_int_equal(sl_slurm_gpu_count(""), 0);
	assert_int_equal(sl_slurm_gpu_count(NULL), 0);
}

static void test_ping_and_submit_replies(void **st)
{
	(void)st;
	size_t len;
	int64_t id = 0;
	sl_err e = {0};
	char *body = fixture("ping.200.json", &len);
	assert_int_equal(sl_slurm_parse_ping(body, len, &e), 0);
	sl_free(body);
	const char *down = "{\"pings\":[{\"hostname\":\"vm\",\"ping\":\"DOWN\"}]}";
	assert_int_equal(sl_slurm_parse_ping(down, strlen(down), &e), SL_EIO);
	assert_non_null(strstr(e.msg, "DOWN"));
	assert_int_equal(sl_slurm_parse_ping("{}", 2, &e), SL_EPARSE);

	body = fixture("submit_ok.200.json", &len);
	assert_int_equal(sl_slurm_parse_submit(body, len, &id, &e), 0);
	assert_int_equal(id, 1);
	sl_free(body);
	id = 77;
	assert_int_equal(sl_slurm_parse_submit("{\"errors\":[]}", 13, &id, &e), SL_EPARSE);
	assert_int_equal(id, 77); /* untouched on error */
	assert_int_equal(sl_slurm_parse_submit("", 0, &id, &e), SL_EPARSE);
}

static void test_diag(void **st)
{
	(void)st;
	size_t len;
	sl_slurm_diag d;
	sl_err e = {0};
	char *body = fixture("diag.200.json", &len);
	assert_int_equal(sl_slurm_parse_diag(body, len, &d, &e), 0);
	assert_int_equal(d.server_time_s, 1795927175);
	assert_int_equal(d.server_threads, 3);
	assert_int_equal(d.agent_queue, 0);
	assert_int_equal(d.jobs_submitted, 3);
	assert_int_equal(d.jobs_started, 2);
	assert_int_equal(d.schedule_cycle_last_us, 1914);
	sl_free(body);
	assert_int_equal(sl_slurm_parse_diag("{\"errors\":[]}", 13, &d, &e), SL_EPARSE);
	assert_non_null(strstr(e.msg, "statistics"));
}

static sl_slurm_fault fault_of(const char *file, long status, char *msg, size_t n)
{
	size_t len;
	char *body = fixture(file, &len);
	sl_slurm_fault f = sl_slurm_reply_fault(status, body, len, msg, n);
	sl_free(body);
	return f;
}

/* Every error reply recorded from slurmrestd 22.05, classified. */
static void test_reply_faults(void **st)
{
	(void)st;
	char m[256];
	assert_int_equal(fault_of("submit_ok.200.json", 200, m, sizeof m), SL_SLURM_OK);
	assert_int_equal(fault_of("cancel_ok.200.json", 200, m, sizeof m), SL_SLURM_OK);
	assert_int_equal(fault_of("submit_bad_partition.500.json", 500, m, sizeof m), SL_SLURM_REJECTED);
	assert_string_equal(m, "Invalid partition name specified (error 2000)");
	assert_int_equal(fault_of("submit_no_env.400.json", 400, m, sizeof m), SL_SLURM_REJECTED);
	assert_string_equal(m, "environment must be set (error 2127) and more");
	assert_int_equal(fault_of("job_unknown.500.json", 500, m, sizeof m), SL_SLURM_NO_JOB);
	assert_string_equal(m, "Invalid job id specified: Unable to find JobId=999999 "
	                       "(slurm_load_job, error 2017)");
	assert_int_equal(fault_of("ctld_down_submit.500.json", 500, m, sizeof m), SL_SLURM_CTLD_DOWN);
	assert_non_null(strstr(m, "Unable to contact slurm controller"));
	assert_int_equal(fault_of("ctld_down_cancel.500.json", 500, m, sizeof m), SL_SLURM_CTLD_DOWN);
	assert_int_equal(fault_of("ctld_down_jobs.500.json", 500, m, sizeof m), SL_SLURM_AMBIGUOUS);
	assert_int_equal(fault_of("ctld_down_ping.500.json", 500, m, sizeof m), SL_SLURM_AMBIGUOUS);
	assert_int_equal(fault_of("bad_token.500.json", 500, m, sizeof m), SL_SLURM_AMBIGUOUS);
	assert_int_equal(fault_of("other_key_token.500.json", 500, m, sizeof m), SL_SLURM_AMBIGUOUS);
	assert_int_equal(fault_of("bad_token_submit.500.json", 500, m, sizeof m), SL_SLURM_AUTH);
	assert_int_equal(fault_of("bad_token_cancel.500.json", 500, m, sizeof m), SL_SLURM_AUTH);
	assert_int_equal(fault_of("no_token.401.txt", 401, m, sizeof m), SL_SLURM_AUTH);
	assert_string_equal(m, "Authentication failure");
	/* not Slurm at all */
	assert_int_equal(sl_slurm_reply_fault(502, "<html>\nbad gateway", 18, m, sizeof m),
	                 SL_SLURM_PROTOCOL);
	assert_string_equal(m, "<html>");
	assert_int_equal(sl_slurm_reply_fault(500, "", 0, m, sizeof m), SL_SLURM_PROTOCOL);
	assert_string_equal(m, "(empty body)");
	assert_int_equal(sl_slurm_reply_fault(304, "", 0, m, sizeof m), SL_SLURM_OK);

	assert_int_equal(sl_slurm_fault_code(SL_SLURM_CTLD_DOWN), SL_EIO);
	assert_int_equal(sl_slurm_fault_code(SL_SLURM_AUTH), SL_EIO);
	assert_int_equal(sl_slurm_fault_code(SL_SLURM_REJECTED), SL_EINVAL);
	assert_int_equal(sl_slurm_fault_code(SL_SLURM_NO_JOB), SL_ENOTFOUND);
	assert_int_equal(sl_slurm_fault_code(SL_SLURM_OK), 0);
}

static void test_submit_body(void **st)
{
	(void)st;
	const char *env[] = {"FOO=bar=baz", "EMPTY=", NULL};
	sl_slurm_submit s = {
		.script = "#!/bin/sh\ntrue\n", .name = "j1", .env = env, .cwd = "/tmp",
		.stdout_path = "out.txt", .partition = "p1", .account = "acct",
		.comment = "suanli:7", .time_limit_s = 61, .cpus = 2, .gpus = 1, .memory_mb = 512,
	};
	char *text = NULL;
	sl_err e = {0};
	assert_int_equal(sl_slurm_submit_body(&s, &text, &e), 0);
	json_t *root = json_loads(text, 0, NULL);
	assert_non_null(root);
	json_t *job = json_object_get(root, "job");
	assert_string_equal(json_string_value(json_object_get(root, "script")), s.script);
	assert_string_equal(json_string_value(json_object_get(job, "name")), "j1");
	json_t *jenv = json_object_get(job, "environment");
	assert_string_equal(json_string_value(json_object_get(jenv, "FOO")), "bar=baz");
	assert_string_equal(json_string_value(json_object_get(jenv, "EMPTY")), "");
	assert_string_equal(json_string_value(json_object_get(jenv, "PATH")),
	                    "/usr/local/bin:/usr/bin:/bin");
	assert_int_equal(json_integer_value(json_object_get(job, "time_limit")), 2); /* rounded up */
	assert_int_equal(json_integer_value(json_object_get(job, "cpus_per_task")), 2);
	assert_int_equal(json_integer_value(json_object_get(job, "tasks")), 1);
	assert_string_equal(json_string_value(json_object_get(job, "gres")), "gpu:1");
	assert_int_equal(json_integer_value(json_object_get(job, "memory_per_node")), 512);
	assert_string_equal(json_string_value(json_object_get(job, "account")), "acct");
	assert_string_equal(json_string_value(json_object_get(job, "comment")), "suanli:7");
	assert_null(json_object_get(job, "standard_error"));
	json_decref(root);
	sl_free(text);

	/* minimal: defaults, no optional keys */
	sl_slurm_submit m = {.script = "#!/bin/sh\n", .cwd = "/", .default_path = "/bin"};
	assert_int_equal(sl_slurm_submit_body(&m, &text, &e), 0);
	root = json_loads(text, 0, NULL);
	job = json_object_get(root, "job");
	assert_string_equal(json_string_value(json_object_get(job, "name")), "suanli");
	assert_null(json_object_get(job, "time_limit"));
	assert_null(json_object_get(job, "gres"));
	assert_null(json_object_get(job, "partition"));
	assert_string_equal(
		json_string_value(json_object_get(json_object_get(job, "environment"), "PATH")), "/bin");
	json_decref(root);
	sl_free(text);

	/* errors name the field; *out untouched */
	text = NULL;
	const char *bad_env[] = {"1X=2", NULL}, *dup_env[] = {"A=1", "A=2", NULL};
	m.env = bad_env;
	assert_int_equal(sl_slurm_submit_body(&m, &text, &e), SL_EINVAL);
	assert_string_equal(e.origin, "env");
	assert_non_null(strstr(e.msg, "1X=2"));
	m.env = dup_env;
	assert_int_equal(sl_slurm_submit_body(&m, &text, &e), SL_EINVAL);
	assert_non_null(strstr(e.msg, "A is set twice"));
	m.env = NULL;
	m.cwd = "rel/dir";
	assert_int_equal(sl_slurm_submit_body(&m, &text, &e), SL_EINVAL);
	assert_string_equal(e.origin, "cwd");
	m.cwd = "/";
	m.script = "echo hi";
	assert_int_equal(sl_slurm_submit_body(&m, &text, &e), SL_EINVAL);
	assert_string_equal(e.origin, "script");
	m.script = "#!/bin/sh\n";
	m.cpus = -1;
	assert_int_equal(sl_slurm_submit_body(&m, &text, &e), SL_EINVAL);
	assert_null(text);
}

/* Run a generated script with /bin/sh and return its stdout (static buffer). */
static const char *run_script(const char *script)
{
	static char out[512];
	char path[] = "/tmp/suanli-slurm-test-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, script, strlen(script)), (ssize_t)strlen(script));
	close(fd);
	char cmd[600];
	snprintf(cmd, sizeof cmd, "/bin/sh %s", path);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	size_t n = fread(out, 1, sizeof out - 1, p);
	out[n] = '\0';
	pclose(p);
	unlink(path);
	return out;
}

static void test_script_from_argv(void **st)
{
	(void)st;
	char *s = NULL;
	sl_err e = {0};
	const char *argv[] = {"printf", "[%s]", "it's", "$HOME", "a b", "*", NULL};
	assert_int_equal(sl_slurm_script_from_argv(argv, 0, &s, &e), 0);
	assert_string_equal(s, "#!/bin/sh\nexec 'printf' '[%s]' 'it'\\''s' '$HOME' 'a b' '*'\n");
	assert_string_equal(run_script(s), "[it's][$HOME][a b][*]");
	sl_free(s);

	const char *sh[] = {"echo \"$0:$1:$#\"", "x y", NULL};
	assert_int_equal(sl_slurm_script_from_argv(sh, 1, &s, &e), 0);
	assert_string_equal(run_script(s), "sh:x y:1\n");
	sl_free(s);

	const char *empty[] = {"", NULL};
	s = NULL;
	assert_int_equal(sl_slurm_script_from_argv(empty, 0, &s, &e), SL_EINVAL);
	assert_int_equal(sl_slurm_script_from_argv(NULL, 0, &s, &e), SL_EINVAL);
	assert_null(s);
}

/* ---- the client, without a cluster --------------------------------------- */

static void b64url(const char *in, char *out)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t n = strlen(in), o = 0;
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)(unsigned char)in[i] << 16;
		if (i + 1 < n) v |= (uint32_t)(unsigned char)in[i + 1] << 8;
		if (i + 2 < n) v |= (uint32_t)(unsigned char)in[i + 2];
		out[o++] = a[(v >> 18) & 63];
		out[o++] = a[(v >> 12) & 63];
		if (i + 1 < n) out[o++] = a[(v >> 6) & 63];
		if (i + 2 < n) out[o++] = a[v & 63];
	}
	out[o] = '\0';
}

/* Write a token file with these claims (the signature is not checked
 * client-side) and return its path (static). */
static const char *token_file(const char *claims_json)
{
	static char path[64];
	char h[128], p[512];
	b64url("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", h);
	b64url(claims_json, p);
	snprintf(path, sizeof path, "/tmp/suanli-slurm-token-%d", (int)getpid());
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "SLURM_JWT=%s.%s.c2lnbmF0dXJl\n", h, p);
	fclose(f);
	return path;
}

static void test_client_offline(void **st)
{
	(void)st;
	sl_slurm *c = NULL;
	sl_err e = {0};
	sl_slurm_conf conf = {.cluster = "t1", .url = "http://127.0.0.1:1", .connect_timeout_ms = 2000};

	/* configuration errors */
	sl_slurm_conf bad = conf;
	bad.url = "ftp://x";
	assert_int_equal(sl_slurm_new(&bad, &c, &e), SL_EINVAL);
	assert_non_null(strstr(e.msg, "http://"));
	bad = conf;
	bad.cluster = NULL;
	assert_int_equal(sl_slurm_new(&bad, &c, &e), SL_EINVAL);
	bad = conf;
	bad.token_file = "/nonexistent/token";
	assert_int_equal(sl_slurm_new(&bad, &c, &e), SL_EIO);
	assert_non_null(strstr(e.msg, "/nonexistent/token"));
	assert_null(c);

	/* a token file that holds no JWT */
	char junk[64];
	snprintf(junk, sizeof junk, "/tmp/suanli-slurm-junk-%d", (int)getpid());
	FILE *f = fopen(junk, "w");
	fputs("hunter2\n", f);
	fclose(f);
	bad.token_file = junk;
	assert_int_equal(sl_slurm_new(&bad, &c, &e), SL_EINVAL);
	assert_non_null(strstr(e.msg, "does not hold a JWT"));
	f = fopen(junk, "w");
	fclose(f);
	assert_int_equal(sl_slurm_new(&bad, &c, &e), SL_EINVAL);
	assert_non_null(strstr(e.msg, "is empty"));
	unlink(junk);
	/* a JWT without a user, and no user configured */
	bad.token_file = token_file("{\"exp\":2000000000}");
	assert_int_equal(sl_slurm_new(&bad, &c, &e), SL_EINVAL);
	assert_non_null(strstr(e.msg, "names no user"));

	/* nothing listens on port 1: unreachable, named, fault kind set */
	assert_int_equal(sl_slurm_new(&conf, &c, &e), 0);
	assert_string_equal(sl_slurm_cluster(c), "t1");
	assert_int_equal(sl_slurm_ping(c, &e), SL_EIO);
	assert_string_equal(e.origin, "t1");
	assert_non_null(strstr(e.msg, "GET /slurm/v0.0.38/ping: cannot reach slurmrestd at "
	                              "http://127.0.0.1:1"));
	assert_int_equal(sl_slurm_fault_of_last(c), SL_SLURM_UNREACHABLE);
	sl_slurm_jobs js = {0};
	assert_int_equal(sl_slurm_list_jobs(c, 0, &js, NULL, &e), SL_EIO);
	assert_int_equal(js.n, 0);
	sl_slurm_job j;
	assert_int_equal(sl_slurm_get_job(c, 0, &j, &e), SL_EINVAL);
	sl_slurm_submit bad_spec = {.script = "no shebang", .cwd = "/"};
	int64_t id = 0;
	assert_int_equal(sl_slurm_submit_job(c, &bad_spec, &id, &e), SL_EINVAL);
	assert_non_null(strstr(e.msg, "job spec: script"));
	sl_slurm_free(c);

	/* an expired token is refused before any request is sent */
	sl_clock_manual clk;
	sl_clock_manual_init(&clk, 2000000000);
	conf.token_file = token_file("{\"exp\":1900000000,\"iat\":1,\"sun\":\"root\"}");
	conf.clock = &clk.clock;
	assert_int_equal(sl_slurm_new(&conf, &c, &e), 0);
	assert_int_equal(sl_slurm_ping(c, &e), SL_EIO);
	assert_non_null(strstr(e.msg, "expired at 2030-03-17T17:46:40Z"));
	assert_int_equal(sl_slurm_fault_of_last(c), SL_SLURM_AUTH);
	/* rewriting the file is noticed: a fresh token gets to the network */
	clk.t = 1800000000;
	token_file("{\"exp\":1900000001,\"sun\":\"root\"}");
	assert_int_equal(sl_slurm_ping(c, &e), SL_EIO);
	assert_int_equal(sl_slurm_fault_of_last(c), SL_SLURM_UNREACHABLE);
	sl_slurm_free(c);
	unlink(conf.token_file);
	sl_slurm_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_states_and_wait_status),
		cmocka_unit_test(test_jobs_finished),
		cmocka_unit_test(test_jobs_live),
		cmocka_unit_test(test_jobs_malformed),
		cmocka_unit_test(test_capacity),
		cmocka_unit_test(test_ping_and_submit_replies),
		cmocka_unit_test(test_diag),
		cmocka_unit_test(test_reply_faults),
		cmocka_unit_test(test_submit_body),
		cmocka_unit_test(test_script_from_argv),
		cmocka_unit_test(test_client_offline),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
