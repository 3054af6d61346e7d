/* SPDX-License-Identifier: MIT */
/*
 * lift_confine.c - the run-time checks confine.c asked for, in IR.
 *
 * A packet check is written in the program's own form, `addr + size >
 * data_end`, on the same ctx loads, so that the bounds pass and LLVM see
 * the program's earlier check `data + 34 > data_end` imply it and delete it
 * (passes/confine_elim.c).  A failing check branches to the function's abort
 * block: uxdp_confine_abort() counts it and marks the run ended, and every
 * frame returns XDP_ABORTED (callers test ctx->tail_called, as after a tail
 * call).  Backward jumps decrement ctx->loop_budget and poll the runtime
 * every 1024 times (include/uxdp/confine_abi.h).
 */
#include <string.h>

#include <uxdp/confine_abi.h>

#include "lift.h"

void lift_tag(struct lift_module *m, LLVMValueRef access, bool ctx)
{
	unsigned kind = LLVMGetMDKindIDInContext(m->ctx, "tbaa", 4);

	if (!m->confine)
		return;
	if (!m->tbaa[0]) {
		LLVMMetadataRef root, type, zero = LLVMValueAsMetadata(LLVMConstInt(m->t.i64, 0, 0));
		static const char *const names[2] = { "uxdp program memory", "uxdp ctx" };

		root = LLVMMDNodeInContext2(m->ctx,
					    (LLVMMetadataRef[]){ LLVMMDStringInContext2(m->ctx, "uxdp", 4) }, 1);
		for (int k = 0; k < 2; k++) {
			type = LLVMMDNodeInContext2(
				m->ctx,
				(LLVMMetadataRef[]){ LLVMMDStringInContext2(m->ctx, names[k], strlen(names[k])),
						     root, zero },
				3);
			m->tbaa[k] = LLVMMetadataAsValue(
				m->ctx, LLVMMDNodeInContext2(m->ctx, (LLVMMetadataRef[]){ type, type, zero }, 3));
		}
	}
	LLVMSetMetadata(access, kind, m->tbaa[ctx]);
}

static LLVMValueRef ctx_u64(struct lifter *l, unsigned off, const char *name)
{
	struct lift_module *m = l->m;
	LLVMValueRef p = LLVMBuildGEP2(m->b, m->t.i8, l->ctx_arg,
				       (LLVMValueRef[]){ LLVMConstInt(m->t.i64, off, 0) }, 1, "");
	LLVMValueRef v = LLVMBuildLoad2(m->b, m->t.ptr, p, name);

	lift_tag(m, v, true);

	return LLVMBuildPtrToInt(m->b, v, m->t.i64, "");
}

/* The function's abort block, made on first use: phis of insn and reason. */
static LLVMBasicBlockRef abort_block(struct lifter *l)
{
	struct lift_module *m = l->m;
	LLVMBuilderRef b = m->b;
	LLVMBasicBlockRef here = LLVMGetInsertBlock(b);
	LLVMTypeRef type;
	LLVMValueRef fn, call;

	if (l->abort_bb)
		return l->abort_bb;
	l->abort_bb = LLVMAppendBasicBlockInContext(m->ctx, l->fn, "confine.abort");
	LLVMPositionBuilderAtEnd(b, l->abort_bb);
	l->abort_insn = LLVMBuildPhi(b, m->t.i32, "insn");
	l->abort_reason = LLVMBuildPhi(b, m->t.i32, "reason");
	type = LLVMFunctionType(m->t.void_t,
				(LLVMTypeRef[]){ m->t.ptr, m->t.ptr, m->t.i32, m->t.i32 }, 4, 0);
	fn = lift_runtime_fn(m, UXDP_CONFINE_ABORT_SYMBOL, type);
	LLVMAddAttributeAtIndex(fn, LLVMAttributeFunctionIndex,
				LLVMCreateEnumAttribute(m->ctx, LLVMGetEnumAttributeKindForName("cold", 4), 0));
	call = LLVMBuildCall2(b, type, fn,
			      (LLVMValueRef[]){ l->ctx_arg, l->an->funcs[0].fn, l->abort_insn,
						l->abort_reason },
			      4, "");
	(void)call;
	LLVMBuildRet(b, LLVMConstInt(m->t.i64, 0, 0)); /* XDP_ABORTED */
	LLVMPositionBuilderAtEnd(b, here);
	return l->abort_bb;
}

