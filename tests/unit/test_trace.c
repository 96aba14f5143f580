/*
 * test_trace.c — the native CSV trace: good files, every kind of bad row
 * (each with its line number and column), files and gzip, round trips,
 * offered load.
 */
#include "testutil.h"

#include <unistd.h>
#include <zlib.h>

#include "core/rng.h"
#include "io/trace.h"
#include "test_trace_net.h"

#define HDR "job_id,submit,origin,class,cores,gpus,est_s,run_s,deadline_s,latency_budget_ms,input_bytes,output_bytes,data_tag,tenant\n"

static int parse(const sl_network *net, const char *text, sl_trace *t, sl_err *e)
{
	return sl_trace_parse_csv(text, strlen(text), "t.csv", net, t, e);
}

/* Same jobs, field by field (padding is not compared). */
static void assert_jobs_equal(const sl_trace *a, const sl_trace *b)
{
	assert_int_equal(a->n, b->n);
	for (size_t i = 0; i < a->n; i++) {
		const sl_job *x = &a->jobs[i], *y = &b->jobs[i];
		assert_int_equal(x->id, y->id);
		assert_int_equal(x->submit, y->submit);
		assert_int_equal(x->deadline_s, y->deadline_s);
		assert_int_equal(x->input_bytes, y->input_bytes);
		assert_int_equal(x->output_bytes, y->output_bytes);
		assert_int_equal(x->est_s, y->est_s);
		assert_int_equal(x->run_s, y->run_s);
		assert_int_equal(x->cores, y->cores);
		assert_int_equal(x->gpus, y->gpus);
		assert_true(x->latency_budget_ms == y->latency_budget_ms);
		assert_int_equal(x->origin, y->origin);
		assert_int_equal(x->cls, y->cls);
		assert_int_equal(x->tag, y->tag);
		assert_int_equal(x->tenant, y->tenant);
	}
}

/* Write t to a heap string (caller frees). */
static char *write_mem(const sl_network *net, const sl_trace *t, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	assert_non_null(f);
	sl_err e = {0};
	assert_int_equal(sl_trace_write_csv(f, net, t, &e), 0);
	fclose(f);
	return buf;
}

static void test_good_rows(void **st)
{
	(void)st;
	sl_network *net = tn_new();
	sl_trace t = {0};
	sl_err e = {0};
	/* BOM, comments, CRLF, a blank line, columns in another order, empty
	 * class and tag, a fractional latency budget. */
	const char *csv = "\xEF\xBB\xBF# made by hand\r\n"
	                  "# second comment\n"
	                  "submit,job_id,origin,class,gpus,cores,est_s,run_s,deadline_s,latency_budget_ms,"
	                  "input_bytes,output_bytes,data_tag,tenant\r\n"
	                  "1735660800,7,CQ,batch,0,64,3600,1800,86400,0,1000000000,5000,CN_PI,3\r\n"
	                  "\n"
	                  "1735660800,9,FRA,,2,8,300,30,0,12.5,0,0,,0\n"
	                  "1735664400,8,SG,training,8,32,7200,9000,0,0,5,6,SG_PD,32767";
	assert_int_equal(parse(net, csv, &t, &e), 0);
	assert_int_equal(t.n, 3);
	const sl_job *j = &t.jobs[0];
	assert_int_equal(j->id, 7);
	assert_int_equal(j->submit, 1735660800);
	assert_int_equal(j->origin, 0);
	assert_int_equal(j->cls, 1);
	assert_int_equal(j->cores, 64);
	assert_int_equal(j->gpus, 0);
	assert_int_equal(j->est_s, 3600);
	assert_int_equal(j->run_s, 1800);
	assert_int_equal(j->deadline_s, 86400);
	assert_int_equal(j->input_bytes, 1000000000);
	assert_int_equal(j->output_bytes, 5000);
	assert_int_equal(j->tag, 0);
	assert_int_equal(j->tenant, 3);
	j = &t.jobs[1];
	assert_int_equal(j->origin, 2);
	assert_int_equal(j->cls, -1);
	assert_int_equal(j->tag, -1);
	assert_true(j->latency_budget_ms == 12.5f);
	assert_int_equal(j->cores, 8);
	assert_int_equal(j->gpus, 2);
	j = &t.jobs[2];
	assert_int_equal(j->id, 8); /* ids need not increase, only be unique */
	assert_int_equal(j->run_s, 9000); /* beyond est_s: will be killed, legal */
	assert_int_equal(j->tag, 1);
	assert_int_equal(j->tenant, 32767);
	assert_string_equal(t.comment, "# made by hand\n# second comment\n");
	sl_trace_release(&t);
	assert_null(t.jobs);
	sl_network_free(net);
}

