/* SPDX-License-Identifier: MIT */
/*
 * lift.c - one eBPF program to LLVM IR: functions, frames, blocks.
 *
 * Every eBPF function becomes one LLVM function.  Its eleven registers are
 * i64 allocas and its 512-byte stack is one alloca, all in the entry block,
 * so that mem2reg/SROA turn them into SSA values; r10 is the address one past
 * the end of that stack.  Memory is addressed as integers (inttoptr of
 * register + offset) with alignment 1: eBPF allows unaligned access (RFC 9669
 * 5.1) and x86-64 does it at no cost.
 *
 * Calling convention of the functions we emit:
 *   XDP entry      i64 @NAME(ptr ctx)                   exported
 *   raw entry      i64 @NAME(i64 r1, i64 r2)            exported
 *   subprogram     i64 @NAME.sub(ptr ctx, i64 r1..r5)   internal
 * The hidden ctx argument lets a subprogram see whether a tail call ran in
 * a function it called (ctx->tail_called), so that every frame returns at
 * once as the kernel's tail call replaces the whole program.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uxdp/helpers.h>

#include "lift.h"

int lift_insn_error(struct lifter *l, size_t i, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err = uxdp_insn_verror(l->m->obj, l->prog, l->m->diag, i, err, fmt, ap);
	va_end(ap);
	return err;
}

LLVMValueRef lift_const64(struct lifter *l, uint64_t v)
{
	return LLVMConstInt(l->m->t.i64, v, 0);
}

LLVMValueRef lift_const32(struct lifter *l, uint32_t v)
{
	return LLVMConstInt(l->m->t.i32, v, 0);
}

LLVMValueRef lift_get(struct lifter *l, unsigned reg)
{
	return LLVMBuildLoad2(l->m->b, l->m->t.i64, l->regs[reg], "");
}

void lift_set(struct lifter *l, unsigned reg, LLVMValueRef v64)
{
	LLVMBuildStore(l->m->b, v64, l->regs[reg]);
}

/* The address reg + off as a pointer; off is the instruction's signed offset. */
LLVMValueRef lift_ptr(struct lifter *l, LLVMValueRef addr64, int16_t off)
{
	LLVMBuilderRef b = l->m->b;
	LLVMValueRef a = addr64;

	if (off)
		a = LLVMBuildAdd(b, a, LLVMConstInt(l->m->t.i64, (uint64_t)(int64_t)off, 1), "");
	return LLVMBuildIntToPtr(b, a, l->m->t.ptr, "");
}

/*
 * A stack access at an offset known on every path is addressed from the
 * frame's alloca, not through an integer: LLVM then sees which slot it is,
 * and SROA can turn slots into SSA values even when another slot's address
 * is passed to a helper (see ../shared/DESIGN.md on stack escapes).
 */
LLVMValueRef lift_mem_ptr(struct lifter *l, size_t i, unsigned reg, int16_t off)
{
	struct lift_module *m = l->m;
	int64_t at;

	if (l->an->fact[i] != FACT_STACK)
		return lift_ptr(l, lift_get(l, reg), off);
	at = EBPF_STACK_SIZE + (int64_t)l->an->stack_off[i];
	return LLVMBuildGEP2(m->b, m->t.i8, l->stack,
			     (LLVMValueRef[]){ LLVMConstInt(m->t.i64, (uint64_t)at, 1) }, 1,
			     "slot");
}

LLVMBasicBlockRef lift_block_at(struct lifter *l, size_t insn)
{
	return l->blocks[insn - l->func->start];
}

LLVMValueRef lift_runtime_fn(struct lift_module *m, const char *name, LLVMTypeRef type)
{
	LLVMValueRef fn = LLVMGetNamedFunction(m->mod, name);

	if (!fn) {
		fn = LLVMAddFunction(m->mod, name, type);
		LLVMSetLinkage(fn, LLVMExternalLinkage);
	}
	return fn;
}

