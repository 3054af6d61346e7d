/* SPDX-License-Identifier: MIT */
/*
 * packet_check.c - recognising packet bounds checks (see packet_check.h).
 *
 * Cursors are followed through additions of small offsets and phis, so an
 * offset is a known range below 2^32: data + offset cannot wrap, because the
 * runtime gives every frame a buffer far below the top of the address space.
 */
#include <stdint.h>
#include <string.h>

#include <uxdp/ctx.h>

#include "packet_check.h"
#include "passes.h"

#define MAX_DEPTH 16
#define OFFSET_LIMIT (1ULL << 32)

/* ------------------------------------------------------- cursors, ranges */

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
	/* gep i8 only: its index is the byte offset */
	if (LLVMIsAGetElementPtrInst(addr) && LLVMGetNumOperands(addr) == 2 &&
	    LLVMIsAConstantInt(LLVMGetOperand(addr, 1)) &&
	    LLVMGetGEPSourceElementType(addr) ==
		    LLVMInt8TypeInContext(LLVMGetTypeContext(LLVMTypeOf(addr)))) {
		off = LLVMConstIntGetSExtValue(LLVMGetOperand(addr, 1));
		addr = LLVMGetOperand(addr, 0);
	}
	if (!LLVMIsAArgument(addr))
		return -1;
	*ctx = addr;
	return (int)off;
}

static bool is_i64(LLVMValueRef v)
{
	LLVMTypeRef t = LLVMTypeOf(v);

	return LLVMGetTypeKind(t) == LLVMIntegerTypeKind && LLVMGetIntTypeWidth(t) == 64;
}

static bool const_small(LLVMValueRef v, uint64_t *c)
{
	if (!LLVMIsAConstantInt(v) || LLVMGetIntTypeWidth(LLVMTypeOf(v)) > 64)
		return false;
	*c = LLVMConstIntGetZExtValue(v);
	return *c < OFFSET_LIMIT;
}

/* Range of an integer added to a cursor; false if not provably small. */
static bool int_range(LLVMValueRef v, uint64_t *lo, uint64_t *hi, int depth)
{
	uint64_t c, l, h;
	LLVMValueRef a;

	if (const_small(v, &c)) {
		*lo = *hi = c;
		return true;
	}
	if (depth > MAX_DEPTH || !LLVMIsAInstruction(v))
		return false;
	switch (LLVMGetInstructionOpcode(v)) {
	case LLVMZExt: {
		unsigned w = LLVMGetIntTypeWidth(LLVMTypeOf(LLVMGetOperand(v, 0)));

		if (int_range(LLVMGetOperand(v, 0), lo, hi, depth + 1))
			return true;
		if (w > 32)
			return false;
		*lo = 0, *hi = (1ULL << w) - 1;
		return true;
	}
	case LLVMAnd:
		for (int k = 0; k < 2; k++) {
			if (!const_small(LLVMGetOperand(v, k), &c))
				continue;
			*lo = 0, *hi = c;
			if (int_range(LLVMGetOperand(v, 1 - k), &l, &h, depth + 1) && h < c)
				*hi = h;
			return true;
		}
		return false;
	case LLVMShl:
	case LLVMMul:
	case LLVMLShr:
		a = LLVMGetOperand(v, 0);
		if (!const_small(LLVMGetOperand(v, 1), &c) || c > 32 ||
		    !int_range(a, &l, &h, depth + 1))
			return false;
		if (LLVMGetInstructionOpcode(v) == LLVMLShr) {
			*lo = l >> c, *hi = h >> c;
			return true;
		}
		if (LLVMGetInstructionOpcode(v) == LLVMShl)
			c = 1ULL << c;
		if (c && h > (OFFSET_LIMIT - 1) / c)
			return false;
		*lo = l * c, *hi = h * c;
		return true;
	default:
		return false;
	}
}

/*
 * Where a cursor may point, as data + [lo, hi]; false if it is not a cursor
 * on `data` with a small offset.  Phis on a path being walked (a cursor
 * stepping through a loop) have no bound: false.
 */
struct visiting {
	LLVMValueRef v[MAX_DEPTH + 2];
	unsigned n;
};

static bool cursor_range(LLVMValueRef v, LLVMValueRef data, uint64_t *lo, uint64_t *hi,
			 struct visiting *vis)
{
	uint64_t l, h, l2, h2;
	LLVMValueRef ctx;
	bool ok = false;

