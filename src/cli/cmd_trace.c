/*
 * cmd_trace.c — `suanli trace gen|stats|convert`: generate a synthetic
 * workload trace, describe any trace (native CSV, SWF, the Alibaba GPU
 * trace), and convert one into the native CSV format
 * (docs/trace-format.md).
 *
 * Thin wrappers: parse options, load the scenario when one is given, call
 * the library (sl_workload_gen; sl_srclog_load, sl_trace_stats_*;
 * sl_trace_load_any, sl_trace_write_csv), print or write the result.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "core/diag.h"
#include "core/time.h"
#include "io/scenario.h"
#include "io/trace.h"
#include "io/trace_map.h"
#include "io/trace_stats.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: suanli trace <gen|stats|convert> ...\n\n"
	           "  gen SCENARIO (--days N | --jobs N) --seed S [--load L] [--start ISO] -o FILE.csv\n"
	           "                 generate a synthetic workload trace for a scenario\n"
	           "  stats FILE [--scenario S] [--json] [mapping options]\n"
	           "                 describe a trace: native CSV, SWF or the Alibaba GPU trace\n"
	           "  convert IN -o OUT.csv [--scenario S] [mapping options]\n"
	           "                 turn a trace into the native CSV (a SWF or Alibaba log is\n"
	           "                 mapped onto the scenario)\n\n"
	           "`suanli trace VERB --help` says more.  The formats and the mapping are\n"
	           "described in docs/trace-format.md.\n");
}

static void usage_gen(FILE *f)
{
	fprintf(f, "usage: suanli trace gen SCENARIO (--days N | --jobs N) --seed S [--load L]\n"
	           "                        [--start ISO] -o FILE.csv\n\n"
	           "Generate a synthetic workload for the scenario's origins and job classes:\n"
	           "arrivals per origin with a diurnal and weekly pattern in the origin's local\n"
	           "time, sizes and runtimes from the job classes, runtime estimates that\n"
	           "over-ask (and some that under-ask, to be killed), deadlines, input/output\n"
	           "bytes and data tags.  The same options give the same file, byte for byte.\n\n"
	           "  --days N      trace length in days (may be fractional); the job count\n"
	           "                follows from the load\n"
	           "  --jobs N      instead of --days: exactly N jobs; the length follows from\n"
	           "                the load\n"
	           "  --seed S      random seed (an unsigned integer), required\n"
	           "  --load L      target offered utilisation of the binding resource (CPU\n"
	           "                cores or GPUs) over the trace, in (0, 2]; default 0.7\n"
	           "  --start ISO   first instant, e.g. 2025-07-14T00:00:00+08:00 (without an\n"
	           "                offset: the scenario's time zone); default the scenario start\n"
	           "  -o FILE       output CSV file (\"-\" for standard output), required\n\n"
	           "The model and the native CSV format are described in docs/trace-format.md.\n\n"
	           "exit status: 0 written, 1 the scenario is invalid or cannot drive the\n"
	           "generator, 2 bad command line, 3 the scenario cannot be read, 4 the\n"
	           "output cannot be written.\n");
}

typedef struct gen_args {
	const char *scenario, *out, *start;
	int have_days, have_jobs, have_seed;
	sl_gen_opts opts;
} gen_args;

static int parse_double(const char *opt, const char *s, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (end == s || *end || errno) {
		cli_error("trace gen", "%s: expected a number, got \"%s\"", opt, s);
		return -1;
	}
	*out = v;
	return 0;
}

static int parse_u64(const char *opt, const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (end == s || *end || errno || s[0] == '-' || s[0] == '+' || s[0] == ' ') {
		cli_error("trace gen", "%s: expected an unsigned integer, got \"%s\"", opt, s);
		return -1;
	}
	*out = v;
	return 0;
}

static int parse_seed(const char *s, uint64_t *out)
{
	return parse_u64("--seed", s, out);
}

static int parse_count(const char *s, uint64_t *out)
{
	if (parse_u64("--jobs", s, out))
		return -1;
	if (*out == 0) {
		cli_error("trace gen", "--jobs: must be at least 1");
		return -1;
	}
	return 0;
}

/* What parse_gen cannot see one option at a time.  Returns 0 or -1. */
static int check_gen(const gen_args *a)
{
	const char *missing = !a->scenario ? "SCENARIO" : !a->have_days && !a->have_jobs ? "--days N or --jobs N"
	                      : !a->have_seed ? "--seed S" : !a->out ? "-o FILE" : NULL;
	if (missing) {
		cli_error("trace gen", "%s is required", missing);
		return -1;
	}
	if (a->have_days && a->have_jobs) {
		cli_error("trace gen", "give --days or --jobs, not both");
		return -1;
	}
	if ((a->have_days && !(a->opts.days > 0 && a->opts.days <= 3660)) ||
	    !(a->opts.load > 0 && a->opts.load <= 2)) {
		cli_error("trace gen", "--days must be in (0, 3660] and --load in (0, 2]");
		return -1;
	}
	return 0;
}

