/*
 * trace_stats.c — computing the description of a log (contract in
 * io/trace_stats.h; printing is in trace_stats_out.c).
 *
 * One pass gathers counts, the arrival profile and the values of each
 * distribution; each distribution is then sorted once for its
 * percentiles.  The estimate figures follow the definitions used for the
 * table in docs/trace-format.md ("Runtime estimates"), so `trace stats`
 * reproduces it.
 */
#include "io/trace_stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/time.h"
#include "io/trace_int.h"

typedef struct vals {
	double *v;
	size_t n;
} vals;

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static int size_bin(double x)
{
	static const double top[SL_STATS_BINS - 1] = {1, 2, 4, 8, 32, 128, 1024};
	int b = 0;
	while (b < SL_STATS_BINS - 1 && x > top[b])
		b++;
	return b;
}

static int time_bin(double s)
{
	static const double top[SL_STATS_BINS - 1] = {60, 600, 3600, 4 * 3600, 12 * 3600, 86400, 2 * 86400};
	int b = 0;
	while (b < SL_STATS_BINS - 1 && s >= top[b])
		b++;
	return b;
}

static double at(const vals *x, double q)
{
	return x->v[(size_t)llround(q * (double)(x->n - 1))];
}

/* Sort the values and summarise them; time bins or size bins. */
static void summarise(vals *x, int time_bins, sl_dist *d)
{
	memset(d, 0, sizeof *d);
	d->n = x->n;
	if (x->n == 0)
		return;
	qsort(x->v, x->n, sizeof *x->v, cmp_double);
	double sum = 0;
	for (size_t i = 0; i < x->n; i++) {
		sum += x->v[i];
		d->bin[time_bins ? time_bin(x->v[i]) : size_bin(x->v[i])]++;
	}
	d->mean = sum / (double)x->n;
	d->min = x->v[0];
	d->max = x->v[x->n - 1];
	d->p10 = at(x, 0.10);
	d->p25 = at(x, 0.25);
	d->p50 = at(x, 0.50);
	d->p75 = at(x, 0.75);
	d->p90 = at(x, 0.90);
	d->p99 = at(x, 0.99);
}

/* The processors a SWF job used (allocated, else requested), 0 unknown. */
static double used_procs(const sl_logjob *j)
{
	return j->procs > 0 ? j->procs : j->req_procs > 0 ? j->req_procs : 0;
}

static double asked_procs(const sl_logjob *j)
{
	return j->req_procs > 0 ? j->req_procs : j->procs > 0 ? j->procs : 0;
}

typedef struct acc {
	vals size, gpus, run, est, wait, ratio;
	double acc_sum, work_cpu, work_gpu;
	size_t reached, over;
	sl__idseen users;
} acc;

static void count_job(const sl_srclog *L, const sl_logjob *j, sl_trace_stats *s, acc *a)
{
	sl_civil c;
	sl_time_to_civil(j->submit, sl_srclog_offset_at(L, j->submit), &c);
	s->by_hour[c.hour]++;
	s->by_wday[c.wday]++;
	if (j->status >= -1 && j->status <= 7)
		s->by_status[j->status + 1]++;
	if (j->qos >= 0 && j->qos < SL_QOS_COUNT)
		s->by_qos[j->qos]++;
	if (j->user >= 0)
		sl__idseen_add(&a->users, j->user);
	double size = s->size_is_procs ? asked_procs(j) : (double)j->cpu_milli / 1000;
	if (size > 0)
		a->size.v[a->size.n++] = size;
	if (j->run_s >= 0)
		a->run.v[a->run.n++] = j->run_s;
	if (j->est_s > 0)
		a->est.v[a->est.n++] = j->est_s;
	if (j->wait_s >= 0)
		a->wait.v[a->wait.n++] = j->wait_s;
	if (j->run_s > 0 && j->est_s > 0) {
		a->ratio.v[a->ratio.n++] = (double)j->est_s / j->run_s;
		a->acc_sum += (double)j->run_s / j->est_s;
		a->reached += j->run_s >= 0.99 * j->est_s;
		a->over += j->run_s > j->est_s;
	}
	double run = j->run_s > 0 ? j->run_s : 0;
	if (s->size_is_procs) {
		a->work_cpu += run * used_procs(j);
		return;
	}
	a->work_cpu += run * (double)(j->cpu_milli > 0 ? j->cpu_milli : 0) / 1000;
	if (j->gpu_milli > 0) {
		double g = (double)j->gpu_milli / 1000;
		a->gpus.v[a->gpus.n++] = g;
		a->work_gpu += run * g;
		s->gpu_exact += g;
		s->gpu_whole += ceil(g - 1e-9);
		s->frac_gpu_jobs += j->gpu_milli % 1000 != 0;
	}
}

