// SPDX-License-Identifier: MIT
/*
 * bpf_for_each_map_elem's walk (iter.c): arrays by index with the index as
 * key, this worker's slot of per-CPU values, every hash element exactly
 * once (deleting the current one included), nothing for other types, and
 * an end even when a chain was bent into a cycle.
 */
#include <stdint.h>
#include <stdlib.h>

#include "../hash_internal.h"
#include "../map_internal.h"
#include "test.h"

static void test_array_walk(void)
{
	struct uxdp_map *a = mk("a", BPF_MAP_TYPE_ARRAY, 4, 4, 5, 0);
	struct uxdp_map *pa = mk("pa", BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 3, 0);
	struct uxdp_map_iter it = { 0 };
	uint32_t n = 0, k, v;
	uint64_t pv = 77;
	void *value;

	if (!a || !pa)
		return;
	for (k = 0; k < 5; k++) {
		v = 10 * k;
		CHECK_EQ(uxdp_map_update_elem(a, &k, &v, BPF_ANY), 0);
	}
	while ((value = uxdp_map_iter_next(a, &it))) {
		CHECK_EQ(*(const uint32_t *)it.key, n);
		CHECK_EQ(*(uint32_t *)value, 10 * n);
		n++;
	}
	CHECK_EQ(n, 5);
	CHECK(it.key == NULL);
	CHECK(uxdp_map_iter_next(a, &it) == NULL); /* stays at the end */

	/* a per-CPU array: the calling worker's slot */
	uxdp_this_cpu = 2;
	k = 1;
	CHECK_EQ(uxdp_map_update(pa, &k, &pv, BPF_ANY), 0);
	memset(&it, 0, sizeof(it));
	n = 0;
	while ((value = uxdp_map_iter_next(pa, &it)))
		CHECK_EQ(*(uint64_t *)value, n++ == 1 ? 77 : 0);
	CHECK_EQ(n, 3);
	uxdp_this_cpu = 0;
	memset(&it, 0, sizeof(it));
	for (n = 0; (value = uxdp_map_iter_next(pa, &it)); n++)
		CHECK_EQ(*(uint64_t *)value, 0);
	CHECK_EQ(n, 3);
}

/* Walk h; bit k of *seen for key k; delete odd keys when del.  Elements walked. */
static uint32_t walk_hash(struct uxdp_map *h, uint64_t *seen, bool del)
{
	struct uxdp_map_iter it = { 0 };
	uint32_t n = 0;
	void *value;

	*seen = 0;
	while ((value = uxdp_map_iter_next(h, &it))) {
		uint32_t key = *(const uint32_t *)it.key;

		CHECK(key < 64 && !(*seen & (1ULL << key)));
		CHECK_EQ(*(uint64_t *)value, key * 3ULL + uxdp_this_cpu);
		*seen |= 1ULL << (key & 63);
		if (del && (key & 1))
			CHECK_EQ(uxdp_map_delete_elem(h, &key), 0);
		n++;
	}
	return n;
}

static void test_hash_walk(uint32_t type)
{
	struct uxdp_map *h = mk(uxdp_map_is_percpu(type) ? "hp" : "h", type, 4, 8, 64, 0);
	uint64_t seen, want = 0;

	if (!h)
		return;
	CHECK_EQ(walk_hash(h, &seen, false), 0);
	for (uint32_t k = 0; k < 40; k++) {
		uint64_t v = k * 3ULL;

		for (unsigned c = 0; c < 4; c++) {
			uxdp_this_cpu = c;
			v = k * 3ULL + c;
			CHECK_EQ(uxdp_map_update(h, &k, &v, BPF_ANY), 0);
			if (!uxdp_map_is_percpu(type))
				break;
		}
		want |= 1ULL << k;
	}
	uxdp_this_cpu = uxdp_map_is_percpu(type) ? 3 : 0;
	uxdp_map_epoch_enter();
	CHECK_EQ(walk_hash(h, &seen, true), 40);
	CHECK_EQ(seen, want);
	uxdp_map_epoch_exit();
	uxdp_map_epoch_enter();
	CHECK_EQ(walk_hash(h, &seen, false), 20);
	CHECK_EQ(seen, want & 0x5555555555555555ULL);
	uxdp_map_epoch_exit();
	uxdp_this_cpu = 0;
	uxdp_map_close(h);
	uxdp_map_unlink(test_instance, uxdp_map_is_percpu(type) ? "hp" : "h");
}

