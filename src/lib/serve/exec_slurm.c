/*
 * exec_slurm.c — the `slurm` executor, loop side: options, the live jobs
 * and their state machine, the cluster's health and capacity, and the
 * events.  Every HTTP exchange happens on the worker thread
 * (exec_slurm_worker.c); this side only posts requests and applies results,
 * so no op blocks.
 *
 * A job moves WAITING (held here: not sent yet, or the cluster was down) →
 * SENDING (a submit request is queued or in flight) → ACCEPTED (Slurm's id
 * is known; SUBMITTED was reported) → reported RUNNING → one terminal event,
 * after which it leaves the table.  A periodic refresh (one GET /jobs, a
 * direct look-up for any job the list lacks, and GET /nodes) drives the
 * ACCEPTED jobs and keeps health and capacity current.
 */
#include "serve/exec_slurm.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/log.h"
#include "core/mem.h"
#include "serve/exec_slurm_int.h"

#include "core/banned.h"

#define NS_PER_MS 1000000LL
#define CLUSTER_NAME_MAX 40

enum { P_WAITING = 1, P_SENDING, P_ACCEPTED };

/* A live job.  Invariants: slurm_id > 0 iff phase == P_ACCEPTED; body is
 * set until the job is accepted; reported is 0, SL_EXEC_SUBMITTED or
 * SL_EXEC_RUNNING (terminal jobs are removed at once). */
typedef struct sjob {
	int64_t id, slurm_id;
	int phase;
	int reported;
	int cancel_wanted;    /* suanli asked for a cancel */
	int cancel_inflight;  /* a cancel request is queued or in flight */
	int cancel_acked;     /* Slurm accepted our cancel */
	int check_first;      /* an earlier send may have reached Slurm: look first */
	int64_t start;        /* UTC seconds, once known */
	char *body;           /* submit body */
} sjob;

typedef SL_VEC(sjob *) sjob_vec;

typedef struct slx {
	sl_exec_config cfg;           /* pointers borrowed (exec.h) */
	char *jobs_dir, *cluster, *tag, *partition, *account;
	int64_t poll_ms, idle_ms;
	sx_worker w;
	sjob_vec jobs;                /* live jobs; linear search (hundreds, not millions) */
	SL_VEC(sl_exec_event) q;      /* events not yet returned: q.v[qhead .. n) */
	size_t qhead;
	int refresh_inflight;
	int64_t next_refresh_ns;
	sl_exec_slurm_status st;
} slx;

static int64_t now_s(const slx *x) { return sl_clock_now(x->cfg.clock); }
static int64_t now_ns(const slx *x) { return sl_clock_now_ns(x->cfg.clock); }

/* ---- options -------------------------------------------------------------- */

typedef struct opts {
	const char *url, *socket, *token_file, *user, *cluster, *partition, *account, *tag;
	int64_t poll_ms, idle_ms, timeout_ms;
} opts;

static int opt_ms(const char *key, const char *v, int64_t *out, sl_err *err)
{
	char *end = NULL;
	errno = 0;
	long long n = strtoll(v, &end, 10);
	if (errno || end == v || *end || n < 10 || n > 3600000)
		return sl_err_set(err, SL_EINVAL, "options", "%s=%s: expected milliseconds in "
		                  "10..3600000", key, v);
	*out = n;
	return 0;
}

/* Set one "key=value" option. */
static int opt_set(opts *o, const char *kv, sl_err *err)
{
	const char *eq = strchr(kv, '=');
	if (!eq || eq == kv)
		return sl_err_set(err, SL_EINVAL, "options", "\"%.64s\" is not key=value", kv);
	size_t k = (size_t)(eq - kv);
	const char *v = eq + 1;
	static const char *const names[] = {"url", "socket", "token_file", "user", "cluster",
	                                    "partition", "account", "tag"};
	const char **slots[] = {&o->url, &o->socket, &o->token_file, &o->user, &o->cluster,
	                        &o->partition, &o->account, &o->tag};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strlen(names[i]) == k && strncmp(kv, names[i], k) == 0) {
			*slots[i] = v;
			return 0;
		}
	if (k == 7 && strncmp(kv, "poll_ms", 7) == 0)
		return opt_ms("poll_ms", v, &o->poll_ms, err);
	if (k == 12 && strncmp(kv, "idle_poll_ms", 12) == 0)
		return opt_ms("idle_poll_ms", v, &o->idle_ms, err);
	if (k == 10 && strncmp(kv, "timeout_ms", 10) == 0)
		return opt_ms("timeout_ms", v, &o->timeout_ms, err);
	return sl_err_set(err, SL_EINVAL, "options", "unknown option \"%.*s\" (the slurm executor "
	                  "takes url, socket, token_file, user, cluster, partition, account, "
	                  "poll_ms, idle_poll_ms, timeout_ms, tag)", (int)k, kv);
}

