/* SPDX-License-Identifier: MIT */
/*
 * hash_free.h - the free elements of the hash maps that are not LRU maps
 * (hash, percpu_hash, hash_of_maps, devmap_hash), kept per CPU as the
 * kernel's pcpu_freelist keeps them, and the locks of those maps.  Private
 * to runtime/maps; hash.c owns the chains.
 *
 * Locks.  Each bucket has a lock, and each CPU's free elements (a "shard")
 * one.  A writer takes its bucket's lock, then the lock of the shard whose
 * element it takes or gives back (one at a time; a replacement takes and
 * gives in one shard, hash.c), as the kernel takes a bucket's lock and then
 * a per-CPU free list's.  A bucket's lock is beside its head
 * (hash_internal.h), eight buckets to a cache line.  Two workers
 * inserting new flows share no lock: each takes its own CPU's elements.
 *
 * Every element has a home shard ((link - 1) % ncpus, for life), and every
 * change of its state (below), every chain store that links or unlinks
 * it included, happens under its home's lock.  So while a thread holds a
 * shard's lock, no element of that shard enters or leaves a chain, and a
 * shard lock taken over from a dead holder is repaired alone: an element
 * the dead holder had taken is in a chain or not, and stays so; the free
 * FIFOs are made again from the elements that say they are free.  A
 * bucket lock taken over needs nothing: a chain is consistent at every
 * store.
 *
 * Capacity.  Each shard's free elements are on one FIFO, in the order they
 * were freed, so the oldest, which no reader is likely to hold any more,
 * goes first.  The pool holds max_entries elements and spares for
 * replacements and for reclamation (a new value goes into a fresh element,
 * hash.c); each shard keeps a fixed number of spares (n_spare): a new key
 * may take one of its free elements only while it has more than that, and
 * a replacement takes one of the old element's shard and gives the old one
 * back to it.  So the elements in chains plus the free ones beyond the
 * spares are max_entries at every instant (no lock held), and a map is
 * full when no shard has a free element beyond its spares: -E2BIG exactly
 * where the kernel's preallocated map (whose free list holds max_entries)
 * gives it, with no count that both workers write.
 */
#ifndef UXDP_MAPS_HASH_FREE_H
#define UXDP_MAPS_HASH_FREE_H

#include <stdbool.h>
#include <stdint.h>

#include "map_internal.h"

/* An element's state (struct helem's state word). */
enum uxdp_hash_state {
	HASH_FREE,   /* on its home's FIFO */
	HASH_LINKED, /* in a chain */
	HASH_TAKEN,  /* held by its home lock's holder: linked if in a chain, else free */
};

/* Offset (from the header) and bytes of the shards, after the buckets. */
uint64_t uxdp_hash_free_off(const struct uxdp_shm_hdr *h);
uint64_t uxdp_hash_free_size(const struct uxdp_shm_hdr *h);
/* Every element free; the spares beyond max_entries spread over the shards. */
void uxdp_hash_free_init(struct uxdp_map *m);

static inline unsigned int uxdp_hash_shards(const struct uxdp_map *m)
{
	return m->ncpus ? m->ncpus : 1;
}

/* An element's shard, for life; a power of two of them costs no division. */
static inline unsigned int uxdp_hash_home(const struct uxdp_map *m, uint32_t link)
{
	unsigned int n = uxdp_hash_shards(m);

	return n & (n - 1) ? (link - 1) % n : (link - 1) & (n - 1);
}

/*
 * Shard s's lock; one taken over from a dead holder is repaired first.
 * 0, or rlock.h's errors.
 */
int uxdp_hash_shard_lock(struct uxdp_map *m, unsigned int s);
void uxdp_hash_shard_unlock(struct uxdp_map *m, unsigned int s);
/*
 * Shard s's lock held: its oldest free element, taken, or 0 if it has none
 * (for a new key: none beyond its spares).  As uxdp_pool_get(m, true): a
 * reader may still hold it, then it waits a little, then takes it anyway
 * (counted).
 */
uint32_t uxdp_hash_take(struct uxdp_map *m, unsigned int s, bool new_key);
/* Its home's lock held: element link, in no chain now, free again (stamped now). */
void uxdp_hash_give(struct uxdp_map *m, uint32_t link);
void uxdp_hash_set_state(struct uxdp_map *m, uint32_t link, enum uxdp_hash_state state);
/*
 * Each shard counts the changes to its free elements like a seqlock: odd
 * from the first change under the lock (a take, a give, a delete about to
 * unlink, a repair) to the unlock.  uxdp_hash_seqs(): the counts summed,
 * false while one is odd (a change under way, or a dead holder's);
 * uxdp_hash_still(): whether they are what they were, so nothing read in
 * between was changed.  A walk that only looks changes nothing.
 */
bool uxdp_hash_seqs(struct uxdp_map *m, uint64_t *sum);
bool uxdp_hash_still(struct uxdp_map *m, uint64_t before);
/* Shard s's lock held: what it guards is about to change (odd until the unlock). */
void uxdp_hash_begin(struct uxdp_map *m, unsigned int s);
/*
 * Whether the map is full: no shard has a free element beyond its spares,
 * read without a lock, shard own first, and no shard changed meanwhile.
 * A walk over the shards can miss an element given back to a shard it
 * passed while another is taken from one it has not reached (the kernel's
 * pcpu_freelist_pop() can fail so), or a delete between its unlink and its
 * give; the counts tell both.  When it says full, the map was full at the
 * end of the walk and no delete was under way, and *before holds the
 * counts it saw (uxdp_hash_still() extends the instant).
 */
bool uxdp_hash_full(struct uxdp_map *m, unsigned int own, uint64_t *before);
/* Whether shard s has a free element beyond its spares, read without its lock. */
bool uxdp_hash_has_room(struct uxdp_map *m, unsigned int s);
/* Whether shard s's count is even: no change under way (nor a dead holder's). */
bool uxdp_hash_settled(struct uxdp_map *m, unsigned int s);
/* uxdp_fifo_settle() on shard s's FIFO (the control plane). */
void uxdp_hash_free_settle(struct uxdp_map *m, unsigned int s);
/*
 * Tests: with no lock held, the problems found: an element on a FIFO not
 * its home's or not free, on a FIFO twice, a count that does not match,
 * an element both free and in a chain or neither, a shard with fewer free
 * elements than its spares, or chains and free elements that do not add up
 * to max_entries.  seen: n_pool bits, zeroed; in_chain marks the elements
 * found in chains.
 */
uint32_t uxdp_hash_free_audit(struct uxdp_map *m, const uint8_t *in_chain, uint8_t *seen);

#endif /* UXDP_MAPS_HASH_FREE_H */
