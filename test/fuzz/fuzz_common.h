/* SPDX-License-Identifier: MIT */
/*
 * fuzz_common.h - what the compiler fuzzers share.
 */
#ifndef UXDP_FUZZ_COMMON_H
#define UXDP_FUZZ_COMMON_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "compile.h"

/*
 * Compile obj at -O0 to LLVM IR thrown away.  A rejected program is fine,
 * but IR that LLVM's verifier refuses (pipeline.c's -EFAULT, and only that)
 * is ours whatever the input: abort so that libFuzzer keeps it.  The text
 * of the message is no guide: it quotes names from the input.
 */
static inline void fuzz_compile(const struct uxdp_object *obj)
{
	struct uxdp_compile_opts opts = {
		.opt_level = 0,
		.emit = UXDP_EMIT_LLVM,
		.output = "/dev/null",
		/* The kernel's verifier is not the code under test. */
		.verify = UXDP_VERIFY_NONE,
	};
	struct uxdp_diag diag = { 0 };

	if (uxdp_compile(obj, &opts, &diag) == -EFAULT) {
		fprintf(stderr, "fuzz: %s\n", diag.msg);
		abort();
	}
}

#endif /* UXDP_FUZZ_COMMON_H */
