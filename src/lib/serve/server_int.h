/*
 * server_int.h — private to the server module (server.c, http*.c).
 */
#ifndef SL_SERVER_INT_H
#define SL_SERVER_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include <microhttpd.h>

#include "core/mem.h"
#include "serve/api.h"
#include "serve/auth.h"
#include "serve/loop.h"
#include "serve/server.h"
#include "serve/store.h"
#include "serve/writer.h"

/* Request latency histogram buckets (seconds), then +Inf. */
#define SL_HTTP_NBUCKETS 12
/* Status codes counted one by one (others fall in "other"). */
#define SL_HTTP_NCODES 14

typedef struct sl_httpstats {
	atomic_uint_fast64_t buckets[SL_HTTP_NBUCKETS + 1];
	atomic_uint_fast64_t count;
	atomic_uint_fast64_t sum_ns;
	atomic_uint_fast64_t codes[SL_HTTP_NCODES + 1];
	atomic_uint_fast64_t submissions;
} sl_httpstats;

extern const double sl__http_bucket_s[SL_HTTP_NBUCKETS];
extern const int sl__http_codes[SL_HTTP_NCODES];

/* A Slurm site's executor options, owned ("key=value" strings, NULL-
 * terminated), and the per-site loop configuration that borrows them. */
typedef struct srv_site {
	SL_VEC(char *) opts;
	char *jobs_dir;
} srv_site;

struct sl_server {
	sl_server_config cfg;
	srv_site *ssites;                 /* [nsites] */
	sl_loop_site *lsites;             /* [nsites], for the loop */
	sl_store *store;
	sl_writer *writer;
	sl_auth *auth;
	sl_loop *loop;
	struct MHD_Daemon *d;
	int port;
	char jobs_dir[1024];

	pthread_mutex_t rd_mu;            /* the read-connection pool */
	pthread_cond_t rd_cv;
	sl_store_reader **readers;
	int nreaders, nfree;

	atomic_int stopping;
	atomic_int inflight;              /* requests received, not completed */
	int stopped;
	sl_httpstats stats;
};

/* One HTTP request in flight.  Lives from its first header callback to
 * MHD's completion callback.  When suspended, exactly one of the writer
 * (op) or the loop (lr) owns it until it resumes the connection. */
typedef struct req {
	sl_server *srv;
	struct MHD_Connection *conn;
	const char *method, *url;
	char *body;
	size_t len, cap;
	size_t too_big;                   /* bytes dropped past the body limit */
	int64_t t0_ns;
	int ready;                        /* a response is waiting to be sent */
	int suspended;
	int status;
	char *resp;                       /* malloc'd */
	size_t resp_len;
	const char *ctype;
	char location[64];
	sl_principal who;
	/* async work */
	sl_wop op;
	sl_loopreq lr;
	sl_jobspec spec;
	int64_t id, submit_t;
	char zone[64];
} req;

/* http.c */
int sl__http_start(sl_server *srv, sl_err *err);
void sl__http_quiesce(sl_server *srv);
void sl__http_stop(sl_server *srv);
/* Set the response of r (body taken, may be NULL: then "{}"). */
void sl__http_respond(req *r, int status, char *body, size_t len, const char *ctype);
/* The JSON error response for e. */
void sl__http_error(req *r, const sl_apierr *e);
void sl__http_fail(req *r, int status, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Suspend r (before handing it to another thread) and resume it later. */
void sl__http_suspend(req *r);
void sl__http_resume(req *r);
/* Check the bearer token: 0, or -1 with the 401 response set. */
int sl__http_auth(req *r);

/* http_jobs.c: each sets a response or suspends r */
void sl__api_jobs_post(req *r);
void sl__api_jobs_list(req *r);
void sl__api_job_get(req *r, int64_t id);
void sl__api_job_cancel(req *r, int64_t id);

/* http_misc.c */
void sl__api_loop_query(req *r, int kind);
void sl__api_signal_put(req *r, const char *zone);
void sl__api_health(req *r);

/* server_sites.c: each site's executor from the scenario and the
 * operator's overrides (fills lc->sites); 0 or SL_EINVAL naming the site. */
int sl__server_sites(sl_server *srv, sl_loop_config *lc, sl_err *err);
void sl__server_sites_free(sl_server *srv);

/* server.c: the read-connection pool */
sl_store_reader *sl__reader_take(sl_server *srv);
void sl__reader_give(sl_server *srv, sl_store_reader *rd);

#endif
