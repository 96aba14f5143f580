/*
 * test_alibaba.c — the Alibaba GPU trace v2023 reader: the shipped pod and
 * node lists (counts, phases, QoS, fractional GPUs, times), every kind of
 * malformed line with its line number, lenient reading, the node list
 * beside the pods, random damage.
 */
#include "testutil.h"

#include "core/rng.h"
#include "io/alibaba.h"

#define TRACES "data/traces/"
#define HDR "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time\n"
#define NHDR "sn,cpu_milli,memory_mib,gpu,model\n"

static int parse(const char *pods, const char *nodes, sl_srclog *log, sl_err *e)
{
	return sl_alibaba_parse(pods, strlen(pods), "p.csv", nodes, nodes ? strlen(nodes) : 0, "n.csv", NULL, log, e);
}

static void check_shipped(const char *pods)
{
	sl_srclog log = {0};
	sl_err e = {0};
	int rc = sl_alibaba_load(pods, NULL, NULL, &log, &e);
	if (rc)
		print_error("%s: %s\n", e.origin, e.msg);
	assert_int_equal(rc, 0);
	assert_int_equal(log.format, SL_LOG_ALIBABA);
	assert_int_equal(log.n, 8152);
	/* the node list beside it was read: 1,523 nodes, 6,212 GPUs */
	assert_int_equal(log.machine_nodes, 1523);
	assert_int_equal(log.machine_gpus, 6212);
	assert_true(log.machine_cores > 100000);
	size_t phase[9] = {0}, qos[SL_QOS_COUNT] = {0}, frac = 0, cpu_only = 0;
	int64_t milli = 0;
	for (size_t i = 0; i < log.n; i++) {
		const sl_logjob *j = &log.jobs[i];
		phase[j->status + 1]++;
		qos[j->qos]++;
		frac += j->gpu_milli > 0 && j->gpu_milli % 1000 != 0;
		cpu_only += j->gpu_milli == 0;
		milli += j->gpu_milli;
		assert_true((j->run_s < 0) == (j->status == SL_LOGJ_PENDING));
		if (i)
			assert_true(j->submit >= log.jobs[i - 1].submit);
	}
	assert_int_equal(phase[SL_LOGJ_FAILED + 1], 1870);
	assert_int_equal(phase[SL_LOGJ_DONE + 1], 192);
	assert_int_equal(phase[SL_LOGJ_RUNNING + 1], 5193);
	assert_int_equal(phase[SL_LOGJ_PENDING + 1], 897);
	assert_int_equal(qos[SL_QOS_LS], 4647);
	assert_int_equal(qos[SL_QOS_BE], 3398);
	assert_int_equal(qos[SL_QOS_BURSTABLE], 100);
	assert_int_equal(qos[SL_QOS_GUARANTEED], 7);
	assert_int_equal(frac, 3078);
	assert_int_equal(cpu_only, 1088);
	assert_int_equal(milli, 6086800);
	/* "openb-pod-0001,6000,12288,1,460,,LS,Running,427061,12902960,427061" */
	const sl_logjob *j = &log.jobs[1];
	assert_int_equal(j->id, 1);
	assert_int_equal(j->cpu_milli, 6000);
	assert_int_equal(j->mem_mib, 12288);
	assert_int_equal(j->gpu_milli, 460);
	assert_int_equal(j->submit, 427061);
	assert_int_equal(j->wait_s, 0);
	assert_int_equal(j->run_s, 12902960 - 427061);
	assert_int_equal(j->line, 3);
	assert_int_equal(j->procs, -1);
	assert_int_equal(j->est_s, -1);
	assert_int_equal(log.utc_offset_s, 8 * 3600);
	assert_non_null(strstr(log.header, "Beware of Fragmentation"));
	sl_srclog_release(&log);
}

static void test_shipped(void **st)
{
	(void)st;
	check_shipped(TRACES "openb_pod_list_default.csv");
	check_shipped(TRACES "openb_pod_list_gpuspec33.csv");
}

