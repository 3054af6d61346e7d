// SPDX-License-Identifier: GPL-2.0
/*
 * maps_array.bpf.c - array and percpu_array: lookup in and out of range,
 * update with BPF_ANY / BPF_NOEXIST (-EEXIST on arrays) / BPF_EXIST, delete
 * (-EINVAL on arrays), and bpf_map_lookup_percpu_elem for CPU 0 and for a
 * CPU that cannot exist. The index comes from the packet; 16 indexes over
 * 12 entries, so a quarter fall outside.
 */
#include "diff_common.h"

struct val {
	__u64 hits;
	__u32 last_sel;
	__u32 last_len;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 12);
	__type(key, __u32);
	__type(value, struct val);
} arr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 12);
	__type(key, __u32);
	__type(value, struct val);
} parr SEC(".maps");

/* results[i]: the return code of the last op of kind i (as u32) */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __s64);
} results SEC(".maps");

static __always_inline void record(__u32 i, __s64 v)
{
	__s64 *r = bpf_map_lookup_elem(&results, &i);

	if (r)
		*r = v;
}

static __always_inline __s64 array_op(void *map, __u32 base, __u32 sel, __u32 len)
{
	__u32 idx = sel & 15;
	struct val nv = { .hits = 100, .last_sel = sel, .last_len = len }, *v;
	__s64 ret;

	switch ((sel >> 4) & 3) {
	case 0:
		v = bpf_map_lookup_elem(map, &idx);
		ret = v ? 0 : -2;
		if (v) {
			v->hits++;
			v->last_sel = sel;
			v->last_len = len;
		}
		break;
	case 1:
		ret = bpf_map_update_elem(map, &idx, &nv, (sel >> 6) & 1 ? BPF_EXIST : BPF_ANY);
		break;
	case 2:
		ret = bpf_map_update_elem(map, &idx, &nv, BPF_NOEXIST);
		break;
	default:
		ret = bpf_map_delete_elem(map, &idx);
		break;
	}
	record(base + ((sel >> 4) & 3), ret);
	return ret;
}

SEC("xdp")
int diff_maps_array(struct xdp_md *ctx)
{
	__u32 sel = pkt_sel(ctx), len = pkt_len(ctx), zero = 0;
	struct val *v0, *vbad;
	__s64 a, b;

	a = array_op(&arr, 0, sel, len);
	b = array_op(&parr, 4, sel >> 3, len);
	/* CPU 0 always exists; 1 << 20 never does */
	v0 = bpf_map_lookup_percpu_elem(&parr, &zero, 0);
	vbad = bpf_map_lookup_percpu_elem(&parr, &zero, 1 << 20);
	put_result(ctx, 14, (__u32)a ^ (__u32)b << 8 ^ (v0 ? 1u << 30 : 0) ^ (vbad ? 1u << 31 : 0));
	if (v0 && (sel & 0x100))
		return XDP_TX;
	return a ? XDP_DROP : XDP_PASS;
}
