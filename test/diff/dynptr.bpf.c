// SPDX-License-Identifier: GPL-2.0
/*
 * dynptr.bpf.c - dynamic pointers over the packet (bpf_dynptr_from_xdp),
 * over map values (bpf_dynptr_from_mem; the kernel refuses stack memory)
 * and over a ring buffer record (bpf_ringbuf_reserve_dynptr).
 *
 * Offsets and lengths come from the packet, so that accesses fall in
 * range, at the very end and past it: bpf_dynptr_read / write / data,
 * bpf_dynptr_slice (with and without a buffer), adjust, clone, size,
 * is_null, is_rdonly, copy and memset, bad flags, a dynptr left null by a
 * failed constructor, and a packet dynptr used after bpf_xdp_adjust_head /
 * adjust_tail moved the frame under it.  bpf_dynptr_slice_rdwr is not
 * here: this machine's 6.18 kernel refuses it at load ("is not allowed",
 * in every program type).  Every return
 * value goes to `res`; written bytes show in the packet, the map values and
 * the ring.
 */
#include <stdbool.h>

#include "diff_common.h"

extern int bpf_dynptr_from_xdp(struct xdp_md *x, __u64 flags,
			       struct bpf_dynptr *ptr__uninit) __ksym;
extern void *bpf_dynptr_slice(const struct bpf_dynptr *p, __u32 offset, void *buffer__opt,
			      __u32 buffer__szk) __ksym;
extern void *bpf_dynptr_slice_rdwr(const struct bpf_dynptr *p, __u32 offset,
				   void *buffer__opt, __u32 buffer__szk) __ksym;
extern int bpf_dynptr_adjust(const struct bpf_dynptr *p, __u32 start, __u32 end) __ksym;
extern bool bpf_dynptr_is_null(const struct bpf_dynptr *p) __ksym;
extern bool bpf_dynptr_is_rdonly(const struct bpf_dynptr *p) __ksym;
extern __u32 bpf_dynptr_size(const struct bpf_dynptr *p) __ksym;
extern int bpf_dynptr_clone(const struct bpf_dynptr *p, struct bpf_dynptr *clone__uninit) __ksym;
extern int bpf_dynptr_copy(struct bpf_dynptr *dst_ptr, __u32 dst_off,
			   struct bpf_dynptr *src_ptr, __u32 src_off, __u32 size) __ksym;
extern int bpf_dynptr_memset(struct bpf_dynptr *p, __u32 offset, __u32 size, __u8 val) __ksym;

#define N_RES 24

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, N_RES);
	__type(key, __u32);
	__type(value, __s64);
} res SEC(".maps");

struct blob {
	__u8 b[64];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct blob);
} mem SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8192);
} rb SEC(".maps");

static __always_inline void keep(__u32 i, __s64 v)
{
	__s64 *r = bpf_map_lookup_elem(&res, &i);

	if (r)
		*r = v;
}

static __always_inline __s64 sum64(const __u8 *b)
{
	__s64 s = 0;

	for (int i = 0; i < 64; i++)
		s = s * 31 + b[i];
	return s;
}

/* Each result slot at a time, so a packet leaves only what its case set. */
static __always_inline void clear(void)
{
	for (__u32 i = 0; i < N_RES; i++)
		keep(i, 0x5a5a);
}

