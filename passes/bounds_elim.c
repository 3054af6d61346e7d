/* SPDX-License-Identifier: MIT */
/*
 * bounds_elim.c - packet bounds checks: widen a guard, drop what it implies.
 *
 * A verifier-clean XDP program guards every packet access with a compare of
 * a cursor against data_end: `if (data + 34 > data_end) goto out`.  Header
 * parsers check again for each header, so a frame walks a chain of checks
 * (14 bytes, then 34, then 42...) with the same failure, `return XDP_PASS`,
 * and between them only reads and compares.
 *
 * Widening: from a check C on `cursor + need`, walk the code its success
 * leads to.  If that code has no side effects, every path in it either
 * reaches the same failure (same block, same phi values) or another check on
 * the same data_end that fails for every length below some bound N, then a
 * packet shorter than N ends in C's failure whatever path it takes, so C may
 * test N instead of its own need.  Skipping side-effect-free reads on a short
 * packet is unobservable.  A guard its own success can reach again (a loop)
 * is left alone: the failure could read a value a loop header between them
 * would have updated first.  The new check is written in the program's own
 * form (cursor + N > data_end), so nothing else changes shape.
 *
 * Removal: a later check that the widened guard implies on every path into
 * it (its cursor is at most the guard's on each incoming edge, and the guard
 * dominates the edge) is made constant and LLVM deletes it.  When it is
 * implied on some edges only (a phi cursor: data + 14 without a VLAN tag,
 * data + 18 with one) the check gets an i1 phi saying on which edges it is
 * needed, and LLVM's jump threading gives the implied edges their own copy
 * without it.
 *
 * Which compares are packet checks, and how far their cursors reach, is
 * packet_check.c's business.
 *
 * --unsafe-no-bounds-checks makes every check pass: only for trusted
 * programs on trusted packets (README).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "packet_check.h"
#include "passes.h"
#include "uxdpc.h"

#define MAX_REGION 256
#define MAX_FRONTIER 64
#define OFFSET_LIMIT (1ULL << 32)

/* ------------------------------------------------------------ the region */

