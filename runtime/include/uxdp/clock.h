// SPDX-License-Identifier: MIT
/*
 * clock.h - the runtime's two clocks in nanoseconds (private, not
 * installed): wall-clock time for what is shown to people or stored in
 * shared memory for other processes (run records, counters' start and end,
 * loaded_at), monotonic time for intervals within one process.
 */
#ifndef UXDP_CLOCK_H
#define UXDP_CLOCK_H

#include <stdint.h>

/* CLOCK_REALTIME, ns since the epoch. */
__attribute__((visibility("hidden"))) uint64_t uxdp_realtime_ns(void);
/* CLOCK_MONOTONIC, ns since an arbitrary point (boot). */
__attribute__((visibility("hidden"))) uint64_t uxdp_monotonic_ns(void);

#endif
