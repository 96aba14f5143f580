/*
 * cmd_simulate.c — `suanli simulate SCENARIO --trace FILE.csv [--policy
 * LIST] [--out DIR] [--json] [--seed N] [--check]`: replay a trace under
 * each policy and compare them side by side.
 *
 * A thin wrapper over sim/sim.h and report/sim_report.h: parse options,
 * load the scenario and the trace, run each policy (writing its jobs.csv
 * rows as soon as it has run, then dropping them to bound memory), close
 * every run over one common window so totals cover the same hours, write
 * sites_hourly.csv and summary.json, print the table (or the JSON).  The
 * suanli policy's options become its policy parameters (checked before
 * anything runs) and its receipts go to decisions.jsonl.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "core/diag.h"
#include "io/scenario.h"
#include "io/trace.h"
#include "io/trace_map.h"
#include "report/sim_report.h"
#include "sched/receipt.h"
#include "sim/sim.h"

#define VERB "simulate"
#define MAX_POLICIES 16

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: suanli simulate SCENARIO --trace FILE.csv [--policy LIST] [--out DIR]\n"
	        "                       [--json] [--seed N] [--check] [suanli options]\n\n"
	        "Replay a workload trace against a scenario under one or more placement\n"
	        "policies and compare them side by side: jobs completed, killed and rejected\n"
	        "(with reasons), energy (IT and facility), carbon, electricity cost, data\n"
	        "moved and its cost, waits, bounded slowdown, SLA violations, residency\n"
	        "breaches, and utilisation and green share per site.  Sites run FCFS with\n"
	        "EASY backfilling; energy is integrated exactly over the scenario's hourly\n"
	        "signals.  The same inputs give byte-identical outputs.\n\n"
	        "  --trace FILE   the workload: a native CSV trace (`suanli trace gen` makes\n"
	        "                 one), a SWF log or an Alibaba GPU trace pod list, plain or\n"
	        "                 gzip; required (docs/trace-format.md)\n"
	        "  --map K=V,...  how a SWF or Alibaba log is mapped onto the network: origins,\n"
	        "                 classes, seed, start, scale, status, limit, window, lenient,\n"
	        "                 nodes (`suanli trace convert --help`; default seed=1, scale=1)\n"
	        "  --policy LIST  comma-separated policies, default all of them:\n");
	for (int i = 0; i < sl_policy_count(); i++)
		fprintf(f, "                   %-13s %s\n", sl_policy_at(i)->name, sl_policy_at(i)->summary);
	fprintf(f,
	        "  --out DIR      write jobs.csv, sites_hourly.csv and summary.json there\n"
	        "                 (created if missing; existing files are replaced)\n"
	        "  --json         print summary.json to standard output instead of the table\n"
	        "  --seed N       seed given to the policies (default 1); the baselines are\n"
	        "                 deterministic and do not use it\n"
	        "  --check        verify invariants while running (capacity never exceeded,\n"
	        "                 job + idle energy = site energy); slower\n"
	        "  --carbon MODE  the grid intensity carbon leads with: average (default) or\n"
	        "                 marginal (the zone's marginal unit); both are reported\n"
	        "  --green BASIS  market (default: contracted green supply and line claims\n"
	        "                 count as zero-carbon, the rest at the residual mix) or\n"
	        "                 location (the zone's blended grid average for all grid\n"
	        "                 energy); all four views are reported (docs/energy.md)\n"
	        "  --network-kwh-per-gb X  energy of moving data (default: the scenario's\n"
	        "                 energy.network_kwh_per_gb, else 0.001875 after Aslan et al.\n"
	        "                 2018); routes with their own kwh_per_gb keep it\n\n"
	        "suanli options (the planning policy; docs/policy-suanli.md):\n"
	        "  --objective O  carbon, cost or balanced (default): the weights preset\n"
	        "  --weights LIST explicit weights, e.g. carbon=1,cost=0.5,wait=0.002,late=0.05\n"
	        "                 (carbon and cost per unit of what `nearest` would emit/cost;\n"
	        "                 wait per hour of deferral; late near the deadline)\n"
	        "  --forecast M   what it knows of the future: noisy (default), persistence,\n"
	        "                 or perfect (only with --oracle)\n"
	        "  --forecast-error E  noisy: relative error at 24 h ahead (default 0.15);\n"
	        "                 the noise is seeded by --seed\n"
	        "  --oracle       let it see the true future (perfect forecasts)\n"
	        "  --max-slack D  how far ahead it may plan a start (default 72h)\n"
	        "  --policy-params K=V,...  any other suanli parameter (replan=1h, late_jobs=reject, ...)\n"
	        "  With --out, its decision receipts go to DIR/decisions.jsonl.\n"
	        "  --receipts F   jsonl (default) or csv: DIR/decisions.csv instead, one\n"
	        "                 row per decision with the first 3 alternatives as columns\n\n"
	        "Every policy respects data-residency rules, latency budgets and site\n"
	        "sizes; a job no site can take legally is rejected with its reason.  All\n"
	        "runs are accounted over one window, from the first submission to the\n"
	        "latest job end of any policy, rounded out to whole signal steps.  The\n"
	        "model and the output files are described in docs/simulator.md.  Progress\n"
	        "is shown on standard error when it is a terminal.\n\n"
	        "exit status: 0 done, 1 the scenario is invalid, 2 bad command line, 3 the\n"
	        "scenario or trace cannot be read or does not fit the scenario, 4 an output\n"
	        "cannot be written or an internal error.\n");
}

typedef struct sim_args {
	const char *scenario, *trace, *out, *map;
	const char *policy[MAX_POLICIES];
	int npolicy, json, check;
	int carbon, green, has_net;   /* accounting (docs/energy.md) */
	double net_kwh_per_gb;
	uint64_t seed;
	/* suanli's options, composed into policy params by compose_params */
	const char *objective, *weights, *forecast, *fc_error, *max_slack, *extra;
	int oracle;
	int receipts_csv;             /* --receipts csv */
	char params[1024];
} sim_args;