/* Parse argv into *a.  Returns -1 on a usage error (reported), 1 for
 * --help, 0 otherwise. */
static int parse_gen(int argc, char **argv, gen_args *a)
{
	memset(a, 0, sizeof *a);
	a->opts.load = 0.7;
	for (int i = 1; i < argc; i++) {
		const char *o = argv[i];
		if (cli_is_help(o))
			return 1;
		int takes = !strcmp(o, "--days") || !strcmp(o, "--jobs") || !strcmp(o, "--seed") || !strcmp(o, "--load") ||
		            !strcmp(o, "--start") || !strcmp(o, "-o") || !strcmp(o, "--output");
		if (takes && i + 1 >= argc) {
			cli_error("trace gen", "%s needs a value", o);
			return -1;
		}
		if (!strcmp(o, "--days")) {
			if (parse_double(o, argv[++i], &a->opts.days))
				return -1;
			a->have_days = 1;
		} else if (!strcmp(o, "--jobs")) {
			uint64_t n;
			if (parse_count(argv[++i], &n))
				return -1;
			a->opts.jobs = (size_t)n;
			a->have_jobs = 1;
		} else if (!strcmp(o, "--seed")) {
			if (parse_seed(argv[++i], &a->opts.seed))
				return -1;
			a->have_seed = 1;
		} else if (!strcmp(o, "--load")) {
			if (parse_double(o, argv[++i], &a->opts.load))
				return -1;
		} else if (!strcmp(o, "--start")) {
			a->start = argv[++i];
		} else if (!strcmp(o, "-o") || !strcmp(o, "--output")) {
			a->out = argv[++i];
		} else if (o[0] == '-' && o[1]) {
			cli_error("trace gen", "unknown option \"%s\"", o);
			return -1;
		} else if (!a->scenario) {
			a->scenario = o;
		} else {
			cli_error("trace gen", "unexpected argument \"%s\" (one SCENARIO only)", o);
			return -1;
		}
	}
	return check_gen(a);
}

static int load_scenario(const char *verb, const char *path, sl_network **net)
{
	sl_diags d = {0};
	sl_err e = {0};
	int rc = sl_scenario_load(path, net, &d, &e);
	if (rc == SL_EIO)
		cli_error(verb, "%s: %s", path, e.msg);
	else if (rc) {
		sl_diags_print(&d, stderr);
		cli_error(verb, "%s: invalid scenario (`suanli scenario check` lists the errors)", path);
	}
	sl_diags_release(&d);
	return rc == 0 ? SL_EXIT_OK : rc == SL_EIO ? SL_EXIT_INPUT : SL_EXIT_FAIL;
}

