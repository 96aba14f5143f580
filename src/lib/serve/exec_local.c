/*
 * exec_local.c — the local executor: jobs as processes on this machine.
 *
 * A job is started with posix_spawn in a new session, so its process group id
 * is its pid and a signal to -pid reaches every descendant that stays in the
 * group; stdin is /dev/null, stdout and stderr go to files, the working
 * directory is the job's, and the environment is exactly the spec's plus a
 * small documented set.  The end of a job is noticed through a pidfd in one
 * epoll set (the fd the caller's loop waits on) or, where pidfds are not
 * available, by a scan every SL_EXEC_SCAN_MS.  Time limits and kill grace
 * periods are deadlines on the injected monotonic clock, kept in a heap and
 * enforced by poll.
 *
 * No threads, no signal handlers, no SIGCHLD: the executor never touches the
 * process's signal dispositions and reaps only its own pids, so several
 * executors (and other code that forks) can share a process.  The caller must
 * not set SIGCHLD to SIG_IGN (the kernel would then reap the jobs and their
 * exit codes would be lost; such jobs end as ENDED).
 *
 * docs/executors.md has the user-facing semantics.
 */
#include "serve/exec.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/heap.h"
#include "core/mem.h"

#include "core/banned.h"

#define DEFAULT_PATH "/usr/local/bin:/usr/bin:/bin"
#define NS_PER_MS 1000000LL
#define NS_PER_S 1000000000LL
#define EPOLL_BATCH 64
#define GRACE_MS_MAX (3600 * 1000LL)

/* Exit codes of a job that could not be started, after the shell's
 * convention (126 found but not runnable, 127 not found) and env(1)'s 125
 * (the launcher itself failed: working directory, output files). */
enum { CODE_SETUP = 125, CODE_NOEXEC = 126, CODE_NOTFOUND = 127 };

enum { WHY_NONE = 0, WHY_TIMEOUT, WHY_CANCEL }; /* why we signalled a job */

/* A live job.  Invariant: pid leads its own session and process group
 * (pgid == sid == pid), and while the job is in the map its pid number is
 * held by it: a child is not reaped before job_reap, and an adopted job is
 * checked (leader_held) before each group signal. */
typedef struct job {
	int64_t id;
	pid_t pid;
	int pidfd;                     /* -1: watched by scanning */
	int child;                     /* 1: ours to reap; 0: adopted, someone else reaps */
	int why;                       /* WHY_*: why we signalled it, if we did */
	unsigned long long proc_start; /* /proc/PID/stat starttime: tells a reused pid apart */
	int64_t start;                 /* UTC seconds */
	int64_t limit_s;               /* time limit, for messages; 0 = none */
	int64_t limit_ns;              /* monotonic time-limit deadline; 0 = none */
	int64_t kill_ns;               /* monotonic SIGKILL deadline; 0 = none pending */
	char handle[SL_EXEC_HANDLE_MAX];
} job;

/* Live jobs by id: open addressing, linear probing, deletion by backward
 * shift (no tombstones).  Invariant: 2 * n <= cap, cap a power of two or 0. */
typedef struct jobmap {
	job **slot;
	size_t cap, n;
} jobmap;

typedef struct local {
	sl_exec_config cfg;      /* pointers borrowed (see exec.h) */
	char *jobs_dir;          /* absolute */
	int64_t grace_ns;
	int epfd;                /* epoll set of the jobs' pidfds: the caller's fd */
	int devnull;             /* the jobs' stdin */
	int warned_scan;         /* logged that a pidfd was unavailable */
	size_t nscan;            /* live jobs with pidfd == -1 */
	jobmap jobs;
	sl_heap timers;          /* (deadline ns, seq, job id); stale entries allowed */
	uint64_t seq;
	SL_VEC(sl_exec_event) q; /* events not yet returned: q.v[qhead .. q.n) */
	size_t qhead;
} local;

/* ---- small helpers ---------------------------------------------------- */

static int64_t now_s(const local *ex) { return sl_clock_now(ex->cfg.clock); }
static int64_t now_ns(const local *ex) { return sl_clock_now_ns(ex->cfg.clock); }

static const char *errstr(int e)
{
	const char *s = strerrordesc_np(e);
	return s ? s : "unknown error";
}

static char *str_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *str_printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *s = sl_malloc((size_t)(n < 0 ? 0 : n) + 1);
	va_start(ap, fmt);
	vsnprintf(s, (size_t)(n < 0 ? 0 : n) + 1, fmt, ap);
	va_end(ap);
	return s;
}

static int sys_pidfd_open(pid_t pid)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, pid, 0);
#else
	(void)pid;
	errno = ENOSYS;
	return -1;
#endif
}

/* Fields of /proc/PID/stat we use. */
typedef struct procstat {
	char state;              /* R, S, D, Z (zombie), X (dead), ... */
	pid_t pgrp;
	unsigned long long start; /* clock ticks after boot */
} procstat;

/* Read /proc/PID/stat.  Returns 0, or -1 if there is no such process (or the
 * file does not parse, which we treat the same way). */
