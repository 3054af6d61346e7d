// SPDX-License-Identifier: MIT
/*
 * bench_counting.c - two threads counting in the values of different keys
 * of one hash map, as two workers count packets in a connection table or a
 * rate table: ns per locked add, with one thread and with two.  A benchmark
 * (docs/benchmarks.md), not a test: nothing here is timed by ctest.
 *
 *   bench_counting [interleaved|halves]
 *
 * interleaved: thread 0 counts in even keys, thread 1 in odd ones, so the
 * two threads' elements are neighbours in the pool (a table filled in
 * arrival order); halves: each thread its own half of the pool.  With
 * elements sharing cache lines, interleaved costs a line transfer per add.
 */
#define _GNU_SOURCE
#include <string.h>
#include <uxdp/clock.h>

#include "bench.h"
#include "test.h"

#define KEYS 4096u
#define ADDS 20000000u

struct counters {
	uint64_t packets, dropped; /* a 16-byte value: 56 bytes packed, a line padded */
};

static struct uxdp_map *map;
static bool interleaved = true;
static double ns_per_add[2];

static void *count(void *arg)
{
	unsigned int id = (unsigned int)(uintptr_t)arg;
	struct counters *mine[KEYS / 2];
	uint64_t t0;

	bench_pin(id);
	for (uint32_t i = 0; i < KEYS / 2; i++) {
		uint32_t k = interleaved ? 2 * i + id : id * (KEYS / 2) + i;

		mine[i] = uxdp_map_lookup(map, &k);
	}
	t0 = uxdp_monotonic_ns();
	for (uint32_t i = 0; i < ADDS; i++)
		__atomic_fetch_add(&mine[i % (KEYS / 2)]->packets, 1, __ATOMIC_SEQ_CST);
	ns_per_add[id] = (double)(uxdp_monotonic_ns() - t0) / ADDS;
	return NULL;
}

static void run(unsigned int threads)
{
	pthread_t t[2];

	for (unsigned int i = 0; i < threads; i++)
		pthread_create(&t[i], NULL, count, (void *)(uintptr_t)i);
	for (unsigned int i = 0; i < threads; i++)
		pthread_join(t[i], NULL);
	printf("%u thread%s, %s: %.2f ns per locked add\n", threads, threads > 1 ? "s" : "",
	       interleaved ? "interleaved keys" : "keys in halves", ns_per_add[0]);
}

int main(int argc, char **argv)
{
	struct counters zero = { 0 };

	if (argc > 2 || (argc == 2 && strcmp(argv[1], "halves") && strcmp(argv[1], "interleaved"))) {
		fprintf(stderr, "usage: bench_maps_counting [interleaved|halves]\n");
		return 2;
	}
	interleaved = argc < 2 || !strcmp(argv[1], "interleaved");
	test_begin("bcount");
	map = mk("counters", BPF_MAP_TYPE_HASH, 4, sizeof(zero), KEYS, 0);
	if (!map)
		return test_end();
	for (uint32_t k = 0; k < KEYS; k++)
		CHECK_EQ(uxdp_map_update_elem(map, &k, &zero, BPF_ANY), 0);
	run(1);
	run(2);
	uxdp_map_close(map);
	return test_end();
}
