/*
 * alibaba.c — the Alibaba GPU trace v2023 reader (contract in
 * io/alibaba.h): the pod list into an sl_srclog, the node list into the
 * log's machine size.  Both are plain comma-separated files without
 * quoting; a header names the columns (any order, each once).  Every field
 * is validated: a malformed line stops the read with "file:line: column
 * "x": ...", or is counted and skipped when reading leniently.
 */
#include "io/alibaba.h"

#include <string.h>
#include <unistd.h>

#include "core/mem.h"
#include "io/swf.h"
#include "io/trace_int.h"

enum pcol { P_NAME, P_CPU, P_MEM, P_NGPU, P_GMILLI, P_SPEC, P_QOS, P_PHASE, P_CREATE, P_DELETE,
            P_SCHED, NPCOL };
static const char *const pod_col[NPCOL] = {
	"name", "cpu_milli", "memory_mib", "num_gpu", "gpu_milli", "gpu_spec", "qos", "pod_phase",
	"creation_time", "deletion_time", "scheduled_time",
};

enum ncol { N_SN, N_CPU, N_MEM, N_GPU, N_MODEL, NNCOL };
static const char *const node_col[NNCOL] = {"sn", "cpu_milli", "memory_mib", "gpu", "model"};

#define MAX_FIELDS 16

typedef struct csvrow {
	const char *f[MAX_FIELDS];
	size_t len[MAX_FIELDS];
	int n;
} csvrow;

typedef struct ali_reader {
	sl__lines lines;
	const char *const *names;   /* column names of this file */
	int ncols;
	int col_at[MAX_FIELDS];     /* field position -> column */
	int lenient;
	sl_srclog *log;
	sl__idseen seen;
	int64_t max_create;
	int unsorted;
	sl_err *err;
} ali_reader;

/* ---- fields ---------------------------------------------------------- */

static int split(const char *p, const char *end, csvrow *row)
{
	row->n = 0;
	for (;;) {
		const char *q = memchr(p, ',', (size_t)(end - p));
		if (!q)
			q = end;
		if (row->n < MAX_FIELDS) {
			row->f[row->n] = p;
			row->len[row->n] = (size_t)(q - p);
		}
		row->n++;
		if (q == end)
			return row->n;
		p = q + 1;
	}
}

