/* SPDX-License-Identifier: MIT */
/*
 * ctx.h - the context a compiled XDP program receives.
 *
 * An XDP program is written against struct xdp_md, whose packet pointers are
 * 32-bit fields.  The kernel verifier rewrites every ctx access to its own
 * 64-bit struct xdp_buff; uxdpc does the same, to struct uxdp_ctx.  The
 * compiled entry point of a program is
 *
 *	uint64_t NAME(struct uxdp_ctx *ctx);
 *
 * and its low 32 bits are the XDP verdict.  The fields below the line are the
 * runtime's: the program never sees them, the helpers do.
 */
#ifndef UXDP_CTX_H
#define UXDP_CTX_H

#include <stdint.h>

#define UXDP_HEADROOM 256 /* XDP_PACKET_HEADROOM, as in the kernel */
#define UXDP_MAX_TAIL_CALLS 33 /* MAX_TAIL_CALL_CNT */

struct uxdp_ctx {
	/* What the program reads through struct xdp_md. */
	uint8_t *data;               /* xdp_md.data            (off 0)  */
	uint8_t *data_end;           /* xdp_md.data_end        (off 4)  */
	uint8_t *data_meta;          /* xdp_md.data_meta       (off 8)  */
	uint32_t ingress_ifindex;    /* xdp_md.ingress_ifindex (off 12) */
	uint32_t rx_queue_index;     /* xdp_md.rx_queue_index  (off 16) */
	uint32_t egress_ifindex;     /* xdp_md.egress_ifindex  (off 20) */
	/* ---- runtime-private from here on ---- */
	uint32_t tail_call_cnt;      /* tail calls taken in this run */
	uint8_t *data_hard_start;    /* start of the buffer (headroom) */
	uint8_t *frame_end;          /* end of the buffer (tailroom end) */
	uint64_t tail_call_ret;      /* r0 of the program a tail call ran */
	uint32_t tail_called;        /* set once a tail call has run (or a check ended the run) */
	uint32_t loop_budget;        /* backward jumps left (confine_abi.h); set by the program */
	void *worker;                /* struct uxdp_worker *, the running thread */
};

/* Offsets of the program-visible fields, used by the lifter's ctx rewrite. */
#define UXDP_CTX_OFF_DATA 0
#define UXDP_CTX_OFF_DATA_END 8
#define UXDP_CTX_OFF_DATA_META 16
#define UXDP_CTX_OFF_INGRESS_IFINDEX 24
#define UXDP_CTX_OFF_RX_QUEUE_INDEX 28
#define UXDP_CTX_OFF_EGRESS_IFINDEX 32
#define UXDP_CTX_OFF_TAIL_CALL_RET 56
#define UXDP_CTX_OFF_TAIL_CALLED 64
/* The runtime's worker (struct uxdp_worker *, runtime/include/uxdp/worker.h). */
#define UXDP_CTX_OFF_WORKER 72
/*
 * In that worker: the stop flag, a volatile uint32_t that becomes non-zero
 * when the run must end (a signal); loops that may not end poll it.
 */
#define UXDP_WORKER_OFF_STOP 4
#define UXDP_CTX_OFF_LOOP_BUDGET 68
/*
 * The runtime's thread-local worker index (uxdp_this_cpu, map.h), which
 * inlined per-CPU lookups on x86-64 read with one %fs-relative load
 * instead of through ctx->worker: ctx need not stay live to the lookup.
 */
#define UXDP_THIS_CPU_SYMBOL "uxdp_this_cpu"

_Static_assert(__builtin_offsetof(struct uxdp_ctx, ingress_ifindex) == UXDP_CTX_OFF_INGRESS_IFINDEX, "ctx layout");
_Static_assert(__builtin_offsetof(struct uxdp_ctx, egress_ifindex) == UXDP_CTX_OFF_EGRESS_IFINDEX, "ctx layout");
_Static_assert(__builtin_offsetof(struct uxdp_ctx, tail_call_ret) == UXDP_CTX_OFF_TAIL_CALL_RET, "ctx layout");
_Static_assert(__builtin_offsetof(struct uxdp_ctx, tail_called) == UXDP_CTX_OFF_TAIL_CALLED, "ctx layout");
_Static_assert(__builtin_offsetof(struct uxdp_ctx, worker) == UXDP_CTX_OFF_WORKER, "ctx layout");
_Static_assert(__builtin_offsetof(struct uxdp_ctx, loop_budget) == UXDP_CTX_OFF_LOOP_BUDGET, "ctx layout");

typedef uint64_t (*uxdp_prog_fn)(struct uxdp_ctx *ctx);

#endif /* UXDP_CTX_H */