/* The packet: create (bad flags too), size, read, write, null dynptrs. */
static __always_inline int rw_case(struct xdp_md *ctx, __u32 sel)
{
	__u32 blen = (__u32)bpf_xdp_get_buff_len(ctx);
	__u32 off = (sel * 7) % (blen + 8), len = (sel >> 4) & 63;
	__u8 buf[64], src[64];
	struct bpf_dynptr d, bad;
	long r;

	__builtin_memset(buf, 0xee, sizeof(buf));
	for (int i = 0; i < 64; i++)
		src[i] = (__u8)(i * 3 + sel);
	keep(0, bpf_dynptr_from_xdp(ctx, 0, &d));
	keep(1, bpf_dynptr_size(&d));
	keep(2, bpf_dynptr_is_null(&d) | bpf_dynptr_is_rdonly(&d) << 1);
	r = bpf_dynptr_read(buf, len, &d, off, 0);
	keep(3, r);
	keep(4, sum64(buf));
	keep(5, bpf_dynptr_read(buf, 1, &d, 0, sel & 4));	/* flags: -EINVAL */
	keep(6, bpf_dynptr_read(buf, len, &d, blen - len, 0));	/* ends at the end */
	keep(7, bpf_dynptr_read(buf, 0, &d, blen, 0));		/* empty, at the end */
	keep(8, bpf_dynptr_read(buf, 0, &d, blen + 1, 0));
	keep(9, sum64(buf));
	keep(10, bpf_dynptr_write(&d, (sel >> 2) % (blen + 4), src, len, 0));
	keep(11, bpf_dynptr_write(&d, 0, src, 1, sel & 8));	/* flags: -EINVAL */
	keep(12, bpf_dynptr_write(&d, blen, src, 0, 0));
	keep(13, bpf_dynptr_data(&d, 0, 8) != 0);		/* NULL for the packet */
	/* past the end and with flags: a write checks the bounds first, a read the flags */
	keep(22, bpf_dynptr_write(&d, blen, src, 1, 1));
	keep(23, bpf_dynptr_read(buf, 1, &d, blen, 1));

	keep(14, bpf_dynptr_from_xdp(ctx, 1 + (sel & 1), &bad));	/* flags */
	keep(15, bpf_dynptr_is_null(&bad) | bpf_dynptr_size(&bad) << 1);
	keep(16, bpf_dynptr_read(buf, 1, &bad, 0, 0));
	keep(17, bpf_dynptr_write(&bad, 0, src, 1, 0));
	keep(18, bpf_dynptr_adjust(&bad, 0, 0));
	keep(19, bpf_dynptr_slice(&bad, 0, buf, 4) != 0);
	keep(20, bpf_dynptr_clone(&bad, &d));
	keep(21, bpf_dynptr_is_null(&d) | bpf_dynptr_size(&d) << 1);
	return r ? XDP_DROP : XDP_TX;
}

/* Slices of the packet: read-only and writable, with and without a buffer. */
static __always_inline int slice_case(struct xdp_md *ctx, __u32 sel)
{
	__u32 blen = (__u32)bpf_xdp_get_buff_len(ctx);
	__u32 off = (sel * 5) % (blen + 4);
	__u8 buf[16];
	struct bpf_dynptr d;
	__u8 *p, *w;

	__builtin_memset(buf, 0, sizeof(buf));
	bpf_dynptr_from_xdp(ctx, 0, &d);
	p = bpf_dynptr_slice(&d, off, (sel & 1) ? buf : 0, sizeof(buf));
	keep(0, p ? (p == buf ? 2 : 1) : 0);
	if (p)
		keep(1, p[0] | p[7] << 8 | (__s64)p[15] << 16);
	p = bpf_dynptr_slice(&d, blen - 4, buf, 4);		/* the last 4 bytes */
	keep(2, p ? (p == buf ? 2 : 1) : 0);
	if (p)
		keep(3, p[0] | p[3] << 8);
	p = bpf_dynptr_slice(&d, blen - 3, buf, 4);		/* one past */
	keep(4, p ? (p == buf ? 2 : 1) : 0);
	keep(6, bpf_dynptr_slice(&d, 0xffffffffu, buf, 1) != 0);
	return XDP_TX;
}

