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

/* The model being built: the network over hours [T0, T0 + H h), rows and
 * their bounds, and each site-hour's rate. */
typedef struct bound {
	const sl_network *net;
	const sl_trace *tr;
	sl_supply sup;
	int mode, safe, S, H, N;
	int64_t T0;
	int r_gpu, r_core, r_c, r_miss, nrow;   /* first rows of each kind */
	double *rlb, *rub;
	double *rate;               /* [S][H]: kg of CO2 per kWh of IT energy */
	double idle_kg;             /* the sites idle over the horizon */
	long long no_site, deadline_jobs;
	lp m;
} bound;

/* Job j's occupancy (hindsight), hours. */
static double occupancy_h(const sl_job *j)
{
	return (double)(j->run_s < j->est_s ? j->run_s : j->est_s) / HOUR;
}

/* Hours from the first submission's hour to the latest window end. */
static void horizon(bound *b)
{
	int64_t T0 = INT64_MAX, Tend = 0;
	for (size_t i = 0; i < b->tr->n; i++)
		if (b->tr->jobs[i].submit < T0)
			T0 = b->tr->jobs[i].submit;
	T0 -= T0 % HOUR;
	for (size_t i = 0; i < b->tr->n; i++) {
		const sl_job *j = &b->tr->jobs[i];
		int64_t end = j->deadline_s > 0 ? j->submit + j->deadline_s
		                                : j->submit + (int64_t)(occupancy_h(j) * HOUR) +
		                                      NOWINDOW_EXTRA_H * HOUR + 86400;
		if (end > Tend)
			Tend = end;
	}
	b->T0 = T0;
	b->S = b->net->nsites;
	b->H = (int)((Tend - T0 + HOUR - 1) / HOUR) + 1;
	b->N = (int)b->tr->n;
	/* Rows: one per job (its work), then per (site, hour): GPUs, cores,
	 * carbon; then the misses row. */
	int SH = b->S * b->H;
	b->r_gpu = b->N;
	b->r_core = b->N + SH;
	b->r_c = b->N + 2 * SH;
	b->r_miss = b->N + 3 * SH;
	b->nrow = b->r_miss + 1;
	b->rlb = calloc((size_t)b->nrow, sizeof *b->rlb);
	b->rub = calloc((size_t)b->nrow, sizeof *b->rub);
	b->rate = calloc((size_t)SH, sizeof *b->rate);
	if (!b->rlb || !b->rub || !b->rate)
		abort();
}

/* Per site and hour: the capacity rows, and the carbon row with its
 * column z = max(0, ci (PUE (idle + busy) - green)), in kg. */
static void site_rows(bound *b)
{
	int view = sl_supply_ci_view(b->mode, SL_GREEN_MARKET);
	for (int s = 0; s < b->S; s++) {
		const sl_site *st = &b->net->sites[s];
		double idle_kw = (st->cores * st->core_idle_w + st->gpus * st->gpu_idle_w) / 1000.0;
		for (int h = 0; h < b->H; h++) {
			int64_t t = b->T0 + (int64_t)h * HOUR;
			int32_t k = sl_supply_index(&b->sup, t);
			int i = s * b->H + h;
			double pue = sl_signal_at(&st->pue, t);
			double ci = sl_supply_zone(&b->sup, st->zone, SL_ZS_CI + view)[k] / 1000.0;
			double green_kw = 1000.0 * (sl_supply_site(&b->sup, s, SL_SS_ONSITE_MW)[k] +
			                            sl_supply_site(&b->sup, s, SL_SS_SURPLUS_MW)[k] +
			                            sl_supply_site(&b->sup, s, SL_SS_CONTRACT_MW)[k]);
			b->rate[i] = pue * ci;
			b->rlb[b->r_gpu + i] = b->rlb[b->r_core + i] = -INFINITY;
			b->rub[b->r_gpu + i] = st->gpus;
			b->rub[b->r_core + i] = st->cores;
			/* z - ci PUE sum(p x) >= ci (PUE idle - green) */
			double z0 = ci * (pue * idle_kw - green_kw);
			b->rlb[b->r_c + i] = z0;
			b->rub[b->r_c + i] = INFINITY;
			b->idle_kg += z0 > 0 ? z0 : 0;
			col_begin(&b->m, 1.0, 0.0, INFINITY);
			col_add(&b->m, b->r_c + i, 1.0);
		}
	}
}

