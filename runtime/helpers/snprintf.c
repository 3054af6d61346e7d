// SPDX-License-Identifier: MIT
/*
 * snprintf.c - bpf_snprintf(str, str_size, fmt, data, data_len)
 * (kernel/bpf/helpers.c, Linux 6.18).
 *
 * data holds data_len / 8 u64 arguments, at most 12; data_len must be a
 * multiple of 8, and data may be NULL only with data_len 0, else -EINVAL.
 * fmt is a constant string (the verifier's ARG_PTR_TO_CONST_STR: a NUL is
 * in it), checked, its arguments packed and then formatted by bprintf.c,
 * with at most as many conversions as arguments.  The output goes to str as bstr_printf() puts
 * it: at most str_size - 1 characters and a NUL, nothing if str_size is 0;
 * the bytes after the NUL are left alone.  The result is the untruncated
 * length plus one for the NUL, or -EINVAL / -ENOSPC with str untouched.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "bprintf.h"
#include "helpers_impl.h"

uint64_t uxdp_helper_snprintf(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	char *str = (char *)(uintptr_t)r1;
	const char *fmt = (const char *)(uintptr_t)r3;
	uint32_t str_size = (uint32_t)r2, data_len = (uint32_t)r5;
	uint64_t args[MAX_BPRINTF_VARARGS];
	struct bprintf_out out = { .buf = str, .cap = str_size };
	struct bprintf_bin bin;
	int64_t len;

	if (data_len % 8 || data_len > sizeof(args) || (data_len && !r4))
		return (uint64_t)(int64_t)-EINVAL;
	if (data_len)
		memcpy(args, (const void *)(uintptr_t)r4, data_len);
	/* Strings are read once, before anything is written (str may be one of them). */
	len = uxdp_bprintf_prepare(fmt, UINT32_MAX, args, data_len / 8, &bin);
	if (len < 0)
		return (uint64_t)len;
	len = uxdp_bprintf_format(&out, fmt, &bin);
	if (str_size)
		str[out.kept] = 0;
	return (uint64_t)(len + 1);
}
