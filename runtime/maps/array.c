// SPDX-License-Identifier: MIT
/*
 * array.c - index-addressed maps.
 *
 * array / percpu_array: max_entries values of stride = round_up(value_size,
 * 8) bytes at data, so that an array lookup is an add and a multiply (see
 * map.h); a per-CPU array has one such array per CPU, each starting on a
 * cache line (cpu * UXDP_PERCPU_ARRAY_SPAN + idx * stride), so that two
 * workers counting in one index write different lines.  Every
 * element always exists; updates copy in place without a lock, as the kernel
 * does (a reader may see a half-written value unless BPF_F_LOCK is used).
 *
 * Slot arrays (prog_array, array_of_maps, devmap, xskmap, cpumap,
 * perf_event_array): the same value array plus one "present" word per slot,
 * because these slots can be empty.  Writers take the map's writer lock
 * (robust, rlock.h) so that value and present flag change together;
 * readers check present with acquire order and then read the value without
 * a lock.  Each change is a value store and one flag store, so a writer
 * killed between them leaves either the old or the new slot.
 *
 * perf_event_array rings: after the present words, from the next page on,
 * one ring per index in the kernel's perf mmap layout (perfring.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <uxdp/object_format.h>

#include "fault.h"
#include "map_internal.h"
#include "rlock.h"
#include "slot_internal.h"

#define ARRAY_FLAGS                                                                       \
	(BPF_F_NUMA_NODE | BPF_F_MMAPABLE | BPF_F_RDONLY | BPF_F_WRONLY | BPF_F_RDONLY_PROG | \
	 BPF_F_WRONLY_PROG | BPF_F_PRESERVE_ELEMS | BPF_F_INNER_MAP)

/* ---- array, percpu_array ---- */

static int array_check(const struct uxdp_map_def *d)
{
	if (d->key_size != 4 || d->value_size == 0 || (d->map_flags & ~ARRAY_FLAGS))
		return -EINVAL;
	if (d->type == BPF_MAP_TYPE_PERCPU_ARRAY && (d->map_flags & BPF_F_MMAPABLE))
		return -EINVAL;
	if (d->map_flags & BPF_F_PRESERVE_ELEMS) /* only for perf_event_array */
		return -EINVAL;
	return 0;
}

static uint64_t array_layout(struct uxdp_shm_hdr *h)
{
	if (uxdp_map_is_percpu(h->type))
		return UXDP_PERCPU_ARRAY_SPAN(h->max_entries, h->stride) * h->ncpus;
	return (uint64_t)h->max_entries * h->stride;
}

static inline uint8_t *array_elem(struct uxdp_map *m, uint32_t idx, unsigned int cpu)
{
	if (m->type == BPF_MAP_TYPE_PERCPU_ARRAY)
		return (uint8_t *)m->data + cpu * UXDP_PERCPU_ARRAY_SPAN(m->max_entries, m->stride) +
		       (uint64_t)idx * m->stride;
	return (uint8_t *)m->data + (uint64_t)idx * m->stride;
}

static void *array_lookup(struct uxdp_map *m, const void *key, int cpu)
{
	uint32_t idx = *(const uint32_t *)key;

	if (idx >= m->max_entries)
		return NULL;
	return array_elem(m, idx, cpu < 0 ? 0 : (unsigned int)cpu);
}

static int array_lookup_copy(struct uxdp_map *m, const void *key, void *value)
{
	uint32_t idx = *(const uint32_t *)key;

	if (idx >= m->max_entries)
		return -ENOENT;
	if (m->type != BPF_MAP_TYPE_PERCPU_ARRAY) {
		uxdp_copy_value_out(m, value, array_elem(m, idx, 0));
		return 0;
	}
	for (unsigned int c = 0; c < m->ncpus; c++) {
		uint8_t *dst = (uint8_t *)value + (size_t)c * m->stride;

		memset(dst, 0, m->stride);
		uxdp_copy_value_out(m, dst, array_elem(m, idx, c));
	}
	return 0;
}