static int name_ok(const char *s, size_t max)
{
	size_t n = strlen(s);
	return n > 0 && n <= max && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	                                      "0123456789_.-") == n;
}

static int parse_options(const char *const *list, opts *o, sl_err *err)
{
	*o = (opts){.cluster = "slurm", .tag = "suanli", .poll_ms = 1000, .idle_ms = 5000,
	            .timeout_ms = 20000};
	for (size_t i = 0; list && list[i]; i++) {
		int rc = opt_set(o, list[i], err);
		if (rc)
			return rc;
	}
	if (!o->url && !o->socket)
		return sl_err_set(err, SL_EINVAL, "options", "the slurm executor needs url=... or "
		                  "socket=... (slurmrestd)");
	if (!name_ok(o->cluster, CLUSTER_NAME_MAX))
		return sl_err_set(err, SL_EINVAL, "options", "cluster=%.64s: use 1..%d letters, digits, "
		                  "'_', '.', '-'", o->cluster, CLUSTER_NAME_MAX);
	if (!name_ok(o->tag, 32))
		return sl_err_set(err, SL_EINVAL, "options", "tag=%.64s: use 1..32 letters, digits, "
		                  "'_', '.', '-'", o->tag);
	return 0;
}

/* ---- jobs and events ------------------------------------------------------- */

static sjob *job_find(const slx *x, int64_t id)
{
	for (size_t i = 0; i < x->jobs.n; i++)
		if (x->jobs.v[i]->id == id)
			return x->jobs.v[i];
	return NULL;
}

static sjob *job_by_slurm_id(const slx *x, int64_t sid)
{
	for (size_t i = 0; i < x->jobs.n; i++)
		if (x->jobs.v[i]->slurm_id == sid)
			return x->jobs.v[i];
	return NULL;
}

static void job_remove(slx *x, sjob *j)
{
	for (size_t i = 0; i < x->jobs.n; i++)
		if (x->jobs.v[i] == j) {
			x->jobs.v[i] = x->jobs.v[--x->jobs.n];
			break;
		}
	sl_free(j->body);
	sl_free(j);
}

/* A new event for j, queued; the caller fills times and message. */
static sl_exec_event *event(slx *x, const sjob *j, sl_exec_state state)
{
	sl_exec_event ev = {.job_id = j->id, .state = state, .exit_code = -1};
	if (j->slurm_id > 0)
		snprintf(ev.handle, sizeof ev.handle, "%s:%" PRId64, x->cluster, j->slurm_id);
	sl_vec_push(&x->q, ev);
	return &x->q.v[x->q.n - 1];
}

/* Report a terminal state with no run behind it, and forget the job. */
static sl_exec_event *end_unstarted(slx *x, sjob *j, sl_exec_state state, const char *msg)
{
	sl_exec_event *ev = event(x, j, state);
	ev->end = now_s(x);
	snprintf(ev->msg, sizeof ev->msg, "%s", msg);
	job_remove(x, j);
	return ev;
}

/* ---- health ---------------------------------------------------------------- */

static void mark_down(slx *x, sl_slurm_fault f, const char *why)
{
	if (x->st.up != 0) {
		x->st.since = now_s(x);
		sl_log(x->cfg.log, SL_LOG_WARN, "slurm cluster %s is down: %s", x->cluster, why);
	}
	x->st.up = 0;
	x->st.fault = f;
	snprintf(x->st.reason, sizeof x->st.reason, "%s", why);
}

static void mark_up(slx *x)
{
	if (x->st.up != 1) {
		x->st.since = now_s(x);
		if (x->st.up == 0)
			sl_log(x->cfg.log, SL_LOG_INFO, "slurm cluster %s answers again", x->cluster);
	}
	x->st.up = 1;
	x->st.fault = SL_SLURM_OK;
	x->st.reason[0] = '\0';
}

/* Faults that say "the cluster cannot be used now" rather than "this job". */
static int cluster_fault(sl_slurm_fault f)
{
	return f == SL_SLURM_UNREACHABLE || f == SL_SLURM_LOST || f == SL_SLURM_CTLD_DOWN ||
	       f == SL_SLURM_AUTH || f == SL_SLURM_AMBIGUOUS || f == SL_SLURM_PROTOCOL;
}

