// SPDX-License-Identifier: MIT
/*
 * link.c - BPF_LINK_CREATE with attach type BPF_XDP (libbpf's
 * bpf_program__attach_xdp) and BPF_LINK_DETACH, on uxdpd's ports.
 *
 * Attaching is the daemon's PROG_ATTACH as a link (UXDP_ATTACH_F_LINK) on
 * the port whose interface has the ifindex: the daemon gives the link an
 * id, and the port is then replaced or detached only through it (as the
 * kernel's dev_xdp_attach refuses to replace an active link).  -EBUSY
 * when the port runs a program already, as the kernel answers an XDP link
 * on a device that has one; -ENODEV (and a line) for an interface that is
 * no port of the daemon.  The descriptor returned is the daemon's
 * reference to the link (linkfd.c): when every copy of it is closed, by
 * close, exit or SIGKILL, and no pin holds the link, the daemon detaches
 * it, as the kernel releases a link with its last file.
 */
#include <errno.h>
#include <linux/if_link.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bpfsys.h"

static long say(int cmd, const char *what, int err)
{
	fprintf(stderr, "uxdp-bpfsys: %s: %s\n", bpfsys_cmd_name(cmd), what);
	return err;
}

long bpfsys_link_create(struct bpfsys_call *c)
{
	const union bpf_attr *a = &c->attr;
	struct bpfsys_prog p = { 0 };
	struct uxdp_daemon *d;
	uint32_t link_id;
	char why[512];
	int fd = -1;
	int r = bpfsys_prog_fd((int)a->link_create.prog_fd, &p);

	if (r < 0)
		return r;
	if (r == 0)
		return bpfsys_kernel(c); /* a kernel program: the kernel's link */
	if (a->link_create.attach_type != BPF_XDP) {
		bpfsys_say_once(c->cmd, "a uxdp program attaches to XDP only (attach type BPF_XDP)");
		return -EINVAL;
	}
	/* The kernel's XDP link: only the mode flags, and no other field. */
	if (!bpfsys_attr_zero_from(c, ATTR_END(link_create.flags)) ||
	    a->link_create.flags & ~(uint32_t)XDP_FLAGS_MODES)
		return -EINVAL;
	if (!a->link_create.target_ifindex)
		return -EINVAL;
	r = bpfsys_daemon(&d, why, sizeof(why));
	r = r ?: uxdp_daemon_link_attach(d, p.id, a->link_create.target_ifindex, &link_id, &fd,
					 why, sizeof(why));
	if (r)
		return say(c->cmd, why, r);
	return fd;
}

long bpfsys_link_detach(struct bpfsys_call *c)
{
	struct bpfsys_link l;
	struct uxdp_daemon *d;
	char why[512];
	int r;

	if (!bpfsys_attr_zero_from(c, ATTR_END(link_detach.link_fd)))
		return -EINVAL;
	r = bpfsys_link_fd((int)c->attr.link_detach.link_fd, &l);
	if (r <= 0)
		return r < 0 ? r : bpfsys_kernel(c);
	r = bpfsys_daemon(&d, why, sizeof(why));
	r = r ?: uxdp_daemon_link_detach(d, l.link_id, 0, why, sizeof(why));
	/* Detached already: the kernel's link answers 0 then as well. */
	if (r == -ENOLINK)
		r = 0;
	if (r)
		return say(c->cmd, why, r);
	return 0;
}
