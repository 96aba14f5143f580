/*
 * csv_signal.h — read one column of a signal CSV onto the scenario's grid.
 *
 * Format (docs/scenario-format.md, "Signals"): header row, optional UTF-8
 * BOM, '#' comment lines and blank lines ignored; first column `time` (ISO
 * 8601, UTC when no offset) or `hour` (integer hour index, 0 = t0); value
 * columns after it.  Plain or gzip-compressed files are read alike.
 */
#ifndef SL_CSV_SIGNAL_H
#define SL_CSV_SIGNAL_H

#include <stdint.h>

#include "core/err.h"

/* Load column `column` of the CSV file at `path` resampled onto the grid of
 * n steps of step_s seconds starting at t0, writing n values to out.
 * Coarser series are held constant over the steps they cover, finer series
 * are averaged over each step.  The file must cover [t0, t0 + n*step_s)
 * with no gap.
 * Errors: SL_EIO (cannot open/read), SL_ENOTFOUND (no such column),
 * SL_EPARSE (malformed: bad number, bad time, gap, duplicate, out of
 * order, short row) with err->origin = "path:line", SL_ERANGE (series does
 * not cover the range; origin = "path").  out is untouched on failure. */
int sl_csv_signal_load(const char *path, const char *column, int64_t t0, int32_t step_s,
                       int32_t n, double *out, sl_err *err);

#endif
