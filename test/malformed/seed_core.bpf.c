// SPDX-License-Identifier: GPL-2.0
/*
 * seed_core.bpf.c - the valid object gen-malformed plants BTF, .BTF.ext
 * and CO-RE faults in: CO-RE field relocations (its own view of xdp_md)
 * and a table clang puts in the mergeable .rodata.cst16.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct xdp_md___seed {
	__u32 data;
	__u32 data_end;
	__u32 data_meta;
	__u32 ingress_ifindex;
	__u32 rx_queue_index;
} __attribute__((preserve_access_index));

SEC("xdp")
int xdp_seed_core(struct xdp_md *ctx)
{
	struct xdp_md___seed *c = (void *)ctx;
	__u32 tbl[4] = { XDP_PASS, XDP_DROP, XDP_TX, XDP_PASS };

	return tbl[c->rx_queue_index & 3];
}

char _license[] SEC("license") = "GPL";
