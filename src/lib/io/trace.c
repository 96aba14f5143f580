/*
 * trace.c — the sl_trace container: growth, comment lines, offered load.
 * The CSV reader and writer are in trace_csv.c, the generator in sim/gen.c.
 */
#include "io/trace.h"

#include <stdarg.h>
#include <string.h>

#include "core/mem.h"

void sl_trace_release(sl_trace *t)
{
	if (!t)
		return;
	sl_free(t->jobs);
	sl_free(t->comment);
	memset(t, 0, sizeof *t);
}

void sl_trace_push(sl_trace *t, const sl_job *job)
{
	if (t->n == t->cap)
		sl__grow((void **)&t->jobs, &t->cap, sizeof *t->jobs, t->n + 1);
	t->jobs[t->n++] = *job;
}

/* Append s[0..n) to the comment string. */
static void comment_append(sl_trace *t, const char *s, size_t n)
{
	size_t have = t->comment ? strlen(t->comment) : 0;
	t->comment = sl_realloc(t->comment, have + n + 1);
	memcpy(t->comment + have, s, n);
	t->comment[have + n] = '\0';
}

void sl_trace_comment_add(sl_trace *t, const char *fmt, ...)
{
	char text[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	const char *p = text;
	for (;;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		comment_append(t, "# ", 2);
		comment_append(t, p, n);
		comment_append(t, "\n", 1);
		if (!nl || !nl[1])
			break;
		p = nl + 1;
	}
}

void sl_trace_offered(const sl_network *net, const sl_trace *t, int64_t span_s, sl_offered *out)
{
	int64_t cores, gpus;
	double core_s = 0, gpu_s = 0;
	sl_network_capacity(net, &cores, &gpus);
	for (size_t i = 0; i < t->n; i++) {
		const sl_job *j = &t->jobs[i];
		double busy_s = j->run_s < j->est_s ? j->run_s : j->est_s; /* killed at est_s */
		core_s += busy_s * j->cores;
		gpu_s += busy_s * j->gpus;
	}
	memset(out, 0, sizeof *out);
	out->core_s = core_s;
	out->gpu_s = gpu_s;
	if (span_s > 0 && cores > 0)
		out->util_cpu = core_s / ((double)cores * (double)span_s);
	if (span_s > 0 && gpus > 0)
		out->util_gpu = gpu_s / ((double)gpus * (double)span_s);
	out->util = out->util_cpu > out->util_gpu ? out->util_cpu : out->util_gpu;
}
