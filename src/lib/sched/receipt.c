/*
 * receipt.c — decision receipts as JSON lines or CSV rows (receipt.h).
 *
 * Hand-written rather than through jansson: a receipt is written per job
 * on the simulator's hot path when --out is given, and a fixed layout with
 * fixed decimals is both faster and reproducible to the byte.
 */
#include "sched/receipt.h"

#include <errno.h>
#include <string.h>

const char *sl_receipt_reason_name(int reason)
{
	return reason == SL_RECEIPT_FULL ? "full" : sl_reject_name(reason);
}

/* A JSON string (ids come from the scenario: escape what JSON needs). */
static void put_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static const char *site_id(const sl_network *net, int site)
{
	return site >= 0 && site < net->nsites ? net->sites[site].id : "";
}

static void put_option(FILE *f, const sl_network *net, const sl_receipt_option *o, int with_score)
{
	fputs("{\"site\":", f);
	put_str(f, site_id(net, o->site));
	fprintf(f, ",\"start\":%lld,\"carbon_g\":%.1f,\"cost_cny\":%.4f", (long long)o->start,
	        o->carbon_g, o->cost_cny);
	if (with_score)
		fprintf(f, ",\"transfer_cny\":%.4f,\"score\":%.5f", o->transfer_cny, o->score);
	fputc('}', f);
}

static void put_lists(FILE *f, const sl_network *net, const sl_receipt *r)
{
	fputs(",\"alternatives\":[", f);
	for (int i = 0; i < r->nalts; i++) {
		if (i)
			fputc(',', f);
		put_option(f, net, &r->alts[i], 1);
	}
	fputs("],\"excluded\":[", f);
	for (int i = 0; i < r->nexcluded; i++) {
		fprintf(f, "%s{\"site\":", i ? "," : "");
		put_str(f, site_id(net, r->excluded[i].site));
		fprintf(f, ",\"reason\":\"%s\"}", sl_receipt_reason_name(r->excluded[i].reason));
	}
	fputc(']', f);
}

static void put_nearest(FILE *f, const sl_network *net, const sl_receipt *r)
{
	if (r->nearest.site < 0) {
		fputs(",\"nearest\":null", f);
		return;
	}
	fputs(",\"nearest\":", f);
	put_option(f, net, &r->nearest, 0);
	fprintf(f, ",\"vs_nearest\":{\"carbon_g\":%.1f,\"cost_cny\":%.4f}",
	        r->chosen.carbon_g - r->nearest.carbon_g, r->chosen.cost_cny - r->nearest.cost_cny);
}

static const char *kind_name(int kind)
{
	return kind == SL_RECEIPT_REJECT ? "reject"
	       : kind == SL_RECEIPT_MOVE ? "move"
	       : kind == SL_RECEIPT_STOP ? "stop"
	                                 : "place";
}

/* 0, or SL_EIO when the stream has failed. */
static int write_done(FILE *f, sl_err *err)
{
	if (ferror(f))
		return sl_err_set(err, SL_EIO, "decisions", "writing a receipt failed: %s",
		                  strerror(errno ? errno : EIO));
	return 0;
}

typedef int (*writer_fn)(FILE *f, const sl_network *net, const sl_receipt *r, sl_err *err);

/* A sink writes until the first failure, which it keeps. */
static void sink_write(void *ud, const sl_receipt *r, writer_fn w)
{
	sl_receipt_sink *s = ud;
	if (s->err.code)
		return;
	if (w(s->f, s->net, r, &s->err) == 0)
		s->written++;
}

int sl_receipt_write_json(FILE *f, const sl_network *net, const sl_receipt *r, sl_err *err)
{
	fprintf(f, "{\"job\":%lld,\"policy\":", (long long)r->job_id);
	put_str(f, r->policy ? r->policy : "");
	fprintf(f, ",\"decided\":%lld,\"decision\":\"%s\"", (long long)r->decided, kind_name(r->kind));
	if (r->kind == SL_RECEIPT_REJECT) {
		fprintf(f, ",\"reason\":\"%s\",\"why\":", sl_reject_name(r->reason));
		put_str(f, r->why ? r->why : "");
		put_lists(f, net, r);
	} else {
		fputs(",\"site\":", f);
		put_str(f, site_id(net, r->chosen.site));
		fprintf(f, ",\"start\":%lld,\"deferred_s\":%lld", (long long)r->chosen.start,
		        (long long)(r->chosen.start - r->arrive));
		if (r->kind == SL_RECEIPT_MOVE || r->kind == SL_RECEIPT_STOP)
			fprintf(f, ",\"moved_from\":%lld", (long long)r->moved_from);
		else
			fprintf(f, ",\"late\":%s", r->late ? "true" : "false");
		fprintf(f, ",\"predicted\":{\"carbon_g\":%.1f,\"cost_cny\":%.4f,\"transfer_cny\":%.4f,"
		           "\"score\":%.5f}",
		        r->chosen.carbon_g, r->chosen.cost_cny, r->chosen.transfer_cny, r->chosen.score);
		if (r->kind == SL_RECEIPT_PLACE) {
			put_lists(f, net, r);
			put_nearest(f, net, r);
		}
	}
	fputs(",\"forecast\":", f);
	put_str(f, r->forecast ? r->forecast : "");
	fputs("}\n", f);
	return write_done(f, err);
}

