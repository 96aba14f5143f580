/*
 * sim_csv.c — jobs.csv and sites_hourly.csv (formats in sim_report.h).
 *
 * jobs.csv can hold millions of rows, so rows are formatted by hand
 * (integers and fixed-decimal numbers) into a line buffer rather than by
 * printf, which dominates the cost otherwise.  Fixed decimals keep files
 * byte-identical across runs.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "report/sim_report.h"
#include "sched/transfer.h"

static char *put_str(char *p, const char *s)
{
	size_t n = strlen(s);
	memcpy(p, s, n);
	return p + n;
}

static char *put_u64(char *p, uint64_t v)
{
	char tmp[24];
	int n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		*p++ = tmp[--n];
	return p;
}

static char *put_i64(char *p, int64_t v)
{
	if (v < 0) {
		*p++ = '-';
		return put_u64(p, (uint64_t)0 - (uint64_t)v);
	}
	return put_u64(p, (uint64_t)v);
}

/* x with dec (1..9) decimals, rounded half away from zero. */
static char *put_fixed(char *p, double x, int dec)
{
	static const double p10[] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};
	double ax = fabs(x) * p10[dec];
	if (!isfinite(x) || ax >= 9e18)
		return p + snprintf(p, 64, "%.*f", dec, x);
	uint64_t m = (uint64_t)llround(ax), scale = (uint64_t)p10[dec];
	if (x < 0 && m)
		*p++ = '-';
	p = put_u64(p, m / scale);
	*p++ = '.';
	uint64_t frac = m % scale;
	for (int i = dec - 1; i >= 0; i--) {
		p[i] = (char)('0' + frac % 10);
		frac /= 10;
	}
	return p + dec;
}

int sl_report_sim_jobs_header(FILE *f, sl_err *err)
{
	fputs("job_id,policy,origin,site,class,submit,start,end,cores,gpus,wait_s,transfer_s,"
	      "energy_kwh,carbon_g,cost_cny,transfer_cny,sla_ok,status,reason,stops\n",
	      f);
	return ferror(f) ? sl_err_set(err, SL_EIO, NULL, "cannot write jobs.csv") : 0;
}

/* Met its latency budget and deadline (a rejected job did not). */
static int sla_ok(const sl_network *net, const sl_job *j, const sl_sim_job *r)
{
	if (r->site < 0)
		return 0;
	const sl_route *rt = sl_network_route(net, j->origin, r->site);
	if (j->latency_budget_ms > 0 && (!rt || rt->rtt_ms > j->latency_budget_ms))
		return 0;
	return !(j->deadline_s > 0 && r->end > j->submit + j->deadline_s);
}

static char *job_row(char *p, const sl_network *net, const char *policy, const sl_job *j,
                     const sl_sim_job *r)
{
	int placed = r->site >= 0;
	p = put_i64(p, j->id);
	*p++ = ',';
	p = put_str(p, policy);
	*p++ = ',';
	p = put_str(p, net->origins[j->origin].id);
	*p++ = ',';
	if (placed)
		p = put_str(p, net->sites[r->site].id);
	*p++ = ',';
	if (j->cls >= 0)
		p = put_str(p, net->classes[j->cls].id);
	*p++ = ',';
	p = put_i64(p, j->submit);
	*p++ = ',';
	if (placed) {
		p = put_i64(p, r->start);
		*p++ = ',';
		p = put_i64(p, r->end);
	} else {
		*p++ = ',';
	}
	*p++ = ',';
	p = put_i64(p, j->cores);
	*p++ = ',';
	p = put_i64(p, j->gpus);
	*p++ = ',';
	if (placed)
		p = put_i64(p, r->start - j->submit);
	*p++ = ',';
	p = put_i64(p, r->transfer_s);
	*p++ = ',';
	p = put_fixed(p, r->energy_kwh, 6);
	*p++ = ',';
	p = put_fixed(p, r->carbon_g, 3);
	*p++ = ',';
	p = put_fixed(p, r->cost_cny, 4);
	*p++ = ',';
	const sl_route *rt = placed ? sl_network_route(net, j->origin, r->site) : NULL;
	p = put_fixed(p, (rt ? sl_transfer_job_cny(rt, j) : 0.0) + r->resent_cny, 4);
	*p++ = ',';
	*p++ = sla_ok(net, j, r) ? '1' : '0';
	*p++ = ',';
	p = put_str(p, sl_job_status_name(r->status));
	*p++ = ',';
	if (r->status == SL_JOB_REJECTED)
		p = put_str(p, sl_reject_name(r->reason));
	else if (r->status == SL_JOB_KILLED)
		p = put_str(p, "time_limit");
	*p++ = ',';
	p = put_i64(p, r->stops);
	*p++ = '\n';
	return p;
}

