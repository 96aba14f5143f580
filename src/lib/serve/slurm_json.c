/*
 * slurm_json.c — reading slurmrestd v0.0.38 replies (jobs, nodes, ping,
 * submit, errors) and writing its submit body.  See slurm_json.h for what
 * Slurm 22.05 really sends; every rule below was checked on a live cluster.
 */
#include "serve/slurm_json.h"

#include <ctype.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "core/banned.h"

/* Slurm's state words, flags first (job_state_string() prints a flag such
 * as COMPLETING instead of the base state while it is set). */
static const struct {
	const char *word;
	sl_slurm_state state;
} state_words[] = {
	{"PENDING", SL_SLURM_PENDING},         {"REQUEUED", SL_SLURM_PENDING},
	{"REQUEUE_HOLD", SL_SLURM_PENDING},    {"REQUEUE_FED", SL_SLURM_PENDING},
	{"RESV_DEL_HOLD", SL_SLURM_PENDING},   {"SPECIAL_EXIT", SL_SLURM_PENDING},
	{"RUNNING", SL_SLURM_RUNNING},         {"CONFIGURING", SL_SLURM_RUNNING},
	{"COMPLETING", SL_SLURM_RUNNING},      {"SIGNALING", SL_SLURM_RUNNING},
	{"RESIZING", SL_SLURM_RUNNING},        {"STAGE_OUT", SL_SLURM_RUNNING},
	{"SUSPENDED", SL_SLURM_SUSPENDED},     {"STOPPED", SL_SLURM_SUSPENDED},
	{"COMPLETED", SL_SLURM_COMPLETED},     {"FAILED", SL_SLURM_FAILED},
	{"CANCELLED", SL_SLURM_CANCELLED},     {"REVOKED", SL_SLURM_CANCELLED},
	{"TIMEOUT", SL_SLURM_TIMEOUT},         {"NODE_FAIL", SL_SLURM_NODE_FAIL},
	{"PREEMPTED", SL_SLURM_PREEMPTED},     {"BOOT_FAIL", SL_SLURM_BOOT_FAIL},
	{"DEADLINE", SL_SLURM_DEADLINE},       {"OUT_OF_MEMORY", SL_SLURM_OUT_OF_MEMORY},
};

sl_slurm_state sl_slurm_state_parse(const char *word)
{
	for (size_t i = 0; word && i < sizeof state_words / sizeof state_words[0]; i++)
		if (strcmp(state_words[i].word, word) == 0)
			return state_words[i].state;
	return SL_SLURM_UNKNOWN;
}

const char *sl_slurm_state_name(sl_slurm_state s)
{
	switch (s) {
	case SL_SLURM_UNKNOWN: return "unknown";
	case SL_SLURM_PENDING: return "pending";
	case SL_SLURM_RUNNING: return "running";
	case SL_SLURM_SUSPENDED: return "suspended";
	case SL_SLURM_COMPLETED: return "completed";
	case SL_SLURM_FAILED: return "failed";
	case SL_SLURM_CANCELLED: return "cancelled";
	case SL_SLURM_TIMEOUT: return "timeout";
	case SL_SLURM_NODE_FAIL: return "node_fail";
	case SL_SLURM_PREEMPTED: return "preempted";
	case SL_SLURM_BOOT_FAIL: return "boot_fail";
	case SL_SLURM_DEADLINE: return "deadline";
	case SL_SLURM_OUT_OF_MEMORY: return "out_of_memory";
	}
	return "unknown";
}

void sl_slurm_wait_status(int64_t raw, int *exit_code, int *signal)
{
	/* Slurm stores NO_VAL (0xfffffffe) and friends for "unknown": anything
	 * outside a 16-bit wait status is unknown. */
	if (raw < 0 || raw > 0xffff) {
		*exit_code = -1;
		*signal = 0;
	} else if ((raw & 0x7f) == 0) {
		*exit_code = (int)((raw >> 8) & 0xff);
		*signal = 0;
	} else {
		*exit_code = -1;
		*signal = (int)(raw & 0x7f);
	}
}

/* ---- small JSON accessors ------------------------------------------------ */

