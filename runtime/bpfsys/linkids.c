// SPDX-License-Identifier: MIT
/*
 * linkids.c - the link id space: BPF_LINK_GET_NEXT_ID and
 * BPF_LINK_GET_FD_BY_ID, so that `bpftool link show` lists uxdp's XDP
 * links, made by any process.
 *
 * uxdpd numbers the links made with UXDP_ATTACH_F_LINK and says in each
 * program's PROG_INFO which link holds each of its ports; a link is listed
 * while it holds a port (a kernel link also stays listed while a
 * descriptor holds it after a detach).  BPF_LINK_GET_FD_BY_ID is the
 * daemon's LINK_OPEN: a new reference, which holds the link as the
 * kernel's descriptor does (a detached link too, while it is held).  As for programs (progids.c), only
 * the daemon's links are listed, not the kernel's, and when no daemon
 * answers for the instance the commands pass to the kernel.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bpfsys.h"

#define ATTR_END(field) (offsetof(union bpf_attr, field) + sizeof(((union bpf_attr *)0)->field))
#define MAX_PROGS 1024

struct link_seen {
	uint32_t link_id, prog_id, ifindex;
	char name[BPF_OBJ_NAME_LEN];
	uint8_t tag[8];
};

/*
 * Every link the daemon has, through cb (stop with a non-zero return,
 * which is returned); -errno when the daemon does not answer.
 */
static int each_link(struct uxdp_daemon *d, int (*cb)(const struct link_seen *, void *), void *arg)
{
	static uint32_t ids[MAX_PROGS];
	struct uxdp_dmsg_prog_info info;
	char err[256];
	size_t n;
	int r = uxdp_daemon_prog_list(d, 0, ids, MAX_PROGS, &n, err, sizeof(err));

	for (size_t i = 0; !r && i < n && i < MAX_PROGS; i++) {
		if (uxdp_daemon_prog_info(d, ids[i], &info, err, sizeof(err)))
			continue; /* released meanwhile */
		for (uint32_t j = 0; !r && j < info.n_attached && j < UXDP_DMAX_ATTACH; j++) {
			struct link_seen s = { .link_id = info.attached_link[j],
					       .prog_id = info.id,
					       .ifindex = info.attached[j] };

			memcpy(s.name, info.name, sizeof(s.name) - 1);
			memcpy(s.tag, info.tag, sizeof(s.tag));
			if (s.link_id)
				r = cb(&s, arg);
		}
	}
	return r;
}

static int next_cb(const struct link_seen *s, void *arg)
{
	uint32_t *best = arg; /* best[0]: start, best[1]: the smallest id past it */

	if (s->link_id > best[0] && (!best[1] || s->link_id < best[1]))
		best[1] = s->link_id;
	return 0;
}

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
	uint32_t best[2] = { c->attr.start_id, 0 };
	int r;

	if (!d)
		return bpfsys_kernel(c);
	if (!bpfsys_attr_zero_from(c, ATTR_END(next_id)))
		return -EINVAL;
	r = each_link(d, next_cb, best);
	if (r < 0)
		return r;
	if (!best[1])
		return -ENOENT;
	return bpfsys_copy_out((uintptr_t)c->uattr + offsetof(union bpf_attr, next_id), &best[1],
			       sizeof(best[1]));
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
