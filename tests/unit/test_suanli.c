/*
 * test_suanli.c — the suanli planning policy through the simulator, on
 * hand-built cases whose best (site, start) is known; its receipts and
 * rejections; its parameters; the engine's planned-start moves (through a
 * test double); and, on a generated trace of the built-in scenario, that
 * every job starts at its last planned site, never before its plan or its
 * input, legally.
 *
 * Network: windowfix.h (GRN with a green window at 06:00, ALT, SGP).
 */
#include "testutil.h"

#include <jansson.h>

#include "windowfix.h"
#include "io/scenario.h"
#include "io/trace.h"
#include "sched/policy_suanli_int.h"
#include "sched/receipt.h"
#include "sched/transfer.h"
#include "sim/sim.h"

#define T0 FIX_T0
#define H 3600

static sl_network *net_new(void)
{
	return fix_net_window();
}

/* A GPU job: est = run, deadline relative to submit (0: none). */
static sl_job *job(sl_trace *t, int64_t id, int64_t submit, int gpus, int est_h, int dl_h, int tag)
{
	sl_job *j = fix_job(t, id, submit, 0, 8, gpus, est_h * H, est_h * H);
	j->deadline_s = (int64_t)dl_h * H;
	j->tag = (int16_t)tag;
	return j;
}

/* ---- receipts captured for the asserts ---- */

#define MAXR 64
typedef struct got {
	int kind, site, reason, nalts, nexcl, near_site, late;
	int64_t job, start, moved_from, near_start;
	double score, alt_score[8], near_carbon, carbon;
	int alt_site[8], excl_site[8], excl_reason[8];
} got;

typedef struct seen {
	int n;
	got r[MAXR];
	char *json;   /* every receipt as written to decisions.jsonl */
	size_t json_len;
	FILE *f;
	char *csv;    /* and as rows of decisions.csv (no header) */
	size_t csv_len;
	FILE *fc;
	sl_network *net;
} seen;

static void sink(void *ud, const sl_receipt *rc)
{
	seen *s = ud;
	assert_int_equal(sl_receipt_write_json(s->f, s->net, rc, NULL), 0);
	assert_int_equal(sl_receipt_write_csv(s->fc, s->net, rc, NULL), 0);
	if (s->n == MAXR)
		return;
	got *x = &s->r[s->n++];
	x->kind = rc->kind;
	x->job = rc->job_id;
	x->site = rc->chosen.site;
	x->start = rc->chosen.start;
	x->score = rc->chosen.score;
	x->carbon = rc->chosen.carbon_g;
	x->reason = rc->reason;
	x->moved_from = rc->moved_from;
	x->late = rc->late;
	x->nalts = rc->nalts;
	for (int i = 0; i < rc->nalts && i < 8; i++) {
		x->alt_site[i] = rc->alts[i].site;
		x->alt_score[i] = rc->alts[i].score;
	}
	x->nexcl = rc->nexcluded;
	for (int i = 0; i < rc->nexcluded && i < 8; i++) {
		x->excl_site[i] = rc->excluded[i].site;
		x->excl_reason[i] = rc->excluded[i].reason;
	}
	x->near_site = rc->nearest.site;
	x->near_start = rc->nearest.start;
	x->near_carbon = rc->nearest.carbon_g;
}

static sl_sim *run(sl_network *net, const sl_trace *t, const char *params, seen *s)
{
	sl_sim_opts o = {0};
	o.check = 1;
	o.seed = 3;
	o.policy_params = params;
	sl_sim *sim = NULL;
	sl_err e = {0};
	int rc = sl_sim_new(net, t, "suanli", &o, &sim, &e);
	if (rc)
		fprintf(stderr, "new: %s: %s\n", e.origin, e.msg);
	assert_int_equal(rc, 0);
	if (s) {
		memset(s, 0, sizeof *s);
		s->net = net;
		s->f = open_memstream(&s->json, &s->json_len);
		s->fc = open_memstream(&s->csv, &s->csv_len);
		assert_int_equal(sl_sim_set_receipts(sim, sink, s), 0);
	}
	assert_int_equal(sl_sim_run(sim, &e), 0);
	assert_int_equal(sl_sim_close(sim, 0, &e), 0);
	if (s) {
		fclose(s->f);
		fclose(s->fc);
	}
	return sim;
}

/* The receipts run() wrote, as JSON and as CSV. */
static void seen_free(seen *s)
{
	free(s->json);
	free(s->csv);
}

static int excluded_for(const seen *s, int i, int site)
{
	for (int k = 0; k < s->r[i].nexcl; k++)
		if (s->r[i].excl_site[k] == site)
			return s->r[i].excl_reason[k];
	return -1;
}

/* ---- the cases ---- */

/* A green window 6 h ahead inside the slack: the job waits for it, with
 * the true future (oracle) and with persistence (every day is alike). */
static void test_green_window(void **st)
{
	(void)st;
	const char *params[] = {"oracle=1", "forecast=persistence", "forecast=noisy,error=0.05"};
	for (int i = 0; i < 3; i++) {
		sl_network *net = net_new();
		sl_trace t = {0};
		job(&t, 1, T0 + 60, 4, 2, 24, CN_PI);
		sl_sim *sim = run(net, &t, params[i], NULL);
		const sl_sim_job *r = sl_sim_jobs(sim, NULL);
		assert_int_equal(r[0].site, GRN);
		assert_int_equal(r[0].start, T0 + 6 * H);
		assert_int_equal(r[0].status, SL_JOB_DONE);
		/* two hours at 100 g/kWh: (4 GPUs x 300 W + 8 cores x 1 W) x PUE */
		assert_near(r[0].carbon_g, (4 * 300.0 + 8) * 1.2 * 2 / 1000 * 100, 1e-6);
		sl_sim_free(sim);
		fix_trace_free(&t);
		sl_network_free(net);
	}
}

/* The greenest and cheapest site is illegal for the data tag: the tagged
 * job never goes there (the receipt says why); the untagged one does, at
 * once.  A latency budget of 3 ms leaves only ALT, started at once. */
static void test_illegal_cheaper_site(void **st)
{
	(void)st;
	sl_network *net = net_new();
	sl_trace t = {0};
	job(&t, 1, T0 + 60, 4, 2, 24, CN_PI);
	job(&t, 2, T0 + 120, 4, 2, 24, -1);
	sl_job *j = job(&t, 3, T0 + 180, 1, 1, 0, -1);
	j->latency_budget_ms = 3;
	seen s;
	sl_sim *sim = run(net, &t, "oracle=1", &s);
	const sl_sim_job *r = sl_sim_jobs(sim, NULL);
	assert_int_equal(r[0].site, GRN);
	assert_int_equal(r[1].site, SGP);
	assert_int_equal(r[1].start, T0 + 120); /* no input to wait for */
	assert_int_equal(r[2].site, ALT);
	assert_int_equal(r[2].start, T0 + 180);
	const sl_sim_summary *sum = sl_sim_get_summary(sim);
	assert_int_equal(sum->residency_breaches, 0);
	assert_int_equal(sum->latency_violations, 0);
	assert_int_equal(s.n, 3);
	assert_int_equal(excluded_for(&s, 0, SGP), SL_REJECT_RESIDENCY);
	assert_int_equal(excluded_for(&s, 1, SGP), -1);
	assert_int_equal(excluded_for(&s, 2, GRN), SL_REJECT_LATENCY);
	assert_int_equal(excluded_for(&s, 2, SGP), SL_REJECT_LATENCY);
	seen_free(&s);
	sl_sim_free(sim);
	fix_trace_free(&t);
	sl_network_free(net);
}

