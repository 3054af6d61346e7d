// SPDX-License-Identifier: MIT
/* Every frame to the kernel: for veth peers (so that XDP_TX frames arrive) and the TAP test. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
