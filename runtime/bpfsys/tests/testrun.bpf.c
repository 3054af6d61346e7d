// SPDX-License-Identifier: GPL-2.0
/*
 * testrun.bpf.c - the program BPF_PROG_TEST_RUN runs on the kernel and
 * under uxdp-run (testrun_test.sh): byte 12 of the frame picks what it does
 * (the xdp_adjust_* helpers at and past their limits, metadata written and
 * read, a MAC swap), and every run leaves traces in two maps.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} trace SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} seen SEC(".maps");

enum { T_RUNS, T_IFINDEX, T_QUEUE, T_META, T_ADJUST, T_LEN };

static __always_inline void set(__u32 k, __u64 v)
{
	bpf_map_update_elem(&trace, &k, &v, BPF_ANY);
}

static __always_inline void add(__u32 k, __u64 v)
{
	__u64 *p = bpf_map_lookup_elem(&trace, &k);

	if (p)
		__sync_fetch_and_add(p, v);
}

SEC("xdp")
int xdp_tr(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	__u8 *p = data, op;
	__u64 one = 1, *v;
	__u32 key;
	long r;

	add(T_RUNS, 1);
	set(T_IFINDEX, ctx->ingress_ifindex);
	set(T_QUEUE, ctx->rx_queue_index);
	if (p + 14 > (__u8 *)end)
		return XDP_ABORTED;
	op = p[12];
	set(T_LEN, (__u64)(end - data));
	switch (op) {
	case 1: /* grow at the front, fill what appeared */
		r = bpf_xdp_adjust_head(ctx, -16);
		set(T_ADJUST, r);
		p = (void *)(long)ctx->data;
		if (p + 16 > (__u8 *)(long)ctx->data_end)
			return XDP_ABORTED;
		for (int i = 0; i < 16; i++)
			p[i] = 0xa0 + i;
		return XDP_TX;
	case 2:
		set(T_ADJUST, bpf_xdp_adjust_head(ctx, 14));
		return XDP_PASS;
	case 3:
		set(T_ADJUST, bpf_xdp_adjust_tail(ctx, -4));
		return XDP_PASS;
	case 4:
		set(T_ADJUST, bpf_xdp_adjust_tail(ctx, 100));
		return XDP_PASS;
#ifndef TESTRUN_NO_META /* for kernels built without bpf_xdp_adjust_meta */
	case 5: { /* metadata written */
		__u32 *m;

		r = bpf_xdp_adjust_meta(ctx, -8);
		set(T_ADJUST, r);
		m = (void *)(long)ctx->data_meta;
		if (r || (void *)(m + 2) > (void *)(long)ctx->data)
			return XDP_ABORTED;
		m[0] = 0x11223344;
		m[1] = 0x55667788;
		return XDP_PASS;
	}
#endif
	case 6: { /* metadata read (the caller's, through ctx_in) */
		__u32 *m = (void *)(long)ctx->data_meta;

		if ((void *)(m + 1) <= (void *)(long)ctx->data)
			add(T_META, *m);
		set(T_ADJUST, (__u64)((long)ctx->data - (long)ctx->data_meta));
		return XDP_DROP;
	}
	case 7: /* past the headroom: refused */
		set(T_ADJUST, bpf_xdp_adjust_head(ctx, -300));
		return XDP_PASS;
	case 8: /* past the tailroom: refused */
		set(T_ADJUST, bpf_xdp_adjust_tail(ctx, 4000));
		return XDP_PASS;
	case 9: { /* MAC swap: repeat runs see their own output */
		__u8 t[6];

		for (int i = 0; i < 6; i++)
			t[i] = p[i];
		for (int i = 0; i < 6; i++)
			p[i] = p[6 + i];
		for (int i = 0; i < 6; i++)
			p[6 + i] = t[i];
		p[13]++;
		return XDP_TX;
	}
	case 10:
		return XDP_REDIRECT;
	default:
		key = p[13];
		v = bpf_map_lookup_elem(&seen, &key);
		if (v)
			__sync_fetch_and_add(v, 1);
		else
			bpf_map_update_elem(&seen, &key, &one, BPF_NOEXIST);
		return XDP_PASS;
	}
}

char _license[] SEC("license") = "GPL";
