// SPDX-License-Identifier: MIT
/*
 * pool.c - free elements of hash maps and LPM tries (pool.h).
 *
 * The FIFO is ordered by stamp (each put stamps anew), so when its head may
 * still be read, so may everything behind it: one check per allocation.
 * (An element put with the stamp it already has, uxdp_fifo_put_stamped(),
 * may be older than those before it; it is checked when it is taken.)
 */
#include <sched.h>
#include <time.h>

#include <uxdp/clock.h>

#include "fault.h"
#include "instance.h"
#include "pool.h"

/*
 * Under the writer lock (or the lock of whatever FIFO it takes from) a
 * writer waits about 200 us for readers to pass,
 * spinning: long enough for a worker to finish its batch, short because
 * every worker that wants the lock waits too, and a worker waiting for the
 * lock cannot announce a later epoch before it gets it.  A control-plane
 * writer, whose readers' batches may take longer (a preempted worker),
 * does its long wait before it takes the lock (uxdp_pool_settle()),
 * yielding the CPU, for up to about a second: under the lock it would hold
 * every worker that updates the map for that second.
 */
#define WAIT_ROUNDS 64
#define SPINS_PER_ROUND 128
#define WAIT_NS_CONTROL 1000000000ull

static uint32_t *next_of(const struct uxdp_map *m, uint32_t link)
{
	return (uint32_t *)(uxdp_pool_elem(m, link) + m->pool_next_off);
}

uint32_t uxdp_pool_spare(uint32_t n_elems, uint64_t elem_size)
{
	uint64_t spare = n_elems / 16;

	if (spare < 64)
		spare = 64;
	if (spare > 65536)
		spare = 65536;
	/* large values: no more than 16 MiB of spares, but never fewer than 16 */
	if (spare * elem_size > (16u << 20))
		spare = (16u << 20) / elem_size;
	if (spare < 16)
		spare = 16;
	return (uint32_t)spare;
}

void uxdp_pool_init(struct uxdp_map *m, uint32_t first, uint32_t last)
{
	struct uxdp_shm_hdr *h = m->hdr;

	if (first > last)
		return;
	for (uint32_t l = first; l <= last; l++) {
		*next_of(m, l) = l < last ? l + 1 : 0;
		__atomic_store_n(uxdp_pool_stamp(m, l), 0, __ATOMIC_RELAXED);
	}
	if (h->free_tail)
		*next_of(m, h->free_tail) = first;
	else
		__atomic_store_n(&h->free_head, first, __ATOMIC_RELEASE);
	h->free_tail = last;
}

void uxdp_fifo_put(struct uxdp_map *m, uint32_t *head, uint32_t *tail, uint32_t link)
{
	uxdp_fifo_put_stamped(m, head, tail, link, uxdp_inst_stamp(m->inst));
}

/*
 * With a stamp the element already had (an LRU map's spare swaps)
 * a FIFO is not ordered by stamp any more, which costs nothing but an
 * earlier wait: each element is checked when it is taken from the head.
 */
void uxdp_fifo_put_stamped(struct uxdp_map *m, uint32_t *head, uint32_t *tail, uint32_t link,
			   uint64_t stamp)
{
	uint32_t t = *tail;

	*next_of(m, link) = 0;
	__atomic_store_n(uxdp_pool_stamp(m, link), stamp, __ATOMIC_RELAXED);
	UXDP_FAULT_POINT();
	if (t && t <= m->n_pool)
		*next_of(m, t) = link;
	else
		__atomic_store_n(head, link, __ATOMIC_RELEASE);
	UXDP_FAULT_POINT();
	*tail = link;
}

void uxdp_pool_put(struct uxdp_map *m, uint32_t link)
{
	uxdp_fifo_put(m, &m->hdr->free_head, &m->hdr->free_tail, link);
}

bool uxdp_pool_safe(struct uxdp_map *m, uint64_t stamp)
{
	return stamp < uxdp_inst_safe_cached(m->inst) ||
	       stamp < uxdp_inst_safe_below(m->inst, false);
}

