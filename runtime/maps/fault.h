/* SPDX-License-Identifier: MIT */
/*
 * fault.h - fault injection for the crash tests.  Private to runtime/maps.
 *
 * Writers mark each step of an update with UXDP_FAULT_POINT().  With
 * UXDP_FAULT_STOP_AT=N in the environment, the process stops itself
 * (SIGSTOP) at the N-th point it passes, so that a test can kill it there
 * with SIGKILL and check that the next user of the map finds it usable:
 * random kill timing would almost never hit the few instructions between
 * two stores.  Disarmed, a point costs one load and a not-taken branch.
 */
#ifndef UXDP_MAPS_FAULT_H
#define UXDP_MAPS_FAULT_H

extern int uxdp_fault_armed;
void uxdp_fault_hit(void);
/* Arm (n > 0: stop at the n-th point from now) or disarm (0), as the variable does. */
void uxdp_fault_arm(long n);

#define UXDP_FAULT_POINT()                                    \
	do {                                                  \
		if (__builtin_expect(uxdp_fault_armed, 0))    \
			uxdp_fault_hit();                     \
	} while (0)

#endif /* UXDP_MAPS_FAULT_H */
