/* SPDX-License-Identifier: MIT */
/*
 * bprintf.h - private to runtime/helpers: the kernel's format check and
 * formatter shared by bpf_trace_printk and bpf_snprintf (bprintf.c).
 */
#ifndef UXDP_BPRINTF_H
#define UXDP_BPRINTF_H

#include <stddef.h>
#include <stdint.h>

#define MAX_BPRINTF_BUF 1024     /* bpf_trace_printk's output buffer (Linux 6.18) */
#define MAX_BPRINTF_BIN_ARGS 512 /* the packed arguments, strings included */
#define MAX_BPRINTF_VARARGS 12   /* bpf_snprintf's most */

/* bin_args and the output buffer behind it, in the kernel's struct bpf_bprintf_buffers */
#define BPRINTF_BIN_SPACE (MAX_BPRINTF_BIN_ARGS + MAX_BPRINTF_BUF)

/* The arguments as bpf_bprintf_prepare() packs them (bin_args). */
struct bprintf_bin {
	uint8_t b[BPRINTF_BIN_SPACE];
	size_t used; /* may pass 512 after a %pI4 text that did not fit, as the kernel's */
};

/* The output: the first cap - 1 bytes kept in buf (none if cap is 0), all counted. */
struct bprintf_out {
	char *buf;
	size_t cap;
	size_t kept;
	size_t len;
};

/*
 * Check fmt (NUL within fmt_size bytes; at most num_args conversions) and
 * pack its num_args arguments into bin, strings and addresses read once.
 * 0, -EINVAL or -ENOSPC.
 */
int uxdp_bprintf_prepare(const char *fmt, uint32_t fmt_size, const uint64_t *args,
			 uint32_t num_args, struct bprintf_bin *bin);

/*
 * Format fmt, checked by uxdp_bprintf_prepare(), from bin into o; the
 * length of the whole output.  No NUL is written.
 */
int64_t uxdp_bprintf_format(struct bprintf_out *o, const char *fmt, const struct bprintf_bin *bin);

#endif /* UXDP_BPRINTF_H */