/* A full site's reservation blocks a later job: A takes all of GRN's GPUs
 * for the green window (planned at 06:00).  B, with no slack, arrives at
 * 02:00 needing GRN's 8 GPUs for 10 h: that would take A's planned room,
 * so B goes to ALT at once, and A still starts at 06:00.  C (8 GPUs for
 * 3 h, some slack, ALT now taken by B) fits at GRN before A's start: it
 * starts at once and its estimate ends exactly at 06:00. */
static void test_reservation_blocks(void **st)
{
	(void)st;
	sl_network *net = net_new();
	sl_trace t = {0};
	job(&t, 1, T0 + 60, 8, 2, 24, CN_PI);
	job(&t, 2, T0 + 2 * H, 8, 10, 10, CN_PI)->deadline_s += 60;
	job(&t, 3, T0 + 3 * H, 8, 3, 8, CN_PI);
	seen s;
	sl_sim *sim = run(net, &t, "oracle=1", &s);
	const sl_sim_job *r = sl_sim_jobs(sim, NULL);
	assert_int_equal(r[0].site, GRN);
	assert_int_equal(r[0].start, T0 + 6 * H);
	assert_int_equal(r[1].site, ALT);
	assert_int_equal(r[1].start, T0 + 2 * H);
	assert_int_equal(excluded_for(&s, 1, GRN), SL_RECEIPT_FULL);
	assert_int_equal(r[2].site, GRN);
	assert_int_equal(r[2].start, T0 + 3 * H);
	assert_int_equal(r[2].end, T0 + 6 * H);
	assert_int_equal(sl_sim_get_summary(sim)->deadline_violations, 0);
	seen_free(&s);
	sl_sim_free(sim);
	fix_trace_free(&t);
	sl_network_free(net);
}

/* Scarce green capacity is used now.  SGP (50 g/kWh, 0 in hours 3-4) is
 * greener than the network's mean; job 1 (no deadline) holds half its GPUs
 * for 10 h.  Job 2 (4 GPUs, 2 h, a day of slack) arrives at 01:00: with the
 * busy-site rule (the default) it takes SGP's free GPUs at once; without
 * it, it waits two hours for the zero-carbon window. */
static void test_busy_green_site_now(void **st)
{
	(void)st;
	const char *params[] = {"oracle=1", "oracle=1,green_now=0"};
	const int64_t want[] = {T0 + H, T0 + 3 * H};
	for (int i = 0; i < 2; i++) {
		sl_network *net = net_new();
		int zs = net->sites[SGP].zone;
		for (int h = 3; h < 5; h++) {
			net->zones[zs].carbon_avg_g_per_kwh.v[h] = 0;
			net->zones[zs].carbon_marginal_g_per_kwh.v[h] = 0;
		}
		sl_trace t = {0};
		job(&t, 1, T0 + 60, 4, 10, 0, -1);
		job(&t, 2, T0 + H, 4, 2, 24, -1);
		sl_sim *sim = run(net, &t, params[i], NULL);
		const sl_sim_job *r = sl_sim_jobs(sim, NULL);
		assert_int_equal(r[0].site, SGP);
		assert_int_equal(r[1].site, SGP);
		assert_int_equal(r[1].start, want[i]);
		sl_sim_free(sim);
		fix_trace_free(&t);
		sl_network_free(net);
	}
}

/* A job deferred at a dirtier site moves when room opens at a greener one.
 * Job 1 takes all of SGP's GPUs with a 10 h time limit but ends after 2 h.
 * Job 2 (8 GPUs, 2 h, latest start 06:00) arrives at 00:30: SGP looks full
 * until 10:00, so it is planned at GRN's 06:00 window.  At 03:00, with
 * SGP free, the re-plan sends it to SGP (pull=2: every step); with pull=0
 * it stays at GRN. */
static void test_pull_to_green_site(void **st)
{
	(void)st;
	const char *params[] = {"oracle=1,pull=2", "oracle=1,pull=0"};
	for (int i = 0; i < 2; i++) {
		sl_network *net = net_new();
		sl_trace t = {0};
		fix_job(&t, 1, T0 + 60, 0, 8, 8, 10 * H, 2 * H)->tag = -1;
		job(&t, 2, T0 + H / 2, 8, 2, 8, -1);
		seen s;
		sl_sim *sim = run(net, &t, params[i], &s);
		const sl_sim_job *r = sl_sim_jobs(sim, NULL);
		assert_int_equal(r[0].site, SGP);
		assert_int_equal(s.r[1].site, GRN);
		assert_int_equal(s.r[1].start, T0 + 6 * H);
		if (i == 0) {
			assert_int_equal(r[1].site, SGP);
			assert_int_equal(r[1].start, T0 + 3 * H);
			assert_int_equal(s.r[2].kind, SL_RECEIPT_MOVE);
			assert_int_equal(s.r[2].site, SGP);
		} else {
			assert_int_equal(r[1].site, GRN);
			assert_int_equal(r[1].start, T0 + 6 * H);
		}
		assert_int_equal(sl_sim_get_summary(sim)->deadline_violations, 0);
		seen_free(&s);
		sl_sim_free(sim);
		fix_trace_free(&t);
		sl_network_free(net);
	}
}

/* Split one CSV line in place (RFC 4180 quotes undone) into f[]; the
 * number of fields. */
static int csv_split(char *line, char **f)
{
	int n = 0;
	char *w = line, *p = line;
	for (;;) {
		f[n++] = w;
		if (*p == '"') {
			for (p++; *p && !(*p == '"' && p[1] != '"'); p++) {
				if (*p == '"')
					p++;
				*w++ = *p;
			}
			if (*p == '"')
				p++;
		} else {
			while (*p && *p != ',')
				*w++ = *p++;
		}
		if (*p != ',') {
			*w = '\0';
			return n;
		}
		*w++ = '\0';
		w = ++p;
	}
}

/* A CSV receipt quotes what needs it: a reason sentence with a comma and
 * a quote comes back whole; a move has its earlier start and no late flag. */
static void test_receipt_csv_quoting(void **st)
{
	(void)st;
	sl_network *net = net_new();
	sl_receipt_excluded ex[2] = {{0, SL_RECEIPT_FULL}, {1, SL_REJECT_LATENCY}};
	sl_receipt r = {0};
	r.kind = SL_RECEIPT_REJECT;
	r.policy = "suanli";
	r.job_id = 42;
	r.decided = T0;
	r.reason = SL_REJECT_DEADLINE;
	r.why = "the earliest end, at \"ALT\", is 2.0 h late";
	r.excluded = ex;
	r.nexcluded = 2;
	r.nearest.site = -1;
	r.forecast = "noisy";
	char *buf = NULL, *f[64];
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	assert_int_equal(sl_receipt_write_csv(m, net, &r, NULL), 0);
	r.kind = SL_RECEIPT_MOVE;
	r.chosen = (sl_receipt_option){1, T0 + 2 * H, 10.5, 2.25, 0.5, 0.75};
	r.arrive = T0 + H;
	r.moved_from = T0 + 5 * H;
	r.nexcluded = 0;
	assert_int_equal(sl_receipt_write_csv(m, net, &r, NULL), 0);
	fclose(m);
	char *save = NULL, *a = strtok_r(buf, "\n", &save), *b = strtok_r(NULL, "\n", &save);
	assert_non_null(strstr(a, ",\"the earliest end, at \"\"ALT\"\", is 2.0 h late\","));
	assert_int_equal(csv_split(a, f), 38);
	assert_string_equal(f[3], "reject");
	assert_string_equal(f[35], "deadline");
	assert_string_equal(f[36], "the earliest end, at \"ALT\", is 2.0 h late");
	assert_string_equal(f[28], "GRN:full;ALT:latency");
	assert_string_equal(f[37], "noisy");
	assert_int_equal(csv_split(b, f), 38);
	assert_string_equal(f[3], "move");
	assert_string_equal(f[4], "ALT");
	assert_int_equal(atoll(f[6]), H);                 /* deferred from arrival */
	assert_string_equal(f[7], "");                     /* late: place rows only */
	assert_int_equal(atoll(f[8]), T0 + 5 * H);         /* moved_from */
	assert_string_equal(f[9], "10.5");
	assert_string_equal(f[29], "");                    /* no counterfactual */
	free(buf);
	sl_network_free(net);
}

