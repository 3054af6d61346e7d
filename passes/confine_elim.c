/* SPDX-License-Identifier: MIT */
/*
 * confine_elim.c - drop the run-time packet checks the program's own imply.
 *
 * Without the kernel verifier uxdpc puts a check before every packet access
 * (compiler/lift_confine.c): `addr + size > data_end` branching to the
 * function's abort block.  A verifier-clean program has already compared a
 * cursor with data_end on every path to the access (`data + 34 > data_end`
 * goto out), so the check can never fail there: it is made constant and
 * LLVM deletes it.  A check is implied by a packet check (the program's or
 * another run-time check) whose success edge dominates it and which needs
 * at least as much: the same base plus a larger constant, or, relative to
 * ctx->data, a smallest reach no shorter than the check's largest.
 *
 * Dominators are computed here (LLVM-C has no dominator tree), with the
 * iterative bit-set algorithm; functions are small once subprograms are
 * inlined.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <uxdp/confine_abi.h>

#include "packet_check.h"
#include "passes.h"
#include "uxdpc.h"

struct cfg {
	LLVMBasicBlockRef *bb;
	unsigned n, words;
	uint64_t *dom; /* n bit sets: dom[b] = blocks that dominate b */
};

static int index_of(const struct cfg *g, LLVMBasicBlockRef bb)
{
	/* blocks are few after inlining; a linear search keeps this simple */
	for (unsigned k = 0; k < g->n; k++)
		if (g->bb[k] == bb)
			return (int)k;
	return -1;
}

static bool dominates(const struct cfg *g, int a, int b)
{
	return (g->dom[(size_t)b * g->words + (unsigned)a / 64] >> ((unsigned)a % 64)) & 1;
}

static int cfg_build(struct cfg *g, LLVMValueRef fn)
{
	unsigned k = 0;
	bool changed = true;

	g->n = LLVMCountBasicBlocks(fn);
	g->words = (g->n + 63) / 64;
	g->bb = malloc(sizeof(*g->bb) * (g->n ? g->n : 1));
	g->dom = malloc(sizeof(*g->dom) * ((size_t)g->n * g->words + 1));
	if (!g->bb || !g->dom)
		return -ENOMEM;
	for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(fn); bb; bb = LLVMGetNextBasicBlock(bb))
		g->bb[k++] = bb;
	memset(g->dom, 0xff, sizeof(*g->dom) * (size_t)g->n * g->words);
	memset(g->dom, 0, sizeof(*g->dom) * g->words);
	g->dom[0] = 1; /* the entry block dominates only itself */
	while (changed) {
		changed = false;
		for (unsigned b = 1; b < g->n; b++) {
			uint64_t *d = &g->dom[(size_t)b * g->words], tmp[g->words];
			bool any = false;

			memset(tmp, 0xff, sizeof(tmp));
			for (LLVMUseRef u = LLVMGetFirstUse(LLVMBasicBlockAsValue(g->bb[b])); u;
			     u = LLVMGetNextUse(u)) {
				LLVMValueRef user = LLVMGetUser(u);
				int p;

				if (!LLVMIsATerminatorInst(user))
					continue;
				p = index_of(g, LLVMGetInstructionParent(user));
				if (p < 0)
					continue;
				any = true;
				for (unsigned w = 0; w < g->words; w++)
					tmp[w] &= g->dom[(size_t)p * g->words + w];
			}
			if (!any)
				memset(tmp, 0, sizeof(tmp)); /* unreachable: dominated by nothing */
			tmp[b / 64] |= 1ULL << (b % 64);
			if (memcmp(tmp, d, sizeof(tmp))) {
				memcpy(d, tmp, sizeof(tmp));
				changed = true;
			}
		}
	}
	return 0;
}

/* Does bb end in a branch to a block that calls uxdp_confine_abort? */
static bool is_guard(LLVMBasicBlockRef bb, const struct pkt_check *ck)
{
	for (LLVMValueRef i = LLVMGetFirstInstruction(ck->fail); i; i = LLVMGetNextInstruction(i)) {
		LLVMValueRef callee;
		size_t len;

		if (!LLVMIsACallInst(i))
			continue;
		callee = LLVMGetCalledValue(i);
		if (callee && !strcmp(LLVMGetValueName2(callee, &len), UXDP_CONFINE_ABORT_SYMBOL))
			return true;
	}
	(void)bb;
	return false;
}

/* Does the passing leaf l (relative to its base) imply that g passes? */
static bool implies(const struct pkt_leaf *l, const struct pkt_leaf *g)
{
	int64_t kl, kg;

	if (l->end != g->end || l->data != g->data)
		return false;
	if (pkt_peel(l->cursor, &kl) == pkt_peel(g->cursor, &kg) && kl >= 0 && kg >= 0)
		return (uint64_t)kg + g->strict <= (uint64_t)kl + l->strict;
	return g->hi + g->strict <= l->lo + l->strict;
}

/* Is leaf k of guard g implied by a dominating check's success? */
static bool implied(const struct cfg *g, int at, const struct pkt_leaf *lf)
{
	for (unsigned d = 0; d < g->n; d++) {
		struct pkt_check ck;
		int ok;

		if ((int)d == at || !dominates(g, (int)d, at) || !pkt_as_check(g->bb[d], &ck))
			continue;
		ok = index_of(g, ck.ok);
		/* the success edge dominates `at`: ok has d as its only way in */
		if (ok < 0 || ck.ok == ck.fail || !dominates(g, ok, at) || ok == (int)d)
			continue;
		{
			unsigned preds = 0;
			for (LLVMUseRef u = LLVMGetFirstUse(LLVMBasicBlockAsValue(ck.ok)); u;
			     u = LLVMGetNextUse(u))
				preds += LLVMIsATerminatorInst(LLVMGetUser(u)) != NULL;
			if (preds != 1)
				continue;
		}
		for (unsigned k = 0; k < ck.n; k++)
			if (implies(&ck.leaf[k], lf))
				return true;
	}
	return false;
}

static int elim_function(LLVMValueRef fn, unsigned *removed)
{
	LLVMContextRef c = LLVMGetTypeContext(LLVMTypeOf(fn));
	struct cfg g = { 0 };
	int err = cfg_build(&g, fn);

	for (unsigned b = 0; !err && b < g.n; b++) {
		struct pkt_check ck;

		if (!pkt_as_check(g.bb[b], &ck) || !is_guard(g.bb[b], &ck))
			continue;
		for (unsigned k = ck.n; k-- > 0;) {
			LLVMValueRef old = ck.leaf[k].cmp;

			if (!implied(&g, (int)b, &ck.leaf[k]))
				continue;
			pkt_set_leaf(&ck, k, LLVMConstInt(LLVMInt1TypeInContext(c),
							  !ck.leaf[k].fail_on_true, 0));
			if (!LLVMGetFirstUse(old))
				LLVMInstructionEraseFromParent(old);
			(*removed)++;
		}
	}
	free(g.bb);
	free(g.dom);
	return err;
}

int uxdp_pass_confine_elim(LLVMModuleRef mod, struct uxdp_pass_env *env)
{
	int err = 0;

	for (LLVMValueRef f = LLVMGetFirstFunction(mod); f && !err; f = LLVMGetNextFunction(f))
		if (LLVMCountBasicBlocks(f))
			err = elim_function(f, &env->stats.guards_removed);
	return err ? diag_error(env->diag, err, "confine-elim: out of memory") : 0;
}
