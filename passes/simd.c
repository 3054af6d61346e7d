/* SPDX-License-Identifier: MIT */
/*
 * simd.c - what decides whether packet loops become vector code.
 *
 * Measured on this machine kind (../shared/DESIGN.md): LLVM turns the
 * byte-wise 60-byte sum of xdp_hash_sum into vpsadbw code when (1) the
 * program is compiled for the host CPU's vector ISA, (2) the frame's stack
 * does not escape, so partial sums kept in stack slots become SSA values,
 * and (3) the loop and SLP vectorisers run.  (1) is target.c's default, (2)
 * is the lifter's stack addressing plus helper inlining; the pipeline does
 * (3) (compiler/pipeline.c, unless -fno-simd), and this file reports which
 * functions ended up with vector instructions, so that -fno-simd can be
 * measured against it and a regression is visible.
 *
 * The vectorisers also need the accesses' pointers, which addr_gep.c gives
 * back.
 *
 * With -fno-simd the vectorisers are off, and every program function is
 * marked "no-implicit-float", so that the backend does not bring vector
 * registers back for memcpy-like code either, and noimplicitfloat, which
 * the vectorisers themselves check (uxdp_pass_no_simd).
 */
#include <string.h>

#include "passes.h"

static void add_string_attr(LLVMValueRef f, const char *k, const char *v)
{
	LLVMContextRef c = LLVMGetTypeContext(LLVMTypeOf(f));

	LLVMAddAttributeAtIndex(f, LLVMAttributeFunctionIndex,
				LLVMCreateStringAttribute(c, k, (unsigned)strlen(k), v,
							  (unsigned)strlen(v)));
}

/*
 * The string attribute keeps the backend off vector registers; the enum
 * attribute noimplicitfloat is what the SLP and loop vectorisers check.
 * Both are needed: LLVMRunPasses does not leave SLP out of default<On> when
 * its options say so (measured with LLVM 19: the 60-byte sum became vector
 * code with SLP off, once the accesses had their pointers, addr_gep.c).
 */
int uxdp_pass_no_simd(LLVMModuleRef mod, struct uxdp_pass_env *env)
{
	LLVMContextRef c = LLVMGetModuleContext(mod);
	unsigned kind = LLVMGetEnumAttributeKindForName("noimplicitfloat", 15);

	(void)env;
	for (LLVMValueRef f = LLVMGetFirstFunction(mod); f; f = LLVMGetNextFunction(f)) {
		if (LLVMIsDeclaration(f))
			continue;
		add_string_attr(f, "no-implicit-float", "true");
		LLVMAddAttributeAtIndex(f, LLVMAttributeFunctionIndex, LLVMCreateEnumAttribute(c, kind, 0));
	}
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