/* Wait a little until stamp is safe (the FIFO's lock held); false if it is not. */
static bool wait_safe(struct uxdp_map *m, uint64_t stamp)
{
	for (int round = 0; round < WAIT_ROUNDS; round++) {
		for (int i = 0; i < SPINS_PER_ROUND; i++)
			uxdp_cpu_relax();
		if (uxdp_pool_safe(m, stamp))
			return true;
	}
	/* last: is it a dead thread's announcement that holds it back? */
	return stamp < uxdp_inst_safe_below(m->inst, true);
}

/* The stamp of a FIFO's head now, read without the lock; false if the FIFO is empty. */
static bool head_stamp(struct uxdp_map *m, uint32_t *head, uint64_t *stamp)
{
	uint32_t l = __atomic_load_n(head, __ATOMIC_ACQUIRE);

	if (!l || l > m->n_pool)
		return false;
	*stamp = __atomic_load_n(uxdp_pool_stamp(m, l), __ATOMIC_RELAXED);
	return true;
}

void uxdp_fifo_settle(struct uxdp_map *m, uint32_t *head)
{
	uint64_t stamp, end;

	if (uxdp_inst_active(m->inst) || !head_stamp(m, head, &stamp) ||
	    uxdp_pool_safe(m, stamp))
		return;
	end = uxdp_monotonic_ns() + WAIT_NS_CONTROL;
	while (uxdp_monotonic_ns() < end) {
		sched_yield();
		/* the head may have moved on (another writer took it): wait for the new one */
		if (!head_stamp(m, head, &stamp) || uxdp_pool_safe(m, stamp))
			return;
	}
	(void)uxdp_inst_safe_below(m->inst, true); /* clear dead threads' announcements */
}

void uxdp_pool_settle(struct uxdp_map *m)
{
	uxdp_fifo_settle(m, &m->hdr->free_head);
}

uint32_t uxdp_fifo_get(struct uxdp_map *m, uint32_t *head, uint32_t *tail, bool force)
{
	uint32_t l = *head, next;
	uint64_t stamp;

	if (!l || l > m->n_pool)
		return 0;
	stamp = __atomic_load_n(uxdp_pool_stamp(m, l), __ATOMIC_RELAXED);
	if (!uxdp_pool_safe(m, stamp) && !wait_safe(m, stamp)) {
		if (!force)
			return 0;
		/* before the element is written again: a repair's walk reads it (hash.c) */
		__atomic_add_fetch(&m->hdr->forced_reuse, 1, __ATOMIC_SEQ_CST);
	}
	next = *next_of(m, l);
	if (next > m->n_pool)
		next = 0;
	__atomic_store_n(head, next, __ATOMIC_RELEASE);
	UXDP_FAULT_POINT();
	if (!next)
		*tail = 0;
	return l;
}

uint32_t uxdp_pool_get(struct uxdp_map *m, bool force)
{
	return uxdp_fifo_get(m, &m->hdr->free_head, &m->hdr->free_tail, force);
}

uint32_t uxdp_pool_rebuild(struct uxdp_map *m, const uint8_t *in_use)
{
	struct uxdp_shm_hdr *h = m->hdr;
	uint64_t stamp = uxdp_inst_stamp(m->inst); /* any reader may hold any of them */
	uint32_t n = 0, tail = 0;

	__atomic_store_n(&h->free_head, 0, __ATOMIC_RELAXED);
	for (uint32_t l = 1; l <= m->n_pool; l++) {
		if (uxdp_bit(in_use, l - 1))
			continue;
		*next_of(m, l) = 0;
		__atomic_store_n(uxdp_pool_stamp(m, l), stamp, __ATOMIC_RELAXED);
		if (tail)
			*next_of(m, tail) = l;
		else
			__atomic_store_n(&h->free_head, l, __ATOMIC_RELEASE);
		tail = l;
		n++;
	}
	h->free_tail = tail;
	return n;
}
