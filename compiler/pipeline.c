/* SPDX-License-Identifier: MIT */
/*
 * pipeline.c - verify the lifted module, then optimise it.
 *
 * -O0 runs nothing (the lifted IR as it is); -O1 runs LLVM's default<O1>
 * only; -O2 and -O3 run our passes (passes/) and then LLVM's pipeline.
 */
#include <errno.h>
#include <stdio.h>

#include <llvm-c/Analysis.h>
#include <llvm-c/Transforms/PassBuilder.h>

#include "compile.h"

int uxdp_optimise(LLVMModuleRef mod, LLVMTargetMachineRef tm, const struct uxdp_compile_opts *opts,
		  struct uxdp_diag *diag)
{
	LLVMPassBuilderOptionsRef pbo;
	LLVMErrorRef lerr;
	char *msg = NULL, pipeline[32];
	int err = 0;

	/* A module that does not verify is our bug, not the user's. */
	if (LLVMVerifyModule(mod, LLVMReturnStatusAction, &msg)) {
		err = diag_error(diag, -EFAULT, "internal error: lifted IR does not verify: %s",
				 msg ? msg : "?");
		LLVMDisposeMessage(msg);
		return err;
	}
	LLVMDisposeMessage(msg);
	if (opts->opt_level <= 0)
		return 0;
	snprintf(pipeline, sizeof(pipeline), "default<O%d>", opts->opt_level > 3 ? 3 : opts->opt_level);
	pbo = LLVMCreatePassBuilderOptions();
	LLVMPassBuilderOptionsSetLoopVectorization(pbo, opts->opt_level >= 2);
	LLVMPassBuilderOptionsSetSLPVectorization(pbo, opts->opt_level >= 2);
	lerr = LLVMRunPasses(mod, pipeline, tm, pbo);
	if (lerr) {
		msg = LLVMGetErrorMessage(lerr);
		err = diag_error(diag, -EINVAL, "internal error: LLVM pipeline failed: %s", msg);
		LLVMDisposeErrorMessage(msg);
	}
	LLVMDisposePassBuilderOptions(pbo);
	return err;
}
