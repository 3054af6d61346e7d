// SPDX-License-Identifier: MIT
/*
 * hash.c - hash, percpu_hash, lru_hash, lru_percpu_hash, hash_of_maps and
 * devmap_hash.
 *
 * Storage: a preallocated pool of elements (always, as the kernel's default;
 * BPF_F_NO_PREALLOC is accepted and changes nothing) and n_buckets =
 * roundup_pow2(max_entries) buckets of {lock, head} (LRU maps: of the pool
 * size, and the LRU lists after the buckets).  Links are element
 * index + 1 (0 ends a list), never pointers.  An element is a 24-byte header,
 * the key padded to 8 bytes, then the value (stride bytes, times ncpus for
 * per-CPU maps), so a value pointer is always 8-byte aligned.
 *
 * Locking.  Plain hash maps: every operation on a key takes that key's
 * bucket spinlock, lookups included (a lock-free walk would need the
 * kernel's nulls lists, since elements are recycled between buckets); free
 * elements sit on a LIFO list under free_lock, always taken inside a bucket
 * lock.  LRU maps: one map-wide lock for everything, because an update may
 * evict from any bucket and keeps a list across all of them.
 *
 * Updates.  A new value for an existing key of a plain (not per-CPU) map
 * (LRU_HASH included) goes into a fresh element that replaces the old one in
 * the chain, as in the kernel, so a program that looked up the old value
 * keeps reading a whole value (until the element is reused).  Per-CPU values
 * and BPF_F_LOCK updates are in place.  Non-LRU pools hold HASH_SPARE
 * elements beyond max_entries for those replacements; with none left, the
 * value is copied in place instead.  Non-LRU maps count elements and fail
 * with -E2BIG past max_entries.
 *
 * LRU.  Which element an update gets, and which keys it evicts, is lru.c's
 * business: it reproduces the kernel's lists (common or per-CPU), so the
 * same keys survive as in the kernel.  As in htab_lru_map_update_elem(),
 * every update of an LRU_HASH takes a fresh element before it looks at the
 * key (so it may evict, even the key it then fails to find), and replaces
 * an existing key's element with it, marked referenced; LRU_PERCPU_HASH
 * takes one unless the flags are BPF_EXIST, and updates an existing key in
 * place, marking it referenced.  Program lookups set the reference bit,
 * control-plane lookups do not.  BPF_F_LOCK is refused, as the kernel's LRU
 * update refuses it.  The pool holds exactly the kernel's element count, so
 * eviction starts when it does.
 *
 * With several workers the map-wide lock keeps every LRU operation atomic:
 * no update fails, no key is lost but by eviction, and a control-plane
 * lookup copies a whole value.  Each worker plays one of the kernel's CPUs,
 * but the kernel's own choices then depend on timing (which CPU refills or
 * steals first), so only the single-worker case is exact.
 */
#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "hash_internal.h"

#define HASH_SPARE 16

static int hash_check(const struct uxdp_map_def *d)
{
	uint32_t allowed = BPF_F_NO_PREALLOC | BPF_F_NUMA_NODE | BPF_F_RDONLY | BPF_F_WRONLY |
			   BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG | BPF_F_ZERO_SEED;

	if (d->key_size == 0 || d->key_size > 512 || d->value_size == 0 ||
	    d->value_size > (1u << 20))
		return -EINVAL;
	if (d->max_entries > (1u << 30))
		return -E2BIG;
	switch (d->type) {
	case BPF_MAP_TYPE_LRU_HASH:
	case BPF_MAP_TYPE_LRU_PERCPU_HASH:
		allowed = (allowed & ~(uint32_t)BPF_F_NO_PREALLOC) | BPF_F_NO_COMMON_LRU;
		break;
	case BPF_MAP_TYPE_HASH_OF_MAPS:
		if (d->value_size != 4)
			return -EINVAL;
		allowed |= BPF_F_INNER_MAP;
		break;
	case BPF_MAP_TYPE_DEVMAP_HASH:
		if (d->key_size != 4 || (d->value_size != 4 && d->value_size != 8))
			return -EINVAL;
		allowed = BPF_F_NUMA_NODE | BPF_F_RDONLY_PROG;
		break;
	}
	return (d->map_flags & ~allowed) ? -EINVAL : 0;
}

