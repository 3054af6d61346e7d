// SPDX-License-Identifier: MIT
/*
 * xdp_drop - drop every valid TCP segment, pass everything else.
 *
 * The parser walks Ethernet, up to two VLAN tags (802.1Q 0x8100 or 802.1ad
 * 0x88a8, so QinQ too), then IPv4 or IPv6.  A packet is "valid TCP" when:
 *  - IPv4: version 4, IHL >= 5, protocol 6, fragment offset 0, or
 *    IPv6: version 6, next header 6 (no extension headers are walked);
 *  - the whole TCP header, options included (data offset >= 5), is in the frame.
 * Checksums and IP lengths are not looked at.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct vlan_tag {
	__be16 tci;
	__be16 proto;
};

SEC("xdp")
int xdp_drop_tcp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct tcphdr *tcp;
	__be16 proto;
	void *l3;
	int i;

	if ((void *)(eth + 1) > end)
		return XDP_PASS;
	proto = eth->h_proto;
	l3 = eth + 1;

#pragma unroll
	for (i = 0; i < 2; i++) {
		struct vlan_tag *tag = l3;

		if (proto != bpf_htons(ETH_P_8021Q) && proto != bpf_htons(ETH_P_8021AD))
			break;
		if ((void *)(tag + 1) > end)
			return XDP_PASS;
		proto = tag->proto;
		l3 = tag + 1;
	}

	if (proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = l3;

		if ((void *)(ip + 1) > end)
			return XDP_PASS;
		if (ip->version != 4 || ip->ihl < 5 || ip->protocol != IPPROTO_TCP)
			return XDP_PASS;
		if (ip->frag_off & bpf_htons(0x1fff))
			return XDP_PASS;
		tcp = l3 + ip->ihl * 4;
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = l3;

		if ((void *)(ip6 + 1) > end)
			return XDP_PASS;
		if (ip6->version != 6 || ip6->nexthdr != IPPROTO_TCP)
			return XDP_PASS;
		tcp = (void *)(ip6 + 1);
	} else {
		return XDP_PASS;
	}

	if ((void *)(tcp + 1) > end)
		return XDP_PASS;
	if (tcp->doff < 5 || (void *)tcp + tcp->doff * 4 > end)
		return XDP_PASS;
	return XDP_DROP;
}

char _license[] SEC("license") = "GPL";
