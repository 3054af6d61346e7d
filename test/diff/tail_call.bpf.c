// SPDX-License-Identifier: GPL-2.0
/*
 * tail_call.bpf.c - bpf_tail_call through a prog_array seeded by
 * tail_call.conf (slots 0, 1, 2 filled, 3 left empty, 4+ out of range).
 * The slot comes from the packet; slot 1 chains again into slot 2; an
 * empty or out-of-range slot falls through to the code after the call.
 * Each program counts itself in `seen` and stamps the packet.
 */
#include "diff_common.h"

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} jmp SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} seen SEC(".maps");

static __always_inline void saw(__u32 i)
{
	__u64 *c = bpf_map_lookup_elem(&seen, &i);

	if (c)
		__sync_fetch_and_add(c, 1);
}

SEC("xdp")
int tc_slot0(struct xdp_md *ctx)
{
	saw(1);
	put_result(ctx, 14, 0xa0);
	return XDP_DROP;
}

SEC("xdp")
int tc_slot1(struct xdp_md *ctx)
{
	saw(2);
	put_result(ctx, 14, 0xa1);
	bpf_tail_call(ctx, &jmp, 2);
	return XDP_ABORTED;
}

SEC("xdp")
int tc_slot2(struct xdp_md *ctx)
{
	saw(3);
	put_result(ctx, 18, 0xa2);
	return XDP_TX;
}

/* The entry point: listed first, so it is the program bpftool pins. */
SEC("xdp")
int diff_tail_call(struct xdp_md *ctx)
{
	__u32 slot = pkt_sel(ctx) % 6;

	saw(0);
	bpf_tail_call(ctx, &jmp, slot);
	/* reached only for an empty or out-of-range slot */
	saw(4 + (slot > 3));
	put_result(ctx, 14, 0xf0 + slot);
	return XDP_PASS;
}
