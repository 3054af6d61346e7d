// SPDX-License-Identifier: MIT
/*
 * nlqueue.c - the answers netlink.c and nlquery.c make for a netlink
 * socket wait here, one queue per socket, and recv(), recvfrom() and
 * recvmsg() (interposed) serve them before the kernel's, with MSG_PEEK and
 * MSG_TRUNC as the kernel has them.  poll() and epoll do not see these
 * queues: a program that polls before reading is not served (libbpf and
 * iproute2 read without polling).  A socket without a queue, which is
 * every socket but those, goes to libc untouched.
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

void bpfsys_nl_enqueue(int fd, const void *data, size_t len)
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

long bpfsys_nl_real_sendmsg(int fd, const struct msghdr *msg, int flags)
{
	return real_sendmsg(fd, msg, flags);
}

long bpfsys_nl_real_recvmsg(int fd, struct msghdr *msg, int flags)
{
	return real_recvmsg(fd, msg, flags);
}

BPFSYS_EXPORT ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
	ssize_t r = __atomic_load_n(&queues, __ATOMIC_ACQUIRE) && msg ? dequeue(fd, msg, flags) : -1;

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