/* Write t to path ("-" = stdout); a failed write leaves no partial file. */
static int write_trace(const char *verb, const char *path, const sl_network *net, const sl_trace *t)
{
	int is_stdout = strcmp(path, "-") == 0;
	FILE *f = is_stdout ? stdout : fopen(path, "w");
	sl_err e = {0};
	if (!f) {
		cli_error(verb, "%s: cannot create: %s", path, strerror(errno));
		return SL_EXIT_INTERNAL;
	}
	int rc = sl_trace_write_csv(f, net, t, &e);
	if (!is_stdout && fclose(f) != 0 && rc == 0)
		rc = sl_err_set(&e, SL_EIO, NULL, "closing failed: %s", strerror(errno));
	if (rc) {
		cli_error(verb, "%s: %s", path, e.msg);
		if (!is_stdout)
			unlink(path);
		return SL_EXIT_INTERNAL;
	}
	return SL_EXIT_OK;
}

static int cmd_gen(int argc, char **argv)
{
	gen_args a;
	int rc = parse_gen(argc, argv, &a);
	if (rc) {
		usage_gen(rc > 0 ? stdout : stderr);
		return rc > 0 ? SL_EXIT_OK : SL_EXIT_USAGE;
	}
	sl_network *net = NULL;
	sl_trace t = {0};
	sl_err e = {0};
	int status = load_scenario("trace gen", a.scenario, &net);
	if (status)
		return status;
	if (a.start && sl_time_parse_iso(a.start, net->utc_offset_s, &a.opts.start, &e)) {
		cli_error("trace gen", "--start: %s", e.msg);
		status = SL_EXIT_USAGE;
		goto done;
	}
	if (sl_workload_gen(net, &a.opts, &t, &e)) {
		cli_error("trace gen", "%s%s%s", e.origin, e.origin[0] ? ": " : "", e.msg);
		status = SL_EXIT_FAIL;
		goto done;
	}
	status = write_trace("trace gen", a.out, net, &t);
	if (status == SL_EXIT_OK && strcmp(a.out, "-") != 0)
		printf("%s: %zu jobs\n%s", a.out, t.n, t.comment ? t.comment : "");
done:
	sl_trace_release(&t);
	sl_network_free(net);
	return status;
}

/* ---- stats and convert --------------------------------------------------- */

#define MAX_KV 32

static const char map_help[] =
	"mapping options (a SWF or Alibaba log onto the scenario's network; the\n"
	"rules are in docs/trace-format.md, \"Real workload logs\"):\n"
	"  --map K=V,...   any of the keys below, e.g. origins=scenario,seed=7\n"
	"  --seed N        seed of the mapping's draws (default 1)\n"
	"  --origins O     scenario (by the origins' shares, the default) or one origin id\n"
	"  --classes C     size (by work rank and the class shares, the default) or one class id\n"
	"  --start ISO     move the log (by whole days, weekdays kept) to start on the\n"
	"                  first same weekday on or after this date (default: the\n"
	"                  scenario start)\n"
	"  --scale X       cores or GPUs per log processor (default 1); auto: the log's\n"
	"                  machine becomes the network's capacity\n"
	"  --status S      failed and cancelled jobs: keep (default), drop, or ran (keep\n"
	"                  only jobs that ran)\n"
	"  --limit N       at most N jobs (the first, after the window)\n"
	"  --window A..B   only jobs submitted in [A, B): durations after the log's first\n"
	"                  job (30d..37d) or UTC dates (2003-01-06..2003-01-13)\n"
	"  --nodes FILE    the Alibaba node list (default: the one beside the pod list)\n"
	"  --lenient       skip malformed lines (SWF, Alibaba), report how many and the\n"
	"                  first few, instead of stopping at the first\n";

typedef struct tr_args {
	const char *verb, *in, *out, *scenario;
	int json;
	char *kv[MAX_KV];     /* "key=value" mapping options, heap strings */
	int nkv;
} tr_args;

static void tr_args_free(tr_args *a)
{
	for (int i = 0; i < a->nkv; i++)
		free(a->kv[i]);
}

