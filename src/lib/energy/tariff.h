/*
 * tariff.h — electricity prices from time-of-use rules or a price series.
 *
 * The sl_tariff struct is in model/network.h.  Rules are evaluated in local
 * time (tariff->utc_offset_s); the last matching rule wins.
 */
#ifndef SL_TARIFF_H
#define SL_TARIFF_H

#include <stdint.h>

#include "model/network.h"

/* The band in force at UTC time t, or -1 for a series tariff. */
int sl_tariff_band_at(const sl_tariff *tf, int64_t t);

/* Price in CNY/kWh at UTC time t. */
double sl_tariff_price_at(const sl_tariff *tf, int64_t t);

/* Mean price over each of n steps [t0 + i*step_s, t0 + (i+1)*step_s) into
 * out[i] (exact: integrates the piecewise-constant band prices). */
void sl_tariff_fill(const sl_tariff *tf, int64_t t0, int32_t step_s, int32_t n, double *out);

#endif
