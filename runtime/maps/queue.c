// SPDX-License-Identifier: MIT
/*
 * queue.c - BPF_MAP_TYPE_QUEUE (FIFO) and BPF_MAP_TYPE_STACK (LIFO).
 *
 * A ring of max_entries values of stride bytes: q_count values starting at
 * q_start (the oldest).  A queue pops the oldest, a stack the newest.  Push
 * with BPF_EXIST on a full map drops the oldest value, as the kernel does for
 * both types.  Everything runs under the map's writer lock (robust,
 * rlock.h): pops must copy the value out before its slot can be reused, so
 * there is no pointer view.  The oldest slot and the count change together
 * in one 64-bit store, so a push or pop killed half way is all or nothing.
 *
 * Through the syscall-like API, update is push (key NULL), lookup is peek
 * and lookup_and_delete is pop; delete and get_next_key are -EINVAL.
 */
#include <errno.h>
#include <string.h>

#include "fault.h"
#include "map_internal.h"

static int queue_check(const struct uxdp_map_def *d)
{
	uint32_t allowed = BPF_F_NUMA_NODE | BPF_F_RDONLY | BPF_F_WRONLY | BPF_F_RDONLY_PROG |
			   BPF_F_WRONLY_PROG;

	if (d->key_size != 0 || d->value_size == 0 || d->value_size > (1u << 20) ||
	    (d->map_flags & ~allowed))
		return -EINVAL;
	return 0;
}

static uint64_t queue_layout(struct uxdp_shm_hdr *h)
{
	return (uint64_t)h->max_entries * h->stride;
}

static uint8_t *qslot(struct uxdp_map *m, uint64_t i)
{
	return (uint8_t *)m->data + (i % m->max_entries) * m->stride;
}

/* The queue's state, clamped so a damaged word cannot index past the ring. */
static void q_get(struct uxdp_map *m, uint32_t *start, uint32_t *count)
{
	uint64_t q = __atomic_load_n(&m->hdr->q_state, __ATOMIC_RELAXED);

	*start = (uint32_t)q % m->max_entries;
	*count = (uint32_t)(q >> 32);
	if (*count > m->max_entries)
		*count = m->max_entries;
}

static void q_set(struct uxdp_map *m, uint32_t start, uint32_t count)
{
	__atomic_store_n(&m->hdr->q_state, (uint64_t)count << 32 | start, __ATOMIC_RELEASE);
}

int uxdp_map_push(struct uxdp_map *m, const void *value, uint64_t flags)
{
	uint32_t start, count;
	int err;

	if (m->type != BPF_MAP_TYPE_QUEUE && m->type != BPF_MAP_TYPE_STACK)
		return -EINVAL;
	if (flags & ~(uint64_t)BPF_EXIST)
		return -EINVAL;
	err = uxdp_map_wlock(m);
	if (err)
		return err;
	q_get(m, &start, &count);
	if (count == m->max_entries) {
		if (!(flags & BPF_EXIST)) {
			err = -E2BIG;
			goto out;
		}
		start = (start + 1) % m->max_entries;
		count--;
	}
	memcpy(qslot(m, (uint64_t)start + count), value, m->value_size);
	UXDP_FAULT_POINT();
	q_set(m, start, count + 1);
out:
	uxdp_map_wunlock(m);
	return err;
}

static int take(struct uxdp_map *m, void *value, bool remove)
{
	uint32_t start, count;
	uint64_t i;
	int err;

	if (m->type != BPF_MAP_TYPE_QUEUE && m->type != BPF_MAP_TYPE_STACK)
		return -EINVAL;
	err = uxdp_map_wlock(m);
	if (err)
		return err;
	q_get(m, &start, &count);
	if (!count) {
		uxdp_map_wunlock(m);
		/* The kernel's __queue_map_get/__stack_map_get zero the value
		 * on an empty map, so a program never reads stale bytes. */
		memset(value, 0, m->value_size);
		return -ENOENT;
	}
	i = m->type == BPF_MAP_TYPE_QUEUE ? start : (uint64_t)start + count - 1;
	memcpy(value, qslot(m, i), m->value_size);
	UXDP_FAULT_POINT();
	if (remove) {
		if (m->type == BPF_MAP_TYPE_QUEUE)
			start = (start + 1) % m->max_entries;
		q_set(m, start, count - 1);
	}
	uxdp_map_wunlock(m);
	return 0;
}

int uxdp_map_pop(struct uxdp_map *m, void *value)
{
	return take(m, value, true);
}

int uxdp_map_peek(struct uxdp_map *m, void *value)
{
	return take(m, value, false);
}

static void *queue_lookup(struct uxdp_map *m, const void *key, int cpu)
{
	return NULL; /* the verifier forbids bpf_map_lookup_elem on these */
}

static int queue_lookup_copy(struct uxdp_map *m, const void *key, void *value)
{
	return key ? -EINVAL : uxdp_map_peek(m, value);
}

static int queue_update(struct uxdp_map *m, const void *key, const void *value, uint64_t flags,
			int cpu)
{
	return key ? -EINVAL : uxdp_map_push(m, value, flags);
}

static int queue_delete(struct uxdp_map *m, const void *key)
{
	return -EINVAL;
}

static int queue_get_next_key(struct uxdp_map *m, const void *key, void *next)
{
	return -EINVAL;
}

const struct uxdp_map_ops uxdp_queue_ops = {
	.check = queue_check,
	.layout = queue_layout,
	.lookup = queue_lookup,
	.lookup_copy = queue_lookup_copy,
	.update = queue_update,
	.delete = queue_delete,
	.get_next_key = queue_get_next_key,
};
