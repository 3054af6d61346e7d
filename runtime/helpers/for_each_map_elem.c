// SPDX-License-Identifier: MIT
/*
 * for_each_map_elem.c - bpf_for_each_map_elem(map, callback, callback_ctx,
 * flags) for native callers.
 *
 * uxdpc never calls this: in a compiled program the callback is program
 * code and the helper is lowered to a loop around uxdp_map_iter_next()
 * (compiler/lift_jmp.c).  It exists, as loop.c does, for C code built
 * against the runtime whose callbacks have the kernel's bpf_callback_t
 * shape.  Semantics are the kernel's map_for_each_callback: -EINVAL for
 * flags; the callback gets (map, key, value, ctx) and returns 0 to go on,
 * 1 to stop; the result is the number of elements it was called for.
 */
#include <errno.h>
#include <stdint.h>

#include <uxdp/map.h>

#include "helpers_impl.h"

typedef uint64_t (*bpf_callback_t)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);

uint64_t uxdp_helper_for_each_map_elem(uint64_t map, uint64_t callback_fn, uint64_t ctx,
				       uint64_t flags)
{
	bpf_callback_t callback = (bpf_callback_t)(uintptr_t)callback_fn;
	struct uxdp_map_iter it = { 0 };
	uint64_t n = 0;
	void *value;

	if (flags)
		return UXDP_ERR(EINVAL);
	while ((value = uxdp_map_iter_next((struct uxdp_map *)(uintptr_t)map, &it))) {
		n++;
		if (callback(map, (uint64_t)(uintptr_t)it.key, (uint64_t)(uintptr_t)value, ctx, 0))
			break;
	}
	return n;
}
