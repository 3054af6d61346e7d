/* SPDX-License-Identifier: MIT */
/*
 * bpf_compile.h - a BPF object's bytes compiled by uxdpc (compile.c), as uxdpd
 * does for every load; also linked into libuxdp-bpfsys.so, whose
 * BPF_PROG_TEST_RUN compiles the object the daemon hands out (PROG_OBJECT) the same way.
 */
#ifndef UXDP_DAEMON_BPF_COMPILE_H
#define UXDP_DAEMON_BPF_COMPILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct compile_opts {
	const char *uxdpc;             /* the compiler to run */
	const char *cache_dir;         /* NULL: no cache */
	char *const *envp;             /* uxdpc's environment; NULL: ours */
};

/*
 * The compiled object for a BPF object's bytes, from the cache or uxdpc:
 * its path in out_path.  opt_level -1 is the default (-O2); flags are
 * UXDP_LOAD_F_* (uxdp/daemon_proto.h).  Without a cache the file is the
 * caller's to remove.  0 or -errno with the reason in err.
 */
int compile_bpf(const struct compile_opts *o, const void *data, size_t len, const char *label,
		int opt_level, uint32_t flags, char *out_path, size_t out_size, bool *cached,
		char *err, size_t err_size);
/* A 64-bit FNV-1a hash of len bytes, continuing from h (start: FNV_OFFSET). */
#define FNV_OFFSET 0xcbf29ce484222325ull
uint64_t fnv1a(uint64_t h, const void *data, size_t len);

#endif
