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
 * Dominators come from cfg.c (LLVM-C has no dominator tree).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <uxdp/confine_abi.h>

#include "cfg.h"
#include "packet_check.h"
#include "passes.h"
#include "uxdpc.h"

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
static bool implied(const struct uxdp_cfg *g, int at, const struct pkt_leaf *lf)
{
	for (unsigned d = 0; d < g->n; d++) {
		struct pkt_check ck;
		int ok;

		if ((int)d == at || !uxdp_cfg_dominates(g, (int)d, at) ||
		    !pkt_as_check(g->bb[d], &ck))
			continue;
		ok = uxdp_cfg_index(g, ck.ok);
		/* the success edge dominates `at`: ok has d as its only way in */
		if (ok < 0 || ck.ok == ck.fail || !uxdp_cfg_dominates(g, ok, at) || ok == (int)d)
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
	struct uxdp_cfg g = { 0 };
	int err = uxdp_cfg_build(&g, fn);

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
	uxdp_cfg_free(&g);
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