static json_t *load(const char *body, size_t len, sl_err *err)
{
	json_error_t je;
	json_t *root = json_loadb(body ? body : "", body ? len : 0, 0, &je);
	if (!root) {
		sl_err_set(err, SL_EPARSE, NULL, "slurmrestd reply is not JSON (line %d, column %d: %s)",
		           je.line, je.column, je.text);
		return NULL;
	}
	if (!json_is_object(root)) {
		json_decref(root);
		sl_err_set(err, SL_EPARSE, NULL, "slurmrestd reply is not a JSON object");
		return NULL;
	}
	return root;
}

/* An integer field; null, missing or non-numbers give dflt (Slurm writes
 * null for "not set"). */
static int64_t get_int(const json_t *o, const char *key, int64_t dflt)
{
	const json_t *v = json_object_get(o, key);
	if (json_is_integer(v))
		return (int64_t)json_integer_value(v);
	if (json_is_real(v))
		return (int64_t)json_real_value(v);
	return dflt;
}

static const char *get_str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

static void copy_str(const json_t *o, const char *key, char *dst, size_t n)
{
	snprintf(dst, n, "%s", get_str(o, key));
}

/* ---- errors --------------------------------------------------------------- */

const char *sl_slurm_fault_name(sl_slurm_fault f)
{
	switch (f) {
	case SL_SLURM_OK: return "ok";
	case SL_SLURM_UNREACHABLE: return "slurmrestd unreachable";
	case SL_SLURM_LOST: return "no reply from slurmrestd";
	case SL_SLURM_CTLD_DOWN: return "slurmctld unreachable";
	case SL_SLURM_AUTH: return "authentication failed";
	case SL_SLURM_AMBIGUOUS: return "slurmctld unreachable or token rejected";
	case SL_SLURM_REJECTED: return "request rejected";
	case SL_SLURM_NO_JOB: return "no such job";
	case SL_SLURM_PROTOCOL: return "unexpected reply";
	}
	return "?";
}

int sl_slurm_fault_code(sl_slurm_fault f)
{
	switch (f) {
	case SL_SLURM_OK: return 0;
	case SL_SLURM_REJECTED: return SL_EINVAL;
	case SL_SLURM_NO_JOB: return SL_ENOTFOUND;
	case SL_SLURM_PROTOCOL: return SL_EPARSE;
	default: return SL_EIO;
	}
}

/* Slurm's number for an error entry: v0.0.38 spells the key three ways. */
static int64_t error_number(const json_t *e)
{
	static const char *const keys[] = {"error_number", "error_code", "errno"};
	for (size_t i = 0; i < 3; i++) {
		int64_t v = get_int(e, keys[i], INT64_MIN);
		if (v != INT64_MIN)
			return v;
	}
	return 0;
}

/* "Invalid job id specified: Unable to find JobId=9 (slurm_load_job, error 2017)" */
static void describe_error(const json_t *e, size_t count, char *msg, size_t n)
{
	const char *what = get_str(e, "error"), *desc = get_str(e, "description");
	const char *src = get_str(e, "source");
	snprintf(msg, n, "%s%s%s (%s%serror %" PRId64 ")%s", what[0] ? what : "error",
	         desc[0] ? ": " : "", desc, src, src[0] ? ", " : "", error_number(e),
	         count > 1 ? " and more" : "");
}

/* Fold one Slurm error number (and text) into a fault. */
static sl_slurm_fault fault_of_number(int64_t num, const char *text)
{
	if (num == -1)
		return SL_SLURM_AMBIGUOUS;
	/* 1000-1010: SLURM_COMMUNICATIONS_*; 1800-1809: SLURMCTLD_COMMUNICATIONS_* */
	if ((num >= 1000 && num <= 1010 && num != 1007) || (num >= 1800 && num <= 1809))
		return SL_SLURM_CTLD_DOWN;
	/* 1007 protocol authentication error, 5005 "Zero Bytes were transmitted or
	 * received" (slurmctld drops a connection whose token it rejects), 6000s
	 * ESLURM_AUTH_* */
	if (num == 1007 || num == 5005 || (num >= 6000 && num < 7000) ||
	    strstr(text, "ermission denied") || strstr(text, "Access/permission"))
		return SL_SLURM_AUTH;
	if (num == 2017)
		return SL_SLURM_NO_JOB;
	return SL_SLURM_REJECTED;
}

