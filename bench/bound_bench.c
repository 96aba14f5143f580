/*
 * bound_bench.c — a lower bound on the jobs' carbon of any schedule of a
 * trace that meets the deadlines, by linear programming (COIN-OR CLP).
 *
 *   bound_bench SCENARIO TRACE.csv [average|marginal] [MISSES]
 *
 * The question it answers: could any policy that keeps (all but MISSES
 * of) its deadlines emit less than a given baseline?  The LP relaxes
 * every hard part of scheduling, so its optimum is at or below the jobs'
 * carbon of every such schedule:
 *
 *   - hindsight: each job's actual occupancy min(run_s, est_s) is known;
 *   - preemption and migration: a job's work may be split into any
 *     fractions of hours at any of its legal sites (sl_policy_site_check:
 *     route, residency, latency, size), anywhere in its window, from the
 *     hour its input could first arrive there (submit + transfer) to the
 *     hour holding its deadline, partial hours counted whole;
 *   - jobs without a deadline (latency-class inference starts on arrival
 *     in every policy) get their run plus 48 h;
 *   - capacity is fractional: per site and hour, GPU-hours and core-hours
 *     used are at most the installed GPUs and cores;
 *   - carbon per site and hour is the simulator's own rule (docs/energy.md)
 *     made convex: grid energy = PUE x (idle + the jobs' busy increment)
 *     minus on-site, curtailed-surplus and contracted supply, never below
 *     0, at the zone's intensity in the accounting view; surplus counts as
 *     zero-carbon and network energy is left out (both only lower it);
 *   - MISSES (default 0): a fraction u_j of job j may run outside its
 *     window, uncapacitated, at the lowest rate of its legal sites over
 *     the whole horizon, with sum u_j <= MISSES (at most MISSES jobs late,
 *     relaxed).
 *
 * The jobs' share is the LP's total minus the same sites idle for the
 * same hours: the `jobs_t` figure of `suanli simulate --json`, over any
 * window that covers every job's work.  One line of key=value figures,
 * with each site's GPU-hours in the optimum; exit 1 unless it is optimal.
 *
 * Env: BOUND_SAFE=1 ends a deadline job's window at its latest guaranteed
 * start (deadline - est_s) plus its runtime instead of its deadline;
 * BOUND_ALG=dual|barrier (default dual for average intensities, barrier
 * for marginal); BOUND_MAX_S, the solver's time limit (default 900);
 * BOUND_DUMP=FILE writes site,hour,GPUs,cores of the optimum.
 *
 * Signals are read at each hour's start: exact for the built-in
 * scenario's hourly steps.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <coin/Clp_C_Interface.h>

#include "core/err.h"
#include "energy/supply.h"
#include "io/scenario.h"
#include "io/trace.h"
#include "sched/policy.h"
#include "sched/transfer.h"
#define BENCH_NAME "bound_bench"
#include "benchutil.h"

#define HOUR 3600
#define NOWINDOW_EXTRA_H 48

/* A growing column-major matrix. */
typedef struct lp {
	CoinBigIndex *start;
	int *idx;
	double *val, *lb, *ub, *obj;
	int ncol, capcol;
	size_t nnz, capnz;
} lp;

static void col_begin(lp *m, double obj, double lb, double ub)
{
	if (m->ncol + 1 >= m->capcol) {
		m->capcol = m->capcol ? m->capcol * 2 : 4096;
		m->start = realloc(m->start, sizeof *m->start * (size_t)(m->capcol + 1));
		m->lb = realloc(m->lb, sizeof *m->lb * (size_t)m->capcol);
		m->ub = realloc(m->ub, sizeof *m->ub * (size_t)m->capcol);
		m->obj = realloc(m->obj, sizeof *m->obj * (size_t)m->capcol);
		if (!m->start || !m->lb || !m->ub || !m->obj)
			abort();
	}
	m->start[m->ncol] = (CoinBigIndex)m->nnz;
	m->lb[m->ncol] = lb;
	m->ub[m->ncol] = ub;
	m->obj[m->ncol] = obj;
	m->ncol++;
	m->start[m->ncol] = (CoinBigIndex)m->nnz;
}

static void col_add(lp *m, int row, double v)
{
	if (m->nnz == m->capnz) {
		m->capnz = m->capnz ? m->capnz * 2 : 65536;
		m->idx = realloc(m->idx, sizeof *m->idx * m->capnz);
		m->val = realloc(m->val, sizeof *m->val * m->capnz);
		if (!m->idx || !m->val)
			abort();
	}
	m->idx[m->nnz] = row;
	m->val[m->nnz++] = v;
	m->start[m->ncol] = (CoinBigIndex)m->nnz;
}