static void machine(const sl_srclog *L, sl_trace_stats *s)
{
	s->machine_procs = L->max_procs > 0 ? L->max_procs : L->max_nodes;
	s->machine_cores = L->machine_cores;
	s->machine_gpus = L->machine_gpus;
	if (s->size_is_procs && s->machine_procs <= 0)
		for (size_t i = 0; i < L->n; i++)
			if (asked_procs(&L->jobs[i]) > s->machine_procs)
				s->machine_procs = (int64_t)asked_procs(&L->jobs[i]);
}

static void finish(sl_trace_stats *s, acc *a)
{
	double span = s->span_days * SL_DAY;
	summarise(&a->size, 0, &s->size);
	summarise(&a->gpus, 0, &s->gpus);
	summarise(&a->run, 1, &s->run_s);
	summarise(&a->est, 1, &s->est_s);
	summarise(&a->wait, 1, &s->wait_s);
	s->gpu_jobs = a->gpus.n;
	s->users = a->users.n;
	s->est_jobs = a->ratio.n;
	if (a->ratio.n) {
		qsort(a->ratio.v, a->ratio.n, sizeof *a->ratio.v, cmp_double);
		s->est_ratio_p50 = at(&a->ratio, 0.5);
		s->est_accuracy_mean = a->acc_sum / (double)a->ratio.n;
		s->est_reached = (double)a->reached / (double)a->ratio.n;
		s->est_over = (double)a->over / (double)a->ratio.n;
	}
	if (span > 0) {
		int64_t cpu = s->size_is_procs ? s->machine_procs : s->machine_cores;
		s->util_own_cpu = cpu > 0 ? a->work_cpu / ((double)cpu * span) : 0;
		s->util_own_gpu = s->machine_gpus > 0 ? a->work_gpu / ((double)s->machine_gpus * span) : 0;
	}
}

int sl_trace_stats_compute(const sl_srclog *L, sl_trace_stats *s)
{
	acc a;
	memset(s, 0, sizeof *s);
	memset(&a, 0, sizeof a);
	s->format = L->format;
	s->name = L->name;
	s->jobs = L->n;
	s->utc_offset_s = L->utc_offset_s;
	s->tz = L->tz;
	memcpy(s->tz_name, L->tz_name, sizeof s->tz_name);
	s->size_is_procs = L->format == SL_LOG_SWF;
	if (L->n) {
		s->first_submit = L->jobs[0].submit;
		s->last_submit = L->jobs[L->n - 1].submit;
		s->span_days = (double)(s->last_submit - s->first_submit) / SL_DAY;
		s->first_offset_s = sl_srclog_offset_at(L, s->first_submit);
		s->last_offset_s = sl_srclog_offset_at(L, s->last_submit);
	}
	vals *all[6] = {&a.size, &a.gpus, &a.run, &a.est, &a.wait, &a.ratio};
	for (int k = 0; k < 6; k++)
		all[k]->v = sl_malloc((L->n ? L->n : 1) * sizeof(double));
	machine(L, s);
	for (size_t i = 0; i < L->n; i++)
		count_job(L, &L->jobs[i], s, &a);
	finish(s, &a);
	for (int k = 0; k < 6; k++)
		sl_free(all[k]->v);
	sl__idseen_free(&a.users);
	return 0;
}

void sl_trace_stats_offered(sl_trace_stats *s, const sl_network *net, const sl_trace *t)
{
	int64_t span = t->n ? t->jobs[t->n - 1].submit - t->jobs[0].submit : 0;
	s->has_network = 1;
	s->network = net->name;
	sl_network_capacity(net, &s->net_cores, &s->net_gpus);
	s->mapped_jobs = t->n;
	s->mapped_span_days = (double)span / SL_DAY;
	sl_trace_offered(net, t, span > 0 ? span : 1, &s->offered);
}
