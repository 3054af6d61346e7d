// SPDX-License-Identifier: GPL-2.0
/*
 * custom_section.bpf.c - a program in a section libbpf does not recognise
 * as XDP ("xdp_fw"), as old loaders named them.  uxdpc does not pick it by
 * default; it is chosen with -p xdp_fw (section) or -p xdp_fw_main
 * (function).  bpftool loads it with an explicit "type xdp".
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

SEC("xdp_fw")
int xdp_fw_main(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	if (eth->h_proto == bpf_htons(ETH_P_ARP))
		return XDP_PASS;
	if (eth->h_dest[0] & 1) /* multicast or broadcast */
		return XDP_DROP;
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
