/* SPDX-License-Identifier: MIT */
/*
 * bprintf.h - private to runtime/helpers: the kernel's format check and
 * formatter shared by bpf_trace_printk and bpf_snprintf (bprintf.c).
 */
#ifndef UXDP_BPRINTF_H
#define UXDP_BPRINTF_H

#include <stddef.h>
#include <stdint.h>

#define MAX_BPRINTF_BUF 512      /* bpf_trace_printk's output buffer */
#define MAX_BPRINTF_BIN_ARGS 512 /* the packed arguments, strings included */
#define MAX_BPRINTF_VARARGS 12   /* bpf_snprintf's most */

/* The output: the first cap - 1 bytes kept in buf (none if cap is 0), all counted. */
struct bprintf_out {
	char *buf;
	size_t cap;
	size_t kept;
	size_t len;
};

/*
 * Check fmt (NUL within fmt_size bytes) and format it with args, of which
 * there are num_args, into o; the length of the whole output, or -EINVAL /
 * -ENOSPC with the output incomplete.  No NUL is written.
 */
int64_t uxdp_bprintf(struct bprintf_out *o, const char *fmt, uint32_t fmt_size,
		     const uint64_t *args, uint32_t num_args);

#endif /* UXDP_BPRINTF_H */
