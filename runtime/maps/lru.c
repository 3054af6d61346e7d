// SPDX-License-Identifier: MIT
/*
 * lru.c - which element an LRU hash map update gets, and which keys it
 * evicts for it, decided the way Linux 6.18 decides it, so that a program
 * leaves the same keys in the map as it would in the kernel.
 *
 * The kernel's LRU is not an exact LRU, and its results depend on how many
 * CPUs are possible (here: the map's ncpus) and on which CPU runs each
 * update (here: the worker, uxdp_cur_cpu()).  There are two variants.
 *
 * Common LRU (the default).  One global list of active, inactive and free
 * elements, and per CPU a local free list and a pending list.  An update
 * takes an element from its CPU's local free list and parks it on the
 * CPU's pending list (where it cannot be evicted).  When the local free
 * list is empty the CPU refills it in one go, with target_free =
 * clamp(n_elems / ncpus / 2, 1, 128) elements:
 *   1. the pending list is flushed to the global list, oldest first, each
 *      element to the head of the active list if referenced, else of the
 *      inactive list (so a freshly inserted key starts inactive);
 *   2. the lists are rotated: if the inactive list is shorter than the
 *      active one, up to nr_scans active elements from the tail go back to
 *      the active head (referenced, the bit cleared) or to the inactive
 *      head; then up to nr_scans inactive elements, walking towards the
 *      head from a cursor that persists between refills, move to the active
 *      head when referenced;
 *   3. elements are taken from the global free list;
 *   4. if that was not enough, the inactive list is shrunk from its tail:
 *      referenced elements move to the active head, unreferenced ones are
 *      evicted, until enough are free or nr_scans elements were looked at;
 *      if that evicted none, the tail of the inactive list (or of the active
 *      list if the inactive one is empty) is evicted whatever its bit.
 * Eviction therefore comes in batches (a map may hold fewer keys than
 * max_entries), and an element freed while still pending goes back to its
 * CPU's local free list rather than the global one.  When the global lists
 * give nothing, a CPU steals from the local lists of all CPUs in turn.
 * Locks, as the kernel's: each CPU's local lists have a lock, the global
 * lists one, taken in that order (the refill holds both); a CPU holding its
 * own only tries another CPU's (the steal), never waits for it (lru.h).
 *
 * BPF_F_NO_COMMON_LRU.  Each CPU owns n_elems / ncpus elements and one list
 * of active, inactive and free elements; an update on a CPU only ever uses
 * (and evicts from) that CPU's list.  Before each allocation the list is
 * rotated as above; with no free element the inactive list is shrunk by up
 * to 4; the element goes straight to the inactive head.  nr_scans is 4.
 *
 * The algorithm is reimplemented from the kernel's description and
 * observed behaviour (checked against BPF_PROG_TEST_RUN by
 * test/diff/lru_evict.bpf.c); element identity never shows, only which
 * keys survive, so free lists are plain LIFO lists here, and hash.c may
 * swap a spare element in for one that a reader may still be reading
 * (replace()) without changing which keys survive.
 *
 * The geometry (counts, where the lists are) comes from the handle, never
 * from shared memory; ids read from the lists are checked (a bad one reads
 * and writes a sink) and every walk is bounded by the number of
 * ids, so damaged lists cost correctness, not memory safety or a hang.
 */
#include <stddef.h>

#include "fault.h"
#include "hash_internal.h"
#include "lru.h"
#include "pool.h"
#include "rlock.h"

enum uxdp_lru_type {
	LRU_ACTIVE,      /* global (or per-CPU) lists, counted */
	LRU_INACTIVE,
	LRU_FREE,
	LRU_LOCAL_FREE,  /* common LRU: a CPU's local lists */
	LRU_LOCAL_PENDING,
	LRU_SPARE,       /* on its CPU's FIFO of spares (pool.h) */
};

#define LRU_NR_COUNTED 2
#define LRU_LOCAL_FREE_TARGET 128
#define LRU_LOCAL_NR_SCANS LRU_LOCAL_FREE_TARGET
#define LRU_PERCPU_FREE_TARGET 4
#define LRU_PERCPU_NR_SCANS LRU_PERCPU_FREE_TARGET

/* A steal tries busy victims again this many times, this many spins apart (~0.1-0.3 ms). */
#define LRU_STEAL_ROUNDS 64
#define LRU_STEAL_SPINS 256

struct lru_link {
	uint32_t prev, next;
};

_Static_assert(offsetof(struct uxdp_lru_node, prev) == offsetof(struct lru_link, prev) &&
		       offsetof(struct uxdp_lru_node, next) == offsetof(struct lru_link, next),
	       "a node starts like a list head");

/*
 * A lock and what it guards beside its lists: a CPU's spare elements (a
 * FIFO, pool.h) and a spare swap under way (replace()).  The
 * global lists of the common LRU use the lock only.
 */
struct lru_cpu {
	uint32_t lock;                   /* rlock.h */
	uint32_t spare_head, spare_tail;
	uint32_t swap_old, swap_new;
};

/*
 * One list of active, inactive and free elements (global, or one per CPU),
 * on a cache line of its own, with its lock (per-CPU lists: the CPU's).
 */
struct lru_list {
	uint32_t counts[LRU_NR_COUNTED];
	uint32_t next_inactive_rotation; /* id: an inactive element or the inactive head */
	uint32_t head_base;              /* index of its ACTIVE head; INACTIVE, FREE follow */
	struct lru_cpu own;
	uint8_t _line[28];
};

_Static_assert(sizeof(struct lru_list) == 64, "a list per cache line");

/*
 * Heads on lines of their own (8 to a line): per-CPU lists, each CPU's
 * three; common LRU, the global three, then each CPU's local two.
 */
#define LRU_HEADS_PER_CPU 8

/* Common LRU: a CPU's local free and pending lists, its lock and spares, on a line. */
struct lru_local {
	uint32_t free_head;    /* head indexes */
	uint32_t pending_head;
	uint32_t next_steal;
	uint32_t _pad;
	struct lru_cpu own;
	uint8_t _line[28];
};

