/*
 * sim.c — the simulation driver: validation, the event loop, placement,
 * transfers, starts and ends (see sim.h for the model).
 *
 * Hot path per job: one policy call, at most one ELIGIBLE and one END
 * event on the heap (submissions are read from the sorted trace, never
 * queued), O(log n) site-queue work, O(1) energy bookkeeping per start and
 * end.  No allocation per event beyond amortised array growth.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "core/mem.h"
#include "core/time.h"
#include "sched/transfer.h"
#include "sim/sim_int.h"

const char *sl_job_status_name(int status)
{
	switch (status) {
	case SL_JOB_DONE: return "done";
	case SL_JOB_KILLED: return "killed";
	case SL_JOB_REJECTED: return "rejected";
	default: return "pending";
	}
}

/* ---------- validation and setup ---------- */

static int check_job(const sl_network *net, const sl_job *j, size_t row, int64_t prev,
                     sl_err *err)
{
	const char *bad = NULL;
	if (j->origin < 0 || j->origin >= net->norigins)
		bad = "origin index out of range";
	else if (j->tag < -1 || j->tag >= net->ntags)
		bad = "data tag index out of range";
	else if (j->cls < -1 || j->cls >= net->nclasses)
		bad = "class index out of range";
	else if (j->cores < 0 || j->gpus < 0 || (int64_t)j->cores + j->gpus <= 0)
		bad = "needs cores >= 0, gpus >= 0 and at least one of them";
	else if (j->est_s <= 0)
		bad = "est_s must be > 0";
	else if (j->run_s < 0)
		bad = "run_s must be >= 0";
	else if (j->deadline_s < 0 || j->input_bytes < 0 || j->output_bytes < 0)
		bad = "deadline_s, input_bytes and output_bytes must be >= 0";
	else if (!(j->latency_budget_ms >= 0))
		bad = "latency_budget_ms must be >= 0";
	else if (j->submit < prev)
		bad = "submitted before the previous job: the trace must be sorted by submit";
	if (!bad)
		return 0;
	char where[64];
	snprintf(where, sizeof where, "job %lld (row %zu)", (long long)j->id, row + 1);
	return sl_err_set(err, SL_EINVAL, where, "%s", bad);
}

static int check_trace(const sl_network *net, const sl_trace *t, sl_err *err)
{
	if (t->n >= (size_t)INT32_MAX)
		return sl_err_set(err, SL_ERANGE, NULL, "trace has %zu jobs; at most %d", t->n,
		                  INT32_MAX - 1);
	if (net->nsites <= 0 || net->step_s <= 0)
		return sl_err_set(err, SL_EINVAL, NULL, "network has no sites or no signal step");
	if (t->n && t->jobs[t->n - 1].submit - t->jobs[0].submit >= SIM_REL_MAX / 2)
		return sl_err_set(err, SL_ERANGE, NULL, "trace spans more than 34 years");
	return 0;
}

static int move_planned(void *ud, int32_t j, int64_t not_before);
static int retarget_planned(void *ud, int32_t j, int site, int64_t not_before);
static int preempt_running(void *ud, int32_t j, int32_t restart_s, int64_t not_before);

