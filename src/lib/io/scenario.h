/*
 * scenario.h — load and validate a scenario YAML file into an sl_network.
 *
 * The format is docs/scenario-format.md.  Validation collects every error
 * (file:line:col, key path, what was expected) into diags rather than
 * stopping at the first; unknown keys are errors with a "did you mean" hint.
 */
#ifndef SL_SCENARIO_H
#define SL_SCENARIO_H

#include <stddef.h>

#include "core/diag.h"
#include "core/err.h"
#include "model/network.h"

/* Load the scenario at path.  On success *out is a new network (free with
 * sl_network_free) and 0 is returned.  On failure every problem found is
 * appended to diags (which may be NULL), err gets a summary, and a negative
 * code is returned: SL_EIO (unreadable file), SL_EPARSE (invalid YAML or
 * invalid scenario).  Never crashes on any input. */
int sl_scenario_load(const char *path, sl_network **out, sl_diags *diags, sl_err *err);

/* The same from len bytes of YAML text already in memory.  path names the
 * text in diagnostics and locates its CSV series (relative to its
 * directory); NULL means "<memory>" and the current directory.  Returns 0
 * or SL_EPARSE, as above. */
int sl_scenario_parse(const char *text, size_t len, const char *path, sl_network **out,
                      sl_diags *diags, sl_err *err);

#endif
