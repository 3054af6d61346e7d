// SPDX-License-Identifier: GPL-2.0
/*
 * pkt_helpers.bpf.c - helpers that change the packet or send it elsewhere:
 * bpf_xdp_adjust_head (pop an outer Ethernet header of an Ethernet-in-
 * Ethernet frame, push one back), bpf_xdp_adjust_tail (trim a trailer),
 * bpf_csum_diff (incremental IPv4 checksum after a TTL change) and
 * bpf_redirect to an ifindex.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define ETH_P_TEB 0x6558 /* transparent Ethernet bridging: inner frame follows */
#define REDIRECT_IFINDEX 2

static __always_inline __u16 csum_fold(__u32 csum)
{
	csum = (csum & 0xffff) + (csum >> 16);
	csum = (csum & 0xffff) + (csum >> 16);
	return (__u16)~csum;
}

SEC("xdp")
int xdp_pkt_helpers(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct ethhdr saved;
	struct iphdr *iph;
	__u32 old_word, new_word;
	__s64 csum;

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;

	if (eth->h_proto == bpf_htons(ETH_P_TEB)) {
		/* Decapsulate: drop the outer header, keep the inner frame. */
		if (bpf_xdp_adjust_head(ctx, (int)sizeof(struct ethhdr)))
			return XDP_ABORTED;
		return XDP_PASS;
	}

	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	iph = (void *)(eth + 1);
	if ((void *)(iph + 1) > data_end)
		return XDP_DROP;
	if (iph->ttl <= 1)
		return XDP_DROP;

	/* TTL sits in the 16-bit word shared with protocol; diff 4-byte words. */
	old_word = *(__u32 *)&iph->ttl;
	iph->ttl--;
	new_word = *(__u32 *)&iph->ttl;
	csum = bpf_csum_diff(&old_word, sizeof(old_word), &new_word, sizeof(new_word),
			     ~((__u32)iph->check) & 0xffff);
	if (csum < 0)
		return XDP_ABORTED;
	iph->check = csum_fold((__u32)csum);

	/* Trim an odd trailing byte, as a padding stripper would. */
	if ((data_end - data) & 1) {
		if (bpf_xdp_adjust_tail(ctx, -1))
			return XDP_ABORTED;
	}

	/* Encapsulate in a copy of the Ethernet header, then forward. */
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	eth = data;
	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	__builtin_memcpy(&saved, eth, sizeof(saved));
	if (bpf_xdp_adjust_head(ctx, -(int)sizeof(struct ethhdr)))
		return XDP_ABORTED;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	eth = data;
	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	__builtin_memcpy(eth, &saved, sizeof(saved));
	eth->h_proto = bpf_htons(ETH_P_TEB);
	return bpf_redirect(REDIRECT_IFINDEX, 0);
}

char _license[] SEC("license") = "GPL";
