/* SPDX-License-Identifier: MIT */
/*
 * bounds_elim.c - packet bounds checks as compares against the packet length.
 *
 * A verifier-clean XDP program guards every packet access with a compare of
 * a pointer against data_end: `if (data + 34 > data_end) goto out`.  Lifted,
 * that is `icmp ugt (add data, 34), data_end` on two loads from the ctx, and
 * LLVM can relate two such compares only as far as it can relate the adds.
 * This pass rewrites each of them to the equivalent compare of the offset
 * with len = data_end - data (`icmp ugt 34, len`), one len per pair of ctx
 * loads.  It is exact because the runtime guarantees data <= data_end and
 * offsets here are below 2^32, so data + offset does not wrap.  With every
 * check a compare of one value against constants, LLVM's constraint
 * elimination drops the checks an earlier one implies.
 *
 * Then runs of checks are merged: when a check's success path is a block
 * without side effects that ends in a stronger check with the same failure
 * (same target, same phi values), the first check is made the stronger one,
 * so straight-line header parsing has a single guard; the later checks
 * become provably true and LLVM folds them.  Skipping side-effect-free code
 * on a short packet is unobservable, so the result is the same.
 *
 * --unsafe-no-bounds-checks makes every rewritten check pass: only for
 * trusted programs on trusted packets (README).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <uxdp/ctx.h>

#include "passes.h"
#include "uxdpc.h"

#define CHECK_MD "uxdp.pkt_check"

/* ctx field of a ptrtoint(load ptr, gep(ctx, off)), or -1. */
static int ctx_field(LLVMValueRef v, LLVMValueRef *ctx)
{
	LLVMValueRef load, addr;
	long long off = 0;

	if (!LLVMIsAPtrToIntInst(v))
		return -1;
	load = LLVMGetOperand(v, 0);
	if (!LLVMIsALoadInst(load) || LLVMGetVolatile(load))
		return -1;
	addr = LLVMGetOperand(load, 0);
	if (LLVMIsAGetElementPtrInst(addr) && LLVMGetNumOperands(addr) == 2 &&
	    LLVMIsAConstantInt(LLVMGetOperand(addr, 1))) {
		off = LLVMConstIntGetSExtValue(LLVMGetOperand(addr, 1));
		addr = LLVMGetOperand(addr, 0);
	}
	if (!LLVMIsAArgument(addr))
		return -1;
	*ctx = addr;
	return (int)off;
}

/*
 * Offsets from data are rebuilt as their own values: a header cursor is
 * often a phi of data + 14 and data + 18 (VLAN or not), so the offset is a
 * phi of 14 and 18.  Only additions of values below 2^32 are followed; the
 * verifier bounds every packet offset far below that, so data + offset does
 * not wrap.  The memo makes each value's offset once and ends loops.
 */
struct off_memo {
	LLVMValueRef v[256], off[256];
	LLVMValueRef data[256]; /* the data load the offset is from (NULL: not yet known) */
	bool created[256]; /* off is an instruction this pass made */
	unsigned n;
};

/* Undo the memo back to n entries, deleting what this pass made. */
static void memo_rollback(struct off_memo *mm, unsigned n)
{
	for (unsigned k = n; k < mm->n; k++)
		if (mm->created[k])
			LLVMReplaceAllUsesWith(mm->off[k], LLVMGetUndef(LLVMTypeOf(mm->off[k])));
	for (unsigned k = mm->n; k-- > n;)
		if (mm->created[k])
			LLVMInstructionEraseFromParent(mm->off[k]);
	mm->n = n;
}

static bool small_offset(LLVMValueRef o)
{
	if (LLVMIsAConstantInt(o))
		return LLVMConstIntGetZExtValue(o) < (1ULL << 31);
	if (LLVMIsAZExtInst(o))
		return LLVMGetIntTypeWidth(LLVMTypeOf(LLVMGetOperand(o, 0))) <= 32;
	if (LLVMIsABinaryOperator(o) && LLVMGetInstructionOpcode(o) == LLVMAnd)
		for (int k = 0; k < 2; k++)
			if (LLVMIsAConstantInt(LLVMGetOperand(o, k)) &&
			    LLVMConstIntGetZExtValue(LLVMGetOperand(o, k)) < (1ULL << 32))
				return true;
	return false;
}