static uint64_t hash_layout(struct uxdp_shm_hdr *h)
{
	uint64_t vals = uxdp_map_is_percpu(h->type) ? h->ncpus : 1;
	uint64_t esize = sizeof(struct helem) + uxdp_round_up(h->key_size, 8) + h->stride * vals;
	uint32_t nb = 1;

	/* LRU: htab_map_alloc() sizes both by the per-CPU rounded max_entries */
	h->n_elems = is_lru(h->type) ? uxdp_lru_n_elems(h->max_entries, h->map_flags, h->ncpus) :
				       h->max_entries + HASH_SPARE;
	while (nb < (is_lru(h->type) ? h->n_elems : h->max_entries))
		nb <<= 1;
	h->n_buckets = nb;
	if (esize > UINT32_MAX)
		return 0;
	h->elem_size = (uint32_t)esize;
	h->aux_off = h->data_off + uxdp_round_up(esize * h->n_elems, 64);
	if (is_lru(h->type))
		return uxdp_lru_area_off(h) - h->data_off + uxdp_lru_area_size(h);
	return h->aux_off - h->data_off + (uint64_t)nb * sizeof(struct bucket);
}

static void hash_init(struct uxdp_map *m)
{
	struct uxdp_shm_hdr *h = m->hdr;

	if (is_lru(h->type)) {
		uxdp_lru_init(m);
	} else {
		for (uint32_t i = 0; i < h->n_elems; i++) {
			struct helem *e = (struct helem *)((uint8_t *)m->data +
							   (uint64_t)i * h->elem_size);

			e->next = i + 1 < h->n_elems ? i + 2 : 0;
		}
		h->free_head = h->n_elems ? 1 : 0;
	}
	if (!(h->map_flags & BPF_F_ZERO_SEED) &&
	    getrandom(&h->hash_seed, sizeof(h->hash_seed), GRND_NONBLOCK) != sizeof(h->hash_seed))
		h->hash_seed = (uint32_t)time(NULL) * 2654435761u;
}

/* ---- free list (not LRU maps: lru.c has theirs) ---- */

static uint32_t free_pop(struct uxdp_map *m)
{
	struct uxdp_shm_hdr *h = m->hdr;
	uint32_t l;

	uxdp_lock(&h->free_lock);
	l = h->free_head;
	if (l)
		h->free_head = elem(m, l)->next;
	uxdp_unlock(&h->free_lock);
	return l;
}

static void free_push(struct uxdp_map *m, uint32_t l)
{
	struct uxdp_shm_hdr *h = m->hdr;

	uxdp_lock(&h->free_lock);
	elem(m, l)->next = h->free_head;
	h->free_head = l;
	uxdp_unlock(&h->free_lock);
}

/* Unlink element l from its bucket by identity (map lock held): eviction. */
bool uxdp_hash_lru_unlink(struct uxdp_map *m, uint32_t l)
{
	uint32_t *link = &bucket(m, elem(m, l)->hash)->head;

	while (*link && *link != l)
		link = &elem(m, *link)->next;
	if (!*link)
		return false;
	*link = elem(m, l)->next;
	m->hdr->count--;
	return true;
}

/* ---- operations ---- */

static void write_value(struct uxdp_map *m, struct helem *e, const void *value, int cpu,
			bool fresh)
{
	uint8_t *v = evalue(m, e);

	if (!uxdp_map_is_percpu(m->type)) {
		if (fresh)
			memset(v, 0, m->stride);
		uxdp_copy_value(m, v, value);
		return;
	}
	if (fresh)
		memset(v, 0, (size_t)m->stride * m->ncpus);
	if (cpu >= 0) {
		uxdp_copy_value(m, v + (size_t)cpu * m->stride, value);
		return;
	}
	for (unsigned int c = 0; c < m->ncpus; c++)
		uxdp_copy_value(m, v + (size_t)c * m->stride,
				(const uint8_t *)value + (size_t)c * m->stride);
}

/*
 * htab_lru_map_update_elem() and __htab_lru_percpu_map_update_elem(), in
 * their order: the element is taken (and keys evicted) before the key is
 * looked up, and given back when the update turns out not to need it.
 */
