// SPDX-License-Identifier: MIT
/*
 * poll.c - poll(), ppoll(), select() and pselect() with uxdp map fds, or
 * epoll fds holding them, in their sets.
 *
 * A uxdp map fd is a shared-memory file, which polls always ready.  The
 * kernel asks a map's file at every poll: a ring buffer is readable when it
 * has data (EPOLLIN | EPOLLRDNORM), another map reports EPOLLERR.  So the
 * call waits on a stand-in in the map fd's place (epoll.c: the ring's
 * eventfd, made readable now iff the ring has data and later by a wakeup;
 * or a descriptor that always reports an error), and the results are
 * written back under the caller's fds.  An epoll fd in the set whose
 * stand-ins were registered by epoll_ctl() gets epoll_wait()'s treatment
 * first (an empty ring stops being ready): a program polling
 * ring_buffer__epoll_fd() itself sleeps until a record comes.
 *
 * A perf event bound to a uxdp perf ring (perf.c) waits on its ring's
 * stand-in the same way, and reports POLLIN alone, as perf_poll() does.
 *
 * Nothing is done, beyond three loads, in a process that never met a uxdp
 * map fd.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>

#include "bpfsys.h"

enum kind { PLAIN, RINGBUF, PERF, ERROR };

static bool maybe_ours(void)
{
	return bpfsys_fd_maps_seen() || bpfsys_epoll_in_use() || bpfsys_perf_any();
}

/* The kind of fd, and its stand-in in *fd; epoll fds are prepared. */
static int prepare_fd(int *fd, enum kind *k)
{
	struct bpfsys_map m;
	struct bpfsys_ring *r;
	int s;

	*k = PLAIN;
	if (*fd < 0)
		return 0;
	if (bpfsys_epoll_in_use())
		bpfsys_epoll_before_wait(*fd);
	r = bpfsys_perf_ring(*fd);
	if (r) {
		s = bpfsys_ring_poll_fd(r);
		if (s < 0)
			return s;
		*k = PERF;
		*fd = s;
		return 0;
	}
	if (!bpfsys_fd_maps_seen() || bpfsys_fd_map(*fd, &m) != 1)
		return 0;
	s = bpfsys_poll_stand_in(&m);
	if (s < 0)
		return s;
	*k = m.info.type == BPF_MAP_TYPE_RINGBUF ? RINGBUF : ERROR;
	*fd = s;
	return 0;
}

/* ---- poll, ppoll ---- */

/* A copy of fds with stand-ins, and each entry's kind; NULL copy: none. */
static int prepare_poll(const struct pollfd *fds, nfds_t n, struct pollfd **copy,
			enum kind **kinds)
{
	int err;

	*copy = malloc(n * sizeof(**copy) + 1);
	*kinds = calloc(n + 1, sizeof(**kinds));
	if (!*copy || !*kinds) {
		free(*copy);
		free(*kinds);
		return -ENOMEM;
	}
	memcpy(*copy, fds, n * sizeof(**copy));
	for (nfds_t i = 0; i < n; i++) {
		err = prepare_fd(&(*copy)[i].fd, &(*kinds)[i]);
		if (err) {
			free(*copy);
			free(*kinds);
			return err;
		}
		if ((*kinds)[i] != PLAIN)
			(*copy)[i].events = (*kinds)[i] == ERROR ? 0 : POLLIN;
	}
	return 0;
}

/* The stand-ins' results as the kernel's map files would give them. */
static int finish_poll(struct pollfd *fds, nfds_t n, const struct pollfd *copy,
		       const enum kind *kinds, int r)
{
	int ready = 0;

	if (r < 0)
		return r;
	for (nfds_t i = 0; i < n; i++) {
		short ev = copy[i].revents;

		if (kinds[i] == RINGBUF)
			ev = ev & POLLIN ? (short)((POLLIN | POLLRDNORM) & fds[i].events) : 0;
		else if (kinds[i] == PERF) /* perf_poll(): EPOLLIN alone */
			ev = ev & POLLIN ? (short)(POLLIN & fds[i].events) : 0;
		else if (kinds[i] == ERROR)
			ev = POLLERR;
		fds[i].revents = ev;
		ready += ev != 0;
	}
	return ready;
}

typedef int (*poll_fn)(struct pollfd *, nfds_t, int);
typedef int (*ppoll_fn)(struct pollfd *, nfds_t, const struct timespec *, const sigset_t *);

static poll_fn real_poll_fn;

static int real_poll(struct pollfd *fds, nfds_t n, int timeout)
{
	if (!real_poll_fn)
		real_poll_fn = (poll_fn)dlsym(RTLD_NEXT, "poll");
	return real_poll_fn(fds, n, timeout);
}

/* The library's own poll() (the daemon client's; linked with --wrap=poll). */
int __wrap_poll(struct pollfd *fds, nfds_t n, int timeout);
int __wrap_poll(struct pollfd *fds, nfds_t n, int timeout)
{
	return real_poll(fds, n, timeout);
}

BPFSYS_EXPORT int poll(struct pollfd *fds, nfds_t n, int timeout)
{
	poll_fn real = real_poll;
	struct pollfd *copy;
	enum kind *kinds;
	int r;

	if (!maybe_ours() || !fds)
		return real(fds, n, timeout);
	r = prepare_poll(fds, n, &copy, &kinds);
	if (r) {
		errno = -r;
		return -1;
	}
	r = real(copy, n, timeout);
	r = finish_poll(fds, n, copy, kinds, r);
	free(copy);
	free(kinds);
	return r;
}

