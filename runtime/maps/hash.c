// SPDX-License-Identifier: MIT
/*
 * hash.c - hash, percpu_hash, lru_hash, lru_percpu_hash, hash_of_maps and
 * devmap_hash.
 *
 * Storage: a preallocated pool of elements (always, as the kernel's default;
 * BPF_F_NO_PREALLOC is accepted and changes nothing), n_buckets =
 * roundup_pow2(max_entries) buckets, each a chain's head and its lock (LRU
 * maps: of the kernel's element count, and the LRU lists after the
 * buckets).  Links are element index + 1,
 * never pointers; a chain ends in a "nulls" marker naming its bucket.  An
 * element is a 32-byte header, the key padded to 8 bytes, then the value
 * (stride bytes), so a value pointer is always 8-byte aligned, and padding
 * up to whole cache lines when it is at most a quarter of them
 * (elem_size()).  Per-CPU
 * maps keep no value in the element: each CPU's values are an array of
 * their own, indexed by element, after everything else (pcpu_value()), so
 * two workers updating their values of one key write different cache
 * lines, as with the kernel's per-CPU allocations.
 *
 * Readers never lock (hash_internal.h): program lookups, inlined or not,
 * and control-plane reads walk the chains with acquire loads.  The chains
 * are consistent at every instant because each change of a chain is one
 * release store of a fully written element (the commit point of an
 * update).  An element leaves a chain with its own link intact, so a
 * reader standing on it goes on; it is reused only when every reader that
 * could have seen it has passed (pool.h, instance.h).
 *
 * Writers (updates and deletes, from programs and from any process) lock
 * as the kernel locks these maps, with robust locks (rlock.h), each taken
 * over from a holder killed half way and repaired alone:
 *  - hash, percpu_hash, hash_of_maps, devmap_hash: the bucket's lock, then
 *    the lock of the CPU whose free elements the update takes or gives
 *    back (hash_free.h), so two workers inserting new flows share no lock;
 *    no count either: a full map is one with no free element beyond the
 *    spares (hash_free.h).
 *  - LRU maps (common or per-CPU lists): an update takes its CPU's lock
 *    (lru.h) from the element's pop to its link, and the bucket's lock
 *    around the chain change (lru_update()); a delete takes the bucket's
 *    lock and tries the lock of the key's element (its CPU's, or the
 *    common lists' global lock), else frees the element after the bucket's
 *    (lru_delete(), give_back()).  The common lists' global lock is taken
 *    when a CPU refills its local free list (every target_free inserts, up
 *    to 128) and to free elements on the global lists (deletes and
 *    replacements of keys no longer pending), as in the kernel.  Spares
 *    are kept per CPU.
 * A bucket lock taken over needs nothing (the chains are consistent); the
 * others are repaired from what the elements they guard say they are.
 *
 * Updates.  A new value for an existing key of a plain (not per-CPU) map
 * (LRU_HASH included) goes into a fresh element that replaces the old one in
 * the chain, as in the kernel, so a program that looked up the old value
 * keeps reading a whole value.  Per-CPU values and BPF_F_LOCK updates are in
 * place.  The pool holds spare elements beyond the map's own count for
 * those replacements and for reclamation; with none left, the value is
 * copied in place instead.  Non-LRU maps fail with -E2BIG past max_entries.
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
 * update refuses it.  The lists hold exactly the kernel's element count, so
 * eviction starts when it does.  An element lru.c hands out that a reader
 * may still hold (it was just evicted) is swapped for a spare that no
 * reader can hold (uxdp_lru_take()).
 *
 * Each worker plays one of the kernel's CPUs, but the kernel's own choices
 * then depend on timing (which CPU refills or steals first), so only the
 * single-worker case is exact.
 */
#include <errno.h>
#include <string.h>

#include "fault.h"
#include "hash_free.h"
#include "hash_internal.h"
#include "instance.h"
#include "pool.h"
#include "rlock.h"

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

/* The end of the LRU lists after the buckets, or of the free shards. */
static uint64_t lists_end(const struct uxdp_shm_hdr *h)
{
	return is_lru(h->type) ? uxdp_lru_area_off(h) + uxdp_lru_area_size(h)
			       : uxdp_hash_free_off(h) + uxdp_hash_free_size(h);
}

uint64_t uxdp_hash_pcpu_off(const struct uxdp_shm_hdr *h)
{
	return uxdp_round_up(lists_end(h), 64);
}

uint64_t uxdp_hash_pcpu_span(const struct uxdp_shm_hdr *h)
{
	return uxdp_round_up((uint64_t)h->n_pool * h->stride, 64);
}

/*
 * An element's size in the pool: header, key and value, rounded up to whole
 * cache lines when that wastes at most a quarter of them (48 and 56 bytes
 * take 64, 100 takes 128; 72 stays 72).  The pool starts on a line, so such
 * an element never shares a line with its neighbours: a lookup reads one
 * line, not the end of one and the start of the next, and two workers
 * counting in the values of different keys (a connection table's packet
 * counters) do not take a line from each other.  The smallest elements pay
 * most (a u32 -> u64 map: 48 -> 64 bytes, a third more); bigger paddings
 * would cost more memory than the misses they save.
 */
