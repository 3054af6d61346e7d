/* SPDX-License-Identifier: MIT */
/*
 * test.h - a tiny harness for the map unit tests: CHECK prints the failing
 * expression and counts it; each test runs in its own map instance, which
 * it removes from /dev/shm at the end, pass or fail.
 */
#ifndef UXDP_MAPS_TEST_H
#define UXDP_MAPS_TEST_H

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <linux/bpf.h>

#include <uxdp/map.h>

static int test_failures;
static char test_instance[UXDP_INSTANCE_LEN];

#define CHECK(cond)                                                                   \
	do {                                                                          \
		if (!(cond)) {                                                        \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, \
				#cond);                                               \
			test_failures++;                                              \
		}                                                                     \
	} while (0)

#define CHECK_EQ(a, b)                                                                \
	do {                                                                          \
		long long _a = (long long)(a), _b = (long long)(b);                   \
		if (_a != _b) {                                                       \
			fprintf(stderr, "%s:%d: %s == %lld, expected %s == %lld\n",   \
				__FILE__, __LINE__, #a, _a, #b, _b);                  \
			test_failures++;                                              \
		}                                                                     \
	} while (0)

static inline void test_begin(const char *tag)
{
	snprintf(test_instance, sizeof(test_instance), "t%s%d", tag, (int)getpid());
}

static inline int test_end(void)
{
	uxdp_map_unlink_instance(test_instance);
	if (test_failures)
		fprintf(stderr, "%d check(s) failed\n", test_failures);
	return test_failures ? 1 : 0;
}

/* Create a map in the test instance; NULL (and a failed check) on error. */
/* mk() for ncpus CPUs. */
static inline struct uxdp_map *mk_cpus(const char *name, uint32_t type, uint32_t ks, uint32_t vs,
				       uint32_t max, uint32_t flags, uint32_t ncpus)
{
	struct uxdp_map_def d = {
		.sz = sizeof(d),
		.name = name, .type = type, .key_size = ks, .value_size = vs,
		.max_entries = max, .map_flags = flags, .ncpus = ncpus,
	};
	struct uxdp_map *m = NULL;
	int err = uxdp_map_create(test_instance, &d, &m);

	if (err)
		fprintf(stderr, "create %s: %s\n", name, strerror(-err));
	CHECK(err == 0);
	return m;
}

static inline struct uxdp_map *mk(const char *name, uint32_t type, uint32_t ks, uint32_t vs,
				  uint32_t max, uint32_t flags)
{
	return mk_cpus(name, type, ks, vs, max, flags, 4);
}

static inline int try_create(uint32_t type, uint32_t ks, uint32_t vs, uint32_t max,
			     uint32_t flags)
{
	struct uxdp_map_def d = {
		.sz = sizeof(d),
		.name = "probe", .type = type, .key_size = ks, .value_size = vs,
		.max_entries = max, .map_flags = flags, .ncpus = 2,
	};
	struct uxdp_map *m = NULL;
	int err = uxdp_map_create(test_instance, &d, &m);

	if (!err) {
		uxdp_map_close(m);
		uxdp_map_unlink(test_instance, "probe");
	}
	return err;
}

#endif /* UXDP_MAPS_TEST_H */