int sl_report_sim_jobs(FILE *f, const sl_sim *sim, sl_err *err)
{
	size_t n;
	const sl_sim_job *res = sl_sim_jobs(sim, &n);
	if (!res && sl_sim_trace(sim)->n)
		return sl_err_set(err, SL_ESTATE, NULL, "per-job results were already dropped");
	const sl_network *net = sl_sim_network(sim);
	const sl_job *jobs = sl_sim_trace(sim)->jobs;
	const char *policy = sl_sim_policy(sim);
	/* Ids are short (scenario ids); a row stays far below this. */
	char line[1024];
	for (size_t i = 0; i < n; i++) {
		char *e = job_row(line, net, policy, &jobs[i], &res[i]);
		if (fwrite(line, 1, (size_t)(e - line), f) != (size_t)(e - line))
			return sl_err_set(err, SL_EIO, NULL, "cannot write jobs.csv");
	}
	return ferror(f) ? sl_err_set(err, SL_EIO, NULL, "cannot write jobs.csv") : 0;
}

int sl_report_sim_hourly_header(FILE *f, sl_err *err)
{
	fputs("policy,site,hour,busy_cores,busy_gpus,it_kw,facility_kw,green_kw,grid_kw,"
	      "carbon_g,cost_cny\n",
	      f);
	return ferror(f) ? sl_err_set(err, SL_EIO, NULL, "cannot write sites_hourly.csv") : 0;
}

int sl_report_sim_hourly(FILE *f, const sl_sim *sim, sl_err *err)
{
	size_t nb = sl_sim_nbuckets(sim);
	const sl_network *net = sl_sim_network(sim);
	const sl_sim_summary *sum = sl_sim_get_summary(sim);
	double step = net->step_s;
	char line[512];
	for (int s = 0; s < net->nsites; s++) {
		for (size_t b = 0; b < nb; b++) {
			sl_sim_bucket bk, *k = &bk;
			sl_sim_bucket_at(sim, b, s, &bk);
			char *p = line;
			p = put_str(p, sl_sim_policy(sim));
			*p++ = ',';
			p = put_str(p, net->sites[s].id);
			*p++ = ',';
			p = put_i64(p, sum->t_begin + (int64_t)b * net->step_s);
			*p++ = ',';
			p = put_fixed(p, k->busy_core_s / step, 3);
			*p++ = ',';
			p = put_fixed(p, k->busy_gpu_s / step, 3);
			*p++ = ',';
			const double v[4] = {k->it_j, k->facility_j, k->green_j, k->grid_j};
			for (int i = 0; i < 4; i++) {
				p = put_fixed(p, v[i] / step / 1000.0, 3);
				*p++ = ',';
			}
			p = put_fixed(p, k->carbon_g, 3);
			*p++ = ',';
			p = put_fixed(p, k->cost_cny, 4);
			*p++ = '\n';
			if (fwrite(line, 1, (size_t)(p - line), f) != (size_t)(p - line))
				return sl_err_set(err, SL_EIO, NULL, "cannot write sites_hourly.csv");
		}
	}
	return ferror(f) ? sl_err_set(err, SL_EIO, NULL, "cannot write sites_hourly.csv") : 0;
}
