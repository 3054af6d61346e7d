/* SPDX-License-Identifier: MIT */
/*
 * packet_check.h - recognising packet bounds checks in lifted IR.
 *
 * A verifier-clean program compares a cursor, data + offset, with data_end
 * before each packet access.  Lifted and cleaned up, that is an icmp of an
 * i64 built from the ptrtoint of ctx->data by additions of small offsets and
 * phis, against the ptrtoint of ctx->data_end, feeding a branch directly or
 * through `or`/`and` with other conditions (simplifycfg merges them).
 * bounds_elim.c rewrites them; uxdpc's remarks count them.
 */
#ifndef UXDP_PACKET_CHECK_H
#define UXDP_PACKET_CHECK_H

#include <stdbool.h>
#include <stdint.h>

#include <llvm-c/Core.h>

/*
 * A packet check: one icmp of a cursor against data_end.  It passes when
 * cursor + strict <= data_end, i.e. len >= offset + strict.
 */
struct pkt_leaf {
	LLVMValueRef cmp, cursor, data, end;
	uint64_t lo, hi;      /* cursor - data */
	unsigned strict;      /* 1 for uge / ult: the byte at the cursor is needed */
	bool fail_on_true;
};

/*
 * The checks a block's branch fails on.  `br (or a, check), fail, ok` and
 * `br (and a, !check), ok, fail` fail whenever the check does; each node on
 * the way must have no other user, so that changing a leaf changes only this
 * branch.  slot is where the leaf is used, to replace it.
 */
#define MAX_LEAVES 4
struct pkt_check {
	LLVMBasicBlockRef bb, fail, ok;
	unsigned n;
	struct pkt_leaf leaf[MAX_LEAVES];
	LLVMValueRef user[MAX_LEAVES]; /* instruction using the leaf */
	unsigned slot[MAX_LEAVES];     /* operand index there */
};

/* Is cmp a packet check?  Fills lf. */
bool pkt_as_leaf(LLVMValueRef cmp, struct pkt_leaf *lf);
/* Does bb's branch fail on packet checks?  Fills ck. */
bool pkt_as_check(LLVMBasicBlockRef bb, struct pkt_check *ck);
/* Replace leaf k of ck by v, in its user only. */
void pkt_set_leaf(struct pkt_check *ck, unsigned k, LLVMValueRef v);
/* v = base + *k, peeling additions of constants. */
LLVMValueRef pkt_peel(LLVMValueRef v, int64_t *k);
/* Where a cursor may point: data + [lo, hi], below 2^32; false if unknown. */
bool pkt_cursor_range(LLVMValueRef v, LLVMValueRef data, uint64_t *lo, uint64_t *hi);

#endif /* UXDP_PACKET_CHECK_H */