_Static_assert(sizeof(struct lru_local) == 64, "a CPU's local lists per cache line");

/*
 * The area after the buckets: the list heads, then struct lru_list (one,
 * or ncpus with BPF_F_NO_COMMON_LRU), then struct lru_local (ncpus, common
 * LRU only).
 */

/* A process-local view of the area for one call, all geometry from the handle. */
struct lru {
	struct uxdp_map *m;
	struct lru_link *heads;
	struct lru_list *lists;
	struct lru_local *locals;
	uint32_t n_pool;
	uint32_t n_elems;
	uint32_t ncpus;
	uint32_t n_heads;
	uint32_t n_ids;       /* elements and heads: no walk is longer */
	uint32_t nr_scans;
	bool percpu;
	/*
	 * Where a damaged id reads and writes: never the segment, never a
	 * crash, and no other thread's (the view is on the caller's stack).
	 */
	struct uxdp_lru_node sink;
};

static bool is_percpu_lru(uint32_t map_flags)
{
	return map_flags & BPF_F_NO_COMMON_LRU;
}

uint32_t uxdp_lru_n_elems(uint32_t max_entries, uint32_t map_flags, uint32_t ncpus)
{
	uint64_t n;

	if (!is_percpu_lru(map_flags) || !ncpus)
		return max_entries;
	/* htab_map_alloc(): every CPU gets as many, at least one; down on overflow */
	n = ((uint64_t)max_entries + ncpus - 1) / ncpus * ncpus;
	if (n > UINT32_MAX)
		n = (uint64_t)max_entries / ncpus * ncpus;
	return (uint32_t)n;
}

static uint32_t n_heads(uint32_t map_flags, uint32_t ncpus)
{
	return LRU_HEADS_PER_CPU * (is_percpu_lru(map_flags) ? ncpus : 1 + ncpus);
}

static uint64_t lists_off(uint32_t map_flags, uint32_t ncpus)
{
	return (uint64_t)n_heads(map_flags, ncpus) * sizeof(struct lru_link);
}

uint64_t uxdp_lru_area_off(const struct uxdp_shm_hdr *h)
{
	return h->aux_off + uxdp_round_up((uint64_t)h->n_buckets * HASH_BUCKET_WORDS * 4, 64);
}

uint64_t uxdp_lru_area_size(const struct uxdp_shm_hdr *h)
{
	uint64_t n = lists_off(h->map_flags, h->ncpus);

	if (is_percpu_lru(h->map_flags))
		return n + (uint64_t)h->ncpus * sizeof(struct lru_list);
	n += sizeof(struct lru_list);
	n += (uint64_t)h->ncpus * sizeof(struct lru_local);
	return n;
}

/* The map's CPUs, at least one (a map made without: one list). */
static uint32_t map_ncpus(const struct uxdp_map *m)
{
	return m->ncpus ? m->ncpus : 1;
}

static struct lru lru_get(struct uxdp_map *m)
{
	struct lru c = { .m = m };
	uint32_t ncpus = map_ncpus(m);

	c.percpu = is_percpu_lru(m->map_flags);
	c.ncpus = ncpus;
	c.n_pool = m->n_pool;
	c.n_elems = m->n_elems;
	c.n_heads = n_heads(m->map_flags, ncpus);
	c.n_ids = c.n_pool + c.n_heads;
	c.heads = m->lru_area;
	c.lists = (struct lru_list *)((uint8_t *)m->lru_area + lists_off(m->map_flags, ncpus));
	c.locals = (struct lru_local *)(c.lists + (c.percpu ? ncpus : 1));
	c.nr_scans = c.percpu ? LRU_PERCPU_NR_SCANS : LRU_LOCAL_NR_SCANS;
	return c;
}

/* Common LRU: how many elements a refill moves to a CPU's local free list. */
static uint32_t refill_batch(uint32_t n_elems, uint32_t ncpus)
{
	/* 6.16+: a CPU refills at most half its share, so CPUs cannot starve */
	uint32_t n = n_elems / ncpus / 2;

	return n < 1 ? 1 : n > LRU_LOCAL_FREE_TARGET ? LRU_LOCAL_FREE_TARGET : n;
}

static uint32_t target_free(const struct lru *c)
{
	return refill_batch(c->n_elems, c->ncpus);
}

uint32_t uxdp_lru_refill_batch(const struct uxdp_shm_hdr *h)
{
	if (is_percpu_lru(h->map_flags))
		return LRU_PERCPU_FREE_TARGET;
	return refill_batch(h->n_elems, h->ncpus ? h->ncpus : 1);
}

/* ---- lists of ids ---- */

static inline uint32_t head_id(const struct lru *c, uint32_t head_index)
{
	return c->n_pool + 1 + head_index;
}

/* The view's sink: the view itself is the caller's, never const (lru_get()). */
static inline struct uxdp_lru_node *sink(const struct lru *c)
{
	return (struct uxdp_lru_node *)(uintptr_t)&c->sink;
}

static inline struct lru_link *lnk(const struct lru *c, uint32_t id)
{
	if (id - 1 < c->n_pool)
		return (struct lru_link *)uxdp_lru_node(c->m, id);
	if (id - c->n_pool - 1 < c->n_heads)
		return &c->heads[id - c->n_pool - 1];
	return (struct lru_link *)sink(c);
}

static inline struct uxdp_lru_node *node(const struct lru *c, uint32_t id)
{
	return id - 1 < c->n_pool ? uxdp_lru_node(c->m, id) : sink(c);
}

/* Whether id names an element (not a head, not damage): only those go to hash.c. */
static inline bool is_elem(const struct lru *c, uint32_t id)
{
	return id - 1 < c->n_pool;
}

static void ll_init(const struct lru *c, uint32_t head)
{
	lnk(c, head)->prev = lnk(c, head)->next = head;
}

