// SPDX-License-Identifier: MIT
/*
 * server.c - uxdpd's control socket (docs/daemon-protocol.md).
 *
 * One thread polls the listening socket and the connections and answers
 * one request at a time, so the registry sees one change at a time (a
 * compile on load holds up the others meanwhile).  Who may connect is the
 * socket file's business: mode 0660, owned by the daemon's user and
 * --socket-group.  A connection is a holder of the programs it loaded
 * without a pin or a reference (registry_drop_holder() when it closes).
 *
 * Links and programs are held the kernel's way, by descriptors and pins.
 * Each reference is a socket pair: the daemon keeps one end among its
 * connections and hands the other out (SCM_RIGHTS), bound to an abstract
 * name that says which link or program it is; when every copy of that end
 * is closed (close, exit, SIGKILL: the kernel closes them all) the daemon
 * reads EOF and drops the reference (a program reference is a holder of
 * its program, as a connection is).  Before each request the references
 * are looked at, so that a request sees every close that came before it,
 * as bpf(2) after close(2) does.  A pin is an O_PATH descriptor of the pin's
 * file, looked at on every turn of the loop: once the file has no name
 * left (rm), the pin is dropped.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <libgen.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <uxdp/clock.h>
#include <uxdp/errmsg.h>

#include "daemon.h"
#include "fdpass.h"

#define MAX_CONNS 512 /* control connections and link references */
#define MAX_PINS 1024
#define POLL_MS 100 /* how often the thread looks at the stop flag and the pins */

struct conn {
	int fd;            /* -1: a reference found closed (sweep_refs), to be dropped */
	uint64_t id;       /* a holder id (registry_drop_holder), for a program reference too */
	uint32_t link_ref; /* not 0: a reference to this link, not a control connection */
	uint32_t prog_ref; /* not 0: a reference to this program, not a control connection */
};

struct pin_hold {
	int fd; /* O_PATH of the pin's file */
	uint32_t kind, id;
};

struct server {
	struct uxdpd *d;
	int listen_fd;
	struct conn c[MAX_CONNS];
	unsigned int n;
	uint64_t next_id;
	uint64_t boot_nonce;       /* HELLO's: this daemon, not the next */
	struct pin_hold pins[MAX_PINS];
	unsigned int n_pins;
	struct pollfd sweep[MAX_CONNS];
	pthread_t thread;
	volatile int stop;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	uint8_t req[UXDP_DMSG_MAX], rep[UXDP_DMSG_MAX];
};

/* One reply message; pass_fd >= 0 goes with it (SCM_RIGHTS). */
static void reply_fd(struct server *s, int fd, const struct uxdp_dmsg_hdr *req, int status,
		     const void *payload, size_t len, int pass_fd)
{
	struct uxdp_dmsg_hdr *h = (void *)s->rep;
	union uxdp_fdpass_buf cb;
	struct iovec iov = { .iov_base = s->rep };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (len > UXDP_DMSG_MAX - sizeof(*h))
		len = UXDP_DMSG_MAX - sizeof(*h);
	memset(h, 0, sizeof(*h));
	h->magic = UXDP_DMSG_MAGIC;
	h->version = UXDP_DPROTO_VERSION;
	h->op = req->op;
	h->seq = req->seq;
	h->status = status;
	h->len = (uint32_t)len;
	if (len && payload != h + 1)
		memmove(h + 1, payload, len);
	iov.iov_len = sizeof(*h) + len;
	if (pass_fd >= 0)
		uxdp_fdpass_put(&m, &cb, pass_fd);
	/* A client that does not read gets its connection closed by the send timeout. */
	sendmsg(fd, &m, MSG_NOSIGNAL);
}

static void reply(struct server *s, int fd, const struct uxdp_dmsg_hdr *req, int status,
		  const void *payload, size_t len)
{
	reply_fd(s, fd, req, status, payload, len, -1);
}

static void reply_err(struct server *s, int fd, const struct uxdp_dmsg_hdr *req, int status,
		      const char *msg)
{
	reply(s, fd, req, status < 0 ? status : -EIO, msg, strlen(msg) + 1);
}

