// SPDX-License-Identifier: MIT
/* clock.c - the runtime's clocks in nanoseconds (uxdp/clock.h). */
#include <time.h>

#include <uxdp/clock.h>

static uint64_t ns_of(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t uxdp_realtime_ns(void)
{
	return ns_of(CLOCK_REALTIME);
}

uint64_t uxdp_monotonic_ns(void)
{
	return ns_of(CLOCK_MONOTONIC);
}