/* --weights: only the four weight keys, each key=value. */
static int check_weights(const char *list)
{
	char buf[256], *save = NULL;
	if (strlen(list) >= sizeof buf)
		return cli_error(VERB, "--weights: too long"), -1;
	snprintf(buf, sizeof buf, "%s", list);
	for (char *kv = strtok_r(buf, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(kv, '=');
		if (eq)
			*eq = '\0';
		if (!eq || (strcmp(kv, "carbon") && strcmp(kv, "cost") && strcmp(kv, "wait") &&
		            strcmp(kv, "late")))
			return cli_error(VERB, "--weights: \"%s\": expected carbon=W, cost=W, wait=W or late=W",
			                 kv), -1;
	}
	return 0;
}

/* The suanli options as one "key=value,..." string (the library checks
 * the values and says which is wrong). */
static int compose_params(sim_args *a)
{
	size_t n = 0;
	const char *keys[] = {"objective", "forecast", "error", "max_slack", NULL, NULL};
	const char *vals[] = {a->objective, a->forecast, a->fc_error, a->max_slack, a->weights, a->extra};
	if (a->weights && check_weights(a->weights))
		return -1;
	a->params[0] = '\0';
	for (int i = 0; i < 6; i++) {
		if (!vals[i])
			continue;
		int w = snprintf(a->params + n, sizeof a->params - n, "%s%s%s%s", n ? "," : "",
		                 keys[i] ? keys[i] : "", keys[i] ? "=" : "", vals[i]);
		if (w < 0 || (size_t)w >= sizeof a->params - n)
			return cli_error(VERB, "suanli options: too long"), -1;
		n += (size_t)w;
	}
	if (a->oracle)
		snprintf(a->params + n, sizeof a->params - n, "%soracle=1", n ? "," : "");
	return 0;
}

/* Split a comma list into a->policy (each must be known, none twice). */
static int parse_policies(char *list, sim_args *a)
{
	char *save = NULL;
	for (char *p = strtok_r(list, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
		const sl_policy_ops *ops = sl_policy_find(p);
		if (!ops) {
			cli_error(VERB, "unknown policy \"%s\" (see `suanli simulate --help`)", p);
			return -1;
		}
		for (int i = 0; i < a->npolicy; i++)
			if (a->policy[i] == ops->name) {
				cli_error(VERB, "policy \"%s\" given twice", p);
				return -1;
			}
		if (a->npolicy == MAX_POLICIES) {
			cli_error(VERB, "at most %d policies", MAX_POLICIES);
			return -1;
		}
		a->policy[a->npolicy++] = ops->name;
	}
	if (a->npolicy == 0) {
		cli_error(VERB, "--policy: empty list");
		return -1;
	}
	return 0;
}

static int parse_seed(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (end == s || *end || errno || s[0] == '-' || s[0] == '+' || s[0] == ' ') {
		cli_error(VERB, "--seed: expected an unsigned integer, got \"%s\"", s);
		return -1;
	}
	*out = v;
	return 0;
}

/* --carbon, --green, --network-kwh-per-gb: 0 taken, -1 bad (reported), 1
 * not one of them. */
static int energy_opt(int argc, char **argv, int *i, sim_args *a)
{
	const char *o = argv[*i];
	if (strcmp(o, "--carbon") && strcmp(o, "--green") && strcmp(o, "--network-kwh-per-gb"))
		return 1;
	if (*i + 1 >= argc)
		return cli_error(VERB, "%s needs a value", o), -1;
	const char *v = argv[++*i];
	char *end;
	if (!strcmp(o, "--carbon") && (a->carbon = sl_carbon_mode_parse(v)) < 0)
		return cli_error(VERB, "--carbon: expected average or marginal, got \"%s\"", v), -1;
	if (!strcmp(o, "--green") && (a->green = sl_green_basis_parse(v)) < 0)
		return cli_error(VERB, "--green: expected market or location, got \"%s\"", v), -1;
	if (!strcmp(o, "--network-kwh-per-gb")) {
		a->net_kwh_per_gb = strtod(v, &end);
		if (end == v || *end || !(a->net_kwh_per_gb >= 0) || a->net_kwh_per_gb > 1e6)
			return cli_error(VERB, "%s: expected a number >= 0, got \"%s\"", o, v), -1;
		a->has_net = 1;
	}
	return 0;
}

static int parse_opt(int argc, char **argv, int *i, sim_args *a)
{
	const char *o = argv[*i];
	int eo = energy_opt(argc, argv, i, a);
	if (eo <= 0)
		return eo;
	static const char *const sq_opts[] = {"--objective", "--weights", "--forecast",
	                                      "--forecast-error", "--max-slack", "--policy-params"};
	if (!strcmp(o, "--json") || !strcmp(o, "--check") || !strcmp(o, "--oracle")) {
		*(o[2] == 'j' ? &a->json : o[2] == 'c' ? &a->check : &a->oracle) = 1;
		return 0;
	}
	const char **sq_dst[] = {&a->objective, &a->weights, &a->forecast,
	                         &a->fc_error, &a->max_slack, &a->extra};
	for (int k = 0; k < 6; k++) {
		if (strcmp(o, sq_opts[k]))
			continue;
		if (*i + 1 >= argc)
			return cli_error(VERB, "%s needs a value", o), -1;
		if (*sq_dst[k])
			return cli_error(VERB, "%s given twice", o), -1;
		*sq_dst[k] = argv[++*i];
		return 0;
	}
	if (!strcmp(o, "--receipts")) {
		if (*i + 1 >= argc)
			return cli_error(VERB, "%s needs a value", o), -1;
		const char *v = argv[++*i];
		if (strcmp(v, "jsonl") && strcmp(v, "csv"))
			return cli_error(VERB, "--receipts: expected jsonl or csv, got \"%s\"", v), -1;
		a->receipts_csv = !strcmp(v, "csv");
		return 0;
	}
	if (strcmp(o, "--trace") && strcmp(o, "--policy") && strcmp(o, "--out") && strcmp(o, "--seed") &&
	    strcmp(o, "--map")) {
		cli_error(VERB, "unknown option \"%s\" (see `suanli simulate --help`)", o);
		return -1;
	}
	if (*i + 1 >= argc) {
		cli_error(VERB, "%s needs a value", o);
		return -1;
	}
	char *v = argv[++*i];
	if (!strcmp(o, "--trace"))
		a->trace = v;
	else if (!strcmp(o, "--map"))
		a->map = v;
	else if (!strcmp(o, "--out"))
		a->out = v;
	else if (!strcmp(o, "--seed"))
		return parse_seed(v, &a->seed);
	else if (a->npolicy)
		return cli_error(VERB, "--policy given twice"), -1;
	else
		return parse_policies(v, a);
	return 0;
}

/* Returns -1 on a usage error (reported), 1 for --help, 0 otherwise. */
static int parse_args(int argc, char **argv, sim_args *a)
{
	memset(a, 0, sizeof *a);
	a->seed = 1;
	for (int i = 1; i < argc; i++) {
		const char *o = argv[i];
		if (cli_is_help(o))
			return 1;
		if (o[0] == '-' && o[1]) {
			if (parse_opt(argc, argv, &i, a))
				return -1;
		} else if (!a->scenario) {
			a->scenario = o;
		} else {
			cli_error(VERB, "unexpected argument \"%s\" (one SCENARIO only)", o);
			return -1;
		}
	}
	if (!a->scenario || !a->trace) {
		cli_error(VERB, "%s is required (see `suanli simulate --help`)",
		          !a->scenario ? "SCENARIO" : "--trace FILE");
		return -1;
	}
	for (int i = 0; a->npolicy == 0 && i < sl_policy_count() && i < MAX_POLICIES; i++)
		a->policy[i] = sl_policy_at(i)->name;
	if (a->npolicy == 0)
		a->npolicy = sl_policy_count() < MAX_POLICIES ? sl_policy_count() : MAX_POLICIES;
	return compose_params(a);
}

static int load_inputs(const sim_args *a, sl_network **net, sl_trace *trace)
{
	sl_diags d = {0};
	sl_err e = {0};
	int rc = sl_scenario_load(a->scenario, net, &d, &e);
	if (rc) {
		sl_diags_print(&d, stderr);
		sl_diags_release(&d);
		if (rc == SL_EIO)
			cli_error(VERB, "%s: %s", a->scenario, e.msg);
		else
			cli_error(VERB, "%s: invalid scenario (`suanli scenario check` lists the errors)",
			          a->scenario);
		return rc == SL_EIO ? SL_EXIT_INPUT : SL_EXIT_FAIL;
	}
	sl_diags_release(&d);
	if ((rc = sl_trace_load_spec(a->trace, a->map, *net, trace, stderr, "suanli " VERB ": ", &e)) != 0) {
		char buf[SL_ERR_MSG_MAX + SL_ERR_ORIGIN_MAX + 4];
		cli_error(VERB, "%s", sl_err_format(&e, buf, sizeof buf));
		return SL_EXIT_INPUT;
	}
	return SL_EXIT_OK;
}

/* mkdir -p */
static int make_dir(const char *path)
{
	char buf[4096];
	size_t n = strlen(path);
	if (n == 0 || n >= sizeof buf)
		return -1;
	memcpy(buf, path, n + 1);
	for (size_t i = 1; i <= n; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		char c = buf[i];
		buf[i] = '\0';
		if (mkdir(buf, 0777) != 0 && errno != EEXIST)
			return -1;
		buf[i] = c;
	}
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode) ? 0 : -1;
}

typedef struct outputs {
	FILE *jobs, *hourly, *summary, *decisions;
	sl_receipt_sink sink;       /* receipts of planning policies -> decisions.jsonl (.csv) */
	int csv;
	char dir[4096];
} outputs;

static FILE *open_out(const outputs *o, const char *name)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/%s", o->dir, name);
	FILE *f = fopen(path, "w");
	if (!f)
		cli_error(VERB, "%s: cannot create: %s", path, strerror(errno));
	else
		setvbuf(f, NULL, _IOFBF, 1 << 20);
	return f;
}