static uint64_t elem_size(uint64_t esize)
{
	uint64_t lines = uxdp_round_up(esize, 64);

	return esize >= lines - lines / 4 ? lines : esize;
}

/*
 * Spares per CPU (an LRU map's, hash_free.h's shards'): as many as a map of
 * one CPU's share would have (inserts under eviction swap one on most
 * inserts, a replacement takes one of its shard's, and fewer made readers'
 * values change under them, forced_reuse, or a replacement copy in place),
 * and for an LRU map two of its CPU's refill batches: a batch's elements
 * are evicted together and swapped as they are popped, and with fewer the
 * oldest spare was often still held, so that swaps waited for readers
 * (a fifth of two threads' time inserting into a 2048-entry map); but no
 * more than 16 MiB over all CPUs (a per-CPU value map's spares carry every
 * CPU's value), but at least one (without, every swap is a forced reuse).
 */
static uint64_t cpu_spares(const struct uxdp_shm_hdr *h, uint64_t spare_size)
{
	uint64_t per = uxdp_pool_spare(h->n_elems / h->ncpus, spare_size);
	uint64_t batch = is_lru(h->type) ? uxdp_lru_refill_batch(h) : 0;

	if (per < 2 * batch)
		per = 2 * batch;
	if (per * h->ncpus * spare_size > (16u << 20))
		per = (16u << 20) / spare_size / h->ncpus;
	return per ? per : 1;
}

static uint64_t hash_layout(struct uxdp_shm_hdr *h)
{
	bool percpu = uxdp_map_is_percpu(h->type);
	uint64_t esize = elem_size(sizeof(struct helem) + uxdp_round_up(h->key_size, 8) +
				   (percpu ? 0 : h->stride));
	uint64_t pool, span, spare_size;
	uint32_t nb = 1;

	if (esize > UINT32_MAX)
		return 0;
	/* LRU: htab_map_alloc() sizes both by the per-CPU rounded max_entries */
	h->n_elems = is_lru(h->type) ? uxdp_lru_n_elems(h->max_entries, h->map_flags, h->ncpus) :
				       h->max_entries;
	/* spares are sized with their per-CPU values, which they take too */
	spare_size = esize + (percpu ? (uint64_t)h->stride * h->ncpus : 0);
	/* LRU lists and shards: each CPU's spares (cpu_spares()) */
	if (h->ncpus)
		pool = (uint64_t)h->n_elems + (uint64_t)h->ncpus * cpu_spares(h, spare_size);
	else
		pool = (uint64_t)h->n_elems + uxdp_pool_spare(h->n_elems, spare_size);
	if (pool >= HASH_NULLS_BIT)
		return 0;
	h->n_pool = (uint32_t)pool;
	while (nb < h->n_elems)
		nb <<= 1;
	h->n_buckets = nb;
	h->elem_size = (uint32_t)esize;
	h->aux_off = h->data_off + uxdp_round_up(esize * pool, 64);
	if (!percpu)
		return lists_end(h) - h->data_off;
	span = uxdp_hash_pcpu_span(h);
	/* span * ncpus < 2^63 (ncpus <= UXDP_MAP_MAX_NCPUS = 2^16, check_def) */
	if (span > (UINT64_MAX >> 17))
		return 0;
	return uxdp_hash_pcpu_off(h) + span * h->ncpus - h->data_off;
}

static void hash_init(struct uxdp_map *m)
{
	for (uint32_t b = 0; b <= m->bucket_mask; b++)
		*hash_bucket(m, b) = HASH_NULLS(b);
	if (is_lru(m->type))
		uxdp_lru_init(m); /* the spares go to the CPUs too */
	else
		uxdp_hash_free_init(m);
}

/* ---- chains (the bucket's lock held) ---- */

static uint32_t link_of(const struct uxdp_map *m, const struct helem *e)
{
	return (uint32_t)(((const uint8_t *)e - m->pool) / m->elem_size) + 1;
}

/* The element holding key, and the word that links to it (the chain's lock held). */
static struct helem *find_link(struct uxdp_map *m, const void *key, uint32_t hash,
			       uint32_t **link_out)
{
	uint32_t *link = hash_bucket(m, hash & m->bucket_mask), steps = 0;

	while (link_ok(m, *link) && steps++ < m->n_pool) {
		struct helem *e = elem(m, *link);

		if (e->hash == hash && key_equal(ekey(e), key, m->key_size)) {
			*link_out = link;
			return e;
		}
		link = &e->next;
	}
	return NULL;
}

/* Publish: the one store that makes a change of a chain visible. */
static void set_link(uint32_t *link, uint32_t to)
{
	__atomic_store_n(link, to, __ATOMIC_RELEASE);
}