static int add_kv(tr_args *a, const char *key, const char *v)
{
	if (a->nkv == MAX_KV) {
		cli_error(a->verb, "too many mapping options");
		return -1;
	}
	size_t n = strlen(key) + strlen(v) + 2;
	char *kv = malloc(n);
	if (!kv)
		return -1;
	snprintf(kv, n, "%s%s%s", key, key[0] ? "=" : "", v);
	a->kv[a->nkv++] = kv;
	return 0;
}

/* A mapping flag ("--seed 7" -> "seed=7"); returns 1 if o is none. */
static int map_flag(tr_args *a, const char *o, const char *v)
{
	static const char *const flags[] = {"seed", "origins", "classes", "start", "scale", "status",
	                                    "limit", "window", "nodes"};
	if (!strcmp(o, "--map"))
		return add_kv(a, "", v);
	for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
		if (o[0] == '-' && o[1] == '-' && !strcmp(o + 2, flags[i]))
			return add_kv(a, flags[i], v);
	return 1;
}

/* Returns -1 on a usage error (reported), 1 for --help, 0 otherwise. */
static int parse_tr(int argc, char **argv, tr_args *a, int is_stats)
{
	for (int i = 1; i < argc; i++) {
		const char *o = argv[i];
		if (cli_is_help(o))
			return 1;
		if (!strcmp(o, "--lenient")) {
			if (add_kv(a, "lenient", "yes"))
				return -1;
			continue;
		}
		if (is_stats && !strcmp(o, "--json")) {
			a->json = 1;
			continue;
		}
		if (o[0] != '-' || !o[1]) {
			if (a->in)
				return cli_error(a->verb, "unexpected argument \"%s\" (one trace file only)", o), -1;
			a->in = o;
			continue;
		}
		if (i + 1 >= argc)
			return cli_error(a->verb, "%s needs a value, or is unknown (see --help)", o), -1;
		const char *v = argv[++i];
		if (!strcmp(o, "--scenario")) {
			a->scenario = v;
		} else if (!is_stats && (!strcmp(o, "-o") || !strcmp(o, "--output"))) {
			a->out = v;
		} else {
			int rc = map_flag(a, o, v);
			if (rc > 0)
				return cli_error(a->verb, "unknown option \"%s\" (see --help)", o), -1;
			if (rc)
				return -1;
		}
	}
	if (!a->in)
		return cli_error(a->verb, "a trace FILE is required"), -1;
	if (!is_stats && !a->out)
		return cli_error(a->verb, "-o OUT.csv is required"), -1;
	return 0;
}

/* The mapping options from the flags; the default zone of --start is the
 * scenario's.  Returns 0 or SL_EXIT_USAGE (reported). */
static int build_map(const tr_args *a, const sl_network *net, sl_map_opts *mo)
{
	sl_err e = {0};
	sl_map_opts_init(mo);
	for (int i = 0; i < a->nkv; i++)
		if (sl_map_opts_parse(mo, a->kv[i], net ? net->utc_offset_s : 8 * 3600, &e)) {
			cli_error(a->verb, "%s", e.msg);
			return SL_EXIT_USAGE;
		}
	return 0;
}

static int input_error(const char *verb, int rc, const sl_err *e)
{
	char buf[SL_ERR_MSG_MAX + SL_ERR_ORIGIN_MAX + 4];
	cli_error(verb, "%s", sl_err_format(e, buf, sizeof buf));
	return rc == SL_EINVAL || rc == SL_ERANGE ? SL_EXIT_FAIL : SL_EXIT_INPUT;
}