static void test_good_rows(void **st)
{
	(void)st;
	sl_srclog log = {0};
	sl_err e = {0};
	/* columns in another order, a pending pod, eight whole GPUs, a BOM, CRLF */
	const char *pods = "\xEF\xBB\xBFqos,name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,pod_phase,"
	                   "creation_time,deletion_time,scheduled_time\r\n"
	                   "BE,pod-7,3152,5600,1,250,V100M16|V100M32,Failed,100,300,150\r\n"
	                   "Guaranteed,pod-8,88000,327680,8,1000,,Succeeded,120,1000,130\n"
	                   "BE,pod-9,4000,100,0,0,,Pending,130,200,\n";
	const char *nodes = NHDR "n-1,32000,262144,0,\nn-2,96000,786432,8,V100M32\n";
	assert_int_equal(parse(pods, nodes, &log, &e), 0);
	assert_int_equal(log.n, 3);
	assert_int_equal(log.jobs[0].id, 7);
	assert_int_equal(log.jobs[0].qos, SL_QOS_BE);
	assert_int_equal(log.jobs[0].status, SL_LOGJ_FAILED);
	assert_int_equal(log.jobs[0].wait_s, 50);
	assert_int_equal(log.jobs[0].run_s, 150);
	assert_int_equal(log.jobs[1].gpu_milli, 8000);
	assert_int_equal(log.jobs[1].status, SL_LOGJ_DONE);
	assert_int_equal(log.jobs[2].gpu_milli, 0);
	assert_int_equal(log.jobs[2].run_s, -1);
	assert_int_equal(log.jobs[2].wait_s, -1);
	assert_int_equal(log.jobs[2].status, SL_LOGJ_PENDING);
	assert_int_equal(log.machine_cores, 128);
	assert_int_equal(log.machine_gpus, 8);
	assert_int_equal(log.machine_nodes, 2);
	sl_srclog_release(&log);
}

typedef struct bad_case {
	const char *rows;   /* after the header */
	int line;
	const char *needle;
} bad_case;

static const bad_case bad_cases[] = {
	{"pod-1,1000,10,1,1000,,LS,Running,0,10\n", 2, "row has 10 fields, the header has 11"},
	{"pod-1,1000,10,1,1000,,LS,Running,0,10,0,0\n", 2, "row has 12 fields"},
	{"pod,1000,10,1,1000,,LS,Running,0,10,0\n", 2, "column \"name\": \"pod\": expected a pod name ending in its number"},
	{"pod-1,1k,10,1,1000,,LS,Running,0,10,0\n", 2, "column \"cpu_milli\": expected an integer, got \"1k\""},
	{"pod-1,-5,10,1,1000,,LS,Running,0,10,0\n", 2, "column \"cpu_milli\": -5 is out of range"},
	{"pod-1,1000,10,1,1500,,LS,Running,0,10,0\n", 2, "column \"gpu_milli\": 1500 is too large"},
	{"pod-1,1000,10,0,460,,LS,Running,0,10,0\n", 2, "column \"gpu_milli\": 460 with num_gpu 0"},
	{"pod-1,1000,10,2,0,,LS,Running,0,10,0\n", 2, "column \"gpu_milli\": 0 with num_gpu 2"},
	{"pod-1,0,10,0,0,,LS,Running,0,10,0\n", 2, "column \"cpu_milli\": 0 and no GPU"},
	{"pod-1,1000,10,1,1000,,XX,Running,0,10,0\n", 2, "column \"qos\": \"XX\" is not one of LS, BE"},
	{"pod-1,1000,10,1,1000,,LS,Done,0,10,0\n", 2, "column \"pod_phase\": \"Done\" is not one of"},
	{"pod-1,1000,10,1,1000,,LS,Running,,10,0\n", 2, "column \"creation_time\": empty"},
	{"pod-1,1000,10,1,1000,,LS,Running,20,10,15\n", 2, "column \"deletion_time\": 10 is before creation_time 20"},
	{"pod-1,1000,10,1,1000,,LS,Running,0,10,\n", 2, "column \"scheduled_time\": empty for a Running pod"},
	{"pod-1,1000,10,1,1000,,LS,Pending,0,10,5\n", 2, "column \"scheduled_time\": given for a Pending pod"},
	{"pod-1,1000,10,1,1000,,LS,Running,5,10,11\n", 2, "column \"scheduled_time\": 11 is outside"},
	{"pod-1,1000,10,1,1000,,LS,Running,500,600,500\npod-2,1000,10,1,1000,,LS,Running,100,600,100\n", 3,
	 "column \"creation_time\": 100 is 400 s before an earlier pod's 500"},
	{"pod-1,1000,10,1,1000,,LS,Running,0,10,0\nx-1,1000,10,1,1000,,LS,Running,0,10,0\n", 3,
	 "column \"name\": pod 1 appears twice"},
};

static void test_bad_rows(void **st)
{
	(void)st;
	char text[1024], where[64];
	for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
		const bad_case *c = &bad_cases[i];
		sl_srclog log = {0};
		sl_err e = {0};
		snprintf(text, sizeof text, HDR "%s", c->rows);
		int rc = parse(text, NULL, &log, &e);
		snprintf(where, sizeof where, "p.csv:%d", c->line);
		if (rc != SL_EPARSE || strcmp(e.origin, where) != 0 || !strstr(e.msg, c->needle))
			print_error("case %zu: rc %d, \"%s: %s\"; want %s and \"%s\"\n", i, rc, e.origin, e.msg, where,
			            c->needle);
		assert_int_equal(rc, SL_EPARSE);
		assert_string_equal(e.origin, where);
		assert_non_null(strstr(e.msg, c->needle));
		assert_null(log.jobs);
	}
}