static int hash_lru_update(struct uxdp_map *m, const void *key, const void *value,
			   uint64_t flags, int cpu)
{
	uint32_t hash = hash_key(key, m->key_size, m->hdr->hash_seed);
	bool percpu = uxdp_map_is_percpu(m->type);
	struct bucket *b = bucket(m, hash);
	uint32_t *link = NULL, old, nl = 0;
	int err = 0;

	if (flags > BPF_EXIST) /* BPF_F_LOCK included */
		return -EINVAL;
	uxdp_lock(&m->hdr->lock);
	if (!percpu || flags != BPF_EXIST) {
		nl = uxdp_lru_pop_free(m, uxdp_cur_cpu(m));
		if (!nl) {
			err = -ENOMEM;
			goto out;
		}
		memcpy(ekey(elem(m, nl)), key, m->key_size);
		elem(m, nl)->hash = hash;
	}
	old = find(m, b, key, hash, &link);
	if ((flags == BPF_NOEXIST && old) || (flags == BPF_EXIST && !old)) {
		err = old ? -EEXIST : -ENOENT;
		goto out;
	}
	if (old && percpu) {
		/* in place; the spare element goes back */
		uxdp_lru_set_ref(m, old);
		write_value(m, elem(m, old), value, cpu, false);
		goto out;
	}
	write_value(m, elem(m, nl), value, cpu, true);
	if (old) {
		/* the new element takes the old one's place, already referenced */
		uxdp_lru_set_ref(m, nl);
		elem(m, nl)->next = elem(m, old)->next;
		*link = nl;
		uxdp_lru_push_free(m, old);
	} else {
		elem(m, nl)->next = b->head;
		b->head = nl;
		m->hdr->count++;
	}
	nl = 0;
out:
	if (nl)
		uxdp_lru_push_free(m, nl);
	uxdp_unlock(&m->hdr->lock);
	return err;
}

static int hash_update(struct uxdp_map *m, const void *key, const void *value, uint64_t flags,
		       int cpu)
{
	uint32_t hash = hash_key(key, m->key_size, m->hdr->hash_seed);
	uint64_t op = flags & ~(uint64_t)BPF_F_LOCK;
	struct bucket *b = bucket(m, hash);
	uint32_t *lock = bucket_lock(m, b), *link = NULL, old, nl;
	struct helem *ne;
	int err = 0;

	if (is_lru(m->type))
		return hash_lru_update(m, key, value, flags, cpu);
	if (uxdp_check_update_flags(flags))
		return -EINVAL;
	if ((flags & BPF_F_LOCK) &&
	    (uxdp_map_is_percpu(m->type) || !(m->hdr->def_flags & UXDP_MAP_DEF_SPIN_LOCK)))
		return -EINVAL;
	if (m->type == BPF_MAP_TYPE_HASH_OF_MAPS)
		err = uxdp_check_inner(m, *(const uint32_t *)value);
	/* The kernel's __dev_map_hash_update_elem: ifindex 0 is -EINVAL. */
	if (m->type == BPF_MAP_TYPE_DEVMAP_HASH && !((const uint32_t *)value)[0])
		err = -EINVAL;
	if (m->type == BPF_MAP_TYPE_DEVMAP_HASH && m->value_size == 8 &&
	    ((const uint32_t *)value)[1])
		err = -EINVAL; /* no devmap programs here */
	if (err)
		return err;

	uxdp_lock(lock);
	old = find(m, b, key, hash, &link);
	if (op == BPF_NOEXIST && old) {
		err = -EEXIST;
		goto out;
	}
	/* devmap_hash has no BPF_EXIST check: the kernel inserts the key. */
	if (op == BPF_EXIST && !old && m->type != BPF_MAP_TYPE_DEVMAP_HASH) {
		err = -ENOENT;
		goto out;
	}
	if (old && (flags & BPF_F_LOCK)) {
		uint8_t *v = evalue(m, elem(m, old));

		err = uxdp_copy_value_locked(m, v, value, v);
		goto out;
	}
	if (old && uxdp_map_is_percpu(m->type)) {
		write_value(m, elem(m, old), value, cpu, false);
		goto out;
	}
	if (!old &&
	    __atomic_add_fetch(&m->hdr->count, 1, __ATOMIC_RELAXED) > m->max_entries) {
		__atomic_sub_fetch(&m->hdr->count, 1, __ATOMIC_RELAXED);
		err = -E2BIG;
		goto out;
	}
	nl = free_pop(m);
	if (!nl) {
		if (old) /* no spare element: give up on a whole-value swap */
			write_value(m, elem(m, old), value, cpu, false);
		else
			err = -ENOMEM; /* the count makes this unreachable */
		goto out;
	}
	ne = elem(m, nl);
	memcpy(ekey(ne), key, m->key_size);
	ne->hash = hash;
	write_value(m, ne, value, cpu, true);
	if (old) {
		ne->next = elem(m, old)->next;
		*link = nl;
		free_push(m, old);
	} else {
		ne->next = b->head;
		b->head = nl;
	}
out:
	uxdp_unlock(lock);
	return err;
}

