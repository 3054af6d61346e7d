// SPDX-License-Identifier: MIT
/* Count packets in an array map: one lookup, one atomic add. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 1);
} counters SEC(".maps");

SEC("xdp")
int xdp_array_count(struct xdp_md *ctx)
{
	__u32 key = 0;
	__u64 *n = bpf_map_lookup_elem(&counters, &key);

	if (!n)
		return XDP_ABORTED;
	__sync_fetch_and_add(n, 1);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