/* Copy a request payload into a zeroed struct: shorter ones are zero-extended. */
static void take(void *dst, size_t size, const struct uxdp_dmsg_hdr *h)
{
	memset(dst, 0, size);
	memcpy(dst, h + 1, h->len < size ? h->len : size);
}

/* What a reference stands for: a link (counted in the registry), or a program holder. */
struct ref {
	uint32_t link_id, prog_id;
	uint64_t holder; /* prog_id's holder in the registry (the reference's conn id) */
};

static bool is_ref(const struct conn *c)
{
	return c->link_ref || c->prog_ref;
}

/* The registry's count for r goes (a reference that was not made, or closed). */
static void put_ref(struct server *s, const struct ref *r)
{
	if (r->link_id)
		registry_link_put(s->d, r->link_id);
	else if (r->holder)
		registry_drop_holder(s->d, r->holder);
}

/*
 * A new reference to r (already counted in the registry): the end the
 * daemon keeps joins the connections, the other is returned, bound to
 * UXDP_LINK_REF_PREFIX or UXDP_PROG_REF_PREFIX "<instance>:<id>:<nonce>"
 * so that whoever holds it can tell which link or program it is
 * (getsockname) without asking.
 */
static int make_ref(struct server *s, const struct ref *r, int *user_fd, char *err,
		    size_t err_size)
{
	const char *prefix = r->link_id ? UXDP_LINK_REF_PREFIX : UXDP_PROG_REF_PREFIX;
	uint32_t obj_id = r->link_id ? r->link_id : r->prog_id;
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int sv[2], ret = 0;
	uint64_t nonce;

	if (s->n == MAX_CONNS)
		return uxdp_errmsg(err, err_size, -EMFILE, "too many connections and link "
				   "descriptors (%d)", MAX_CONNS);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return uxdp_errmsg(err, err_size, -errno, "socketpair: %s", strerror(errno));
	for (int tries = 0; tries < 8; tries++) {
		int n;

		if (getrandom(&nonce, sizeof(nonce), 0) != sizeof(nonce))
			nonce = ((uint64_t)getpid() << 32) ^ (uint64_t)s->next_id ^ (uint64_t)tries;
		n = snprintf(a.sun_path + 1, sizeof(a.sun_path) - 1,
			     "%s%s:%u:%016llx", prefix, s->d->instance, obj_id,
			     (unsigned long long)nonce);
		if (n < 0 || n >= (int)sizeof(a.sun_path) - 1) {
			ret = -ENAMETOOLONG; /* instance names are short enough: not reached */
			break;
		}
		ret = bind(sv[1], (struct sockaddr *)&a,
			   (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n)) ? -errno : 0;
		if (ret != -EADDRINUSE)
			break;
	}
	if (ret) {
		close(sv[0]);
		close(sv[1]);
		return uxdp_errmsg(err, err_size, ret, "a reference: bind: %s", strerror(-ret));
	}
	shutdown(sv[0], SHUT_WR); /* the holder reads nothing from it */
	s->c[s->n].fd = sv[0];
	s->c[s->n].id = r->link_id ? ++s->next_id : r->holder;
	s->c[s->n].link_ref = r->link_id;
	s->c[s->n].prog_ref = r->link_id ? 0 : r->prog_id;
	s->n++;
	*user_fd = sv[1];
	return 0;
}

/* The reply to a request that made a reference: the link's or program's id and the descriptor. */
static void reply_ref(struct server *s, struct conn *c, const struct uxdp_dmsg_hdr *h,
		      const struct ref *r, int ret, char *err, size_t err_size)
{
	struct uxdp_dmsg_id id = { .id = r->link_id ? r->link_id : r->prog_id };
	int fd = -1;

	ret = ret ?: make_ref(s, r, &fd, err, err_size);
	if (ret)
		put_ref(s, r); /* the reference it would have been */
	if (ret) {
		reply_err(s, c->fd, h, ret, err);
		return;
	}
	reply_fd(s, c->fd, h, 0, &id, sizeof(id), fd);
	close(fd);
}