static void setup(sl_sim *sim)
{
	const sl_network *net = sim->net;
	sim->nsites = net->nsites;
	sim->step_s = net->step_s;
	sim->res = sl_calloc(sim->trace->n ? sim->trace->n : 1, sizeof *sim->res);
	sl_mem_prefault(sim->res, sim->trace->n * sizeof *sim->res);
	sim->site = sl_calloc((size_t)net->nsites, sizeof *sim->site);
	sim->sum.nsites = net->nsites;
	sim->sum.sites = sl_calloc((size_t)net->nsites, sizeof *sim->sum.sites);
	sim->dirty = sl_calloc((size_t)net->nsites, sizeof *sim->dirty);
	sim->is_dirty = sl_calloc((size_t)net->nsites, 1);
	for (int s = 0; s < net->nsites; s++)
		sl_site_queue_init(&sim->site[s].q, net->sites[s].cores, net->sites[s].gpus);
	int64_t first = sim->trace->n ? sim->trace->jobs[0].submit : net->t0;
	sim->t_begin = net->t0 + sl_floor_div(first - net->t0, net->step_s) * net->step_s;
	sim->now = sim->last_end = sim->t_begin;
	if (sim->trace->n)
		sim->last_end = sim->trace->jobs[sim->trace->n - 1].submit;
	sim__energy_init(sim);
	/* Rows for the trace's span now (one allocation instead of doublings,
	 * its pages mapped at once); runs that go on longer grow it. */
	int64_t span = sim->last_end - sim->t_begin;
	sim->bk_cap = (size_t)(span / sim->step_s + 2) * (size_t)sim->nsites;
	sim->bk = sl_malloc(sim->bk_cap * sizeof *sim->bk);
	sl_mem_prefault(sim->bk, sim->bk_cap * sizeof *sim->bk);
	sim->view.ops = &sim__view_ops;
	sim->view.ctx = sim;
	sim->view.net = net;
	sim->view.carbon = sim->opts.carbon;
	if (sim->pol->plan) {
		sim->ticket = sl_calloc(sim->trace->n ? sim->trace->n : 1, sizeof *sim->ticket);
		sim->planned = sl_calloc(sim->trace->n ? sim->trace->n : 1, sizeof *sim->planned);
		sim->ctl.ud = sim;
		sim->ctl.move = move_planned;
		sim->ctl.retarget = retarget_planned;
		sim->ctl.preempt = preempt_running;
		sim->seg_end = sl_calloc(sim->trace->n ? sim->trace->n : 1, sizeof *sim->seg_end);
		sim->run_of = sl_calloc(sim->trace->n ? sim->trace->n : 1, sizeof *sim->run_of);
	}
}

int sl_sim_new(const sl_network *net, const sl_trace *trace, const char *policy,
               const sl_sim_opts *opts, sl_sim **out, sl_err *err)
{
	const sl_policy_ops *pol = sl_policy_find(policy);
	if (!pol)
		return sl_err_set(err, SL_ENOTFOUND, NULL, "unknown policy \"%s\"", policy);
	return sl_sim_new_ops(net, trace, pol, opts, out, err);
}

int sl_sim_new_ops(const sl_network *net, const sl_trace *trace, const sl_policy_ops *pol,
                   const sl_sim_opts *opts, sl_sim **out, sl_err *err)
{
	if (!pol->place)
		return sl_err_set(err, SL_EINVAL, NULL, "policy %s has no place()", pol->name);
	if (opts && opts->carbon != SL_CARBON_AVERAGE && opts->carbon != SL_CARBON_MARGINAL)
		return sl_err_set(err, SL_EINVAL, NULL, "unknown carbon accounting mode %d", opts->carbon);
	if (opts && opts->green != SL_GREEN_MARKET && opts->green != SL_GREEN_LOCATION)
		return sl_err_set(err, SL_EINVAL, NULL, "unknown green accounting basis %d", opts->green);
	if (opts && opts->has_net_kwh_per_gb && !(opts->net_kwh_per_gb >= 0))
		return sl_err_set(err, SL_EINVAL, NULL, "network energy must be >= 0 kWh/GB");
	int rc = check_trace(net, trace, err);
	if (rc)
		return rc;
	sl_sim *sim = sl_calloc(1, sizeof *sim);
	sim->net = net;
	sim->trace = trace;
	sim->pol = pol;
	if (opts)
		sim->opts = *opts;
	setup(sim);
	sl_policy_opts po = {sim->opts.seed, sim->opts.policy_params};
	if (pol->init && (rc = pol->init(&sim->pol_state, net, &po, err)) < 0) {
		sl_sim_free(sim);
		return rc;
	}
	sim->sum.policy = pol->name;
	sim->sum.carbon = sim->opts.carbon;
	sim->sum.green = sim->opts.green;
	if (pol->plan && pol->plan->describe)
		pol->plan->describe(sim->pol_state, sim->desc, sizeof sim->desc);
	if (pol->plan && pol->plan->bind)
		pol->plan->bind(sim->pol_state, &sim->ctl);
	sim->sum.params = sim->desc;
	*out = sim;
	return 0;
}

