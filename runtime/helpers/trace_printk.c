// SPDX-License-Identifier: MIT
/*
 * trace_printk.c - bpf_trace_printk(fmt, fmt_size, arg1, arg2, arg3).
 *
 * The format is checked as bpf_bprintf_prepare() (kernel/bpf/helpers.c,
 * Linux 6.18) checks it, and any violation returns -EINVAL with nothing
 * printed:
 *   - fmt holds a NUL within fmt_size bytes; every byte before it is
 *     printable or white-space ASCII;
 *   - at most 3 conversions; "%%" is a literal;
 *   - a conversion is "%", optional flags from "0+- ", an optional width,
 *     then one of: c; s (then NUL, space or punctuation); p alone or pK px
 *     ps pS pB; pks pus (as s); pI4 pi4 pI6 pi6; or [l[l]] then d i u x X.
 *     No precision, no h, no z.
 * The arguments are accounted as they are packed into the kernel's 512-byte
 * bin_args buffer (MAX_BPRINTF_BIN_ARGS): integers and pointers take 4 or 8
 * bytes at 4-byte alignment, %c one byte, %pI4/%pI6 4/16 bytes, a string its
 * length plus NUL, truncated to the space left; no space left is -ENOSPC.
 * The output is formatted as bstr_printf() would into the kernel's 512-byte
 * buffer (MAX_BPRINTF_BUF): truncated to 511 characters, and the return
 * value is the untruncated length, as vsnprintf returns.
 *
 * Where the kernel's output cannot be reproduced: %p, %pK print the raw
 * value as 16 hex digits (the kernel prints a hashed id); %ps, %pS and %pB
 * print 0x<hex> (no kernel symbols here).  A string or address argument is
 * read as the kernel's nofault copies read it: an address that is not
 * mapped gives "" (a string) or zeros (%pI4/%pI6), never a fault.  The read
 * is process_vm_readv() on this process, which the kernel does with its own
 * fault handling; a verified program may pass any number as the pointer.
 *
 * Each call writes one line to the process's trace fd, shaped like a line
 * of /sys/kernel/tracing/trace_pipe:
 *
 *	"<comm>-<tid> [<worker>] ..... <sec>.<usec>: bpf_trace_printk: <msg>\n"
 *
 * with a newline added only if msg does not end with one.  The sink (and any
 * other process-wide state) lives in native code, worker.c: a copy inlined
 * into a program would be a second, unconfigured sink.
 */
#define _GNU_SOURCE /* gettid() */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include <uxdp/worker.h>

#include "helpers_impl.h"

#define MAX_BPRINTF_BUF 512
#define MAX_BPRINTF_BIN_ARGS 512
#define MAX_TRACE_PRINTK_VARARGS 3

/* The output so far: at most MAX_BPRINTF_BUF - 1 bytes kept, all counted. */
struct out {
	char buf[MAX_BPRINTF_BUF];
	size_t kept;
	size_t len;
};

static void out_put(struct out *o, const char *s, size_t n)
{
	size_t room = sizeof(o->buf) - 1 - o->kept;
	size_t k = n < room ? n : room;

	memcpy(o->buf + o->kept, s, k);
	o->kept += k;
	o->len += n;
}

static void out_pad(struct out *o, size_t n)
{
	static const char spaces[16] = "                ";

	while (n) {
		size_t k = n < sizeof(spaces) ? n : sizeof(spaces);

		out_put(o, spaces, k);
		n -= k;
	}
}

/* A string field: padded with spaces to width, on the right with '-'. */
static void out_field(struct out *o, const char *s, size_t n, unsigned int width, int left)
{
	size_t pad = width > n ? width - n : 0;

	if (!left)
		out_pad(o, pad);
	out_put(o, s, n);
	if (left)
		out_pad(o, pad);
}

/* What follows a conversion spec's flags and width. */
struct spec {
	char flags[5];     /* subset of "0+- ", NUL-terminated */
	unsigned int width;
	int has_width;
	int left;
};

