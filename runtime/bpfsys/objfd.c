// SPDX-License-Identifier: MIT
/*
 * objfd.c - program descriptors.
 *
 * A uxdp program lives in uxdpd; the descriptor the caller gets is the
 * daemon's reference to it (linkfd.c), so that close, dup, fork, exec and
 * SCM_RIGHTS behave as with a kernel program's file: the program is
 * released when the last copy goes, unless a port, a link or a pin holds
 * it.  The descriptor names the program (its abstract socket name); what
 * BPF_OBJ_GET_INFO_BY_FD and BPF_PROG_TEST_RUN also need (name, tag, map
 * ids) is the loader's record (prog.c) or the daemon's (PROG_INFO).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "bpfsys.h"

int bpfsys_prog_fd(int fd, struct bpfsys_prog *p)
{
	int r;

	memset(p, 0, sizeof(*p));
	r = bpfsys_ref_fd(fd, UXDP_PROG_REF_PREFIX, p->instance, sizeof(p->instance), &p->id);
	p->type = BPF_PROG_TYPE_XDP;
	/*
	 * Another instance's program (an fd passed over a socket) is none of
	 * this process's: its id means another program in our daemon.
	 */
	if (r == 1 && strcmp(p->instance, bpfsys_instance()))
		return 0;
	return r;
}

/* The daemon's record of p: name, tag, map ids. */
static int daemon_describe(struct bpfsys_prog *p)
{
	struct uxdp_dmsg_prog_info info;
	struct uxdp_daemon *d;
	char err[256];
	int r;

	r = bpfsys_daemon(&d, err, sizeof(err));
	r = r ?: uxdp_daemon_prog_info(d, p->id, &info, err, sizeof(err));
	if (r)
		return r == -ENOENT ? -EBADF : r; /* a reference the daemon no longer has */
	memcpy(p->name, info.name, sizeof(p->name) - 1);
	memcpy(p->tag, info.tag, sizeof(p->tag));
	p->n_maps = info.n_map_ids < UXDP_DMAX_MAP_IDS ? info.n_map_ids : UXDP_DMAX_MAP_IDS;
	if (p->n_maps > sizeof(p->map_ids) / sizeof(p->map_ids[0]))
		p->n_maps = sizeof(p->map_ids) / sizeof(p->map_ids[0]);
	memcpy(p->map_ids, info.map_ids, p->n_maps * sizeof(p->map_ids[0]));
	return 0;
}

int bpfsys_prog_describe(struct bpfsys_prog *p)
{
	/* The loader's maps (libbpf's .rodata map, where the daemon has the object's copy). */
	if (bpfsys_prog_known(p))
		return 0;
	return daemon_describe(p);
}

int bpfsys_prog_fd_lowest(int ref_fd)
{
	int low = fcntl(ref_fd, F_DUPFD_CLOEXEC, 0);

	/* The reply came while the call had descriptors of its own open. */
	if (low < 0 || low > ref_fd) {
		if (low >= 0)
			close(low);
		return ref_fd;
	}
	close(ref_fd);
	return low;
}
