/* SPDX-License-Identifier: MIT */
/*
 * percpu_cpu.h - the running worker's per-CPU slot, for map_inline.c's
 * per-CPU array and hash lookups.
 */
#ifndef UXDP_PASSES_PERCPU_CPU_H
#define UXDP_PASSES_PERCPU_CPU_H

#include <llvm-c/Core.h>

/* The i32 slot of the running worker in a per-CPU map of ncpus slots, built at b. */
LLVMValueRef uxdp_percpu_slot(LLVMModuleRef mod, LLVMBuilderRef b, LLVMValueRef ncpus);

#endif /* UXDP_PASSES_PERCPU_CPU_H */
