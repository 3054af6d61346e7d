/* SPDX-License-Identifier: GPL-2.0 */
/*
 * diff_common.h - shared bits of the differential-test programs.
 *
 * Every program picks its path from packet bytes so that a corpus of varied
 * packets drives it through many paths: pkt_sel() mixes the IPv4 ID and
 * checksum bytes (offsets 18, 19, 24, 25 of an untagged frame), which the
 * corpus fills with random values, and falls back to the frame length for
 * shorter frames. Results go into maps and, where there is room, into the
 * packet (put_result), so a difference shows in maps, bytes or the verdict.
 */
#ifndef UXDP_DIFF_COMMON_H
#define UXDP_DIFF_COMMON_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

static __always_inline __u32 pkt_len(struct xdp_md *ctx)
{
	return (__u32)(ctx->data_end - ctx->data);
}

static __always_inline __u32 pkt_sel(struct xdp_md *ctx)
{
	__u8 *p = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;

	if ((void *)(p + 26) > end)
		return pkt_len(ctx);
	return (__u32)(p[19] ^ p[25]) | (__u32)(p[18] ^ p[24]) << 8;
}

/* Write @v into the 4 bytes at offset @off of the packet if they exist. */
static __always_inline void put_result(struct xdp_md *ctx, __u32 off, __u32 v)
{
	__u8 *p = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;

	off &= 0xff;
	if ((void *)(p + off + 4) > end)
		return;
	__builtin_memcpy(p + off, &v, 4);
}

char _license[] SEC("license") = "GPL";

#endif /* UXDP_DIFF_COMMON_H */