/* Branch to the abort block when bad, else go on in a new block. */
static void abort_if(struct lifter *l, size_t i, LLVMValueRef bad, LLVMValueRef reason)
{
	struct lift_module *m = l->m;
	LLVMBuilderRef b = m->b;
	LLVMBasicBlockRef abort_bb = abort_block(l), from = LLVMGetInsertBlock(b);
	LLVMBasicBlockRef cont = LLVMAppendBasicBlockInContext(m->ctx, l->fn, "confine.ok");
	LLVMValueRef insn = LLVMConstInt(m->t.i32, i, 0), br;
	unsigned kind = LLVMGetMDKindIDInContext(m->ctx, "prof", 4);
	LLVMMetadataRef w[3] = {
		LLVMMDStringInContext2(m->ctx, "branch_weights", 14),
		LLVMValueAsMetadata(LLVMConstInt(m->t.i32, 1, 0)),
		LLVMValueAsMetadata(LLVMConstInt(m->t.i32, 1 << 20, 0)),
	};

	br = LLVMBuildCondBr(b, bad, abort_bb, cont);
	LLVMSetMetadata(br, kind, LLVMMetadataAsValue(m->ctx, LLVMMDNodeInContext2(m->ctx, w, 3)));
	LLVMAddIncoming(l->abort_insn, &insn, &from, 1);
	LLVMAddIncoming(l->abort_reason, &reason, &from, 1);
	LLVMPositionBuilderAtEnd(b, cont);
}

static LLVMValueRef c64(struct lifter *l, uint64_t v)
{
	return LLVMConstInt(l->m->t.i64, v, 0);
}

/*
 * addr + size inside [lo, end): `addr + size > end` alone when addr >= lo is
 * proven (full false), else also `addr < lo || addr > end`, so that the sum
 * cannot wrap.  size is an i64 value.
 */
static LLVMValueRef outside(struct lifter *l, LLVMValueRef addr, LLVMValueRef size, LLVMValueRef lo,
			    LLVMValueRef end, bool full)
{
	LLVMBuilderRef b = l->m->b;
	LLVMValueRef bad = LLVMBuildICmp(b, LLVMIntUGT, LLVMBuildAdd(b, addr, size, ""), end,
					 "confine.past_end");

	if (!full)
		return bad;
	bad = LLVMBuildOr(b, bad, LLVMBuildICmp(b, LLVMIntUGT, addr, end, ""), "");
	return LLVMBuildOr(b, bad, LLVMBuildICmp(b, LLVMIntULT, addr, lo, "confine.before"), "");
}

static void guard_region(struct lifter *l, size_t i, uint8_t guard, LLVMValueRef addr,
			 LLVMValueRef size, uint32_t reason)
{
	struct lift_module *m = l->m;
	LLVMBuilderRef b = m->b;
	LLVMValueRef lo = NULL, end, bad;
	bool meta = guard == CG_META || guard == CG_META_FULL;
	bool full = guard == CG_PKT_FULL || guard == CG_META_FULL;

	if (guard == CG_STACK) {
		LLVMValueRef start = LLVMBuildPtrToInt(b, l->stack, m->t.i64, "frame");
		LLVMValueRef off = LLVMBuildSub(b, addr, start, "");
		bad = LLVMBuildICmp(b, LLVMIntUGT, off,
				    LLVMBuildSub(b, c64(l, EBPF_STACK_SIZE), size, ""), "");
		abort_if(l, i, bad, LLVMConstInt(m->t.i32, UXDP_CONFINE_STACK, 0));
		return;
	}
	end = ctx_u64(l, meta ? UXDP_CTX_OFF_DATA : UXDP_CTX_OFF_DATA_END, meta ? "data" : "data_end");
	if (full)
		lo = ctx_u64(l, meta ? UXDP_CTX_OFF_DATA_META : UXDP_CTX_OFF_DATA,
			     meta ? "data_meta" : "data");
	bad = outside(l, addr, size, lo, end, full);
	abort_if(l, i, bad,
		 LLVMConstInt(m->t.i32, reason ? reason : meta ? UXDP_CONFINE_META : UXDP_CONFINE_PACKET,
			      0));
}

