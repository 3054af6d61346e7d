// SPDX-License-Identifier: MIT
/*
 * loop.c - bpf_loop(nr_loops, callback, callback_ctx, flags) for native callers.
 *
 * uxdpc never calls this: in a compiled program the callback is program code
 * and bpf_loop is lowered inline (compiler/lift_jmp.c).  It exists for C code
 * built against the runtime directly, such as the benchmark's native build,
 * whose callbacks have the kernel's bpf_callback_t shape.  Semantics are
 * kernel/bpf/bpf_iter.c's bpf_loop: flags first, then the 1 << 23 limit.
 */
#include <errno.h>
#include <stdint.h>

#include "helpers_impl.h"

#define BPF_MAX_LOOPS (8 * 1024 * 1024)

typedef uint64_t (*bpf_callback_t)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);

uint64_t uxdp_helper_loop(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4)
{
	bpf_callback_t callback = (bpf_callback_t)(uintptr_t)r2;
	uint32_t nr_loops = (uint32_t)r1, i;

	if (r4)
		return UXDP_ERR(EINVAL);
	if (nr_loops > BPF_MAX_LOOPS)
		return UXDP_ERR(E2BIG);
	for (i = 0; i < nr_loops; i++) {
		/* 0: continue, 1: stop (the verifier allows nothing else). */
		if (callback(i, r3, 0, 0, 0))
			return (uint64_t)i + 1;
	}
	return i;
}