	if (v == data) {
		*lo = *hi = 0;
		return true;
	}
	if (!LLVMIsAInstruction(v) || !is_i64(v) || vis->n > MAX_DEPTH)
		return false;
	for (unsigned k = 0; k < vis->n; k++)
		if (vis->v[k] == v)
			return false;
	if (ctx_field(v, &ctx) >= 0)
		return false;
	vis->v[vis->n++] = v;
	if (LLVMIsAPHINode(v)) {
		*lo = UINT64_MAX, *hi = 0;
		ok = LLVMCountIncoming(v) > 0;
		for (unsigned k = 0; ok && k < LLVMCountIncoming(v); k++) {
			ok = cursor_range(LLVMGetIncomingValue(v, k), data, &l, &h, vis);
			*lo = l < *lo ? l : *lo;
			*hi = h > *hi ? h : *hi;
		}
	} else if (LLVMGetInstructionOpcode(v) == LLVMAdd) {
		for (int k = 0; k < 2 && !ok; k++)
			ok = cursor_range(LLVMGetOperand(v, k), data, &l, &h, vis) &&
			     int_range(LLVMGetOperand(v, 1 - k), &l2, &h2, 0) &&
			     h + h2 < OFFSET_LIMIT;
		*lo = l + l2, *hi = h + h2;
	}
	vis->n--;
	return ok;
}

bool pkt_cursor_range(LLVMValueRef v, LLVMValueRef data, uint64_t *lo, uint64_t *hi)
{
	struct visiting vis = { .n = 0 };

	return cursor_range(v, data, lo, hi, &vis);
}

/* v = base + k, peeling additions of constants. */
LLVMValueRef pkt_peel(LLVMValueRef v, int64_t *k)
{
	uint64_t c;

	*k = 0;
	while (LLVMIsAInstruction(v) && LLVMGetInstructionOpcode(v) == LLVMAdd) {
		if (const_small(LLVMGetOperand(v, 1), &c))
			v = LLVMGetOperand(v, 0);
		else if (const_small(LLVMGetOperand(v, 0), &c))
			v = LLVMGetOperand(v, 1);
		else
			break;
		*k += (int64_t)c;
	}
	return v;
}

/* The ptrtoint of ctx->data a cursor is built on, or NULL. */
static LLVMValueRef find_data(LLVMValueRef v, LLVMValueRef ctx, int depth)
{
	LLVMValueRef c2, d = NULL;

	if (ctx_field(v, &c2) == UXDP_CTX_OFF_DATA)
		return c2 == ctx ? v : NULL;
	if (depth > MAX_DEPTH || !LLVMIsAInstruction(v))
		return NULL;
	if (LLVMIsAPHINode(v))
		for (unsigned k = 0; !d && k < LLVMCountIncoming(v); k++)
			d = find_data(LLVMGetIncomingValue(v, k), ctx, depth + 1);
	else if (LLVMGetInstructionOpcode(v) == LLVMAdd)
		for (int k = 0; !d && k < 2; k++)
			d = find_data(LLVMGetOperand(v, k), ctx, depth + 1);
	return d;
}

/* ----------------------------------------------------- recognising checks */

bool pkt_as_leaf(LLVMValueRef cmp, struct pkt_leaf *lf)
{
	LLVMIntPredicate p;
	LLVMValueRef a, b, ctx, cur, end;
	struct visiting vis = { .n = 0 };

	if (!LLVMIsAICmpInst(cmp))
		return false;
	p = LLVMGetICmpPredicate(cmp);
	a = LLVMGetOperand(cmp, 0), b = LLVMGetOperand(cmp, 1);
	if (ctx_field(b, &ctx) == UXDP_CTX_OFF_DATA_END) {
		cur = a, end = b;
	} else if (ctx_field(a, &ctx) == UXDP_CTX_OFF_DATA_END) {
		cur = b, end = a;
		p = p == LLVMIntUGT ? LLVMIntULT :
		    p == LLVMIntUGE ? LLVMIntULE :
		    p == LLVMIntULT ? LLVMIntUGT :
		    p == LLVMIntULE ? LLVMIntUGE :
				      p;
	} else {
		return false;
	}
	switch (p) {
	case LLVMIntUGT: lf->strict = 0, lf->fail_on_true = true; break;
	case LLVMIntUGE: lf->strict = 1, lf->fail_on_true = true; break;
	case LLVMIntULT: lf->strict = 1, lf->fail_on_true = false; break;
	case LLVMIntULE: lf->strict = 0, lf->fail_on_true = false; break;
	default: return false;
	}
	lf->data = find_data(cur, ctx, 0);
	if (!lf->data)
		return false;
	if (!cursor_range(cur, lf->data, &lf->lo, &lf->hi, &vis))
		return false;
	lf->cmp = cmp, lf->cursor = cur, lf->end = end;
	return true;
}

