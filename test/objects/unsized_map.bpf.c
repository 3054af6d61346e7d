// SPDX-License-Identifier: GPL-2.0
/*
 * unsized_map.bpf.c - a map whose loader sets max_entries before loading,
 * as xdp-bench's and xdp-trafficgen's loaders do: uxdpc needs
 * --map-size flows=N (lit cli/map-size.test), uxdp may set it again at
 * load time (runtime.map_size).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, __u64);
} flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} hits SEC(".maps");

SEC("xdp") int count_flows(struct xdp_md *ctx)
{
	__u32 k = ctx->rx_queue_index;
	__u64 one = 1, *v = bpf_map_lookup_elem(&flows, &k);

	__u32 zero = 0;
	__u64 *h = bpf_map_lookup_elem(&hits, &zero);

	if (h)
		__sync_fetch_and_add(h, 1);
	if (v)
		__sync_fetch_and_add(v, 1);
	else
		bpf_map_update_elem(&flows, &k, &one, BPF_NOEXIST);
	return XDP_PASS;
}
char LICENSE[] SEC("license") = "GPL";
