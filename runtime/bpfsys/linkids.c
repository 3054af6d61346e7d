// SPDX-License-Identifier: MIT
/*
 * linkids.c - the link id space: BPF_LINK_GET_NEXT_ID and
 * BPF_LINK_GET_FD_BY_ID, so that `bpftool link show` lists uxdp's XDP
 * links, made by any process.
 *
 * uxdpd numbers the links made with UXDP_ATTACH_F_LINK and keeps each
 * while a descriptor or a pin holds it, attached or detached, as the
 * kernel keeps a link's id (LINK_LIST lists them).  BPF_LINK_GET_FD_BY_ID
 * is the daemon's LINK_OPEN: a new reference, which holds the link as the
 * kernel's descriptor does.  As for programs (progids.c), only the
 * daemon's links are listed, not the kernel's, and when no daemon answers
 * for the instance the commands pass to the kernel.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bpfsys.h"

#define MAX_LINKS 1024

long bpfsys_link_get_next_id(struct bpfsys_call *c)
{
	struct uxdp_daemon *d = bpfsys_daemon_or_null();
	uint32_t ids[MAX_LINKS];
	char err[256];
	size_t n = 0;
	int r;

	if (!d)
		return bpfsys_kernel(c);
	if (!bpfsys_attr_zero_from(c, ATTR_END(next_id)))
		return -EINVAL;
	r = uxdp_daemon_link_list(d, ids, MAX_LINKS, &n, err, sizeof(err));
	return r ? r : bpfsys_next_id_out(c, ids, n < MAX_LINKS ? n : MAX_LINKS);
}

long bpfsys_link_get_fd_by_id(struct bpfsys_call *c)
{
	struct uxdp_daemon *d = bpfsys_daemon_or_null();
	char why[256];
	int r, fd = -1;

	if (!d)
		return bpfsys_kernel(c);
	if (!bpfsys_attr_zero_from(c, ATTR_END(open_flags)))
		return -EINVAL;
	if (c->attr.open_flags & ~(uint32_t)(BPF_F_RDONLY | BPF_F_WRONLY))
		return -EINVAL;
	if (!c->attr.link_id)
		return -ENOENT;
	r = uxdp_daemon_link_open(d, c->attr.link_id, &fd, why, sizeof(why));
	return r ? r : fd;
}
