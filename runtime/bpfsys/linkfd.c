// SPDX-License-Identifier: MIT
/*
 * linkfd.c - uxdp link and program descriptors: the daemon's references.
 *
 * A kernel BPF link or program is released when its last file goes: close
 * of the last descriptor, across dup, fork and SCM_RIGHTS, or the exit
 * (even by SIGKILL) of the last process holding one, unless something
 * else holds it.  So a uxdp link or program descriptor is the daemon's
 * reference itself: one end of a socket pair whose other end uxdpd polls
 * (server.c), handed over at BPF_LINK_CREATE and BPF_LINK_GET_FD_BY_ID, or
 * BPF_PROG_LOAD and BPF_PROG_GET_FD_BY_ID (objfd.c).  The kernel closes it
 * however the holder goes, and the daemon reads EOF.  The end is bound to
 * an abstract name, "uxdp-link:<instance>:<id>:<nonce>" or
 * "uxdp-prog:...", so that the descriptor says which object it is with
 * one getsockname().
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "bpfsys.h"

/*
 * A reference whose daemon end is closed: that daemon is gone (restarted,
 * or killed), and the id in the name may now be another program or link of
 * the next daemon's; the object it named is gone, so the descriptor is
 * refused as a closed one is (EBADF), never taken for the new one.
 */
static bool stale(int fd)
{
	/* Not POLLRDHUP: the daemon shuts its end for writing from the start (server.c). */
	struct pollfd p = { .fd = fd, .events = 0 };

	return poll(&p, 1, 0) == 1 && (p.revents & (POLLHUP | POLLERR));
}

int bpfsys_ref_fd(int fd, const char *prefix, char *instance, size_t instance_size, uint32_t *id)
{
	struct sockaddr_un a;
	socklen_t len = sizeof(a);
	const char *name = a.sun_path + 1, *colon;
	size_t plen = strlen(prefix), n, ilen;
	struct stat st;
	unsigned long v;
	char *end;

	if (fd < 0 || fstat(fd, &st))
		return -EBADF;
	if (!S_ISSOCK(st.st_mode) || getsockname(fd, (struct sockaddr *)&a, &len) ||
	    a.sun_family != AF_UNIX || len <= offsetof(struct sockaddr_un, sun_path) + 1 ||
	    a.sun_path[0])
		return 0;
	n = len - offsetof(struct sockaddr_un, sun_path) - 1;
	if (n <= plen || n >= sizeof(a.sun_path) - 1 || strncmp(name, prefix, plen))
		return 0;
	a.sun_path[n + 1] = 0;
	colon = strchr(name + plen, ':');
	ilen = colon ? (size_t)(colon - (name + plen)) : 0;
	if (!ilen || ilen >= instance_size)
		return 0;
	v = strtoul(colon + 1, &end, 10);
	if (*end != ':' || !v || v > UINT32_MAX)
		return 0;
	memcpy(instance, name + plen, ilen);
	instance[ilen] = 0;
	*id = (uint32_t)v;
	return stale(fd) ? -EBADF : 1;
}

int bpfsys_link_fd(int fd, struct bpfsys_link *l)
{
	int r = bpfsys_ref_fd(fd, UXDP_LINK_REF_PREFIX, l->instance, sizeof(l->instance),
			      &l->link_id);

	/* Another instance's link (an fd passed over a socket): its id is another link here. */
	if (r == 1 && strcmp(l->instance, bpfsys_instance()))
		return 0;
	return r;
}
