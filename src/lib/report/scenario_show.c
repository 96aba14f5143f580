/*
 * scenario_show.c — describe a loaded network for people and machines.
 *
 * The text form is a few aligned tables, one per section, sized for a
 * 100-column terminal; the JSON form carries the same facts under stable
 * key names with units in them (numbers stay numbers, absent things are
 * null).  Both read the network only; statistics are over the scenario's
 * whole range [t0, t1).
 */
#include "report/scenario_show.h"

#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <string.h>

#include "core/mem.h"
#include "core/time.h"
#include "energy/supply.h"
#include "core/banned.h"

/* ---- small shared helpers ---------------------------------------------- */

typedef struct stats {
	double mean, min, max;
} stats;

static stats signal_stats(const sl_signal *s)
{
	stats st = {0, 0, 0};
	if (s->v && s->n > 0)
		sl_signal_stats(s, &st.mean, &st.min, &st.max);
	return st;
}

static const char *plural(int n)
{
	return n == 1 ? "" : "s";
}

static const char *str_or(const char *s, const char *dflt)
{
	return s && *s ? s : dflt;
}

static const char *jur_code(const sl_network *net, int j)
{
	return j >= 0 && j < net->njurisdictions ? net->jurisdictions[j] : "?";
}

static const char *zone_id(const sl_network *net, int z)
{
	return z >= 0 && z < net->nzones ? net->zones[z].id : "?";
}

static const char *site_id(const sl_network *net, int s)
{
	return s >= 0 && s < net->nsites ? net->sites[s].id : "?";
}

static const char *tariff_id(const sl_network *net, int t)
{
	return t >= 0 && t < net->ntariffs ? net->tariffs[t].id : "?";
}

static const char *backend_name(int b)
{
	switch (b) {
	case SL_BACKEND_SIM: return "sim";
	case SL_BACKEND_LOCAL: return "local";
	case SL_BACKEND_SLURM: return "slurm";
	}
	return "?";
}

/* IT power of a site with everything idle (busy = 0) or busy, in kW. */
static double site_it_kw(const sl_site *s, int busy)
{
	double core_w = busy ? s->core_busy_w : s->core_idle_w;
	double gpu_w = busy ? s->gpu_busy_w : s->gpu_idle_w;
	return (s->cores * core_w + s->gpus * gpu_w) / 1000.0;
}

static int range_absent(const sl_range *r)
{
	return r->lo == 0 && r->hi == 0;
}

/* The optional series of a zone, by their scenario key names. */
typedef struct zone_series {
	const char *key, *label;
	int present;
	const sl_signal *sig;
} zone_series;

enum { NZONE_SERIES = 4 };

static void zone_series_list(const sl_zone *z, zone_series out[NZONE_SERIES])
{
	out[0] = (zone_series){"carbon_marginal_g_per_kwh", "marginal", z->has_carbon_marginal,
	                       &z->carbon_marginal_g_per_kwh};
	out[1] = (zone_series){"renewable_mw", "renew", z->has_renewable, &z->renewable_mw};
	out[2] = (zone_series){"curtailment_mw", "curtail", z->has_curtailment,
	                       &z->curtailment_mw};
	out[3] = (zone_series){"load_mw", "load", z->has_load, &z->load_mw};
}

/* ---- aligned text tables ------------------------------------------------ */

/* A table of formatted cells.  A "span" cell may run over the columns to
 * its right (a group heading) and does not widen its own column. */
typedef struct tcell {
	char *s;
	int span;
} tcell;

typedef struct table {
	const char *align;      /* one 'l' or 'r' per column */
	int ncols;
	SL_VEC(tcell) cells;    /* row-major, ncols per row */
} table;

#define TABLE_MAX_COLS 16
#define TABLE_INDENT 2 /* columns before the first cell */
#define TABLE_GAP 2    /* columns between cells */
#define TABLE_WIDTH 100 /* text running past this column is cut with "..." */
#define CELL_MAX 200

static void table_init(table *t, const char *align)
{
	memset(t, 0, sizeof *t);
	t->align = align;
	t->ncols = (int)strlen(align);
	assert(t->ncols <= TABLE_MAX_COLS);
}

static void table_vadd(table *t, int span, const char *fmt, va_list ap)
{
	char buf[CELL_MAX];
	vsnprintf(buf, sizeof buf, fmt, ap);
	sl_vec_push(&t->cells, ((tcell){sl_strdup(buf), span}));
}

__attribute__((format(printf, 2, 3)))
static void cell(table *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	table_vadd(t, 0, fmt, ap);
	va_end(ap);
}

__attribute__((format(printf, 2, 3)))
static void span(table *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	table_vadd(t, 1, fmt, ap);
	va_end(ap);
}

/* Fill the rest of the current row with empty cells. */
static void end_row(table *t)
{
	while (t->cells.n % (size_t)t->ncols)
		cell(t, "%s", "");
}