static int proc_stat(pid_t pid, procstat *ps)
{
	char path[64], buf[1024];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	char *p = strrchr(buf, ')'); /* the command name may itself hold ')' */
	if (!p)
		return -1;
	p++;
	/* after the name: field 3 state, 5 pgrp, ..., 22 starttime */
	for (int field = 3; field <= 22; field++) {
		while (*p == ' ')
			p++;
		if (!*p)
			return -1;
		if (field == 3)
			ps->state = *p;
		else if (field == 5)
			ps->pgrp = (pid_t)strtol(p, NULL, 10);
		else if (field == 22)
			ps->start = strtoull(p, NULL, 10);
		while (*p && *p != ' ')
			p++;
	}
	return 0;
}

/* mkdir -p.  Returns 0 or -1 with errno set. */
static int mkdirs(const char *path)
{
	char *p = sl_strdup(path);
	int rc = 0;
	for (char *s = p + 1;; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;
		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST) {
			rc = -1;
			break;
		}
		*s = c;
		if (!c)
			break;
	}
	int e = errno;
	sl_free(p);
	errno = e;
	return rc;
}

/* ---- the job map ------------------------------------------------------ */

static size_t map_home(int64_t id, size_t cap)
{
	uint64_t h = (uint64_t)id * 0x9E3779B97F4A7C15ULL;
	return (size_t)(h ^ (h >> 29)) & (cap - 1);
}

static job *map_get(const jobmap *m, int64_t id)
{
	if (m->cap == 0)
		return NULL;
	for (size_t i = map_home(id, m->cap);; i = (i + 1) & (m->cap - 1)) {
		if (!m->slot[i])
			return NULL;
		if (m->slot[i]->id == id)
			return m->slot[i];
	}
}

static void map_put(jobmap *m, job *j);

static void map_resize(jobmap *m, size_t cap)
{
	jobmap big = {sl_calloc(cap, sizeof(job *)), cap, 0};
	for (size_t i = 0; i < m->cap; i++)
		if (m->slot[i])
			map_put(&big, m->slot[i]);
	sl_free(m->slot);
	*m = big;
}

/* Insert j; its id must not be present. */
static void map_put(jobmap *m, job *j)
{
	if (2 * (m->n + 1) > m->cap)
		map_resize(m, m->cap ? 2 * m->cap : 16);
	size_t i = map_home(j->id, m->cap);
	while (m->slot[i])
		i = (i + 1) & (m->cap - 1);
	m->slot[i] = j;
	m->n++;
}

/* Remove id, which must be present. */
static void map_del(jobmap *m, int64_t id)
{
	size_t mask = m->cap - 1, i = map_home(id, m->cap);
	while (m->slot[i]->id != id)
		i = (i + 1) & mask;
	m->slot[i] = NULL;
	m->n--;
	/* Close the hole: an entry later in the cluster moves into it when the
	 * hole lies between the entry's home slot and where it sits. */
	for (size_t j = (i + 1) & mask; m->slot[j]; j = (j + 1) & mask) {
		size_t home = map_home(m->slot[j]->id, m->cap);
		if (((j - home) & mask) >= ((j - i) & mask)) {
			m->slot[i] = m->slot[j];
			m->slot[j] = NULL;
			i = j;
		}
	}
}

/* ---- events and timers ------------------------------------------------ */

/* Append an event for id in state st (other fields zero, exit_code -1);
 * the pointer is valid until the next push. */
static sl_exec_event *event_push(local *ex, int64_t id, sl_exec_state st)
{
	sl_exec_event ev;
	memset(&ev, 0, sizeof ev);
	ev.job_id = id;
	ev.state = st;
	ev.exit_code = -1;
	if (ex->qhead == ex->q.n)
		ex->q.n = ex->qhead = 0;
	sl_vec_push(&ex->q, ev);
	return &ex->q.v[ex->q.n - 1];
}

static void timer_push(local *ex, int64_t at_ns, int64_t id)
{
	sl_heap_push(&ex->timers, at_ns, ex->seq++, (uint64_t)id);
}

/* Entries of ended jobs stay in the heap until their time; when they
 * outnumber the live ones, rebuild it from the live jobs' deadlines. */
static void timers_compact(local *ex)
{
	size_t n = sl_heap_size(&ex->timers);
	if (n < 64 || n < 4 * (ex->jobs.n + 1))
		return;
	sl_heap_release(&ex->timers);
	sl_heap_init(&ex->timers);
	for (size_t i = 0; i < ex->jobs.cap; i++) {
		job *j = ex->jobs.slot[i];
		if (j && j->limit_ns && j->why == WHY_NONE)
			timer_push(ex, j->limit_ns, j->id);
		if (j && j->kill_ns)
			timer_push(ex, j->kill_ns, j->id);
	}
}

/* ---- watching and ending jobs ------------------------------------------ */

/* 1 when the leader's pid number is still held by our process (alive, or a
 * zombie not yet reaped), so a signal to -pid reaches only the job's group. */
static int leader_held(const job *j)
{
	procstat ps;
	if (j->child)
		return 1;
	return proc_stat(j->pid, &ps) == 0 && ps.start == j->proc_start;
}

