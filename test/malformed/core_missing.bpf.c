// SPDX-License-Identifier: GPL-2.0
/*
 * core_missing.bpf.c - reads, unguarded, a field no target has: the CO-RE
 * relocation poisons the load and the program reaches it: refused.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct xdp_md___missing {
	__u32 rx_hash_type;
} __attribute__((preserve_access_index));

SEC("xdp")
int xdp_core_missing(struct xdp_md *ctx)
{
	return ((struct xdp_md___missing *)ctx)->rx_hash_type ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
