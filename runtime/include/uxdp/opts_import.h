// SPDX-License-Identifier: MIT
/*
 * opts_import.h - libuxdp's side of uxdp/opts.h (private, not installed):
 * the caller's struct copied into one of the library's size, so that the
 * code behind an entry point reads every field it knows, whatever size of
 * struct the caller was built with.
 */
#ifndef UXDP_OPTS_IMPORT_H
#define UXDP_OPTS_IMPORT_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/*
 * Copy src (a struct starting with size_t sz) into dst of dst_size bytes:
 * the fields src does not have are zero, dst's sz is dst_size.  -EINVAL if
 * src->sz < sizeof(size_t), -E2BIG if src has non-zero bytes past dst_size.
 */
static inline int uxdp_opts_import(void *dst, size_t dst_size, const void *src)
{
	size_t sz;

	memcpy(&sz, src, sizeof(sz));
	if (sz < sizeof(size_t))
		return -EINVAL;
	for (size_t i = dst_size; i < sz; i++)
		if (((const uint8_t *)src)[i])
			return -E2BIG;
	memset(dst, 0, dst_size);
	memcpy(dst, src, sz < dst_size ? sz : dst_size);
	memcpy(dst, &dst_size, sizeof(dst_size));
	return 0;
}

/* The same for a typed pointer: UXDP_OPTS_IMPORT(&copy, opts). */
#define UXDP_OPTS_IMPORT(dst, src) uxdp_opts_import((dst), sizeof(*(dst)), (src))

#endif
