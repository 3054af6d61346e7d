// SPDX-License-Identifier: MIT
/*
 * fib_lookup.c - bpf_fib_lookup(ctx, params, plen, flags) for XDP
 * (bpf_xdp_fib_lookup in net/core/filter.c): the argument checks, then the
 * lookup in the worker's FIB (uxdp/fib.h, done natively in fib.c).
 */
#include <errno.h>
#include <linux/bpf.h>
#include <stddef.h>
#include <stdint.h>

#include <uxdp/ctx.h>
#include <uxdp/fib.h>
#include <uxdp/worker.h>

#include "helpers_impl.h"

/* Linux 6.10 added BPF_FIB_LOOKUP_MARK; older uapi headers lack it. */
#define FIB_LOOKUP_MARK (1U << 5)
#define FIB_LOOKUP_FLAGS                                                                  \
	(BPF_FIB_LOOKUP_DIRECT | BPF_FIB_LOOKUP_OUTPUT | BPF_FIB_LOOKUP_SKIP_NEIGH |      \
	 BPF_FIB_LOOKUP_TBID | BPF_FIB_LOOKUP_SRC | FIB_LOOKUP_MARK)

uint64_t uxdp_helper_fib_lookup(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4)
{
	const struct uxdp_ctx *ctx = (const struct uxdp_ctx *)(uintptr_t)r1;
	struct bpf_fib_lookup *params = (struct bpf_fib_lookup *)(uintptr_t)r2;
	int32_t plen = (int32_t)r3;
	uint32_t flags = (uint32_t)r4;
	const struct uxdp_worker *w = ctx->worker;

	/*
	 * The kernel compares the int plen with a size_t, so a negative plen
	 * passes; the verifier (ARG_CONST_SIZE) never lets one through anyway.
	 */
	if ((uint64_t)(int64_t)plen < sizeof(*params))
		return UXDP_ERR(EINVAL);
	if (flags & ~FIB_LOOKUP_FLAGS)
		return UXDP_ERR(EINVAL);
	return (uint64_t)(int64_t)uxdp_fib_lookup(w ? w->fib : NULL, params, flags);
}
