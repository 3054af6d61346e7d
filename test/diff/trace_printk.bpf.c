// SPDX-License-Identifier: GPL-2.0
/*
 * trace_printk.bpf.c - bpf_trace_printk's return value, the length of the
 * formatted line (or -EINVAL), over formats the kernel accepts (%d %i %u
 * %x %X with l/ll, widths and the 0 + - ' ' flags, %c, %s from the stack,
 * %pI4/%pi4/%pI6/%pi6, %px, %%, an address text near the end of the
 * 1024-byte output) and refuses ('#', precision, unknown
 * conversions, a fourth conversion, %n). Numbers come from the packet, so
 * lengths vary. Each case's last return code and count go to `res`.
 */
#include "diff_common.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __s64);
} res SEC(".maps");

#define P(fmt, ...) ({ static const char ____f[] = fmt; \
	bpf_trace_printk(____f, sizeof(____f), ##__VA_ARGS__); })

SEC("xdp")
int diff_trace_printk(struct xdp_md *ctx)
{
	__u32 sel = pkt_sel(ctx), len = pkt_len(ctx), c = sel % 32, i;
	__s64 a = (__s64)(__s32)(sel * 2654435761u), b = sel >> 3;
	__u8 ip6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
	char s[16] = "uxdp-";
	__u8 ip4[4] = { 198, 18, (__u8)sel, (__u8)(sel >> 8) };
	__s64 *r;
	long ret;

	s[5] = 'a' + (sel & 15);
	s[6 + (sel & 7)] = 0;
	ip6[15] = (__u8)sel;
	switch (c) {
	case 0: ret = P("hello\n"); break;
	case 1: ret = P(""); break;
	case 2: ret = P("%d", a); break;
	case 3: ret = P("%u %x", a, b); break;
	case 4: ret = P("%lld|%llx|%llu", a, a, b); break;
	case 5: ret = P("%5d|%-5u|%05x", a, b, b); break;
	case 6: ret = P("%c%c", 'a' + (sel & 15), 'A'); break;
	case 7: ret = P("s=%s len=%u", s, len); break;
	case 8: ret = P("%pI4", ip4); break;
	case 9: ret = P("%pi4 %pI6", ip4, ip6); break;
	case 10: ret = P("%pi6", ip6); break;
	case 11: ret = P("%px", a); break;
	case 12: ret = P("100%%"); break;
	case 13: ret = P("%y", a); break;			/* EINVAL */
	case 14: ret = P("%d %d %d %d", a, b, a); break;	/* EINVAL: 4 conversions */
	case 15: ret = P("%#x", a); break;			/* EINVAL */
	case 16: ret = P("%.3d", a); break;			/* EINVAL */
	case 17: ret = P("%+d|% d|%X", a, a, b); break;
	case 18: ret = P("%ld %lu %lx", a, a, a); break;
	case 19: ret = P("%i %li %lli", a, a, a); break;
	case 20: ret = P("%n", a); break;			/* EINVAL */
	case 21: ret = P("%12s|%-8s|", s, s); break;
	case 22: ret = P("%hd", a); break;			/* EINVAL */
	case 23: ret = P("%llX %lX", a, b); break;
	case 24: ret = P("%020llu", b); break;
	case 25: ret = P("tab\there %c", 'z'); break;
	case 26: ret = P("%"); break;				/* EINVAL */
	case 27: ret = P("%s", ""); break;
	case 28: ret = P("%520d%pI4", a, ip4); break;	/* the 1024-byte output holds it */
	case 29: ret = P("%1030d%pI4", a, ip4); break;	/* full: the text is not counted */
	default: ret = P("%d:%u:%x", (int)sel, len, b); break;
	}
	i = c;
	r = bpf_map_lookup_elem(&res, &i);
	if (r)
		*r = ret;
	i = 32 + c;
	r = bpf_map_lookup_elem(&res, &i);
	if (r)
		*r += 1;
	put_result(ctx, 14, (__u32)ret);
	return ret < 0 ? XDP_DROP : XDP_PASS;
}
