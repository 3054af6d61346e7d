/* SPDX-License-Identifier: MIT */
/*
 * rlock.h - locks in shared memory that survive their holder.  Private to
 * runtime/maps.
 *
 * The lock word holds the holder's token (instance.h): its participant
 * slot and the slot's claim generation.  A waiter that has spun for a while
 * asks whether that thread still exists; if not, it takes the lock over and
 * is told so, and the caller repairs whatever the dead holder left half
 * done (each map type's repair()).  A holder that is alive but stopped
 * (SIGSTOP, a debugger) keeps its lock, as any lock does.
 */
#ifndef UXDP_MAPS_RLOCK_H
#define UXDP_MAPS_RLOCK_H

#include <stdint.h>

#include "instance.h"

/*
 * Take the lock at word for the calling thread.  0: taken; 1: taken over
 * from a dead holder (repair before use); -EUSERS: this thread could not
 * get a participant slot; -EDEADLK: it holds the lock already.
 */
int uxdp_rlock_acquire(struct uxdp_inst *in, uint32_t *word);
/* Non-blocking, and no liveness check (no /proc read): 0 taken, -EBUSY held by anyone. */
int uxdp_rlock_try_free(struct uxdp_inst *in, uint32_t *word);
/*
 * Non-blocking, but a dead holder's lock is taken over (a read of /proc
 * when it is held): 0 taken, 1 taken over (repair before use), -EBUSY held
 * by a live thread, or the errors of uxdp_rlock_acquire().
 */
int uxdp_rlock_try_checked(struct uxdp_inst *in, uint32_t *word);
void uxdp_rlock_release(uint32_t *word);

#endif /* UXDP_MAPS_RLOCK_H */
