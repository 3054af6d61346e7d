// SPDX-License-Identifier: MIT
/*
 * epoll.c - a uxdp ring buffer fd in an epoll set wakes epoll_wait() as a
 * kernel ring buffer's does (libbpf's ring_buffer__poll()).
 *
 * A uxdp map fd is a shared-memory file, which epoll refuses (EPERM).  So
 * epoll_ctl(ADD) of one registers a stand-in instead: a dup of an eventfd
 * kept per ring buffer, with the caller's events and data.  The eventfd is
 * readable while the ring is "ready", which follows the kernel's epoll of
 * a ring buffer (an item on epoll's ready list is re-polled at each
 * epoll_wait and dropped when the ring is empty; it is put back by a
 * wakeup, and by ADD or MOD when data is there):
 *
 *  - a wakeup makes it readable: a thread per ring buffer (in this process)
 *    waits on the ring's wakeup counter, a shared futex that producers in
 *    the data plane bump when the kernel would wake a consumer
 *    (runtime/maps/ringbuf.c), and writes the eventfd if data is there;
 *  - epoll_wait() (and epoll_pwait/pwait2) on a set holding stand-ins first
 *    drains the eventfd of each of its rings that is empty;
 *  - while it is readable, the thread also looks every 1 ms, backing off
 *    to 64 ms, and drains it once the consumer has emptied the ring: a
 *    program that waits on the epoll fd itself (ring_buffer__epoll_fd() in
 *    its own poll(), select() or epoll set) sees at most that long a
 *    readiness with nothing to read, instead of one for ever;
 *  - ADD and MOD make it readable if data is there.
 *
 * So records submitted with BPF_RB_NO_WAKEUP do not wake a waiter, and a
 * consumer that keeps up sleeps until the next record, as with the kernel.
 * A uxdp map of another type polls as the kernel's: EPOLLERR, from a
 * stand-in that always reports it (the write end of a pipe without reader).
 *
 * Registrations are remembered per (epoll fd, fd); closing the epoll fd (as
 * ring_buffer__free() does, without EPOLL_CTL_DEL) drops its stand-ins.
 * The library's own calls to close() reach libc directly (--wrap=close).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "bpfsys.h"

struct ring {
	struct ring *next;
	struct uxdp_map *map; /* fdmap.c's handle, kept for the process's life */
	int efd;	      /* readable while the ring is ready */
	bool ready;	      /* efd was written since it was last drained */
	unsigned int regs;    /* stand-ins registered */
	bool polled;	      /* waited for with poll()/select(): the waker stays */
	bool running, stop;
	pthread_t thread;
};

struct reg {
	struct reg *next;
	int epfd, fd;	  /* as the caller named them */
	int stand_in;	  /* registered in epfd in fd's place */
	struct ring *ring; /* NULL: a map that is not a ring buffer (EPOLLERR) */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct ring *rings;
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

/* ---- readiness ---- */

static bool has_data(struct ring *r)
{
	return uxdp_ringbuf_query(r->map, BPF_RB_AVAIL_DATA) != 0;
}

static void make_ready(struct ring *r)
{
	uint64_t one = 1;

	__atomic_store_n(&r->ready, true, __ATOMIC_RELAXED);
	if (write(r->efd, &one, sizeof(one)) < 0) {
		/* EAGAIN: the counter is full, so it is readable already */
	}
}

/*
 * Readable, from another thread than the waker: the waker may be asleep
 * without a timeout (it was not ready), so it is kicked to start looking.
 */
static void make_ready_and_tell(struct ring *r)
{
	make_ready(r);
	uxdp_ringbuf_kick(r->map);
}

/* Empty: drain, then look again, so that a wakeup in between is kept. */
static void drain_if_empty(struct ring *r)
{
	uint64_t v;

	__atomic_thread_fence(__ATOMIC_SEQ_CST); /* the caller's consumer_pos store first */
	if (has_data(r))
		return;
	__atomic_store_n(&r->ready, false, __ATOMIC_RELAXED);
	if (read(r->efd, &v, sizeof(v)) < 0) {
		/* EAGAIN: not ready, nothing to drain */
	}
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (has_data(r))
		make_ready_and_tell(r);
}

/* ---- the waker thread ---- */

/*
 * An idle waker still looks at its stop flag this often: a kick
 * (stop_waker()) that comes between its look and its futex wait is lost,
 * and the wait must end by itself.
 */
#define IDLE_WAIT_MS 1000 /* also how soon a record whose reserver died is skipped */

struct waker_arg {
	struct ring *ring;
	uint32_t seen;
	bool settle; /* joined without the barrier: look again once, 10 ms on */
};

static void *waker(void *p)
{
	struct waker_arg a = *(struct waker_arg *)p;
	struct ring *r = a.ring;

	int backoff_ms = 1;

	free(p);
	while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
		bool ready = __atomic_load_n(&r->ready, __ATOMIC_RELAXED);
		uint32_t now;

		uxdp_ringbuf_wait(r->map, a.seen,
				  ready ? backoff_ms : a.settle ? 10 : IDLE_WAIT_MS);
		/* Nothing wakes for records behind one whose reserver died. */
		if ((uxdp_ringbuf_unstick(r->map) || a.settle) && has_data(r))
			make_ready(r);
		a.settle = false;
		now = uxdp_ringbuf_wakeups(r->map);
		if (now != a.seen) {
			a.seen = now;
			backoff_ms = 1;
			if (has_data(r))
				make_ready(r);
		} else if (ready) {
			drain_if_empty(r);
			backoff_ms = backoff_ms < 64 ? 2 * backoff_ms : 64;
		}
	}
	return NULL;
}

/*
 * Join as a waiter, then look: a record committed before the join (which
 * woke nobody) is seen here, one committed after wakes the thread.
 */
