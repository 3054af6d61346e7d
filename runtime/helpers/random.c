// SPDX-License-Identifier: MIT
/*
 * random.c - bpf_get_prandom_u32.
 *
 * The kernel steps a per-CPU prandom state (bpf_user_rnd_u32); we step the
 * calling worker's.  The sequence cannot match the kernel's (its seed is
 * random), only its contract: fast, not cryptographic, per CPU.  SplitMix64
 * is one add and a few multiply-xorshifts per draw and passes BigCrush.
 */
#include <stdint.h>

#include <uxdp/worker.h>

#include "helpers_impl.h"

uint64_t uxdp_helper_get_prandom_u32(void)
{
	struct uxdp_worker *w = uxdp_worker_current();
	uint64_t z = (w->prng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return (uint32_t)((z ^ (z >> 31)) >> 32);
}
