/*
 * cmd_token.c — `suanli token add --tenant T [--admin] --data DIR`: make a
 * bearer token for the API, store its hash, print the token once.
 *
 * Works on the data directory directly (not through the API), so the first
 * admin token can be made before anyone can authenticate; safe while the
 * server runs (SQLite serialises the writers; the server finds the new
 * token on its first use).
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "core/clock.h"
#include "serve/auth.h"
#include "serve/store.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: suanli token add --tenant NAME [--admin] --data DIR\n\n"
	           "Create a bearer token for tenant NAME (created if new) in the store under\n"
	           "DIR and print it on stdout, once: only its hash is kept.  Clients send it\n"
	           "as \"Authorization: Bearer TOKEN\" (the CLI reads SUANLI_TOKEN).\n\n"
	           "  --tenant NAME   1-64 characters of A-Z a-z 0-9 _ . -\n"
	           "  --admin         the token may also set live signals (PUT /v1/signals)\n"
	           "                  and see every tenant's jobs\n"
	           "  --data DIR      the service's data directory (as given to serve)\n\n"
	           "exit status: 0 printed, 1 the store failed, 2 bad command line.\n");
}

int cmd_token(int argc, char **argv)
{
	const char *tenant = NULL, *data = NULL;
	int admin = 0, rc;
	sl_store *st = NULL;
	sl_err e = {0};
	char tok[SL_TOKEN_LEN + 1], buf[SL_ERR_MSG_MAX + SL_ERR_ORIGIN_MAX];
	sl_clock clock = sl_clock_system();
	if (argc >= 2 && cli_is_help(argv[1])) {
		usage(stdout);
		return SL_EXIT_OK;
	}
	if (argc < 2 || strcmp(argv[1], "add") != 0) {
		cli_error("token", "expected `token add` (see `suanli token --help`)");
		return SL_EXIT_USAGE;
	}
	for (int i = 2; i < argc; i++) {
		if (cli_is_help(argv[i])) {
			usage(stdout);
			return SL_EXIT_OK;
		} else if (!strcmp(argv[i], "--admin")) {
			admin = 1;
		} else if (!strcmp(argv[i], "--tenant") && i + 1 < argc) {
			tenant = argv[++i];
		} else if (!strcmp(argv[i], "--data") && i + 1 < argc) {
			data = argv[++i];
		} else {
			cli_error("token", "%s: unknown option or missing value", argv[i]);
			return SL_EXIT_USAGE;
		}
	}
	if (!tenant || !data) {
		cli_error("token", "--tenant NAME and --data DIR are required");
		return SL_EXIT_USAGE;
	}
	if (!sl_auth_tenant_valid(tenant)) {
		cli_error("token", "--tenant: \"%s\" is not 1-64 characters of A-Z a-z 0-9 _ . -",
		          tenant);
		return SL_EXIT_USAGE;
	}
	rc = sl_store_open(data, SL_STORE_SYNC_FULL, &st, &e);
	if (rc == 0)
		rc = sl_auth_token_add(st, tenant, admin, sl_clock_now(&clock), tok, sizeof tok, &e);
	sl_store_free(st);
	if (rc < 0) {
		cli_error("token", "%s", sl_err_format(&e, buf, sizeof buf));
		return SL_EXIT_FAIL;
	}
	printf("%s\n", tok);
	return SL_EXIT_OK;
}
