// SPDX-License-Identifier: MIT
/*
 * perf.c - libbpf's perf buffers (perf_buffer__new(), __poll(), __consume(),
 * __epoll_fd()) on a uxdp BPF_MAP_TYPE_PERF_EVENT_ARRAY.
 *
 * perf_buffer__new() opens a BPF output perf event per CPU
 * (perf_event_open(PERF_TYPE_SOFTWARE, PERF_COUNT_SW_BPF_OUTPUT)), maps it
 * (a struct perf_event_mmap_page, then 2^n data pages), enables it, stores
 * its fd at the CPU's index of the map and adds it to an epoll set.  Here:
 *
 *  - perf_event_open() is the kernel's, always: the fd is a real perf
 *    event, so ioctl(), fcntl(), its /proc link and fdinfo are the kernel's,
 *    an event of another kind is untouched, and the same fd still works
 *    with a kernel map.  A BPF output event is remembered (this table);
 *    so is the consumer's mapping of it (mmap(), below);
 *  - storing it into a uxdp perf event array (BPF_MAP_UPDATE_ELEM) binds
 *    it to the ring of that index in the map's segment, which the data
 *    plane writes in the kernel's format (runtime/maps/perfring.c): the
 *    ring is emptied and sized as the consumer mapped it, its pages are
 *    mapped over the consumer's mapping (MAP_FIXED: same address, the
 *    kernel's mapping of the event goes away), then the slot is filled;
 *  - epoll_ctl(), poll() and select() on a bound fd wait on the ring's
 *    stand-in (ready.c, epoll.c, poll.c), readable while the ring has data;
 *  - BPF_MAP_DELETE_ELEM of its slot, or close() of the event, unbinds.
 *
 * So the consumer reads the data plane's records in place, nothing copied.
 * Not the kernel's: a ring is at most the map's perf ring size (64 KiB
 * unless the object says otherwise): a bigger page_cnt is refused at the
 * bind with a line; a record goes to the ring at its index whichever uxdp
 * worker writes it (workers are not CPUs); close() of the event unbinds
 * (the kernel keeps it in the map until the map fd is closed).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bpfsys.h"

/* A BPF output perf event this process opened. */
struct pev {
	struct pev *next;
	int fd;
	uint8_t *addr; /* the consumer's mapping of it (NULL: none) */
	size_t len;
	bool writable;	      /* mapped PROT_WRITE: not the kernel's overwrite mode */
	struct uxdp_map *map; /* bound: fdmap.c's handle (kept for the process's life) */
	uint32_t map_id, idx;
	int seg_fd; /* bound: the map's segment, read-write, for mappings */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct pev *pevs;
static unsigned int n_pevs; /* read without the lock: the fast paths */

static void after_fork_child(void)
{
	pthread_mutex_init(&lock, NULL);
}

__attribute__((constructor)) static void register_fork(void)
{
	pthread_atfork(NULL, NULL, after_fork_child);
}

static struct pev **find(int fd)
{
	struct pev **pp;