static void format_int(struct out *o, const struct spec *sp, int size, char conv, uint64_t v)
{
	char f[24], tmp[MAX_BPRINTF_BUF + 32];
	size_t c;
	int n;

	/* libc printf agrees with the kernel's number() for these flags. */
	if (size == 4) {
		snprintf(f, sizeof(f), "%%%s%s%c", sp->flags, sp->has_width ? "*" : "", conv);
		if (conv == 'd' || conv == 'i')
			n = sp->has_width ? snprintf(tmp, sizeof(tmp), f, (int)sp->width,
						     (int)(uint32_t)v)
					  : snprintf(tmp, sizeof(tmp), f, (int)(uint32_t)v);
		else
			n = sp->has_width ? snprintf(tmp, sizeof(tmp), f, (int)sp->width,
						     (unsigned int)v)
					  : snprintf(tmp, sizeof(tmp), f, (unsigned int)v);
	} else {
		snprintf(f, sizeof(f), "%%%s%sll%c", sp->flags, sp->has_width ? "*" : "", conv);
		if (conv == 'd' || conv == 'i')
			n = sp->has_width ? snprintf(tmp, sizeof(tmp), f, (int)sp->width,
						     (long long)v)
					  : snprintf(tmp, sizeof(tmp), f, (long long)v);
		else
			n = sp->has_width ? snprintf(tmp, sizeof(tmp), f, (int)sp->width,
						     (unsigned long long)v)
					  : snprintf(tmp, sizeof(tmp), f, (unsigned long long)v);
	}
	if (n < 0)
		return;
	/*
	 * tmp holds more than the output buffer can keep, so a truncated
	 * field still contributes its exact prefix; the rest is only counted.
	 */
	c = (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1;
	out_put(o, tmp, c);
	o->len += (size_t)n - c;
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

static void format_ip(struct out *o, char kind, char ver, uint64_t p)
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

/*
 * Check fmt and format it with args, in one pass: the kernel validates the
 * whole format before printing anything, and so do we, since nothing
 * reaches the sink unless this returns the length.
 */
static int64_t bprintf(struct out *o, const char *fmt, uint32_t fmt_size, const uint64_t *args)
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
		if (num_spec >= MAX_TRACE_PRINTK_VARARGS)
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
				n = snprintf(tmp, sizeof(tmp),
					     c1 == 's' || c1 == 'S' || c1 == 'B' ? "0x%llx" : "%016llx",
					     (unsigned long long)arg);
				out_field(o, tmp, (size_t)n, sp.width, sp.left);
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

static void trace_emit(const struct out *o)
{
	char comm[17] = "<...>", line[MAX_BPRINTF_BUF + 128];
	struct timespec ts;
	int fd = uxdp_trace_get_fd(), n;
	size_t k;

	if (fd < 0)
		return;
	prctl(PR_GET_NAME, comm);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	n = snprintf(line, sizeof(line), "%16s-%-7d [%03u] ..... %5llu.%06llu: bpf_trace_printk: ",
		     comm, (int)gettid(), uxdp_worker_cpu(), (unsigned long long)ts.tv_sec,
		     (unsigned long long)ts.tv_nsec / 1000);
	if (n < 0)
		return;
	k = (size_t)n;
	memcpy(line + k, o->buf, o->kept);
	k += o->kept;
	if (!o->kept || o->buf[o->kept - 1] != '\n')
		line[k++] = '\n';
	/* One write per line: lines of concurrent workers stay whole. */
	if (write(fd, line, k) < 0)
		return;
}

uint64_t uxdp_helper_trace_printk(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4,
				  uint64_t r5)
{
	const uint64_t args[MAX_TRACE_PRINTK_VARARGS] = { r3, r4, r5 };
	struct out o;
	int64_t ret;

	o.kept = 0;
	o.len = 0;
	ret = bprintf(&o, (const char *)(uintptr_t)r1, (uint32_t)r2, args);
	if (ret < 0)
		return (uint64_t)ret;
	o.buf[o.kept] = 0;
	trace_emit(&o);
	return (uint64_t)ret;
}