void lift_check_tail_called(struct lifter *l)
{
	struct lift_module *m = l->m;
	LLVMBuilderRef b = m->b;
	LLVMValueRef flag_p, flag, taken, ret_p;
	LLVMBasicBlockRef ret_bb, cont_bb;

	flag_p = LLVMBuildGEP2(b, m->t.i8, l->ctx_arg,
			       (LLVMValueRef[]){ LLVMConstInt(m->t.i64, UXDP_CTX_OFF_TAIL_CALLED, 0) },
			       1, "tail_called.p");
	flag = LLVMBuildLoad2(b, m->t.i32, flag_p, "tail_called");
	taken = LLVMBuildICmp(b, LLVMIntNE, flag, LLVMConstInt(m->t.i32, 0, 0), "");
	ret_bb = LLVMAppendBasicBlockInContext(m->ctx, l->fn, "tail_call.taken");
	cont_bb = LLVMAppendBasicBlockInContext(m->ctx, l->fn, "tail_call.not_taken");
	LLVMBuildCondBr(b, taken, ret_bb, cont_bb);
	LLVMPositionBuilderAtEnd(b, ret_bb);
	ret_p = LLVMBuildGEP2(b, m->t.i8, l->ctx_arg,
			      (LLVMValueRef[]){ LLVMConstInt(m->t.i64, UXDP_CTX_OFF_TAIL_CALL_RET, 0) },
			      1, "tail_call_ret.p");
	LLVMBuildRet(b, LLVMBuildLoad2(b, m->t.i64, ret_p, "tail_call_ret"));
	LLVMPositionBuilderAtEnd(b, cont_bb);
}

/* ------------------------------------------------------------ a function */

static const char *const reg_names[EBPF_NR_REGS] = { "r0", "r1", "r2", "r3", "r4", "r5",
						     "r6", "r7", "r8", "r9", "r10" };

/* Entry block: frame allocas and the incoming registers. */
static void build_frame(struct lifter *l, size_t f, bool is_entry)
{
	struct lift_module *m = l->m;
	LLVMBuilderRef b = m->b;
	LLVMBasicBlockRef entry = LLVMAppendBasicBlockInContext(m->ctx, l->fn, "entry");
	LLVMValueRef top;

	LLVMPositionBuilderAtEnd(b, entry);
	l->stack = LLVMBuildAlloca(b, LLVMArrayType2(m->t.i8, EBPF_STACK_SIZE), "stack");
	LLVMSetAlignment(l->stack, 16);
	for (int r = 0; r < EBPF_NR_REGS; r++)
		l->regs[r] = LLVMBuildAlloca(b, m->t.i64, reg_names[r]);
	if (is_entry && l->prog->type == UXDP_PROG_RAW) {
		l->ctx_arg = LLVMConstNull(m->t.ptr);
		lift_set(l, 1, LLVMGetParam(l->fn, 0));
		lift_set(l, 2, LLVMGetParam(l->fn, 1));
	} else if (is_entry) {
		l->ctx_arg = LLVMGetParam(l->fn, 0);
		lift_set(l, 1, LLVMBuildPtrToInt(b, l->ctx_arg, m->t.i64, "ctx"));
	} else {
		l->ctx_arg = LLVMGetParam(l->fn, 0);
		for (int r = 1; r <= 5; r++)
			lift_set(l, r, LLVMGetParam(l->fn, r));
	}
	lift_confine_frame(l, f, is_entry);
	top = LLVMBuildGEP2(b, m->t.i8, l->stack,
			    (LLVMValueRef[]){ LLVMConstInt(m->t.i64, EBPF_STACK_SIZE, 0) }, 1,
			    "fp");
	lift_set(l, EBPF_REG_FP, LLVMBuildPtrToInt(b, top, m->t.i64, "r10"));
	/* may_goto's budget, per frame as the kernel keeps it (BPF_MAX_LOOPS);
	 * one iterator for the frame's for_each_map_elem calls, which do not nest
	 * within a frame (the callback is another) */
	for (size_t i = l->func->start; i < l->func->end; i++) {
		const struct ebpf_insn *in = &l->prog->insns[i];

		if (l->an->second_slot[i])
			continue;
		if (in->opcode == EBPF_OP_MAY_GOTO && !l->may_goto) {
			l->may_goto = LLVMBuildAlloca(b, m->t.i64, "may_goto");
			LLVMBuildStore(b, LLVMConstInt(m->t.i64, 8 * 1024 * 1024, 0), l->may_goto);
		}
		if (in->opcode == EBPF_OP_CALL && in->src == EBPF_PSEUDO_CALL_HELPER &&
		    in->imm == UXDP_HELPER_ID_FOR_EACH_MAP_ELEM && !l->map_iter &&
		    l->prog->type == UXDP_PROG_XDP)
			l->map_iter = LLVMBuildAlloca(b, LLVMArrayType2(m->t.i64, UXDP_MAP_ITER_WORDS),
						      "map_iter");
	}
}

