/*
 * view.h — the read-only window a policy has on the network's state.
 *
 * A policy never sees the simulator's (or the service's) internals: it asks
 * an sl_view for a site's occupancy now and for signal values at a time.
 * The simulator implements the ops over its event-driven state; the live
 * service implements them over its store; a forecasting layer (later) wraps
 * a view and answers signal queries about the future through an error
 * model.  Ops are called on the hot path (several per placed job), so an
 * implementation keeps them O(1).
 *
 * Ownership: a view borrows everything it points to; it is valid only for
 * the duration of the policy call it is passed to.
 */
#ifndef SL_VIEW_H
#define SL_VIEW_H

#include <stdint.h>

#include "model/network.h"

/* Which grid carbon intensity the accounting (and SL_SIG_CARBON) uses. */
enum {
	SL_CARBON_AVERAGE = 0,  /* zone average intensity (location-based) */
	SL_CARBON_MARGINAL = 1  /* zone marginal-unit intensity */
};

/* Signals a view answers, per site, in the units of their names. */
enum {
	SL_SIG_CARBON_G_PER_KWH = 0, /* the site's zone, per the view's carbon mode */
	SL_SIG_PRICE_CNY_PER_KWH,    /* the site's zone tariff */
	SL_SIG_PUE,                  /* the site's PUE */
	SL_SIG_GREEN_W,              /* the site's green supply */
	SL_SIG_COUNT
};

/* A site's occupancy at the view's time.  Invariant: busy_* <= installed;
 * pending_* counts jobs placed at the site that have not started (waiting
 * in its queue or still receiving their input). */
typedef struct sl_site_state {
	int32_t busy_cores, busy_gpus;
	int64_t pending_cores, pending_gpus;
	int32_t pending_jobs;
	int32_t running_jobs;
} sl_site_state;

typedef struct sl_view_ops {
	void (*site_state)(const void *ctx, int site, sl_site_state *out);
	/* Value of signal kind (SL_SIG_*) at site at UTC time t (t may be in
	 * the past or future; the simulator answers the true series). */
	double (*signal)(const void *ctx, int kind, int site, int64_t t);
	/* Optional (NULL: signal() step by step): the values of n whole steps
	 * of the network's grid from step k0 (step k starts at t0 + k step_s),
	 * as signal() would answer at their starts. */
	void (*signal_steps)(const void *ctx, int kind, int site, int64_t k0, int32_t n,
	                     double *out);
} sl_view_ops;

typedef struct sl_view {
	const sl_view_ops *ops;
	const void *ctx;
	const sl_network *net;
	int64_t now;   /* UTC seconds */
	int carbon;    /* SL_CARBON_*: what SL_SIG_CARBON_G_PER_KWH returns */
	const uint8_t *site_down; /* [net->nsites], or NULL (the simulator): 1 = the site
	                             cannot take work now (the service's Slurm cluster is
	                             down).  Policies skip such a site like an illegal one;
	                             the engine keeps a job that has no other legal site */
	uint64_t signal_gen;      /* changes whenever signal() may answer differently for a
	                             time it has answered before (the service's live
	                             overrides); what a policy cached from older answers
	                             is then stale.  Always 0 in the simulator */
} sl_view;

/* 1 unless the view marks the site down. */
static inline int sl_view_site_up(const sl_view *v, int site)
{
	return !v->site_down || !v->site_down[site];
}

static inline void sl_view_site_state(const sl_view *v, int site, sl_site_state *out)
{
	v->ops->site_state(v->ctx, site, out);
}

static inline double sl_view_signal(const sl_view *v, int kind, int site, int64_t t)
{
	return v->ops->signal(v->ctx, kind, site, t);
}

/* Steps k0 .. k0 + n - 1 of signal kind at site (see signal_steps). */
static inline void sl_view_signal_steps(const sl_view *v, int kind, int site, int64_t k0,
                                        int32_t n, double *out)
{
	if (v->ops->signal_steps) {
		v->ops->signal_steps(v->ctx, kind, site, k0, n, out);
		return;
	}
	for (int32_t i = 0; i < n; i++)
		out[i] = v->ops->signal(v->ctx, kind, site, v->net->t0 + (k0 + i) * v->net->step_s);
}

/* Name of a carbon mode ("average", "marginal"), and back (-1 if unknown). */
const char *sl_carbon_mode_name(int mode);
int sl_carbon_mode_parse(const char *s);

#endif