/* Job i's columns: a fraction of each hour of its window at each legal
 * site, and (with a deadline) its late fraction u_i. */
static void job_columns(bound *b, int i)
{
	const sl_job *j = &b->tr->jobs[i];
	double d_h = occupancy_h(j), rmin = INFINITY, kw_min = 0;
	int any = 0;
	b->rlb[i] = b->rub[i] = d_h;
	b->deadline_jobs += j->deadline_s > 0;
	for (int s = 0; s < b->S; s++) {
		const sl_route *rt = NULL;
		if (sl_policy_site_check(b->net, j, s, &rt) != SL_REJECT_NONE)
			continue;
		const sl_site *st = &b->net->sites[s];
		double kw = (j->cores * (st->core_busy_w - st->core_idle_w) +
		             j->gpus * (st->gpu_busy_w - st->gpu_idle_w)) / 1000.0;
		int64_t arrive = j->submit + sl_transfer_s(rt, j->input_bytes);
		int64_t end = j->deadline_s > 0 ? j->submit + j->deadline_s
		                                : arrive + (int64_t)(d_h * HOUR) + NOWINDOW_EXTRA_H * HOUR;
		/* safe: started by the latest start the time limit allows
		 * (deadline - est_s), it ends its occupancy later */
		if (b->safe && j->deadline_s > 0 && j->est_s > d_h * HOUR)
			end -= j->est_s - (int64_t)(d_h * HOUR);
		int h0 = (int)((arrive - b->T0) / HOUR), h1 = (int)((end - 1 - b->T0) / HOUR);
		if (h1 >= b->H)
			h1 = b->H - 1;
		for (int h = 0; h < b->H; h++)
			if (b->rate[s * b->H + h] < rmin) {
				rmin = b->rate[s * b->H + h];
				kw_min = kw;
			}
		for (int h = h0; h <= h1; h++) {
			int k = s * b->H + h;
			col_begin(&b->m, 0.0, 0.0, 1.0);
			col_add(&b->m, i, 1.0);
			if (j->gpus > 0)
				col_add(&b->m, b->r_gpu + k, j->gpus);
			if (j->cores > 0)
				col_add(&b->m, b->r_core + k, j->cores);
			col_add(&b->m, b->r_c + k, -b->rate[k] * kw);
		}
		any = 1;
	}
	if (!any) { /* rejected by every policy: no work to place */
		b->no_site++;
		b->rlb[i] = b->rub[i] = 0;
	} else if (j->deadline_s > 0) { /* late, anywhere, at the lowest rate */
		col_begin(&b->m, rmin * kw_min * d_h, 0.0, 1.0);
		col_add(&b->m, i, d_h);
		col_add(&b->m, b->r_miss, 1.0);
	}
}

/* Each site's GPU-hours in the optimum (thousands), "ID=n,...". */
static void where(const bound *b, const double *act, char *buf, size_t n)
{
	size_t w = 0;
	buf[0] = 0;
	for (int s = 0; s < b->S && w + 32 < n; s++) {
		double g = 0;
		for (int h = 0; h < b->H; h++)
			g += act[b->r_gpu + s * b->H + h];
		w += (size_t)snprintf(buf + w, n - w, "%s%s=%.0f", s ? "," : "", b->net->sites[s].id,
		                      g / 1000.0);
	}
}

/* BOUND_DUMP: site,hour,GPUs,cores of the optimum, a line each. */
static void dump(const bound *b, const double *act, const char *path)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return;
	for (int s = 0; s < b->S; s++)
		for (int h = 0; h < b->H; h++)
			fprintf(f, "%s,%lld,%.3f,%.3f\n", b->net->sites[s].id,
			        (long long)(b->T0 + (int64_t)h * HOUR), act[b->r_gpu + s * b->H + h],
			        act[b->r_core + s * b->H + h]);
	fclose(f);
}

