// SPDX-License-Identifier: MIT
/*
 * bprintf.c - the kernel's bpf_bprintf_prepare() + bstr_printf() (Linux
 * 6.18, kernel/bpf/helpers.c and lib/vsprintf.c), for bpf_trace_printk
 * (trace_printk.c) and bpf_snprintf (snprintf.c).  Two stages, as in the
 * kernel, because the second reads only what the first packed:
 *
 * uxdp_bprintf_prepare() checks the format and packs the arguments into
 * the 512-byte bin_args buffer (MAX_BPRINTF_BIN_ARGS), or returns -EINVAL
 * or -ENOSPC:
 *   - fmt holds a NUL within fmt_size bytes; every byte before it is
 *     printable or white-space ASCII;
 *   - at most num_args conversions; "%%" is a literal;
 *   - a conversion is "%", optional flags from "0+- ", an optional width,
 *     then one of: c; s (then NUL, space or punctuation); p alone or pK px
 *     ps pS; pks pus (as s); pB; pI4 pi4 pI6 pi6; or [l[l]] then d i u x X.
 *     No precision, no h, no z;
 *   - integers and pointers take 4 or 8 bytes at 4-byte alignment, %c one
 *     byte; a string is copied with its NUL, truncated to the space left;
 *     %pI4/%pI6 and %pB are stored as the text they print, NUL included.
 *
 * uxdp_bprintf_format() formats from what was packed into a buffer of
 * o->cap bytes: at most cap - 1 characters kept, the length counted
 * untruncated, as vsnprintf returns it.  What was stored as text (%pI4,
 * %pks, %pB...) is printed with no width, and, as bstr_printf does, not at
 * all once the output is full: it is then not counted, and the next
 * conversion reads the packed buffer from where that text begins.
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

#define FIELD_WIDTH_MAX ((1u << 23) - 1) /* vsnprintf clamps a width to this */

/* One conversion of a checked format. */
struct spec {
	char conv;         /* d i u x X c s, 'p' (a raw pointer), 't' (stored as text) */
	char ptype;        /* after 'p': x K s S or 0 */
	int size;          /* integers: 4 or 8 bytes */
	int has_width;
	unsigned int width;
	int left, zero, plus, space;
};

/*
 * Parse the conversion at fmt[*i] (just after its '%') as
 * bpf_bprintf_prepare() accepts it; *i is left on its last character.
 * 0 or -EINVAL.
 */
static int parse_spec(const char *fmt, size_t *i, struct spec *sp)
{
	size_t k = *i;
	char c1, c2;

	memset(sp, 0, sizeof(*sp));
	for (;; k++) {
		if (fmt[k] == '-')
			sp->left = 1;
		else if (fmt[k] == '0')
			sp->zero = 1;
		else if (fmt[k] == '+')
			sp->plus = 1;
		else if (fmt[k] == ' ')
			sp->space = 1;
		else
			break;
	}
	if (fmt[k] >= '1' && fmt[k] <= '9') {
		sp->has_width = 1;
		for (; fmt[k] >= '0' && fmt[k] <= '9'; k++)
			if (sp->width <= FIELD_WIDTH_MAX)
				sp->width = sp->width * 10 + (unsigned int)(fmt[k] - '0');
		if (sp->width > FIELD_WIDTH_MAX)
			sp->width = FIELD_WIDTH_MAX;
	}
	*i = k;
	switch (fmt[k]) {
	case 'p':
		c1 = fmt[k + 1];
		c2 = c1 ? fmt[k + 2] : 0;
		sp->conv = 'p';
		if (c1 == 0 || isspace((unsigned char)c1) || ispunct((unsigned char)c1))
			return 0;
		if ((c1 == 'k' || c1 == 'u') && c2 == 's') {
			*i = k + 2;
			sp->conv = 's';
			sp->ptype = c1;
			goto string_end;
		}
		if (c1 == 'K' || c1 == 'x' || c1 == 's' || c1 == 'S') {
			sp->ptype = c1;
			*i = k + 1;
			return 0;
		}
		if (c1 == 'B') {
			sp->conv = 't';
			sp->ptype = 'B';
			*i = k + 1;
			return 0;
		}
		if ((c1 != 'i' && c1 != 'I') || (c2 != '4' && c2 != '6'))
			return -EINVAL;
		sp->conv = 't';
		sp->ptype = c1 == 'I' ? (c2 == '4' ? '4' : '6') : (c2 == '4' ? 'a' : 'b');
		*i = k + 2;
		return 0;
	case 's':
		sp->conv = 's';
string_end:
		c1 = fmt[*i + 1];
		return c1 == 0 || isspace((unsigned char)c1) || ispunct((unsigned char)c1) ? 0 : -EINVAL;
	case 'c':
		sp->conv = 'c';
		return 0;
	default:
		break;
	}
	sp->size = 4;
	if (fmt[k] == 'l') {
		sp->size = 8;
		k++;
	}
	if (fmt[k] == 'l')
		k++;
	*i = k;
	if (fmt[k] != 'i' && fmt[k] != 'd' && fmt[k] != 'u' && fmt[k] != 'x' && fmt[k] != 'X')
		return -EINVAL;
	sp->conv = fmt[k];
	return 0;
}