/* Is code point cp displayed two columns wide (CJK, Hangul, fullwidth)? */
static int is_wide(unsigned cp)
{
	return (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
	       (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
	       (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
	       (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x20000 && cp <= 0x3FFFD);
}

/* Decode the code point at *p and advance past it (lenient: bad bytes
 * count as one column each). */
static unsigned next_cp(const unsigned char **p)
{
	unsigned cp = *(*p)++;
	int more = cp >= 0xF0 ? 3 : cp >= 0xE0 ? 2 : cp >= 0xC0 ? 1 : 0;
	if (more)
		cp &= 0x3Fu >> more;
	for (; more && (**p & 0xC0) == 0x80; more--)
		cp = (cp << 6) | (*(*p)++ & 0x3Fu);
	return cp;
}

/* Display width of UTF-8 text in terminal columns. */
static size_t text_width(const char *s)
{
	size_t w = 0;
	const unsigned char *p = (const unsigned char *)s;
	while (*p)
		w += is_wide(next_cp(&p)) ? 2 : 1;
	return w;
}

/* Print s cut to at most maxw columns, ending in "..." when cut (maxw >= 4).
 * Returns the columns printed. */
static size_t put_clipped(FILE *f, const char *s, size_t maxw)
{
	size_t w = 0;
	const unsigned char *p = (const unsigned char *)s;
	if (text_width(s) <= maxw) {
		fputs(s, f);
		return text_width(s);
	}
	while (*p) {
		const unsigned char *q = p;
		size_t cw = is_wide(next_cp(&p)) ? 2 : 1;
		if (w + cw > maxw - 3)
			break;
		fwrite(q, 1, (size_t)(p - q), f);
		w += cw;
	}
	fputs("...", f);
	return w + 3;
}

static void put_spaces(FILE *f, size_t n)
{
	while (n--)
		fputc(' ', f);
}

/* Print one row: each cell at its column's start (right-aligned cells at
 * its end); a span that ran over the next cells' place pushes them right. */
static void print_row(FILE *f, const table *t, size_t row, const size_t *w)
{
	const tcell *r = &t->cells.v[row * (size_t)t->ncols];
	size_t at = 0, start = TABLE_INDENT;
	for (int c = 0; c < t->ncols; c++) {
		size_t cw = text_width(r[c].s), pos = start;
		if (t->align[c] == 'r' && !r[c].span && cw < w[c])
			pos += w[c] - cw;
		start += w[c] + TABLE_GAP;
		if (!r[c].s[0])
			continue;
		if (at > 0 && pos <= at)
			pos = at + 1;
		put_spaces(f, pos - at);
		if (pos + cw > TABLE_WIDTH && pos + 4 <= TABLE_WIDTH)
			cw = put_clipped(f, r[c].s, TABLE_WIDTH - pos); /* a long name */
		else
			fputs(r[c].s, f);
		at = pos + cw;
	}
	fputc('\n', f);
}

static void table_print(FILE *f, const char *title, const table *t)
{
	size_t w[TABLE_MAX_COLS] = {0};
	size_t nrows = t->cells.n / (size_t)t->ncols;
	for (size_t i = 0; i < t->cells.n; i++) {
		size_t c = i % (size_t)t->ncols, cw = text_width(t->cells.v[i].s);
		if (!t->cells.v[i].span && cw > w[c])
			w[c] = cw;
	}
	fprintf(f, "\n%s\n", title);
	for (size_t r = 0; r < nrows; r++)
		print_row(f, t, r, w);
}

static void table_release(table *t)
{
	for (size_t i = 0; i < t->cells.n; i++)
		sl_free(t->cells.v[i].s);
	sl_vec_free(&t->cells);
}

/* ---- value formatting ---------------------------------------------------- */

/* Compact decimal byte size: "500MB", "1.5GB", "0". */
static void fmt_bytes(double b, char *buf, size_t n)
{
	static const char *unit[] = {"B", "KB", "MB", "GB", "TB", "PB"};
	int u = 0;
	while (b >= 1000 && u < 5) {
		b /= 1000;
		u++;
	}
	snprintf(buf, n, "%.3g%s", b, b == 0 ? "" : unit[u]);
}

enum { RANGE_NUM, RANGE_DUR, RANGE_BYTES };

static void fmt_one(double x, int kind, char *buf, size_t n)
{
	if (kind == RANGE_DUR)
		sl_duration_format((int64_t)x, buf, n);
	else if (kind == RANGE_BYTES)
		fmt_bytes(x, buf, n);
	else
		snprintf(buf, n, "%g", x);
}

/* "1-4", "2" when lo == hi, "-" when absent. */
static const char *fmt_range(const sl_range *r, int kind, char *buf, size_t n)
{
	char lo[32], hi[32];
	if (range_absent(r))
		return "-";
	fmt_one(r->lo, kind, lo, sizeof lo);
	fmt_one(r->hi, kind, hi, sizeof hi);
	if (r->lo == r->hi)
		snprintf(buf, n, "%s", lo);
	else
		snprintf(buf, n, "%s-%s", lo, hi);
	return buf;
}

static const char *fmt_offset(int32_t off, char *buf, size_t n)
{
	return sl_utc_offset_format(off, buf, n);
}

/* ---- text sections --------------------------------------------------------- */

static void text_head(FILE *f, const sl_network *net)
{
	char a[40], b[40], st[32], len[32];
	int64_t cores, gpus;
	double idle = 0, full = 0;
	sl_network_capacity(net, &cores, &gpus);
	for (int i = 0; i < net->nsites; i++) {
		idle += site_it_kw(&net->sites[i], 0);
		full += site_it_kw(&net->sites[i], 1);
	}
	fprintf(f, "Scenario %s", str_or(net->name, "(unnamed)"));
	if (net->path)
		fprintf(f, "  (%s)", net->path);
	fprintf(f, "\n  time    %s .. %s (%s), %d steps of %s\n",
	        sl_time_format_iso(net->t0, net->utc_offset_s, 0, a, sizeof a),
	        sl_time_format_iso(net->t1, net->utc_offset_s, 0, b, sizeof b),
	        sl_duration_format(net->t1 - net->t0, len, sizeof len), net->nsteps,
	        sl_duration_format(net->step_s, st, sizeof st));
	fprintf(f, "  network %d zone%s, %d site%s, %d origin%s; %lld cores, %lld GPUs; "
	           "IT %.0f kW idle, %.0f kW busy\n",
	        net->nzones, plural(net->nzones), net->nsites, plural(net->nsites), net->norigins,
	        plural(net->norigins), (long long)cores, (long long)gpus, idle, full);
}

static void text_sites(FILE *f, const sl_network *net)
{
	table t;
	table_init(&t, "lllrrrrrrll");
	const char *h[] = {"site", "zone", "jur", "cores", "GPUs", "idle kW", "busy kW",
	                   "PUE", "green MW", "backend", "name"};
	for (int i = 0; i < t.ncols; i++)
		cell(&t, "%s", h[i]);
	for (int i = 0; i < net->nsites; i++) {
		const sl_site *s = &net->sites[i];
		cell(&t, "%s", s->id);
		cell(&t, "%s", zone_id(net, s->zone));
		cell(&t, "%s", jur_code(net, s->jurisdiction));
		cell(&t, "%d", s->cores);
		cell(&t, "%d", s->gpus);
		cell(&t, "%.1f", site_it_kw(s, 0));
		cell(&t, "%.1f", site_it_kw(s, 1));
		cell(&t, "%.2f", signal_stats(&s->pue).mean);
		cell(&t, s->has_green ? "%.1f" : "-", signal_stats(&s->green_mw).mean);
		cell(&t, "%s", backend_name(s->backend));
		cell(&t, "%s", str_or(s->name, ""));
	}
	table_print(f, "Sites (IT power with every device idle / busy; PUE and green MW: mean)", &t);
	table_release(&t);
}

static void zone_row(table *t, const sl_network *net, const sl_zone *z)
{
	char off[8], ser[96] = "";
	zone_series zs[NZONE_SERIES];
	size_t k = 0;
	stats c = signal_stats(&z->carbon_avg_g_per_kwh), p = signal_stats(&z->price_cny_per_kwh);
	zone_series_list(z, zs);
	for (int i = 0; i < NZONE_SERIES; i++)
		if (zs[i].present && k < sizeof ser)
			k += (size_t)snprintf(ser + k, sizeof ser - k, "%s%s", k ? " " : "", zs[i].label);
	cell(t, "%s", z->id);
	cell(t, "%s", fmt_offset(z->utc_offset_s, off, sizeof off));
	cell(t, "%s", tariff_id(net, z->tariff));
	cell(t, "%.0f", c.mean);
	cell(t, "%.0f", c.min);
	cell(t, "%.0f", c.max);
	cell(t, "%.3f", p.mean);
	cell(t, "%.3f", p.min);
	cell(t, "%.3f", p.max);
	cell(t, "%s", k ? ser : "-");
}

static void text_zones(FILE *f, const sl_network *net)
{
	table t;
	table_init(&t, "lllrrrrrrl");
	const char *h[] = {"zone", "UTC", "tariff", "mean", "min", "max", "mean", "min", "max",
	                   "series"};
	cell(&t, "%s", "");
	cell(&t, "%s", "");
	cell(&t, "%s", "");
	span(&t, "%s", "carbon g/kWh");
	cell(&t, "%s", "");
	cell(&t, "%s", "");
	span(&t, "%s", "price CNY/kWh");
	end_row(&t);
	for (int i = 0; i < t.ncols; i++)
		cell(&t, "%s", h[i]);
	for (int i = 0; i < net->nzones; i++)
		zone_row(&t, net, &net->zones[i]);
	table_print(f, "Zones", &t);
	table_release(&t);
}

/* A price with at most 4 decimals and no trailing zeros: "0.8", "1.133". */
static void fmt_price(double p, char *buf, size_t n)
{
	size_t k = (size_t)snprintf(buf, n, "%.4f", p);
	while (k > 1 && k < n && buf[k - 1] == '0' && buf[k - 2] != '.')
		buf[--k] = '\0';
}

static void tariff_bands(const sl_tariff *tf, char *buf, size_t n)
{
	char price[32];
	size_t k = 0;
	buf[0] = '\0';
	for (int b = 0; b < tf->nbands && k < n; b++) {
		fmt_price(tf->bands[b].price_cny_per_kwh, price, sizeof price);
		k += (size_t)snprintf(buf + k, n - k, "%s%s %s", b ? ", " : "", tf->bands[b].name,
		                      price);
	}
}

static void tariff_row(table *t, const sl_tariff *tf)
{
	char off[8], bands[CELL_MAX];
	cell(t, "%s", tf->id);
	if (tf->has_series) { /* hours play no part: no local time to show */
		cell(t, "%s", "-");
		stats s = signal_stats(&tf->series);
		span(t, "price series: mean %.3f, min %.3f, max %.3f", s.mean, s.min, s.max);
		end_row(t);
		return;
	}
	cell(t, "%s", fmt_offset(tf->utc_offset_s, off, sizeof off));
	tariff_bands(tf, bands, sizeof bands);
	cell(t, "%s", tf->default_band >= 0 && tf->default_band < tf->nbands
	                      ? tf->bands[tf->default_band].name : "?");
	cell(t, "%d", tf->nrules);
	cell(t, "%s", bands);
}

static void text_tariffs(FILE *f, const sl_network *net)
{
	table t;
	table_init(&t, "lllrl");
	const char *h[] = {"tariff", "local", "default", "rules", "bands CNY/kWh"};
	for (int i = 0; i < t.ncols; i++)
		cell(&t, "%s", h[i]);
	for (int i = 0; i < net->ntariffs; i++)
		tariff_row(&t, &net->tariffs[i]);
	table_print(f, "Tariffs (time-of-use hours in local time; the last matching rule wins)",
	            &t);
	table_release(&t);
}

static void text_lines(FILE *f, const sl_network *net)
{
	if (net->ninterconnects == 0)
		return;
	table t;
	table_init(&t, "lllrrrrrrr");
	const char *h[] = {"line", "from", "to", "rated MW", "loss", "km", "mean",
	                   "min", "max", "flow MW"};
	for (int i = 0; i < 6; i++)
		cell(&t, "%s", "");
	span(&t, "%s", "renewable share");
	end_row(&t);
	for (int i = 0; i < t.ncols; i++)
		cell(&t, "%s", h[i]);
	for (int i = 0; i < net->ninterconnects; i++) {
		const sl_interconnect *ic = &net->interconnects[i];
		stats r = signal_stats(&ic->renewable_share);
		cell(&t, "%s", ic->id);
		cell(&t, "%s", zone_id(net, ic->from_zone));
		cell(&t, "%s", zone_id(net, ic->to_zone));
		cell(&t, "%.0f", ic->rated_mw);
		cell(&t, "%.1f%%", ic->loss_frac * 100);
		cell(&t, ic->length_km > 0 ? "%.0f" : "-", ic->length_km);
		cell(&t, "%.0f%%", r.mean * 100);
		cell(&t, "%.0f%%", r.min * 100);
		cell(&t, "%.0f%%", r.max * 100);
		cell(&t, ic->has_flow ? "%.0f" : "-", signal_stats(&ic->flow_mw).mean);
	}
	table_print(f, "Interconnects (renewable share of the energy carried; flow: mean)", &t);
	table_release(&t);
}

static void origin_tags(const sl_network *net, const sl_origin *o, char *buf, size_t n)
{
	size_t k = 0;
	buf[0] = '\0';
	for (int g = 0; o->tag_share && g < net->ntags && k < n; g++)
		if (o->tag_share[g] > 0)
			k += (size_t)snprintf(buf + k, n - k, "%s%s %.0f%%", k ? ", " : "",
			                      net->tags[g].tag, o->tag_share[g] * 100);
}

static void origin_rows(table *t, const sl_network *net, const sl_origin *o)
{
	char tags[CELL_MAX];
	origin_tags(net, o, tags, sizeof tags);
	cell(t, "%s", o->id);
	cell(t, "%.0f%%", o->share * 100);
	cell(t, "%s", jur_code(net, o->jurisdiction));
	cell(t, "%s", tags[0] ? tags : "-");
	for (int r = 0; r < o->nroutes; r++) {
		const sl_route *rt = &o->routes[r];
		if (r > 0)
			for (int i = 0; i < 4; i++)
				cell(t, "%s", "");
		cell(t, "%s", site_id(net, rt->site));
		cell(t, "%g", rt->rtt_ms);
		cell(t, "%g", rt->gbps);
		cell(t, "%.3f", rt->cny_per_gb);
	}
	end_row(t);
}

static void text_origins(FILE *f, const sl_network *net)
{
	table t;
	table_init(&t, "lrlllrrr");
	const char *h[] = {"origin", "share", "jur", "data tags", "route to", "RTT ms", "Gbit/s",
	                   "CNY/GB"};
	for (int i = 0; i < t.ncols; i++)
		cell(&t, "%s", h[i]);
	for (int i = 0; i < net->norigins; i++)
		origin_rows(&t, net, &net->origins[i]);
	table_print(f, "Origins and routes", &t);
	table_release(&t);
}

static void allowed_list(const sl_network *net, uint64_t mask, char *buf, size_t n)
{
	size_t k = 0;
	buf[0] = '\0';
	for (int j = 0; j < net->njurisdictions && j < SL_MAX_JURISDICTIONS && k < n; j++)
		if ((mask >> j) & 1)
			k += (size_t)snprintf(buf + k, n - k, "%s%s", k ? ", " : "", net->jurisdictions[j]);
}

static void text_rules(FILE *f, const sl_network *net)
{
	char allowed[CELL_MAX];
	if (net->ntags == 0)
		return;
	table t;
	table_init(&t, "ll");
	cell(&t, "%s", "data tag");
	cell(&t, "%s", "may be processed in");
	for (int i = 0; i < net->ntags; i++) {
		allowed_list(net, net->tags[i].allowed_mask, allowed, sizeof allowed);
		cell(&t, "%s", net->tags[i].tag);
		cell(&t, "%s", allowed[0] ? allowed : "(nowhere)");
	}
	table_print(f, "Data rules (untagged data may go anywhere)", &t);
	table_release(&t);
}

static void class_row(table *t, const sl_job_class *jc)
{
	char b[64];
	cell(t, "%s", jc->id);
	cell(t, "%.0f%%", jc->share * 100);
	cell(t, jc->latency_budget_ms > 0 ? "%.0f" : "-", jc->latency_budget_ms);
	cell(t, "%s", fmt_range(&jc->cores, RANGE_NUM, b, sizeof b));
	cell(t, "%s", fmt_range(&jc->gpus, RANGE_NUM, b, sizeof b));
	cell(t, "%s", fmt_range(&jc->runtime_s, RANGE_DUR, b, sizeof b));
	cell(t, "%s", fmt_range(&jc->deadline_s, RANGE_DUR, b, sizeof b));
	cell(t, "%s", fmt_range(&jc->input_bytes, RANGE_BYTES, b, sizeof b));
	cell(t, "%s", fmt_range(&jc->output_bytes, RANGE_BYTES, b, sizeof b));
	cell(t, "%s", jc->not_preemptible ? "no" : "yes");
}

static void text_classes(FILE *f, const sl_network *net)
{
	if (net->nclasses == 0)
		return;
	table t;
	table_init(&t, "lrrlllllll");
	const char *h[] = {"class", "share", "RTT max ms", "cores", "GPUs", "runtime", "deadline",
	                   "input", "output", "preemptible"};
	for (int i = 0; i < t.ncols; i++)
		cell(&t, "%s", h[i]);
	for (int i = 0; i < net->nclasses; i++)
		class_row(&t, &net->classes[i]);
	table_print(f, "Job classes", &t);
	table_release(&t);
}

/* ---- energy supply (energy/supply.h, docs/energy.md) ------------------------ */

static double mean_of(const double *v, int32_t n)
{
	double s = 0;
	for (int32_t i = 0; i < n; i++)
		s += v[i];
	return n > 0 ? s / n : 0.0;
}

static int supply_shown(const sl_network *net)
{
	int any = net->ninterconnects > 0;
	for (int z = 0; z < net->nzones; z++)
		any |= net->zones[z].has_renewable || net->zones[z].has_curtailment;
	return any;
}

static void supply_zone_row(table *t, const sl_network *net, const sl_supply *sup, int z)
{
	const sl_zone *zn = &net->zones[z];
	int32_t n = sup->n;
	cell(t, "%s", zn->id);
	cell(t, zn->has_renewable ? "%.0f" : "-", signal_stats(&zn->renewable_mw).mean);
	cell(t, zn->has_curtailment ? "%.0f" : "-", signal_stats(&zn->curtailment_mw).mean);
	cell(t, zn->has_load ? "%.0f" : "-", signal_stats(&zn->load_mw).mean);
	cell(t, "%.0f", mean_of(sl_supply_zone(sup, z, SL_ZS_IMPORT_MW), n));
	cell(t, "%.0f", mean_of(sl_supply_zone(sup, z, SL_ZS_IMPORT_LOSS_MW), n));
	cell(t, "%.0f", mean_of(sl_supply_zone(sup, z, SL_ZS_IMPORT_GREEN_MW), n));
	for (int v = 0; v < SL_CI_COUNT; v++)
		cell(t, "%.0f", mean_of(sl_supply_zone(sup, z, SL_ZS_CI + v), n));
}

static void text_supply_sites(FILE *f, const sl_network *net, const sl_supply *sup)
{
	table t;
	int any = 0;
	table_init(&t, "llrrrr");
	const char *h[] = {"site", "zone", "surplus share", "surplus MW", "on-site MW", "contract MW"};
	for (int i = 0; i < t.ncols; i++)
		cell(&t, "%s", h[i]);
	for (int i = 0; i < net->nsites; i++) {
		const sl_site *s = &net->sites[i];
		double sur = mean_of(sl_supply_site(sup, i, SL_SS_SURPLUS_MW), sup->n);
		int curtails = net->zones[s->zone].has_curtailment && sup->surplus_share[i] > 0;
		if (!curtails && !s->has_onsite && !s->has_green && !s->has_green_import)
			continue;
		any = 1;
		cell(&t, "%s", s->id);
		cell(&t, "%s", zone_id(net, s->zone));
		cell(&t, "%.3f", sup->surplus_share[i]);
		cell(&t, "%.1f", sur);
		cell(&t, "%.3f", mean_of(sl_supply_site(sup, i, SL_SS_ONSITE_MW), sup->n));
		cell(&t, "%.3f", mean_of(sl_supply_site(sup, i, SL_SS_CONTRACT_MW), sup->n));
	}
	if (any)
		table_print(f, "Site supply (means; surplus = share of the zone's curtailment)", &t);
	table_release(&t);
}

static void text_supply(FILE *f, const sl_network *net)
{
	static const char *const h[] = {"zone", "renew", "curtail", "load", "import", "loss",
	                                "green", "local", "location", "residual", "marginal"};
	sl_supply sup;
	table t;
	if (!supply_shown(net))
		return;
	sl_supply_init(&sup, net);
	table_init(&t, "lrrrrrrrrrr");
	cell(&t, "%s", "");
	span(&t, "%s", "MW (imports after losses)");
	for (int i = 0; i < 5; i++)
		cell(&t, "%s", "");
	span(&t, "%s", "carbon g/kWh");
	end_row(&t);
	for (int i = 0; i < t.ncols; i++)
		cell(&t, "%s", h[i]);
	for (int z = 0; z < net->nzones; z++)
		supply_zone_row(&t, net, &sup, z);
	table_print(f, "Energy supply (means over the range; docs/energy.md)", &t);
	table_release(&t);
	text_supply_sites(f, net, &sup);
	sl_supply_release(&sup);
}

static void csv_opt(FILE *f, int present, const sl_signal *s, int32_t k)
{
	if (present)
		fprintf(f, ",%.3f", s->v[k]);
	else
		fputc(',', f);
}

int sl_report_scenario_hourly(FILE *f, const sl_network *net, int zone, int64_t from, int64_t to,
                              sl_err *err)
{
	sl_supply sup;
	char when[32];
	if (from < net->t0)
		from = net->t0;
	if (to > net->t1)
		to = net->t1;
	from = net->t0 + (from - net->t0) / net->step_s * net->step_s;
	sl_supply_init(&sup, net);
	fputs("time,zone,renewable_mw,curtailment_mw,load_mw,import_mw,import_loss_mw,"
	      "import_green_mw,import_carbon_g_per_kwh,export_mw,carbon_local_g_per_kwh,"
	      "carbon_location_g_per_kwh,carbon_residual_g_per_kwh,carbon_marginal_g_per_kwh\n", f);
	for (int64_t t = from; t < to; t += net->step_s) {
		int32_t k = (int32_t)((t - net->t0) / net->step_s);
		sl_time_format_iso(t, net->utc_offset_s, 1, when, sizeof when);
		for (int z = 0; z < net->nzones; z++) {
			const sl_zone *zn = &net->zones[z];
			if (zone >= 0 && z != zone)
				continue;
			fprintf(f, "%s,%s", when, zn->id);
			csv_opt(f, zn->has_renewable, &zn->renewable_mw, k);
			csv_opt(f, zn->has_curtailment, &zn->curtailment_mw, k);
			csv_opt(f, zn->has_load, &zn->load_mw, k);
			for (int s = SL_ZS_IMPORT_MW; s < SL_ZS_COUNT; s++)
				fprintf(f, s >= SL_ZS_IMPORT_CI && s != SL_ZS_EXPORT_MW ? ",%.2f" : ",%.3f",
				        sl_supply_zone(&sup, z, s)[k]);
			fputc('\n', f);
		}
	}
	sl_supply_release(&sup);
	if (ferror(f))
		return sl_err_set(err, SL_EIO, NULL, "writing the hourly series failed");
	return 0;
}

void sl_report_scenario_text(FILE *f, const sl_network *net)
{
	text_head(f, net);
	text_sites(f, net);
	text_zones(f, net);
	text_tariffs(f, net);
	text_lines(f, net);
	text_supply(f, net);
	text_origins(f, net);
	text_rules(f, net);
	text_classes(f, net);
}

/* ---- JSON ------------------------------------------------------------------ */

static json_t *jstats(const sl_signal *s)
{
	stats st = signal_stats(s);
	return json_pack("{s:f, s:f, s:f}", "mean", st.mean, "min", st.min, "max", st.max);
}

/* A range of integral quantities (cores, seconds, bytes) as [lo, hi]. */
static json_t *jrange(const sl_range *r)
{
	return range_absent(r) ? json_null()
	                       : json_pack("[I, I]", (json_int_t)llround(r->lo),
	                                   (json_int_t)llround(r->hi));
}

static json_t *jstr(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *json_time(const sl_network *net)
{
	char a[40], b[40], off[8];
	return json_pack("{s:s, s:s, s:I, s:I, s:i, s:i, s:s}",
	                 "start", sl_time_format_iso(net->t0, net->utc_offset_s, 0, a, sizeof a),
	                 "end", sl_time_format_iso(net->t1, net->utc_offset_s, 0, b, sizeof b),
	                 "start_unix_s", (json_int_t)net->t0, "end_unix_s", (json_int_t)net->t1,
	                 "step_s", (int)net->step_s, "steps", (int)net->nsteps,
	                 "utc_offset", fmt_offset(net->utc_offset_s, off, sizeof off));
}

static json_t *json_totals(const sl_network *net)
{
	int64_t cores, gpus;
	double idle = 0, full = 0;
	sl_network_capacity(net, &cores, &gpus);
	for (int i = 0; i < net->nsites; i++) {
		idle += site_it_kw(&net->sites[i], 0);
		full += site_it_kw(&net->sites[i], 1);
	}
	return json_pack("{s:I, s:I, s:f, s:f}", "cores", (json_int_t)cores, "gpus",
	                 (json_int_t)gpus, "it_idle_kw", idle, "it_busy_kw", full);
}

static json_t *json_site(const sl_network *net, const sl_site *s)
{
	json_t *o = json_pack("{s:s, s:o, s:s, s:s, s:s, s:i, s:i, s:f, s:f, s:o}",
	                      "id", s->id, "name", jstr(s->name), "zone", zone_id(net, s->zone),
	                      "jurisdiction", jur_code(net, s->jurisdiction),
	                      "backend", backend_name(s->backend), "cores", (int)s->cores,
	                      "gpus", (int)s->gpus, "it_idle_kw", site_it_kw(s, 0),
	                      "it_busy_kw", site_it_kw(s, 1), "pue", jstats(&s->pue));
	json_object_set_new(o, "power", json_pack("{s:f, s:f, s:f, s:f}",
	                    "core_idle_w", s->core_idle_w, "core_busy_w", s->core_busy_w,
	                    "gpu_idle_w", s->gpu_idle_w, "gpu_busy_w", s->gpu_busy_w));
	json_object_set_new(o, "green_mw", s->has_green ? jstats(&s->green_mw) : json_null());
	json_object_set_new(o, "lat", json_real(s->lat));
	json_object_set_new(o, "lon", json_real(s->lon));
	return o;
}

static json_t *json_zone(const sl_network *net, const sl_zone *z)
{
	char off[8];
	zone_series zs[NZONE_SERIES];
	json_t *present = json_array();
	json_t *o = json_pack("{s:s, s:o, s:s, s:i, s:s, s:o, s:o}",
	                      "id", z->id, "name", jstr(z->name),
	                      "utc_offset", fmt_offset(z->utc_offset_s, off, sizeof off),
	                      "utc_offset_s", (int)z->utc_offset_s,
	                      "tariff", tariff_id(net, z->tariff),
	                      "carbon_avg_g_per_kwh", jstats(&z->carbon_avg_g_per_kwh),
	                      "price_cny_per_kwh", jstats(&z->price_cny_per_kwh));
	zone_series_list(z, zs);
	for (int i = 0; i < NZONE_SERIES; i++) {
		json_object_set_new(o, zs[i].key, zs[i].present ? jstats(zs[i].sig) : json_null());
		if (zs[i].present)
			json_array_append_new(present, json_string(zs[i].key));
	}
	json_object_set_new(o, "series", present);
	return o;
}

static json_t *json_tariff(const sl_tariff *tf)
{
	char off[8];
	json_t *o = json_pack("{s:s, s:s, s:s}", "id", tf->id, "kind",
	                      tf->has_series ? "series" : "time_of_use", "utc_offset",
	                      fmt_offset(tf->utc_offset_s, off, sizeof off));
	if (tf->has_series) {
		json_object_set_new(o, "series_cny_per_kwh", jstats(&tf->series));
		return o;
	}
	json_t *bands = json_object();
	for (int b = 0; b < tf->nbands; b++)
		json_object_set_new(bands, tf->bands[b].name, json_real(tf->bands[b].price_cny_per_kwh));
	json_object_set_new(o, "bands_cny_per_kwh", bands);
	json_object_set_new(o, "default", tf->default_band >= 0 && tf->default_band < tf->nbands
	                                  ? json_string(tf->bands[tf->default_band].name)
	                                  : json_null());
	json_object_set_new(o, "rules", json_integer(tf->nrules));
	return o;
}

static json_t *json_line(const sl_network *net, const sl_interconnect *ic)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:f, s:f, s:o}", "id", ic->id,
	                      "from", zone_id(net, ic->from_zone), "to", zone_id(net, ic->to_zone),
	                      "rated_mw", ic->rated_mw, "loss_frac", ic->loss_frac,
	                      "renewable_share", jstats(&ic->renewable_share));
	json_object_set_new(o, "length_km", ic->length_km > 0 ? json_real(ic->length_km)
	                                                      : json_null());
	json_object_set_new(o, "flow_mw", ic->has_flow ? jstats(&ic->flow_mw) : json_null());
	return o;
}

static json_t *json_origin(const sl_network *net, const sl_origin *o)
{
	char off[8];
	json_t *tags = json_object(), *routes = json_array();
	for (int g = 0; o->tag_share && g < net->ntags; g++)
		if (o->tag_share[g] > 0)
			json_object_set_new(tags, net->tags[g].tag, json_real(o->tag_share[g]));
	for (int r = 0; r < o->nroutes; r++) {
		const sl_route *rt = &o->routes[r];
		json_array_append_new(routes, json_pack("{s:s, s:f, s:f, s:f}",
		                      "site", site_id(net, rt->site), "rtt_ms", rt->rtt_ms,
		                      "gbps", rt->gbps, "cny_per_gb", rt->cny_per_gb));
	}
	return json_pack("{s:s, s:o, s:s, s:s, s:f, s:o, s:o}", "id", o->id, "name", jstr(o->name),
	                 "utc_offset", fmt_offset(o->utc_offset_s, off, sizeof off),
	                 "jurisdiction", jur_code(net, o->jurisdiction), "share", o->share,
	                 "data_tags", tags, "routes", routes);
}

static json_t *json_rules(const sl_network *net)
{
	json_t *o = json_object();
	for (int i = 0; i < net->ntags; i++) {
		json_t *allowed = json_array();
		for (int j = 0; j < net->njurisdictions && j < SL_MAX_JURISDICTIONS; j++)
			if ((net->tags[i].allowed_mask >> j) & 1)
				json_array_append_new(allowed, json_string(net->jurisdictions[j]));
		json_object_set_new(o, net->tags[i].tag, json_pack("{s:o}", "allowed", allowed));
	}
	return o;
}

static json_t *json_class(const sl_job_class *jc)
{
	return json_pack("{s:s, s:f, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:b}", "id", jc->id,
	                 "share", jc->share, "latency_budget_ms",
	                 jc->latency_budget_ms > 0 ? json_real(jc->latency_budget_ms) : json_null(),
	                 "cores", jrange(&jc->cores), "gpus", jrange(&jc->gpus),
	                 "runtime_s", jrange(&jc->runtime_s), "deadline_s", jrange(&jc->deadline_s),
	                 "input_bytes", jrange(&jc->input_bytes),
	                 "output_bytes", jrange(&jc->output_bytes), "preemptible",
	                 !jc->not_preemptible);
}

/* Append one JSON value per item of a section. */
#define JSON_LIST(root, key, n, expr)                           \
	do {                                                    \
		json_t *arr_ = json_array();                    \
		for (int i = 0; i < (n); i++)                   \
			json_array_append_new(arr_, (expr));    \
		json_object_set_new((root), (key), arr_);       \
	} while (0)

json_t *sl_report_scenario_json(const sl_network *net)
{
	json_t *root = json_pack("{s:o, s:o, s:o, s:o}", "scenario", jstr(net->name),
	                         "path", jstr(net->path), "time", json_time(net),
	                         "totals", json_totals(net));
	JSON_LIST(root, "sites", net->nsites, json_site(net, &net->sites[i]));
	JSON_LIST(root, "zones", net->nzones, json_zone(net, &net->zones[i]));
	JSON_LIST(root, "tariffs", net->ntariffs, json_tariff(&net->tariffs[i]));
	JSON_LIST(root, "interconnects", net->ninterconnects,
	          json_line(net, &net->interconnects[i]));
	JSON_LIST(root, "origins", net->norigins, json_origin(net, &net->origins[i]));
	json_object_set_new(root, "data_rules", json_rules(net));
	JSON_LIST(root, "job_classes", net->nclasses, json_class(&net->classes[i]));
	return root;
}
