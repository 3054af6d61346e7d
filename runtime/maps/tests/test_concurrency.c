// SPDX-License-Identifier: MIT
/*
 * Two worker threads and a control-plane writer hammer one hash map at the
 * same time.  Every value is 8 words that all hold the same number, so a
 * torn value shows up as words that differ.  At the end, every key a worker
 * wrote must hold its last value (no lost entries).  An LRU map gets the
 * same treatment and must never fail an update nor hold more than its size;
 * a key a worker just wrote must read back whole, since it sits on that
 * worker's pending list, out of every eviction's reach (as in the kernel).
 * Both LRU maps (common and per-CPU lists, locked per CPU, globally and
 * per bucket, lru.h) get keys that every thread replaces and the writer
 * deletes, so that elements leave their chains under another CPU's hand;
 * at the end their chains must be sound: every element once, in the
 * bucket of its hash, no more than the map's elements, every value whole
 * and its key's, and every element on one list or among the spares.
 * The hash map (locked per bucket, its free elements per CPU, hash_free.h)
 * gets keys of the same kind, which each worker replaces in the other's
 * elements and the writer deletes, and at the end the same check of its
 * chains and of its free elements: each on its CPU's FIFO once, and with
 * the chains exactly max_entries beyond the spares.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#include "../hash_free.h"
#include "../hash_internal.h"
#include "../lru.h"
#include "test.h"

#define WORDS 8
#define PER_WORKER 400
#define WRITER_KEYS 24
#define ROUNDS 400
#define SHARED_BASE 10000u /* keys every thread writes into the LRU maps (and the hash map) */
#define SHARED_KEYS 64

struct val {
	uint64_t w[WORDS];
};

static struct uxdp_map *hm, *lm, *pm;
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

			/* a packet: its lookups announced, as a worker's batch is */
			uxdp_map_epoch_enter();

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
			fill(&v, (uint64_t)k << 32 | r);
			if (uxdp_map_update(lm, &k, &v, BPF_ANY))
				__atomic_add_fetch(&failed, 1, __ATOMIC_RELAXED);
			if (uxdp_map_lookup_elem_copy(lm, &k, &out) || !whole(&out))
				__atomic_add_fetch(&lru_bad, 1, __ATOMIC_RELAXED);
			/* per-CPU lists: only this worker evicts from its own list */
			fill(&v, (uint64_t)k << 32 | r);
			if (uxdp_map_update(pm, &k, &v, BPF_ANY))
				__atomic_add_fetch(&failed, 1, __ATOMIC_RELAXED);
			if (uxdp_map_lookup_elem_copy(pm, &k, &out) || !whole(&out))
				__atomic_add_fetch(&lru_bad, 1, __ATOMIC_RELAXED);
			k = SHARED_BASE + (uint32_t)rand_r(&seed) % SHARED_KEYS;
			fill(&v, (uint64_t)k << 32 | r);
			if (uxdp_map_update(pm, &k, &v, BPF_ANY))
				__atomic_add_fetch(&failed, 1, __ATOMIC_RELAXED);
			/* and the common lists': elements leave chains under any CPU's hand */
			if (uxdp_map_update(lm, &k, &v, BPF_ANY))
				__atomic_add_fetch(&failed, 1, __ATOMIC_RELAXED);
			/* the hash map's shared keys: the map has room for them all */
			if (uxdp_map_update(hm, &k, &v, BPF_ANY))
				__atomic_add_fetch(&failed, 1, __ATOMIC_RELAXED);
			uxdp_map_epoch_exit();
		}
	}
	return NULL;
}

static void *writer(void *arg)
{
	struct val v, out;

	uxdp_this_cpu = 2; /* the per-CPU-lists map: a list of its own */
	for (uint32_t r = 0; r < ROUNDS * 20; r++) {
		for (uint32_t i = 0; i < WRITER_KEYS; i++) {
			uint32_t k = 2 * PER_WORKER + i;

			fill(&v, (uint64_t)k << 32 | r);
			if (r % 3 == 2) {
				uxdp_map_delete_elem(hm, &k);
				continue;
			}
			if (uxdp_map_update_elem(hm, &k, &v, BPF_ANY))
				__atomic_add_fetch(&failed, 1, __ATOMIC_RELAXED);
			k = i * 7 % (2 * PER_WORKER);
			if (!uxdp_map_lookup_elem_copy(hm, &k, &out) && !whole(&out))
				__atomic_add_fetch(&torn, 1, __ATOMIC_RELAXED);
			/* the per-CPU-lists map's shared keys: deleted, taken, replaced */
			k = SHARED_BASE + (r + i) % SHARED_KEYS;
			if (r % 3 == 0)
				uxdp_map_delete_elem(pm, &k);
			else if (r % 3 == 1 && !uxdp_hash_lookup_and_delete(pm, &k, &out) &&
				 (!whole(&out) || out.w[0] >> 32 != k))
				__atomic_add_fetch(&torn, 1, __ATOMIC_RELAXED);
			fill(&v, (uint64_t)k << 32 | r);
			if (r % 3 == 2 && uxdp_map_update_elem(pm, &k, &v, BPF_ANY))
				__atomic_add_fetch(&failed, 1, __ATOMIC_RELAXED);
			/* the common lists' too, the other way round */
			if (r % 3 == 1)
				uxdp_map_delete_elem(lm, &k);
			else if (r % 3 == 2 && !uxdp_hash_lookup_and_delete(lm, &k, &out) &&
				 (!whole(&out) || out.w[0] >> 32 != k))
				__atomic_add_fetch(&torn, 1, __ATOMIC_RELAXED);
			if (r % 3 == 0 && uxdp_map_update_elem(lm, &k, &v, BPF_ANY))
				__atomic_add_fetch(&failed, 1, __ATOMIC_RELAXED);
			/* and the hash map's: deleted under the workers' replacements */
			if (r % 2 == 0)
				uxdp_map_delete_elem(hm, &k);
			else if (!uxdp_hash_lookup_and_delete(hm, &k, &out) &&
				 (!whole(&out) || out.w[0] >> 32 != k))
				__atomic_add_fetch(&torn, 1, __ATOMIC_RELAXED);
		}
	}
	return NULL;
}

