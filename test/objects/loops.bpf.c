// SPDX-License-Identifier: GPL-2.0
/*
 * loops.bpf.c - loops the lifter must handle as real control flow: bounded
 * loops with unrolling disabled (so the bytecode keeps its back edges, which
 * the kernel accepts since 5.3), a nested loop, and bpf_loop() with a
 * callback function (helper 181).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define SUM_BYTES 60

struct loop_ctx {
	__u32 acc;
	__u32 seed;
};

/* bpf_loop callback: returning 1 stops the loop early. */
static int step(__u32 i, void *arg)
{
	struct loop_ctx *lc = arg;

	lc->acc = lc->acc * 31 + (i ^ lc->seed);
	return lc->acc == 0 ? 1 : 0;
}

SEC("xdp")
int xdp_loops(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct loop_ctx lc = { .acc = 1, .seed = ctx->rx_queue_index };
	__u32 sum = 0, i, j, grid = 0;
	__u8 *p = data;

	/* Back edge with a packet bounds check inside. */
#pragma clang loop unroll(disable)
	for (i = 0; i < SUM_BYTES; i++) {
		if ((void *)(p + i + 1) > data_end)
			break;
		sum += p[i];
	}

	/* A nested pair of counted loops. */
#pragma clang loop unroll(disable)
	for (i = 0; i < 4; i++) {
#pragma clang loop unroll(disable)
		for (j = 0; j < 4; j++)
			grid += (i + 1) * (j + sum);
	}

	bpf_loop(16, step, &lc, 0);

	if ((sum + grid + lc.acc) % 3 == 0)
		return XDP_DROP;
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
