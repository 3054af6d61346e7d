// SPDX-License-Identifier: MIT
/* Forward every frame to the port the devmap names for its ingress port. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__type(key, __u32);   /* ingress ifindex */
	__type(value, __u32); /* egress ifindex */
	__uint(max_entries, 8);
} fwd_ports SEC(".maps");

SEC("xdp")
int fwd(struct xdp_md *ctx)
{
	return bpf_redirect_map(&fwd_ports, ctx->ingress_ifindex, XDP_DROP);
}

char _license[] SEC("license") = "GPL";
