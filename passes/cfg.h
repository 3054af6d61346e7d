/* SPDX-License-Identifier: MIT */
/*
 * cfg.h - a function's blocks and their dominators, for passes that need
 * them (LLVM-C has no dominator tree).
 */
#ifndef UXDP_PASSES_CFG_H
#define UXDP_PASSES_CFG_H

#include <stdbool.h>
#include <stdint.h>

#include <llvm-c/Core.h>

struct uxdp_cfg {
	LLVMBasicBlockRef *bb; /* in function order: bb[0] is the entry */
	unsigned n, words;
	uint64_t *dom; /* n bit sets: dom[b] = blocks that dominate b */
};

/* Blocks and dominators of fn; 0 or -ENOMEM.  uxdp_cfg_free() in any case. */
int uxdp_cfg_build(struct uxdp_cfg *g, LLVMValueRef fn);
void uxdp_cfg_free(struct uxdp_cfg *g);
/* The number of bb in g, or -1. */
int uxdp_cfg_index(const struct uxdp_cfg *g, LLVMBasicBlockRef bb);
/* Does block a dominate block b (a block dominates itself)? */
bool uxdp_cfg_dominates(const struct uxdp_cfg *g, int a, int b);

#endif /* UXDP_PASSES_CFG_H */