/* ---- requests --------------------------------------------------------------- */

static void send_submit(slx *x, sjob *j)
{
	sx_req r = {.kind = SX_SUBMIT, .job_id = j->id, .body = sl_strdup(j->body),
	            .check_first = j->check_first, .find_only = j->cancel_wanted};
	sx_worker_post(&x->w, &r);
	j->phase = P_SENDING;
}

static void send_cancel(slx *x, sjob *j)
{
	sx_req r = {.kind = SX_CANCEL, .job_id = j->id, .slurm_id = j->slurm_id};
	sx_worker_post(&x->w, &r);
	j->cancel_inflight = 1;
}

static void send_refresh(slx *x)
{
	sx_req r = {.kind = SX_REFRESH, .check_health = x->st.up == 0};
	r.ids = sl_malloc((x->jobs.n ? x->jobs.n : 1) * sizeof *r.ids);
	for (size_t i = 0; i < x->jobs.n; i++)
		if (x->jobs.v[i]->phase == P_ACCEPTED)
			r.ids[r.nids++] = x->jobs.v[i]->slurm_id;
	sx_worker_post(&x->w, &r);
	x->refresh_inflight = 1;
}

/* Refresh soon (a new job wants its first status within poll_ms). */
static void refresh_soon(slx *x)
{
	int64_t t = now_ns(x) + x->poll_ms * NS_PER_MS;
	if (x->next_refresh_ns > t)
		x->next_refresh_ns = t;
}

/* The cluster answers: send what waited, retry cancels that did not get through. */
static void resume(slx *x)
{
	for (size_t i = 0; i < x->jobs.n; i++) {
		sjob *j = x->jobs.v[i];
		if (j->phase == P_WAITING)
			send_submit(x, j);
		else if (j->phase == P_ACCEPTED && j->cancel_wanted && !j->cancel_acked &&
		         !j->cancel_inflight)
			send_cancel(x, j);
	}
}

/* ---- outcomes ---------------------------------------------------------------- */

static void how_it_ended(const sl_slurm_job *sj, char *how, size_t n)
{
	if (sj->exit_code >= 0)
		snprintf(how, n, "exited with code %d", sj->exit_code);
	else if (sj->signal > 0) {
		const char *abbr = sigabbrev_np(sj->signal);
		snprintf(how, n, "killed by signal %d (SIG%s)", sj->signal, abbr ? abbr : "?");
	} else
		snprintf(how, n, "exit status unknown");
}

/* The exec state for a terminal Slurm job, and its message. */
static sl_exec_state outcome(const sjob *j, const sl_slurm_job *sj, char *msg, size_t n)
{
	char how[96];
	how_it_ended(sj, how, sizeof how);
	int plain = !strcmp(sj->reason, "None") || !strcmp(sj->reason, "NonZeroExitCode") ||
	            !sj->reason[0];
	switch (sj->state) {
	case SL_SLURM_COMPLETED:
		snprintf(msg, n, "%s", how);
		return SL_EXEC_COMPLETED;
	case SL_SLURM_TIMEOUT:
		snprintf(msg, n, "time limit of %" PRId64 " s reached (Slurm TIMEOUT); %s",
		         sj->time_limit_s, how);
		return SL_EXEC_TIMEOUT;
	case SL_SLURM_DEADLINE:
		snprintf(msg, n, "deadline passed (Slurm DEADLINE); %s", how);
		return SL_EXEC_TIMEOUT;
	case SL_SLURM_CANCELLED:
		if (j->cancel_wanted && sj->start_s)
			snprintf(msg, n, "cancelled; %s", how);
		else if (j->cancel_wanted)
			snprintf(msg, n, "cancelled before it started");
		if (j->cancel_wanted)
			return SL_EXEC_CANCELLED;
		snprintf(msg, n, "cancelled outside suanli (scancel or a Slurm admin); %s", how);
		return SL_EXEC_FAILED;
	case SL_SLURM_NODE_FAIL:
		snprintf(msg, n, "node failure on %s (Slurm NODE_FAIL)", sj->nodes);
		return SL_EXEC_FAILED;
	case SL_SLURM_OUT_OF_MEMORY:
		snprintf(msg, n, "out of memory (Slurm OUT_OF_MEMORY); %s", how);
		return SL_EXEC_FAILED;
	case SL_SLURM_BOOT_FAIL:
		snprintf(msg, n, "node boot failure (Slurm BOOT_FAIL)");
		return SL_EXEC_FAILED;
	case SL_SLURM_PREEMPTED:
		snprintf(msg, n, "preempted by Slurm; %s", how);
		return SL_EXEC_FAILED;
	default:
		snprintf(msg, n, "%s%s%s", how, plain ? "" : "; Slurm reason: ", plain ? "" : sj->reason);
		return SL_EXEC_FAILED;
	}
}