static void *hash_lookup(struct uxdp_map *m, const void *key, int cpu)
{
	uint32_t hash, *lock, l;
	struct bucket *b;
	uint8_t *v = NULL;

	/* The same code as the lookups uxdpc inlines (runtime/helpers/hash_lookup.c). */
	if (m->type == BPF_MAP_TYPE_HASH)
		return hash_lookup_plain(m, key, m->key_size);
	if (m->type == BPF_MAP_TYPE_LRU_HASH)
		return hash_lookup_lru(m, key, m->key_size);
	hash = hash_key(key, m->key_size, m->hdr->hash_seed);
	b = bucket(m, hash);
	lock = bucket_lock(m, b);
	uxdp_lock(lock);
	l = find(m, b, key, hash, NULL);
	if (l) {
		if (is_lru(m->type)) /* a program's use (the kernel's mark=true) */
			uxdp_lru_set_ref(m, l);
		v = evalue(m, elem(m, l));
		if (uxdp_map_is_percpu(m->type))
			v += (size_t)(cpu < 0 ? 0 : cpu) * m->stride;
	}
	uxdp_unlock(lock);
	if (v && m->type == BPF_MAP_TYPE_HASH_OF_MAPS)
		return uxdp_inner_map(m, *(uint32_t *)v);
	return v;
}

static int hash_lookup_copy(struct uxdp_map *m, const void *key, void *value)
{
	uint32_t hash = hash_key(key, m->key_size, m->hdr->hash_seed);
	struct bucket *b = bucket(m, hash);
	uint32_t *lock = bucket_lock(m, b), l;

	uxdp_lock(lock);
	l = find(m, b, key, hash, NULL);
	if (l && uxdp_map_is_percpu(m->type)) {
		uint8_t *v = evalue(m, elem(m, l));

		for (unsigned int c = 0; c < m->ncpus; c++) {
			uint8_t *dst = (uint8_t *)value + (size_t)c * m->stride;

			memset(dst, 0, m->stride);
			uxdp_copy_value_out(m, dst, v + (size_t)c * m->stride);
		}
	} else if (l) {
		uxdp_copy_value_out(m, value, evalue(m, elem(m, l)));
	}
	uxdp_unlock(lock);
	return l ? 0 : -ENOENT;
}

static int hash_delete(struct uxdp_map *m, const void *key)
{
	uint32_t hash = hash_key(key, m->key_size, m->hdr->hash_seed);
	struct bucket *b = bucket(m, hash);
	uint32_t *lock = bucket_lock(m, b), *link = NULL, l;

	uxdp_lock(lock);
	l = find(m, b, key, hash, &link);
	if (l) {
		*link = elem(m, l)->next;
		if (is_lru(m->type)) {
			m->hdr->count--;
			uxdp_lru_push_free(m, l);
		} else {
			__atomic_sub_fetch(&m->hdr->count, 1, __ATOMIC_RELAXED);
			free_push(m, l);
		}
	}
	uxdp_unlock(lock);
	return l ? 0 : -ENOENT;
}

static int hash_get_next_key(struct uxdp_map *m, const void *key, void *next)
{
	uint32_t nb = m->hdr->n_buckets, i = 0;

	if (key) {
		uint32_t hash = hash_key(key, m->key_size, m->hdr->hash_seed);
		struct bucket *b = bucket(m, hash);
		uint32_t *lock = bucket_lock(m, b), l;

		uxdp_lock(lock);
		l = find(m, b, key, hash, NULL);
		if (l && elem(m, l)->next) {
			memcpy(next, ekey(elem(m, elem(m, l)->next)), m->key_size);
			uxdp_unlock(lock);
			return 0;
		}
		uxdp_unlock(lock);
		/* an unknown key restarts from the first bucket, as in the kernel */
		if (l)
			i = (hash & (nb - 1)) + 1;
	}
	for (; i < nb; i++) {
		struct bucket *b = (struct bucket *)uxdp_off(m, m->hdr->aux_off) + i;
		uint32_t *lock = bucket_lock(m, b);

		if (!__atomic_load_n(&b->head, __ATOMIC_RELAXED))
			continue;
		uxdp_lock(lock);
		if (b->head) {
			memcpy(next, ekey(elem(m, b->head)), m->key_size);
			uxdp_unlock(lock);
			return 0;
		}
		uxdp_unlock(lock);
	}
	return -ENOENT;
}

const struct uxdp_map_ops uxdp_hash_ops = {
	.check = hash_check,
	.layout = hash_layout,
	.init = hash_init,
	.lookup = hash_lookup,
	.lookup_copy = hash_lookup_copy,
	.update = hash_update,
	.delete = hash_delete,
	.get_next_key = hash_get_next_key,
};
