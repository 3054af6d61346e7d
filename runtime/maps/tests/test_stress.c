// SPDX-License-Identifier: MIT
/*
 * A control-plane writer deletes and re-inserts keys at full speed while two
 * workers look them up, batch by batch, as drivers do: a worker holds the
 * value pointers of a batch until its end, so an element must not be reused
 * under it.  Every value is 8 words holding one generation; a worker reads
 * each value it found twice, at the start and at the end of its batch, and
 * both reads must be whole and equal (no torn value, no reuse).  At the end
 * every key holds the writer's last value for it (no lost update), and the
 * map still takes exactly max_entries keys (memory bounded, nothing leaked).
 *
 *	test_maps_stress [SECONDS] [threads|processes] [hash|lru]
 *
 * threads: the writer is a thread of this process (run it under TSan);
 * processes: the writer is a forked process (run it under ASan).  ctest
 * runs a few seconds of each; scripts/stress-maps.sh runs the long ones.
 * lru: an LRU map (the common lists) four times as large as the keys.  No
 * key is ever evicted: each CPU's local lists hold at most target_free
 * (256 / 4 CPUs / 2 = 32) elements, so with 64 keys a refill always finds
 * free elements on the global list and never shrinks it.  So the same
 * checks hold, but the last: an LRU map takes new keys by evicting, so
 * instead many new keys all go in, the map then holds between max_entries
 * less one refill batch and max_entries, and its lists audit clean.  One
 * writer and no eviction: this tests reclamation under readers, not
 * writers against writers (unit.maps.concurrency does).
 */
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

#include "../lru.h"
#include "test.h"

#define WORDS 8
#define KEYS 64
#define BATCH 32

struct val {
	uint64_t w[WORDS];
};

struct shared {                /* between the writer (maybe another process) and main */
	uint64_t last[KEYS];   /* the generation each key last got */
	int stop;
	int writer_failed;
	uint64_t writes;
};

static struct uxdp_map *hm;
static struct shared *sh;
static uint64_t lookups, hits, torn, moved;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void fill(struct val *v, uint64_t n)
{
	for (int i = 0; i < WORDS; i++)
		v->w[i] = n;
}

static bool whole(const struct val *v)
{
	for (int i = 1; i < WORDS; i++)
		if (__atomic_load_n(&v->w[i], __ATOMIC_RELAXED) !=
		    __atomic_load_n(&v->w[0], __ATOMIC_RELAXED))
			return false;
	return true;
}

/* Delete and re-insert every key, each time with a new generation. */
static void write_loop(struct uxdp_map *m)
{
	uint64_t gen = 0;
	struct val v;

	while (!__atomic_load_n(&sh->stop, __ATOMIC_RELAXED)) {
		for (uint32_t k = 0; k < KEYS; k++) {
			int err;

			fill(&v, ++gen);
			uxdp_map_delete_elem(m, &k);
			err = uxdp_map_update_elem(m, &k, &v, BPF_NOEXIST);
			if (err) {
				__atomic_store_n(&sh->writer_failed, err, __ATOMIC_RELAXED);
				return;
			}
			__atomic_store_n(&sh->last[k], gen, __ATOMIC_RELAXED);
			__atomic_add_fetch(&sh->writes, 1, __ATOMIC_RELAXED);
		}
	}
}

static void *writer_thread(void *arg)
{
	(void)arg;
	write_loop(hm);
	return NULL;
}

static void *worker(void *arg)
{
	unsigned int seed = (unsigned int)(uintptr_t)arg + 1;
	struct val *seen[BATCH];
	uint64_t first[BATCH];

	uxdp_this_cpu = (unsigned int)(uintptr_t)arg;
	while (!__atomic_load_n(&sh->stop, __ATOMIC_RELAXED)) {
		int n = 0;

		uxdp_map_epoch_enter();
		for (int i = 0; i < BATCH; i++) {
			uint32_t k = (uint32_t)rand_r(&seed) % KEYS;
			struct val *v = uxdp_map_lookup(hm, &k);

			__atomic_add_fetch(&lookups, 1, __ATOMIC_RELAXED);
			if (!v)
				continue;
			if (!whole(v))
				__atomic_add_fetch(&torn, 1, __ATOMIC_RELAXED);
			seen[n] = v;
			first[n++] = __atomic_load_n(&v->w[0], __ATOMIC_RELAXED);
		}
		/* the end of the batch: what was found is still what it was */
		for (int i = 0; i < n; i++) {
			if (!whole(seen[i]))
				__atomic_add_fetch(&torn, 1, __ATOMIC_RELAXED);
			if (__atomic_load_n(&seen[i]->w[0], __ATOMIC_RELAXED) != first[i])
				__atomic_add_fetch(&moved, 1, __ATOMIC_RELAXED);
		}
		__atomic_add_fetch(&hits, (uint64_t)n, __ATOMIC_RELAXED);
		uxdp_map_epoch_exit();
	}
	return NULL;
}

