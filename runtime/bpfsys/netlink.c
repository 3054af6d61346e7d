// SPDX-License-Identifier: MIT
/*
 * netlink.c - XDP attach and query through rtnetlink, for uxdp programs:
 * libbpf's bpf_xdp_attach/bpf_xdp_detach (RTM_SETLINK with IFLA_XDP),
 * iproute2's `ip link set dev X xdp ...` (RTM_NEWLINK on an existing link)
 * and bpf_xdp_query (an RTM_GETLINK dump, read for IFLA_XDP).
 *
 * send(), sendto() and sendmsg() are interposed; a message is looked at
 * only when it is one rtnetlink RTM_SETLINK or RTM_GETLINK request on a
 * NETLINK_ROUTE socket, and taken only when it concerns uxdp:
 *
 *  - RTM_SETLINK (or NEWLINK without NLM_F_CREATE) whose only attribute
 *    is IFLA_XDP, for the link ifi_index names, with a uxdp program fd
 *    (IFLA_XDP_FD or IFLA_XDP_EXPECTED_FD), or a detach (fd -1) on an
 *    interface that is a port of the instance's uxdpd: done with the
 *    daemon's PROG_ATTACH / PROG_REPLACE / PROG_DETACH, and answered with
 *    the ack the kernel would send (NLMSG_ERROR, 0 or -errno, and the
 *    reason as an extended-ack message, which libbpf prints);
 *  - RTM_GETLINK: nlquery.c.
 *
 * The answers wait in the socket's queue (nlqueue.c).  Everything else,
 * every other socket and message, goes to libc untouched.  The daemon's
 * ports are matched by ifindex: the program must run in the daemon's
 * network namespace.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "bpfsys.h"

struct xdp_req {
	int fd, expected_fd;
	uint32_t flags;
	bool has_fd, has_expected;
};

static bool is_route_socket(int fd)
{
	int v;
	socklen_t len = sizeof(v);

	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &v, &len) || v != AF_NETLINK)
		return false;
	len = sizeof(v);
	return !getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &v, &len) && v == NETLINK_ROUTE;
}

/* IFLA_XDP as the only attribute of a SETLINK: 1 and *x, else 0. */
static int parse_setlink(const struct nlmsghdr *nh, struct xdp_req *x)
{
	const struct ifinfomsg *ifi = NLMSG_DATA(nh);
	const struct nlattr *a = (const void *)((const char *)ifi + NLMSG_ALIGN(sizeof(*ifi)));
	size_t left = nh->nlmsg_len - NLMSG_LENGTH(sizeof(*ifi));
	const struct nlattr *n;
	size_t nl;

	memset(x, 0, sizeof(*x));
	if (left < NLA_HDRLEN || a->nla_len < NLA_HDRLEN || a->nla_len > left ||
	    (a->nla_type & NLA_TYPE_MASK) != IFLA_XDP || (size_t)NLA_ALIGN(a->nla_len) < left)
		return 0;
	n = (const void *)((const char *)a + NLA_HDRLEN);
	nl = a->nla_len - NLA_HDRLEN;
	while (nl >= NLA_HDRLEN && n->nla_len >= NLA_HDRLEN && n->nla_len <= nl) {
		const void *v = (const char *)n + NLA_HDRLEN;
		size_t vl = n->nla_len - NLA_HDRLEN;

		if (n->nla_type == IFLA_XDP_FD && vl >= 4) {
			memcpy(&x->fd, v, 4);
			x->has_fd = true;
		} else if (n->nla_type == IFLA_XDP_EXPECTED_FD && vl >= 4) {
			memcpy(&x->expected_fd, v, 4);
			x->has_expected = true;
		} else if (n->nla_type == IFLA_XDP_FLAGS && vl >= 4) {
			memcpy(&x->flags, v, 4);
		} else {
			return 0; /* something uxdp does not know how to do */
		}
		if ((size_t)NLA_ALIGN(n->nla_len) >= nl)
			break;
		nl -= NLA_ALIGN(n->nla_len);
		n = (const void *)((const char *)n + NLA_ALIGN(n->nla_len));
	}
	return x->has_fd;
}

uint32_t bpfsys_nl_port_prog(const struct uxdp_dmsg_port *ports, size_t n, uint32_t ifindex,
			  bool *found)
{
	for (size_t i = 0; i < n; i++)
		if (ports[i].ifindex == ifindex) {
			*found = true;
			return ports[i].prog_id;
		}
	*found = false;
	return 0;
}

/* The daemon's ports, at most cap; 0 (none) when no daemon answers. */
size_t bpfsys_nl_daemon_ports(struct uxdp_dmsg_port *ports, size_t cap)
{
	struct uxdp_daemon *d;
	char err[256];
	size_t n = 0;

	if (bpfsys_daemon(&d, err, sizeof(err)) ||
	    uxdp_daemon_port_list(d, ports, cap, &n, err, sizeof(err)))
		return 0;
	return n < cap ? n : cap;
}