/* The first line of a non-JSON body, for messages. */
static void body_excerpt(const char *body, size_t len, char *msg, size_t n)
{
	size_t k = 0;
	while (k < len && k < 200 && body[k] != '\n' && body[k] != '\r')
		k++;
	if (k == 0)
		snprintf(msg, n, "(empty body)");
	else
		snprintf(msg, n, "%.*s", (int)k, body);
}

sl_slurm_fault sl_slurm_reply_fault(long http_status, const char *body, size_t len,
                                    char *msg, size_t n)
{
	json_error_t je;
	json_t *root = body && len ? json_loadb(body, len, 0, &je) : NULL;
	const json_t *errs = json_object_get(root, "errors");
	size_t count = json_is_array(errs) ? json_array_size(errs) : 0;
	int ok_status = (http_status >= 200 && http_status < 300) || http_status == 304;
	sl_slurm_fault f;

	msg[0] = '\0';
	if (count > 0) {
		const json_t *e = json_array_get(errs, 0);
		describe_error(e, count, msg, n);
		f = fault_of_number(error_number(e), get_str(e, "error"));
	} else if (http_status == 401 || http_status == 403) {
		body_excerpt(body ? body : "", body ? len : 0, msg, n);
		f = SL_SLURM_AUTH;
	} else if (ok_status) {
		f = SL_SLURM_OK;
	} else {
		body_excerpt(body ? body : "", body ? len : 0, msg, n);
		f = SL_SLURM_PROTOCOL;
	}
	if (f != SL_SLURM_OK && http_status == 401)
		f = SL_SLURM_AUTH;
	json_decref(root);
	return f;
}

/* ---- replies -------------------------------------------------------------- */

int sl_slurm_parse_submit(const char *body, size_t len, int64_t *job_id, sl_err *err)
{
	json_t *root = load(body, len, err);
	if (!root)
		return SL_EPARSE;
	int64_t id = get_int(root, "job_id", 0);
	json_decref(root);
	if (id <= 0)
		return sl_err_set(err, SL_EPARSE, NULL, "submit reply has no positive job_id");
	*job_id = id;
	return 0;
}

int32_t sl_slurm_gpu_count(const char *tres)
{
	int32_t total = 0;
	const char *p = tres ? tres : "";
	while (*p) {
		size_t k = strcspn(p, ",");
		char tok[128];
		snprintf(tok, sizeof tok, "%.*s", (int)(k < sizeof tok ? k : sizeof tok - 1), p);
		char *t = tok;
		if (strncmp(t, "gres:", 5) == 0 || strncmp(t, "gres/", 5) == 0)
			t += 5;
		t[strcspn(t, "(")] = '\0';
		if (strncmp(t, "gpu", 3) == 0 && (t[3] == '\0' || t[3] == ':' || t[3] == '=')) {
			char *last = strrchr(t, t[3] == '=' ? '=' : ':');
			char *end = NULL;
			long v = last ? strtol(last + 1, &end, 10) : 1;
			if (last && (end == last + 1 || *end))
				v = 1; /* "gpu:tesla": a type, count 1 */
			if (v > 0 && v < 1000000)
				total += (int32_t)v;
		}
		p += k;
		if (*p == ',')
			p++;
	}
	return total;
}

/* Clear what did not happen: Slurm reports expected start/end times for
 * jobs that have not started or ended, and a start time for jobs cancelled
 * while pending (they have no nodes). */
static void settle_job(sl_slurm_job *j, int64_t raw_exit)
{
	int started = j->nodes[0] != '\0' && j->state != SL_SLURM_PENDING && j->start_s > 0;
	if (!started)
		j->start_s = 0;
	j->exit_code = -1;
	j->signal = 0;
	if (!sl_slurm_state_terminal(j->state)) {
		j->end_s = 0;
		return;
	}
	if (started)
		sl_slurm_wait_status(raw_exit, &j->exit_code, &j->signal);
}

