/*
 * sim_suanli_bench.c — how fast the simulator replays a trace under the
 * suanli planning policy, in CPU time (the machine is shared: wall time
 * says little).
 *
 *   sim_suanli_bench SCENARIO TRACE.csv [POLICY_PARAMS]
 *
 * Loads the scenario, reads the trace once, then SIM_BENCH_REPEAT times
 * (default 3) runs `suanli` over it to its summary (sl_sim_new + run +
 * close) and reports the fastest run: user and system CPU seconds from
 * getrusage around the run, wall seconds, jobs per CPU second, and what
 * the policy did (jobs placed, deferred starts moved).  One line of
 * key=value figures; it never judges them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "core/err.h"
#include "io/scenario.h"
#include "io/trace.h"
#include "sim/sim.h"
#define BENCH_NAME "sim_suanli_bench"
#include "benchutil.h"

typedef struct cpu {
	double user, sys, wall;
} cpu;

static void now_cpu(cpu *c)
{
	struct rusage ru;
	struct timespec ts;
	getrusage(RUSAGE_SELF, &ru);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	c->user = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6;
	c->sys = (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
	c->wall = (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

typedef struct run {
	cpu d;
	long long completed, killed, rejected, deadline_viol;
} run;

static int one_run(const sl_network *net, const sl_trace *tr, const char *params, run *out)
{
	sl_sim *sim = NULL;
	sl_sim_opts o;
	sl_err e = {0};
	cpu a, b;
	memset(&o, 0, sizeof o);
	o.seed = 1;
	o.policy_params = params;
	now_cpu(&a);
	if (sl_simulate(net, tr, "suanli", &o, &sim, &e))
		return fail("simulate", &e);
	now_cpu(&b);
	const sl_sim_summary *s = sl_sim_get_summary(sim);
	out->d = (cpu){b.user - a.user, b.sys - a.sys, b.wall - a.wall};
	out->completed = s->completed;
	out->killed = s->killed;
	out->rejected = s->rejected;
	out->deadline_viol = s->deadline_violations;
	sl_sim_free(sim);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 3 && argc != 4) {
		fprintf(stderr, "usage: sim_suanli_bench SCENARIO TRACE.csv [POLICY_PARAMS]\n");
		return 2;
	}
	const char *rep = getenv("SIM_BENCH_REPEAT");
	int repeat = rep ? (int)strtol(rep, NULL, 10) : 3;
	const char *params = argc == 4 ? argv[3] : NULL;
	sl_network *net = NULL;
	sl_trace tr = {0};
	sl_err e = {0};
	cpu a, b;
	if (sl_scenario_load(argv[1], &net, NULL, &e))
		return fail("scenario", &e);
	now_cpu(&a);
	if (sl_trace_load_csv(argv[2], net, &tr, &e))
		return fail("trace", &e);
	now_cpu(&b);
	run best = {{0, 0, 0}, 0, 0, 0, 0}, r;
	for (int i = 0; i < (repeat > 0 ? repeat : 1); i++) {
		if (one_run(net, &tr, params, &r))
			return 1;
		if (i == 0 || r.d.user + r.d.sys < best.d.user + best.d.sys)
			best = r;
	}
	double n = (double)tr.n, c = best.d.user + best.d.sys;
	printf("policy=suanli params=%s jobs=%zu sites=%d step_s=%d read_cpu_s=%.3f sim_user_s=%.3f "
	       "sim_sys_s=%.3f sim_cpu_s=%.3f sim_wall_s=%.3f rate_cpu=%.0f rate_wall=%.0f "
	       "completed=%lld killed=%lld rejected=%lld deadline_violations=%lld\n",
	       params ? params : "(defaults)", tr.n, net->nsites, (int)net->step_s,
	       (b.user - a.user) + (b.sys - a.sys), best.d.user, best.d.sys, c, best.d.wall, n / c,
	       n / best.d.wall, best.completed, best.killed, best.rejected, best.deadline_viol);
	sl_trace_release(&tr);
	sl_network_free(net);
	return 0;
}
