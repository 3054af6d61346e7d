// SPDX-License-Identifier: MIT
/*
 * ringbuf.c - BPF_MAP_TYPE_RINGBUF, multi-producer, single consumer, with
 * the kernel's record format and the kernel's mmap layout, so that libbpf's
 * ring_buffer__new() reads it as it reads a kernel ring (runtime/bpfsys).
 *
 * Segment layout: the header page, then a consumer page (consumer_pos at
 * offset 0, the only word a consumer writes), a producer page
 * (producer_pos at offset 0, then our wakeup words), then the data area
 * (max_entries bytes, a power of two and a multiple of the page size).
 * From the consumer page on, that is the kernel's mmap layout of a ring
 * buffer map; the data area is mapped a second time right after itself
 * (map.c), so a record that wraps around the end is contiguous.
 *
 * A record is an 8-byte header {u32 len with BPF_RINGBUF_BUSY_BIT /
 * BPF_RINGBUF_DISCARD_BIT, u32 unused} and the data, padded to 8.
 * Producers reserve under the map's writer lock (as the kernel's
 * rb->spinlock; robust, rlock.h) by moving producer_pos; submit and discard
 * only clear the busy bit, without a lock.  The consumer stops at the first
 * busy record, so records are delivered in reservation order even when
 * submitted out of order.  The header's second word (the kernel's page
 * offset, which no consumer reads) holds the reserving thread's token: a
 * record whose reserver died busy is skipped as discarded, or it would
 * stop the ring for good.
 *
 * Wakeups, as the kernel's: a commit wakes the consumer when the consumer
 * had caught up with that record (nothing else could be waiting for it),
 * or with BPF_RB_FORCE_WAKEUP, never with BPF_RB_NO_WAKEUP.  A wakeup bumps
 * a counter in the producer page and FUTEX_WAKEs it (a shared futex: the
 * waiter is in another process, runtime/bpfsys/ready.c).  Only while a
 * waiter has announced itself (waiters > 0): without one, a commit costs
 * one load more than a plain store; with one, a full fence too (as the
 * kernel's xchg) and a FUTEX_WAKE when the consumer had caught up.
 */
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <linux/membarrier.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "instance.h"
#include "map_internal.h"
#include "segment.h"

#define RB_HDR BPF_RINGBUF_HDR_SZ

/* The producer page, as the kernel's begins: producer_pos at offset 0. */
struct rb_prod_page {
	uint64_t producer_pos;
	_Alignas(64) uint32_t waiters; /* consumers waiting for wakeups (read per commit) */
	_Alignas(64) uint32_t wake_seq; /* bumped and FUTEX_WAKEd at each wakeup */
};

static size_t page_size;

__attribute__((constructor)) static void init_page_size(void)
{
	page_size = (size_t)sysconf(_SC_PAGESIZE);
}

/* A map made by another constructor may come before ours. */
static inline size_t rb_page(void)
{
	if (__builtin_expect(!page_size, 0))
		init_page_size();
	return page_size;
}

/*
 * The ring this thread reserved from last: submit and discard find the map
 * of a record here first, and only otherwise by its address
 * (uxdp_seg_tag_of(), a registry walk).
 */
static __thread struct uxdp_map *last_reserved;

/* The two position pages sit right before the data, in every mapping. */
static uint64_t *cons_pos(const struct uxdp_map *m)
{
	return (uint64_t *)((uint8_t *)m->data - 2 * rb_page());
}

static struct rb_prod_page *prod_page(const struct uxdp_map *m)
{
	return (struct rb_prod_page *)((uint8_t *)m->data - rb_page());
}

static int ringbuf_check(const struct uxdp_map_def *d)
{
	long page = sysconf(_SC_PAGESIZE);

	if (d->key_size || d->value_size || (d->map_flags & ~(uint32_t)BPF_F_NUMA_NODE))
		return -EINVAL;
	if (d->max_entries & (d->max_entries - 1) || d->max_entries % (uint32_t)page)
		return -EINVAL;
	return 0;
}

