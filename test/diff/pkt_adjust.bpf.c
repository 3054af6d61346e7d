// SPDX-License-Identifier: GPL-2.0
/*
 * pkt_adjust.bpf.c - bpf_xdp_adjust_head, _tail and _meta with deltas taken
 * from the packet: grow and shrink, and deltas the kernel refuses (more
 * headroom than 256 bytes, a frame under 14 bytes, meta not a multiple of
 * 4 or over 32 bytes, tail past the tailroom). Each return code is kept;
 * bytes are written into the new head and meta, meta is read back after a
 * later head move, and the verdict depends on the outcome.
 */
#include "diff_common.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __s64);
} rcs SEC(".maps");

static __always_inline void keep(__u32 i, __s64 v)
{
	__s64 *r = bpf_map_lookup_elem(&rcs, &i);

	if (r)
		*r = v;
}

SEC("xdp")
int diff_pkt_adjust(struct xdp_md *ctx)
{
	__u32 sel = pkt_sel(ctx);
	int dhead = (int)(sel & 0x1ff) - 300;		/* -300..211 */
	int dtail = (int)((sel >> 7) & 0x3ff) - 600;	/* -600..423 */
	int dmeta = -(int)((sel >> 3) & 0x3f);		/* 0..-63, odd ones refused */
	long rh, rt, rm;
	__u8 *p, *m;
	void *end;

	rm = bpf_xdp_adjust_meta(ctx, dmeta);
	keep(0, rm);
	m = (void *)(long)ctx->data_meta;
	p = (void *)(long)ctx->data;
	if (!rm && (void *)(m + 4) <= (void *)p)
		__builtin_memcpy(m, &sel, 4);

	rh = bpf_xdp_adjust_head(ctx, dhead);
	keep(1, rh);
	keep(2, dhead);
	p = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;
	if (!rh && dhead < 0 && (void *)(p + 4) <= end)
		__builtin_memcpy(p, "uxdp", 4);

	rt = bpf_xdp_adjust_tail(ctx, dtail);
	keep(3, rt);
	keep(4, dtail);
	keep(5, pkt_len(ctx));

	/* meta survives a head move only when the kernel keeps it: read it back */
	m = (void *)(long)ctx->data_meta;
	p = (void *)(long)ctx->data;
	if ((void *)(m + 4) <= (void *)p) {
		__u32 mv;

		__builtin_memcpy(&mv, m, 4);
		keep(6, mv);
		keep(7, (__s64)(p - m));
	} else {
		keep(6, -1);
		keep(7, (__s64)(p - m));
	}
	put_result(ctx, 0, (__u32)(rh & 0xff) | (__u32)(rt & 0xff) << 8 | (__u32)(rm & 0xff) << 16);
	if (rh && rt)
		return XDP_ABORTED;
	return rt ? XDP_DROP : XDP_TX;
}