static int outputs_open(const char *dir, int csv, outputs *o)
{
	if (!dir)
		return 0;
	o->csv = csv;
	snprintf(o->dir, sizeof o->dir, "%s", dir);
	if (make_dir(dir)) {
		cli_error(VERB, "%s: cannot create directory: %s", dir, strerror(errno));
		return -1;
	}
	if (!(o->jobs = open_out(o, "jobs.csv")) || !(o->hourly = open_out(o, "sites_hourly.csv")) ||
	    !(o->summary = open_out(o, "summary.json")) ||
	    !(o->decisions = open_out(o, csv ? "decisions.csv" : "decisions.jsonl")))
		return -1;
	o->sink.f = o->decisions;
	sl_err e = {0};
	if (sl_report_sim_jobs_header(o->jobs, &e) || sl_report_sim_hourly_header(o->hourly, &e) ||
	    (csv && sl_receipt_csv_header(o->decisions, &e)))
		return cli_error(VERB, "%s: %s", dir, e.msg), -1;
	return 0;
}

/* Close every output; -1 if any write failed. */
static int outputs_close(outputs *o)
{
	int bad = 0;
	FILE **fs[4] = {&o->jobs, &o->hourly, &o->summary, &o->decisions};
	for (int i = 0; i < 4; i++) {
		if (*fs[i] && fclose(*fs[i]) != 0)
			bad = 1;
		*fs[i] = NULL;
	}
	if (bad)
		cli_error(VERB, "%s: writing the outputs failed: %s", o->dir, strerror(errno));
	return bad ? -1 : 0;
}