/*
 * The chains of m, walked as a writer would: every element in the bucket
 * of its hash, in one chain only, no more of them than n_elems, each value
 * whole and written for its key (w[0] >> 32).  Returns how many elements.
 */
static uint32_t check_chains_into(struct uxdp_map *m, uint8_t *seen)
{
	uint32_t n = 0;

	for (uint32_t b = 0; seen && b <= m->bucket_mask; b++) {
		uint32_t l = *hash_bucket(m, b), steps = 0;

		while (!(l & HASH_NULLS_BIT) && steps++ <= m->n_pool) {
			struct helem *e = elem(m, l);
			const struct val *v = (const struct val *)evalue(m, e);
			uint32_t key;

			memcpy(&key, ekey(e), sizeof(key));
			CHECK(link_ok(m, l) && (e->hash & m->bucket_mask) == b);
			CHECK(!(seen[(l - 1) / 8] & (1u << ((l - 1) % 8))));
			CHECK(whole(v) && v->w[0] >> 32 == key);
			seen[(l - 1) / 8] |= (uint8_t)(1u << ((l - 1) % 8));
			n++;
			l = e->next;
		}
		CHECK_EQ(l, HASH_NULLS(b));
	}
	CHECK(n <= m->n_elems);
	return n;
}

static uint32_t check_chains(struct uxdp_map *m)
{
	uint8_t *seen = calloc(1, m->n_pool / 8 + 1);
	uint32_t n = seen ? check_chains_into(m, seen) : 0;

	free(seen);
	return n;
}

/* The hash map's chains, then its free elements against them (hash_free.h). */
static void audit_hash(struct uxdp_map *m)
{
	uint8_t *in_chain = calloc(1, m->n_pool / 8 + 1), *seen = calloc(1, m->n_pool / 8 + 1);

	CHECK(in_chain && seen);
	if (in_chain && seen) {
		CHECK(check_chains_into(m, in_chain) >= 2 * PER_WORKER);
		CHECK_EQ(uxdp_hash_free_audit(m, in_chain, seen), 0);
	}
	free(in_chain);
	free(seen);
}

/* Every element of m on exactly one list of its CPU or among its spares (lru.h). */
static void audit(struct uxdp_map *m)
{
	uint8_t *seen = calloc(1, m->n_pool / 8 + 1);

	CHECK(seen != NULL);
	if (seen)
		CHECK_EQ(uxdp_lru_audit(m, seen), 0);
	free(seen);
}

int main(void)
{
	pthread_t t[3];
	uint64_t recoveries = 1;
	struct val out;
	uint32_t k, next;
	int n = 0;

	test_begin("conc");
	/* three CPUs, the writer's included: a home is (link - 1) % 3, a division */
	hm = mk_cpus("hash", BPF_MAP_TYPE_HASH, 4, sizeof(struct val),
		     2 * PER_WORKER + WRITER_KEYS + SHARED_KEYS, 0, 3);
	lm = mk("lru", BPF_MAP_TYPE_LRU_HASH, 4, sizeof(struct val), 256, 0);
	pm = mk("lru_pcpu", BPF_MAP_TYPE_LRU_HASH, 4, sizeof(struct val), 256,
		BPF_F_NO_COMMON_LRU);
	if (!hm || !lm || !pm)
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
	 * three threads may hold up to 32 free elements, and the writer
	 * deletes shared keys: at least 256 - 3 * 32 - 64 keys remain.
	 */
	CHECK(n >= 256 - 3 * 32 - SHARED_KEYS && n <= 256);
	/* sound chains, and every element on one list or among its CPU's spares */
	CHECK(check_chains(lm) > 0);
	audit(lm);
	CHECK(check_chains(pm) > 0);
	audit(pm);
	uxdp_map_health(pm, NULL, &recoveries);
	CHECK_EQ(recoveries, 0); /* no lock was ever found held by a dead thread */
	recoveries = 1;
	uxdp_map_health(lm, NULL, &recoveries);
	CHECK_EQ(recoveries, 0);
	audit_hash(hm);
	recoveries = 1;
	uxdp_map_health(hm, NULL, &recoveries);
	CHECK_EQ(recoveries, 0);
	uxdp_map_close(hm);
	uxdp_map_close(lm);
	uxdp_map_close(pm);
	return test_end();
}
