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
 * map lives in shared memory): id 1..n_pool is element id - 1, larger ids
 * are list heads in the LRU area that follows the buckets.  The kernel's
 * rotation keeps a cursor that may rest on a list head, which is why heads
 * and elements share one id space.  n_elems of the pool's elements (the
 * kernel's count) are in the lists at any time; the others are hash.c's
 * spares (per-CPU lists: each CPU's own, on its FIFO of spares), waiting
 * on the pool's FIFO until no reader can hold them
 * (uxdp_lru_replace() swaps one in for a popped element a reader may still
 * be reading).
 *
 * Locking, common LRU: every function here runs under the map's writer
 * lock (hash.c), so the kernel's per-list and per-CPU locks have no
 * counterpart.  Per-CPU lists (BPF_F_NO_COMMON_LRU): each CPU's list, its
 * elements and its spares are under that CPU's lock (uxdp_lru_lock()), and
 * each hash bucket under its bucket lock (hash_bucket_lock()), taken in
 * that order, as the kernel takes them; a thread holding one CPU's lock
 * only ever tries another's (uxdp_lru_try_lock()), never waits for it.
 * The map's writer lock is not used.  An element never changes CPU, and
 * each element's node says which list (or the spares) it is on, so that a
 * lock taken over from a dead holder is repaired from that CPU's elements
 * alone (and a bucket lock needs no repair: chains are consistent at every
 * store).
 * Lookups take no lock: they only set the reference bit.  Ids read from shared
 * memory are checked against the handle's geometry and walks are bounded,
 * so damaged lists cannot send lru.c outside the segment or into a cycle.
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
_Static_assert(sizeof(struct uxdp_lru_node) == 16, "hash.c's element header");

/* Elements in the pool of an LRU map: BPF_F_NO_COMMON_LRU rounds per CPU. */
uint32_t uxdp_lru_n_elems(uint32_t max_entries, uint32_t map_flags, uint32_t ncpus);
/* Offset (from the header) and bytes of the LRU area, given the hash geometry. */
uint64_t uxdp_lru_area_off(const struct uxdp_shm_hdr *h);
uint64_t uxdp_lru_area_size(const struct uxdp_shm_hdr *h);
/* Put elements 1..n_elems on the free lists, as bpf_lru_populate() does. */
void uxdp_lru_init(struct uxdp_map *m);
/*
 * Element new (a spare, in no list) takes the place of element old in
 * whatever list old is on, with its state; old leaves the lists.
 */
void uxdp_lru_replace(struct uxdp_map *m, uint32_t old, uint32_t new_link);
/*
 * Repair: make the lists again from nothing.  The elements marked in
 * in_chain (those in the hash chains) go to the inactive list; elements not
 * in a chain fill the free lists until n_elems are in the lists, and are
 * marked in taken too.
 */
void uxdp_lru_rebuild(struct uxdp_map *m, const uint8_t *in_chain, uint8_t *taken);
/*
 * bpf_lru_pop_free(): an element for a new key on CPU cpu, evicting keys
 * from the hash table (through uxdp_hash_lru_unlink()) when no element is
 * free.  Returns its link (index + 1) or 0.
 */
uint32_t uxdp_lru_pop_free(struct uxdp_map *m, unsigned int cpu);
/* bpf_lru_push_free(): give back an element no longer in the hash table. */
void uxdp_lru_push_free(struct uxdp_map *m, uint32_t link);

/*
 * Per-CPU lists.  Take CPU cpu's lock (a dead holder's is taken over and
 * that CPU's list and spares rebuilt from its elements' types): 0, or a
 * negative errno of rlock.h.
 */
int uxdp_lru_lock(struct uxdp_map *m, unsigned int cpu);
/*
 * The same without waiting and without taking a dead holder's lock over
 * (that needs a read of /proc; the CPU's own next lock does it): 0, or
 * -EBUSY while anyone holds it.
 */
int uxdp_lru_try_lock(struct uxdp_map *m, unsigned int cpu);
void uxdp_lru_unlock(struct uxdp_map *m, unsigned int cpu);
/* The CPU whose list element link belongs to. */
unsigned int uxdp_lru_owner(const struct uxdp_map *m, uint32_t link);
/*
 * Per-CPU lists, for tests: the inconsistencies of the lists and the
 * spares: an element on no list or on two, of another CPU or type, a link
 * one way only, a count that is not its list's length, a CPU with more or
 * fewer elements or spares than its share, an element in a chain that is
 * not active or inactive, a cursor off the inactive list, a lock held.
 * seen: n_pool bits, zeroed.  Writers must be stopped, and after a kill
 * every CPU's lock taken once (taken over and repaired).
 */
uint32_t uxdp_lru_audit(struct uxdp_map *m, uint8_t *seen);
/* Whether element link is active or inactive (not free, not a spare); its CPU's lock held. */
bool uxdp_lru_listed(const struct uxdp_map *m, uint32_t link);
/* The head word of CPU cpu's FIFO of spares (for uxdp_fifo_settle()). */
uint32_t *uxdp_lru_spare_head(struct uxdp_map *m, unsigned int cpu);
/* CPU cpu's oldest spare if no reader can hold it, else 0; give one back. */
uint32_t uxdp_lru_spare_get(struct uxdp_map *m, unsigned int cpu);
void uxdp_lru_spare_put(struct uxdp_map *m, unsigned int cpu, uint32_t link);

/*
 * Provided by hash.c: remove element link from its bucket (eviction); false
 * if absent.  Per-CPU lists: under the bucket's lock, and true for an
 * element in no chain too (one a writer unlinked and left to its CPU's
 * eviction, or a dead writer's), which is then free to take.
 */
bool uxdp_hash_lru_unlink(struct uxdp_map *m, uint32_t link);
/* Provided by hash.c: whether element link is in its bucket's chain (no lock: writers stopped). */
bool uxdp_hash_in_chain(struct uxdp_map *m, uint32_t link);
/* Provided by hash.c: stamp element link as unlinked now (pool.h). */
void uxdp_hash_lru_stamp(struct uxdp_map *m, uint32_t link);

/* Whether m is an LRU map with per-CPU lists, locked per CPU and per bucket. */
static inline bool uxdp_lru_fine(const struct uxdp_map *m)
{
	return (m->type == BPF_MAP_TYPE_LRU_HASH || m->type == BPF_MAP_TYPE_LRU_PERCPU_HASH) &&
	       (m->map_flags & BPF_F_NO_COMMON_LRU);
}

static inline struct uxdp_lru_node *uxdp_lru_node(const struct uxdp_map *m, uint32_t link)
{
	return (struct uxdp_lru_node *)(m->pool + (uint64_t)(link - 1) * m->elem_size +
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
