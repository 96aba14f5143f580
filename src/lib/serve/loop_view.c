/*
 * loop_view.c — what the loop knows about the world: signal values (the
 * scenario's series in real time, with live overrides), the sl_view the
 * policy sees, the energy/carbon/cost accounting of running jobs, and the
 * decision receipt.
 *
 * Accounting is marginal, like the simulator's per-job figures: a job is
 * charged its busy power increment (cores × (busy − idle) W + GPUs × (busy
 * − idle) W) times the site's PUE, integrated step by step over the
 * scenario grid; carbon at the zone's grid intensity (the view's carbon
 * mode, or the live override) and cost at the zone's price of each step.
 * Green supply is not credited to single jobs live (the simulator's site
 * totals do that).
 */
#include "serve/loop_int.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sched/transfer.h"
#include "serve/api.h"
#include "core/time.h"
#include "core/banned.h"

static int over_active(const lover *o, int64_t t)
{
	(void)t;
	return o->has_carbon || o->has_price;
}

double sl__zone_carbon(const sl_loop *lp, int zone, int64_t t, int *overridden)
{
	const sl_zone *z = &lp->net->zones[zone];
	const lover *o = &lp->over[zone];
	*overridden = over_active(o, t) && o->has_carbon;
	if (*overridden)
		return o->carbon_g_per_kwh;
	if (lp->cfg.carbon_mode == SL_CARBON_MARGINAL && z->has_carbon_marginal)
		return sl_signal_at(&z->carbon_marginal_g_per_kwh, t);
	return sl_signal_at(&z->carbon_avg_g_per_kwh, t);
}

double sl__zone_price(const sl_loop *lp, int zone, int64_t t, int *overridden)
{
	const lover *o = &lp->over[zone];
	*overridden = over_active(o, t) && o->has_price;
	if (*overridden)
		return o->price_cny_per_kwh;
	return sl_signal_at(&lp->net->zones[zone].price_cny_per_kwh, t);
}

double sl__loop_signal(const sl_loop *lp, int kind, int site, int64_t t)
{
	const sl_site *s = &lp->net->sites[site];
	int ov;
	switch (kind) {
	case SL_SIG_CARBON_G_PER_KWH: return sl__zone_carbon(lp, s->zone, t, &ov);
	case SL_SIG_PRICE_CNY_PER_KWH: return sl__zone_price(lp, s->zone, t, &ov);
	case SL_SIG_PUE: return sl_signal_at(&s->pue, t);
	case SL_SIG_GREEN_W: return s->has_green ? sl_signal_at(&s->green_mw, t) * 1e6 : 0;
	}
	return 0;
}

/* Busy units of a remote site: what its cluster says is not free (capped at
 * the scenario's installed count), at least what our own started jobs hold. */
static int32_t remote_busy(int32_t installed, int has, int32_t total, int32_t alloc,
                           int64_t ours)
{
	int64_t busy = has ? (int64_t)installed - (total - alloc) : 0;
	if (busy < ours)
		busy = ours;
	return (int32_t)(busy < 0 ? 0 : busy > installed ? installed : busy);
}

void sl__remote_busy(const sl_loop *lp, int site, int32_t *cores, int32_t *gpus)
{
	const lsite *s = &lp->sites[site];
	const sl_site *ns = &lp->net->sites[site];
	*cores = remote_busy(ns->cores, s->h.has_capacity, s->h.cpus, s->h.cpus_alloc, s->run_cores);
	*gpus = remote_busy(ns->gpus, s->h.has_capacity, s->h.gpus, s->h.gpus_alloc, s->run_gpus);
}

static void view_site_state(const void *ctx, int site, sl_site_state *out)
{
	const sl_loop *lp = ctx;
	const lsite *s = &lp->sites[site];
	if (s->remote) { /* the cluster's own figures; our jobs it has not started are pending */
		sl__remote_busy(lp, site, &out->busy_cores, &out->busy_gpus);
		out->pending_cores = s->sub_cores + s->planned_cores;
		out->pending_gpus = s->sub_gpus + s->planned_gpus;
		out->pending_jobs = s->sub_jobs + s->nplanned + s->nwait;
		out->running_jobs = s->run_jobs;
		return;
	}
	out->busy_cores = s->q.cores - s->q.free_c;
	out->busy_gpus = s->q.gpus - s->q.free_g;
	out->pending_cores = s->q.wait_c + s->planned_cores;
	out->pending_gpus = s->q.wait_g + s->planned_gpus;
	out->pending_jobs = (int32_t)s->q.nwait + s->nplanned;
	out->running_jobs = s->q.nrun;
}