static void report_running(slx *x, sjob *j, const sl_slurm_job *sj)
{
	sl_exec_event *ev = event(x, j, SL_EXEC_RUNNING);
	ev->start = j->start = sj->start_s;
	snprintf(ev->msg, sizeof ev->msg, "running on %s (Slurm job %" PRId64 ")", sj->nodes,
	         sj->job_id);
	j->reported = SL_EXEC_RUNNING;
}

/* Apply what Slurm says about one of our accepted jobs. */
static void job_update(slx *x, sjob *j, const sl_slurm_job *sj)
{
	if (sj->state == SL_SLURM_PENDING || sj->state == SL_SLURM_UNKNOWN)
		return;
	if (j->reported < SL_EXEC_RUNNING && sj->start_s > 0)
		report_running(x, j, sj);
	if (!sl_slurm_state_terminal(sj->state))
		return;
	char msg[SL_EXEC_MSG_MAX];
	sl_exec_state s = outcome(j, sj, msg, sizeof msg);
	sl_exec_event *ev = event(x, j, s);
	ev->exit_code = sj->exit_code;
	ev->signal = sj->signal;
	ev->start = sj->start_s ? sj->start_s : j->start;
	ev->end = sj->end_s ? sj->end_s : now_s(x);
	snprintf(ev->msg, sizeof ev->msg, "%s", msg);
	job_remove(x, j);
}

/* Slurm no longer knows an accepted job (purged, or its state was lost). */
static void job_vanished(slx *x, sjob *j)
{
	sl_exec_event *ev = event(x, j, j->cancel_wanted ? SL_EXEC_CANCELLED : SL_EXEC_ENDED);
	ev->start = j->start;
	ev->end = now_s(x);
	snprintf(ev->msg, sizeof ev->msg, "Slurm job %" PRId64 " on %s is no longer known to "
	         "slurmctld (purged after MinJobAge, or its state was lost); outcome unknown",
	         j->slurm_id, x->cluster);
	job_remove(x, j);
}

/* ---- results ----------------------------------------------------------------- */

static void on_submitted(slx *x, sjob *j, const sx_res *r)
{
	j->slurm_id = r->slurm_id;
	j->phase = P_ACCEPTED;
	sl_free(j->body);
	j->body = NULL;
	mark_up(x);
	sl_exec_event *ev = event(x, j, SL_EXEC_SUBMITTED);
	snprintf(ev->msg, sizeof ev->msg,
	         r->recovered ? "found in Slurm as job %" PRId64 " on %s (sent before a restart "
	                        "or a lost reply): not sent again"
	                      : "queued in Slurm as job %" PRId64 " on %s",
	         r->slurm_id, x->cluster);
	j->reported = SL_EXEC_SUBMITTED;
	refresh_soon(x);
	if (j->cancel_wanted)
		send_cancel(x, j);
}

static void apply_submit(slx *x, const sx_res *r)
{
	sjob *j = job_find(x, r->job_id);
	if (!j || j->phase != P_SENDING)
		return;
	char msg[SL_EXEC_MSG_MAX + 32];
	if (r->rc == 0) {
		on_submitted(x, j, r);
	} else if (r->rc == SL_ENOTFOUND && j->cancel_wanted) {
		end_unstarted(x, j, SL_EXEC_CANCELLED, "cancelled before it reached Slurm");
	} else if (!cluster_fault(r->fault)) {
		snprintf(msg, sizeof msg, "Slurm refused the job: %s", r->msg);
		int cancelled = j->cancel_wanted;
		end_unstarted(x, j, cancelled ? SL_EXEC_CANCELLED : SL_EXEC_FAILED, msg)->refused =
			!cancelled;
	} else {
		mark_down(x, r->fault, r->msg);
		j->phase = P_WAITING;
		if (r->fault == SL_SLURM_LOST || r->fault == SL_SLURM_PROTOCOL)
			j->check_first = 1; /* it may be in Slurm already */
		if (j->cancel_wanted && !j->check_first)
			end_unstarted(x, j, SL_EXEC_CANCELLED, "cancelled before it reached Slurm "
			              "(the cluster was down)");
	}
}

