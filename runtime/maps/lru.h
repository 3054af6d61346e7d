/* SPDX-License-Identifier: MIT */
/*
 * lru.h - the free/LRU lists of LRU hash maps, with the kernel's eviction
 * behaviour (kernel/bpf/bpf_lru_list.c as of Linux 6.18).  Private to
 * runtime/maps; hash.c owns the elements and the buckets, lru.c decides
 * which element an update gets and which keys it evicts to get one.
 *
 * Every element of an LRU map carries a struct uxdp_lru_node at
 * UXDP_LRU_NODE_OFF.  The lists are doubly linked and circular, with list
 * heads that are nodes too, all named by 32-bit ids (never pointers, the
 * map lives in shared memory): id 1..n_elems is element id - 1, larger ids
 * are list heads in the LRU area that follows the buckets.  The kernel's
 * rotation keeps a cursor that may rest on a list head, which is why heads
 * and elements share one id space.
 *
 * Locking: every function here runs under the map-wide lock that hash.c
 * takes for LRU maps (see hash.c), so the kernel's per-list and per-CPU
 * locks have no counterpart.
 */
#ifndef UXDP_MAPS_LRU_H
#define UXDP_MAPS_LRU_H

#include <stdbool.h>
#include <stdint.h>

#include "map_internal.h"

struct uxdp_lru_node {
	uint32_t prev;  /* ids, see above */
	uint32_t next;
	uint32_t cpu;   /* common LRU: the CPU whose pending list holds it; per-CPU: owner */
	uint8_t type;   /* enum uxdp_lru_type */
	uint8_t ref;    /* set by program lookups and updates of an existing key */
	uint16_t _pad;
};

/* Offset of the node in an element (after its bucket link and hash). */
#define UXDP_LRU_NODE_OFF 8

/* Elements in the pool of an LRU map: BPF_F_NO_COMMON_LRU rounds per CPU. */
uint32_t uxdp_lru_n_elems(uint32_t max_entries, uint32_t map_flags, uint32_t ncpus);
/* Offset (from the header) and bytes of the LRU area, given the hash geometry. */
uint64_t uxdp_lru_area_off(const struct uxdp_shm_hdr *h);
uint64_t uxdp_lru_area_size(const struct uxdp_shm_hdr *h);
/* Put every element on the free lists, as bpf_lru_populate() does. */
void uxdp_lru_init(struct uxdp_map *m);
/*
 * bpf_lru_pop_free(): an element for a new key on CPU cpu, evicting keys
 * from the hash table (through uxdp_hash_lru_unlink()) when no element is
 * free.  Returns its link (index + 1) or 0.
 */
uint32_t uxdp_lru_pop_free(struct uxdp_map *m, unsigned int cpu);
/* bpf_lru_push_free(): give back an element no longer in the hash table. */
void uxdp_lru_push_free(struct uxdp_map *m, uint32_t link);

/* Provided by hash.c: remove element link from its bucket; false if absent. */
bool uxdp_hash_lru_unlink(struct uxdp_map *m, uint32_t link);

static inline struct uxdp_lru_node *uxdp_lru_node(struct uxdp_map *m, uint32_t link)
{
	return (struct uxdp_lru_node *)((uint8_t *)m->data +
					(uint64_t)(link - 1) * m->hdr->elem_size +
					UXDP_LRU_NODE_OFF);
}

/* bpf_lru_node_set_ref(): a use from a program (no store if already set). */
static inline void uxdp_lru_node_set_ref(struct uxdp_lru_node *n)
{
	if (!__atomic_load_n(&n->ref, __ATOMIC_RELAXED))
		__atomic_store_n(&n->ref, 1, __ATOMIC_RELAXED);
}

static inline void uxdp_lru_set_ref(struct uxdp_map *m, uint32_t link)
{
	uxdp_lru_node_set_ref(uxdp_lru_node(m, link));
}

#endif /* UXDP_MAPS_LRU_H */
