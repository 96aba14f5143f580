/*
 * scenario_class.c — the `job_classes` section: workload classes for the
 * trace generator (share, latency budget, per-job cores/GPUs, runtime,
 * deadline and data sizes as ranges).
 */
#include <string.h>

#include "core/time.h"
#include "io/scenario_int.h"

#include "core/banned.h"

static const char *const class_keys[] = {"id", "share", "latency_budget_ms", "cores", "gpus",
                                         "runtime", "deadline", "input", "output",
                                         "preemptible", NULL};

/* Every job needs at least one core or GPU: cores.lo + gpus.lo >= 1. */
static void check_devices(sl__sc *c, const sl_yaml_node *n, int rc, int rg, const sl_job_class *k)
{
	if (rc == 0 && rg == 0) {
		sl__sc_error(c, n, "missing required key \"cores\" (or \"gpus\"): every job needs "
		                   "cores or GPUs");
		return;
	}
	if (rc < 0 || rg < 0 || k->cores.lo + k->gpus.lo >= 1)
		return;
	const char *key = rc ? "cores" : "gpus";
	size_t m = sl__sc_push(c, key);
	sl__sc_error(c, sl_yaml_get(n, key),
	             "expected every job to need at least one core or GPU, got cores [%g, %g] and "
	             "gpus [%g, %g]", k->cores.lo, k->cores.hi, k->gpus.lo, k->gpus.hi);
	sl__sc_pop(c, m);
}

static void check_deadline(sl__sc *c, const sl_yaml_node *n, const sl_job_class *k)
{
	if (k->deadline_s.lo >= k->runtime_s.lo)
		return;
	char run[32], dl[32];
	size_t m = sl__sc_push(c, "deadline");
	sl__sc_error(c, sl_yaml_get(n, "deadline"),
	             "expected a deadline low end >= the runtime low end (%s), got %s",
	             sl_duration_format((int64_t)k->runtime_s.lo, run, sizeof run),
	             sl_duration_format((int64_t)k->deadline_s.lo, dl, sizeof dl));
	sl__sc_pop(c, m);
}

/* Returns 1 when the class's share was read (and adds it to *sum). */
static int parse_class(sl__sc *c, const sl_yaml_node *n, sl_job_class *k, double *sum)
{
	sl__sc_bounds count = sl__sc_int_in(0, 1e9), positive = sl__sc_gt(0);
	k->id = "";
	if (!sl__sc_expect_map(c, n, "a job class mapping {id, share, cores, runtime}"))
		return 0;
	sl__sc_check_keys(c, n, class_keys);
	sl__sc_id(c, n, "id", 1, &k->id);
	int share_ok = sl__sc_num(c, n, "share", 1, sl__sc_in(0, 1), &k->share) == 1;
	sl__sc_num(c, n, "latency_budget_ms", 0, positive, &k->latency_budget_ms);
	int rc = sl__sc_range(c, n, "cores", 0, SL__SC_RANGE_NUM, count, &k->cores);
	int rg = sl__sc_range(c, n, "gpus", 0, SL__SC_RANGE_NUM, count, &k->gpus);
	check_devices(c, n, rc, rg, k);
	int rr = sl__sc_range(c, n, "runtime", 1, SL__SC_RANGE_DURATION, positive, &k->runtime_s);
	int rd = sl__sc_range(c, n, "deadline", 0, SL__SC_RANGE_DURATION, positive, &k->deadline_s);
	if (rr == 1 && rd == 1)
		check_deadline(c, n, k);
	sl__sc_range(c, n, "input", 0, SL__SC_RANGE_BYTES, sl__sc_ge(0), &k->input_bytes);
	sl__sc_range(c, n, "output", 0, SL__SC_RANGE_BYTES, sl__sc_ge(0), &k->output_bytes);
	int pre = 1;
	sl__sc_bool(c, n, "preemptible", 0, &pre);
	k->not_preemptible = !pre;
	if (share_ok)
		*sum += k->share;
	return share_ok;
}

void sl__sc_job_classes(sl__sc *c, const sl_yaml_node *root)
{
	const sl_yaml_node *seq = sl__sc_list(c, root, "job_classes", 0, 1, "job classes");
	if (!seq)
		return;
	sl_network *net = c->net;
	net->classes = sl_arena_alloc(&net->arena, seq->n * sizeof *net->classes);
	net->nclasses = (int)seq->n;
	size_t m0 = sl__sc_push(c, "job_classes");
	sl__sc_unique_ids(c, seq);
	double sum = 0;
	int all = 1;
	for (size_t i = 0; i < seq->n; i++) {
		size_t m = sl__sc_push_index(c, i);
		all &= parse_class(c, seq->items[i], &net->classes[i], &sum);
		sl__sc_pop(c, m);
	}
	if (all)
		sl__sc_shares_sum(c, seq, "job class", sum);
	sl__sc_pop(c, m0);
}