static bool single_use(LLVMValueRef v)
{
	LLVMUseRef u = LLVMGetFirstUse(v);

	return u && !LLVMGetNextUse(u);
}

static bool is_bool_const(LLVMValueRef v, bool which)
{
	return LLVMIsAConstantInt(v) && LLVMConstIntGetZExtValue(v) == (unsigned long long)which;
}

/* Collect leaves under v (used by user at slot) combining with `any`
 * (or: fail-on-true leaves) or all (and: pass-on-true leaves). */
static void collect(struct pkt_check *ck, LLVMValueRef user, unsigned slot, LLVMValueRef v,
		    bool or_tree, int depth)
{
	struct pkt_leaf lf;

	if (ck->n == MAX_LEAVES || depth > MAX_DEPTH)
		return;
	if (pkt_as_leaf(v, &lf)) {
		if (lf.fail_on_true == or_tree) {
			ck->leaf[ck->n] = lf;
			ck->user[ck->n] = user;
			ck->slot[ck->n++] = slot;
		}
		return;
	}
	if (!single_use(v) || !LLVMIsAInstruction(v))
		return;
	if (LLVMGetInstructionOpcode(v) == (or_tree ? LLVMOr : LLVMAnd)) {
		collect(ck, v, 0, LLVMGetOperand(v, 0), or_tree, depth + 1);
		collect(ck, v, 1, LLVMGetOperand(v, 1), or_tree, depth + 1);
	} else if (LLVMIsASelectInst(v)) {
		/* select a, true, b is a logical or; select a, b, false an and */
		unsigned other = or_tree ? 2 : 1, cst = or_tree ? 1 : 2;

		if (is_bool_const(LLVMGetOperand(v, cst), or_tree)) {
			collect(ck, v, 0, LLVMGetOperand(v, 0), or_tree, depth + 1);
			collect(ck, v, other, LLVMGetOperand(v, other), or_tree, depth + 1);
		}
	}
}

bool pkt_as_check(LLVMBasicBlockRef bb, struct pkt_check *ck)
{
	LLVMValueRef br = LLVMGetBasicBlockTerminator(bb), cond;
	LLVMBasicBlockRef t, f;

	if (!br || !LLVMIsABranchInst(br) || !LLVMIsConditional(br))
		return false;
	cond = LLVMGetCondition(br);
	t = LLVMGetSuccessor(br, 0), f = LLVMGetSuccessor(br, 1);
	if (t == f)
		return false;
	ck->bb = bb;
	ck->n = 0;
	/* Failing on true: the true successor is the failure. */
	collect(ck, br, 0, cond, true, 0);
	if (ck->n) {
		ck->fail = t, ck->ok = f;
		return true;
	}
	collect(ck, br, 0, cond, false, 0);
	ck->fail = f, ck->ok = t;
	return ck->n > 0;
}

/* Replace leaf k by v (in its user only). */
void pkt_set_leaf(struct pkt_check *ck, unsigned k, LLVMValueRef v)
{
	LLVMValueRef user = ck->user[k];

	if (LLVMIsABranchInst(user))
		LLVMSetCondition(user, v);
	else
		LLVMSetOperand(user, ck->slot[k], v);
}

unsigned uxdp_count_packet_checks(LLVMModuleRef mod)
{
	unsigned n = 0;
	struct pkt_leaf lf;

	for (LLVMValueRef f = LLVMGetFirstFunction(mod); f; f = LLVMGetNextFunction(f))
		for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(f); bb;
		     bb = LLVMGetNextBasicBlock(bb))
			for (LLVMValueRef i = LLVMGetFirstInstruction(bb); i;
			     i = LLVMGetNextInstruction(i))
				if (pkt_as_leaf(i, &lf) && LLVMGetFirstUse(i))
					n++;
	return n;
}

