/* SPDX-License-Identifier: MIT */
/*
 * compile.h - the module-level phases: build, optimise, emit.
 */
#ifndef UXDPC_COMPILE_H
#define UXDPC_COMPILE_H

#include <llvm-c/TargetMachine.h>

#include "lift.h"
#include "passes.h"

enum uxdp_emit_kind { UXDP_EMIT_OBJ, UXDP_EMIT_ASM, UXDP_EMIT_LLVM };
enum uxdp_verify_mode { UXDP_VERIFY_AUTO, UXDP_VERIFY_KERNEL, UXDP_VERIFY_NONE };

struct uxdp_compile_opts {
	int opt_level;          /* 0..3: -O0 runs no pass at all */
	const char *triple;     /* NULL: the host's */
	const char *mcpu;       /* NULL: the host CPU */
	const char *mattr;      /* NULL: the host CPU's features */
	enum uxdp_emit_kind emit;
	const char *output;     /* path, or "-" for stdout */
	struct uxdp_pass_config passes; /* ours, at -O2 and -O3 */
	enum uxdp_verify_mode verify;   /* after our own checks passed */
	bool unconfined;        /* --raw: instruction tests, neither verified nor confined */
	uint32_t loop_budget;   /* backward jumps per packet when confined; 0: UXDP_LOOP_BUDGET */
};

/* verify.c: the kernel verifier's judgement on obj's programs (see there). */
int uxdp_verify(const struct uxdp_object *obj, enum uxdp_verify_mode mode, struct uxdp_diag *diag,
		bool *accepted);

/* module.c: lift every program of obj, add metadata, optimise, emit. */
int uxdp_compile(const struct uxdp_object *obj, const struct uxdp_compile_opts *opts,
		 struct uxdp_diag *diag);

/* metadata.c */
int uxdp_create_map_slots(struct lift_module *m);
int uxdp_emit_metadata(struct lift_module *m);

/* target.c: the one place that knows about LLVM targets. */
int uxdp_target_machine(const struct uxdp_compile_opts *opts, LLVMTargetMachineRef *tm,
			struct uxdp_diag *diag);
int uxdp_emit_output(LLVMModuleRef mod, LLVMTargetMachineRef tm,
		     const struct uxdp_compile_opts *opts, struct uxdp_diag *diag);

/* pipeline.c: verify, then our passes and LLVM's default<On>. */
int uxdp_optimise(struct lift_module *m, LLVMTargetMachineRef tm,
		  const struct uxdp_compile_opts *opts, struct uxdp_diag *diag);

#endif /* UXDPC_COMPILE_H */
