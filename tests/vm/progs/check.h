/* SPDX-License-Identifier: GPL-2.0 */
/*
 * check.h - the assertions of the VexFS guest test programs.
 *
 * Each test is a function; CHECK() records a failed expectation with its
 * line and keeps going, so one run reports every broken behaviour.  A test
 * prints one "PASS: name" or "FAIL: name" line, which the VM harness
 * collects.
 */
#ifndef VEXFS_TEST_CHECK_H
#define VEXFS_TEST_CHECK_H

#include <errno.h>
#include <stdio.h>
#include <string.h>

static int check_failures;	/* in the current test */
static int tests_failed;	/* in the whole program */

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "  %s:%d: %s failed (errno %d: %s)\n",	\
			__FILE__, __LINE__, #cond, errno, strerror(errno)); \
		check_failures++;					\
	}								\
} while (0)

/* A call that must fail with exactly @err. */
#define CHECK_ERR(call, err) do {					\
	errno = 0;							\
	long __r = (long)(call);					\
	if (__r != -1 || errno != (err)) {				\
		fprintf(stderr, "  %s:%d: %s returned %ld errno %d (%s), expected %s\n", \
			__FILE__, __LINE__, #call, __r, errno,		\
			strerror(errno), #err);				\
		check_failures++;					\
	}								\
} while (0)

/* A call that must succeed (return >= 0). */
#define CHECK_OK(call) do {						\
	errno = 0;							\
	long __r = (long)(call);					\
	if (__r < 0) {							\
		fprintf(stderr, "  %s:%d: %s failed: %s\n",		\
			__FILE__, __LINE__, #call, strerror(errno));	\
		check_failures++;					\
	}								\
} while (0)

#define RUN_TEST(prefix, fn) do {					\
	check_failures = 0;						\
	fn();								\
	printf("%s: %s%s\n", check_failures ? "FAIL" : "PASS",		\
	       prefix, #fn);						\
	fflush(stdout);							\
	if (check_failures)						\
		tests_failed++;						\
} while (0)

#endif /* VEXFS_TEST_CHECK_H */
