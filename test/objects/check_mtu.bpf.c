// SPDX-License-Identifier: GPL-2.0
/*
 * check_mtu.bpf.c - bpf_check_mtu on the ingress device (ifindex 0: the
 * loopback under test_run, and under uxdp-difftest's uxdp side) and by
 * explicit ifindex: the packet's own length, an L3 length in *mtu_len,
 * positive and negative len_diff, lengths at the MTU and one above, the
 * int wrap-around of a huge *mtu_len and of len_diff, a device that does
 * not exist (-ENODEV, *mtu_len untouched) and flags (-EINVAL).  Each call's
 * return value and *mtu_len are stored; the verdict follows the packet.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define NO_SUCH_IFINDEX 0x7ffffff0
#define UNTOUCHED 7

__s64 rc[16];
__u32 mtu[16];

static __always_inline void check(struct xdp_md *ctx, int k, __u32 ifindex, __u32 in,
				  __s32 diff, __u64 flags)
{
	__u32 m = in;

	rc[k] = bpf_check_mtu(ctx, ifindex, &m, diff, flags);
	mtu[k] = m;
}

SEC("xdp")
int xdp_check_mtu(struct xdp_md *ctx)
{
	__u32 len = ctx->data_end - ctx->data, dev_mtu;

	check(ctx, 0, 0, 0, 0, 0);
	dev_mtu = mtu[0];
	check(ctx, 1, 0, 0, dev_mtu + 14 - len, 0);     /* exactly at the limit */
	check(ctx, 2, 0, 0, dev_mtu + 15 - len, 0);     /* one byte over */
	check(ctx, 3, 0, 1500, 0, 0);                   /* an L3 length */
	check(ctx, 4, 0, dev_mtu + 1, 0, 0);            /* L3 length one over */
	check(ctx, 5, 0, dev_mtu + 1, -1, 0);           /* ... less one */
	check(ctx, 6, 0, 0, -100000, 0);
	check(ctx, 7, 0, 0xfffffff5, 0, 0);             /* + 14 wraps to 3 */
	check(ctx, 8, 0, 100, 0x7fffffff, 0);           /* int overflow: negative */
	check(ctx, 9, 1, 0, 0, 0);                      /* loopback by index */
	check(ctx, 10, NO_SUCH_IFINDEX, UNTOUCHED, 0, 0);
	check(ctx, 11, 0, UNTOUCHED, 0, 1);             /* BPF_MTU_CHK_SEGS: not for XDP */
	check(ctx, 12, 1, 0, 65536, 0);
	return len > 100 ? XDP_PASS : XDP_DROP;
}

char _license[] SEC("license") = "GPL";
