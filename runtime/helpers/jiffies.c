// SPDX-License-Identifier: MIT
/*
 * jiffies.c - bpf_jiffies64 (helper 118): the kernel's jiffies_64.
 *
 * The kernel advances jiffies once a tick, in the tick handler that also
 * advances CLOCK_MONOTONIC_COARSE, so the counter is the coarse clock in
 * ticks from a fixed origin.  jiffies_clock.c finds that origin once per
 * process; each call then costs one vDSO clock read and a division, no
 * system call.  The two move on grids whose phase drifts apart by parts of
 * a tick (the timekeeper's accumulation interval against the tick's
 * period), so a value may be one off the kernel's near a tick; rounding
 * keeps it to one.
 */
#include <stdint.h>

#include "helpers_impl.h"

uint64_t uxdp_helper_jiffies64(void)
{
	const struct uxdp_jiffies_clock *c = uxdp_jiffies_clock();
	uint64_t now = uxdp_coarse_ns();

	if (uxdp_unlikely(now < c->coarse0)) /* not on one clock: never, but no wrap */
		return c->jiffies0;
	return c->jiffies0 + (now - c->coarse0 + c->tick_ns / 2) / c->tick_ns;
}
