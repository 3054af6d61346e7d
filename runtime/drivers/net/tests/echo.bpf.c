// SPDX-License-Identifier: MIT
/*
 * Answer ICMP echo requests with XDP_TX, for when xdp_progs/xdping is not
 * in the tree: swap MACs and IPs, type 8 -> 0 (the ICMP checksum gains
 * 0x0800; the IP checksum does not change when the addresses swap).
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int echo(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);
	__u8 *icmp = (__u8 *)(ip + 1), mac[ETH_ALEN];
	__u32 sum, addr;

	if ((void *)(icmp + 4) > end || eth->h_proto != bpf_htons(ETH_P_IP) || ip->ihl != 5 ||
	    ip->protocol != IPPROTO_ICMP || icmp[0] != 8 || icmp[1] != 0)
		return XDP_PASS;
	__builtin_memcpy(mac, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, mac, ETH_ALEN);
	addr = ip->saddr;
	ip->saddr = ip->daddr;
	ip->daddr = addr;
	icmp[0] = 0;
	sum = (__u32)*(__u16 *)(icmp + 2) + bpf_htons(0x0800);
	*(__u16 *)(icmp + 2) = (__u16)(sum + (sum >> 16));
	return XDP_TX;
}

char _license[] SEC("license") = "GPL";
