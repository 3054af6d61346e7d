// SPDX-License-Identifier: GPL-2.0
/*
 * rodata_const.bpf.c - branches on .rodata configuration.  Plain `const`
 * globals: uxdpc folds their loads into the object's bytes
 * (passes/rodata_fold.c); `hide` keeps clang from folding them first, as a
 * pointer handed through a subprogram or inline asm does in real programs.
 * `const volatile` globals: rodata_const.conf sets them before load, as a
 * skeleton does, to values other than their initial ones, so a load folded
 * by mistake takes the other path.  Also a signed byte of each kind, a
 * table read at a packet-chosen and at a constant index, a string literal
 * (.rodata.str1.1), and a load straddling two variables.
 */
#include "diff_common.h"

#define hide(p) asm volatile("" : "+r"(p))

struct cfg {
	__u32 mode;
	__s8 delta;
	__u16 port;
	__u64 mask;
};

const struct cfg fixed = { .mode = 2, .delta = -5, .port = 53, .mask = 0xff00ff00ff00ff00ull };
const volatile struct cfg tuned = { .mode = 1, .delta = 9, .port = 80, .mask = 0xffff };
const volatile __u32 cv_limit = 100;
const __u8 weights[16] = { 3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3 };
const __u32 pair_lo = 0x01020304;
const __u32 pair_hi = 0x05060708;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} results SEC(".maps");

SEC("xdp")
int diff_rodata_const(struct xdp_md *ctx)
{
	const struct cfg *f = &fixed;
	const __u8 *w = weights;
	const __u32 *lo = &pair_lo;
	const char *s = "ping";
	__u32 sel = pkt_sel(ctx), len = pkt_len(ctx), key = sel & 7;
	__u64 acc = 0, *r;

	hide(f);
	hide(w);
	hide(lo);
	hide(s);
	if (f->mode == 2)
		acc |= 1;
	if (tuned.mode == 3)
		acc |= 2;
	if ((__s32)(sel & 0xf) + f->delta < 0)
		acc |= 4;
	if ((__s32)(sel & 0xf) + tuned.delta < 0)
		acc |= 8;
	if (len > cv_limit)
		acc |= 16;
	if (s[sel & 3] == 'i')
		acc |= 32;
	if (s[1] == 'i')
		acc |= 64;
	acc += (__u64)w[sel & 15] << 8;
	acc += (__u64)w[3] << 16;
	acc ^= ((__u64)sel * 0x9e3779b97f4a7c15ull) & f->mask;
	acc ^= ((__u64)sel << 24) & tuned.mask;
	acc += *(const __u64 *)lo >> (sel & 31);

	r = bpf_map_lookup_elem(&results, &key);
	if (r)
		*r += acc;
	put_result(ctx, 14, (__u32)acc);
	put_result(ctx, 18, (__u32)(acc >> 32));
	if (tuned.port == 443 && (sel & 0x30) == 0x30)
		return XDP_DROP;
	if (f->port == 53 && (sel & 0x30) == 0x10)
		return XDP_TX;
	return XDP_PASS;
}