/* Receipts: the chosen site and start with predictions, alternatives best
 * first, excluded sites with reasons, the nearest counterfactual; valid
 * JSON lines. */
static void test_receipts(void **st)
{
	(void)st;
	sl_network *net = net_new();
	sl_trace t = {0};
	job(&t, 1, T0 + 60, 4, 2, 24, CN_PI);
	job(&t, 2, T0 + 120, 1, 1, 0, SEALED);
	seen s;
	sl_sim *sim = run(net, &t, "oracle=1,alts=2", &s);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.r[0].kind, SL_RECEIPT_PLACE);
	assert_int_equal(s.r[0].site, GRN);
	assert_int_equal(s.r[0].start, T0 + 6 * H);
	assert_int_equal(s.r[0].nalts, 1); /* ALT; SGP is out */
	assert_int_equal(s.r[0].alt_site[0], ALT);
	assert_true(s.r[0].alt_score[0] > s.r[0].score);
	assert_int_equal(s.r[0].near_site, ALT); /* lowest RTT with room */
	assert_int_equal(s.r[0].near_start, T0 + 60);
	assert_true(s.r[0].carbon < s.r[0].near_carbon / 4);
	assert_int_equal(s.r[1].kind, SL_RECEIPT_REJECT);
	assert_int_equal(s.r[1].reason, SL_REJECT_RESIDENCY);
	assert_int_equal(s.r[1].nexcl, 3);
	/* the JSON lines */
	char *line = s.json, *save = NULL;
	json_error_t je;
	json_t *a = json_loads(strtok_r(line, "\n", &save), 0, &je);
	json_t *b = json_loads(strtok_r(NULL, "\n", &save), 0, &je);
	assert_non_null(a);
	assert_non_null(b);
	assert_string_equal(json_string_value(json_object_get(a, "decision")), "place");
	assert_string_equal(json_string_value(json_object_get(a, "site")), "GRN");
	assert_int_equal(json_integer_value(json_object_get(a, "deferred_s")), 6 * H - 60);
	json_t *ex = json_array_get(json_object_get(a, "excluded"), 0);
	assert_string_equal(json_string_value(json_object_get(ex, "site")), "SGP");
	assert_string_equal(json_string_value(json_object_get(ex, "reason")), "residency");
	assert_string_equal(json_string_value(json_object_get(json_object_get(a, "nearest"), "site")),
	                    "ALT");
	assert_true(json_real_value(json_object_get(json_object_get(a, "vs_nearest"), "carbon_g")) < 0);
	assert_string_equal(json_string_value(json_object_get(a, "forecast")), "perfect");
	assert_string_equal(json_string_value(json_object_get(b, "decision")), "reject");
	assert_string_equal(json_string_value(json_object_get(b, "reason")), "residency");
	json_decref(a);
	json_decref(b);
	/* the same two as CSV rows, in the header's columns */
	char *hdr = NULL, *f[2][64];
	size_t hlen = 0;
	FILE *hf = open_memstream(&hdr, &hlen);
	assert_int_equal(sl_receipt_csv_header(hf, NULL), 0);
	fclose(hf);
	int nh = csv_split(hdr, f[0]);
	assert_int_equal(nh, 38);
	assert_string_equal(f[0][28], "excluded");
	save = NULL;
	char *r0 = strtok_r(s.csv, "\n", &save), *r1 = strtok_r(NULL, "\n", &save);
	assert_non_null(r1);
	assert_null(strtok_r(NULL, "\n", &save));
	assert_int_equal(csv_split(r0, f[0]), nh);
	assert_int_equal(csv_split(r1, f[1]), nh);
	assert_string_equal(f[0][3], "place");
	assert_string_equal(f[0][4], "GRN");
	assert_int_equal(atoll(f[0][6]), 6 * H - 60); /* deferred_s */
	assert_string_equal(f[0][7], "0");             /* not late */
	assert_string_equal(f[0][13], "ALT");          /* the one alternative */
	assert_string_equal(f[0][18], "");             /* no second one */
	assert_string_equal(f[0][28], "SGP:residency");
	assert_string_equal(f[0][29], "ALT");          /* nearest */
	assert_true(atof(f[0][33]) < 0);               /* vs_nearest carbon */
	assert_string_equal(f[0][37], "perfect");
	assert_string_equal(f[1][3], "reject");
	assert_string_equal(f[1][4], "");
	assert_string_equal(f[1][35], "residency");
	free(hdr);
	seen_free(&s);
	sl_sim_free(sim);
	fix_trace_free(&t);
	sl_network_free(net);
}

/* Rejections: too big everywhere; and, with late=reject, a deadline no
 * start can meet (both CN sites are taken for 20 h by jobs without slack,
 * and nothing may be stopped).  With late=run the same job is placed,
 * planned late, and said so.  With preemption (the default) it starts on
 * arrival instead: one of the 20 h jobs is stopped (its receipt says so)
 * and restarts after the 2 h job's hold with a 10-minute restart. */
static void test_rejections(void **st)
{
	(void)st;
	const char *params[] = {"oracle=1,late_jobs=reject,preempt=0", "oracle=1,late_jobs=run,preempt=0",
	                        "oracle=1"};
	for (int mode = 0; mode < 3; mode++) {
		sl_network *net = net_new();
		sl_trace t = {0};
		job(&t, 1, T0, 8, 20, 20, CN_PI)->deadline_s += 60;
		job(&t, 2, T0 + 1, 8, 20, 20, CN_PI)->deadline_s += 60;
		job(&t, 3, T0 + H, 8, 2, 2, CN_PI)->deadline_s += 60;
		job(&t, 4, T0 + H + 1, 16, 1, 0, -1);
		seen s;
		sl_sim *sim = run(net, &t, params[mode], &s);
		const sl_sim_job *r = sl_sim_jobs(sim, NULL);
		assert_int_equal(r[3].status, SL_JOB_REJECTED);
		assert_int_equal(r[3].reason, SL_REJECT_TOO_BIG);
		if (mode == 0) {
			assert_int_equal(r[2].status, SL_JOB_REJECTED);
			assert_int_equal(r[2].reason, SL_REJECT_DEADLINE);
			assert_int_equal(s.r[2].kind, SL_RECEIPT_REJECT);
			assert_non_null(strstr(s.json, "no legal site can finish it by its deadline"));
		} else if (mode == 1) {
			assert_int_not_equal(r[2].status, SL_JOB_REJECTED);
			assert_true(r[2].start >= T0 + 20 * H);
			assert_int_equal(s.r[2].late, 1);
			assert_int_equal(r[0].stops + r[1].stops, 0);
		} else {
			assert_int_equal(r[2].start, T0 + H + r[2].transfer_s);
			assert_int_equal(r[2].status, SL_JOB_DONE);
			assert_int_equal(r[0].stops + r[1].stops, 1);
			const sl_sim_job *v = r[0].stops ? &r[0] : &r[1];
			assert_int_equal(v->end - v->start, 20 * H + 2 * H + 600); /* paused, restarted */
			int stops = 0;
			for (int i = 0; i < s.n; i++)
				stops += s.r[i].kind == SL_RECEIPT_STOP;
			assert_int_equal(stops, 1);
			assert_non_null(strstr(s.json, "\"decision\":\"stop\""));
		}
		seen_free(&s);
		sl_sim_free(sim);
		fix_trace_free(&t);
		sl_network_free(net);
	}
}

