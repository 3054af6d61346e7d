// SPDX-License-Identifier: GPL-2.0
/*
 * bounds_loops.bpf.c - packet checks inside a loop, where widening a check
 * would be wrong (bounds_elim.c must leave it alone).
 *
 *   i = 0, p = data + 14;
 *   while (i < 4 && p + 4 <= end && data[0] != 0xee && data + 10 <= end)
 *           { p = data + 18; i++; }
 *   return i & 3;
 *
 * From the check on data + 10, the next check round the loop is on p + 4 =
 * data + 22; widening the first to 22 bytes would leave the loop one
 * iteration early, before i++, so 18..21-byte frames would give 0, not 1.
 * Written in assembly so that clang keeps this shape.  (Found by review of
 * the widening; the kernel verifier accepts it.)
 */
#include "diff_common.h"

SEC("xdp") __attribute__((naked)) int diff_bounds_loops(struct xdp_md *ctx)
{
	asm volatile("r7 = *(u32 *)(r1 + 0);"
		     "r8 = *(u32 *)(r1 + 4);"
		     "r6 = 0;"
		     "r5 = r7;"
		     "r5 += 14;"
		     "head_%=:"
		     "if r6 >= 4 goto out_%=;"
		     "r4 = r5;"
		     "r4 += 4;"
		     "if r4 > r8 goto out_%=;"
		     "r9 = *(u8 *)(r7 + 0);"
		     "if r9 == 0xee goto out_%=;"
		     "r4 = r7;"
		     "r4 += 10;"
		     "if r4 > r8 goto out_%=;"
		     "r5 = r7;"
		     "r5 += 18;"
		     "r6 += 1;"
		     "goto head_%=;"
		     "out_%=:"
		     "r0 = r6;"
		     "r0 &= 3;"
		     "exit;" ::: "memory");
}

char LICENSE[] SEC("license") = "GPL";