static bool side_effect_free(LLVMBasicBlockRef bb)
{
	for (LLVMValueRef i = LLVMGetFirstInstruction(bb); i; i = LLVMGetNextInstruction(i)) {
		switch (LLVMGetInstructionOpcode(i)) {
		case LLVMStore:
		case LLVMCall:
		case LLVMInvoke:
		case LLVMCallBr:
		case LLVMAtomicRMW:
		case LLVMAtomicCmpXchg:
		case LLVMFence:
		case LLVMVAArg:
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

/* Failing from a or from b is the same: phis in fail get equal constants. */
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
		if (!va || va != vb || !LLVMIsAConstant(va))
			return false;
	}
	return true;
}

/* An edge into a later check, with what the check needs on it. */
struct frontier_edge {
	LLVMBasicBlockRef from, to;
	unsigned leaf;
	bool exact;          /* need is relative to the guard's base */
	uint64_t lo, hi;     /* need: relative to the base (exact) or to data */
};

/* Where the walk stands with a block of the region. */
enum walk_state {
	ON_PATH = 1, /* on the walk's current path: meeting it again is a cycle */
	WALKED,      /* every path from it ends well */
	FRONTIER,    /* a later check: the walk stops there */
};

struct region {
	const struct pkt_check *guard;
	LLVMValueRef base;   /* guard cursor = base + k */
	int64_t k;
	LLVMBasicBlockRef bb[MAX_REGION];
	unsigned char state[MAX_REGION]; /* enum walk_state */
	unsigned n;
	struct frontier_edge fe[MAX_FRONTIER];
	unsigned nfe;
};

static int region_index(struct region *r, LLVMBasicBlockRef bb)
{
	for (unsigned k = 0; k < r->n; k++)
		if (r->bb[k] == bb)
			return (int)k;
	return -1;
}

/*
 * What leaf lf of the check in `to` needs on the edge from `from`: the
 * cursor with a phi of `to` replaced by its incoming value.
 */
static bool edge_need(const struct region *r, const struct pkt_leaf *lf, LLVMBasicBlockRef from,
		      LLVMBasicBlockRef to, struct frontier_edge *fe)
{
	const struct pkt_leaf *g = &r->guard->leaf[0];
	int64_t k, k2;
	LLVMValueRef base = pkt_peel(lf->cursor, &k);
	uint64_t lo, hi;

	if (lf->end != g->end || lf->data != g->data)
		return false;
	if (LLVMIsAPHINode(base) && LLVMGetInstructionParent(base) == to) {
		LLVMValueRef in = NULL;

		for (unsigned j = 0; j < LLVMCountIncoming(base); j++)
			if (LLVMGetIncomingBlock(base, j) == from)
				in = LLVMGetIncomingValue(base, j);
		if (!in)
			return false;
		base = pkt_peel(in, &k2);
		k += k2;
	}
	if (base == r->base && k >= 0) {
		fe->exact = true;
		fe->lo = fe->hi = (uint64_t)k + lf->strict;
		return true;
	}
	if (r->base != g->data || !pkt_cursor_range(base, g->data, &lo, &hi) || k < 0 ||
	    hi + (uint64_t)k >= OFFSET_LIMIT)
		return false;
	fe->exact = false;
	fe->lo = lo + (uint64_t)k + lf->strict;
	fe->hi = hi + (uint64_t)k + lf->strict;
	return true;
}

/* Is `to` a later check on the guard's packet, failing like it? */
static bool frontier_on_edge(struct region *r, LLVMBasicBlockRef from, LLVMBasicBlockRef to)
{
	struct pkt_check ck;
	struct frontier_edge best = { 0 }, fe;
	bool found = false;

	if (!pkt_as_check(to, &ck) || ck.fail != r->guard->fail ||
	    !same_failure(ck.fail, r->guard->bb, to) || r->nfe == MAX_FRONTIER)
		return false;
	for (unsigned k = 0; k < ck.n; k++) {
		if (!edge_need(r, &ck.leaf[k], from, to, &fe))
			continue;
		/* the leaf that fails for the most lengths bounds best */
		if (!found || fe.lo > best.lo) {
			best = fe;
			best.leaf = k;
			found = true;
		}
	}
	if (!found)
		return false;
	best.from = from, best.to = to;
	r->fe[r->nfe++] = best;
	return true;
}

/*
 * Walk from `to` (entered from `from`): true if every path ends in the
 * guard's failure or at a later check on the same packet.
 */
static bool walk(struct region *r, LLVMBasicBlockRef from, LLVMBasicBlockRef to)
{
	const struct pkt_check *g = r->guard;
	LLVMValueRef term;
	int idx;

	if (to == g->fail)
		return same_failure(g->fail, g->bb, from);
	if (to == g->bb)
		return false; /* a loop back to the guard */
	idx = region_index(r, to);
	if (idx >= 0) {
		if (r->state[idx] == ON_PATH)
			return false; /* a cycle */
		if (r->state[idx] == FRONTIER)
			return frontier_on_edge(r, from, to);
		return true;
	}
	if (r->n == MAX_REGION || !side_effect_free(to))
		return false;
	idx = (int)r->n++;
	r->bb[idx] = to;
	if (frontier_on_edge(r, from, to)) {
		r->state[idx] = FRONTIER;
		return true;
	}
	r->state[idx] = ON_PATH;
	term = LLVMGetBasicBlockTerminator(to);
	if (!term || (!LLVMIsABranchInst(term) && !LLVMIsASwitchInst(term)))
		return false;
	if (LLVMIsABranchInst(term) && LLVMIsConditional(term) &&
	    LLVMIsAConstantInt(LLVMGetCondition(term))) {
		/* a check already removed: only its taken side */
		unsigned s = LLVMConstIntGetZExtValue(LLVMGetCondition(term)) ? 0 : 1;

		if (!walk(r, to, LLVMGetSuccessor(term, s)))
			return false;
	} else {
		for (unsigned s = 0; s < LLVMGetNumSuccessors(term); s++)
			if (!walk(r, to, LLVMGetSuccessor(term, s)))
				return false;
	}
	r->state[idx] = WALKED;
	return true;
}

/* ------------------------------------------------------------ dominance */

static unsigned preds_of(LLVMBasicBlockRef bb, LLVMBasicBlockRef *out, unsigned max)
{
	unsigned n = 0;

	for (LLVMUseRef u = LLVMGetFirstUse(LLVMBasicBlockAsValue(bb)); u; u = LLVMGetNextUse(u)) {
		LLVMValueRef user = LLVMGetUser(u);

		if (!LLVMIsATerminatorInst(user))
			continue;
		if (n == max)
			return max + 1;
		out[n++] = LLVMGetInstructionParent(user);
	}
	return n;
}

/*
 * Blocks of the region the guard's success edge dominates: the ok block if
 * the guard is its only way in, then every walked block all of whose
 * predecessors are dominated.  Frontier blocks are not walked through.
 */
static void dominated(struct region *r, bool *dom)
{
	LLVMBasicBlockRef preds[32];
	bool changed = true;

	memset(dom, 0, sizeof(bool) * r->n);
	while (changed) {
		changed = false;
		for (unsigned k = 0; k < r->n; k++) {
			unsigned np;
			bool all = true;

			if (dom[k] || r->state[k] != WALKED)
				continue;
			np = preds_of(r->bb[k], preds, 32);
			if (np == 0 || np > 32)
				continue;
			for (unsigned j = 0; j < np && all; j++) {
				int p = region_index(r, preds[j]);

				if (r->bb[k] == r->guard->ok && preds[j] == r->guard->bb)
					continue;
				all = p >= 0 && dom[p];
			}
			if (all)
				changed = dom[k] = true;
		}
	}
}

static bool edge_dominated(struct region *r, const bool *dom, LLVMBasicBlockRef from,
			   LLVMBasicBlockRef to)
{
	int p = region_index(r, from);
	LLVMBasicBlockRef preds[2];

	if (from == r->guard->bb)
		return to == r->guard->ok && preds_of(to, preds, 1) == 1;
	return p >= 0 && dom[p];
}

/* ------------------------------------------------------------- rewriting */

struct elim_counts {
	unsigned widened, removed, removed_on_paths;
};

/* The guard's leaf 0 becomes `base + need > data_end` (or its negation). */
static void widen(LLVMBuilderRef b, struct region *r, struct pkt_check *g, uint64_t need)
{
	struct pkt_leaf *lf = &g->leaf[0];
	LLVMValueRef cur, cmp, base = r->base;
	LLVMTypeRef i64 = LLVMTypeOf(lf->cursor);

	LLVMPositionBuilderBefore(b, lf->cmp);
	cur = LLVMBuildAdd(b, base, LLVMConstInt(i64, need, 0), "pkt.guard.end");
	cmp = LLVMBuildICmp(b, lf->fail_on_true ? LLVMIntUGT : LLVMIntULE, cur, lf->end,
			    "pkt.guard");
	pkt_set_leaf(g, 0, cmp);
	if (!LLVMGetFirstUse(lf->cmp))
		LLVMInstructionEraseFromParent(lf->cmp);
	lf->cmp = cmp;
	lf->cursor = cur;
	lf->strict = 0;
}

/* Leaf k of ck never fails: a constant. */
static void remove_leaf(struct pkt_check *ck, unsigned k, LLVMContextRef c)
{
	LLVMValueRef old = ck->leaf[k].cmp;

	pkt_set_leaf(ck, k, LLVMConstInt(LLVMInt1TypeInContext(c), !ck->leaf[k].fail_on_true, 0));
	if (!LLVMGetFirstUse(old))
		LLVMInstructionEraseFromParent(old);
}

/* Leaf k of ck is needed only on some edges: gate it with an i1 phi. */
static bool gate_leaf(LLVMBuilderRef b, struct pkt_check *ck, unsigned k, LLVMBasicBlockRef *implied,
		      unsigned nimplied, LLVMContextRef c)
{
	LLVMBasicBlockRef preds[64];
	unsigned np = preds_of(ck->bb, preds, 64);
	LLVMTypeRef i1 = LLVMInt1TypeInContext(c);
	LLVMValueRef phi, gated, leaf = ck->leaf[k].cmp;
	bool fot = ck->leaf[k].fail_on_true;

	if (LLVMGetInstructionParent(ck->user[k]) != ck->bb)
		return false; /* the phi would not reach the leaf's user */
	LLVMPositionBuilder(b, ck->bb, LLVMGetFirstInstruction(ck->bb));
	phi = LLVMBuildPhi(b, i1, "pkt.check.needed");
	for (unsigned j = 0; j < np; j++) {
		bool needed = true;
		LLVMValueRef v;

		for (unsigned m = 0; m < nimplied; m++)
			needed &= implied[m] != preds[j];
		v = LLVMConstInt(i1, needed, 0);
		LLVMAddIncoming(phi, &v, &preds[j], 1);
	}
	LLVMPositionBuilderBefore(b, ck->user[k]);
	/* fail-on-true: fails only if needed; pass-on-true: passes if not needed */
	gated = fot ? LLVMBuildAnd(b, phi, leaf, "pkt.check.gated") :
		      LLVMBuildOr(b, LLVMBuildNot(b, phi, "pkt.check.implied"), leaf,
				  "pkt.check.gated");
	pkt_set_leaf(ck, k, gated);
	return true;
}

/*
 * Remove or gate the later checks the guard implies.  A check whose every
 * incoming edge is implied goes; one implied on some edges is gated.
 */
static void remove_implied(LLVMBuilderRef b, struct region *r, const bool *dom, uint64_t need,
			   struct elim_counts *cnt, LLVMContextRef c)
{
	for (unsigned e = 0; e < r->nfe; e++) {
		LLVMBasicBlockRef to = r->fe[e].to, preds[64], implied[64];
		unsigned np, ni = 0, leaf = r->fe[e].leaf;
		bool first = true, all = true;
		struct pkt_check ck;

		for (unsigned j = 0; j < e; j++)
			first &= r->fe[j].to != to;
		if (!first || !pkt_as_check(to, &ck) || leaf >= ck.n)
			continue;
		np = preds_of(to, preds, 64);
		if (np > 64)
			continue;
		for (unsigned j = 0; j < np; j++) {
			bool ok = false;

			for (unsigned m = e; m < r->nfe && !ok; m++)
				ok = r->fe[m].to == to && r->fe[m].from == preds[j] &&
				     r->fe[m].leaf == leaf && r->fe[m].hi <= need &&
				     edge_dominated(r, dom, preds[j], to);
			if (ok)
				implied[ni++] = preds[j];
			else
				all = false;
		}
		if (!ni)
			continue;
		if (all) {
			remove_leaf(&ck, leaf, c);
			cnt->removed++;
		} else if (gate_leaf(b, &ck, leaf, implied, ni, c)) {
			cnt->removed_on_paths++;
		}
	}
}

/*
 * The function's blocks, sorted by address, to mark them visited: is the
 * guard reachable again from its success edge (a loop through it)?
 */
struct block_set {
	LLVMBasicBlockRef *bb;
	bool *seen;
	unsigned n;
};

static int cmp_block(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t) * (const LLVMBasicBlockRef *)a;
	uintptr_t y = (uintptr_t) * (const LLVMBasicBlockRef *)b;

	return x < y ? -1 : x > y;
}

