/* SPDX-License-Identifier: MIT */
/*
 * percpu_cpu.c - the running worker's per-CPU slot, as inlined per-CPU
 * lookups compute it (map_inline.c).
 *
 * The slot is the worker's index, what bpf_get_smp_processor_id() returns
 * and what the runtime's per-CPU lookups use (uxdp_cur_cpu() in
 * runtime/maps), wrapped around the map's ncpus: ncpus is a runtime choice
 * (the number of workers when the map was made, and maps outlive a reload
 * with another worker count), so an index past it is possible and shares a
 * slot, as in the runtime.  Native C with the same lookups pays the same
 * compare.
 *
 * Two calls, each to an internal function LLVM inlines:
 *
 *   i32 uxdp.worker_index(ptr ctx)   ctx->worker->index; a ctx run without
 *                                    a worker (an embedder's or a test's,
 *                                    never the datapath's: uxdp/worker.h)
 *                                    asks the runtime, uxdp_worker_cpu()
 *   i32 uxdp.percpu_wrap(i32 cpu, i32 ncpus)   cpu < ncpus ? cpu : cpu % ncpus
 *
 * A function whose first argument is no ctx asks the runtime directly.
 * The worker and index loads are invariant (a program cannot write its
 * ctx's worker, and a worker's index never changes).  Each lookup gets its
 * own uxdp.worker_index call; uxdp_percpu_share_index() then replaces each
 * call that an earlier one dominates by that one: LLVM would not merge
 * them itself, since each tests the worker for NULL and joins again, and
 * xdp_pktcntr's second counter paid that test and the index load again.
 *
 * The runtime call goes through uxdp.worker_cpu.cold, preserve_most where
 * the target has it: called with the C convention from the middle of a
 * program, it clobbers the caller-saved registers, so every program with a
 * per-CPU lookup saved and restored callee-saved ones on every packet
 * (xdp_pktcntr: ten of its 38 instructions per packet).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <uxdp/ctx.h>

#include "cfg.h"
#include "percpu_cpu.h"

#define WORKER_INDEX "uxdp.worker_index"
#define WORKER_CPU_COLD "uxdp.worker_cpu.cold"
#define PERCPU_WRAP "uxdp.percpu_wrap"

static void set_invariant(LLVMContextRef c, LLVMValueRef load)
{
	unsigned kind = LLVMGetMDKindIDInContext(c, "invariant.load", 14);

	LLVMSetMetadata(load, kind, LLVMMDNodeInContext(c, NULL, 0));
}

static void add_fn_attr(LLVMValueRef fn, const char *name)
{
	LLVMContextRef c = LLVMGetTypeContext(LLVMTypeOf(fn));

	LLVMAddAttributeAtIndex(
	    fn, LLVMAttributeFunctionIndex,
	    LLVMCreateEnumAttribute(c, LLVMGetEnumAttributeKindForName(name, strlen(name)), 0));
}

static LLVMValueRef internal_fn(LLVMModuleRef mod, const char *name, LLVMTypeRef fn_t,
				const char *attr)
{
	LLVMValueRef fn = LLVMAddFunction(mod, name, fn_t);

	LLVMSetLinkage(fn, LLVMInternalLinkage);
	add_fn_attr(fn, attr);
	return fn;
}

/* Does tm's target give preserve_most its meaning (LLVM: x86-64, AArch64)? */
static bool has_preserve_most(LLVMTargetMachineRef tm)
{
	char *triple = tm ? LLVMGetTargetMachineTriple(tm) : LLVMGetDefaultTargetTriple();
	bool yes = !strncmp(triple, "x86_64", 6) || !strncmp(triple, "aarch64", 7);

	LLVMDisposeMessage(triple);
	return yes;
}

/*
 * i32 uxdp.worker_cpu.cold(): uxdp_worker_cpu(), preserve_most where the
 * target has it, so that it saves what the C call clobbers itself, on the
 * path that calls it.  Cold and never inlined: LLVM keeps it out of line.
 */
