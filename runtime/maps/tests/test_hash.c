// SPDX-License-Identifier: MIT
/* Hash maps: flags, -E2BIG when full, delete, get_next_key visiting every key
 * once, per-CPU values, hash_of_maps, devmap_hash, BPF_F_LOCK,
 * lookup-and-delete; a full map refuses a new key without a lock;
 * a deleted element is not reused while a reader may hold it. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../hash_free.h"
#include "../hash_internal.h"
#include "../map_internal.h"
#include "../rlock.h"
#include "test.h"

struct key {
	uint32_t a;
	uint16_t b; /* 6-byte key: exercises padding */
} __attribute__((packed));

static void test_hash_basic(void)
{
	struct uxdp_map *m = mk("h", BPF_MAP_TYPE_HASH, sizeof(struct key), 8, 64, 0);
	struct key k = { 1, 2 }, nk;
	uint64_t v = 10, out, *p;
	static int seen[64];
	int n;

	if (!m)
		return;
	CHECK(uxdp_map_lookup(m, &k) == NULL);
	CHECK_EQ(uxdp_map_lookup_elem_copy(m, &k, &out), -ENOENT);
	CHECK_EQ(uxdp_map_update_elem(m, &k, &v, BPF_EXIST), -ENOENT);
	CHECK_EQ(uxdp_map_update_elem(m, &k, &v, BPF_NOEXIST), 0);
	CHECK_EQ(uxdp_map_update_elem(m, &k, &v, BPF_NOEXIST), -EEXIST);
	v = 11;
	CHECK_EQ(uxdp_map_update_elem(m, &k, &v, BPF_EXIST), 0);
	CHECK_EQ(uxdp_map_update_elem(m, &k, &v, 3), -EINVAL);
	CHECK_EQ(uxdp_map_update_elem(m, &k, &v, BPF_F_LOCK), -EINVAL);
	p = uxdp_map_lookup(m, &k);
	CHECK(p && *p == 11 && ((uintptr_t)p & 7) == 0);
	CHECK_EQ(uxdp_map_lookup_elem_copy(m, &k, &out), 0);
	CHECK_EQ(out, 11);
	CHECK_EQ(uxdp_map_delete_elem(m, &k), 0);
	CHECK_EQ(uxdp_map_delete_elem(m, &k), -ENOENT);
	CHECK(uxdp_map_lookup(m, &k) == NULL);

	/* fill to max_entries, then -E2BIG for a new key but not for an old one */
	for (uint32_t i = 0; i < 64; i++) {
		k.a = i;
		k.b = (uint16_t)(i * 3);
		v = i * 100;
		CHECK_EQ(uxdp_map_update_elem(m, &k, &v, BPF_ANY), 0);
	}
	k.a = 1000;
	CHECK_EQ(uxdp_map_update_elem(m, &k, &v, BPF_ANY), -E2BIG);
	for (uint32_t i = 0; i < 64; i++) { /* replacing when full works (spare elements) */
		k.a = i;
		k.b = (uint16_t)(i * 3);
		v = i * 100 + 1;
		CHECK_EQ(uxdp_map_update_elem(m, &k, &v, BPF_ANY), 0);
		CHECK_EQ(uxdp_map_lookup_elem_copy(m, &k, &out), 0);
		CHECK_EQ(out, v);
	}

	/* iteration from NULL visits each key exactly once */
	n = 0;
	for (int rc = uxdp_map_get_next_key(m, NULL, &nk); rc == 0;
	     rc = uxdp_map_get_next_key(m, &k, &nk)) {
		CHECK(nk.a < 64 && nk.b == (uint16_t)(nk.a * 3));
		if (nk.a < 64)
			seen[nk.a]++;
		k = nk;
		if (++n > 100)
			break;
	}
	CHECK_EQ(n, 64);
	for (int i = 0; i < 64; i++)
		CHECK_EQ(seen[i], 1);
	/* an absent key restarts from the first key */
	k.a = 5000;
	CHECK_EQ(uxdp_map_get_next_key(m, &k, &nk), 0);

	/* delete everything while iterating, as bpftool does */
	while (uxdp_map_get_next_key(m, NULL, &nk) == 0)
		CHECK_EQ(uxdp_map_delete_elem(m, &nk), 0);
	CHECK_EQ(uxdp_map_get_next_key(m, NULL, &nk), -ENOENT);
	k.a = 1000;
	CHECK_EQ(uxdp_map_update_elem(m, &k, &v, BPF_ANY), 0); /* room again */
	uxdp_map_close(m);
}