int sl_sim_set_receipts(sl_sim *sim, sl_receipt_fn fn, void *ud)
{
	if (!sim->pol->plan || !sim->pol->plan->set_receipts)
		return SL_EUNSUPPORTED;
	sim->pol->plan->set_receipts(sim->pol_state, fn, ud);
	return 0;
}

void sl_sim_free(sl_sim *sim)
{
	if (!sim)
		return;
	if (sim->pol->free)
		sim->pol->free(sim->pol_state);
	for (int s = 0; s < sim->nsites; s++)
		sl_site_queue_release(&sim->site[s].q);
	sim__evq_release(&sim->ev);
	sl_free(sim->res);
	sl_free(sim->site);
	sl_free(sim->dirty);
	sl_free(sim->is_dirty);
	sl_free(sim->bk);
	sl_free(sim->steps);
	sl_free(sim->vsig);
	sim__energy_free(sim);
	sl_free(sim->sum.sites);
	sl_free(sim->waits);
	sl_free(sim->ticket);
	sl_free(sim->planned);
	sl_free(sim->seg_end);
	sl_free(sim->run_of);
	sl_free(sim->pre);
	sl_free(sim->pre_of);
	sl_free(sim->resent);
	sl_free(sim);
}

/* ---------- events ---------- */

static uint64_t ev_key(const sl_sim *sim, int64_t t, int kind, int32_t job)
{
	return (uint64_t)(t - sim->t_begin) << 33 | (uint64_t)kind << 31 | (uint32_t)job;
}

static int64_t ev_time(const sl_sim *sim, uint64_t key) { return sim->t_begin + (int64_t)(key >> 33); }

static int fail(sl_sim *sim, int code, const char *fmt, long long a, long long b);

static void push_event(sl_sim *sim, int64_t t, int kind, int32_t job, int32_t run)
{
	if (t - sim->t_begin >= SIM_REL_MAX) {
		fail(sim, SL_ERANGE, "job %lld would run past %lld s after the first submission",
		     (long long)sim->trace->jobs[job].id, (long long)SIM_REL_MAX);
		return;
	}
	sim__evq_push(&sim->ev, ev_key(sim, t, kind, job), (uint32_t)run);
}

static void mark_dirty(sl_sim *sim, int s)
{
	if (!sim->is_dirty[s]) {
		sim->is_dirty[s] = 1;
		sim->dirty[sim->ndirty++] = s;
	}
}

/* Job j's record of earlier runs, if it was ever stopped. */
static const sim_pre *stopped(const sl_sim *sim, int32_t j)
{
	return sim->pre_of && sim->pre_of[j] ? &sim->pre[sim->pre_of[j] - 1] : NULL;
}

static int fail(sl_sim *sim, int code, const char *fmt, long long a, long long b)
{
	if (!sim->fail) {
		sim->fail = code;
		sl_err_set(&sim->failerr, code, NULL, fmt, a, b);
	}
	return code;
}

/* Tell a planning policy that job j started or ended at now. */
static void job_event(sl_sim *sim, int kind, int32_t j)
{
	if (!sim->ticket || !sim->pol->plan->job_event)
		return;
	sl_job_event ev = {kind, sim->res[j].site, j, sim->ticket[j], sim->now,
	                   &sim->trace->jobs[j]};
	sim->pol->plan->job_event(sim->pol_state, &ev);
}

