/*
 * receipt.c — decision receipts as JSON lines (receipt.h).
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
	return kind == SL_RECEIPT_REJECT ? "reject" : kind == SL_RECEIPT_MOVE ? "move" : "place";
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
		if (r->kind == SL_RECEIPT_MOVE)
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
	if (ferror(f))
		return sl_err_set(err, SL_EIO, "decisions", "writing a receipt failed: %s",
		                  strerror(errno ? errno : EIO));
	return 0;
}

void sl_receipt_sink_jsonl(void *ud, const sl_receipt *r)
{
	sl_receipt_sink *s = ud;
	if (s->err.code)
		return;
	if (sl_receipt_write_json(s->f, s->net, r, &s->err) == 0)
		s->written++;
}