typedef struct prog {
	const char *policy;
	int shown;
} prog;

static void on_progress(void *ud, size_t done, size_t total)
{
	prog *p = ud;
	if (done >= total) {
		if (p->shown)
			fprintf(stderr, "\r%-60s\r", "");
		return;
	}
	p->shown = 1;
	fprintf(stderr, "\rsimulate %s: %3.0f%% (%zu of %zu jobs)", p->policy,
	        100.0 * (double)done / (double)total, done, total);
}

static int exit_for(int rc)
{
	return rc == SL_EINVAL || rc == SL_ERANGE ? SL_EXIT_INPUT : SL_EXIT_INTERNAL;
}

/* Policy parameters are command-line input: check them with every chosen
 * policy that plans (those read them) before anything runs. */
static int check_params(const sim_args *a, const sl_network *net)
{
	for (int k = 0; k < a->npolicy; k++) {
		const sl_policy_ops *ops = sl_policy_find(a->policy[k]);
		void *st = NULL;
		sl_err e = {0};
		sl_policy_opts po = {a->seed, a->params[0] ? a->params : NULL};
		if (!ops->plan || !ops->init)
			continue;
		if (ops->init(&st, net, &po, &e)) {
			char buf[SL_ERR_MSG_MAX + SL_ERR_ORIGIN_MAX + 4];
			return cli_error(VERB, "%s", sl_err_format(&e, buf, sizeof buf)), -1;
		}
		if (ops->free)
			ops->free(st);
	}
	return 0;
}

