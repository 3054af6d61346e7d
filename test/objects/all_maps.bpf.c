// SPDX-License-Identifier: GPL-2.0
/*
 * all_maps.bpf.c - one map of every type uxdp supports, each with its own
 * key size, value size and max_entries so that a test can tell them apart
 * in `uxdpc --list`, and one program that uses each through the helper the
 * kernel allows for it.  The map-in-map outers carry inner map definitions
 * (__array(values, ...)).  Static initialisation of an outer map is in
 * map_in_map_init.bpf.c, so that this object stays about map types only.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct lpm_key {
	__u32 prefixlen;
	__u8 addr[4];
};

struct val24 {
	__u64 a, b, c;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 11);
	__type(key, __u32);
	__type(value, __u64);
} m_array SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 12);
	__type(key, __u32);
	__type(value, struct val24);
} m_percpu_array SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 13);
	__type(key, __u64);
	__type(value, __u32);
} m_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 14);
	__type(key, __u16);
	__type(value, __u64);
} m_percpu_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 15);
	__type(key, struct val24);
	__type(value, __u64);
} m_lru_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u16);
} m_lru_percpu_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 17);
	__uint(map_flags, BPF_F_NO_PREALLOC); /* the kernel requires it for lpm_trie */
	__type(key, struct lpm_key);
	__type(value, __u32);
} m_lpm_trie SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8192); /* bytes: a power-of-two number of pages */
} m_ringbuf SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(max_entries, 18);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} m_perf_event_array SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 19);
	__type(key, __u32);
	__type(value, __u32);
} m_devmap SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, 20);
	__type(key, __u32);
	__type(value, struct bpf_devmap_val);
} m_devmap_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, 21);
	__type(key, __u32);
	__type(value, __u32);
} m_xskmap SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_CPUMAP);
	__uint(max_entries, 22);
	__type(key, __u32);
	__type(value, struct bpf_cpumap_val);
} m_cpumap SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 23);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} m_prog_array SEC(".maps");

/* A standalone map of the inner type, also looked up directly. */
struct inner_array {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 24);
	__type(key, __u32);
	__type(value, __u32);
};

struct inner_array m_inner SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 25);
	__type(key, __u32);
	__array(values, struct inner_array);
} m_array_of_maps SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 26);
	__type(key, __u64);
	__array(values, struct {
		__uint(type, BPF_MAP_TYPE_HASH);
		__uint(max_entries, 27);
		__type(key, __u32);
		__type(value, __u64);
	});
} m_hash_of_maps SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 28);
	__type(value, __u32);
} m_queue SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK);
	__uint(max_entries, 29);
	__type(value, __u64);
} m_stack SEC(".maps");

SEC("xdp")
int xdp_all_maps(struct xdp_md *ctx)
{
	__u32 len = ctx->data_end - ctx->data;
	__u32 k32 = len % 11, v32 = len;
	__u64 k64 = len, v64 = len;
	__u16 k16 = len;
	struct val24 k24 = { .a = len };
	struct lpm_key lk = { .prefixlen = 32, .addr = { 10, 0, 0, 1 } };
	__u64 acc = 0, *p64;
	__u32 *p32;
	__u16 *p16;
	struct val24 *pv;
	void *inner;

	p64 = bpf_map_lookup_elem(&m_array, &k32);
	if (p64)
		acc += *p64;
	pv = bpf_map_lookup_elem(&m_percpu_array, &k32);
	if (pv)
		pv->a++;
	bpf_map_update_elem(&m_hash, &k64, &v32, BPF_ANY);
	p32 = bpf_map_lookup_elem(&m_hash, &k64);
	if (p32)
		acc += *p32;
	p64 = bpf_map_lookup_elem(&m_percpu_hash, &k16);
	if (p64)
		acc += *p64;
	bpf_map_update_elem(&m_lru_hash, &k24, &v64, BPF_ANY);
	p16 = bpf_map_lookup_elem(&m_lru_percpu_hash, &k32);
	if (p16)
		acc += *p16;
	else
		bpf_map_delete_elem(&m_lru_percpu_hash, &k32);
	p32 = bpf_map_lookup_elem(&m_lpm_trie, &lk);
	if (p32)
		acc += *p32;
	bpf_ringbuf_output(&m_ringbuf, &k64, sizeof(k64), 0);
	bpf_perf_event_output(ctx, &m_perf_event_array, BPF_F_CURRENT_CPU, &k64, sizeof(k64));

	inner = bpf_map_lookup_elem(&m_array_of_maps, &(__u32){ 0 });
	if (inner) {
		p32 = bpf_map_lookup_elem(inner, &k32);
		if (p32)
			acc += *p32;
	}
	inner = bpf_map_lookup_elem(&m_hash_of_maps, &k64);
	if (inner) {
		p64 = bpf_map_lookup_elem(inner, &k32);
		if (p64)
			acc += *p64;
	}
	p32 = bpf_map_lookup_elem(&m_inner, &k32);
	if (p32)
		acc += *p32;

	bpf_map_push_elem(&m_queue, &v32, BPF_EXIST);
	if (bpf_map_pop_elem(&m_queue, &v32) == 0)
		acc += v32;
	bpf_map_push_elem(&m_stack, &v64, 0);
	if (bpf_map_peek_elem(&m_stack, &v64) == 0)
		acc += v64;

	bpf_tail_call(ctx, &m_prog_array, k32);

	switch (acc & 3) {
	case 0:
		return bpf_redirect_map(&m_devmap, k32, XDP_PASS);
	case 1:
		return bpf_redirect_map(&m_devmap_hash, k32, XDP_PASS);
	case 2:
		return bpf_redirect_map(&m_xskmap, k32, XDP_PASS);
	default:
		return bpf_redirect_map(&m_cpumap, k32, XDP_PASS);
	}
}

char _license[] SEC("license") = "GPL";
