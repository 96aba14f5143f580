/*
 * loop_sites.c — the sites' executors and what the loop does when a remote
 * site (a Slurm cluster) fails.
 *
 * Executors: exs[0] is shared by every site without its own (the local
 * executor); each site configured with its own gets one instance.  A site
 * whose executor reports health is remote.
 *
 * Health and failover (docs/slurm.md, "When a cluster fails"), each pass:
 *   - a remote site is down when its executor says so, or when it refused
 *     REFUSALS_DOWN submissions in a row (then for refuse_down_s);
 *   - a down site is marked in the policy's view (site_down): new jobs go
 *     elsewhere at once, and a job whose legal sites are all down is parked
 *     (queued, event "waiting") until one comes back (and tried again every
 *     PARK_RETRY_S anyway);
 *   - once a site has been down failover_after_s, the jobs it holds that
 *     provably never reached it (withdrawn from the executor: held while
 *     the cluster was down) and the jobs planned there that have not been
 *     handed over go back to the policy (event "failover"), at most
 *     failover_max times per job.  Jobs the cluster accepted stay its own:
 *     they cannot be withdrawn before it answers, and it will run them.
 */
#include "serve/loop_int.h"

#include <stdio.h>
#include <string.h>

#include "core/banned.h"

#define REFUSALS_DOWN 3 /* refused submissions in a row that make a site down */
#define SCAN_PERIOD_S 1 /* failover scans of a down site */
#define PARK_RETRY_S 30 /* parked jobs are placed again at least this often */

/* ---- executors ---- */

static void fill(sl_loop *lp, sl_exec_config *ec)
{
	ec->clock = lp->cfg.clock;
	ec->log = lp->cfg.log;
}

int sl__loop_exec_start(sl_loop *lp, sl_err *err)
{
	sl_exec_config ec = lp->cfg.exec_config;
	fill(lp, &ec);
	int rc = sl_exec_start(&lp->exs[0], lp->cfg.executor, &ec, err);
	for (int s = 0; rc == 0 && s < lp->net->nsites; s++) {
		const lsite *ls = &lp->sites[s];
		if (ls->ex == 0)
			continue;
		ec = lp->cfg.sites[s].exec_config;
		fill(lp, &ec);
		rc = sl_exec_start(&lp->exs[ls->ex], lp->cfg.sites[s].executor, &ec, err);
		if (rc < 0 && err) {
			char msg[SL_ERR_MSG_MAX];
			snprintf(msg, sizeof msg, "site %s (%s executor): %s", lp->net->sites[s].id,
			         lp->cfg.sites[s].executor->name, err->msg);
			sl_err_set(err, rc, err->origin, "%s", msg);
		}
	}
	if (rc < 0)
		sl__loop_exec_stop(lp);
	return rc;
}

void sl__loop_exec_stop(sl_loop *lp)
{
	for (int i = 0; i < lp->nexs; i++)
		sl_exec_stop(&lp->exs[i]);
}

/* ---- why a site is down ---- */

const char *sl__site_down_reason(const sl_loop *lp, int site, const char **fault)
{
	const lsite *s = &lp->sites[site];
	if (!lp->down[site]) {
		*fault = "";
		return "";
	}
	if (s->excluded) {
		*fault = "excluded";
		return "the job was just taken back from this site";
	}
	if (s->refusing) {
		*fault = "rejects submissions";
		return s->refuse_reason;
	}
	*fault = s->h.fault[0] ? s->h.fault : "down";
	return s->h.reason;
}

/* ---- parked jobs ---- */

/* Legal sites of a job that are down, as "A, B" into buf; the count of
 * legal sites that are up. */
static int legal_sites(const sl_loop *lp, const ljob *j, char *buf, size_t n, int *ndown)
{
	int up = 0;
	size_t at = 0;
	*ndown = 0;
	buf[0] = '\0';
	for (int s = 0; s < lp->net->nsites; s++) {
		if (sl_policy_site_check(lp->net, &j->j, s, NULL) != SL_REJECT_NONE)
			continue;
		if (!lp->down[s]) {
			up++;
			continue;
		}
		if (at < n)
			at += (size_t)snprintf(buf + at, n - at, "%s%s", (*ndown)++ ? ", " : "",
			                       lp->net->sites[s].id);
	}
	return up;
}