typedef struct bad_case {
	const char *rows;    /* after the header (line 1) */
	int line;
	const char *needle;  /* must appear in the message: the column */
} bad_case;

static const bad_case bad_cases[] = {
	/* wrong field counts */
	{"1,100,CQ,batch,4,0,600,60,0,0,0,0,\n", 2, "\"tenant\" is missing"},
	{"1,100,CQ,batch,4,0,600,60,0,0,0,0,,0,9\n", 2, "extra field after column \"tenant\""},
	{"1,100,CQ,batch,4,0,600,60,0,0,0,0,,0\n2,100,CQ,batch,4\n", 3, "\"gpus\" is missing"},
	/* non-integers and ranges */
	{"1,100,CQ,batch,4x,0,600,60,0,0,0,0,,0\n", 2, "column \"cores\": expected an integer"},
	{"1,100,CQ,batch,4,-1,600,60,0,0,0,0,,0\n", 2, "column \"gpus\": -1 is out of range"},
	{"1,100,CQ,batch,4,0,0,60,0,0,0,0,,0\n", 2, "column \"est_s\": 0 is out of range"},
	{"1,100,CQ,batch,4,0,-600,60,0,0,0,0,,0\n", 2, "column \"est_s\""},
	{"1,100,CQ,batch,4,0,3000000000,60,0,0,0,0,,0\n", 2, "column \"est_s\": 3000000000 is too large"},
	{"1,100,CQ,batch,4,0,600,-5,0,0,0,0,,0\n", 2, "column \"run_s\""},
	{"1,100,CQ,batch,4,0,600,60,1.5,0,0,0,,0\n", 2, "column \"deadline_s\": expected an integer"},
	{"1,100,CQ,batch,4,0,600,60,0,fast,0,0,,0\n", 2, "column \"latency_budget_ms\": expected a number"},
	{"1,100,CQ,batch,4,0,600,60,0,-3.5,0,0,,0\n", 2, "column \"latency_budget_ms\": -3.5 is negative"},
	{"1,100,CQ,batch,4,0,600,60,0,nan,0,0,,0\n", 2, "column \"latency_budget_ms\""},
	{"1,100,CQ,batch,4,0,600,60,0,0,99999999999999999999,0,,0\n", 2, "column \"input_bytes\": 99999999999999999999 is too large"},
	{"1,100,CQ,batch,4,0,600,60,0,0,0,-1,,0\n", 2, "column \"output_bytes\""},
	{"1,100,CQ,batch,4,0,600,60,0,0,0,0,,40000\n", 2, "column \"tenant\": 40000 is too large"},
	{"x1,100,CQ,batch,4,0,600,60,0,0,0,0,,0\n", 2, "column \"job_id\""},
	{"1,,CQ,batch,4,0,600,60,0,0,0,0,,0\n", 2, "column \"submit\": empty"},
	{"1,100,CQ,batch, 4,0,600,60,0,0,0,0,,0\n", 2, "column \"cores\""},
	/* sizes: a job needs something to run on */
	{"1,100,CQ,batch,0,0,600,60,0,0,0,0,,0\n", 2, "\"cores\" and \"gpus\" are both 0"},
	/* ids of the scenario */
	{"1,100,LHASA,batch,4,0,600,60,0,0,0,0,,0\n", 2, "column \"origin\": unknown origin \"LHASA\""},
	{"1,100,,batch,4,0,600,60,0,0,0,0,,0\n", 2, "column \"origin\": empty"},
	{"1,100,\"CQ\",batch,4,0,600,60,0,0,0,0,,0\n", 2, "no quoting"},
	{"1,100,CQ,render,4,0,600,60,0,0,0,0,,0\n", 2, "column \"class\": unknown job class \"render\""},
	{"1,100,CQ,batch,4,0,600,60,0,0,0,0,EU_PD,0\n", 2, "column \"data_tag\": unknown data tag \"EU_PD\""},
	{"1,100,CQ,batch,4,0,600,60,0,0,0,0,cn_pi,0\n", 2, "column \"data_tag\""}, /* case matters */
	/* order and uniqueness */
	{"1,100,CQ,,4,0,600,60,0,0,0,0,,0\n2,99,CQ,,4,0,600,60,0,0,0,0,,0\n", 3,
	 "column \"submit\": 99 is before the previous row's 100"},
	{"1,100,CQ,,4,0,600,60,0,0,0,0,,0\n2,100,CQ,,4,0,600,60,0,0,0,0,,0\n"
	 "1,101,CQ,,4,0,600,60,0,0,0,0,,0\n", 4, "column \"job_id\": job 1 appears twice"},
	{"5,100,CQ,,4,0,600,60,0,0,0,0,,0\n3,100,CQ,,4,0,600,60,0,0,0,0,,0\n"
	 "4,100,CQ,,4,0,600,60,0,0,0,0,,0\n3,101,CQ,,4,0,600,60,0,0,0,0,,0\n", 5, "job 3 appears twice"},
	/* a comment after the header is fine, but the line count goes on */
	{"# note\n1,100,CQ,batch,4,0,600,60,0,0,0,0,,0\n1,100,CQ,batch,4,0,600,60,0,0,0,0,,0\n", 4,
	 "job 1 appears twice"},
};

