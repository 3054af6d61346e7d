// SPDX-License-Identifier: MIT
/*
 * trace_sink.c - where bpf_trace_printk() writes (uxdp_trace_set_fd()).
 *
 * Native only, never built into the helper bitcode: process-wide state must
 * exist once, not once per program that inlines the helper.
 */
#include <uxdp/worker.h>

#include "helpers_impl.h"

static int trace_fd = 2;

void uxdp_trace_set_fd(int fd)
{
	__atomic_store_n(&trace_fd, fd, __ATOMIC_RELAXED);
}

int uxdp_trace_get_fd(void)
{
	return __atomic_load_n(&trace_fd, __ATOMIC_RELAXED);
}