static void test_percpu_hash(void)
{
	struct uxdp_map *m = mk("ph", BPF_MAP_TYPE_PERCPU_HASH, 4, 4, 8, 0);
	uint32_t k = 5, v;
	uint64_t all[4];
	uint32_t *p;

	if (!m)
		return;
	uxdp_this_cpu = 2;
	v = 42;
	CHECK_EQ(uxdp_map_update(m, &k, &v, BPF_ANY), 0); /* new: other CPUs zero */
	uxdp_this_cpu = 1;
	p = uxdp_map_lookup(m, &k);
	CHECK(p && *p == 0);
	v = 41;
	CHECK_EQ(uxdp_map_update(m, &k, &v, BPF_EXIST), 0);
	uxdp_this_cpu = 0;
	CHECK_EQ(uxdp_map_lookup_elem_copy(m, &k, all), 0);
	CHECK(all[0] == 0 && all[1] == 41 && all[2] == 42 && all[3] == 0);
	for (int c = 0; c < 4; c++)
		all[c] = (uint64_t)c + 1;
	CHECK_EQ(uxdp_map_update_elem(m, &k, all, BPF_ANY), 0);
	p = uxdp_map_lookup_percpu(m, &k, 3);
	CHECK(p && *p == 4);
	uxdp_map_close(m);
}

/*
 * Two workers counting in one key's values never write one cache line:
 * each CPU's values of a per-CPU hash (LRU or not) are an array of their
 * own, for neighbouring keys too.
 */
static void test_percpu_hash_lines(void)
{
	static const uint32_t types[] = { BPF_MAP_TYPE_PERCPU_HASH, BPF_MAP_TYPE_LRU_PERCPU_HASH };

	for (unsigned int i = 0; i < 2; i++) {
		struct uxdp_map *m = mk(i ? "phl_lru" : "phl", types[i], 4, 8, 64, 0);
		uint64_t v = 1;
		uint32_t k;

		if (!m)
			return;
		for (k = 0; k < 32; k++)
			CHECK_EQ(uxdp_map_update_elem(m, &k, (uint64_t[4]){ v, v, v, v }, BPF_ANY), 0);
		for (k = 0; k < 32; k++) {
			for (uint32_t c = 0; c < 4; c++) {
				uintptr_t a = (uintptr_t)uxdp_map_lookup_percpu(m, &k, c);

				CHECK(a != 0);
				for (uint32_t k2 = 0; k2 < 32; k2++)
					for (uint32_t d = 0; d < 4; d++)
						if (d != c)
							CHECK((uintptr_t)uxdp_map_lookup_percpu(m, &k2, d) / 64 !=
							      a / 64);
			}
		}
		uxdp_map_close(m);
	}
}

/*
 * Two workers counting in the values of different keys never write one
 * cache line: an element of up to a line (header 32, key 4 padded to 8,
 * value 16: 56 bytes) takes a line of its own, LRU or not.  One that would
 * waste more than a quarter of its lines stays packed (72 bytes).
 */
static void test_elem_lines(void)
{
	static const uint32_t types[] = { BPF_MAP_TYPE_HASH, BPF_MAP_TYPE_LRU_HASH };
	static const uint8_t zero[32];

	for (unsigned int i = 0; i < 4; i++) {
		uint32_t vsize = i < 2 ? 16 : 32;
		static const char *const names[] = { "el16", "el16_lru", "el32", "el32_lru" };
		struct uxdp_map *m = mk(names[i], types[i % 2], 4, vsize, 64, 0);
		uintptr_t a[16];
		uint32_t k;

		if (!m)
			return;
		for (k = 0; k < 16; k++) {
			CHECK_EQ(uxdp_map_update_elem(m, &k, zero, BPF_ANY), 0);
			a[k] = (uintptr_t)uxdp_map_lookup(m, &k);
			CHECK(a[k] != 0);
		}
		for (k = 0; k < 16; k++) {
			/* the value is 40 bytes into its element */
			if (vsize == 16)
				CHECK_EQ((a[k] - 40) % 64, 0);
			for (uint32_t k2 = 0; k2 < 16; k2++)
				if (k2 != k && vsize == 16)
					CHECK(a[k2] / 64 != a[k] / 64);
				else if (k2 != k)
					CHECK(a[k2] > a[k] ? a[k2] - a[k] >= 72 : a[k] - a[k2] >= 72);
		}
		if (vsize == 32) /* packed: some neighbours do share a line */
			CHECK((a[0] > a[1] ? a[0] - a[1] : a[1] - a[0]) % 72 == 0);
		uxdp_map_close(m);
	}
}