static void do_load(struct server *s, struct conn *c, const struct uxdp_dmsg_hdr *h, int fd)
{
	struct uxdp_dmsg_load *l = malloc(sizeof(*l));
	struct uxdp_dmsg_id id = { 0 };
	struct load_req r = { .fd = fd, .holder = c->id };
	struct ref ref = { 0 };
	char err[1024];
	int ret;

	if (!l) {
		reply_err(s, c->fd, h, -ENOMEM, "out of memory");
		return;
	}
	take(l, sizeof(*l), h);
	l->path[sizeof(l->path) - 1] = 0;
	l->prog[sizeof(l->prog) - 1] = 0;
	r.path = l->path[0] ? l->path : NULL;
	r.prog = l->prog[0] ? l->prog : NULL;
	r.flags = l->flags;
	r.opt_level = l->opt_level == UINT32_MAX ? -1 : (int)(l->opt_level > 9 ? 9 : l->opt_level);
	/* With REF the program's first holder is the reference, not this connection. */
	if (l->flags & UXDP_LOAD_F_REF)
		r.holder = ref.holder = ++s->next_id;
	if (l->flags & ~UXDP_LOAD_F_ALL)
		ret = uxdp_errmsg(err, sizeof(err), -EINVAL, "load: unknown flags %#x", l->flags);
	else if ((l->flags & UXDP_LOAD_F_REF) && (l->flags & UXDP_LOAD_F_PIN))
		ret = uxdp_errmsg(err, sizeof(err), -EINVAL,
				  "load: PIN and REF: a pinned program is held by no reference");
	else if (!r.path && fd < 0)
		ret = uxdp_errmsg(err, sizeof(err), -EINVAL,
				  "load: no path and no descriptor passed");
	else
		ret = registry_load(s->d, &r, &id.id, err, sizeof(err));
	ref.prog_id = id.id;
	if (ret)
		reply_err(s, c->fd, h, ret, err);
	else if (ref.holder)
		reply_ref(s, c, h, &ref, 0, err, sizeof(err));
	else
		reply(s, c->fd, h, 0, &id, sizeof(id));
	free(l);
}

static void do_link_open(struct server *s, struct conn *c, const struct uxdp_dmsg_hdr *h)
{
	struct uxdp_dmsg_id id;
	char err[256];
	int ret;

	take(&id, sizeof(id), h);
	ret = registry_link_get(s->d, id.id, err, sizeof(err));
	if (ret)
		reply_err(s, c->fd, h, ret, err);
	else
		reply_ref(s, c, h, &(struct ref){ .link_id = id.id }, 0, err, sizeof(err));
}

/* PROG_OPEN: a new reference holds the loaded program (-ENOENT: not loaded). */
static void do_prog_open(struct server *s, struct conn *c, const struct uxdp_dmsg_hdr *h)
{
	struct uxdp_dmsg_id id;
	struct ref r;
	char err[256];
	int ret;

	take(&id, sizeof(id), h);
	r = (struct ref){ .prog_id = id.id, .holder = ++s->next_id };
	ret = registry_hold(s->d, id.id, r.holder, err, sizeof(err));
	if (ret)
		reply_err(s, c->fd, h, ret, err);
	else
		reply_ref(s, c, h, &r, 0, err, sizeof(err));
}

static void do_link_info(struct server *s, struct conn *c, const struct uxdp_dmsg_hdr *h)
{
	struct uxdp_dmsg_link_info info;
	struct uxdp_dmsg_id id;
	char err[256];
	int ret;

	take(&id, sizeof(id), h);
	ret = registry_link_info(s->d, id.id, &info, err, sizeof(err));
	if (ret)
		reply_err(s, c->fd, h, ret, err);
	else
		reply(s, c->fd, h, 0, &info, sizeof(info));
}

