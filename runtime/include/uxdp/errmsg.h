// SPDX-License-Identifier: MIT
/*
 * errmsg.h - the one way a runtime function hands its caller an error line
 * (private to the runtime, not installed).
 *
 * Library code returns a negative errno and, where the caller passed an
 * err buffer, one line of context for it (which map, which file, why); only
 * the edge (a tool's main, the daemon's reply) prints it.
 */
#ifndef UXDP_ERRMSG_H
#define UXDP_ERRMSG_H

#include <stddef.h>

/*
 * Format one line into err (err NULL or err_size 0: nothing is written) and
 * return ret unchanged, so that a caller can write
 * `return uxdp_errmsg(err, err_size, -ENOENT, "map %s: no such map", name);`.
 */
__attribute__((visibility("hidden"), format(printf, 4, 5))) int
uxdp_errmsg(char *err, size_t err_size, int ret, const char *fmt, ...);

#endif