static LLVMValueRef worker_cpu_cold(LLVMModuleRef mod, LLVMTargetMachineRef tm)
{
	LLVMContextRef c = LLVMGetModuleContext(mod);
	LLVMTypeRef cpu_t = LLVMFunctionType(LLVMInt32TypeInContext(c), NULL, 0, 0);
	LLVMValueRef fn = LLVMGetNamedFunction(mod, WORKER_CPU_COLD), cpu_fn;
	LLVMBuilderRef b;

	if (fn)
		return fn;
	cpu_fn = LLVMGetNamedFunction(mod, "uxdp_worker_cpu");
	if (!cpu_fn)
		cpu_fn = LLVMAddFunction(mod, "uxdp_worker_cpu", cpu_t);
	fn = internal_fn(mod, WORKER_CPU_COLD, cpu_t, "noinline");
	add_fn_attr(fn, "cold");
	if (has_preserve_most(tm))
		LLVMSetFunctionCallConv(fn, LLVMPreserveMostCallConv);
	b = LLVMCreateBuilderInContext(c);
	LLVMPositionBuilderAtEnd(b, LLVMAppendBasicBlockInContext(c, fn, "entry"));
	LLVMBuildRet(b, LLVMBuildCall2(b, cpu_t, cpu_fn, NULL, 0, "cpu"));
	LLVMDisposeBuilder(b);
	return fn;
}

/* A call to the cold wrapper at b, with its calling convention. */
static LLVMValueRef call_cold(LLVMModuleRef mod, LLVMTargetMachineRef tm, LLVMBuilderRef b)
{
	LLVMValueRef cold = worker_cpu_cold(mod, tm);
	LLVMValueRef call =
	    LLVMBuildCall2(b, LLVMGlobalGetValueType(cold), cold, NULL, 0, "worker.cpu");

	LLVMSetInstructionCallConv(call, LLVMGetFunctionCallConv(cold));
	return call;
}

/*
 * i32 uxdp.worker_index(ptr ctx): ctx->worker ? ctx->worker->index :
 * uxdp_worker_cpu(); the index is struct uxdp_worker's first field.
 */
