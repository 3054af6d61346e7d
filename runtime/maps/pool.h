/* SPDX-License-Identifier: MIT */
/*
 * pool.h - the preallocated elements of hash maps and LPM tries, and the
 * FIFO of free ones, reused only once no reader can hold them.  Private to
 * runtime/maps.
 *
 * Elements are named by links (index + 1, 0 is none) and start with a
 * header in which a free-list link (u32, at the handle's pool_next_off) and
 * the epoch stamp of the unlink (u64 at pool_stamp_off, instance.h) belong
 * to the pool while the element is free; the rest of the header is the
 * type's (hash.c: 8 and 24, lpm.c: 24 and 32).  A freed element keeps the
 * links a reader may still follow (a hash chain's next, a trie node's
 * children) untouched until it is taken again.
 *
 * Everything here runs under the lock that keeps the FIFO (the map's
 * writer lock: LPM tries; LRU maps: a CPU's lock, lru.h; other hash maps:
 * the shard's, hash_free.h), except the settles.
 */
#ifndef UXDP_MAPS_POOL_H
#define UXDP_MAPS_POOL_H

#include <stdbool.h>
#include <stdint.h>

#include "map_internal.h"

static inline uint8_t *uxdp_pool_elem(const struct uxdp_map *m, uint32_t link)
{
	return m->pool + (uint64_t)(link - 1) * m->elem_size;
}

static inline uint64_t *uxdp_pool_stamp(const struct uxdp_map *m, uint32_t link)
{
	return (uint64_t *)(uxdp_pool_elem(m, link) + m->pool_stamp_off);
}

/* Elements a map of n_elems keeps beyond them, for replacements and reclamation. */
uint32_t uxdp_pool_spare(uint32_t n_elems, uint64_t elem_size);
/* Put links first..last on the free FIFO, in order, reusable at once (a fresh map). */
void uxdp_pool_init(struct uxdp_map *m, uint32_t first, uint32_t last);
/* Give back an element unlinked now: stamped, reusable once readers have passed. */
void uxdp_pool_put(struct uxdp_map *m, uint32_t link);
/*
 * The oldest free element, or 0 if there is none.  If a reader may still
 * hold it, wait about 200 us for readers to pass (not longer: see pool.c),
 * then, with force, take it anyway (counted in forced_reuse: as
 * the kernel's preallocated maps do all the time, a reader may then see it
 * change); without force return 0.
 */
uint32_t uxdp_pool_get(struct uxdp_map *m, bool force);
/*
 * Before a writer outside any read-side section (the control plane) takes
 * the writer lock for an update: wait, without the lock, until the oldest
 * free element may be reused (up to about a second), so that the update
 * does not find it held by a reader under the lock.  A worker returns at
 * once.  Only a hint: the head may be taken by another writer meanwhile.
 */
void uxdp_pool_settle(struct uxdp_map *m);
/*
 * The same on a FIFO of the type's own (head and tail words in shared
 * memory, under whatever lock the type keeps it): LRU maps keep each
 * CPU's spare elements on one.
 */
void uxdp_fifo_put(struct uxdp_map *m, uint32_t *head, uint32_t *tail, uint32_t link);
/*
 * Put with the given stamp: an element that left its chain earlier and was
 * stamped then (an LRU element evicted a moment ago and swapped for a
 * spare) keeps that stamp, which is all a reader needs, and the put writes
 * nothing shared.
 */
void uxdp_fifo_put_stamped(struct uxdp_map *m, uint32_t *head, uint32_t *tail, uint32_t link,
			   uint64_t stamp);
uint32_t uxdp_fifo_get(struct uxdp_map *m, uint32_t *head, uint32_t *tail, bool force);
void uxdp_fifo_settle(struct uxdp_map *m, uint32_t *head);
/* Whether an element stamped stamp may be reused now (no /proc reads). */
bool uxdp_pool_safe(struct uxdp_map *m, uint64_t stamp);
/*
 * Repair: every element whose bit is clear in in_use goes on the free FIFO
 * with a fresh stamp; returns how many.
 */
uint32_t uxdp_pool_rebuild(struct uxdp_map *m, const uint8_t *in_use);

static inline bool uxdp_bit(const uint8_t *bits, uint32_t i)
{
	return bits[i / 8] & (1u << (i % 8));
}

static inline void uxdp_set_bit(uint8_t *bits, uint32_t i)
{
	bits[i / 8] |= (uint8_t)(1u << (i % 8));
}

#endif /* UXDP_MAPS_POOL_H */
