// SPDX-License-Identifier: MIT
/*
 * Two worker threads and a control-plane writer hammer one hash map at the
 * same time.  Every value is 8 words that all hold the same number, so a
 * torn value shows up as words that differ.  At the end, every key a worker
 * wrote must hold its last value (no lost entries).  An LRU map gets the
 * same treatment and must never fail an update nor hold more than its size;
 * a key a worker just wrote must read back whole, since it sits on that
 * worker's pending list, out of every eviction's reach (as in the kernel).
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#include "test.h"

#define WORDS 8
#define PER_WORKER 400
#define WRITER_KEYS 24
#define ROUNDS 400

struct val {
	uint64_t w[WORDS];
};

static struct uxdp_map *hm, *lm;
static int torn, lost, failed, lru_bad;

static void fill(struct val *v, uint64_t n)
{
	for (int i = 0; i < WORDS; i++)
		v->w[i] = n;
}

static int whole(const struct val *v)
{
	for (int i = 1; i < WORDS; i++)
		if (v->w[i] != v->w[0])
			return 0;
	return 1;
}

static void *worker(void *arg)
{
	unsigned int id = (unsigned int)(uintptr_t)arg, seed = id + 1;
	struct val v, out;

	uxdp_this_cpu = id;
	for (uint32_t r = 0; r < ROUNDS; r++) {
		for (uint32_t i = 0; i < PER_WORKER; i++) {
			uint32_t k = id * PER_WORKER + i, other;

			fill(&v, (uint64_t)k << 32 | r);
			if (uxdp_map_update(hm, &k, &v, BPF_ANY))
				__atomic_add_fetch(&failed, 1, __ATOMIC_RELAXED);
			/* my own key, once written, never disappears */
			if (!uxdp_map_lookup(hm, &k))
				__atomic_add_fetch(&lost, 1, __ATOMIC_RELAXED);
			/* anyone's key, read whole */
			other = (uint32_t)rand_r(&seed) % (2 * PER_WORKER + WRITER_KEYS);
			if (!uxdp_map_lookup_elem_copy(hm, &other, &out) && !whole(&out))
				__atomic_add_fetch(&torn, 1, __ATOMIC_RELAXED);
			/* own keys: nobody else's update moves them off my pending list */
			k = id * 5000 + (uint32_t)rand_r(&seed) % 5000;
			if (uxdp_map_update(lm, &k, &v, BPF_ANY))
				__atomic_add_fetch(&failed, 1, __ATOMIC_RELAXED);
			if (uxdp_map_lookup_elem_copy(lm, &k, &out) || !whole(&out))
				__atomic_add_fetch(&lru_bad, 1, __ATOMIC_RELAXED);
		}
	}
	return NULL;
}

static void *writer(void *arg)
{
	struct val v, out;

	for (uint32_t r = 0; r < ROUNDS * 20; r++) {
		for (uint32_t i = 0; i < WRITER_KEYS; i++) {
			uint32_t k = 2 * PER_WORKER + i;

			fill(&v, r);
			if (r % 3 == 2) {
				uxdp_map_delete_elem(hm, &k);
				continue;
			}
			if (uxdp_map_update_elem(hm, &k, &v, BPF_ANY))
				__atomic_add_fetch(&failed, 1, __ATOMIC_RELAXED);
			k = i * 7 % (2 * PER_WORKER);
			if (!uxdp_map_lookup_elem_copy(hm, &k, &out) && !whole(&out))
				__atomic_add_fetch(&torn, 1, __ATOMIC_RELAXED);
		}
	}
	return NULL;
}

int main(void)
{
	pthread_t t[3];
	struct val out;
	uint32_t k, next;
	int n = 0;

	test_begin("conc");
	hm = mk("hash", BPF_MAP_TYPE_HASH, 4, sizeof(struct val),
		2 * PER_WORKER + WRITER_KEYS, 0);
	lm = mk("lru", BPF_MAP_TYPE_LRU_HASH, 4, sizeof(struct val), 256, 0);
	if (!hm || !lm)
		return test_end();
	pthread_create(&t[0], NULL, worker, (void *)0);
	pthread_create(&t[1], NULL, worker, (void *)1);
	pthread_create(&t[2], NULL, writer, NULL);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	CHECK_EQ(torn, 0);
	CHECK_EQ(lost, 0);
	CHECK_EQ(failed, 0);
	CHECK_EQ(lru_bad, 0);
	for (k = 0; k < 2 * PER_WORKER; k++) {
		CHECK_EQ(uxdp_map_lookup_elem_copy(hm, &k, &out), 0);
		CHECK(whole(&out) && out.w[0] == ((uint64_t)k << 32 | (ROUNDS - 1)));
	}
	for (int rc = uxdp_map_get_next_key(lm, NULL, &next); rc == 0;
	     rc = uxdp_map_get_next_key(lm, &k, &next)) {
		k = next;
		n++;
		if (n > 1000)
			break;
	}
	/*
	 * The kernel's common LRU evicts in batches of target_free =
	 * 256 / 4 CPUs / 2 = 32 into a CPU's local free list, so each of the
	 * two workers may hold up to 32 free elements: 192..256 keys remain.
	 */
	CHECK(n >= 256 - 2 * 32 && n <= 256);
	uxdp_map_close(hm);
	uxdp_map_close(lm);
	return test_end();
}
