/* SPDX-License-Identifier: MIT */
/*
 * jiffies.h - where the kernel's jiffies counter stands against
 * CLOCK_MONOTONIC_COARSE, for bpf_jiffies64 (runtime/helpers/jiffies.c).
 * runtime/helpers/jiffies_clock.c finds it once per process.
 */
#ifndef UXDP_JIFFIES_H
#define UXDP_JIFFIES_H

#include <stdint.h>

struct uxdp_jiffies_clock {
	uint64_t tick_ns;  /* 10^9 / CONFIG_HZ: the coarse clock's resolution */
	uint64_t coarse0;  /* a CLOCK_MONOTONIC_COARSE reading, in ns ... */
	uint64_t jiffies0; /* ... and the kernel's jiffies_64 at that moment */
	int exact;         /* 1: jiffies0 read from the kernel; 0: estimated */
};

const struct uxdp_jiffies_clock *uxdp_jiffies_clock(void);

#endif /* UXDP_JIFFIES_H */