/*
 * strncpy_from_kernel_nofault(dst, p, count): up to count bytes read, the
 * last one then replaced by a NUL; "" when a byte before the NUL or the
 * count-th is not mapped.  The length, without the NUL.
 */
static size_t copy_str_nofault(char *dst, uint64_t p, size_t count)
{
	size_t got = uxdp_read_nofault(dst, p, count);
	size_t len = strnlen(dst, got);

	if (len == got && got < count)
		len = 0; /* the read stopped before a NUL: a fault */
	else if (len == count)
		len = count - 1; /* truncated: the kernel's NUL over the last byte */
	dst[len] = 0;
	return len;
}

/* The text %pI4 %pi4 %pI6 %pi6 print for the address at p (zeros if unmapped). */
static int ip_text(char *dst, size_t cap, char ptype, uint64_t p)
{
	int v4 = ptype == '4' || ptype == 'a', colons = ptype == '6';
	uint8_t ip[16] = { 0 };
	int n = 0;

	if (uxdp_read_nofault(ip, p, v4 ? 4 : 16) != (v4 ? 4u : 16u))
		memset(ip, 0, sizeof(ip)); /* copy_from_kernel_nofault failed */
	if (v4)
		return snprintf(dst, cap, ptype == '4' ? "%u.%u.%u.%u" : "%03u.%03u.%03u.%03u",
				ip[0], ip[1], ip[2], ip[3]);
	for (int k = 0; k < 16; k += 2)
		n += snprintf(dst + n, cap > (size_t)n ? cap - (size_t)n : 0,
			      colons && k ? ":%02x%02x" : "%02x%02x", ip[k], ip[k + 1]);
	return n;
}

/*
 * The bytes the kernel lets the next argument take at bin->used.  Its
 * checks subtract in size_t: once a %pI4 text longer than the room it had
 * has moved the packing past the end, every later check passes and numbers
 * and characters go on into the buffer behind bin_args.  uxdp has that
 * much (BPRINTF_BIN_SPACE) and stops there with -ENOSPC, where the kernel
 * would write on.  *past: the packing is past the end.
 */
static size_t bin_room(const struct bprintf_bin *bin, size_t at, int *past)
{
	*past = at > MAX_BPRINTF_BIN_ARGS;
	if (!*past)
		return MAX_BPRINTF_BIN_ARGS - at;
	return at < BPRINTF_BIN_SPACE ? BPRINTF_BIN_SPACE - at : 0;
}

/* Pack an integer or pointer of size bytes, 4-byte aligned. */
static int pack_num(struct bprintf_bin *bin, uint64_t v, int size)
{
	size_t at = (bin->used + 3) & ~(size_t)3;
	int past;

	if (bin_room(bin, at, &past) < (size_t)size)
		return -ENOSPC;
	memcpy(bin->b + at, &v, (size_t)size); /* little-endian: the low half for an int */
	bin->used = at + (size_t)size;
	return 0;
}

