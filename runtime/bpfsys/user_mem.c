// SPDX-License-Identifier: MIT
/*
 * user_mem.c - the caller's memory, read and written as the kernel does:
 * a bad pointer is -EFAULT, not a crash.  process_vm_readv/writev on our own
 * process check every address for us (always permitted on oneself).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "bpfsys.h"

/*
 * Our pid, which process_vm_* want: getpid() is a system call each time and
 * a control plane copies a lot.  Forgotten in a forked child.
 */
static pid_t self;

static void forget_pid(void)
{
	self = 0;
}

static void register_atfork(void)
{
	pthread_atfork(NULL, NULL, forget_pid);
}

static pid_t self_pid(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	if (!self) {
		pthread_once(&once, register_atfork);
		self = getpid();
	}
	return self;
}

static int copy(void *local, uint64_t remote, size_t n, bool out)
{
	struct iovec l = {.iov_base = local, .iov_len = n};
	struct iovec r = {.iov_base = (void *)(uintptr_t)remote, .iov_len = n};
	ssize_t got;

	if (n == 0)
		return 0;
	if (!remote)
		return -EFAULT;
	got = out ? process_vm_writev(self_pid(), &l, 1, &r, 1, 0)
		  : process_vm_readv(self_pid(), &l, 1, &r, 1, 0);
	if (got < 0 && errno != EFAULT)
		return -errno;
	return got == (ssize_t)n ? 0 : -EFAULT;
}

int bpfsys_copy_in(void *dst, uint64_t src, size_t n)
{
	return copy(dst, src, n, false);
}

int bpfsys_copy_out(uint64_t dst, const void *src, size_t n)
{
	return copy((void *)src, dst, n, true);
}

bool bpfsys_attr_zero_from(const struct bpfsys_call *c, size_t from)
{
	const unsigned char *p = (const unsigned char *)&c->attr;

	for (size_t i = from; i < sizeof(c->attr); i++)
		if (p[i])
			return false;
	return true;
}
