// SPDX-License-Identifier: GPL-2.0
/*
 * snprintf.bpf.c - bpf_snprintf's output bytes and return value (the
 * formatted length plus one for the NUL) over formats the kernel accepts
 * at load time: %d %i %u %x %X with l/ll, widths and the 0 + - ' ' flags,
 * %c, %s from the stack, %pI4/%pi4/%pI6 with and without a width, %px with
 * and without one, %%, 12 arguments; outputs truncated by a small or zero
 * size, and strings that overflow the kernel's 512 bytes of packed
 * arguments (-ENOSPC, the output untouched).  And bstr_printf's ways with
 * what bpf_bprintf_prepare stored as text (%pI4, %pI6, %pks): no width, the
 * text's length in the 512 bytes, and, once the output is full, the text
 * neither printed nor counted and the next conversion reading the packed
 * text as its number; a string argument that is the output buffer itself
 * (read before anything is written).  Numbers come from the packet.
 * Each case's output (a 64-byte buffer pre-filled with '#') and return
 * value go to `res`, the first bytes of the output to the packet.
 */
#include "diff_common.h"

struct out {
	__s64 ret;
	char buf[64];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 32);
	__type(key, __u32);
	__type(value, struct out);
} res SEC(".maps");

#define S(size, fmt, ...) ({ static const char ____f[] = fmt;                 \
	__u64 ____a[] = { __VA_ARGS__ };                                      \
	bpf_snprintf(o->buf, size, ____f, ____a, sizeof(____a)); })

char long_str[501]; /* too big for the stack */

SEC("xdp")
int diff_snprintf(struct xdp_md *ctx)
{
	__u32 sel = pkt_sel(ctx), len = pkt_len(ctx), c = sel % 32, i;
	__s64 a = (__s64)(__s32)(sel * 2654435761u), b = sel >> 3;
	__u8 ip6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
	__u8 ip4[4] = { 198, 18, (__u8)sel, (__u8)(sel >> 8) };
	char s[16] = "uxdp-", big[120];
	struct out *o;
	long ret;

	s[5] = 'a' + (sel & 15);
	s[6 + (sel & 7)] = 0;
	ip6[15] = (__u8)sel;
	for (i = 0; i < sizeof(big) - 1; i++)
		big[i] = 'a' + (i + sel) % 26;
	big[sizeof(big) - 1] = 0;
	for (i = 0; i < sizeof(long_str) - 1; i++)
		long_str[i] = 'A' + (i + sel) % 26;
	long_str[sizeof(long_str) - 1] = 0;
	i = c;
	o = bpf_map_lookup_elem(&res, &i);
	if (!o)
		return XDP_ABORTED;
	__builtin_memset(o->buf, '#', sizeof(o->buf));
	switch (c) {
	case 0: ret = S(64, "hello"); break;
	case 1: ret = S(64, "%d|%u|%x", a, b, b); break;
	case 2: ret = S(64, "%lld %llx %llu", a, a, b); break;
	case 3: ret = S(64, "%5d|%-5u|%05x|%+d|% d", a, b, b, a, a); break;
	case 4: ret = S(64, "%s=%c", (__u64)(long)s, 'a' + (sel & 15)); break;
	case 5: ret = S(64, "%pI4 %pi4", (__u64)(long)ip4, (__u64)(long)ip4); break;
	case 6: ret = S(64, "%pI6", (__u64)(long)ip6); break;
	case 7: ret = S(64, "%20px|%px|%-18px|", a, a, b); break;
	case 8: ret = S(8, "%d-%d-%d", a, a, a); break;
	case 9: ret = bpf_snprintf(0, 0, "abc", 0, 0); break;
	case 10: ret = S(64, "%s%s%s%s%s", (__u64)(long)big, (__u64)(long)big, (__u64)(long)big,
			 (__u64)(long)big, (__u64)(long)big); break; /* -ENOSPC */
	case 11: ret = S(64, "%d%i%u%x%X%d%i%u%x%X%d%d", a, a, a, a, a, b, b, b, b, b, a, b); break;
	case 12: ret = S(64, "%100d|", a); break;
	case 13: ret = S(64, "%-20s|%20s|", (__u64)(long)s, (__u64)(long)s); break;
	case 14: ret = S(64, "%020llu", b); break;
	case 15: ret = S(64, "100%% %c", 'z'); break;
	case 16: ret = S(64, "%c%c%c", 'a' + (sel & 7), 'B', ' '); break;
	case 17: ret = S(64, "%X %lX %llX", a, a, a); break;
	case 18: ret = S(64, "[%20pI4][%-16pi4]", (__u64)(long)ip4, (__u64)(long)ip4); break;
	case 19: ret = S(64, "%s|", (__u64)(long)""); break;
	case 20: ret = S(1, "%d", a); break;
	case 21: ret = S(0, "%d", a); break;
	case 22: ret = S(64, "%-08d|%0-8d|%08d", a, a, a); break;
	case 23: ret = S(0, "%pI4", (__u64)(long)ip4); break;
	case 24: ret = S(2, "ab%pI4 %d", (__u64)(long)ip4, 77); break; /* %d reads the text */
	case 25: ret = S(64, "%10pks|%-9pks|", (__u64)(long)s, (__u64)(long)s); break;
	case 26: ret = S(64, "%s%pI4%d", (__u64)(long)long_str, (__u64)(long)ip4, 1); break;
	case 27: ret = S(64, "%s%pI6%d", (__u64)(long)(long_str + 30), (__u64)(long)ip6, 1); break;
	case 28: ret = S(4, "%pi6|%d", (__u64)(long)ip6, 9); break;
	case 29: ret = S(0, "x%pI4y%d", (__u64)(long)ip4, 3); break;
	case 30: /* the output buffer is the string argument */
		__builtin_memcpy(o->buf, "abc", 4);
		ret = S(64, "x%s|%s", (__u64)(long)o->buf, (__u64)(long)o->buf);
		break;
	default: ret = S(64, "%d:%u:%x", sel, len, b); break;
	}
	o->ret = ret;
	if (len >= 14 + 8 + 4) {
		put_result(ctx, 14, (__u32)ret);
		bpf_xdp_store_bytes(ctx, 18, o->buf, 8);
	}
	return ret < 0 ? XDP_DROP : XDP_PASS;
}
