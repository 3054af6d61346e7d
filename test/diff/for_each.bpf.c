// SPDX-License-Identifier: GPL-2.0
/*
 * for_each.bpf.c - bpf_for_each_map_elem over array, percpu_array, hash,
 * percpu_hash, lru_hash and lru_percpu_hash.
 *
 * Arrays are walked by index, so a callback that stops (returns 1) at a
 * packet-chosen index is compared exactly: the number of calls and which
 * values it changed.  A hash map's order is its buckets' (the kernel's
 * hash seed is random), so hash callbacks only do what does not depend on
 * the order: add to every value, count and sum, stop after N calls without
 * a side effect, and delete the element they are given when its value is
 * odd (the garbage-collection pattern).  Keys come and go with packets: an
 * update before each walk, so the maps are never the same twice.  Also:
 * flags (-EINVAL, no call) and an empty map (0 calls).  Results go to the
 * packet and to `res`.
 */
#include "diff_common.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} e_array SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u32);
} e_percpu_array SEC(".maps");

#define HASH_MAP(name, kind)                       \
	struct {                                   \
		__uint(type, kind);                \
		__uint(max_entries, 128);          \
		__type(key, __u32);                \
		__type(value, __u64);              \
	} name SEC(".maps")

HASH_MAP(e_hash, BPF_MAP_TYPE_HASH);
HASH_MAP(e_percpu_hash, BPF_MAP_TYPE_PERCPU_HASH);
HASH_MAP(e_lru, BPF_MAP_TYPE_LRU_HASH);
HASH_MAP(e_lru_percpu, BPF_MAP_TYPE_LRU_PERCPU_HASH);
HASH_MAP(e_empty, BPF_MAP_TYPE_HASH);

/* res[0..5]: calls per walk of the last packet; res[8..13]: sums of keys seen */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} res SEC(".maps");

struct walk {
	__u32 stop;   /* arrays: the index to stop at; hashes: calls before stopping */
	__u32 add;
	__u32 calls;
	__u32 gc;     /* delete odd values */
	__u64 key_sum;
	__u64 value_sum;
};

static long array_cb(void *map, __u32 *key, __u64 *value, struct walk *w)
{
	w->calls++;
	w->key_sum += *key;
	*value += w->add + *key;
	return *key == w->stop;
}

static long percpu_array_cb(void *map, __u32 *key, __u32 *value, struct walk *w)
{
	w->calls++;
	w->key_sum += *key * 3;
	*value = *value * 5 + w->add;
	return *key == w->stop;
}

static long hash_cb(void *map, __u32 *key, __u64 *value, struct walk *w)
{
	w->calls++;
	w->key_sum += *key;
	w->value_sum += *value;
	if (w->gc && (*value & 1)) {
		bpf_map_delete_elem(map, key);
		return 0;
	}
	*value += w->add;
	return 0;
}

/* Stop after w->stop calls: how many calls is min(stop, elements), whatever the order. */
static long count_cb(void *map, __u32 *key, __u64 *value, struct walk *w)
{
	return ++w->calls >= w->stop;
}

static __always_inline void record(__u32 slot, struct walk *w, long ret)
{
	__u32 k = slot, ks = slot + 8;
	__u64 *c = bpf_map_lookup_elem(&res, &k), *s = bpf_map_lookup_elem(&res, &ks);

	if (c)
		*c = (__u64)ret << 32 | w->calls;
	if (s)
		*s = w->key_sum + (w->value_sum << 20);
}

static __always_inline long walk_hash(void *map, __u32 slot, __u32 sel)
{
	struct walk w = { .add = sel & 7, .gc = (sel >> 3) & 1 };
	__u32 key = (sel >> 4) & 31; /* well under max_entries: no LRU eviction */
	__u64 val = sel;
	long ret;

	bpf_map_update_elem(map, &key, &val, BPF_ANY);
	ret = bpf_for_each_map_elem(map, hash_cb, &w, 0);
	record(slot, &w, ret);
	return ret;
}

SEC("xdp")
int diff_for_each(struct xdp_md *ctx)
{
	__u32 sel = pkt_sel(ctx);
	struct walk w = { .stop = sel & 15, .add = sel >> 4 };
	long r, total = 0;

	r = bpf_for_each_map_elem(&e_array, array_cb, &w, 0);
	record(0, &w, r);
	put_result(ctx, 14, (__u32)r | w.calls << 8 | (__u32)w.key_sum << 16);
	total += r;

	w = (struct walk){ .stop = (sel >> 2) & 15, .add = sel };
	r = bpf_for_each_map_elem(&e_percpu_array, percpu_array_cb, &w, 0);
	record(1, &w, r);
	total += r;

	total += walk_hash(&e_hash, 2, sel);
	total += walk_hash(&e_percpu_hash, 3, sel ^ 0x5a);
	total += walk_hash(&e_lru, 4, sel ^ 0xa5);
	total += walk_hash(&e_lru_percpu, 5, sel ^ 0x3c);

	w = (struct walk){ .stop = (sel & 7) + 1 };
	r = bpf_for_each_map_elem(&e_hash, count_cb, &w, 0);
	record(6, &w, r);
	put_result(ctx, 18, (__u32)r | w.calls << 16);

	/* flags: -EINVAL before any call; an empty map: no call */
	w = (struct walk){ 0 };
	r = bpf_for_each_map_elem(&e_hash, hash_cb, &w, sel & 0x100 ? 1 : 0);
	r += bpf_for_each_map_elem(&e_empty, hash_cb, &w, 0) * 1000;
	record(7, &w, r);
	put_result(ctx, 22, (__u32)r);
	put_result(ctx, 26, (__u32)total);
	return total & 1 ? XDP_TX : XDP_PASS;
}
