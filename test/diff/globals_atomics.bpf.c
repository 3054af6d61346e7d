// SPDX-License-Identifier: GPL-2.0
/*
 * globals_atomics.bpf.c - global data: a .rodata table read with a
 * packet-chosen index, .data and .bss counters written; atomics on a map
 * value (add, and, or, xor with and without fetch, xchg, cmpxchg that
 * succeeds or fails) with operands from the packet; and the ctx fields
 * ingress_ifindex and rx_queue_index, kept in the map and the packet.
 */
#include "diff_common.h"

static const volatile __u32 table[8] = { 3, 1, 4, 1, 5, 9, 2, 6 };
__u64 data_counter = 1000;
__u64 bss_counter;
__u32 bss_last[4];

struct at {
	__u64 add, and_, or_, xor_, xchg, cmp;
	__u64 fetched[6];
	__u32 ifindex, rxq;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct at);
} atoms SEC(".maps");

SEC("xdp")
int diff_globals_atomics(struct xdp_md *ctx)
{
	__u32 sel = pkt_sel(ctx), zero = 0, t = table[sel & 7];
	__u64 x = (__u64)sel * 0x9e3779b97f4a7c15ull;
	struct at *a;

	data_counter += t;
	bss_counter++;
	bss_last[sel & 3] = sel;

	a = bpf_map_lookup_elem(&atoms, &zero);
	if (!a)
		return XDP_ABORTED;
	if (!a->and_)
		a->and_ = ~0ull;
	__sync_fetch_and_add(&a->add, t);
	a->fetched[0] = __sync_fetch_and_add(&a->add, sel);
	if (sel & 1)
		__sync_fetch_and_and(&a->and_, x | 0xff00ff00ff00ff00ull);
	else
		a->fetched[1] = __sync_fetch_and_and(&a->and_, ~(1ull << (sel & 63)));
	a->fetched[2] = __sync_fetch_and_or(&a->or_, 1ull << (sel & 63));
	a->fetched[3] = __sync_fetch_and_xor(&a->xor_, x);
	a->fetched[4] = __sync_lock_test_and_set(&a->xchg, x);
	/* succeeds when the low bits of cmp match, fails otherwise */
	a->fetched[5] = __sync_val_compare_and_swap(&a->cmp, sel & 3, a->cmp + 1);
	a->ifindex = ctx->ingress_ifindex;
	a->rxq = ctx->rx_queue_index;
	put_result(ctx, 14, (__u32)data_counter);
	put_result(ctx, 18, ctx->ingress_ifindex ^ ctx->rx_queue_index << 16);
	return t > 4 ? XDP_DROP : XDP_PASS;
}
