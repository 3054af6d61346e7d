// SPDX-License-Identifier: GPL-2.0
/*
 * may_goto_budget.bpf.c - a loop only cond_break (may_goto) ends: uxdp
 * gives each frame BPF_MAX_LOOPS (8M) passes, as the kernel's count did
 * before 6.15; 6.15+ x86-64 refills the count for about 250 ms of run time
 * instead, so the kernel's number varies and this object is not
 * difftested (runtime.may_goto_budget checks uxdp's 8388608).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#define cond_break ({ __label__ l_break, l_continue; asm volatile goto("may_goto %l[l_break]" :::: l_break); goto l_continue; l_break: break; l_continue:; })
__u64 iters;
SEC("xdp") int mg(struct xdp_md *ctx)
{
	__u64 i = 0;
	volatile __u64 x = 1;
	while (x) { cond_break; i++; }
	iters = i;
	return XDP_PASS;
}
char LICENSE[] SEC("license") = "GPL";
