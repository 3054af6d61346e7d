// SPDX-License-Identifier: MIT
/*
 * lpm_lookup.c - bpf_map_lookup_elem on a BPF_MAP_TYPE_LPM_TRIE,
 * specialised for the key size (include/uxdp/helpers.h,
 * UXDP_LPM_LOOKUP_SIZES): with the data length a constant, the prefix
 * compare at each node is one or two big-endian word compares.  The walk is
 * lpm.c's (lpm_internal.h: lock-free, bounded by the handle's geometry).
 * Only for maps the compiler knows to be LPM tries.
 */
#include <stdint.h>

#include "helpers_impl.h"
#include "lpm_internal.h"

#define MAP(r) ((struct uxdp_map *)(uintptr_t)(r))
#define PTR(r) ((const void *)(uintptr_t)(r))

#define LPM_LOOKUP_SIZED(n)                                                   \
	uint64_t uxdp_lpm_lookup_k##n(uint64_t map, uint64_t key)              \
	{                                                                      \
		return (uint64_t)(uintptr_t)lpm_lookup_sized(MAP(map), PTR(key), n); \
	}
UXDP_LPM_LOOKUP_SIZES(LPM_LOOKUP_SIZED)

uint64_t uxdp_lpm_lookup_any(uint64_t map, uint64_t key)
{
	struct uxdp_map *m = MAP(map);

	return (uint64_t)(uintptr_t)lpm_lookup_sized(m, PTR(key), m->key_size);
}