/* Making room by expected misses.  A fills GRN for 20 h, B fills ALT to
 * 04:01; C (1 h, no slack) arrives at 00:30 and can only be planned at ALT
 * at 05:00, hours late whatever it runs.  D (1 h, no slack) arrives at
 * 04:02, when ALT is free: starting at once needs ALT's 05:00 step, C's.
 * bump=safe moves only jobs that keep their slack, so C stays and D is
 * planned after it, late too: two misses.  bump=expected moves C (it
 * misses either way) and D starts on arrival: one miss. */
static void test_bump_expected(void **st)
{
	(void)st;
	for (int mode = 0; mode < 2; mode++) {
		sl_network *net = net_new();
		sl_trace t = {0};
		job(&t, 1, T0, 8, 20, 20, CN_PI)->deadline_s += 60;
		job(&t, 2, T0 + 60, 8, 4, 4, CN_PI)->deadline_s += 60;
		job(&t, 3, T0 + H / 2, 8, 1, 1, CN_PI)->deadline_s += 60;
		job(&t, 4, T0 + 4 * H + 120, 8, 1, 1, CN_PI)->deadline_s += 60;
		seen s;
		sl_sim *sim = run(net, &t, mode ? "oracle=1,bump=expected,preempt=0" : "oracle=1,bump=safe", &s);
		const sl_sim_job *r = sl_sim_jobs(sim, NULL);
		assert_int_equal(r[0].site, GRN); /* its run covers GRN's green window */
		assert_int_equal(r[1].site, ALT);
		assert_int_equal(r[2].site, ALT);
		assert_int_equal(r[3].site, ALT);
		if (mode == 0) {
			assert_int_equal(r[2].start, T0 + 5 * H);
			assert_true(r[3].start >= T0 + 6 * H);
			assert_int_equal(sl_sim_get_summary(sim)->deadline_violations, 2);
		} else {
			assert_int_equal(r[3].start, T0 + 4 * H + 120);
			assert_true(r[2].start >= r[3].end);
			assert_int_equal(sl_sim_get_summary(sim)->deadline_violations, 1);
			int moved = 0; /* C's receipt says it was moved */
			for (int i = 0; i < s.n; i++)
				moved += s.r[i].kind == SL_RECEIPT_MOVE && s.r[i].job == 3;
			assert_true(moved >= 1);
		}
		seen_free(&s);
		sl_sim_free(sim);
		fix_trace_free(&t);
		sl_network_free(net);
	}
}

/* A late job moves to another site only when that lowers its chance of
 * missing by the making-room gain (0.05): its input, sent again, is paid
 * for.  Y and Z (CN data, 20 h) fill GRN and ALT; Z ends after an hour,
 * long before its hold.  X (4 h, any site) runs at SGP.  C (10 h, any
 * site, 1 TB of input) arrives at 00:10 with no room anywhere within its
 * slack and is planned at SGP at 05:00, after X: late.  From 02:00 Z's
 * site has room within C's slack.  With 2.5 h of slack C is planned
 * 2 h 20 min late (a chance of missing of 0.23 under the prior, uniform
 * before jobs of its class have ended): it moves there, starts at once,
 * keeps its deadline and pays for the input it had sent to SGP as well.  With 4.5 h it is
 * planned 20 minutes late (0.03): it stays, and misses its deadline by
 * those 20 minutes. */
static void test_late_move_by_gain(void **st)
{
	(void)st;
	const int slack_min[2] = {150, 270};
	for (int mode = 0; mode < 2; mode++) {
		sl_network *net = net_new();
		sl_trace t = {0};
		job(&t, 1, T0, 8, 20, 20, CN_PI)->deadline_s += 60;
		sl_job *z = job(&t, 2, T0 + 1, 8, 20, 20, CN_PI);
		z->deadline_s += 60;
		z->run_s = H;
		job(&t, 3, T0 + 2, 8, 4, 0, -1);
		sl_job *c = job(&t, 4, T0 + H / 6, 8, 10, 10, -1);
		c->deadline_s += slack_min[mode] * 60;
		c->input_bytes = 1000000000000LL; /* 1 TB: 80 s, 100 CNY on any route */
		seen s;
		sl_sim *sim = run(net, &t, "oracle=1,preempt=0", &s);
		const sl_sim_job *r = sl_sim_jobs(sim, NULL);
		assert_int_equal(r[2].site, SGP);
		assert_int_not_equal(r[1].site, SGP);
		int moves = 0;
		for (int i = 0; i < s.n; i++) {
			if (s.r[i].job != 4)
				continue;
			if (s.r[i].kind == SL_RECEIPT_PLACE) {
				assert_int_equal(s.r[i].site, SGP);
				assert_int_equal(s.r[i].start, T0 + 5 * H);
				assert_int_equal(s.r[i].late, 1);
			}
			moves += s.r[i].kind == SL_RECEIPT_MOVE;
		}
		if (mode == 0) {
			assert_int_equal(moves, 1);
			assert_int_equal(r[3].site, r[1].site); /* where Z ended */
			assert_int_equal(r[3].start, T0 + 2 * H + r[3].transfer_s);
			assert_true(fabs(r[3].resent_cny - 100) < 1e-3);
			assert_int_equal(sl_sim_get_summary(sim)->deadline_violations, 0);
		} else {
			assert_int_equal(moves, 0);
			assert_int_equal(r[3].site, SGP);
			assert_int_equal(r[3].start, T0 + 5 * H);
			assert_true(r[3].resent_cny == 0);
			assert_int_equal(sl_sim_get_summary(sim)->deadline_violations, 1);
		}
		seen_free(&s);
		sl_sim_free(sim);
		fix_trace_free(&t);
		sl_network_free(net);
	}
}

/* The chance of missing reads the runtime ratios of the job's range of
 * estimates (by_est=1) once enough have ended there, else its class's.
 * 100 jobs asked for 2 h and used 90-100 % of it; 100 asked for 100 h and
 * used 10-20 %.  A job started past its latest start by a tenth of its
 * estimate misses when it uses more than 90 %: by its range, almost
 * surely for a 2 h job and never for a 100 h one; by the class, about half
 * the time for either.  Too few jobs of a range: the class's. */