/* adjust and clone: views of one packet that move independently. */
static __always_inline int view_case(struct xdp_md *ctx, __u32 sel)
{
	__u32 blen = (__u32)bpf_xdp_get_buff_len(ctx);
	__u32 start = sel % (blen + 3), end = (sel >> 5) % (blen + 3);
	struct bpf_dynptr d, c;
	__u8 buf[8], src[4] = { 1, 2, 3, 4 };

	__builtin_memset(buf, 0, sizeof(buf));
	bpf_dynptr_from_xdp(ctx, 0, &d);
	keep(0, bpf_dynptr_clone(&d, &c));
	keep(1, bpf_dynptr_adjust(&c, start, end));
	keep(2, bpf_dynptr_size(&c));
	keep(3, bpf_dynptr_size(&d));
	keep(4, bpf_dynptr_read(buf, 8, &c, 0, 0));
	keep(5, buf[0] | buf[7] << 8);
	keep(6, bpf_dynptr_write(&c, 1, src, 4, 0));
	keep(7, bpf_dynptr_adjust(&c, 2, 1));			/* start > end */
	keep(8, bpf_dynptr_adjust(&c, 0, bpf_dynptr_size(&c) + 1));
	keep(9, bpf_dynptr_adjust(&c, 1, bpf_dynptr_size(&c)));
	keep(10, bpf_dynptr_size(&c));
	keep(11, bpf_dynptr_read(buf, 2, &c, 0, 0));
	keep(12, buf[0] | buf[1] << 8);
	keep(13, bpf_dynptr_memset(&c, (sel >> 2) & 7, (sel >> 4) & 15, (__u8)sel));
	keep(14, bpf_dynptr_memset(&d, blen, 0, 1));
	keep(15, bpf_dynptr_memset(&d, blen - 1, 2, 1));
	return XDP_TX;
}

/* Memory dynptrs over map values, and copies to and from the packet. */
static __always_inline int mem_case(struct xdp_md *ctx, __u32 sel)
{
	__u32 k = sel & 1, k2 = k ^ 1, blen = (__u32)bpf_xdp_get_buff_len(ctx);
	__u32 off = (sel >> 1) % 72, len = (sel >> 7) & 31;
	struct bpf_dynptr m, s, d;
	struct blob *v = bpf_map_lookup_elem(&mem, &k), *v2 = bpf_map_lookup_elem(&mem, &k2);
	__u8 buf[32], src[32];
	__u8 *q;

	if (!v || !v2)
		return XDP_ABORTED;
	for (int i = 0; i < 32; i++)
		src[i] = (__u8)(0x80 | i);
	__builtin_memset(buf, 0, sizeof(buf));
	keep(0, bpf_dynptr_from_mem(v, sizeof(*v), 0, &m));
	keep(1, bpf_dynptr_from_mem(v2, 32, sel & 0x100, &s));	/* flags */
	keep(2, bpf_dynptr_size(&m) | (__s64)bpf_dynptr_size(&s) << 16 |
		(__s64)bpf_dynptr_is_null(&s) << 32);
	keep(3, bpf_dynptr_write(&m, off, src, len, 0));
	keep(4, bpf_dynptr_read(buf, len, &m, (sel >> 3) % 72, 0));
	keep(5, buf[0] | buf[31] << 8);
	q = bpf_dynptr_data(&m, (sel >> 2) % 64, 8);
	keep(6, q ? (__s64)(q - v->b) : -1);
	if (q)
		q[0] += 1;
	q = bpf_dynptr_slice(&m, (sel >> 4) % 64, 0, 4);
	keep(7, q ? (__s64)(q - v->b) | (__s64)q[3] << 8 : -1);
	bpf_dynptr_from_xdp(ctx, 0, &d);
	keep(8, bpf_dynptr_copy(&m, (sel >> 5) % 64, &d, (sel >> 6) % (blen + 2), len));
	keep(9, bpf_dynptr_copy(&d, (sel >> 3) % (blen + 2), &m, (sel >> 2) % 64, len));
	keep(10, bpf_dynptr_copy(&m, 0, &m, (sel >> 2) % 64, len));	/* overlapping */
	keep(11, bpf_dynptr_memset(&m, off, len, 0xab));
	keep(12, bpf_dynptr_adjust(&m, 8, 16));
	keep(13, bpf_dynptr_read(buf, 8, &m, 0, 0));
	keep(14, sum64(v->b));
	return XDP_TX;
}

