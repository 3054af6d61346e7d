// SPDX-License-Identifier: GPL-2.0
/*
 * two_progs.bpf.c - two XDP programs in one object sharing one map and one
 * static subprogram, in two sections ("xdp" and "xdp/egress_mark").  The
 * compiler must emit an entry point for each and append the shared
 * subprogram to both.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} hits SEC(".maps");

static __noinline int bump(__u32 which)
{
	__u64 *v = bpf_map_lookup_elem(&hits, &which);

	if (!v)
		return -1;
	*v += 1;
	return 0;
}

SEC("xdp")
int xdp_first(struct xdp_md *ctx)
{
	if (bump(0))
		return XDP_ABORTED;
	return XDP_PASS;
}

SEC("xdp/egress_mark")
int xdp_second(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if (bump(1))
		return XDP_ABORTED;
	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	eth->h_source[0] |= 0x02; /* mark as locally administered */
	return XDP_TX;
}

char _license[] SEC("license") = "GPL";