static int job_from_json(const json_t *o, size_t idx, sl_slurm_job *j, sl_err *err)
{
	memset(j, 0, sizeof *j);
	j->job_id = get_int(o, "job_id", 0);
	if (!json_is_object(o) || j->job_id <= 0)
		return sl_err_set(err, SL_EPARSE, NULL, "jobs[%zu]: job_id missing or not positive", idx);
	const char *st = json_string_value(json_object_get(o, "job_state"));
	if (!st)
		return sl_err_set(err, SL_EPARSE, NULL, "jobs[%zu] (job %" PRId64 "): job_state missing",
		                  idx, j->job_id);
	j->state = sl_slurm_state_parse(st);
	snprintf(j->state_name, sizeof j->state_name, "%s", st);
	copy_str(o, "state_reason", j->reason, sizeof j->reason);
	copy_str(o, "name", j->name, sizeof j->name);
	copy_str(o, "partition", j->partition, sizeof j->partition);
	copy_str(o, "nodes", j->nodes, sizeof j->nodes);
	copy_str(o, "comment", j->comment, sizeof j->comment);
	j->submit_s = get_int(o, "submit_time", 0);
	j->start_s = get_int(o, "start_time", 0);
	j->end_s = get_int(o, "end_time", 0);
	int64_t limit_min = get_int(o, "time_limit", 0);
	j->time_limit_s = limit_min > 0 ? limit_min * 60 : 0;
	j->cpus = (int32_t)get_int(o, "cpus", 0);
	j->node_count = (int32_t)get_int(o, "node_count", 0);
	int32_t per_job = sl_slurm_gpu_count(get_str(o, "tres_per_job"));
	int32_t per_node = sl_slurm_gpu_count(get_str(o, "tres_per_node"));
	j->gpus = per_job > 0 ? per_job : per_node * (j->node_count > 0 ? j->node_count : 1);
	settle_job(j, get_int(o, "exit_code", -1));
	return 0;
}

int sl_slurm_parse_jobs(const char *body, size_t len, sl_slurm_jobs *out, sl_err *err)
{
	json_t *root = load(body, len, err);
	if (!root)
		return SL_EPARSE;
	int rc = 0;
	const json_t *jobs = json_object_get(root, "jobs");
	if (!json_is_array(jobs)) {
		rc = sl_err_set(err, SL_EPARSE, NULL, "reply has no \"jobs\" array");
		goto done;
	}
	sl_vec_reserve(out, out->n + json_array_size(jobs));
	for (size_t i = 0; i < json_array_size(jobs); i++) {
		sl_slurm_job j;
		rc = job_from_json(json_array_get(jobs, i), i, &j, err);
		if (rc)
			goto done;
		sl_vec_push(out, j);
	}
done:
	json_decref(root);
	return rc;
}

/* A node is usable when its base state can run jobs and no flag takes it
 * out of service. */
static int node_usable(const json_t *node)
{
	static const char *const bad_flags[] = {"DRAIN", "FAIL", "NO_RESPOND", "NOT_RESPONDING",
	                                        "MAINTENANCE", "POWERED_DOWN", "POWER_DOWN",
	                                        "POWERING_DOWN", "REBOOT_ISSUED", "INVALID_REG"};
	const char *st = get_str(node, "state");
	if (strcmp(st, "idle") && strcmp(st, "mixed") && strcmp(st, "allocated"))
		return 0;
	const json_t *flags = json_object_get(node, "state_flags");
	for (size_t i = 0; json_is_array(flags) && i < json_array_size(flags); i++) {
		const char *f = json_string_value(json_array_get(flags, i));
		for (size_t k = 0; f && k < sizeof bad_flags / sizeof bad_flags[0]; k++)
			if (strcmp(f, bad_flags[k]) == 0)
				return 0;
	}
	return 1;
}

static int node_in_partition(const json_t *node, const char *partition)
{
	if (!partition || !partition[0])
		return 1;
	const json_t *parts = json_object_get(node, "partitions");
	for (size_t i = 0; json_is_array(parts) && i < json_array_size(parts); i++) {
		const char *p = json_string_value(json_array_get(parts, i));
		if (p && strcmp(p, partition) == 0)
			return 1;
	}
	return 0;
}

