// SPDX-License-Identifier: MIT
/*
 * xdp_adjust.c - bpf_xdp_adjust_head, bpf_xdp_adjust_tail and
 * bpf_xdp_adjust_meta on a single-buffer (no frags) frame.
 *
 * Each reproduces the checks of the Linux 6.18 function of the same name in
 * net/core/filter.c, in the same order, with the same errno.  Pointers are
 * compared as integers, as the kernel compares its void pointers, so that a
 * wild delta fails the range check instead of overflowing.  The frame layout
 * (reserved xdp_frame head, shinfo tail) is described in uxdp/worker.h.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <uxdp/ctx.h>
#include <uxdp/worker.h>

#include "helpers_impl.h"

/*
 * xdp_get_metalen(): a driver without metadata support sets data_meta past
 * data (xdp_set_data_meta_invalid), and then there is no metadata to move.
 */
static inline uintptr_t xdp_metalen(const struct uxdp_ctx *ctx)
{
	uintptr_t data = (uintptr_t)ctx->data, meta = (uintptr_t)ctx->data_meta;

	return meta > data ? 0 : data - meta;
}

/*
 * bpf_xdp_adjust_head(): data may move down to just above the reserved
 * xdp_frame plus the metadata, and up to leave ETH_HLEN bytes.  Metadata
 * moves with data.  The kernel does not clear the bytes a negative delta
 * exposes, and neither do we.
 */
uint64_t uxdp_helper_xdp_adjust_head(uint64_t r1, uint64_t r2)
{
	struct uxdp_ctx *ctx = (struct uxdp_ctx *)(uintptr_t)r1;
	int32_t offset = (int32_t)r2; /* the kernel's prototype takes an int */
	uintptr_t metalen = xdp_metalen(ctx);
	uintptr_t data_start = (uintptr_t)ctx->data_hard_start + UXDP_XDP_FRAME_SIZE + metalen;
	uintptr_t data = (uintptr_t)ctx->data + (uintptr_t)(intptr_t)offset;

	if (uxdp_unlikely(data < data_start ||
			  data > (uintptr_t)ctx->data_end - UXDP_ETH_HLEN))
		return UXDP_ERR(EINVAL);

	if (metalen)
		memmove(ctx->data_meta + offset, ctx->data_meta, metalen);
	ctx->data_meta += offset;
	ctx->data = (uint8_t *)data;
	return 0;
}

/*
 * bpf_xdp_adjust_tail(): data_end may grow up to the start of the reserved
 * shinfo tailroom (xdp_data_hard_end) and shrink down to data + ETH_HLEN.
 * Grown bytes are zeroed: the kernel clears them so that no stale memory
 * leaks into the packet.
 */
uint64_t uxdp_helper_xdp_adjust_tail(uint64_t r1, uint64_t r2)
{
	struct uxdp_ctx *ctx = (struct uxdp_ctx *)(uintptr_t)r1;
	int32_t offset = (int32_t)r2;
	uintptr_t data_hard_end = (uintptr_t)ctx->frame_end - UXDP_XDP_TAILROOM;
	uintptr_t data_end = (uintptr_t)ctx->data_end + (uintptr_t)(intptr_t)offset;

	if (uxdp_unlikely(data_end > data_hard_end))
		return UXDP_ERR(EINVAL);
	if (uxdp_unlikely(data_end < (uintptr_t)ctx->data + UXDP_ETH_HLEN))
		return UXDP_ERR(EINVAL);

	if (offset > 0)
		memset(ctx->data_end, 0, (size_t)offset);
	ctx->data_end = (uint8_t *)data_end;
	return 0;
}

/*
 * xdp_metalen_invalid() since Linux 6.6: a multiple of 4 no larger than
 * what skb_shared_info.meta_len (a u8) holds.  Kernels before 6.6 capped
 * it at 32.
 */
#define XDP_META_MAX 255

/*
 * bpf_xdp_adjust_meta(): data_meta may move between the reserved xdp_frame
 * and data.  Note the kernel's errnos: -ENOTSUPP without metadata support,
 * -EINVAL out of range, -EACCES for a bad length.
 */
uint64_t uxdp_helper_xdp_adjust_meta(uint64_t r1, uint64_t r2)
{
	struct uxdp_ctx *ctx = (struct uxdp_ctx *)(uintptr_t)r1;
	int32_t offset = (int32_t)r2;
	uintptr_t frame_end = (uintptr_t)ctx->data_hard_start + UXDP_XDP_FRAME_SIZE;
	uintptr_t data = (uintptr_t)ctx->data;
	uintptr_t meta = (uintptr_t)ctx->data_meta + (uintptr_t)(intptr_t)offset;
	uintptr_t metalen = data - meta;

	if (uxdp_unlikely((uintptr_t)ctx->data_meta > data))
		return UXDP_ERR(UXDP_ENOTSUPP);
	if (uxdp_unlikely(meta < frame_end || meta > data))
		return UXDP_ERR(EINVAL);
	if (uxdp_unlikely((metalen & 3) || metalen > XDP_META_MAX))
		return UXDP_ERR(EACCES);

	ctx->data_meta = (uint8_t *)meta;
	return 0;
}