static LLVMValueRef offset_of(LLVMBuilderRef b, struct off_memo *mm, LLVMValueRef v,
			      LLVMValueRef *data, int depth);

static LLVMValueRef offset_of_phi(LLVMBuilderRef b, struct off_memo *mm, LLVMValueRef v,
				  LLVMValueRef *data, int depth)
{
	LLVMBasicBlockRef bb = LLVMGetInstructionParent(v);
	unsigned n = LLVMCountIncoming(v), slot = mm->n;
	LLVMValueRef phi;

	if (mm->n == 256)
		return NULL;
	LLVMPositionBuilder(b, bb, LLVMGetFirstInstruction(bb));
	phi = LLVMBuildPhi(b, LLVMTypeOf(v), "pkt.off");
	mm->v[slot] = v;
	mm->off[slot] = phi;
	mm->data[slot] = NULL; /* known once an incoming value is resolved */
	mm->created[slot] = true;
	mm->n++;
	for (unsigned k = 0; k < n; k++) {
		LLVMValueRef in = LLVMGetIncomingValue(v, k);
		LLVMBasicBlockRef from = LLVMGetIncomingBlock(v, k);
		LLVMValueRef o = offset_of(b, mm, in, data, depth + 1);

		if (!o) {
			/* Not a cursor after all: forget it and what followed. */
			memo_rollback(mm, slot);
			return NULL;
		}
		LLVMAddIncoming(phi, &o, &from, 1);
	}
	mm->data[slot] = *data;
	return phi;
}

static LLVMValueRef offset_of(LLVMBuilderRef b, struct off_memo *mm, LLVMValueRef v,
			      LLVMValueRef *data, int depth)
{
	LLVMValueRef ctx, o;

	for (unsigned k = 0; k < mm->n; k++) {
		if (mm->v[k] != v)
			continue;
		if (mm->data[k] && *data && mm->data[k] != *data)
			return NULL;
		if (mm->data[k])
			*data = mm->data[k];
		return mm->off[k];
	}
	if (depth > 16)
		return NULL;
	if (ctx_field(v, &ctx) == UXDP_CTX_OFF_DATA) {
		if (*data && *data != v)
			return NULL;
		*data = v;
		return LLVMConstInt(LLVMTypeOf(v), 0, 0);
	}
	if (LLVMIsAPHINode(v) && LLVMGetTypeKind(LLVMTypeOf(v)) == LLVMIntegerTypeKind &&
	    LLVMGetIntTypeWidth(LLVMTypeOf(v)) == 64)
		return offset_of_phi(b, mm, v, data, depth);
	if (!LLVMIsABinaryOperator(v) || LLVMGetInstructionOpcode(v) != LLVMAdd)
		return NULL;
	for (int k = 0; k < 2; k++) {
		LLVMValueRef base, add = LLVMGetOperand(v, 1 - k);

		if (!small_offset(add))
			continue;
		base = offset_of(b, mm, LLVMGetOperand(v, k), data, depth + 1);
		if (!base)
			continue;
		if (mm->n == 256)
			return NULL;
		LLVMPositionBuilderBefore(b, LLVMGetNextInstruction(v));
		o = LLVMIsAConstantInt(base) && !LLVMConstIntGetZExtValue(base) ?
			    add :
			    LLVMBuildAdd(b, base, add, "pkt.off");
		mm->v[mm->n] = v;
		mm->data[mm->n] = *data;
		mm->created[mm->n] = o != add;
		mm->off[mm->n++] = o;
		return o;
	}
	return NULL;
}

static bool same_ctx(LLVMValueRef data, LLVMValueRef end)
{
	LLVMValueRef c1, c2;

	return ctx_field(data, &c1) == UXDP_CTX_OFF_DATA &&
	       ctx_field(end, &c2) == UXDP_CTX_OFF_DATA_END && c1 == c2;
}

