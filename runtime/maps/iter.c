// SPDX-License-Identifier: MIT
/*
 * iter.c - bpf_for_each_map_elem's walk over arrays and hash maps (map.h,
 * struct uxdp_map_iter), in the order the kernel's walks take: arrays by
 * index (kernel/bpf/arraymap.c, bpf_for_each_array_map_elem), hash maps
 * bucket by bucket (kernel/bpf/hashtab.c, bpf_for_each_hash_elem).
 *
 * The hash walk reads what lookups read, without a lock: bucket heads and
 * links with acquire loads, each link checked against the pool.  A chain
 * that an element's forced reuse bent into a cycle is cut after n_pool
 * elements, so a walk always ends.  Elements are not marked referenced, as
 * the kernel's walk does not mark them.
 */
#include <stddef.h>
#include <stdint.h>

#include <uxdp/helpers.h>

#include "hash_internal.h"
#include "map_internal.h"

_Static_assert(sizeof(struct uxdp_map_iter) == UXDP_MAP_ITER_WORDS * 8, "lifted iterator size");
_Static_assert(offsetof(struct uxdp_map_iter, key) == UXDP_MAP_ITER_KEY_WORD * 8,
	       "lifted iterator key word");

static void *array_next(struct uxdp_map *m, struct uxdp_map_iter *it)
{
	uint32_t index;

	if (it->pos >= m->max_entries)
		return NULL;
	index = (uint32_t)it->pos++;
	it->key_buf = index; /* little-endian: the u32 is the word's first bytes */
	it->key = &it->key_buf;
	return m->ops->lookup(m, &index, (int)uxdp_cur_cpu(m));
}

/* Go on with bucket b + 1. */
static void next_bucket(struct uxdp_map_iter *it, uint32_t b)
{
	it->pos = (uint64_t)(b + 1) << 32;
	it->steps = 0;
}

/*
 * The element after the one the last call gave (pos), read only now, after
 * the callback ran on that one, as the kernel's hlist_nulls_for_each_entry_rcu
 * reads it: an element the callback deleted still links on (unlinking
 * leaves its next), one it deleted after it is no longer in the chain.
 */
static void *hash_next(struct uxdp_map *m, struct uxdp_map_iter *it)
{
	for (;;) {
		uint32_t b = (uint32_t)(it->pos >> 32), cur = (uint32_t)it->pos, l;
		struct helem *e;

		if (b > m->bucket_mask)
			return NULL;
		l = cur ? __atomic_load_n(&elem(m, cur)->next, __ATOMIC_ACQUIRE) :
			  __atomic_load_n(hash_bucket(m, b), __ATOMIC_ACQUIRE);
		/* the bucket's nulls marker, or a chain bent into a cycle */
		if (!link_ok(m, l) || it->steps >= m->n_pool) {
			next_bucket(it, b);
			continue;
		}
		it->steps++;
		it->pos = (uint64_t)b << 32 | l;
		e = elem(m, l);
		it->key = ekey(e);
		if (m->type == BPF_MAP_TYPE_PERCPU_HASH || m->type == BPF_MAP_TYPE_LRU_PERCPU_HASH)
			return pcpu_value(m, l, uxdp_cur_cpu(m));
		return evalue(m, e);
	}
}

void *uxdp_map_iter_next(struct uxdp_map *map, struct uxdp_map_iter *it)
{
	void *value = NULL;

	switch (map->type) {
	case BPF_MAP_TYPE_ARRAY:
	case BPF_MAP_TYPE_PERCPU_ARRAY:
		value = array_next(map, it);
		break;
	case BPF_MAP_TYPE_HASH:
	case BPF_MAP_TYPE_PERCPU_HASH:
	case BPF_MAP_TYPE_LRU_HASH:
	case BPF_MAP_TYPE_LRU_PERCPU_HASH:
		value = hash_next(map, it);
		break;
	}
	if (!value)
		it->key = NULL;
	return value;
}
