// SPDX-License-Identifier: GPL-2.0
/*
 * maps.bpf.c - the bpf() layer's test program: one map of each kind a
 * control plane reads, filled from the packets it sees, so that bpftool
 * under uxdp-run and bpftool on the kernel (the same object, the same
 * packets through BPF_PROG_TEST_RUN) can be compared map by map.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);   /* 0: IPv4, 1: other */
	__type(value, __u64);
} counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u32); /* 4 bytes: slots are rounded up to 8 in the ABI */
} pcpu SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);   /* IPv4 source, network order */
	__type(value, __u64); /* bytes */
} flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);   /* IP protocol */
	__type(value, __u64);
} proto_pcpu SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u32); /* last length seen */
} last_len SEC(".maps");

struct lpm_key {
	__u32 prefixlen;
	__u32 addr;
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 16);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct lpm_key);
	__type(value, __u32);
} routes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 8);
	__type(value, __u32);
} lengths SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

/* A name longer than the kernel's 15 characters. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, __u16);
	__type(value, __u16);
} a_rather_long_map_name SEC(".maps");

static __always_inline void add(void *map, __u32 key, __u64 n)
{
	__u64 *v = bpf_map_lookup_elem(map, &key);

	if (v)
		__sync_fetch_and_add(v, n);
	else
		bpf_map_update_elem(map, &key, &n, BPF_NOEXIST);
}

SEC("xdp")
int xdp_maps(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);
	__u32 len = (__u32)(end - data), zero = 0, *pc;
	__u16 port = 7, seven = 7;

	pc = bpf_map_lookup_elem(&pcpu, &zero);
	if (pc)
		*pc += 1;
	if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP)) {
		add(&counts, 1, 1);
		return XDP_PASS;
	}
	add(&counts, 0, 1);
	add(&flows, ip->saddr, len);
	add(&proto_pcpu, ip->protocol, 1);
	bpf_map_update_elem(&last_len, &ip->saddr, &len, BPF_ANY);
	bpf_map_push_elem(&lengths, &len, BPF_EXIST);
	bpf_map_update_elem(&a_rather_long_map_name, &port, &seven, BPF_ANY);
	bpf_ringbuf_output(&events, &len, sizeof(len), 0);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
