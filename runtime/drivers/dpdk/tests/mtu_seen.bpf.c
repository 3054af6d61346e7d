// SPDX-License-Identifier: GPL-2.0
/*
 * What bpf_check_mtu says about the port a packet came in on, by index
 * and as ifindex 0: seen[0] and seen[1] the return values, seen[2] and
 * seen[3] the MTUs, seen[4] the packets.  Every packet is dropped.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 5);
	__type(key, __u32);
	__type(value, __s64);
} seen SEC(".maps");

static __always_inline void put(__u32 k, __s64 v)
{
	__s64 *p = bpf_map_lookup_elem(&seen, &k);

	if (p)
		*p = v;
}

SEC("xdp")
int mtu_seen(struct xdp_md *ctx)
{
	__u32 by_index = 0, ingress = 0;
	__u32 k = 4;
	__s64 *n;

	put(0, bpf_check_mtu(ctx, ctx->ingress_ifindex, &by_index, 0, 0));
	put(1, bpf_check_mtu(ctx, 0, &ingress, 0, 0));
	put(2, by_index);
	put(3, ingress);
	n = bpf_map_lookup_elem(&seen, &k);
	if (n)
		__sync_fetch_and_add(n, 1);
	return XDP_DROP;
}

char _license[] SEC("license") = "GPL";
