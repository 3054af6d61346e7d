// SPDX-License-Identifier: MIT
/*
 * proginfo.c - BPF_OBJ_GET_INFO_BY_FD on a uxdp program or link
 * descriptor: struct bpf_prog_info (type, id, tag, name, the map ids) and
 * struct bpf_link_info (an XDP link: its id, program and interface), with the
 * kernel's length handling (ids.c's for maps).  load_time and run_cnt (the
 * frames the daemon ran it on) are the daemon's; what uxdp does not have
 * (xlated and jited images, run time, BTF) is 0.  gpl_compatible is the
 * daemon's reading of the object's license (the kernel's list).  The map ids are the
 * daemon's (PROG_INFO, revision 1.1), or in the process that loaded the
 * program the maps it loaded it with (prog.c).
 */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bpfsys.h"

static int give(struct bpfsys_call *c, const void *info, size_t size)
{
	uint32_t len = c->attr.info.info_len;
	unsigned char b;

	/* The kernel's tail check: bytes past what it knows must be zero. */
	for (uint32_t off = (uint32_t)size; off < len; off++) {
		if (bpfsys_copy_in(&b, c->attr.info.info + off, 1))
			return -EFAULT;
		if (b)
			return -E2BIG;
	}
	if (len > size)
		len = (uint32_t)size;
	return bpfsys_copy_out(c->attr.info.info, info, len)
		       ?: bpfsys_copy_out((uintptr_t)c->uattr +
						  offsetof(union bpf_attr, info.info_len),
					  &len, sizeof(len));
}

/* What the daemon knows now: when it was loaded, and the frames it ran on. */
static void live(const struct bpfsys_prog *p, struct bpf_prog_info *k)
{
	struct uxdp_dmsg_prog_info info;
	struct timespec real, boot;
	struct uxdp_daemon *d;
	char err[256];

	if (bpfsys_daemon(&d, err, sizeof(err)) ||
	    uxdp_daemon_prog_info(d, p->id, &info, err, sizeof(err)))
		return;
	/* The kernel's load_time is CLOCK_BOOTTIME; the daemon's CLOCK_REALTIME. */
	clock_gettime(CLOCK_REALTIME, &real);
	clock_gettime(CLOCK_BOOTTIME, &boot);
	k->load_time = info.load_time_ns - ((uint64_t)real.tv_sec * 1000000000u + real.tv_nsec -
					    ((uint64_t)boot.tv_sec * 1000000000u + boot.tv_nsec));
	for (int i = 0; i < UXDP_DN_VERDICTS; i++)
		k->run_cnt += info.packets[i];
	k->gpl_compatible = !!(info.flags & UXDP_PROG_INFO_F_GPL);
	k->created_by_uid = getuid();
}

static int prog_info(struct bpfsys_call *c, const struct bpfsys_prog *p)
{
	struct bpf_prog_info k, u = { 0 };
	uint32_t len = c->attr.info.info_len, n;

	if (len > (uint32_t)sysconf(_SC_PAGESIZE))
		return -E2BIG;
	/* The caller's nr_map_ids and map_ids say where the ids go. */
	if (bpfsys_copy_in(&u, c->attr.info.info, len < sizeof(u) ? len : sizeof(u)))
		return -EFAULT;
	memset(&k, 0, sizeof(k));
	k.type = p->type;
	k.id = p->id;
	memcpy(k.tag, p->tag, sizeof(k.tag));
	memcpy(k.name, p->name, sizeof(k.name));
	live(p, &k);
	k.nr_map_ids = p->n_maps;
	k.map_ids = u.map_ids;
	n = u.nr_map_ids < p->n_maps ? u.nr_map_ids : p->n_maps;
	if (len >= offsetof(struct bpf_prog_info, map_ids) + sizeof(k.map_ids) && n &&
	    bpfsys_copy_out(u.map_ids, p->map_ids, n * sizeof(uint32_t)))
		return -EFAULT;
	return give(c, &k, sizeof(k));
}

/*
 * The link as the daemon has it now: the program it runs (an update
 * changed it) and its port.  A detached link has ifindex 0 and, as the
 * kernel's, its last program (the daemon keeps the link while a
 * descriptor or a pin holds it).
 */
static int link_info(struct bpfsys_call *c, const struct bpfsys_link *l)
{
	struct uxdp_dmsg_link_info info;
	struct bpf_link_info k;
	struct uxdp_daemon *d;
	char why[256];
	int r = bpfsys_daemon(&d, why, sizeof(why));

	r = r ?: uxdp_daemon_link_info(d, l->link_id, &info, why, sizeof(why));
	if (r)
		return r == -ENOENT ? -EBADF : r; /* a reference the daemon no longer has */
	memset(&k, 0, sizeof(k));
	k.type = BPF_LINK_TYPE_XDP;
	k.id = l->link_id;
	k.prog_id = info.prog_id;
	k.xdp.ifindex = info.ifindex;
	return give(c, &k, sizeof(k));
}

long bpfsys_prog_info(struct bpfsys_call *c, bool *handled)
{
	struct bpfsys_prog p;
	int fd = (int)c->attr.info.bpf_fd;
	int r = bpfsys_prog_fd(fd, &p);

	*handled = r != 0;
	if (r == 1)
		r = bpfsys_prog_describe(&p) ?: 1;
	if (r)
		return r < 0 ? r : prog_info(c, &p);
	struct bpfsys_link l;

	r = bpfsys_link_fd(fd, &l);
	*handled = r != 0;
	if (r)
		return r < 0 ? r : link_info(c, &l);
	return 0;
}
