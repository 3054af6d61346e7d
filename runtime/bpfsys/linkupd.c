// SPDX-License-Identifier: MIT
/*
 * linkupd.c - BPF_LINK_UPDATE of a uxdp XDP link (libbpf's
 * bpf_link__update_program, bpf_link_update): the daemon's PROG_REPLACE
 * through the link, so the new program takes the port between two batches
 * of the workers and no frame goes unhandled (docs/daemon-protocol.md).
 *
 * The checks and errnos are the kernel's link_update() and XDP link's
 * update_prog, in their order: flags other than BPF_F_REPLACE, or an
 * old_prog_fd without it, EINVAL; a link fd that is no link EINVAL, closed
 * EBADF; the same for the programs; a link no longer attached (detached,
 * or taken off by `uxdpctl prog detach`) ENOLINK; with BPF_F_REPLACE,
 * old_prog_fd not the program the link runs now EPERM.  Updating to the
 * program that runs is a no-op, as in the kernel.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bpfsys.h"

/* What fd is when it is no uxdp program: a kernel one (1), something else (0), closed (<0). */
static int kernel_prog(int fd)
{
	char target[64];

	if (bpfsys_fd_target(fd, target, sizeof(target)))
		return -EBADF;
	return !strcmp(target, "anon_inode:bpf-prog");
}

/* The uxdp program behind fd: its id in *id; -EINVAL for a kernel program or no program. */
static int uxdp_prog(int cmd, int fd, uint32_t *id)
{
	struct bpfsys_prog p;
	int r = bpfsys_prog_fd(fd, &p);

	if (r < 0)
		return r;
	if (r == 1) {
		*id = p.id;
		return 0;
	}
	r = kernel_prog(fd);
	if (r == 1)
		bpfsys_say_once(cmd, "a kernel program cannot run on a uxdp link (uxdpd runs uxdp "
				     "programs only)");
	return r < 0 ? r : -EINVAL;
}

long bpfsys_link_update(struct bpfsys_call *c)
{
	const union bpf_attr *a = &c->attr;
	uint32_t flags = a->link_update.flags, new_id = 0, old_id = 0;
	struct bpfsys_link l;
	struct uxdp_daemon *d;
	char why[512];
	int r;

	if (!bpfsys_attr_zero_from(c, ATTR_END(link_update.old_prog_fd)))
		return -EINVAL;
	if (flags & ~(uint32_t)BPF_F_REPLACE)
		return -EINVAL;
	r = bpfsys_link_fd((int)a->link_update.link_fd, &l);
	if (r <= 0)
		return r < 0 ? r : bpfsys_kernel(c); /* a kernel link, or no link: its answer */
	r = uxdp_prog(c->cmd, (int)a->link_update.new_prog_fd, &new_id);
	if (r)
		return r;
	if (flags & BPF_F_REPLACE) {
		struct bpfsys_prog o;

		r = bpfsys_prog_fd((int)a->link_update.old_prog_fd, &o);
		if (r == 0) /* a kernel program is not what a uxdp link runs */
			r = kernel_prog((int)a->link_update.old_prog_fd) == 1 ? -EPERM : -EINVAL;
		if (r < 0)
			return r;
		old_id = o.id;
	} else if (a->link_update.old_prog_fd) {
		return -EINVAL;
	}
	r = bpfsys_daemon(&d, why, sizeof(why));
	r = r ?: uxdp_daemon_link_update(d, l.link_id, 0, old_id, new_id, why, sizeof(why));
	if (r == -ESTALE)
		return -EPERM; /* the kernel's "old_prog is not the link's program" */
	if (r == -ENOLINK)
		return r;
	if (r)
		fprintf(stderr, "uxdp-bpfsys: BPF_LINK_UPDATE: %s\n", why);
	return r;
}
