// SPDX-License-Identifier: MIT
/*
 * jiffies_clock.c - where the kernel's jiffies_64 stands against
 * CLOCK_MONOTONIC_COARSE, found once per process for bpf_jiffies64
 * (jiffies.c).  Native only: a copy inlined into each program would
 * calibrate again.
 *
 * The tick length is the coarse clock's resolution (the kernel reports
 * TICK_NSEC for it, 10^9 / CONFIG_HZ rounded), readable by anyone.  The
 * counter's value needs the kernel's word: /proc/timer_list prints it, but
 * only to root.  It is read between two readings of the coarse clock that
 * agree, so that no tick fell in between; and since the kernel raises the
 * counter a moment before it moves the clock, one such reading may still
 * pair the new count with the old clock: two readings must give the same
 * origin.  Without it (not root) the counter is estimated as the kernel
 * starts it, INITIAL_JIFFIES when the monotonic clock starts; the kernel's
 * own counter starts a little later than its clock (0.2 s, 50 jiffies, on
 * the machine of docs/compatibility.md), so values are that much ahead.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "helpers_impl.h"

#define TIMER_LIST "/proc/timer_list"
#define DEFAULT_TICK_NS 4000000ull /* CONFIG_HZ=250, Debian's, if the clock will not say */
#define CALIBRATION_TRIES 200 /* readings of timer_list: milliseconds each */

static struct uxdp_jiffies_clock clk;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static uint64_t tick_ns(void)
{
	struct timespec res;

	if (clock_getres(CLOCK_MONOTONIC_COARSE, &res) || res.tv_sec || res.tv_nsec <= 0)
		return DEFAULT_TICK_NS;
	return (uint64_t)res.tv_nsec;
}

/* The first "jiffies: N" line of /proc/timer_list, or -1. */
static int kernel_jiffies(uint64_t *j)
{
	FILE *f = fopen(TIMER_LIST, "re");
	char line[256];
	int ret = -1;

	if (!f)
		return -1;
	while (ret && fgets(line, sizeof(line), f))
		if (sscanf(line, "jiffies: %" SCNu64, j) == 1)
			ret = 0;
	fclose(f);
	return ret;
}

/* include/linux/jiffies.h: (unsigned long)(unsigned int)(-300 * HZ). */
static uint64_t initial_jiffies(uint64_t tick)
{
	uint64_t hz = (1000000000ull + tick / 2) / tick;

	return (uint32_t)(-(int64_t)(300 * hz));
}

/* The counter's value when the coarse clock was 0: j less the clock in ticks. */
static uint64_t origin(uint64_t coarse, uint64_t j)
{
	return j - (coarse + clk.tick_ns / 2) / clk.tick_ns;
}

static void calibrate(void)
{
	uint64_t last = 0;
	bool have_last = false;

	clk.tick_ns = tick_ns();
	for (int i = 0; i < CALIBRATION_TRIES; i++) {
		uint64_t before = uxdp_coarse_ns(), j, after;

		if (kernel_jiffies(&j))
			break;
		after = uxdp_coarse_ns();
		if (before != after)
			continue;
		if (have_last && origin(before, j) == last) {
			clk.coarse0 = before;
			clk.jiffies0 = j;
			clk.exact = 1;
			return;
		}
		last = origin(before, j);
		have_last = true;
	}
	clk.coarse0 = uxdp_coarse_ns();
	clk.jiffies0 = initial_jiffies(clk.tick_ns) + (clk.coarse0 + clk.tick_ns / 2) / clk.tick_ns;
	clk.exact = 0;
}

const struct uxdp_jiffies_clock *uxdp_jiffies_clock(void)
{
	pthread_once(&once, calibrate);
	return &clk;
}