int sl__loop_park(sl_loop *lp, int32_t slot, int64_t now, int chosen)
{
	ljob *j = &lp->jobs[slot];
	char sites[256], detail[SL_EXEC_MSG_MAX + 320];
	const char *fault;
	if (chosen < 0) {
		int ndown;
		if (legal_sites(lp, j, sites, sizeof sites, &ndown) > 0 || ndown == 0)
			return 0; /* somewhere to go, or nowhere at all (the policy says why) */
		snprintf(detail, sizeof detail, "every legal site is down (%s): waiting for one to "
		         "come back", sites);
	} else {
		const char *why = sl__site_down_reason(lp, chosen, &fault);
		snprintf(detail, sizeof detail, "the policy chose %s, which is down (%s: %s): "
		         "waiting for a site to come back", lp->net->sites[chosen].id, fault, why);
		sl_log(lp->cfg.log, SL_LOG_WARN, "event=policy_chose_down_site job=%lld site=%s "
		       "policy=%s", (long long)j->j.id, lp->net->sites[chosen].id,
		       lp->cfg.policy->name);
	}
	j->flags |= LJ_PARKED;
	if (lp->parked.n == 0)
		lp->next_unpark = now + PARK_RETRY_S;
	sl_vec_push(&lp->parked, (int64_t)((uint64_t)j->gen << 32 | (uint32_t)slot));
	if (!lp->quiet_park)
		sl__w_event(lp, j->j.id, SL_JOB_QUEUED, now, "waiting", detail, 0);
	return 1;
}

/* A site came back: place every parked job again (some may park again). */
static void unpark_all(sl_loop *lp, int64_t now)
{
	size_t n = lp->parked.n;
	int64_t *v = lp->parked.v;
	lp->parked.v = NULL;
	lp->parked.n = lp->parked.cap = 0;
	for (size_t i = 0; i < n; i++) {
		int32_t slot = (int32_t)(uint32_t)v[i];
		ljob *j = &lp->jobs[slot];
		if (j->gen != (uint32_t)((uint64_t)v[i] >> 32) || !(j->flags & LJ_PARKED) ||
		    (j->flags & LJ_DEAD) || j->state != SL_JOB_QUEUED)
			continue; /* cancelled meanwhile */
		j->flags &= (uint16_t)~LJ_PARKED;
		sl__loop_place(lp, slot, now);
	}
	sl_free(v);
}

/* ---- failover ---- */

/* Place a job taken back from site `from` again, somewhere else when
 * another legal site is up (from counts as down for this decision), else
 * wherever the policy says. */
static void place_elsewhere(sl_loop *lp, int32_t slot, int from, int64_t now)
{
	char sites[64];
	int ndown, hide = !lp->down[from];
	if (hide) {
		lp->down[from] = lp->sites[from].excluded = 1;
		lp->ndown++;
		if (legal_sites(lp, &lp->jobs[slot], sites, sizeof sites, &ndown) == 0) {
			lp->down[from] = lp->sites[from].excluded = 0; /* nowhere else: the policy
			                                                  may send it back */
			lp->ndown--;
			hide = 0;
		}
	}
	sl__loop_place(lp, slot, now);
	if (hide) {
		lp->down[from] = lp->sites[from].excluded = 0;
		lp->ndown--;
	}
}

void sl__loop_failover(sl_loop *lp, int32_t slot, int64_t now, const char *why)
{
	ljob *j = &lp->jobs[slot];
	lsite *s = &lp->sites[j->site];
	int site = j->site;
	const char *from = lp->net->sites[site].id;
	char detail[SL_EXEC_MSG_MAX + 200];
	if (j->state == SL_JOB_RUNNING) { /* handed over, never reached the cluster */
		s->procs--;
		sl__site_count(s, j, -1);
		j->flags &= (uint16_t)~(LJ_INQ | LJ_PROC);
	} else if (j->state == SL_JOB_PLANNED) {
		sl__site_planned(s, j, -1);
	}
	j->gen++; /* its planned-start heap entry is stale now */
	sl__loop_job_event(lp, j, SL_JOBEV_END, now); /* the policy lets go of the plan */
	sl__loop_set_state(lp, j, SL_JOB_QUEUED);
	j->site = -1;
	j->failovers++;
	lp->failovers++;
	if (j->failovers > lp->cfg.failover_max) {
		snprintf(detail, sizeof detail, "never started: taken back from failed sites %d times "
		         "(limit %d); last from %s: %s", (int)j->failovers, (int)lp->cfg.failover_max,
		         from, why);
		sl__loop_end(lp, slot, SL_JOB_FAILED, now, detail, 0, 0, NULL, NULL);
		return;
	}
	snprintf(detail, sizeof detail, "taken back from %s before it started (%s); placing it "
	         "again (%d of at most %d)", from, why, (int)j->failovers,
	         (int)lp->cfg.failover_max);
	sl_log(lp->cfg.log, SL_LOG_WARN, "event=failover job=%lld from=%s why=\"%s\"",
	       (long long)j->j.id, from, why);
	sl__w_event(lp, j->j.id, SL_JOB_QUEUED, now, "failover", detail, 0);
	place_elsewhere(lp, slot, site, now);
}