static int lift_function(struct lift_module *m, const struct uxdp_prog *prog,
			 const struct analysis *an, size_t f)
{
	const struct lift_func *func = &an->funcs[f];
	struct lifter l = { .m = m, .prog = prog, .an = an, .func = func, .fn = func->fn };
	size_t n = func->end - func->start;
	int err = 0;

	l.blocks = calloc(n, sizeof(*l.blocks));
	if (!l.blocks)
		return diag_error(m->diag, -ENOMEM, "out of memory");
	build_frame(&l, f, f == 0);
	for (size_t i = func->start; i < func->end; i++) {
		char name[32];
		if (!an->leader[i])
			continue;
		snprintf(name, sizeof(name), "insn%zu", i);
		l.blocks[i - func->start] = LLVMAppendBasicBlockInContext(m->ctx, l.fn, name);
	}
	LLVMBuildBr(m->b, l.blocks[0]);
	l.terminated = true;
	for (size_t i = func->start; i < func->end && !err; i++) {
		const struct ebpf_insn *in = &prog->insns[i];

		if (an->leader[i]) {
			if (!l.terminated)
				LLVMBuildBr(m->b, l.blocks[i - func->start]);
			LLVMPositionBuilderAtEnd(m->b, l.blocks[i - func->start]);
			l.terminated = false;
		} else if (l.terminated || an->second_slot[i]) {
			continue; /* unreachable code, or the second half of an lddw */
		}
		switch (EBPF_CLASS(in->opcode)) {
		case EBPF_CLS_ALU:
		case EBPF_CLS_ALU64:
			err = lift_alu(&l, i, in);
			break;
		case EBPF_CLS_JMP:
		case EBPF_CLS_JMP32:
			err = lift_jmp(&l, i, in);
			break;
		case EBPF_CLS_LD:
			err = lift_lddw(&l, i, in);
			break;
		default:
			err = lift_mem(&l, i, in);
			break;
		}
	}
	free(l.blocks);
	return err;
}

/* ----------------------------------------------------------- a program */

static LLVMValueRef declare_function(struct lift_module *m, const struct uxdp_prog *prog,
				     struct lift_func *func, bool is_entry)
{
	LLVMTypeRef type;
	LLVMValueRef fn;

	if (!is_entry)
		type = m->t.sub_fn;
	else if (prog->type == UXDP_PROG_RAW)
		type = LLVMFunctionType(m->t.i64, (LLVMTypeRef[]){ m->t.i64, m->t.i64 }, 2, 0);
	else
		type = LLVMFunctionType(m->t.i64, (LLVMTypeRef[]){ m->t.ptr }, 1, 0);
	fn = LLVMAddFunction(m->mod, func->name, type);
	LLVMSetLinkage(fn, is_entry ? LLVMExternalLinkage : LLVMInternalLinkage);
	/* so that passes tell the program's code from the helpers linked in */
	LLVMAddAttributeAtIndex(fn, LLVMAttributeFunctionIndex,
				LLVMCreateStringAttribute(m->ctx, UXDP_LIFTED_ATTR,
							  (unsigned)strlen(UXDP_LIFTED_ATTR), "", 0));
	if (is_entry && prog->type == UXDP_PROG_XDP) {
		/*
		 * The ctx is the runtime's: nothing else the program holds points
		 * into it.  A packet dynptr stores the pointer itself on the stack
		 * for the helpers to read back: a capture, which LLVM sees.
		 */
		unsigned kind = LLVMGetEnumAttributeKindForName("noalias", 7);
		LLVMAddAttributeAtIndex(fn, 1, LLVMCreateEnumAttribute(m->ctx, kind, 0));
	}
	return fn;
}

int uxdp_lift_program(struct lift_module *m, size_t prog_idx)
{
	const struct uxdp_prog *prog = &m->obj->progs[prog_idx];
	struct analysis an;
	int err;

	err = uxdp_decode_check(m->obj, prog, m->diag);
	if (!err)
		err = uxdp_core_check_reach(m->obj, prog, m->diag);
	if (err)
		return err;
	err = uxdp_analyse(m->obj, prog, &an, m->diag);
	if (err)
		goto out;
	if (m->confine && prog->type == UXDP_PROG_XDP) {
		err = uxdp_confine(m->obj, prog, &an, m->diag);
		if (err)
			goto out;
		m->confinement[prog_idx] =
			UXDP_CONFINE_UXDP | (an.conf->n_guards ? UXDP_CONFINE_GUARDS : 0) |
			(an.conf->n_budget ? UXDP_CONFINE_BUDGET : 0);
		m->n_guards += an.conf->n_guards;
		m->n_budget += an.conf->n_budget;
	}
	for (size_t f = 0; f < an.n_funcs; f++)
		an.funcs[f].fn = declare_function(m, prog, &an.funcs[f], f == 0);
	m->prog_entries[prog_idx] = an.funcs[0].fn;
	for (size_t f = 0; f < an.n_funcs && !err; f++)
		err = lift_function(m, prog, &an, f);
out:
	uxdp_confine_free(&an);
	uxdp_analysis_free(&an);
	return err;
}
