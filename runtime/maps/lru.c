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
 * (uxdp_lru_replace()) without changing which keys survive.
 *
 * The geometry (counts, where the lists are) comes from the handle, never
 * from shared memory; ids read from the lists are checked (a bad one reads
 * and writes a per-thread sink) and every walk is bounded by the number of
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
	LRU_LOCAL_FREE,  /* common LRU: per-CPU lists */
	LRU_LOCAL_PENDING,
	LRU_SPARE,       /* per-CPU lists: on its CPU's FIFO of spares (pool.h) */
};

#define LRU_NR_COUNTED 2
#define LRU_LOCAL_FREE_TARGET 128
#define LRU_LOCAL_NR_SCANS LRU_LOCAL_FREE_TARGET
#define LRU_PERCPU_FREE_TARGET 4
#define LRU_PERCPU_NR_SCANS LRU_PERCPU_FREE_TARGET

struct lru_link {
	uint32_t prev, next;
};

_Static_assert(offsetof(struct uxdp_lru_node, prev) == offsetof(struct lru_link, prev) &&
		       offsetof(struct uxdp_lru_node, next) == offsetof(struct lru_link, next),
	       "a node starts like a list head");

/*
 * One list of active, inactive and free elements (global, or one per CPU),
 * on a cache line of its own.  Per-CPU lists: the CPU's lock and FIFO of
 * spare elements too (fine-grained locking, lru.h).
 */
struct lru_list {
	uint32_t counts[LRU_NR_COUNTED];
	uint32_t next_inactive_rotation; /* id: an inactive element or the inactive head */
	uint32_t head_base;              /* index of its ACTIVE head; INACTIVE, FREE follow */
	uint32_t lock;                   /* per-CPU lists: the CPU's lock (rlock.h) */
	uint32_t spare_head, spare_tail; /* per-CPU lists: the CPU's spares (pool.h) */
	uint32_t swap_old, swap_new;     /* per-CPU lists: a spare swap under way (replace) */
	uint8_t _line[28];
};

_Static_assert(sizeof(struct lru_list) == 64, "a list per cache line");

/* Per-CPU lists: each CPU's heads on a line of their own (8 to a line). */
#define LRU_HEADS_PER_CPU 8

/* Common LRU: a CPU's local free and pending lists. */
struct lru_local {
	uint32_t free_head;    /* head indexes */
	uint32_t pending_head;
	uint32_t next_steal;
	uint32_t _pad;
};

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
	uint32_t target_free;
	bool percpu;
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
	return is_percpu_lru(map_flags) ? LRU_HEADS_PER_CPU * ncpus : 3 + 2 * ncpus;
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
	/* 6.16+: a CPU refills at most half its share, so CPUs cannot starve */
	c.target_free = c.n_elems / ncpus / 2;
	if (c.target_free < 1)
		c.target_free = 1;
	if (c.target_free > LRU_LOCAL_FREE_TARGET)
		c.target_free = LRU_LOCAL_FREE_TARGET;
	return c;
}

/* ---- lists of ids ---- */

/* Where a damaged id reads and writes: never the segment, never a crash. */
static __thread struct uxdp_lru_node sink;

static inline uint32_t head_id(const struct lru *c, uint32_t head_index)
{
	return c->n_pool + 1 + head_index;
}

static inline struct lru_link *lnk(const struct lru *c, uint32_t id)
{
	if (id - 1 < c->n_pool)
		return (struct lru_link *)uxdp_lru_node(c->m, id);
	if (id - c->n_pool - 1 < c->n_heads)
		return &c->heads[id - c->n_pool - 1];
	return (struct lru_link *)&sink;
}

