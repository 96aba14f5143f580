/*
 * cmd_scenario.c — `suanli scenario check|show FILE`.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

int cmd_scenario(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	cli_error("scenario", "not built yet");
	return SL_EXIT_INTERNAL;
}
