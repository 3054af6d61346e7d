/* SPDX-License-Identifier: MIT */
/*
 * lift_jmp.c - jumps, calls and exit (RFC 9669 section 4.3).
 *
 * Helper calls become calls to uxdp_helper_NAME (include/uxdp/helpers.h).
 * Three helpers are lowered here instead: bpf_loop and
 * bpf_for_each_map_elem, whose callbacks are program code, become inline
 * loops around a direct call; bpf_tail_call is a
 * runtime call followed by a check of ctx->tail_called, so that a tail call
 * that ran ends this program with the tail-called program's r0.
 */
#include <errno.h>
#include <stdio.h>

#include <uxdp/helpers.h>
#include <uxdp/kfuncs.h>

#include "lift.h"

#define BPF_MAX_LOOPS (8 * 1024 * 1024) /* the kernel's limit for bpf_loop */
#define XDP_ABORTED_VERDICT 0

static LLVMIntPredicate predicate(uint8_t op)
{
	switch (op) {
	case EBPF_JMP_JEQ:
		return LLVMIntEQ;
	case EBPF_JMP_JGT:
		return LLVMIntUGT;
	case EBPF_JMP_JGE:
		return LLVMIntUGE;
	case EBPF_JMP_JNE:
		return LLVMIntNE;
	case EBPF_JMP_JSGT:
		return LLVMIntSGT;
	case EBPF_JMP_JSGE:
		return LLVMIntSGE;
	case EBPF_JMP_JLT:
		return LLVMIntULT;
	case EBPF_JMP_JLE:
		return LLVMIntULE;
	case EBPF_JMP_JSLT:
		return LLVMIntSLT;
	default:
		return LLVMIntSLE;
	}
}

static int lift_cond_jump(struct lifter *l, size_t i, const struct ebpf_insn *in)
{
	struct lift_module *m = l->m;
	LLVMBuilderRef b = m->b;
	bool is32 = EBPF_CLASS(in->opcode) == EBPF_CLS_JMP32;
	uint8_t op = EBPF_OP(in->opcode);
	LLVMValueRef d = lift_get(l, in->dst), s, cond;

	/* The immediate is sign-extended to 64 bits (j-signed-imm); JMP32
	 * compares the low 32 bits only. */
	s = EBPF_SRC(in->opcode) == EBPF_SRC_X ?
		    lift_get(l, in->src) :
		    LLVMConstInt(m->t.i64, (uint64_t)(int64_t)in->imm, 1);
	if (is32) {
		d = LLVMBuildTrunc(b, d, m->t.i32, "");
		s = LLVMBuildTrunc(b, s, m->t.i32, "");
	}
	if (op == EBPF_JMP_JSET)
		cond = LLVMBuildICmp(b, LLVMIntNE, LLVMBuildAnd(b, d, s, ""),
				     LLVMConstNull(LLVMTypeOf(d)), "");
	else
		cond = LLVMBuildICmp(b, predicate(op), d, s, "");
	LLVMBuildCondBr(b, cond,
			lift_back_edge(l, i, lift_block_at(l, (size_t)((int64_t)i + in->off + 1))),
			lift_block_at(l, i + 1));
	l->terminated = true;
	return 0;
}

static LLVMValueRef call_helper(struct lifter *l, const char *name, int nargs)
{
	struct lift_module *m = l->m;
	LLVMTypeRef params[5] = { m->t.i64, m->t.i64, m->t.i64, m->t.i64, m->t.i64 };
	LLVMTypeRef type = LLVMFunctionType(m->t.i64, params, (unsigned)nargs, 0);
	LLVMValueRef args[5], fn;
	char sym[96];

	snprintf(sym, sizeof(sym), UXDP_HELPER_PREFIX "%s", name);
	fn = lift_runtime_fn(m, sym, type);
	for (int r = 0; r < nargs; r++)
		args[r] = lift_get(l, (unsigned)r + 1);
	return LLVMBuildCall2(m->b, type, fn, args, (unsigned)nargs, "");
}