/* Run one policy; write its job rows; keep only what the summary needs. */
static int run_one(const sim_args *a, const sl_network *net, const sl_trace *t, int k,
                   outputs *o, sl_sim **out)
{
	prog p = {a->policy[k], 0};
	sl_sim_opts opts = {0};
	opts.seed = a->seed;
	opts.check = a->check;
	opts.carbon = a->carbon;
	opts.green = a->green;
	opts.has_net_kwh_per_gb = a->has_net;
	opts.net_kwh_per_gb = a->net_kwh_per_gb;
	opts.policy_params = a->params[0] ? a->params : NULL;
	if (isatty(STDERR_FILENO)) {
		opts.progress = on_progress;
		opts.progress_ud = &p;
	}
	sl_err e = {0};
	char buf[SL_ERR_MSG_MAX + SL_ERR_ORIGIN_MAX + 4];
	int rc = sl_sim_new(net, t, a->policy[k], &opts, out, &e);
	if (rc == 0 && o->decisions) {
		o->sink.net = net;
		sl_sim_set_receipts(*out, o->csv ? sl_receipt_sink_csv : sl_receipt_sink_jsonl,
		                    &o->sink); /* baselines: none */
	}
	if (rc == 0 && (rc = sl_sim_run(*out, &e)) == 0 && o->jobs)
		rc = sl_report_sim_jobs(o->jobs, *out, &e);
	if (rc == 0 && o->sink.err.code)
		e = o->sink.err, rc = SL_EIO;
	if (rc) {
		cli_error(VERB, "%s: %s: %s", a->policy[k], a->trace, sl_err_format(&e, buf, sizeof buf));
		return rc == SL_EIO ? SL_EXIT_INTERNAL : exit_for(rc);
	}
	sl_sim_drop_jobs(*out);
	return SL_EXIT_OK;
}

