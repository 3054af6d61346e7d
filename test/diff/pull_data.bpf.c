// SPDX-License-Identifier: GPL-2.0
/*
 * pull_data.bpf.c - the kfunc bpf_xdp_pull_data (Linux 6.18) with lengths
 * within the frame, at its end, past it and packet-chosen: a linear frame
 * has nothing to pull, so each is 0 or -EINVAL.  After it the program
 * reads the packet again (the verifier forgets the old pointers), and a
 * subprogram calls it too.  A program of its own, so that a kernel without
 * the kfunc loses this test only.
 */
#include "diff_common.h"

extern int bpf_xdp_pull_data(struct xdp_md *x, __u32 len) __ksym;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 6);
	__type(key, __u32);
	__type(value, __s64);
} res SEC(".maps");

static __always_inline void keep(__u32 i, __s64 v)
{
	__s64 *r = bpf_map_lookup_elem(&res, &i);

	if (r)
		*r = v;
}

static __attribute__((noinline)) int pull_past(struct xdp_md *ctx, __u32 blen)
{
	return bpf_xdp_pull_data(ctx, blen + 1);
}

SEC("xdp")
int diff_pull_data(struct xdp_md *ctx)
{
	__u32 sel = pkt_sel(ctx), blen = (__u32)bpf_xdp_get_buff_len(ctx);
	int r;

	keep(0, bpf_xdp_pull_data(ctx, blen));
	keep(1, pull_past(ctx, blen));
	keep(2, bpf_xdp_pull_data(ctx, 0));
	r = bpf_xdp_pull_data(ctx, (sel >> 2) % (blen + 40));
	keep(3, r);
	keep(4, bpf_xdp_pull_data(ctx, 14));
	keep(5, bpf_xdp_pull_data(ctx, 0xffffffffu));
	put_result(ctx, 14, (__u32)r);
	return r ? XDP_DROP : XDP_TX;
}
