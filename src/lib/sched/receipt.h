/*
 * receipt.h — a planning policy's decision receipt, and the JSON-lines
 * writer behind decisions.jsonl.
 *
 * A receipt explains one decision about one job: the site and start
 * chosen with their predicted carbon and cost, the best alternatives that
 * were scored, every site that was out and why (a legality stage, no room
 * within the job's slack, or its deadline), and the counterfactual: what
 * the `nearest` policy would have done with the same job, predicted with
 * the same forecast.  A re-plan that moves a planned start and a
 * rejection get receipts too.  Predictions are the policy's (forecast at
 * decision time), not the outcome: jobs.csv has what happened.
 *
 * One line per receipt (docs/policy-suanli.md, "Decision receipts"):
 *   {"job":17,"policy":"suanli","decided":1735689600,"decision":"place",
 *    "site":"YIW","start":1735714800,"deferred_s":25200,"late":false,
 *    "predicted":{"carbon_g":..,"cost_cny":..,"transfer_cny":..,"score":..},
 *    "alternatives":[{"site":..,"start":..,"carbon_g":..,"cost_cny":..,"score":..}],
 *    "excluded":[{"site":"SIN","reason":"residency"}],
 *    "nearest":{"site":"CKG","start":..,"carbon_g":..,"cost_cny":..},
 *    "vs_nearest":{"carbon_g":..,"cost_cny":..},"forecast":"noisy"}
 * Numbers have fixed decimals, so the file is byte-for-byte reproducible.
 */
#ifndef SL_RECEIPT_H
#define SL_RECEIPT_H

#include <stdint.h>
#include <stdio.h>

#include "core/err.h"
#include "model/network.h"
#include "sched/policy.h"

/* A stop: a running job was preempted to make room; chosen is its planned
 * restart, moved_from when it was stopped. */
enum { SL_RECEIPT_PLACE = 0, SL_RECEIPT_REJECT = 1, SL_RECEIPT_MOVE = 2, SL_RECEIPT_STOP = 3 };

/* Reasons a receipt gives for an excluded site: the SL_REJECT_* codes
 * (no_route .. too_big, deadline) and one of its own. */
#define SL_RECEIPT_FULL SL_REJECT_COUNT /* "full": no room at any start within the slack */

/* One scored (site, start). */
typedef struct sl_receipt_option {
	int site;              /* -1: none */
	int64_t start;         /* planned start, UTC */
	double carbon_g;       /* predicted carbon of the job's run */
	double cost_cny;       /* predicted electricity + transfer */
	double transfer_cny;   /* of which data transfer */
	double score;          /* the policy's score, lower is better */
} sl_receipt_option;

typedef struct sl_receipt_excluded {
	int site;
	int reason;            /* SL_REJECT_* or SL_RECEIPT_FULL */
} sl_receipt_excluded;

typedef struct sl_receipt {
	int kind;                        /* SL_RECEIPT_* */
	const char *policy;
	int64_t job_id;
	int64_t decided;                 /* UTC time of the decision */
	int64_t arrive;                  /* when its input reaches the chosen site */
	sl_receipt_option chosen;        /* PLACE; MOVE: the new start */
	int64_t moved_from;              /* MOVE: the previous planned start */
	int late;                        /* PLACE: no start met the deadline; it will end late */
	int nalts;
	const sl_receipt_option *alts;   /* best first */
	int nexcluded;
	const sl_receipt_excluded *excluded;
	sl_receipt_option nearest;       /* the counterfactual (site -1 if none) */
	int reason;                      /* REJECT: SL_REJECT_* */
	const char *why;                 /* REJECT: a sentence */
	const char *forecast;            /* forecast model name */
} sl_receipt;

/* Short name of an excluded site's reason ("residency", "full", ...). */
const char *sl_receipt_reason_name(int reason);

/* Write one receipt as one JSON line.  Returns 0 or SL_EIO (err says). */
int sl_receipt_write_json(FILE *f, const sl_network *net, const sl_receipt *r, sl_err *err);

/* A ready-made receipt sink (an sl_receipt_fn with this as ud): JSON
 * lines to f.  The first write error is kept in err and stops writing. */
typedef struct sl_receipt_sink {
	FILE *f;
	const sl_network *net;
	uint64_t written;
	sl_err err;
} sl_receipt_sink;

void sl_receipt_sink_jsonl(void *ud, const sl_receipt *r);

/* The same receipts as CSV rows, one per decision, for spreadsheets: the
 * first SL_RECEIPT_CSV_ALTS alternatives get columns of their own (more
 * are only in the JSON), excluded sites are one field "SITE:reason;...",
 * times are UTC seconds as in jobs.csv.  Write the header first. */
#define SL_RECEIPT_CSV_ALTS 3
int sl_receipt_csv_header(FILE *f, sl_err *err);
int sl_receipt_write_csv(FILE *f, const sl_network *net, const sl_receipt *r, sl_err *err);
void sl_receipt_sink_csv(void *ud, const sl_receipt *r);

#endif
