// SPDX-License-Identifier: MIT
/*
 * xdp_bytes.c - bpf_xdp_get_buff_len, bpf_xdp_load_bytes,
 * bpf_xdp_store_bytes and the kfunc bpf_xdp_pull_data on a single-buffer
 * frame.
 *
 * uxdp frames have no fragments, so the kernel's multi-buffer paths
 * (bpf_xdp_copy_buf over skb_shared_info frags) never apply; the bounds
 * checks are those of bpf_xdp_pointer() in Linux 6.18 net/core/filter.c
 * (xdp_buf.h).  len == 0 is rejected by the verifier (ARG_CONST_SIZE)
 * before any helper runs; here it copies nothing and succeeds, as the
 * kernel's code would.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <uxdp/ctx.h>

#include "helpers_impl.h"
#include "xdp_buf.h"

/* xdp_get_buff_len(): the linear part plus frags, which we never have. */
uint64_t uxdp_helper_xdp_get_buff_len(uint64_t r1)
{
	const struct uxdp_ctx *ctx = (const struct uxdp_ctx *)(uintptr_t)r1;

	return uxdp_xdp_len(ctx);
}

uint64_t uxdp_helper_xdp_load_bytes(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4)
{
	const struct uxdp_ctx *ctx = (const struct uxdp_ctx *)(uintptr_t)r1;
	uint32_t offset = (uint32_t)r2, len = (uint32_t)r4;
	int err = 0;
	uint8_t *p = uxdp_xdp_pointer(ctx, offset, len, &err);

	if (uxdp_unlikely(!p))
		return UXDP_ERR(err);
	memcpy((void *)(uintptr_t)r3, p, len);
	return 0;
}

uint64_t uxdp_helper_xdp_store_bytes(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4)
{
	const struct uxdp_ctx *ctx = (const struct uxdp_ctx *)(uintptr_t)r1;
	uint32_t offset = (uint32_t)r2, len = (uint32_t)r4;
	int err = 0;
	uint8_t *p = uxdp_xdp_pointer(ctx, offset, len, &err);

	if (uxdp_unlikely(!p))
		return UXDP_ERR(err);
	/* memmove: the source may be the packet itself (a map value never is). */
	memmove(p, (const void *)(uintptr_t)r3, len);
	return 0;
}

/*
 * bpf_xdp_pull_data() (Linux 6.18): makes the first len bytes linear,
 * pulling them out of the fragments.  A uxdp frame is all linear: 0 when
 * len is within it, -EINVAL past it (past xdp_get_buff_len), the two cases
 * the kernel decides before it moves anything.
 */
uint64_t uxdp_kfunc_bpf_xdp_pull_data(uint64_t r1, uint64_t r2)
{
	const struct uxdp_ctx *ctx = (const struct uxdp_ctx *)(uintptr_t)r1;

	return (uint32_t)r2 <= uxdp_xdp_len(ctx) ? 0 : UXDP_ERR(EINVAL);
}