/*
 * More CPU slots than UXDP_MAP_MAX_NCPUS is refused at creation, before a
 * per-CPU layout's size arithmetic could wrap; the limit itself works.
 */
static void test_percpu_ncpus_limit(void)
{
	struct uxdp_map_def d = {
		.sz = sizeof(d), .name = "phmax", .type = BPF_MAP_TYPE_PERCPU_HASH,
		.key_size = 4, .value_size = 8, .max_entries = 4, .ncpus = 65537,
	};
	struct uxdp_map *m = NULL;

	CHECK_EQ(uxdp_map_create(test_instance, &d, &m), -EINVAL);
	CHECK(m == NULL);
	d.ncpus = 65536;
	CHECK_EQ(uxdp_map_create(test_instance, &d, &m), 0);
	uxdp_map_close(m);
}

/* BPF_MAP_LOOKUP_AND_DELETE_ELEM on every hash type; refused on the others. */
static void test_lookup_and_delete(void)
{
	static const uint32_t types[] = { BPF_MAP_TYPE_HASH, BPF_MAP_TYPE_PERCPU_HASH,
					  BPF_MAP_TYPE_LRU_HASH, BPF_MAP_TYPE_LRU_PERCPU_HASH };
	struct uxdp_map *m;
	uint32_t k = 9, v = 0;
	uint64_t all[4] = { 0 };

	for (unsigned int i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		char name[16];

		snprintf(name, sizeof(name), "lad%u", i);
		m = mk(name, types[i], 4, 4, 8, 0);
		if (!m)
			return;
		for (int c = 0; c < 4; c++)
			all[c] = 0x100 + (uint64_t)c;
		CHECK_EQ(uxdp_map_update_elem(m, &k, all, BPF_NOEXIST), 0);
		memset(all, 0xff, sizeof(all));
		CHECK_EQ(uxdp_map_lookup_and_delete_elem(m, &k, all), 0);
		CHECK_EQ((uint32_t)all[0], 0x100);
		if (uxdp_map_ncpus(m) > 1)
			CHECK_EQ(all[1], 0x101); /* per-CPU: each slot, padding zeroed */
		CHECK_EQ(uxdp_map_lookup_elem_copy(m, &k, all), -ENOENT);
		CHECK_EQ(uxdp_map_lookup_and_delete_elem(m, &k, all), -ENOENT);
		CHECK_EQ(uxdp_map_lookup_and_delete_elem(m, NULL, all), -EINVAL);
		/* the element went back to the pool: the map fills to max_entries again */
		for (uint32_t j = 0; j < 8; j++)
			CHECK_EQ(uxdp_map_update_elem(m, &j, all, BPF_NOEXIST), 0);
		uxdp_map_close(m);
	}
	m = mk("lad_array", BPF_MAP_TYPE_ARRAY, 4, 4, 8, 0);
	if (m)
		CHECK_EQ(uxdp_map_lookup_and_delete_elem(m, &k, &v), -EOPNOTSUPP);
	uxdp_map_close(m);
}

static void test_hash_of_maps(void)
{
	struct uxdp_map_def inner = {
		.sz = sizeof(inner),
		.name = "hin", .type = BPF_MAP_TYPE_ARRAY, .key_size = 4, .value_size = 4,
		.max_entries = 4, .map_flags = BPF_F_INNER_MAP,
	};
	struct uxdp_map_def outer = {
		.sz = sizeof(outer),
		.name = "hout", .type = BPF_MAP_TYPE_HASH_OF_MAPS, .key_size = 8,
		.value_size = 4, .max_entries = 4, .inner = &inner,
	};
	struct uxdp_map *in = NULL, *in2 = NULL, *out = NULL;
	uint64_t k = 77;
	uint32_t id, got, ik = 1, iv = 2;

	CHECK_EQ(uxdp_map_create(test_instance, &inner, &in), 0);
	inner.name = "hin2";
	inner.max_entries = 16; /* BPF_F_INNER_MAP: any max_entries fits */
	CHECK_EQ(uxdp_map_create(test_instance, &inner, &in2), 0);
	CHECK_EQ(uxdp_map_create(test_instance, &outer, &out), 0);
	if (!in || !in2 || !out)
		return;
	id = uxdp_map_id(in2);
	CHECK_EQ(uxdp_map_update_elem(out, &k, &id, BPF_ANY), 0);
	CHECK(uxdp_map_lookup(out, &k) == in2);
	CHECK_EQ(uxdp_map_update_elem(uxdp_map_lookup(out, &k), &ik, &iv, BPF_ANY), 0);
	CHECK_EQ(uxdp_map_lookup_elem_copy(in2, &ik, &iv), 0);
	CHECK_EQ(uxdp_map_lookup_elem_copy(out, &k, &got), 0);
	CHECK_EQ(got, id);
	CHECK_EQ(uxdp_map_delete_elem(out, &k), 0);
	CHECK(uxdp_map_lookup(out, &k) == NULL);
	uxdp_map_close(in);
	uxdp_map_close(in2);
	uxdp_map_close(out);
}

