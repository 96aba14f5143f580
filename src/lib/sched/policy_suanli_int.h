/*
 * policy_suanli_int.h — the suanli policy's private state, shared by
 * policy_suanli.c (the ops table, parameters, place), policy_suanli_score.c
 * (forecast tables, runtime learning, candidates and scores) and
 * policy_suanli_plan.c (placements held, reservations, job events,
 * re-planning).  Not part of the library's contract; docs/policy-suanli.md
 * describes the behaviour.
 */
#ifndef SL_POLICY_SUANLI_INT_H
#define SL_POLICY_SUANLI_INT_H

#include <stdint.h>

#include "sched/forecast.h"
#include "sched/policy.h"
#include "sched/receipt.h"
#include "sched/reserve.h"

#define SQ_CAP_W 10.0
enum { SQ_OBJ_CARBON = 0, SQ_OBJ_COST, SQ_OBJ_BALANCED };
enum { SQ_LATE_RUN = 0, SQ_LATE_REJECT };
/* The score's units: the nearest counterfactual's carbon and cost for the
 * job, or the job's energy at the network's mean carbon rate and price
 * (one exchange rate between grams and yuan for every job). */
enum { SQ_NORM_NEAREST = 0, SQ_NORM_ENERGY };

/* What the user set (policy params, "key=value,..."). */
typedef struct sq_params {
	int objective;              /* SQ_OBJ_*: the preset the weights start from */
	double w_carbon, w_cost;    /* per unit of the nearest counterfactual's figure */
	double w_wait;              /* per hour of start after the input has arrived */
	double w_late;              /* per unit of lateness risk (margin < one step) */
	int64_t max_slack_s;        /* how far ahead a start may be planned */
	double cost_cap;            /* > 0: a candidate costing more than this multiple of the
	                             * nearest counterfactual pays SQ_CAP_W per unit over */
	int green_now;              /* at a busy site greener than the mean, room now is taken now */
	double green_busy;          /* busy: this share of the binding resource reserved */
	int pull;                   /* re-plan: a deferred job may move to another site
	                             * where room opened, when clearly better */
	int64_t horizon_s;          /* forecast tables span; beyond, the last day repeats */
	int32_t replan_steps;       /* re-plan every this many steps (0: never) */
	int32_t issue_steps;        /* forecasts are issued every this many steps (>= 1) */
	double replan_gain;         /* a move must lower the score by this (absolute) */
	int late;                   /* SQ_LATE_*: a job no start can finish in time */
	int alts;                   /* alternatives per receipt */
	int oracle;                 /* the user allowed the true future */
	sl_forecast_opts fc;
	double prior_ratio;         /* runtime / estimate before enough jobs ended */
	double hold_q;              /* reservations hold this quantile of runtime / estimate
	                             * (>= 1: the whole estimate) */
	int32_t hold_min_n;         /* jobs of a class that must have ended before it is used */
	int norm;                   /* SQ_NORM_*: what carbon and cost are divided by */
	double head_frac;           /* GPUs kept back at sites above the mean carbon rate,
	                             * for jobs whose latest start is near (tight) */
	int64_t tight_s;            /* a job is tight when its latest start is this near */
	int64_t risk_s;             /* a start closer than this to the latest start pays w_late
	                             * in proportion (lateness risk: slips eat the margin) */
	int bump;                   /* SQ_BUMP_*: which planned jobs making room may move */
	int preempt;                /* making room may stop running jobs (checkpoint, requeue) */
	int32_t restart_s;          /* what a stopped job's next run begins with */
	int by_est;                 /* the chance of missing reads the ratios of the job's
	                             * range of estimates */
	double miss_eps;            /* > 0: starts are planned up to where the chance of
	                             * missing reaches this (0: deadline - estimate) */
} sq_params;

/* Making room for a job with no start in its slack: move only planned
 * jobs that keep a start within their own slack (safe), or any planned
 * job with a deadline when that lowers the expected number of misses
 * (expected: the runtime/estimate ratios learnt give each start's chance
 * of ending late). */
enum { SQ_BUMP_SAFE = 0, SQ_BUMP_EXPECTED = 1 };

/* Making room (moving planned jobs, or stopping running ones) must lower
 * the expected misses by at least this much. */
#define SQ_BUMP_GAIN 0.05

/* One site's forecast tables, valid from the step sq_state.k_tab for H
 * steps: a[k - base] is the per-kW rate of step k (carbon: PUE x grid
 * share x g/kWh; money: PUE x CNY/kWh) and p[k - base + 1] - p[k - base]
 * its integral over the step, per kW, in g (or CNY).  Only differences of
 * p are meaningful. */