static bool ll_empty(const struct lru *c, uint32_t head)
{
	return lnk(c, head)->next == head;
}

static void ll_del(const struct lru *c, uint32_t id)
{
	struct lru_link *l = lnk(c, id);

	lnk(c, l->prev)->next = l->next;
	UXDP_FAULT_POINT();
	lnk(c, l->next)->prev = l->prev;
	l->prev = l->next = 0;
}

static void ll_add(const struct lru *c, uint32_t id, uint32_t head)
{
	struct lru_link *l = lnk(c, id), *h = lnk(c, head);

	l->next = h->next;
	l->prev = head;
	lnk(c, h->next)->prev = id;
	UXDP_FAULT_POINT();
	h->next = id;
}

static void ll_move(const struct lru *c, uint32_t id, uint32_t head)
{
	ll_del(c, id);
	ll_add(c, id, head);
}

/* The head of list type t (ACTIVE, INACTIVE, FREE) of l. */
static inline uint32_t lhead(const struct lru *c, const struct lru_list *l, uint32_t t)
{
	return head_id(c, l->head_base + t);
}

/* ---- an element's state: which list, which CPU, referenced ---- */

/* An element's type, read before its cpu (set_state()). */
static inline uint8_t type_of(const struct uxdp_lru_node *n)
{
	return __atomic_load_n(&n->type, __ATOMIC_ACQUIRE);
}

static inline uint32_t cpu_of(const struct lru *c, const struct uxdp_lru_node *n)
{
	return __atomic_load_n(&n->cpu, __ATOMIC_RELAXED) % c->ncpus;
}

/*
 * An element's cpu and type name the lock that guards it (lru.h), and a
 * repair finds its elements by them without the lock the element comes
 * from: cpu is stored first, then type with release, so that a reader of
 * type (acquire) and then cpu never pairs a new type with an old cpu.
 */
static void set_state(struct uxdp_lru_node *n, uint32_t cpu, uint32_t type)
{
	if (n->cpu != cpu) {
		__atomic_store_n(&n->cpu, cpu, __ATOMIC_RELAXED);
		UXDP_FAULT_POINT(); /* a kill here: the old type with the new cpu */
	}
	__atomic_store_n(&n->type, (uint8_t)type, __ATOMIC_RELEASE);
}

static void set_type(struct uxdp_lru_node *n, uint32_t type)
{
	__atomic_store_n(&n->type, (uint8_t)type, __ATOMIC_RELEASE);
}

/* The reference bit, which program lookups set without a lock. */
static bool ref_of(const struct uxdp_lru_node *n)
{
	return __atomic_load_n(&n->ref, __ATOMIC_RELAXED);
}

static void clear_ref(struct uxdp_lru_node *n)
{
	__atomic_store_n(&n->ref, 0, __ATOMIC_RELAXED);
}

/* Whether an element of type t is in use (may be in a chain): neither free nor a spare. */
static bool type_listed(uint32_t t)
{
	return t == LRU_ACTIVE || t == LRU_INACTIVE || t == LRU_LOCAL_PENDING;
}

/* Whether type t is one of the common LRU's global lists. */
static bool type_global(uint32_t t)
{
	return t == LRU_ACTIVE || t == LRU_INACTIVE || t == LRU_FREE;
}

/* ---- moves, each keeping the counts and the rotation cursor right ---- */

static void count_inc(struct lru_list *l, uint32_t t)
{
	if (t < LRU_NR_COUNTED)
		l->counts[t]++;
}

static void count_dec(struct lru_list *l, uint32_t t)
{
	if (t < LRU_NR_COUNTED)
		l->counts[t]--;
}

/* The rotation cursor never rests on an element that leaves the inactive list. */
static void keep_cursor(const struct lru *c, struct lru_list *l, uint32_t id)
{
	if (l->next_inactive_rotation == id)
		l->next_inactive_rotation = lnk(c, id)->prev;
}

/* An element of l's lists goes to a free list (l's, or CPU cpu's local one). */
static void move_to_free(const struct lru *c, struct lru_list *l, uint32_t id, uint32_t free_head,
			 uint32_t type, uint32_t cpu)
{
	keep_cursor(c, l, id);
	count_dec(l, type_of(node(c, id)));
	set_state(node(c, id), cpu, type);
	ll_move(c, id, free_head);
}

/* A pending element joins l's lists. */
static void move_in(const struct lru *c, struct lru_list *l, uint32_t id, uint32_t type)
{
	count_inc(l, type);
	set_type(node(c, id), type);
	clear_ref(node(c, id));
	ll_move(c, id, lhead(c, l, type));
}

/* Between or within l's lists; the reference bit is used up. */
static void move(const struct lru *c, struct lru_list *l, uint32_t id, uint32_t type)
{
	struct uxdp_lru_node *n = node(c, id);
	uint32_t t = type_of(n);

	if (t != type) {
		count_dec(l, t);
		count_inc(l, type);
		set_type(n, type);
	}
	clear_ref(n);
	keep_cursor(c, l, id);
	ll_move(c, id, lhead(c, l, type));
}

/* ---- rotation and shrinking of one list ---- */

static void rotate_active(const struct lru *c, struct lru_list *l)
{
	uint32_t head = lhead(c, l, LRU_ACTIVE), first = lnk(c, head)->next;
	uint32_t id = lnk(c, head)->prev, i = 0;

	while (id != head) {
		uint32_t prev = lnk(c, id)->prev;

		move(c, l, id, ref_of(node(c, id)) ? LRU_ACTIVE : LRU_INACTIVE);
		if (++i == c->nr_scans || id == first)
			break;
		id = prev;
	}
}

/*
 * Walk the inactive list towards its head from the cursor, wrapping around
 * at most once, promoting referenced elements; the cursor stays where the
 * walk stopped, so successive rotations cover the whole list.
 */
