/*
 * supply.c — the supply side of the accounting (supply.h): interconnect
 * deliveries, zone intensity views, site surplus shares and claims, the
 * curtailment rule, and exact integrals of per-step series.
 *
 * The order of derivation is fixed by what depends on what: lines first
 * (they need only their own signals and the sending zone's intensities),
 * then zones (imports, exports, blends and residuals need the lines), then
 * sites (surplus needs zone curtailment, claims need line green energy).
 */
#include "energy/supply.h"

#include <math.h>
#include <string.h>

#include "core/mem.h"
#include "core/time.h"

const char *sl_green_basis_name(int basis)
{
	return basis == SL_GREEN_LOCATION ? "location" : (basis == SL_GREEN_MARKET ? "market" : "?");
}

int sl_green_basis_parse(const char *s)
{
	if (strcmp(s, "market") == 0)
		return SL_GREEN_MARKET;
	if (strcmp(s, "location") == 0)
		return SL_GREEN_LOCATION;
	return -1;
}

int sl_supply_ci_view(int carbon_mode, int green_basis)
{
	if (carbon_mode == SL_CARBON_MARGINAL)
		return SL_CI_MARGINAL;
	return green_basis == SL_GREEN_LOCATION ? SL_CI_LOCATION : SL_CI_RESIDUAL;
}

double sl_supply_net_default(const sl_network *net, int has_override, double override)
{
	if (has_override)
		return override;
	return net->has_network_kwh_per_gb ? net->network_kwh_per_gb : SL_NET_KWH_PER_GB_DEFAULT;
}

/* ---------- the formulas ---------- */

double sl_supply_delivered_mw(double sent_mw, double loss_frac) { return sent_mw * (1.0 - loss_frac); }

double sl_supply_line_ci(double renewable_share, double fossil_g_per_kwh, double loss_frac)
{
	return (1.0 - renewable_share) * fossil_g_per_kwh / (1.0 - loss_frac);
}

double sl_supply_blend_ci(double load_mw, double local_ci, double import_mw, double import_ci)
{
	if (!(import_mw > 0) || !(load_mw > 0))
		return local_ci;
	if (import_mw >= load_mw)
		return import_ci;
	return ((load_mw - import_mw) * local_ci + import_mw * import_ci) / load_mw;
}

double sl_supply_residual_ci(double mix_load_mw, double location_ci, double export_term,
                             double claimed_green_mw)
{
	double den = mix_load_mw - claimed_green_mw;
	if (!(mix_load_mw > 0) || !(den > 0) || (export_term == 0 && claimed_green_mw == 0))
		return location_ci; /* nothing claimed or exported: exactly the location mix */
	double r = (mix_load_mw * location_ci + export_term) / den;
	return r > 0 ? r : 0.0;
}

double sl_supply_curtail_mw(double renewable_mw, double load_mw, double export_mw,
                            double import_mw, double must_run_mw)
{
	double room = load_mw + export_mw - import_mw - must_run_mw;
	double c = renewable_mw - (room > 0 ? room : 0.0);
	return c > 0 ? c : 0.0;
}

static double curtailed_total(const double *r, const double *l, const double *x, const double *im,
                              int32_t n, double must_run)
{
	double s = 0;
	for (int32_t i = 0; i < n; i++)
		s += sl_supply_curtail_mw(r[i], l[i], x ? x[i] : 0, im ? im[i] : 0, must_run);
	return s;
}

int sl_supply_must_run_for_rate(const double *renewable, const double *load,
                                const double *export_mw, const double *import_mw, int32_t n,
                                double rate, double *must_run_mw)
{
	double total = 0, hi = 0;
	for (int32_t i = 0; i < n; i++) {
		double room = load[i] + (export_mw ? export_mw[i] : 0) - (import_mw ? import_mw[i] : 0);
		total += renewable[i];
		if (room > hi)
			hi = room;
	}
	double target = rate * total;
	if (!(total > 0) || curtailed_total(renewable, load, export_mw, import_mw, n, 0) > target)
		return SL_ERANGE;
	double lo = 0; /* curtailed(lo) <= target <= curtailed(hi) = total */
	for (int i = 0; i < 200 && hi - lo > 1e-9 * (hi > 1 ? hi : 1); i++) {
		double mid = 0.5 * (lo + hi);
		if (curtailed_total(renewable, load, export_mw, import_mw, n, mid) < target)
			lo = mid;
		else
			hi = mid;
	}
	*must_run_mw = 0.5 * (lo + hi);
	return 0;
}