static void usage_stats(FILE *f)
{
	fprintf(f, "usage: suanli trace stats FILE [--scenario S] [--json] [mapping options]\n\n"
	           "Describe a workload trace: a native CSV trace, a Standard Workload Format\n"
	           "log (Parallel Workloads Archive), or an Alibaba GPU trace v2023 pod list;\n"
	           "plain or gzip.  It reports the jobs and their fates, the span, arrivals by\n"
	           "hour of day and day of week in the log's local time, the distributions of\n"
	           "size, runtime, requested time and wait, the accuracy of the runtime\n"
	           "estimates, and the load the log offered its own machine.  With --scenario\n"
	           "it also maps the log onto the scenario's network (as `trace convert`\n"
	           "would) and reports the load it offers that network.\n\n"
	           "  --scenario S    a scenario YAML: report the offered utilisation of its\n"
	           "                  network (a native trace is then read against it)\n"
	           "  --json          one JSON object instead of the report\n\n%s\n"
	           "exit status: 0 done, 1 the scenario is invalid or the log cannot be mapped\n"
	           "onto it, 2 bad command line, 3 the trace or scenario cannot be read.\n",
	        map_help);
}

static void usage_convert(FILE *f)
{
	fprintf(f, "usage: suanli trace convert IN -o OUT.csv [--scenario S] [mapping options]\n\n"
	           "Write a trace in the native CSV format (docs/trace-format.md).  A SWF log or\n"
	           "an Alibaba GPU trace pod list is mapped onto the scenario's network (origins,\n"
	           "classes, sizes, data, deadlines, tags, times; --scenario is required) and the\n"
	           "mapping's parameters are written into the file's comment lines.  A native\n"
	           "trace is copied: read and written again, with or without a scenario,\n"
	           "reproducing a file suanli wrote byte for byte.\n\n"
	           "  -o FILE         output CSV (\"-\" for standard output), required\n"
	           "  --scenario S    the scenario to map onto (required for SWF and Alibaba)\n\n%s\n"
	           "exit status: 0 written, 1 the scenario is invalid or the log cannot be\n"
	           "mapped onto it, 2 bad command line, 3 the input cannot be read, 4 the\n"
	           "output cannot be written.\n",
	        map_help);
}

/* The trace stats report a log against net: mapped, or read against it. */
static int stats_offered(const tr_args *a, const sl_srclog *log, const sl_network *net,
                         const sl_map_opts *mo, sl_trace_stats *s)
{
	sl_trace t = {0};
	sl_err e = {0};
	int rc = log->format == SL_LOG_NATIVE ? sl_trace_load_csv(a->in, net, &t, &e)
	                                      : sl_trace_map(log, net, mo, &t, &e);
	if (rc)
		return input_error(a->verb, log->format == SL_LOG_NATIVE ? SL_EPARSE : rc, &e);
	sl_trace_stats_offered(s, net, &t);
	sl_trace_release(&t);
	return SL_EXIT_OK;
}

static int run_stats(const tr_args *a, sl_network *net)
{
	sl_map_opts mo;
	sl_srclog log;
	sl_trace_stats s;
	sl_err e = {0};
	memset(&log, 0, sizeof log);
	int status = build_map(a, net, &mo), rc;
	if (status)
		return status;
	if ((rc = sl_srclog_load(a->in, &mo, &log, &e)))
		return input_error(a->verb, SL_EPARSE, &e);
	sl_read_report_print(stderr, "suanli trace stats: ", &log.report);
	if (log.format == SL_LOG_NATIVE && net) {
		log.utc_offset_s = net->utc_offset_s;
		snprintf(log.tz_name, sizeof log.tz_name, "the scenario's");
	} else if (log.format == SL_LOG_NATIVE) {
		snprintf(log.tz_name, sizeof log.tz_name, "UTC (give --scenario for its zone)");
	}
	sl_trace_stats_compute(&log, &s);
	if (net)
		status = stats_offered(a, &log, net, &mo, &s);
	if (status == SL_EXIT_OK) {
		rc = a->json ? sl_trace_stats_write_json(stdout, &s, &e) : sl_trace_stats_print(stdout, &s, &e);
		if (rc)
			status = (cli_error(a->verb, "%s", e.msg), SL_EXIT_INTERNAL);
	}
	sl_srclog_release(&log);
	return status;
}

/* Read IN for convert: a native trace against net (or its own ids), a log
 * mapped onto net.  *wnet is the network to write with. */