typedef struct sq_tab {
	double *ac, *am;            /* [cap]: index i is step base + i */
	double *pc, *pm;            /* [cap + 1] */
	double *pue;                /* [cap] */
	int64_t base;
	int64_t filled_c, filled_m, filled_p; /* steps before these are valid (from k_tab on) */
	double cmin, mmin;          /* the lowest rates from k_tab for H steps */
	double csum, msum;          /* their sums over the H steps (at the last issue) */
} sq_tab;

/* Runtime / estimate of the jobs of one class that ended: their mean (the
 * expected runtime a prediction covers) and a histogram of them (the
 * quantile a reservation holds, and the same given that a job has already
 * run a while).  Bin i counts ratios in (i / SQ_RBINS, (i + 1) / SQ_RBINS]
 * (bin 0 also 0).  Kept for each class, and for each class and range of
 * estimates (SQ_EBUCKETS, doubling from SQ_EBUCKET0_S): runtimes have a
 * range of their own, so a job that asks for a lot tends to use a smaller
 * share of it.  The chance of missing a deadline (sq__miss_p) reads the
 * range's table once hold_min_n jobs of it have ended (by_est=1); holds
 * and expected runtimes read the class's (measured: the ranges' made
 * holds tighter and misses more, 85 against 49 on 24 traces). */
#define SQ_RBINS 64
#define SQ_EBUCKETS 12
#define SQ_EBUCKET0_S 1200
typedef struct sq_ratio {
	uint32_t n;
	double sum;
	uint32_t bin[SQ_RBINS];
	double q;                   /* hold_q's quantile of the bins (1 until hold_min_n) */
	uint32_t above[SQ_RBINS + 1]; /* jobs in bins i and up, when above_ok */
	int above_ok;
	int32_t eps_bin;            /* when above_ok: the least b with P(ratio > b / SQ_RBINS)
	                             * <= miss_eps, counting the next job as one above */
} sq_ratio;

/* One request being planned: the job's shape and what the policy expects
 * of it.  run_s is its expected runtime (what predictions cover; the
 * profile and the deadline use the estimate); cref and mref the nearest
 * counterfactual's carbon and cost (the score's units). */
typedef struct sq_ask {
	int32_t cores, gpus, est_s;
	int32_t hold_s;             /* what its reservation holds from its start (<= est_s) */
	int16_t cls;
	uint8_t tight;              /* may use the GPUs kept back (head_g) */
	int64_t run_s;
	double cref, mref;
} sq_ask;

/* Each site keeps two lists of placements, linked through their records:
 * the running ones (preemption picks from them) and the deferred ones
 * (making room walks them).  A running placement whose reservation ends
 * before its estimate is also in one of the watch buckets (SQ_WATCH). */
enum { SQ_RUNNING = 0, SQ_DEFERRED = 1, SQ_WATCH = 2, SQ_LINKS = 3, SQ_LISTS = 2 };

/* Watch buckets: step k's watches are in bucket k & (SQ_WN - 1) (a
 * bucket may also hold later steps', which wait for their own turn). */
#define SQ_WN 1024
typedef struct sq_link {
	int32_t prev, next;         /* tickets; -1: none */
} sq_link;

/* A placement the policy holds until the job ends.  Reserved steps are
 * [k0, k1) at site (clipped to the present by the profile): hold_s from
 * the planned (then the actual) start, a predicted runtime, extended when
 * the job runs past it (never beyond its estimate). */
typedef struct sq_rec {
	int32_t handle;             /* the engine's job handle */
	int32_t next_free;          /* free list link; -1 */
	int32_t dpos;               /* index in the deferred list, -1 when not there */
	sq_link link[SQ_LINKS];     /* in its site's list of running placements (while
	                             * running) and of deferred ones (while dpos >= 0), and
	                             * in its watch bucket (while wk >= 0) */
	int16_t site;
	int16_t cls;
	uint8_t live, running;
	uint8_t flex;               /* it is planned within its slack: moves keep it there */
	uint8_t stopped;            /* preempted at least once: est_s, hold_s and latest are
	                             * for the work left (its ratio is not learnt) */
	int32_t cores, gpus, est_s;
	int32_t hold_s;
	int64_t wk;                 /* the step its reservation ends and is looked at again
	                             * (sq__extend_overruns), -1 when not watched */
	int64_t job_id;
	sl_job job;                 /* a copy (relocation): the engine's may move, as the
	                             * live service's job table does when it grows */
	int64_t arrive;             /* input arrival at site */
	int64_t latest;             /* latest start planned for (INT64_MAX: none) */
	int64_t deadline;           /* when it must end (INT64_MAX: none) */
	int64_t t_plan, t_start;    /* planned start; actual start once running */
	int64_t k0, k1;
	double pkw;                 /* busy increment, kW */
	double cref, mref;          /* the nearest counterfactual's carbon and cost */
	double transfer_cny;
} sq_rec;

