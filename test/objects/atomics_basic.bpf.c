// SPDX-License-Identifier: GPL-2.0
/*
 * atomics_basic.bpf.c - the only atomic ISA v1 has: add without fetch
 * (the old XADD, BPF_STX | BPF_ATOMIC with imm BPF_ADD), 32- and 64-bit,
 * on a map value.  Builds at every -mcpu.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct stats {
	__u64 packets;
	__u64 bytes;
	__u32 small;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct stats);
} stats_map SEC(".maps");

SEC("xdp")
int xdp_atomic_add(struct xdp_md *ctx)
{
	__u32 key = 0;
	__u32 len = ctx->data_end - ctx->data;
	struct stats *s = bpf_map_lookup_elem(&stats_map, &key);

	if (!s)
		return XDP_ABORTED;
	/* Results unused: clang emits the non-fetching form. */
	__sync_fetch_and_add(&s->packets, 1);
	__sync_fetch_and_add(&s->bytes, len);
	if (len < 64)
		__sync_fetch_and_add(&s->small, 1);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