void lift_guard_access(struct lifter *l, size_t i, unsigned reg, int16_t off, unsigned size)
{
	const struct confinement *cf = l->an->conf;
	LLVMValueRef addr;

	if (!cf || !cf->guard[i])
		return;
	addr = LLVMBuildAdd(l->m->b, lift_get(l, reg), c64(l, (uint64_t)(int64_t)off), "confine.addr");
	guard_region(l, i, cf->guard[i], addr, c64(l, size), 0);
}

void lift_guard_helper_args(struct lifter *l, size_t i)
{
	const struct confinement *cf = l->an->conf;
	struct lift_module *m = l->m;

	if (!cf)
		return;
	for (int k = 0; k < 2; k++) {
		const struct confine_arg_guard *g = &cf->arg_guard[i][k];
		LLVMValueRef size;

		if (!g->guard)
			continue;
		if (g->guard == CG_NULL_SIZE) {
			/* NULL with a size: the helper would read address 0 on */
			LLVMValueRef null = LLVMBuildICmp(m->b, LLVMIntEQ, lift_get(l, g->ptr_reg), c64(l, 0), "");
			LLVMValueRef sized = LLVMBuildICmp(m->b, LLVMIntNE, lift_get(l, g->size_reg), c64(l, 0), "");
			abort_if(l, i, LLVMBuildAnd(m->b, null, sized, ""),
				 LLVMConstInt(m->t.i32, UXDP_CONFINE_HELPER_ARG, 0));
			continue;
		}
		if (g->size_reg) {
			/* a size the program chose: never more than a frame */
			size = lift_get(l, g->size_reg);
			abort_if(l, i, LLVMBuildICmp(m->b, LLVMIntUGT, size, c64(l, 0xffff), ""),
				 LLVMConstInt(m->t.i32, UXDP_CONFINE_HELPER_ARG, 0));
		} else {
			size = c64(l, g->size_const);
		}
		guard_region(l, i, g->guard, lift_get(l, g->ptr_reg), size, UXDP_CONFINE_HELPER_ARG);
	}
}

/*
 * uxdp_confine_poll only reads (the stop flags, ctx->loop_budget): saying so
 * lets LLVM keep ctx->data_end in a register across it, so that the guards
 * in a loop stay comparable with the program's own checks (confine_elim).
 * memory(read): ModRef::Ref for every location kind, two bits each.
 */
static LLVMValueRef poll_fn(struct lift_module *m, LLVMTypeRef type)
{
	LLVMValueRef fn = lift_runtime_fn(m, UXDP_CONFINE_POLL_SYMBOL, type);
	static const char *const kinds[] = { "nounwind", "willreturn" };

	LLVMAddAttributeAtIndex(fn, LLVMAttributeFunctionIndex,
				LLVMCreateEnumAttribute(m->ctx, LLVMGetEnumAttributeKindForName("memory", 6),
							0x15));
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
		LLVMAddAttributeAtIndex(fn, LLVMAttributeFunctionIndex,
					LLVMCreateEnumAttribute(m->ctx,
								LLVMGetEnumAttributeKindForName(kinds[k], strlen(kinds[k])),
								0));
	return fn;
}

/*
 * The taken edge of backward jump i, to target: spend one unit of the loop
 * budget, and every 1024 ask the runtime whether to go on.  Returns the
 * block to branch to instead of target.
 */
