// SPDX-License-Identifier: GPL-2.0
/*
 * loop_lock_edges.bpf.c - bpf_loop's edges: nr_loops 0, 1, and the maximum
 * 1 << 23 (BPF_MAX_LOOPS) with the callback stopping at a packet-chosen
 * iteration (so the kernel does not run 8M iterations per packet);
 * 1 << 23 + 1 and 0xffffffff (-E2BIG, callback never called); non-zero
 * flags (-EINVAL); a 64-bit count whose low 32 bits are small (the helper
 * takes a u32). Also bpf_spin_lock in a hash map value (not only in an
 * array): lookup-or-insert, then lock/update/unlock.
 */
#include "diff_common.h"

struct locked {
	struct bpf_spin_lock lock;
	__u32 n;
	__u64 sum;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, struct locked);
} lkh SEC(".maps");

/* res[case]: last bpf_loop return; res[16 + case]: callback calls */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 32);
	__type(key, __u32);
	__type(value, __s64);
} res SEC(".maps");

struct lctx {
	__u64 calls;
	__u64 stop;
	__u64 last;
};

static long cb(__u64 i, void *data)
{
	struct lctx *l = data;

	l->calls++;
	l->last = i;
	return i >= l->stop;
}

static __always_inline void keep(__u32 i, __s64 v)
{
	__s64 *r = bpf_map_lookup_elem(&res, &i);

	if (r)
		*r = v;
}

SEC("xdp")
int diff_loop_lock_edges(struct xdp_md *ctx)
{
	__u32 sel = pkt_sel(ctx), c = sel & 7, key = (sel >> 3) & 15;
	struct lctx l = { .stop = (sel >> 3) & 1023 };
	struct locked init = {}, *v;
	__u64 n, flags = 0;
	long ret;

	switch (c) {
	case 0: n = 0; break;
	case 1: n = 1; break;
	case 2: n = 1 << 23; break;			/* stops at l.stop */
	case 3: n = (1 << 23) + 1; break;		/* E2BIG */
	case 4: n = 0xffffffffULL; break;		/* E2BIG */
	case 5: n = 1000; flags = 1 + (sel >> 13); break; /* EINVAL */
	case 6: n = (1ULL << 32) | 7; break;		/* a u32: 7 */
	default: n = 100000; l.stop = 1ULL << 40; break;	/* runs to the end */
	}
	ret = bpf_loop(n, cb, &l, flags);
	keep(c, ret);
	keep(8 + c, (__s64)l.last);
	keep(16 + c, (__s64)l.calls);
	put_result(ctx, 14, (__u32)ret);
	put_result(ctx, 18, (__u32)l.calls);

	v = bpf_map_lookup_elem(&lkh, &key);
	if (!v) {
		bpf_map_update_elem(&lkh, &key, &init, BPF_NOEXIST);
		v = bpf_map_lookup_elem(&lkh, &key);
	}
	if (v) {
		bpf_spin_lock(&v->lock);
		v->n++;
		v->sum += (__u64)ret + l.calls;
		bpf_spin_unlock(&v->lock);
	}
	return ret < 0 ? XDP_DROP : XDP_PASS;
}
