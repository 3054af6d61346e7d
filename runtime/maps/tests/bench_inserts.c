// SPDX-License-Identifier: MIT
/*
 * bench_inserts.c - new flows into a connection table, one thread and two:
 * each thread, pinned to CPU 0 or 1, looks up a key it has not used
 * (a miss, as a program's first packet of a flow) and inserts it, in
 * batches of 32 inside a read-side section as a worker runs them.  With an
 * LRU map every insert past the first max_entries evicts.  Prints ns per
 * insert of each thread and the two threads' rate over one thread's: what
 * a SYN flood or a scan costs a data plane with two workers, measured
 * without a driver.  A benchmark (docs/benchmarks.md), not a test.
 *
 *   bench_maps_inserts [lru|lru-percpu-lists|hash] [max_entries]
 *
 * hash: a plain hash map, each insert followed by the delete of the key
 * the thread inserted max_entries / 4 inserts before, so that the table
 * stays a quarter full with one thread and half full with two; its ns per
 * insert include that delete.  The map has two CPUs' lists (ncpus 2), one
 * per thread, as a data plane with two workers creates it.
 *
 * UXDP_BENCH_ONE_THREAD=1 runs the one-thread part only: under callgrind,
 * whose threads take turns, two threads spinning on each other's locks
 * count instructions no real run executes.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <uxdp/clock.h>

#include "bench.h"
#include "test.h"

#define INSERTS 2000000u
#define BATCH 32u

struct flow {
	uint32_t saddr, daddr;
	uint16_t sport, dport;
	uint32_t proto;
};

struct conn {
	uint64_t backend, packets;
};

static struct uxdp_map *map;
static uint32_t map_kind, map_flags;
static bool plain_hash;
static uint32_t max_entries = 2048;
static double ns_per_insert[2];
static int failures;

static struct flow flow_of(unsigned int id, uint32_t n)
{
	/* distinct per thread and per insert; the hash spreads them */
	struct flow f = { .saddr = 0xc6120000u + n, .daddr = 0xc6130001u, .sport = (uint16_t)n,
			  .dport = 80, .proto = 6 + id };

	return f;
}

static void insert_batch(unsigned int id, uint32_t first)
{
	struct conn c = { 1, 1 };

	uxdp_map_epoch_enter();
	for (uint32_t n = first; n < first + BATCH; n++) {
		struct flow f = flow_of(id, n);

		if (uxdp_map_lookup(map, &f) || uxdp_map_update_elem(map, &f, &c, BPF_ANY))
			__atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);
		if (plain_hash && n >= max_entries / 4) {
			struct flow old = flow_of(id, n - max_entries / 4);

			if (uxdp_map_delete_elem(map, &old))
				__atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);
		}
	}
	uxdp_map_epoch_exit();
}

static void *run_thread(void *arg)
{
	unsigned int id = (unsigned int)(uintptr_t)arg;
	uint64_t t0;

	bench_pin(id);
	t0 = uxdp_monotonic_ns();
	for (uint32_t n = 0; n < INSERTS; n += BATCH)
		insert_batch(id, n);
	ns_per_insert[id] = (double)(uxdp_monotonic_ns() - t0) / INSERTS;
	return NULL;
}

/* Mean ns per insert of the threads. */
static double run(unsigned int threads)
{
	pthread_t t[2];
	uint64_t forced = 0;
	double sum = 0;

	for (unsigned int i = 0; i < threads; i++)
		pthread_create(&t[i], NULL, run_thread, (void *)(uintptr_t)i);
	for (unsigned int i = 0; i < threads; i++)
		pthread_join(t[i], NULL);
	for (unsigned int i = 0; i < threads; i++)
		sum += ns_per_insert[i];
	uxdp_map_health(map, &forced, NULL);
	printf("%u thread%s: %.1f ns per insert", threads, threads > 1 ? "s" : "",
	       sum / threads);
	if (threads > 1)
		printf(" (%.1f, %.1f)", ns_per_insert[0], ns_per_insert[1]);
	printf(", %llu forced reuses\n", (unsigned long long)forced);
	return sum / threads;
}

static uint32_t map_type(const char *mode, uint32_t *flags)
{
	*flags = 0;
	if (!strcmp(mode, "lru"))
		return BPF_MAP_TYPE_LRU_HASH;
	if (!strcmp(mode, "lru-percpu-lists")) {
		*flags = BPF_F_NO_COMMON_LRU;
		return BPF_MAP_TYPE_LRU_HASH;
	}
	if (!strcmp(mode, "hash")) {
		plain_hash = true;
		return BPF_MAP_TYPE_HASH;
	}
	return 0;
}

/* mk() with the two CPUs of the two threads. */
static struct uxdp_map *make(const char *name)
{
	struct uxdp_map_def d = {
		.sz = sizeof(d), .name = name, .type = map_kind,
		.key_size = sizeof(struct flow), .value_size = sizeof(struct conn),
		.max_entries = max_entries, .map_flags = map_flags, .ncpus = 2,
	};
	struct uxdp_map *m = NULL;
	int err = uxdp_map_create(test_instance, &d, &m);

	if (err)
		fprintf(stderr, "create %s: %s\n", name, strerror(-err));
	CHECK_EQ(err, 0);
	return m;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "lru";
	double one, two;

	map_kind = map_type(mode, &map_flags);
	if (argc > 3 || !map_kind || (argc == 3 && !(max_entries = (uint32_t)atoi(argv[2])))) {
		fprintf(stderr, "usage: bench_maps_inserts [lru|lru-percpu-lists|hash] [max_entries]\n");
		return 2;
	}
	test_begin("binsert");
	map = make("conns");
	if (!map)
		return test_end();
	printf("%s, %u entries, %u inserts per thread\n", mode, max_entries, INSERTS);
	one = run(1);
	uxdp_map_close(map);
	if (getenv("UXDP_BENCH_ONE_THREAD") && !strcmp(getenv("UXDP_BENCH_ONE_THREAD"), "1")) {
		CHECK_EQ(failures, 0);
		return test_end();
	}
	map = make("conns2");
	if (!map)
		return test_end();
	two = run(2);
	printf("two threads' rate / one thread's: %.2f\n", 2 * one / two);
	if (failures)
		printf("%d lookups, updates or deletes failed\n", failures);
	CHECK_EQ(failures, 0);
	uxdp_map_close(map);
	return test_end();
}