	for (pp = &pevs; *pp; pp = &(*pp)->next)
		if ((*pp)->fd == fd)
			return pp;
	return NULL;
}

bool bpfsys_perf_any(void)
{
	return __atomic_load_n(&n_pevs, __ATOMIC_RELAXED) != 0;
}

/* ---- perf_event_open ---- */

static void unbind(struct pev *e);

void bpfsys_perf_opened(int fd, const void *uattr)
{
	struct perf_event_attr a = {0};
	struct pev *e, **pp;

	/* The kernel read the attr: its first fields are there. */
	memcpy(&a, uattr, offsetof(struct perf_event_attr, sample_period));
	if (a.type != PERF_TYPE_SOFTWARE || a.config != PERF_COUNT_SW_BPF_OUTPUT)
		return;
	e = calloc(1, sizeof(*e));
	if (!e)
		return; /* then it is a kernel event only: a bind says so */
	*e = (struct pev){.fd = fd, .seg_fd = -1};
	pthread_mutex_lock(&lock);
	pp = find(fd);
	if (pp) { /* the fd was closed behind our back (dup2, close_range): a new event */
		unbind(*pp);
		e->next = (*pp)->next;
		free(*pp);
		*pp = e;
	} else {
		e->next = pevs;
		pevs = e;
		__atomic_add_fetch(&n_pevs, 1, __ATOMIC_RELAXED);
	}
	pthread_mutex_unlock(&lock);
}

/* ---- binding (lock held) ---- */

/* Map the ring's pages over the consumer's mapping of the event. */
static int remap(struct pev *e, const struct uxdp_perf_layout *l)
{
	void *p = mmap(e->addr, e->len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, e->seg_fd,
		       (off_t)l->off);

	return p == MAP_FAILED ? -errno : 0;
}

/* What names this binding in the ring (and its PERF_RECORD_LOST records): pid and fd. */
static uint64_t binding_id(const struct pev *e)
{
	return (uint64_t)getpid() << 32 | (uint32_t)e->fd;
}

/* The ring gets the consumer's size and pages, if it has mapped the event. */
static int attach(struct pev *e)
{
	struct uxdp_perf_layout l;
	uint64_t size = e->addr ? e->len - (size_t)sysconf(_SC_PAGESIZE) : 0;
	int err;

	err = uxdp_perf_layout(e->map, e->idx, &l);
	if (!err && size > l.capacity) {
		char why[200];

		snprintf(why, sizeof(why),
			 "a uxdp perf ring holds at most %llu pages (the map's "
			 "perf ring size): a perf buffer of %llu pages is not served",
			 (unsigned long long)(l.capacity / l.page),
			 (unsigned long long)(size / l.page));
		bpfsys_say_once(BPF_MAP_UPDATE_ELEM, why);
		return -EINVAL;
	}
	if (e->addr && !e->writable) {
		bpfsys_say_once(BPF_MAP_UPDATE_ELEM,
				"a perf event mapped read-only (the kernel's "
				"overwrite mode) is not served on a uxdp perf event array");
		return -EOPNOTSUPP;
	}
	err = err ?: uxdp_perf_bind(e->map, e->idx, size, binding_id(e));
	if (!err && e->addr)
		err = remap(e, &l);
	return err;
}

static void unbind(struct pev *e)
{
	if (!e->map)
		return;
	e->map = NULL;
	close(e->seg_fd);
	e->seg_fd = -1;
}

/* Another event bound at (map, idx) is not any more. */
static void unbind_slot(uint32_t map_id, uint32_t idx)
{
	for (struct pev *e = pevs; e; e = e->next)
		if (e->map && e->map_id == map_id && e->idx == idx)
			unbind(e);
}

static bool is_perf_file(int fd)
{
	char target[64];

	return !bpfsys_fd_target(fd, target, sizeof(target)) &&
	       !strcmp(target, "anon_inode:[perf_event]");
}

/* What the kernel answers for an fd that is not a BPF output event of ours. */
static long not_ours(int fd)
{
	if (!is_perf_file(fd))
		return -EBADF;
	bpfsys_say_once(BPF_MAP_UPDATE_ELEM,
			"a uxdp perf event array takes BPF output perf events "
			"(PERF_COUNT_SW_BPF_OUTPUT) opened in this process, as "
			"libbpf's perf_buffer__new() opens them; not another perf event");
	return -EOPNOTSUPP;
}

static long bind(struct bpfsys_map *m, struct pev *e, uint32_t idx, uint32_t value)
{
	int err;

	if (e->map) {
		bpfsys_say_once(BPF_MAP_UPDATE_ELEM, "a perf event is bound to one uxdp perf "
						     "event array slot at a time");
		return -EOPNOTSUPP;
	}
	e->seg_fd = bpfsys_fd_open(m->info.instance, m->info.name, O_RDWR);
	if (e->seg_fd < 0)
		return e->seg_fd;
	e->map = m->map;
	e->map_id = m->info.id;
	e->idx = idx;
	err = attach(e);
	if (!err)
		err = bpfsys_kernel_errno(uxdp_map_update_elem(m->map, &idx, &value, BPF_ANY));
	if (err) {
		unbind(e);
		return err;
	}
	return 0;
}

/* BPF_MAP_UPDATE_ELEM on a uxdp perf event array: the kernel's checks, then the bind. */
long bpfsys_perf_update(struct bpfsys_call *c, struct bpfsys_map *m)
{
	uint32_t idx, fd;
	struct pev **pp, *e;
	long r;

	r = bpfsys_copy_in(&idx, c->attr.key, 4) ?: bpfsys_copy_in(&fd, c->attr.value, 4);
	if (r)
		return r;
	if (c->attr.flags != BPF_ANY)
		return -EINVAL;
	if (idx >= m->info.max_entries)
		return -E2BIG;
	pthread_mutex_lock(&lock);
	pp = find((int)fd);
	if (pp && !is_perf_file((int)fd)) { /* closed behind our back, the number reused */
		e = *pp;
		unbind(e);
		*pp = e->next;
		free(e);
		__atomic_sub_fetch(&n_pevs, 1, __ATOMIC_RELAXED);
		pp = NULL;
	}
	if (!pp) {
		pthread_mutex_unlock(&lock);
		return not_ours((int)fd);
	}
	e = *pp;
	if (e->map && e->map_id == m->info.id && e->idx == idx) {
		pthread_mutex_unlock(&lock);
		return 0; /* stored again where it is */
	}
	unbind_slot(m->info.id, idx);
	r = bind(m, e, idx, fd);
	pthread_mutex_unlock(&lock);
	return r;
}

/* BPF_MAP_DELETE_ELEM of (map, idx) succeeded: its event is not bound any more. */
void bpfsys_perf_deleted(uint32_t map_id, uint32_t idx)
{
	if (!bpfsys_perf_any())
		return;
	pthread_mutex_lock(&lock);
	unbind_slot(map_id, idx);
	pthread_mutex_unlock(&lock);
}

/* ---- the consumer's calls on the event fd ---- */

/* close(fd) of an event: it leaves its slot, and the table. */
void bpfsys_perf_closed(int fd)
{
	struct pev **pp, *e;

	if (!bpfsys_perf_any())
		return;
	pthread_mutex_lock(&lock);
	pp = find(fd);
	if (pp) {
		e = *pp;
		/* Not if another process has bound the slot since. */
		if (e->map && uxdp_perf_bound_id(e->map, e->idx) == binding_id(e))
			uxdp_map_delete_elem(e->map, &e->idx);
		unbind(e);
		*pp = e->next;
		free(e);
		__atomic_sub_fetch(&n_pevs, 1, __ATOMIC_RELAXED);
	}
	pthread_mutex_unlock(&lock);
}

/*
 * mmap() of an event, done by the kernel (its checks: 1 + 2^n pages, ...):
 * the mapping is remembered, and a bound event's ring is put there.
 */
void *bpfsys_perf_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	void *p = mmap(addr, len, prot, flags, fd, off);
	struct pev **pp;
	int err = 0;