/* Bounded and nothing leaked: the map is full, and a new key is refused. */
static void check_hash_full(void)
{
	uint64_t added = 0;
	struct val out;

	for (uint32_t k = KEYS; k < 2 * KEYS; k++) {
		fill(&out, 1);
		if (uxdp_map_update_elem(hm, &k, &out, BPF_NOEXIST) == 0)
			added++;
	}
	CHECK_EQ(added, 0);
}

/*
 * An LRU map: new keys keep going in, by evicting, and then the map holds
 * max_entries less at most one refill batch (free on CPU 0's local list),
 * every element on one list or among the spares.
 */
static void check_lru_bounded(void)
{
	uint32_t k, next, n = 0;
	uint8_t *seen = calloc(1, hm->n_pool / 8 + 1);
	struct val out;

	for (k = KEYS; k < KEYS + 16 * KEYS; k++) {
		fill(&out, 1);
		CHECK_EQ(uxdp_map_update_elem(hm, &k, &out, BPF_NOEXIST), 0);
	}
	for (int rc = uxdp_map_get_next_key(hm, NULL, &next); rc == 0 && n <= 8 * KEYS;
	     rc = uxdp_map_get_next_key(hm, &k, &next), n++)
		k = next;
	CHECK(n >= 4 * KEYS - 32 && n <= 4 * KEYS);
	CHECK(seen && uxdp_lru_audit(hm, seen) == 0);
	free(seen);
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 3, t0;
	bool procs = argc > 2 && !strcmp(argv[2], "processes");
	bool lru = argc > 3 && !strcmp(argv[3], "lru");
	pthread_t w[2], wt;
	uint64_t forced = 0;
	pid_t pid = 0;
	struct val out;

	test_begin("stress");
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(sh != MAP_FAILED);
	hm = lru ? mk("h", BPF_MAP_TYPE_LRU_HASH, 4, sizeof(struct val), 4 * KEYS, 0)
		 : mk("h", BPF_MAP_TYPE_HASH, 4, sizeof(struct val), KEYS, 0);
	if (!hm || sh == MAP_FAILED)
		return test_end();
	if (procs) {
		pid = fork();
		if (pid == 0) {
			struct uxdp_map *m = NULL;

			if (uxdp_map_open(test_instance, "h", &m))
				_exit(2);
			write_loop(m);
			_exit(0);
		}
		CHECK(pid > 0);
	} else {
		pthread_create(&wt, NULL, writer_thread, NULL);
	}
	for (uintptr_t i = 0; i < 2; i++)
		pthread_create(&w[i], NULL, worker, (void *)i);
	t0 = now();
	while (now() - t0 < seconds && !sh->writer_failed)
		usleep(10000);
	__atomic_store_n(&sh->stop, 1, __ATOMIC_RELAXED);
	for (int i = 0; i < 2; i++)
		pthread_join(w[i], NULL);
	if (procs) {
		int status = 0;

		waitpid(pid, &status, 0);
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	} else {
		pthread_join(wt, NULL);
	}
	uxdp_map_health(hm, &forced, NULL);
	printf("%s%s, %.0f s: %llu writes, %llu lookups (%llu hits), %llu torn, %llu reused "
	       "under a reader, %llu forced reuses\n",
	       lru ? "lru, " : "", procs ? "processes" : "threads", seconds,
	       (unsigned long long)sh->writes, (unsigned long long)lookups,
	       (unsigned long long)hits, (unsigned long long)torn, (unsigned long long)moved,
	       (unsigned long long)forced);
	CHECK_EQ(sh->writer_failed, 0);
	CHECK(sh->writes > KEYS && hits > 0); /* the test did something */
	CHECK_EQ(torn, 0);
	CHECK_EQ(moved, 0);
	CHECK_EQ(forced, 0);
	/* no lost update: each key holds its last generation */
	for (uint32_t k = 0; k < KEYS; k++) {
		if (uxdp_map_lookup_elem_copy(hm, &k, &out)) {
			CHECK(!"a key the writer wrote last is missing");
			continue;
		}
		CHECK(whole(&out) && out.w[0] == sh->last[k]);
	}
	if (lru)
		check_lru_bounded();
	else
		check_hash_full();
	uxdp_map_close(hm);
	return test_end();
}
