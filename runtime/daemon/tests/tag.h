/* SPDX-License-Identifier: MIT */
/*
 * tag.h - the program the replacement tests swap under traffic, built as
 * two versions (TAG 'A' and 'B') and a third whose map has another shape
 * (BAD).  Every IPv4 UDP frame is counted into counts[0] (all versions)
 * and counts[version] (1 for A, 2 for B), tagged with the version's letter
 * in the first payload byte (offset 42), its MACs swapped, and sent back
 * (XDP_TX).  Anything else passes.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define TAG_OFF 42 /* Ethernet 14 + IPv4 20 + UDP 8 */

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
#ifdef BAD
	__type(value, __u32); /* another value size: refused on replacement */
#else
	__type(value, __u64);
#endif
	__uint(max_entries, 4);
} counts SEC(".maps");

static __always_inline void count(__u32 k)
{
#ifdef BAD
	__u32 *v = bpf_map_lookup_elem(&counts, &k);
#else
	__u64 *v = bpf_map_lookup_elem(&counts, &k);
#endif

	if (v)
		__sync_fetch_and_add(v, 1);
}

SEC("xdp")
int PROG(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);
	unsigned char *tag = data + TAG_OFF, mac[ETH_ALEN];

	if ((void *)(tag + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP) ||
	    ip->protocol != IPPROTO_UDP)
		return XDP_PASS;
	count(0);
	count(TAG == 'A' ? 1 : 2);
	*tag = TAG;
	__builtin_memcpy(mac, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, mac, ETH_ALEN);
	return XDP_TX;
}

char _license[] SEC("license") = "GPL";
