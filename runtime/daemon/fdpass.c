// SPDX-License-Identifier: MIT
/* fdpass.c - one descriptor passed with a control-socket message (fdpass.h). */
#include <string.h>
#include <unistd.h>

#include "fdpass.h"

void uxdp_fdpass_put(struct msghdr *m, union uxdp_fdpass_buf *cb, int fd)
{
	struct cmsghdr *cm;

	memset(cb, 0, sizeof(*cb));
	m->msg_control = cb->buf;
	m->msg_controllen = sizeof(cb->buf);
	cm = CMSG_FIRSTHDR(m);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
}

int uxdp_fdpass_take(struct msghdr *m)
{
	struct cmsghdr *cm;
	int fd = -1, extra;

	for (cm = CMSG_FIRSTHDR(m); cm; cm = CMSG_NXTHDR(m, cm)) {
		const unsigned char *fds = CMSG_DATA(cm);
		size_t k, n;

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (k = 0; k < n; k++) {
			memcpy(&extra, fds + k * sizeof(int), sizeof(int));
			if (fd < 0)
				fd = extra;
			else
				close(extra);
		}
	}
	return fd;
}