/* The word that links to element l in its bucket's chain, or NULL. */
static uint32_t *link_to(struct uxdp_map *m, uint32_t l)
{
	uint32_t *link = hash_bucket(m, elem(m, l)->hash & m->bucket_mask), steps = 0, at;

	while (link_ok(m, at = __atomic_load_n(link, __ATOMIC_ACQUIRE)) && at != l &&
	       steps++ < m->n_pool)
		link = &elem(m, at)->next;
	return at == l ? link : NULL;
}

bool uxdp_hash_in_chain(struct uxdp_map *m, uint32_t l)
{
	return link_ok(m, l) && link_to(m, l);
}

/*
 * Without the chain's lock (a shard's repair, hash_free.c): a walk as a
 * reader's, started again when it ends in another bucket's chain or an
 * element was reused under a reader meanwhile (forced_reuse).
 */
int uxdp_hash_chain_has(struct uxdp_map *m, uint32_t l)
{
	uint32_t b = elem(m, l)->hash & m->bucket_mask;

	for (int tries = 0; tries < 64; tries++) {
		uint64_t forced = __atomic_load_n(&m->hdr->forced_reuse, __ATOMIC_ACQUIRE);
		uint32_t at, steps = 0;

		/* announced, so that no element the walk stands on is reused under it */
		uxdp_map_renter(m);
		at = __atomic_load_n(hash_bucket(m, b), __ATOMIC_ACQUIRE);
		while (link_ok(m, at) && at != l && steps++ < m->n_pool)
			at = __atomic_load_n(&elem(m, at)->next, __ATOMIC_ACQUIRE);
		uxdp_map_rexit(m);
		if (at == l)
			return 1;
		/* unless one was reused anyway: then it may have skipped l */
		if (at == HASH_NULLS(b) &&
		    __atomic_load_n(&m->hdr->forced_reuse, __ATOMIC_ACQUIRE) == forced)
			return 0;
	}
	return -1;
}

void uxdp_hash_lru_stamp(struct uxdp_map *m, uint32_t l)
{
	__atomic_store_n(&elem(m, l)->freed, uxdp_inst_stamp(m->inst), __ATOMIC_RELAXED);
}

/*
 * Bucket b's lock.  A dead holder's is taken over with nothing to repair:
 * a chain is consistent at every store.
 */
static int bucket_lock(struct uxdp_map *m, uint32_t b)
{
	int rc = uxdp_map_lock(m, hash_bucket_lock(m, b));

	return rc < 0 ? rc : 0;
}

static void bucket_unlock(struct uxdp_map *m, uint32_t b)
{
	uxdp_rlock_release(hash_bucket_lock(m, b));
}

/* Unlink element l from its bucket by identity: eviction (lru.h). */
bool uxdp_hash_lru_unlink(struct uxdp_map *m, uint32_t l)
{
	struct helem *e;
	uint32_t b, *link;

	if (!link_ok(m, l))
		return false;
	e = elem(m, l);
	b = e->hash & m->bucket_mask;
	if (bucket_lock(m, b))
		return false; /* no participant slot: leave it */
	link = link_to(m, l);
	if (link)
		set_link(link, e->next);
	bucket_unlock(m, b);
	/* in no chain: a dead writer's, or one left to eviction (lru.h) */
	uxdp_hash_lru_stamp(m, l);
	return true;
}

/* ---- values ---- */

static void write_value(struct uxdp_map *m, struct helem *e, const void *value, int cpu,
			bool fresh)
{
	uint32_t l;

	if (!uxdp_map_is_percpu(m->type)) {
		if (fresh)
			memset(evalue(m, e), 0, m->stride);
		uxdp_copy_value(m, evalue(m, e), value);
		return;
	}
	l = link_of(m, e); /* a division: per-CPU values only */
	if (fresh)
		for (unsigned int c = 0; c < m->ncpus; c++)
			memset(pcpu_value(m, l, c), 0, m->stride);
	if (cpu >= 0) {
		uxdp_copy_value(m, pcpu_value(m, l, (unsigned int)cpu), value);
		return;
	}
	for (unsigned int c = 0; c < m->ncpus; c++)
		uxdp_copy_value(m, pcpu_value(m, l, c), (const uint8_t *)value + (size_t)c * m->stride);
}

static void fill(struct uxdp_map *m, struct helem *e, const void *key, uint32_t hash)
{
	memcpy(ekey(e), key, m->key_size);
	e->hash = hash;
}

/* ---- LRU updates ---- */

/*
 * Whether an LRU update takes a fresh element before it looks at the key:
 * always, but for an LRU_PERCPU_HASH update of an existing key (BPF_EXIST),
 * as in the kernel.
 */
static bool lru_takes_element(const struct uxdp_map *m, uint64_t flags)
{
	return !uxdp_map_is_percpu(m->type) || flags != BPF_EXIST;
}

