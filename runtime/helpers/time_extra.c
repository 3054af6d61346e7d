// SPDX-License-Identifier: MIT
/*
 * time_extra.c - bpf_ktime_get_coarse_ns (helper 160) and
 * bpf_ktime_get_tai_ns (208).
 *
 * The kernel returns ktime_get_coarse_ns(), CLOCK_MONOTONIC as of the last
 * tick, and ktime_get_tai_fast_ns(), International Atomic Time: the clocks
 * userspace reads as CLOCK_MONOTONIC_COARSE and CLOCK_TAI (vDSO, no system
 * call).
 */
#include <stdint.h>
#include <time.h>

#include "helpers_impl.h"

static inline uint64_t clock_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t uxdp_helper_ktime_get_coarse_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC_COARSE);
}

uint64_t uxdp_helper_ktime_get_tai_ns(void)
{
	return clock_ns(CLOCK_TAI);
}