static void test_bad_headers_and_nodes(void **st)
{
	(void)st;
	sl_srclog log = {0};
	sl_err e = {0};
	assert_int_equal(parse("name,cpu_milli\n", NULL, &log, &e), SL_EPARSE);
	assert_string_equal(e.origin, "p.csv:1");
	assert_non_null(strstr(e.msg, "header has 2 columns, this file has 11"));
	assert_int_equal(parse("name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,"
	                       "deletion_time,start_time\n", NULL, &log, &e), SL_EPARSE);
	assert_non_null(strstr(e.msg, "unknown column \"start_time\""));
	assert_int_equal(parse("", NULL, &log, &e), SL_EPARSE);
	assert_non_null(strstr(e.msg, "no header line"));
	const char *pods = HDR "pod-1,1000,10,1,1000,,LS,Running,0,10,0\n";
	assert_int_equal(parse(pods, NHDR "n-1,32000,1,0,\nn-2,32000,1,x,\n", &log, &e), SL_EPARSE);
	assert_string_equal(e.origin, "n.csv:3");
	assert_non_null(strstr(e.msg, "column \"gpu\": expected an integer"));
	assert_int_equal(parse(pods, NHDR ",32000,1,0,\n", &log, &e), SL_EPARSE);
	assert_non_null(strstr(e.msg, "column \"sn\": empty"));
	assert_null(log.jobs);
	/* an explicit node list that does not exist is an I/O error */
	assert_int_equal(sl_alibaba_load(TRACES "openb_pod_list_default.csv", "/nonexistent/nodes.csv", NULL, &log, &e),
	                 SL_EIO);
	assert_null(log.jobs);
}

static void test_lenient(void **st)
{
	(void)st;
	const char *pods = HDR "pod-1,1000,10,1,1000,,LS,Running,0,10,0\n"
	                       "pod-2,1000,10,1,1000,,LS,Sleeping,1,10,1\n"
	                       "pod-3,1000,10,1,1000,,LS,Running,2,10,2\n"
	                       "pod-3,1000,10,1,1000,,LS,Running,3,10,3\n";
	sl_read_opts ro = {.lenient = 1};
	sl_srclog log = {0};
	sl_err e = {0};
	assert_int_equal(sl_alibaba_parse(pods, strlen(pods), "p.csv", NULL, 0, NULL, &ro, &log, &e), 0);
	assert_int_equal(log.n, 2);
	assert_int_equal(log.report.bad, 2);
	assert_non_null(strstr(log.report.shown[0], "p.csv:3: column \"pod_phase\""));
	assert_non_null(strstr(log.report.shown[1], "p.csv:5: column \"name\": pod 3 appears twice"));
	sl_srclog_release(&log);
}

static void test_mutations(void **st)
{
	(void)st;
	const char *base = HDR "pod-1,12000,16384,1,1000,,LS,Running,0,12537496,0\n"
	                       "pod-2,6000,12288,1,460,T4|P100,BE,Failed,427061,427161,427070\n"
	                       "pod-3,4000,100,0,0,,Burstable,Pending,500000,500100,\n";
	static const char alphabet[] = "0123456789,-|\n\rLSBEPx\x00";
	size_t len = strlen(base);
	char *buf = malloc(len + 8);
	sl_rng r;
	sl_rng_seed(&r, 99);
	int ok = 0, bad = 0;
	for (int i = 0; i < 20000; i++) {
		memcpy(buf, base, len);
		size_t n = len;
		n = tu_mutate(&r, buf, n, alphabet, sizeof alphabet - 1, 3);
		sl_srclog log = {0};
		sl_err e = {0};
		sl_read_opts ro = {.lenient = (int)(i & 1)};
		int rc = sl_alibaba_parse(buf, n, "m.csv", NULL, 0, NULL, &ro, &log, &e);
		if (rc == 0) {
			ok++;
			for (size_t j = 0; j < log.n; j++)
				assert_true(log.jobs[j].cpu_milli > 0 || log.jobs[j].gpu_milli > 0);
		} else {
			bad++;
			assert_int_equal(rc, SL_EPARSE);
			assert_int_equal(strncmp(e.origin, "m.csv", 5), 0);
		}
		sl_srclog_release(&log);
	}
	assert_true(ok > 100 && bad > 100);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped),
		cmocka_unit_test(test_good_rows),
		cmocka_unit_test(test_bad_rows),
		cmocka_unit_test(test_bad_headers_and_nodes),
		cmocka_unit_test(test_lenient),
		cmocka_unit_test(test_mutations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
