/*
 * sim_int.h — the simulator's private state, shared by sim.c (driver and
 * event loop), sim_energy.c (power, supply and money accounting) and
 * sim_metrics.c (the summary).  Not part of the library's contract.
 */
#ifndef SL_SIM_INT_H
#define SL_SIM_INT_H

#include "sched/site_queue.h"
#include "sim/sim.h"

/* Event kinds, in the order they are handled at equal times: ends free
 * resources first, then arriving inputs join queues, then submissions are
 * placed (from the trace cursor, never in the heap), then policy ticks. */
enum { EV_END = 0, EV_ELIGIBLE = 1, EV_ARRIVE = 2, EV_TICK = 3 };

/* A preempted job: the work its earlier runs did (kept, as a checkpoint
 * keeps it), the restart its next run begins with, and the energy and
 * money of its earlier runs. */
typedef struct sim_pre {
	int64_t done_s;
	int32_t extra_s;
	int32_t stops;
	double E, C, Calt, M;   /* site integrals x busy watts, as in sl_sim_job until the end */
} sim_pre;

#define SIM_J_PER_KWH 3.6e6

/* Event keys: (time - t_begin) << 33 | kind << 31 | job, compared as one
 * unsigned integer (sim_events.c).  Times reach t_begin + 2^31 s (68
 * years); jobs are < 2^31. */
#define SIM_REL_MAX ((int64_t)1 << 31)

typedef struct sim_ev {
	uint64_t key;
	uint32_t run;   /* END: the job's site-queue handle */
	uint32_t pad;
} sim_ev;

typedef struct sim_evq {
	sim_ev *e;
	size_t n, cap;
} sim_evq;

void sim__evq_push(sim_evq *q, uint64_t key, uint32_t run);
int sim__evq_pop(sim_evq *q, sim_ev *out); /* 0, or -1 when empty */
void sim__evq_release(sim_evq *q);
static inline const sim_ev *sim__evq_peek(const sim_evq *q) { return q->n ? &q->e[0] : 0; }

/* The signal values a site's accounting reads in one step. */
typedef struct sim_step {
	double pue, ci, price, green_w;
	/* energy supply (energy_account.c, docs/energy.md): caps of on-site,
	 * curtailed-surplus and contracted supply (W, used in this order),
	 * the surplus intensity, grid intensity under the other carbon mode,
	 * and every grid view (SL_CI_*) for the summary's view table; green_w
	 * = what the run's green basis counts as zero-carbon */
	double onsite_w, surplus_w, contract_w, ci_sur, ci_alt;
	double ci_view[SL_CI_COUNT];
	int grid_only;   /* no on-site, surplus or contracted supply: all from the grid */
} sim_step;

/* What the run records per site and step; the rest of a row follows
 * (sl_sim_bucket_at). */
typedef struct sim_acc {
	double busy_core_s, busy_gpu_s, green_j;
	double onsite_j, surplus_j, contract_j;
} sim_acc;

/* Running totals of one site over the window. */
typedef struct sim_tot {
	double busy_core_s, busy_gpu_s, it_j, facility_j, green_j, grid_j, carbon_g, cost_cny;
	double onsite_j, surplus_j, contract_j, carbon_alt_g;
} sim_tot;

/* One site's state.  Invariant: busy_c/busy_g equal the cores/GPUs of the
 * site's running jobs; last_t <= the simulator's now; E, C, M are the
 * integrals from t_begin to last_t of, per watt of IT load: PUE (s), PUE x
 * grid fraction x carbon intensity (s gCO2/kWh), PUE x price
 * (s CNY/kWh).  A job's figures are its busy watts x their increase over
 * its run. */
typedef struct sim_site {
	sl_site_queue q;
	double idle_w, inc_core_w, inc_gpu_w;   /* IT watts: all idle; per busy device */
	int32_t busy_c, busy_g;
	double busy_w;                          /* busy increment now */
	int64_t last_t;
	double E, C, M;
	int64_t step_end;                       /* end of the step holding last_t */
	int32_t k;                              /* its signal index, -1 before the first */
	size_t bucket;                          /* its row in bk */
	double pue, ci, price, green_w;         /* that step's values */
	const sim_step *cur;                    /* and the whole step */
	double Calt;                            /* C under the other carbon mode */
	int64_t pend_c, pend_g;                 /* placed, not started */
	int32_t pend_jobs;
	int64_t jobs;                           /* started here */
	sim_tot tot;
} sim_site;

struct sl_sim {
	const sl_network *net;
	const sl_trace *trace;
	const sl_policy_ops *pol;
	void *pol_state;
	sl_sim_opts opts;

	sl_sim_job *res;               /* [trace->n] */
	sim_evq ev;
	sim_site *site;                /* [nsites] */
	int nsites;

