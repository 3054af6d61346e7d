// SPDX-License-Identifier: GPL-2.0
/*
 * pkt_bytes.bpf.c - bpf_xdp_load_bytes / bpf_xdp_store_bytes with offset
 * and length from the packet, both in bounds and past the end (-EFAULT),
 * and bpf_xdp_get_buff_len. Loaded bytes are summed into a map and stored
 * back, reversed, at another packet-chosen offset.
 */
#include "diff_common.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 6);
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
int diff_pkt_bytes(struct xdp_md *ctx)
{
	__u32 sel = pkt_sel(ctx), blen = (__u32)bpf_xdp_get_buff_len(ctx);
	__u32 off = (sel * 7) % (blen + 16);		/* sometimes past the end */
	__u32 len = 1 + (sel >> 6) % 64;
	__u32 soff = (sel >> 3) % (blen + 8);
	__u8 buf[64], rev[64];
	__u64 sum = 0;
	long rl, rs;
	int i;

	__builtin_memset(buf, 0, sizeof(buf));
	rl = bpf_xdp_load_bytes(ctx, off, buf, len);
	keep(0, rl);
	keep(1, blen);
	for (i = 0; i < 64; i++) {
		sum = sum * 31 + buf[i];
		rev[63 - i] = buf[i];
	}
	keep(2, (__s64)sum);
	rs = bpf_xdp_store_bytes(ctx, soff, rev, len);
	keep(3, rs);
	/* a zero-length load is refused by the verifier, so 1 byte at the very end */
	rl = bpf_xdp_load_bytes(ctx, blen - 1, buf, 1);
	keep(4, rl);
	keep(5, buf[0]);
	return rs ? XDP_DROP : XDP_TX;
}
