// SPDX-License-Identifier: GPL-2.0
/*
 * gskel.bpf.c - the object of the test bpfsys.skeleton: global data in
 * .rodata, .data and .bss, which a loader made by `bpftool gen skeleton`
 * sets and reads through the skeleton's mappings of the maps.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

const volatile __u16 drop_port = 7; /* .rodata: the loader sets it before the load */
__u64 weight = 1;		    /* .data: the loader sets it, before and after the load */
__u64 weighted;			    /* .bss: the sum of weight over UDP datagrams seen */
__u64 dropped;			    /* .bss */

SEC("xdp")
int gskel(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);
	struct udphdr *udp = data + sizeof(*eth) + sizeof(*ip);

	if ((void *)(udp + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP) || ip->ihl != 5 ||
	    ip->protocol != IPPROTO_UDP)
		return XDP_PASS;
	__sync_fetch_and_add(&weighted, weight);
	if (udp->dest == bpf_htons(drop_port)) {
		__sync_fetch_and_add(&dropped, 1);
		return XDP_DROP;
	}
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