static inline struct uxdp_lru_node *node(const struct lru *c, uint32_t id)
{
	return id - 1 < c->n_pool ? uxdp_lru_node(c->m, id) : &sink;
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

/* On the active or inactive list: neither free nor a spare (per-CPU lists). */
static bool is_listed(const struct uxdp_lru_node *n)
{
	return n->type == LRU_ACTIVE || n->type == LRU_INACTIVE;
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

/* An element of l's lists goes to a free list (global or local). */
static void move_to_free(const struct lru *c, struct lru_list *l, uint32_t id, uint32_t free_head,
			 uint32_t type)
{
	keep_cursor(c, l, id);
	count_dec(l, node(c, id)->type);
	node(c, id)->type = (uint8_t)type;
	ll_move(c, id, free_head);
}

/* A pending element joins l's lists. */
static void move_in(const struct lru *c, struct lru_list *l, uint32_t id, uint32_t type)
{
	count_inc(l, type);
	node(c, id)->type = (uint8_t)type;
	node(c, id)->ref = 0;
	ll_move(c, id, lhead(c, l, type));
}

/* Between or within l's lists; the reference bit is used up. */
static void move(const struct lru *c, struct lru_list *l, uint32_t id, uint32_t type)
{
	struct uxdp_lru_node *n = node(c, id);

	if (n->type != type) {
		count_dec(l, n->type);
		count_inc(l, type);
		n->type = (uint8_t)type;
	}
	n->ref = 0;
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

		move(c, l, id, node(c, id)->ref ? LRU_ACTIVE : LRU_INACTIVE);
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
		if (node(c, cur)->ref)
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

static uint32_t shrink_inactive(const struct lru *c, struct lru_list *l, uint32_t want,
				uint32_t free_head, uint32_t free_type)
{
	uint32_t head = lhead(c, l, LRU_INACTIVE), id = lnk(c, head)->prev, got = 0, i = 0;

	while (id != head) {
		uint32_t prev = lnk(c, id)->prev;

		if (node(c, id)->ref) {
			move(c, l, id, LRU_ACTIVE);
		} else if (uxdp_hash_lru_unlink(c->m, id)) {
			move_to_free(c, l, id, free_head, free_type);
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
		       uint32_t free_type)
{
	uint32_t got = shrink_inactive(c, l, want, free_head, free_type), head;

	if (got)
		return got;
	head = lhead(c, l, LRU_INACTIVE);
	if (ll_empty(c, head))
		head = lhead(c, l, LRU_ACTIVE);
	for (uint32_t steps = 0, id = lnk(c, head)->prev; id != head && steps < c->n_ids;
	     id = lnk(c, id)->prev, steps++) {
		if (uxdp_hash_lru_unlink(c->m, id)) {
			move_to_free(c, l, id, free_head, free_type);
			return 1;
		}
	}
	return 0;
}

/* ---- common LRU ---- */

static void local_flush(const struct lru *c, struct lru_list *l, struct lru_local *loc)
{
	uint32_t head = head_id(c, loc->pending_head), id = lnk(c, head)->prev;

	for (uint32_t steps = 0; id != head && steps < c->n_ids; steps++) {
		uint32_t prev = lnk(c, id)->prev;

		move_in(c, l, id, node(c, id)->ref ? LRU_ACTIVE : LRU_INACTIVE);
		id = prev;
	}
}

static void refill_local(const struct lru *c, struct lru_local *loc)
{
	struct lru_list *l = &c->lists[0];
	uint32_t fhead = lhead(c, l, LRU_FREE), lfree = head_id(c, loc->free_head), n = 0;

	local_flush(c, l, loc);
	rotate(c, l);
	while (n < c->target_free && !ll_empty(c, fhead)) {
		move_to_free(c, l, lnk(c, fhead)->next, lfree, LRU_LOCAL_FREE);
		n++;
	}
	if (n < c->target_free)
		shrink(c, l, c->target_free - n, lfree, LRU_LOCAL_FREE);
}

static uint32_t local_pop_free(const struct lru *c, struct lru_local *loc)
{
	uint32_t head = head_id(c, loc->free_head), id = lnk(c, head)->next;

	if (id == head)
		return 0;
	ll_del(c, id);
	return id;
}

/* Steal a pending element of loc, unreferenced ones first, oldest first. */
static uint32_t local_pop_pending(const struct lru *c, struct lru_local *loc)
{
	uint32_t head = head_id(c, loc->pending_head);

	for (int force = 0; force < 2; force++) {
		for (uint32_t steps = 0, id = lnk(c, head)->prev; id != head && steps < c->n_ids;
		     id = lnk(c, id)->prev, steps++) {
			if ((!node(c, id)->ref || force) && uxdp_hash_lru_unlink(c->m, id)) {
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

	n->cpu = cpu;
	n->type = LRU_LOCAL_PENDING;
	n->ref = 0;
	ll_add(c, id, head_id(c, loc->pending_head));
}

static uint32_t common_pop_free(const struct lru *c, unsigned int cpu)
{
	struct lru_local *loc = &c->locals[cpu];
	uint32_t id = local_pop_free(c, loc), steal, first;

	if (!id) {
		refill_local(c, loc);
		id = local_pop_free(c, loc);
	}
	if (id) {
		add_pending(c, loc, cpu, id);
		return id;
	}
	/* nothing on the global lists: every element is on some CPU's lists */
	first = steal = loc->next_steal;
	do {
		struct lru_local *victim = &c->locals[steal];

		id = local_pop_free(c, victim);
		if (!id)
			id = local_pop_pending(c, victim);
		steal = (steal + 1) % c->ncpus;
	} while (!id && steal != first);
	loc->next_steal = steal;
	if (id)
		add_pending(c, loc, cpu, id);
	return id;
}

static void common_push_free(const struct lru *c, uint32_t id)
{
	struct uxdp_lru_node *n = node(c, id);

	if (n->type == LRU_LOCAL_PENDING) {
		/* still parked on its CPU: straight back to that CPU's free list */
		n->type = LRU_LOCAL_FREE;
		n->ref = 0;
		ll_move(c, id, head_id(c, c->locals[n->cpu % c->ncpus].free_head));
		return;
	}
	move(c, &c->lists[0], id, LRU_FREE);
}

/* ---- per-CPU LRU ---- */

static uint32_t percpu_pop_free(const struct lru *c, unsigned int cpu)
{
	struct lru_list *l = &c->lists[cpu];
	uint32_t fhead = lhead(c, l, LRU_FREE), id;

	rotate(c, l);
	if (ll_empty(c, fhead))
		shrink(c, l, LRU_PERCPU_FREE_TARGET, fhead, LRU_FREE);
	if (ll_empty(c, fhead))
		return 0;
	id = lnk(c, fhead)->next;
	node(c, id)->ref = 0;
	move(c, l, id, LRU_INACTIVE);
	return id;
}

/* ---- interface ---- */

/* List l with nothing on it: its heads empty, no counts, the cursor on its inactive head. */
static void empty_list(const struct lru *c, struct lru_list *l)
{
	for (uint32_t t = LRU_ACTIVE; t <= LRU_FREE; t++)
		ll_init(c, lhead(c, l, t));
	l->counts[LRU_ACTIVE] = l->counts[LRU_INACTIVE] = 0;
	l->next_inactive_rotation = lhead(c, l, LRU_INACTIVE);
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
			c->locals[i].free_head = 3 + 2 * i;
			c->locals[i].pending_head = 4 + 2 * i;
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

	n->cpu = cpu;
	n->type = LRU_FREE;
	n->ref = 0;
	ll_add(c, id, lhead(c, &c->lists[c->percpu ? cpu : 0], LRU_FREE));
}

/* Per-CPU lists: spare element link joins CPU cpu's FIFO of spares, stamped stamp. */
static void spare_put(const struct lru *c, unsigned int cpu, uint32_t link, uint64_t stamp)
{
	struct lru_list *l = &c->lists[cpu];
	struct uxdp_lru_node *n = node(c, link);

	if (n->cpu != cpu) /* only when dealt out: lock-free deletes read it (uxdp_lru_owner()) */
		n->cpu = cpu;
	n->type = LRU_SPARE;
	uxdp_fifo_put_stamped(c->m, &l->spare_head, &l->spare_tail, link, stamp);
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
	/* per-CPU lists: the spares are dealt out to the CPUs (hash.c keeps them otherwise) */
	if (c.percpu)
		for (uint32_t l = c.n_elems + 1; l <= c.n_pool; l++)
			spare_put(&c, (l - c.n_elems - 1) % c.ncpus, l, 0); /* reusable at once */
}

/* ---- per-CPU lists: fine-grained locking (lru.h) ---- */

unsigned int uxdp_lru_owner(const struct uxdp_map *m, uint32_t link)
{
	return uxdp_lru_node(m, link)->cpu % map_ncpus(m);
}

/*
 * CPU cpu's lock was taken over from a dead holder: make its list and its
 * spares again from what each of its elements says it is (the type every
 * move sets under this lock, before the links).  Free elements stay free
 * (a free element is never in a chain), spares go back to the spares,
 * every other element to the inactive list, whether it is in a chain or
 * not (the dead holder's, half inserted or half deleted): only under its
 * bucket's lock can that be told, and eviction does it
 * (uxdp_hash_lru_unlink()).  The counts and the rotation cursor start
 * over.  No other CPU's state is touched: their locks are not held.
 */
static void repair_cpu(const struct lru *c, unsigned int cpu)
{
	struct lru_list *l = &c->lists[cpu];

	/* a spare swap cut between its two type stores: both are list elements now */
	if (l->swap_old && node(c, l->swap_old)->type != LRU_SPARE &&
	    node(c, l->swap_new)->type != LRU_SPARE)
		node(c, l->swap_old)->type = LRU_SPARE;
	l->swap_old = l->swap_new = 0;
	empty_list(c, l);
	__atomic_store_n(&l->spare_head, 0, __ATOMIC_RELAXED); /* read by uxdp_fifo_settle() */
	l->spare_tail = 0;
	for (uint32_t id = 1; id <= c->n_pool; id++) {
		struct uxdp_lru_node *n = node(c, id);

		if (n->cpu != cpu)
			continue;
		if (n->type == LRU_SPARE) {
			spare_put(c, cpu, id, uxdp_inst_stamp(c->m->inst)); /* any reader may hold it */
			continue;
		}
		n->ref = 0;
		if (n->type == LRU_FREE) {
			ll_add(c, id, lhead(c, l, LRU_FREE));
			continue;
		}
		n->type = LRU_INACTIVE;
		ll_add(c, id, lhead(c, l, LRU_INACTIVE));
		l->counts[LRU_INACTIVE]++;
	}
}

int uxdp_lru_lock(struct uxdp_map *m, unsigned int cpu)
{
	struct lru c = lru_get(m);
	int rc;

	cpu %= c.ncpus;
	rc = uxdp_map_lock(m, &c.lists[cpu].lock);
	if (rc != 1)
		return rc;
	repair_cpu(&c, cpu);
	return 0;
}

int uxdp_lru_try_lock(struct uxdp_map *m, unsigned int cpu)
{
	struct lru c = lru_get(m);

	return uxdp_rlock_try_free(m->inst, &c.lists[cpu % c.ncpus].lock);
}

/* Walk list t of l from its head: every element CPU cpu's, of type t, linked both ways, seen once. */
static uint32_t audit_list(const struct lru *c, struct lru_list *l, unsigned int cpu, uint32_t t,
			   uint8_t *seen, uint32_t *n)
{
	uint32_t head = lhead(c, l, t), prev = head, id = lnk(c, head)->next, bad = 0, steps = 0;

	for (*n = 0; id != head && steps++ < c->n_ids; prev = id, id = lnk(c, id)->next) {
		if (id - 1 >= c->n_pool || uxdp_bit(seen, id - 1) || node(c, id)->cpu != cpu ||
		    node(c, id)->type != t || lnk(c, id)->prev != prev)
			return bad + 1;
		uxdp_set_bit(seen, id - 1);
		(*n)++;
	}
	return bad + (id != head || lnk(c, head)->prev != prev);
}

uint32_t uxdp_lru_audit(struct uxdp_map *m, uint8_t *seen)
{
	struct lru c = lru_get(m);
	uint32_t bad = 0, share = c.n_elems / c.ncpus, spares = (c.n_pool - c.n_elems) / c.ncpus;

	if (!c.percpu)
		return 0;
	for (unsigned int cpu = 0; cpu < c.ncpus; cpu++) {
		struct lru_list *l = &c.lists[cpu];
		uint32_t n, in_lists = 0, s = l->spare_head, last = 0, steps = 0;

		for (uint32_t t = LRU_ACTIVE; t <= LRU_FREE; t++) {
			bad += audit_list(&c, l, cpu, t, seen, &n);
			if (t < LRU_NR_COUNTED && n != l->counts[t])
				bad++;
			in_lists += n;
		}
		for (; s && steps < c.n_pool; last = s, s = node(&c, s)->prev, steps++) {
			/* the FIFO's link is the node's prev (pool.h) */
			if (s > c.n_pool || uxdp_bit(seen, s - 1) || node(&c, s)->type != LRU_SPARE ||
			    node(&c, s)->cpu != cpu) {
				bad++;
				break;
			}
			uxdp_set_bit(seen, s - 1);
		}
		bad += in_lists != share || steps != spares || l->spare_tail != last;
		/* the cursor rests on the inactive head or an inactive element of this CPU */
		if (l->next_inactive_rotation != lhead(&c, l, LRU_INACTIVE) &&
		    (l->next_inactive_rotation - 1 >= c.n_pool ||
		     node(&c, l->next_inactive_rotation)->type != LRU_INACTIVE ||
		     node(&c, l->next_inactive_rotation)->cpu != cpu))
			bad++;
		bad += l->lock != 0 || l->swap_old != 0;
	}
	for (uint32_t id = 1; id <= c.n_pool; id++) {
		bad += !uxdp_bit(seen, id - 1);
		if (uxdp_hash_in_chain(m, id) && !is_listed(node(&c, id)))
			bad++;
	}
	return bad;
}

void uxdp_lru_unlock(struct uxdp_map *m, unsigned int cpu)
{
	struct lru c = lru_get(m);

	uxdp_rlock_release(&c.lists[cpu % c.ncpus].lock);
}

bool uxdp_lru_listed(const struct uxdp_map *m, uint32_t link)
{
	return is_listed(uxdp_lru_node(m, link));
}

uint32_t *uxdp_lru_spare_head(struct uxdp_map *m, unsigned int cpu)
{
	struct lru c = lru_get(m);

	return &c.lists[cpu % c.ncpus].spare_head;
}

uint32_t uxdp_lru_spare_get(struct uxdp_map *m, unsigned int cpu)
{
	struct lru c = lru_get(m);
	struct lru_list *l = &c.lists[cpu % c.ncpus];

	return uxdp_fifo_get(m, &l->spare_head, &l->spare_tail, false);
}

void uxdp_lru_spare_put(struct uxdp_map *m, unsigned int cpu, uint32_t link)
{
	struct lru c = lru_get(m);

	/* it keeps the stamp of its unlink (pool.h uxdp_fifo_put_stamped()) */
	spare_put(&c, cpu % c.ncpus, link,
		  __atomic_load_n(uxdp_pool_stamp(m, link), __ATOMIC_RELAXED));
}

uint32_t uxdp_lru_pop_free(struct uxdp_map *m, unsigned int cpu)
{
	struct lru c = lru_get(m);

	if (cpu >= c.ncpus)
		cpu %= c.ncpus;
	return c.percpu ? percpu_pop_free(&c, cpu) : common_pop_free(&c, cpu);
}

void uxdp_lru_push_free(struct uxdp_map *m, uint32_t link)
{
	struct lru c = lru_get(m);

	if (!c.percpu) {
		common_push_free(&c, link);
		return;
	}
	/* already free: a repair, or an eviction that found it in no chain, freed it */
	if (is_listed(node(&c, link)))
		move(&c, &c.lists[node(&c, link)->cpu % c.ncpus], link, LRU_FREE);
}

void uxdp_lru_replace(struct uxdp_map *m, uint32_t old, uint32_t new_link)
{
	struct lru c = lru_get(m);
	struct uxdp_lru_node *o = node(&c, old), *n = node(&c, new_link);
	struct lru_list *l = &c.lists[c.percpu ? o->cpu % c.ncpus : 0];

	/*
	 * Per-CPU lists: new takes old's type and old becomes a spare, two
	 * stores; the swap is recorded around them so that a repair after a
	 * kill between them makes old the spare (repair_cpu()).
	 */
	if (c.percpu) {
		l->swap_old = old;
		l->swap_new = new_link;
	}
	n->prev = o->prev;
	n->next = o->next;
	if (n->cpu != o->cpu) /* per-CPU lists: never (lock-free deletes read it) */
		n->cpu = o->cpu;
	n->ref = o->ref;
	n->type = o->type;
	UXDP_FAULT_POINT();
	if (c.percpu) {
		o->type = LRU_SPARE;
		l->swap_old = l->swap_new = 0;
	}
	lnk(&c, o->prev)->next = new_link;
	UXDP_FAULT_POINT();
	lnk(&c, o->next)->prev = new_link;
	/* only old's own list may rest its cursor on it (and only its lock is held) */
	if (l->next_inactive_rotation == old)
		l->next_inactive_rotation = new_link;
	o->prev = o->next = 0;
}

void uxdp_lru_rebuild(struct uxdp_map *m, const uint8_t *in_chain, uint8_t *taken)
{
	struct lru c = lru_get(m);
	uint32_t placed = 0, k = 0;
	uint64_t stamp;

	reset_lists(&c);
	/* every chained element, even past n_elems (damage): it must not become free */
	for (uint32_t l = 1; l <= c.n_pool; l++) {
		uint32_t i = l - 1, cpu = owner_cpu(&c, placed % (c.n_elems ? c.n_elems : 1));
		struct lru_list *list = &c.lists[c.percpu ? cpu : 0];

		if (!(in_chain[i / 8] & (1u << (i % 8))))
			continue;
		node(&c, l)->cpu = cpu;
		node(&c, l)->ref = 0;
		node(&c, l)->type = LRU_INACTIVE;
		ll_add(&c, l, lhead(&c, list, LRU_INACTIVE));
		list->counts[LRU_INACTIVE]++;
		taken[i / 8] |= (uint8_t)(1u << (i % 8));
		placed++;
	}
	/*
	 * The free ones get a stamp taken now, after the chains were read: an
	 * element the dead writer unlinked but had not stamped yet still holds
	 * the stamp of an earlier life, and a reader may hold it.
	 */
	stamp = uxdp_inst_stamp(m->inst);
	for (uint32_t l = 1; l <= c.n_pool && placed < c.n_elems; l++) {
		uint32_t i = l - 1;

		if (taken[i / 8] & (1u << (i % 8)))
			continue;
		__atomic_store_n(uxdp_pool_stamp(m, l), stamp, __ATOMIC_RELAXED);
		add_free(&c, l, owner_cpu(&c, k++));
		taken[i / 8] |= (uint8_t)(1u << (i % 8));
		placed++;
	}
}
