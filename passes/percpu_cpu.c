/* SPDX-License-Identifier: MIT */
/*
 * percpu_cpu.c - the running worker's per-CPU slot, as inlined per-CPU
 * lookups compute it (map_inline.c).
 *
 * The slot is the worker's index, what the runtime's per-CPU lookups use
 * (uxdp_cur_cpu() in runtime/maps) and bpf_get_smp_processor_id() returns,
 * wrapped around the map's ncpus: ncpus is a runtime choice (the number of
 * workers when the map was made, and maps outlive a reload with another
 * worker count), so an index past it is possible and shares a slot, as in
 * the runtime.  Native C with the same lookups pays the same compare.
 *
 * The index is the runtime's thread-local uxdp_this_cpu
 * (UXDP_THIS_CPU_SYMBOL in uxdp/ctx.h), which a worker sets when it starts
 * and a thread running a ctx without a worker sets itself (or leaves 0),
 * as for the runtime's own lookups.  It is read with the initial-exec TLS
 * model: a GOT slot holding the variable's offset from the thread pointer
 * (R_X86_64_GOTTPOFF; uxdp's loader fills it, runtime/loader/relocate.c),
 * then one %fs-relative load, marked invariant, so that LLVM merges a
 * function's loads itself.  Initial-exec, not local-exec (one load, the
 * offset an immediate): a .aot.o linked with the system linker into an
 * executable against libuxdp.so, or into a shared library
 * (docs/static-linking.md), may only use initial-exec for a variable of
 * another module; against libuxdp.a the linker relaxes it to local-exec.
 *
 * Why not through the ctx (ctx->worker->index): the ctx then stays live to
 * the lookup.  xdp_acl counts per CPU after an LPM walk that takes every
 * register, and spilled the walk's node bound to keep the ctx: nine
 * instructions per packet more than native C, which reads a global.
 */
#include <stddef.h>

#include <uxdp/ctx.h>

#include "passes.h"
#include "percpu_cpu.h"

#define PERCPU_WRAP "uxdp.percpu_wrap"
#define ALWAYS_INLINE "alwaysinline"

/* The worker's index from uxdp_this_cpu: an invariant initial-exec TLS load. */
static LLVMValueRef load_thread_index(LLVMModuleRef mod, LLVMBuilderRef b)
{
	LLVMContextRef c = LLVMGetModuleContext(mod);
	LLVMTypeRef i32 = LLVMInt32TypeInContext(c);
	LLVMValueRef g = LLVMGetNamedGlobal(mod, UXDP_THIS_CPU_SYMBOL), cpu;

	if (!g) {
		g = LLVMAddGlobal(mod, i32, UXDP_THIS_CPU_SYMBOL);
		LLVMSetThreadLocal(g, 1);
		LLVMSetThreadLocalMode(g, LLVMInitialExecTLSModel);
		LLVMSetAlignment(g, 4);
	}
	cpu = LLVMBuildLoad2(b, i32, g, "percpu.cpu");
	LLVMSetAlignment(cpu, 4);
	uxdp_set_invariant(cpu);
	return cpu;
}

/* i32 uxdp.percpu_wrap(i32 cpu, i32 ncpus): workers past ncpus share slots. */
static LLVMValueRef percpu_wrap_fn(LLVMModuleRef mod)
{
	LLVMContextRef c = LLVMGetModuleContext(mod);
	LLVMTypeRef i32 = LLVMInt32TypeInContext(c);
	LLVMValueRef fn = LLVMGetNamedFunction(mod, PERCPU_WRAP), cpu, ncpus, wrapped, slot;
	LLVMBasicBlockRef entry, wrap, done;
	LLVMBuilderRef b;

	if (fn)
		return fn;
	fn = LLVMAddFunction(mod, PERCPU_WRAP, LLVMFunctionType(i32, (LLVMTypeRef[]){i32, i32}, 2, 0));
	LLVMSetLinkage(fn, LLVMInternalLinkage);
	LLVMAddAttributeAtIndex(fn, LLVMAttributeFunctionIndex,
				LLVMCreateEnumAttribute(c, LLVMGetEnumAttributeKindForName(
							       ALWAYS_INLINE, sizeof(ALWAYS_INLINE) - 1),
							0));
	cpu = LLVMGetParam(fn, 0);
	ncpus = LLVMGetParam(fn, 1);
	entry = LLVMAppendBasicBlockInContext(c, fn, "entry");
	wrap = LLVMAppendBasicBlockInContext(c, fn, "wrap");
	done = LLVMAppendBasicBlockInContext(c, fn, "done");
	b = LLVMCreateBuilderInContext(c);
	LLVMPositionBuilderAtEnd(b, entry);
	LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntULT, cpu, ncpus, ""), done, wrap);
	LLVMPositionBuilderAtEnd(b, wrap);
	wrapped = LLVMBuildURem(b, cpu, ncpus, "cpu.wrapped");
	LLVMBuildBr(b, done);
	LLVMPositionBuilderAtEnd(b, done);
	slot = LLVMBuildPhi(b, i32, "slot");
	LLVMAddIncoming(slot, (LLVMValueRef[]){cpu, wrapped}, (LLVMBasicBlockRef[]){entry, wrap},
			2);
	LLVMBuildRet(b, slot);
	LLVMDisposeBuilder(b);
	return fn;
}

LLVMValueRef uxdp_percpu_slot(LLVMModuleRef mod, LLVMBuilderRef b, LLVMValueRef ncpus)
{
	LLVMValueRef wrap = percpu_wrap_fn(mod), cpu = load_thread_index(mod, b);

	return LLVMBuildCall2(b, LLVMGlobalGetValueType(wrap), wrap, (LLVMValueRef[]){cpu, ncpus},
			      2, "percpu.slot");
}
