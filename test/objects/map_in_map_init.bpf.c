// SPDX-License-Identifier: GPL-2.0
/*
 * map_in_map_init.bpf.c - an array_of_maps statically initialised with an
 * inner map (.values = { [1] = &inner }), as libbpf supports: the ELF then
 * has a relocation in .rel.maps that names the inner map, and the loader
 * must put it into slot 1 before the program runs.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
};

struct inner inner_counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, struct inner);
} outer SEC(".maps") = {
	.values = { [1] = &inner_counts },
};

SEC("xdp")
int xdp_map_in_map(struct xdp_md *ctx)
{
	__u32 slot = 1, key = ctx->rx_queue_index & 3;
	__u64 *v;
	void *m;

	m = bpf_map_lookup_elem(&outer, &slot);
	if (!m)
		return XDP_ABORTED; /* slot 1 was not initialised */
	v = bpf_map_lookup_elem(m, &key);
	if (v)
		__sync_fetch_and_add(v, 1);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