static void rotate_inactive(const struct lru *c, struct lru_list *l)
{
	uint32_t head = lhead(c, l, LRU_INACTIVE), cur, last, next = head, i = 0;

	if (ll_empty(c, head))
		return;
	last = lnk(c, l->next_inactive_rotation)->next;
	if (last == head)
		last = lnk(c, last)->next;
	cur = l->next_inactive_rotation;
	for (uint32_t steps = 0; i < c->nr_scans && steps < c->n_ids; steps++) {
		if (cur == head) {
			cur = lnk(c, cur)->prev;
			continue;
		}
		next = lnk(c, cur)->prev;
		if (ref_of(node(c, cur)))
			move(c, l, cur, LRU_ACTIVE);
		if (cur == last)
			break;
		cur = next;
		i++;
	}
	l->next_inactive_rotation = next;
}

static void rotate(const struct lru *c, struct lru_list *l)
{
	if (l->counts[LRU_INACTIVE] < l->counts[LRU_ACTIVE])
		rotate_active(c, l);
	rotate_inactive(c, l);
}

/*
 * Eviction: element id leaves its chain (or was in none, lru.h), stamped,
 * and goes to the free list free_head as type free_type of CPU cpu.
 */
static uint32_t shrink_inactive(const struct lru *c, struct lru_list *l, uint32_t want,
				uint32_t free_head, uint32_t free_type, uint32_t cpu)
{
	uint32_t head = lhead(c, l, LRU_INACTIVE), id = lnk(c, head)->prev, got = 0, i = 0;

	while (id != head) {
		uint32_t prev = lnk(c, id)->prev;

		if (!is_elem(c, id))
			break; /* damaged: a walk that leaves the elements stops */
		if (ref_of(node(c, id))) {
			move(c, l, id, LRU_ACTIVE);
		} else if (uxdp_hash_lru_unlink(c->m, id)) {
			move_to_free(c, l, id, free_head, free_type, cpu);
			if (++got == want)
				break;
		}
		if (++i == c->nr_scans)
			break;
		id = prev;
	}
	return got;
}

/* Free up to want elements of l; with nothing unreferenced, force one out. */
static uint32_t shrink(const struct lru *c, struct lru_list *l, uint32_t want, uint32_t free_head,
		       uint32_t free_type, uint32_t cpu)
{
	uint32_t got = shrink_inactive(c, l, want, free_head, free_type, cpu), head;

	if (got)
		return got;
	head = lhead(c, l, LRU_INACTIVE);
	if (ll_empty(c, head))
		head = lhead(c, l, LRU_ACTIVE);
	for (uint32_t steps = 0, id = lnk(c, head)->prev; id != head && steps < c->n_ids;
	     id = lnk(c, id)->prev, steps++) {
		if (!is_elem(c, id))
			break;
		if (uxdp_hash_lru_unlink(c->m, id)) {
			move_to_free(c, l, id, free_head, free_type, cpu);
			return 1;
		}
	}
	return 0;
}

/* ---- locks ---- */

/* CPU cpu's lock and spares: its list's (per-CPU lists) or its local lists' (common). */
static struct lru_cpu *cpu_own(const struct lru *c, uint32_t cpu)
{
	return c->percpu ? &c->lists[cpu].own : &c->locals[cpu].own;
}

/* Lock g: CPU g's (0..ncpus - 1), or the common LRU's global lock (ncpus). */
static uint32_t *lock_word(const struct lru *c, uint32_t g)
{
	return g < c->ncpus ? &cpu_own(c, g)->lock : &c->lists[0].own.lock;
}

static void repair(const struct lru *c, uint32_t g);

/* What taking lock g gave (rc): a dead holder's taken over is repaired; 0, or -errno. */
static int locked(const struct lru *c, uint32_t g, int rc)
{
	if (rc == 1)
		repair(c, g);
	return rc < 0 ? rc : 0;
}

/* Take lock g; a dead holder's is taken over and what it guards repaired. */
static int lru_lock(const struct lru *c, uint32_t g)
{
	return locked(c, g, uxdp_map_lock(c->m, lock_word(c, g)));
}

static int lru_try_lock(const struct lru *c, uint32_t g)
{
	return uxdp_rlock_try_free(c->m->inst, lock_word(c, g));
}

/* The same, but a dead holder's lock is taken over and repaired (a read of /proc). */
static int lru_try_lock_checked(const struct lru *c, uint32_t g)
{
	return locked(c, g, uxdp_map_try_lock_checked(c->m, lock_word(c, g)));
}

static void lru_unlock(const struct lru *c, uint32_t g)
{
	uxdp_rlock_release(lock_word(c, g));
}

/* ---- common LRU ---- */

static uint32_t global_lock(const struct lru *c)
{
	return c->ncpus;
}

/* The global lists and CPU cpu's lock held: its pending elements join the global lists. */
static void local_flush(const struct lru *c, struct lru_list *l, struct lru_local *loc)
{
	uint32_t head = head_id(c, loc->pending_head), id = lnk(c, head)->prev;

	for (uint32_t steps = 0; id != head && steps < c->n_ids; steps++) {
		uint32_t prev = lnk(c, id)->prev;

		move_in(c, l, id, ref_of(node(c, id)) ? LRU_ACTIVE : LRU_INACTIVE);
		id = prev;
	}
}

/* bpf_lru_list_pop_free_to_local(): both locks held. */
static void refill_local(const struct lru *c, struct lru_local *loc, unsigned int cpu)
{
	struct lru_list *l = &c->lists[0];
	uint32_t fhead = lhead(c, l, LRU_FREE), lfree = head_id(c, loc->free_head), n = 0;
	uint32_t target = target_free(c);

	local_flush(c, l, loc);
	rotate(c, l);
	while (n < target && !ll_empty(c, fhead)) {
		move_to_free(c, l, lnk(c, fhead)->next, lfree, LRU_LOCAL_FREE, cpu);
		n++;
	}
	if (n < target)
		shrink(c, l, target - n, lfree, LRU_LOCAL_FREE, cpu);
}

