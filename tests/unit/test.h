/* SPDX-License-Identifier: MIT */
#ifndef TESTS_UNIT_TEST_H
#define TESTS_UNIT_TEST_H

/*
 * Hosted unit tests: plain C, table-driven, no framework. Each test_*.c has
 * a main() that runs its cases with RUN(); every case prints one line,
 * "PASS <suite>.<case>" or "FAIL <suite>.<case>", and tests/run-unit counts them.
 */

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

extern int test_case_failures;
extern int test_suite_failures;

#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			printf("  %s:%d: CHECK(%s) failed\n",		\
			       __FILE__, __LINE__, #cond);		\
			test_case_failures++;				\
		}							\
	} while (0)

#define CHECK_EQ(a, b)							\
	do {								\
		uint64_t a_ = (uint64_t)(a), b_ = (uint64_t)(b);	\
		if (a_ != b_) {						\
			printf("  %s:%d: %s == %s: got 0x%" PRIx64	\
			       ", want 0x%" PRIx64 "\n", __FILE__,	\
			       __LINE__, #a, #b, a_, b_);		\
			test_case_failures++;				\
		}							\
	} while (0)

#define CHECK_STR(a, b)							\
	do {								\
		const char *a_ = (a), *b_ = (b);			\
		if (!a_ || !b_ || strcmp(a_, b_) != 0) {			\
			printf("  %s:%d: %s == %s: got \"%s\", want "	\
			       "\"%s\"\n", __FILE__, __LINE__, #a, #b,	\
			       a_ ? a_ : "(null)", b_ ? b_ : "(null)");	\
			test_case_failures++;				\
		}							\
	} while (0)

#define RUN(suite, fn)							\
	do {								\
		test_case_failures = 0;					\
		fn();							\
		printf("%s %s.%s\n", test_case_failures ? "FAIL" : "PASS", \
		       suite, #fn);					\
		if (test_case_failures)					\
			test_suite_failures++;				\
	} while (0)

#define TEST_GLOBALS int test_case_failures, test_suite_failures

#endif
