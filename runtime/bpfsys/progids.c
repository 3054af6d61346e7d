// SPDX-License-Identifier: MIT
/*
 * progids.c - the program id space: BPF_PROG_GET_NEXT_ID and
 * BPF_PROG_GET_FD_BY_ID, so that bpftool prog show lists uxdp's programs.
 *
 * As for maps (ids.c), the ids are the instance's, here those of its
 * uxdpd (uxdpctl prog list), and only its loaded programs are listed: the
 * kernel's and uxdp's id spaces are not merged, so that an id means one
 * program.  When no daemon answers for the instance, the two commands pass
 * to the kernel as before.
 */
#include <errno.h>

#include "bpfsys.h"

#define MAX_PROGS 1024

long bpfsys_prog_get_next_id(struct bpfsys_call *c)
{
	struct uxdp_daemon *d = bpfsys_daemon_or_null();
	uint32_t ids[MAX_PROGS];
	char err[256];
	size_t n = 0;
	int r;

	if (!d)
		return bpfsys_kernel(c);
	if (!bpfsys_attr_zero_from(c, ATTR_END(next_id)))
		return -EINVAL;
	r = uxdp_daemon_prog_list(d, 0, ids, MAX_PROGS, &n, err, sizeof(err));
	return r ? r : bpfsys_next_id_out(c, ids, n < MAX_PROGS ? n : MAX_PROGS);
}

/*
 * A descriptor for the daemon's program id (d: the daemon): a new
 * reference, which holds it as the kernel's fd does; -ENOENT when it is
 * not loaded.
 */
static int fd_by_id(struct uxdp_daemon *d, uint32_t id)
{
	char err[256];
	int fd = -1, r = uxdp_daemon_prog_open(d, id, &fd, err, sizeof(err));

	if (r)
		return r == -ENOENT || r == -EINVAL ? -ENOENT : r;
	return bpfsys_prog_fd_lowest(fd);
}

int bpfsys_prog_open_id(uint32_t id)
{
	struct uxdp_daemon *d;
	char err[256];
	int r = bpfsys_daemon(&d, err, sizeof(err));

	return r ? r : fd_by_id(d, id);
}

long bpfsys_prog_get_fd_by_id(struct bpfsys_call *c)
{
	struct uxdp_daemon *d = bpfsys_daemon_or_null();

	if (!d)
		return bpfsys_kernel(c);
	if (!bpfsys_attr_zero_from(c, ATTR_END(open_flags)))
		return -EINVAL;
	if (c->attr.open_flags & ~(uint32_t)(BPF_F_RDONLY | BPF_F_WRONLY))
		return -EINVAL;
	return fd_by_id(d, c->attr.prog_id);
}