static void group_signal(local *ex, job *j, int sig)
{
	if (!leader_held(j))
		return;
	if (kill(-j->pid, sig) < 0 && errno != ESRCH)
		sl_log(ex->cfg.log, SL_LOG_WARN, "job %lld: kill(-%d, %s): %s", (long long)j->id,
		       (int)j->pid, sigabbrev_np(sig), errstr(errno));
}

/* 1 when the job's leader has exited (whether or not anyone reaped it). */
static int job_ended(const job *j)
{
	if (j->child) {
		siginfo_t si;
		memset(&si, 0, sizeof si);
		if (waitid(P_PID, (id_t)j->pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0)
			return errno == ECHILD; /* reaped by someone else: it ended */
		return si.si_pid == j->pid;
	}
	if (j->pidfd >= 0) {
		struct pollfd p = {.fd = j->pidfd, .events = POLLIN};
		return poll(&p, 1, 0) > 0;
	}
	procstat ps;
	return proc_stat(j->pid, &ps) < 0 || ps.start != j->proc_start || ps.state == 'Z' ||
	       ps.state == 'X';
}

static void job_watch(local *ex, job *j, int pidfd)
{
	if (pidfd < 0 && !ex->cfg.scan_only && !ex->warned_scan) {
		ex->warned_scan = 1;
		sl_log(ex->cfg.log, SL_LOG_WARN, "local executor: no pidfd for job %lld; "
		       "watching jobs without one by scanning every %d ms", (long long)j->id,
		       SL_EXEC_SCAN_MS);
	}
	if (pidfd >= 0) {
		struct epoll_event ev = {.events = EPOLLIN, .data.ptr = j};
		if (epoll_ctl(ex->epfd, EPOLL_CTL_ADD, pidfd, &ev) < 0) {
			sl_log(ex->cfg.log, SL_LOG_WARN, "job %lld: epoll_ctl: %s; scanning instead",
			       (long long)j->id, errstr(errno));
			close(pidfd);
			pidfd = -1;
		}
	}
	j->pidfd = pidfd;
	if (pidfd < 0)
		ex->nscan++;
	map_put(&ex->jobs, j);
	if (j->limit_ns)
		timer_push(ex, j->limit_ns, j->id);
}

static void job_drop(local *ex, job *j)
{
	if (j->pidfd >= 0) {
		epoll_ctl(ex->epfd, EPOLL_CTL_DEL, j->pidfd, NULL);
		close(j->pidfd);
	} else {
		ex->nscan--;
	}
	map_del(&ex->jobs, j->id);
	sl_free(j);
}

static sl_exec_state end_state(const job *j, const sl_exec_event *ev)
{
	if (j->why == WHY_TIMEOUT)
		return SL_EXEC_TIMEOUT;
	if (j->why == WHY_CANCEL)
		return SL_EXEC_CANCELLED;
	if (ev->exit_code < 0 && ev->signal == 0)
		return SL_EXEC_ENDED;
	return ev->exit_code == 0 ? SL_EXEC_COMPLETED : SL_EXEC_FAILED;
}

/* Queue j's terminal event and forget j.  status is a wait status when
 * unknown_why is NULL; otherwise unknown_why says why there is none. */
static void job_finish(local *ex, job *j, int status, const char *unknown_why)
{
	sl_exec_event *ev = event_push(ex, j->id, SL_EXEC_FAILED);
	char what[128];
	ev->start = j->start;
	ev->end = now_s(ex);
	snprintf(ev->handle, sizeof ev->handle, "%s", j->handle);
	if (!unknown_why && WIFEXITED(status)) {
		ev->exit_code = WEXITSTATUS(status);
		snprintf(what, sizeof what, "exited with code %d", ev->exit_code);
	} else if (!unknown_why && WIFSIGNALED(status)) {
		ev->signal = WTERMSIG(status);
		const char *abbr = sigabbrev_np(ev->signal);
		snprintf(what, sizeof what, "killed by signal %d (SIG%s)", ev->signal, abbr ? abbr : "?");
	} else {
		snprintf(what, sizeof what, "%s", unknown_why ? unknown_why : "ended");
	}
	ev->state = end_state(j, ev);
	if (j->why == WHY_TIMEOUT)
		snprintf(ev->msg, sizeof ev->msg, "time limit of %lld s reached; %s",
		         (long long)j->limit_s, what);
	else if (j->why == WHY_CANCEL)
		snprintf(ev->msg, sizeof ev->msg, "cancelled; %s", what);
	else
		snprintf(ev->msg, sizeof ev->msg, "%s", what);
	sl_log(ex->cfg.log, SL_LOG_DEBUG, "job %lld %s: %s", (long long)j->id,
	       sl_exec_state_name(ev->state), ev->msg);
	job_drop(ex, j);
}

/* j's leader has exited: clean up its group, collect its status, report. */
static void job_reap(local *ex, job *j)
{
	int status = 0;
	if (!j->child) {
		/* Not ours: its parent reaps it, the pid number may already be
		 * free, so its group is left alone (docs/executors.md). */
		job_finish(ex, j, 0, "ended; exit status unknown (adopted after a restart, "
		           "not our child)");
		return;
	}
	/* The unreaped leader still holds the group id: whatever is left of
	 * the job in its group goes, as Slurm ends a job's cgroup. */
	kill(-j->pid, SIGKILL);
	if (waitpid(j->pid, &status, WNOHANG) == j->pid)
		job_finish(ex, j, status, NULL);
	else
		job_finish(ex, j, 0, "exit status lost: the process was reaped elsewhere "
		           "(is SIGCHLD ignored?)");
}

/* SIGTERM (and SIGCONT, for a stopped job) to the group now, SIGKILL after
 * the grace period.  A job that already ended keeps its own outcome. */
static void job_term(local *ex, job *j, int why, int64_t now)
{
	if (j->why != WHY_NONE || job_ended(j))
		return;
	j->why = why;
	group_signal(ex, j, SIGTERM);
	group_signal(ex, j, SIGCONT);
	j->kill_ns = now + ex->grace_ns;
	timer_push(ex, j->kill_ns, j->id);
}

static void job_timers(local *ex, job *j, int64_t now)
{
	if (j->limit_ns && now >= j->limit_ns)
		job_term(ex, j, WHY_TIMEOUT, now);
	if (j->kill_ns && now >= j->kill_ns) {
		j->kill_ns = 0;
		group_signal(ex, j, SIGKILL);
	}
}

/* ---- poll ---------------------------------------------------------------- */

static int collect_exits(local *ex, sl_err *err)
{
	struct epoll_event evs[EPOLL_BATCH];
	/* bounded, so a pidfd that stays readable without its job ending
	 * cannot keep us here */
	for (size_t round = 0; round <= ex->jobs.n / EPOLL_BATCH; round++) {
		int n = epoll_wait(ex->epfd, evs, EPOLL_BATCH, 0);
		if (n < 0 && errno == EINTR)
			return 0;
		if (n < 0)
			return sl_err_set(err, SL_EIO, "epoll_wait", "%s", errstr(errno));
		for (int i = 0; i < n; i++) {
			job *j = evs[i].data.ptr;
			if (job_ended(j))
				job_reap(ex, j);
		}
		if (n < EPOLL_BATCH)
			break;
	}
	return 0;
}

static void scan_jobs(local *ex)
{
	SL_VEC(job *) done = {0};
	for (size_t i = 0; i < ex->jobs.cap; i++) {
		job *j = ex->jobs.slot[i];
		if (j && j->pidfd < 0 && job_ended(j))
			sl_vec_push(&done, j);
	}
	for (size_t i = 0; i < done.n; i++)
		job_reap(ex, done.v[i]);
	sl_vec_free(&done);
}

static void run_timers(local *ex)
{
	int64_t now = now_ns(ex);
	const sl_heap_entry *top;
	while ((top = sl_heap_peek(&ex->timers)) && top->key <= now) {
		sl_heap_entry e;
		sl_heap_pop(&ex->timers, &e);
		job *j = map_get(&ex->jobs, (int64_t)e.payload);
		if (j)
			job_timers(ex, j, now);
	}
	timers_compact(ex);
}

static int local_poll(void *st, sl_exec_event *out, int max, sl_err *err)
{
	local *ex = st;
	if (max < 0 || (max > 0 && !out))
		return sl_err_set(err, SL_EINVAL, "poll", "bad event buffer (max %d)", max);
	int rc = collect_exits(ex, err);
	if (rc < 0)
		return rc;
	if (ex->nscan)
		scan_jobs(ex);
	run_timers(ex);
	int n = 0;
	while (n < max && ex->qhead < ex->q.n)
		out[n++] = ex->q.v[ex->qhead++];
	if (ex->qhead == ex->q.n)
		ex->q.n = ex->qhead = 0;
	return n;
}

static int local_fd(void *st)
{
	local *ex = st;
	return ex->cfg.scan_only ? -1 : ex->epfd;
}

static int64_t local_timeout_ms(void *st)
{
	local *ex = st;
	if (ex->qhead < ex->q.n)
		return 0;
	int64_t ms = ex->nscan ? SL_EXEC_SCAN_MS : -1;
	const sl_heap_entry *top = sl_heap_peek(&ex->timers);
	if (top) {
		int64_t d = top->key - now_ns(ex);
		int64_t t = d <= 0 ? 0 : (d + NS_PER_MS - 1) / NS_PER_MS;
		if (ms < 0 || t < ms)
			ms = t;
	}
	return ms;
}

static size_t local_count(void *st)
{
	return ((local *)st)->jobs.n;
}

static int local_cancel(void *st, int64_t job_id, sl_err *err)
{
	local *ex = st;
	job *j = map_get(&ex->jobs, job_id);
	if (!j)
		return sl_err_set(err, SL_ENOTFOUND, "job_id", "no live job %lld", (long long)job_id);
	job_term(ex, j, WHY_CANCEL, now_ns(ex));
	return 0;
}

/* ---- launching: everything posix_spawn needs, gathered first ------------- */

/* Owned resources of one launch; launch_release frees them. */
typedef struct launch {
	char *dir;                 /* absolute working directory */
	int dirfd, outfd, errfd;   /* -1 when not open; errfd may equal outfd */
	SL_VEC(char *) env;        /* owned strings, then NULL */
	SL_VEC(char *) argv;       /* borrowed from the spec (or literals), then NULL */
	char *path;                /* program to exec, owned */
	int code;                  /* CODE_* when the job cannot run */
	char msg[SL_EXEC_MSG_MAX]; /* why it cannot, or the resource error */
} launch;

static void launch_release(launch *l)
{
	if (l->errfd >= 0 && l->errfd != l->outfd)
		close(l->errfd);
	if (l->outfd >= 0)
		close(l->outfd);
	if (l->dirfd >= 0)
		close(l->dirfd);
	for (size_t i = 0; i < l->env.n; i++)
		sl_free(l->env.v[i]);
	sl_vec_free(&l->env);
	sl_vec_free(&l->argv);
	sl_free(l->path);
	sl_free(l->dir);
}

static int resource_errno(int e)
{
	return e == EMFILE || e == ENFILE || e == ENOMEM || e == EAGAIN;
}

/* Record why a launch step failed.  e is an errno (0 if none) appended to the
 * message.  Returns SL_EAGAIN for a resource shortage (the executor's problem:
 * retry later), else code (the job's problem: it ends FAILED with it). */
static int launch_fail(launch *l, int e, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int launch_fail(launch *l, int e, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(l->msg, sizeof l->msg, fmt, ap);
	va_end(ap);
	if (e && n >= 0 && (size_t)n < sizeof l->msg)
		snprintf(l->msg + n, sizeof l->msg - (size_t)n, ": %s", errstr(e));
	if (e && resource_errno(e))
		return SL_EAGAIN;
	l->code = code;
	return code;
}

static int launch_dir(local *ex, const sl_exec_spec *spec, launch *l)
{
	char *path = spec->workdir ? sl_strdup(spec->workdir)
	                           : str_printf("%s/%lld", ex->jobs_dir, (long long)spec->job_id);
	int rc = 0;
	if (!spec->workdir && mkdir(path, 0755) < 0 && errno != EEXIST)
		rc = launch_fail(l, errno, CODE_SETUP, "cannot create working directory %s", path);
	if (rc == 0) {
		l->dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (l->dirfd < 0)
			rc = launch_fail(l, errno, CODE_SETUP, "working directory %s", path);
	}
	if (rc == 0) {
		char *abs = realpath(path, NULL);
		l->dir = sl_strdup(abs ? abs : path);
		free(abs);
	}
	sl_free(path);
	return rc;
}

static int open_output(launch *l, const char *path, int *fd)
{
	*fd = openat(l->dirfd, path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0644);
	if (*fd < 0)
		return launch_fail(l, errno, CODE_SETUP, "cannot open output file %s", path);
	return 0;
}

static int launch_outputs(const sl_exec_spec *spec, launch *l)
{
	const char *out = spec->stdout_path ? spec->stdout_path : "stdout";
	const char *errp = spec->stderr_path ? spec->stderr_path : "stderr";
	struct stat so, se;
	int rc = open_output(l, out, &l->outfd);
	if (rc == 0)
		rc = open_output(l, errp, &l->errfd);
	/* one file named twice (even spelt differently): share one descriptor,
	 * so the two streams append to each other instead of overwriting */
	if (rc == 0 && fstat(l->outfd, &so) == 0 && fstat(l->errfd, &se) == 0 &&
	    so.st_dev == se.st_dev && so.st_ino == se.st_ino) {
		close(l->errfd);
		l->errfd = l->outfd;
	}
	return rc;
}

static int env_reserved(const char *e)
{
	static const char *const names[] = {"SUANLI_JOB_ID=", "SUANLI_SITE=", "SUANLI_CORES=",
	                                    "SUANLI_GPUS="};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strncmp(e, names[i], strlen(names[i])) == 0)
			return 1;
	return 0;
}

static void launch_env(local *ex, const sl_exec_spec *spec, launch *l)
{
	int has_path = 0, has_home = 0;
	for (size_t i = 0; spec->env && spec->env[i]; i++) {
		const char *e = spec->env[i];
		if (env_reserved(e))
			continue; /* the executor's own values win */
		has_path |= strncmp(e, "PATH=", 5) == 0;
		has_home |= strncmp(e, "HOME=", 5) == 0;
		sl_vec_push(&l->env, sl_strdup(e));
	}
	if (!has_path)
		sl_vec_push(&l->env, str_printf("PATH=%s", ex->cfg.default_path ? ex->cfg.default_path
		                                                                 : DEFAULT_PATH));
	if (!has_home)
		sl_vec_push(&l->env, str_printf("HOME=%s", ex->cfg.default_home ? ex->cfg.default_home
		                                                                 : l->dir));
	sl_vec_push(&l->env, str_printf("SUANLI_JOB_ID=%lld", (long long)spec->job_id));
	if (spec->site)
		sl_vec_push(&l->env, str_printf("SUANLI_SITE=%s", spec->site));
	sl_vec_push(&l->env, str_printf("SUANLI_CORES=%d", (int)spec->cores));
	sl_vec_push(&l->env, str_printf("SUANLI_GPUS=%d", (int)spec->gpus));
	sl_vec_push(&l->env, NULL);
}

/* Find cmd (no '/') on the job's PATH, as execvp would but with the job's
 * PATH; relative entries (and empty ones, meaning ".") are relative to the
 * job's working directory, as they will be when it runs. */
static int resolve(launch *l, const char *cmd)
{
	const char *path = "";
	for (size_t i = 0; l->env.v[i]; i++)
		if (strncmp(l->env.v[i], "PATH=", 5) == 0)
			path = l->env.v[i] + 5;
	int denied = 0;
	for (const char *p = path;;) {
		const char *end = strchrnul(p, ':');
		char *cand = end > p ? str_printf("%.*s/%s", (int)(end - p), p, cmd)
		                     : str_printf("./%s", cmd);
		struct stat st;
		if (fstatat(l->dirfd, cand, &st, 0) == 0 && S_ISREG(st.st_mode)) {
			if (faccessat(l->dirfd, cand, X_OK, 0) == 0) {
				l->path = cand;
				return 0;
			}
			denied = 1;
		}
		sl_free(cand);
		if (!*end)
			break;
		p = end + 1;
	}
	if (denied)
		return launch_fail(l, 0, CODE_NOEXEC, "cannot run '%s': found on PATH but not "
		                   "executable", cmd);
	return launch_fail(l, 0, CODE_NOTFOUND, "command not found: '%s' (PATH=%s)", cmd, path);
}

static int launch_argv(const sl_exec_spec *spec, launch *l)
{
	size_t i = 0;
	if (spec->shell) {
		/* sh -c SCRIPT sh ARG...: the script sees its arguments as $1.. */
		sl_vec_push(&l->argv, "/bin/sh");
		sl_vec_push(&l->argv, "-c");
		sl_vec_push(&l->argv, (char *)spec->argv[0]);
		sl_vec_push(&l->argv, "sh");
		i = 1;
	}
	for (; spec->argv[i]; i++)
		sl_vec_push(&l->argv, (char *)spec->argv[i]);
	sl_vec_push(&l->argv, NULL);
	if (spec->shell) {
		l->path = sl_strdup("/bin/sh");
		return 0;
	}
	if (strchr(spec->argv[0], '/')) {
		l->path = sl_strdup(spec->argv[0]);
		return 0;
	}
	return resolve(l, spec->argv[0]);
}

static int spawn_attrs(local *ex, launch *l, posix_spawn_file_actions_t *fa,
                       posix_spawnattr_t *at)
{
	sigset_t none, all;
	sigemptyset(&none);
	sigfillset(&all);
	sigdelset(&all, SIGKILL);
	sigdelset(&all, SIGSTOP);
	int e = posix_spawn_file_actions_adddup2(fa, ex->devnull, 0);
	if (!e)
		e = posix_spawn_file_actions_adddup2(fa, l->outfd, 1);
	if (!e)
		e = posix_spawn_file_actions_adddup2(fa, l->errfd, 2);
	if (!e)
		e = posix_spawn_file_actions_addfchdir_np(fa, l->dirfd);
	if (!e)
		e = posix_spawn_file_actions_addclosefrom_np(fa, 3);
	if (!e)
		e = posix_spawnattr_setsigmask(at, &none);
	if (!e)
		e = posix_spawnattr_setsigdefault(at, &all);
	if (!e)
		e = posix_spawnattr_setflags(at, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK |
		                                     POSIX_SPAWN_SETSIGDEF);
	return e;
}

/* Start the process: a new session, stdin /dev/null, stdout/stderr to the
 * files, cwd the job directory, no other descriptors, default signal
 * dispositions and an empty signal mask. */
static int launch_spawn(local *ex, launch *l, pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	int e = posix_spawn_file_actions_init(&fa);
	if (e)
		return launch_fail(l, e, CODE_SETUP, "posix_spawn");
	e = posix_spawnattr_init(&at);
	if (!e) {
		e = spawn_attrs(ex, l, &fa, &at);
		if (!e)
			e = posix_spawn(pid, l->path, &fa, &at, l->argv.v, l->env.v);
		posix_spawnattr_destroy(&at);
	}
	posix_spawn_file_actions_destroy(&fa);
	if (!e)
		return 0;
	if (e == ENOENT && faccessat(l->dirfd, l->path, F_OK, 0) == 0)
		return launch_fail(l, 0, CODE_NOTFOUND, "cannot run '%s': its #! interpreter "
		                   "was not found", l->path);
	if (e == ENOEXEC)
		return launch_fail(l, 0, CODE_NOEXEC, "cannot run '%s': not a program the system "
		                   "can execute (a script needs a #! line)", l->path);
	return launch_fail(l, e, e == ENOENT ? CODE_NOTFOUND : CODE_NOEXEC, "cannot run '%s'",
	                   l->path);
}

/* ---- submit and adopt ---------------------------------------------------- */

/* The job cannot run: it fails now, start = end = now, and says why in its
 * stderr file too when that is open. */
static void job_cannot_run(local *ex, const sl_exec_spec *spec, const launch *l)
{
	sl_exec_event *ev = event_push(ex, spec->job_id, SL_EXEC_FAILED);
	ev->exit_code = l->code;
	ev->start = ev->end = now_s(ex);
	snprintf(ev->msg, sizeof ev->msg, "%s", l->msg);
	if (l->errfd >= 0)
		dprintf(l->errfd, "suanli: %s\n", l->msg);
	sl_log(ex->cfg.log, SL_LOG_DEBUG, "job %lld failed to start: %s",
	       (long long)spec->job_id, l->msg);
}

static void job_started(local *ex, const sl_exec_spec *spec, pid_t pid)
{
	job *j = sl_calloc(1, sizeof *j);
	procstat ps;
	j->id = spec->job_id;
	j->pid = pid;
	j->child = 1;
	j->start = now_s(ex);
	j->limit_s = spec->time_limit_s;
	if (spec->time_limit_s > 0)
		j->limit_ns = now_ns(ex) + spec->time_limit_s * NS_PER_S;
	if (proc_stat(pid, &ps) == 0) /* always there: our child is not reaped */
		j->proc_start = ps.start;
	snprintf(j->handle, sizeof j->handle, "%d:%llu", (int)pid, j->proc_start);
	job_watch(ex, j, ex->cfg.scan_only ? -1 : sys_pidfd_open(pid));

	sl_exec_event *ev = event_push(ex, j->id, SL_EXEC_RUNNING);
	ev->start = j->start;
	snprintf(ev->handle, sizeof ev->handle, "%s", j->handle);
	snprintf(ev->msg, sizeof ev->msg, "started as pid %d", (int)pid);
	sl_log(ex->cfg.log, SL_LOG_DEBUG, "job %lld started as pid %d", (long long)j->id, (int)pid);
}

static int local_submit(void *st, const sl_exec_spec *spec, sl_err *err)
{
	local *ex = st;
	launch l = {.dirfd = -1, .outfd = -1, .errfd = -1};
	pid_t pid = 0;
	int rc = sl_exec_spec_check(spec, err);
	if (rc < 0)
		return rc;
	if (map_get(&ex->jobs, spec->job_id))
		return sl_err_set(err, SL_EEXIST, "job_id", "job %lld is already running",
		                  (long long)spec->job_id);
	rc = launch_dir(ex, spec, &l);
	if (rc == 0)
		rc = launch_outputs(spec, &l);
	if (rc == 0) {
		launch_env(ex, spec, &l);
		rc = launch_argv(spec, &l);
	}
	if (rc == 0)
		rc = launch_spawn(ex, &l, &pid);
	if (rc == 0)
		job_started(ex, spec, pid);
	else if (rc > 0)
		job_cannot_run(ex, spec, &l);
	else
		sl_err_set(err, rc, "submit", "job %lld: %s", (long long)spec->job_id, l.msg);
	launch_release(&l);
	return rc < 0 ? rc : 0;
}

/* "PID:STARTTIME", both decimal, PID > 0. */
static int handle_parse(const char *h, pid_t *pid, unsigned long long *start)
{
	char *end;
	if (!h || *h < '0' || *h > '9')
		return -1;
	errno = 0;
	long p = strtol(h, &end, 10);
	if (errno || *end != ':' || p <= 0 || p > INT_MAX || end[1] < '0' || end[1] > '9')
		return -1;
	unsigned long long s = strtoull(end + 1, &end, 10);
	if (errno || *end)
		return -1;
	*pid = (pid_t)p;
	*start = s;
	return 0;
}

/* Is pid the job that handle named: same start time, its own group leader,
 * not yet ended?  Returns 0 or SL_ENOTFOUND with a reason. */
static int adopt_verify(pid_t pid, unsigned long long start, const char *handle, sl_err *err)
{
	procstat ps;
	if (proc_stat(pid, &ps) < 0)
		return sl_err_set(err, SL_ENOTFOUND, handle, "process %d is gone", (int)pid);
	if (ps.start != start)
		return sl_err_set(err, SL_ENOTFOUND, handle, "pid %d now belongs to another process "
		                  "(started at tick %llu, not %llu)", (int)pid, ps.start, start);
	if (ps.state == 'Z' || ps.state == 'X')
		return sl_err_set(err, SL_ENOTFOUND, handle, "process %d has ended", (int)pid);
	if (ps.pgrp != pid)
		return sl_err_set(err, SL_ENOTFOUND, handle, "process %d does not lead its own "
		                  "process group (%d)", (int)pid, (int)ps.pgrp);
	return 0;
}

static int local_adopt(void *st, const sl_exec_spec *spec, const char *handle, int64_t start,
                       sl_err *err)
{
	local *ex = st;
	pid_t pid;
	unsigned long long pstart;
	if (spec->job_id <= 0 || spec->time_limit_s < 0 || spec->time_limit_s > SL_EXEC_LIMIT_S_MAX ||
	    start < 0)
		return sl_err_set(err, SL_EINVAL, "job_id", "bad job id %lld, time limit %lld s or "
		                  "start %lld", (long long)spec->job_id,
		                  (long long)spec->time_limit_s, (long long)start);
	if (handle_parse(handle, &pid, &pstart) < 0)
		return sl_err_set(err, SL_EINVAL, "handle", "expected PID:STARTTIME, got \"%.40s\"",
		                  handle ? handle : "(null)");
	if (map_get(&ex->jobs, spec->job_id))
		return sl_err_set(err, SL_EEXIST, "job_id", "job %lld is already running",
		                  (long long)spec->job_id);
	/* pidfd first, then the check: if the check passes, the pidfd is ours */
	int pidfd = ex->cfg.scan_only ? -1 : sys_pidfd_open(pid);
	int rc = adopt_verify(pid, pstart, handle, err);
	if (rc < 0) {
		if (pidfd >= 0)
			close(pidfd);
		return rc;
	}
	job *j = sl_calloc(1, sizeof *j);
	j->id = spec->job_id;
	j->pid = pid;
	j->proc_start = pstart;
	j->start = start;
	j->limit_s = spec->time_limit_s;
	if (spec->time_limit_s > 0) {
		/* the limit counts from the recorded start, not from now */
		int64_t elapsed_s = now_s(ex) - start;
		int64_t left_s = spec->time_limit_s - (elapsed_s > 0 ? elapsed_s : 0);
		int64_t now = now_ns(ex);
		j->limit_ns = left_s > 0 ? now + left_s * NS_PER_S : (now > 0 ? now : 1);
	}
	snprintf(j->handle, sizeof j->handle, "%s", handle);
	job_watch(ex, j, pidfd);
	sl_log(ex->cfg.log, SL_LOG_INFO, "job %lld: adopted pid %d", (long long)j->id, (int)pid);
	return 0;
}

/* ---- start and stop ------------------------------------------------------ */

static int config_check(const sl_exec_config *cfg, sl_err *err)
{
	if (!cfg->clock || !cfg->clock->now || !cfg->clock->now_ns)
		return sl_err_set(err, SL_EINVAL, "clock", "the local executor needs a clock");
	if (!cfg->jobs_dir || !cfg->jobs_dir[0])
		return sl_err_set(err, SL_EINVAL, "jobs_dir", "the local executor needs a jobs "
		                  "directory");
	if (cfg->grace_ms < 0 || cfg->grace_ms > GRACE_MS_MAX)
		return sl_err_set(err, SL_EINVAL, "grace_ms", "must be in 0..%lld, got %lld",
		                  (long long)GRACE_MS_MAX, (long long)cfg->grace_ms);
	if (cfg->options && cfg->options[0])
		return sl_err_set(err, SL_EINVAL, "options", "the local executor takes no options, "
		                  "got \"%.64s\"", cfg->options[0]);
	return 0;
}

static void local_stop(void *st)
{
	local *ex = st;
	if (!ex)
		return;
	for (size_t i = 0; i < ex->jobs.cap; i++) {
		job *j = ex->jobs.slot[i];
		if (j && j->pidfd >= 0)
			close(j->pidfd);
		sl_free(j);
	}
	sl_free(ex->jobs.slot);
	if (ex->epfd >= 0)
		close(ex->epfd);
	if (ex->devnull >= 0)
		close(ex->devnull);
	sl_heap_release(&ex->timers);
	sl_vec_free(&ex->q);
	sl_free(ex->jobs_dir);
	sl_free(ex);
}

static int local_start(void **state, const sl_exec_config *cfg, sl_err *err)
{
	int rc = config_check(cfg, err);
	if (rc < 0)
		return rc;
	if (mkdirs(cfg->jobs_dir) < 0)
		return sl_err_set(err, SL_EIO, cfg->jobs_dir, "cannot create the jobs directory: %s",
		                  errstr(errno));
	local *ex = sl_calloc(1, sizeof *ex);
	ex->cfg = *cfg;
	ex->epfd = ex->devnull = -1;
	ex->grace_ns = (cfg->grace_ms ? cfg->grace_ms : SL_EXEC_GRACE_MS_DEFAULT) * NS_PER_MS;
	sl_heap_init(&ex->timers);
	char *abs = realpath(cfg->jobs_dir, NULL);
	struct stat sb;
	if (!abs || stat(abs, &sb) < 0 || !S_ISDIR(sb.st_mode)) {
		rc = sl_err_set(err, SL_EIO, cfg->jobs_dir, "not a usable directory");
		goto fail;
	}
	ex->jobs_dir = sl_strdup(abs);
	ex->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (ex->epfd < 0) {
		rc = sl_err_set(err, SL_EIO, "epoll_create1", "%s", errstr(errno));
		goto fail;
	}
	ex->devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (ex->devnull < 0) {
		rc = sl_err_set(err, SL_EIO, "/dev/null", "%s", errstr(errno));
		goto fail;
	}
	free(abs);
	*state = ex;
	return 0;
fail:
	free(abs);
	local_stop(ex);
	return rc;
}

const sl_exec_ops sl_exec_local = {
	.name = "local",
	.start = local_start,
	.stop = local_stop,
	.submit = local_submit,
	.cancel = local_cancel,
	.adopt = local_adopt,
	.poll = local_poll,
	.fd = local_fd,
	.timeout_ms = local_timeout_ms,
	.count = local_count,
};