/* Jobs of a down site that can move: planned there and not handed over,
 * or held by its executor and withdrawn (certain never to run there). */
static void scan(sl_loop *lp, int site, int64_t now)
{
	const char *fault, *reason = sl__site_down_reason(lp, site, &fault);
	char why[SL_EXEC_MSG_MAX + 80];
	snprintf(why, sizeof why, "site down since %lld s: %s%s%s",
	         (long long)(now - lp->sites[site].down_since), fault, reason[0] ? ": " : "",
	         reason);
	for (size_t i = 0; i < lp->njobs_cap; i++) {
		ljob *j = &lp->jobs[i];
		sl_err err = {0};
		if (j->site != site || j->state >= SL_JOB_NSTATES || (j->flags & LJ_DEAD))
			continue;
		if (j->state == SL_JOB_PLANNED && !(j->flags & LJ_INQ)) {
			sl__loop_failover(lp, (int32_t)i, now, why);
		} else if (j->state == SL_JOB_RUNNING && (j->flags & LJ_PROC) &&
		           !(j->flags & (LJ_STARTED | LJ_STICKY | LJ_CANCEL | LJ_LAUNCHING)) &&
		           sl_exec_withdraw(sl__loop_ex(lp, site), j->j.id, &err) == 0) {
			sl__loop_failover(lp, (int32_t)i, now, why);
		}
	}
}

/* ---- health ---- */

static void went_down(sl_loop *lp, int site, int64_t now)
{
	lsite *s = &lp->sites[site];
	const char *fault, *reason;
	lp->down[site] = 1;
	lp->ndown++;
	s->down_since = now;
	s->next_scan = now + (lp->cfg.failover_after_s > 0 ? lp->cfg.failover_after_s : 0);
	reason = sl__site_down_reason(lp, site, &fault);
	sl_log(lp->cfg.log, SL_LOG_WARN, "event=site_down site=%s fault=\"%s\" reason=\"%s\"",
	       lp->net->sites[site].id, fault, reason);
}

static void came_back(sl_loop *lp, int site, int64_t now)
{
	lsite *s = &lp->sites[site];
	lp->down[site] = 0;
	lp->ndown--;
	sl_log(lp->cfg.log, SL_LOG_INFO, "event=site_up site=%s down_s=%lld",
	       lp->net->sites[site].id, (long long)(now - s->down_since));
	s->down_since = 0;
	unpark_all(lp, now);
}

static void check_site(sl_loop *lp, int site, int64_t now)
{
	lsite *s = &lp->sites[site];
	sl_exec_health_get(&lp->exs[s->ex], &s->h);
	s->refusing = now < s->refused_until;
	int down = s->h.up == 0 || s->refusing;
	if (down && !lp->down[site])
		went_down(lp, site, now);
	else if (!down && lp->down[site])
		came_back(lp, site, now);
	if (lp->down[site] && now >= s->next_scan && (s->sub_jobs > 0 || s->nplanned > 0)) {
		scan(lp, site, now);
		s->next_scan = now + SCAN_PERIOD_S;
	}
}

void sl__loop_sites_check(sl_loop *lp, int64_t now)
{
	for (int s = 0; s < lp->net->nsites; s++)
		if (lp->sites[s].remote)
			check_site(lp, s, now);
	/* also without a site coming back: a policy that does not read the
	 * view's site_down may have parked a job that another site could take */
	if (lp->parked.n > 0 && now >= lp->next_unpark) {
		lp->quiet_park = 1;
		unpark_all(lp, now);
		lp->quiet_park = 0;
	}
}

void sl__loop_accepted(sl_loop *lp, int site)
{
	lp->sites[site].refusals = 0;
}

void sl__loop_refused(sl_loop *lp, int32_t slot, int64_t now, const char *msg)
{
	ljob *j = &lp->jobs[slot];
	int site = j->site;
	lsite *s = &lp->sites[site];
	char why[SL_EXEC_MSG_MAX + 80];
	if (++s->refusals >= REFUSALS_DOWN && now >= s->refused_until) {
		s->refused_until = now + lp->cfg.refuse_down_s;
		snprintf(s->refuse_reason, sizeof s->refuse_reason, "refused %d submissions in a "
		         "row; the last: %s", (int)s->refusals, msg);
		check_site(lp, site, now); /* down before the job is placed again */
	}
	snprintf(why, sizeof why, "%s", msg);
	sl__loop_failover(lp, slot, now, why);
}
