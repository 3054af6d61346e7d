/* SPDX-License-Identifier: MIT */
/*
 * confine_abi.h - how confined programs talk to the runtime when a check fails.
 *
 * uxdpc proves every memory access of a program inside its region or puts
 * a run-time check before it (compiler/confine.c, docs/confinement.md).  A
 * check that fails calls
 *
 *	void uxdp_confine_abort(struct uxdp_ctx *ctx, const void *entry,
 *				uint32_t insn, uint32_t reason);
 *
 * with the program's entry point, the eBPF instruction index and one of the
 * reasons below, then returns XDP_ABORTED from every frame (the runtime sets
 * ctx->tail_called, as a tail call does).  Backward jumps decrement
 * ctx->loop_budget (set to UXDP_LOOP_BUDGET by the program's entry) and
 * every 1024 of them call
 *
 *	uint32_t uxdp_confine_poll(struct uxdp_ctx *ctx);
 *
 * which returns a reason to stop (budget spent, stop requested) or 0.
 */
#ifndef UXDP_CONFINE_ABI_H
#define UXDP_CONFINE_ABI_H

#define UXDP_CONFINE_ABORT_SYMBOL "uxdp_confine_abort"
#define UXDP_CONFINE_POLL_SYMBOL "uxdp_confine_poll"

/* Backward jumps one packet may take in unverified code, tail calls each anew. */
#define UXDP_LOOP_BUDGET (1u << 26)
/* uxdp_confine_poll is called when the budget's low bits are all zero. */
#define UXDP_LOOP_POLL_MASK 1023u

enum uxdp_confine_reason {
	UXDP_CONFINE_OK = 0,
	UXDP_CONFINE_PACKET = 1,     /* packet access outside [data, data_end) */
	UXDP_CONFINE_META = 2,       /* metadata access outside [data_meta, data) */
	UXDP_CONFINE_STACK = 3,      /* stack access outside the frame's 512 bytes */
	UXDP_CONFINE_HELPER_ARG = 4, /* a helper's packet argument outside the packet */
	UXDP_CONFINE_LOOP_BUDGET = 5,/* more backward jumps than UXDP_LOOP_BUDGET */
	UXDP_CONFINE_STOPPED = 6,    /* the runtime asked every program to stop */
	UXDP_CONFINE_NR_REASONS,
};

#endif /* UXDP_CONFINE_ABI_H */