void sl_supply_zone_flows(const sl_network *net, int z, double *imp, double *exp)
{
	int32_t n = net->nsteps > 0 ? net->nsteps : 1;
	memset(imp, 0, (size_t)n * sizeof *imp);
	memset(exp, 0, (size_t)n * sizeof *exp);
	for (int l = 0; l < net->ninterconnects; l++) {
		const sl_interconnect *ic = &net->interconnects[l];
		if (!ic->has_flow || (ic->to_zone != z && ic->from_zone != z))
			continue;
		for (int32_t k = 0; k < n && k < ic->flow_mw.n; k++) {
			if (ic->to_zone == z)
				imp[k] += sl_supply_delivered_mw(ic->flow_mw.v[k], ic->loss_frac);
			if (ic->from_zone == z)
				exp[k] += ic->flow_mw.v[k];
		}
	}
}

/* ---------- derivation ---------- */

static double *zone_w(sl_supply *s, int z, int series)
{
	return s->zone + ((size_t)z * SL_ZS_COUNT + (size_t)series) * (size_t)s->n;
}

static double *line_w(sl_supply *s, int l, int series)
{
	return s->line + ((size_t)l * SL_LS_COUNT + (size_t)series) * (size_t)s->n;
}

static double *site_w(sl_supply *s, int i, int series)
{
	return s->site + ((size_t)i * SL_SS_COUNT + (size_t)series) * (size_t)s->n;
}

/* Value of an optional signal at step k (0 when absent). */
static double sig_at(int present, const sl_signal *g, int32_t k)
{
	return present && g->v && g->n > 0 ? g->v[k % g->n] : 0.0;
}

static double zone_avg(const sl_zone *z, int32_t k) { return sig_at(1, &z->carbon_avg_g_per_kwh, k); }

static double zone_marginal(const sl_zone *z, int32_t k)
{
	return z->has_carbon_marginal ? sig_at(1, &z->carbon_marginal_g_per_kwh, k) : zone_avg(z, k);
}

static void derive_lines(sl_supply *s)
{
	const sl_network *net = s->net;
	for (int l = 0; l < net->ninterconnects; l++) {
		const sl_interconnect *ic = &net->interconnects[l];
		const sl_zone *from = &net->zones[ic->from_zone];
		double keep = 1.0 - ic->loss_frac;
		for (int32_t k = 0; k < s->n; k++) {
			double sent = sig_at(ic->has_flow, &ic->flow_mw, k);
			double re = sig_at(1, &ic->renewable_share, k);
			double fossil = ic->has_fossil ? sig_at(1, &ic->fossil_g_per_kwh, k) : zone_avg(from, k);
			line_w(s, l, SL_LS_SENT_MW)[k] = sent;
			line_w(s, l, SL_LS_DELIVERED_MW)[k] = sl_supply_delivered_mw(sent, ic->loss_frac);
			line_w(s, l, SL_LS_GREEN_MW)[k] = sl_supply_delivered_mw(sent, ic->loss_frac) * re;
			line_w(s, l, SL_LS_CI_SENT)[k] = (1.0 - re) * fossil;
			line_w(s, l, SL_LS_CI_DELIVERED)[k] = sl_supply_line_ci(re, fossil, ic->loss_frac);
			line_w(s, l, SL_LS_CI_MARGINAL)[k] = zone_marginal(from, k) / keep;
		}
	}
}

/* Imports, losses, green imports and exports of every zone, and the
 * import emissions (MW x g/kWh) into emis[z][k]. */
static void derive_flows(sl_supply *s, double *emis)
{
	const sl_network *net = s->net;
	for (int l = 0; l < net->ninterconnects; l++) {
		const sl_interconnect *ic = &net->interconnects[l];
		const double *sent = sl_supply_line(s, l, SL_LS_SENT_MW);
		const double *del = sl_supply_line(s, l, SL_LS_DELIVERED_MW);
		const double *green = sl_supply_line(s, l, SL_LS_GREEN_MW);
		const double *ci = sl_supply_line(s, l, SL_LS_CI_SENT);
		int to = ic->to_zone, from = ic->from_zone;
		for (int32_t k = 0; k < s->n; k++) {
			zone_w(s, to, SL_ZS_IMPORT_MW)[k] += del[k];
			zone_w(s, to, SL_ZS_IMPORT_LOSS_MW)[k] += sent[k] - del[k];
			zone_w(s, to, SL_ZS_IMPORT_GREEN_MW)[k] += green[k];
			zone_w(s, from, SL_ZS_EXPORT_MW)[k] += sent[k];
			emis[(size_t)to * (size_t)s->n + (size_t)k] += sent[k] * ci[k];
		}
	}
}

