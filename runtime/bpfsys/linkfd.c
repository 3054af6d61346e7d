// SPDX-License-Identifier: MIT
/*
 * linkfd.c - uxdp link descriptors.
 *
 * A kernel BPF link is released when its last file goes: close of the
 * last descriptor, across dup and fork, or the exit (even by SIGKILL) of
 * the last process holding one.  So a uxdp link descriptor is the daemon's
 * reference itself: one end of a socket pair whose other end uxdpd polls
 * (server.c), handed over at BPF_LINK_CREATE and BPF_LINK_GET_FD_BY_ID.
 * The kernel closes it however the holder goes, and the daemon reads EOF.
 * The end is bound to an abstract name, "uxdp-link:<instance>:<id>:<nonce>",
 * so that the descriptor says which link it is with one getsockname().
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "bpfsys.h"

int bpfsys_link_fd(int fd, struct bpfsys_link *l)
{
	struct sockaddr_un a;
	socklen_t len = sizeof(a);
	const char *name = a.sun_path + 1, *colon;
	size_t prefix = strlen(UXDP_LINK_REF_PREFIX), n, ilen;
	struct stat st;
	unsigned long id;
	char *end;

	if (fd < 0 || fstat(fd, &st))
		return -EBADF;
	if (!S_ISSOCK(st.st_mode) || getsockname(fd, (struct sockaddr *)&a, &len) ||
	    a.sun_family != AF_UNIX || len <= offsetof(struct sockaddr_un, sun_path) + 1 ||
	    a.sun_path[0])
		return 0;
	n = len - offsetof(struct sockaddr_un, sun_path) - 1;
	if (n <= prefix || n >= sizeof(a.sun_path) - 1 || strncmp(name, UXDP_LINK_REF_PREFIX, prefix))
		return 0;
	a.sun_path[n + 1] = 0;
	colon = strchr(name + prefix, ':');
	ilen = colon ? (size_t)(colon - (name + prefix)) : 0;
	if (!ilen || ilen >= sizeof(l->instance))
		return 0;
	id = strtoul(colon + 1, &end, 10);
	if (*end != ':' || !id || id > UINT32_MAX)
		return 0;
	memcpy(l->instance, name + prefix, ilen);
	l->instance[ilen] = 0;
	l->link_id = (uint32_t)id;
	return 1;
}
