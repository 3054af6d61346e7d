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
 * no port of the daemon.  A kernel XDP link goes when
 * its last descriptor closes; the library does not see close(), so a link
 * made here holds the program until BPF_LINK_DETACH or until the process
 * that made it exits (a destructor detaches it then; a process killed by
 * SIGKILL leaves it attached: `uxdpctl prog detach`).
 */
#include <errno.h>
#include <linux/if_link.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bpfsys.h"

#define ATTR_END(field) (offsetof(union bpf_attr, field) + sizeof(((union bpf_attr *)0)->field))

struct attached {
	struct attached *next;
	uint32_t ifindex, link_id;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct attached *links;
static pid_t owner;

static void remember(uint32_t ifindex, uint32_t link_id)
{
	struct attached *a = calloc(1, sizeof(*a));

	if (!a)
		return;
	a->ifindex = ifindex;
	a->link_id = link_id;
	pthread_mutex_lock(&lock);
	owner = getpid();
	a->next = links;
	links = a;
	pthread_mutex_unlock(&lock);
}

static void forget(uint32_t link_id)
{
	pthread_mutex_lock(&lock);
	for (struct attached *a = links; a; a = a->next)
		if (a->link_id == link_id)
			a->link_id = 0;
	pthread_mutex_unlock(&lock);
}

__attribute__((destructor)) static void detach_at_exit(void)
{
	struct uxdp_daemon *d;
	char err[256];

	if (!links || owner != getpid() || bpfsys_daemon(&d, err, sizeof(err)))
		return;
	for (struct attached *a = links; a; a = a->next)
		if (a->link_id) /* -ENOLINK: taken off meanwhile (uxdpctl), nothing to do */
			uxdp_daemon_link_detach(d, a->link_id, a->ifindex, err, sizeof(err));
}

static long say(int cmd, const char *what, int err)
{
	fprintf(stderr, "uxdp-bpfsys: %s: %s\n", bpfsys_cmd_name(cmd), what);
	return err;
}

long bpfsys_link_create(struct bpfsys_call *c)
{
	const union bpf_attr *a = &c->attr;
	struct bpfsys_prog p = { 0 }, l = { 0 };
	struct uxdp_daemon *d;
	char why[512];
	int r = bpfsys_obj_fd((int)a->link_create.prog_fd, BPFSYS_PROG_MAGIC, &p);

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
	r = r ?: uxdp_daemon_link_attach(d, p.id, a->link_create.target_ifindex, &l.link_id,
					 why, sizeof(why));
	if (r)
		return say(c->cmd, why, r);
	remember(a->link_create.target_ifindex, l.link_id);
	memcpy(l.magic, BPFSYS_LINK_MAGIC, sizeof(l.magic));
	memcpy(l.instance, p.instance, sizeof(l.instance));
	l.id = p.id;
	l.type = p.type;
	memcpy(l.name, p.name, sizeof(l.name));
	memcpy(l.tag, p.tag, sizeof(l.tag));
	l.ifindex = a->link_create.target_ifindex;
	l.owner = (int32_t)getpid();
	r = bpfsys_obj_fd_new(&l);
	if (r < 0) {
		uxdp_daemon_link_detach(d, l.link_id, l.ifindex, why, sizeof(why));
		forget(l.link_id);
	}
	return r;
}

long bpfsys_link_detach(struct bpfsys_call *c)
{
	struct bpfsys_prog l;
	struct uxdp_daemon *d;
	char why[512];
	int r;

	if (!bpfsys_attr_zero_from(c, ATTR_END(link_detach.link_fd)))
		return -EINVAL;
	r = bpfsys_obj_fd((int)c->attr.link_detach.link_fd, BPFSYS_LINK_MAGIC, &l);
	if (r <= 0)
		return r < 0 ? r : bpfsys_kernel(c);
	r = bpfsys_daemon(&d, why, sizeof(why));
	r = r ?: uxdp_daemon_link_detach(d, l.link_id, l.ifindex, why, sizeof(why));
	/* Detached already: the kernel's link answers 0 then as well. */
	if (r == -ENOLINK)
		r = 0;
	if (r)
		return say(c->cmd, why, r);
	forget(l.link_id);
	return 0;
}
