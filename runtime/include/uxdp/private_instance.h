/* SPDX-License-Identifier: MIT */
/*
 * private_instance.h - the map instance of a run that did not name one.
 *
 * `uxdp` without --instance keeps its maps in an instance of its own,
 *
 *	private-<pid>-<start>
 *
 * where start is the process's start time (field 22 of /proc/<pid>/stat,
 * clock ticks since boot).  The run removes it on every exit path that runs
 * code; one that could not (SIGKILL, a crash) leaves segments behind, and
 * the next run reclaims them: an instance whose pid is gone, or now belongs
 * to a process with another start time, is dead.  A live run's instance is
 * never touched (an unreadable /proc entry counts as alive).  Pids are those
 * of the pid namespace that reads /proc: runs in other pid namespaces
 * sharing /dev/shm are not told apart.
 *
 * Errors: 0 or a negative errno; nothing here prints or exits.
 */
#ifndef UXDP_PRIVATE_INSTANCE_H
#define UXDP_PRIVATE_INSTANCE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define UXDP_PRIVATE_PREFIX "private-"

/* This process's private instance name. */
int uxdp_private_instance_name(char *buf, size_t size);
/*
 * Is instance a private one whose process is gone?  false for names that
 * are not private instances.
 */
bool uxdp_private_instance_dead(const char *instance);
/*
 * Remove every segment of instance: its maps (uxdp_map_unlink_instance()),
 * xskmap rings, counters, and anything else named uxdp.<instance>.*.
 */
int uxdp_private_instance_remove(const char *instance);
/*
 * Remove the segments of every dead private instance in /dev/shm, by name
 * (uxdp.<instance>, uxdp.<instance>.*, uxdp-xsk.<instance>.*,
 * uxdp-stats.<instance>), without opening them; removed
 * (if not NULL) is called with each instance's name.  Returns how many
 * instances were removed.
 */
int uxdp_private_instance_reclaim(void (*removed)(const char *instance, void *arg), void *arg);

#endif /* UXDP_PRIVATE_INSTANCE_H */
