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
 *  - RTM_GETLINK on a blocking socket while the daemon has ports: sent to
 *    the kernel, its replies read at once, and in those for the daemon's
 *    ports IFLA_XDP says what uxdp runs there (XDP_ATTACHED_DRV and the
 *    uxdp program id, or XDP_ATTACHED_NONE) instead of the AF_XDP
 *    redirect program uxdpd keeps in the kernel.
 *
 * The answers wait in a queue of the socket, which recv(), recvfrom() and
 * recvmsg() (also interposed) serve first, MSG_PEEK and MSG_TRUNC as the
 * kernel does.  poll() and epoll do not see that queue: a program that
 * polls before reading (libbpf does not) is not served.  Everything else,
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

typedef ssize_t (*sendmsg_fn)(int, const struct msghdr *, int);
typedef ssize_t (*recvmsg_fn)(int, struct msghdr *, int);

static sendmsg_fn real_sendmsg;
static recvmsg_fn real_recvmsg;

__attribute__((constructor)) static void resolve_at_load(void)
{
	real_sendmsg = (sendmsg_fn)dlsym(RTLD_NEXT, "sendmsg");
	real_recvmsg = (recvmsg_fn)dlsym(RTLD_NEXT, "recvmsg");
}

/* ---- the queue of answers of one socket ---- */

struct dgram {
	struct dgram *next;
	size_t len;
	unsigned char data[];
};

struct nlq {
	struct nlq *next;
	int fd;
	ino_t ino; /* the socket's: a closed and reused fd number is not it */
	struct dgram *head, *tail;
};

static pthread_mutex_t qlock = PTHREAD_MUTEX_INITIALIZER;
static struct nlq *queues;

static ino_t ino_of(int fd)
{
	struct stat st;

	return fstat(fd, &st) ? 0 : st.st_ino;
}

static void enqueue(int fd, const void *data, size_t len)
{
	struct dgram *d = malloc(sizeof(*d) + len);
	ino_t ino = ino_of(fd);
	struct nlq *q;

	if (!d)
		return;
	d->next = NULL;
	d->len = len;
	memcpy(d->data, data, len);
	pthread_mutex_lock(&qlock);
	for (q = queues; q && q->fd != fd; q = q->next)
		;
	if (q && q->ino != ino) { /* a queue left by a closed socket */
		while (q->head) {
			struct dgram *n = q->head->next;

			free(q->head);
			q->head = n;
		}
		q->tail = NULL;
	}
	if (!q) {
		q = calloc(1, sizeof(*q));
		if (q) {
			q->fd = fd;
			q->next = queues;
			queues = q;
		}
	}
	if (q) {
		q->ino = ino;
		if (q->tail)
			q->tail->next = d;
		else
			q->head = d;
		q->tail = d;
	} else {
		free(d);
	}
	pthread_mutex_unlock(&qlock);
}

/* A queued answer for fd into msg; -1 when there is none (the kernel's turn). */
static ssize_t dequeue(int fd, struct msghdr *msg, int flags)
{
	struct dgram *d = NULL;
	struct nlq *q;
	size_t off = 0;

	pthread_mutex_lock(&qlock);
	for (q = queues; q && q->fd != fd; q = q->next)
		;
	if (q && q->head && q->ino == ino_of(fd)) {
		d = q->head;
		if (!(flags & MSG_PEEK)) {
			q->head = d->next;
			if (!q->head)
				q->tail = NULL;
		}
	}
	pthread_mutex_unlock(&qlock);
	if (!d)
		return -1;
	for (size_t i = 0; i < msg->msg_iovlen && off < d->len; i++) {
		size_t n = d->len - off < msg->msg_iov[i].iov_len ? d->len - off
								   : msg->msg_iov[i].iov_len;

		memcpy(msg->msg_iov[i].iov_base, d->data + off, n);
		off += n;
	}
	msg->msg_flags = off < d->len ? MSG_TRUNC : 0;
	if (msg->msg_name && msg->msg_namelen >= sizeof(struct sockaddr_nl)) {
		struct sockaddr_nl *sa = msg->msg_name;

		memset(sa, 0, sizeof(*sa));
		sa->nl_family = AF_NETLINK; /* from the kernel: pid 0 */
		msg->msg_namelen = sizeof(*sa);
	}
	msg->msg_controllen = 0;
	{
		ssize_t r = (flags & MSG_TRUNC) ? (ssize_t)d->len : (ssize_t)off;

		if (!(flags & MSG_PEEK))
			free(d);
		return r;
	}
}

