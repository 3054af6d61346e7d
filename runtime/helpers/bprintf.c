// SPDX-License-Identifier: MIT
/*
 * bprintf.c - the kernel's bpf_bprintf_prepare() + bstr_printf() (Linux
 * 6.18, kernel/bpf/helpers.c and lib/vsprintf.c), for bpf_trace_printk
 * (trace_printk.c) and bpf_snprintf (snprintf.c).
 *
 * The format is checked as bpf_bprintf_prepare() checks it, and any
 * violation returns -EINVAL (or -ENOSPC) with the output incomplete:
 *   - fmt holds a NUL within fmt_size bytes; every byte before it is
 *     printable or white-space ASCII;
 *   - at most num_args conversions; "%%" is a literal;
 *   - a conversion is "%", optional flags from "0+- ", an optional width,
 *     then one of: c; s (then NUL, space or punctuation); p alone or pK px
 *     ps pS pB; pks pus (as s); pI4 pi4 pI6 pi6; or [l[l]] then d i u x X.
 *     No precision, no h, no z.
 * The arguments are accounted as they are packed into the kernel's 512-byte
 * bin_args buffer (MAX_BPRINTF_BIN_ARGS): integers and pointers take 4 or 8
 * bytes at 4-byte alignment, %c one byte, %pI4/%pI6 4/16 bytes, a string its
 * length plus NUL, truncated to the space left; no space left is -ENOSPC.
 * The output is formatted as bstr_printf() would into a buffer of o->cap
 * bytes: at most cap - 1 characters kept, and the length returned is the
 * untruncated one, as vsnprintf returns.
 *
 * Where the kernel's output cannot be reproduced: %p, %pK print the raw
 * value as 16 hex digits (the kernel prints a hashed id); %ps, %pS and %pB
 * print 0x<hex> (no kernel symbols here).  A string or address argument is
 * read as the kernel's nofault copies read it: an address that is not
 * mapped gives "" (a string) or zeros (%pI4/%pI6), never a fault
 * (uxdp_read_nofault(), in native code: a verified program may pass any
 * number as the pointer).
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <uxdp/worker.h>

#include "bprintf.h"

static void out_put(struct bprintf_out *o, const char *s, size_t n)
{
	size_t room = o->cap ? o->cap - 1 - o->kept : 0;
	size_t k = n < room ? n : room;

	if (k)
		memcpy(o->buf + o->kept, s, k);
	o->kept += k;
	o->len += n;
}

/* n copies of c (a space or '0'). */
static void out_pad(struct bprintf_out *o, size_t n, char c)
{
	char run[16];

	memset(run, c, sizeof(run));
	while (n) {
		size_t k = n < sizeof(run) ? n : sizeof(run);

		out_put(o, run, k);
		n -= k;
	}
}

/* A string field: padded with spaces to width, on the right with '-'. */
static void out_field(struct bprintf_out *o, const char *s, size_t n, unsigned int width, int left)
{
	size_t pad = width > n ? width - n : 0;

	if (!left)
		out_pad(o, pad, ' ');
	out_put(o, s, n);
	if (left)
		out_pad(o, pad, ' ');
}

/* What follows a conversion spec's flags and width. */
struct spec {
	char flags[5];     /* subset of "0+- ", NUL-terminated */
	unsigned int width;
	int has_width;
	int left;
};

/* memchr, not strchr: a program imports only what the runtime resolves. */
static int has_flag(const struct spec *sp, char c)
{
	return memchr(sp->flags, c, sizeof(sp->flags)) != NULL;
}

/*
 * An integer field.  libc makes the sign and digits (it agrees with the
 * kernel's number() on "+" and " ", which only signed conversions show);
 * the width is padded here, so that a field of any width is kept exactly
 * up to the buffer's end: zeros go between the sign and the digits, '-'
 * pads on the right and wins over '0'.
 */
