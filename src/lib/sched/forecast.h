/*
 * forecast.h — what a planning policy may know about signals ahead of
 * time: the true series, seen through a forecast model.
 *
 * A policy that looks ahead must not read the future it is being judged
 * on.  It asks an sl_forecast instead of the view: the forecast reads the
 * view's series (the truth) only for steps that have begun by the time of
 * issue (view->now), and for later steps answers what the model predicts:
 *
 *   perfect      the true value (an oracle: the simulator's --oracle);
 *   persistence  the value of the same hour on the latest day already
 *                observed (yesterday for leads up to a day, the day
 *                before for leads of one to two days, ...);
 *   noisy        the true value x exp(sigma(lead) z - sigma(lead)^2 / 2):
 *                lognormal, so never negative and right on average; z a
 *                standard normal deviate (Irwin-Hall, four uniforms)
 *                drawn per (seed, signal, zone or site, step), and
 *                sigma(lead) = error x sqrt(min(lead, 96 h) / 24 h): the
 *                relative error is about `error` a day ahead, half of it
 *                six hours ahead, twice it four days ahead, and 0 once the
 *                step has begun.  The same step keeps its z as it comes
 *                closer, so successive issues converge on the truth
 *                instead of jittering.
 *
 * Which signals go through the model: carbon intensity and green supply
 * always; price only when the zone's tariff is a price series (time-of-use
 * rules are published in advance, so every model sees them exactly); PUE
 * never (the operator's own plant).  Carbon and price noise is drawn per
 * zone (sites on one grid see one forecast), green-supply noise per site.
 *
 * Steps are the network's signal steps, numbered from net->t0 (step k
 * covers [t0 + k step_s, t0 + (k+1) step_s)); k may be negative.
 *
 * Cost: true values are cached per (site, signal, step) in a ring, so a
 * step's truth is read from the view once however often it is forecast;
 * noise is drawn once per step.  Ownership: the forecast borrows the
 * network; views are borrowed per call.
 */
#ifndef SL_FORECAST_H
#define SL_FORECAST_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/time.h"
#include "model/network.h"
#include "sched/view.h"

enum { SL_FC_PERFECT = 0, SL_FC_PERSISTENCE = 1, SL_FC_NOISY = 2 };

#define SL_FC_NOISE_CAP_S (96 * 3600) /* lead beyond which the error stops growing */

typedef struct sl_forecast_opts {
	int model;        /* SL_FC_* */
	double error;     /* noisy: relative standard deviation at a day ahead, >= 0 */
	uint64_t seed;    /* noisy: the noise stream */
} sl_forecast_opts;

typedef struct sl_forecast sl_forecast;

/* A forecast of net's signals (net is borrowed).  horizon_steps is how
 * far ahead the caller will mostly ask (it sizes the cache; asking
 * further is correct, only slower).  SL_EINVAL for an unknown model or a
 * negative or non-finite error. */
int sl_forecast_new(const sl_network *net, const sl_forecast_opts *o, int32_t horizon_steps,
                    sl_forecast **out, sl_err *err);
void sl_forecast_free(sl_forecast *f); /* accepts NULL */

/* The value of signal kind (SL_SIG_*) at site for step k, as forecast at
 * view->now.  The view supplies the truth (and the carbon mode). */
double sl_forecast_step(sl_forecast *f, const sl_view *v, int kind, int site, int64_t k);

/* out[i] = sl_forecast_step(f, v, kind, site, k0 + i) for i < n, in one
 * pass (what a planner refreshing its tables each step calls). */
void sl_forecast_fill(sl_forecast *f, const sl_view *v, int kind, int site, int64_t k0, int32_t n,
                      double *out);

/* The same as issued at the start of step k_issue (<= the step holding
 * view->now) rather than at view->now: a forecast issued every few hours
 * and used until the next issue.  Leads count from k_issue. */
void sl_forecast_fill_issued(sl_forecast *f, const sl_view *v, int64_t k_issue, int kind,
                             int site, int64_t k0, int32_t n, double *out);

/* 1 when signal kind at site goes through the model (0: known ahead,
 * every model answers the truth). */
int sl_forecast_modelled(const sl_forecast *f, int kind, int site);

/* The same for the step holding UTC time t. */
double sl_forecast_at(sl_forecast *f, const sl_view *v, int kind, int site, int64_t t);

/* The step holding UTC time t on net's grid. */
static inline int64_t sl_forecast_step_of(const sl_network *net, int64_t t)
{
	int64_t d = t - net->t0;
	if (d >= 0 && d <= (int64_t)UINT32_MAX) /* the common case, in a 32-bit division */
		return (int64_t)((uint32_t)d / (uint32_t)net->step_s);
	return sl_floor_div(d, net->step_s);
}

/* "perfect", "persistence", "noisy"; and back (-1 if unknown). */
const char *sl_forecast_model_name(int model);
int sl_forecast_model_parse(const char *s);

/* One phrase for summaries: "noisy (error 15 % at 24 h, seed 7)". */
void sl_forecast_describe(const sl_forecast_opts *o, char *buf, size_t n);

#endif
