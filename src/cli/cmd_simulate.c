/*
 * cmd_simulate.c — placeholder until the simulate verb lands (owned by its issue).
 */
#include "cli.h"

int cmd_simulate(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	cli_error("simulate", "not built yet");
	return SL_EXIT_INTERNAL;
}
