// SPDX-License-Identifier: GPL-2.0
/*
 * perf_output.bpf.c - bpf_perf_event_output return codes. No perf event is
 * attached to any slot (difftest cannot open one for uxdp), so a valid call
 * fails with -ENOENT on both sides; the argument checks come first:
 * unknown flag bits -EINVAL, a BPF_F_CTXLEN_MASK length over the packet
 * -EFAULT, an index at or past max_entries -E2BIG, BPF_F_CURRENT_CPU the
 * slot of CPU 0. `events` has no max_entries (libbpf and uxdpc make it the
 * number of possible CPUs); `events4` has 4. Return codes go to `res`.
 */
#include "diff_common.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(max_entries, 4);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} events4 SEC(".maps");

/* res[i]: last return code of case i, res[16 + i]: how often case i ran */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 32);
	__type(key, __u32);
	__type(value, __s64);
} res SEC(".maps");

SEC("xdp")
int diff_perf_output(struct xdp_md *ctx)
{
	__u32 sel = pkt_sel(ctx), len = pkt_len(ctx), c = sel & 15, i;
	__u64 rec[8] = { sel, len, 1, 2, 3, 4, 5, 6 };
	__u64 flags;
	__u32 size = ((sel >> 4) & 7) * 8;
	__s64 *r;
	long ret;

	switch (c) {
	case 0: flags = BPF_F_CURRENT_CPU; break;
	case 1: flags = 0; break;
	case 2: flags = 3; break;
	case 3: flags = 4; break;				/* E2BIG on events4 */
	case 4: flags = 0xfffffffeULL; break;			/* E2BIG */
	case 5: flags = BPF_F_CURRENT_CPU | ((__u64)len << 32); break;
	case 6: flags = BPF_F_CURRENT_CPU | ((__u64)(len + 1) << 32); break; /* EFAULT */
	case 7: flags = 1ULL << 52; break;			/* EINVAL */
	case 8: flags = 1ULL << 63; break;			/* EINVAL */
	case 9: flags = BPF_F_CTXLEN_MASK; break;		/* EFAULT */
	case 10: flags = 7 | ((__u64)(len + 1) << 32); break;	/* EFAULT before E2BIG */
	case 11: flags = (1ULL << 60) | 9; break;		/* EINVAL before E2BIG */
	default: flags = (sel >> 8) & 7; break;
	}
	if (sel & 0x800)
		ret = bpf_perf_event_output(ctx, &events4, flags, rec, size);
	else
		ret = bpf_perf_event_output(ctx, &events, flags, rec, size);
	i = c;
	r = bpf_map_lookup_elem(&res, &i);
	if (r)
		*r = ret;
	i = 16 + c;
	r = bpf_map_lookup_elem(&res, &i);
	if (r)
		*r += 1;
	put_result(ctx, 14, (__u32)ret);
	return ret == -2 ? XDP_PASS : XDP_DROP;
}