static int block_set_init(struct block_set *s, LLVMValueRef fn)
{
	unsigned n = LLVMCountBasicBlocks(fn), k = 0;

	s->bb = malloc(sizeof(*s->bb) * (n ? n : 1));
	s->seen = calloc(n ? n : 1, sizeof(*s->seen));
	if (!s->bb || !s->seen)
		return -ENOMEM;
	for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(fn); bb; bb = LLVMGetNextBasicBlock(bb))
		s->bb[k++] = bb;
	s->n = k;
	qsort(s->bb, s->n, sizeof(*s->bb), cmp_block);
	return 0;
}

static void block_set_free(struct block_set *s)
{
	free(s->bb);
	free(s->seen);
}

/* Is target reachable from `from` (iteratively, with an explicit stack)? */
static bool reaches(struct block_set *s, LLVMBasicBlockRef from, LLVMBasicBlockRef target)
{
	LLVMBasicBlockRef *stack = malloc(sizeof(*stack) * (s->n + 1));
	unsigned top = 0;
	bool found = false;

	if (!stack)
		return true; /* cannot tell: assume the worst */
	memset(s->seen, 0, sizeof(*s->seen) * s->n);
	stack[top++] = from;
	while (top && !found) {
		LLVMBasicBlockRef bb = stack[--top], *slot;
		LLVMValueRef term;

		if (bb == target) {
			found = true;
			break;
		}
		slot = bsearch(&bb, s->bb, s->n, sizeof(*s->bb), cmp_block);
		if (!slot || s->seen[slot - s->bb])
			continue;
		s->seen[slot - s->bb] = true;
		term = LLVMGetBasicBlockTerminator(bb);
		for (unsigned k = 0; term && k < LLVMGetNumSuccessors(term) && top < s->n + 1; k++)
			stack[top++] = LLVMGetSuccessor(term, k);
	}
	free(stack);
	return found;
}