/* The site queue started a job: account, and schedule its end. */
static void on_start(void *ud, int32_t j, int32_t run, int64_t now, int64_t end_est)
{
	sl_sim *sim = ud;
	const sl_job *job = &sim->trace->jobs[j];
	sl_sim_job *r = &sim->res[j];
	sim_site *ss = &sim->site[r->site];
	sim__advance(sim, r->site, now);
	ss->busy_c += job->cores;
	ss->busy_g += job->gpus;
	ss->busy_w += job->cores * ss->inc_core_w + job->gpus * ss->inc_gpu_w;
	ss->pend_c -= job->cores;
	ss->pend_g -= job->gpus;
	ss->pend_jobs--;
	const sim_pre *p = stopped(sim, j);
	if (!p) { /* a job restarted after a preemption keeps its first start */
		ss->jobs++;
		r->start = now;
	}
	/* Until the end these hold minus the site integrals at the start. */
	r->energy_kwh = -ss->E;
	r->carbon_g = -ss->C;
	r->carbon_alt_g = -ss->Calt;
	r->cost_cny = -ss->M;
	int64_t run_s = job->run_s < job->est_s ? job->run_s : job->est_s;
	if (p)
		run_s += p->extra_s - p->done_s;
	push_event(sim, now + run_s, EV_END, j, run);
	if (sim->seg_end) {
		sim->seg_end[j] = now + run_s;
		sim->run_of[j] = run;
	}
	job_event(sim, SL_JOBEV_START, j);
	if (sim->opts.check && (ss->busy_c > sim->net->sites[r->site].cores ||
	                        ss->busy_g > sim->net->sites[r->site].gpus))
		fail(sim, SL_EINTERNAL, "capacity exceeded at site %lld at time %lld",
		     (long long)r->site, (long long)now);
	(void)end_est;
}

/* Add to a site's job totals: joules (site integrals x busy watts) and their
 * carbon and money, as sim_pre keeps them. */
static void site_jobs_add(sl_sim *sim, int site, double E, double C, double A, double M)
{
	sl_sim_site_sum *o = &sim->sum.sites[site];
	o->job_kwh += E / SIM_J_PER_KWH;
	o->job_carbon_g += C / SIM_J_PER_KWH;
	o->job_carbon_alt_g += A / SIM_J_PER_KWH;
	o->job_cost_cny += M / SIM_J_PER_KWH;
}

/* Job j stops drawing busy power at its site now; its busy watts. */
static double run_off(sl_sim *sim, int32_t j)
{
	const sl_job *job = &sim->trace->jobs[j];
	sim_site *ss = &sim->site[sim->res[j].site];
	double inc = job->cores * ss->inc_core_w + job->gpus * ss->inc_gpu_w;
	sim__advance(sim, sim->res[j].site, sim->now);
	ss->busy_c -= job->cores;
	ss->busy_g -= job->gpus;
	ss->busy_w -= inc;
	if (ss->busy_c == 0 && ss->busy_g == 0)
		ss->busy_w = 0; /* no drift from += and -= of doubles */
	return inc;
}

static void on_end(sl_sim *sim, int32_t j, int32_t run)
{
	const sl_job *job = &sim->trace->jobs[j];
	sl_sim_job *r = &sim->res[j];
	sim_site *ss = &sim->site[r->site];
	double inc = run_off(sim, j);
	r->end = sim->now;
	r->status = job->run_s > job->est_s ? SL_JOB_KILLED : SL_JOB_DONE;
	r->energy_kwh = (ss->E + r->energy_kwh) * inc / SIM_J_PER_KWH;
	r->carbon_g = (ss->C + r->carbon_g) * inc / SIM_J_PER_KWH;
	r->carbon_alt_g = (ss->Calt + r->carbon_alt_g) * inc / SIM_J_PER_KWH;
	r->cost_cny = (ss->M + r->cost_cny) * inc / SIM_J_PER_KWH;
	const sim_pre *p = stopped(sim, j);
	if (p) { /* and its earlier runs */
		r->energy_kwh += p->E / SIM_J_PER_KWH;
		r->carbon_g += p->C / SIM_J_PER_KWH;
		r->carbon_alt_g += p->Calt / SIM_J_PER_KWH;
		r->cost_cny += p->M / SIM_J_PER_KWH;
	}
	if (sim->seg_end)
		sim->seg_end[j] = 0;
	if (sim->now > sim->last_end)
		sim->last_end = sim->now;
	sim__job_ended(sim, job, r);
	sim__energy_job_end(sim, job, r);
	if (p) /* its earlier runs went to their sites */
		site_jobs_add(sim, r->site, -p->E, -p->C, -p->Calt, -p->M);
	sl_site_queue_finish(&sim->site[r->site].q, run);
	mark_dirty(sim, r->site);
	job_event(sim, SL_JOBEV_END, j);
}

