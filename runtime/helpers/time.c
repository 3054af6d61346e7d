// SPDX-License-Identifier: MIT
/*
 * time.c - bpf_ktime_get_ns and bpf_ktime_get_boot_ns.
 *
 * The kernel reads ktime_get_mono_fast_ns() and ktime_get_boot_fast_ns():
 * CLOCK_MONOTONIC and CLOCK_BOOTTIME in nanoseconds, the same clocks
 * userspace sees, so values compare with the kernel's and with bpftool's.
 * Both go through the vDSO; no system call per packet.
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

uint64_t uxdp_helper_ktime_get_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

uint64_t uxdp_helper_ktime_get_boot_ns(void)
{
	return clock_ns(CLOCK_BOOTTIME);
}
