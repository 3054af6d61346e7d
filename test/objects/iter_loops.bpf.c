// SPDX-License-Identifier: GPL-2.0
/*
 * iter_loops.bpf.c - modern loops: bpf_for()/bpf_repeat() (the numbers
 * iterator kfuncs bpf_iter_num_new/next/destroy) and cond_break (the
 * may_goto instruction), with packet-chosen bounds.  Also an empty range,
 * start > end (-EINVAL) and a range longer than 8M (-E2BIG).  Sums and
 * return codes land in `results`.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>

struct bpf_iter_num;
extern int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end) __ksym;
extern int *bpf_iter_num_next(struct bpf_iter_num *it) __ksym;
extern void bpf_iter_num_destroy(struct bpf_iter_num *it) __ksym;

/* The kernel's iterator state: 8 bytes on the stack (uapi bpf.h, 6.4+). */
struct bpf_iter_num {
	__u64 __opaque[1];
} __attribute__((aligned(8)));

/* As bpf_experimental.h / bpf_helpers.h of newer libbpf spell them. */
#define bpf_for(i, start, end)                                                         \
	for (struct bpf_iter_num ___it __attribute__((aligned(8),                     \
						      cleanup(bpf_iter_num_destroy))),  \
	     *___p __attribute__((unused)) = (bpf_iter_num_new(&___it, (start), (end)),  \
					      (void)bpf_iter_num_destroy, (void *)0);   \
	     ({                                                                         \
		     int *___t = bpf_iter_num_next(&___it);                            \
		     (___t && ((i) = *___t, 1));                                        \
	     });)

#define cond_break                                                             \
	({                                                                     \
		__label__ l_break, l_continue;                                 \
		asm volatile goto("may_goto %l[l_break]" :::: l_break);       \
		goto l_continue;                                               \
	l_break:                                                               \
		break;                                                         \
	l_continue:;                                                           \
	})

__s64 results[12];

SEC("xdp")
int xdp_iter_loops(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	unsigned char *p = data;
	struct bpf_iter_num it;
	int i, n, start, sum = 0, *v;
	__u64 bytes = 0;

	if ((void *)(p + 16) > data_end)
		return XDP_DROP;
	n = p[12] & 0x3f;        /* 0..63 */
	start = (int)(p[13] & 0x0f) - 8;
	bpf_for(i, start, n)
		sum += i;
	results[0] += sum;
	/* A loop the verifier cannot bound: cond_break ends it (Collatz steps). */
	bytes = (p[15] | 1) + 2;
	for (i = 0; bytes != 1; i++) {
		cond_break;
		bytes = bytes & 1 ? 3 * bytes + 1 : bytes / 2;
	}
	results[1] += i;
	/* Explicit iterator: empty, inverted (-EINVAL), too long (-E2BIG). */
	results[2] = bpf_iter_num_new(&it, n, n);
	results[3] = bpf_iter_num_next(&it) ? 1 : 0;
	bpf_iter_num_destroy(&it);
	results[4] = bpf_iter_num_new(&it, n + 1, n);
	results[5] = bpf_iter_num_next(&it) ? 1 : 0;
	bpf_iter_num_destroy(&it);
	results[6] = bpf_iter_num_new(&it, 0, (8 << 20) + 1 + n);
	results[7] = bpf_iter_num_next(&it) ? 1 : 0;
	bpf_iter_num_destroy(&it);
	/* A repeat loop counting down a packet byte. */
	n = p[14] & 7;
	bpf_iter_num_new(&it, 0, n);
	while ((v = bpf_iter_num_next(&it)))
		results[8] += *v * 3;
	bpf_iter_num_destroy(&it);
	return sum & 1 ? XDP_TX : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
