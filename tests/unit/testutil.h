/*
 * testutil.h — shared includes for cmocka unit tests.
 */
#ifndef SL_TESTUTIL_H
#define SL_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Path of a test fixture relative to the repository root (tests run there). */
#define FIXTURE(name) "tests/fixtures/" name

#define assert_near(a, b, eps) \
	assert_true(fabs((double)(a) - (double)(b)) <= (eps))

#endif