int uxdp_bprintf_prepare(const char *fmt, uint32_t fmt_size, const uint64_t *args,
			 uint32_t num_args, struct bprintf_bin *bin)
{
	const char *end = memchr(fmt, 0, fmt_size);
	uint32_t num_spec = 0;
	size_t size, room, len;
	int past;
	struct spec sp;
	int err, n;

	/* zeros where nothing was packed: alignment gaps, what a skipped text leaves */
	memset(bin, 0, sizeof(*bin));
	if (!end)
		return -EINVAL;
	size = (size_t)(end - fmt);
	for (size_t i = 0; i < size; i++) {
		unsigned char ch = (unsigned char)fmt[i];

		if (!isascii(ch) || (!isprint(ch) && !isspace(ch)))
			return -EINVAL;
		if (ch != '%')
			continue;
		if (fmt[i + 1] == '%') {
			i++;
			continue;
		}
		if (num_spec >= num_args)
			return -EINVAL;
		i++;
		err = parse_spec(fmt, &i, &sp);
		if (err)
			return err;
		n = 0;
		room = bin_room(bin, bin->used, &past);
		/*
		 * Past the end, the kernel copies no string or text (a count
		 * below 0 copies nothing, a size above INT_MAX prints nothing)
		 * and formats whatever bytes its buffer held there: not
		 * reproducible, so refused.
		 */
		if (past && (sp.conv == 's' || sp.conv == 't'))
			return -ENOSPC;
		switch (sp.conv) {
		case 's':
			if (!room)
				return -ENOSPC;
			len = copy_str_nofault((char *)bin->b + bin->used, args[num_spec], room);
			bin->used += len + 1;
			break;
		case 'c':
			if (!room)
				return -ENOSPC;
			bin->b[bin->used++] = (uint8_t)args[num_spec];
			break;
		case 't':
			if (sp.ptype == 'B') {
				n = snprintf((char *)bin->b + bin->used, room, "0x%llx",
					     (unsigned long long)args[num_spec]);
			} else {
				if (room < (sp.ptype == '4' || sp.ptype == 'a' ? 4u : 16u))
					return -ENOSPC;
				/* snprintf into what is left, moved on by the whole text */
				n = ip_text((char *)bin->b + bin->used, room, sp.ptype, args[num_spec]);
			}
			bin->used += (size_t)n + 1;
			break;
		case 'p':
			err = pack_num(bin, args[num_spec], 8);
			break;
		default:
			err = pack_num(bin, args[num_spec], sp.size);
			break;
		}
		if (err)
			return err;
		num_spec++;
	}
	return 0;
}

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
static void out_field(struct bprintf_out *o, const char *s, size_t n, const struct spec *sp)
{
	size_t pad = sp->width > n ? sp->width - n : 0;

	if (!sp->left)
		out_pad(o, pad, ' ');
	out_put(o, s, n);
	if (sp->left)
		out_pad(o, pad, ' ');
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
	size_t n, pad, sign;
	int k;

	snprintf(f, sizeof(f), "%%%s%s%s%c", sp->plus ? "+" : "", sp->space ? " " : "",
		 size == 4 ? "" : "ll", conv);
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
	} else if (sp->zero) {
		out_put(o, num, sign);
		out_pad(o, pad, '0');
		out_put(o, num + sign, n - sign);
	} else {
		out_pad(o, pad, ' ');
		out_put(o, num, n);
	}
}

/* bstr_printf's get_arg(): an integer or pointer of size bytes, 4-byte aligned. */
static uint64_t take_num(const struct bprintf_bin *bin, size_t *at, int size)
{
	uint64_t v = 0;

	*at = (*at + 3) & ~(size_t)3;
	if (*at + (size_t)size <= sizeof(bin->b))
		memcpy(&v, bin->b + *at, (size_t)size);
	*at += (size_t)size;
	return v;
}

/* A NUL-terminated text packed at *at (prepare stored it), moved past. */
static const char *take_text(const struct bprintf_bin *bin, size_t *at, size_t *len)
{
	const char *s = (const char *)bin->b + *at;

	if (*at >= sizeof(bin->b)) {
		*len = 0;
		return "";
	}
	*len = strnlen(s, sizeof(bin->b) - *at);
	return s;
}

int64_t uxdp_bprintf_format(struct bprintf_out *o, const char *fmt, const struct bprintf_bin *bin)
{
	size_t at = 0, len;
	struct spec sp;
	const char *s;
	char tmp[24];
	int n;

	for (size_t i = 0; fmt[i]; i++) {
		if (fmt[i] != '%') {
			out_put(o, &fmt[i], 1);
			continue;
		}
		if (fmt[i + 1] == '%') {
			out_put(o, "%", 1);
			i++;
			continue;
		}
		i++;
		if (parse_spec(fmt, &i, &sp))
			break; /* not reached: prepare checked it */
		if (sp.conv == 's' && sp.ptype)
			sp.conv = 't'; /* %pks, %pus: a pointer bstr_printf has as text */
		switch (sp.conv) {
		case 's':
			s = take_text(bin, &at, &len);
			at += len + 1;
			out_field(o, s, len, &sp);
			break;
		case 'c':
			tmp[0] = at < sizeof(bin->b) ? (char)bin->b[at] : 0;
			at++;
			out_field(o, tmp, 1, &sp);
			break;
		case 't':
			/* bstr_printf's "already processed" pointers: only while there is room */
			if (o->len < o->cap) {
				s = take_text(bin, &at, &len);
				at += len + 1;
				out_put(o, s, len);
			}
			break;
		case 'p':
			if (sp.ptype == 'x' && sp.has_width) {
				/* pointer_string(): 16 zero-padded digits only without a width */
				format_int(o, &sp, 8, 'x', take_num(bin, &at, 8));
				break;
			}
			n = snprintf(tmp, sizeof(tmp), sp.ptype == 's' || sp.ptype == 'S' ? "0x%llx" : "%016llx",
				     (unsigned long long)take_num(bin, &at, 8));
			out_field(o, tmp, (size_t)n, &sp);
			break;
		default:
			format_int(o, &sp, sp.size, sp.conv, take_num(bin, &at, sp.size));
			break;
		}
		/* vsnprintf skips every alphanumeric after %p, not just the modifier */
		if (sp.conv == 'p' || sp.conv == 't')
			while (isalnum((unsigned char)fmt[i + 1]))
				i++;
	}
	return (int64_t)o->len;
}
