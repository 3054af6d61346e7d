// SPDX-License-Identifier: GPL-2.0
/*
 * csum_strncmp.bpf.c - bpf_csum_diff over sizes taken from the packet (0,
 * multiples of 4 up to 64, and sizes that are not multiples of 4, which
 * fail with -EINVAL), seeded or not; and bpf_strncmp of the payload start
 * (copied to the stack) against "GET / HTTP/1.1" and "HTTP/1.1 " with a
 * packet-chosen length. Sums and comparison signs go to `res` and packet.
 */
#include "diff_common.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
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
int diff_csum_strncmp(struct xdp_md *ctx)
{
	__u8 *p = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u32 sel = pkt_sel(ctx), from = (sel >> 2) & 60, to = sel & 63;
	__u8 a[64] = {}, b[64] = {};
	char s[16] = {};
	__s64 c, c2;
	long r1, r2;

	if ((void *)(p + 64) <= end) {
		__builtin_memcpy(a, p, 64);
		__builtin_memcpy(b, p, 32);
	}
	/* to may be 0 or not a multiple of 4 (then -EINVAL) */
	c = bpf_csum_diff((__be32 *)a, from, (__be32 *)b, to, sel >> 12);
	c2 = bpf_csum_diff(0, 0, (__be32 *)b, 16, 0);
	keep(0, c);
	keep(1, c2);

	/* TCP payload of an untagged IPv4 frame with a 20-byte TCP header */
	if ((void *)(p + 54 + 16) <= end)
		__builtin_memcpy(s, p + 54, 15);
	r1 = bpf_strncmp(s, 1 + (sel & 15), "GET / HTTP/1.1");
	r2 = bpf_strncmp(s, 16, "HTTP/1.1 ");
	keep(2, r1);
	keep(3, r2);
	put_result(ctx, 14, (__u32)c);
	if (!r1)
		return XDP_TX;
	return r2 < 0 ? XDP_DROP : XDP_PASS;
}
