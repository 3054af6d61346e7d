// SPDX-License-Identifier: MIT
/*
 * time_coarse.c - bpf_ktime_get_coarse_ns (helper 160).
 *
 * The kernel returns ktime_get_coarse_ns(): CLOCK_MONOTONIC as of the last
 * tick, the clock userspace reads as CLOCK_MONOTONIC_COARSE (vDSO, no
 * system call).
 */
#include <stdint.h>
#include <time.h>

#include "helpers_impl.h"

uint64_t uxdp_helper_ktime_get_coarse_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}