int main(int argc, char **argv)
{
	if (argc < 3 || argc > 5) {
		fprintf(stderr, "usage: bound_bench SCENARIO TRACE.csv [average|marginal] [MISSES]\n");
		return 2;
	}
	int mode = argc > 3 && strcmp(argv[3], "marginal") == 0 ? SL_CARBON_MARGINAL : SL_CARBON_AVERAGE;
	double misses = argc > 4 ? strtod(argv[4], NULL) : 0;
	int safe = getenv("BOUND_SAFE") && atoi(getenv("BOUND_SAFE"));
	sl_network *net = NULL;
	sl_trace tr = {0};
	sl_err e = {0};
	if (sl_scenario_load(argv[1], &net, NULL, &e))
		return fail("scenario", &e);
	if (sl_trace_load_csv(argv[2], net, &tr, &e))
		return fail("trace", &e);
	double t_begin = now_s();
	sl_supply sup;
	sl_supply_init(&sup, net);
	int view = sl_supply_ci_view(mode, SL_GREEN_MARKET);

	/* Hours from the first submission's hour; the horizon ends at the
	 * latest window end. */
	int64_t T0 = INT64_MAX, Tend = 0;
	for (size_t i = 0; i < tr.n; i++)
		if (tr.jobs[i].submit < T0)
			T0 = tr.jobs[i].submit;
	T0 -= T0 % HOUR;
	for (size_t i = 0; i < tr.n; i++) {
		const sl_job *j = &tr.jobs[i];
		int64_t d = j->run_s < j->est_s ? j->run_s : j->est_s;
		int64_t end = j->deadline_s > 0 ? j->submit + j->deadline_s
		                                : j->submit + d + NOWINDOW_EXTRA_H * HOUR + 86400;
		if (end > Tend)
			Tend = end;
	}
	int S = net->nsites, H = (int)((Tend - T0 + HOUR - 1) / HOUR) + 1, N = (int)tr.n;
	/* Rows: one per job (its work), then per (site, hour): GPUs, cores,
	 * carbon; then the misses row. */
	int r_gpu = N, r_core = N + S * H, r_c = N + 2 * S * H, r_miss = N + 3 * S * H;
	int nrow = r_miss + 1;
	double *rlb = calloc((size_t)nrow, sizeof *rlb), *rub = calloc((size_t)nrow, sizeof *rub);
	double *rate = calloc((size_t)S * (size_t)H, sizeof *rate); /* kg per kWh of IT energy */
	double idle_kg = 0;
	lp m = {0};
	for (int s = 0; s < S; s++) {
		const sl_site *st = &net->sites[s];
		double idle_kw = (st->cores * st->core_idle_w + st->gpus * st->gpu_idle_w) / 1000.0;
		for (int h = 0; h < H; h++) {
			int64_t t = T0 + (int64_t)h * HOUR;
			int32_t k = sl_supply_index(&sup, t);
			double pue = sl_signal_at(&st->pue, t);
			double ci = sl_supply_zone(&sup, st->zone, SL_ZS_CI + view)[k] / 1000.0;
			double green_kw = 1000.0 * (sl_supply_site(&sup, s, SL_SS_ONSITE_MW)[k] +
			                            sl_supply_site(&sup, s, SL_SS_SURPLUS_MW)[k] +
			                            sl_supply_site(&sup, s, SL_SS_CONTRACT_MW)[k]);
			rate[s * H + h] = pue * ci;
			rlb[r_gpu + s * H + h] = -INFINITY;
			rub[r_gpu + s * H + h] = st->gpus;
			rlb[r_core + s * H + h] = -INFINITY;
			rub[r_core + s * H + h] = st->cores;
			/* z - ci PUE sum(p x) >= ci (PUE idle - green) */
			rlb[r_c + s * H + h] = ci * (pue * idle_kw - green_kw);
			rub[r_c + s * H + h] = INFINITY;
			double z0 = ci * (pue * idle_kw - green_kw);
			idle_kg += z0 > 0 ? z0 : 0;
			col_begin(&m, 1.0, 0.0, INFINITY); /* z[s][h], kg */
			col_add(&m, r_c + s * H + h, 1.0);
		}
	}
	rlb[r_miss] = -INFINITY;
	rub[r_miss] = misses;
	long long legal_none = 0, deadline_jobs = 0;
	for (int i = 0; i < N; i++) {
		const sl_job *j = &tr.jobs[i];
		double d_h = (double)(j->run_s < j->est_s ? j->run_s : j->est_s) / HOUR;
		rlb[i] = rub[i] = d_h;
		deadline_jobs += j->deadline_s > 0;
		double rmin = INFINITY, kw_min = INFINITY;
		int any = 0;
		for (int s = 0; s < S; s++) {
			const sl_route *rt = NULL;
			if (sl_policy_site_check(net, j, s, &rt) != SL_REJECT_NONE)
				continue;
			const sl_site *st = &net->sites[s];
			double kw = (j->cores * (st->core_busy_w - st->core_idle_w) +
			             j->gpus * (st->gpu_busy_w - st->gpu_idle_w)) / 1000.0;
			int64_t arrive = j->submit + sl_transfer_s(rt, j->input_bytes);
			int64_t end = j->deadline_s > 0 ? j->submit + j->deadline_s
			                                : arrive + (int64_t)(d_h * HOUR) + NOWINDOW_EXTRA_H * HOUR;
			/* safe: started by the latest start the time limit allows
			 * (deadline - est_s), it ends d later */
			if (safe && j->deadline_s > 0 && j->est_s > d_h * HOUR)
				end -= j->est_s - (int64_t)(d_h * HOUR);
			int h0 = (int)((arrive - T0) / HOUR), h1 = (int)((end - 1 - T0) / HOUR);
			if (h1 >= H)
				h1 = H - 1;
			for (int h = 0; h < H; h++)
				if (rate[s * H + h] < rmin) {
					rmin = rate[s * H + h];
					kw_min = kw;
				}
			for (int h = h0; h <= h1; h++) {
				col_begin(&m, 0.0, 0.0, 1.0);
				col_add(&m, i, 1.0);
				if (j->gpus > 0)
					col_add(&m, r_gpu + s * H + h, j->gpus);
				if (j->cores > 0)
					col_add(&m, r_core + s * H + h, j->cores);
				col_add(&m, r_c + s * H + h, -rate[s * H + h] * kw);
			}
			any = 1;
		}
		if (!any) { /* rejected by every policy: no work to place */
			legal_none++;
			rlb[i] = rub[i] = 0;
			continue;
		}
		if (j->deadline_s > 0) { /* u_j: the late fraction, anywhere, at the lowest rate */
			col_begin(&m, rmin * kw_min * d_h, 0.0, 1.0);
			col_add(&m, i, d_h);
			col_add(&m, r_miss, 1.0);
		}
	}
	double t_built = now_s();
	Clp_Simplex *clp = Clp_newModel();
	Clp_setLogLevel(clp, 0);
	const char *max_s = getenv("BOUND_MAX_S"); /* give up after this long (default 900 s) */
	Clp_setMaximumSeconds(clp, max_s ? atof(max_s) : 900);
	Clp_loadProblem(clp, m.ncol, nrow, m.start, m.idx, m.val, m.lb, m.ub, m.obj, rlb, rub);
	/* Dual simplex solves the average-intensity LPs in under a minute;
	 * marginal intensities are flat across many sites and hours, a
	 * degenerate LP where the barrier method is far faster (measured: 51 s
	 * against over 8 minutes). */
	const char *alg = getenv("BOUND_ALG");
	if (alg ? !strcmp(alg, "barrier") : mode == SL_CARBON_MARGINAL)
		Clp_initialBarrierSolve(clp);
	else
		Clp_dual(clp, 0);
	int status = Clp_status(clp);
	double obj = Clp_objectiveValue(clp);
	double t_solved = now_s();
	/* Where the bound puts the work: each site's GPU-hours (its rows'
	 * activity), thousands. */
	const double *act = Clp_getRowActivity(clp);
	char where[512];
	size_t w = 0;
	for (int s = 0; s < S && w < sizeof where - 32; s++) {
		double g = 0;
		for (int h = 0; h < H; h++)
			g += act[r_gpu + s * H + h];
		w += (size_t)snprintf(where + w, sizeof where - w, "%s%s=%.0f", s ? "," : "",
		                      net->sites[s].id, g / 1000.0);
	}
	printf("bound window=%s carbon=%s solver=%s misses=%g jobs=%d deadline_jobs=%lld no_legal_site=%lld hours=%d "
	       "columns=%d rows=%d nonzeros=%zu status=%s total_t=%.2f idle_t=%.2f jobs_t=%.2f "
	       "kgpu_h=%s build_s=%.2f solve_s=%.2f\n",
	       safe ? "safe" : "deadline", mode == SL_CARBON_MARGINAL ? "marginal" : "average",
	       (alg ? !strcmp(alg, "barrier") : mode == SL_CARBON_MARGINAL) ? "barrier" : "dual", misses, N, deadline_jobs, legal_none,
	       H, m.ncol, nrow, m.nnz,
	       status == 0 ? "optimal" : status == 1 ? "infeasible" : "not-solved", obj / 1000.0,
	       idle_kg / 1000.0, (obj - idle_kg) / 1000.0, where, t_built - t_begin, t_solved - t_built);
	const char *dump = getenv("BOUND_DUMP"); /* site,hour,gpus,cores per line */
	FILE *df = dump ? fopen(dump, "w") : NULL;
	for (int s = 0; df && s < S; s++)
		for (int h = 0; h < H; h++)
			fprintf(df, "%s,%lld,%.3f,%.3f\n", net->sites[s].id, (long long)(T0 + (int64_t)h * HOUR),
			        act[r_gpu + s * H + h], act[r_core + s * H + h]);
	if (df)
		fclose(df);
	Clp_deleteModel(clp);
	free(m.start);
	free(m.idx);
	free(m.val);
	free(m.lb);
	free(m.ub);
	free(m.obj);
	free(rlb);
	free(rub);
	free(rate);
	sl_supply_release(&sup);
	sl_trace_release(&tr);
	sl_network_free(net);
	return status == 0 ? 0 : 1;
}