LLVMBasicBlockRef lift_back_edge(struct lifter *l, size_t i, LLVMBasicBlockRef target)
{
	const struct confinement *cf = l->an->conf;
	struct lift_module *m = l->m;
	LLVMBuilderRef b = m->b;
	LLVMBasicBlockRef here = LLVMGetInsertBlock(b), edge, poll;
	LLVMValueRef p, left, stop, low;
	LLVMTypeRef type;

	if (!cf || !cf->budget[i])
		return target;
	edge = LLVMAppendBasicBlockInContext(m->ctx, l->fn, "confine.back_edge");
	poll = LLVMAppendBasicBlockInContext(m->ctx, l->fn, "confine.poll");
	LLVMPositionBuilderAtEnd(b, edge);
	p = LLVMBuildGEP2(b, m->t.i8, l->ctx_arg,
			  (LLVMValueRef[]){ LLVMConstInt(m->t.i64, UXDP_CTX_OFF_LOOP_BUDGET, 0) }, 1,
			  "loop_budget.p");
	left = LLVMBuildSub(b, LLVMBuildLoad2(b, m->t.i32, p, "loop_budget"),
			    LLVMConstInt(m->t.i32, 1, 0), "");
	LLVMBuildStore(b, left, p);
	low = LLVMBuildAnd(b, left, LLVMConstInt(m->t.i32, UXDP_LOOP_POLL_MASK, 0), "");
	LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntEQ, low, LLVMConstInt(m->t.i32, 0, 0), ""), poll,
			target);
	LLVMPositionBuilderAtEnd(b, poll);
	type = LLVMFunctionType(m->t.i32, (LLVMTypeRef[]){ m->t.ptr }, 1, 0);
	stop = LLVMBuildCall2(b, type, poll_fn(m, type), (LLVMValueRef[]){ l->ctx_arg }, 1, "stop");
	{
		LLVMBasicBlockRef abort_bb = abort_block(l);
		LLVMValueRef insn = LLVMConstInt(m->t.i32, i, 0);

		LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntNE, stop, LLVMConstInt(m->t.i32, 0, 0), ""),
				abort_bb, target);
		LLVMAddIncoming(l->abort_insn, &insn, &poll, 1);
		LLVMAddIncoming(l->abort_reason, &stop, &poll, 1);
	}
	LLVMPositionBuilderAtEnd(b, here);
	return edge;
}

/* Entry of a function: registers zeroed, stack slots read before written zeroed, budget. */
void lift_confine_frame(struct lifter *l, size_t f, bool is_entry)
{
	const struct confinement *cf = l->an->conf;
	struct lift_module *m = l->m;
	LLVMBuilderRef b = m->b;

	/* A register read before it is written is 0, not LLVM's undef. */
	for (int r = 0; r < EBPF_REG_FP; r++)
		if (!(is_entry ? r == 1 || (r == 2 && l->prog->type == UXDP_PROG_RAW) : r >= 1 && r <= 5))
			lift_set(l, (unsigned)r, c64(l, 0));
	if (!cf)
		return;
	for (int k = 0; k < EBPF_STACK_SIZE / 8; k++) {
		LLVMValueRef p, st;

		if (!(cf->zero_slots[f] & (1ULL << k)))
			continue;
		p = LLVMBuildGEP2(b, m->t.i8, l->stack,
				  (LLVMValueRef[]){ LLVMConstInt(m->t.i64, (uint64_t)k * 8, 0) }, 1, "");
		st = LLVMBuildStore(b, c64(l, 0), p);
		LLVMSetAlignment(st, 8);
	}
	if (is_entry && cf->n_budget) {
		LLVMValueRef p = LLVMBuildGEP2(
			b, m->t.i8, l->ctx_arg,
			(LLVMValueRef[]){ LLVMConstInt(m->t.i64, UXDP_CTX_OFF_LOOP_BUDGET, 0) }, 1, "");
		LLVMBuildStore(b, LLVMConstInt(m->t.i32, m->loop_budget ? m->loop_budget : UXDP_LOOP_BUDGET, 0),
			       p);
	}
}
