// SPDX-License-Identifier: MIT
/*
 * opts.h - how the structs a program passes into libuxdp by pointer grow
 * without breaking programs built against an older header.
 *
 * Each such struct (struct uxdp_map_def, uxdp_object_opts, uxdp_dp_opts,
 * uxdp_pcap_opts, uxdp_fib_iface, uxdp_fib_route, uxdp_fib_neigh) starts
 * with `size_t sz`, which the caller sets to
 * sizeof(the struct) as its header defines it.  New fields are only ever
 * added at the end, so that the library can tell what the caller knows of:
 *
 *   - sz smaller than the library's struct (an older caller): the fields
 *     the caller did not know are read as zero, their default;
 *   - sz larger (a newer caller on an older library): the bytes the library
 *     does not know must all be zero (the caller left the new fields at
 *     their default), else the call fails with -E2BIG, as the kernel's
 *     bpf(2) treats a larger union bpf_attr;
 *   - sz smaller than sizeof(size_t) (0: a caller that did not set it):
 *     -EINVAL.
 *
 * Declare one with UXDP_OPTS(), which sets sz and zeroes the rest
 * (padding included, so that a newer library never reads junk):
 *
 *	UXDP_OPTS(uxdp_map_def, def, .name = "counts", .type = BPF_MAP_TYPE_ARRAY,
 *		  .key_size = 4, .value_size = 8, .max_entries = 16);
 *	err = uxdp_map_create("fw", &def, &map);
 *
 * or set .sz = sizeof(struct ...) by hand in an initializer.
 */
#ifndef UXDP_OPTS_H
#define UXDP_OPTS_H

#include <string.h>

/* struct TYPE NAME, zeroed, with sz set and the named fields given. */
#define UXDP_OPTS(TYPE, NAME, ...)                                              \
	struct TYPE NAME = ({                                                   \
		memset(&NAME, 0, sizeof(struct TYPE));                          \
		(struct TYPE){ .sz = sizeof(struct TYPE), __VA_ARGS__ };        \
	})

#endif