void sl_receipt_sink_jsonl(void *ud, const sl_receipt *r)
{
	sink_write(ud, r, sl_receipt_write_json);
}

/* ---------- CSV ---------- */

/* A CSV field: quoted (quotes doubled) when it holds a comma, a quote or
 * a line break (RFC 4180). */
static void put_csv(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

int sl_receipt_csv_header(FILE *f, sl_err *err)
{
	fputs("job_id,policy,decided,decision,site,start,deferred_s,late,moved_from,"
	      "carbon_g,cost_cny,transfer_cny,score",
	      f);
	for (int i = 1; i <= SL_RECEIPT_CSV_ALTS; i++)
		fprintf(f, ",alt%d_site,alt%d_start,alt%d_carbon_g,alt%d_cost_cny,alt%d_score", i, i, i, i,
		        i);
	fputs(",excluded,nearest_site,nearest_start,nearest_carbon_g,nearest_cost_cny,"
	      "vs_nearest_carbon_g,vs_nearest_cost_cny,reason,why,forecast\n",
	      f);
	return write_done(f, err);
}

/* site,start,carbon_g,cost_cny[,score], or as many empty fields. */
static void csv_option(FILE *f, const sl_network *net, const sl_receipt_option *o, int score)
{
	if (!o) {
		fputs(score ? ",,,,," : ",,,,", f);
		return;
	}
	fputc(',', f);
	put_csv(f, site_id(net, o->site));
	fprintf(f, ",%lld,%.1f,%.4f", (long long)o->start, o->carbon_g, o->cost_cny);
	if (score)
		fprintf(f, ",%.5f", o->score);
}

int sl_receipt_write_csv(FILE *f, const sl_network *net, const sl_receipt *r, sl_err *err)
{
	int placed = r->kind != SL_RECEIPT_REJECT, place = r->kind == SL_RECEIPT_PLACE;
	fprintf(f, "%lld,", (long long)r->job_id);
	put_csv(f, r->policy ? r->policy : "");
	fprintf(f, ",%lld,%s,", (long long)r->decided, kind_name(r->kind));
	if (placed) {
		put_csv(f, site_id(net, r->chosen.site));
		fprintf(f, ",%lld,%lld,%s,", (long long)r->chosen.start,
		        (long long)(r->chosen.start - r->arrive), place ? (r->late ? "1" : "0") : "");
		if (r->kind == SL_RECEIPT_MOVE || r->kind == SL_RECEIPT_STOP)
			fprintf(f, "%lld", (long long)r->moved_from);
		fprintf(f, ",%.1f,%.4f,%.4f,%.5f", r->chosen.carbon_g, r->chosen.cost_cny,
		        r->chosen.transfer_cny, r->chosen.score);
	} else {
		fputs(",,,,,,,,", f);
	}
	for (int i = 0; i < SL_RECEIPT_CSV_ALTS; i++)
		csv_option(f, net, i < r->nalts ? &r->alts[i] : NULL, 1);
	fputc(',', f);
	for (int i = 0; i < r->nexcluded; i++) {
		if (i)
			fputc(';', f);
		put_csv(f, site_id(net, r->excluded[i].site));
		fprintf(f, ":%s", sl_receipt_reason_name(r->excluded[i].reason));
	}
	int near = place && r->nearest.site >= 0;
	csv_option(f, net, near ? &r->nearest : NULL, 0);
	if (near)
		fprintf(f, ",%.1f,%.4f", r->chosen.carbon_g - r->nearest.carbon_g,
		        r->chosen.cost_cny - r->nearest.cost_cny);
	else
		fputs(",,", f);
	fprintf(f, ",%s,", r->kind == SL_RECEIPT_REJECT ? sl_reject_name(r->reason) : "");
	put_csv(f, r->kind == SL_RECEIPT_REJECT && r->why ? r->why : "");
	fputc(',', f);
	put_csv(f, r->forecast ? r->forecast : "");
	fputc('\n', f);
	return write_done(f, err);
}

void sl_receipt_sink_csv(void *ud, const sl_receipt *r)
{
	sink_write(ud, r, sl_receipt_write_csv);
}
