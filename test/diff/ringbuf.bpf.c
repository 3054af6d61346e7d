// SPDX-License-Identifier: GPL-2.0
/*
 * ringbuf.bpf.c - bpf_ringbuf_output, reserve + submit, reserve + discard
 * (with and without BPF_RB_NO_WAKEUP / FORCE_WAKEUP), a reserve too large
 * for the ring (NULL), and bpf_ringbuf_query of the available data, ring
 * size and positions, stored in `rq` and the packet. The ring (4 pages)
 * fills up after a few hundred packets, so later reserves fail too.
 */
#include "diff_common.h"

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16384);
} rb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} rq SEC(".maps");

struct rec {
	__u32 sel;
	__u32 len;
	__u8 head[16];
};

static __always_inline void keep(__u32 i, __u64 v)
{
	__u64 *r = bpf_map_lookup_elem(&rq, &i);

	if (r)
		*r = v;
}

SEC("xdp")
int diff_ringbuf(struct xdp_md *ctx)
{
	__u8 *p = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u32 sel = pkt_sel(ctx);
	__u64 wake = (sel & 0x30) == 0x10 ? BPF_RB_NO_WAKEUP :
		     (sel & 0x30) == 0x20 ? BPF_RB_FORCE_WAKEUP : 0;
	struct rec r = { .sel = sel, .len = pkt_len(ctx) }, *e;
	long ret = 0;
	void *big;

	if ((void *)(p + 16) <= end)
		__builtin_memcpy(r.head, p, 16);
	switch (sel & 3) {
	case 0:
		ret = bpf_ringbuf_output(&rb, &r, sizeof(r), wake);
		break;
	case 1:
	case 2:
		e = bpf_ringbuf_reserve(&rb, sizeof(*e), 0);
		if (!e) {
			ret = -1;
			break;
		}
		*e = r;
		if ((sel & 3) == 1)
			bpf_ringbuf_submit(e, wake);
		else
			bpf_ringbuf_discard(e, wake);
		break;
	default:
		big = bpf_ringbuf_reserve(&rb, 32768, 0);	/* larger than the ring */
		ret = big ? 1 : -2;
		if (big)
			bpf_ringbuf_discard(big, 0);
		break;
	}
	keep(0, (__u64)ret);
	keep(1, bpf_ringbuf_query(&rb, BPF_RB_AVAIL_DATA));
	keep(2, bpf_ringbuf_query(&rb, BPF_RB_RING_SIZE));
	keep(3, bpf_ringbuf_query(&rb, BPF_RB_CONS_POS));
	keep(4, bpf_ringbuf_query(&rb, BPF_RB_PROD_POS));
	keep(5, bpf_ringbuf_query(&rb, 99));		/* unknown flag: 0 */
	put_result(ctx, 14, (__u32)bpf_ringbuf_query(&rb, BPF_RB_AVAIL_DATA));
	return ret < 0 ? XDP_DROP : XDP_PASS;
}