static void test_bad_rows(void **st)
{
	(void)st;
	sl_network *net = tn_new();
	char text[1024], where[64];
	for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
		const bad_case *c = &bad_cases[i];
		sl_trace t = {0};
		sl_err e = {0};
		snprintf(text, sizeof text, HDR "%s", c->rows);
		int rc = parse(net, text, &t, &e);
		snprintf(where, sizeof where, "t.csv:%d", c->line);
		if (rc != SL_EPARSE || strcmp(e.origin, where) != 0 || !strstr(e.msg, c->needle))
			print_error("case %zu: rc %d, \"%s: %s\"; want %s and \"%s\"\n", i, rc, e.origin,
			            e.msg, where, c->needle);
		assert_int_equal(rc, SL_EPARSE);
		assert_string_equal(e.origin, where);
		assert_non_null(strstr(e.msg, c->needle));
		assert_null(t.jobs); /* out untouched on failure */
	}
	sl_network_free(net);
}

static void test_bad_header(void **st)
{
	(void)st;
	sl_network *net = tn_new();
	static const struct {
		const char *text;
		const char *origin, *needle;
	} cases[] = {
		{"", "t.csv", "no header line"},
		{"# only a comment\n\n", "t.csv", "no header line"},
		{"job_id,submit,origin\n", "t.csv:1", "missing columns class, cores, gpus"},
		{"# c\njob_id,submit,origin,class,cores,gpus,est_s,run_s,deadline_s,latency_budget_ms,"
		 "input_bytes,output_bytes,data_tag\n", "t.csv:2", "missing column tenant"},
		{"job_id,submit,origin,class,cores,gpus,est_s,run_s,deadline_s,latency_budget_ms,"
		 "input_bytes,output_bytes,data_tag,tenant,user\n", "t.csv:1", "unknown column \"user\""},
		{"job_id,submit,origin,class,cores,gpus,est_s,run_s,deadline_s,latency_budget_ms,"
		 "input_bytes,output_bytes,data_tag,cores\n", "t.csv:1", "column \"cores\" appears twice"},
		{"job_id;submit;origin\n", "t.csv:1", "unknown column \"job_id;submit;origin\""},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		sl_trace t = {0};
		sl_err e = {0};
		assert_int_equal(parse(net, cases[i].text, &t, &e), SL_EPARSE);
		assert_string_equal(e.origin, cases[i].origin);
		if (!strstr(e.msg, cases[i].needle))
			print_error("case %zu: \"%s\"\n", i, e.msg);
		assert_non_null(strstr(e.msg, cases[i].needle));
	}
	/* a header alone is a valid, empty trace */
	sl_trace t = {0};
	sl_err e = {0};
	assert_int_equal(parse(net, HDR, &t, &e), 0);
	assert_int_equal(t.n, 0);
	sl_trace_release(&t);
	sl_network_free(net);
}

