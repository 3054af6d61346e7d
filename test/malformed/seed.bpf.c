// SPDX-License-Identifier: GPL-2.0
/*
 * seed.bpf.c - the valid object gen-malformed patches.  It has exactly
 * what the ELF-level faults need: a map relocation on an lddw, a call
 * relocation to a static subprogram in .text of several instructions, and
 * an "xdp" section that ends with the program's exit.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} seed_count SEC(".maps");

static __noinline __u32 seed_len(struct xdp_md *ctx)
{
	__u32 len = ctx->data_end - ctx->data;

	return len * 3 + ctx->rx_queue_index;
}

SEC("xdp")
int xdp_seed(struct xdp_md *ctx)
{
	__u32 key = 0;
	__u32 len = seed_len(ctx);
	__u64 *v = bpf_map_lookup_elem(&seed_count, &key);

	if (v)
		*v += len;
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