static uint32_t local_pop_free(const struct lru *c, struct lru_local *loc)
{
	uint32_t head = head_id(c, loc->free_head), id = lnk(c, head)->next;

	if (id == head || !is_elem(c, id))
		return 0;
	ll_del(c, id);
	return id;
}

/* Steal a pending element of loc, unreferenced ones first, oldest first. */
static uint32_t local_pop_pending(const struct lru *c, struct lru_local *loc)
{
	uint32_t head = head_id(c, loc->pending_head);

	for (int force = 0; force < 2; force++) {
		for (uint32_t steps = 0, id = lnk(c, head)->prev;
		     id != head && is_elem(c, id) && steps < c->n_ids;
		     id = lnk(c, id)->prev, steps++) {
			if ((!ref_of(node(c, id)) || force) && uxdp_hash_lru_unlink(c->m, id)) {
				ll_del(c, id);
				return id;
			}
		}
	}
	return 0;
}

static void add_pending(const struct lru *c, struct lru_local *loc, unsigned int cpu, uint32_t id)
{
	struct uxdp_lru_node *n = node(c, id);

	set_state(n, cpu, LRU_LOCAL_PENDING);
	clear_ref(n);
	ll_add(c, id, head_id(c, loc->pending_head));
}

/*
 * Victim v's lock held (and cpu's): an element of v's local lists, free
 * ones first, goes to cpu's pending list before v's lock is let go, so it
 * is on some list of a lock it holds at every store.
 */
static uint32_t steal_from(const struct lru *c, unsigned int v, unsigned int cpu)
{
	uint32_t id = local_pop_free(c, &c->locals[v]);

	if (!id)
		id = local_pop_pending(c, &c->locals[v]);
	if (id)
		add_pending(c, &c->locals[cpu], cpu, id);
	return id;
}

/*
 * Nothing on the global lists: every element is on some CPU's local
 * lists; steal from each CPU in turn, from next_steal on.  The kernel lets
 * its own CPU's lock go and waits for each victim's; here the own lock is
 * held on (the update links the element under it, lru.h), so a victim's is
 * only tried, never waited for: a busy one is tried again over a few
 * rounds, the last one taking over the locks of dead holders (nobody else
 * may ever wait for a dead worker's CPU lock), then the steal gives up as
 * when all lists are empty (lru.h).
 */
static uint32_t steal(const struct lru *c, unsigned int cpu)
{
	struct lru_local *loc = &c->locals[cpu];
	uint32_t first = loc->next_steal % c->ncpus, v = first, id = 0;

	for (int round = 0; round < LRU_STEAL_ROUNDS; round++) {
		bool busy = false;

		v = first;
		do {
			bool last = round == LRU_STEAL_ROUNDS - 1;

			if (v == cpu ||
			    (last ? lru_try_lock_checked(c, v) : lru_try_lock(c, v)) == 0) {
				id = steal_from(c, v, cpu);
				if (v != cpu)
					lru_unlock(c, v);
			} else {
				busy = true;
			}
			v = (v + 1) % c->ncpus;
		} while (!id && v != first);
		if (id || !busy)
			break;
		for (int i = 0; i < LRU_STEAL_SPINS; i++)
			uxdp_cpu_relax();
	}
	loc->next_steal = v;
	return id;
}

/* bpf_common_lru_pop_free(), CPU cpu's lock held. */
static uint32_t common_pop_free(const struct lru *c, unsigned int cpu)
{
	struct lru_local *loc = &c->locals[cpu];
	uint32_t id = local_pop_free(c, loc);

	if (!id && lru_lock(c, global_lock(c)) == 0) {
		refill_local(c, loc, cpu);
		lru_unlock(c, global_lock(c));
		id = local_pop_free(c, loc);
	}
	if (!id)
		return steal(c, cpu);
	add_pending(c, loc, cpu, id);
	return id;
}

/* bpf_common_lru_push_free(), the element's lock held (uxdp_lru_guard()). */
static void common_push_free(const struct lru *c, uint32_t id)
{
	struct uxdp_lru_node *n = node(c, id);
	uint32_t t = type_of(n);

	if (t == LRU_LOCAL_PENDING) {
		/* still parked on its CPU: straight back to that CPU's free list */
		set_type(n, LRU_LOCAL_FREE);
		clear_ref(n);
		ll_move(c, id, head_id(c, c->locals[cpu_of(c, n)].free_head));
	} else if (t == LRU_ACTIVE || t == LRU_INACTIVE) {
		move(c, &c->lists[0], id, LRU_FREE);
	}
	/* else already free: an eviction found it in no chain and took it (lru.h) */
}

/* ---- per-CPU LRU ---- */

static uint32_t percpu_pop_free(const struct lru *c, unsigned int cpu)
{
	struct lru_list *l = &c->lists[cpu];
	uint32_t fhead = lhead(c, l, LRU_FREE), id;

	rotate(c, l);
	if (ll_empty(c, fhead))
		shrink(c, l, LRU_PERCPU_FREE_TARGET, fhead, LRU_FREE, cpu);
	id = lnk(c, fhead)->next;
	if (id == fhead || !is_elem(c, id))
		return 0;
	clear_ref(node(c, id));
	move(c, l, id, LRU_INACTIVE);
	return id;
}

/* ---- set-up ---- */

/* List l with nothing on it: its heads empty, no counts, the cursor on its inactive head. */
static void empty_list(const struct lru *c, struct lru_list *l)
{
	for (uint32_t t = LRU_ACTIVE; t <= LRU_FREE; t++)
		ll_init(c, lhead(c, l, t));
	l->counts[LRU_ACTIVE] = l->counts[LRU_INACTIVE] = 0;
	l->next_inactive_rotation = lhead(c, l, LRU_INACTIVE);
}

/* Common LRU: CPU cpu's local heads. */
static void local_heads(const struct lru *c, uint32_t cpu)
{
	c->locals[cpu].free_head = LRU_HEADS_PER_CPU * (1 + cpu);
	c->locals[cpu].pending_head = LRU_HEADS_PER_CPU * (1 + cpu) + 1;
}