/* Widen the check in bb as far as the code after it allows; true if changed. */
static bool widen_one(LLVMBuilderRef b, LLVMBasicBlockRef bb, struct elim_counts *cnt,
		      LLVMContextRef c)
{
	static struct region r; /* large: not on the stack; the pass is not reentrant */
	struct pkt_check g;
	bool dom[MAX_REGION];
	uint64_t need = UINT64_MAX, cur_need;
	unsigned before_removed = cnt->removed + cnt->removed_on_paths;

	if (!pkt_as_check(bb, &g))
		return false;
	memset(&r, 0, sizeof(r));
	r.guard = &g;
	r.base = pkt_peel(g.leaf[0].cursor, &r.k);
	if (r.k < 0 || !walk(&r, bb, g.ok) || !r.nfe)
		return false;
	cur_need = (uint64_t)r.k + g.leaf[0].strict;
	for (unsigned e = 0; e < r.nfe; e++) {
		/* relative to data only when the guard's base is data itself */
		if (!r.fe[e].exact && r.base != g.leaf[0].data)
			return false;
		need = r.fe[e].lo < need ? r.fe[e].lo : need;
	}
	if (need < cur_need)
		need = cur_need;
	if (need > cur_need) {
		widen(b, &r, &g, need);
		cnt->widened++;
	}
	dominated(&r, dom);
	remove_implied(b, &r, dom, need, cnt, c);
	return need > cur_need || cnt->removed + cnt->removed_on_paths > before_removed;
}

