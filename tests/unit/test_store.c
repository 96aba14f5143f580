/*
 * test_store.c — the service store: migrations, job rows, readers, restart
 * state, and the group-commit writer.
 */
#include "testutil.h"

#include <pthread.h>
#include <semaphore.h>
#include <sys/stat.h>
#include <unistd.h>

#include "serve/store.h"
#include "serve/writer.h"

static char dir[256];

static int setup(void **st)
{
	(void)st;
	snprintf(dir, sizeof dir, "/tmp/suanli-test-store.XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int teardown(void **st)
{
	(void)st;
	return tu_rmrf(dir);
}

static sl_jobnew sample_job(int64_t tenant, int64_t t)
{
	sl_jobnew j = {0};
	j.tenant = tenant;
	j.submit = t;
	j.command_json = "[\"./train.sh\",\"--epochs\",\"3\"]";
	j.env_json = "{\"A\":\"1\"}";
	j.cores = 4;
	j.runtime_s = 7200;
	j.deadline_s = 86400;
	j.input_bytes = 2000000000;
	j.origin = "O_CQ";
	j.data_tag = "CN_PI";
	j.latency_budget_ms = 0;
	return j;
}

static void test_open_creates_schema(void **st)
{
	sl_store *s = NULL;
	sl_err e = {0};
	sqlite3_stmt *q;
	(void)st;
	assert_int_equal(sl_store_open(dir, SL_STORE_SYNC_FULL, &s, &e), 0);
	assert_int_equal(sl_store_user_version(sl_store_db(s)), SL_STORE_SCHEMA_VERSION);
	assert_int_equal(sqlite3_prepare_v2(sl_store_db(s), "PRAGMA journal_mode", -1, &q, NULL),
	                 SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(q, 0), "wal");
	sqlite3_finalize(q);
	unsigned char k1[SL_TOKEN_KEY_BYTES], k2[SL_TOKEN_KEY_BYTES];
	assert_int_equal(sl_store_token_key(s, k1, &e), 0);
	sl_store_free(s);
	/* reopening keeps the schema and the key */
	assert_int_equal(sl_store_open(dir, SL_STORE_SYNC_NORMAL, &s, &e), 0);
	assert_int_equal(sl_store_token_key(s, k2, &e), 0);
	assert_memory_equal(k1, k2, sizeof k1);
	sl_store_free(s);
}

static void test_open_newer_schema_refused(void **st)
{
	sl_store *s = NULL;
	sl_err e = {0};
	(void)st;
	assert_int_equal(sl_store_open(dir, SL_STORE_SYNC_FULL, &s, &e), 0);
	assert_int_equal(sqlite3_exec(sl_store_db(s), "PRAGMA user_version = 99", 0, 0, 0),
	                 SQLITE_OK);
	sl_store_free(s);
	s = NULL;
	assert_int_equal(sl_store_open(dir, SL_STORE_SYNC_FULL, &s, &e), SL_ESTATE);
	assert_null(s);
	assert_non_null(strstr(e.msg, "newer"));
}

static void test_open_bad_dir(void **st)
{
	sl_store *s = NULL;
	sl_err e = {0};
	(void)st;
	assert_int_equal(sl_store_open("/proc/no/such/dir", 0, &s, &e), SL_EIO);
	assert_non_null(strstr(e.origin, "/proc/no/such/dir"));
}

static int count_rows(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *q;
	int n = -1;
	if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW)
		n = sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	return n;
}

static void test_migrations(void **st)
{
	sqlite3 *db;
	sl_err e = {0};
	const char *steps[] = {"CREATE TABLE a(x);", "CREATE TABLE b(y); INSERT INTO b VALUES(1);",
	                       "CREATE TABLE c(z); INSERT INTO nosuch VALUES(1);"};
	(void)st;
	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	assert_int_equal(sl_store_migrate(db, steps, 1, &e), 0);
	assert_int_equal(sl_store_user_version(db), 1);
	/* from version 1, only step 2 runs (step 1 again would fail: a exists) */
	assert_int_equal(sl_store_migrate(db, steps, 2, &e), 0);
	assert_int_equal(sl_store_user_version(db), 2);
	assert_int_equal(count_rows(db, "SELECT count(*) FROM b"), 1);
	/* idempotent */
	assert_int_equal(sl_store_migrate(db, steps, 2, &e), 0);
	assert_int_equal(count_rows(db, "SELECT count(*) FROM b"), 1);
	/* a failing step is rolled back whole: no table c, version unchanged */
	assert_int_equal(sl_store_migrate(db, steps, 3, &e), SL_EINTERNAL);
	assert_non_null(strstr(e.msg, "migration 3"));
	assert_int_equal(sl_store_user_version(db), 2);
	assert_int_equal(count_rows(db, "SELECT count(*) FROM sqlite_master WHERE name = 'c'"), 0);
	/* a database from the future */
	assert_int_equal(sl_store_migrate(db, steps, 1, &e), SL_ESTATE);
	sqlite3_close(db);
}

typedef struct seen {
	int n;
	int64_t ids[64];
	int states[64];
	char origin[32], command[128], site[32];
	int64_t planned_start;
	char handle[32];
	int has_exit, exit_code, attempts;
	double energy;
} seen;

static int collect(void *ud, const sl_jobrow *r)
{
	seen *s = ud;
	if (s->n < 64) {
		s->ids[s->n] = r->id;
		s->states[s->n] = r->state;
	}
	s->n++;
	snprintf(s->origin, sizeof s->origin, "%s", r->origin);
	snprintf(s->command, sizeof s->command, "%s", r->command_json);
	snprintf(s->site, sizeof s->site, "%s", r->site ? r->site : "");
	s->planned_start = r->planned_start;
	snprintf(s->handle, sizeof s->handle, "%s", r->handle ? r->handle : "");
	s->has_exit = r->has_exit;
	s->exit_code = r->exit_code;
	s->attempts = r->attempts;
	s->energy = r->energy_kwh;
	return 0;
}

/* Insert n jobs in one transaction; ids into ids. */
static void insert_jobs(sl_store *s, int n, int64_t tenant, int64_t *ids)
{
	sl_err e = {0};
	sl_jobnew j = sample_job(tenant, 1752422400);
	assert_int_equal(sl_store_begin(s, &e), 0);
	for (int i = 0; i < n; i++)
		assert_int_equal(sl_store_job_insert(s, &j, &ids[i], &e), 0);
	assert_int_equal(sl_store_commit(s, &e), 0);
}

static void test_job_rows(void **st)
{
	sl_store *s = NULL;
	sl_store_reader *rd = NULL;
	sl_err e = {0};
	int64_t ids[5];
	seen got = {0};
	(void)st;
	assert_int_equal(sl_store_open(dir, 0, &s, &e), 0);
	insert_jobs(s, 5, 1, ids);
	assert_true(ids[0] > 0 && ids[4] == ids[0] + 4);
	sl_jobupd u = {.id = ids[1], .state = SL_JOB_PLANNED, .t = 1752422401, .site = "S_HAMI",
	               .set_plan = 1, .planned_start = 1752422500, .planned_end = 1752429700,
	               .receipt_json = "{\"policy\":\"greenest\"}", .event = "planned"};
	assert_int_equal(sl_store_begin(s, &e), 0);
	assert_int_equal(sl_store_job_update(s, &u, &e), 0);
	sl_jobupd r = {.id = ids[2], .state = SL_JOB_RUNNING, .t = 1752422402, .set_handle = 1,
	               .handle = "4242:99", .set_start = 1, .start = 1752422402};
	assert_int_equal(sl_store_job_update(s, &r, &e), 0);
	sl_jobupd d = {.id = ids[3], .state = SL_JOB_FAILED, .t = 1752422403, .set_exit = 1,
	               .exit_code = 3, .set_acct = 1, .energy_kwh = 1.5, .add_attempt = 1};
	assert_int_equal(sl_store_job_update(s, &d, &e), 0);
	sl_jobupd missing = {.id = 999999, .state = SL_JOB_DONE, .t = 1};
	assert_int_equal(sl_store_job_update(s, &missing, &e), SL_ENOTFOUND);
	assert_int_equal(sl_store_commit(s, &e), 0);

	assert_int_equal(sl_store_reader_open(s, &rd, &e), 0);
	assert_int_equal(sl_store_job_get(rd, ids[1], collect, &got, &e), 0);
	assert_string_equal(got.site, "S_HAMI");
	assert_int_equal(got.planned_start, 1752422500);
	assert_string_equal(got.origin, "O_CQ");
	assert_string_equal(got.command, "[\"./train.sh\",\"--epochs\",\"3\"]");
	assert_int_equal(sl_store_job_get(rd, ids[2], collect, &got, &e), 0);
	assert_string_equal(got.handle, "4242:99");
	assert_int_equal(sl_store_job_get(rd, ids[3], collect, &got, &e), 0);
	assert_true(got.has_exit);
	assert_int_equal(got.exit_code, 3);
	assert_int_equal(got.attempts, 1);
	assert_near(got.energy, 1.5, 1e-12);
	assert_int_equal(sl_store_job_get(rd, 123456, collect, &got, &e), SL_ENOTFOUND);

	/* restart view: only active jobs, in id order */
	seen act = {0};
	assert_int_equal(sl_store_jobs_active(s, collect, &act, &e), 0);
	assert_int_equal(act.n, 4);
	assert_int_equal(act.ids[0], ids[0]);
	assert_int_equal(act.ids[1], ids[1]);
	assert_int_equal(act.states[1], SL_JOB_PLANNED);
	assert_int_equal(act.ids[2], ids[2]);
	assert_int_equal(act.ids[3], ids[4]);
	assert_string_equal(act.handle, ""); /* last one collected is a fresh job */

	int64_t counts[SL_JOB_NSTATES], maxid;
	assert_int_equal(sl_store_job_counts(s, counts, &maxid, &e), 0);
	assert_int_equal(counts[SL_JOB_QUEUED], 2);
	assert_int_equal(counts[SL_JOB_FAILED], 1);
	assert_int_equal(maxid, ids[4]);
	sl_store_reader_free(rd);
	sl_store_free(s);
}

static void test_list_pages(void **st)
{
	sl_store *s = NULL;
	sl_store_reader *rd = NULL;
	sl_err e = {0};
	int64_t a[7], b[3];
	int n;
	(void)st;
	assert_int_equal(sl_store_open(dir, 0, &s, &e), 0);
	insert_jobs(s, 7, 1, a);
	insert_jobs(s, 3, 2, b);
	assert_int_equal(sl_store_reader_open(s, &rd, &e), 0);
	sl_jobfilter f = {.tenant = 1, .state = -1, .limit = 3};
	seen p = {0};
	assert_int_equal(sl_store_jobs_list(rd, &f, collect, &p, &n, &e), 0);
	assert_int_equal(n, 3);
	assert_int_equal(p.ids[0], a[6]); /* newest first */
	assert_int_equal(p.ids[2], a[4]);
	f.before_id = p.ids[2];
	seen q = {0};
	assert_int_equal(sl_store_jobs_list(rd, &f, collect, &q, &n, &e), 0);
	assert_int_equal(q.ids[0], a[3]);
	/* every tenant: 10; tenant 2 only: 3; by state and origin */
	sl_jobfilter all = {.state = -1, .limit = 100};
	seen r = {0};
	assert_int_equal(sl_store_jobs_list(rd, &all, collect, &r, &n, &e), 0);
	assert_int_equal(n, 10);
	sl_jobfilter t2 = {.tenant = 2, .state = SL_JOB_QUEUED, .origin = "O_CQ", .limit = 100};
	seen u = {0};
	assert_int_equal(sl_store_jobs_list(rd, &t2, collect, &u, &n, &e), 0);
	assert_int_equal(n, 3);
	sl_jobfilter none = {.state = SL_JOB_DONE, .site = "S_HAMI", .limit = 100};
	seen v = {0};
	assert_int_equal(sl_store_jobs_list(rd, &none, collect, &v, &n, &e), 0);
	assert_int_equal(n, 0);
	sl_store_reader_free(rd);
	sl_store_free(s);
}

/* ---- the group-commit writer ---- */

typedef struct insop {
	sl_wop op;
	sl_jobnew job;
	int64_t id;
	int rc, done, fail;
	sem_t *gate;          /* if set, apply waits on it (holds the batch open) */
	sem_t *entered;       /* posted when apply starts */
	const sl_store *st;
	int visible;          /* the row was readable from another connection in done() */
} insop;

static int ins_apply(sl_store *st, sl_wop *op, sl_err *err)
{
	insop *o = (insop *)op;
	if (o->entered)
		sem_post(o->entered);
	if (o->gate)
		sem_wait(o->gate);
	if (o->fail)
		return sl_err_set(err, SL_EINVAL, NULL, "asked to fail");
	return sl_store_job_insert(st, &o->job, &o->id, err);
}

static int found(void *ud, const sl_jobrow *r)
{
	(void)r;
	*(int *)ud = 1;
	return 0;
}

static void ins_done(sl_wop *op, int rc)
{
	insop *o = (insop *)op;
	sl_store_reader *rd;
	o->rc = rc;
	if (rc == 0 && o->st && sl_store_reader_open(o->st, &rd, NULL) == 0) {
		sl_store_job_get(rd, o->id, found, &o->visible, NULL);
		sl_store_reader_free(rd);
	}
	__atomic_store_n(&o->done, 1, __ATOMIC_SEQ_CST);
}

static void test_group_commit_batches(void **st)
{
	enum { N = 200 };
	sl_store *s = NULL;
	sl_writer *w = NULL;
	sl_err e = {0};
	sl_writer_stats stats;
	static insop ops[N];
	sem_t gate, entered;
	(void)st;
	assert_int_equal(sl_store_open(dir, SL_STORE_SYNC_FULL, &s, &e), 0);
	assert_int_equal(sl_writer_start(s, NULL, &w, &e), 0);
	sem_init(&gate, 0, 0);
	sem_init(&entered, 0, 0);
	memset(ops, 0, sizeof ops);
	for (int i = 0; i < N; i++) {
		ops[i].op.apply = ins_apply;
		ops[i].op.done = ins_done;
		ops[i].job = sample_job(1, 1000 + i);
		ops[i].st = i % 50 == 0 ? s : NULL;
	}
	/* op 0 holds its batch open until every other op is queued: they must
	 * then all share the second commit. */
	ops[0].gate = &gate;
	ops[0].entered = &entered;
	assert_int_equal(sl_writer_submit(w, &ops[0].op, 0), 0);
	sem_wait(&entered);
	for (int i = 1; i < N; i++)
		assert_int_equal(sl_writer_submit(w, &ops[i].op, 0), 0);
	sem_post(&gate);
	sl_writer_stop(w);
	sl_writer_get_stats(w, &stats);
	assert_int_equal(stats.commits, 2);
	assert_int_equal(stats.ops, N);
	assert_int_equal(stats.max_batch_seen, N - 1);
	for (int i = 0; i < N; i++) {
		assert_int_equal(ops[i].done, 1);
		assert_int_equal(ops[i].rc, 0);
		if (i > 0)
			assert_int_equal(ops[i].id, ops[i - 1].id + 1);
		if (ops[i].st)
			assert_int_equal(ops[i].visible, 1); /* committed before done() */
	}
	assert_int_equal(sl_writer_submit(w, &ops[0].op, 0), SL_ESTATE);
	sl_writer_free(w);
	sem_destroy(&gate);
	sem_destroy(&entered);
	sl_store_free(s);
}

static void test_group_commit_isolates_failure(void **st)
{
	enum { N = 20 };
	sl_store *s = NULL;
	sl_writer *w = NULL;
	sl_err e = {0};
	static insop ops[N];
	sem_t gate, entered;
	int64_t counts[SL_JOB_NSTATES], maxid;
	(void)st;
	assert_int_equal(sl_store_open(dir, 0, &s, &e), 0);
	sl_writer_opts wo = {.max_pending = N - 3};
	assert_int_equal(sl_writer_start(s, &wo, &w, &e), 0);
	sem_init(&gate, 0, 0);
	sem_init(&entered, 0, 0);
	memset(ops, 0, sizeof ops);
	for (int i = 0; i < N; i++) {
		ops[i].op.apply = ins_apply;
		ops[i].op.done = ins_done;
		ops[i].job = sample_job(1, i);
	}
	ops[0].gate = &gate;
	ops[0].entered = &entered;
	ops[7].fail = 1;
	assert_int_equal(sl_writer_submit(w, &ops[0].op, 0), 0);
	sem_wait(&entered);
	for (int i = 1; i < N - 2; i++)
		assert_int_equal(sl_writer_submit(w, &ops[i].op, 0), 0);
	/* the queue is full: clients are pushed back, forced ops still go in */
	assert_int_equal(sl_writer_submit(w, &ops[N - 2].op, 0), SL_EFULL);
	assert_int_equal(sl_writer_submit(w, &ops[N - 2].op, 1), 0);
	assert_int_equal(sl_writer_submit(w, &ops[N - 1].op, 1), 0);
	sem_post(&gate);
	sl_writer_free(w);
	for (int i = 0; i < N; i++) {
		assert_int_equal(ops[i].done, 1);
		assert_int_equal(ops[i].rc, i == 7 ? SL_EINVAL : 0);
	}
	assert_int_equal(sl_store_job_counts(s, counts, &maxid, &e), 0);
	assert_int_equal(counts[SL_JOB_QUEUED], N - 1);
	sem_destroy(&gate);
	sem_destroy(&entered);
	sl_store_free(s);
}

typedef struct thr_arg {
	sl_writer *w;
	insop *ops;
	int n;
} thr_arg;

static void *submitter(void *p)
{
	thr_arg *a = p;
	for (int i = 0; i < a->n; i++)
		while (sl_writer_submit(a->w, &a->ops[i].op, 0) == SL_EFULL)
			usleep(100);
	return NULL;
}

static void test_group_commit_concurrent(void **st)
{
	enum { T = 4, N = 500 };
	sl_store *s = NULL;
	sl_writer *w = NULL;
	sl_err e = {0};
	static insop ops[T][N];
	pthread_t th[T];
	thr_arg args[T];
	sl_writer_stats stats;
	int64_t counts[SL_JOB_NSTATES], maxid;
	(void)st;
	assert_int_equal(sl_store_open(dir, SL_STORE_SYNC_FULL, &s, &e), 0);
	assert_int_equal(sl_writer_start(s, NULL, &w, &e), 0);
	memset(ops, 0, sizeof ops);
	for (int t = 0; t < T; t++) {
		for (int i = 0; i < N; i++) {
			ops[t][i].op.apply = ins_apply;
			ops[t][i].op.done = ins_done;
			ops[t][i].job = sample_job(t + 1, i);
		}
		args[t] = (thr_arg){w, ops[t], N};
		pthread_create(&th[t], NULL, submitter, &args[t]);
	}
	for (int t = 0; t < T; t++)
		pthread_join(th[t], NULL);
	sl_writer_stop(w);
	sl_writer_get_stats(w, &stats);
	assert_int_equal(stats.ops, T * N);
	assert_true(stats.commits <= stats.ops);
	for (int t = 0; t < T; t++)
		for (int i = 0; i < N; i++) {
			assert_int_equal(ops[t][i].done, 1);
			assert_int_equal(ops[t][i].rc, 0);
		}
	assert_int_equal(sl_store_job_counts(s, counts, &maxid, &e), 0);
	assert_int_equal(counts[SL_JOB_QUEUED], T * N);
	sl_writer_free(w);
	sl_store_free(s);
}

/* Reads in a loop on their own connection until told to stop; counts
 * the reads that failed. */
typedef struct reader_arg {
	const sl_store *st;
	volatile int stop;
	int errors, reads;
} reader_arg;

static void *reader_loop(void *p)
{
	reader_arg *a = p;
	sl_store_reader *rd;
	if (sl_store_reader_open(a->st, &rd, NULL) < 0) {
		a->errors++;
		return NULL;
	}
	while (!__atomic_load_n(&a->stop, __ATOMIC_SEQ_CST)) {
		int hit = 0, rc = sl_store_job_get(rd, 1, found, &hit, NULL);
		if (rc < 0 && rc != SL_ENOTFOUND) /* not there yet is fine */
			a->errors++;
		a->reads++;
		usleep(200);
	}
	sl_store_reader_free(rd);
	return NULL;
}

/* Checkpoints run on the writer's connection between batches: while
 * 8,000 jobs with 2 KB commands are written and another connection reads,
 * their pages reach the database file as they go (without checkpoints it
 * stays at its first few pages and the WAL takes all 37 MB), and every job
 * is there, intact, after a reopen. */
static void test_checkpoints_during_writes(void **st)
{
	enum { N = 8000 };
	sl_store *s = NULL;
	sl_writer *w = NULL;
	sl_err e = {0};
	static insop ops[N];
	static char cmd[2100];
	pthread_t th;
	reader_arg ra = {0};
	int64_t counts[SL_JOB_NSTATES], maxid;
	char path[300];
	struct stat sb;
	off_t db_size;
	(void)st;
	memset(cmd, 'x', sizeof cmd - 1);
	cmd[0] = '[';
	cmd[1] = '"';
	cmd[sizeof cmd - 3] = '"';
	cmd[sizeof cmd - 2] = ']';
	assert_int_equal(sl_store_open(dir, SL_STORE_SYNC_NORMAL, &s, &e), 0);
	assert_int_equal(sl_writer_start(s, NULL, &w, &e), 0);
	ra.st = s;
	pthread_create(&th, NULL, reader_loop, &ra);
	memset(ops, 0, sizeof ops);
	for (int i = 0; i < N; i++) {
		ops[i].op.apply = ins_apply;
		ops[i].op.done = ins_done;
		ops[i].job = sample_job(1, i);
		ops[i].job.command_json = cmd;
		while (sl_writer_submit(w, &ops[i].op, 0) == SL_EFULL)
			usleep(100);
		if (i % 64 == 63)
			usleep(500); /* batches of tens, as under load */
	}
	for (int i = 0; i < N; i++)
		while (!__atomic_load_n(&ops[i].done, __ATOMIC_SEQ_CST))
			usleep(1000);
	/* Before the writer stops (it checkpoints once more then): the jobs'
	 * pages are already in the database file. */
	snprintf(path, sizeof path, "%s/%s", dir, SL_STORE_FILE);
	assert_int_equal(stat(path, &sb), 0);
	db_size = sb.st_size;
	snprintf(path, sizeof path, "%s/%s-wal", dir, SL_STORE_FILE);
	assert_int_equal(stat(path, &sb), 0);
	print_message("database %lld bytes, WAL %lld bytes after %d jobs, %d reads\n",
	              (long long)db_size, (long long)sb.st_size, N, ra.reads);
	assert_true(db_size > 12 * 1000 * 1000); /* 8,000 x 2 KB commands: 16 MB */
	sl_writer_stop(w);
	__atomic_store_n(&ra.stop, 1, __ATOMIC_SEQ_CST);
	pthread_join(th, NULL);
	assert_int_equal(ra.errors, 0);
	assert_true(ra.reads > 0);
	sl_writer_free(w);
	sl_store_free(s);
	assert_int_equal(sl_store_open(dir, SL_STORE_SYNC_NORMAL, &s, &e), 0);
	assert_int_equal(sl_store_job_counts(s, counts, &maxid, &e), 0);
	assert_int_equal(counts[SL_JOB_QUEUED], N);
	sqlite3_stmt *q;
	assert_int_equal(sqlite3_prepare_v2(sl_store_db(s), "PRAGMA integrity_check", -1, &q, NULL),
	                 SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(q, 0), "ok");
	sqlite3_finalize(q);
	sl_store_free(s);
}

static void test_sigover(void **st)
{
	sl_store *s = NULL;
	sl_err e = {0};
	(void)st;
	assert_int_equal(sl_store_open(dir, 0, &s, &e), 0);
	sl_sigover o = {.zone = "XJ_HAMI", .has_carbon = 1, .carbon_g_per_kwh = 420, .set_at = 5};
	assert_int_equal(sl_store_sigover_put(s, &o, &e), 0);
	sl_sigover p = {.zone = "CQ", .has_price = 1, .price_cny_per_kwh = 0.7, .set_at = 6,
	                .expires = 100};
	assert_int_equal(sl_store_sigover_put(s, &p, &e), 0);
	sl_sigover clear = {.zone = "XJ_HAMI", .set_at = 7};
	assert_int_equal(sl_store_sigover_put(s, &clear, &e), 0);
	assert_int_equal(count_rows(sl_store_db(s), "SELECT count(*) FROM signal_overrides"), 1);
	assert_int_equal(count_rows(sl_store_db(s),
	                            "SELECT count(*) FROM signal_overrides WHERE zone = 'CQ'"
	                            " AND carbon_g_per_kwh IS NULL AND expires = 100"), 1);
	sl_store_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_creates_schema, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_newer_schema_refused, setup, teardown),
		cmocka_unit_test(test_open_bad_dir),
		cmocka_unit_test(test_migrations),
		cmocka_unit_test_setup_teardown(test_job_rows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_pages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_group_commit_batches, setup, teardown),
		cmocka_unit_test_setup_teardown(test_group_commit_isolates_failure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_group_commit_concurrent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_checkpoints_during_writes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sigover, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