static void test_round_trip(void **st)
{
	(void)st;
	sl_network *net = tn_new();
	sl_trace a = {0}, b = {0};
	sl_err e = {0};
	sl_gen_opts o = {.seed = 11, .days = 3, .load = 0.6};
	assert_int_equal(sl_workload_gen(net, &o, &a, &e), 0);
	assert_true(a.n > 1000);
	/* exercise the float writer beyond whole numbers */
	a.jobs[0].latency_budget_ms = 0.1f;
	a.jobs[1].latency_budget_ms = 12.5f;
	a.jobs[2].latency_budget_ms = 3.0e-7f;
	a.jobs[3].latency_budget_ms = 1.2345678e12f;
	a.jobs[4].tenant = 77;
	size_t n1, n2;
	char *s1 = write_mem(net, &a, &n1);
	assert_int_equal(sl_trace_parse_csv(s1, n1, "rt.csv", net, &b, &e), 0);
	assert_jobs_equal(&a, &b);
	assert_string_equal(a.comment, b.comment);
	char *s2 = write_mem(net, &b, &n2);
	assert_int_equal(n1, n2);
	assert_memory_equal(s1, s2, n1);
	free(s1);
	free(s2);
	sl_trace_release(&a);
	sl_trace_release(&b);
	sl_network_free(net);
}

/* A temporary file path under TMPDIR; the file is created empty. */
static void tmp_path(char *buf, size_t n, const char *suffix)
{
	const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	snprintf(buf, n, "%s/sl_test_trace_XXXXXX%s", dir, suffix);
	int fd = mkstemps(buf, (int)strlen(suffix));
	assert_true(fd >= 0);
	close(fd);
}

static void test_files_and_gzip(void **st)
{
	(void)st;
	sl_network *net = tn_new();
	sl_trace a = {0}, b = {0};
	sl_err e = {0};
	sl_gen_opts o = {.seed = 5, .days = 10, .load = 0.5};
	assert_int_equal(sl_workload_gen(net, &o, &a, &e), 0);
	size_t n;
	char *s = write_mem(net, &a, &n);
	char plain[256], gz[256], cut[256];
	tmp_path(plain, sizeof plain, ".csv");
	tmp_path(gz, sizeof gz, ".csv.gz");
	tmp_path(cut, sizeof cut, ".csv.gz");
	FILE *f = fopen(plain, "wb");
	assert_int_equal(fwrite(s, 1, n, f), n);
	fclose(f);
	gzFile z = gzopen(gz, "wb");
	assert_int_equal(gzwrite(z, s, (unsigned)n), (int)n);
	gzclose(z);
	/* plain and gzip read the same jobs; the file is bigger than one buffer */
	assert_true(n > (1u << 20));
	assert_int_equal(sl_trace_load_csv(plain, net, &b, &e), 0);
	assert_jobs_equal(&a, &b);
	sl_trace_release(&b);
	assert_int_equal(sl_trace_load_csv(gz, net, &b, &e), 0);
	assert_jobs_equal(&a, &b);
	sl_trace_release(&b);
	/* a truncated gzip file is an I/O error, not a shorter trace */
	FILE *in = fopen(gz, "rb"), *out = fopen(cut, "wb");
	fseek(in, 0, SEEK_END);
	long half = ftell(in) / 2;
	fseek(in, 0, SEEK_SET);
	for (long i = 0; i < half; i++)
		fputc(fgetc(in), out);
	fclose(in);
	fclose(out);
	assert_int_equal(sl_trace_load_csv(cut, net, &b, &e), SL_EIO);
	assert_string_equal(e.origin, cut);
	/* a missing file */
	assert_int_equal(sl_trace_load_csv("/nonexistent/x.csv", net, &b, &e), SL_EIO);
	assert_non_null(strstr(e.msg, "cannot open"));
	/* an error deep in a file names its line */
	f = fopen(plain, "r+b");
	fseek(f, (long)(n - 2), SEEK_SET); /* last row's tenant: "0\n" -> "x\n" */
	fputc('x', f);
	fclose(f);
	assert_int_equal(sl_trace_load_csv(plain, net, &b, &e), SL_EPARSE);
	char where[300];
	snprintf(where, sizeof where, "%s:%zu", plain, a.n + 3); /* 2 comment lines, header */
	assert_string_equal(e.origin, where);
	assert_non_null(strstr(e.msg, "\"tenant\""));
	unlink(plain);
	unlink(gz);
	unlink(cut);
	free(s);
	sl_trace_release(&a);
	sl_network_free(net);
}

