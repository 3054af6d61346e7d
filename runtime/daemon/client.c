// SPDX-License-Identifier: MIT
/*
 * client.c - the client side of uxdpd's control socket
 * (uxdp/daemon_client.h, docs/daemon-protocol.md).
 *
 * One request, one reply, on a SOCK_SEQPACKET connection.  A connection's
 * lock serialises the request/reply pairs of the threads sharing it.
 * Nothing here touches process-wide state: no signal disposition (sends
 * use MSG_NOSIGNAL), descriptors close-on-exec, no globals.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <uxdp/daemon_client.h>
#include <uxdp/errmsg.h>

#include "fdpass.h"

#define DEFAULT_TIMEOUT_MS 120000u

struct uxdp_daemon {
	int fd;
	uint32_t seq;
	unsigned int timeout_ms;
	pthread_mutex_t lock;
	struct uxdp_dmsg_hello hello;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
};

static bool good_instance(const char *s)
{
	const char *c;

	if (!*s || strlen(s) >= UXDP_DNAME_LEN)
		return false;
	for (c = s; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '_' || *c == '-'))
			return false;
	return true;
}

int uxdp_daemon_default_path(const char *instance, char *buf, size_t size)
{
	const char *env = secure_getenv("UXDP_DAEMON_SOCKET");
	const char *inst = instance ? instance : "default";
	int n;

	if (env && *env && !instance)
		n = snprintf(buf, size, "%s", env);
	else if (!good_instance(inst))
		return -EINVAL;
	else
		n = snprintf(buf, size, UXDP_DAEMON_RUN_DIR "/%s.sock", inst);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* Send one message, with fd passed if fd >= 0. */
