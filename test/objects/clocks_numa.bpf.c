// SPDX-License-Identifier: GPL-2.0
/*
 * clocks_numa.bpf.c - bpf_ktime_get_tai_ns, bpf_ktime_get_coarse_ns,
 * bpf_jiffies64 and bpf_get_numa_node_id.  Clock values differ between
 * runs, so only their relations are kept (TAI ahead of the monotonic
 * clocks, coarse not ahead of fine, each monotonic; jiffies counted from
 * INITIAL_JIFFIES at CONFIG_HZ=250, Debian's, lag the coarse clock by
 * less than 10 s and lead it by less than a tick; on a kernel of another
 * HZ both sides store 0 there, and unit.helpers.jiffies, which reads the
 * HZ, is the check); the NUMA node is stored
 * (difftest pins both sides to CPU 0).  The verdict follows the packet.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define TICK_NS 4000000ull                 /* CONFIG_HZ=250 */
#define INITIAL_JIFFIES 4294892296ull      /* (u32)(-300 * HZ) */
#define NSEC_PER_SEC 1000000000ll

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

	__u64 j0 = bpf_jiffies64(), c = bpf_ktime_get_coarse_ns(), j1 = bpf_jiffies64();
	__s64 lag = (__s64)(c - (j0 - INITIAL_JIFFIES) * TICK_NS);

	results[5] += j1 >= j0;
	results[6] += j0 > INITIAL_JIFFIES && lag > -(__s64)TICK_NS && lag < 10 * NSEC_PER_SEC;
	return ctx->data_end - ctx->data > 100 ? XDP_PASS : XDP_DROP;
}

char _license[] SEC("license") = "GPL";
