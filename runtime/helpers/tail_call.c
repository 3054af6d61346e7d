// SPDX-License-Identifier: MIT
/*
 * tail_call.c - bpf_tail_call.
 *
 * A native program cannot jump into another one's frame, so the tail call
 * runs the target to completion here and hands its result back: the
 * compiler follows every helper call 12 with "if (ctx->tail_called) return
 * ctx->tail_call_ret".  A failed tail call has no side effect and the
 * program goes on, as in the kernel.  The limit counts tail calls of the
 * whole chain (ctx->tail_call_cnt), like MAX_TAIL_CALL_CNT; the native stack
 * grows by one program frame per link of the chain.
 */
#include <errno.h>
#include <stdint.h>

#include <uxdp/ctx.h>
#include <uxdp/map.h>

#include "helpers_impl.h"

uint64_t uxdp_helper_tail_call(uint64_t ctx, uint64_t map, uint64_t index)
{
	struct uxdp_ctx *c = (struct uxdp_ctx *)(uintptr_t)ctx;
	uxdp_prog_fn fn;

	if (uxdp_unlikely(index > UINT32_MAX || c->tail_call_cnt >= UXDP_MAX_TAIL_CALLS))
		return UXDP_ERR(ENOENT);
	fn = uxdp_prog_array_get_fn((struct uxdp_map *)(uintptr_t)map, (uint32_t)index);
	if (uxdp_unlikely(!fn))
		return UXDP_ERR(ENOENT);
	c->tail_call_cnt++;
	c->tail_call_ret = fn(c);
	c->tail_called = 1;
	return 0;
}