static double view_signal(const void *ctx, int kind, int site, int64_t t)
{
	return sl__loop_signal(ctx, kind, site, t);
}

static const sl_view_ops view_ops = {view_site_state, view_signal, NULL};

void sl__loop_view(sl_loop *lp, int64_t now, sl_view *out)
{
	out->ops = &view_ops;
	out->ctx = lp;
	out->net = lp->net;
	out->now = now;
	out->carbon = lp->cfg.carbon_mode;
	out->site_down = lp->ndown > 0 ? lp->down : NULL;
	out->signal_gen = lp->signal_gen;
}

double sl__job_power_w(const sl_network *net, int site, int32_t cores, int32_t gpus)
{
	const sl_site *s = &net->sites[site];
	return cores * (s->core_busy_w - s->core_idle_w) + gpus * (s->gpu_busy_w - s->gpu_idle_w);
}

void sl__loop_account(sl_loop *lp, ljob *j, int64_t upto)
{
	const sl_network *net = lp->net;
	const sl_site *s;
	double p_w;
	int64_t step = net->step_s > 0 ? net->step_s : 3600;
	if (j->site < 0 || upto <= j->acct_t)
		return;
	s = &net->sites[j->site];
	p_w = sl__job_power_w(net, j->site, j->j.cores, j->j.gpus);
	for (int64_t a = j->acct_t; a < upto;) {
		int64_t b = net->t0 + (sl_floor_div(a - net->t0, step) + 1) * step;
		int ov;
		if (b > upto)
			b = upto;
		double kwh = p_w * sl_signal_at(&s->pue, a) * (double)(b - a) / 3.6e6;
		j->energy_kwh += kwh;
		j->carbon_g += kwh * sl__zone_carbon(lp, s->zone, a, &ov);
		j->cost_cny += kwh * sl__zone_price(lp, s->zone, a, &ov);
		a = b;
	}
	j->acct_t = upto;
}

void sl__loop_apply_override(sl_loop *lp, const sl_sigover *o)
{
	int z = sl_network_zone(lp->net, o->zone);
	lover *v;
	if (z < 0)
		return;
	v = &lp->over[z];
	v->has_carbon = o->has_carbon;
	v->carbon_g_per_kwh = o->carbon_g_per_kwh;
	v->has_price = o->has_price;
	v->price_cny_per_kwh = o->price_cny_per_kwh;
	v->set_at = o->set_at;
	v->expires = o->expires;
	lp->signal_gen++; /* every signal of the zone, at every time, may differ now */
	sl_log(lp->cfg.log, SL_LOG_INFO, "event=signal_override zone=%s carbon=%s price=%s "
	       "expires=%lld", o->zone, o->has_carbon ? "set" : "-", o->has_price ? "set" : "-",
	       (long long)o->expires);
}

void sl__loop_expire_overrides(sl_loop *lp, int64_t now)
{
	for (int z = 0; z < lp->net->nzones; z++) {
		lover *v = &lp->over[z];
		if ((v->has_carbon || v->has_price) && v->expires > 0 && v->expires <= now) {
			memset(v, 0, sizeof *v);
			lp->signal_gen++;
			sl_log(lp->cfg.log, SL_LOG_INFO, "event=signal_override_expired zone=%s",
			       lp->net->zones[z].id);
		}
	}
}

/* ---- the decision receipt ----
 *
 * Built by hand into a growing buffer, without printf: a receipt is written
 * for every placed job (see sl_api_num for why). */

typedef struct rbuf {
	char *v;
	size_t n, cap;
} rbuf;

static void rb_mem(rbuf *b, const char *s, size_t len)
{
	if (b->n + len + 1 > b->cap) {
		b->cap = (b->n + len + 1) * 2;
		b->v = sl_realloc(b->v, b->cap);
	}
	memcpy(b->v + b->n, s, len);
	b->n += len;
	b->v[b->n] = '\0';
}

#define RB_LIT(b, lit) rb_mem((b), (lit), sizeof(lit) - 1)

static void rb_str(rbuf *b, const char *s)
{
	rb_mem(b, s, strlen(s));
}

/* A JSON string literal, escaped. */
static void rb_esc(rbuf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	RB_LIT(b, "\"");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			char e[2] = {'\\', (char)c};
			rb_mem(b, e, 2);
		} else if (c < 0x20) {
			char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
			rb_mem(b, e, 6);
		} else {
			rb_mem(b, (const char *)&c, 1);
		}
	}
	RB_LIT(b, "\"");
}

