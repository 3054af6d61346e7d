// SPDX-License-Identifier: GPL-2.0
/*
 * dropport.bpf.c - the program Debian's xdp-loader loads in the test
 * bpfsys.xdp_loader, into the kernel and into uxdpd: drops IPv4 UDP
 * datagrams to port 9 (discard), passes everything else, and counts both.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32); /* 0: passed, 1: dropped */
	__type(value, __u64);
} dropport_verdicts SEC(".maps");

static __always_inline int count(__u32 k, int verdict)
{
	__u64 *v = bpf_map_lookup_elem(&dropport_verdicts, &k);

	if (v)
		__sync_fetch_and_add(v, 1);
	return verdict;
}

SEC("xdp")
int dropport(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);
	struct udphdr *udp = data + sizeof(*eth) + sizeof(*ip);

	/* Options-less IPv4 only: the test sends nothing else to port 9. */
	if ((void *)(udp + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP) || ip->ihl != 5 ||
	    ip->protocol != IPPROTO_UDP)
		return count(0, XDP_PASS);
	if (udp->dest == bpf_htons(9))
		return count(1, XDP_DROP);
	return count(0, XDP_PASS);
}

char _license[] SEC("license") = "GPL";