static void test_miss_by_estimate(void **st)
{
	(void)st;
	sl_network *net = net_new();
	for (int by = 0; by < 2; by++) {
		void *state = NULL;
		sl_policy_opts o = {0};
		o.params = by ? "by_est=1" : "by_est=0";
		assert_int_equal(sl_policy_suanli.init(&state, net, &o, NULL), 0);
		sq_state *q = state;
		for (int i = 0; i < 100; i++) {
			sq__learn(q, -1, (int64_t)(2 * H * (0.905 + 0.0009 * i)), 2 * H);
			sq__learn(q, -1, (int64_t)(100 * H * (0.105 + 0.0009 * i)), 100 * H);
		}
		/* Each latest start is T0: the deadline is T0 + the estimate. */
		double p_short = sq__miss_p(q, -1, 2 * H, T0 + 12 * 60, T0 + 2 * H);
		double p_long = sq__miss_p(q, -1, 100 * H, T0 + 10 * H, T0 + 100 * H);
		double p_mid = sq__miss_p(q, -1, 10 * H, T0 + H, T0 + 10 * H); /* no 10 h jobs ended */
		if (by) {
			assert_true(p_short > 0.95);
			assert_true(p_long < 0.01);
		} else {
			assert_true(fabs(p_short - 0.5) < 0.05);
			assert_true(fabs(p_long - 0.5) < 0.05);
		}
		assert_true(fabs(p_mid - 0.5) < 0.05);
		assert_true(sq__miss_p(q, -1, 100 * H, T0, T0 + 100 * H) == 0); /* on time */
		sl_policy_suanli.free(state);
	}
	sl_network_free(net);
}

/* Planning past deadline - estimate (miss_eps).  Jobs that asked for 8 h
 * used 1.5 h (100 of them, on the first day).  The next one, due 12 h
 * after it is submitted at 00:01 on day two, has until 04:01 by its
 * estimate, before GRN's green window at 06:00, but until 10:31 by what
 * its range of estimates uses (the next ratio is above the 100 seen with
 * a chance of 1 / 101, within 0.01): it runs in the window and ends in
 * time.  With miss_eps=0, or 98 jobs seen (1 / 99 > 0.01), it starts by
 * 04:01. */
static void test_plan_by_likely_runtime(void **st)
{
	(void)st;
	struct {
		const char *params;
		int seen, window;
	} c[] = {{"miss_eps=0.01", 100, 1}, {"miss_eps=0", 100, 0}, {"miss_eps=0.01", 98, 0}};
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		sl_network *net = net_new();
		sl_trace t = {0};
		for (int k = 0; k < c[i].seen; k++)
			fix_job(&t, k + 1, T0 + k * 600, 0, 8, 1, 8 * H, 3 * H / 2);
		sl_job *j = job(&t, 1000, T0 + 24 * H + 60, 4, 8, 12, CN_PI);
		j->run_s = 3 * H / 2;
		sl_sim *sim = run(net, &t, c[i].params, NULL);
		size_t n;
		const sl_sim_job *r = sl_sim_jobs(sim, &n);
		const sl_sim_job *x = &r[n - 1];
		assert_int_equal(x->status, SL_JOB_DONE);
		if (c[i].window) {
			assert_int_equal(x->site, GRN);
			assert_int_equal(x->start, T0 + 30 * H);
		} else {
			assert_true(x->start <= T0 + 28 * H + 60);
		}
		assert_int_equal(sl_sim_get_summary(sim)->deadline_violations, 0);
		sl_sim_free(sim);
		fix_trace_free(&t);
		sl_network_free(net);
	}
}

/* Re-planning: with very noisy forecasts the first plan is often not the
 * green window; as the forecasts converge the job moves (moves keep the
 * site: here GRN is the only one its tag allows).  Whatever the noise, it
 * never moves past its latest start, and it starts exactly at its last
 * plan. */
static void test_replan_moves_within_deadline(void **st)
{
	(void)st;
	int moved = 0, in_window = 0;
	for (uint64_t seed = 1; seed <= 30; seed++) {
		sl_network *net = net_new();
		net->sites[ALT].jurisdiction = net->sites[SGP].jurisdiction;
		sl_trace t = {0};
		job(&t, 1, T0 + 60, 4, 1, 30, CN_PI);
		char params[96];
		snprintf(params, sizeof params, "forecast=noisy,error=1.2,forecast_seed=%llu,issue=1h",
		         (unsigned long long)seed);
		seen s;
		sl_sim *sim = run(net, &t, params, &s);
		const sl_sim_job *r = sl_sim_jobs(sim, NULL);
		int64_t last = s.r[0].start;
		for (int i = 1; i < s.n; i++) {
			assert_int_equal(s.r[i].kind, SL_RECEIPT_MOVE);
			assert_int_equal(s.r[i].moved_from, last);
			last = s.r[i].start;
			moved++;
		}
		assert_int_equal(r[0].start, last);
		assert_true(r[0].start <= T0 + 60 + 29 * H);
		assert_true(r[0].end <= T0 + 60 + 30 * H);
		assert_int_equal(r[0].site, GRN);
		in_window += (r[0].start - T0) % (24 * H) >= 6 * H && (r[0].start - T0) % (24 * H) < 8 * H;
		seen_free(&s);
		sl_sim_free(sim);
		fix_trace_free(&t);
		sl_network_free(net);
	}
	assert_true(moved >= 5);
	/* Half of them end in a green window; the others were lured away by
	 * forecasts a day out that looked far better than the window (the
	 * noise is large), and the window had passed when they converged. */
	assert_true(in_window >= 10);
}

static void test_params(void **st)
{
	(void)st;
	sl_network *net = net_new();
	sl_trace t = {0};
	job(&t, 1, T0, 1, 1, 0, -1);
	const char *bad[] = {"forecast=perfect", "oracle=1,forecast=noisy", "carbon=-1", "nonsense=1",
	                     "max_slack=soon", "objective=speed", "carbon=0,cost=0", "late_jobs=maybe",
	                     "noequals"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		sl_sim_opts o = {0};
		o.policy_params = bad[i];
		sl_sim *sim = NULL;
		sl_err e = {0};
		assert_int_equal(sl_sim_new(net, &t, "suanli", &o, &sim, &e), SL_EINVAL);
		assert_null(sim);
		assert_non_null(strstr(e.origin, "suanli"));
	}
	sl_sim *sim = run(net, &t, "objective=cost,wait=0.01,max_slack=48h,replan=2h", NULL);
	assert_non_null(strstr(sl_sim_get_summary(sim)->params, "objective cost"));
	assert_non_null(strstr(sl_sim_get_summary(sim)->params, "max slack 48 h"));
	sl_sim_free(sim);
	sim = run(net, &t, NULL, NULL);
	assert_non_null(strstr(sl_sim_get_summary(sim)->params, "forecast noisy"));
	sl_sim_free(sim);
	fix_trace_free(&t);
	sl_network_free(net);
}

/* ---- the engine's planned-start moves, through a test double ---- */

typedef struct dbl {
	const sl_plan_ctl *ctl;
	int32_t handle;
	int starts, ends, ticks;
	int64_t started;
	int rc[8];
} dbl;

static dbl the_dbl;

static int dbl_init(void **state, const sl_network *net, const sl_policy_opts *o, sl_err *e)
{
	memset(&the_dbl, 0, sizeof the_dbl);
	*state = &the_dbl;
	return 0;
}

static int dbl_place(void *state, const sl_job *job, const sl_view *v, sl_decision *out)
{
	dbl *d = state;
	out->site = ALT;
	out->not_before = v->now + 5 * H;
	d->handle = out->handle;
	out->ticket = 77;
	return 0;
}

static void dbl_event(void *state, const sl_job_event *ev)
{
	dbl *d = state;
	assert_int_equal(ev->ticket, 77);
	assert_int_equal(ev->handle, d->handle);
	if (ev->kind == SL_JOBEV_START) {
		d->starts++;
		d->started = ev->t;
	} else {
		d->ends++;
	}
}

