/* SPDX-License-Identifier: MIT */
/*
 * opcode.h - the opcode of an instruction or a constant expression alike:
 * the passes that walk address computations meet both (a GEP on a map slot
 * global is a constant expression until something varies).
 */
#ifndef UXDP_PASSES_OPCODE_H
#define UXDP_PASSES_OPCODE_H

#include <llvm-c/Core.h>

/* 0 for anything else (arguments, globals, plain constants). */
static inline LLVMOpcode uxdp_opcode_of(LLVMValueRef v)
{
	if (LLVMIsAInstruction(v))
		return LLVMGetInstructionOpcode(v);
	if (LLVMIsAConstantExpr(v))
		return LLVMGetConstOpcode(v);
	return 0;
}

#endif /* UXDP_PASSES_OPCODE_H */