/* Every head empty, every list's cursor on its inactive head, the locals' heads assigned. */
static void reset_lists(const struct lru *c)
{
	uint32_t nlists = c->percpu ? c->ncpus : 1;

	for (uint32_t i = 0; i < c->n_heads; i++)
		ll_init(c, head_id(c, i));
	for (uint32_t i = 0; i < nlists; i++) {
		c->lists[i].head_base = c->percpu ? LRU_HEADS_PER_CPU * i : 0;
		empty_list(c, &c->lists[i]);
	}
	if (!c->percpu) {
		for (uint32_t i = 0; i < c->ncpus; i++) {
			local_heads(c, i);
			c->locals[i].next_steal = i;
		}
	}
}

/* The CPU that owns element i of the n_elems in the lists (per-CPU lists). */
static uint32_t owner_cpu(const struct lru *c, uint32_t i)
{
	uint32_t share = c->n_elems / c->ncpus;

	return c->percpu && share ? (i / share) % c->ncpus : 0;
}

static void add_free(const struct lru *c, uint32_t id, uint32_t cpu)
{
	struct uxdp_lru_node *n = node(c, id);

	set_state(n, cpu, LRU_FREE);
	clear_ref(n);
	ll_add(c, id, lhead(c, &c->lists[c->percpu ? cpu : 0], LRU_FREE));
}

/* Spare element link joins CPU cpu's FIFO of spares, stamped stamp. */
static void spare_put(const struct lru *c, unsigned int cpu, uint32_t link, uint64_t stamp)
{
	struct lru_cpu *own = cpu_own(c, cpu);

	set_state(node(c, link), cpu, LRU_SPARE);
	uxdp_fifo_put_stamped(c->m, &own->spare_head, &own->spare_tail, link, stamp);
}

void uxdp_lru_init(struct uxdp_map *m)
{
	struct lru c = lru_get(m);

	reset_lists(&c);
	/*
	 * Element i goes to the head of a free list, as bpf_lru_populate();
	 * per CPU, consecutive runs of n_elems / ncpus elements.
	 */
	for (uint32_t i = 0; i < c.n_elems; i++)
		add_free(&c, i + 1, owner_cpu(&c, i));
	/* the spares are dealt out to the CPUs (hash.c swaps them in under a CPU's lock) */
	for (uint32_t l = c.n_elems + 1; l <= c.n_pool; l++)
		spare_put(&c, (l - c.n_elems - 1) % c.ncpus, l, 0); /* reusable at once */
}

/* ---- repair of a lock taken over from a dead holder (lru.h) ---- */

/* A spare swap cut between its two type stores: both are list elements, old goes back. */
static void repair_swap(const struct lru *c, struct lru_cpu *own)
{
	uint32_t o = own->swap_old, n = own->swap_new;

	/* recorded whole (new first, then old), or nothing was changed yet */
	if (is_elem(c, o) && is_elem(c, n) && o != n && type_of(node(c, o)) != LRU_SPARE &&
	    type_of(node(c, n)) != LRU_SPARE)
		set_type(node(c, o), LRU_SPARE);
	own->swap_old = own->swap_new = 0;
}

/* The spares of CPU cpu start over (their elements found again by type). */
static void reset_spares(const struct lru *c, uint32_t cpu)
{
	struct lru_cpu *own = cpu_own(c, cpu);

	repair_swap(c, own);
	__atomic_store_n(&own->spare_head, 0, __ATOMIC_RELAXED); /* read by uxdp_fifo_settle() */
	own->spare_tail = 0;
}

/*
 * A repair puts element id (of type t) back on list l: free stays free (a
 * free element is never in a chain), any other to the inactive list,
 * unreferenced, whether it is in a chain or not (only under its bucket's
 * lock can that be told, and eviction does it).
 */
static void relist(const struct lru *c, struct lru_list *l, uint32_t id, uint32_t t)
{
	struct uxdp_lru_node *n = node(c, id);

	clear_ref(n);
	if (t == LRU_FREE) {
		ll_add(c, id, lhead(c, l, LRU_FREE));
		return;
	}
	set_type(n, LRU_INACTIVE);
	ll_add(c, id, lhead(c, l, LRU_INACTIVE));
	l->counts[LRU_INACTIVE]++;
}

/*
 * Per-CPU lists: CPU cpu's list and spares again from what each of its
 * elements says it is (the type every move sets under this lock, before
 * the links).  Free elements stay free (a free element is never in a
 * chain), spares go back to the spares, every other element to the
 * inactive list, whether it is in a chain or not (the dead holder's, half
 * inserted or half deleted): only under its bucket's lock can that be
 * told, and eviction does it (uxdp_hash_lru_unlink()).  The counts and the
 * rotation cursor start over.
 */
static void repair_cpu(const struct lru *c, unsigned int cpu)
{
	struct lru_list *l = &c->lists[cpu];
	uint64_t stamp = uxdp_inst_stamp(c->m->inst); /* spares: any reader may hold any */

	reset_spares(c, cpu);
	empty_list(c, l);
	for (uint32_t id = 1; id <= c->n_pool; id++) {
		struct uxdp_lru_node *n = node(c, id);
		uint32_t t = type_of(n);

		if (cpu_of(c, n) != cpu)
			continue;
		if (t == LRU_SPARE)
			spare_put(c, cpu, id, stamp);
		else
			relist(c, l, id, t);
	}
}

/*
 * Common LRU, CPU cpu's lock: its local free and pending lists and its
 * spares again from the elements whose type is local (or spare) and whose
 * cpu is cpu.  No element enters or leaves that set without this lock
 * (set_state() orders the stores for the moves from the global lists), so
 * the scan needs no other lock.  A pending element in no chain (the dead
 * holder's, half inserted) stays pending: eviction takes it (lru.h).
 */
