/* SPDX-License-Identifier: MIT */
/*
 * lift_alu.c - ALU and ALU64 instructions (RFC 9669 section 4.1).
 *
 * Where LLVM's operations have undefined behaviour and eBPF's do not, the
 * eBPF rule is written out: shift counts are masked, division by zero and
 * INT_MIN / -1 are given their eBPF results.  ALU32 results are zero-extended.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lift.h"

struct alu_ops {
	struct lifter *l;
	LLVMBuilderRef b;
	LLVMTypeRef ty; /* i32 or i64 */
	unsigned bits;
};

static LLVMValueRef cst(const struct alu_ops *o, uint64_t v)
{
	return LLVMConstInt(o->ty, v, 0);
}

/* Unsigned div/mod: x / 0 = 0 and x % 0 = x (RFC 9669 4.1). */
static LLVMValueRef lift_udivmod(const struct alu_ops *o, bool is_mod, LLVMValueRef x,
				 LLVMValueRef y)
{
	LLVMBuilderRef b = o->b;
	LLVMValueRef zero = LLVMBuildICmp(b, LLVMIntEQ, y, cst(o, 0), "");
	LLVMValueRef safe = LLVMBuildSelect(b, zero, cst(o, 1), y, "");

	if (LLVMIsAConstantInt(y) && LLVMConstIntGetZExtValue(y) != 0)
		safe = y;
	if (is_mod)
		return LLVMBuildSelect(b, zero, x, LLVMBuildURem(b, x, safe, ""), "");
	return LLVMBuildSelect(b, zero, cst(o, 0), LLVMBuildUDiv(b, x, safe, ""), "");
}

/*
 * Signed div/mod (ISA v4, off == 1): x s/ 0 = 0, x s% 0 = x, and
 * INT_MIN s/ -1 = INT_MIN, INT_MIN s% -1 = 0 (RFC 9669 4.1); LLVM's sdiv/srem
 * are undefined for both, so the divisor is made safe first.
 */
static LLVMValueRef lift_sdivmod(const struct alu_ops *o, bool is_mod, LLVMValueRef x,
				 LLVMValueRef y)
{
	LLVMBuilderRef b = o->b;
	LLVMValueRef zero = LLVMBuildICmp(b, LLVMIntEQ, y, cst(o, 0), "");
	LLVMValueRef neg1 = LLVMBuildICmp(b, LLVMIntEQ, y, cst(o, ~0ULL), "");
	LLVMValueRef odd = LLVMBuildOr(b, zero, neg1, "");
	LLVMValueRef safe = LLVMBuildSelect(b, odd, cst(o, 1), y, "");
	LLVMValueRef r;

	if (is_mod) {
		r = LLVMBuildSRem(b, x, safe, "");
		r = LLVMBuildSelect(b, neg1, cst(o, 0), r, "");
		return LLVMBuildSelect(b, zero, x, r, "");
	}
	r = LLVMBuildSDiv(b, x, safe, "");
	r = LLVMBuildSelect(b, neg1, LLVMBuildNeg(b, x, ""), r, "");
	return LLVMBuildSelect(b, zero, cst(o, 0), r, "");
}

static LLVMValueRef lift_bswap(const struct alu_ops *o, LLVMValueRef v64, unsigned width,
			       bool swap)
{
	struct lift_module *m = o->l->m;
	LLVMTypeRef wt = LLVMIntTypeInContext(m->ctx, width);
	LLVMValueRef v = width < 64 ? LLVMBuildTrunc(o->b, v64, wt, "") : v64;

	if (swap && width > 8) {
		char name[32];
		unsigned id;
		LLVMValueRef fn;

		snprintf(name, sizeof(name), "llvm.bswap.i%u", width);
		id = LLVMLookupIntrinsicID(name, strlen(name));
		fn = LLVMGetIntrinsicDeclaration(m->mod, id, &wt, 1);
		v = LLVMBuildCall2(o->b, LLVMIntrinsicGetType(m->ctx, id, &wt, 1), fn, &v, 1, "");
	}
	/* le*, be* and bswap* zero-extend from the width (RFC 9669 4.2). */
	return width < 64 ? LLVMBuildZExt(o->b, v, m->t.i64, "") : v;
}

