// SPDX-License-Identifier: MIT
/*
 * Unit tests of csum_diff.  The deadbeef vectors are the expected results of
 * the kernel's own selftest (tools/testing/selftests/bpf, test_csum_diff),
 * which pin the 6.13+ folded result on little-endian machines.
 */
#include <string.h>

#include "../helpers_impl.h"
#include "test.h"

#define P(x) ((uint64_t)(uintptr_t)(x))

static uint16_t diff(const void *from, uint32_t fs, const void *to, uint32_t ts, uint32_t seed)
{
	uint64_t r = uxdp_helper_csum_diff(P(from), fs, P(to), ts, seed);

	CHECK(r <= 0xffff); /* always a zero-extended u16 */
	return (uint16_t)r;
}

int main(void)
{
	const uint64_t dead[2] = { 0xdeadbeefdeadbeefull, 0xbeefdeadbeefdeadull };
	const uint64_t abab = 0xababababababababull, zero = 0;
	uint8_t ip[20] = { 0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
			   0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7 };
	uint8_t ones[8];
	uint16_t r;

	/* push: to only */
	CHECK_EQ(diff(NULL, 0, dead, 8, 0), 0x3b3b);
	CHECK_EQ(diff(NULL, 0, dead, 16, 0x1234), 0x88aa);
	CHECK_EQ(diff(NULL, 0, dead, 15, 0x1234), 0xcaa9);
	/* pull: from only */
	CHECK_EQ(diff(dead, 8, NULL, 0, 0), 0xc4c4);
	CHECK_EQ(diff(dead, 16, NULL, 0, 0x1234), 0x9bbd);
	CHECK_EQ(diff(dead, 15, NULL, 0, 0x1234), 0x59be);
	/* diff */
	CHECK_EQ(diff(dead, 8, &abab, 8, 0), 0x7373);
	CHECK_EQ(diff(dead, 7, &abab, 7, 0), 0xa673);
	CHECK_EQ(diff(&zero, 8, &abab, 8, 0), 0xaeae);
	CHECK_EQ(diff(dead, 8, &zero, 8, 0xffff), 0xc4c4);
	/* edge: no data returns the seed, truncated to 32 bits and folded */
	CHECK_EQ(diff(NULL, 0, NULL, 0, 0), 0);
	CHECK_EQ(diff(NULL, 0, NULL, 0, 0x1234), 0x1234);
	CHECK_EQ(uxdp_helper_csum_diff(0, 0, 0, 0, 0xffffffff12345678ull), 0x68ac);
	CHECK_EQ(uxdp_helper_csum_diff(0, 0, 0, 0, 0xffff0001), 0x0001);

	/* An IPv4 header: the complement of the sum is its checksum, b8 61. */
	r = diff(NULL, 0, ip, 20, 0);
	CHECK_EQ((uint16_t)~r, 0x61b8);
	ip[10] = 0xb8;
	ip[11] = 0x61;
	CHECK_EQ(diff(NULL, 0, ip, 20, 0), 0xffff); /* a valid header sums to -0 */

	/* Incremental update: replace a 4-byte address and adjust the old sum. */
	{
		uint8_t ip2[20];
		uint32_t old_addr, new_addr = 0x0a0b0c0d;
		uint16_t full;

		ip[10] = ip[11] = 0;
		memcpy(ip2, ip, 20);
		memcpy(&old_addr, ip + 12, 4);
		memcpy(ip2 + 12, &new_addr, 4);
		full = diff(NULL, 0, ip2, 20, 0);
		r = diff(&old_addr, 4, &new_addr, 4, diff(NULL, 0, ip, 20, 0));
		CHECK_EQ(r, full);
	}

	/* from all ones sums to 0xffffffff: csum_sub then adds 0, the -0 case. */
	memset(ones, 0xff, sizeof(ones));
	CHECK_EQ(diff(ones, 8, &zero, 8, 0), 0);
	CHECK_EQ(diff(&zero, 8, ones, 8, 0), 0xffff);
	return test_result("unit.helpers.csum");
}
