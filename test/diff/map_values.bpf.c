// SPDX-License-Identifier: GPL-2.0
/*
 * map_values.bpf.c - maps initialised in the object with `.values`, as
 * libbpf fills them at load time: a prog_array whose slots 0 and 2 hold
 * programs (1 and 3 empty: the tail call falls through), an
 * array_of_maps with inner maps in slots 1 and 3, and a hash_of_maps with
 * an inner map at key 6.  No config: a slot the loader did not fill shows
 * as a fall-through, a NULL lookup or a missing count.
 */
#include "diff_common.h"

struct inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
};

struct inner inner_a SEC(".maps"), inner_b SEC(".maps"), inner_h SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, struct inner);
} outer_arr SEC(".maps") = {
	.values = { [1] = &inner_a, [3] = &inner_b },
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 8);
	__type(key, __u32);
	__array(values, struct inner);
} outer_hash SEC(".maps") = {
	.values = { [6] = &inner_h },
};

int mv_slot0(struct xdp_md *ctx);
int mv_slot2(struct xdp_md *ctx);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, int (void *));
} jmp SEC(".maps") = {
	.values = { [0] = (void *)&mv_slot0, [2] = (void *)&mv_slot2 },
};

SEC("xdp")
int mv_slot0(struct xdp_md *ctx)
{
	put_result(ctx, 22, 0xa0);
	return XDP_DROP;
}

SEC("xdp")
int mv_slot2(struct xdp_md *ctx)
{
	put_result(ctx, 22, 0xa2);
	return XDP_TX;
}

/* Count in inner map m (or note it missing); the count goes to the packet. */
static __always_inline __u32 bump(void *m, __u32 key)
{
	__u64 *v;

	if (!m)
		return 0xee;
	v = bpf_map_lookup_elem(m, &key);
	if (!v)
		return 0xdd;
	return (__u32)++*v;
}

SEC("xdp")
int diff_map_values(struct xdp_md *ctx)
{
	__u32 sel = pkt_sel(ctx), slot = sel & 3, hkey = (sel >> 2) & 7;

	put_result(ctx, 14, bump(bpf_map_lookup_elem(&outer_arr, &slot), sel >> 4 & 3));
	put_result(ctx, 18, bump(bpf_map_lookup_elem(&outer_hash, &hkey), sel >> 6 & 3));
	bpf_tail_call(ctx, &jmp, (sel >> 8) & 3);
	/* slots 1 and 3 are empty */
	put_result(ctx, 22, 0xf0 + ((sel >> 8) & 3));
	return XDP_PASS;
}