static void dbl_replan(void *state, const sl_view *v, const sl_plan_ctl *ctl)
{
	dbl *d = state;
	assert_ptr_equal(ctl, d->ctl);
	if (v->now == T0 + H) {
		d->rc[0] = ctl->move(ctl->ud, d->handle, T0 + 3 * H);
		d->rc[1] = ctl->move(ctl->ud, d->handle, T0 + 5 * H); /* back: a duplicate event */
		d->rc[2] = ctl->move(ctl->ud, d->handle, T0 + 3 * H);
		d->rc[3] = ctl->move(ctl->ud, d->handle, T0);         /* the past */
		d->rc[4] = ctl->move(ctl->ud, 12345, T0 + 4 * H);     /* no such job */
	} else if (v->now == T0 + 4 * H) {
		d->rc[5] = ctl->move(ctl->ud, d->handle, T0 + 6 * H); /* it runs */
	}
}

static void dbl_bind(void *state, const sl_plan_ctl *ctl)
{
	((dbl *)state)->ctl = ctl;
}

static const sl_policy_plan_ops dbl_plan = {
	.job_event = dbl_event, .replan = dbl_replan, .bind = dbl_bind,
};
static const sl_policy_ops dbl_ops = {"test-double", "test", dbl_init, dbl_place, NULL, NULL,
                                      &dbl_plan};

static void test_engine_moves(void **st)
{
	(void)st;
	sl_network *net = net_new();
	sl_trace t = {0};
	job(&t, 1, T0, 1, 2, 0, -1);
	job(&t, 2, T0 + 10 * H, 1, 1, 0, -1); /* keeps the run going past the moves */
	sl_sim_opts o = {0};
	sl_sim *sim = NULL;
	assert_int_equal(sl_sim_new_ops(net, &t, &dbl_ops, &o, &sim, NULL), 0);
	assert_int_equal(sl_sim_set_receipts(sim, sink, NULL), SL_EUNSUPPORTED);
	assert_int_equal(sl_sim_run(sim, NULL), 0);
	const sl_sim_job *r = sl_sim_jobs(sim, NULL);
	assert_int_equal(r[0].start, T0 + 3 * H);
	assert_int_equal(the_dbl.rc[0], 0);
	assert_int_equal(the_dbl.rc[1], 0);
	assert_int_equal(the_dbl.rc[2], 0);
	assert_int_equal(the_dbl.rc[3], SL_EINVAL);
	assert_int_equal(the_dbl.rc[4], SL_EINVAL);
	assert_int_equal(the_dbl.rc[5], SL_ESTATE);
	assert_int_equal(the_dbl.starts, 2); /* each job once */
	assert_int_equal(the_dbl.ends, 2);
	sl_sim_free(sim);
	fix_trace_free(&t);
	sl_network_free(net);
}

/* The same double, moving its job to another site (retarget). */
static void dbl_replan_rt(void *state, const sl_view *v, const sl_plan_ctl *ctl)
{
	dbl *d = state;
	if (v->now == T0 + H) {
		d->rc[0] = ctl->retarget(ctl->ud, d->handle, SGP, T0 + H);     /* CN_PI: illegal */
		d->rc[1] = ctl->retarget(ctl->ud, 12345, GRN, T0 + H);         /* no such job */
		d->rc[2] = ctl->retarget(ctl->ud, d->handle, GRN, T0);         /* the past */
		d->rc[3] = ctl->retarget(ctl->ud, d->handle, GRN, T0 + H);     /* input sent again */
	} else if (v->now == T0 + 4 * H) {
		d->rc[4] = ctl->retarget(ctl->ud, d->handle, ALT, T0 + 5 * H); /* it runs */
	}
}

static const sl_policy_plan_ops dbl_rt_plan = {
	.job_event = dbl_event, .replan = dbl_replan_rt, .bind = dbl_bind,
};
static const sl_policy_ops dbl_rt_ops = {"test-double", "test", dbl_init, dbl_place, NULL, NULL,
                                         &dbl_rt_plan};

/* A planned job moved to another site before it starts: it runs there,
 * once its input, sent again at the move, has arrived; an illegal site,
 * an unknown job, a time in the past and a running job are refused. */
static void test_engine_retarget(void **st)
{
	(void)st;
	sl_network *net = net_new();
	sl_trace t = {0};
	job(&t, 1, T0, 1, 3, 0, CN_PI)->input_bytes = 45000000000000LL; /* 1 h at 100 Gbit/s */
	job(&t, 2, T0 + 10 * H, 1, 1, 0, -1);
	sl_sim_opts o = {0};
	o.check = 1;
	sl_sim *sim = NULL;
	assert_int_equal(sl_sim_new_ops(net, &t, &dbl_rt_ops, &o, &sim, NULL), 0);
	assert_int_equal(sl_sim_run(sim, NULL), 0);
	const sl_sim_job *r = sl_sim_jobs(sim, NULL);
	assert_int_equal(the_dbl.rc[0], SL_EINVAL);
	assert_int_equal(the_dbl.rc[1], SL_EINVAL);
	assert_int_equal(the_dbl.rc[2], SL_EINVAL);
	assert_int_equal(the_dbl.rc[3], 0);
	assert_int_equal(the_dbl.rc[4], SL_ESTATE);
	assert_int_equal(r[0].site, GRN);
	const sl_route *grn = sl_network_route(net, 0, GRN);
	assert_int_equal(r[0].transfer_s, sl_transfer_s(grn, t.jobs[0].input_bytes));
	assert_true(r[0].transfer_s >= H);
	assert_int_equal(r[0].start, T0 + H + r[0].transfer_s); /* not the first arrival, T0 + 1 h */
	assert_int_equal(the_dbl.starts, 2);
	assert_int_equal(the_dbl.ends, 2);
	sl_sim_free(sim);
	fix_trace_free(&t);
	sl_network_free(net);
}

/* What was sent to the site a job leaves is paid for: the share of that
 * route's transfer time that had passed at the move.  Job 1 goes to ALT
 * at 00:00 and to GRN at 01:00 (routes of 100 Gbit/s at 0.1 CNY/GB): with
 * 22.5 TB (half an hour) all of it had arrived, 2,250 CNY; with 90 TB
 * (two hours) half had been sent, 4,500 CNY of 9,000.  The run's transfer
 * total and network energy carry it too. */
static void test_engine_retarget_pays(void **st)
{
	(void)st;
	const double tb[2] = {22.5, 90}, paid[2] = {2250, 4500};
	double net_kwh[2], sent[2];
	for (int i = 0; i < 2; i++) {
		sl_network *net = net_new();
		sl_trace t = {0};
		job(&t, 1, T0, 1, 3, 0, CN_PI)->input_bytes = (int64_t)(tb[i] * 1e12);
		job(&t, 2, T0 + 10 * H, 1, 1, 0, -1);
		sl_sim_opts o = {0};
		o.check = 1;
		sl_sim *sim = NULL;
		assert_int_equal(sl_sim_new_ops(net, &t, &dbl_rt_ops, &o, &sim, NULL), 0);
		assert_int_equal(sl_sim_run(sim, NULL), 0);
		assert_int_equal(sl_sim_close(sim, 0, NULL), 0);
		const sl_sim_job *r = sl_sim_jobs(sim, NULL);
		assert_int_equal(the_dbl.rc[3], 0);
		assert_int_equal(the_dbl.rc[4], SL_ESTATE); /* it runs at GRN by 04:00 */
		assert_int_equal(r[0].site, GRN);
		const sl_route *alt = sl_network_route(net, 0, ALT);
		int64_t ts = sl_transfer_s(alt, t.jobs[0].input_bytes); /* includes the route's delay */
		double f = ts <= H ? 1.0 : (double)H / (double)ts;
		sent[i] = f;
		assert_true(fabs(f * sl_transfer_cny(alt, t.jobs[0].input_bytes) - paid[i]) < 1.0);
		assert_true(fabs(r[0].resent_cny - f * sl_transfer_cny(alt, t.jobs[0].input_bytes)) < 1e-2);
		assert_true(r[1].resent_cny == 0);
		const sl_route *grn = sl_network_route(net, 0, GRN);
		const sl_sim_summary *sum = sl_sim_get_summary(sim);
		assert_true(fabs(sum->transfer_cny - (sl_transfer_job_cny(grn, &t.jobs[0]) + r[0].resent_cny +
		                                      sl_transfer_job_cny(sl_network_route(net, 0, ALT),
		                                                          &t.jobs[1]))) < 1e-3);
		net_kwh[i] = sum->net_kwh;
		sl_sim_free(sim);
		fix_trace_free(&t);
		sl_network_free(net);
	}
	/* network energy: the job's input once to GRN, plus what went to ALT
	 * (job 2 moves no data) */
	assert_true(fabs(net_kwh[1] / net_kwh[0] -
	                 tb[1] * (1 + sent[1]) / (tb[0] * (1 + sent[0]))) < 1e-9);
}

