/* SPDX-License-Identifier: MIT */
/*
 * percpu_cpu.h - the running worker's per-CPU slot, for map_inline.c's
 * per-CPU array and hash lookups.
 */
#ifndef UXDP_PASSES_PERCPU_CPU_H
#define UXDP_PASSES_PERCPU_CPU_H

#include <llvm-c/Core.h>
#include <llvm-c/TargetMachine.h>

/*
 * The i32 slot of the running worker in a per-CPU map of ncpus slots,
 * built at b's position in fn; fn's first argument is the ctx if it is a
 * pointer.
 */
LLVMValueRef uxdp_percpu_slot(LLVMModuleRef mod, LLVMTargetMachineRef tm, LLVMBuilderRef b,
			      LLVMValueRef fn, LLVMValueRef ncpus);
/* After the lookups are inlined: a worker index another dominates reused.  0 or -ENOMEM. */
int uxdp_percpu_share_index(LLVMModuleRef mod);

#endif /* UXDP_PASSES_PERCPU_CPU_H */
