/* SPDX-License-Identifier: MIT */
/*
 * cfg.c - dominators of a function's blocks, with the iterative bit-set
 * algorithm: functions are small once subprograms are inlined.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"

int uxdp_cfg_index(const struct uxdp_cfg *g, LLVMBasicBlockRef bb)
{
	/* blocks are few after inlining; a linear search keeps this simple */
	for (unsigned k = 0; k < g->n; k++)
		if (g->bb[k] == bb)
			return (int)k;
	return -1;
}

bool uxdp_cfg_dominates(const struct uxdp_cfg *g, int a, int b)
{
	return (g->dom[(size_t)b * g->words + (unsigned)a / 64] >> ((unsigned)a % 64)) & 1;
}

int uxdp_cfg_build(struct uxdp_cfg *g, LLVMValueRef fn)
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
				p = uxdp_cfg_index(g, LLVMGetInstructionParent(user));
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

void uxdp_cfg_free(struct uxdp_cfg *g)
{
	free(g->bb);
	free(g->dom);
	g->bb = NULL;
	g->dom = NULL;
}
