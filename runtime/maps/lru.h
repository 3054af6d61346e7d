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
 * kernel's count) are in the lists at any time; the others are spares,
 * each CPU's own on its FIFO of spares, waiting until no reader can hold
 * them (uxdp_lru_take() swaps one in for a popped element a reader may
 * still be reading).
 *
 * Locking, as the kernel's (kernel/bpf/bpf_lru_list.c), with robust locks
 * (rlock.h).  Each element's node says which list it is on (its type) and
 * for a CPU's list which CPU (cpu); that names the one lock that guards it
 * (uxdp_lru_guard()), under which alone its type and links change, so that
 * a lock taken over from a dead holder is repaired from the elements that
 * name it, and nothing else:
 *  - Per-CPU lists (BPF_F_NO_COMMON_LRU): lock g < ncpus is CPU g's, over
 *    its list, its elements (which never change CPU) and its spares.
 *  - Common lists (the default): lock g < ncpus is CPU g's, over its local
 *    free and pending lists and its spares; lock ncpus is the global
 *    lists'.  An element moves between them under both (a refill, which
 *    takes the global lock under the CPU's), and between two CPUs' local
 *    lists under both (a steal).
 * The order is: a CPU's lock, then the global lock, then a hash bucket's
 * lock (hash_bucket_lock(), taken for each eviction); a thread holding a
 * CPU's lock only ever tries another CPU's (uxdp_lru_try_lock()), never
 * waits for it, and one holding a bucket's lock only tries a list lock
 * (hash.c lru_guard_try()).  A bucket lock needs no repair: chains are
 * consistent at every store.
 *
 * An element in use (active, inactive, pending) but in no chain is either
 * one a writer is linking or unlinking under the element's lock (hash.c
 * holds its CPU's lock from the pop of a new element to its link, and an
 * element's lock from its unlink to its free), or one nobody will free: a
 * dead writer's, or one unlinked by an update or a delete that could not
 * take its lock at once (hash.c gives it back later, give_back()).
 * Eviction, which holds that lock, therefore takes any element it finds in
 * no chain (uxdp_hash_lru_unlink()), and a kill costs no element for good.
 *
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
	uint32_t cpu;   /* local or spare: whose (per-CPU lists: for good); global: stale */
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
/*
 * How many elements a CPU takes from the lists at a time (the common
 * lists' target_free; per-CPU lists: 4); most of a batch's evicted
 * elements are swapped for spares (uxdp_lru_take()).
 */
uint32_t uxdp_lru_refill_batch(const struct uxdp_shm_hdr *h);
/* Put elements 1..n_elems on the free lists, as bpf_lru_populate() does. */
void uxdp_lru_init(struct uxdp_map *m);
/*
 * bpf_lru_pop_free(): an element for a new key on CPU cpu, evicting keys
 * from the hash table (through uxdp_hash_lru_unlink()) when no element is
 * free; it is left in use (per-CPU lists: inactive; common: pending on
 * cpu).  If a reader may still hold it (it was evicted a moment ago), a
 * spare of cpu that no reader can hold takes its place in the lists and
 * it waits among the spares (or, with no such spare, it is reused anyway,
 * counted in forced_reuse).  CPU cpu's lock held (the common lists' refill
 * takes the global lock too).  Returns its link (index + 1) or 0.
 */
uint32_t uxdp_lru_take(struct uxdp_map *m, unsigned int cpu);
/*
 * bpf_lru_push_free(): give back an element no longer in the hash table,
 * its lock (uxdp_lru_guard()) held; one already free stays so.
 */
void uxdp_lru_push_free(struct uxdp_map *m, uint32_t link);

/* The locks of m: ncpus, and the common lists' global lock after them. */
uint32_t uxdp_lru_n_locks(const struct uxdp_map *m);
/*
 * The lock that guards element link now (read without it: check again
 * under it, the element may have moved meanwhile, but for a per-CPU
 * lists' element, whose lock never changes).
 */
uint32_t uxdp_lru_guard(const struct uxdp_map *m, uint32_t link);
/*
 * Take lock g (a dead holder's is taken over and what it guards rebuilt
 * from its elements' types): 0, or a negative errno of rlock.h.
 */
int uxdp_lru_lock(struct uxdp_map *m, uint32_t g);
/*
 * The same without waiting and without taking a dead holder's lock over
 * (that needs a read of /proc; the next lock does it): 0, or -EBUSY while
 * anyone holds it.
 */
int uxdp_lru_try_lock(struct uxdp_map *m, uint32_t g);
void uxdp_lru_unlock(struct uxdp_map *m, uint32_t g);
/*
 * For tests: the inconsistencies of the lists and the spares: an element
 * on no list or on two, of another CPU or type, a link one way only, a
 * count that is not its list's length, a CPU with more or fewer elements
 * (per-CPU lists) or spares than its share, fewer or more than n_elems in
 * the lists, an element in a chain that is not in use, a cursor off the
 * inactive list, a lock held.  seen: n_pool bits, zeroed.  Writers must be
 * stopped, and after a kill every lock taken once (taken over and
 * repaired).
 */
uint32_t uxdp_lru_audit(struct uxdp_map *m, uint8_t *seen);
/* Whether element link is in use (active, inactive or pending); its lock held. */
bool uxdp_lru_listed(const struct uxdp_map *m, uint32_t link);
/* The head word of CPU cpu's FIFO of spares (for uxdp_fifo_settle()). */
uint32_t *uxdp_lru_spare_head(struct uxdp_map *m, unsigned int cpu);

/*
 * Provided by hash.c: remove element link from its bucket (eviction),
 * under the bucket's lock, and stamp it; true for an element in no chain
 * too (above), which is then free to take; false for a link outside the
 * pool (damage) or without a lock.
 */
bool uxdp_hash_lru_unlink(struct uxdp_map *m, uint32_t link);
/* Provided by hash.c: whether element link is in its bucket's chain (no lock: writers stopped). */
bool uxdp_hash_in_chain(struct uxdp_map *m, uint32_t link);
/* Provided by hash.c: stamp element link as unlinked now (pool.h). */
void uxdp_hash_lru_stamp(struct uxdp_map *m, uint32_t link);

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
