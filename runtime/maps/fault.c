// SPDX-License-Identifier: MIT
/*
 * fault.c - the fault points of fault.h, armed from the environment.
 */
#include <signal.h>
#include <stdlib.h>

#include "fault.h"

int uxdp_fault_armed;
static long countdown;

void uxdp_fault_arm(long n)
{
	countdown = n;
	uxdp_fault_armed = n > 0;
}

__attribute__((constructor)) static void fault_arm_from_env(void)
{
	const char *at = getenv("UXDP_FAULT_STOP_AT");

	if (at && *at)
		uxdp_fault_arm(strtol(at, NULL, 10));
}

void uxdp_fault_hit(void)
{
	if (--countdown)
		return;
	uxdp_fault_armed = 0;
	raise(SIGSTOP); /* what the test waits for, before it kills */
}