/* A fresh element for key, taken (uxdp_lru_take()) and filled; 0 if lru.c has none. */
static uint32_t lru_take_for(struct uxdp_map *m, unsigned int cpu, const void *key,
			     uint32_t hash)
{
	uint32_t l = uxdp_lru_take(m, cpu);

	if (l)
		fill(m, elem(m, l), key, hash);
	return l;
}

/*
 * The key's step of an LRU update, the chain's lock held: the flags against
 * old (the key's element, or NULL), then a per-CPU map's existing key
 * updated in place, marked referenced (the fresh element, if any, goes
 * back).  0: the fresh element goes in; 1: done in place; or the kernel's
 * error.
 */
static int lru_update_key(struct uxdp_map *m, struct helem *old, const void *value,
			  uint64_t flags, int cpu)
{
	if ((flags == BPF_NOEXIST && old) || (flags == BPF_EXIST && !old))
		return old ? -EEXIST : -ENOENT;
	if (!old || !uxdp_map_is_percpu(m->type))
		return 0;
	uxdp_lru_node_set_ref(&old->lru);
	write_value(m, old, value, cpu, false);
	return 1;
}

/* An element that left its chain goes back to the lists, stamped for the readers. */
static void lru_release(struct uxdp_map *m, struct helem *e)
{
	uint32_t l = link_of(m, e);

	uxdp_hash_lru_stamp(m, l);
	uxdp_lru_push_free(m, l);
}

/*
 * Take element l's lock (lru.h), which may change until it is held: the
 * lock taken, or UINT32_MAX when l kept moving or no lock could be had.
 */
static uint32_t lru_guard_lock(struct uxdp_map *m, uint32_t l)
{
	for (int tries = 0; tries < 1000; tries++) {
		uint32_t g = uxdp_lru_guard(m, l);

		if (uxdp_lru_lock(m, g))
			return UINT32_MAX;
		if (uxdp_lru_guard(m, l) == g)
			return g;
		uxdp_lru_unlock(m, g);
	}
	return UINT32_MAX;
}

/*
 * Give element l, which this thread unlinked without its lock, back to
 * the free lists as the kernel does, now that this thread holds no other
 * lock.  Meanwhile eviction may have taken it (it is free, or a spare) and
 * even linked it again for another key: only an element still in use and
 * in no chain, checked under its lock and its bucket's, is freed.  Its
 * hash is read under its lock: an element is filled only while pending on
 * the CPU that took it, under that CPU's lock (lru.h).
 */
static void give_back(struct uxdp_map *m, uint32_t l)
{
	uint32_t g = lru_guard_lock(m, l), b;
	bool linked;

	if (g == UINT32_MAX)
		return; /* eviction takes it back */
	b = elem(m, l)->hash & m->bucket_mask;
	if (uxdp_lru_listed(m, l) && !bucket_lock(m, b)) {
		linked = link_to(m, l) != NULL;
		bucket_unlock(m, b);
		if (!linked)
			lru_release(m, elem(m, l));
	}
	uxdp_lru_unlock(m, g);
}

/*
 * Whether this thread, holding element l's bucket's lock, took l's lock
 * (into g) without waiting: a lock of lru.h is never waited for under a
 * bucket's.  It is checked again once held: a pending element may have
 * joined the global lists meanwhile.
 */
static bool lru_guard_try(struct uxdp_map *m, uint32_t l, uint32_t *g)
{
	*g = uxdp_lru_guard(m, l);
	if (uxdp_lru_try_lock(m, *g))
		return false;
	if (uxdp_lru_guard(m, l) == *g)
		return true;
	uxdp_lru_unlock(m, *g);
	return false;
}

/* The same for an update holding CPU me's lock too, which may be old's already. */
static bool lru_guard_held(struct uxdp_map *m, unsigned int me, uint32_t old, uint32_t *g)
{
	*g = uxdp_lru_guard(m, old);
	if (*g == me)
		return true; /* pending on me, or mine (per-CPU lists): stays so under my lock */
	return lru_guard_try(m, old, g);
}

/*
 * An LRU_PERCPU_HASH update with BPF_EXIST: the key's values in place,
 * under its bucket's lock alone.  It takes no element and moves none on
 * the lists, so no list lock guards anything it touches; a delete or an
 * eviction of the key takes the bucket's lock to unlink it.  A program
 * counting per flow this way takes one lock per packet, not two.
 */
static int lru_update_in_place(struct uxdp_map *m, const void *key, const void *value,
			       uint64_t flags, int cpu, uint32_t hash)
{
	uint32_t b = hash & m->bucket_mask, *link = NULL;
	int err = bucket_lock(m, b);

	if (err)
		return err;
	err = lru_update_key(m, find_link(m, key, hash, &link), value, flags, cpu);
	bucket_unlock(m, b);
	return err < 0 ? err : 0;
}