/* PIN: the passed descriptor (O_PATH of the pin) holds the object while its file has a name. */
static void do_pin(struct server *s, struct conn *c, const struct uxdp_dmsg_hdr *h, int *fd)
{
	struct uxdp_dmsg_pin p;
	struct stat st;
	char err[256];
	int ret = 0;

	take(&p, sizeof(p), h);
	if (*fd < 0 || fstat(*fd, &st))
		ret = uxdp_errmsg(err, sizeof(err), -EBADF, "pin: no descriptor of the pin's file");
	else if (s->n_pins == MAX_PINS)
		ret = uxdp_errmsg(err, sizeof(err), -ENOSPC, "too many pins (%d)", MAX_PINS);
	ret = ret ?: registry_pin(s->d, p.kind, p.id, err, sizeof(err));
	if (ret == -ENOENT && p.kind == UXDP_PIN_PROG)
		uxdp_errmsg(err, sizeof(err), ret, "no loaded program with id %u", p.id);
	if (ret) {
		reply_err(s, c->fd, h, ret, err);
		return;
	}
	s->pins[s->n_pins++] = (struct pin_hold){ .fd = *fd, .kind = p.kind, .id = p.id };
	*fd = -1; /* kept */
	reply(s, c->fd, h, 0, NULL, 0);
}

/* The pins whose file lost its last name (rm) are dropped. */
static void check_pins(struct server *s)
{
	struct stat st;

	for (unsigned int i = s->n_pins; i-- > 0;) {
		if (!fstat(s->pins[i].fd, &st) && st.st_nlink)
			continue;
		close(s->pins[i].fd);
		registry_unpin(s->d, s->pins[i].kind, s->pins[i].id);
		s->pins[i] = s->pins[--s->n_pins];
	}
}

static void do_attach_op(struct server *s, struct conn *c, const struct uxdp_dmsg_hdr *h)
{
	struct uxdp_dmsg_attach a;
	struct uxdp_dmsg_id link = { 0 };
	char err[1024];
	int ret;

	take(&a, sizeof(a), h);
	if ((a.flags & ~UXDP_ATTACH_F_ALL) ||
	    ((a.flags & UXDP_ATTACH_F_LINK) && h->op != UXDP_DOP_PROG_ATTACH))
		ret = uxdp_errmsg(err, sizeof(err), -EINVAL, "unknown attach flags %#x", a.flags);
	else if (a.link_id && h->op == UXDP_DOP_PROG_ATTACH)
		ret = uxdp_errmsg(err, sizeof(err), -EINVAL,
				  "attach: link_id names an existing link (update or detach it)");
	else if (h->op == UXDP_DOP_PROG_ATTACH)
		ret = registry_attach(s->d, &a, &link.id, err, sizeof(err));
	else if (h->op == UXDP_DOP_PROG_DETACH)
		ret = registry_detach(s->d, &a, err, sizeof(err));
	else
		ret = registry_replace(s->d, &a, err, sizeof(err));
	if (!ret && link.id)
		reply_ref(s, c, h, &(struct ref){ .link_id = link.id }, 0, err, sizeof(err));
	else if (ret)
		reply_err(s, c->fd, h, ret, err);
	else
		reply(s, c->fd, h, 0, NULL, 0);
}

static void do_hello(struct server *s, struct conn *c, const struct uxdp_dmsg_hdr *h)
{
	struct uxdp_dmsg_hello r = { .version = UXDP_DPROTO_VERSION, .pid = (int32_t)getpid() };

	snprintf(r.instance, sizeof(r.instance), "%s", s->d->instance);
	snprintf(r.driver, sizeof(r.driver), "%s", s->d->driver);
	r.n_ports = uxdp_dp_ports(s->d->dp);
	r.n_workers = uxdp_dp_workers(s->d->dp);
	r.boot_nonce = s->boot_nonce;
	reply(s, c->fd, h, 0, &r, sizeof(r));
}

/* The reply is built in place after the header (no copy). */
static void do_list(struct server *s, struct conn *c, const struct uxdp_dmsg_hdr *h)
{
	uint32_t *ids = (uint32_t *)(s->rep + sizeof(struct uxdp_dmsg_hdr));
	size_t cap = (UXDP_DMSG_MAX - sizeof(struct uxdp_dmsg_hdr)) / sizeof(*ids), n;
	struct uxdp_dmsg_list l;

	take(&l, sizeof(l), h);
	n = registry_list(s->d, l.flags, ids, cap);
	reply(s, c->fd, h, 0, ids, (n < cap ? n : cap) * sizeof(*ids));
}

static void do_info(struct server *s, struct conn *c, const struct uxdp_dmsg_hdr *h)
{
	struct uxdp_dmsg_prog_info info;
	struct uxdp_dmsg_id id;
	char err[256];
	int ret;

	take(&id, sizeof(id), h);
	ret = registry_info(s->d, id.id, &info, err, sizeof(err));
	if (ret)
		reply_err(s, c->fd, h, ret, err);
	else
		reply(s, c->fd, h, 0, &info, sizeof(info));
}