BPFSYS_EXPORT int ppoll(struct pollfd *fds, nfds_t n, const struct timespec *timeout,
			const sigset_t *mask)
{
	static ppoll_fn real;
	struct pollfd *copy;
	enum kind *kinds;
	int r;

	if (!real)
		real = (ppoll_fn)dlsym(RTLD_NEXT, "ppoll");
	if (!maybe_ours() || !fds)
		return real(fds, n, timeout, mask);
	r = prepare_poll(fds, n, &copy, &kinds);
	if (r) {
		errno = -r;
		return -1;
	}
	r = real(copy, n, timeout, mask);
	r = finish_poll(fds, n, copy, kinds, r);
	free(copy);
	free(kinds);
	return r;
}

/* What callers built with _FORTIFY_SOURCE call (libc's go to its own poll). */
BPFSYS_EXPORT int __poll_chk(struct pollfd *fds, nfds_t n, int timeout, size_t fdslen)
{
	if (fdslen / sizeof(*fds) < n)
		abort(); /* libc's __chk_fail: an overflow the compiler could see */
	return poll(fds, n, timeout);
}

BPFSYS_EXPORT int __ppoll_chk(struct pollfd *fds, nfds_t n, const struct timespec *timeout,
			      const sigset_t *mask, size_t fdslen)
{
	if (fdslen / sizeof(*fds) < n)
		abort();
	return ppoll(fds, n, timeout, mask);
}

/* ---- select, pselect ---- */

struct sel {
	fd_set r, w, e;
	int nfds;
	int stand_in[FD_SETSIZE];
	enum kind kind[FD_SETSIZE];
};

static bool in(const fd_set *s, int fd)
{
	return s && FD_ISSET(fd, s);
}

/*
 * The sets as waited for: a ring buffer's stand-in in the read set (it is
 * never writable), an error stand-in wherever the map fd was asked for
 * reading or writing (select reports an error as both).
 */
static int prepare_select(struct sel *s, int nfds, fd_set *r, fd_set *w, fd_set *e)
{
	FD_ZERO(&s->r);
	FD_ZERO(&s->w);
	FD_ZERO(&s->e);
	s->nfds = nfds;
	for (int fd = 0; fd < nfds && fd < FD_SETSIZE; fd++) {
		bool rd = in(r, fd), wr = in(w, fd), ex = in(e, fd);
		int sfd = fd, err;

		s->kind[fd] = PLAIN;
		if (!rd && !wr && !ex)
			continue;
		err = prepare_fd(&sfd, &s->kind[fd]);
		if (err)
			return err;
		if (sfd >= FD_SETSIZE)
			return -EINVAL;
		s->stand_in[fd] = sfd;
		if (s->kind[fd] == RINGBUF || s->kind[fd] == PERF) {
			wr = ex = false;
		} else if (s->kind[fd] == ERROR) {
			ex = false;
		}
		if (rd)
			FD_SET(sfd, &s->r);
		if (wr)
			FD_SET(sfd, &s->w);
		if (ex)
			FD_SET(sfd, &s->e);
		if (sfd >= s->nfds)
			s->nfds = sfd + 1;
	}
	return 0;
}

static int finish_select(struct sel *s, int nfds, fd_set *r, fd_set *w, fd_set *e, int res)
{
	int ready = 0;

	if (res < 0)
		return res;
	for (int fd = 0; fd < nfds && fd < FD_SETSIZE; fd++) {
		int sfd = s->stand_in[fd];
		bool rd = in(r, fd) && FD_ISSET(sfd, &s->r), wr = in(w, fd) && FD_ISSET(sfd, &s->w);
		bool ex = in(e, fd) && FD_ISSET(sfd, &s->e);

		if (!in(r, fd) && !in(w, fd) && !in(e, fd))
			continue;
		if (r)
			rd ? FD_SET(fd, r) : FD_CLR(fd, r);
		if (w)
			wr ? FD_SET(fd, w) : FD_CLR(fd, w);
		if (e)
			ex ? FD_SET(fd, e) : FD_CLR(fd, e);
		ready += rd + wr + ex;
	}
	return ready;
}

typedef int (*select_fn)(int, fd_set *, fd_set *, fd_set *, struct timeval *);
typedef int (*pselect_fn)(int, fd_set *, fd_set *, fd_set *, const struct timespec *,
			  const sigset_t *);

BPFSYS_EXPORT int select(int nfds, fd_set *r, fd_set *w, fd_set *e, struct timeval *timeout)
{
	static select_fn real;
	struct sel *s;
	int res;

	if (!real)
		real = (select_fn)dlsym(RTLD_NEXT, "select");
	if (!maybe_ours() || nfds <= 0)
		return real(nfds, r, w, e, timeout);
	s = malloc(sizeof(*s));
	res = s ? prepare_select(s, nfds, r, w, e) : -ENOMEM;
	if (res) {
		free(s);
		errno = -res;
		return -1;
	}
	res = real(s->nfds, r ? &s->r : NULL, w ? &s->w : NULL, e ? &s->e : NULL, timeout);
	res = finish_select(s, nfds, r, w, e, res);
	free(s);
	return res;
}

BPFSYS_EXPORT int pselect(int nfds, fd_set *r, fd_set *w, fd_set *e,
			  const struct timespec *timeout, const sigset_t *mask)
{
	static pselect_fn real;
	struct sel *s;
	int res;

	if (!real)
		real = (pselect_fn)dlsym(RTLD_NEXT, "pselect");
	if (!maybe_ours() || nfds <= 0)
		return real(nfds, r, w, e, timeout, mask);
	s = malloc(sizeof(*s));
	res = s ? prepare_select(s, nfds, r, w, e) : -ENOMEM;
	if (res) {
		free(s);
		errno = -res;
		return -1;
	}
	res = real(s->nfds, r ? &s->r : NULL, w ? &s->w : NULL, e ? &s->e : NULL, timeout, mask);
	res = finish_select(s, nfds, r, w, e, res);
	free(s);
	return res;
}