/* What a leaf needs, as base + [lo, hi] (base: data when not a constant step). */
static LLVMValueRef leaf_need(const struct pkt_leaf *lf, uint64_t *lo, uint64_t *hi)
{
	int64_t k;
	LLVMValueRef base = pkt_peel(lf->cursor, &k);

	if (base != lf->data && k >= 0) {
		*lo = *hi = (uint64_t)k + lf->strict;
		return base;
	}
	*lo = lf->lo + lf->strict, *hi = lf->hi + lf->strict;
	return lf->data;
}

/*
 * Checks or-ed into one branch (simplifycfg's doing: `if (a || data + 14 >
 * end || data + 34 > end)`): the one needing most implies the others.
 */
static void merge_leaves(LLVMBasicBlockRef bb, struct elim_counts *cnt, LLVMContextRef c)
{
	struct pkt_check ck;
	bool gone[MAX_LEAVES] = { false };

	if (!pkt_as_check(bb, &ck) || ck.n < 2)
		return;
	for (unsigned i = 0; i < ck.n; i++) {
		uint64_t lo_i, hi_i, lo_j, hi_j;
		LLVMValueRef base_i = leaf_need(&ck.leaf[i], &lo_i, &hi_i);

		for (unsigned j = 0; j < ck.n && !gone[i]; j++) {
			if (j == i || gone[j] || ck.leaf[j].end != ck.leaf[i].end ||
			    leaf_need(&ck.leaf[j], &lo_j, &hi_j) != base_i)
				continue;
			/* j fails whenever i does; if each implies the other, the later goes */
			if (lo_j >= hi_i && (hi_j > lo_i || j < i))
				gone[i] = true;
		}
	}
	for (unsigned i = ck.n; i-- > 0;)
		if (gone[i]) {
			remove_leaf(&ck, i, c);
			cnt->removed++;
		}
}

