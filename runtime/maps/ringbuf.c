// SPDX-License-Identifier: MIT
/*
 * ringbuf.c - BPF_MAP_TYPE_RINGBUF, multi-producer, single consumer, with
 * the kernel's record format so that the consumer logic is the familiar one.
 *
 * The data area (max_entries bytes, a power of two and a multiple of the
 * page size) is mapped twice in a row (see map.c), so a record that wraps
 * around the end is contiguous.  A record is an 8-byte header {u32 len with
 * BPF_RINGBUF_BUSY_BIT / BPF_RINGBUF_DISCARD_BIT, u32 unused} and the data,
 * padded to 8.  Producers reserve under the map's writer lock (as the
 * kernel's rb->spinlock; robust, rlock.h) by moving rb_prod_pos; submit and
 * discard only clear the busy bit with release order, without a lock, so
 * they need no map pointer.  The consumer stops at the first busy record, so
 * records are delivered in reservation order even when submitted out of
 * order.  The header's second word (the kernel's page offset, which no
 * consumer reads) holds the reserving thread's token: a record whose
 * reserver died busy is skipped as discarded, or it would stop the ring
 * for good.  There is no wakeup:
 * consumers poll (BPF_RB_NO_WAKEUP / FORCE_WAKEUP are accepted and ignored).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "instance.h"
#include "map_internal.h"

#define RB_HDR BPF_RINGBUF_HDR_SZ

static int ringbuf_check(const struct uxdp_map_def *d)
{
	long page = sysconf(_SC_PAGESIZE);

	if (d->key_size || d->value_size || (d->map_flags & ~(uint32_t)BPF_F_NUMA_NODE))
		return -EINVAL;
	if (d->max_entries & (d->max_entries - 1) || d->max_entries % (uint32_t)page)
		return -EINVAL;
	return 0;
}

static uint64_t ringbuf_layout(struct uxdp_shm_hdr *h)
{
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
	struct uxdp_shm_hdr *h = m->hdr;
	uint64_t mask = m->max_entries - 1, total, prod, cons;
	uint32_t *hdr;

	if (m->type != BPF_MAP_TYPE_RINGBUF || flags ||
	    size > (uint64_t)m->max_entries - RB_HDR || size >= BPF_RINGBUF_DISCARD_BIT)
		return NULL;
	total = uxdp_round_up(size + RB_HDR, 8);
	if (uxdp_map_wlock(m))
		return NULL;
	prod = h->rb_prod_pos;
	cons = __atomic_load_n(&h->rb_cons_pos, __ATOMIC_ACQUIRE);
	/* As the kernel: the ring never fills up completely. */
	if (prod + total - cons > mask) {
		uxdp_map_wunlock(m);
		return NULL;
	}
	hdr = (uint32_t *)((uint8_t *)m->data + (prod & mask));
	hdr[1] = uxdp_inst_token(m->inst);
	__atomic_store_n(&hdr[0], (uint32_t)size | BPF_RINGBUF_BUSY_BIT, __ATOMIC_RELAXED);
	__atomic_store_n(&h->rb_prod_pos, prod + total, __ATOMIC_RELEASE);
	uxdp_map_wunlock(m);
	return hdr + 2;
}

static void commit(void *data, bool discard)
{
	uint32_t *hdr = (uint32_t *)data - 2;
	uint32_t len = __atomic_load_n(hdr, __ATOMIC_RELAXED) & ~BPF_RINGBUF_BUSY_BIT;

	if (discard)
		len |= BPF_RINGBUF_DISCARD_BIT;
	__atomic_store_n(hdr, len, __ATOMIC_RELEASE);
}

void uxdp_ringbuf_submit(void *data, uint64_t flags)
{
	commit(data, false);
}

void uxdp_ringbuf_discard(void *data, uint64_t flags)
{
	commit(data, true);
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
	commit(rec, false);
	return 0;
}

uint64_t uxdp_ringbuf_query(struct uxdp_map *m, uint64_t flags)
{
	struct uxdp_shm_hdr *h = m->hdr;
	uint64_t cons = __atomic_load_n(&h->rb_cons_pos, __ATOMIC_ACQUIRE);
	uint64_t prod = __atomic_load_n(&h->rb_prod_pos, __ATOMIC_ACQUIRE);

	if (m->type != BPF_MAP_TYPE_RINGBUF)
		return 0;
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
	struct uxdp_shm_hdr *h = m->hdr;
	uint64_t mask = m->max_entries - 1, cons, prod;
	int n = 0, err = 0;

	if (m->type != BPF_MAP_TYPE_RINGBUF)
		return -EINVAL;
	cons = __atomic_load_n(&h->rb_cons_pos, __ATOMIC_ACQUIRE);
	prod = __atomic_load_n(&h->rb_prod_pos, __ATOMIC_ACQUIRE);
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
		__atomic_store_n(&h->rb_cons_pos, cons, __ATOMIC_RELEASE);
		if (err < 0)
			return err;
	}
	return n;
}
