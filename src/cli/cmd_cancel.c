/*
 * cmd_cancel.c — `suanli cancel ID [--json]`: POST /v1/jobs/ID/cancel.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"
#include "client.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: suanli cancel ID [--json]\n\n"
	           "Cancel a job.  A job that has not started is cancelled at once; a running\n"
	           "one is sent SIGTERM, then SIGKILL after the server's grace period, and\n"
	           "ends as cancelled (follow it with `suanli status ID`).\n\n"
	           "exit status: 0 cancelled or cancel requested, 1 refused (no such job,\n"
	           "another tenant's, already finished), 2 bad command line, 5 server\n"
	           "unreachable.\n");
}

int cmd_cancel(int argc, char **argv)
{
	long long id = 0;
	int json = 0, rc;
	char path[80];
	json_t *out = NULL;
	if ((rc = client_id_args("cancel", argc, argv, &id, &json, usage)) != 0)
		return rc > 0 ? SL_EXIT_OK : SL_EXIT_USAGE;
	snprintf(path, sizeof path, "/v1/jobs/%lld/cancel", id);
	rc = client_fetch("cancel", "POST", path, "{}", &out);
	if (rc != 0)
		return rc;
	if (json)
		client_print_json(out);
	else if (json_is_true(json_object_get(out, "cancel_requested")) &&
	         !strcmp(client_str(out, "state"), "running"))
		printf("job %lld: cancel requested (it is running; it stops within the grace "
		       "period)\n", id);
	else
		printf("job %lld: %s\n", id, client_str(out, "state"));
	json_decref(out);
	return SL_EXIT_OK;
}