/* Consumer and producer pages at aux_off, the data after them at data_off. */
static uint64_t ringbuf_layout(struct uxdp_shm_hdr *h)
{
	h->aux_off = uxdp_round_up(h->data_off, rb_page());
	h->data_off = h->aux_off + 2 * rb_page();
	return h->max_entries;
}

static void *ringbuf_lookup(struct uxdp_map *m, const void *key, int cpu)
{
	return NULL;
}

static int ringbuf_unsupported(struct uxdp_map *m, const void *key, void *value)
{
	return -EOPNOTSUPP;
}

static int ringbuf_update(struct uxdp_map *m, const void *key, const void *value,
			  uint64_t flags, int cpu)
{
	return -EOPNOTSUPP;
}

static int ringbuf_delete(struct uxdp_map *m, const void *key)
{
	return -EOPNOTSUPP;
}

const struct uxdp_map_ops uxdp_ringbuf_ops = {
	.check = ringbuf_check,
	.layout = ringbuf_layout,
	.lookup = ringbuf_lookup,
	.lookup_copy = ringbuf_unsupported,
	.update = ringbuf_update,
	.delete = ringbuf_delete,
	.get_next_key = ringbuf_unsupported,
};

void *uxdp_ringbuf_reserve(struct uxdp_map *m, uint64_t size, uint64_t flags)
{
	struct rb_prod_page *p = prod_page(m);
	uint64_t mask = m->max_entries - 1, total, prod, cons;
	uint32_t *hdr;

	if (m->type != BPF_MAP_TYPE_RINGBUF || flags ||
	    size > (uint64_t)m->max_entries - RB_HDR || size >= BPF_RINGBUF_DISCARD_BIT)
		return NULL;
	total = uxdp_round_up(size + RB_HDR, 8);
	if (uxdp_map_wlock(m))
		return NULL;
	prod = p->producer_pos;
	cons = __atomic_load_n(cons_pos(m), __ATOMIC_ACQUIRE);
	/* As the kernel: the ring never fills up completely. */
	if (prod + total - cons > mask) {
		uxdp_map_wunlock(m);
		return NULL;
	}
	hdr = (uint32_t *)((uint8_t *)m->data + (prod & mask));
	hdr[1] = uxdp_inst_token(m->inst);
	__atomic_store_n(&hdr[0], (uint32_t)size | BPF_RINGBUF_BUSY_BIT, __ATOMIC_RELAXED);
	__atomic_store_n(&p->producer_pos, prod + total, __ATOMIC_RELEASE);
	uxdp_map_wunlock(m);
	last_reserved = m;
	return hdr + 2;
}

static long futex(uint32_t *word, int op, uint32_t val, const struct timespec *timeout)
{
	return syscall(SYS_futex, word, op, val, timeout, NULL, 0);
}

/*
 * The kernel's rule (bpf_ringbuf_commit): wake when forced, or when the
 * consumer had caught up with this record, unless told not to.  Waiters are
 * read first: with nobody waiting, a commit stops here.
 */