int sl_slurm_parse_capacity(const char *body, size_t len, const char *partition,
                            sl_slurm_capacity *out, sl_err *err)
{
	json_t *root = load(body, len, err);
	if (!root)
		return SL_EPARSE;
	const json_t *nodes = json_object_get(root, "nodes");
	if (!json_is_array(nodes)) {
		json_decref(root);
		return sl_err_set(err, SL_EPARSE, NULL, "reply has no \"nodes\" array");
	}
	sl_slurm_capacity c = {0};
	for (size_t i = 0; i < json_array_size(nodes); i++) {
		const json_t *nd = json_array_get(nodes, i);
		if (!json_is_object(nd) || !node_in_partition(nd, partition))
			continue;
		c.nodes++;
		if (!node_usable(nd))
			continue;
		c.nodes_usable++;
		c.cpus += (int32_t)get_int(nd, "cpus", 0);
		c.cpus_alloc += (int32_t)get_int(nd, "alloc_cpus", 0);
		c.gpus += sl_slurm_gpu_count(get_str(nd, "gres"));
		c.gpus_alloc += sl_slurm_gpu_count(get_str(nd, "gres_used"));
	}
	json_decref(root);
	*out = c;
	return 0;
}

int sl_slurm_parse_ping(const char *body, size_t len, sl_err *err)
{
	json_t *root = load(body, len, err);
	if (!root)
		return SL_EPARSE;
	int rc = 0;
	const json_t *pings = json_object_get(root, "pings");
	const json_t *p0 = json_is_array(pings) ? json_array_get(pings, 0) : NULL;
	if (!json_is_object(p0))
		rc = sl_err_set(err, SL_EPARSE, NULL, "ping reply has no \"pings\" entry");
	else if (strcmp(get_str(p0, "ping"), "UP") != 0)
		rc = sl_err_set(err, SL_EIO, NULL, "controller %s answers ping with \"%s\"",
		                get_str(p0, "hostname"), get_str(p0, "ping"));
	json_decref(root);
	return rc;
}

int sl_slurm_parse_diag(const char *body, size_t len, sl_slurm_diag *out, sl_err *err)
{
	json_t *root = load(body, len, err);
	if (!root)
		return SL_EPARSE;
	const json_t *st = json_object_get(root, "statistics");
	if (!json_is_object(st)) {
		json_decref(root);
		return sl_err_set(err, SL_EPARSE, NULL, "diag reply has no \"statistics\" object");
	}
	sl_slurm_diag d = {
		.server_time_s = get_int(st, "req_time", 0),
		.server_threads = (int32_t)get_int(st, "server_thread_count", 0),
		.agent_queue = (int32_t)get_int(st, "agent_queue_size", 0),
		.jobs_submitted = get_int(st, "jobs_submitted", 0),
		.jobs_started = get_int(st, "jobs_started", 0),
		.jobs_completed = get_int(st, "jobs_completed", 0),
		.jobs_canceled = get_int(st, "jobs_canceled", 0),
		.jobs_failed = get_int(st, "jobs_failed", 0),
		.schedule_cycle_last_us = get_int(st, "schedule_cycle_last", 0),
	};
	json_decref(root);
	*out = d;
	return 0;
}

/* ---- the submit body ------------------------------------------------------ */

/* Length of NAME in "NAME=value" when NAME is a valid variable name. */
static size_t env_name_len(const char *s)
{
	size_t i = 0;
	if (!(isalpha((unsigned char)s[0]) || s[0] == '_'))
		return 0;
	while (isalnum((unsigned char)s[i]) || s[i] == '_')
		i++;
	return s[i] == '=' ? i : 0;
}

static int env_object(const sl_slurm_submit *s, json_t *env, sl_err *err)
{
	for (size_t i = 0; s->env && s->env[i]; i++) {
		size_t k = env_name_len(s->env[i]);
		if (k == 0)
			return sl_err_set(err, SL_EINVAL, "env", "entry %zu \"%.40s\" is not NAME=value", i,
			                  s->env[i]);
		char name[256];
		if (k >= sizeof name)
			return sl_err_set(err, SL_EINVAL, "env", "entry %zu: name longer than 255 bytes", i);
		memcpy(name, s->env[i], k);
		name[k] = '\0';
		if (json_object_get(env, name))
			return sl_err_set(err, SL_EINVAL, "env", "%s is set twice", name);
		json_object_set_new(env, name, json_string(s->env[i] + k + 1));
	}
	/* Slurm 22.05 requires a non-empty environment object; a job needs PATH */
	if (!json_object_get(env, "PATH"))
		json_object_set_new(env, "PATH", json_string(s->default_path ? s->default_path
		                                                             : "/usr/local/bin:/usr/bin:/bin"));
	return 0;
}

