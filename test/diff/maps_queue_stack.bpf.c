// SPDX-License-Identifier: GPL-2.0
/*
 * maps_queue_stack.bpf.c - queue and stack (8 entries each): push with
 * BPF_ANY (-E2BIG when full) or BPF_EXIST (drops the oldest when full),
 * pop and peek (-ENOENT when empty). Op and value come from the packet; the
 * return codes and popped values go to `out` and into the packet.
 */
#include "diff_common.h"

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 8);
	__type(value, __u32);
} q SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK);
	__uint(max_entries, 8);
	__type(value, __u32);
} st SEC(".maps");

/* out[0..3]: last rc, last value for queue; out[4..7] the same for the stack */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __s64);
} out SEC(".maps");

static __always_inline void set(__u32 i, __s64 v)
{
	__s64 *o = bpf_map_lookup_elem(&out, &i);

	if (o)
		*o = v;
}

static __always_inline long qs_op(void *map, __u32 base, __u32 sel)
{
	__u32 v = sel * 2654435761u, got = 0xdeadbeef;
	long ret;

	switch (sel & 3) {
	case 0:
	case 1:
		ret = bpf_map_push_elem(map, &v, (sel & 4) ? BPF_EXIST : BPF_ANY);
		break;
	case 2:
		ret = bpf_map_pop_elem(map, &got);
		break;
	default:
		ret = bpf_map_peek_elem(map, &got);
		break;
	}
	set(base, ret);
	set(base + 1, got);
	set(base + 2, sel & 3);
	return ret ? ret : (long)got;
}

SEC("xdp")
int diff_maps_queue_stack(struct xdp_md *ctx)
{
	__u32 sel = pkt_sel(ctx);
	long a = qs_op(&q, 0, sel), b = qs_op(&st, 4, sel >> 5);

	put_result(ctx, 14, (__u32)a);
	put_result(ctx, 18, (__u32)b);
	return a == -2 ? XDP_DROP : XDP_PASS;
}