/* Per job, per candidate site, what scoring needs. */
typedef struct sq_site_eval {
	int site;
	const sl_route *route;
	int64_t arrive;             /* when its input would arrive there */
	int64_t latest;             /* latest start considered: deadline and slack cap */
	int64_t latest_dl;          /* latest start meeting the deadline (INT64_MAX: none):
	                             * its estimate before it, or (miss_eps) its likely runtime */
	int64_t deadline;           /* when it must end (INT64_MAX: none) */
	double transfer_cny;
	double pkw;
	int has_best;
	sl_receipt_option best;     /* best feasible start here */
	int excluded;               /* SL_REJECT_DEADLINE, SL_RECEIPT_FULL, or 0 */
} sq_site_eval;

typedef struct sq_state {
	const sl_network *net;
	sq_params p;
	char desc[240];
	char fcname[16];
	sl_policy_cands pc;
	sl_forecast *fc;
	sl_resv resv;
	int resv_on;

	/* forecast tables */
	int32_t H, day_steps;
	int64_t k_tab;              /* the step the tables start at; INT64_MIN: none */
	int64_t k_issue;            /* the step the forecasts in them were issued at */
	uint64_t sig_gen;           /* the view's signal_gen they were read under */
	int32_t *head_g;            /* [nsites]: GPUs kept back for tight jobs */
	double ci_ref, m_ref;       /* mean carbon (g) and money (CNY) per kWh of busy IT
	                             * energy over sites and the tables (SQ_NORM_ENERGY) */
	sq_tab *tab;                /* [nsites] */
	double *buf;                /* [3 H] forecast scratch */
	double *inc_core_w, *inc_gpu_w, *idle_w; /* [nsites] */
	uint8_t *green_on;          /* [nsites]: the site may get green supply */

	sq_ratio *ratio;            /* [nclasses + 1], index cls + 1 */
	int nratio;

	/* placements */
	sq_rec *rec;
	int32_t nrec, cap_rec, free_rec;
	int32_t *deferred;          /* tickets of placed, not yet started jobs */
	int32_t ndeferred, cap_deferred;
	int32_t *scratch;           /* re-plan snapshot */
	int32_t *head[SQ_LISTS];    /* [nsites] each site's list of each kind (-1: empty) */
	int64_t k_last_replan;
	int64_t k_issue_replanned;  /* the issue the last full re-plan used */
	uint8_t *site_dirty;        /* [nsites]: a job ended there since the last re-plan */
	uint8_t *site_broken;       /* [nsites]: a reservation grew there: planned starts to check */
	int32_t *whead;             /* [SQ_WN] watch buckets: running jobs whose reservation
	                             * ends before their estimate, by its end step */
	int64_t wdone;              /* watches up to this step are done (INT64_MIN: none) */
	int64_t nwatch;
	int32_t *wdue;              /* scratch: one bucket's due watches */
	int32_t cap_wdue;

	/* per-job scratch */
	sq_site_eval *ev;           /* [nsites] */
	uint8_t *feas;              /* [nfeas_cap] */
	int32_t nfeas_cap;
	sl_receipt_option *alts;    /* [nsites] */
	sl_receipt_excluded *excl;  /* [nsites] */

	const sl_plan_ctl *ctl;     /* the engine's moves (bind), NULL when none */
	int replan_all;             /* this re-plan looks at every site (forecasts issued) */
	int32_t bump_skip;          /* the ticket being re-planned (never a blocker), or -1 */

	/* receipts */
	sl_receipt_fn rfn;
	void *rud;

	int64_t now_t;              /* the engine's time at the current call */

	/* counters (tests read them; the description does not) */
	int64_t moves, late_jobs, fallback, bumped, extended, repaired, relocated, preempted;
} sq_state;

/* policy_suanli_score.c */
void sq__tables_init(sq_state *s);
void sq__tables_free(sq_state *s);
/* Bring the forecast tables (and the profile's present) to view->now. */
void sq__refresh(sq_state *s, const sl_view *v);
/* Predicted carbon (g) and electricity (CNY) of pkw kW over [t, t + dur_s)
 * at site (t at or after the start of the tables' step). */
void sq__predict(const sq_state *s, int site, double pkw, int64_t t, int64_t dur_s,
                 double *carbon_g, double *cost_cny);