/*
 * The filled element nl goes into bucket b's chain (its lock and CPU me's
 * held): at its head, or in old's place (the word link links to old), old
 * then freed at once if its lock could be had without waiting (tried
 * before the unlink: once old is in no chain, eviction may take it at any
 * moment).  Whether old was freed; if not, the caller gives it back after
 * its locks (give_back()).
 */
static bool lru_link(struct uxdp_map *m, unsigned int me, uint32_t b, uint32_t *link,
		     struct helem *old, uint32_t nl)
{
	struct helem *ne = elem(m, nl);
	bool held = false;
	uint32_t g = me;

	if (old) {
		held = lru_guard_held(m, me, link_of(m, old), &g);
		uxdp_lru_node_set_ref(&ne->lru);
		__atomic_store_n(&ne->next, old->next, __ATOMIC_RELAXED);
		set_link(link, nl);
	} else {
		__atomic_store_n(&ne->next, __atomic_load_n(hash_bucket(m, b), __ATOMIC_RELAXED),
				 __ATOMIC_RELAXED);
		set_link(hash_bucket(m, b), nl);
	}
	UXDP_FAULT_POINT();
	if (held)
		lru_release(m, old);
	if (held && g != me)
		uxdp_lru_unlock(m, g);
	return held;
}

/*
 * htab_lru_map_update_elem() and __htab_lru_percpu_map_update_elem(), in
 * their order: the element is taken (and keys evicted) before the key is
 * looked up, and given back when the update turns out not to need it.
 * Under the updating CPU's lock from the element's pop to its link (so that
 * no repair or eviction can see it half inserted, lru.h), the chain under
 * its bucket's lock.
 */
static int lru_update(struct uxdp_map *m, const void *key, const void *value, uint64_t flags,
		      int cpu, uint32_t hash)
{
	uint32_t b = hash & m->bucket_mask, *link = NULL, nl = 0;
	bool old_held = false;
	unsigned int me = uxdp_cur_cpu(m);
	struct helem *old = NULL;
	int err;

	if (!lru_takes_element(m, flags))
		return lru_update_in_place(m, key, value, flags, cpu, hash);

	/* the control plane waits for readers before it locks (pool.c): a swap takes a spare */
	if (!uxdp_inst_active(m->inst))
		uxdp_fifo_settle(m, uxdp_lru_spare_head(m, me));
	err = uxdp_lru_lock(m, me);
	if (err)
		return err;
	nl = lru_take_for(m, me, key, hash);
	if (!nl) {
		err = -ENOMEM;
		goto out;
	}
	err = bucket_lock(m, b);
	if (err)
		goto out;
	old = find_link(m, key, hash, &link);
	err = lru_update_key(m, old, value, flags, cpu);
	if (err) {
		err = err < 0 ? err : 0;
		goto out_bucket;
	}
	write_value(m, elem(m, nl), value, cpu, true);
	UXDP_FAULT_POINT();
	old_held = lru_link(m, me, b, link, old, nl);
	nl = 0;
out_bucket:
	bucket_unlock(m, b);
out:
	if (nl)
		uxdp_lru_push_free(m, nl); /* never visible: its stamp still holds */
	uxdp_lru_unlock(m, me);
	if (old && !uxdp_map_is_percpu(m->type) && !err && !old_held)
		give_back(m, link_of(m, old));
	return err;
}

static int hash_lru_update(struct uxdp_map *m, const void *key, const void *value,
			   uint64_t flags, int cpu)
{
	if (flags > BPF_EXIST) /* BPF_F_LOCK included */
		return -EINVAL;
	return lru_update(m, key, value, flags, cpu, hash_key(key, m->key_size, m->hash_seed));
}

/* ---- updates ---- */

/* The checks of the value that the kernel makes before taking any lock. */
static int check_value(struct uxdp_map *m, const void *value)
{
	const uint32_t *v = value;

	if (m->type == BPF_MAP_TYPE_HASH_OF_MAPS)
		return uxdp_check_inner(m, v[0]);
	if (m->type != BPF_MAP_TYPE_DEVMAP_HASH)
		return 0;
	/* __dev_map_hash_update_elem: ifindex 0 is -EINVAL; no devmap programs here */
	if (!v[0] || (m->value_size == 8 && v[1]))
		return -EINVAL;
	return 0;
}

/* The shard whose free elements this thread's new keys take first. */
static unsigned int own_shard(const struct uxdp_map *m)
{
	return uxdp_cur_cpu(m); /* < ncpus, the shards */
}

/*
 * A new key for a full map, told without a lock.  A rate limiter whose
 * table is full (a source too many) tries an insert on every packet of the
 * sources that did not fit; it should not take a bucket's and every
 * shard's lock to be told -E2BIG.  The map is full (uxdp_hash_full()) and
 * the key absent (read as lookups read it, inside a read-side section) at
 * one instant only if no shard changed between the two (uxdp_hash_seqs()):
 * every insert and delete changes one, so without the last check a delete
 * of the key right after the map was found full would make -E2BIG the
 * answer to a key that was never both absent and without room.
 */
