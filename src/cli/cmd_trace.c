/*
 * cmd_trace.c — placeholder until the trace verb lands (owned by its issue).
 */
#include "cli.h"

int cmd_trace(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	cli_error("trace", "not built yet");
	return SL_EXIT_INTERNAL;
}