static int convert_read(const tr_args *a, sl_network *net, sl_network **own, sl_trace *t)
{
	sl_map_opts mo;
	sl_read_report rep;
	sl_err e = {0};
	int status = build_map(a, net, &mo), fmt = sl_trace_sniff(a->in, &e), rc;
	if (status)
		return status;
	if (fmt < 0)
		return input_error(a->verb, fmt, &e);
	if (fmt == SL_LOG_NATIVE) {
		sl_read_report note = {.lenient_ignored = mo.lenient};
		sl_read_report_print(stderr, "suanli trace convert: ", &note);
		rc = net ? sl_trace_load_csv(a->in, net, t, &e) : sl_trace_load_csv_ids(a->in, own, t, &e);
		return rc ? input_error(a->verb, SL_EPARSE, &e) : SL_EXIT_OK;
	}
	if (fmt != SL_LOG_UNKNOWN && !net) {
		cli_error(a->verb, "%s: converting a %s log needs --scenario (the network its jobs are mapped onto)",
		          a->in, fmt == SL_LOG_SWF ? "SWF" : "Alibaba");
		return SL_EXIT_USAGE;
	}
	rc = sl_trace_load_any(a->in, net, &mo, t, &rep, &e);
	if (rc)
		return input_error(a->verb, rc == SL_EUNSUPPORTED ? SL_EPARSE : rc, &e);
	sl_read_report_print(stderr, "suanli trace convert: ", &rep);
	return SL_EXIT_OK;
}

static int run_convert(const tr_args *a, sl_network *net)
{
	sl_network *own = NULL;
	sl_trace t = {0};
	int status = convert_read(a, net, &own, &t);
	if (status == SL_EXIT_OK)
		status = write_trace(a->verb, a->out, net ? net : own, &t);
	if (status == SL_EXIT_OK && strcmp(a->out, "-") != 0)
		printf("%s: %zu jobs\n", a->out, t.n);
	sl_trace_release(&t);
	sl_network_free(own);
	return status;
}

/* Shared by stats and convert: parse, load the scenario, run. */
static int stats_or_convert(int argc, char **argv, int is_stats)
{
	tr_args a;
	memset(&a, 0, sizeof a);
	a.verb = is_stats ? "trace stats" : "trace convert";
	int rc = parse_tr(argc, argv, &a, is_stats);
	if (rc) {
		(is_stats ? usage_stats : usage_convert)(rc > 0 ? stdout : stderr);
		tr_args_free(&a);
		return rc > 0 ? SL_EXIT_OK : SL_EXIT_USAGE;
	}
	sl_network *net = NULL;
	int status = a.scenario ? load_scenario(a.verb, a.scenario, &net) : SL_EXIT_OK;
	if (status == SL_EXIT_OK)
		status = is_stats ? run_stats(&a, net) : run_convert(&a, net);
	sl_network_free(net);
	tr_args_free(&a);
	return status;
}

static int cmd_stats(int argc, char **argv)
{
	return stats_or_convert(argc, argv, 1);
}

static int cmd_convert(int argc, char **argv)
{
	return stats_or_convert(argc, argv, 0);
}

typedef struct subverb {
	const char *name;
	int (*run)(int argc, char **argv);
} subverb;

static const subverb subverbs[] = {
	{"gen", cmd_gen},
	{"stats", cmd_stats},
	{"convert", cmd_convert},
};

int cmd_trace(int argc, char **argv)
{
	if (argc < 2) {
		cli_error("trace", "which sub-verb? (gen, stats, convert)");
		usage(stderr);
		return SL_EXIT_USAGE;
	}
	if (cli_is_help(argv[1]) || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return SL_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof subverbs / sizeof subverbs[0]; i++)
		if (strcmp(argv[1], subverbs[i].name) == 0)
			return subverbs[i].run(argc - 1, argv + 1);
	cli_error("trace", "unknown sub-verb \"%s\" (known: gen, stats, convert)", argv[1]);
	usage(stderr);
	return SL_EXIT_USAGE;
}