static bool full_without(struct uxdp_map *m, const void *key, uint32_t hash)
{
	uint64_t before;
	bool absent;

	if (!uxdp_hash_full(m, own_shard(m), &before))
		return false;
	uxdp_map_renter(m);
	absent = !hash_find(m, key, m->key_size, hash);
	uxdp_map_rexit(m);
	return absent && uxdp_hash_still(m, before);
}

/*
 * Before a control-plane update takes a lock: wait for the readers of the
 * oldest free element it will take (uxdp_pool_settle()), guessed without a
 * lock: one of this thread's shard for a new key, one of the key's
 * element's shard for a new value replacing the old one whole.  An in-place update
 * (per-CPU values, BPF_F_LOCK) of an existing key takes none and must not
 * wait for a reader it does not need gone.  A worker never waits here.
 */
static void settle_if_taking(struct uxdp_map *m, const void *key, uint32_t hash, uint64_t flags)
{
	uint32_t l;

	if (uxdp_inst_active(m->inst))
		return;
	uxdp_map_renter(m);
	l = hash_find_link(m, key, m->key_size, hash);
	uxdp_map_rexit(m);
	if (l && (uxdp_map_is_percpu(m->type) || (flags & BPF_F_LOCK)))
		return;
	if (l)
		uxdp_hash_free_settle(m, uxdp_hash_home(m, l));
	else
		uxdp_hash_free_settle(m, own_shard(m));
}

/*
 * A free element for a new key, from this thread's shard or, when that has
 * none beyond its spares, the next one that has (the kernel's
 * pcpu_freelist_pop()); its shard's lock is held on return (*s).  0 with
 * -E2BIG: the map was full at the end of a walk over the shards; -EBUSY
 * (the kernel's answer to a map it cannot lock) after 100000 walks
 * that could not tell.
 */
static uint32_t take_main(struct uxdp_map *m, unsigned int *s, int *err)
{
	unsigned int n = uxdp_hash_shards(m), own = own_shard(m);
	uint64_t seqs;

	/*
	 * A walk that finds nothing may have passed a shard before an element
	 * came back to it: it says full only if the map was, told as
	 * uxdp_hash_full() tells it.  A walk that finds nothing changes no
	 * shard, so walks do not keep each other going; it skips, unlocked, a
	 * shard with no room and no change under way (a dead holder's is one
	 * under way, and is taken over).
	 */
	for (int walk = 0; walk < 100000; walk++) {
		for (unsigned int i = 0; i < n; i++) {
			unsigned int t = (own + i) % n;
			uint32_t l;

			if (i && !uxdp_hash_has_room(m, t) && uxdp_hash_settled(m, t))
				continue;
			*err = uxdp_hash_shard_lock(m, t);
			if (*err)
				return 0;
			l = uxdp_hash_take(m, t, true);
			if (l) {
				*s = t;
				return l;
			}
			uxdp_hash_shard_unlock(m, t);
		}
		if (uxdp_hash_full(m, own, &seqs)) {
			*err = -E2BIG;
			return 0;
		}
	}
	*err = -EBUSY; /* never told full: other writers kept changing the shards */
	return 0;
}

/* A new key, its bucket's lock held: an element linked at the head of the chain. */
static int insert_new(struct uxdp_map *m, const void *key, const void *value, int cpu,
		      uint32_t hash)
{
	uint32_t *bucket = hash_bucket(m, hash & m->bucket_mask), nl;
	struct helem *ne;
	unsigned int s = 0;
	int err;

	nl = take_main(m, &s, &err);
	if (!nl)
		return err;
	ne = elem(m, nl);
	fill(m, ne, key, hash);
	write_value(m, ne, value, cpu, true);
	UXDP_FAULT_POINT();
	/* atomic: a repair's walk may stand on this element's old life */
	__atomic_store_n(&ne->next, *bucket, __ATOMIC_RELAXED);
	set_link(bucket, nl);
	UXDP_FAULT_POINT();
	uxdp_hash_set_state(m, nl, HASH_LINKED);
	uxdp_hash_shard_unlock(m, s);
	return 0;
}

/*
 * A new value for key, whose element old is linked at *link, its bucket's
 * lock held: a free element of old's shard takes old's place in the chain
 * in one store, and old goes back to that shard's free ones.  Both
 * elements are the shard's, so one lock covers both, and each shard keeps
 * its free count.  With none free the value is copied in place.
 */