static void test_devmap_hash(void)
{
	struct uxdp_map *m = mk("dh", BPF_MAP_TYPE_DEVMAP_HASH, 4, 4, 4, 0);
	uint32_t k = 1234, v = 9;
	const uint32_t *t;

	if (!m)
		return;
	CHECK(uxdp_map_redirect_target(m, k) == NULL);
	CHECK_EQ(uxdp_map_update_elem(m, &k, &v, BPF_ANY), 0);
	t = uxdp_map_redirect_target(m, k);
	CHECK(t && *t == 9);
	uxdp_map_close(m);
}

static void test_hash_lock(void)
{
	struct uxdp_map_def d = {
		.sz = sizeof(d),
		.name = "hl", .type = BPF_MAP_TYPE_HASH, .key_size = 4, .value_size = 12,
		.max_entries = 4, .flags = UXDP_MAP_DEF_SPIN_LOCK, .spin_lock_off = 4,
	};
	uint32_t k = 1, v[3] = { 1, 0, 3 }, out[3];
	struct uxdp_map *m = NULL;
	uint32_t *p;

	CHECK_EQ(uxdp_map_create(test_instance, &d, &m), 0);
	if (!m)
		return;
	CHECK_EQ(uxdp_map_update_elem(m, &k, v, BPF_F_LOCK), 0); /* new key: plain insert */
	p = uxdp_map_lookup(m, &k);
	CHECK(p && p[0] == 1 && p[1] == 0 && p[2] == 3);
	v[0] = 5;
	v[1] = 77; /* never copied into the lock word */
	CHECK_EQ(uxdp_map_update_elem(m, &k, v, BPF_F_LOCK | BPF_EXIST), 0);
	CHECK(p[0] == 5 && p[1] == 0);
	CHECK_EQ(uxdp_map_lookup_elem_copy(m, &k, out), 0);
	CHECK(out[0] == 5 && out[1] == 0 && out[2] == 3);
	uxdp_map_close(m);
}

struct full_insert {
	struct uxdp_map *m;
	int rc;
	int done; /* atomic */
};