static void apply_cancel(slx *x, const sx_res *r)
{
	sjob *j = job_find(x, r->job_id);
	if (!j)
		return;
	j->cancel_inflight = 0;
	if (r->rc == 0 || r->fault == SL_SLURM_NO_JOB)
		j->cancel_acked = 1; /* the refresh reports the end */
	else if (cluster_fault(r->fault))
		mark_down(x, r->fault, r->msg); /* resume() retries */
	else
		sl_log(x->cfg.log, SL_LOG_WARN, "slurm cluster %s: cancel of job %" PRId64 ": %s",
		       x->cluster, j->id, r->msg);
}

static void apply_refresh(slx *x, const sx_res *r)
{
	x->refresh_inflight = 0;
	x->st.refreshes++;
	x->st.checked = now_s(x);
	if (r->rc) {
		x->st.failures++;
		mark_down(x, r->fault, r->msg);
	} else {
		mark_up(x);
		x->st.capacity = r->cap;
		x->st.capacity_at = x->st.checked;
		for (size_t i = 0; i < r->jobs.n; i++) {
			sjob *j = job_by_slurm_id(x, r->jobs.v[i].job_id);
			if (j)
				job_update(x, j, &r->jobs.v[i]);
		}
		for (size_t i = 0; i < r->missing.n; i++) {
			sjob *j = job_by_slurm_id(x, r->missing.v[i]);
			if (j)
				job_vanished(x, j);
		}
		resume(x);
	}
	int busy = x->jobs.n > 0 || x->st.up != 1;
	x->next_refresh_ns = now_ns(x) + (busy ? x->poll_ms : x->idle_ms) * NS_PER_MS;
}

/* ---- building a submission ---------------------------------------------------- */

static int mkdir_ok(const char *path)
{
	return mkdir(path, 0755) == 0 || errno == EEXIST ? 0 : -1;
}

/* workdir, stdout and stderr as absolute paths (malloc'd into out[3]). */
static int job_paths(const slx *x, const sl_exec_spec *spec, char *out[3], sl_err *err)
{
	char buf[PATH_MAX];
	if (!spec->workdir) {
		snprintf(buf, sizeof buf, "%s/%" PRId64, x->jobs_dir, spec->job_id);
		if (mkdir_ok(buf) < 0)
			return sl_err_set(err, SL_EIO, buf, "cannot create the job directory: %s",
			                  strerror(errno));
		out[0] = sl_strdup(buf);
	} else if (spec->workdir[0] == '/') {
		out[0] = sl_strdup(spec->workdir);
	} else {
		char *abs = realpath(spec->workdir, NULL);
		if (!abs)
			return sl_err_set(err, SL_EINVAL, "workdir", "%s: %s", spec->workdir,
			                  strerror(errno));
		out[0] = sl_strdup(abs);
		free(abs);
	}
	const char *o = spec->stdout_path ? spec->stdout_path : "stdout";
	const char *e = spec->stderr_path ? spec->stderr_path : "stderr";
	snprintf(buf, sizeof buf, "%s%s%s", o[0] == '/' ? "" : out[0], o[0] == '/' ? "" : "/", o);
	out[1] = sl_strdup(buf);
	snprintf(buf, sizeof buf, "%s%s%s", e[0] == '/' ? "" : out[0], e[0] == '/' ? "" : "/", e);
	out[2] = sl_strdup(buf);
	return 0;
}

typedef SL_VEC(char *) strvec;

static int env_is(const char *entry, const char *name)
{
	size_t k = strlen(name);
	return strncmp(entry, name, k) == 0 && entry[k] == '=';
}

static char *str_of(const char *name, const char *value)
{
	size_t n = strlen(name) + strlen(value) + 2;
	char *s = sl_malloc(n);
	snprintf(s, n, "%s=%s", name, value);
	return s;
}

/* The job's environment: the spec's, HOME when absent, and the SUANLI_*
 * variables (the executor's values win).  NULL-terminated, owned strings. */