static void do_object(struct server *s, struct conn *c, const struct uxdp_dmsg_hdr *h)
{
	struct uxdp_dmsg_prog_object o;
	struct uxdp_dmsg_id id;
	char err[256];
	int fd, ret;

	take(&id, sizeof(id), h);
	ret = registry_object(s->d, id.id, &o, &fd, err, sizeof(err));
	if (ret) {
		reply_err(s, c->fd, h, ret, err);
		return;
	}
	reply_fd(s, c->fd, h, 0, &o, sizeof(o), fd);
	close(fd);
}

static void do_link_list(struct server *s, struct conn *c, const struct uxdp_dmsg_hdr *h)
{
	uint32_t *ids = (uint32_t *)(s->rep + sizeof(struct uxdp_dmsg_hdr));
	size_t cap = (UXDP_DMSG_MAX - sizeof(struct uxdp_dmsg_hdr)) / sizeof(*ids);
	size_t n = registry_link_list(s->d, ids, cap);

	reply(s, c->fd, h, 0, ids, (n < cap ? n : cap) * sizeof(*ids));
}

static void do_ports(struct server *s, struct conn *c, const struct uxdp_dmsg_hdr *h)
{
	struct uxdp_dmsg_port *p = (void *)(s->rep + sizeof(struct uxdp_dmsg_hdr));
	size_t n = registry_ports(s->d, p, UXDP_DP_MAX_PORTS);

	reply(s, c->fd, h, 0, p, n * sizeof(*p));
}

static void dispatch(struct server *s, struct conn *c, size_t len, int *fd)
{
	const struct uxdp_dmsg_hdr *h = (const void *)s->req;
	struct uxdp_dmsg_hdr bad = { .op = 0 };
	struct uxdp_dmsg_id id;
	char err[512];
	int ret;

	if (len < sizeof(*h) || h->magic != UXDP_DMSG_MAGIC || h->len != len - sizeof(*h)) {
		if (len >= sizeof(*h))
			bad = *h;
		reply_err(s, c->fd, &bad, -EPROTO, "malformed request");
		return;
	}
	if (h->version != UXDP_DPROTO_VERSION) {
		snprintf(err, sizeof(err), "protocol version %u; this daemon speaks %u", h->version,
			 UXDP_DPROTO_VERSION);
		reply_err(s, c->fd, h, -EPROTONOSUPPORT, err);
		return;
	}
	if (*fd >= 0 && h->op != UXDP_DOP_PROG_LOAD && h->op != UXDP_DOP_PIN) {
		reply_err(s, c->fd, h, -EINVAL, "a descriptor came with a request that takes none");
		return;
	}
	switch (h->op) {
	case UXDP_DOP_HELLO: do_hello(s, c, h); break;
	case UXDP_DOP_PROG_LOAD: do_load(s, c, h, *fd); break;
	case UXDP_DOP_PROG_UNLOAD:
		take(&id, sizeof(id), h);
		ret = registry_unload(s->d, id.id, err, sizeof(err));
		if (ret)
			reply_err(s, c->fd, h, ret, err);
		else
			reply(s, c->fd, h, 0, NULL, 0);
		break;
	case UXDP_DOP_PROG_ATTACH:
	case UXDP_DOP_PROG_DETACH:
	case UXDP_DOP_PROG_REPLACE: do_attach_op(s, c, h); break;
	case UXDP_DOP_PROG_LIST: do_list(s, c, h); break;
	case UXDP_DOP_PROG_INFO: do_info(s, c, h); break;
	case UXDP_DOP_PORT_LIST: do_ports(s, c, h); break;
	case UXDP_DOP_PROG_OBJECT: do_object(s, c, h); break;
	case UXDP_DOP_LINK_OPEN: do_link_open(s, c, h); break;
	case UXDP_DOP_LINK_INFO: do_link_info(s, c, h); break;
	case UXDP_DOP_LINK_LIST: do_link_list(s, c, h); break;
	case UXDP_DOP_PIN: do_pin(s, c, h, fd); break;
	case UXDP_DOP_PROG_OPEN: do_prog_open(s, c, h); break;
	default:
		snprintf(err, sizeof(err), "unknown request %u", h->op);
		reply_err(s, c->fd, h, -EOPNOTSUPP, err);
	}
}