static void test_long_line(void **st)
{
	(void)st;
	sl_network *net = tn_new();
	char path[256];
	tmp_path(path, sizeof path, ".csv");
	FILE *f = fopen(path, "wb");
	fputs(HDR "1,100,CQ,", f);
	for (int i = 0; i < (1 << 20) + 10; i++)
		fputc('a', f);
	fputs("\n", f);
	fclose(f);
	sl_trace t = {0};
	sl_err e = {0};
	char where[300];
	assert_int_equal(sl_trace_load_csv(path, net, &t, &e), SL_EPARSE);
	snprintf(where, sizeof where, "%s:2", path);
	assert_string_equal(e.origin, where);
	assert_non_null(strstr(e.msg, "longer than"));
	unlink(path);
	sl_network_free(net);
}

static void test_writer_refs(void **st)
{
	(void)st;
	sl_network *net = tn_new();
	sl_trace t = {0};
	sl_job j = {.id = 1, .submit = 5, .est_s = 300, .run_s = 1, .cores = 1, .origin = 3, .cls = -1, .tag = -1};
	sl_trace_push(&t, &j);
	sl_err e = {0};
	FILE *f = tmpfile();
	assert_int_equal(sl_trace_write_csv(f, net, &t, &e), SL_EINVAL);
	fclose(f);
	sl_trace_release(&t);
	sl_network_free(net);
}

static void test_offered_and_comments(void **st)
{
	(void)st;
	sl_network *net = tn_new(); /* 64000 cores, 3200 GPUs */
	sl_trace t = {0};
	sl_job a = {.id = 1, .est_s = 7200, .run_s = 3600, .cores = 640, .gpus = 0};
	sl_job b = {.id = 2, .est_s = 1800, .run_s = 3600, .cores = 0, .gpus = 32}; /* killed at 1800 */
	sl_trace_push(&t, &a);
	sl_trace_push(&t, &b);
	sl_offered off;
	sl_trace_offered(net, &t, 3600, &off);
	assert_near(off.core_s, 640.0 * 3600, 1e-6);
	assert_near(off.gpu_s, 32.0 * 1800, 1e-6);
	assert_near(off.util_cpu, 0.01, 1e-12);
	assert_near(off.util_gpu, 0.005, 1e-12);
	assert_near(off.util, 0.01, 1e-12);
	sl_trace_comment_add(&t, "seed %d", 7);
	sl_trace_comment_add(&t, "two\nlines\n");
	assert_string_equal(t.comment, "# seed 7\n# two\n# lines\n");
	sl_trace_release(&t);
	sl_trace_release(NULL);
	sl_network_free(net);
}

/* Random damage to a valid file: every result is a trace or a located
 * parse error, never a crash (run under ASan/UBSan by `make asan`). */
static void test_mutations(void **st)
{
	(void)st;
	sl_network *net = tn_new();
	const char *base = "# c\n" HDR
	                   "1,100,CQ,batch,4,0,600,60,0,0,10,20,CN_PI,0\n"
	                   "2,160,SG,training,32,8,7200,9000,86400,12.5,1000,2000,,1\n"
	                   "3,170,FRA,,1,0,300,1,0,50,0,0,,0\n";
	static const char alphabet[] = "0123456789,-.\n\r#\"aZ_ \xEF\xBB\xBF\x00e+";
	size_t len = strlen(base);
	char *buf = malloc(len + 8);
	sl_rng r;
	sl_rng_seed(&r, 2024);
	int ok = 0, bad = 0;
	for (int i = 0; i < 20000; i++) {
		memcpy(buf, base, len);
		size_t n = len;
		n = tu_mutate(&r, buf, n, alphabet, sizeof alphabet - 1, 4);
		sl_trace t = {0};
		sl_err e = {0};
		int rc = sl_trace_parse_csv(buf, n, "t.csv", net, &t, &e);
		if (rc == 0) {
			ok++;
			for (size_t j = 0; j < t.n; j++)
				assert_true(t.jobs[j].cores + t.jobs[j].gpus > 0 && t.jobs[j].est_s > 0);
		} else {
			bad++;
			assert_int_equal(rc, SL_EPARSE);
			assert_int_equal(strncmp(e.origin, "t.csv", 5), 0);
			assert_true(e.msg[0] != '\0');
		}
		sl_trace_release(&t);
	}
	assert_true(ok > 100 && bad > 100); /* both paths exercised */
	free(buf);
	sl_network_free(net);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_rows),
		cmocka_unit_test(test_bad_rows),
		cmocka_unit_test(test_bad_header),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_files_and_gzip),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_writer_refs),
		cmocka_unit_test(test_offered_and_comments),
		cmocka_unit_test(test_mutations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
