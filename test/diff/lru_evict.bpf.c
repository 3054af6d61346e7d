// SPDX-License-Identifier: GPL-2.0
/*
 * lru_evict.bpf.c - LRU eviction: small lru_hash (common LRU and
 * BPF_F_NO_COMMON_LRU) and lru_percpu_hash maps, filled far beyond
 * max_entries by keys drawn from packet bytes and a packet counter, so
 * that the kernel evicts hundreds of times over the corpus.  Lookups
 * (which set the reference bit), updates with every flag (an update takes
 * an element, and may evict, even when it then fails), deletes (which give
 * an element back) and bpf_map_lookup_percpu_elem are mixed in, so every
 * path of the kernel's LRU lists decides which keys survive.  The keys and
 * values left in each map, and every return code (counted in `rc`), must be
 * the kernel's.
 */
#include "diff_common.h"

#define LRU_MAP(name, kind, n, flags)              \
	struct {                                   \
		__uint(type, kind);                \
		__uint(max_entries, n);            \
		__uint(map_flags, flags);          \
		__type(key, __u32);                \
		__type(value, __u64);              \
	} name SEC(".maps")

LRU_MAP(lru8, BPF_MAP_TYPE_LRU_HASH, 8, 0);
LRU_MAP(lru15, BPF_MAP_TYPE_LRU_HASH, 15, 0);
LRU_MAP(lru64, BPF_MAP_TYPE_LRU_HASH, 64, 0);
LRU_MAP(nc8, BPF_MAP_TYPE_LRU_HASH, 8, BPF_F_NO_COMMON_LRU);
LRU_MAP(nc17, BPF_MAP_TYPE_LRU_HASH, 17, BPF_F_NO_COMMON_LRU);
LRU_MAP(pc16, BPF_MAP_TYPE_LRU_PERCPU_HASH, 16, 0);
LRU_MAP(pc64, BPF_MAP_TYPE_LRU_PERCPU_HASH, 64, 0);
LRU_MAP(pcnc15, BPF_MAP_TYPE_LRU_PERCPU_HASH, 15, BPF_F_NO_COMMON_LRU);

#define NMAPS 8
#define OPS 6

/* rc[map * 32 + op * 4 + outcome]: outcome 0 ok, 1 -ENOENT, 2 -EEXIST, 3 other */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, NMAPS * 32);
	__type(key, __u32);
	__type(value, __u64);
} rc SEC(".maps");

/* [0]: packets seen, so that equal packets still draw new keys */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} seq SEC(".maps");

static __always_inline void count(__u32 map, __u32 op, long ret)
{
	__u32 k = map * 32 + op * 4 + (ret == 0 ? 0 : ret == -2 ? 1 : ret == -17 ? 2 : 3);
	__u64 *c = bpf_map_lookup_elem(&rc, &k);

	if (c)
		__sync_fetch_and_add(c, 1);
}

static __always_inline __u32 mix(__u32 x)
{
	x ^= x >> 16;
	x *= 0x7feb352d;
	x ^= x >> 15;
	x *= 0x846ca68b;
	x ^= x >> 16;
	return x;
}

/*
 * One operation on map id (max_entries n) chosen by r: keys in [0, 3n) so
 * that about a third of the keys an op names are present.
 */
static __always_inline long lru_op(void *map, __u32 id, __u32 n, __u32 r, __u64 val, int percpu)
{
	__u32 key = (r >> 8) % (3 * n), op;
	__u64 *v;
	long ret;

	switch (r & 15) {
	case 0: case 1: case 2: case 3: case 4: case 5:
		op = 0;
		ret = bpf_map_update_elem(map, &key, &val, BPF_ANY);
		break;
	case 6:
		op = 1;
		ret = bpf_map_update_elem(map, &key, &val, BPF_NOEXIST);
		break;
	case 7:
		op = 2;
		ret = bpf_map_update_elem(map, &key, &val, BPF_EXIST);
		break;
	case 8: case 9: case 10: case 11:
		op = 3;
		v = bpf_map_lookup_elem(map, &key);
		ret = v ? 0 : -2;
		if (v)
			*v += 1;
		break;
	case 12:
		op = 4;
		if (percpu) {
			v = bpf_map_lookup_percpu_elem(map, &key, 0);
			ret = v ? 0 : -2;
			if (v)
				*v += 0x100;
		} else {
			v = bpf_map_lookup_elem(map, &key);
			ret = v ? 0 : -2;
		}
		break;
	case 13: case 14:
		op = 5;
		ret = bpf_map_delete_elem(map, &key);
		break;
	default:
		op = 6;
		ret = bpf_map_update_elem(map, &key, &val, 4); /* unknown flag: -EINVAL */
		break;
	}
	count(id, op, ret);
	return ret;
}

#define RUN(map, id, n, percpu)                                                  \
	do {                                                                     \
		for (int i = 0; i < OPS; i++) {                                  \
			__u32 r = mix(base ^ (id << 24) ^ (i << 20));            \
			res = res * 31 + (__u32)lru_op(&map, id, n, r,           \
						       (s << 8) | i, percpu);    \
		}                                                                \
	} while (0)

SEC("xdp")
int diff_lru_evict(struct xdp_md *ctx)
{
	__u32 k0 = 0, base, res = 0;
	__u64 s = 0, *sp = bpf_map_lookup_elem(&seq, &k0);

	if (sp)
		s = (*sp)++;
	base = mix(pkt_sel(ctx) ^ (__u32)s * 0x9e3779b9);
	RUN(lru8, 0, 8, 0);
	RUN(lru15, 1, 15, 0);
	RUN(lru64, 2, 64, 0);
	RUN(nc8, 3, 8, 0);
	RUN(nc17, 4, 17, 0);
	RUN(pc16, 5, 16, 1);
	RUN(pc64, 6, 64, 1);
	RUN(pcnc15, 7, 15, 1);
	put_result(ctx, 14, res);
	return XDP_PASS;
}