/* The ack the kernel sends: NLMSG_ERROR with err, and why as NLMSGERR_ATTR_MSG. */
static void ack(int fd, const struct nlmsghdr *req, int err, const char *why)
{
	unsigned char buf[1024] = { 0 };
	struct nlmsghdr *nh = (void *)buf;
	struct nlmsgerr *e = NLMSG_DATA(nh);
	struct sockaddr_nl sa;
	socklen_t sl = sizeof(sa);
	size_t len = NLMSG_LENGTH(sizeof(*e));

	nh->nlmsg_type = NLMSG_ERROR;
	nh->nlmsg_seq = req->nlmsg_seq;
	nh->nlmsg_pid = getsockname(fd, (void *)&sa, &sl) ? 0 : sa.nl_pid;
	e->error = err;
	e->msg = *req;
	e->msg.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg)); /* the kernel caps it so */
	if (err && why) {
		struct nlattr *a = (void *)(buf + NLMSG_ALIGN(len));
		size_t sl2 = strlen(why) + 1;

		if (sl2 > sizeof(buf) - NLMSG_ALIGN(len) - NLA_HDRLEN)
			sl2 = sizeof(buf) - NLMSG_ALIGN(len) - NLA_HDRLEN;
		a->nla_type = NLMSGERR_ATTR_MSG;
		a->nla_len = (uint16_t)(NLA_HDRLEN + sl2);
		memcpy((char *)a + NLA_HDRLEN, why, sl2 - 1);
		len = NLMSG_ALIGN(len) + NLA_ALIGN(a->nla_len);
		nh->nlmsg_flags |= NLM_F_ACK_TLVS;
	}
	nh->nlmsg_len = (uint32_t)len;
	bpfsys_nl_enqueue(fd, buf, len);
}

/* The uxdp program fd's id: >0; 0 if fd is no uxdp program; <0 closed. */
static int prog_id_of(int fd, uint32_t *id)
{
	struct bpfsys_prog p;
	int r = bpfsys_prog_fd(fd, &p);

	*id = r == 1 ? p.id : 0;
	return r;
}

/* Attach, replace or detach on the daemon, as the kernel's dev_change_xdp_fd. */
static int do_setlink(uint32_t ifindex, const struct xdp_req *x, uint32_t id, uint32_t old_id,
		      char *why, size_t why_size)
{
	struct uxdp_daemon *d;
	int r;

	if (x->flags & ~(uint32_t)XDP_FLAGS_MASK)
		return -EINVAL;
	if (x->flags & XDP_FLAGS_HW_MODE) {
		snprintf(why, why_size, "uxdp: no offload (XDP_FLAGS_HW_MODE)");
		return -EOPNOTSUPP;
	}
	r = bpfsys_daemon(&d, why, why_size);
	if (r)
		return r;
	if (x->fd < 0) {
		r = uxdp_daemon_prog_detach(d, ifindex, x->flags & XDP_FLAGS_REPLACE ? old_id : 0,
					    why, why_size);
		return r == -ESTALE ? -EEXIST : r;
	}
	if (x->flags & XDP_FLAGS_REPLACE) {
		r = old_id ? uxdp_daemon_prog_replace(d, ifindex, old_id, id, why, why_size)
			   : uxdp_daemon_prog_attach(d, id, ifindex, 0, why, why_size);
		return r == -ESTALE || r == -EBUSY ? -EEXIST : r;
	}
	r = uxdp_daemon_prog_attach(d, id, ifindex,
				    x->flags & XDP_FLAGS_UPDATE_IF_NOEXIST ? 0 : UXDP_ATTACH_F_REPLACE,
				    why, why_size);
	return r;
}

/* Whether a link (BPF_LINK_CREATE) holds the port ifindex, which runs prog_id. */
static bool held_by_link(uint32_t prog_id, uint32_t ifindex)
{
	struct uxdp_dmsg_prog_info info;
	struct uxdp_daemon *d;
	char err[256];

	if (!prog_id || bpfsys_daemon(&d, err, sizeof(err)) ||
	    uxdp_daemon_prog_info(d, prog_id, &info, err, sizeof(err)))
		return false;
	for (uint32_t i = 0; i < info.n_attached && i < UXDP_DMAX_ATTACH; i++)
		if (info.attached[i] == ifindex && info.attached_link[i])
			return true;
	return false;
}

