// SPDX-License-Identifier: MIT
/*
 * nlquery.c - RTM_GETLINK (libbpf's bpf_xdp_query, `ip link show`) while
 * the instance's uxdpd has ports: the request goes to the kernel, its
 * answer is read at once, and in the messages for the daemon's ports
 * IFLA_XDP says what uxdp runs there (XDP_ATTACHED_DRV and uxdp's program
 * id, or XDP_ATTACHED_NONE) instead of the AF_XDP redirect program uxdpd
 * keeps in the kernel.  The rewritten answer waits in the socket's queue
 * (nlqueue.c).  A non-blocking socket is left alone (the answer could not
 * be read at once).
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
		bpfsys_nl_enqueue(fd, buf, len);
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
			prog = bpfsys_nl_port_prog(ports, n_ports, (uint32_t)ifi->ifi_index, &port);
		if (port) {
			o += rewrite_link(nh, prog, out + o);
		} else {
			memcpy(out + o, nh, nh->nlmsg_len);
			o += NLMSG_ALIGN(nh->nlmsg_len);
		}
	}
	bpfsys_nl_enqueue(fd, out, o);
	free(out);
	return done;
}

/* 1 when the GETLINK was sent and its whole answer queued; 0 for the kernel as is. */
int bpfsys_nl_getlink(int fd, const struct msghdr *msg, int flags, long *sent)
{
	struct uxdp_dmsg_port ports[UXDP_DMAX_ATTACH];
	size_t n = bpfsys_nl_daemon_ports(ports, UXDP_DMAX_ATTACH);
	int fl = fcntl(fd, F_GETFL);
	bool done = false;

	if (!n || fl < 0 || (fl & O_NONBLOCK) || (flags & MSG_DONTWAIT))
		return 0;
	*sent = bpfsys_nl_real_sendmsg(fd, msg, flags);
	if (*sent < 0)
		return 1;
	while (!done) {
		unsigned char *buf;
		struct iovec iov = { .iov_base = NULL, .iov_len = 0 };
		struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t len = bpfsys_nl_real_recvmsg(fd, &m, MSG_PEEK | MSG_TRUNC);

		if (len <= 0)
			break; /* the caller's recv will see the same */
		buf = malloc((size_t)len);
		if (!buf)
			break;
		iov = (struct iovec){ .iov_base = buf, .iov_len = (size_t)len };
		len = bpfsys_nl_real_recvmsg(fd, &m, 0);
		if (len > 0)
			done = rewrite_dgram(fd, buf, (size_t)len, ports, n);
		free(buf);
		if (len <= 0)
			break;
	}
	return 1;
}