/* call N / call %rN in a raw program: uxdp_raw_helper(N, r1, ..., r5). */
static void lift_raw_helper(struct lifter *l, LLVMValueRef id)
{
	struct lift_module *m = l->m;
	LLVMTypeRef params[6] = { m->t.i64, m->t.i64, m->t.i64, m->t.i64, m->t.i64, m->t.i64 };
	LLVMTypeRef type = LLVMFunctionType(m->t.i64, params, 6, 0);
	LLVMValueRef args[6] = { id };

	for (int r = 1; r <= 5; r++)
		args[r] = lift_get(l, (unsigned)r);
	lift_set(l, 0, LLVMBuildCall2(m->b, type, lift_runtime_fn(m, UXDP_RAW_HELPER_SYMBOL, type),
				      args, 6, ""));
}

/*
 * bpf_loop(nr, callback, callback_ctx, flags), as the kernel's bpf_loop:
 * -EINVAL for flags, -E2BIG above BPF_MAX_LOOPS, else call the callback
 * with (i, callback_ctx) until it returns non-zero; r0 = calls made.
 */
static int lift_bpf_loop(struct lifter *l, size_t i)
{
	struct lift_module *m = l->m;
	LLVMBuilderRef b = m->b;
	const struct lift_func *cb = &l->an->funcs[l->an->callback[i]];
	LLVMValueRef nr, flags, bad_flags, too_many, counter, idx, ret, next, cb_ctx;
	LLVMBasicBlockRef check_bb, loop_bb, body_bb, done_bb;

	nr = LLVMBuildZExt(b, LLVMBuildTrunc(b, lift_get(l, 1), m->t.i32, ""), m->t.i64, "nr");
	flags = lift_get(l, 4);
	cb_ctx = lift_get(l, 3);
	bad_flags = LLVMBuildICmp(b, LLVMIntNE, flags, lift_const64(l, 0), "");
	too_many = LLVMBuildICmp(b, LLVMIntUGT, nr, lift_const64(l, BPF_MAX_LOOPS), "");
	lift_set(l, 0, LLVMBuildSelect(b, bad_flags, lift_const64(l, (uint64_t)-EINVAL),
				       lift_const64(l, (uint64_t)-E2BIG), ""));
	counter = l->regs[0]; /* r0 doubles as the loop counter: it is the result */
	check_bb = LLVMAppendBasicBlockInContext(m->ctx, l->fn, "loop.start");
	loop_bb = LLVMAppendBasicBlockInContext(m->ctx, l->fn, "loop.head");
	body_bb = LLVMAppendBasicBlockInContext(m->ctx, l->fn, "loop.body");
	done_bb = LLVMAppendBasicBlockInContext(m->ctx, l->fn, "loop.done");
	LLVMBuildCondBr(b, LLVMBuildOr(b, bad_flags, too_many, ""), done_bb, check_bb);

	LLVMPositionBuilderAtEnd(b, check_bb);
	LLVMBuildStore(b, lift_const64(l, 0), counter);
	LLVMBuildBr(b, loop_bb);

	LLVMPositionBuilderAtEnd(b, loop_bb);
	idx = LLVMBuildLoad2(b, m->t.i64, counter, "i");
	LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntULT, idx, nr, ""), body_bb, done_bb);

	LLVMPositionBuilderAtEnd(b, body_bb);
	ret = LLVMBuildCall2(b, m->t.sub_fn, cb->fn,
			     (LLVMValueRef[]){ l->ctx_arg, idx, cb_ctx, lift_const64(l, 0),
					       lift_const64(l, 0), lift_const64(l, 0) },
			     6, "cb");
	if (cb->may_tail_call)
		lift_check_tail_called(l); /* a check in the callback ended the run */
	next = LLVMBuildAdd(b, idx, lift_const64(l, 1), "");
	LLVMBuildStore(b, next, counter);
	LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntNE, ret, lift_const64(l, 0), ""), done_bb,
			loop_bb);

	LLVMPositionBuilderAtEnd(b, done_bb);
	return 0;
}

/*
 * bpf_for_each_map_elem(map, callback, callback_ctx, flags), as the
 * kernel's map_for_each_callback: -EINVAL for flags, else the callback is
 * called with (map, key, value, callback_ctx) for each element
 * uxdp_map_iter_next() gives, until it returns non-zero; r0 = calls made.
 */
