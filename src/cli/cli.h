/*
 * cli.h — the suanli command table and helpers shared by subcommands.
 *
 * Each verb lives in its own cmd_*.c with one entry point
 *   int cmd_VERB(int argc, char **argv);   (argv[0] is the verb)
 * returning an exit status (see SL_EXIT_*).  main.c dispatches; only main
 * exits.
 */
#ifndef SL_CLI_H
#define SL_CLI_H

#include <stdio.h>

/* Exit codes, documented in the README and `suanli --help`. */
enum {
	SL_EXIT_OK = 0,       /* success */
	SL_EXIT_FAIL = 1,     /* the operation ran and failed (e.g. invalid scenario) */
	SL_EXIT_USAGE = 2,    /* bad command line */
	SL_EXIT_INPUT = 3,    /* an input file could not be read or parsed */
	SL_EXIT_INTERNAL = 4, /* a bug or an unexpected system error */
	SL_EXIT_UNAVAILABLE = 5 /* a server could not be reached */
};

#define SUANLI_VERSION "0.1.0"

/* Print "suanli VERB: msg" to stderr. */
void cli_error(const char *verb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* True if argv[i] is "-h" or "--help". */
int cli_is_help(const char *arg);

int cmd_scenario(int argc, char **argv);
int cmd_simulate(int argc, char **argv);
int cmd_trace(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_token(int argc, char **argv);
int cmd_submit(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_jobs(int argc, char **argv);
int cmd_cancel(int argc, char **argv);
int cmd_sites(int argc, char **argv);

#endif
