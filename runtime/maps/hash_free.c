// SPDX-License-Identifier: MIT
/*
 * hash_free.c - the free elements of hash maps, per CPU, and their locks
 * (hash_free.h).
 */
#include "hash_free.h"
#include "hash_internal.h"
#include "instance.h"
#include "pool.h"
#include "rlock.h"

/* One CPU's free elements, on a cache line of their own. */
struct hash_shard {
	uint32_t lock;
	uint32_t head, tail; /* pool.h FIFO */
	uint32_t n_free;
	uint32_t n_spare;    /* fixed at creation: free elements a new key may not take */
	uint32_t seq;        /* odd while the lock's holder changes what it guards */
	uint32_t _pad[10];
};

_Static_assert(sizeof(struct hash_shard) == 64, "a line per shard");

static unsigned int shards_of(const struct uxdp_shm_hdr *h)
{
	return h->ncpus ? h->ncpus : 1;
}

uint64_t uxdp_hash_free_off(const struct uxdp_shm_hdr *h)
{
	return uxdp_round_up(h->aux_off + (uint64_t)h->n_buckets * HASH_BUCKET_WORDS * 4, 64);
}

uint64_t uxdp_hash_free_size(const struct uxdp_shm_hdr *h)
{
	return shards_of(h) * sizeof(struct hash_shard);
}

/* Shard s (< uxdp_hash_shards()). */
static struct hash_shard *shard(const struct uxdp_map *m, unsigned int s)
{
	return (struct hash_shard *)m->lru_area + s;
}

static uint32_t *state_of(const struct uxdp_map *m, uint32_t link)
{
	return &elem(m, link)->state;
}

void uxdp_hash_set_state(struct uxdp_map *m, uint32_t link, enum uxdp_hash_state state)
{
	__atomic_store_n(state_of(m, link), (uint32_t)state, __ATOMIC_RELAXED);
}

/* Put link on its home's FIFO with stamp, counted; the home's lock held. */
static void push(struct uxdp_map *m, uint32_t link, uint64_t stamp)
{
	struct hash_shard *sh = shard(m, uxdp_hash_home(m, link));

	uxdp_hash_set_state(m, link, HASH_FREE);
	uxdp_fifo_put_stamped(m, &sh->head, &sh->tail, link, stamp);
	__atomic_store_n(&sh->n_free, sh->n_free + 1, __ATOMIC_RELAXED);
}

void uxdp_hash_free_init(struct uxdp_map *m)
{
	for (uint32_t l = 1; l <= m->n_pool; l++) {
		if (l > m->n_elems)
			shard(m, uxdp_hash_home(m, l))->n_spare++;
		push(m, l, 0); /* stamp 0: reusable at once */
	}
}

void uxdp_hash_give(struct uxdp_map *m, uint32_t link)
{
	uxdp_hash_begin(m, uxdp_hash_home(m, link));
	/* the stamp after the unlink: pool.h */
	push(m, link, uxdp_inst_stamp(m->inst));
}

void uxdp_hash_begin(struct uxdp_map *m, unsigned int s)
{
	struct hash_shard *sh = shard(m, s);

	if (!(sh->seq & 1)) /* odd: this holder's, or a dead one's, already */
		__atomic_store_n(&sh->seq, sh->seq + 1, __ATOMIC_RELAXED);
	/* a seqlock's writer: the odd count before any of the changes (x86: free) */
	__atomic_thread_fence(__ATOMIC_RELEASE);
}

uint32_t uxdp_hash_take(struct uxdp_map *m, unsigned int s, bool new_key)
{
	struct hash_shard *sh = shard(m, s);
	uint32_t l;

	if ((new_key && sh->n_free <= sh->n_spare) || !sh->head)
		return 0;
	/* its wait for readers (pool.c) changes nothing a full check reads */
	l = uxdp_fifo_get(m, &sh->head, &sh->tail, true);
	if (!l)
		return 0;
	uxdp_hash_begin(m, s);
	__atomic_store_n(&sh->n_free, sh->n_free - 1, __ATOMIC_RELAXED);
	/* a free element's state until here: a repair puts it back on the FIFO */
	uxdp_hash_set_state(m, l, HASH_TAKEN);
	return l;
}

/*
 * Shard s's lock was taken over from a dead holder.  An element of the
 * shard the holder had taken is in a chain or not, and stays so while the
 * lock is held (hash_free.h): in one, it is linked; in none, free.  A walk
 * that cannot tell (a forced reuse carried it into another chain, every
 * time) counts it linked: one element lost is better than one linked
 * element handed out.  Then the FIFO is made again from the free elements,
 * stamped now (any reader may hold them).
 */