static void repair_local(const struct lru *c, unsigned int cpu)
{
	struct lru_local *loc = &c->locals[cpu];
	uint64_t stamp = uxdp_inst_stamp(c->m->inst);

	reset_spares(c, cpu);
	local_heads(c, cpu);
	ll_init(c, head_id(c, loc->free_head));
	ll_init(c, head_id(c, loc->pending_head));
	for (uint32_t id = 1; id <= c->n_pool; id++) {
		struct uxdp_lru_node *n = node(c, id);
		uint32_t t = type_of(n);

		if (type_global(t) || cpu_of(c, n) != cpu)
			continue;
		if (t == LRU_SPARE) {
			spare_put(c, cpu, id, stamp);
		} else if (t == LRU_LOCAL_PENDING) {
			ll_add(c, id, head_id(c, loc->pending_head));
		} else { /* LOCAL_FREE, or damage */
			ll_add(c, id, head_id(c, loc->free_head));
		}
	}
}

/*
 * Common LRU, the global lock: the global lists again from the elements
 * of a global type, which no one changes without this lock; in use ones
 * to the inactive list, as repair_cpu().
 */
static void repair_global(const struct lru *c)
{
	struct lru_list *l = &c->lists[0];

	empty_list(c, l);
	for (uint32_t id = 1; id <= c->n_pool; id++) {
		struct uxdp_lru_node *n = node(c, id);
		uint32_t t = type_of(n);

		if (type_global(t))
			relist(c, l, id, t);
	}
}

static void repair(const struct lru *c, uint32_t g)
{
	if (c->percpu)
		repair_cpu(c, g);
	else if (g == global_lock(c))
		repair_global(c);
	else
		repair_local(c, g);
}

/* ---- interface: locks ---- */

uint32_t uxdp_lru_n_locks(const struct uxdp_map *m)
{
	return map_ncpus(m) + !is_percpu_lru(m->map_flags);
}

/* Lock g of the handle's geometry: a CPU past the map's wraps. */
static uint32_t lock_index(const struct uxdp_map *m, uint32_t g)
{
	return g < uxdp_lru_n_locks(m) ? g : g % map_ncpus(m);
}

/*
 * Lock g's word from the handle alone, without lru_get(): an update takes
 * and lets go of two or three of these locks, and the rest of the view is
 * needed only by a repair.
 */
static uint32_t *lock_addr(const struct uxdp_map *m, uint32_t g)
{
	uint32_t ncpus = map_ncpus(m);
	struct lru_list *lists =
		(struct lru_list *)((uint8_t *)m->lru_area + lists_off(m->map_flags, ncpus));

	if (is_percpu_lru(m->map_flags))
		return &lists[g].own.lock;
	return g == ncpus ? &lists[0].own.lock : &((struct lru_local *)(lists + 1))[g].own.lock;
}

uint32_t uxdp_lru_guard(const struct uxdp_map *m, uint32_t link)
{
	const struct uxdp_lru_node *n = uxdp_lru_node(m, link);
	uint32_t ncpus = map_ncpus(m);

	if (!is_percpu_lru(m->map_flags) && type_global(type_of(n)))
		return ncpus;
	return __atomic_load_n(&n->cpu, __ATOMIC_RELAXED) % ncpus;
}

/* locked()'s steps, but the view of the lists is made only for a repair (lock_addr()). */
int uxdp_lru_lock(struct uxdp_map *m, uint32_t g)
{
	int rc;

	g = lock_index(m, g);
	rc = uxdp_map_lock(m, lock_addr(m, g));
	if (rc == 1) {
		struct lru c = lru_get(m);

		repair(&c, g);
	}
	return rc < 0 ? rc : 0;
}

int uxdp_lru_try_lock(struct uxdp_map *m, uint32_t g)
{
	return uxdp_rlock_try_free(m->inst, lock_addr(m, lock_index(m, g)));
}

void uxdp_lru_unlock(struct uxdp_map *m, uint32_t g)
{
	uxdp_rlock_release(lock_addr(m, lock_index(m, g)));
}

/* ---- interface: audit (tests) ---- */

/*
 * Walk list head from its head: every element of type t (and of CPU cpu,
 * unless cpu is none), linked both ways, seen once; n counts them.
 */
static uint32_t audit_list(const struct lru *c, uint32_t head, uint32_t cpu, uint32_t t,
			   uint8_t *seen, uint32_t *n)
{
	uint32_t prev = head, id = lnk(c, head)->next, steps = 0;

	for (*n = 0; id != head && steps++ < c->n_ids; prev = id, id = lnk(c, id)->next) {
		if (id - 1 >= c->n_pool || uxdp_bit(seen, id - 1) ||
		    (cpu != UINT32_MAX && node(c, id)->cpu != cpu) || node(c, id)->type != t ||
		    lnk(c, id)->prev != prev)
			return 1;
		uxdp_set_bit(seen, id - 1);
		(*n)++;
	}
	return id != head || lnk(c, head)->prev != prev;
}

/* List l's three lists (of CPU cpu, or none): their counts, the cursor; in: how many. */
static uint32_t audit_lists(const struct lru *c, struct lru_list *l, uint32_t cpu, uint8_t *seen,
			    uint32_t *in)
{
	uint32_t bad = 0, n, cur = l->next_inactive_rotation;

	*in = 0;
	for (uint32_t t = LRU_ACTIVE; t <= LRU_FREE; t++) {
		bad += audit_list(c, lhead(c, l, t), cpu, t, seen, &n);
		if (t < LRU_NR_COUNTED && n != l->counts[t])
			bad++;
		*in += n;
	}
	/* the cursor rests on the inactive head or an inactive element of this list */
	if (cur != lhead(c, l, LRU_INACTIVE) &&
	    (cur - 1 >= c->n_pool || node(c, cur)->type != LRU_INACTIVE ||
	     (cpu != UINT32_MAX && node(c, cur)->cpu != cpu)))
		bad++;
	return bad;
}