static void *insert_new_key(void *arg)
{
	struct full_insert *f = arg;
	uint32_t k = 1000;
	uint64_t v = 1;

	f->rc = uxdp_map_update_elem(f->m, &k, &v, BPF_NOEXIST);
	__atomic_store_n(&f->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * A worker inserting into a full map (a rate limiter's table) must not wait
 * for the lock of the key's bucket that another thread holds: -E2BIG while
 * the lock is held.  An existing key still takes a lock (the replace path).
 */
static void test_full_without_lock(void)
{
	struct uxdp_map *m = mk("hf", BPF_MAP_TYPE_HASH, 4, 8, 8, 0);
	struct full_insert f = { 0 };
	struct timespec pause = { 0, 10 * 1000 * 1000 };
	uint32_t *bucket, new_key = 1000; /* insert_new_key()'s */
	pthread_t t;
	uint64_t v = 7;

	if (!m)
		return;
	for (uint32_t k = 0; k < 8; k++)
		CHECK_EQ(uxdp_map_update_elem(m, &k, &v, BPF_ANY), 0);
	f.m = m;
	bucket = hash_bucket_lock(m, hash_key(&new_key, 4, m->hash_seed));
	CHECK_EQ(uxdp_rlock_acquire(m->inst, bucket), 0);
	CHECK_EQ(pthread_create(&t, NULL, insert_new_key, &f), 0);
	for (int i = 0; i < 200 && !__atomic_load_n(&f.done, __ATOMIC_ACQUIRE); i++)
		nanosleep(&pause, NULL);
	CHECK(__atomic_load_n(&f.done, __ATOMIC_ACQUIRE)); /* did not wait 2 s for the lock */
	uxdp_rlock_release(bucket);
	pthread_join(t, NULL);
	CHECK_EQ(f.rc, -E2BIG);
	for (uint32_t k = 0; k < 8; k++) /* the old keys still replace */
		CHECK_EQ(uxdp_map_update_elem(m, &k, &v, BPF_EXIST), 0);
	uxdp_map_close(m);
}

/*
 * A worker holding a value across a delete and a churn of inserts that
 * walks the pool round to the deleted element, and updating the map
 * meanwhile (in place: a per-CPU map's existing key), as a program that
 * counts does.  The element waits for the worker, whose value stays what
 * it was, and is reused after it leaves, without a forced reuse: the
 * control-plane writer waits for readers before it takes its locks
 * (settle_if_taking()).  Waiting under a lock, it held the worker's
 * update until its second of waiting ran out, then reused the element
 * under the worker.
 */
#define HELD_NCPUS 4 /* mk()'s */

struct held_reader {
	struct uxdp_map *m;
	int ready, left, intact, updates_failed;
};

static void *hold_value(void *arg)
{
	struct held_reader *r = arg;
	struct timespec ms = { 0, 1000 * 1000 };
	uint64_t *p, first, counts[HELD_NCPUS] = { 5, 5, 5, 5 };
	uint32_t k = 1, counter = 2;

	uxdp_map_epoch_enter();
	p = uxdp_map_lookup(r->m, &k);
	first = p ? __atomic_load_n(p, __ATOMIC_RELAXED) : 0;
	__atomic_store_n(&r->ready, 1, __ATOMIC_RELEASE);
	for (int i = 0; i < 100; i++) {
		if (uxdp_map_update_elem(r->m, &counter, counts, BPF_EXIST))
			r->updates_failed++;
		nanosleep(&ms, NULL);
	}
	r->intact = p && __atomic_load_n(p, __ATOMIC_RELAXED) == first;
	/* set before the exit, which is what the churn waits for */
	__atomic_store_n(&r->left, 1, __ATOMIC_RELEASE);
	uxdp_map_epoch_exit();
	return NULL;
}

static void test_reuse_waits_for_reader(void)
{
	struct uxdp_map *m = mk("hr", BPF_MAP_TYPE_PERCPU_HASH, 4, 8, 8, 0);
	struct held_reader r = { .m = m };
	struct timespec pause = { 0, 1000 * 1000 };
	uint64_t v[HELD_NCPUS] = { 77, 77, 77, 77 }, forced = 1;
	uint32_t k = 1;
	pthread_t t;

	if (!m)
		return;
	CHECK_EQ(m->ncpus, HELD_NCPUS);
	CHECK_EQ(uxdp_map_update_elem(m, &k, v, BPF_ANY), 0);
	k = 2;
	CHECK_EQ(uxdp_map_update_elem(m, &k, v, BPF_ANY), 0);
	CHECK_EQ(pthread_create(&t, NULL, hold_value, &r), 0);
	while (!__atomic_load_n(&r.ready, __ATOMIC_ACQUIRE))
		nanosleep(&pause, NULL);
	k = 1;
	CHECK(!__atomic_load_n(&r.left, __ATOMIC_ACQUIRE));
	CHECK_EQ(uxdp_map_delete_elem(m, &k), 0);
	/* twice the pool: every element, the deleted one included, is taken again */
	for (uint32_t i = 0; i < 2 * (m->n_pool + 1); i++) {
		k = 100 + i;
		v[0] = 1000 + i;
		CHECK_EQ(uxdp_map_update_elem(m, &k, v, BPF_NOEXIST), 0);
		CHECK_EQ(uxdp_map_delete_elem(m, &k), 0);
	}
	/* the churn waited for the worker (else this test showed nothing) */
	CHECK(__atomic_load_n(&r.left, __ATOMIC_ACQUIRE));
	pthread_join(t, NULL);
	CHECK(r.intact);
	CHECK_EQ(r.updates_failed, 0);
	uxdp_map_health(m, &forced, NULL);
	CHECK_EQ(forced, 0);
	uxdp_map_close(m);
}

int main(void)
{
	test_begin("hash");
	test_hash_basic();
	test_percpu_hash();
	test_percpu_hash_lines();
	test_elem_lines();
	test_percpu_ncpus_limit();
	test_lookup_and_delete();
	test_hash_of_maps();
	test_devmap_hash();
	test_hash_lock();
	test_full_without_lock();
	test_reuse_waits_for_reader();
	return test_end();
}
