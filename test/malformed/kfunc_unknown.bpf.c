// SPDX-License-Identifier: GPL-2.0
/* kfunc_unknown.bpf.c - calls a kfunc uxdp does not provide: refused. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern int bpf_kfunc_nobody_has(int x) __ksym;

SEC("xdp")
int xdp_kfunc(struct xdp_md *ctx)
{
	return bpf_kfunc_nobody_has(ctx->rx_queue_index) ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