static int start_waker(struct ring *r)
{
	struct waker_arg *a = malloc(sizeof(*a));
	sigset_t all, old;
	int err;

	if (!a)
		return -ENOMEM;
	a->ring = r;
	a->settle = uxdp_ringbuf_waiter(r->map, true) != 0;
	a->seen = uxdp_ringbuf_wakeups(r->map);
	r->stop = false;
	/* Signals are the program's: its handlers never run on our thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&r->thread, NULL, waker, a);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		uxdp_ringbuf_waiter(r->map, false);
		free(a);
		return -err;
	}
	r->running = true;
	return 0;
}

static void stop_waker(struct ring *r)
{
	if (!r->running)
		return;
	__atomic_store_n(&r->stop, true, __ATOMIC_RELEASE);
	uxdp_ringbuf_kick(r->map);
	pthread_join(r->thread, NULL);
	uxdp_ringbuf_waiter(r->map, false);
	r->running = false;
}

/* After fork the child has no threads: they are started again when used. */
static void after_fork_child(void)
{
	pthread_mutex_init(&lock, NULL);
	for (struct ring *r = rings; r; r = r->next)
		r->running = false;
}

__attribute__((constructor)) static void register_fork(void)
{
	pthread_atfork(NULL, NULL, after_fork_child);
}

/* ---- the tables (lock held) ---- */

static struct ring *ring_of(struct uxdp_map *map, int *err)
{
	struct ring *r;

	for (r = rings; r; r = r->next)
		if (r->map == map)
			return r;
	r = calloc(1, sizeof(*r));
	if (!r) {
		*err = -ENOMEM;
		return NULL;
	}
	r->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (r->efd < 0) {
		*err = -errno;
		free(r);
		return NULL;
	}
	r->map = map;
	r->next = rings;
	rings = r;
	return r;
}

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
	if (g->ring && --g->ring->regs == 0 && !g->ring->polled)
		stop_waker(g->ring);
	free(g);
	__atomic_sub_fetch(&n_regs, 1, __ATOMIC_RELAXED);
}

/* A descriptor that polls EPOLLERR for ever, as a map without map_poll. */
static int error_stand_in(void)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC | O_NONBLOCK))
		return -errno;
	real_close(p[0]);
	return p[1];
}

static int stand_in_for(struct ring *r)
{
	int fd;

	if (!r)
		return error_stand_in();
	fd = fcntl(r->efd, F_DUPFD_CLOEXEC, 0);
	return fd < 0 ? -errno : fd;
}

static int ctl_add(int epfd, int fd, struct ring *r, struct epoll_event *ev)
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
	if (!err && r && !r->running)
		err = start_waker(r);
	if (err) {
		real_epoll_ctl(epfd, EPOLL_CTL_DEL, s, NULL);
		real_close(s);
		free(g);
		return err;
	}
	*g = (struct reg){ .next = regs, .epfd = epfd, .fd = fd, .stand_in = s, .ring = r };
	regs = g;
	__atomic_add_fetch(&n_regs, 1, __ATOMIC_RELAXED);
	if (r) {
		r->regs++;
		if (has_data(r))
			make_ready_and_tell(r);
	}
	return 0;
}

static int ctl(int epfd, int op, int fd, struct ring *r, struct epoll_event *ev)
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
	else if (r && has_data(r))
		make_ready_and_tell(r);
	return 0;
}

/* ---- the interposed calls ---- */

BPFSYS_EXPORT int epoll_ctl(int epfd, int op, int fd, struct epoll_event *ev)
{
	struct bpfsys_map m;
	struct ring *r = NULL;
	int err = 0;

	if (!real_epoll_ctl)
		resolve_epoll();
	/*
	 * What the kernel checks before it asks the file to poll (the event
	 * copied in, both fds open) goes to the kernel; then, for a map,
	 * the checks that follow: epfd must be another file, and an epoll one
	 * (asked of the kernel with the stand-in), and op valid.
	 */
	if ((op != EPOLL_CTL_DEL && !ev) || fcntl(epfd, F_GETFD) < 0 ||
	    bpfsys_fd_map(fd, &m) != 1)
		return real_epoll_ctl(epfd, op, fd, ev);
	if (fd == epfd || (op != EPOLL_CTL_ADD && op != EPOLL_CTL_DEL && op != EPOLL_CTL_MOD)) {
		errno = EINVAL;
		return -1;
	}
	pthread_mutex_lock(&lock);
	if (m.info.type == BPF_MAP_TYPE_RINGBUF)
		r = ring_of(m.map, &err);
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
		if (g->epfd != epfd || !g->ring)
			continue;
		if (!g->ring->running)
			start_waker(g->ring);
		drain_if_empty(g->ring);
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

/*
 * poll() asks a kernel map's file each time: a ring buffer is readable iff
 * it has data; a map without poll reports EPOLLERR.
 */
int bpfsys_poll_stand_in(const struct bpfsys_map *m)
{
	static int error_fd = -1;
	struct ring *r;
	int err = 0, fd;

	pthread_mutex_lock(&lock);
	if (m->info.type != BPF_MAP_TYPE_RINGBUF) {
		if (error_fd < 0)
			error_fd = error_stand_in();
		fd = error_fd;
		goto out;
	}
	r = ring_of(m->map, &err);
	if (r && !r->running)
		err = start_waker(r);
	if (err) {
		fd = err;
		goto out;
	}
	r->polled = true;
	if (has_data(r))
		make_ready_and_tell(r);
	else
		drain_if_empty(r);
	fd = r->efd;
out:
	pthread_mutex_unlock(&lock);
	return fd;
}

/* Closing an epoll fd ends its registrations (their stand-ins too). */
BPFSYS_EXPORT int close(int fd)
{
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