/* Connection i closed: what it held goes (it keeps its slot, fd -1, until drop()). */
static void release(struct server *s, unsigned int i)
{
	struct conn *c = &s->c[i];

	if (c->fd < 0)
		return;
	close(c->fd);
	c->fd = -1;
	if (c->link_ref)
		registry_link_put(s->d, c->link_ref);
	else
		registry_drop_holder(s->d, c->id);
}

/*
 * The references whose every copy is closed are released now, before a
 * request is answered: a client that closed its last descriptor and then
 * asks (PROG_OPEN of that id, PROG_LIST) must find the object gone, as
 * bpf(2) does after close(2).  Their slots stay until the main loop's drop().
 */
static void sweep_refs(struct server *s)
{
	unsigned int i, n = 0;

	for (i = 0; i < s->n; i++) {
		s->sweep[i].fd = is_ref(&s->c[i]) ? s->c[i].fd : -1;
		s->sweep[i].events = POLLRDHUP;
		s->sweep[i].revents = 0;
		n += s->sweep[i].fd >= 0;
	}
	if (!n || poll(s->sweep, s->n, 0) <= 0)
		return;
	for (i = 0; i < s->n; i++)
		if (s->sweep[i].revents & (POLLHUP | POLLRDHUP | POLLERR | POLLNVAL))
			release(s, i);
}

/* Read one request (and the descriptor it may carry) and answer it; false: closed. */
static bool serve(struct server *s, struct conn *c)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * 4)];
		struct cmsghdr align;
	} cb;
	struct iovec iov = { .iov_base = s->req, .iov_len = sizeof(s->req) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cb.buf,
			    .msg_controllen = sizeof(cb.buf) };
	int fd;
	ssize_t n;

	if (c->fd < 0)
		return false; /* found closed by sweep_refs() */
	n = recvmsg(c->fd, &m, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return true;
	if (n <= 0)
		return false;
	fd = uxdp_fdpass_take(&m); /* one descriptor per request */
	if (is_ref(c)) {
		/* A reference takes no requests: what its holder wrote is dropped. */
		if (fd >= 0)
			close(fd);
		return true;
	}
	if (m.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) {
		const struct uxdp_dmsg_hdr *h = (const void *)s->req;

		reply_err(s, c->fd, h, -EMSGSIZE, "request too large");
	} else {
		sweep_refs(s);
		dispatch(s, c, (size_t)n, &fd);
	}
	if (fd >= 0)
		close(fd);
	return true;
}

static void drop(struct server *s, unsigned int i)
{
	release(s, i);
	s->c[i] = s->c[--s->n];
}

static void accept_one(struct server *s)
{
	struct timeval tv = { .tv_sec = 2 };
	int fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0)
		return;
	if (s->n == MAX_CONNS) {
		close(fd);
		return;
	}
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	s->c[s->n].fd = fd;
	s->c[s->n].id = ++s->next_id;
	s->c[s->n].link_ref = 0;
	s->c[s->n].prog_ref = 0;
	s->n++;
}

static void *server_main(void *arg)
{
	struct server *s = arg;
	struct pollfd p[MAX_CONNS + 1];
	unsigned int i;
	int r;

	while (!s->stop && !uxdp_dp_stop_requested(s->d->dp)) {
		p[0].fd = s->listen_fd;
		p[0].events = POLLIN;
		for (i = 0; i < s->n; i++) {
			p[i + 1].fd = s->c[i].fd;
			p[i + 1].events = POLLIN;
			p[i + 1].revents = 0;
		}
		r = poll(p, s->n + 1, POLL_MS);
		check_pins(s);
		if (r <= 0)
			continue;
		/* Backwards: drop() moves the last connection into the slot it frees. */
		for (i = s->n; i-- > 0;)
			if ((p[i + 1].revents || s->c[i].fd < 0) && !serve(s, &s->c[i]))
				drop(s, i);
		if (p[0].revents & POLLIN)
			accept_one(s);
	}
	/* Stopping: registry_close() takes every program off; references just go. */
	while (s->n)
		if (is_ref(&s->c[s->n - 1]) && s->c[s->n - 1].fd >= 0)
			close(s->c[--s->n].fd);
		else
			drop(s, s->n - 1);
	while (s->n_pins)
		close(s->pins[--s->n_pins].fd);
	return NULL;
}

