// SPDX-License-Identifier: GPL-2.0
/*
 * core_fields.bpf.c - CO-RE field relocations on UAPI packet headers: the
 * header structs are marked preserve_access_index, so every field offset
 * becomes a .BTF.ext relocation (kind FIELD_BYTE_OFFSET) against vmlinux's
 * struct ethhdr / iphdr, plus one FIELD_EXISTS.  uxdpc resolves them
 * against the UAPI layout, which is what vmlinux has.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)
#include <linux/if_ether.h>
#include <linux/ip.h>
#pragma clang attribute pop

SEC("xdp")
int xdp_core(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *iph;

	if (data + sizeof(*eth) > data_end)
		return XDP_DROP;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	iph = data + sizeof(*eth);
	if ((void *)iph + sizeof(*iph) > data_end)
		return XDP_DROP;
	if (!bpf_core_field_exists(iph->ttl))
		return XDP_ABORTED;
	if (iph->ttl == 0 || iph->daddr == 0)
		return XDP_DROP;
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
