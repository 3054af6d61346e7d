// SPDX-License-Identifier: MIT
/*
 * progsrc.c - the bytes a program version was loaded from, kept while it is
 * loaded, for clients that run the same program themselves (PROG_OBJECT:
 * the bpf() layer's BPF_PROG_TEST_RUN of a program another process loaded).
 *
 * A memfd, sealed against every change, so that the descriptor handed out
 * is the object as loaded whoever holds it, and nothing a client does with
 * it reaches the daemon's copy.  Objects are kilobytes to a few megabytes,
 * the size of what the daemon keeps compiled for each version anyway.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "daemon.h"

int progsrc_keep(const void *data, size_t len)
{
	const char *p = data;
	size_t done = 0;
	int fd = memfd_create("uxdp-prog-object", MFD_CLOEXEC | MFD_ALLOW_SEALING), err;

	if (fd < 0)
		return -errno;
	while (done < len) {
		ssize_t n = write(fd, p + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n < 0 ? -errno : -EIO;
			close(fd);
			return err;
		}
		done += (size_t)n;
	}
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL)) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}