/* 1 when the SETLINK was uxdp's and is answered (queued), 0 for the kernel. */
static int setlink(int fd, const struct nlmsghdr *nh)
{
	const struct ifinfomsg *ifi = NLMSG_DATA(nh);
	struct uxdp_dmsg_port ports[UXDP_DMAX_ATTACH];
	uint32_t id = 0, old_id = 0, running;
	char why[512] = "";
	struct xdp_req x;
	bool ours = false, is_port;
	size_t n;
	int r;

	if (!parse_setlink(nh, &x))
		return 0;
	if (x.fd >= 0 && prog_id_of(x.fd, &id) == 1)
		ours = true;
	if (x.has_expected && x.expected_fd >= 0 && prog_id_of(x.expected_fd, &old_id) == 1)
		ours = true;
	n = bpfsys_nl_daemon_ports(ports, UXDP_DMAX_ATTACH);
	running = bpfsys_nl_port_prog(ports, n, (uint32_t)ifi->ifi_index, &is_port);
	if (!ours && !(x.fd < 0 && is_port))
		return 0; /* a kernel program, or an interface uxdp does not drive */
	if (!is_port) {
		snprintf(why, sizeof(why),
			 "uxdp: ifindex %d is no port of uxdpd (instance %s): a uxdp program runs "
			 "only there",
			 ifi->ifi_index, bpfsys_instance());
		r = -ENODEV;
	} else if ((x.fd >= 0 && !id) || (x.has_expected && x.expected_fd >= 0 && !old_id)) {
		snprintf(why, sizeof(why), "uxdp: a kernel program on a port uxdpd drives");
		r = -EINVAL;
	} else if (held_by_link(running, (uint32_t)ifi->ifi_index)) {
		/* The kernel's dev_xdp_attach: netlink never takes a link's device. */
		snprintf(why, sizeof(why), "uxdp: Can't replace active BPF XDP link");
		r = -EBUSY;
	} else if (x.flags & XDP_FLAGS_REPLACE && old_id != running) {
		snprintf(why, sizeof(why), "uxdp: active program does not match expected");
		r = -EEXIST;
	} else if ((x.fd >= 0 && running == id) || (x.fd < 0 && !running)) {
		r = 0; /* the kernel: attaching what runs, or detaching nothing, is a no-op */
	} else {
		r = do_setlink((uint32_t)ifi->ifi_index, &x, id, old_id, why, sizeof(why));
	}
	if (r)
		fprintf(stderr, "uxdp-bpfsys: %s IFLA_XDP: %s\n",
			nh->nlmsg_type == RTM_NEWLINK ? "RTM_NEWLINK" : "RTM_SETLINK", why);
	if (r || (nh->nlmsg_flags & NLM_F_ACK))
		ack(fd, nh, r, r ? why : NULL);
	return 1;
}

/*
 * RTM_SETLINK (libbpf), RTM_NEWLINK on an existing link (iproute2's
 * `ip link set dev X xdp ...`), RTM_GETLINK.
 */
static bool is_request(const struct nlmsghdr *nh)
{
	return nh->nlmsg_type == RTM_SETLINK || nh->nlmsg_type == RTM_GETLINK ||
	       (nh->nlmsg_type == RTM_NEWLINK && !(nh->nlmsg_flags & (NLM_F_CREATE | NLM_F_EXCL)));
}

/* The first message of a send, if it is one rtnetlink request we may take. */
static ssize_t maybe_ours(int fd, const struct msghdr *msg, int flags, bool *handled)
{
	struct nlmsghdr nh;
	unsigned char buf[1024];
	size_t len = 0, have = 0;
	ssize_t sent = 0;

	*handled = false;
	for (size_t i = 0; i < msg->msg_iovlen; i++)
		len += msg->msg_iov[i].iov_len;
	if (len < NLMSG_LENGTH(sizeof(struct ifinfomsg)))
		return 0;
	/* The first bytes: iproute2 sends its request struct whole, zeros after the message. */
	for (size_t i = 0; i < msg->msg_iovlen && have < sizeof(buf); i++) {
		size_t n = msg->msg_iov[i].iov_len < sizeof(buf) - have ? msg->msg_iov[i].iov_len
									  : sizeof(buf) - have;

		memcpy(buf + have, msg->msg_iov[i].iov_base, n);
		have += n;
	}
	memcpy(&nh, buf, sizeof(nh));
	if (nh.nlmsg_len > have || nh.nlmsg_len < NLMSG_LENGTH(sizeof(struct ifinfomsg)) ||
	    !(nh.nlmsg_flags & NLM_F_REQUEST) || !is_request(&nh) || !is_route_socket(fd))
		return 0;
	if (nh.nlmsg_type != RTM_GETLINK) {
		/* One request only: a batch of several goes to the kernel as it is. */
		for (size_t i = NLMSG_ALIGN(nh.nlmsg_len); i < have; i++)
			if (buf[i] || have < len)
				return 0;
		*handled = setlink(fd, (const struct nlmsghdr *)buf) == 1;
		return (ssize_t)len;
	}
	*handled = bpfsys_nl_getlink(fd, msg, flags, &sent) == 1;
	return sent;
}

BPFSYS_EXPORT ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	bool handled;
	ssize_t r = msg ? maybe_ours(fd, msg, flags, &handled) : 0;

	if (msg && handled)
		return r;
	return bpfsys_nl_real_sendmsg(fd, msg, flags);
}

BPFSYS_EXPORT ssize_t sendto(int fd, const void *buf, size_t len, int flags,
			     const struct sockaddr *to, socklen_t tolen)
{
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr m = { .msg_name = (void *)to, .msg_namelen = tolen, .msg_iov = &iov,
			    .msg_iovlen = 1 };

	return sendmsg(fd, &m, flags);
}

BPFSYS_EXPORT ssize_t send(int fd, const void *buf, size_t len, int flags)
{
	return sendto(fd, buf, len, flags, NULL, 0);
}