/* sum over lines leaving z of sent x (location_ci - ci_sent) at step k. */
static double export_term(const sl_supply *s, int z, int32_t k, double location_ci)
{
	double t = 0;
	for (int l = 0; l < s->net->ninterconnects; l++) {
		if (s->net->interconnects[l].from_zone != z)
			continue;
		t += sl_supply_line(s, l, SL_LS_SENT_MW)[k] *
		     (location_ci - sl_supply_line(s, l, SL_LS_CI_SENT)[k]);
	}
	return t;
}

static void derive_zone(sl_supply *s, int z, const double *emis)
{
	const sl_zone *zn = &s->net->zones[z];
	const double *imp = zone_w(s, z, SL_ZS_IMPORT_MW);
	const double *green = zone_w(s, z, SL_ZS_IMPORT_GREEN_MW);
	for (int32_t k = 0; k < s->n; k++) {
		double local = zone_avg(zn, k), load = sig_at(zn->has_load, &zn->load_mw, k);
		double imp_ci = imp[k] > 0 ? emis[k] / imp[k] : 0.0;
		double loc = sl_supply_blend_ci(load, local, imp[k], imp_ci);
		zone_w(s, z, SL_ZS_IMPORT_CI)[k] = imp_ci;
		double mix = zn->has_mix_load ? sig_at(1, &zn->mix_load_mw, k) : load;
		double res = zn->has_carbon_residual
		                     ? sig_at(1, &zn->carbon_residual_g_per_kwh, k)
		                     : sl_supply_residual_ci(mix, loc, export_term(s, z, k, loc), green[k]);
		zone_w(s, z, SL_ZS_CI + SL_CI_LOCAL)[k] = local;
		zone_w(s, z, SL_ZS_CI + SL_CI_LOCATION)[k] = loc;
		zone_w(s, z, SL_ZS_CI + SL_CI_RESIDUAL)[k] = res;
		zone_w(s, z, SL_ZS_CI + SL_CI_MARGINAL)[k] = zone_marginal(zn, k);
	}
}

/* Each site's share of its zone's curtailment: an explicit
 * green_surplus_share, else the zone's unassigned share split by
 * installed busy IT power among the sites without one. */
static void resolve_shares(sl_supply *s)
{
	const sl_network *net = s->net;
	for (int z = 0; z < net->nzones; z++) {
		double given = 0, it = 0;
		for (int i = 0; i < net->nsites; i++) {
			const sl_site *st = &net->sites[i];
			if (st->zone != z)
				continue;
			if (st->has_green_surplus_share)
				given += st->green_surplus_share;
			else
				it += st->cores * st->core_busy_w + st->gpus * st->gpu_busy_w;
		}
		double rest = given < 1 ? 1 - given : 0;
		for (int i = 0; i < net->nsites; i++) {
			const sl_site *st = &net->sites[i];
			if (st->zone != z)
				continue;
			double w = st->cores * st->core_busy_w + st->gpus * st->gpu_busy_w;
			s->surplus_share[i] = st->has_green_surplus_share ? st->green_surplus_share
			                                                   : (it > 0 ? rest * w / it : 0);
		}
	}
}

static void derive_sites(sl_supply *s)
{
	const sl_network *net = s->net;
	double *claims = sl_calloc((size_t)net->ninterconnects + 1, sizeof *claims);
	for (int i = 0; i < net->nsites; i++)
		if (net->sites[i].has_green_import)
			claims[net->sites[i].green_import_line] += net->sites[i].green_import_mw;
	for (int i = 0; i < net->nsites; i++) {
		const sl_site *st = &net->sites[i];
		const sl_zone *zn = &net->zones[st->zone];
		for (int32_t k = 0; k < s->n; k++) {
			double claim = 0;
			if (st->has_green_import && claims[st->green_import_line] > 0) {
				double g = sl_supply_line(s, st->green_import_line, SL_LS_GREEN_MW)[k];
				double f = g / claims[st->green_import_line];
				claim = st->green_import_mw * (f < 1 ? f : 1);
			}
			site_w(s, i, SL_SS_ONSITE_MW)[k] = sig_at(st->has_onsite, &st->onsite_mw, k);
			site_w(s, i, SL_SS_SURPLUS_MW)[k] =
				s->surplus_share[i] * sig_at(zn->has_curtailment, &zn->curtailment_mw, k);
			site_w(s, i, SL_SS_CONTRACT_MW)[k] = sig_at(st->has_green, &st->green_mw, k) + claim;
			site_w(s, i, SL_SS_CLAIM_MW)[k] = claim;
		}
	}
	sl_free(claims);
}

