/*
 * exec.c — what every executor shares: the registry of executors by name,
 * state names, and the spec checks all backends apply before running a job.
 */
#include "serve/exec.h"
#include "serve/exec_slurm.h"

#include <string.h>

#include "core/banned.h"

#define ENV_MAX 4096 /* entries; keeps the duplicate check cheap and bounded */

const sl_exec_ops *sl_exec_find(const char *name)
{
	static const sl_exec_ops *const all[] = {&sl_exec_local, &sl_exec_slurm};
	for (size_t i = 0; name && i < sizeof all / sizeof all[0]; i++)
		if (strcmp(all[i]->name, name) == 0)
			return all[i];
	return NULL;
}

const char *sl_exec_state_name(sl_exec_state s)
{
	switch (s) {
	case SL_EXEC_SUBMITTED: return "submitted";
	case SL_EXEC_RUNNING: return "running";
	case SL_EXEC_COMPLETED: return "completed";
	case SL_EXEC_FAILED: return "failed";
	case SL_EXEC_TIMEOUT: return "timeout";
	case SL_EXEC_CANCELLED: return "cancelled";
	case SL_EXEC_ENDED: return "ended";
	}
	return "?";
}

/* Length of the NAME in "NAME=value", or 0 if it is not a valid name
 * (letters, digits and '_', not starting with a digit) followed by '='. */
static size_t env_name_len(const char *s)
{
	size_t i = 0;
	for (; s[i] && s[i] != '='; i++) {
		char c = s[i];
		int ok = c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		         (i > 0 && c >= '0' && c <= '9');
		if (!ok)
			return 0;
	}
	return s[i] == '=' ? i : 0;
}

static int env_check(const char *const *env, sl_err *err)
{
	size_t n = 0;
	for (; env && env[n]; n++) {
		size_t len = env_name_len(env[n]);
		if (len == 0)
			return sl_err_set(err, SL_EINVAL, "env", "env[%zu]: expected NAME=value "
			                  "with NAME of letters, digits and _, got \"%.64s\"", n, env[n]);
		if (n >= ENV_MAX)
			return sl_err_set(err, SL_EINVAL, "env", "more than %d entries", ENV_MAX);
		for (size_t j = 0; j < n; j++)
			if (strncmp(env[j], env[n], len + 1) == 0)
				return sl_err_set(err, SL_EINVAL, "env", "env[%zu]: %.*s is already set "
				                  "by env[%zu]", n, (int)len, env[n], j);
	}
	return 0;
}

int sl_exec_spec_check(const sl_exec_spec *spec, sl_err *err)
{
	if (spec->job_id <= 0)
		return sl_err_set(err, SL_EINVAL, "job_id", "must be > 0, got %lld",
		                  (long long)spec->job_id);
	if (!spec->argv || !spec->argv[0] || !spec->argv[0][0])
		return sl_err_set(err, SL_EINVAL, "command", "must name a program (argv[0] is empty)");
	if (spec->time_limit_s < 0 || spec->time_limit_s > SL_EXEC_LIMIT_S_MAX)
		return sl_err_set(err, SL_EINVAL, "time_limit_s", "must be in 0..%lld, got %lld",
		                  (long long)SL_EXEC_LIMIT_S_MAX, (long long)spec->time_limit_s);
	if (spec->cores < 0 || spec->gpus < 0)
		return sl_err_set(err, SL_EINVAL, spec->cores < 0 ? "cores" : "gpus",
		                  "must be >= 0");
	if (spec->workdir && !spec->workdir[0])
		return sl_err_set(err, SL_EINVAL, "workdir", "is empty");
	return env_check(spec->env, err);
}