static int lift_for_each_map_elem(struct lifter *l, size_t i)
{
	struct lift_module *m = l->m;
	LLVMBuilderRef b = m->b;
	const struct lift_func *cb = &l->an->funcs[l->an->callback[i]];
	LLVMTypeRef next_type = LLVMFunctionType(m->t.ptr, (LLVMTypeRef[]){ m->t.ptr, m->t.ptr }, 2, 0);
	LLVMValueRef map, cb_ctx, bad_flags, value, key, n, ret;
	LLVMBasicBlockRef start_bb, head_bb, body_bb, done_bb;

	map = lift_get(l, 1);
	cb_ctx = lift_get(l, 3);
	bad_flags = LLVMBuildICmp(b, LLVMIntNE, lift_get(l, 4), lift_const64(l, 0), "");
	lift_set(l, 0, lift_const64(l, (uint64_t)-EINVAL));
	start_bb = LLVMAppendBasicBlockInContext(m->ctx, l->fn, "each.start");
	head_bb = LLVMAppendBasicBlockInContext(m->ctx, l->fn, "each.head");
	body_bb = LLVMAppendBasicBlockInContext(m->ctx, l->fn, "each.body");
	done_bb = LLVMAppendBasicBlockInContext(m->ctx, l->fn, "each.done");
	LLVMBuildCondBr(b, bad_flags, done_bb, start_bb);

	LLVMPositionBuilderAtEnd(b, start_bb);
	for (unsigned w = 0; w < UXDP_MAP_ITER_WORDS; w++)
		LLVMBuildStore(b, lift_const64(l, 0),
			       LLVMBuildGEP2(b, m->t.i64, l->map_iter,
					     (LLVMValueRef[]){ lift_const64(l, w) }, 1, ""));
	lift_set(l, 0, lift_const64(l, 0)); /* r0 counts the calls: it is the result */
	LLVMBuildBr(b, head_bb);

	LLVMPositionBuilderAtEnd(b, head_bb);
	value = LLVMBuildCall2(b, next_type, lift_runtime_fn(m, UXDP_MAP_ITER_NEXT_SYMBOL, next_type),
			       (LLVMValueRef[]){ LLVMBuildIntToPtr(b, map, m->t.ptr, ""), l->map_iter },
			       2, "value");
	LLVMBuildCondBr(b, LLVMBuildIsNull(b, value, ""), done_bb, body_bb);

	LLVMPositionBuilderAtEnd(b, body_bb);
	key = LLVMBuildLoad2(b, m->t.i64,
			     LLVMBuildGEP2(b, m->t.i64, l->map_iter,
					   (LLVMValueRef[]){ lift_const64(l, UXDP_MAP_ITER_KEY_WORD) },
					   1, ""),
			     "key");
	n = LLVMBuildAdd(b, lift_get(l, 0), lift_const64(l, 1), "");
	lift_set(l, 0, n);
	ret = LLVMBuildCall2(b, m->t.sub_fn, cb->fn,
			     (LLVMValueRef[]){ l->ctx_arg, map, key,
					       LLVMBuildPtrToInt(b, value, m->t.i64, ""), cb_ctx,
					       lift_const64(l, 0) },
			     6, "cb");
	if (cb->may_tail_call)
		lift_check_tail_called(l); /* a check in the callback ended the run */
	LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntNE, ret, lift_const64(l, 0), ""), done_bb,
			head_bb);

	LLVMPositionBuilderAtEnd(b, done_bb);
	return 0;
}

/* A kfunc: uxdp_kfunc_NAME(r1..rN); an int result is sign-extended. */
static void lift_kfunc(struct lifter *l, const char *name)
{
	struct lift_module *m = l->m;
	int nargs = uxdp_kfunc_nargs(name);
	LLVMTypeRef params[5] = { m->t.i64, m->t.i64, m->t.i64, m->t.i64, m->t.i64 };
	LLVMTypeRef type = LLVMFunctionType(m->t.i64, params, (unsigned)nargs, 0);
	LLVMValueRef args[5], r0;
	char sym[96];

	snprintf(sym, sizeof(sym), UXDP_KFUNC_PREFIX "%s", name);
	for (int r = 0; r < nargs; r++)
		args[r] = lift_get(l, (unsigned)r + 1);
	r0 = LLVMBuildCall2(m->b, type, lift_runtime_fn(m, sym, type), args, (unsigned)nargs, "");
	if (uxdp_kfunc_returns_int(name))
		r0 = LLVMBuildSExt(m->b, LLVMBuildTrunc(m->b, r0, m->t.i32, ""), m->t.i64, "");
	lift_set(l, 0, r0);
}

