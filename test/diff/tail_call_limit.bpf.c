// SPDX-License-Identifier: GPL-2.0
/*
 * tail_call_limit.bpf.c - the kernel's limit of 33 tail calls per chain
 * (MAX_TAIL_CALL_CNT). The entry program tail-calls tcl_self (slot 0),
 * which counts its runs in the packet's metadata (so the count is per
 * packet) and tail-calls itself again, until a packet-chosen target depth
 * (1..40, or 255: only the limit stops it) is reached or the kernel
 * refuses the call; it then records the depth in `depth` and the packet.
 * Modes (packet-chosen): 0 plain; 1 also a call into the empty slot 1 on
 * odd runs; 2 a call to slot 5 (past max_entries) on every run; 3 only the
 * entry calls the empty slot first. In the kernel (interpreter and x86
 * JIT) a call into an in-range but empty slot uses up one of the 33, an
 * out-of-range index does not.
 */
#include "diff_common.h"

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u32);
} jmp SEC(".maps");

/* depth[mode * 64 + d]: chains that ended after d runs of tcl_self */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u64);
} depth SEC(".maps");

struct meta {
	__u32 runs;
	__u32 target;
	__u32 mode;
	__u32 pad;
};

SEC("xdp")
int tcl_self(struct xdp_md *ctx)
{
	struct meta *m = (void *)(long)ctx->data_meta;
	__u32 d;
	__u64 *c;

	if ((void *)(m + 1) > (void *)(long)ctx->data)
		return XDP_ABORTED;
	m->runs++;
	if (m->runs < m->target) {
		if (m->mode == 1 && (m->runs & 1))
			bpf_tail_call(ctx, &jmp, 1);
		if (m->mode == 2)
			bpf_tail_call(ctx, &jmp, 5);
		bpf_tail_call(ctx, &jmp, 0);
	}
	d = (m->runs & 63) | (m->mode << 6);
	c = bpf_map_lookup_elem(&depth, &d);
	if (c)
		__sync_fetch_and_add(c, 1);
	put_result(ctx, 14, m->runs);
	return m->runs == 33 ? XDP_TX : XDP_PASS;
}

SEC("xdp")
int diff_tail_call_limit(struct xdp_md *ctx)
{
	__u32 sel = pkt_sel(ctx);
	struct meta *m;

	if (bpf_xdp_adjust_meta(ctx, -(int)sizeof(*m)))
		return XDP_ABORTED;
	m = (void *)(long)ctx->data_meta;
	if ((void *)(m + 1) > (void *)(long)ctx->data)
		return XDP_ABORTED;
	m->runs = 0;
	m->target = (sel & 63) < 41 ? 1 + (sel & 63) : 255;
	m->mode = (sel >> 6) & 3;
	if (m->mode == 3)
		bpf_tail_call(ctx, &jmp, 1);	/* empty: falls through */
	bpf_tail_call(ctx, &jmp, 0);
	return XDP_DROP;
}
