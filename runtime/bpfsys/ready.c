// SPDX-License-Identifier: MIT
/*
 * ready.c - when a uxdp ring buffer fd is ready, as the kernel's poll of a
 * ring buffer map says, for the stand-ins that epoll, poll and select wait
 * on in its place (epoll.c, poll.c).
 *
 * A uxdp map fd is a shared-memory file, which epoll refuses and poll
 * always finds ready.  Each ring buffer gets an eventfd, kept for the
 * process's life, that is readable while the ring is "ready"; it follows
 * the kernel's epoll of a ring buffer (an item on epoll's ready list is
 * re-polled at each epoll_wait and dropped when the ring is empty; it is
 * put back by a wakeup, and by ADD or MOD when data is there):
 *
 *  - a wakeup makes it readable: a thread per ring buffer (in this process)
 *    waits on the ring's wakeup counter, a shared futex that producers in
 *    the data plane bump when the kernel would wake a consumer
 *    (runtime/maps/ringbuf.c), and writes the eventfd if data is there;
 *  - before a wait (epoll_wait on a set holding it, poll or select), an
 *    empty ring's eventfd is drained (bpfsys_ring_before_wait());
 *  - while it is readable, the thread also looks every 1 ms, backing off
 *    to 64 ms, and drains it once the consumer has emptied the ring: a
 *    program that nests the epoll fd in an epoll set of its own sees at
 *    most that long a readiness with nothing to read, not one for ever;
 *  - bpfsys_ring_ready_if_data() (epoll_ctl ADD and MOD, poll) makes it
 *    readable if data is there.
 *
 * So records submitted with BPF_RB_NO_WAKEUP do not wake a waiter, and a
 * consumer that keeps up sleeps until the next record, as with the kernel.
 * A uxdp map of another type polls as the kernel's: EPOLLERR, from a
 * stand-in that always reports it (bpfsys_error_stand_in()).
 *
 * The ring of a perf event array index bound to a perf event (perf.c) is
 * waited for the same way (its producers wake as a ring buffer's do,
 * runtime/maps/perfring.c).  The kernel's perf event is readable once per
 * wakeup (its poll clears the flag) where this one is readable while the
 * ring has data: the same for a consumer that reads what it is woken for,
 * as libbpf's does (it reads a ring up to its head).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "bpfsys.h"

struct bpfsys_ring {
	struct bpfsys_ring *next;
	struct uxdp_map *map; /* fdmap.c's handle, kept for the process's life */
	int64_t idx;	      /* a perf event array's ring (perf.c); -1: a ring buffer */
	int efd;	      /* readable while the ring is ready */
	bool ready;	      /* efd was written since it was last drained */
	unsigned int users;   /* epoll registrations */
	bool polled;	      /* waited for with poll()/select(): the waker stays */
	bool running, stop;
	pthread_t thread;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct bpfsys_ring *rings;

/* ---- the ring's side: a ring buffer, or a perf event array's ring ---- */

static bool has_data(struct bpfsys_ring *r)
{
	if (r->idx >= 0)
		return uxdp_perf_has_data(r->map, (uint32_t)r->idx);
	return uxdp_ringbuf_query(r->map, BPF_RB_AVAIL_DATA) != 0;
}

static void ring_kick(struct bpfsys_ring *r)
{
	if (r->idx >= 0)
		uxdp_perf_kick(r->map, (uint32_t)r->idx);
	else
		ring_kick(r);
}

static int ring_waiter(struct bpfsys_ring *r, bool join)
{
	if (r->idx >= 0)
		return uxdp_perf_waiter(r->map, (uint32_t)r->idx, join);
	return uxdp_ringbuf_waiter(r->map, join);
}

static uint32_t ring_wakeups(struct bpfsys_ring *r)
{
	if (r->idx >= 0)
		return uxdp_perf_wakeups(r->map, (uint32_t)r->idx);
	return uxdp_ringbuf_wakeups(r->map);
}

static void ring_wait(struct bpfsys_ring *r, uint32_t seen, int timeout_ms)
{
	if (r->idx >= 0)
		uxdp_perf_wait(r->map, (uint32_t)r->idx, seen, timeout_ms);
	else
		uxdp_ringbuf_wait(r->map, seen, timeout_ms);
}

/* Perf records are published whole: none is left busy by a dead producer. */
static bool ring_unstick(struct bpfsys_ring *r)
{
	return r->idx < 0 && uxdp_ringbuf_unstick(r->map);
}

/* ---- readiness ---- */

static void make_ready(struct bpfsys_ring *r)
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
static void make_ready_and_tell(struct bpfsys_ring *r)
{
	make_ready(r);
	ring_kick(r);
}

/* Empty: drain, then look again, so that a wakeup in between is kept. */
static void drain_if_empty(struct bpfsys_ring *r)
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
	struct bpfsys_ring *ring;
	uint32_t seen;
	bool settle; /* joined without the barrier: look again once, 10 ms on */
};

