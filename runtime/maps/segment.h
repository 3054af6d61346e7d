/* SPDX-License-Identifier: MIT */
/*
 * segment.h - shared-memory objects that belong to their owner.  Private to
 * runtime/maps (and to the runtime's other shared objects: stats, xsk rings).
 *
 * /dev/shm is writable by every user, so a name there proves nothing.  A
 * segment is created exclusively (O_EXCL) with an explicit mode (0600, or
 * 0660 and a group chosen with uxdp_map_set_group()), and opened only if it
 * is a regular file owned by the calling user or by root, not writable by
 * others, and no smaller than its header says (checked by the caller against
 * fstat).  Every mapping is registered, so that a segment shrunk under a
 * running process (SIGBUS on access) is replaced by zero pages and reported
 * instead of killing the process (uxdp_map_sigbus_guard()).
 *
 * Errors are negative errno values; the reason in words (which file, whose,
 * what mode) is left in a per-thread message for the edge to print
 * (uxdp_map_last_error()).
 */
#ifndef UXDP_MAPS_SEGMENT_H
#define UXDP_MAPS_SEGMENT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

/* Create /dev/shm/<name> (name starts with '/') exclusively, size bytes, owned as set. */
int uxdp_seg_create(const char *name, uint64_t size, int *fd);
/* Open an existing one (O_RDWR or O_RDONLY) after the ownership checks; *st filled. */
int uxdp_seg_open(const char *name, int oflag, int *fd, struct stat *st);
/* Whether the object behind fd still passes the ownership checks (after fstat). */
int uxdp_seg_check(const char *name, const struct stat *st);

/*
 * mmap wrappers that register the range for the SIGBUS guard under name.
 * uxdp_seg_map() maps len bytes of fd at offset 0 (MAP_SHARED);
 * uxdp_seg_register() registers a range mapped otherwise (ring buffers).
 */
void *uxdp_seg_map(int fd, size_t len, int prot, const char *name);
void uxdp_seg_register(void *base, size_t len, const char *name);
void uxdp_seg_unmap(void *base, size_t len);
/* Attach tag (a map handle) to the registered range at base; the range's tag of addr. */
void uxdp_seg_set_tag(void *base, void *tag);
void *uxdp_seg_tag_of(const void *addr);

/* Set the per-thread error message (printf format) and return err. */
int uxdp_seg_error(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void uxdp_seg_clear_error(void);

#endif /* UXDP_MAPS_SEGMENT_H */
