/*
 * slurmlive.h — the two real Slurm clusters the live cases of
 * test_slurm_live.c and test_slurm_exec.c run against, as
 * tests/integration/slurm_rest.sh describes them in the environment: for X
 * in A and B, SUANLI_SLURM_X_URL, _TOKEN (token file), _SOCKET, _PARTITION,
 * _DIR (the cluster's state dir) and _BASEPORT.  Without them the live
 * cases are skipped with a message (NEED_LIVE), never failed.
 */
#ifndef SLURMLIVE_H
#define SLURMLIVE_H

#include <stdio.h>
#include <stdlib.h>

typedef struct live {
	const char *url, *token, *sock, *partition, *dir, *base;
} live;

static live A, B;
static int have_live;

static inline const char *envv(const char *x, const char *what)
{
	char name[64];
	snprintf(name, sizeof name, "SUANLI_SLURM_%s_%s", x, what);
	const char *v = getenv(name);
	return v && v[0] ? v : NULL;
}

/* Cluster x's variables; 0 when none or all of URL, TOKEN, SOCKET,
 * PARTITION and DIR are set, else the number missing. */
static inline int load_env(live *l, const char *x)
{
	l->url = envv(x, "URL");
	l->token = envv(x, "TOKEN");
	l->sock = envv(x, "SOCKET");
	l->partition = envv(x, "PARTITION");
	l->dir = envv(x, "DIR");
	l->base = envv(x, "BASEPORT");
	int set = !!l->url + !!l->token + !!l->sock + !!l->partition + !!l->dir;
	return set == 0 || set == 5 ? 0 : 5 - set;
}

#define NEED_LIVE()                                                                          \
	do {                                                                                     \
		if (!have_live) {                                                                    \
			print_message("skipped: no live Slurm clusters (run "                            \
			              "tests/integration/slurm_rest.sh)\n");                             \
			skip();                                                                          \
		}                                                                                    \
	} while (0)

#endif