static void repair_shard(struct uxdp_map *m, unsigned int s)
{
	struct hash_shard *sh = shard(m, s);
	unsigned int n = uxdp_hash_shards(m);
	uint64_t stamp;

	uxdp_hash_begin(m, s);
	for (uint32_t l = s + 1; l <= m->n_pool; l += n) {
		uint32_t st = __atomic_load_n(state_of(m, l), __ATOMIC_RELAXED);

		if (st != HASH_FREE && st != HASH_LINKED)
			uxdp_hash_set_state(m, l, uxdp_hash_chain_has(m, l) ? HASH_LINKED : HASH_FREE);
	}
	__atomic_store_n(&sh->head, 0, __ATOMIC_RELAXED); /* read without the lock: settles */
	__atomic_store_n(&sh->n_free, 0, __ATOMIC_RELAXED); /* and full checks */
	sh->tail = 0;
	stamp = uxdp_inst_stamp(m->inst);
	for (uint32_t l = s + 1; l <= m->n_pool; l += n)
		if (__atomic_load_n(state_of(m, l), __ATOMIC_RELAXED) == HASH_FREE)
			push(m, l, stamp);
}

int uxdp_hash_shard_lock(struct uxdp_map *m, unsigned int s)
{
	int rc = uxdp_map_lock(m, &shard(m, s)->lock);

	if (rc != 1)
		return rc;
	repair_shard(m, s);
	return 0;
}

void uxdp_hash_shard_unlock(struct uxdp_map *m, unsigned int s)
{
	struct hash_shard *sh = shard(m, s);

	if (sh->seq & 1)
		__atomic_store_n(&sh->seq, sh->seq + 1, __ATOMIC_RELEASE);
	uxdp_rlock_release(&sh->lock);
}

bool uxdp_hash_seqs(struct uxdp_map *m, uint64_t *sum)
{
	*sum = 0;
	for (unsigned int s = 0; s < uxdp_hash_shards(m); s++) {
		uint32_t seq = __atomic_load_n(&shard(m, s)->seq, __ATOMIC_ACQUIRE);

		if (seq & 1)
			return false;
		*sum += seq;
	}
	return true;
}

bool uxdp_hash_still(struct uxdp_map *m, uint64_t before)
{
	uint64_t now;

	/* a seqlock's reader: what was read before, then the counts again */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	return uxdp_hash_seqs(m, &now) && now == before;
}

bool uxdp_hash_has_room(struct uxdp_map *m, unsigned int s)
{
	return __atomic_load_n(&shard(m, s)->n_free, __ATOMIC_RELAXED) > shard(m, s)->n_spare;
}

bool uxdp_hash_full(struct uxdp_map *m, unsigned int own, uint64_t *before)
{
	unsigned int n = uxdp_hash_shards(m);

	/* this thread's shard first: the others' lines are their workers' */
	if (uxdp_hash_has_room(m, own) || !uxdp_hash_seqs(m, before))
		return false;
	for (unsigned int s = 0; s < n; s++)
		if (uxdp_hash_has_room(m, s))
			return false;
	return uxdp_hash_still(m, *before);
}

bool uxdp_hash_settled(struct uxdp_map *m, unsigned int s)
{
	return !(__atomic_load_n(&shard(m, s)->seq, __ATOMIC_ACQUIRE) & 1);
}

void uxdp_hash_free_settle(struct uxdp_map *m, unsigned int s)
{
	uxdp_fifo_settle(m, &shard(m, s)->head);
}

/* Walk shard s's FIFO: every element the shard's, free, seen once; how many. */
static uint32_t audit_fifo(struct uxdp_map *m, unsigned int s, uint8_t *seen, uint32_t *bad)
{
	struct hash_shard *sh = shard(m, s);
	uint32_t l = sh->head, last = 0, n = 0;

	for (; l && n <= m->n_pool; last = l, l = elem(m, l)->free_next, n++) {
		if (l > m->n_pool || uxdp_bit(seen, l - 1) || uxdp_hash_home(m, l) != s ||
		    *state_of(m, l) != HASH_FREE) {
			(*bad)++;
			return n;
		}
		uxdp_set_bit(seen, l - 1);
	}
	*bad += last != sh->tail;
	return n;
}

uint32_t uxdp_hash_free_audit(struct uxdp_map *m, const uint8_t *in_chain, uint8_t *seen)
{
	uint32_t bad = 0, beyond = 0, linked = 0;

	for (unsigned int s = 0; s < uxdp_hash_shards(m); s++) {
		struct hash_shard *sh = shard(m, s);
		uint32_t n = audit_fifo(m, s, seen, &bad);

		bad += n != sh->n_free || n < sh->n_spare || sh->lock || (sh->seq & 1);
		beyond += n - sh->n_spare;
	}
	for (uint32_t l = 1; l <= m->n_pool; l++) {
		bool chained = uxdp_bit(in_chain, l - 1);

		linked += chained;
		/* on a FIFO, or in a chain and linked: never both, never neither */
		if (uxdp_bit(seen, l - 1) == chained || chained != (*state_of(m, l) == HASH_LINKED))
			bad++;
	}
	return bad + (linked + beyond != m->n_elems);
}
