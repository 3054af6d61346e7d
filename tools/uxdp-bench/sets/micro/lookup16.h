/* SPDX-License-Identifier: MIT */
/*
 * lookup16.h - the micro-benchmark of issue 10: 16 map lookups per packet,
 * keys the packet's IPv4 source address (host order) plus 0..15, summing
 * the values found.  Each lookup16_*.bpf.c includes it with the map type;
 * the set's configs decide whether the 16 keys hit (hit.conf) or miss
 * (miss.conf) among thousands of other entries.  uxdp-bench --per-op 16
 * turns the net time into ns per lookup.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#ifdef LOOKUP16_LPM
struct lookup16_key {
	__u32 prefixlen;
	__u8 addr[4];
};
#endif

struct {
	__uint(type, LOOKUP16_TYPE);
	__uint(max_entries, 65536);
#ifdef LOOKUP16_LPM
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct lookup16_key);
#else
	__type(key, __u32);
#endif
	__type(value, __u64);
} table SEC(".maps");

SEC("xdp")
int lookup16(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	__u64 sum = 0, *v;
	__u32 base;
	int i;

	if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	base = bpf_ntohl(ip->saddr);
#pragma unroll
	for (i = 0; i < 16; i++) {
#ifdef LOOKUP16_LPM
		struct lookup16_key k = {.prefixlen = 32};
		__u32 a = bpf_htonl(base + i);

		__builtin_memcpy(k.addr, &a, 4);
#else
		__u32 k = base + i;
#endif
		v = bpf_map_lookup_elem(&table, &k);
		if (v)
			sum += *v;
	}
	return sum & 1 ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
