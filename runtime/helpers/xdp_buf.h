/* SPDX-License-Identifier: MIT */
/*
 * xdp_buf.h - private to runtime/helpers: bytes of a single-buffer XDP
 * frame by offset, as Linux 6.18's net/core/filter.c reaches them
 * (bpf_xdp_pointer, bpf_xdp_copy_buf).  uxdp frames have no fragments, so
 * the frame's length is the linear part's, read at each call: a helper
 * that moved data or data_end moved what an offset names.
 */
#ifndef UXDP_XDP_BUF_H
#define UXDP_XDP_BUF_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <uxdp/ctx.h>

#include "helpers_impl.h"

static inline uint32_t uxdp_xdp_len(const struct uxdp_ctx *ctx)
{
	return (uint32_t)(ctx->data_end - ctx->data);
}

/*
 * bpf_xdp_pointer(): -EFAULT when offset or len exceeds 0xffff (so their
 * u32 sum cannot wrap), -EINVAL past the end of the packet.  An empty range
 * at the very end gives the start of the packet, as the kernel's walk into
 * the (absent) fragments leaves it; nothing can be read through it.
 */
static inline uint8_t *uxdp_xdp_pointer(const struct uxdp_ctx *ctx, uint32_t offset,
					uint32_t len, int *err)
{
	uint32_t size = uxdp_xdp_len(ctx);

	if (uxdp_unlikely(offset > 0xffff || len > 0xffff)) {
		*err = EFAULT;
		return NULL;
	}
	if (uxdp_unlikely(offset + len > size)) {
		*err = EINVAL;
		return NULL;
	}
	return ctx->data + (offset == size ? 0 : offset);
}

/*
 * bpf_xdp_copy_buf(): copy between buf and the frame from offset, as far
 * as the frame goes; it never fails.  The kernel's callers use it for a
 * range bpf_xdp_pointer refused (a dynptr slice with its buffer), so the
 * bytes past the frame's end are left as they were in buf.
 */
static inline void uxdp_xdp_copy_buf(const struct uxdp_ctx *ctx, uint32_t offset, uint8_t *buf,
				     uint32_t len, bool to_frame)
{
	uint32_t size = uxdp_xdp_len(ctx), n;

	if (offset >= size)
		return;
	n = len < size - offset ? len : size - offset;
	if (to_frame)
		memcpy(ctx->data + offset, buf, n);
	else
		memcpy(buf, ctx->data + offset, n);
}

#endif /* UXDP_XDP_BUF_H */
