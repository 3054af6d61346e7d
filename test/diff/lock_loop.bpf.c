// SPDX-License-Identifier: GPL-2.0
/*
 * lock_loop.bpf.c - bpf_spin_lock/unlock around an update of a map value
 * that holds a struct bpf_spin_lock, and bpf_loop over up to 64 iterations
 * whose callback breaks early (returns 1) at a packet-chosen iteration;
 * the loop also reads packet bytes through its context. bpf_loop's return
 * (iterations done) and the callback's sum go to the map and the packet.
 */
#include "diff_common.h"

struct locked {
	struct bpf_spin_lock lock;
	__u32 count;
	__u64 total;
	__u32 last_iters;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct locked);
} lk SEC(".maps");

struct loop_ctx {
	struct xdp_md *xdp;
	__u32 stop;
	__u64 sum;
};

static long step(__u64 i, void *data)
{
	struct loop_ctx *lc = data;
	__u8 *p = (void *)(long)lc->xdp->data;
	void *end = (void *)(long)lc->xdp->data_end;
	__u32 off = (__u32)i & 63;

	if (i == lc->stop)
		return 1;
	if ((void *)(p + off + 1) <= end)
		lc->sum = lc->sum * 33 + p[off];
	else
		lc->sum += i;
	return 0;
}

SEC("xdp")
int diff_lock_loop(struct xdp_md *ctx)
{
	__u32 sel = pkt_sel(ctx), key = sel & 3;
	struct loop_ctx lc = { .xdp = ctx, .stop = (sel >> 2) & 127 };
	struct locked *v;
	long iters;

	/* 64 iterations; stop >= 64 never breaks */
	iters = bpf_loop(64, step, &lc, 0);
	v = bpf_map_lookup_elem(&lk, &key);
	if (v) {
		bpf_spin_lock(&v->lock);
		v->count++;
		v->total += lc.sum;
		v->last_iters = (__u32)iters;
		bpf_spin_unlock(&v->lock);
	}
	put_result(ctx, 14, (__u32)iters);
	put_result(ctx, 18, (__u32)lc.sum);
	return iters == 64 ? XDP_PASS : XDP_TX;
}