static int widen_all(LLVMValueRef fn, LLVMBuilderRef b, struct elim_counts *cnt)
{
	LLVMContextRef c = LLVMGetTypeContext(LLVMTypeOf(fn));
	struct block_set blocks = { 0 };
	int err = block_set_init(&blocks, fn);

	if (err) {
		block_set_free(&blocks);
		return err;
	}
	for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(fn); bb; bb = LLVMGetNextBasicBlock(bb))
		merge_leaves(bb, cnt, c);
	for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(fn); bb; bb = LLVMGetNextBasicBlock(bb)) {
		struct pkt_check g;

		/*
		 * In a loop through its success edge a guard would fail an
		 * iteration early: the failure could see values a block between
		 * them (a loop header's counter) would have changed first.  Left
		 * alone.  Asked once: widening changes no edge.
		 */
		if (!pkt_as_check(bb, &g) || reaches(&blocks, g.ok, bb))
			continue;
		for (int round = 0; round < 16 && widen_one(b, bb, cnt, c); round++)
			;
	}
	block_set_free(&blocks);
	return 0;
}

/* ------------------------------------------------------------------ entry */

/* Trusted programs only: every packet check passes. */
static unsigned drop_all_checks(LLVMValueRef fn, LLVMContextRef c)
{
	unsigned n = 0;
	struct pkt_leaf lf;

	for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(fn); bb; bb = LLVMGetNextBasicBlock(bb)) {
		LLVMValueRef i = LLVMGetFirstInstruction(bb);

		while (i) {
			LLVMValueRef next = LLVMGetNextInstruction(i);

			if (pkt_as_leaf(i, &lf)) {
				LLVMReplaceAllUsesWith(i, LLVMConstInt(LLVMInt1TypeInContext(c),
								       !lf.fail_on_true, 0));
				LLVMInstructionEraseFromParent(i);
				n++;
			}
			i = next;
		}
	}
	return n;
}

int uxdp_pass_bounds_elim(LLVMModuleRef mod, bool drop_all, struct uxdp_pass_env *env)
{
	LLVMContextRef c = LLVMGetModuleContext(mod);
	LLVMBuilderRef b = LLVMCreateBuilderInContext(c);
	struct elim_counts cnt = { 0 };
	int err = 0;

	for (LLVMValueRef f = LLVMGetFirstFunction(mod); f && !err; f = LLVMGetNextFunction(f)) {
		if (drop_all)
			env->stats.checks_dropped += drop_all_checks(f, c);
		else
			err = widen_all(f, b, &cnt);
	}
	env->stats.checks_widened += cnt.widened;
	env->stats.checks_removed += cnt.removed;
	env->stats.checks_removed_on_paths += cnt.removed_on_paths;
	LLVMDisposeBuilder(b);
	return err ? diag_error(env->diag, err, "bounds-elim: out of memory") : 0;
}
