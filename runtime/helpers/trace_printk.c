// SPDX-License-Identifier: MIT
/*
 * trace_printk.c - bpf_trace_printk(fmt, fmt_size, arg1, arg2, arg3).
 *
 * The format is checked and formatted by bprintf.c, with at most three
 * conversions, into the kernel's 1024-byte buffer (MAX_BPRINTF_BUF):
 * truncated to 1023 characters; the return value is the untruncated length.
 * Any violation returns -EINVAL with nothing printed.
 *
 * Each call writes one line to the process's trace fd, shaped like a line
 * of /sys/kernel/tracing/trace_pipe:
 *
 *	"<comm>-<tid> [<worker>] ..... <sec>.<usec>: bpf_trace_printk: <msg>\n"
 *
 * with a newline added only if msg does not end with one.  The sink (and any
 * other process-wide state) lives in native code, worker.c: a copy inlined
 * into a program would be a second, unconfigured sink.
 */
#define _GNU_SOURCE /* gettid() */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include <uxdp/worker.h>

#include "bprintf.h"
#include "helpers_impl.h"

#define MAX_TRACE_PRINTK_VARARGS 3

static void trace_emit(const struct bprintf_out *o)
{
	char comm[17] = "<...>", line[MAX_BPRINTF_BUF + 128];
	struct timespec ts;
	int fd = uxdp_trace_get_fd(), n;
	size_t k;

	if (fd < 0)
		return;
	prctl(PR_GET_NAME, comm);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	n = snprintf(line, sizeof(line), "%16s-%-7d [%03u] ..... %5llu.%06llu: bpf_trace_printk: ",
		     comm, (int)gettid(), uxdp_worker_cpu(), (unsigned long long)ts.tv_sec,
		     (unsigned long long)ts.tv_nsec / 1000);
	if (n < 0)
		return;
	k = (size_t)n;
	memcpy(line + k, o->buf, o->kept);
	k += o->kept;
	if (!o->kept || o->buf[o->kept - 1] != '\n')
		line[k++] = '\n';
	/* One write per line: lines of concurrent workers stay whole. */
	if (write(fd, line, k) < 0)
		return;
}

uint64_t uxdp_helper_trace_printk(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4,
				  uint64_t r5)
{
	const uint64_t args[MAX_TRACE_PRINTK_VARARGS] = { r3, r4, r5 };
	const char *fmt = (const char *)(uintptr_t)r1;
	char buf[MAX_BPRINTF_BUF];
	struct bprintf_out o = { .buf = buf, .cap = sizeof(buf) };
	struct bprintf_bin bin;
	int64_t ret;

	/* Nothing reaches the sink unless the whole format is good. */
	ret = uxdp_bprintf_prepare(fmt, (uint32_t)r2, args, MAX_TRACE_PRINTK_VARARGS, &bin);
	if (ret < 0)
		return (uint64_t)ret;
	ret = uxdp_bprintf_format(&o, fmt, &bin);
	o.buf[o.kept] = 0;
	trace_emit(&o);
	return (uint64_t)ret;
}
