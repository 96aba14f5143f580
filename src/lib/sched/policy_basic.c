/*
 * policy_basic.c — the five baseline placement policies.
 *
 * All of them place in space only and start as soon as the site allows;
 * all of them consider legal sites only (sl_policy_site_check) and reject
 * a job with no legal site with its reason.
 *
 *   nearest       lowest RTT (carbon-blind: today's practice)
 *   round-robin   the next legal site after the last one chosen, in site order
 *   least-loaded  lowest (busy + pending) / installed, in the job's resource
 *   cheapest      lowest zone price now; ties: lower transfer cost, then RTT
 *   greenest      lowest zone carbon intensity now (space only, start now)
 *
 * nearest, cheapest and greenest spill over as operators do: they prefer
 * the best legal site that has room for the job now (installed minus busy
 * minus already-pending work covers it), and only when no legal site has
 * room do they queue the job at the best legal site.  Without this a
 * network at 70 % load would pile most work on one site while others idle.
 * Remaining ties go to the lower RTT, then the lower site index, so every
 * decision is deterministic.
 */
#include "sched/policy.h"

#include "core/mem.h"
#include "sched/transfer.h"

/* Ranking keys of one candidate site; smaller is better, compared in
 * order tier, k1, k2, rtt (then site index by scan order). */
typedef struct cand {
	int tier;
	double k1, k2, rtt;
} cand;

typedef void (*keys_fn)(const sl_view *v, const sl_job *job, int site, const sl_route *r,
                        cand *c);

static int better(const cand *a, const cand *b)
{
	if (a->tier != b->tier)
		return a->tier < b->tier;
	if (a->k1 != b->k1)
		return a->k1 < b->k1;
	if (a->k2 != b->k2)
		return a->k2 < b->k2;
	return a->rtt < b->rtt;
}

/* 1 if the site can take the job now without waiting behind others. */
static int has_room(const sl_view *v, const sl_job *job, int site)
{
	const sl_site *s = &v->net->sites[site];
	sl_site_state st;
	sl_view_site_state(v, site, &st);
	return (int64_t)s->cores - st.busy_cores - st.pending_cores >= job->cores &&
	       (int64_t)s->gpus - st.busy_gpus - st.pending_gpus >= job->gpus;
}

/* The best legal site by keys (with the room-now tier when spill is set),
 * or a rejection. */
static int pick(const sl_view *v, const sl_job *job, int spill, keys_fn keys, sl_decision *out)
{
	const sl_network *net = v->net;
	int best = -1;
	cand bc = {0, 0, 0, 0};
	for (int s = 0; s < net->nsites; s++) {
		const sl_route *r;
		if (sl_policy_site_check(net, job, s, &r) != SL_REJECT_NONE)
			continue;
		cand c = {0, 0, 0, r->rtt_ms};
		if (spill)
			c.tier = !has_room(v, job, s);
		keys(v, job, s, r, &c);
		if (best < 0 || better(&c, &bc)) {
			best = s;
			bc = c;
		}
	}
	if (best < 0) {
		sl_policy_reject(net, job, out);
		return 0;
	}
	out->site = best;
	out->reason = SL_REJECT_NONE;
	out->not_before = 0;
	return 0;
}

/* --- nearest --- */

static void nearest_keys(const sl_view *v, const sl_job *job, int site, const sl_route *r,
                         cand *c)
{
	c->k1 = r->rtt_ms;
}

static int nearest_place(void *st, const sl_job *job, const sl_view *v, sl_decision *out)
{
	return pick(v, job, 1, nearest_keys, out);
}

const sl_policy_ops sl_policy_nearest = {
	"nearest", "lowest RTT with room now, else lowest RTT (carbon-blind)",
	NULL, nearest_place, NULL, NULL,
};

/* --- cheapest --- */

static void cheapest_keys(const sl_view *v, const sl_job *job, int site, const sl_route *r,
                          cand *c)
{
	c->k1 = sl_view_signal(v, SL_SIG_PRICE_CNY_PER_KWH, site, v->now);
	c->k2 = sl_transfer_job_cny(r, job);
}

static int cheapest_place(void *st, const sl_job *job, const sl_view *v, sl_decision *out)
{
	return pick(v, job, 1, cheapest_keys, out);
}

const sl_policy_ops sl_policy_cheapest = {
	"cheapest", "lowest zone electricity price now (ties: transfer cost), room first",
	NULL, cheapest_place, NULL, NULL,
};

/* --- greenest --- */

static void greenest_keys(const sl_view *v, const sl_job *job, int site, const sl_route *r,
                          cand *c)
{
	c->k1 = sl_view_signal(v, SL_SIG_CARBON_G_PER_KWH, site, v->now);
}

static int greenest_place(void *st, const sl_job *job, const sl_view *v, sl_decision *out)
{
	return pick(v, job, 1, greenest_keys, out);
}

const sl_policy_ops sl_policy_greenest = {
	"greenest", "lowest zone carbon intensity now (space only), room first",
	NULL, greenest_place, NULL, NULL,
};

/* --- least-loaded --- */

static double load_ratio(int64_t busy, int64_t pending, int32_t installed)
{
	return installed > 0 ? (double)(busy + pending) / installed : 0.0;
}

static void least_loaded_keys(const sl_view *v, const sl_job *job, int site, const sl_route *r,
                              cand *c)
{
	const sl_site *s = &v->net->sites[site];
	sl_site_state st;
	sl_view_site_state(v, site, &st);
	double lc = load_ratio(st.busy_cores, st.pending_cores, s->cores);
	double lg = load_ratio(st.busy_gpus, st.pending_gpus, s->gpus);
	/* The resource the job uses; both: the busier of the two. */
	if (job->gpus > 0 && job->cores > 0)
		c->k1 = lc > lg ? lc : lg;
	else
		c->k1 = job->gpus > 0 ? lg : lc;
}

static int least_loaded_place(void *st, const sl_job *job, const sl_view *v, sl_decision *out)
{
	return pick(v, job, 0, least_loaded_keys, out);
}

const sl_policy_ops sl_policy_least_loaded = {
	"least-loaded", "lowest (busy + pending) / installed in the job's resource",
	NULL, least_loaded_place, NULL, NULL,
};

/* --- round-robin --- */

typedef struct rr_state {
	int last; /* the site chosen last, -1 before the first job */
} rr_state;

static int rr_init(void **state, const sl_network *net, const sl_policy_opts *opts, sl_err *err)
{
	rr_state *s = sl_malloc(sizeof *s);
	s->last = -1;
	*state = s;
	return 0;
}

static int rr_place(void *state, const sl_job *job, const sl_view *v, sl_decision *out)
{
	rr_state *rs = state;
	const sl_network *net = v->net;
	for (int i = 1; i <= net->nsites; i++) {
		int s = (rs->last + i) % net->nsites;
		if (s < 0)
			s += net->nsites;
		if (sl_policy_site_check(net, job, s, NULL) != SL_REJECT_NONE)
			continue;
		rs->last = s;
		out->site = s;
		out->reason = SL_REJECT_NONE;
		out->not_before = 0;
		return 0;
	}
	sl_policy_reject(net, job, out);
	return 0;
}

static void rr_free(void *state) { sl_free(state); }

const sl_policy_ops sl_policy_round_robin = {
	"round-robin", "the next legal site after the last one chosen (capacity-blind)",
	rr_init, rr_place, NULL, rr_free,
};