/*
 * Two keys of one bucket: the walk gives one, whose callback deletes the
 * other; the other is not given, as the kernel reads the next link only
 * after the callback.  Deleting the one given goes on to the other.
 */
static void test_delete_during_walk(bool delete_next)
{
	struct uxdp_map *h = mk("dn", BPF_MAP_TYPE_HASH, 4, 8, 64, 0);
	struct uxdp_map_iter it = { 0 };
	uint32_t a = 1, b, first, n = 0;
	uint64_t v = 0;
	void *value;

	if (!h)
		return;
	for (b = 2; (hash_key(&b, 4, h->hash_seed) ^ hash_key(&a, 4, h->hash_seed)) & h->bucket_mask;
	     b++)
		;
	CHECK_EQ(uxdp_map_update_elem(h, &a, &v, BPF_ANY), 0);
	CHECK_EQ(uxdp_map_update_elem(h, &b, &v, BPF_ANY), 0);
	uxdp_map_epoch_enter();
	while ((value = uxdp_map_iter_next(h, &it))) {
		uint32_t key = *(const uint32_t *)it.key, other = key == a ? b : a;

		if (n++ == 0) {
			first = key;
			CHECK_EQ(uxdp_map_delete_elem(h, delete_next ? &other : &key), 0);
		}
	}
	uxdp_map_epoch_exit();
	CHECK_EQ(n, delete_next ? 1 : 2);
	CHECK_EQ(uxdp_map_lookup_elem_copy(h, &first, &v), delete_next ? 0 : -ENOENT);
	uxdp_map_close(h);
	uxdp_map_unlink(test_instance, "dn");
}

/* A chain bent into a cycle (a forced reuse can do that) still ends. */
static void test_cycle_ends(void)
{
	struct uxdp_map *h = mk("cyc", BPF_MAP_TYPE_HASH, 4, 8, 8, 0);
	struct uxdp_map_iter it = { 0 };
	uint32_t k = 5, l, n = 0;
	uint64_t v = 1;

	if (!h)
		return;
	CHECK_EQ(uxdp_map_update_elem(h, &k, &v, BPF_ANY), 0);
	l = *hash_bucket(h, hash_key(&k, 4, h->hash_seed) & h->bucket_mask);
	CHECK(link_ok(h, l));
	elem(h, l)->next = l; /* itself */
	while (uxdp_map_iter_next(h, &it) && n < 1000)
		n++;
	CHECK(n > 0 && n <= h->n_pool);
}

static void test_other_types(void)
{
	struct uxdp_map *q = mk("q", BPF_MAP_TYPE_QUEUE, 0, 4, 4, 0);
	struct uxdp_map_iter it = { 0 };
	uint32_t v = 1;

	if (!q)
		return;
	CHECK_EQ(uxdp_map_push(q, &v, BPF_ANY), 0);
	CHECK(uxdp_map_iter_next(q, &it) == NULL);
	CHECK(it.key == NULL);
}

int main(void)
{
	test_begin("iter");
	test_array_walk();
	test_hash_walk(BPF_MAP_TYPE_HASH);
	test_hash_walk(BPF_MAP_TYPE_PERCPU_HASH);
	test_hash_walk(BPF_MAP_TYPE_LRU_HASH);
	test_hash_walk(BPF_MAP_TYPE_LRU_PERCPU_HASH);
	test_delete_during_walk(true);
	test_delete_during_walk(false);
	test_cycle_ends();
	test_other_types();
	return test_end();
}