static void job_env(const sl_exec_spec *spec, const char *workdir, strvec *env)
{
	static const char *const own[] = {"SUANLI_JOB_ID", "SUANLI_SITE", "SUANLI_CORES",
	                                  "SUANLI_GPUS"};
	int has_home = 0;
	for (size_t i = 0; spec->env && spec->env[i]; i++) {
		int skip = 0;
		for (size_t k = 0; k < 4; k++)
			skip |= env_is(spec->env[i], own[k]);
		has_home |= env_is(spec->env[i], "HOME");
		if (!skip)
			sl_vec_push(env, sl_strdup(spec->env[i]));
	}
	char num[32];
	if (!has_home)
		sl_vec_push(env, str_of("HOME", workdir));
	snprintf(num, sizeof num, "%" PRId64, spec->job_id);
	sl_vec_push(env, str_of("SUANLI_JOB_ID", num));
	if (spec->site)
		sl_vec_push(env, str_of("SUANLI_SITE", spec->site));
	snprintf(num, sizeof num, "%d", (int)spec->cores);
	sl_vec_push(env, str_of("SUANLI_CORES", num));
	snprintf(num, sizeof num, "%d", (int)spec->gpus);
	sl_vec_push(env, str_of("SUANLI_GPUS", num));
	sl_vec_push(env, NULL);
}

static int build_body(const slx *x, const sl_exec_spec *spec, char **body, sl_err *err)
{
	char *paths[3] = {NULL, NULL, NULL}, *script = NULL, name[80], comment[80];
	strvec env = {0};
	int rc = job_paths(x, spec, paths, err);
	if (rc == 0)
		rc = sl_slurm_script_from_argv(spec->argv, spec->shell, &script, err);
	if (rc == 0) {
		job_env(spec, paths[0], &env);
		snprintf(name, sizeof name, "%s-%" PRId64, x->tag, spec->job_id);
		snprintf(comment, sizeof comment, "%s:%" PRId64, x->tag, spec->job_id);
		sl_slurm_submit s = {
			.script = script, .name = name, .env = (const char *const *)env.v,
			.default_path = x->cfg.default_path, .cwd = paths[0], .stdout_path = paths[1],
			.stderr_path = paths[2], .partition = x->partition, .account = x->account,
			.comment = comment, .time_limit_s = spec->time_limit_s, .cpus = spec->cores,
			.gpus = spec->gpus,
		};
		rc = sl_slurm_submit_body(&s, body, err);
	}
	for (size_t i = 0; i < env.n; i++)
		sl_free(env.v[i]);
	sl_vec_free(&env);
	sl_free(script);
	for (int i = 0; i < 3; i++)
		sl_free(paths[i]);
	return rc;
}

/* ---- the ops ------------------------------------------------------------------ */

static int slurm_submit(void *st, const sl_exec_spec *spec, sl_err *err)
{
	slx *x = st;
	int rc = sl_exec_spec_check(spec, err);
	if (rc)
		return rc;
	if (job_find(x, spec->job_id))
		return sl_err_set(err, SL_EEXIST, "job_id", "job %" PRId64 " is already live",
		                  spec->job_id);
	char *body = NULL;
	rc = build_body(x, spec, &body, err);
	if (rc)
		return rc;
	sjob *j = sl_calloc(1, sizeof *j);
	j->id = spec->job_id;
	j->body = body;
	j->phase = P_WAITING;
	sl_vec_push(&x->jobs, j);
	if (x->st.up != 0)
		send_submit(x, j);
	refresh_soon(x);
	return 0;
}

static int slurm_cancel(void *st, int64_t job_id, sl_err *err)
{
	slx *x = st;
	sjob *j = job_find(x, job_id);
	if (!j)
		return sl_err_set(err, SL_ENOTFOUND, "job_id", "job %" PRId64 " is not live", job_id);
	if (j->cancel_wanted)
		return 0;
	j->cancel_wanted = 1;
	if (j->phase == P_WAITING && !j->check_first)
		end_unstarted(x, j, SL_EXEC_CANCELLED, "cancelled before it reached Slurm");
	else if (j->phase == P_ACCEPTED)
		send_cancel(x, j);
	/* SENDING: on_submitted cancels it; WAITING with check_first: resume()
	 * sends a look-up only (find_only) */
	return 0;
}

int sl_exec_slurm_handle_parse(const char *handle, char *cluster, size_t n, int64_t *slurm_id,
                               sl_err *err)
{
	const char *colon = handle ? strrchr(handle, ':') : NULL;
	char *end = NULL;
	long long id = colon ? strtoll(colon + 1, &end, 10) : 0;
	if (!colon || colon == handle || (size_t)(colon - handle) >= n || end == colon + 1 || *end ||
	    id <= 0)
		return sl_err_set(err, SL_EINVAL, "handle", "expected CLUSTER:SLURM_JOB_ID, got "
		                  "\"%.60s\"", handle ? handle : "(null)");
	snprintf(cluster, n, "%.*s", (int)(colon - handle), handle);
	*slurm_id = id;
	return 0;
}