/* Is a daemon answering at path?  Then its socket must not be taken over. */
static bool in_use(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	bool used;

	if (fd < 0)
		return false;
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	used = connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
	close(fd);
	return used;
}

static int listen_on(struct server *s, const char *path, const char *group, char *err,
		     size_t err_size)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	char dir[sizeof(a.sun_path)];
	struct group *g = NULL;
	mode_t old;

	if (snprintf(a.sun_path, sizeof(a.sun_path), "%s", path) >= (int)sizeof(a.sun_path))
		return uxdp_errmsg(err, err_size, -ENAMETOOLONG, "%s: socket path too long", path);
	snprintf(dir, sizeof(dir), "%s", path);
	/* The directory others reach the socket through: searchable, not writable. */
	if (mkdir(dirname(dir), 0755) && errno != EEXIST)
		return uxdp_errmsg(err, err_size, -errno, "%s: %s", dir, strerror(errno));
	if (in_use(path))
		return uxdp_errmsg(err, err_size, -EADDRINUSE,
				   "%s: another daemon answers on this socket", path);
	unlink(path); /* a dead daemon's */
	if (group) {
		g = getgrnam(group);
		if (!g)
			return uxdp_errmsg(err, err_size, -ENOENT,
					   "--socket-group %s: no such group", group);
	}
	s->listen_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (s->listen_fd < 0)
		return uxdp_errmsg(err, err_size, -errno, "socket: %s", strerror(errno));
	/* Never a moment where the socket is open to everyone. */
	old = umask(0177);
	if (bind(s->listen_fd, (struct sockaddr *)&a, sizeof(a))) {
		umask(old);
		return uxdp_errmsg(err, err_size, -errno, "%s: %s", path, strerror(errno));
	}
	umask(old);
	if (g && chown(path, (uid_t)-1, g->gr_gid))
		return uxdp_errmsg(err, err_size, -errno, "%s: chown: %s", path, strerror(errno));
	if (chmod(path, g ? 0660 : 0600))
		return uxdp_errmsg(err, err_size, -errno, "%s: chmod: %s", path, strerror(errno));
	if (listen(s->listen_fd, 16))
		return uxdp_errmsg(err, err_size, -errno, "%s: listen: %s", path, strerror(errno));
	snprintf(s->path, sizeof(s->path), "%s", path);
	return 0;
}

int server_start(struct uxdpd *d, const char *path, const char *group, struct server **out,
		 char *err, size_t err_size)
{
	struct server *s = calloc(1, sizeof(*s));
	int ret;

	*out = NULL;
	if (!s)
		return uxdp_errmsg(err, err_size, -ENOMEM, "out of memory");
	s->d = d;
	s->listen_fd = -1;
	if (getrandom(&s->boot_nonce, sizeof(s->boot_nonce), 0) != sizeof(s->boot_nonce))
		s->boot_nonce = ((uint64_t)getpid() << 32) ^ (uint64_t)uxdp_realtime_ns();
	s->boot_nonce |= 1; /* never 0, an older daemon's */
	ret = listen_on(s, path, group, err, err_size);
	if (!ret) {
		ret = -pthread_create(&s->thread, NULL, server_main, s);
		if (ret)
			uxdp_errmsg(err, err_size, ret, "control thread: %s", strerror(-ret));
	}
	if (ret) {
		if (s->listen_fd >= 0) {
			close(s->listen_fd);
			if (s->path[0])
				unlink(s->path);
		}
		free(s);
		return ret;
	}
	*out = s;
	return 0;
}

void server_stop(struct server *s)
{
	if (!s)
		return;
	s->stop = 1;
	pthread_join(s->thread, NULL);
	close(s->listen_fd);
	unlink(s->path);
	free(s);
}
