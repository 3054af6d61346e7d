// SPDX-License-Identifier: MIT
/*
 * csum.c - bpf_csum_diff with the result of Linux 6.13 and later on x86-64.
 *
 * Since 6.13 (net/core/filter.c, "bpf: bpf_csum_diff: optimize and
 * homogenize for all archs") the helper no longer copies into a scratchpad:
 *
 *	both sizes: csum_sub(csum_partial(to, seed), csum_partial(from, 0))
 *	to only:    csum_partial(to, seed)
 *	from only:  ~csum_partial(from, ~seed)
 *	neither:    seed
 *
 * and returns that 32-bit sum folded to 16 bits (csum_from32to16).  Sizes
 * need not be multiples of 4 any more and there is no size limit beyond
 * what the verifier proves; nothing returns -EINVAL.  Kernels before 6.13
 * returned -EINVAL unless both sizes were multiples of 4 and their sum at
 * most 512, and returned the unfolded 32-bit csum_partial value.
 *
 * csum_partial() on x86-64 (arch/x86/lib/csum-partial_64.c) adds the buffer
 * as little-endian 64-bit words with end-around carry (trailing bytes
 * zero-padded), then folds to 32 bits with end-around carry.  Every step is
 * a ones'-complement addition, so the result depends only on the plain sum
 * N = seed + the buffer's little-endian 32-bit words: it is 0 when N is 0,
 * else the value in [1, 2^32 - 1] congruent to N modulo 2^32 - 1.  That is
 * what csum_partial() below computes, bit for bit, in portable C that the
 * compiler can vectorise.
 */
#include <stdint.h>
#include <string.h>

#include "helpers_impl.h"

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
	       "csum_partial reproduces x86-64, a little-endian machine");

static inline uint32_t csum_partial(const uint8_t *buf, uint32_t len, uint32_t seed)
{
	uint64_t sum = seed; /* 2^30 words of 2^32 cannot overflow 64 bits */
	uint32_t i, w;

	for (i = 0; i + 4 <= len; i += 4) {
		memcpy(&w, buf + i, 4);
		sum += w;
	}
	if (i < len) {
		w = 0;
		memcpy(&w, buf + i, len - i);
		sum += w;
	}
	/* End-around fold: never 0 unless sum is 0, as the kernel's adc chain. */
	while (sum >> 32)
		sum = (sum & 0xffffffffu) + (sum >> 32);
	return (uint32_t)sum;
}

/* csum_add() / csum_sub() of include/net/checksum.h: 32-bit end-around. */
static inline uint32_t csum_add(uint32_t a, uint32_t b)
{
	uint32_t r = a + b;

	return r + (r < b);
}

/* csum_from32to16(): add the halves with end-around carry. */
static inline uint16_t csum_from32to16(uint32_t sum)
{
	sum += (sum >> 16) | (sum << 16);
	return (uint16_t)(sum >> 16);
}

uint64_t uxdp_helper_csum_diff(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	const uint8_t *from = (const uint8_t *)(uintptr_t)r1;
	const uint8_t *to = (const uint8_t *)(uintptr_t)r3;
	uint32_t from_size = (uint32_t)r2, to_size = (uint32_t)r4;
	uint32_t ret = (uint32_t)r5; /* __wsum seed */

	if (from_size && to_size)
		ret = csum_add(csum_partial(to, to_size, ret), ~csum_partial(from, from_size, 0));
	else if (to_size)
		ret = csum_partial(to, to_size, ret);
	else if (from_size)
		ret = ~csum_partial(from, from_size, ~ret);
	return csum_from32to16(ret);
}
