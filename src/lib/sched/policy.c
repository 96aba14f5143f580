/*
 * policy.c — the policy registry, legality checks and rejection reasons.
 */
#include "sched/policy.h"

#include <stdio.h>
#include <string.h>

#include "core/mem.h"

/* Every policy the engine knows, in the order `--help` lists them.  A new
 * policy adds its table here. */
static const sl_policy_ops *const registry[] = {
	&sl_policy_nearest,
	&sl_policy_round_robin,
	&sl_policy_least_loaded,
	&sl_policy_cheapest,
	&sl_policy_greenest,
	&sl_policy_suanli,
};

#define NREG ((int)(sizeof registry / sizeof registry[0]))

const sl_policy_ops *sl_policy_find(const char *name)
{
	for (int i = 0; i < NREG; i++)
		if (strcmp(registry[i]->name, name) == 0)
			return registry[i];
	return NULL;
}

int sl_policy_count(void) { return NREG; }

const sl_policy_ops *sl_policy_at(int i)
{
	return i >= 0 && i < NREG ? registry[i] : NULL;
}

const char *sl_reject_name(int reason)
{
	static const char *const names[SL_REJECT_COUNT] = {
		"", "no_route", "residency", "latency", "too_big", "deadline", "policy",
	};
	return reason >= 0 && reason < SL_REJECT_COUNT ? names[reason] : "unknown";
}

const char *sl_carbon_mode_name(int mode)
{
	return mode == SL_CARBON_MARGINAL ? "marginal" : "average";
}

int sl_carbon_mode_parse(const char *s)
{
	if (strcmp(s, "average") == 0)
		return SL_CARBON_AVERAGE;
	if (strcmp(s, "marginal") == 0)
		return SL_CARBON_MARGINAL;
	return -1;
}

int sl_policy_site_check(const sl_network *net, const sl_job *job, int site,
                         const sl_route **route)
{
	const sl_route *r = sl_network_route(net, job->origin, site);
	if (route)
		*route = r;
	if (!r)
		return SL_REJECT_NO_ROUTE;
	if (!sl_network_tag_allows(net, job->tag, site))
		return SL_REJECT_RESIDENCY;
	if (job->latency_budget_ms > 0 && r->rtt_ms > job->latency_budget_ms)
		return SL_REJECT_LATENCY;
	const sl_site *s = &net->sites[site];
	if (job->cores > s->cores || job->gpus > s->gpus)
		return SL_REJECT_TOO_BIG;
	return SL_REJECT_NONE;
}

/* The stage a site reached: 0 = no route .. 3 = too big, 4 = legal. */
static int stage_of(int check)
{
	return check == SL_REJECT_NONE ? 4 : check - SL_REJECT_NO_ROUTE;
}

static void explain(const sl_network *net, const sl_job *job, int reason, int nstage,
                    double best_rtt, sl_decision *out)
{
	const char *tag = job->tag >= 0 ? net->tags[job->tag].tag : "";
	switch (reason) {
	case SL_REJECT_NO_ROUTE:
		snprintf(out->why, sizeof out->why, "origin %s has no route to any site",
		         net->origins[job->origin].id);
		break;
	case SL_REJECT_RESIDENCY:
		snprintf(out->why, sizeof out->why,
		         "data tag %s allows none of the %d sites origin %s reaches", tag, nstage,
		         net->origins[job->origin].id);
		break;
	case SL_REJECT_LATENCY:
		snprintf(out->why, sizeof out->why,
		         "no allowed site within the %g ms latency budget (nearest allowed: %g ms)",
		         (double)job->latency_budget_ms, best_rtt);
		break;
	default:
		snprintf(out->why, sizeof out->why,
		         "needs %d cores and %d GPUs: more than any of the %d allowed sites in "
		         "budget has installed",
		         (int)job->cores, (int)job->gpus, nstage);
		break;
	}
}

int sl_policy_reject(const sl_network *net, const sl_job *job, sl_decision *out)
{
	int best = 0, count[5] = {0};
	double best_rtt = 0;
	for (int s = 0; s < net->nsites; s++) {
		const sl_route *r;
		int st = stage_of(sl_policy_site_check(net, job, s, &r));
		for (int k = 0; k <= st; k++)
			count[k]++;
		if (st >= 2 && (count[2] == 1 || r->rtt_ms < best_rtt))
			best_rtt = r->rtt_ms;
		if (st > best)
			best = st;
	}
	/* best == 4 would mean a legal site exists: callers only reject when
	 * none does, but say "policy" rather than lie if one did. */
	int reason = best == 4 ? SL_REJECT_POLICY : SL_REJECT_NO_ROUTE + best;
	out->site = -1;
	out->reason = reason;
	out->not_before = 0;
	if (reason == SL_REJECT_POLICY)
		snprintf(out->why, sizeof out->why, "the policy declined a job with legal sites");
	else
		explain(net, job, reason, best > 0 ? count[best] : 0, best_rtt, out);
	return reason;
}

void sl_policy_cands_init(sl_policy_cands *pc, const sl_network *net)
{
	int nlists = net->norigins * (net->ntags + 1);
	pc->ntags1 = net->ntags + 1;
	pc->off = sl_malloc((size_t)(nlists + 1) * sizeof *pc->off);
	pc->c = sl_malloc((size_t)(nlists > 0 ? nlists : 1) * (size_t)(net->nsites > 0 ? net->nsites : 1) *
	                  sizeof *pc->c);
	int n = 0;
	for (int i = 0; i < nlists; i++) {
		int origin = i / pc->ntags1, tag = i % pc->ntags1 - 1;
		pc->off[i] = n;
		for (int s = 0; s < net->nsites; s++) {
			const sl_route *r = sl_network_route(net, origin, s);
			if (r && sl_network_tag_allows(net, tag, s))
				pc->c[n++] = (sl_cand){s, r};
		}
	}
	pc->off[nlists] = n;
}

void sl_policy_cands_release(sl_policy_cands *pc)
{
	sl_free(pc->c);
	sl_free(pc->off);
	memset(pc, 0, sizeof *pc);
}