/* A policy that reads the simulator's signals both ways: every kind at
 * every site, 130 steps from 10 steps before the series begins, so the
 * run also wraps past its end (96 steps), as the engine's reads do. */
static int sig_mismatches, sig_checked;

static int sig_place(void *state, const sl_job *job, const sl_view *v, sl_decision *out)
{
	double buf[130];
	int64_t k0 = (v->now - v->net->t0) / v->net->step_s - 40; /* from step -10 */
	for (int kind = 0; kind < SL_SIG_COUNT; kind++)
		for (int site = 0; site < v->net->nsites; site++) {
			sl_view_signal_steps(v, kind, site, k0, 130, buf);
			for (int i = 0; i < 130; i++, sig_checked++)
				sig_mismatches += buf[i] != sl_view_signal(v, kind, site,
				                                           v->net->t0 + (k0 + i) * v->net->step_s);
		}
	out->site = ALT;
	return 0;
}

static const sl_policy_ops sig_ops = {"test-signals", "test", dbl_init, sig_place, NULL, NULL, NULL};

/* The bulk read of whole steps (the forecast cache's) answers what the
 * step-by-step read does, before, inside and past the series. */
static void test_view_signal_steps(void **st)
{
	(void)st;
	sl_network *net = net_new();
	sl_trace t = {0};
	job(&t, 1, T0 + 30 * H + 600, 1, 1, 0, -1);
	sl_sim_opts o = {0};
	sl_sim *sim = NULL;
	sig_mismatches = sig_checked = 0;
	assert_int_equal(sl_sim_new_ops(net, &t, &sig_ops, &o, &sim, NULL), 0);
	assert_int_equal(sl_sim_run(sim, NULL), 0);
	assert_int_equal(sig_checked, SL_SIG_COUNT * 3 * 130);
	assert_int_equal(sig_mismatches, 0);
	sl_sim_free(sim);
	fix_trace_free(&t);
	sl_network_free(net);
}

/* The same double, stopping its job while it runs (preempt). */
static int dbl_preempts;

static void dbl_replan_pre(void *state, const sl_view *v, const sl_plan_ctl *ctl)
{
	dbl *d = state;
	if (v->now == T0 + 7 * H && dbl_preempts) {
		d->rc[0] = ctl->preempt(ctl->ud, d->handle, 600, T0 + 9 * H);
		d->rc[1] = ctl->preempt(ctl->ud, d->handle, 600, T0 + 9 * H); /* no longer runs */
		d->rc[2] = ctl->preempt(ctl->ud, 12345, 600, T0 + 9 * H);     /* no such job */
		d->rc[3] = ctl->move(ctl->ud, d->handle, T0 + 8 * H);          /* planned again: movable */
	}
}

static const sl_policy_plan_ops dbl_pre_plan = {
	.job_event = dbl_event, .replan = dbl_replan_pre, .bind = dbl_bind,
};
static const sl_policy_ops dbl_pre_ops = {"test-double", "test", dbl_init, dbl_place, NULL, NULL,
                                          &dbl_pre_plan};

/* A running job stopped by the policy keeps its work: started at 05:00
 * for 10 h, stopped at 07:00 and planned again for 08:00 with a 10-minute
 * restart, it ends at 08:00 + 10 min + 8 h; its record keeps its first
 * start, and its energy is that of 10 h 10 min of running (the check mode
 * verifies every site's jobs + idle = total, the stopped run included).
 * A job of a class that is not preemptible is refused (SL_EUNSUPPORTED)
 * and runs on. */
static void test_engine_preempt(void **st)
{
	(void)st;
	double kwh[2];
	for (int mode = 0; mode < 3; mode++) {
		sl_network *net = net_new();
		sl_trace t = {0};
		sl_job *j1 = job(&t, 1, T0, 1, 10, 0, -1);
		if (mode == 2) { /* its class may not be stopped */
			net->classes[0] = (sl_job_class){.id = "solid", .share = 1, .not_preemptible = 1};
			net->nclasses = 1;
			j1->cls = 0;
		}
		job(&t, 2, T0 + 30 * H, 1, 1, 0, -1);
		sl_sim_opts o = {0};
		o.check = 1;
		sl_sim *sim = NULL;
		dbl_preempts = mode > 0;
		assert_int_equal(sl_sim_new_ops(net, &t, &dbl_pre_ops, &o, &sim, NULL), 0);
		assert_int_equal(sl_sim_run(sim, NULL), 0);
		assert_int_equal(sl_sim_close(sim, 0, NULL), 0);
		const sl_sim_job *r = sl_sim_jobs(sim, NULL);
		assert_int_equal(r[0].start, T0 + 5 * H);
		if (mode == 2) {
			assert_int_equal(the_dbl.rc[0], SL_EUNSUPPORTED);
			assert_int_equal(r[0].end, T0 + 15 * H);
			assert_int_equal(r[0].stops, 0);
		} else if (mode) {
			assert_int_equal(the_dbl.rc[0], 0);
			assert_int_equal(the_dbl.rc[1], SL_ESTATE);
			assert_int_equal(the_dbl.rc[2], SL_EINVAL);
			assert_int_equal(the_dbl.rc[3], 0);
			assert_int_equal(r[0].end, T0 + 16 * H + 600);
			assert_int_equal(the_dbl.starts, 3); /* job 1 twice, job 2 */
		} else {
			assert_int_equal(r[0].end, T0 + 15 * H);
		}
		assert_int_equal(r[0].status, SL_JOB_DONE);
		if (mode < 2)
			kwh[mode] = r[0].energy_kwh;
		sl_sim_free(sim);
		fix_trace_free(&t);
		sl_network_free(net);
	}
	assert_true(fabs(kwh[1] / kwh[0] - (10 * H + 600.0) / (10 * H)) < 1e-9);
}

/* ---- the built-in scenario: plans are what happens ---- */

/* Run the built-in scenario (4 generated days at 0.8 load) under params
 * and compare each job's start with its last plan (from the receipts):
 * *slipped gets the jobs that started later than planned; no job may
 * start earlier, and every job is placed legally. */