static int replace_whole(struct uxdp_map *m, struct helem *old, uint32_t *link, const void *key,
			 const void *value, int cpu, uint32_t hash)
{
	uint32_t ol = link_of(m, old), nl;
	unsigned int home = uxdp_hash_home(m, ol);
	struct helem *ne;
	int err = uxdp_hash_shard_lock(m, home);

	if (err)
		return err;
	nl = uxdp_hash_take(m, home, false);
	if (!nl) {
		write_value(m, old, value, cpu, false);
		goto out;
	}
	ne = elem(m, nl);
	fill(m, ne, key, hash);
	write_value(m, ne, value, cpu, true);
	uxdp_hash_set_state(m, ol, HASH_TAKEN);
	UXDP_FAULT_POINT();
	__atomic_store_n(&ne->next, old->next, __ATOMIC_RELAXED);
	set_link(link, nl);
	UXDP_FAULT_POINT();
	uxdp_hash_set_state(m, nl, HASH_LINKED);
	uxdp_hash_give(m, ol);
out:
	uxdp_hash_shard_unlock(m, home);
	return 0;
}

/*
 * hash_update() of a key, its bucket's lock held: the kernel's checks of
 * the flags against the key's element, then the update in place (BPF_F_LOCK,
 * per-CPU values), whole, or of a new key.
 */
static int update_locked(struct uxdp_map *m, const void *key, const void *value, uint64_t flags,
			 int cpu, uint32_t hash)
{
	uint64_t op = flags & ~(uint64_t)BPF_F_LOCK;
	uint32_t *link = NULL;
	struct helem *old = find_link(m, key, hash, &link);

	if (op == BPF_NOEXIST && old)
		return -EEXIST;
	/* devmap_hash has no BPF_EXIST check: the kernel inserts the key. */
	if (op == BPF_EXIST && !old && m->type != BPF_MAP_TYPE_DEVMAP_HASH)
		return -ENOENT;
	if (old && (flags & BPF_F_LOCK)) {
		uint8_t *v = evalue(m, old);

		return uxdp_copy_value_locked(m, v, value, v);
	}
	if (old && uxdp_map_is_percpu(m->type)) {
		write_value(m, old, value, cpu, false);
		return 0;
	}
	if (old)
		return replace_whole(m, old, link, key, value, cpu, hash);
	return insert_new(m, key, value, cpu, hash);
}

static int hash_update(struct uxdp_map *m, const void *key, const void *value, uint64_t flags,
		       int cpu)
{
	uint32_t hash = hash_key(key, m->key_size, m->hash_seed), b = hash & m->bucket_mask;
	uint64_t op = flags & ~(uint64_t)BPF_F_LOCK;
	int err;

	if (is_lru(m->type))
		return hash_lru_update(m, key, value, flags, cpu);
	if (uxdp_check_update_flags(flags))
		return -EINVAL;
	if ((flags & BPF_F_LOCK) &&
	    (uxdp_map_is_percpu(m->type) || !(m->def_flags & UXDP_MAP_DEF_SPIN_LOCK)))
		return -EINVAL;
	err = check_value(m, value);
	if (err)
		return err;
	if (op != BPF_EXIST && full_without(m, key, hash))
		return -E2BIG;
	settle_if_taking(m, key, hash, flags);
	err = bucket_lock(m, b);
	if (err)
		return err;
	err = update_locked(m, key, value, flags, cpu, hash);
	bucket_unlock(m, b);
	return err;
}

static void copy_elem_out(struct uxdp_map *m, struct helem *e, void *value);

/*
 * Delete, and lookup-and-delete (value not NULL), of an LRU map, as
 * htab_lru_map_delete_elem(): under the bucket's lock the key's element is
 * unlinked, and freed at once if its lock (lru.h) could be had without
 * waiting, else after the bucket's lock (give_back()), the order of the
 * kernel's push_free.  No retry: a key that programs on other CPUs keep
 * replacing cannot starve a delete.  Called holding no lock of lru.h
 * (give_back() waits for one).
 */
static int lru_delete(struct uxdp_map *m, const void *key, void *value)
{
	uint32_t hash = hash_key(key, m->key_size, m->hash_seed), b = hash & m->bucket_mask;
	uint32_t *link = NULL, l, g = 0;
	struct helem *e;
	bool held;
	int err = bucket_lock(m, b);

	if (err)
		return err;
	e = find_link(m, key, hash, &link);
	if (!e) {
		bucket_unlock(m, b);
		return -ENOENT;
	}
	l = link_of(m, e);
	held = lru_guard_try(m, l, &g); /* before the unlink, as lru_update() */
	if (value)
		copy_elem_out(m, e, value);
	set_link(link, e->next);
	UXDP_FAULT_POINT();
	if (held) {
		lru_release(m, e);
		uxdp_lru_unlock(m, g);
	}
	bucket_unlock(m, b);
	if (!held)
		give_back(m, l);
	return 0;
}

/*
 * Delete, and lookup-and-delete (value not NULL), of a map that is not an
 * LRU map: the bucket's lock, then the element's shard's, under which it
 * leaves the chain and becomes a free main element again.
 */
