/* SPDX-License-Identifier: MIT */
/*
 * lpm_internal.h - the node layout of LPM tries and their lock-free lookup
 * (lpm.c describes the design), shared by lpm.c and the lookups uxdpc
 * inlines (runtime/helpers/lpm_lookup.c), specialised for the key size.
 *
 * Nodes are never changed in a way a reader could see half done: an update
 * writes a new node and publishes it with one release store of the link
 * that names it; the old node is reused only when every reader has passed
 * (pool.h).  A lookup follows child links with acquire loads, bounded by
 * the pool (a bad link ends it) and by the key's length (a trie path never
 * repeats a prefix length).
 *
 * A link carries the prefix length of the node it names beside its index
 * (a node's prefix length never changes: a replacement is a new node), so
 * a walk knows which child of a node to follow before that node's fields
 * arrive from memory: the walk's chain of dependent loads is one load per
 * level, not two, and the prefix compare runs beside it.
 */
#ifndef UXDP_MAPS_LPM_INTERNAL_H
#define UXDP_MAPS_LPM_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "map_internal.h"

#define LPM_DATA_MAX 256
#define LPM_IM 0x1 /* intermediate node: no value */

/* A link: the node's index + 1 in the low word, its prefix length in the high one. */
typedef uint64_t lpm_link;

static inline uint32_t lpm_link_node(lpm_link e)
{
	return (uint32_t)e;
}

static inline uint32_t lpm_link_plen(lpm_link e)
{
	return (uint32_t)(e >> 32);
}

static inline lpm_link lpm_mklink(uint32_t l, uint32_t plen)
{
	return l ? (uint64_t)plen << 32 | l : 0;
}

struct lnode {
	lpm_link child[2];
	uint32_t prefixlen;
	uint32_t flags;
	uint32_t free_next;  /* pool.h, while free */
	uint32_t _pad;
	uint64_t freed;      /* pool.h */
	/* data (padded to 8), then the value */
};

#define LPM_POOL_NEXT_OFF 24 /* pool.h's words: free_next and freed */
#define LPM_POOL_STAMP_OFF 32
_Static_assert(sizeof(struct lnode) == 40, "node header");
_Static_assert(offsetof(struct lnode, free_next) == LPM_POOL_NEXT_OFF &&
		       offsetof(struct lnode, freed) == LPM_POOL_STAMP_OFF,
	       "pool.h's words");

static inline struct lnode *lpm_node(const struct uxdp_map *m, uint32_t l)
{
	return (struct lnode *)(m->pool + (uint64_t)(l - 1) * m->elem_size);
}

static inline uint8_t *lpm_ndata(struct lnode *n)
{
	return (uint8_t *)(n + 1);
}

static inline uint8_t *lpm_nvalue_sized(struct lnode *n, uint32_t dlen)
{
	return lpm_ndata(n) + uxdp_round_up(dlen, 8);
}

static inline unsigned int lpm_bit_at(const uint8_t *data, uint32_t i)
{
	return (data[i / 8] >> (7 - i % 8)) & 1;
}

/*
 * Length of the common prefix of a and b, at most limit bits, for dlen
 * bytes of data: IPv4 and IPv6 keys as one or two big-endian word compares.
 */
static inline uint32_t lpm_match_len(const uint8_t *a, const uint8_t *b, uint32_t limit,
				     uint32_t dlen)
{
	uint32_t n = 0;

	if (dlen == 4) {
		uint32_t x, y;

		memcpy(&x, a, 4);
		memcpy(&y, b, 4);
		x = __builtin_bswap32(x ^ y);
		n = x ? (uint32_t)__builtin_clz(x) : 32;
	} else if (dlen == 16) {
		uint64_t x0, y0, x1, y1;

		memcpy(&x0, a, 8);
		memcpy(&y0, b, 8);
		memcpy(&x1, a + 8, 8);
		memcpy(&y1, b + 8, 8);
		x0 = __builtin_bswap64(x0 ^ y0);
		x1 = __builtin_bswap64(x1 ^ y1);
		n = x0 ? (uint32_t)__builtin_clzll(x0) : x1 ? 64 + (uint32_t)__builtin_clzll(x1) : 128;
	} else {
		for (uint32_t i = 0; i < dlen && n < limit; i++) {
			unsigned int x = a[i] ^ b[i];

			if (x) {
				n += (uint32_t)__builtin_clz(x) - 24;
				break;
			}
			n += 8;
		}
	}
	return n < limit ? n : limit;
}

