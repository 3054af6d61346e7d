// SPDX-License-Identifier: MIT
/*
 * ringbuf_helpers.c - bpf_ringbuf_{output,reserve,submit,discard,query} over
 * runtime/maps/ringbuf.c.  reserve returns a pointer or 0, submit and
 * discard return 0 (void in the kernel), output returns 0 or a negative
 * errno, query the asked-for value.
 */
#include <stdint.h>

#include <uxdp/map.h>

#include "helpers_impl.h"

uint64_t uxdp_helper_ringbuf_output(uint64_t map, uint64_t data, uint64_t size, uint64_t flags)
{
	return (uint64_t)(int64_t)uxdp_ringbuf_output((struct uxdp_map *)(uintptr_t)map,
						      (const void *)(uintptr_t)data, size, flags);
}

uint64_t uxdp_helper_ringbuf_reserve(uint64_t map, uint64_t size, uint64_t flags)
{
	return (uint64_t)(uintptr_t)uxdp_ringbuf_reserve((struct uxdp_map *)(uintptr_t)map, size,
							 flags);
}

uint64_t uxdp_helper_ringbuf_submit(uint64_t data, uint64_t flags)
{
	uxdp_ringbuf_submit((void *)(uintptr_t)data, flags);
	return 0;
}

uint64_t uxdp_helper_ringbuf_discard(uint64_t data, uint64_t flags)
{
	uxdp_ringbuf_discard((void *)(uintptr_t)data, flags);
	return 0;
}

uint64_t uxdp_helper_ringbuf_query(uint64_t map, uint64_t flags)
{
	return uxdp_ringbuf_query((struct uxdp_map *)(uintptr_t)map, flags);
}