/* One len per (data, data_end) pair of loads, so that checks compare alike. */
struct len_cache {
	LLVMValueRef data[64], end[64], len[64];
	unsigned n;
};

/* Does a come before b in their (common) block? */
static bool comes_before(LLVMValueRef a, LLVMValueRef b)
{
	for (LLVMValueRef i = a; i; i = LLVMGetNextInstruction(i))
		if (i == b)
			return true;
	return false;
}

static LLVMValueRef get_len(LLVMBuilderRef b, struct len_cache *lc, LLVMValueRef data,
			    LLVMValueRef end, LLVMValueRef cmp)
{
	LLVMValueRef later;

	for (unsigned k = 0; k < lc->n; k++)
		if (lc->data[k] == data && lc->end[k] == end)
			return lc->len[k];
	if (LLVMGetInstructionParent(data) != LLVMGetInstructionParent(end) || lc->n == 64) {
		LLVMPositionBuilderBefore(b, cmp);
		return LLVMBuildSub(b, end, data, "pkt.len");
	}
	/* Right after the later load: dominates every use of the pair. */
	later = comes_before(data, end) ? end : data;
	LLVMPositionBuilderBefore(b, LLVMGetNextInstruction(later));
	lc->data[lc->n] = data;
	lc->end[lc->n] = end;
	lc->len[lc->n] = LLVMBuildSub(b, end, data, "pkt.len");
	return lc->len[lc->n++];
}

/* Rewrite one compare if it is a packet check; true if it was. */
static bool is_data_end(LLVMValueRef v)
{
	LLVMValueRef ctx;

	return ctx_field(v, &ctx) == UXDP_CTX_OFF_DATA_END;
}

static bool rewrite_check(LLVMBuilderRef b, struct len_cache *lc, struct off_memo *mm,
			  LLVMValueRef cmp, LLVMContextRef c)
{
	LLVMIntPredicate pred = LLVMGetICmpPredicate(cmp);
	LLVMValueRef lhs = LLVMGetOperand(cmp, 0), rhs = LLVMGetOperand(cmp, 1);
	LLVMValueRef off = NULL, data = NULL, end, len, repl;
	unsigned md = LLVMGetMDKindIDInContext(c, CHECK_MD, (unsigned)strlen(CHECK_MD));

	if (pred != LLVMIntUGT && pred != LLVMIntUGE && pred != LLVMIntULT && pred != LLVMIntULE)
		return false;
	/* Canonical orientation: (data + off) PRED data_end. */
	end = rhs;
	if (is_data_end(rhs))
		off = offset_of(b, mm, lhs, &data, 0);
	if (!off && is_data_end(lhs)) {
		data = NULL;
		off = offset_of(b, mm, rhs, &data, 0);
		end = lhs;
		pred = pred == LLVMIntUGT ? LLVMIntULT :
		       pred == LLVMIntUGE ? LLVMIntULE :
		       pred == LLVMIntULT ? LLVMIntUGT :
					    LLVMIntUGE;
	}
	if (!off || !data || !same_ctx(data, end))
		return false;
	len = get_len(b, lc, data, end, cmp);
	LLVMPositionBuilderBefore(b, cmp);
	repl = LLVMBuildICmp(b, pred, off, len, "pkt.check");
	LLVMSetMetadata(repl, md, LLVMMDNodeInContext(c, NULL, 0));
	LLVMReplaceAllUsesWith(cmp, repl);
	LLVMInstructionEraseFromParent(cmp);
	return true;
}

/* ------------------------------------------------------------- merging */

/* A rewritten check in the form "requires len >= need, else go to fail". */
struct check {
	LLVMValueRef br, len;
	uint64_t need;
	LLVMBasicBlockRef fail, ok;
};

