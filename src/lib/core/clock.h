/*
 * clock.h — the injected clock.
 *
 * The library never reads the wall clock itself: whoever owns the engine
 * passes an sl_clock.  The simulator uses a manual clock it advances; the
 * service passes sl_clock_system() at its edge.  This module is the only
 * place in the library that calls clock_gettime().
 */
#ifndef SL_CLOCK_H
#define SL_CLOCK_H

#include <stdint.h>

typedef struct sl_clock {
	int64_t (*now)(void *ud);      /* UTC seconds */
	int64_t (*now_ns)(void *ud);   /* monotonic nanoseconds, for durations */
	void *ud;
} sl_clock;

/* A clock that returns whatever value *t holds (ns = *t * 1e9). */
typedef struct sl_clock_manual {
	sl_clock clock;
	int64_t t;
} sl_clock_manual;

void sl_clock_manual_init(sl_clock_manual *m, int64_t t);

/* The real clock: CLOCK_REALTIME seconds, CLOCK_MONOTONIC nanoseconds. */
sl_clock sl_clock_system(void);

static inline int64_t sl_clock_now(const sl_clock *c) { return c->now(c->ud); }
static inline int64_t sl_clock_now_ns(const sl_clock *c) { return c->now_ns(c->ud); }

#endif
