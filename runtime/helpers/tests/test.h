/* SPDX-License-Identifier: MIT */
/* test.h - a CHECK macro that names the failing expression, for helper unit tests. */
#ifndef UXDP_HELPERS_TEST_H
#define UXDP_HELPERS_TEST_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

static int test_failures;

#define CHECK(cond)                                                                       \
	do {                                                                              \
		if (!(cond)) {                                                            \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
			test_failures++;                                                  \
		}                                                                         \
	} while (0)

#define CHECK_EQ(got, want)                                                               \
	do {                                                                              \
		uint64_t g_ = (uint64_t)(got), w_ = (uint64_t)(want);                     \
		if (g_ != w_) {                                                           \
			fprintf(stderr, "%s:%d: %s = 0x%" PRIx64 ", want 0x%" PRIx64 "\n", \
				__FILE__, __LINE__, #got, g_, w_);                        \
			test_failures++;                                                  \
		}                                                                         \
	} while (0)

static inline int test_result(const char *name)
{
	if (test_failures) {
		fprintf(stderr, "%s: %d failure(s)\n", name, test_failures);
		return 1;
	}
	printf("%s: ok\n", name);
	return 0;
}

#endif