/* A ring buffer record through a dynptr: reserve, write, submit or discard. */
static __always_inline int ring_case(struct xdp_md *ctx, __u32 sel)
{
	/* beyond 600 the 8 KiB ring would fill in a few packets; 9000 never fits */
	__u32 size = (sel & 0x30) == 0x20 ? 9000 : (sel >> 2) % 600;
	__u32 blen = (__u32)bpf_xdp_get_buff_len(ctx);
	struct bpf_dynptr r, d;
	__u8 hdr[8] = { 0xd, 0xe, 0xa, 0xd };

	keep(0, bpf_ringbuf_reserve_dynptr(&rb, size, (sel & 0x30) == 0x30, &r));
	keep(1, bpf_dynptr_is_null(&r) | bpf_dynptr_size(&r) << 1);
	/* all of it first: the rest of a record is the ring's old bytes */
	keep(2, bpf_dynptr_memset(&r, 0, size, 0x11));
	keep(3, bpf_dynptr_write(&r, 0, hdr, 8, 0));
	bpf_dynptr_from_xdp(ctx, 0, &d);
	keep(4, bpf_dynptr_copy(&r, 8, &d, 0, blen < 64 ? blen : 64));
	keep(5, bpf_dynptr_memset(&r, 72, size > 80 ? 8 : 0, 0x22));
	if (sel & 1)
		bpf_ringbuf_submit_dynptr(&r, 0);
	else
		bpf_ringbuf_discard_dynptr(&r, 0);
	keep(6, bpf_ringbuf_query(&rb, BPF_RB_AVAIL_DATA));
	keep(7, bpf_ringbuf_query(&rb, BPF_RB_PROD_POS));
	return XDP_PASS;
}

/* A packet dynptr after the frame moved: the head, then the tail. */
static __always_inline int moved_case(struct xdp_md *ctx, __u32 sel)
{
	int delta = (int)(sel % 40) - 20;
	struct bpf_dynptr d;
	__u8 buf[16], src[4] = { 9, 8, 7, 6 };
	__u8 *p;

	__builtin_memset(buf, 0, sizeof(buf));
	bpf_dynptr_from_xdp(ctx, 0, &d);
	keep(0, bpf_dynptr_size(&d));
	keep(1, (sel & 4) ? bpf_xdp_adjust_head(ctx, delta) : bpf_xdp_adjust_tail(ctx, delta));
	keep(2, bpf_dynptr_size(&d));
	keep(3, bpf_dynptr_read(buf, 16, &d, bpf_dynptr_size(&d) - 16, 0));
	keep(4, buf[0] | buf[15] << 8);
	keep(5, bpf_dynptr_write(&d, bpf_dynptr_size(&d) - 4, src, 4, 0));
	keep(6, bpf_dynptr_slice(&d, bpf_dynptr_size(&d) - 2, 0, 2) != 0);
	keep(7, bpf_xdp_get_buff_len(ctx));
	/* with a buffer: what of the range the frame still has, the rest untouched */
	__builtin_memset(buf, 0x77, sizeof(buf));
	p = bpf_dynptr_slice(&d, bpf_dynptr_size(&d) - 8, buf, 8);
	keep(8, p ? (p == buf ? 2 : 1) : 0);
	if (p)
		keep(9, p[0] | p[3] << 8 | (__s64)p[4] << 16 | (__s64)p[7] << 24);
	return XDP_TX;
}

SEC("xdp")
int diff_dynptr(struct xdp_md *ctx)
{
	__u32 sel = pkt_sel(ctx);

	clear();
	switch ((sel >> 9) % 6) {
	case 0:
		return rw_case(ctx, sel);
	case 1:
		return slice_case(ctx, sel);
	case 2:
		return view_case(ctx, sel);
	case 3:
		return mem_case(ctx, sel);
	case 4:
		return ring_case(ctx, sel);
	default:
		return moved_case(ctx, sel);
	}
}