/* ---- netlink messages ---- */

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

static uint32_t port_prog(const struct uxdp_dmsg_port *ports, size_t n, uint32_t ifindex,
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
static size_t daemon_ports(struct uxdp_dmsg_port *ports, size_t cap)
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
	enqueue(fd, buf, len);
}

/* The uxdp program fd's id: >0; 0 if fd is no uxdp program; <0 closed. */
static int prog_id_of(int fd, uint32_t *id)
{
	struct bpfsys_prog p;
	int r = bpfsys_obj_fd(fd, BPFSYS_PROG_MAGIC, &p);

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
	n = daemon_ports(ports, UXDP_DMAX_ATTACH);
	running = port_prog(ports, n, (uint32_t)ifi->ifi_index, &is_port);
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

/* ---- RTM_GETLINK: the kernel's answer, with uxdp's IFLA_XDP for its ports ---- */

static size_t put_attr(unsigned char *p, uint16_t type, const void *v, size_t len)
{
	struct nlattr a = { .nla_len = (uint16_t)(NLA_HDRLEN + len), .nla_type = type };

	memcpy(p, &a, sizeof(a));
	memcpy(p + NLA_HDRLEN, v, len);
	memset(p + NLA_HDRLEN + len, 0, NLA_ALIGN(len) - len);
	return NLA_HDRLEN + NLA_ALIGN(len);
}

/* One RTM_NEWLINK of a port rewritten into out (room enough); its new length. */
static size_t rewrite_link(const struct nlmsghdr *nh, uint32_t prog_id, unsigned char *out)
{
	const struct ifinfomsg *ifi = NLMSG_DATA(nh);
	size_t head = NLMSG_LENGTH(sizeof(*ifi)), o = NLMSG_ALIGN(head);
	const unsigned char *a = (const unsigned char *)nh + NLMSG_ALIGN(head);
	size_t left = nh->nlmsg_len > NLMSG_ALIGN(head) ? nh->nlmsg_len - NLMSG_ALIGN(head) : 0;
	unsigned char nest[64];
	size_t nl = 0;
	uint8_t mode = prog_id ? XDP_ATTACHED_DRV : XDP_ATTACHED_NONE;

	memcpy(out, nh, NLMSG_ALIGN(head));
	while (left >= NLA_HDRLEN) {
		const struct nlattr *at = (const void *)a;
		size_t step = NLA_ALIGN(at->nla_len);

		if (at->nla_len < NLA_HDRLEN || at->nla_len > left)
			break;
		if ((at->nla_type & NLA_TYPE_MASK) != IFLA_XDP) {
			memcpy(out + o, a, at->nla_len);
			memset(out + o + at->nla_len, 0, step - at->nla_len);
			o += step;
		}
		if (step >= left)
			break;
		a += step;
		left -= step;
	}
	nl += put_attr(nest + NLA_HDRLEN, IFLA_XDP_ATTACHED, &mode, 1);
	if (prog_id) {
		nl += put_attr(nest + NLA_HDRLEN + nl, IFLA_XDP_PROG_ID, &prog_id, 4);
		nl += put_attr(nest + NLA_HDRLEN + nl, IFLA_XDP_DRV_PROG_ID, &prog_id, 4);
	}
	((struct nlattr *)nest)->nla_len = (uint16_t)(NLA_HDRLEN + nl);
	((struct nlattr *)nest)->nla_type = IFLA_XDP | NLA_F_NESTED;
	memcpy(out + o, nest, NLA_HDRLEN + nl);
	o += NLA_HDRLEN + nl;
	((struct nlmsghdr *)out)->nlmsg_len = (uint32_t)o;
	return o;
}

/* One datagram of the kernel's answer, rewritten; whether it ended the answer. */
static bool rewrite_dgram(int fd, const unsigned char *buf, size_t len,
			  const struct uxdp_dmsg_port *ports, size_t n_ports)
{
	unsigned char *out = malloc(len + 128 * (len / NLMSG_LENGTH(sizeof(struct ifinfomsg)) + 1));
	const struct nlmsghdr *nh = (const void *)buf;
	size_t left = len, o = 0;
	bool done = false;

	if (!out) {
		enqueue(fd, buf, len);
		return true;
	}
	for (; NLMSG_OK(nh, left); nh = NLMSG_NEXT(nh, left)) {
		const struct ifinfomsg *ifi = NLMSG_DATA(nh);
		bool port = false;
		uint32_t prog = 0;

		if (nh->nlmsg_type == NLMSG_DONE || nh->nlmsg_type == NLMSG_ERROR ||
		    !(nh->nlmsg_flags & NLM_F_MULTI))
			done = true;
		if (nh->nlmsg_type == RTM_NEWLINK && nh->nlmsg_len >= NLMSG_LENGTH(sizeof(*ifi)))
			prog = port_prog(ports, n_ports, (uint32_t)ifi->ifi_index, &port);
		if (port) {
			o += rewrite_link(nh, prog, out + o);
		} else {
			memcpy(out + o, nh, nh->nlmsg_len);
			o += NLMSG_ALIGN(nh->nlmsg_len);
		}
	}
	enqueue(fd, out, o);
	free(out);
	return done;
}

/* 1 when the GETLINK was sent and its whole answer queued; 0 for the kernel as is. */
static int getlink(int fd, const struct msghdr *msg, int flags, ssize_t *sent)
{
	struct uxdp_dmsg_port ports[UXDP_DMAX_ATTACH];
	size_t n = daemon_ports(ports, UXDP_DMAX_ATTACH);
	int fl = fcntl(fd, F_GETFL);
	bool done = false;

	if (!n || fl < 0 || (fl & O_NONBLOCK) || (flags & MSG_DONTWAIT))
		return 0;
	*sent = real_sendmsg(fd, msg, flags);
	if (*sent < 0)
		return 1;
	while (!done) {
		unsigned char *buf;
		struct iovec iov = { .iov_base = NULL, .iov_len = 0 };
		struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t len = real_recvmsg(fd, &m, MSG_PEEK | MSG_TRUNC);

		if (len <= 0)
			break; /* the caller's recv will see the same */
		buf = malloc((size_t)len);
		if (!buf)
			break;
		iov = (struct iovec){ .iov_base = buf, .iov_len = (size_t)len };
		len = real_recvmsg(fd, &m, 0);
		if (len > 0)
			done = rewrite_dgram(fd, buf, (size_t)len, ports, n);
		free(buf);
		if (len <= 0)
			break;
	}
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
	*handled = getlink(fd, msg, flags, &sent) == 1;
	return sent;
}

BPFSYS_EXPORT ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	bool handled;
	ssize_t r = msg ? maybe_ours(fd, msg, flags, &handled) : 0;

	if (msg && handled)
		return r;
	return real_sendmsg(fd, msg, flags);
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

BPFSYS_EXPORT ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
	ssize_t r = queues && msg ? dequeue(fd, msg, flags) : -1;

	return r >= 0 ? r : real_recvmsg(fd, msg, flags);
}

BPFSYS_EXPORT ssize_t recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *from,
			       socklen_t *fromlen)
{
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr m = { .msg_name = from, .msg_namelen = fromlen ? *fromlen : 0,
			    .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t r = recvmsg(fd, &m, flags);

	if (r >= 0 && fromlen)
		*fromlen = m.msg_namelen;
	return r;
}

BPFSYS_EXPORT ssize_t recv(int fd, void *buf, size_t len, int flags)
{
	return recvfrom(fd, buf, len, flags, NULL, NULL);
}
