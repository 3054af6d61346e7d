/* SPDX-License-Identifier: MIT */
/*
 * target.c - LLVM target set-up and output, in one place.
 *
 * The default target is the host CPU with all its features: what decides
 * whether LLVM vectorises packet loops is the vector ISA it may use (see
 * ../shared/DESIGN.md, measured: generic x86-64 loses the SIMD code).
 * Objects are position-independent so that the runtime's loader can place
 * them anywhere and reach the host's helpers through a GOT or stubs.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <llvm-c/Support.h>
#include <llvm-c/Target.h>

#include "compile.h"

/*
 * Backend options, once per process (LLVM keeps them in globals).
 *
 * -regalloc-csr-first-time-cost: what the register allocator charges for
 * the first use of a callee-saved register (default 0), i.e. one push and
 * one pop in the prologue and epilogue.  Most XDP programs leave through an
 * early exit (a parse check fails) that bumps a counter with a locked
 * instruction, and a locked instruction waits for every earlier store,
 * pushes included, to leave the store buffer: at cost 0 xdp_dns took six
 * callee-saved registers where native C takes four and ran 1.3x native.
 * At 20, values that live only on the deep path go to caller-saved
 * registers or the stack there instead.  Measured with uxdp-bench
 * (docs/benchmarks.md, fourth session).
 */
static void set_backend_options(void)
{
	static bool done;
	const char *argv[] = { "uxdpc", "-regalloc-csr-first-time-cost=20" };

	if (done)
		return;
	done = true;
	LLVMParseCommandLineOptions(2, argv, "uxdpc");
}

int uxdp_target_machine(const struct uxdp_compile_opts *opts, LLVMTargetMachineRef *tm,
			struct uxdp_diag *diag)
{
	char *triple = opts->triple ? NULL : LLVMGetDefaultTargetTriple();
	const char *use_triple = opts->triple ? opts->triple : triple;
	char *host_cpu = NULL, *host_features = NULL, *msg = NULL;
	LLVMCodeGenOptLevel level;
	LLVMTargetRef target;
	int err = 0;

	LLVMInitializeX86TargetInfo();
	LLVMInitializeX86Target();
	LLVMInitializeX86TargetMC();
	LLVMInitializeX86AsmPrinter();
	set_backend_options();
	if (LLVMGetTargetFromTriple(use_triple, &target, &msg)) {
		err = diag_error(diag, -EINVAL, "unsupported target '%s': %s", use_triple,
				 msg ? msg : "unknown");
		goto out;
	}
	if (!opts->mcpu && !opts->triple) {
		host_cpu = LLVMGetHostCPUName();
		host_features = LLVMGetHostCPUFeatures();
	}
	switch (opts->opt_level) {
	case 0:
		level = LLVMCodeGenLevelNone;
		break;
	case 1:
		level = LLVMCodeGenLevelLess;
		break;
	case 2:
		level = LLVMCodeGenLevelDefault;
		break;
	default:
		level = LLVMCodeGenLevelAggressive;
		break;
	}
	*tm = LLVMCreateTargetMachine(target, use_triple,
				      opts->mcpu ? opts->mcpu : host_cpu ? host_cpu : "generic",
				      opts->mattr ? opts->mattr : host_features ? host_features : "",
				      level, LLVMRelocPIC, LLVMCodeModelSmall);
	if (!*tm)
		err = diag_error(diag, -EINVAL, "cannot create a target machine for '%s' cpu '%s'",
				 use_triple, opts->mcpu ? opts->mcpu : host_cpu);
out:
	LLVMDisposeMessage(msg);
	LLVMDisposeMessage(triple);
	LLVMDisposeMessage(host_cpu);
	LLVMDisposeMessage(host_features);
	return err;
}

static int write_all(const char *path, const char *data, size_t size, struct uxdp_diag *diag)
{
	bool to_stdout = !strcmp(path, "-");
	FILE *f = to_stdout ? stdout : fopen(path, "wb");
	int err = 0;

	if (!f)
		return diag_error(diag, -errno, "cannot write '%s': %s", path, strerror(errno));
	if (fwrite(data, 1, size, f) != size)
		err = diag_error(diag, -EIO, "cannot write '%s': %s", path, strerror(errno));
	if (to_stdout ? fflush(f) : fclose(f))
		err = diag_error(diag, -EIO, "cannot write '%s': %s", path, strerror(errno));
	return err;
}

int uxdp_emit_output(LLVMModuleRef mod, LLVMTargetMachineRef tm,
		     const struct uxdp_compile_opts *opts, struct uxdp_diag *diag)
{
	LLVMMemoryBufferRef buf = NULL;
	char *msg = NULL;
	int err;

	if (opts->emit == UXDP_EMIT_LLVM) {
		char *text = LLVMPrintModuleToString(mod);
		err = write_all(opts->output, text, strlen(text), diag);
		LLVMDisposeMessage(text);
		return err;
	}
	if (LLVMTargetMachineEmitToMemoryBuffer(tm, mod,
						opts->emit == UXDP_EMIT_ASM ? LLVMAssemblyFile :
									       LLVMObjectFile,
						&msg, &buf)) {
		err = diag_error(diag, -EINVAL, "code generation failed: %s", msg ? msg : "?");
		LLVMDisposeMessage(msg);
		return err;
	}
	err = write_all(opts->output, LLVMGetBufferStart(buf), LLVMGetBufferSize(buf), diag);
	LLVMDisposeMemoryBuffer(buf);
	return err;
}
