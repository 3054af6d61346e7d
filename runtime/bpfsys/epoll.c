// SPDX-License-Identifier: MIT
/*
 * epoll.c - a uxdp map fd in an epoll set (libbpf's ring_buffer__new()
 * adds its ring buffer's fd to one, ring_buffer__poll() waits on it).
 *
 * Epoll refuses a shared-memory file (EPERM), so epoll_ctl(ADD) of a uxdp
 * map fd registers a stand-in instead, with the caller's events and data:
 * a dup of the ring buffer's eventfd (ready.c), or for another map type a
 * descriptor that always reports EPOLLERR, as the kernel's map poll does.
 * MOD and DEL act on the stand-in; ADD and MOD make a ring with data ready,
 * as the kernel's epoll polls the file then; epoll_wait() (and
 * epoll_pwait/pwait2) first lets the rings of the set that are empty stop
 * being ready, as the kernel's re-poll drops them from its ready list.
 *
 * A BPF output perf event bound to a uxdp perf ring (perf.c) is served the
 * same way, its ring's eventfd standing in for it.
 *
 * Registrations are remembered per (epoll fd, fd); closing the epoll fd (as
 * ring_buffer__free() does, without EPOLL_CTL_DEL) drops its stand-ins and,
 * with the last user of a ring, its waker thread.  The library's own calls
 * to close() reach libc directly (--wrap=close).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "bpfsys.h"

struct reg {
	struct reg *next;
	int epfd, fd;	  /* as the caller named them */
	int stand_in;	  /* registered in epfd in fd's place */
	struct bpfsys_ring *ring; /* NULL: a map that is not a ring buffer (EPOLLERR) */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct reg *regs;
static unsigned int n_regs; /* read without the lock: the fast path of close() */

typedef int (*epoll_ctl_fn)(int, int, int, struct epoll_event *);
typedef int (*epoll_pwait2_fn)(int, struct epoll_event *, int, const struct timespec *,
			       const sigset_t *);
typedef int (*close_fn)(int);

static epoll_ctl_fn real_epoll_ctl;
static close_fn real_close_fn;

static void *next_sym(const char *name)
{
	return dlsym(RTLD_NEXT, name);
}

__attribute__((constructor)) static void resolve_epoll(void)
{
	real_epoll_ctl = (epoll_ctl_fn)next_sym("epoll_ctl");
	real_close_fn = (close_fn)next_sym("close");
}

static int real_close(int fd)
{
	if (!real_close_fn)
		resolve_epoll();
	return real_close_fn(fd);
}

/* The runtime's and this library's own close() (linked with --wrap=close). */
int __wrap_close(int fd);
int __wrap_close(int fd)
{
	return real_close(fd);
}

/* A fork while another thread held the lock must not leave the child stuck. */
static void after_fork_child(void)
{
	pthread_mutex_init(&lock, NULL);
}

__attribute__((constructor)) static void register_fork(void)
{
	pthread_atfork(NULL, NULL, after_fork_child);
}

/* ---- the tables (lock held) ---- */

static struct reg **reg_find(int epfd, int fd)
{
	struct reg **pp;

	for (pp = &regs; *pp; pp = &(*pp)->next)
		if ((*pp)->epfd == epfd && (*pp)->fd == fd)
			return pp;
	return NULL;
}

static void reg_drop(struct reg **pp)
{
	struct reg *g = *pp;

	*pp = g->next;
	real_close(g->stand_in);
	if (g->ring)
		bpfsys_ring_release(g->ring);
	free(g);
	__atomic_sub_fetch(&n_regs, 1, __ATOMIC_RELAXED);
}

static int stand_in_for(struct bpfsys_ring *r)
{
	int fd;

	if (!r)
		return bpfsys_error_stand_in();
	fd = fcntl(bpfsys_ring_efd(r), F_DUPFD_CLOEXEC, 0);
	return fd < 0 ? -errno : fd;
}

static int ctl_add(int epfd, int fd, struct bpfsys_ring *r, struct epoll_event *ev)
{
	struct reg *g;
	int s, err;

	if (reg_find(epfd, fd))
		return -EEXIST;
	s = stand_in_for(r);
	if (s < 0)
		return s;
	if (real_epoll_ctl(epfd, EPOLL_CTL_ADD, s, ev)) {
		err = -errno;
		real_close(s);
		return err;
	}
	g = calloc(1, sizeof(*g));
	err = g ? 0 : -ENOMEM;
	if (!err && r)
		err = bpfsys_ring_hold(r);
	if (err) {
		real_epoll_ctl(epfd, EPOLL_CTL_DEL, s, NULL);
		real_close(s);
		free(g);
		return err;
	}
	*g = (struct reg){ .next = regs, .epfd = epfd, .fd = fd, .stand_in = s, .ring = r };
	regs = g;
	__atomic_add_fetch(&n_regs, 1, __ATOMIC_RELAXED);
	if (r)
		bpfsys_ring_ready_if_data(r);
	return 0;
}

