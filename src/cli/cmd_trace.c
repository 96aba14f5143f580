/*
 * cmd_trace.c — `suanli trace gen SCENARIO ...`: generate a synthetic
 * workload trace in the native CSV format (docs/trace-format.md).
 *
 * A thin wrapper: parse options, load the scenario, call sl_workload_gen,
 * write the file.  `trace stats` and `trace convert` join here later as
 * further sub-verbs of the same table.
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

static void usage(FILE *f)
{
	fprintf(f, "usage: suanli trace <gen> ...\n\n"
	           "  gen SCENARIO (--days N | --jobs N) --seed S [--load L] [--start ISO] -o FILE.csv\n"
	           "                 generate a synthetic workload trace for a scenario\n\n"
	           "`suanli trace gen --help` says more.  The trace format is\n"
	           "docs/trace-format.md.\n");
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

static int load_scenario(const char *path, sl_network **net)
{
	sl_diags d = {0};
	sl_err e = {0};
	int rc = sl_scenario_load(path, net, &d, &e);
	if (rc == SL_EIO)
		cli_error("trace gen", "%s: %s", path, e.msg);
	else if (rc) {
		sl_diags_print(&d, stderr);
		cli_error("trace gen", "%s: invalid scenario (`suanli scenario check` lists the errors)", path);
	}
	sl_diags_release(&d);
	return rc == 0 ? SL_EXIT_OK : rc == SL_EIO ? SL_EXIT_INPUT : SL_EXIT_FAIL;
}

/* Write t to path ("-" = stdout); a failed write leaves no partial file. */
static int write_trace(const char *path, const sl_network *net, const sl_trace *t)
{
	int is_stdout = strcmp(path, "-") == 0;
	FILE *f = is_stdout ? stdout : fopen(path, "w");
	sl_err e = {0};
	if (!f) {
		cli_error("trace gen", "%s: cannot create: %s", path, strerror(errno));
		return SL_EXIT_INTERNAL;
	}
	int rc = sl_trace_write_csv(f, net, t, &e);
	if (!is_stdout && fclose(f) != 0 && rc == 0)
		rc = sl_err_set(&e, SL_EIO, NULL, "closing failed: %s", strerror(errno));
	if (rc) {
		cli_error("trace gen", "%s: %s", path, e.msg);
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
	int status = load_scenario(a.scenario, &net);
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
	status = write_trace(a.out, net, &t);
	if (status == SL_EXIT_OK && strcmp(a.out, "-") != 0)
		printf("%s: %zu jobs\n%s", a.out, t.n, t.comment ? t.comment : "");
done:
	sl_trace_release(&t);
	sl_network_free(net);
	return status;
}

typedef struct subverb {
	const char *name;
	int (*run)(int argc, char **argv);
} subverb;

static const subverb subverbs[] = {
	{"gen", cmd_gen},
};

int cmd_trace(int argc, char **argv)
{
	if (argc < 2) {
		cli_error("trace", "which sub-verb? (gen)");
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
	cli_error("trace", "unknown sub-verb \"%s\" (known: gen)", argv[1]);
	usage(stderr);
	return SL_EXIT_USAGE;
}
