// SPDX-License-Identifier: GPL-2.0
/*
 * clocks_numa.bpf.c - bpf_ktime_get_tai_ns, bpf_ktime_get_coarse_ns and
 * bpf_get_numa_node_id.  Clock values differ between runs, so only their
 * relations are kept (TAI ahead of the monotonic clocks, coarse not ahead
 * of fine, each monotonic); the NUMA node is stored (difftest pins both
 * sides to CPU 0).  The verdict follows the packet.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__u64 results[8];

SEC("xdp")
int xdp_clocks_numa(struct xdp_md *ctx)
{
	__u64 tai0 = bpf_ktime_get_tai_ns(), mono = bpf_ktime_get_ns();
	__u64 coarse = bpf_ktime_get_coarse_ns(), tai1 = bpf_ktime_get_tai_ns();

	results[0] += tai1 >= tai0;
	results[1] += tai0 > mono;
	results[2] += coarse <= bpf_ktime_get_ns();
	results[3] += coarse > 0;
	results[4] = bpf_get_numa_node_id();
	return ctx->data_end - ctx->data > 100 ? XDP_PASS : XDP_DROP;
}

char _license[] SEC("license") = "GPL";