static LLVMValueRef worker_index_fn(LLVMModuleRef mod, LLVMTargetMachineRef tm)
{
	LLVMContextRef c = LLVMGetModuleContext(mod);
	LLVMTypeRef i8 = LLVMInt8TypeInContext(c), i32 = LLVMInt32TypeInContext(c);
	LLVMTypeRef ptr = LLVMPointerTypeInContext(c, 0);
	LLVMValueRef fn = LLVMGetNamedFunction(mod, WORKER_INDEX), w, idx, cold, phi, off;
	LLVMBasicBlockRef entry, fast, slow, join;
	LLVMBuilderRef b;

	if (fn)
		return fn;
	fn = internal_fn(mod, WORKER_INDEX, LLVMFunctionType(i32, &ptr, 1, 0), "alwaysinline");
	entry = LLVMAppendBasicBlockInContext(c, fn, "entry");
	fast = LLVMAppendBasicBlockInContext(c, fn, "worker");
	slow = LLVMAppendBasicBlockInContext(c, fn, "no_worker");
	join = LLVMAppendBasicBlockInContext(c, fn, "cpu");
	b = LLVMCreateBuilderInContext(c);
	LLVMPositionBuilderAtEnd(b, entry);
	off = LLVMConstInt(LLVMInt64TypeInContext(c), UXDP_CTX_OFF_WORKER, 0);
	w = LLVMBuildLoad2(b, ptr, LLVMBuildGEP2(b, i8, LLVMGetParam(fn, 0), &off, 1, "worker.p"),
			   "worker");
	LLVMSetAlignment(w, 8);
	set_invariant(c, w);
	LLVMBuildCondBr(b, LLVMBuildIsNull(b, w, ""), slow, fast);
	LLVMPositionBuilderAtEnd(b, fast);
	idx = LLVMBuildLoad2(b, i32, w, "worker.index");
	LLVMSetAlignment(idx, 4);
	set_invariant(c, idx);
	LLVMBuildBr(b, join);
	LLVMPositionBuilderAtEnd(b, slow);
	cold = call_cold(mod, tm, b);
	LLVMBuildBr(b, join);
	LLVMPositionBuilderAtEnd(b, join);
	phi = LLVMBuildPhi(b, i32, "cpu");
	LLVMAddIncoming(phi, (LLVMValueRef[]){idx, cold}, (LLVMBasicBlockRef[]){fast, slow}, 2);
	LLVMBuildRet(b, phi);
	LLVMDisposeBuilder(b);
	return fn;
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
	fn = internal_fn(mod, PERCPU_WRAP, LLVMFunctionType(i32, (LLVMTypeRef[]){i32, i32}, 2, 0),
			 "alwaysinline");
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

static bool first_arg_is_ctx(LLVMValueRef fn)
{
	return LLVMCountParams(fn) > 0 &&
	       LLVMGetTypeKind(LLVMTypeOf(LLVMGetParam(fn, 0))) == LLVMPointerTypeKind;
}

LLVMValueRef uxdp_percpu_slot(LLVMModuleRef mod, LLVMTargetMachineRef tm, LLVMBuilderRef b,
			      LLVMValueRef fn, LLVMValueRef ncpus)
{
	LLVMValueRef cpu, wrap = percpu_wrap_fn(mod);

	if (first_arg_is_ctx(fn)) {
		LLVMValueRef index = worker_index_fn(mod, tm), ctx = LLVMGetParam(fn, 0);

		cpu =
		    LLVMBuildCall2(b, LLVMGlobalGetValueType(index), index, &ctx, 1, "percpu.cpu");
	} else {
		cpu = call_cold(mod, tm, b);
	}
	return LLVMBuildCall2(b, LLVMGlobalGetValueType(wrap), wrap, (LLVMValueRef[]){cpu, ncpus},
			      2, "percpu.slot");
}

static bool is_index_call(LLVMValueRef inst, LLVMValueRef index, LLVMValueRef cold)
{
	LLVMValueRef callee;

	if (!LLVMIsACallInst(inst))
		return false;
	callee = LLVMGetCalledValue(inst);
	return callee && (callee == index || callee == cold);
}

/* Does call a come before call b, or its block dominate b's? */
static bool call_dominates(const struct uxdp_cfg *g, LLVMValueRef a, LLVMValueRef b)
{
	LLVMBasicBlockRef ba = LLVMGetInstructionParent(a), bb = LLVMGetInstructionParent(b);

	if (ba != bb)
		return uxdp_cfg_dominates(g, uxdp_cfg_index(g, ba), uxdp_cfg_index(g, bb));
	for (LLVMValueRef i = LLVMGetNextInstruction(a); i; i = LLVMGetNextInstruction(i))
		if (i == b)
			return true;
	return false;
}

/*
 * Each of fn's worker index calls (each with fn's ctx, or none) that
 * another dominates replaced by that one.  Only those: one moved up to a
 * block dominating calls on different paths would run on paths that had
 * none, and hold a register across the function (measured on xdp_lb,
 * whose every exit counts in a per-CPU array: 5 instructions more).
 */
static int share_in(LLVMValueRef fn, LLVMValueRef index, LLVMValueRef cold)
{
	struct uxdp_cfg g = {0};
	LLVMValueRef *calls;
	unsigned n = 0, k = 0;
	int err;

	for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(fn); bb; bb = LLVMGetNextBasicBlock(bb))
		for (LLVMValueRef i = LLVMGetFirstInstruction(bb); i; i = LLVMGetNextInstruction(i))
			n += is_index_call(i, index, cold);
	if (n < 2)
		return 0;
	calls = calloc(n, sizeof(*calls));
	err = calls ? uxdp_cfg_build(&g, fn) : -ENOMEM;
	for (LLVMBasicBlockRef bb = err ? NULL : LLVMGetFirstBasicBlock(fn); bb;
	     bb = LLVMGetNextBasicBlock(bb))
		for (LLVMValueRef i = LLVMGetFirstInstruction(bb); i; i = LLVMGetNextInstruction(i))
			if (is_index_call(i, index, cold))
				calls[k++] = i;
	for (unsigned c = 0; !err && c < n; c++) {
		for (unsigned d = 0; d < n; d++) {
			if (d == c || !calls[d] || !call_dominates(&g, calls[d], calls[c]))
				continue;
			/* dominance is a strict order: no cycle of replacements */
			LLVMReplaceAllUsesWith(calls[c], calls[d]);
			LLVMInstructionEraseFromParent(calls[c]);
			calls[c] = NULL;
			break;
		}
	}
	free(calls);
	uxdp_cfg_free(&g);
	return err;
}

int uxdp_percpu_share_index(LLVMModuleRef mod)
{
	LLVMValueRef index = LLVMGetNamedFunction(mod, WORKER_INDEX);
	LLVMValueRef cold = LLVMGetNamedFunction(mod, WORKER_CPU_COLD);
	int err = 0;

	if (!index && !cold)
		return 0;
	for (LLVMValueRef f = LLVMGetFirstFunction(mod); f && !err; f = LLVMGetNextFunction(f))
		if (f != index && f != cold && LLVMCountBasicBlocks(f))
			err = share_in(f, index, cold);
	return err;
}