/* CPU cpu's spares: a FIFO of its spare elements, spares long; its lock free, no swap. */
static uint32_t audit_cpu(const struct lru *c, uint32_t cpu, uint8_t *seen, uint32_t spares)
{
	struct lru_cpu *own = cpu_own(c, cpu);
	uint32_t s = own->spare_head, last = 0, steps = 0, bad = 0;

	for (; s && steps < c->n_pool; last = s, s = node(c, s)->prev, steps++) {
		/* the FIFO's link is the node's prev (pool.h) */
		if (s > c->n_pool || uxdp_bit(seen, s - 1) || node(c, s)->type != LRU_SPARE ||
		    node(c, s)->cpu != cpu) {
			bad++;
			break;
		}
		uxdp_set_bit(seen, s - 1);
	}
	bad += steps != spares || own->spare_tail != last;
	return bad + (own->lock != 0 || own->swap_old != 0);
}

uint32_t uxdp_lru_audit(struct uxdp_map *m, uint8_t *seen)
{
	struct lru c = lru_get(m);
	uint32_t bad = 0, share = c.n_elems / c.ncpus, spares = (c.n_pool - c.n_elems) / c.ncpus;
	uint32_t in_lists = 0, n;

	for (unsigned int cpu = 0; cpu < c.ncpus; cpu++) {
		bad += audit_cpu(&c, cpu, seen, spares);
		if (c.percpu) {
			bad += audit_lists(&c, &c.lists[cpu], cpu, seen, &n);
			bad += n != share;
			continue;
		}
		bad += audit_list(&c, head_id(&c, c.locals[cpu].free_head), cpu, LRU_LOCAL_FREE,
				  seen, &n);
		in_lists += n;
		bad += audit_list(&c, head_id(&c, c.locals[cpu].pending_head), cpu,
				  LRU_LOCAL_PENDING, seen, &n);
		in_lists += n;
	}
	if (!c.percpu) {
		bad += audit_lists(&c, &c.lists[0], UINT32_MAX, seen, &n);
		bad += in_lists + n != c.n_elems || c.lists[0].own.lock != 0;
	}
	for (uint32_t id = 1; id <= c.n_pool; id++) {
		bad += !uxdp_bit(seen, id - 1);
		if (uxdp_hash_in_chain(m, id) && !type_listed(node(&c, id)->type))
			bad++;
	}
	return bad;
}

/* ---- interface: elements ---- */

bool uxdp_lru_listed(const struct uxdp_map *m, uint32_t link)
{
	return type_listed(type_of(uxdp_lru_node(m, link)));
}

uint32_t *uxdp_lru_spare_head(struct uxdp_map *m, unsigned int cpu)
{
	struct lru c = lru_get(m);

	return &cpu_own(&c, cpu % c.ncpus)->spare_head;
}

void uxdp_lru_push_free(struct uxdp_map *m, uint32_t link)
{
	struct lru c = lru_get(m);
	struct uxdp_lru_node *n = node(&c, link);

	if (!c.percpu) {
		common_push_free(&c, link);
		return;
	}
	/* already free: an eviction that found it in no chain freed it */
	if (type_listed(type_of(n)))
		move(&c, &c.lists[cpu_of(&c, n)], link, LRU_FREE);
}

/*
 * Element new (a spare, in no list) takes the place of element old in
 * whatever list old is on, with its state; old becomes a spare.  Under
 * old's CPU's lock.
 */
static void replace(const struct lru *c, uint32_t old, uint32_t new_link)
{
	struct uxdp_lru_node *o = node(c, old), *n = node(c, new_link);
	uint32_t cpu = cpu_of(c, o);
	struct lru_cpu *own = cpu_own(c, cpu);
	struct lru_list *l = c->percpu ? &c->lists[cpu] : NULL;

	/*
	 * new takes old's place and state, and old becomes a spare: two type
	 * stores, recorded around them so that a repair after a kill between
	 * them makes old the spare (repair_swap()).  Both are cpu's (its
	 * spare, and its pending or per-CPU list element), under its lock.
	 */
	own->swap_new = new_link;
	__atomic_store_n(&own->swap_old, old, __ATOMIC_RELEASE); /* the record is whole */
	n->prev = o->prev;
	n->next = o->next;
	if (ref_of(o))
		uxdp_lru_node_set_ref(n);
	else
		clear_ref(n);
	set_state(n, cpu, type_of(o));
	UXDP_FAULT_POINT();
	set_type(o, LRU_SPARE);
	/* cleared after both type stores, old first: a record is whole or ignored */
	__atomic_store_n(&own->swap_old, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&own->swap_new, 0, __ATOMIC_RELEASE);
	lnk(c, o->prev)->next = new_link;
	UXDP_FAULT_POINT();
	lnk(c, o->next)->prev = new_link;
	/* per-CPU lists: only old's own list may rest its cursor on it (the common lists' is pending) */
	if (l && l->next_inactive_rotation == old)
		l->next_inactive_rotation = new_link;
	o->prev = o->next = 0;
}

uint32_t uxdp_lru_take(struct uxdp_map *m, unsigned int cpu)
{
	struct lru c = lru_get(m);
	struct lru_cpu *own;
	uint64_t stamp;
	uint32_t l, s;

	cpu %= c.ncpus;
	l = c.percpu ? percpu_pop_free(&c, cpu) : common_pop_free(&c, cpu);
	if (!is_elem(&c, l))
		return 0;
	stamp = __atomic_load_n(uxdp_pool_stamp(m, l), __ATOMIC_RELAXED);
	if (uxdp_pool_safe(m, stamp))
		return l;
	own = cpu_own(&c, cpu);
	s = uxdp_fifo_get(m, &own->spare_head, &own->spare_tail, false);
	if (!s) {
		__atomic_add_fetch(&m->hdr->forced_reuse, 1, __ATOMIC_RELAXED);
		return l;
	}
	replace(&c, l, s);
	UXDP_FAULT_POINT();
	/* l keeps the stamp of its eviction: the swap writes nothing shared (pool.h) */
	spare_put(&c, cpu, l, stamp);
	return s;
}
