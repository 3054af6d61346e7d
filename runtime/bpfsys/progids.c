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
#include <stdio.h>
#include <string.h>

#include "bpfsys.h"

#define ATTR_END(field) (offsetof(union bpf_attr, field) + sizeof(((union bpf_attr *)0)->field))
#define MAX_PROGS 1024

/* The daemon, or NULL: then the kernel answers. */
static struct uxdp_daemon *daemon_or_null(void)
{
	struct uxdp_daemon *d;
	char err[256];

	return bpfsys_daemon(&d, err, sizeof(err)) ? NULL : d;
}

long bpfsys_prog_get_next_id(struct bpfsys_call *c)
{
	static uint32_t ids[MAX_PROGS];
	struct uxdp_daemon *d = daemon_or_null();
	char err[256];
	uint32_t best = 0;
	size_t n;
	int r;

	if (!d)
		return bpfsys_kernel(c);
	if (!bpfsys_attr_zero_from(c, ATTR_END(next_id)))
		return -EINVAL;
	r = uxdp_daemon_prog_list(d, 0, ids, MAX_PROGS, &n, err, sizeof(err));
	if (r)
		return r;
	for (size_t i = 0; i < n && i < MAX_PROGS; i++)
		if (ids[i] > c->attr.start_id && (!best || ids[i] < best))
			best = ids[i];
	if (!best)
		return -ENOENT;
	return bpfsys_copy_out((uintptr_t)c->uattr + offsetof(union bpf_attr, next_id), &best,
			       sizeof(best));
}

/* A descriptor for the daemon's program id (d: the daemon); -ENOENT when it is not loaded. */
static int fd_by_id(struct uxdp_daemon *d, uint32_t id)
{
	struct bpfsys_prog p = { .magic = BPFSYS_PROG_MAGIC, .type = BPF_PROG_TYPE_XDP };
	struct uxdp_dmsg_prog_info info;
	char err[256];
	int r;

	/* This process holds it from now on, as the kernel's fd does (daemon.c). */
	r = uxdp_daemon_prog_hold(d, id, err, sizeof(err));
	r = r ?: uxdp_daemon_prog_info(d, id, &info, err, sizeof(err));
	if (r)
		return r == -ENOENT || r == -EINVAL ? -ENOENT : r;
	if (info.flags & UXDP_PROG_INFO_F_RELEASED)
		return -ENOENT;
	p.id = info.id;
	snprintf(p.instance, sizeof(p.instance), "%s", bpfsys_instance());
	memcpy(p.name, info.name, sizeof(p.name) - 1);
	memcpy(p.tag, info.tag, sizeof(p.tag));
	/*
	 * The maps this process loaded it with (prog.c: libbpf's .rodata map,
	 * where the daemon has the object's copy), else the daemon's.
	 */
	bpfsys_prog_known_maps(&p);
	if (!p.n_maps) {
		p.n_maps = info.n_map_ids < UXDP_DMAX_MAP_IDS ? info.n_map_ids : UXDP_DMAX_MAP_IDS;
		if (p.n_maps > sizeof(p.map_ids) / sizeof(p.map_ids[0]))
			p.n_maps = sizeof(p.map_ids) / sizeof(p.map_ids[0]);
		memcpy(p.map_ids, info.map_ids, p.n_maps * sizeof(p.map_ids[0]));
	}
	return bpfsys_obj_fd_new(&p);
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
	struct uxdp_daemon *d = daemon_or_null();

	if (!d)
		return bpfsys_kernel(c);
	if (!bpfsys_attr_zero_from(c, ATTR_END(open_flags)))
		return -EINVAL;
	if (c->attr.open_flags & ~(uint32_t)(BPF_F_RDONLY | BPF_F_WRONLY))
		return -EINVAL;
	return fd_by_id(d, c->attr.prog_id);
}
