/* SPDX-License-Identifier: MIT */
/*
 * hash_internal.h - the shared-memory layout and lock protocol of hash maps
 * (hash.c describes both), for the two places that walk them: hash.c, and
 * runtime/helpers/hash_lookup.c, whose lookups are specialised for a key
 * size and inlined into programs by uxdpc.  One definition, so that an
 * inlined lookup hashes, locks and compares exactly as hash.c does.
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
	uint32_t next;     /* bucket chain or free list, index + 1 */
	uint32_t hash;
	struct uxdp_lru_node lru; /* LRU maps only (lru.c) */
	/* key, padded to 8, then the value(s) */
};

_Static_assert(sizeof(struct helem) % 8 == 0, "element header keeps keys aligned");
_Static_assert(offsetof(struct helem, lru) == UXDP_LRU_NODE_OFF, "lru.c finds the node");

struct bucket {
	uint32_t lock;
	uint32_t head;
};

_Static_assert(sizeof(struct bucket) == 8, "lru.c places its area after the buckets");

static inline bool is_lru(uint32_t type)
{
	return type == BPF_MAP_TYPE_LRU_HASH || type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

static inline uint64_t rotl64(uint64_t v, int r)
{
	return (v << r) | (v >> (64 - r));
}

/* A multiply-rotate hash over 8-byte words, finished by a 64-bit avalanche. */
static inline uint32_t hash_key(const void *key, uint32_t len, uint32_t seed)
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

static inline struct helem *elem_at(void *pool, uint32_t elem_size, uint32_t link)
{
	return (struct helem *)((uint8_t *)pool + (uint64_t)(link - 1) * elem_size);
}

static inline struct helem *elem(struct uxdp_map *m, uint32_t link)
{
	return elem_at(m->data, m->hdr->elem_size, link);
}

static inline uint8_t *ekey(struct helem *e)
{
	return (uint8_t *)(e + 1);
}

static inline uint8_t *evalue_sized(struct helem *e, uint32_t key_size)
{
	return ekey(e) + uxdp_round_up(key_size, 8);
}

static inline uint8_t *evalue(struct uxdp_map *m, struct helem *e)
{
	return evalue_sized(e, m->key_size);
}

static inline struct bucket *bucket(struct uxdp_map *m, uint32_t hash)
{
	return (struct bucket *)uxdp_off(m, m->hdr->aux_off) + (hash & (m->hdr->n_buckets - 1));
}

static inline uint32_t *bucket_lock(struct uxdp_map *m, struct bucket *b)
{
	return is_lru(m->type) ? &m->hdr->lock : &b->lock;
}

/*
 * memcmp(a, b, n) == 0; the sizes keys usually have as a single compare
 * when n is a constant (a specialised lookup), where memcmp would stay a
 * call until code generation and keep the key in memory.
 */
static inline bool key_equal(const void *a, const void *b, uint32_t n)
{
	uint32_t a4, b4;
	uint64_t a8, b8;
	unsigned __int128 a16, b16;

	switch (n) {
	case 4:
		memcpy(&a4, a, 4);
		memcpy(&b4, b, 4);
		return a4 == b4;
	case 8:
		memcpy(&a8, a, 8);
		memcpy(&b8, b, 8);
		return a8 == b8;
	case 16:
		memcpy(&a16, a, 16);
		memcpy(&b16, b, 16);
		return a16 == b16;
	}
	return !memcmp(a, b, n);
}

/* Find key in b (locked); *link_out points at the link that names it. */
static inline uint32_t find_sized(struct uxdp_map *m, struct bucket *b, const void *key,
				  uint32_t key_size, uint32_t hash, uint32_t **link_out)
{
	uint32_t *link = &b->head;

	while (*link) {
		struct helem *e = elem(m, *link);

		if (e->hash == hash && key_equal(ekey(e), key, key_size)) {
			if (link_out)
				*link_out = link;
			return *link;
		}
		link = &e->next;
	}
	return 0;
}

static inline uint32_t find(struct uxdp_map *m, struct bucket *b, const void *key,
			    uint32_t hash, uint32_t **link_out)
{
	return find_sized(m, b, key, m->key_size, hash, link_out);
}

/*
 * A program's lookup in a BPF_MAP_TYPE_HASH (not LRU, not per-CPU, not of
 * maps) whose key_size is key_size: under the key's bucket lock, the value
 * of the element that holds the key, or NULL.  The geometry, fixed at
 * creation, is read before the lock: the lock's acquire would otherwise make
 * the compiler read it again for the walk.
 */
static inline void *hash_lookup_plain(struct uxdp_map *m, const void *key, uint32_t key_size)
{
	const struct uxdp_shm_hdr *h = m->hdr;
	uint32_t elem_size = h->elem_size, hash = hash_key(key, key_size, h->hash_seed), l;
	struct bucket *b = bucket(m, hash);
	void *pool = m->data;
	uint8_t *v = NULL;

	uxdp_lock(&b->lock);
	for (l = b->head; l; l = elem_at(pool, elem_size, l)->next) {
		struct helem *e = elem_at(pool, elem_size, l);

		if (e->hash == hash && key_equal(ekey(e), key, key_size)) {
			v = evalue_sized(e, key_size);
			break;
		}
	}
	uxdp_unlock(&b->lock);
	return v;
}

/*
 * A program's lookup in a BPF_MAP_TYPE_LRU_HASH (not per-CPU; common or
 * per-CPU lists alike, BPF_F_NO_COMMON_LRU only changes updates) whose
 * key_size is key_size: under the map-wide lock (bucket_lock()), the value
 * of the element that holds the key, marked referenced as
 * htab_lru_map_lookup_elem() marks it, or NULL.  The mark is what lru.c's
 * eviction reads, so it is set here as in every program lookup; a
 * control-plane lookup (hash_lookup_copy) leaves it alone.  Geometry before
 * the lock, as in hash_lookup_plain().
 */
static inline void *hash_lookup_lru(struct uxdp_map *m, const void *key, uint32_t key_size)
{
	struct uxdp_shm_hdr *h = m->hdr;
	uint32_t elem_size = h->elem_size, hash = hash_key(key, key_size, h->hash_seed), l;
	struct bucket *b = bucket(m, hash);
	void *pool = m->data;
	uint8_t *v = NULL;

	uxdp_lock(&h->lock);
	for (l = b->head; l; l = elem_at(pool, elem_size, l)->next) {
		struct helem *e = elem_at(pool, elem_size, l);

		if (e->hash == hash && key_equal(ekey(e), key, key_size)) {
			/* on the element in hand: finding its node from the map again
			 * would re-read the geometry after the lock's acquire */
			uxdp_lru_node_set_ref(&e->lru);
			v = evalue_sized(e, key_size);
			break;
		}
	}
	uxdp_unlock(&h->lock);
	return v;
}

#endif /* UXDP_MAPS_HASH_INTERNAL_H */