static int col_fail(ali_reader *r, sl_err *e, int c, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int col_fail(ali_reader *r, sl_err *e, int c, const char *fmt, ...)
{
	char msg[SL_ERR_MSG_MAX - 64];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return sl__line_fail(e, r->lines.name, r->lines.lineno, "column \"%s\": %s", r->names[c], msg);
}

/* The field of column c in row (the header fixed where it is). */
static const char *field(const ali_reader *r, const csvrow *row, int c, size_t *n)
{
	for (int k = 0; k < r->ncols; k++)
		if (r->col_at[k] == c) {
			*n = row->len[k];
			return row->f[k];
		}
	*n = 0;
	return "";
}

/* An integer in [lo, hi]; empty allowed (-1) when opt. */
static int get_int(ali_reader *r, sl_err *e, const csvrow *row, int c, int64_t lo, int64_t hi, int opt,
                   int64_t *out)
{
	size_t n;
	const char *p = field(r, row, c, &n);
	char b[64];
	if (n == 0) {
		if (opt) {
			*out = -1;
			return 0;
		}
		return col_fail(r, e, c, "empty; expected an integer");
	}
	int rc = sl__scan_i64(p, p + n, out);
	if (rc == 1)
		return col_fail(r, e, c, "expected an integer, got \"%s\"", sl__show(p, n, b, sizeof b));
	if (rc == 2 || *out > hi)
		return col_fail(r, e, c, "%s is too large (at most %lld)", sl__show(p, n, b, sizeof b), (long long)hi);
	if (*out < lo)
		return col_fail(r, e, c, "%lld is out of range (must be >= %lld)", (long long)*out, (long long)lo);
	return 0;
}

/* Index of the field's value among words[0..n), or a located error. */
static int get_word(ali_reader *r, sl_err *e, const csvrow *row, int c, const char *const *words, int n,
                    int *out)
{
	size_t len;
	const char *p = field(r, row, c, &len);
	for (int i = 0; i < n; i++)
		if (strlen(words[i]) == len && memcmp(words[i], p, len) == 0) {
			*out = i;
			return 0;
		}
	char b[64];
	return col_fail(r, e, c, "\"%s\" is not one of %s, %s, %s, %s", sl__show(p, len, b, sizeof b), words[0],
	                words[1], words[2], words[3]);
}

/* ---- header ---------------------------------------------------------- */

static int parse_header(ali_reader *r, sl_err *e, const char *p, const char *end)
{
	csvrow row;
	int seen[MAX_FIELDS] = {0}, n = split(p, end, &row);
	char b[64];
	if (n != r->ncols)
		return sl__line_fail(e, r->lines.name, r->lines.lineno,
		                     "header has %d columns, this file has %d (%s, %s, ...)", n, r->ncols,
		                     r->names[0], r->names[1]);
	for (int k = 0; k < n; k++) {
		int c = 0;
		while (c < r->ncols && !(strlen(r->names[c]) == row.len[k] && memcmp(r->names[c], row.f[k], row.len[k]) == 0))
			c++;
		if (c == r->ncols || seen[c])
			return sl__line_fail(e, r->lines.name, r->lines.lineno, "header: %s column \"%s\"",
			                     c == r->ncols ? "unknown" : "repeated",
			                     sl__show(row.f[k], row.len[k], b, sizeof b));
		seen[c] = 1;
		r->col_at[k] = c;
	}
	return 0;
}

/* ---- pods -------------------------------------------------------------- */

static const char *const qos_word[4] = {"LS", "BE", "Burstable", "Guaranteed"};
static const char *const phase_word[4] = {"Succeeded", "Failed", "Running", "Pending"};
static const int8_t phase_status[4] = {SL_LOGJ_DONE, SL_LOGJ_FAILED, SL_LOGJ_RUNNING, SL_LOGJ_PENDING};

/* The pod number: the digits that end its name ("openb-pod-0017" -> 17). */
static int pod_id(ali_reader *r, sl_err *e, const csvrow *row, int64_t *id)
{
	size_t n, k;
	const char *p = field(r, row, P_NAME, &n);
	char b[64];
	for (k = n; k > 0 && p[k - 1] >= '0' && p[k - 1] <= '9'; k--)
		;
	if (k == n || n - k > 18)
		return col_fail(r, e, P_NAME, "\"%s\": expected a pod name ending in its number",
		                sl__show(p, n, b, sizeof b));
	sl__scan_i64(p + k, p + n, id);
	return 0;
}

/* The three times: creation <= scheduled <= deletion; scheduled empty
 * exactly when the pod never ran (Pending). */
static int pod_times(ali_reader *r, sl_err *e, const csvrow *row, int phase, int64_t t[3])
{
	int rc;
	if ((rc = get_int(r, e, row, P_CREATE, 0, INT32_MAX, 0, &t[0])) ||
	    (rc = get_int(r, e, row, P_DELETE, 0, INT32_MAX, 0, &t[1])) ||
	    (rc = get_int(r, e, row, P_SCHED, 0, INT32_MAX, 1, &t[2])))
		return rc;
	if (t[1] < t[0])
		return col_fail(r, e, P_DELETE, "%lld is before creation_time %lld", (long long)t[1], (long long)t[0]);
	if ((t[2] < 0) != (phase == 3))
		return col_fail(r, e, P_SCHED, "%s for a %s pod (empty exactly when the pod is Pending)",
		                t[2] < 0 ? "empty" : "given", phase_word[phase]);
	if (t[2] >= 0 && (t[2] < t[0] || t[2] > t[1]))
		return col_fail(r, e, P_SCHED, "%lld is outside [creation_time, deletion_time] = [%lld, %lld]",
		                (long long)t[2], (long long)t[0], (long long)t[1]);
	return 0;
}

static int pod_sizes(ali_reader *r, sl_err *e, const csvrow *row, int64_t v[4])
{
	int rc;
	if ((rc = get_int(r, e, row, P_CPU, 0, 1000000000, 0, &v[0])) ||
	    (rc = get_int(r, e, row, P_MEM, 0, INT32_MAX, 0, &v[1])) ||
	    (rc = get_int(r, e, row, P_NGPU, 0, 1024, 0, &v[2])) ||
	    (rc = get_int(r, e, row, P_GMILLI, 0, 1000, 0, &v[3])))
		return rc;
	if ((v[2] == 0) != (v[3] == 0))
		return col_fail(r, e, P_GMILLI, "%lld with num_gpu %lld (0 exactly when the pod has no GPU)",
		                (long long)v[3], (long long)v[2]);
	if (v[0] == 0 && v[2] == 0)
		return col_fail(r, e, P_CPU, "0 and no GPU: the pod requests nothing to run on");
	return 0;
}

static int add_pod(ali_reader *r, sl_err *e, const csvrow *row)
{
	int64_t id = -1, v[4], t[3];
	int qos, phase, rc;
	if ((rc = pod_id(r, e, row, &id)) || (rc = pod_sizes(r, e, row, v)) ||
	    (rc = get_word(r, e, row, P_QOS, qos_word, 4, &qos)) ||
	    (rc = get_word(r, e, row, P_PHASE, phase_word, 4, &phase)) || (rc = pod_times(r, e, row, phase, t)))
		return rc;
	if (t[0] < r->max_create - SL_LOG_BACKSTEP_TOL_S)
		return col_fail(r, e, P_CREATE, "%lld is %lld s before an earlier pod's %lld (pods are sorted by "
		                "creation_time; at most %d s back is tolerated)", (long long)t[0],
		                (long long)(r->max_create - t[0]), (long long)r->max_create, SL_LOG_BACKSTEP_TOL_S);
	if (sl__idseen_add(&r->seen, id))
		return col_fail(r, e, P_NAME, "pod %lld appears twice", (long long)id);
	if (t[0] < r->max_create)
		r->unsorted = 1;
	else
		r->max_create = t[0];
	sl_srclog *L = r->log;
	if (L->n == L->cap)
		sl__grow((void **)&L->jobs, &L->cap, sizeof *L->jobs, L->n + 1);
	sl_logjob *j = &L->jobs[L->n++];
	memset(j, 0xff, sizeof *j); /* every field -1 */
	j->id = id;
	j->submit = t[0];
	j->wait_s = t[2] < 0 ? -1 : (int32_t)(t[2] - t[0]);
	j->run_s = t[2] < 0 ? -1 : (int32_t)(t[1] - t[2]);
	j->cpu_s = -1;
	j->cpu_milli = v[0];
	j->mem_mib = (int32_t)v[1];
	j->gpu_milli = v[2] * v[3];
	j->status = phase_status[phase];
	j->qos = (int8_t)(SL_QOS_LS + qos);
	j->line = (int32_t)(r->lines.lineno > INT32_MAX ? INT32_MAX : r->lines.lineno);
	return 0;
}

/* ---- nodes ------------------------------------------------------------- */

static int add_node(ali_reader *r, sl_err *e, const csvrow *row)
{
	int64_t cpu, mem, gpu;
	int rc;
	if ((rc = get_int(r, e, row, N_CPU, 0, 100000000, 0, &cpu)) ||
	    (rc = get_int(r, e, row, N_MEM, 0, INT64_MAX / 4, 0, &mem)) ||
	    (rc = get_int(r, e, row, N_GPU, 0, 1024, 0, &gpu)))
		return rc;
	size_t n;
	field(r, row, N_SN, &n);
	if (n == 0)
		return col_fail(r, e, N_SN, "empty; every node has a serial name");
	r->log->machine_cores += cpu; /* milli for now: whole cores at the end */
	r->log->machine_gpus += gpu;
	r->log->machine_nodes++;
	return 0;
}

/* ---- the read loop ------------------------------------------------------ */

static int bad_line(ali_reader *r, int rc, const sl_err *e)
{
	if (!r->lenient) {
		if (r->err)
			*r->err = *e;
		return rc;
	}
	sl__read_report_add(&r->log->report, e);
	return 0;
}

static int read_rows(ali_reader *r, int (*add)(ali_reader *, sl_err *, const csvrow *))
{
	const char *line;
	size_t n;
	int rc, have_header = 0;
	csvrow row;
	while ((rc = sl__lines_next(&r->lines, &line, &n, r->err)) == 1) {
		sl_err e = {0};
		sl__lines_skip_bom(&r->lines, &line, &n);
		if (n == 0)
			continue;
		if (!have_header) {
			if ((rc = parse_header(r, &e, line, line + n))) {
				if (r->err)
					*r->err = e; /* no header: nothing can be read, even leniently */
				return rc;
			}
			have_header = 1;
			continue;
		}
		int nf = split(line, line + n, &row);
		if (nf != r->ncols)
			rc = sl__line_fail(&e, r->lines.name, r->lines.lineno, "row has %d fields, the header has %d",
			                   nf, r->ncols);
		else
			rc = add(r, &e, &row);
		if (rc && (rc = bad_line(r, rc, &e)))
			return rc;
	}
	if (rc < 0)
		return rc;
	if (!have_header)
		return sl_err_set(r->err, SL_EPARSE, r->lines.name, "empty file: no header line (%s,%s,...)",
		                  r->names[0], r->names[1]);
	return 0;
}

static void header_set(sl_srclog *log)
{
	static const char text[] =
		"Source: Alibaba GPU cluster trace v2023 (alibaba/clusterdata, cluster-trace-gpu-v2023)\n"
		"Cite: Q. Weng et al., \"Beware of Fragmentation: Scheduling GPU-Sharing Workloads with "
		"Fragmentation Gradient Descent\", USENIX ATC 2023\n"
		"Note: the trace gives no absolute start; time 0 is read as midnight, UTC+08:00\n";
	log->header = sl_strdup(text);
	log->utc_offset_s = 8 * 3600;
	log->tz = SL_TZ_FIXED;
	snprintf(log->tz_name, sizeof log->tz_name, "Asia/Shanghai");
}

static int read_pods(ali_reader *r, const sl_read_opts *opts, sl_srclog *log)
{
	r->names = pod_col;
	r->ncols = NPCOL;
	r->lenient = opts && opts->lenient;
	r->log = log;
	log->format = SL_LOG_ALIBABA;
	const char *base = strrchr(r->lines.name, '/');
	log->name = sl_strdup(base ? base + 1 : r->lines.name);
	int rc = read_rows(r, add_pod);
	sl__idseen_free(&r->seen);
	sl__lines_close(&r->lines);
	if (rc == 0 && r->unsorted)
		sl__srclog_sort(log);
	if (rc == 0)
		header_set(log);
	return rc;
}

static int read_nodes(ali_reader *r, const sl_read_opts *opts, sl_srclog *log)
{
	r->names = node_col;
	r->ncols = NNCOL;
	r->lenient = opts && opts->lenient;
	r->log = log;
	int rc = read_rows(r, add_node);
	sl__lines_close(&r->lines);
	log->machine_cores /= 1000; /* whole cores */
	return rc;
}

/* The node list beside the pod list, if there is one ("" if not). */
static void nodes_beside(const char *pods_path, char *buf, size_t n)
{
	const char *slash = strrchr(pods_path, '/');
	int dir = slash ? (int)(slash - pods_path + 1) : 0;
	snprintf(buf, n, "%.*s%s", dir, pods_path, SL_ALIBABA_NODES_FILE);
	if (access(buf, R_OK) != 0)
		buf[0] = '\0';
}

static int finish(int rc, sl_srclog *log, sl_srclog *out)
{
	if (rc) {
		sl_srclog_release(log);
		return rc;
	}
	sl_srclog_release(out);
	*out = *log;
	return 0;
}

int sl_alibaba_load(const char *pods_path, const char *nodes_path, const sl_read_opts *opts,
                    sl_srclog *out, sl_err *err)
{
	sl_srclog log;
	ali_reader r;
	char beside[4096];
	memset(&log, 0, sizeof log);
	memset(&r, 0, sizeof r);
	r.err = err;
	int rc = sl__lines_open(&r.lines, pods_path, err);
	if (rc == 0)
		rc = read_pods(&r, opts, &log);
	if (rc == 0 && !nodes_path) {
		nodes_beside(pods_path, beside, sizeof beside);
		nodes_path = beside[0] ? beside : NULL;
	}
	if (rc == 0 && nodes_path) {
		memset(&r, 0, sizeof r);
		r.err = err;
		if ((rc = sl__lines_open(&r.lines, nodes_path, err)) == 0)
			rc = read_nodes(&r, opts, &log);
	}
	return finish(rc, &log, out);
}

int sl_alibaba_parse(const char *pods, size_t pods_len, const char *pods_name, const char *nodes,
                     size_t nodes_len, const char *nodes_name, const sl_read_opts *opts,
                     sl_srclog *out, sl_err *err)
{
	sl_srclog log;
	ali_reader r;
	memset(&log, 0, sizeof log);
	memset(&r, 0, sizeof r);
	r.err = err;
	sl__lines_mem(&r.lines, pods, pods_len, pods_name ? pods_name : "<pods>");
	int rc = read_pods(&r, opts, &log);
	if (rc == 0 && nodes) {
		memset(&r, 0, sizeof r);
		r.err = err;
		sl__lines_mem(&r.lines, nodes, nodes_len, nodes_name ? nodes_name : "<nodes>");
		rc = read_nodes(&r, opts, &log);
	}
	return finish(rc, &log, out);
}