static void *waker(void *p)
{
	struct waker_arg a = *(struct waker_arg *)p;
	struct bpfsys_ring *r = a.ring;

	int backoff_ms = 1;

	free(p);
	while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
		bool ready = __atomic_load_n(&r->ready, __ATOMIC_RELAXED);
		uint32_t now;

		ring_wait(r, a.seen, ready ? backoff_ms : a.settle ? 10 : IDLE_WAIT_MS);
		/* Nothing wakes for records behind one whose reserver died. */
		if ((ring_unstick(r) || a.settle) && has_data(r))
			make_ready(r);
		a.settle = false;
		now = ring_wakeups(r);
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
static int start_waker(struct bpfsys_ring *r)
{
	struct waker_arg *a = malloc(sizeof(*a));
	sigset_t all, old;
	int err;

	if (!a)
		return -ENOMEM;
	a->ring = r;
	a->settle = ring_waiter(r, true) != 0;
	a->seen = ring_wakeups(r);
	r->stop = false;
	/* Signals are the program's: its handlers never run on our thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&r->thread, NULL, waker, a);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		ring_waiter(r, false);
		free(a);
		return -err;
	}
	r->running = true;
	return 0;
}

static void stop_waker(struct bpfsys_ring *r)
{
	if (!r->running)
		return;
	__atomic_store_n(&r->stop, true, __ATOMIC_RELEASE);
	ring_kick(r);
	pthread_join(r->thread, NULL);
	ring_waiter(r, false);
	r->running = false;
}

/* After fork the child has no threads: they are started again when used. */
static void after_fork_child(void)
{
	pthread_mutex_init(&lock, NULL);
	for (struct bpfsys_ring *r = rings; r; r = r->next)
		r->running = false;
}

__attribute__((constructor)) static void register_fork(void)
{
	pthread_atfork(NULL, NULL, after_fork_child);
}

/* ---- the interface ---- */

struct bpfsys_ring *bpfsys_ring_of(struct uxdp_map *map, int64_t idx, int *err)
{
	struct bpfsys_ring *r;

	pthread_mutex_lock(&lock);
	for (r = rings; r; r = r->next)
		if (r->map == map && r->idx == idx)
			goto out;
	r = calloc(1, sizeof(*r));
	if (!r) {
		*err = -ENOMEM;
		goto out;
	}
	r->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (r->efd < 0) {
		*err = -errno;
		free(r);
		r = NULL;
		goto out;
	}
	r->map = map;
	r->idx = idx;
	r->next = rings;
	rings = r;
out:
	pthread_mutex_unlock(&lock);
	return r;
}

int bpfsys_ring_efd(const struct bpfsys_ring *r)
{
	return r->efd;
}

int bpfsys_ring_hold(struct bpfsys_ring *r)
{
	int err = 0;

	pthread_mutex_lock(&lock);
	if (!r->running)
		err = start_waker(r);
	if (!err)
		r->users++;
	pthread_mutex_unlock(&lock);
	return err;
}

void bpfsys_ring_release(struct bpfsys_ring *r)
{
	pthread_mutex_lock(&lock);
	if (--r->users == 0 && !r->polled)
		stop_waker(r);
	pthread_mutex_unlock(&lock);
}

void bpfsys_ring_ready_if_data(struct bpfsys_ring *r)
{
	if (has_data(r))
		make_ready_and_tell(r);
}

void bpfsys_ring_before_wait(struct bpfsys_ring *r)
{
	pthread_mutex_lock(&lock);
	if (!r->running)
		start_waker(r);
	pthread_mutex_unlock(&lock);
	drain_if_empty(r);
}

int bpfsys_error_stand_in(void)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC | O_NONBLOCK))
		return -errno;
	close(p[0]);
	return p[1];
}

/* The eventfd poll()/select() wait on for r: readable now iff r has data. */
int bpfsys_ring_poll_fd(struct bpfsys_ring *r)
{
	int err = 0;

	pthread_mutex_lock(&lock);
	if (!r->running)
		err = start_waker(r);
	r->polled = !err;
	pthread_mutex_unlock(&lock);
	if (err)
		return err;
	if (has_data(r))
		make_ready_and_tell(r);
	else
		drain_if_empty(r);
	return r->efd;
}

/*
 * poll() asks a kernel map's file each time: a ring buffer is readable iff
 * it has data; a map without poll reports EPOLLERR.
 */
int bpfsys_poll_stand_in(const struct bpfsys_map *m)
{
	static int error_fd = -1;
	struct bpfsys_ring *r;
	int err = 0;

	if (m->info.type != BPF_MAP_TYPE_RINGBUF) {
		pthread_mutex_lock(&lock);
		if (error_fd < 0)
			error_fd = bpfsys_error_stand_in();
		pthread_mutex_unlock(&lock);
		return error_fd;
	}
	r = bpfsys_ring_of(m->map, -1, &err);
	return r ? bpfsys_ring_poll_fd(r) : err;
}