/* The job's input is at its site: it joins the queue. */
static void enqueue(sl_sim *sim, int32_t j)
{
	const sl_job *job = &sim->trace->jobs[j];
	int s = sim->res[j].site;
	sl_site_queue *q = &sim->site[s].q;
	if (sim->planned)
		sim->planned[j] = INT64_MIN; /* queued: no planned start to move any more */
	int64_t est = job->est_s;
	const sim_pre *p = stopped(sim, j);
	if (p)
		est += p->extra_s - p->done_s;
	sl_site_queue_push(q, sim->now, j, job->cores, job->gpus, (int32_t)(est > 1 ? est : 1),
	                   on_start, sim);
	if (q->nwait > 0)
		mark_dirty(sim, s);
}

/* Job j, placed at its site, becomes eligible there at `at`: it joins the
 * queue now if that is now, else at its planned-start event (planned[j]
 * names the live one when the policy plans).  Returns sim->fail. */
static int eligible_at(sl_sim *sim, int32_t j, int64_t at)
{
	if (at <= sim->now) {
		enqueue(sim, j);
		return 0;
	}
	if (sim->planned)
		sim->planned[j] = at;
	push_event(sim, at, EV_ELIGIBLE, j, 0);
	return sim->fail;
}

static int place(sl_sim *sim, int32_t j)
{
	const sl_job *job = &sim->trace->jobs[j];
	sl_sim_job *r = &sim->res[j];
	int64_t prev = j > 0 ? sim->trace->jobs[j - 1].submit : INT64_MIN;
	int rc = check_job(sim->net, job, (size_t)j, prev, &sim->failerr);
	if (rc)
		return sim->fail = rc;
	sl_decision d = {-1, SL_REJECT_NONE, 0, "", j, 0};
	sim__view_at(sim, sim->now);
	rc = sim->pol->place(sim->pol_state, job, &sim->view, &d);
	if (rc < 0)
		return fail(sim, rc, "policy failed on job %lld (%lld)", (long long)job->id, rc);
	if (d.site < 0) {
		r->site = -1;
		r->status = SL_JOB_REJECTED;
		r->reason = (uint8_t)(d.reason > 0 && d.reason < SL_REJECT_COUNT ? d.reason
		                                                                  : SL_REJECT_POLICY);
		sim__job_rejected(sim, r);
		return 0;
	}
	const sl_route *route = NULL;
	if (d.site >= sim->nsites ||
	    sl_policy_site_check(sim->net, job, d.site, &route) != SL_REJECT_NONE)
		return fail(sim, SL_EINTERNAL, "policy placed job %lld at site %lld illegally",
		            (long long)job->id, (long long)d.site);
	sim_site *ss = &sim->site[d.site];
	r->site = (int16_t)d.site;
	r->transfer_s = sl_transfer_s(route, job->input_bytes);
	ss->pend_c += job->cores;
	ss->pend_g += job->gpus;
	ss->pend_jobs++;
	if (sim->ticket)
		sim->ticket[j] = d.ticket;
	int64_t at = sim->now + r->transfer_s;
	if (d.not_before > at)
		at = d.not_before;
	eligible_at(sim, j, at);
	return 0;
}

/* sl_plan_ctl.move: cancel job j's pending planned-start event and make
 * one at max(not_before, input arrival).  Cancelling is lazy: the old
 * event stays in the heap and is dropped when it comes up, because its
 * time no longer matches planned[j]. */