/* The busy increment of cores and GPUs at site, kW. */
double sq__kw(const sq_state *s, int site, int32_t cores, int32_t gpus);
/* What the policy expects of a job: fills cores .. run_s of ask. */
void sq__ask(const sq_state *s, const sl_job *job, sq_ask *ask);
/* A job of class cls ran run_s of its est_s. */
void sq__learn(sq_state *s, int cls, int64_t run_s, int32_t est_s);
/* What a job of class cls with estimate est_s that has run ran_s (0: not
 * started) should hold from its start: the hold quantile of its class's
 * ratios above ran_s / est_s, times est_s; more than ran_s, at most est_s. */
int32_t sq__hold_len(const sq_state *s, int cls, int32_t est_s, int64_t ran_s);
/* A lower bound of the score of any start at e's site. */
double sq__lower_bound(const sq_state *s, const sq_ask *a, const sq_site_eval *e);
/* Score one candidate: lower is better. */
double sq__score(const sq_state *s, const sq_ask *a, double carbon_g, double cost_cny,
                 int64_t start, int64_t arrive, int64_t latest_dl);
/* The nearest policy's choice for job at view->now and its prediction
 * (run over ask's expected runtime). */
void sq__nearest(sq_state *s, const sl_view *v, const sl_job *job, const sq_ask *a,
                 sl_receipt_option *out);
/* Steps held from t for len_s seconds: [step(t), step(t + len_s - 1) + 1). */
void sq__steps(const sq_state *s, int64_t t, int64_t len_s, int64_t *k0, int64_t *k1);
/* Best start with room at one site within [e->arrive, e->latest] (sets
 * e->best, e->has_best).  Step-aligned starts are not searched when no
 * score of theirs could beat `beat` (INFINITY: always searched), so a
 * site's best is exact only when it beats that. */
void sq__best_at_site(sq_state *s, const sq_ask *a, sq_site_eval *e, double beat);
/* The earliest start with room at e's site from e->arrive, searching up to
 * limit steps; -1 if none. */
int64_t sq__earliest_at_site(sq_state *s, const sq_ask *a, const sq_site_eval *e, int64_t limit);
/* The chance that a job of class cls with estimate est_s, started at
 * start, ends after its deadline (INT64_MAX: none), from the
 * runtime/estimate ratios learnt for its class (uniform on [0, 1] before
 * hold_min_n of them have ended). */
double sq__miss_p_late(const sq_state *s, int cls, int32_t est_s, int64_t start, int64_t deadline);
static inline double sq__miss_p(const sq_state *s, int cls, int32_t est_s, int64_t start,
                                int64_t deadline)
{
	return deadline == INT64_MAX || start <= deadline - est_s
	               ? 0
	               : sq__miss_p_late(s, cls, est_s, start, deadline);
}
/* The latest start the policy plans for a job of class cls with estimate
 * est_s that must end by deadline: deadline - est_s, or with miss_eps the
 * latest whose chance of missing, by the ratios of the job's range of
 * estimates, is within miss_eps: the next job's ratio is taken to be as
 * likely to rank anywhere among the n + 1, so with n < 1 / miss_eps - 1
 * ended there is no such start past deadline - est_s. */
int64_t sq__latest_of(const sq_state *s, int cls, int32_t est_s, int64_t deadline);

/* policy_suanli_plan.c */
int32_t sq__hold(sq_state *s, const sl_job *job, int32_t handle, const sq_ask *a,
                 const sq_site_eval *e);
void sq__job_event(void *state, const sl_job_event *ev);
void sq__replan(void *state, const sl_view *v, const sl_plan_ctl *ctl);
void sq__recs_free(sq_state *s);
/* Make room for a job with no start in its slack: at e's site, move the
 * planned (not started, within their slack) jobs whose starts block it
 * starting when its input arrives to other starts in their own slack
 * (bump=expected: or to later starts of any job with a deadline, if the
 * expected misses, this job's p_ref without the move included, fall).  1
 * when done (the job can now start at e->arrive: e->best is set; the
 * moves are made), 0 when not possible (nothing changed). */
int sq__bump(sq_state *s, const sq_ask *a, sq_site_eval *e, const sl_view *v, double p_ref);
/* Make room for the job to start on arrival at e's site by stopping
 * running jobs with deadlines (sl_plan_ctl.preempt), cheapest in expected
 * misses first, when fewer misses are to be expected; they restart there
 * after its hold.  1 when done (e->best set), 0 when not (nothing changed). */
int sq__preempt(sq_state *s, const sq_ask *a, sq_site_eval *e, const sl_view *v, double p_ref);

void sq__bind(void *state, const sl_plan_ctl *ctl);
int32_t sq__adopt(void *state, const sl_job *job, int site, int64_t start, int32_t handle,
                  const sl_view *view);
/* Running jobs past their reservation: extend it (to the predicted end
 * given how long they have run), and mark the site for repair. */
void sq__extend_overruns(sq_state *s, int64_t k_now);

#endif