static int lift_end(struct lifter *l, const struct ebpf_insn *in, const struct alu_ops *o)
{
	bool is64 = EBPF_CLASS(in->opcode) == EBPF_CLS_ALU64;
	/* ALU64|END is the unconditional bswap (v4); ALU|END|X is "to big
	 * endian", ALU|END|K "to little endian", a no-op on this host. */
	bool swap = is64 || EBPF_SRC(in->opcode) == EBPF_SRC_X;

	lift_set(l, in->dst, lift_bswap(o, lift_get(l, in->dst), (unsigned)in->imm, swap));
	return 0;
}

/* mov with off 8/16/32 sign-extends the source (ISA v4 movsx). */
static LLVMValueRef lift_movsx(struct lifter *l, const struct alu_ops *o, LLVMValueRef src,
			       int16_t off)
{
	LLVMTypeRef nt = LLVMIntTypeInContext(l->m->ctx, (unsigned)off);

	return LLVMBuildSExt(o->b, LLVMBuildTrunc(o->b, src, nt, ""), o->ty, "");
}

int lift_alu(struct lifter *l, size_t i, const struct ebpf_insn *in)
{
	struct lift_module *m = l->m;
	bool is64 = EBPF_CLASS(in->opcode) == EBPF_CLS_ALU64;
	bool x = EBPF_SRC(in->opcode) == EBPF_SRC_X;
	uint8_t op = EBPF_OP(in->opcode);
	struct alu_ops o = { l, m->b, is64 ? m->t.i64 : m->t.i32, is64 ? 64 : 32 };
	LLVMBuilderRef b = m->b;
	LLVMValueRef d, s, r;

	if (op == EBPF_ALU_END)
		return lift_end(l, in, &o);
	d = lift_get(l, in->dst);
	/* The immediate of ALU64 is sign-extended from 32 bits (RFC 9669 4.1). */
	s = x ? lift_get(l, in->src) : LLVMConstInt(m->t.i64, (uint64_t)(int64_t)in->imm, 1);
	if (!is64) {
		d = LLVMBuildTrunc(b, d, m->t.i32, "");
		s = LLVMBuildTrunc(b, s, m->t.i32, "");
	}
	switch (op) {
	case EBPF_ALU_ADD:
		r = LLVMBuildAdd(b, d, s, "");
		break;
	case EBPF_ALU_SUB:
		r = LLVMBuildSub(b, d, s, "");
		break;
	case EBPF_ALU_MUL:
		r = LLVMBuildMul(b, d, s, "");
		break;
	case EBPF_ALU_DIV:
		r = in->off ? lift_sdivmod(&o, false, d, s) : lift_udivmod(&o, false, d, s);
		break;
	case EBPF_ALU_MOD:
		r = in->off ? lift_sdivmod(&o, true, d, s) : lift_udivmod(&o, true, d, s);
		break;
	case EBPF_ALU_OR:
		r = LLVMBuildOr(b, d, s, "");
		break;
	case EBPF_ALU_AND:
		r = LLVMBuildAnd(b, d, s, "");
		break;
	case EBPF_ALU_XOR:
		r = LLVMBuildXor(b, d, s, "");
		break;
	case EBPF_ALU_LSH:
	case EBPF_ALU_RSH:
	case EBPF_ALU_ARSH:
		/* Shift counts are masked to the width (RFC 9669 4.1); LLVM
		 * gives poison for counts >= width. */
		s = LLVMBuildAnd(b, s, cst(&o, o.bits - 1), "");
		r = op == EBPF_ALU_LSH	 ? LLVMBuildShl(b, d, s, "") :
		    op == EBPF_ALU_RSH	 ? LLVMBuildLShr(b, d, s, "") :
					   LLVMBuildAShr(b, d, s, "");
		break;
	case EBPF_ALU_NEG:
		r = LLVMBuildNeg(b, d, "");
		break;
	case EBPF_ALU_MOV:
		r = in->off ? lift_movsx(l, &o, s, in->off) : s;
		break;
	default:
		return lift_insn_error(l, i, -EINVAL, "unknown opcode 0x%02x", in->opcode);
	}
	/* ALU32 results are zero-extended to 64 bits (RFC 9669 4.1). */
	if (!is64)
		r = LLVMBuildZExt(b, r, m->t.i64, "");
	lift_set(l, in->dst, r);
	return 0;
}
