// SPDX-License-Identifier: GPL-2.0
/*
 * maps_hash.bpf.c - lookup, update (BPF_ANY, BPF_NOEXIST, BPF_EXIST) and
 * delete on hash, percpu_hash, lru_hash and lru_percpu_hash, keyed by a
 * packet byte. Keys stay well under max_entries so that no LRU eviction
 * happens: which entry the kernel evicts is not a semantic we promise.
 * Every return code is counted in `rc` and the last one lands in the packet.
 */
#include "diff_common.h"

#define HASH_MAP(name, kind)                       \
	struct {                                   \
		__uint(type, kind);                \
		__uint(max_entries, 128);          \
		__type(key, __u32);                \
		__type(value, __u64);              \
	} name SEC(".maps")

HASH_MAP(h_hash, BPF_MAP_TYPE_HASH);
HASH_MAP(h_percpu, BPF_MAP_TYPE_PERCPU_HASH);
HASH_MAP(h_lru, BPF_MAP_TYPE_LRU_HASH);
HASH_MAP(h_lru_percpu, BPF_MAP_TYPE_LRU_PERCPU_HASH);

/* rc[map * 16 + op * 4 + outcome]: outcome 0 ok, 1 -ENOENT, 2 -EEXIST, 3 other */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} rc SEC(".maps");

static __always_inline void count(__u32 map, __u32 op, long ret)
{
	__u32 k = map * 16 + op * 4 + (ret == 0 ? 0 : ret == -2 ? 1 : ret == -17 ? 2 : 3);
	__u64 *c = bpf_map_lookup_elem(&rc, &k);

	if (c)
		__sync_fetch_and_add(c, 1);
}

static __always_inline long hash_op(void *map, __u32 id, __u32 sel)
{
	__u32 key = sel & 31;
	__u64 val = sel, *v;
	__u32 op = (sel >> 8) & 3;
	long ret;

	switch (op) {
	case 0:
		v = bpf_map_lookup_elem(map, &key);
		ret = v ? 0 : -2;
		if (v)
			*v += 1 + (sel & 0xf);
		break;
	case 1:
		ret = bpf_map_update_elem(map, &key, &val, (sel >> 10) & 1 ? BPF_EXIST : BPF_ANY);
		break;
	case 2:
		ret = bpf_map_update_elem(map, &key, &val, BPF_NOEXIST);
		break;
	default:
		ret = bpf_map_delete_elem(map, &key);
		break;
	}
	count(id, op, ret);
	return ret;
}

SEC("xdp")
int diff_maps_hash(struct xdp_md *ctx)
{
	__u32 sel = pkt_sel(ctx);
	long r = 0;

	r |= hash_op(&h_hash, 0, sel);
	r |= hash_op(&h_percpu, 1, sel ^ 0x155) << 8;
	r |= hash_op(&h_lru, 2, sel ^ 0x2aa) << 16;
	r |= hash_op(&h_lru_percpu, 3, sel ^ 0x3ff) << 24;
	put_result(ctx, 14, (__u32)r);
	return (sel & 0x3000) == 0x3000 ? XDP_DROP : XDP_PASS;
}