static int move_planned(void *ud, int32_t j, int64_t not_before)
{
	sl_sim *sim = ud;
	if (j < 0 || (size_t)j >= sim->trace->n || not_before < sim->now)
		return SL_EINVAL;
	sl_sim_job *r = &sim->res[j];
	if (r->status != SL_JOB_PENDING || r->site < 0 || sim->planned[j] <= sim->now)
		return SL_ESTATE;
	int64_t at = sim->trace->jobs[j].submit + r->transfer_s + (sim->resent ? sim->resent[j] : 0);
	if (not_before > at)
		at = not_before;
	if (at == sim->planned[j])
		return 0;
	return eligible_at(sim, j, at);
}

/* sl_plan_ctl.retarget: job j, planned and not yet eligible, goes to
 * another legal site; its input is sent there from now (transfer_s stays
 * the route's transfer time; resent[j] remembers when it was sent). */
static int retarget_planned(void *ud, int32_t j, int site, int64_t not_before)
{
	sl_sim *sim = ud;
	const sl_route *route = NULL;
	if (j < 0 || (size_t)j >= sim->trace->n || not_before < sim->now || site < 0 ||
	    site >= sim->nsites)
		return SL_EINVAL;
	const sl_job *job = &sim->trace->jobs[j];
	sl_sim_job *r = &sim->res[j];
	if (r->status != SL_JOB_PENDING || r->site < 0 || sim->planned[j] <= sim->now)
		return SL_ESTATE;
	if (sl_policy_site_check(sim->net, job, site, &route) != SL_REJECT_NONE)
		return SL_EINVAL;
	if (site == r->site)
		return move_planned(ud, j, not_before);
	/* What was sent to the site it leaves is spent: the share of that
	 * route's transfer time that has passed (all once it arrived). */
	int64_t sent = sim->now - job->submit - (sim->resent ? sim->resent[j] : 0);
	double frac = r->transfer_s <= 0 || sent >= r->transfer_s ? 1.0
	                                                           : (double)sent / r->transfer_s;
	const sl_route *old = sl_network_route(sim->net, job->origin, r->site);
	if (old) {
		r->resent_cny += (float)(frac * sl_transfer_cny(old, job->input_bytes));
		sim__energy_resent(sim, job, r->site, frac);
	}
	sim_site *from = &sim->site[r->site], *to = &sim->site[site];
	from->pend_c -= job->cores;
	from->pend_g -= job->gpus;
	from->pend_jobs--;
	to->pend_c += job->cores;
	to->pend_g += job->gpus;
	to->pend_jobs++;
	if (!sim->resent)
		sim->resent = sl_calloc(sim->trace->n, sizeof *sim->resent);
	r->site = (int16_t)site;
	r->transfer_s = sl_transfer_s(route, job->input_bytes);
	sim->resent[j] = (int32_t)(sim->now - job->submit);
	sim->planned[j] = INT64_MIN; /* the old event no longer matches */
	int64_t at = sim->now + r->transfer_s;
	if (not_before > at)
		at = not_before;
	return eligible_at(sim, j, at);
}

/* sl_plan_ctl.preempt: running job j stops now and joins its site's queue
 * again at max(not_before, now), keeping the work it has done (as a
 * checkpoint would); its next run begins with restart_s of overhead.  Its
 * energy so far is kept for its record.  SL_ESTATE if it is not running,
 * SL_EUNSUPPORTED if its class is not preemptible. */