static void format_int(struct bprintf_out *o, const struct spec *sp, int size, char conv, uint64_t v)
{
	char f[16], num[32];
	int zero = has_flag(sp, '0') && !sp->left;
	size_t n, pad, sign;
	int k;

	snprintf(f, sizeof(f), "%%%s%s%s%c", has_flag(sp, '+') ? "+" : "",
		 has_flag(sp, ' ') ? " " : "", size == 4 ? "" : "ll", conv);
	if (conv == 'd' || conv == 'i')
		k = size == 4 ? snprintf(num, sizeof(num), f, (int)(uint32_t)v)
			      : snprintf(num, sizeof(num), f, (long long)v);
	else
		k = size == 4 ? snprintf(num, sizeof(num), f, (unsigned int)v)
			      : snprintf(num, sizeof(num), f, (unsigned long long)v);
	if (k < 0)
		return;
	n = (size_t)k;
	pad = sp->width > n ? sp->width - n : 0;
	sign = num[0] == '-' || num[0] == '+' || num[0] == ' ';
	if (sp->left) {
		out_put(o, num, n);
		out_pad(o, pad, ' ');
	} else if (zero) {
		out_put(o, num, sign);
		out_pad(o, pad, '0');
		out_put(o, num + sign, n - sign);
	} else {
		out_pad(o, pad, ' ');
		out_put(o, num, n);
	}
}

/*
 * strncpy_from_kernel_nofault(): the string at p, at most max bytes before
 * its NUL, into buf; "" when a byte before the NUL or the limit is not
 * mapped.  The length.
 */
static size_t read_str_nofault(char *buf, uint64_t p, size_t max)
{
	size_t got = uxdp_read_nofault(buf, p, max);
	size_t len = strnlen(buf, got);

	if (len == got && got < max)
		len = 0; /* the read stopped before a NUL: a fault */
	buf[len] = 0;
	return len;
}

/* %pI4 %pi4 %pI6 %pi6: the kernel (6.18) prints them with no padding whatever the width. */
static void format_ip(struct bprintf_out *o, char kind, char ver, uint64_t p)
{
	uint8_t ip[16] = { 0 };
	char tmp[48];
	int n = 0, i;

	if (uxdp_read_nofault(ip, p, ver == '4' ? 4 : 16) != (ver == '4' ? 4u : 16u))
		memset(ip, 0, sizeof(ip)); /* the kernel prints zeros for a fault */
	if (ver == '4')
		n = snprintf(tmp, sizeof(tmp), kind == 'I' ? "%u.%u.%u.%u" : "%03u.%03u.%03u.%03u",
			     ip[0], ip[1], ip[2], ip[3]);
	else
		for (i = 0; i < 16; i += 2)
			n += snprintf(tmp + n, sizeof(tmp) - (size_t)n,
				      kind == 'I' && i ? ":%02x%02x" : "%02x%02x", ip[i], ip[i + 1]);
	out_put(o, tmp, (size_t)n);
}

