// SPDX-License-Identifier: GPL-2.0
/*
 * parse_headers.bpf.c - Ethernet (with one VLAN tag), IPv4 (with options),
 * IPv6, TCP and UDP parsing, every header behind its own bounds check.
 *
 * Counts packets per layer-4 protocol in an array and drops UDP to port 9
 * (discard), TCP with SYN+FIN and IPv4 fragments with a nonzero offset.
 * This is the shape most real firewalls have: a chain of data_end checks
 * that the compiler should be able to merge.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct vlan_hdr {
	__be16 tci;
	__be16 encap_proto;
};

enum { CNT_OTHER, CNT_TCP, CNT_UDP, CNT_IPV6, CNT_BAD, CNT_MAX };

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, CNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} proto_count SEC(".maps");

static __always_inline void count(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&proto_count, &idx);

	if (v)
		*v += 1;
}

/* Returns an XDP verdict for the layer-4 header at l4 with protocol proto. */
static __always_inline int parse_l4(void *l4, void *data_end, __u8 proto)
{
	if (proto == IPPROTO_TCP) {
		struct tcphdr *th = l4;

		if ((void *)(th + 1) > data_end)
			return XDP_DROP;
		if (th->doff < 5)
			return XDP_DROP;
		count(CNT_TCP);
		if (th->syn && th->fin)
			return XDP_DROP;
		return XDP_PASS;
	}
	if (proto == IPPROTO_UDP) {
		struct udphdr *uh = l4;

		if ((void *)(uh + 1) > data_end)
			return XDP_DROP;
		count(CNT_UDP);
		if (uh->dest == bpf_htons(9))
			return XDP_DROP;
		return XDP_PASS;
	}
	count(CNT_OTHER);
	return XDP_PASS;
}

SEC("xdp")
int xdp_parse(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u16 proto;
	void *nh;

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	proto = eth->h_proto;
	nh = eth + 1;
	if (proto == bpf_htons(ETH_P_8021Q) || proto == bpf_htons(ETH_P_8021AD)) {
		struct vlan_hdr *vh = nh;

		if ((void *)(vh + 1) > data_end)
			return XDP_DROP;
		proto = vh->encap_proto;
		nh = vh + 1;
	}

	if (proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *iph = nh;
		__u32 ihl;

		if ((void *)(iph + 1) > data_end)
			return XDP_DROP;
		ihl = iph->ihl * 4;
		if (ihl < sizeof(*iph)) {
			count(CNT_BAD);
			return XDP_DROP;
		}
		/* Options make the header variable-length: a non-constant check. */
		if (nh + ihl > data_end)
			return XDP_DROP;
		if (iph->frag_off & bpf_htons(0x1fff))
			return XDP_DROP;
		return parse_l4(nh + ihl, data_end, iph->protocol);
	}
	if (proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6h = nh;

		if ((void *)(ip6h + 1) > data_end)
			return XDP_DROP;
		count(CNT_IPV6);
		if (ip6h->hop_limit <= 1)
			return XDP_DROP;
		return parse_l4(ip6h + 1, data_end, ip6h->nexthdr);
	}
	count(CNT_OTHER);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