static int array_update(struct uxdp_map *m, const void *key, const void *value, uint64_t flags,
			int cpu)
{
	uint32_t idx = *(const uint32_t *)key;
	uint8_t *dst;

	if (uxdp_check_update_flags(flags))
		return -EINVAL;
	if (idx >= m->max_entries)
		return -E2BIG;
	if ((flags & ~(uint64_t)BPF_F_LOCK) == BPF_NOEXIST)
		return -EEXIST; /* all elements always exist */
	if (m->type == BPF_MAP_TYPE_PERCPU_ARRAY) {
		if (flags & BPF_F_LOCK)
			return -EINVAL;
		if (cpu >= 0) {
			uxdp_copy_value(m, array_elem(m, idx, (unsigned int)cpu), value);
			return 0;
		}
		for (unsigned int c = 0; c < m->ncpus; c++)
			uxdp_copy_value(m, array_elem(m, idx, c),
					(const uint8_t *)value + (size_t)c * m->stride);
		return 0;
	}
	dst = array_elem(m, idx, 0);
	if (flags & BPF_F_LOCK)
		return uxdp_copy_value_locked(m, dst, value, dst);
	uxdp_copy_value(m, dst, value);
	return 0;
}

static int array_delete(struct uxdp_map *m, const void *key)
{
	return -EINVAL;
}

static int array_get_next_key(struct uxdp_map *m, const void *key, void *next)
{
	uint32_t idx = key ? *(const uint32_t *)key : UINT32_MAX;

	if (idx >= m->max_entries) {
		*(uint32_t *)next = 0;
		return 0;
	}
	if (idx == m->max_entries - 1)
		return -ENOENT;
	*(uint32_t *)next = idx + 1;
	return 0;
}

const struct uxdp_map_ops uxdp_array_ops = {
	.check = array_check,
	.layout = array_layout,
	.lookup = array_lookup,
	.lookup_copy = array_lookup_copy,
	.update = array_update,
	.delete = array_delete,
	.get_next_key = array_get_next_key,
};

/* ---- slot arrays ---- */

/* The "fd arrays" of the kernel: their update and delete rules differ. */
static bool is_fd_array(uint32_t type)
{
	return type == BPF_MAP_TYPE_PROG_ARRAY || type == BPF_MAP_TYPE_ARRAY_OF_MAPS ||
	       type == BPF_MAP_TYPE_PERF_EVENT_ARRAY;
}

static int slot_check(const struct uxdp_map_def *d)
{
	uint32_t allowed = BPF_F_NUMA_NODE | BPF_F_RDONLY | BPF_F_WRONLY | BPF_F_RDONLY_PROG |
			   BPF_F_WRONLY_PROG;

	if (d->key_size != 4)
		return -EINVAL;
	switch (d->type) {
	case BPF_MAP_TYPE_DEVMAP:
	case BPF_MAP_TYPE_CPUMAP:
		if (d->value_size != 4 && d->value_size != 8)
			return -EINVAL;
		break;
	case BPF_MAP_TYPE_PERF_EVENT_ARRAY:
		allowed |= BPF_F_PRESERVE_ELEMS;
		if (d->perf_ring_size && (d->perf_ring_size < 64 ||
					  (d->perf_ring_size & (d->perf_ring_size - 1))))
			return -EINVAL;
		/* fallthrough */
	default:
		if (d->value_size != 4)
			return -EINVAL;
	}
	if (d->type == BPF_MAP_TYPE_ARRAY_OF_MAPS)
		allowed |= BPF_F_INNER_MAP;
	return (d->map_flags & ~allowed) ? -EINVAL : 0;
}

static uint64_t slot_layout(struct uxdp_shm_hdr *h)
{
	uint64_t values = uxdp_round_up((uint64_t)h->max_entries * h->stride, 64);
	uint64_t size;

	h->aux_off = h->data_off + values;
	size = uxdp_round_up(h->aux_off + (uint64_t)h->max_entries * 4, 64) - h->data_off;
	if (h->type == BPF_MAP_TYPE_PERF_EVENT_ARRAY)
		size = uxdp_perf_rings_off(h) - h->data_off +
		       (uint64_t)h->max_entries * uxdp_perf_ring_span(h);
	return size;
}

static void *slot_lookup(struct uxdp_map *m, const void *key, int cpu)
{
	uint32_t idx = *(const uint32_t *)key;
	void *v;

	if (idx >= m->max_entries)
		return NULL;
	v = slot_value(m, idx);
	if (v && m->type == BPF_MAP_TYPE_ARRAY_OF_MAPS)
		return uxdp_inner_map(m, *(uint32_t *)v);
	return v;
}