int64_t uxdp_bprintf(struct bprintf_out *o, const char *fmt, uint32_t fmt_size,
		     const uint64_t *args, uint32_t num_args)
{
	const char *end = memchr(fmt, 0, fmt_size);
	size_t i, size, used = 0; /* bytes of bin_args taken */
	int num_spec = 0;

	if (!end)
		return -EINVAL;
	size = (size_t)(end - fmt);

	for (i = 0; i < size; i++) {
		unsigned char ch = (unsigned char)fmt[i];
		struct spec sp = { 0 };
		int nflags = 0, arg_size;
		uint64_t arg;

		if (!isascii(ch) || (!isprint(ch) && !isspace(ch)))
			return -EINVAL;
		if (ch != '%') {
			out_put(o, &fmt[i], 1);
			continue;
		}
		if (fmt[i + 1] == '%') {
			out_put(o, "%", 1);
			i++;
			continue;
		}
		if ((uint32_t)num_spec >= num_args)
			return -EINVAL;
		arg = args[num_spec++];
		i++;

		while (fmt[i] == '0' || fmt[i] == '+' || fmt[i] == '-' || fmt[i] == ' ') {
			if (fmt[i] == '-')
				sp.left = 1;
			if (nflags < 4 && !memchr(sp.flags, fmt[i], (size_t)nflags))
				sp.flags[nflags++] = fmt[i];
			i++;
		}
		if (fmt[i] >= '1' && fmt[i] <= '9') {
			sp.has_width = 1;
			while (fmt[i] >= '0' && fmt[i] <= '9') {
				if (sp.width < (1u << 23)) /* vsnprintf's FIELD_WIDTH_MAX */
					sp.width = sp.width * 10 + (unsigned int)(fmt[i] - '0');
				i++;
			}
		}

		if (fmt[i] == 'p') {
			char c1 = fmt[i + 1], c2 = c1 ? fmt[i + 2] : 0;
			char tmp[24];
			int n;

			if ((c1 == 'k' || c1 == 'u') && c2 == 's') {
				i += 2;
				goto fmt_str;
			}
			if (c1 == 'i' || c1 == 'I') {
				if (c2 != '4' && c2 != '6')
					return -EINVAL;
				if (MAX_BPRINTF_BIN_ARGS - used < (c2 == '4' ? 4u : 16u))
					return -ENOSPC;
				used += c2 == '4' ? 4 : 16;
				format_ip(o, c1, c2, arg);
			} else if (c1 == 0 || isspace((unsigned char)c1) ||
				   ispunct((unsigned char)c1) || c1 == 'K' || c1 == 'x' ||
				   c1 == 's' || c1 == 'S' || c1 == 'B') {
				used = (used + 3) & ~(size_t)3;
				if (MAX_BPRINTF_BIN_ARGS - used < 8)
					return -ENOSPC;
				used += 8;
				if (c1 == 'x' && sp.has_width) {
					/* pointer_string(): 16 zero-padded digits only without a width */
					format_int(o, &sp, 8, 'x', arg);
				} else {
					n = snprintf(tmp, sizeof(tmp),
						     c1 == 's' || c1 == 'S' || c1 == 'B' ? "0x%llx" :
											  "%016llx",
						     (unsigned long long)arg);
					out_field(o, tmp, (size_t)n, sp.width, sp.left);
				}
			} else {
				return -EINVAL;
			}
			/* vsnprintf skips every alphanumeric after %p, not just the modifier. */
			while (isalnum((unsigned char)fmt[i + 1]))
				i++;
			continue;
		}
		if (fmt[i] == 's') {
			char s[MAX_BPRINTF_BIN_ARGS];
			size_t len;

fmt_str:
			if (fmt[i + 1] != 0 && !isspace((unsigned char)fmt[i + 1]) &&
			    !ispunct((unsigned char)fmt[i + 1]))
				return -EINVAL;
			if (used == MAX_BPRINTF_BIN_ARGS)
				return -ENOSPC;
			/* strncpy_from_kernel_nofault() into what is left, NUL included */
			len = read_str_nofault(s, arg, MAX_BPRINTF_BIN_ARGS - used - 1);
			used += len + 1;
			out_field(o, s, len, sp.width, sp.left);
			continue;
		}
		if (fmt[i] == 'c') {
			char c = (char)arg;

			if (used == MAX_BPRINTF_BIN_ARGS)
				return -ENOSPC;
			used++;
			out_field(o, &c, 1, sp.width, sp.left);
			continue;
		}

		arg_size = 4;
		if (fmt[i] == 'l') {
			arg_size = 8;
			i++;
		}
		if (fmt[i] == 'l')
			i++;
		if (fmt[i] != 'i' && fmt[i] != 'd' && fmt[i] != 'u' && fmt[i] != 'x' &&
		    fmt[i] != 'X')
			return -EINVAL;
		used = (used + 3) & ~(size_t)3;
		if (MAX_BPRINTF_BIN_ARGS - used < (size_t)arg_size)
			return -ENOSPC;
		used += (size_t)arg_size;
		format_int(o, &sp, arg_size, fmt[i], arg);
	}
	return (int64_t)o->len;
}

