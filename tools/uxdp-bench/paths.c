// SPDX-License-Identifier: MIT
/*
 * paths.c - where uxdp-bench finds what it runs and reads: uxdpc, the
 * helpers' bitcode, the native engine's headers and the empty program.
 *
 * Installed, everything is relative to the executable (bin/): the data in
 * UXDP_BENCH_DATA_REL (share/uxdp/bench), the bitcode in
 * UXDP_BENCH_HELPERS_BC_REL (LIBDIR/uxdp, where uxdpc reads it too), uxdpc
 * beside it.  Run from the build tree, none of those exist and the build
 * paths compiled in are used instead.  clang and the LLVM tools are the
 * system's, the same in both.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "tool_path.h"

#ifndef UXDP_BENCH_DATA_REL
#define UXDP_BENCH_DATA_REL "../share/uxdp/bench"
#endif
#ifndef UXDP_BENCH_HELPERS_BC_REL
#define UXDP_BENCH_HELPERS_BC_REL "../lib/uxdp/uxdp_helpers.bc"
#endif

/* The directory of this executable, or "" when /proc is not there. */
static void self_dir(char *buf, size_t n)
{
	ssize_t len = readlink("/proc/self/exe", buf, n - 1);
	char *slash;

	buf[len > 0 ? len : 0] = 0;
	slash = strrchr(buf, '/');
	if (slash)
		*slash = 0;
	else
		buf[0] = 0;
}

/* dir/rel when it exists (mode: access(2)'s), else build. */
static void pick(char *out, size_t n, const char *dir, const char *rel, int mode, const char *build)
{
	if (dir[0]) {
		snprintf(out, n, "%s/%s", dir, rel);
		if (!access(out, mode))
			return;
	}
	snprintf(out, n, "%s", build);
}

void bench_paths_find(struct bench_paths *p)
{
	char self[PATH_MAX], data[PATH_MAX + 64] = "";

	self_dir(self, sizeof(self));
	if (self[0])
		snprintf(data, sizeof(data), "%s/%s", self, UXDP_BENCH_DATA_REL);
	p->uxdpc = uxdp_tool_path("uxdpc", "UXDPC", UXDP_BENCH_UXDPC);
	pick(p->helpers_bc, sizeof(p->helpers_bc), self, UXDP_BENCH_HELPERS_BC_REL, R_OK,
	     UXDP_BENCH_HELPERS_BC);
	pick(p->native_inc, sizeof(p->native_inc), data, "native/bpf_compat.h", R_OK,
	     UXDP_BENCH_NATIVE_INC "/bpf_compat.h");
	*strrchr(p->native_inc, '/') = 0;
	pick(p->empty_obj, sizeof(p->empty_obj), data, "xdp_empty.bpf.o", R_OK,
	     UXDP_BENCH_EMPTY_OBJ);
	pick(p->empty_src, sizeof(p->empty_src), data, "xdp_empty.bpf.c", R_OK,
	     UXDP_BENCH_EMPTY_SRC);
}