static int slot_lookup_copy(struct uxdp_map *m, const void *key, void *value)
{
	uint32_t idx = *(const uint32_t *)key;
	void *v;

	if (idx >= m->max_entries)
		return -ENOENT;
	v = slot_value(m, idx);
	if (v)
		memcpy(value, v, m->value_size);
	return v ? 0 : -ENOENT;
}

static void slot_clear(struct uxdp_map *m, uint32_t idx)
{
	__atomic_store_n(slot_present(m, idx), 0, __ATOMIC_RELEASE);
}

static int slot_delete(struct uxdp_map *m, const void *key)
{
	uint32_t idx = *(const uint32_t *)key;
	uint32_t was;
	int err;

	if (idx >= m->max_entries)
		return is_fd_array(m->type) ? -E2BIG : -EINVAL;
	err = uxdp_map_wlock(m);
	if (err)
		return err;
	was = __atomic_load_n(slot_present(m, idx), __ATOMIC_RELAXED);
	slot_clear(m, idx);
	uxdp_map_wunlock(m);
	if (m->type == BPF_MAP_TYPE_PROG_ARRAY)
		__atomic_store_n(&m->fns[idx], NULL, __ATOMIC_RELEASE);
	return !was && is_fd_array(m->type) ? -ENOENT : 0;
}

static int slot_update(struct uxdp_map *m, const void *key, const void *value, uint64_t flags,
		       int cpu)
{
	uint32_t idx = *(const uint32_t *)key;
	uint32_t *present, clean[2];
	int err = 0;

	if (is_fd_array(m->type) ? flags != BPF_ANY : flags > BPF_EXIST)
		return -EINVAL;
	if (idx >= m->max_entries)
		return -E2BIG;
	switch (m->type) {
	case BPF_MAP_TYPE_ARRAY_OF_MAPS:
		err = uxdp_check_inner(m, *(const uint32_t *)value);
		break;
	case BPF_MAP_TYPE_DEVMAP:
	case BPF_MAP_TYPE_CPUMAP: {
		/* ifindex or qsize, then (8-byte values) a program fd */
		uint32_t v0 = ((const uint32_t *)value)[0];
		int32_t fd = m->value_size == 8 ? ((const int32_t *)value)[1] : 0;

		/* The kernel's order (dev_map_update_elem, cpu_map_update_elem). */
		if (flags == BPF_NOEXIST)
			return -EEXIST; /* every slot "exists" */
		if (m->type == BPF_MAP_TYPE_CPUMAP) {
			if (v0 > 16384)
				return -EOVERFLOW; /* the kernel's qsize limit */
			if (idx >= m->ncpus)
				return -ENODEV; /* not a possible CPU (worker) */
		}
		/* No program runs on a devmap/cpumap entry here: refuse to pretend.
		 * The kernel only takes fd > 0 as a program; fd <= 0 reads back as 0. */
		if (fd > 0)
			return -EINVAL;
		if (!v0)
			return slot_delete(m, key); /* ifindex 0 / qsize 0 empties the slot */
		if (fd) {
			memcpy(clean, value, sizeof(clean));
			clean[1] = 0;
			value = clean;
		}
		break;
	}
	}
	if (err)
		return err;

	present = slot_present(m, idx);
	err = uxdp_map_wlock(m);
	if (err)
		return err;
	if (!is_fd_array(m->type)) {
		bool was = __atomic_load_n(present, __ATOMIC_RELAXED);

		/* devmap and cpumap entries all "exist", as in the kernel */
		if (flags == BPF_NOEXIST && (was || m->type != BPF_MAP_TYPE_XSKMAP))
			err = -EEXIST;
		else if (flags == BPF_EXIST && !was && m->type == BPF_MAP_TYPE_XSKMAP)
			err = -ENOENT;
	}
	if (!err) {
		memcpy((uint8_t *)m->data + (uint64_t)idx * m->stride, value, m->value_size);
		UXDP_FAULT_POINT();
		if (m->type == BPF_MAP_TYPE_PERF_EVENT_ARRAY)
			uxdp_perf_ring_enable(m, idx);
		__atomic_store_n(present, 1, __ATOMIC_RELEASE);
	}
	uxdp_map_wunlock(m);
	return err;
}

const struct uxdp_map_ops uxdp_slot_array_ops = {
	.check = slot_check,
	.layout = slot_layout,
	.lookup = slot_lookup,
	.lookup_copy = slot_lookup_copy,
	.update = slot_update,
	.delete = slot_delete,
	.get_next_key = array_get_next_key,
};
