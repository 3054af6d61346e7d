// SPDX-License-Identifier: MIT
/*
 * user_mem.c - the caller's memory, read and written as the kernel does:
 * a bad pointer is -EFAULT, not a crash.  process_vm_readv/writev on our own
 * process check every address for us (always permitted on oneself).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "bpfsys.h"

static int copy(void *local, uint64_t remote, size_t n, bool out)
{
	struct iovec l = { .iov_base = local, .iov_len = n };
	struct iovec r = { .iov_base = (void *)(uintptr_t)remote, .iov_len = n };
	ssize_t got;

	if (n == 0)
		return 0;
	if (!remote)
		return -EFAULT;
	got = out ? process_vm_writev(getpid(), &l, 1, &r, 1, 0)
		  : process_vm_readv(getpid(), &l, 1, &r, 1, 0);
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