/*
 * may_goto +off: jump when this frame's budget is spent, else spend one.
 * The kernel (6.9) counts BPF_MAX_LOOPS; 6.15's x86 JIT refills the count
 * for 250 ms of run time instead: a fixed count is the deterministic form.
 */
static int lift_may_goto(struct lifter *l, size_t i, const struct ebpf_insn *in)
{
	struct lift_module *m = l->m;
	LLVMBuilderRef b = m->b;
	LLVMValueRef left = LLVMBuildLoad2(b, m->t.i64, l->may_goto, "budget");
	LLVMValueRef spent = LLVMBuildICmp(b, LLVMIntEQ, left, lift_const64(l, 0), "");

	LLVMBuildStore(b, LLVMBuildSelect(b, spent, left,
					  LLVMBuildSub(b, left, lift_const64(l, 1), ""), ""),
		       l->may_goto);
	LLVMBuildCondBr(b, spent, lift_block_at(l, (size_t)((int64_t)i + in->off + 1)),
			lift_block_at(l, i + 1));
	l->terminated = true;
	return 0;
}

static int lift_call(struct lifter *l, size_t i, const struct ebpf_insn *in)
{
	struct lift_module *m = l->m;
	const struct lift_func *callee;
	LLVMValueRef args[6];

	if (in->opcode == EBPF_OP_CALLX) {
		lift_raw_helper(l, lift_get(l, in->dst));
		return 0;
	}
	if (in->src == EBPF_PSEUDO_CALL_LOCAL) {
		callee = &l->an->funcs[l->an->callee[i]];
		args[0] = l->ctx_arg;
		for (int r = 1; r <= 5; r++)
			args[r] = lift_get(l, (unsigned)r);
		lift_set(l, 0, LLVMBuildCall2(m->b, m->t.sub_fn, callee->fn, args, 6, ""));
		if (callee->may_tail_call)
			lift_check_tail_called(l);
		return 0;
	}
	if (l->prog->type == UXDP_PROG_RAW) {
		lift_raw_helper(l, lift_const64(l, (uint64_t)(int64_t)in->imm));
		return 0;
	}
	if (in->src == EBPF_PSEUDO_CALL_KFUNC) {
		lift_kfunc(l, m->obj->kfuncs[in->imm]);
		return 0;
	}
	if (in->imm == UXDP_CORE_POISON) {
		/* Dead code (core_reach.c proved it): end the path, as the kernel removes it. */
		LLVMBuildRet(m->b, lift_const64(l, XDP_ABORTED_VERDICT));
		l->terminated = true;
		return 0;
	}
	lift_guard_helper_args(l, i);
	if (in->imm == UXDP_HELPER_ID_LOOP)
		return lift_bpf_loop(l, i);
	if (in->imm == UXDP_HELPER_ID_FOR_EACH_MAP_ELEM)
		return lift_for_each_map_elem(l, i);
	lift_set(l, 0, call_helper(l, uxdp_helper_name(in->imm), uxdp_helper_nargs(in->imm)));
	if (in->imm == UXDP_HELPER_ID_TAIL_CALL)
		lift_check_tail_called(l);
	return 0;
}

int lift_jmp(struct lifter *l, size_t i, const struct ebpf_insn *in)
{
	struct lift_module *m = l->m;

	switch (EBPF_OP(in->opcode)) {
	case EBPF_JMP_JA:
		LLVMBuildBr(m->b, lift_back_edge(l, i, lift_block_at(l, (size_t)((int64_t)i + 1 +
							     (in->opcode == EBPF_OP_JA32 ? in->imm :
											    in->off)))));
		l->terminated = true;
		return 0;
	case EBPF_JMP_EXIT:
		LLVMBuildRet(m->b, lift_get(l, 0));
		l->terminated = true;
		return 0;
	case EBPF_JMP_CALL:
		return lift_call(l, i, in);
	case EBPF_JMP_JCOND:
		return lift_may_goto(l, i, in);
	default:
		return lift_cond_jump(l, i, in);
	}
}