static bool as_check(LLVMBasicBlockRef bb, unsigned md, struct check *ck)
{
	LLVMValueRef br = LLVMGetBasicBlockTerminator(bb), cmp, off;
	LLVMIntPredicate pred;
	uint64_t n;
	bool fail_on_true;

	if (!br || !LLVMIsABranchInst(br) || !LLVMIsConditional(br))
		return false;
	cmp = LLVMGetCondition(br);
	if (!LLVMIsAICmpInst(cmp) || !LLVMGetMetadata(cmp, md))
		return false;
	off = LLVMGetOperand(cmp, 0);
	if (!LLVMIsAConstantInt(off))
		return false;
	n = LLVMConstIntGetZExtValue(off);
	pred = LLVMGetICmpPredicate(cmp);
	switch (pred) {
	case LLVMIntUGT: /* off > len fails: need len >= off */
		ck->need = n, fail_on_true = true;
		break;
	case LLVMIntUGE: /* off >= len fails: need len >= off + 1 */
		ck->need = n + 1, fail_on_true = true;
		break;
	case LLVMIntULT: /* off < len passes */
		ck->need = n + 1, fail_on_true = false;
		break;
	case LLVMIntULE: /* off <= len passes */
		ck->need = n, fail_on_true = false;
		break;
	default:
		return false;
	}
	ck->br = br;
	ck->len = LLVMGetOperand(cmp, 1);
	ck->fail = LLVMValueAsBasicBlock(LLVMGetOperand(br, fail_on_true ? 2 : 1));
	ck->ok = LLVMValueAsBasicBlock(LLVMGetOperand(br, fail_on_true ? 1 : 2));
	return true;
}

static bool side_effect_free(LLVMBasicBlockRef bb)
{
	for (LLVMValueRef i = LLVMGetFirstInstruction(bb); i; i = LLVMGetNextInstruction(i)) {
		switch (LLVMGetInstructionOpcode(i)) {
		case LLVMStore:
		case LLVMCall:
		case LLVMInvoke:
		case LLVMAtomicRMW:
		case LLVMAtomicCmpXchg:
		case LLVMFence:
		case LLVMPHI:
			return false;
		case LLVMLoad:
			if (LLVMGetVolatile(i))
				return false;
			break;
		default:
			break;
		}
	}
	return true;
}

static unsigned n_preds(LLVMBasicBlockRef bb)
{
	LLVMValueRef user_block = LLVMBasicBlockAsValue(bb);
	unsigned n = 0;

	for (LLVMUseRef u = LLVMGetFirstUse(user_block); u; u = LLVMGetNextUse(u))
		if (LLVMIsATerminatorInst(LLVMGetUser(u)))
			n++;
	return n;
}

/* Failing from a or from b is the same: phis in fail get equal values. */
static bool same_failure(LLVMBasicBlockRef fail, LLVMBasicBlockRef a, LLVMBasicBlockRef b)
{
	for (LLVMValueRef phi = LLVMGetFirstInstruction(fail); phi && LLVMIsAPHINode(phi);
	     phi = LLVMGetNextInstruction(phi)) {
		LLVMValueRef va = NULL, vb = NULL;

		for (unsigned k = 0; k < LLVMCountIncoming(phi); k++) {
			if (LLVMGetIncomingBlock(phi, k) == a)
				va = LLVMGetIncomingValue(phi, k);
			if (LLVMGetIncomingBlock(phi, k) == b)
				vb = LLVMGetIncomingValue(phi, k);
		}
		if (!va || va != vb || LLVMIsAInstruction(va))
			return false;
	}
	return true;
}