static int preempt_running(void *ud, int32_t j, int32_t restart_s, int64_t not_before)
{
	sl_sim *sim = ud;
	if (j < 0 || (size_t)j >= sim->trace->n || restart_s < 0)
		return SL_EINVAL;
	if (!sl_network_class_preemptible(sim->net, sim->trace->jobs[j].cls))
		return SL_EUNSUPPORTED;
	if (sim->seg_end[j] <= sim->now)
		return SL_ESTATE; /* not running, or ending now */
	if (!sim->pre_of)
		sim->pre_of = sl_calloc(sim->trace->n, sizeof *sim->pre_of);
	if (!sim->pre_of[j]) {
		if (sim->npre == sim->pre_cap) {
			sim->pre_cap = sim->pre_cap ? 2 * sim->pre_cap : 64;
			sim->pre = sl_realloc(sim->pre, (size_t)sim->pre_cap * sizeof *sim->pre);
		}
		memset(&sim->pre[sim->npre], 0, sizeof *sim->pre);
		sim->pre_of[j] = ++sim->npre;
	}
	const sl_job *job = &sim->trace->jobs[j];
	sl_sim_job *r = &sim->res[j];
	sim_site *ss = &sim->site[r->site];
	sim_pre *p = &sim->pre[sim->pre_of[j] - 1];
	double inc = run_off(sim, j);
	double dE = (ss->E + r->energy_kwh) * inc, dC = (ss->C + r->carbon_g) * inc;
	double dA = (ss->Calt + r->carbon_alt_g) * inc, dM = (ss->M + r->cost_cny) * inc;
	p->E += dE;
	p->C += dC;
	p->Calt += dA;
	p->M += dM;
	/* This site's job totals get the run now: the job may end elsewhere. */
	site_jobs_add(sim, r->site, dE, dC, dA, dM);
	/* The run began with the restart overhead, if any; then work. */
	int64_t total = job->run_s < job->est_s ? job->run_s : job->est_s;
	int64_t len = p->stops ? total - p->done_s + p->extra_s : total;
	int64_t worked = sim->now - (sim->seg_end[j] - len) - (p->stops ? p->extra_s : 0);
	p->done_s += worked > 0 ? worked : 0;
	p->extra_s = restart_s;
	p->stops++;
	r->stops++;
	sim->seg_end[j] = 0;
	sl_site_queue_finish(&ss->q, sim->run_of[j]);
	mark_dirty(sim, r->site);
	ss->pend_c += job->cores;
	ss->pend_g += job->gpus;
	ss->pend_jobs++;
	return eligible_at(sim, j, not_before > sim->now ? not_before : sim->now);
}

static void flush(sl_sim *sim)
{
	for (int i = 0; i < sim->ndirty; i++) {
		int s = sim->dirty[i];
		sim->is_dirty[s] = 0;
		sl_site_queue_schedule(&sim->site[s].q, sim->now, on_start, sim);
	}
	sim->ndirty = 0;
}

static void handle(sl_sim *sim, const sim_ev *e, size_t next_job)
{
	int32_t job = (int32_t)(e->key & 0x7fffffff);
	switch ((int)(e->key >> 31) & 3) {
	case EV_END:
		if (sim->seg_end && sim->seg_end[job] != sim->now)
			break; /* a run that was preempted */
		on_end(sim, job, (int32_t)e->run);
		break;
	case EV_ELIGIBLE:
		if (!sim->planned || sim->planned[job] == sim->now) /* else cancelled */
			enqueue(sim, job);
		break;
	case EV_TICK:
		sim__view_at(sim, sim->now);
		if (sim->pol->tick)
			sim->pol->tick(sim->pol_state, &sim->view, sim->now);
		if (sim->pol->plan && sim->pol->plan->replan)
			sim->pol->plan->replan(sim->pol_state, &sim->view, &sim->ctl);
		if (next_job < sim->trace->n || sim->ev.n > 0)
			push_event(sim, sim->now + sim->step_s, EV_TICK, 0, 0);
		break;
	}
}

/* Time of the next thing to happen (INT64_MAX when nothing is left). */
static int64_t next_time(const sl_sim *sim, size_t i)
{
	const sim_ev *top = sim__evq_peek(&sim->ev);
	int64_t t = top ? ev_time(sim, top->key) : INT64_MAX;
	if (i < sim->trace->n && sim->trace->jobs[i].submit < t)
		t = sim->trace->jobs[i].submit;
	return t;
}

static void progress(sl_sim *sim, size_t done)
{
	if (sim->opts.progress)
		sim->opts.progress(sim->opts.progress_ud, done, sim->trace->n);
}

