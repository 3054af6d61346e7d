// SPDX-License-Identifier: GPL-2.0
/*
 * redirect_misc.bpf.c - bpf_redirect with flags 0 (XDP_REDIRECT) and
 * non-zero (XDP_ABORTED); bpf_redirect_map on a devmap whose slots are all
 * empty, so the lookup misses and the lower bits of flags give the verdict
 * (0: XDP_ABORTED, XDP_PASS, XDP_DROP, XDP_TX); and helpers whose values
 * differ between runs, kept only as comparisons: ktime_get_ns (non-zero,
 * monotonic across two calls), get_prandom_u32 (two calls, counted, not
 * stored), get_smp_processor_id (below 4096 and stable within a run).
 */
#include "diff_common.h"

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u32);
} dev SEC(".maps");

/* facts[0] ktime ok, [1] prandom calls, [2] cpu ok, [3] last verdict */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} facts SEC(".maps");

static __always_inline void fact(__u32 i, __u64 v)
{
	__u64 *f = bpf_map_lookup_elem(&facts, &i);

	if (f)
		*f = v;
}

SEC("xdp")
int diff_redirect_misc(struct xdp_md *ctx)
{
	__u32 sel = pkt_sel(ctx), cpu = bpf_get_smp_processor_id();
	__u64 t0 = bpf_ktime_get_ns(), t1 = bpf_ktime_get_ns();
	__u32 r0 = bpf_get_prandom_u32(), r1 = bpf_get_prandom_u32();
	long verdict;

	fact(0, t0 != 0 && t1 >= t0);
	fact(1, (r0 | 1) != 0 && (r1 | 1) != 0 ? 2 : 0);
	fact(2, cpu < 4096 && cpu == bpf_get_smp_processor_id());

	switch (sel & 7) {
	case 0:
		verdict = bpf_redirect(1 + (sel >> 3) % 8, 0);
		break;
	case 1:
		verdict = bpf_redirect(1, 1 + ((sel >> 3) & 7));	/* any flag: aborted */
		break;
	default:
		verdict = bpf_redirect_map(&dev, (sel >> 3) & 15, (sel >> 7) & 3);
		break;
	}
	fact(3, (__u64)verdict);
	put_result(ctx, 14, (__u32)verdict);
	return (int)verdict;
}