static int delete_bucket_locked(struct uxdp_map *m, const void *key, void *value)
{
	uint32_t hash = hash_key(key, m->key_size, m->hash_seed), b = hash & m->bucket_mask;
	uint32_t *link = NULL, l;
	unsigned int home;
	struct helem *e;
	int err = bucket_lock(m, b);

	if (err)
		return err;
	e = find_link(m, key, hash, &link);
	if (!e) {
		bucket_unlock(m, b);
		return -ENOENT;
	}
	l = link_of(m, e);
	home = uxdp_hash_home(m, l);
	err = uxdp_hash_shard_lock(m, home);
	if (!err) {
		if (value)
			copy_elem_out(m, e, value);
		uxdp_hash_begin(m, home); /* the key leaves before its element comes back */
		uxdp_hash_set_state(m, l, HASH_TAKEN);
		UXDP_FAULT_POINT();
		set_link(link, e->next);
		UXDP_FAULT_POINT();
		uxdp_hash_give(m, l);
		uxdp_hash_shard_unlock(m, home);
	}
	bucket_unlock(m, b);
	return err;
}

static int hash_delete(struct uxdp_map *m, const void *key)
{
	return uxdp_hash_lookup_and_delete(m, key, NULL);
}

/* ---- reads ---- */

static void *hash_lookup(struct uxdp_map *m, const void *key, int cpu)
{
	struct helem *e;

	/* The same code as the lookups uxdpc inlines (runtime/helpers/hash_lookup.c). */
	switch (m->type) {
	case BPF_MAP_TYPE_HASH:
		return hash_lookup_plain(m, key, m->key_size);
	case BPF_MAP_TYPE_LRU_HASH:
		return hash_lookup_lru(m, key, m->key_size);
	case BPF_MAP_TYPE_PERCPU_HASH:
	case BPF_MAP_TYPE_LRU_PERCPU_HASH:
		return hash_lookup_percpu(m, key, m->key_size, cpu < 0 ? 0 : (unsigned int)cpu,
					  is_lru(m->type));
	}
	e = hash_find(m, key, m->key_size, hash_key(key, m->key_size, m->hash_seed));
	if (!e)
		return NULL;
	if (m->type == BPF_MAP_TYPE_HASH_OF_MAPS)
		return uxdp_inner_map(m, *(uint32_t *)evalue(m, e));
	return evalue(m, e);
}

/* The control-plane value of e: every CPU's slot of a per-CPU map, padded. */
static void copy_elem_out(struct uxdp_map *m, struct helem *e, void *value)
{
	uint32_t l;

	if (!uxdp_map_is_percpu(m->type)) {
		uxdp_copy_value_out(m, value, evalue(m, e));
		return;
	}
	l = link_of(m, e);
	for (unsigned int c = 0; c < m->ncpus; c++) {
		uint8_t *dst = (uint8_t *)value + (size_t)c * m->stride;

		memset(dst, 0, m->stride);
		uxdp_copy_value_out(m, dst, pcpu_value(m, l, c));
	}
}

static int hash_lookup_copy(struct uxdp_map *m, const void *key, void *value)
{
	struct helem *e;

	uxdp_map_renter(m);
	e = hash_find(m, key, m->key_size, hash_key(key, m->key_size, m->hash_seed));
	if (e)
		copy_elem_out(m, e, value);
	uxdp_map_rexit(m);
	return e ? 0 : -ENOENT;
}

/*
 * BPF_MAP_LOOKUP_AND_DELETE_ELEM on a hash (and a delete, value NULL): the
 * value is copied out and the element unlinked under the bucket's lock, so
 * no update or delete lands between the two, as in the kernel.  Values a
 * program writes in place through a pointer are not excluded, as in the
 * kernel.
 */
int uxdp_hash_lookup_and_delete(struct uxdp_map *m, const void *key, void *value)
{
	if (is_lru(m->type))
		return lru_delete(m, key, value);
	return delete_bucket_locked(m, key, value);
}

/* The key of the first element of buckets b.. into next; -ENOENT past the last. */
static int first_from(struct uxdp_map *m, uint32_t b, void *next)
{
	for (; b <= m->bucket_mask; b++) {
		uint32_t l = __atomic_load_n(hash_bucket(m, b), __ATOMIC_ACQUIRE);

		if (link_ok(m, l)) {
			memcpy(next, ekey(elem(m, l)), m->key_size);
			return 0;
		}
	}
	return -ENOENT;
}

static int hash_get_next_key(struct uxdp_map *m, const void *key, void *next)
{
	uint32_t b = 0;
	int err;

	uxdp_map_renter(m);
	if (key) {
		uint32_t hash = hash_key(key, m->key_size, m->hash_seed);
		struct helem *e = hash_find(m, key, m->key_size, hash);
		uint32_t l = e ? __atomic_load_n(&e->next, __ATOMIC_ACQUIRE) : 0;

		if (e && link_ok(m, l)) {
			memcpy(next, ekey(elem(m, l)), m->key_size);
			uxdp_map_rexit(m);
			return 0;
		}
		/* an unknown key restarts from the first bucket, as in the kernel */
		if (e)
			b = (hash & m->bucket_mask) + 1;
	}
	err = first_from(m, b, next);
	uxdp_map_rexit(m);
	return err;
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