	int64_t t_begin, now, last_end;
	int32_t step_s;
	sim_step *steps;               /* [nsites][net->nsteps]: signal values per step */
	sl_supply sup;                 /* the supply series the steps are drawn from */
	struct sim_enx *enx;           /* energy_account.c: network energy, bits or watts */
	sim_acc *bk;                   /* [nbk][nsites] */
	size_t nbk, bk_cap;

	int *dirty;                    /* sites to schedule before time moves on */
	int ndirty;
	uint8_t *is_dirty;

	sl_view view;
	int64_t vstep_lo, vstep_hi;    /* the step the view's cache is on */
	/* planning policies (pol->plan): the ticket each placement got, the
	 * engine side of re-plans, and the policy's one-line description */
	int32_t *ticket;               /* [trace->n] when pol->plan, else NULL */
	int64_t *planned;              /* [trace->n] when pol->plan: the time of a placed job's
	                                * one live planned-start event; INT64_MIN once queued */
	int32_t *resent;               /* [trace->n], allocated at the first retarget: seconds
	                                * after submission a moved job's input was sent again
	                                * (0: sent at submission) */
	int64_t *seg_end;              /* [trace->n] when pol->plan: when the running segment of a
	                                * job ends (its live EV_END), 0 when not running */
	int32_t *run_of;               /* [trace->n] when pol->plan: its site-queue run handle */
	int32_t *pre_of;               /* [trace->n] at the first preemption: 1 + the job's index
	                                * in pre[], 0 for a job never stopped */
	struct sim_pre *pre;           /* [npre] the stopped jobs' */
	int32_t npre, pre_cap;
	sl_plan_ctl ctl;
	char desc[256];
	int32_t vk;                    /* its signal index */
	double *vsig;                  /* [nsites][SL_SIG_COUNT]: every site's signals in that step,
	                                * side by side (what placements read) */

	/* job metrics gathered as jobs end (sim_metrics.c) */
	int64_t *waits;                /* start - submit of started jobs */
	size_t nwaits;
	double wait_sum, bsld_sum;

	int ran, closed;
	int fail;                      /* set by callbacks; the loop stops */
	sl_err failerr;
	sl_sim_summary sum;
};

/* sim_energy.c */
/* IT energy (J) of a site's step row: idle over the whole step plus the
 * busy increments (one expression for sl_sim_bucket_at and the views). */
static inline double sim__bucket_it_j(const sl_sim *sim, const sim_site *ss, const sim_acc *a)
{
	return ss->idle_w * sim->step_s + a->busy_core_s * ss->inc_core_w +
	       a->busy_gpu_s * ss->inc_gpu_w;
}
void sim__energy_init(sl_sim *sim);
/* Integrate site s's power from its last_t to t (>= last_t). */
void sim__advance(sl_sim *sim, int s, int64_t t);
/* Make room for step row b (rows are zeroed). */
void sim__buckets_reserve(sl_sim *sim, size_t b);
/* Value of a signal kind at site s at time t (true series). */
double sim__signal(const sl_sim *sim, int kind, int s, int64_t t);
extern const sl_view_ops sim__view_ops;
/* Point the view at now (refreshing the current-step signal cache). */
void sim__view_at(sl_sim *sim, int64_t now);

/* energy_account.c (docs/energy.md) */
/* Set up the supply series (before the step table) and, after it, the
 * move-bits-or-watts comparison; free both. */
void sim__energy_supply(sl_sim *sim);
void sim__energy_setup(sl_sim *sim);
void sim__energy_free(sl_sim *sim);
/* A started job ended (its result is final): network energy, the other
 * carbon mode's job share, move bits or move watts. */
void sim__energy_job_end(sl_sim *sim, const sl_job *job, const sl_sim_job *r);
/* A job's input, sent to site and abandoned there (frac of it sent):
 * its network energy now, at the origin's grid. */
void sim__energy_resent(sl_sim *sim, const sl_job *job, int site, double frac);
/* At close, after the site metrics: supply by source, the other carbon
 * mode, carbon under every view.  SL_EINTERNAL in check mode when the
 * views do not agree with the run's own totals. */
int sim__energy_close(sl_sim *sim, sl_err *err);

/* sim_metrics.c */
/* Count a job that ended (its result is final) or was rejected. */
void sim__job_ended(sl_sim *sim, const sl_job *job, const sl_sim_job *r);
void sim__job_rejected(sl_sim *sim, const sl_sim_job *r);
/* Job totals, means and percentiles after the run; SL_EINTERNAL if some
 * job was never finished or rejected (each job exactly once). */
int sim__job_metrics(sl_sim *sim, sl_err *err);
int sim__site_metrics(sl_sim *sim, sl_err *err);

#endif
