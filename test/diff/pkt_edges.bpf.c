// SPDX-License-Identifier: GPL-2.0
/*
 * pkt_edges.bpf.c - packet helpers at their edges:
 *  - bpf_xdp_load_bytes / bpf_xdp_store_bytes with offset + len equal to
 *    the packet length (the last bytes: allowed), one past it, offsets
 *    above 0xffff and a 64-bit offset whose low 32 bits are in bounds (the
 *    kernel takes a u32); lengths 1, 4, 63, 64;
 *  - bpf_xdp_adjust_meta growing by 4..40 (multiples of 4; > 32 refused),
 *    shrinking back past data (refused), positive deltas on an empty meta,
 *    and meta surviving bpf_xdp_adjust_head / bpf_xdp_adjust_tail;
 *  - bpf_xdp_get_buff_len after adjust_tail.
 * Return codes go to `res`, and the metadata and packet carry results.
 */
#include "diff_common.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 32);
	__type(key, __u32);
	__type(value, __s64);
} res SEC(".maps");

static __always_inline void keep(__u32 i, __s64 v)
{
	__s64 *r = bpf_map_lookup_elem(&res, &i);

	if (r)
		*r = v;
}

SEC("xdp")
int diff_pkt_edges(struct xdp_md *ctx)
{
	__u32 sel = pkt_sel(ctx), blen = (__u32)bpf_xdp_get_buff_len(ctx);
	__u8 buf[64] = {};
	__u64 off;
	__u32 len;
	long r, m1, m2, h, t;
	int i;

	switch (sel & 3) {
	case 0: len = 1; break;
	case 1: len = 4; break;
	case 2: len = 63; break;
	default: len = 64; break;
	}
	switch ((sel >> 2) & 7) {
	case 0: off = blen - len; break;		/* exactly the end */
	case 1: off = blen - len + 1; break;		/* one past */
	case 2: off = 0x10000; break;
	case 3: off = 0xffffffffULL; break;
	case 4: off = (1ULL << 32) | 2; break;		/* u32: 2 */
	case 5: off = blen; break;
	case 6: off = 0; break;
	default: off = (blen - len) & 0xffffff80; break;
	}
	r = bpf_xdp_load_bytes(ctx, off, buf, len);
	keep(0, r);
	keep(1, buf[0] | buf[len - 1 < 64 ? len - 1 : 0] << 8);
	for (i = 0; i < 64; i++)
		buf[i] ^= 0x5a;
	r = bpf_xdp_store_bytes(ctx, off, buf, len);
	keep(2, r);

	/* metadata: grow by 4..40, then a second packet-chosen delta */
	m1 = bpf_xdp_adjust_meta(ctx, -(int)(4 * (1 + ((sel >> 5) & 9))));
	m2 = bpf_xdp_adjust_meta(ctx, (int)((sel >> 9) & 15) * 4 - 24);
	keep(3, m1);
	keep(4, m2);
	keep(5, (__s64)(ctx->data - ctx->data_meta));
	{
		__u8 *mp = (void *)(long)ctx->data_meta, *d = (void *)(long)ctx->data;

		if ((void *)(mp + 4) <= (void *)d)
			__builtin_memcpy(mp, &sel, 4);
	}
	/* meta through adjust_head (moves data, meta must stay valid) */
	h = bpf_xdp_adjust_head(ctx, (sel & 0x2000) ? -8 : 8);
	keep(6, h);
	keep(7, (__s64)(ctx->data - ctx->data_meta));
	t = bpf_xdp_adjust_tail(ctx, (sel & 0x4000) ? -4 : 4);
	keep(8, t);
	keep(9, bpf_xdp_get_buff_len(ctx));
	{
		__u8 *mp = (void *)(long)ctx->data_meta, *d = (void *)(long)ctx->data;
		__u32 v = 0;

		if ((void *)(mp + 4) <= (void *)d)
			__builtin_memcpy(&v, mp, 4);
		keep(10, v);
	}
	return XDP_PASS;
}
