/* SPDX-License-Identifier: MIT */
/*
 * hash_internal.h - the shared-memory layout of hash maps and their
 * lock-free lookups (hash.c describes the design), for the two places that
 * walk them: hash.c, and runtime/helpers/hash_lookup.c, whose lookups are
 * specialised for a key size and inlined into programs by uxdpc.  One
 * definition, so that an inlined lookup hashes and compares exactly as
 * hash.c does.
 *
 * Lookups take no lock: they read bucket heads and element links with
 * acquire loads, bounded by the handle's geometry (a link outside the pool
 * or a walk longer than the pool ends it), and end at a "nulls" marker
 * naming the bucket, so a walk that an element's reuse carried into another
 * chain notices it and starts again (the kernel's hlist_nulls).  Elements
 * are reused only after every reader has passed (pool.h), so that restart
 * only happens when a reuse had to be forced.
 *
 * The functions that take a key_size take it as an argument so that a
 * caller passing a constant gets a fixed-size hash and compare.
 */
#ifndef UXDP_MAPS_HASH_INTERNAL_H
#define UXDP_MAPS_HASH_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "lru.h"
#include "map_internal.h"

struct helem {
	uint32_t next;     /* bucket chain: a link, or the nulls marker of the bucket */
	uint32_t hash;
	union {
		struct uxdp_lru_node lru; /* LRU maps, while the element is in the LRU lists */
		struct {
			uint32_t free_next; /* while free (pool.h) */
			uint32_t state;     /* other hash maps: enum uxdp_hash_state (hash_free.h) */
		};
	};
	uint64_t freed;    /* epoch stamp of the unlink (pool.h) */
	/* key, padded to 8, then the value (per-CPU maps: none, pcpu_value()) */
};

_Static_assert(sizeof(struct helem) == 32, "element header");
_Static_assert(offsetof(struct helem, lru) == UXDP_LRU_NODE_OFF, "lru.c finds the node");
#define HASH_POOL_NEXT_OFF 8   /* pool.h's words: free_next and freed */
#define HASH_POOL_STAMP_OFF 24
_Static_assert(offsetof(struct helem, free_next) == HASH_POOL_NEXT_OFF &&
		       offsetof(struct helem, freed) == HASH_POOL_STAMP_OFF,
	       "pool.h's words");

/*
 * A bucket is two words, the head of its chain and its lock, side by side
 * as in the kernel's struct bucket: a writer that locks a bucket and
 * changes its chain moves one cache line between cores, not two.  Eight
 * buckets to a line.
 */
#define HASH_BUCKET_WORDS 2u

static inline uint32_t *hash_bucket(const struct uxdp_map *m, uint32_t b)
{
	return &m->buckets[(size_t)b * HASH_BUCKET_WORDS];
}

static inline uint32_t *hash_bucket_lock(const struct uxdp_map *m, uint32_t b)
{
	return &m->buckets[(size_t)(b & m->bucket_mask) * HASH_BUCKET_WORDS + 1];
}

#define HASH_NULLS_BIT 0x80000000u
#define HASH_NULLS(b) (HASH_NULLS_BIT | (b))
/* Restarts of a lookup whose walk ended in another bucket's chain. */
#define HASH_MAX_RESTARTS 4

/*
 * The lookup path, inlined wherever it is used: the specialised lookups of
 * runtime/helpers/hash_lookup.c are compiled to bitcode each with its key
 * size a constant, and only inlined there do the hash and the compare
 * become straight-line loads at constant offsets (left to the compiler's
 * judgement, a lookup shared by ten sizes stays a loop, which uxdpc's
 * stack passes cannot see through).
 */
#ifdef __clang__ /* the bitcode; GCC builds only native code, where plain inline does */
#define HASH_ALWAYS_INLINE static inline __attribute__((always_inline))
#else
#define HASH_ALWAYS_INLINE static inline
#endif