/* Close every run over the common window, then write and print. */
static int finish(const sim_args *a, const sl_network *net, sl_sim **sims, outputs *o)
{
	int64_t end = 0;
	sl_err e = {0};
	for (int k = 0; k < a->npolicy; k++)
		if (sl_sim_window_end(sims[k]) > end)
			end = sl_sim_window_end(sims[k]);
	for (int k = 0; k < a->npolicy; k++) {
		int rc = sl_sim_close(sims[k], end, &e);
		if (!rc && o->hourly)
			rc = sl_report_sim_hourly(o->hourly, sims[k], &e);
		if (rc)
			return cli_error(VERB, "%s: %s", a->policy[k], e.msg), SL_EXIT_INTERNAL;
	}
	json_t *js = sl_report_sim_json(net, a->trace, sims, a->npolicy);
	size_t flags = JSON_INDENT(2) | JSON_REAL_PRECISION(12);
	int bad = o->summary && (json_dumpf(js, o->summary, flags) || fputc('\n', o->summary) == EOF);
	if (a->json) {
		json_dumpf(js, stdout, flags);
		fputc('\n', stdout);
	} else {
		sl_report_sim_table(stdout, net, a->trace, sims, a->npolicy);
	}
	json_decref(js);
	if (bad)
		return cli_error(VERB, "%s/summary.json: write failed", o->dir), SL_EXIT_INTERNAL;
	return SL_EXIT_OK;
}

int cmd_simulate(int argc, char **argv)
{
	sim_args a;
	int prc = parse_args(argc, argv, &a);
	if (prc) {
		usage(prc > 0 ? stdout : stderr);
		return prc > 0 ? SL_EXIT_OK : SL_EXIT_USAGE;
	}
	sl_network *net = NULL;
	sl_trace trace = {0};
	sl_sim *sims[MAX_POLICIES] = {0};
	outputs o;
	memset(&o, 0, sizeof o);
	int rc = load_inputs(&a, &net, &trace);
	if (rc)
		goto done;
	if (check_params(&a, net)) {
		rc = SL_EXIT_USAGE;
		goto done;
	}
	if (outputs_open(a.out, a.receipts_csv, &o)) {
		rc = SL_EXIT_INTERNAL;
		goto done;
	}
	for (int k = 0; k < a.npolicy && rc == SL_EXIT_OK; k++)
		rc = run_one(&a, net, &trace, k, &o, &sims[k]);
	if (rc == SL_EXIT_OK)
		rc = finish(&a, net, sims, &o);
done:
	if (outputs_close(&o) && rc == SL_EXIT_OK)
		rc = SL_EXIT_INTERNAL;
	for (int k = 0; k < MAX_POLICIES; k++)
		sl_sim_free(sims[k]);
	sl_trace_release(&trace);
	sl_network_free(net);
	return rc;
}