static void plans_on_scenario(const char *params, size_t *started, size_t *deferred,
                              size_t *slipped, size_t *relocated)
{
	sl_network *net = NULL;
	sl_trace t = {0};
	assert_int_equal(sl_scenario_load("scenarios/xinjiang-chongqing/scenario.yaml", &net, NULL, NULL), 0);
	sl_gen_opts g = {0};
	g.seed = 11;
	g.days = 4;
	g.load = 0.8;
	assert_int_equal(sl_workload_gen(net, &g, &t, NULL), 0);
	int64_t *plan = calloc(t.n, sizeof *plan), *sent = calloc(t.n, sizeof *sent);
	int *site = calloc(t.n, sizeof *site);
	seen s;
	sl_sim *sim = run(net, &t, params, &s);
	/* the last plan of every job, from the receipts */
	char *save = NULL;
	for (char *line = strtok_r(s.json, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		json_t *j = json_loads(line, 0, NULL);
		assert_non_null(j);
		int64_t id = json_integer_value(json_object_get(j, "job"));
		json_t *start = json_object_get(j, "start");
		const char *sid = json_string_value(json_object_get(j, "site"));
		for (size_t i = 0; start && i < t.n; i++)
			if (t.jobs[i].id == id) {
				int k = sl_network_site(net, sid);
				if (plan[i] && k != site[i]) /* moved to another site: input sent again */
					sent[i] = json_integer_value(json_object_get(j, "decided"));
				plan[i] = json_integer_value(start);
				site[i] = k;
			}
		json_decref(j);
	}
	const sl_sim_job *r = sl_sim_jobs(sim, NULL);
	*started = *deferred = *slipped = *relocated = 0;
	for (size_t i = 0; i < t.n; i++) {
		if (r[i].status == SL_JOB_REJECTED)
			continue;
		(*started)++;
		assert_true(r[i].start >= plan[i]);
		assert_int_equal(r[i].site, site[i]); /* where its last plan put it */
		assert_true(r[i].start >= sent[i] + r[i].transfer_s); /* its input got there */
		*relocated += sent[i] > 0;
		*slipped += r[i].start > plan[i];
		*deferred += r[i].start > t.jobs[i].submit + r[i].transfer_s;
	}
	const sl_sim_summary *sum = sl_sim_get_summary(sim);
	assert_int_equal(sum->residency_breaches, 0);
	assert_int_equal(sum->latency_violations, 0);
	free(plan);
	free(sent);
	free(site);
	seen_free(&s);
	sl_sim_free(sim);
	sl_trace_release(&t);
	sl_network_free(net);
}

/* Holding every estimate (hold_q=1), the start rule keeps every plan:
 * each job starts exactly when its last plan said. */
static void test_plans_hold_on_scenario(void **st)
{
	(void)st;
	size_t started, deferred, slipped, relocated;
	plans_on_scenario("hold_q=1,preempt=0", &started, &deferred, &slipped, &relocated);
	assert_true(started > 300);
	assert_true(deferred > 20);
	assert_int_equal(slipped, 0);
}

/* Holding predicted runtimes (the default), a job that runs past its
 * prediction can hold up a planned start: the plan is repaired at its
 * site or at another (relocated: it runs there, after its input sent
 * again has arrived), or the site's queue starts the job when its room
 * frees, never before its plan.  Slips stay rare. */
static void test_plans_mostly_hold_predicted(void **st)
{
	(void)st;
	size_t started, deferred, slipped, relocated;
	plans_on_scenario("hold_q=0.7,preempt=0", &started, &deferred, &slipped, &relocated);
	assert_true(relocated > 0); /* starts with no room left at their site moved elsewhere */
	assert_true(started > 300);
	assert_true(deferred > 20);
	assert_true(slipped * 50 <= started);
}

/* Stopping running jobs on the built-in scenario (4 days at 0.8 load, the
 * same run as above with the defaults, check mode on): jobs are stopped,
 * each restarts and completes, where a stop's receipt said, a stopped
 * job's record spans its runs and every pause, and no more deadlines are
 * missed than without preemption.  With the training class marked not
 * preemptible (preemptible: false), no training job is stopped, where
 * some were before. */
static void test_preempt_on_scenario(void **st)
{
	(void)st;
	int64_t misses[2];
	int trains_stopped[3] = {0};
	for (int mode = 0; mode < 3; mode++) {
		sl_network *net = NULL;
		sl_trace t = {0};
		assert_int_equal(
		    sl_scenario_load("scenarios/xinjiang-chongqing/scenario.yaml", &net, NULL, NULL), 0);
		int train = -1;
		for (int k = 0; k < net->nclasses; k++)
			if (!strcmp(net->classes[k].id, "train"))
				train = k;
		assert_true(train >= 0);
		net->classes[train].not_preemptible = mode == 2;
		sl_gen_opts g = {0};
		g.seed = 11;
		g.days = 4;
		g.load = 0.8;
		assert_int_equal(sl_workload_gen(net, &g, &t, NULL), 0);
		seen s;
		sl_sim *sim = run(net, &t, mode ? "preempt=1" : "preempt=0", &s);
		const sl_sim_job *r = sl_sim_jobs(sim, NULL);
		int stopped = 0, receipts = 0; /* every receipt is in the JSON (s.r keeps 64) */
		for (const char *p = s.json; (p = strstr(p, "\"decision\":\"stop\"")); p++)
			receipts++;
		for (size_t i = 0; i < t.n; i++) {
			int64_t run = t.jobs[i].run_s < t.jobs[i].est_s ? t.jobs[i].run_s : t.jobs[i].est_s;
			if (!r[i].stops)
				continue;
			stopped++;
			trains_stopped[mode] += t.jobs[i].cls == train;
			assert_true(r[i].status == SL_JOB_DONE || r[i].status == SL_JOB_KILLED);
			assert_true(r[i].end - r[i].start >= run + 600 * (int64_t)r[i].stops);
		}
		if (mode == 1)
			assert_true(stopped > 0);
		else if (mode == 0)
			assert_int_equal(stopped, 0);
		assert_true(receipts >= stopped);
		const sl_sim_summary *sum = sl_sim_get_summary(sim);
		assert_int_equal(sum->residency_breaches, 0);
		assert_int_equal(sum->latency_violations, 0);
		assert_int_equal(sum->completed + sum->killed + sum->rejected, (int64_t)t.n);
		if (mode < 2)
			misses[mode] = sum->deadline_violations;
		seen_free(&s);
		sl_sim_free(sim);
		sl_trace_release(&t);
		sl_network_free(net);
	}
	assert_true(misses[1] <= misses[0]);
	assert_true(trains_stopped[1] > 0);
	assert_int_equal(trains_stopped[2], 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_green_window),
		cmocka_unit_test(test_illegal_cheaper_site),
		cmocka_unit_test(test_reservation_blocks),
		cmocka_unit_test(test_busy_green_site_now),
		cmocka_unit_test(test_pull_to_green_site),
		cmocka_unit_test(test_receipts),
		cmocka_unit_test(test_receipt_csv_quoting),
		cmocka_unit_test(test_rejections),
		cmocka_unit_test(test_bump_expected),
		cmocka_unit_test(test_late_move_by_gain),
		cmocka_unit_test(test_miss_by_estimate),
		cmocka_unit_test(test_plan_by_likely_runtime),
		cmocka_unit_test(test_replan_moves_within_deadline),
		cmocka_unit_test(test_params),
		cmocka_unit_test(test_engine_moves),
		cmocka_unit_test(test_engine_retarget),
		cmocka_unit_test(test_engine_retarget_pays),
		cmocka_unit_test(test_view_signal_steps),
		cmocka_unit_test(test_engine_preempt),
		cmocka_unit_test(test_plans_hold_on_scenario),
		cmocka_unit_test(test_plans_mostly_hold_predicted),
		cmocka_unit_test(test_preempt_on_scenario),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