static inline bool is_lru(uint32_t type)
{
	return type == BPF_MAP_TYPE_LRU_HASH || type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

static inline uint64_t rotl64(uint64_t v, int r)
{
	return (v << r) | (v >> (64 - r));
}

/* A multiply-rotate hash over 8-byte words, finished by a 64-bit avalanche. */
HASH_ALWAYS_INLINE uint32_t hash_key(const void *key, uint32_t len, uint32_t seed)
{
	const uint8_t *p = key;
	uint64_t h = seed ^ ((uint64_t)len * 0x9e3779b97f4a7c15ull), w;

	for (; len >= 8; p += 8, len -= 8) {
		memcpy(&w, p, 8);
		h = rotl64(h ^ (w * 0xff51afd7ed558ccdull), 29) * 0xc4ceb9fe1a85ec53ull;
	}
	if (len) {
		w = 0;
		memcpy(&w, p, len);
		h = rotl64(h ^ (w * 0xff51afd7ed558ccdull), 29) * 0xc4ceb9fe1a85ec53ull;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return (uint32_t)h ^ (uint32_t)(h >> 32);
}

static inline struct helem *elem(const struct uxdp_map *m, uint32_t link)
{
	return (struct helem *)(m->pool + (uint64_t)(link - 1) * m->elem_size);
}

static inline uint8_t *ekey(struct helem *e)
{
	return (uint8_t *)(e + 1);
}

static inline uint8_t *evalue_sized(struct helem *e, uint32_t key_size)
{
	return ekey(e) + uxdp_round_up(key_size, 8);
}

static inline uint8_t *evalue(const struct uxdp_map *m, struct helem *e)
{
	return evalue_sized(e, m->key_size);
}

/*
 * The value of CPU cpu of element link in a per-CPU map.  Each CPU's
 * values are an array of their own after the pool (the kernel's per-CPU
 * allocations), not side by side in the element: two workers counting in
 * one key's values would otherwise write one cache line on every packet.
 */
static inline uint8_t *pcpu_value(const struct uxdp_map *m, uint32_t link, unsigned int cpu)
{
	return m->pcpu_values + (uint64_t)cpu * m->pcpu_span + (uint64_t)(link - 1) * m->stride;
}

/*
 * Whether element l is in its bucket's chain: 1, 0, or -1 when a walk
 * could not tell (it ended in another chain every time: forced reuses).
 */
int uxdp_hash_chain_has(struct uxdp_map *m, uint32_t l);

/* Where the per-CPU value arrays start in a per-CPU hash segment, and each one's size. */
uint64_t uxdp_hash_pcpu_off(const struct uxdp_shm_hdr *h);
uint64_t uxdp_hash_pcpu_span(const struct uxdp_shm_hdr *h);

/* A link that names an element of the pool (not a nulls marker, not garbage). */
static inline bool link_ok(const struct uxdp_map *m, uint32_t link)
{
	return link - 1 < m->n_pool;
}

/*
 * memcmp(a, b, n) == 0 as XORed word loads, for n a constant.  Never a
 * memcmp call: that would stay until code generation, and the key it is
 * given would count as escaping, which keeps the program's key in memory
 * (SROA cannot make it registers) and has the hash reload, as one wide
 * word, bytes the program just stored in narrow pieces (a store-forwarding
 * stall).
 */
HASH_ALWAYS_INLINE bool key_equal_sized(const void *a, const void *b, uint32_t n)
{
	const uint8_t *x = a, *y = b;
	uint64_t a8 = 0, b8 = 0, diff = 0;
	uint32_t a4, b4, i = 0;

	if (n == 6) { /* a MAC address: widened, the top bytes zero in both */
		memcpy(&a8, a, 6);
		memcpy(&b8, b, 6);
		return a8 == b8;
	}
	for (; i + 8 <= n; i += 8) {
		memcpy(&a8, x + i, 8);
		memcpy(&b8, y + i, 8);
		diff |= a8 ^ b8;
	}
	for (; i + 4 <= n; i += 4) {
		memcpy(&a4, x + i, 4);
		memcpy(&b4, y + i, 4);
		diff |= a4 ^ b4;
	}
	for (; i < n; i++)
		diff |= (uint64_t)(x[i] ^ y[i]);
	return !diff;
}

/*
 * memcmp(a, b, n) == 0: the above when n is a constant (a specialised
 * lookup), and for the sizes keys usually have when it is not (the
 * runtime's own update and delete, the generic lookup).
 */
HASH_ALWAYS_INLINE bool key_equal(const void *a, const void *b, uint32_t n)
{
	if (__builtin_constant_p(n))
		return key_equal_sized(a, b, n);
	switch (n) {
	case 4:
		return key_equal_sized(a, b, 4);
	case 6:
		return key_equal_sized(a, b, 6);
	case 8:
		return key_equal_sized(a, b, 8);
	case 16:
		return key_equal_sized(a, b, 16);
	}
	return !memcmp(a, b, n);
}

/*
 * The link of the element holding key (hash is hash_key(key)), found
 * without a lock, or 0.  Used by program lookups, control-plane reads and,
 * under the chain's lock, by writers alike.
 */
HASH_ALWAYS_INLINE uint32_t hash_find_link(const struct uxdp_map *m, const void *key,
				      uint32_t key_size, uint32_t hash)
{
	uint32_t b = hash & m->bucket_mask, n = m->n_pool, restarts = 0;

	for (;;) {
		uint32_t l = __atomic_load_n(hash_bucket(m, b), __ATOMIC_ACQUIRE), steps = 0;

		while (!(l & HASH_NULLS_BIT)) {
			struct helem *e;

			if (l - 1 >= n || ++steps > n)
				return 0; /* a damaged chain: not found */
			e = elem(m, l);
			if (e->hash == hash && key_equal(ekey(e), key, key_size))
				return l;
			l = __atomic_load_n(&e->next, __ATOMIC_ACQUIRE);
		}
		if (__builtin_expect(l == HASH_NULLS(b), 1) || ++restarts > HASH_MAX_RESTARTS)
			return 0;
	}
}

/* The same, as the element, or NULL. */
HASH_ALWAYS_INLINE struct helem *hash_find(const struct uxdp_map *m, const void *key,
				      uint32_t key_size, uint32_t hash)
{
	uint32_t l = hash_find_link(m, key, key_size, hash);

	return l ? elem(m, l) : NULL;
}

/*
 * A program's lookup in a BPF_MAP_TYPE_HASH (not LRU, not per-CPU, not of
 * maps) whose key size is key_size: the value, or NULL.
 */
HASH_ALWAYS_INLINE void *hash_lookup_plain(const struct uxdp_map *m, const void *key,
				      uint32_t key_size)
{
	struct helem *e = hash_find(m, key, key_size, hash_key(key, key_size, m->hash_seed));

	return e ? evalue_sized(e, key_size) : NULL;
}

/*
 * A program's lookup in a BPF_MAP_TYPE_LRU_HASH (common or per-CPU lists
 * alike): the value, the element marked referenced as
 * htab_lru_map_lookup_elem() marks it, or NULL.  The mark is what lru.c's
 * eviction reads; a control-plane lookup leaves it alone.
 */
HASH_ALWAYS_INLINE void *hash_lookup_lru(const struct uxdp_map *m, const void *key,
				    uint32_t key_size)
{
	struct helem *e = hash_find(m, key, key_size, hash_key(key, key_size, m->hash_seed));

	if (!e)
		return NULL;
	uxdp_lru_node_set_ref(&e->lru);
	return evalue_sized(e, key_size);
}

/*
 * A program's lookup in a BPF_MAP_TYPE_PERCPU_HASH or
 * BPF_MAP_TYPE_LRU_PERCPU_HASH (lru says which): the value of CPU cpu, or
 * NULL.
 */
HASH_ALWAYS_INLINE void *hash_lookup_percpu(const struct uxdp_map *m, const void *key,
				       uint32_t key_size, unsigned int cpu, bool lru)
{
	uint32_t l = hash_find_link(m, key, key_size, hash_key(key, key_size, m->hash_seed));

	if (!l)
		return NULL;
	if (lru)
		uxdp_lru_node_set_ref(&elem(m, l)->lru);
	return pcpu_value(m, l, cpu);
}

#endif /* UXDP_MAPS_HASH_INTERNAL_H */