	if (p == MAP_FAILED || off != 0 || (flags & MAP_TYPE) != MAP_SHARED)
		return p;
	pthread_mutex_lock(&lock);
	pp = find(fd);
	if (pp) {
		size_t page = (size_t)sysconf(_SC_PAGESIZE);

		(*pp)->addr = p;
		(*pp)->len = (len + page - 1) / page * page; /* the kernel's vma size */
		(*pp)->writable = prot & PROT_WRITE;
		if ((*pp)->map)
			err = attach(*pp);
	}
	pthread_mutex_unlock(&lock);
	if (err) {
		munmap(p, len);
		errno = -err;
		return MAP_FAILED;
	}
	return p;
}

bool bpfsys_perf_is_event(int fd)
{
	bool r;

	if (!bpfsys_perf_any())
		return false;
	pthread_mutex_lock(&lock);
	r = find(fd) != NULL;
	pthread_mutex_unlock(&lock);
	return r;
}

/* munmap() of a remembered mapping: forgotten, so that no bind maps over it later. */
BPFSYS_EXPORT int munmap(void *addr, size_t len)
{
	static int (*real)(void *, size_t);

	if (!real)
		real = (int (*)(void *, size_t))dlsym(RTLD_NEXT, "munmap");
	if (bpfsys_perf_any()) {
		pthread_mutex_lock(&lock);
		for (struct pev *e = pevs; e; e = e->next)
			if (e->addr == addr)
				e->addr = NULL;
		pthread_mutex_unlock(&lock);
	}
	return real(addr, len);
}

/* The readiness of a bound event's ring (ready.c); NULL when fd is none. */
struct bpfsys_ring *bpfsys_perf_ring(int fd)
{
	struct bpfsys_ring *r = NULL;
	struct pev **pp;
	int err = 0;

	if (!bpfsys_perf_any())
		return NULL;
	pthread_mutex_lock(&lock);
	pp = find(fd);
	if (pp && (*pp)->map)
		r = bpfsys_ring_of((*pp)->map, (int64_t)(*pp)->idx, &err);
	pthread_mutex_unlock(&lock);
	return r;
}