static int slurm_adopt(void *st, const sl_exec_spec *spec, const char *handle, int64_t start,
                       sl_err *err)
{
	slx *x = st;
	char cluster[SL_EXEC_HANDLE_MAX];
	int64_t sid = 0;
	int rc = sl_exec_slurm_handle_parse(handle, cluster, sizeof cluster, &sid, err);
	if (rc)
		return rc;
	if (strcmp(cluster, x->cluster) != 0)
		return sl_err_set(err, SL_EINVAL, "handle", "\"%s\" is a job of cluster %s; this "
		                  "executor drives %s", handle, cluster, x->cluster);
	if (spec->job_id <= 0)
		return sl_err_set(err, SL_EINVAL, "job_id", "must be positive");
	if (job_find(x, spec->job_id) || job_by_slurm_id(x, sid))
		return sl_err_set(err, SL_EEXIST, "job_id", "job %" PRId64 " (%s) is already live",
		                  spec->job_id, handle);
	sjob *j = sl_calloc(1, sizeof *j);
	j->id = spec->job_id;
	j->slurm_id = sid;
	j->phase = P_ACCEPTED;
	j->start = start;
	j->reported = start > 0 ? SL_EXEC_RUNNING : SL_EXEC_SUBMITTED;
	sl_vec_push(&x->jobs, j);
	refresh_soon(x);
	return 0;
}

static int slurm_poll(void *st, sl_exec_event *out, int max, sl_err *err)
{
	slx *x = st;
	sx_res_vec rs = {0};
	sx_worker_take(&x->w, &rs);
	for (size_t i = 0; i < rs.n; i++) {
		if (rs.v[i].kind == SX_SUBMIT)
			apply_submit(x, &rs.v[i]);
		else if (rs.v[i].kind == SX_CANCEL)
			apply_cancel(x, &rs.v[i]);
		else
			apply_refresh(x, &rs.v[i]);
		sx_res_release(&rs.v[i]);
	}
	sl_vec_free(&rs);
	if (!x->refresh_inflight && now_ns(x) >= x->next_refresh_ns)
		send_refresh(x);
	int k = 0;
	while (k < max && x->qhead < x->q.n)
		out[k++] = x->q.v[x->qhead++];
	if (x->qhead == x->q.n)
		x->qhead = x->q.n = 0;
	return k;
}

static int slurm_fd(void *st) { return ((slx *)st)->w.efd; }

static int64_t slurm_timeout_ms(void *st)
{
	slx *x = st;
	if (x->qhead < x->q.n)
		return 0;
	if (x->refresh_inflight)
		return -1; /* the worker's eventfd wakes the loop */
	int64_t d = x->next_refresh_ns - now_ns(x);
	return d <= 0 ? 0 : (d + NS_PER_MS - 1) / NS_PER_MS;
}

static size_t slurm_count(void *st) { return ((slx *)st)->jobs.n; }

void sl_exec_slurm_status_get(void *state, sl_exec_slurm_status *out)
{
	slx *x = state;
	*out = x->st;
	out->waiting = 0;
	for (size_t i = 0; i < x->jobs.n; i++)
		out->waiting += x->jobs.v[i]->phase == P_WAITING;
}

static void slurm_health(void *state, sl_exec_health *out)
{
	sl_exec_slurm_status st;
	sl_exec_slurm_status_get(state, &st);
	memset(out, 0, sizeof *out);
	out->up = st.up;
	if (st.up == 0)
		snprintf(out->fault, sizeof out->fault, "%s", sl_slurm_fault_name(st.fault));
	snprintf(out->reason, sizeof out->reason, "%s", st.reason);
	out->since = st.since;
	out->checked = st.checked;
	out->has_capacity = st.capacity_at > 0;
	out->nodes = st.capacity.nodes;
	out->nodes_usable = st.capacity.nodes_usable;
	out->cpus = st.capacity.cpus;
	out->cpus_alloc = st.capacity.cpus_alloc;
	out->gpus = st.capacity.gpus;
	out->gpus_alloc = st.capacity.gpus_alloc;
	out->capacity_at = st.capacity_at;
	out->held = st.waiting;
}

