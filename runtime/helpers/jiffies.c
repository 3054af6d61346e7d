// SPDX-License-Identifier: MIT
/*
 * jiffies.c - bpf_jiffies64 (helper 118): the kernel's jiffies_64.
 *
 * The kernel advances jiffies once a tick, in the same tick handler that
 * advances CLOCK_MONOTONIC_COARSE, so the counter is the coarse clock in
 * ticks from a fixed origin.  jiffies_clock.c finds that origin once per
 * process; each call then costs one vDSO clock read and a division, no
 * system call.  The rounding absorbs the few microseconds by which a tick
 * handler runs late.
 */
#include <stdint.h>
#include <time.h>

#include "helpers_impl.h"

uint64_t uxdp_helper_jiffies64(void)
{
	const struct uxdp_jiffies_clock *c = uxdp_jiffies_clock();
	struct timespec ts;
	uint64_t now;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	now = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	if (uxdp_unlikely(now < c->coarse0)) /* not on one clock: never, but no wrap */
		return c->jiffies0;
	return c->jiffies0 + (now - c->coarse0 + c->tick_ns / 2) / c->tick_ns;
}
