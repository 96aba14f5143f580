/*
 * clock.c — manual and system clocks (the one place that reads real time).
 */
#include "core/clock.h"

#include <time.h>

static int64_t manual_now(void *ud)
{
	return ((sl_clock_manual *)ud)->t;
}

static int64_t manual_now_ns(void *ud)
{
	return ((sl_clock_manual *)ud)->t * 1000000000LL;
}

void sl_clock_manual_init(sl_clock_manual *m, int64_t t)
{
	m->t = t;
	m->clock.now = manual_now;
	m->clock.now_ns = manual_now_ns;
	m->clock.ud = m;
}

static int64_t system_now(void *ud)
{
	struct timespec ts;
	(void)ud;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec;
}

static int64_t system_now_ns(void *ud)
{
	struct timespec ts;
	(void)ud;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

sl_clock sl_clock_system(void)
{
	sl_clock c = {system_now, system_now_ns, NULL};
	return c;
}