/* The key's data as a host-order word (first byte most significant). */
static inline uint32_t lpm_word4(const uint8_t *p)
{
	uint32_t w;

	memcpy(&w, p, 4);
	return __builtin_bswap32(w);
}

/*
 * The IPv4 walk, for nodes whose size is a power of two: the key as one
 * host-order word, each node's prefix compare a xor and a count of leading
 * zeros, the next bit a shift, the next node's address a shift and an add.
 * Geometry in locals: the acquire loads would otherwise make the compiler
 * read it again at every node.
 */
static inline void *lpm_lookup4(const struct uxdp_map *m, const uint8_t *kdata, uint32_t plen)
{
	/* node l is at pool + (l - 1) * size: base + (l << shift) when size is 2^shift */
	const uint8_t *base = m->pool - m->elem_size;
	uint32_t shift = m->elem_shift, n = m->n_pool, k = lpm_word4(kdata);
	lpm_link e = __atomic_load_n(&m->hdr->lpm_root, __ATOMIC_ACQUIRE);
	struct lnode *found = NULL;

	for (uint32_t steps = 0; steps <= 32; steps++) {
		uint32_t l = lpm_link_node(e), np = lpm_link_plen(e), x, ml, lim;
		struct lnode *nd;

		if (l - 1 >= n || np > 32)
			break; /* no node (or a damaged link) */
		nd = (struct lnode *)(base + ((uint64_t)l << shift));
		x = lpm_word4(lpm_ndata(nd)) ^ k;
		ml = x ? (uint32_t)__builtin_clz(x) : 32;
		lim = np < plen ? np : plen;
		if (ml > lim)
			ml = lim;
		if (ml < np)
			break;
		if (!(__atomic_load_n(&nd->flags, __ATOMIC_RELAXED) & LPM_IM))
			found = nd;
		if (ml == 32)
			break;
		e = __atomic_load_n(&nd->child[(k >> (31 - np)) & 1], __ATOMIC_ACQUIRE);
	}
	return found ? lpm_nvalue_sized(found, 4) : NULL;
}

/*
 * The value of the longest prefix matching key (struct bpf_lpm_trie_key_u8
 * of key_size bytes), found without a lock, or NULL.
 */
static inline void *lpm_lookup_sized(const struct uxdp_map *m, const void *key,
				     uint32_t key_size)
{
	const uint8_t *kdata = (const uint8_t *)key + 4, *pool = m->pool;
	uint32_t dlen = key_size - 4, maxlen = dlen * 8, plen, l, es = m->elem_size, n = m->n_pool;
	struct lnode *found = NULL;

	lpm_link e;

	memcpy(&plen, key, 4);
	if (plen > maxlen)
		plen = maxlen;
	if (dlen == 4 && m->elem_shift) /* nodes of up to 256 bytes: lpm.c's layout */
		return lpm_lookup4(m, kdata, plen);
	e = __atomic_load_n(&m->hdr->lpm_root, __ATOMIC_ACQUIRE);
	for (uint32_t steps = 0; steps <= maxlen; steps++) {
		uint32_t np = lpm_link_plen(e), ml;
		struct lnode *nd;

		l = lpm_link_node(e);
		if (l - 1 >= n || np > maxlen)
			break; /* no node (or a damaged link) */
		nd = (struct lnode *)(pool + (uint64_t)(l - 1) * es);
		ml = lpm_match_len(lpm_ndata(nd), kdata, np < plen ? np : plen, dlen);
		if (ml < np)
			break;
		if (!(__atomic_load_n(&nd->flags, __ATOMIC_RELAXED) & LPM_IM))
			found = nd;
		if (ml == maxlen)
			break;
		e = __atomic_load_n(&nd->child[lpm_bit_at(kdata, np)], __ATOMIC_ACQUIRE);
	}
	return found ? lpm_nvalue_sized(found, dlen) : NULL;
}

#endif /* UXDP_MAPS_LPM_INTERNAL_H */
