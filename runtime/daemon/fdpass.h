/* SPDX-License-Identifier: MIT */
/*
 * fdpass.h - one descriptor passed with a control-socket message
 * (SCM_RIGHTS), for both ends: the client library (client.c) and uxdpd
 * (server.c), which links that library.  Private to runtime/daemon.
 */
#ifndef UXDP_DAEMON_FDPASS_H
#define UXDP_DAEMON_FDPASS_H

#include <sys/socket.h>

/* Room for the control message of one descriptor, aligned for a cmsghdr. */
union uxdp_fdpass_buf {
	char buf[CMSG_SPACE(sizeof(int))];
	struct cmsghdr align;
};

/* Make m carry fd (SCM_RIGHTS) in cb, which must live until m is sent. */
void uxdp_fdpass_put(struct msghdr *m, union uxdp_fdpass_buf *cb, int fd);

/*
 * The first descriptor m received, or -1; any beyond it are closed (one
 * descriptor per message), so that a peer cannot make us leak them.
 */
int uxdp_fdpass_take(struct msghdr *m);

#endif