static int send_msg(int sock, const struct uxdp_dmsg_hdr *h, const void *payload, int fd)
{
	struct iovec iov[2] = {
		{ .iov_base = (void *)h, .iov_len = sizeof(*h) },
		{ .iov_base = (void *)payload, .iov_len = h->len },
	};
	union uxdp_fdpass_buf c;
	struct msghdr m = { .msg_iov = iov, .msg_iovlen = h->len ? 2 : 1 };
	ssize_t n;

	if (fd >= 0)
		uxdp_fdpass_put(&m, &c, fd);
	do
		n = sendmsg(sock, &m, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return (size_t)n == sizeof(*h) + h->len ? 0 : -EMSGSIZE;
}

/* Wait for and read one reply into buf (UXDP_DMSG_MAX bytes), and the descriptor it carried. */
static int recv_reply(struct uxdp_daemon *d, uint8_t *buf, size_t *len, int *fd)
{
	struct pollfd p = { .fd = d->fd, .events = POLLIN };
	union {
		char buf[CMSG_SPACE(sizeof(int) * 4)];
		struct cmsghdr align;
	} cb;
	struct iovec iov = { .iov_base = buf, .iov_len = UXDP_DMSG_MAX };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;
	int r;

	*fd = -1;
	do
		r = poll(&p, 1, (int)d->timeout_ms);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	if (r == 0)
		return -ETIMEDOUT;
	do {
		m.msg_control = cb.buf;
		m.msg_controllen = sizeof(cb.buf);
		n = recvmsg(d->fd, &m, MSG_CMSG_CLOEXEC);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	*fd = uxdp_fdpass_take(&m);
	if (n == 0)
		return -ECONNRESET;
	/* A descriptor the kernel could not give us (RLIMIT_NOFILE): the reply is no use. */
	if (m.msg_flags & MSG_CTRUNC)
		return -EMFILE;
	*len = (size_t)n;
	return 0;
}

/*
 * One request/reply.  On success the reply's payload (at most out_cap
 * bytes of it) is copied to out and its length to *out_len, and a
 * descriptor the reply carries to *fd_out (NULL: closed).  A refusal is
 * the daemon's status with its message in err.
 */
static int call_fd(struct uxdp_daemon *d, uint16_t op, const void *req, uint32_t req_len, int fd,
		   void *out, size_t out_cap, size_t *out_len, int *out_fd, char *err,
		   size_t err_size)
{
	struct uxdp_dmsg_hdr h = { .magic = UXDP_DMSG_MAGIC, .version = UXDP_DPROTO_VERSION,
				   .op = op, .len = req_len };
	const struct uxdp_dmsg_hdr *r;
	uint8_t *buf = malloc(UXDP_DMSG_MAX);
	size_t len = 0, plen;
	int ret, rfd = -1;

	if (out_fd)
		*out_fd = -1;
	if (!buf)
		return uxdp_errmsg(err, err_size, -ENOMEM, "out of memory");
	pthread_mutex_lock(&d->lock);
	h.seq = ++d->seq;
	ret = send_msg(d->fd, &h, req, fd);
	if (ret) {
		uxdp_errmsg(err, err_size, ret, "%s: sending a request: %s", d->path,
			    strerror(-ret));
		goto out;
	}
	/* Replies come in order; one for an older request (after a timeout) is skipped. */
	do {
		if (rfd >= 0)
			close(rfd);
		ret = recv_reply(d, buf, &len, &rfd);
		r = (const void *)buf;
	} while (!ret && len >= sizeof(*r) && r->magic == UXDP_DMSG_MAGIC && r->seq != h.seq);
	if (ret) {
		uxdp_errmsg(err, err_size, ret, "%s: %s", d->path,
			    ret == -ECONNRESET ? "the daemon closed the connection"
					       : strerror(-ret));
		goto out;
	}
	if (len < sizeof(*r) || r->magic != UXDP_DMSG_MAGIC || r->len != len - sizeof(*r) ||
	    r->op != op) {
		ret = uxdp_errmsg(err, err_size, -EPROTO, "%s: malformed reply", d->path);
		goto out;
	}
	plen = r->len;
	if (r->status < 0) {
		const char *msg = (const char *)(r + 1);

		ret = r->status;
		if (plen && memchr(msg, 0, plen) && *msg)
			uxdp_errmsg(err, err_size, ret, "%s", msg);
		else
			uxdp_errmsg(err, err_size, ret, "uxdpd: %s", strerror(-ret));
		goto out;
	}
	if (out)
		memcpy(out, r + 1, plen < out_cap ? plen : out_cap);
	if (out_len)
		*out_len = plen;
	if (out_fd) {
		*out_fd = rfd;
		rfd = -1;
	}
	ret = 0;
out:
	pthread_mutex_unlock(&d->lock);
	if (rfd >= 0) /* one nobody asked for */
		close(rfd);
	free(buf);
	return ret;
}

static int call(struct uxdp_daemon *d, uint16_t op, const void *req, uint32_t req_len, int fd,
		void *out, size_t out_cap, size_t *out_len, char *err, size_t err_size)
{
	return call_fd(d, op, req, req_len, fd, out, out_cap, out_len, NULL, err, err_size);
}

int uxdp_daemon_connect(const char *path, struct uxdp_daemon **out, char *err, size_t err_size)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct uxdp_daemon *d;
	size_t len = 0;
	int ret;

	*out = NULL;
	if (!path) {
		ret = uxdp_daemon_default_path(NULL, a.sun_path, sizeof(a.sun_path));
		if (ret)
			return uxdp_errmsg(err, err_size, ret, "uxdpd socket: %s", strerror(-ret));
	} else if (snprintf(a.sun_path, sizeof(a.sun_path), "%s", path) >=
		   (int)sizeof(a.sun_path)) {
		return uxdp_errmsg(err, err_size, -ENAMETOOLONG, "%s: socket path too long", path);
	}
	d = calloc(1, sizeof(*d));
	if (!d)
		return uxdp_errmsg(err, err_size, -ENOMEM, "out of memory");
	memcpy(d->path, a.sun_path, sizeof(d->path));
	d->timeout_ms = DEFAULT_TIMEOUT_MS;
	pthread_mutex_init(&d->lock, NULL);
	d->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (d->fd < 0) {
		ret = uxdp_errmsg(err, err_size, -errno, "socket: %s", strerror(errno));
		goto fail;
	}
	if (connect(d->fd, (struct sockaddr *)&a, sizeof(a))) {
		ret = -errno;
		if (ret == -ENOENT || ret == -ECONNREFUSED)
			uxdp_errmsg(err, err_size, ret, "%s: no uxdpd listens there (%s)", d->path,
				    strerror(-ret));
		else if (ret == -EACCES || ret == -EPERM)
			uxdp_errmsg(
			    err, err_size, ret,
			    "%s: permission denied (the socket's owner and group decide who may "
			    "control the daemon)",
			    d->path);
		else
			uxdp_errmsg(err, err_size, ret, "%s: %s", d->path, strerror(-ret));
		goto fail;
	}
	ret = call(d, UXDP_DOP_HELLO, NULL, 0, -1, &d->hello, sizeof(d->hello), &len, err,
		   err_size);
	if (ret)
		goto fail;
	if (len < sizeof(d->hello) || d->hello.version != UXDP_DPROTO_VERSION) {
		ret = uxdp_errmsg(err, err_size, -EPROTONOSUPPORT,
				  "%s: the daemon speaks protocol version %u, this client %u",
				  d->path, len >= sizeof(uint32_t) ? d->hello.version : 0,
				  UXDP_DPROTO_VERSION);
		goto fail;
	}
	*out = d;
	return 0;
fail:
	uxdp_daemon_close(d);
	return ret;
}

void uxdp_daemon_close(struct uxdp_daemon *d)
{
	if (!d)
		return;
	if (d->fd >= 0)
		close(d->fd);
	pthread_mutex_destroy(&d->lock);
	free(d);
}

void uxdp_daemon_set_timeout(struct uxdp_daemon *d, unsigned int timeout_ms)
{
	d->timeout_ms = timeout_ms ? timeout_ms : DEFAULT_TIMEOUT_MS;
}

const struct uxdp_dmsg_hello *uxdp_daemon_hello(const struct uxdp_daemon *d)
{
	return &d->hello;
}

/* PROG_LOAD; with ref_fd, UXDP_LOAD_F_REF and the reference the reply carries. */
static int load(struct uxdp_daemon *d, const struct uxdp_daemon_load_opts *o, uint32_t *id,
		int *ref_fd, char *err, size_t err_size)
{
	struct uxdp_dmsg_load *req = calloc(1, sizeof(*req));
	struct uxdp_dmsg_id r = { 0 };
	size_t len = 0;
	int ret, fd = -1, rfd = -1;

	if (ref_fd)
		*ref_fd = -1;
	if (!req)
		return uxdp_errmsg(err, err_size, -ENOMEM, "out of memory");
	req->flags = o->flags | (ref_fd ? UXDP_LOAD_F_REF : 0);
	req->opt_level = o->set_opt_level ? (uint32_t)o->opt_level : UINT32_MAX;
	if (o->prog && snprintf(req->prog, sizeof(req->prog), "%s", o->prog) >=
			       (int)sizeof(req->prog)) {
		ret = uxdp_errmsg(err, err_size, -ENAMETOOLONG, "program name '%s' too long",
				  o->prog);
		goto out;
	}
	if (o->path) {
		/* The daemon resolves nothing relative to its own directory. */
		if (!realpath(o->path, req->path)) {
			ret =
			    uxdp_errmsg(err, err_size, -errno, "%s: %s", o->path, strerror(errno));
			goto out;
		}
	} else if (o->fd >= 0) {
		fd = o->fd;
	} else {
		ret = uxdp_errmsg(err, err_size, -EINVAL, "load: neither a path nor a descriptor");
		goto out;
	}
	ret = call_fd(d, UXDP_DOP_PROG_LOAD, req, sizeof(*req), fd, &r, sizeof(r), &len,
		      ref_fd ? &rfd : NULL, err, err_size);
	if (!ret && len < sizeof(r))
		ret = uxdp_errmsg(err, err_size, -EPROTO, "%s: short reply to load", d->path);
	if (!ret && ref_fd && rfd < 0)
		ret = uxdp_errmsg(err, err_size, -EPROTO,
				  "%s: no program reference in the reply to load (a daemon older "
				  "than protocol revision 1.2?)", d->path);
	if (!ret)
		*id = r.id;
	if (ref_fd) {
		if (ret && rfd >= 0)
			close(rfd);
		*ref_fd = ret ? -1 : rfd;
	}
out:
	free(req);
	return ret;
}

int uxdp_daemon_prog_load(struct uxdp_daemon *d, const struct uxdp_daemon_load_opts *o,
			  uint32_t *id, char *err, size_t err_size)
{
	return load(d, o, id, NULL, err, err_size);
}

int uxdp_daemon_prog_load_ref(struct uxdp_daemon *d, const struct uxdp_daemon_load_opts *o,
			      uint32_t *id, int *ref_fd, char *err, size_t err_size)
{
	return load(d, o, id, ref_fd, err, err_size);
}

int uxdp_daemon_prog_unload(struct uxdp_daemon *d, uint32_t id, char *err, size_t err_size)
{
	struct uxdp_dmsg_id req = { .id = id };

	return call(d, UXDP_DOP_PROG_UNLOAD, &req, sizeof(req), -1, NULL, 0, NULL, err, err_size);
}

static int attach_call(struct uxdp_daemon *d, uint16_t op, uint32_t id, uint32_t ifindex,
		       uint32_t old_id, uint32_t flags, char *err, size_t err_size)
{
	struct uxdp_dmsg_attach req = {
		.prog_id = id, .ifindex = ifindex, .old_prog_id = old_id, .flags = flags,
	};

	return call(d, op, &req, sizeof(req), -1, NULL, 0, NULL, err, err_size);
}

/* A reply of struct uxdp_dmsg_id with a link reference: both, or -EPROTO. */
static int link_reply(struct uxdp_daemon *d, int ret, const struct uxdp_dmsg_id *r, size_t len,
		      int fd, uint32_t *link_id, int *ref_fd, char *err, size_t err_size)
{
	if (!ret && (len < sizeof(*r) || !r->id || fd < 0))
		ret = uxdp_errmsg(err, err_size, -EPROTO,
				  "%s: no link id and reference in the reply (a daemon older than "
				  "protocol revision 1.2?)",
				  d->path);
	if (ret && fd >= 0)
		close(fd);
	if (link_id)
		*link_id = ret ? 0 : r->id;
	*ref_fd = ret ? -1 : fd;
	return ret;
}

int uxdp_daemon_link_attach(struct uxdp_daemon *d, uint32_t id, uint32_t ifindex,
			    uint32_t *link_id, int *ref_fd, char *err, size_t err_size)
{
	struct uxdp_dmsg_attach req = { .prog_id = id, .ifindex = ifindex,
					.flags = UXDP_ATTACH_F_LINK };
	struct uxdp_dmsg_id r = { 0 };
	size_t len = 0;
	int fd = -1;
	int ret = call_fd(d, UXDP_DOP_PROG_ATTACH, &req, sizeof(req), -1, &r, sizeof(r), &len,
			  &fd, err, err_size);

	return link_reply(d, ret, &r, len, fd, link_id, ref_fd, err, err_size);
}

int uxdp_daemon_link_open(struct uxdp_daemon *d, uint32_t link_id, int *ref_fd, char *err,
			  size_t err_size)
{
	struct uxdp_dmsg_id req = { .id = link_id }, r = { 0 };
	size_t len = 0;
	int fd = -1;
	int ret = call_fd(d, UXDP_DOP_LINK_OPEN, &req, sizeof(req), -1, &r, sizeof(r), &len, &fd,
			  err, err_size);

	return link_reply(d, ret, &r, len, fd, NULL, ref_fd, err, err_size);
}

int uxdp_daemon_link_info(struct uxdp_daemon *d, uint32_t link_id,
			  struct uxdp_dmsg_link_info *info, char *err, size_t err_size)
{
	struct uxdp_dmsg_id req = { .id = link_id };
	size_t len = 0;
	int ret;

	memset(info, 0, sizeof(*info));
	ret = call(d, UXDP_DOP_LINK_INFO, &req, sizeof(req), -1, info, sizeof(*info), &len, err,
		   err_size);
	if (!ret && len < sizeof(*info))
		ret = uxdp_errmsg(err, err_size, -EPROTO, "%s: short reply to link info", d->path);
	return ret;
}

int uxdp_daemon_prog_open(struct uxdp_daemon *d, uint32_t id, int *ref_fd, char *err,
			  size_t err_size)
{
	struct uxdp_dmsg_id req = { .id = id }, r = { 0 };
	size_t len = 0;
	int fd = -1;
	int ret = call_fd(d, UXDP_DOP_PROG_OPEN, &req, sizeof(req), -1, &r, sizeof(r), &len, &fd,
			  err, err_size);

	if (!ret && (len < sizeof(r) || r.id != id || fd < 0))
		ret = uxdp_errmsg(err, err_size, -EPROTO,
				  "%s: no program reference in the reply (a daemon older than "
				  "protocol revision 1.2?)", d->path);
	if (ret && fd >= 0)
		close(fd);
	*ref_fd = ret ? -1 : fd;
	return ret;
}

int uxdp_daemon_pin(struct uxdp_daemon *d, uint32_t kind, uint32_t id, int path_fd, char *err,
		    size_t err_size)
{
	struct uxdp_dmsg_pin req = { .kind = kind, .id = id };

	return call(d, UXDP_DOP_PIN, &req, sizeof(req), path_fd, NULL, 0, NULL, err, err_size);
}

int uxdp_daemon_link_update(struct uxdp_daemon *d, uint32_t link_id, uint32_t ifindex,
			    uint32_t old_id, uint32_t new_id, char *err, size_t err_size)
{
	struct uxdp_dmsg_attach req = { .prog_id = new_id, .ifindex = ifindex,
					.old_prog_id = old_id, .link_id = link_id };

	return call(d, UXDP_DOP_PROG_REPLACE, &req, sizeof(req), -1, NULL, 0, NULL, err, err_size);
}

int uxdp_daemon_link_detach(struct uxdp_daemon *d, uint32_t link_id, uint32_t ifindex, char *err,
			    size_t err_size)
{
	struct uxdp_dmsg_attach req = { .ifindex = ifindex, .link_id = link_id };

	return call(d, UXDP_DOP_PROG_DETACH, &req, sizeof(req), -1, NULL, 0, NULL, err, err_size);
}

int uxdp_daemon_prog_attach(struct uxdp_daemon *d, uint32_t id, uint32_t ifindex,
			    uint32_t flags, char *err, size_t err_size)
{
	return attach_call(d, UXDP_DOP_PROG_ATTACH, id, ifindex, 0, flags, err, err_size);
}

int uxdp_daemon_prog_detach(struct uxdp_daemon *d, uint32_t ifindex, uint32_t expected_id,
			    char *err, size_t err_size)
{
	return attach_call(d, UXDP_DOP_PROG_DETACH, expected_id, ifindex, 0, 0, err, err_size);
}

int uxdp_daemon_prog_replace(struct uxdp_daemon *d, uint32_t ifindex, uint32_t old_id,
			     uint32_t new_id, char *err, size_t err_size)
{
	return attach_call(d, UXDP_DOP_PROG_REPLACE, new_id, ifindex, old_id, 0, err, err_size);
}

/* A reply that is an array of elem-sized records. */
static int list_call(struct uxdp_daemon *d, uint16_t op, const void *req, uint32_t req_len,
		     void *out, size_t elem, size_t cap, size_t *n, char *err, size_t err_size)
{
	size_t len = 0;
	int ret = call(d, op, req, req_len, -1, out, cap * elem, &len, err, err_size);

	if (ret)
		return ret;
	if (len % elem)
		return uxdp_errmsg(err, err_size, -EPROTO, "%s: malformed list reply", d->path);
	*n = len / elem;
	return 0;
}

int uxdp_daemon_prog_list(struct uxdp_daemon *d, uint32_t flags, uint32_t *ids, size_t cap,
			  size_t *n, char *err, size_t err_size)
{
	struct uxdp_dmsg_list req = { .flags = flags };

	return list_call(d, UXDP_DOP_PROG_LIST, &req, sizeof(req), ids, sizeof(*ids), cap, n, err,
			 err_size);
}

int uxdp_daemon_link_list(struct uxdp_daemon *d, uint32_t *ids, size_t cap, size_t *n, char *err,
			  size_t err_size)
{
	return list_call(d, UXDP_DOP_LINK_LIST, NULL, 0, ids, sizeof(*ids), cap, n, err, err_size);
}

int uxdp_daemon_prog_info(struct uxdp_daemon *d, uint32_t id, struct uxdp_dmsg_prog_info *info,
			  char *err, size_t err_size)
{
	struct uxdp_dmsg_id req = { .id = id };
	size_t len = 0;
	int ret;

	memset(info, 0, sizeof(*info));
	ret = call(d, UXDP_DOP_PROG_INFO, &req, sizeof(req), -1, info, sizeof(*info), &len, err,
		   err_size);
	/* A daemon of revision 1.0 sends no links and map ids: they read 0. */
	if (!ret && len < UXDP_DMSG_PROG_INFO_V1_0)
		ret = uxdp_errmsg(err, err_size, -EPROTO, "%s: short reply to info", d->path);
	return ret;
}

int uxdp_daemon_prog_object(struct uxdp_daemon *d, uint32_t id, struct uxdp_dmsg_prog_object *o,
			    int *fd, char *err, size_t err_size)
{
	struct uxdp_dmsg_id req = { .id = id };
	size_t len = 0;
	int ret;

	memset(o, 0, sizeof(*o));
	ret = call_fd(d, UXDP_DOP_PROG_OBJECT, &req, sizeof(req), -1, o, sizeof(*o), &len, fd,
		      err, err_size);
	if (!ret && (len < sizeof(*o) || *fd < 0)) {
		if (*fd >= 0)
			close(*fd);
		*fd = -1;
		ret = uxdp_errmsg(err, err_size, -EPROTO, "%s: reply to PROG_OBJECT without %s",
				  d->path, len < sizeof(*o) ? "its record" : "a descriptor");
	}
	return ret;
}

int uxdp_daemon_port_list(struct uxdp_daemon *d, struct uxdp_dmsg_port *ports, size_t cap,
			  size_t *n, char *err, size_t err_size)
{
	return list_call(d, UXDP_DOP_PORT_LIST, NULL, 0, ports, sizeof(*ports), cap, n, err,
			 err_size);
}