static int submit_check(const sl_slurm_submit *s, sl_err *err)
{
	if (!s->script || strncmp(s->script, "#!", 2) != 0)
		return sl_err_set(err, SL_EINVAL, "script", "must be a script starting with \"#!\"");
	if (!s->cwd || s->cwd[0] != '/')
		return sl_err_set(err, SL_EINVAL, "cwd", "must be an absolute path");
	if (s->time_limit_s < 0 || s->cpus < 0 || s->gpus < 0 || s->memory_mb < 0)
		return sl_err_set(err, SL_EINVAL, "resources",
		                  "time limit, cpus, gpus and memory must not be negative");
	return 0;
}

static void set_opt_str(json_t *o, const char *key, const char *v)
{
	if (v && v[0])
		json_object_set_new(o, key, json_string(v));
}

int sl_slurm_submit_body(const sl_slurm_submit *s, char **out, sl_err *err)
{
	int rc = submit_check(s, err);
	if (rc)
		return rc;
	json_t *job = json_object(), *env = json_object();
	rc = env_object(s, env, err);
	if (rc) {
		json_decref(env);
		json_decref(job);
		return rc;
	}
	json_object_set_new(job, "environment", env);
	json_object_set_new(job, "name", json_string(s->name && s->name[0] ? s->name : "suanli"));
	json_object_set_new(job, "current_working_directory", json_string(s->cwd));
	set_opt_str(job, "standard_output", s->stdout_path);
	set_opt_str(job, "standard_error", s->stderr_path);
	set_opt_str(job, "partition", s->partition);
	set_opt_str(job, "account", s->account);
	set_opt_str(job, "comment", s->comment);
	if (s->time_limit_s > 0)
		json_object_set_new(job, "time_limit", json_integer((s->time_limit_s + 59) / 60));
	json_object_set_new(job, "tasks", json_integer(1));
	json_object_set_new(job, "cpus_per_task", json_integer(s->cpus > 0 ? s->cpus : 1));
	if (s->gpus > 0) {
		char g[32];
		snprintf(g, sizeof g, "gpu:%d", (int)s->gpus);
		json_object_set_new(job, "gres", json_string(g));
	}
	if (s->memory_mb > 0)
		json_object_set_new(job, "memory_per_node", json_integer(s->memory_mb));
	json_t *root = json_pack("{s:s, s:o}", "script", s->script, "job", job);
	char *text = root ? json_dumps(root, JSON_COMPACT) : NULL;
	json_decref(root);
	if (!text)
		return sl_err_set(err, SL_EINVAL, "script", "not valid UTF-8 text");
	*out = sl_strdup(text);
	free(text);
	return 0;
}

typedef SL_VEC(char) charbuf;

/* Append s to buf as one single-quoted shell word. */
static void quote_word(charbuf *buf, const char *s)
{
	sl_vec_push(buf, '\'');
	for (; *s; s++) {
		if (*s == '\'') {
			const char *esc = "'\\''";
			for (; *esc; esc++)
				sl_vec_push(buf, *esc);
		} else {
			sl_vec_push(buf, *s);
		}
	}
	sl_vec_push(buf, '\'');
}

static void append(charbuf *buf, const char *s)
{
	for (; *s; s++)
		sl_vec_push(buf, *s);
}

int sl_slurm_script_from_argv(const char *const *argv, int shell, char **out, sl_err *err)
{
	if (!argv || !argv[0] || !argv[0][0])
		return sl_err_set(err, SL_EINVAL, "argv", "argv[0] must be a non-empty command");
	charbuf buf = {0};
	append(&buf, shell ? "#!/bin/sh\nexec /bin/sh -c " : "#!/bin/sh\nexec ");
	quote_word(&buf, argv[0]);
	if (shell)
		append(&buf, " sh");
	for (size_t i = 1; argv[i]; i++) {
		sl_vec_push(&buf, ' ');
		quote_word(&buf, argv[i]);
	}
	append(&buf, "\n");
	sl_vec_push(&buf, '\0');
	*out = buf.v;
	return 0;
}