void sl_supply_init(sl_supply *s, const sl_network *net)
{
	memset(s, 0, sizeof *s);
	s->net = net;
	s->n = net->nsteps > 0 ? net->nsteps : 1;
	size_t n = (size_t)s->n;
	s->zone = sl_calloc((size_t)net->nzones * SL_ZS_COUNT * n + 1, sizeof *s->zone);
	s->line = sl_calloc((size_t)net->ninterconnects * SL_LS_COUNT * n + 1, sizeof *s->line);
	s->site = sl_calloc((size_t)net->nsites * SL_SS_COUNT * n + 1, sizeof *s->site);
	s->surplus_share = sl_calloc((size_t)net->nsites + 1, sizeof *s->surplus_share);
	double *emis = sl_calloc((size_t)net->nzones * n + 1, sizeof *emis);
	derive_lines(s);
	derive_flows(s, emis);
	for (int z = 0; z < net->nzones; z++)
		derive_zone(s, z, emis + (size_t)z * n);
	sl_free(emis);
	resolve_shares(s);
	derive_sites(s);
}

void sl_supply_release(sl_supply *s)
{
	sl_free(s->zone);
	sl_free(s->line);
	sl_free(s->site);
	sl_free(s->surplus_share);
	memset(s, 0, sizeof *s);
}

int32_t sl_supply_index(const sl_supply *s, int64_t t)
{
	const sl_network *net = s->net;
	int64_t d = t - net->t0;
	if (d >= 0 && d <= (int64_t)UINT32_MAX) /* the common case, in 32-bit divisions */
		return (int32_t)((uint32_t)d / (uint32_t)net->step_s % (uint32_t)s->n);
	return (int32_t)sl_floor_mod(sl_floor_div(d, net->step_s), s->n);
}

double sl_supply_origin_ci(const sl_supply *s, int origin, int fallback_zone, int view, int32_t k)
{
	const sl_origin *o = &s->net->origins[origin];
	if (o->has_carbon)
		return sig_at(1, &o->carbon_g_per_kwh, k);
	int z = o->has_zone ? o->zone : fallback_zone;
	return sl_supply_zone(s, z, SL_ZS_CI + view)[k];
}

/* ---------- exact integrals ---------- */

void sl_cum_init(sl_cum *q, const double *v, int32_t n, int32_t step_s, int64_t t0)
{
	q->n = n;
	q->step_s = step_s;
	q->t0 = t0;
	q->c = sl_malloc(((size_t)n + 1) * sizeof *q->c);
	q->c[0] = 0;
	for (int32_t k = 0; k < n; k++)
		q->c[k + 1] = q->c[k] + v[k] * step_s;
}

void sl_cum_release(sl_cum *q)
{
	sl_free(q->c);
	q->c = NULL;
}

/* Where t falls: step k of cycle cycles, frac seconds into it (cycles of
 * the series repeat). */
static void cum_pos(const sl_cum *q, int64_t t, int32_t *k, int64_t *frac, int64_t *cycles)
{
	int64_t i = sl_floor_div(t - q->t0, q->step_s);
	*frac = t - q->t0 - i * q->step_s;
	*cycles = sl_floor_div(i, q->n);
	*k = (int32_t)(i - *cycles * q->n);
}

/* Integral from t0 to the position (k, frac, cycles). */
static double cum_at(const sl_cum *q, int32_t k, int64_t frac, int64_t cycles)
{
	double rate = (q->c[k + 1] - q->c[k]) / q->step_s;
	return (double)cycles * q->c[q->n] + q->c[k] + rate * (double)frac;
}

void sl_cum_span_of(const sl_cum *q, int64_t a, int64_t b, sl_cum_span *sp)
{
	/* Shift both ends by whole cycles so a lies in the first one: the
	 * difference then never subtracts two large sums. */
	int64_t period = (int64_t)q->n * q->step_s;
	int64_t shift = sl_floor_div(a - q->t0, period) * period;
	cum_pos(q, a - shift, &sp->k[0], &sp->frac[0], &sp->cycles[0]);
	cum_pos(q, b - shift, &sp->k[1], &sp->frac[1], &sp->cycles[1]);
}

double sl_cum_span_between(const sl_cum *q, const sl_cum_span *sp)
{
	return cum_at(q, sp->k[1], sp->frac[1], sp->cycles[1]) -
	       cum_at(q, sp->k[0], sp->frac[0], sp->cycles[0]);
}

double sl_cum_between(const sl_cum *q, int64_t a, int64_t b)
{
	sl_cum_span sp;
	sl_cum_span_of(q, a, b, &sp);
	return sl_cum_span_between(q, &sp);
}