static void rb_int(rbuf *b, int64_t v)
{
	char t[24];
	int k = sizeof t;
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	do {
		t[--k] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		t[--k] = '-';
	rb_mem(b, t + k, sizeof t - (size_t)k);
}

static void rb_num(rbuf *b, double v)
{
	char t[48];
	int k = sl_api_num(t, sizeof t, v);
	rb_mem(b, t, (size_t)k);
}

/* One alternative: its legality and what the job would cost there if it
 * ran now for its full estimate. */
static void put_site(sl_loop *lp, const ljob *j, int s, int64_t now, rbuf *b)
{
	const sl_route *r = NULL;
	int check = sl_policy_site_check(lp->net, &j->j, s, &r), ov;
	const sl_site *site = &lp->net->sites[s];
	double ci = sl__zone_carbon(lp, site->zone, now, &ov);
	double price = sl__zone_price(lp, site->zone, now, &ov);
	double pue = sl_signal_at(&site->pue, now);
	double kwh = sl__job_power_w(lp->net, s, j->j.cores, j->j.gpus) * pue * j->j.est_s / 3.6e6;
	RB_LIT(b, "{\"site\":");
	rb_esc(b, site->id);
	RB_LIT(b, ",\"check\":\"");
	rb_str(b, check == SL_REJECT_NONE ? "ok" : sl_reject_name(check));
	RB_LIT(b, "\"");
	if (r) {
		RB_LIT(b, ",\"rtt_ms\":");
		rb_num(b, r->rtt_ms);
		RB_LIT(b, ",\"transfer_s\":");
		rb_int(b, sl_transfer_s(r, j->j.input_bytes));
		RB_LIT(b, ",\"transfer_cny\":");
		rb_num(b, sl_transfer_cny(r, j->j.input_bytes) + sl_transfer_cny(r, j->j.output_bytes));
	}
	RB_LIT(b, ",\"carbon_g_per_kwh\":");
	rb_num(b, ci);
	RB_LIT(b, ",\"price_cny_per_kwh\":");
	rb_num(b, price);
	RB_LIT(b, ",\"pue\":");
	rb_num(b, pue);
	RB_LIT(b, ",\"busy_cores\":");
	if (lp->sites[s].remote) {
		int32_t bc, bg;
		sl__remote_busy(lp, s, &bc, &bg);
		rb_int(b, bc);
	} else {
		rb_int(b, lp->sites[s].q.cores - lp->sites[s].q.free_c);
	}
	if (lp->down[s]) {
		const char *fault;
		sl__site_down_reason(lp, s, &fault);
		RB_LIT(b, ",\"down\":");
		rb_esc(b, fault);
	}
	RB_LIT(b, ",\"est_energy_kwh\":");
	rb_num(b, kwh);
	RB_LIT(b, ",\"est_carbon_g\":");
	rb_num(b, kwh * ci);
	RB_LIT(b, ",\"est_cost_cny\":");
	rb_num(b, kwh * price);
	RB_LIT(b, "}");
}

char *sl__loop_receipt(sl_loop *lp, const ljob *j, const sl_decision *d, int64_t now)
{
	rbuf b = {sl_malloc(256 + (size_t)lp->net->nsites * 320), 0,
	          256 + (size_t)lp->net->nsites * 320};
	b.v[0] = '\0';
	RB_LIT(&b, "{\"policy\":");
	rb_esc(&b, lp->cfg.policy->name);
	RB_LIT(&b, ",\"decided_at\":");
	rb_int(&b, now);
	RB_LIT(&b, ",\"carbon_mode\":");
	rb_esc(&b, sl_carbon_mode_name(lp->cfg.carbon_mode));
	RB_LIT(&b, ",\"site\":");
	if (d->site >= 0 && d->site < lp->net->nsites) {
		rb_esc(&b, lp->net->sites[d->site].id);
		RB_LIT(&b, ",\"not_before\":");
		rb_int(&b, d->not_before);
	} else {
		RB_LIT(&b, "null,\"reason\":");
		rb_esc(&b, sl_reject_name(d->reason));
		RB_LIT(&b, ",\"why\":");
		rb_esc(&b, d->why);
	}
	RB_LIT(&b, ",\"alternatives\":[");
	for (int s = 0; s < lp->net->nsites; s++) {
		if (s)
			RB_LIT(&b, ",");
		put_site(lp, j, s, now, &b);
	}
	RB_LIT(&b, "]}");
	return b.v;
}
