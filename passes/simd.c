/* SPDX-License-Identifier: MIT */
/*
 * simd.c - what decides whether packet loops become vector code.
 *
 * Measured on this machine kind (../shared/DESIGN.md): LLVM turns the
 * byte-wise 60-byte sum of xdp_hash_sum into vpsadbw code when (1) the
 * program is compiled for the host CPU's vector ISA, (2) the frame's stack
 * does not escape, so partial sums kept in stack slots become SSA values,
 * and (3) the loop and SLP vectorisers run.  (1) is target.c's default, (2)
 * is the lifter's stack addressing plus helper inlining; this pass does (3)
 * and reports which functions ended up with vector instructions, so that
 * -fno-simd can be measured against it and a regression is visible.
 *
 * It also gives memory accesses their pointers back.  eBPF registers are
 * integers, so the lifter addresses memory as inttoptr(reg + off), and to
 * LLVM each such pointer is unrelated to the next: the SLP vectoriser cannot
 * see that p[0], p[1], ... are adjacent.  Where the integer is a pointer
 * plus offsets (data + 14, a map value + 8, ...), the access becomes
 * getelementptr(pointer, offsets).  That is exact for programs the verifier
 * accepts, whose accesses stay inside the object their pointer came from.
 *
 * With -fno-simd none of this happens, the vectorisers are off, and every
 * program function is marked "no-implicit-float", so that the backend does
 * not bring vector registers back for memcpy-like code either.
 */
#include <string.h>

#include "passes.h"

/* v = ptrtoint(P) + terms: returns P and adds the terms to *terms. */
static LLVMValueRef split_pointer(LLVMValueRef v, LLVMValueRef *terms, unsigned *n, int depth)
{
	if (LLVMIsAPtrToIntInst(v))
		return LLVMGetOperand(v, 0);
	if (depth > 8 || *n >= 8 || !LLVMIsABinaryOperator(v) ||
	    LLVMGetInstructionOpcode(v) != LLVMAdd)
		return NULL;
	for (int k = 0; k < 2; k++) {
		unsigned saved = *n;
		LLVMValueRef p = split_pointer(LLVMGetOperand(v, k), terms, n, depth + 1);

		if (p) {
			terms[(*n)++] = LLVMGetOperand(v, 1 - k);
			return p;
		}
		*n = saved;
	}
	return NULL;
}

static unsigned recover_pointers(LLVMModuleRef mod)
{
	LLVMContextRef c = LLVMGetModuleContext(mod);
	LLVMBuilderRef b = LLVMCreateBuilderInContext(c);
	LLVMTypeRef i8 = LLVMInt8TypeInContext(c);
	unsigned done = 0;

	for (LLVMValueRef f = LLVMGetFirstFunction(mod); f; f = LLVMGetNextFunction(f)) {
		for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(f); bb;
		     bb = LLVMGetNextBasicBlock(bb)) {
			LLVMValueRef i = LLVMGetFirstInstruction(bb);

			while (i) {
				LLVMValueRef next = LLVMGetNextInstruction(i), terms[8], base, off;
				unsigned n = 0;

				if (LLVMGetInstructionOpcode(i) != LLVMIntToPtr ||
				    !(base = split_pointer(LLVMGetOperand(i, 0), terms, &n, 0))) {
					i = next;
					continue;
				}
				LLVMPositionBuilderBefore(b, i);
				off = n ? terms[0] : LLVMConstInt(LLVMInt64TypeInContext(c), 0, 0);
				for (unsigned k = 1; k < n; k++)
					off = LLVMBuildAdd(b, off, terms[k], "");
				LLVMReplaceAllUsesWith(i, LLVMBuildGEP2(b, i8, base, &off, 1, "mem"));
				LLVMInstructionEraseFromParent(i);
				done++;
				i = next;
			}
		}
	}
	LLVMDisposeBuilder(b);
	return done;
}

int uxdp_pass_simd(LLVMModuleRef mod, struct uxdp_pass_env *env)
{
	env->stats.pointers_recovered += recover_pointers(mod);
	return 0;
}

static void add_string_attr(LLVMValueRef f, const char *k, const char *v)
{
	LLVMContextRef c = LLVMGetTypeContext(LLVMTypeOf(f));

	LLVMAddAttributeAtIndex(f, LLVMAttributeFunctionIndex,
				LLVMCreateStringAttribute(c, k, (unsigned)strlen(k), v,
							  (unsigned)strlen(v)));
}

int uxdp_pass_no_simd(LLVMModuleRef mod, struct uxdp_pass_env *env)
{
	(void)env;
	for (LLVMValueRef f = LLVMGetFirstFunction(mod); f; f = LLVMGetNextFunction(f))
		if (!LLVMIsDeclaration(f))
			add_string_attr(f, "no-implicit-float", "true");
	return 0;
}

static bool has_vector_code(LLVMValueRef f)
{
	for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(f); bb; bb = LLVMGetNextBasicBlock(bb))
		for (LLVMValueRef i = LLVMGetFirstInstruction(bb); i; i = LLVMGetNextInstruction(i))
			if (LLVMGetTypeKind(LLVMTypeOf(i)) == LLVMVectorTypeKind)
				return true;
	return false;
}

void uxdp_pass_simd_report(LLVMModuleRef mod, struct uxdp_pass_env *env)
{
	for (LLVMValueRef f = LLVMGetFirstFunction(mod); f; f = LLVMGetNextFunction(f))
		if (!LLVMIsDeclaration(f) && has_vector_code(f))
			env->stats.vector_functions++;
}