/* Only a job held here that no earlier send may have delivered: its
 * withdrawal is certain (exec.h). */
static int slurm_withdraw(void *st, int64_t job_id, sl_err *err)
{
	slx *x = st;
	sjob *j = job_find(x, job_id);
	if (!j)
		return sl_err_set(err, SL_ENOTFOUND, "job_id", "job %" PRId64 " is not live", job_id);
	if (j->phase != P_WAITING || j->check_first)
		return sl_err_set(err, SL_ESTATE, "job_id", "job %" PRId64 " %s %s", job_id,
		                  j->phase == P_WAITING ? "may have reached" : "was sent to",
		                  x->cluster);
	job_remove(x, j);
	return 0;
}

/* ---- start and stop ------------------------------------------------------------ */

static void slurm_stop(void *st)
{
	slx *x = st;
	if (!x)
		return;
	if (x->w.running)
		sx_worker_stop(&x->w); /* also frees the client */
	for (size_t i = 0; i < x->jobs.n; i++) {
		sl_free(x->jobs.v[i]->body);
		sl_free(x->jobs.v[i]);
	}
	sl_vec_free(&x->jobs);
	sl_vec_free(&x->q);
	sl_free(x->jobs_dir);
	sl_free(x->cluster);
	sl_free(x->tag);
	sl_free(x->partition);
	sl_free(x->account);
	sl_free(x);
}

static int make_dirs(const char *path)
{
	char buf[PATH_MAX];
	snprintf(buf, sizeof buf, "%s", path);
	for (char *p = buf + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			if (mkdir_ok(buf) < 0)
				return -1;
			*p = '/';
		}
	return mkdir_ok(buf);
}

static int setup(slx *x, const sl_exec_config *cfg, const opts *o, sl_err *err)
{
	if (make_dirs(cfg->jobs_dir) < 0)
		return sl_err_set(err, SL_EIO, cfg->jobs_dir, "cannot create the jobs directory: %s",
		                  strerror(errno));
	char *abs = realpath(cfg->jobs_dir, NULL);
	if (!abs)
		return sl_err_set(err, SL_EIO, cfg->jobs_dir, "%s", strerror(errno));
	x->jobs_dir = sl_strdup(abs);
	free(abs);
	sl_slurm_conf sc = {.cluster = o->cluster, .url = o->url, .unix_socket = o->socket,
	                    .token_file = o->token_file, .user = o->user,
	                    .timeout_ms = o->timeout_ms};
	sl_slurm *client = NULL;
	int rc = sl_slurm_new(&sc, &client, err);
	if (rc)
		return rc;
	return sx_worker_start(&x->w, client, o->tag, o->partition, err);
}

static int slurm_start(void **state, const sl_exec_config *cfg, sl_err *err)
{
	opts o;
	if (!cfg->clock || !cfg->clock->now || !cfg->clock->now_ns)
		return sl_err_set(err, SL_EINVAL, "clock", "the slurm executor needs a clock");
	if (!cfg->jobs_dir || !cfg->jobs_dir[0])
		return sl_err_set(err, SL_EINVAL, "jobs_dir", "the slurm executor needs a jobs "
		                  "directory (shared with the cluster's nodes)");
	int rc = parse_options(cfg->options, &o, err);
	if (rc)
		return rc;
	slx *x = sl_calloc(1, sizeof *x);
	x->cfg = *cfg;
	x->w.efd = -1;
	x->cluster = sl_strdup(o.cluster);
	x->tag = sl_strdup(o.tag);
	x->partition = o.partition ? sl_strdup(o.partition) : NULL;
	x->account = o.account ? sl_strdup(o.account) : NULL;
	x->poll_ms = o.poll_ms;
	x->idle_ms = o.idle_ms;
	x->st.up = -1;
	x->next_refresh_ns = now_ns(x); /* learn health and capacity at the first poll */
	rc = setup(x, cfg, &o, err);
	if (rc) {
		slurm_stop(x);
		return rc;
	}
	*state = x;
	return 0;
}

const sl_exec_ops sl_exec_slurm = {
	.name = "slurm",
	.start = slurm_start,
	.stop = slurm_stop,
	.submit = slurm_submit,
	.cancel = slurm_cancel,
	.adopt = slurm_adopt,
	.poll = slurm_poll,
	.fd = slurm_fd,
	.timeout_ms = slurm_timeout_ms,
	.count = slurm_count,
	.health = slurm_health,
	.withdraw = slurm_withdraw,
};