static void wake_if_caught_up(struct uxdp_map *m, const uint32_t *hdr, uint64_t flags)
{
	struct rb_prod_page *p;
	uint64_t mask, rec_pos;

	if (!m || (flags & BPF_RB_NO_WAKEUP && !(flags & BPF_RB_FORCE_WAKEUP)))
		return;
	p = prod_page(m);
	if (!__atomic_load_n(&p->waiters, __ATOMIC_RELAXED))
		return;
	/* Against a consumer that stores consumer_pos, fences, then reads the ring. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	mask = m->max_entries - 1;
	rec_pos = (uint64_t)((const uint8_t *)hdr - (const uint8_t *)m->data) & mask;
	if (!(flags & BPF_RB_FORCE_WAKEUP) &&
	    (__atomic_load_n(cons_pos(m), __ATOMIC_ACQUIRE) & mask) != rec_pos)
		return;
	__atomic_add_fetch(&p->wake_seq, 1, __ATOMIC_RELEASE);
	futex(&p->wake_seq, FUTEX_WAKE, INT_MAX, NULL);
}

/*
 * Publish a record: clear busy (set discard), then see whether to wake.
 * No fence between the two while nobody waits: a waiter that joins makes
 * every CPU pass a barrier (uxdp_ringbuf_waiter()), so a commit either
 * sees it or was visible to it.  m is NULL when the record's map is not
 * known (a range the segment registry could not hold): no wakeup then.
 */
static void commit(struct uxdp_map *m, void *data, uint64_t flags, bool discard)
{
	uint32_t *hdr = (uint32_t *)data - 2;
	uint32_t len = __atomic_load_n(hdr, __ATOMIC_RELAXED) & ~BPF_RINGBUF_BUSY_BIT;

	if (discard)
		len |= BPF_RINGBUF_DISCARD_BIT;
	__atomic_store_n(hdr, len, __ATOMIC_RELEASE);
	wake_if_caught_up(m, hdr, flags);
}

/* bpf_ringbuf_submit() has no map argument: the record's address names it. */
static struct uxdp_map *map_of_record(const void *data)
{
	struct uxdp_map *m = last_reserved;

	if (m && (const uint8_t *)data >= (const uint8_t *)m->data &&
	    (const uint8_t *)data < (const uint8_t *)m->data + 2 * (size_t)m->max_entries)
		return m;
	return uxdp_seg_tag_of(data);
}

void uxdp_ringbuf_submit(void *data, uint64_t flags)
{
	commit(map_of_record(data), data, flags, false);
}

void uxdp_ringbuf_discard(void *data, uint64_t flags)
{
	commit(map_of_record(data), data, flags, true);
}

int uxdp_ringbuf_output(struct uxdp_map *m, const void *data, uint64_t size, uint64_t flags)
{
	void *rec;

	if (flags & ~(uint64_t)(BPF_RB_NO_WAKEUP | BPF_RB_FORCE_WAKEUP))
		return -EINVAL;
	rec = uxdp_ringbuf_reserve(m, size, 0);
	if (!rec)
		return -EAGAIN;
	memcpy(rec, data, size);
	commit(m, rec, flags, false);
	return 0;
}

uint64_t uxdp_ringbuf_query(struct uxdp_map *m, uint64_t flags)
{
	uint64_t cons, prod;

	if (m->type != BPF_MAP_TYPE_RINGBUF)
		return 0;
	cons = __atomic_load_n(cons_pos(m), __ATOMIC_ACQUIRE);
	prod = __atomic_load_n(&prod_page(m)->producer_pos, __ATOMIC_ACQUIRE);
	switch (flags) {
	case BPF_RB_AVAIL_DATA:
		return prod - cons;
	case BPF_RB_RING_SIZE:
		return m->max_entries;
	case BPF_RB_CONS_POS:
		return cons;
	case BPF_RB_PROD_POS:
		return prod;
	default:
		return 0;
	}
}

/*
 * A busy record whose reserver is gone will never be submitted: mark it
 * discarded (*len updated) so the ring goes on.  Only a busy record stops a
 * consumer, so the liveness check is off the normal path.
 */
static bool dead_reserver(struct uxdp_map *m, uint32_t *hdr, uint32_t *len)
{
	uint32_t token = __atomic_load_n(&hdr[1], __ATOMIC_RELAXED);

	if (!token || !uxdp_inst_token_dead(m->inst, token))
		return false;
	*len = (*len & ~BPF_RINGBUF_BUSY_BIT) | BPF_RINGBUF_DISCARD_BIT;
	__atomic_store_n(hdr, *len, __ATOMIC_RELEASE);
	return true;
}

int uxdp_ringbuf_consume(struct uxdp_map *m, uxdp_ringbuf_cb cb, void *ctx)
{
	uint64_t mask = m->max_entries - 1, cons, prod;
	int n = 0, err = 0;

	if (m->type != BPF_MAP_TYPE_RINGBUF)
		return -EINVAL;
	cons = __atomic_load_n(cons_pos(m), __ATOMIC_ACQUIRE);
	prod = __atomic_load_n(&prod_page(m)->producer_pos, __ATOMIC_ACQUIRE);
	while (cons < prod) {
		uint32_t *hdr = (uint32_t *)((uint8_t *)m->data + (cons & mask));
		uint32_t len = __atomic_load_n(hdr, __ATOMIC_ACQUIRE);

		if ((len & BPF_RINGBUF_BUSY_BIT) && !dead_reserver(m, hdr, &len))
			break;
		cons += uxdp_round_up((len & ~BPF_RINGBUF_DISCARD_BIT) + RB_HDR, 8);
		if (!(len & BPF_RINGBUF_DISCARD_BIT)) {
			n++;
			err = cb(ctx, hdr + 2, len);
		}
		/* Free the space only after the callback has read the record. */
		__atomic_store_n(cons_pos(m), cons, __ATOMIC_RELEASE);
		if (err < 0)
			return err;
	}
	return n;
}

/* ---- for consumers outside the runtime (runtime/bpfsys) ---- */

int uxdp_ringbuf_layout(struct uxdp_map *m, struct uxdp_ringbuf_layout *out)
{
	if (m->type != BPF_MAP_TYPE_RINGBUF)
		return -EINVAL;
	out->page = rb_page();
	out->data_off = (uint64_t)((uint8_t *)m->data - (uint8_t *)m->hdr);
	out->pos_off = out->data_off - 2 * out->page;
	out->size = m->max_entries;
	return 0;
}

/*
 * Announce (join) or withdraw a waiter.  After joining, the caller reads the
 * positions.  Producers read the waiters without a fence (commit()), so a
 * producer's load may pass its own store of the record; the asymmetric
 * fence here, a barrier on every CPU of the system (membarrier), makes sure
 * that either the caller's read sees the record or the commit sees the
 * waiter.  Where membarrier is refused, -ENOSYS: the caller must look
 * again later (a record committed right then may not wake it).
 */
int uxdp_ring_waiter(uint32_t *waiters, bool join)
{
	if (!join) {
		if (__atomic_load_n(waiters, __ATOMIC_RELAXED))
			__atomic_sub_fetch(waiters, 1, __ATOMIC_SEQ_CST);
		return 0;
	}
	__atomic_add_fetch(waiters, 1, __ATOMIC_SEQ_CST);
	return syscall(SYS_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0) ? -ENOSYS : 0;
}

int uxdp_ringbuf_waiter(struct uxdp_map *m, bool join)
{
	return uxdp_ring_waiter(&prod_page(m)->waiters, join);
}

uint32_t uxdp_ringbuf_wakeups(struct uxdp_map *m)
{
	return __atomic_load_n(&prod_page(m)->wake_seq, __ATOMIC_ACQUIRE);
}

int uxdp_ringbuf_wait(struct uxdp_map *m, uint32_t seen, int timeout_ms)
{
	struct timespec ts = { timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000 };
	long r = futex(&prod_page(m)->wake_seq, FUTEX_WAIT, seen, timeout_ms < 0 ? NULL : &ts);

	if (r == 0 || errno == EAGAIN)
		return 0;
	return -errno;
}

/*
 * A consumer outside the runtime (libbpf's) stops for good at a busy record
 * whose reserver died: mark such a record at the consumer's position
 * discarded, as uxdp_ringbuf_consume() does.  Whether one was.
 */
bool uxdp_ringbuf_unstick(struct uxdp_map *m)
{
	uint64_t cons = __atomic_load_n(cons_pos(m), __ATOMIC_ACQUIRE);
	uint64_t prod = __atomic_load_n(&prod_page(m)->producer_pos, __ATOMIC_ACQUIRE);
	uint32_t *hdr, len;

	if (m->type != BPF_MAP_TYPE_RINGBUF || cons >= prod)
		return false;
	hdr = (uint32_t *)((uint8_t *)m->data + (cons & (m->max_entries - 1)));
	len = __atomic_load_n(hdr, __ATOMIC_ACQUIRE);
	return (len & BPF_RINGBUF_BUSY_BIT) && dead_reserver(m, hdr, &len);
}

/* Waiters return to re-check (their own stop flag); no wakeup is counted. */
void uxdp_ringbuf_kick(struct uxdp_map *m)
{
	futex(&prod_page(m)->wake_seq, FUTEX_WAKE, INT_MAX, NULL);
}
