/* SPDX-License-Identifier: MIT */
/*
 * slot_internal.h - reading a slot array's slot (array.c describes the
 * layout: the values, then one "present" word per slot), for the two
 * places that do: array.c, and runtime/helpers' bpf_redirect_map, which
 * looks its target up in a devmap, xskmap or cpumap without the call
 * through the map's ops, since it runs for every packet a program
 * redirects.  One definition, so that both read a slot the same way.
 */
#ifndef UXDP_MAPS_SLOT_INTERNAL_H
#define UXDP_MAPS_SLOT_INTERNAL_H

#include <stdint.h>

#include "map_internal.h"

static inline uint32_t *slot_present(const struct uxdp_map *m, uint32_t idx)
{
	return (uint32_t *)uxdp_off(m, m->hdr->aux_off) + idx;
}

/*
 * The value of slot idx (< max_entries), or NULL while it is empty: present
 * is read with acquire order, so the value a writer stored before setting
 * it is seen whole.
 */
static inline void *slot_value(const struct uxdp_map *m, uint32_t idx)
{
	if (!__atomic_load_n(slot_present(m, idx), __ATOMIC_ACQUIRE))
		return NULL;
	return (uint8_t *)m->data + (uint64_t)idx * m->stride;
}

/*
 * perf_event_array rings (perfring.c): where they start (a page boundary
 * after the present words), the bytes of one (its header page and data),
 * and a slot update's part: a ring without a size gets its capacity.
 */
uint64_t uxdp_perf_rings_off(const struct uxdp_shm_hdr *h);
uint64_t uxdp_perf_ring_span(const struct uxdp_shm_hdr *h);
void uxdp_perf_ring_enable(struct uxdp_map *m, uint32_t idx);

#endif /* UXDP_MAPS_SLOT_INTERNAL_H */