static int loop(sl_sim *sim)
{
	const sl_job *jobs = sim->trace->jobs;
	size_t i = 0, n = sim->trace->n;
	int ticks = sim->pol->tick || (sim->pol->plan && sim->pol->plan->replan);
	if (ticks && n)
		push_event(sim, sim->t_begin + sim->step_s, EV_TICK, 0, 0);
	for (;;) {
		const sim_ev *top = sim__evq_peek(&sim->ev);
		uint64_t akey = i < n ? ev_key(sim, jobs[i].submit, EV_ARRIVE, (int32_t)i) : UINT64_MAX;
		if (top && top->key < akey) {
			sim_ev e;
			sim__evq_pop(&sim->ev, &e);
			sim->now = ev_time(sim, e.key);
			handle(sim, &e, i);
		} else if (i < n) {
			sim->now = jobs[i].submit;
			place(sim, (int32_t)i++);
			if ((i & 0xffff) == 0)
				progress(sim, i);
		} else {
			break;
		}
		if (sim->fail)
			return sim->fail;
		if (sim->ndirty && next_time(sim, i) != sim->now)
			flush(sim);
	}
	progress(sim, n);
	return 0;
}

int sl_sim_run(sl_sim *sim, sl_err *err)
{
	if (sim->ran)
		return sl_err_set(err, SL_ESTATE, NULL, "simulation already ran");
	sim->ran = 1;
	int rc = loop(sim);
	if (rc) {
		if (err)
			*err = sim->failerr;
		return rc;
	}
	return sim__job_metrics(sim, err);
}

int64_t sl_sim_last_end(const sl_sim *sim) { return sim->last_end; }

int64_t sl_sim_window_end(const sl_sim *sim)
{
	int64_t span = sim->last_end - sim->t_begin;
	int64_t steps = span > 0 ? (span + sim->step_s - 1) / sim->step_s : 0;
	if (steps == 0 && sim->trace->n > 0)
		steps = 1;
	return sim->t_begin + steps * sim->step_s;
}

int sl_sim_close(sl_sim *sim, int64_t t_end, sl_err *err)
{
	if (!sim->ran || sim->closed)
		return sl_err_set(err, SL_ESTATE, NULL, "close needs a run and only once");
	int64_t min_end = sl_sim_window_end(sim);
	if (t_end < min_end)
		t_end = min_end;
	int64_t off = sl_floor_mod(t_end - sim->t_begin, sim->step_s);
	if (off)
		t_end += sim->step_s - off;
	for (int s = 0; s < sim->nsites; s++)
		sim__advance(sim, s, t_end);
	/* The rows are final: give back what doubling over-allocated. */
	if (sim->nbk && sim->bk_cap > sim->nbk * (size_t)sim->nsites) {
		sim->bk_cap = sim->nbk * (size_t)sim->nsites;
		sim->bk = sl_realloc(sim->bk, sim->bk_cap * sizeof *sim->bk);
	}
	sim->sum.t_begin = sim->t_begin;
	sim->sum.t_end = t_end;
	sim->closed = 1;
	int rc = sim__site_metrics(sim, err);
	return rc ? rc : sim__energy_close(sim, err);
}

const sl_sim_summary *sl_sim_get_summary(const sl_sim *sim) { return &sim->sum; }

const sl_sim_job *sl_sim_jobs(const sl_sim *sim, size_t *n)
{
	if (n)
		*n = sim->res ? sim->trace->n : 0;
	return sim->res;
}

const sl_network *sl_sim_network(const sl_sim *sim) { return sim->net; }
const sl_trace *sl_sim_trace(const sl_sim *sim) { return sim->trace; }
const char *sl_sim_policy(const sl_sim *sim) { return sim->pol->name; }

void sl_sim_drop_jobs(sl_sim *sim)
{
	sl_free(sim->res);
	sim->res = NULL;
}

int sl_simulate(const sl_network *net, const sl_trace *trace, const char *policy,
                const sl_sim_opts *opts, sl_sim **out, sl_err *err)
{
	sl_sim *sim = NULL;
	int rc = sl_sim_new(net, trace, policy, opts, &sim, err);
	if (rc)
		return rc;
	if ((rc = sl_sim_run(sim, err)) || (rc = sl_sim_close(sim, 0, err))) {
		sl_sim_free(sim);
		return rc;
	}
	*out = sim;
	return 0;
}
