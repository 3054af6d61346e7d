/* SPDX-License-Identifier: MIT */
/*
 * worker_arg.c - bpf_redirect_map given the running worker from ctx.
 *
 * The helper records its target in the worker's redirect state, and having
 * no ctx argument it finds the worker through uxdp_worker_current(): an
 * out-of-line call and a thread-local read on every call, a third of what
 * a program like xdp-tools' xsk_def_xdp_prog costs.  The program's ctx
 * carries the worker (struct uxdp_ctx.worker; NULL when an embedder runs a
 * program without one), so in a function whose first argument is the ctx
 * (a pointer: what an XDP entry point's first argument is) the call becomes
 * uxdp_redirect_map_worker(worker, map, key, flags), which takes the
 * thread's worker when that is NULL (runtime/helpers/map_helpers.c).
 * Only with helper inlining on, which links that definition in: the
 * runtime resolves no such import.
 */
#include <string.h>

#include <uxdp/ctx.h>
#include <uxdp/helpers.h>

#include "passes.h"

#define REDIRECT_MAP UXDP_HELPER_PREFIX "redirect_map"
#define REDIRECT_MAP_WORKER "uxdp_redirect_map_worker"

static bool is_redirect_map(LLVMValueRef inst)
{
	LLVMValueRef callee;
	size_t len;

	if (!LLVMIsACallInst(inst) || LLVMGetNumArgOperands(inst) != 3)
		return false;
	callee = LLVMGetCalledValue(inst);
	return callee && LLVMIsAFunction(callee) &&
	       !strcmp(LLVMGetValueName2(callee, &len), REDIRECT_MAP);
}

static bool first_arg_is_ctx(LLVMValueRef fn)
{
	return LLVMCountParams(fn) > 0 &&
	       LLVMGetTypeKind(LLVMTypeOf(LLVMGetParam(fn, 0))) == LLVMPointerTypeKind;
}

/* The call replaced by uxdp_redirect_map_worker(ctx->worker, map, key, flags). */
static void give_worker(LLVMModuleRef mod, LLVMBuilderRef b, LLVMValueRef call, LLVMValueRef ctx)
{
	LLVMContextRef c = LLVMGetModuleContext(mod);
	LLVMTypeRef i8 = LLVMInt8TypeInContext(c), i64 = LLVMInt64TypeInContext(c);
	LLVMTypeRef ptr = LLVMPointerTypeInContext(c, 0);
	LLVMTypeRef fn_t = LLVMFunctionType(i64, (LLVMTypeRef[]){ i64, i64, i64, i64 }, 4, 0);
	LLVMValueRef fn = LLVMGetNamedFunction(mod, REDIRECT_MAP_WORKER), off, worker, res;

	if (!fn)
		fn = LLVMAddFunction(mod, REDIRECT_MAP_WORKER, fn_t);
	LLVMPositionBuilderBefore(b, call);
	off = LLVMConstInt(i64, UXDP_CTX_OFF_WORKER, 0);
	worker = LLVMBuildLoad2(b, ptr, LLVMBuildGEP2(b, i8, ctx, &off, 1, "worker.p"), "worker");
	LLVMSetAlignment(worker, 8);
	res = LLVMBuildCall2(b, fn_t, fn,
			     (LLVMValueRef[]){ LLVMBuildPtrToInt(b, worker, i64, ""),
					       LLVMGetOperand(call, 0), LLVMGetOperand(call, 1),
					       LLVMGetOperand(call, 2) },
			     4, "");
	LLVMReplaceAllUsesWith(call, res);
	LLVMInstructionEraseFromParent(call);
}

int uxdp_pass_worker_arg(LLVMModuleRef mod, struct uxdp_pass_env *env)
{
	LLVMBuilderRef b = LLVMCreateBuilderInContext(LLVMGetModuleContext(mod));

	for (LLVMValueRef f = LLVMGetFirstFunction(mod); f; f = LLVMGetNextFunction(f)) {
		if (LLVMIsDeclaration(f) || !first_arg_is_ctx(f))
			continue;
		for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(f); bb;
		     bb = LLVMGetNextBasicBlock(bb)) {
			LLVMValueRef inst = LLVMGetFirstInstruction(bb);

			while (inst) {
				LLVMValueRef next = LLVMGetNextInstruction(inst);

				if (is_redirect_map(inst)) {
					give_worker(mod, b, inst, LLVMGetParam(f, 0));
					env->stats.worker_args++;
				}
				inst = next;
			}
		}
	}
	LLVMDisposeBuilder(b);
	return 0;
}