static int ctl(int epfd, int op, int fd, struct bpfsys_ring *r, struct epoll_event *ev)
{
	struct reg **pp;

	if (op == EPOLL_CTL_ADD)
		return ctl_add(epfd, fd, r, ev);
	pp = reg_find(epfd, fd);
	if (!pp)
		return -ENOENT;
	if (real_epoll_ctl(epfd, op, (*pp)->stand_in, ev))
		return -errno;
	if (op == EPOLL_CTL_DEL)
		reg_drop(pp);
	else if (r)
		bpfsys_ring_ready_if_data(r);
	return 0;
}

/* ---- the interposed calls ---- */

/* Whether (epfd, fd) has a stand-in registered (an event unbound since stays ours). */
static bool registered(int epfd, int fd)
{
	bool r;

	if (!__atomic_load_n(&n_regs, __ATOMIC_RELAXED))
		return false;
	pthread_mutex_lock(&lock);
	r = reg_find(epfd, fd) != NULL;
	pthread_mutex_unlock(&lock);
	return r;
}

BPFSYS_EXPORT int epoll_ctl(int epfd, int op, int fd, struct epoll_event *ev)
{
	struct bpfsys_map m = { 0 };
	struct bpfsys_ring *r = NULL, *perf = NULL;
	int err = 0;

	if (!real_epoll_ctl)
		resolve_epoll();
	/*
	 * What the kernel checks before it asks the file to poll (the event
	 * copied in, both fds open) goes to the kernel; then, for a map or a
	 * perf event bound to a uxdp ring (perf.c), the checks that follow:
	 * epfd must be another file, and an epoll one (asked of the kernel
	 * with the stand-in), and op valid.
	 */
	if ((op != EPOLL_CTL_DEL && !ev) || fcntl(epfd, F_GETFD) < 0)
		return real_epoll_ctl(epfd, op, fd, ev);
	perf = bpfsys_perf_ring(fd);
	if (!perf && !(op != EPOLL_CTL_ADD && registered(epfd, fd)) && bpfsys_fd_map(fd, &m) != 1)
		return real_epoll_ctl(epfd, op, fd, ev);
	if (fd == epfd || (op != EPOLL_CTL_ADD && op != EPOLL_CTL_DEL && op != EPOLL_CTL_MOD)) {
		errno = EINVAL;
		return -1;
	}
	pthread_mutex_lock(&lock);
	if (perf)
		r = perf;
	else if (m.map && m.info.type == BPF_MAP_TYPE_RINGBUF)
		r = bpfsys_ring_of(m.map, -1, &err);
	if (!err)
		err = ctl(epfd, op, fd, r, ev);
	pthread_mutex_unlock(&lock);
	if (err) {
		errno = -err;
		return -1;
	}
	return 0;
}

/* Before a wait on epfd: empty rings leave the ready list; threads after fork. */
void bpfsys_epoll_before_wait(int epfd)
{
	if (!__atomic_load_n(&n_regs, __ATOMIC_RELAXED))
		return;
	pthread_mutex_lock(&lock);
	for (struct reg *g = regs; g; g = g->next) {
		if (g->epfd == epfd && g->ring)
			bpfsys_ring_before_wait(g->ring);
	}
	pthread_mutex_unlock(&lock);
}

BPFSYS_EXPORT int epoll_wait(int epfd, struct epoll_event *ev, int n, int timeout)
{
	static int (*real)(int, struct epoll_event *, int, int);

	if (!real)
		real = (int (*)(int, struct epoll_event *, int, int))next_sym("epoll_wait");
	bpfsys_epoll_before_wait(epfd);
	return real(epfd, ev, n, timeout);
}

BPFSYS_EXPORT int epoll_pwait(int epfd, struct epoll_event *ev, int n, int timeout,
			      const sigset_t *mask)
{
	static int (*real)(int, struct epoll_event *, int, int, const sigset_t *);

	if (!real)
		real = (int (*)(int, struct epoll_event *, int, int, const sigset_t *))next_sym(
		    "epoll_pwait");
	bpfsys_epoll_before_wait(epfd);
	return real(epfd, ev, n, timeout, mask);
}

BPFSYS_EXPORT int epoll_pwait2(int epfd, struct epoll_event *ev, int n,
			       const struct timespec *timeout, const sigset_t *mask)
{
	static epoll_pwait2_fn real;

	if (!real)
		real = (epoll_pwait2_fn)next_sym("epoll_pwait2");
	bpfsys_epoll_before_wait(epfd);
	return real(epfd, ev, n, timeout, mask);
}

bool bpfsys_epoll_in_use(void)
{
	return __atomic_load_n(&n_regs, __ATOMIC_RELAXED) != 0;
}

/* Closing an epoll fd ends its registrations (their stand-ins too); a perf event unbinds. */
BPFSYS_EXPORT int close(int fd)
{
	bpfsys_perf_closed(fd);
	if (__atomic_load_n(&n_regs, __ATOMIC_RELAXED)) {
		struct reg **pp = &regs;

		pthread_mutex_lock(&lock);
		while (*pp) {
			if ((*pp)->epfd == fd)
				reg_drop(pp);
			else
				pp = &(*pp)->next;
		}
		pthread_mutex_unlock(&lock);
	}
	return real_close(fd);
}
