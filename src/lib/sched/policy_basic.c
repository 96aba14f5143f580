/*
 * policy_basic.c — the five baseline placement policies.
 *
 * All of them place in space only and start as soon as the site allows;
 * all of them consider legal sites only (sl_policy_site_check) that the
 * view does not mark down, and reject a job with no legal site with its
 * reason.
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

/* Every baseline's state: the candidate lists, and round-robin's cursor. */
typedef struct basic_state {
	sl_policy_cands pc;
	int last; /* round-robin: the site chosen last, -1 before the first job */
} basic_state;

static int basic_init(void **state, const sl_network *net, const sl_policy_opts *opts,
                      sl_err *err)
{
	basic_state *bs = sl_malloc(sizeof *bs);
	sl_policy_cands_init(&bs->pc, net);
	bs->last = -1;
	*state = bs;
	return 0;
}

static void basic_free(void *state)
{
	basic_state *bs = state;
	if (!bs)
		return;
	sl_policy_cands_release(&bs->pc);
	sl_free(bs);
}

static void place_at(sl_decision *out, int site)
{
	out->site = site;
	out->reason = SL_REJECT_NONE;
	out->not_before = 0;
}

/* The best legal site by keys (with the room-now tier when spill is set),
 * or a rejection. */
static int pick(const basic_state *bs, const sl_view *v, const sl_job *job, int spill,
                keys_fn keys, sl_decision *out)
{
	const sl_network *net = v->net;
	int n, best = -1;
	const sl_cand *c = sl_policy_cands_of(&bs->pc, job, &n);
	cand bc = {0, 0, 0, 0};
	for (int i = 0; i < n; i++) {
		if (!sl_policy_cand_usable(v, job, &c[i]))
			continue;
		cand k = {0, 0, 0, c[i].route->rtt_ms};
		if (spill)
			k.tier = !has_room(v, job, c[i].site);
		keys(v, job, c[i].site, c[i].route, &k);
		if (best < 0 || better(&k, &bc)) {
			best = c[i].site;
			bc = k;
		}
	}
	if (best < 0)
		sl_policy_reject(net, job, out);
	else
		place_at(out, best);
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
	return pick(st, v, job, 1, nearest_keys, out);
}

const sl_policy_ops sl_policy_nearest = {
	"nearest", "lowest RTT with room now, else lowest RTT (carbon-blind)",
	basic_init, nearest_place, NULL, basic_free, NULL,
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
	return pick(st, v, job, 1, cheapest_keys, out);
}

const sl_policy_ops sl_policy_cheapest = {
	"cheapest", "lowest zone electricity price now (ties: transfer cost), room first",
	basic_init, cheapest_place, NULL, basic_free, NULL,
};

/* --- greenest --- */

static void greenest_keys(const sl_view *v, const sl_job *job, int site, const sl_route *r,
                          cand *c)
{
	c->k1 = sl_view_signal(v, SL_SIG_CARBON_G_PER_KWH, site, v->now);
}

static int greenest_place(void *st, const sl_job *job, const sl_view *v, sl_decision *out)
{
	return pick(st, v, job, 1, greenest_keys, out);
}

const sl_policy_ops sl_policy_greenest = {
	"greenest", "lowest zone carbon intensity now (space only), room first",
	basic_init, greenest_place, NULL, basic_free, NULL,
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
	return pick(st, v, job, 0, least_loaded_keys, out);
}

const sl_policy_ops sl_policy_least_loaded = {
	"least-loaded", "lowest (busy + pending) / installed in the job's resource",
	basic_init, least_loaded_place, NULL, basic_free, NULL,
};

/* --- round-robin --- */

/* The first legal candidate after the last chosen site, cyclically. */
static int rr_place(void *state, const sl_job *job, const sl_view *v, sl_decision *out)
{
	basic_state *bs = state;
	int n, first = -1;
	const sl_cand *c = sl_policy_cands_of(&bs->pc, job, &n);
	for (int i = 0; i < n; i++) {
		if (!sl_policy_cand_usable(v, job, &c[i]))
			continue;
		if (c[i].site > bs->last) {
			first = c[i].site;
			break;
		}
		if (first < 0)
			first = c[i].site; /* wrap-around choice */
	}
	if (first < 0) {
		sl_policy_reject(v->net, job, out);
		return 0;
	}
	bs->last = first;
	place_at(out, first);
	return 0;
}

const sl_policy_ops sl_policy_round_robin = {
	"round-robin", "the next legal site after the last one chosen (capacity-blind)",
	basic_init, rr_place, NULL, basic_free, NULL,
};
