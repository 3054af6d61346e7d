// SPDX-License-Identifier: GPL-2.0
/*
 * kfuncs.bpf.c - an XDP program calling kfuncs, for kfunc_test.sh: a
 * bpf_for() loop (the numbers iterator) sums the first bytes, a packet
 * dynptr reads them and writes the sum back, bpf_xdp_pull_data asks for
 * more than the frame has.  A subprogram calls one too, so that a kfunc
 * call in .text is relocated as well.  The verdict and the rewritten
 * bytes say whether each ran as on the kernel.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* the kernel's (6.4+); Debian's uapi header predates it */
struct bpf_iter_num {
	__u64 __opaque[1];
} __attribute__((aligned(8)));

extern int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end) __ksym;
extern int *bpf_iter_num_next(struct bpf_iter_num *it) __ksym;
extern void bpf_iter_num_destroy(struct bpf_iter_num *it) __ksym;
extern int bpf_dynptr_from_xdp(struct xdp_md *x, __u64 flags, struct bpf_dynptr *ptr__uninit) __ksym;
extern __u32 bpf_dynptr_size(const struct bpf_dynptr *p) __ksym;
extern int bpf_xdp_pull_data(struct xdp_md *x, __u32 len) __ksym;

static __attribute__((noinline)) int pull_more(struct xdp_md *ctx, __u32 len)
{
	return bpf_xdp_pull_data(ctx, len + 1);
}

SEC("xdp")
int kfuncs(struct xdp_md *ctx)
{
	struct bpf_iter_num it;
	struct bpf_dynptr d;
	__u8 head[16];
	__u32 sum = 0, len;
	int *v;

	if (bpf_dynptr_from_xdp(ctx, 0, &d))
		return XDP_ABORTED;
	len = bpf_dynptr_size(&d);
	if (bpf_dynptr_read(head, sizeof(head), &d, 0, 0))
		return XDP_DROP;
	bpf_iter_num_new(&it, 0, 16);
	while ((v = bpf_iter_num_next(&it)))
		sum += head[*v & 15] * (*v + 1);
	bpf_iter_num_destroy(&it);
	head[0] = (__u8)sum;
	head[1] = (__u8)(sum >> 8);
	head[2] = (__u8)len;
	head[3] = (__u8)pull_more(ctx, len);
	bpf_dynptr_write(&d, 14, head, 4, 0);
	return sum & 1 ? XDP_TX : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