int main(int argc, char **argv)
{
	if (argc < 3 || argc > 5) {
		fprintf(stderr, "usage: bound_bench SCENARIO TRACE.csv [average|marginal] [MISSES]\n");
		return 2;
	}
	bound b;
	memset(&b, 0, sizeof b);
	b.mode = argc > 3 && strcmp(argv[3], "marginal") == 0 ? SL_CARBON_MARGINAL : SL_CARBON_AVERAGE;
	b.safe = getenv("BOUND_SAFE") && atoi(getenv("BOUND_SAFE"));
	double misses = argc > 4 ? strtod(argv[4], NULL) : 0;
	const char *alg = getenv("BOUND_ALG"), *max_s = getenv("BOUND_MAX_S");
	/* Dual simplex solves the average-intensity LPs in under a minute;
	 * marginal intensities are flat across many sites and hours, a
	 * degenerate LP where the barrier method is far faster (measured: 51 s
	 * against over 8 minutes). */
	int barrier = alg ? !strcmp(alg, "barrier") : b.mode == SL_CARBON_MARGINAL;
	sl_network *net = NULL;
	sl_trace tr = {0};
	sl_err e = {0};
	if (sl_scenario_load(argv[1], &net, NULL, &e))
		return fail("scenario", &e);
	if (sl_trace_load_csv(argv[2], net, &tr, &e))
		return fail("trace", &e);
	double t_begin = now_s();
	b.net = net;
	b.tr = &tr;
	sl_supply_init(&b.sup, net);
	horizon(&b);
	site_rows(&b);
	for (int i = 0; i < b.N; i++)
		job_columns(&b, i);
	b.rlb[b.r_miss] = -INFINITY;
	b.rub[b.r_miss] = misses;
	double t_built = now_s();
	Clp_Simplex *clp = Clp_newModel();
	Clp_setLogLevel(clp, 0);
	Clp_setMaximumSeconds(clp, max_s ? atof(max_s) : 900);
	Clp_loadProblem(clp, b.m.ncol, b.nrow, b.m.start, b.m.idx, b.m.val, b.m.lb, b.m.ub, b.m.obj,
	                b.rlb, b.rub);
	if (barrier)
		Clp_initialBarrierSolve(clp);
	else
		Clp_dual(clp, 0);
	int status = Clp_status(clp);
	double obj = Clp_objectiveValue(clp), t_solved = now_s();
	const double *act = Clp_getRowActivity(clp);
	char sites[512];
	where(&b, act, sites, sizeof sites);
	printf("bound window=%s carbon=%s solver=%s misses=%g jobs=%d deadline_jobs=%lld "
	       "no_legal_site=%lld hours=%d columns=%d rows=%d nonzeros=%zu status=%s total_t=%.2f "
	       "idle_t=%.2f jobs_t=%.2f kgpu_h=%s build_s=%.2f solve_s=%.2f\n",
	       b.safe ? "safe" : "deadline", b.mode == SL_CARBON_MARGINAL ? "marginal" : "average",
	       barrier ? "barrier" : "dual", misses, b.N, b.deadline_jobs, b.no_site, b.H, b.m.ncol,
	       b.nrow, b.m.nnz,
	       status == 0 ? "optimal" : status == 1 ? "infeasible" : "not-solved", obj / 1000.0,
	       b.idle_kg / 1000.0, (obj - b.idle_kg) / 1000.0, sites, t_built - t_begin,
	       t_solved - t_built);
	if (getenv("BOUND_DUMP"))
		dump(&b, act, getenv("BOUND_DUMP"));
	Clp_deleteModel(clp);
	free(b.m.start);
	free(b.m.idx);
	free(b.m.val);
	free(b.m.lb);
	free(b.m.ub);
	free(b.m.obj);
	free(b.rlb);
	free(b.rub);
	free(b.rate);
	sl_supply_release(&b.sup);
	sl_trace_release(&tr);
	sl_network_free(net);
	return status == 0 ? 0 : 1;
}