static unsigned merge_checks(LLVMValueRef fn, LLVMBuilderRef b, unsigned md)
{
	unsigned merged = 0;

	for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(fn); bb; bb = LLVMGetNextBasicBlock(bb)) {
		struct check first, next;
		LLVMBasicBlockRef at;
		uint64_t need;
		unsigned run = 0;

		if (!as_check(bb, md, &first))
			continue;
		need = first.need;
		at = first.ok;
		while (at != bb && n_preds(at) == 1 && side_effect_free(at) &&
		       as_check(at, md, &next) && next.len == first.len && next.fail == first.fail &&
		       same_failure(first.fail, bb, at) && run < 64) {
			if (next.need > need) {
				need = next.need;
				run++;
			}
			at = next.ok;
		}
		if (!run)
			continue;
		LLVMValueRef cmp = LLVMGetCondition(first.br), repl;
		LLVMContextRef c = LLVMGetTypeContext(LLVMTypeOf(cmp));

		LLVMPositionBuilderBefore(b, first.br);
		/* fail iff len < need, whichever way the branch was written */
		repl = LLVMBuildICmp(b, LLVMIntUGT,
				     LLVMConstInt(LLVMTypeOf(first.len), need, 0), first.len,
				     "pkt.guard");
		LLVMSetMetadata(repl, md, LLVMMDNodeInContext(c, NULL, 0));
		LLVMSetCondition(first.br, repl);
		if (LLVMValueAsBasicBlock(LLVMGetOperand(first.br, 2)) != first.fail) {
			/* The branch's true target (operand 2) must be the failure now. */
			LLVMSetSuccessor(first.br, 0, first.fail);
			LLVMSetSuccessor(first.br, 1, first.ok);
		}
		if (!LLVMGetFirstUse(cmp))
			LLVMInstructionEraseFromParent(cmp);
		merged += run;
	}
	return merged;
}

/* ------------------------------------------------------------------ entry */

unsigned uxdp_count_packet_checks(LLVMModuleRef mod)
{
	LLVMContextRef c = LLVMGetModuleContext(mod);
	unsigned md = LLVMGetMDKindIDInContext(c, CHECK_MD, (unsigned)strlen(CHECK_MD)), n = 0;

	for (LLVMValueRef f = LLVMGetFirstFunction(mod); f; f = LLVMGetNextFunction(f))
		for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(f); bb;
		     bb = LLVMGetNextBasicBlock(bb))
			for (LLVMValueRef i = LLVMGetFirstInstruction(bb); i;
			     i = LLVMGetNextInstruction(i))
				if (LLVMIsAICmpInst(i) && LLVMGetMetadata(i, md))
					n++;
	return n;
}

int uxdp_pass_bounds_elim(LLVMModuleRef mod, bool drop_all, struct uxdp_pass_env *env)
{
	LLVMContextRef c = LLVMGetModuleContext(mod);
	LLVMBuilderRef b = LLVMCreateBuilderInContext(c);
	unsigned md = LLVMGetMDKindIDInContext(c, CHECK_MD, (unsigned)strlen(CHECK_MD));

	for (LLVMValueRef f = LLVMGetFirstFunction(mod); f; f = LLVMGetNextFunction(f)) {
		struct len_cache lc = { .n = 0 };
		struct off_memo mm = { .n = 0 };

		for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(f); bb;
		     bb = LLVMGetNextBasicBlock(bb)) {
			LLVMValueRef i = LLVMGetFirstInstruction(bb);
			while (i) {
				LLVMValueRef next = LLVMGetNextInstruction(i);
				if (LLVMIsAICmpInst(i) && rewrite_check(b, &lc, &mm, i, c))
					env->stats.checks_rewritten++;
				i = next;
			}
		}
		if (!drop_all) {
			env->stats.checks_merged += merge_checks(f, b, md);
			continue;
		}
		/* Trusted programs only: every check passes.  A rewritten check
		 * reads "off PRED len" and fails when off > len (ugt, uge). */
		for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(f); bb;
		     bb = LLVMGetNextBasicBlock(bb)) {
			LLVMValueRef i = LLVMGetFirstInstruction(bb);
			while (i) {
				LLVMValueRef next = LLVMGetNextInstruction(i);
				if (LLVMIsAICmpInst(i) && LLVMGetMetadata(i, md)) {
					LLVMIntPredicate p = LLVMGetICmpPredicate(i);
					bool pass = p == LLVMIntULT || p == LLVMIntULE;
					LLVMReplaceAllUsesWith(i, LLVMConstInt(LLVMInt1TypeInContext(c),
									       pass, 0));
					LLVMInstructionEraseFromParent(i);
					env->stats.checks_dropped++;
				}
				i = next;
			}
		}
	}
	LLVMDisposeBuilder(b);
	return 0;
}
