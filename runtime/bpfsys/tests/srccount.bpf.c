// SPDX-License-Identifier: GPL-2.0
/*
 * srccount.bpf.c - the program test/xdp_loader.c loads, into the kernel and
 * into uxdpd through the bpf() layer: counts IPv4 frames per source address
 * and drops those from the addresses the loader puts in `blocked`.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16); /* the loader sets it (bpf_map__set_max_entries) */
	__type(key, __u32);	 /* source address, network order */
	__type(value, __u64);
} counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u32);
} blocked SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32); /* 0: passed, 1: dropped */
	__type(value, __u64);
} verdicts SEC(".maps");

/* Global data: the loader sets it to 1 before loading (a .rodata map, frozen). */
const volatile __u64 count_step = 7;
/* Writable global data: .data (the loader sets it to 2), .bss (it reads it). */
__u64 frame_weight = 1;
__u64 weighted_frames;

/* A subprogram (a BPF-to-BPF call), as libbpf appends it after the program. */
static __attribute__((noinline)) void bump(__u32 k)
{
	__u64 *v = bpf_map_lookup_elem(&verdicts, &k);

	if (v)
		__sync_fetch_and_add(v, 1);
}

SEC("xdp")
int srccount(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);
	__u64 one = count_step, *c;
	__u32 src;

	if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	src = ip->saddr;
	__sync_fetch_and_add(&weighted_frames, frame_weight);
	c = bpf_map_lookup_elem(&counts, &src);
	if (c)
		__sync_fetch_and_add(c, count_step);
	else
		bpf_map_update_elem(&counts, &src, &one, BPF_NOEXIST);
	if (bpf_map_lookup_elem(&blocked, &src)) {
		bump(1);
		return XDP_DROP;
	}
	bump(0);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
