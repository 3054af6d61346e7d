// SPDX-License-Identifier: MIT
/*
 * objfd.c - program descriptors (a link's is the daemon's reference: linkfd.c).
 *
 * A uxdp program lives in uxdpd; the descriptor the caller gets is a real
 * one, so that close, dup, fork and SCM_RIGHTS behave: a memfd holding a
 * struct bpfsys_prog (the daemon's id, the name, the maps), sealed so that
 * nobody changes it.  It is recognised by what it is (fstat: an unlinked
 * regular file of exactly that size, then its magic), as map fds are.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bpfsys.h"

int bpfsys_obj_fd_new(const struct bpfsys_prog *p)
{
	int fd = memfd_create("uxdp-prog", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	int err;

	if (fd < 0)
		return -errno;
	err = pwrite(fd, p, sizeof(*p), 0) == (ssize_t)sizeof(*p) ? 0 : -EIO;
	if (!err && fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL))
		err = -errno;
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

int bpfsys_obj_fd(int fd, const char *magic, struct bpfsys_prog *p)
{
	struct stat st;

	if (fd < 0 || fstat(fd, &st))
		return -EBADF;
	if (!S_ISREG(st.st_mode) || st.st_nlink || st.st_size != (off_t)sizeof(*p))
		return 0;
	if (pread(fd, p, sizeof(*p), 0) != (ssize_t)sizeof(*p))
		return 0;
	if (memcmp(p->magic, magic, sizeof(p->magic)))
		return 0;
	/* Sealed by us: a memfd the program wrote itself would not be. */
	if (fcntl(fd, F_GET_SEALS) != (F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL))
		return 0;
	p->instance[sizeof(p->instance) - 1] = 0;
	p->name[sizeof(p->name) - 1] = 0;
	return 1;
}
