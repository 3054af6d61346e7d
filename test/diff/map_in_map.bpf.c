// SPDX-License-Identifier: GPL-2.0
/*
 * map_in_map.bpf.c - array_of_maps and hash_of_maps whose slots
 * map_in_map.conf seeds with inner maps (array_of_maps slots 0 and 2,
 * hash_of_maps keys 7 and 9; the other slots/keys stay empty). The packet
 * picks an outer slot or key; a hit is followed by a lookup, an in-place
 * add, an update and a delete in the inner map, whose return codes are
 * counted in `rc`. Inner hashes hold 8 keys, so updates start to fail with
 * -E2BIG once the corpus has filled them.
 */
#include "diff_common.h"

struct inner_arr {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
};

struct inner_hash {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
};

struct inner_arr inner_a SEC(".maps");
struct inner_arr inner_b SEC(".maps");
struct inner_hash inner_h1 SEC(".maps");
struct inner_hash inner_h2 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, struct inner_arr);
} outer_arr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 8);
	__type(key, __u32);
	__array(values, struct inner_hash);
} outer_hash SEC(".maps");

/* rc[what * 8 + outcome]: counts of outcomes (see below) */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} rc SEC(".maps");

static __always_inline __u32 outcome(long r)
{
	switch (r) {
	case 0: return 0;
	case -2: return 2;	/* ENOENT */
	case -17: return 3;	/* EEXIST */
	case -7: return 4;	/* E2BIG */
	case -22: return 5;	/* EINVAL */
	}
	return r > 0 ? 1 : 6;
}

static __always_inline void count(__u32 what, long r)
{
	__u32 i = (what * 8 + outcome(r)) & 63;
	__u64 *c = bpf_map_lookup_elem(&rc, &i);

	if (c)
		__sync_fetch_and_add(c, 1);
}

SEC("xdp")
int diff_map_in_map(struct xdp_md *ctx)
{
	__u32 sel = pkt_sel(ctx), slot = sel & 3, ikey = (sel >> 2) & 7;
	static const __u32 hkeys[4] = { 7, 9, 11, 0 };
	__u32 hkey = hkeys[(sel >> 5) & 3], k2 = (sel >> 7) & 15;
	__u64 val = sel, *v;
	void *inner;
	long r;

	inner = bpf_map_lookup_elem(&outer_arr, &slot);
	count(0, inner != 0);
	if (inner) {
		v = bpf_map_lookup_elem(inner, &ikey);	/* ikey 4..7: out of range */
		count(1, v != 0);
		if (v) {
			*v += sel + 1;
			put_result(ctx, 14, (__u32)*v);
		}
		r = bpf_map_update_elem(inner, &ikey, &val, (sel >> 11) & 3);
		count(2, r);
	}
	inner = bpf_map_lookup_elem(&outer_hash, &hkey);
	count(3, inner != 0);
	if (inner) {
		v = bpf_map_lookup_elem(inner, &k2);
		count(4, v != 0);
		if (v)
			*v ^= val;
		if (sel & 0x1000) {
			r = bpf_map_delete_elem(inner, &k2);
			count(5, r);
		} else {
			r = bpf_map_update_elem(inner, &k2, &val, (sel >> 13) & 3);
			count(6, r);
		}
	}
	return inner ? XDP_TX : XDP_PASS;
}
