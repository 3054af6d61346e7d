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

#define ATTR_END(field) (offsetof(union bpf_attr, field) + sizeof(((union bpf_attr *)0)->field))
#define MAX_LINKS 1024

/* The daemon, or NULL: then the kernel answers. */
static struct uxdp_daemon *daemon_or_null(void)
{
	struct uxdp_daemon *d;
	char err[256];

	return bpfsys_daemon(&d, err, sizeof(err)) ? NULL : d;
}

long bpfsys_link_get_next_id(struct bpfsys_call *c)
{
	struct uxdp_daemon *d = daemon_or_null();
	uint32_t ids[MAX_LINKS], best = 0;
	char err[256];
	size_t n = 0;
	int r;

	if (!d)
		return bpfsys_kernel(c);
	if (!bpfsys_attr_zero_from(c, ATTR_END(next_id)))
		return -EINVAL;
	r = uxdp_daemon_link_list(d, ids, MAX_LINKS, &n, err, sizeof(err));
	if (r)
		return r;
	for (size_t i = 0; i < n && i < MAX_LINKS && !best; i++)
		if (ids[i] > c->attr.start_id)
			best = ids[i]; /* ascending */
	if (!best)
		return -ENOENT;
	return bpfsys_copy_out((uintptr_t)c->uattr + offsetof(union bpf_attr, next_id), &best,
			       sizeof(best));
}

long bpfsys_link_get_fd_by_id(struct bpfsys_call *c)
{
	struct uxdp_daemon *d = daemon_or_null();
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
