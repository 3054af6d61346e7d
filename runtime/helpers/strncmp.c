// SPDX-License-Identifier: MIT
/*
 * strncmp.c - bpf_strncmp(s1, s1_sz, s2).
 *
 * The kernel helper (kernel/bpf/helpers.c) is strncmp(s1, s2, s1_sz), and
 * x86-64 uses the generic lib/string.c strncmp: it compares unsigned bytes
 * and returns -1 or 1, not their difference, which glibc's strncmp does not
 * promise.  Hence our own loop.  The int result is sign-extended into r0.
 */
#include <stdint.h>

#include "helpers_impl.h"

uint64_t uxdp_helper_strncmp(uint64_t r1, uint64_t r2, uint64_t r3)
{
	const unsigned char *cs = (const unsigned char *)(uintptr_t)r1;
	const unsigned char *ct = (const unsigned char *)(uintptr_t)r3;
	uint32_t count = (uint32_t)r2;

	while (count) {
		unsigned char c1 = *cs++, c2 = *ct++;

		if (c1 != c2)
			return c1 < c2 ? (uint64_t)-1 : 1;
		if (!c1)
			break;
		count--;
	}
	return 0;
}
