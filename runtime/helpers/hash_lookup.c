// SPDX-License-Identifier: MIT
/*
 * hash_lookup.c - bpf_map_lookup_elem on a BPF_MAP_TYPE_HASH,
 * BPF_MAP_TYPE_LRU_HASH, BPF_MAP_TYPE_PERCPU_HASH or
 * BPF_MAP_TYPE_LRU_PERCPU_HASH, specialised for the key size
 * (include/uxdp/helpers.h, UXDP_HASH_LOOKUP_SIZES).
 *
 * uxdpc calls these instead of uxdp_helper_map_lookup_elem when a program
 * looks up a plain or LRU hash map it names: no dispatch on the map type,
 * and with the key size a constant the hash of the key and the key compare
 * become a few fixed-size loads, which is worth inlining.  The walk itself
 * is hash.c's (hash_internal.h: same hash, same lock-free walk bounded by
 * the handle's geometry, same value pointer, and for LRU maps the same
 * reference mark), so a lookup here and one through runtime/maps agree.
 * Only for maps the compiler knows to be of the function's type: the map
 * type is not checked again.
 */
#include <stdint.h>

#include "hash_internal.h"
#include "helpers_impl.h"

#define MAP(r) ((struct uxdp_map *)(uintptr_t)(r))
#define PTR(r) ((const void *)(uintptr_t)(r))

#define HASH_LOOKUP_SIZED(n)                                                       \
	uint64_t uxdp_hash_lookup_k##n(uint64_t map, uint64_t key)                 \
	{                                                                          \
		return (uint64_t)(uintptr_t)hash_lookup_plain(MAP(map), PTR(key), n); \
	}
UXDP_HASH_LOOKUP_SIZES(HASH_LOOKUP_SIZED)

uint64_t uxdp_hash_lookup_any(uint64_t map, uint64_t key)
{
	struct uxdp_map *m = MAP(map);

	return (uint64_t)(uintptr_t)hash_lookup_plain(m, PTR(key), m->key_size);
}

#define LRU_HASH_LOOKUP_SIZED(n)                                                   \
	uint64_t uxdp_lru_hash_lookup_k##n(uint64_t map, uint64_t key)             \
	{                                                                          \
		return (uint64_t)(uintptr_t)hash_lookup_lru(MAP(map), PTR(key), n); \
	}
UXDP_HASH_LOOKUP_SIZES(LRU_HASH_LOOKUP_SIZED)

uint64_t uxdp_lru_hash_lookup_any(uint64_t map, uint64_t key)
{
	struct uxdp_map *m = MAP(map);

	return (uint64_t)(uintptr_t)hash_lookup_lru(m, PTR(key), m->key_size);
}

/* Per-CPU hashes: the value of slot cpu (the pass gives the worker's, wrapped). */
#define PERCPU_HASH_LOOKUP_SIZED(n)                                                        \
	uint64_t uxdp_percpu_hash_lookup_k##n(uint64_t map, uint64_t key, uint64_t cpu)    \
	{                                                                                  \
		return (uint64_t)(uintptr_t)hash_lookup_percpu(MAP(map), PTR(key), n,      \
							      (unsigned int)cpu, false);  \
	}                                                                                  \
	uint64_t uxdp_lru_percpu_hash_lookup_k##n(uint64_t map, uint64_t key, uint64_t cpu) \
	{                                                                                  \
		return (uint64_t)(uintptr_t)hash_lookup_percpu(MAP(map), PTR(key), n,      \
							      (unsigned int)cpu, true);   \
	}
UXDP_HASH_LOOKUP_SIZES(PERCPU_HASH_LOOKUP_SIZED)

uint64_t uxdp_percpu_hash_lookup_any(uint64_t map, uint64_t key, uint64_t cpu)
{
	struct uxdp_map *m = MAP(map);

	return (uint64_t)(uintptr_t)hash_lookup_percpu(m, PTR(key), m->key_size,
						      (unsigned int)cpu, false);
}

uint64_t uxdp_lru_percpu_hash_lookup_any(uint64_t map, uint64_t key, uint64_t cpu)
{
	struct uxdp_map *m = MAP(map);

	return (uint64_t)(uintptr_t)hash_lookup_percpu(m, PTR(key), m->key_size,
						      (unsigned int)cpu, true);
}
