// SPDX-License-Identifier: MIT
/*
 * trace_sink.c - where bpf_trace_printk() writes (uxdp_trace_set_fd()).
 *
 * Native only, never built into the helper bitcode: process-wide state must
 * exist once, not once per program that inlines the helper, and a program
 * imports only what the runtime resolves (runtime/core/resolve.c).
 */
#define _GNU_SOURCE /* process_vm_readv */
#include <stdint.h>
#include <sys/uio.h>
#include <unistd.h>

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

size_t uxdp_read_nofault(void *dst, uint64_t src, size_t n)
{
	struct iovec local = { dst, n }, remote = { (void *)(uintptr_t)src, n };
	ssize_t got;

	if (src < 4096 || !n)
		return 0;
	got = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
	return got > 0 ? (size_t)got : 0;
}
