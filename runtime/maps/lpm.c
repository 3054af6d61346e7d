// SPDX-License-Identifier: MIT
/*
 * lpm.c - BPF_MAP_TYPE_LPM_TRIE: longest-prefix match on
 * struct bpf_lpm_trie_key { u32 prefixlen; u8 data[]; } (data in network
 * order, most significant bit first).
 *
 * A path-compressed binary trie, like the kernel's: each node holds a prefix
 * (prefixlen bits of data) and two children chosen by the bit that follows
 * the prefix.  Nodes created only to fork two prefixes are "intermediate" and
 * carry no value.  Nodes come from a preallocated pool (pool.h) of
 * 2 * max_entries (there are fewer intermediate nodes than real ones) plus
 * spares; links are node index + 1.  The kernel requires BPF_F_NO_PREALLOC
 * for this type, and so do we, although the pool is preallocated here.
 *
 * Lookups take no lock (lpm_internal.h).  Writers take the map's writer
 * lock and change the trie as the kernel's RCU code does: an update builds a
 * new node (a new value for an existing prefix too, so a program holding
 * the old value keeps a whole one) and publishes it with one store of the
 * link to it; a removed node keeps its links for readers standing on it and
 * is reused only after every reader has passed.  The only in-place change
 * is the kernel's: deleting a prefix whose node forks two children marks it
 * intermediate.  A writer killed half way leaves the trie consistent (every
 * change is one store); repair() rebuilds the count and the free nodes from
 * what the root reaches.  get_next_key walks in post-order (children
 * before their parent), as the kernel does.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fault.h"
#include "lpm_internal.h"
#include "pool.h"

static int lpm_check(const struct uxdp_map_def *d)
{
	uint32_t allowed = BPF_F_NO_PREALLOC | BPF_F_NUMA_NODE | BPF_F_RDONLY | BPF_F_WRONLY |
			   BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG;

	if (d->key_size < 4 + 1 || d->key_size > 4 + LPM_DATA_MAX || d->value_size == 0 ||
	    d->value_size > (1u << 20))
		return -EINVAL;
	if (!(d->map_flags & BPF_F_NO_PREALLOC) || (d->map_flags & ~allowed))
		return -EINVAL;
	if (d->max_entries > (1u << 29))
		return -E2BIG;
	return 0;
}

static uint64_t lpm_layout(struct uxdp_shm_hdr *h)
{
	uint64_t esize = sizeof(struct lnode) + uxdp_round_up(h->key_size - 4, 8) + h->stride;

	/*
	 * A walk reads the header and the data of each node: one cache line;
	 * and a power of two, so that a link becomes an address with a shift,
	 * not a multiply, on the walk's chain of dependent loads.
	 */
	if (esize <= 256) {
		uint64_t p2 = 64;

		while (p2 < esize)
			p2 <<= 1;
		esize = p2;
	}
	if (esize > UINT32_MAX)
		return 0;
	h->elem_size = (uint32_t)esize;
	h->n_elems = 2 * h->max_entries;
	h->n_pool = h->n_elems + uxdp_pool_spare(h->n_elems, esize);
	return esize * h->n_pool;
}

static void lpm_init(struct uxdp_map *m)
{
	uxdp_pool_init(m, 1, m->n_pool);
}

static uint32_t dlen(const struct uxdp_map *m)
{
	return m->key_size - 4;
}

static uint32_t max_prefixlen(const struct uxdp_map *m)
{
	return dlen(m) * 8;
}

static uint8_t *nvalue(const struct uxdp_map *m, struct lnode *n)
{
	return lpm_nvalue_sized(n, dlen(m));
}

static bool link_ok(const struct uxdp_map *m, uint32_t l)
{
	return l - 1 < m->n_pool;
}

/* The node a link names, if it names one. */
static uint32_t node_of(const struct uxdp_map *m, lpm_link e)
{
	return link_ok(m, lpm_link_node(e)) ? lpm_link_node(e) : 0;
}

/* Publish node l (0: none) at slot, with its prefix length in the link. */
static void publish(struct uxdp_map *m, lpm_link *slot, uint32_t l)
{
	lpm_link e = l ? lpm_mklink(l, lpm_node(m, l)->prefixlen) : 0;

	__atomic_store_n(slot, e, __ATOMIC_RELEASE);
}

/* A fresh node for prefix (key data, plen bits), no children yet. */
static uint32_t node_new(struct uxdp_map *m, const uint8_t *data, uint32_t plen, uint32_t flags)
{
	uint32_t l = uxdp_pool_get(m, true);
	struct lnode *n;

	if (!l)
		return 0;
	n = lpm_node(m, l);
	n->child[0] = n->child[1] = 0;
	n->prefixlen = plen;
	n->flags = flags;
	memcpy(lpm_ndata(n), data, dlen(m));
	return l;
}

static void *lpm_lookup(struct uxdp_map *m, const void *key, int cpu)
{
	return lpm_lookup_sized(m, key, m->key_size);
}

static int lpm_lookup_copy(struct uxdp_map *m, const void *key, void *value)
{
	uint8_t *v;

	uxdp_map_renter(m);
	v = lpm_lookup_sized(m, key, m->key_size);
	if (v)
		uxdp_copy_value_out(m, value, v);
	uxdp_map_rexit(m);
	return v ? 0 : -ENOENT;
}

/* Where key's node is, or would go (writer lock held). */
struct lpm_pos {
	lpm_link *slot;      /* the link that names it */
	uint32_t l;          /* the node there, 0 if none */
	uint32_t ml;         /* common prefix of that node and key */
};

static struct lpm_pos lpm_seek(struct uxdp_map *m, const struct bpf_lpm_trie_key_u8 *key,
			       lpm_link **pslot, uint32_t *pl)
{
	uint32_t maxlen = max_prefixlen(m), steps = 0;
	struct lpm_pos p = { .slot = &m->hdr->lpm_root };

	if (pslot)
		*pslot = NULL, *pl = 0;
	while (node_of(m, *p.slot) && steps++ <= maxlen) {
		struct lnode *n = lpm_node(m, node_of(m, *p.slot));
		uint32_t np = n->prefixlen;

		p.l = node_of(m, *p.slot);
		p.ml = lpm_match_len(lpm_ndata(n), key->data,
				     np < key->prefixlen ? np : key->prefixlen, dlen(m));
		if (np != p.ml || np >= key->prefixlen || np >= maxlen)
			return p;
		if (pslot)
			*pslot = p.slot, *pl = p.l;
		p.slot = &n->child[lpm_bit_at(key->data, np)];
	}
	p.l = 0;
	return p;
}

/* The prefix has a node already: a new node with the new value takes its place. */
static int replace_node(struct uxdp_map *m, struct lpm_pos p, const uint8_t *data,
			const void *value, uint64_t flags)
{
	struct lnode *n = lpm_node(m, p.l), *nn;
	bool exists = !(n->flags & LPM_IM);
	uint32_t nl;

	if (flags == BPF_NOEXIST && exists)
		return -EEXIST;
	if (flags == BPF_EXIST && !exists)
		return -ENOENT;
	if (!exists && m->hdr->count >= m->max_entries)
		return -ENOSPC;
	/* The kernel's new node holds the new key's bytes; get_next_key returns
	 * them (bits past the prefix included). */
	nl = node_new(m, data, n->prefixlen, 0);
	if (!nl)
		return -ENOMEM;
	nn = lpm_node(m, nl);
	nn->child[0] = n->child[0];
	nn->child[1] = n->child[1];
	memset(nvalue(m, nn), 0, m->stride);
	uxdp_copy_value(m, nvalue(m, nn), value);
	UXDP_FAULT_POINT();
	publish(m, p.slot, nl);
	UXDP_FAULT_POINT();
	if (!exists)
		m->hdr->count++;
	uxdp_pool_put(m, p.l);
	return 0;
}

static int lpm_update(struct uxdp_map *m, const void *key_, const void *value, uint64_t flags,
		      int cpu)
{
	const struct bpf_lpm_trie_key_u8 *key = key_;
	struct uxdp_shm_hdr *h = m->hdr;
	uint32_t nl, im = 0;
	struct lpm_pos p;
	struct lnode *nn;
	int err;

	if (flags > BPF_EXIST || key->prefixlen > max_prefixlen(m))
		return -EINVAL;
	uxdp_pool_settle(m);
	err = uxdp_map_wlock(m);
	if (err)
		return err;
	p = lpm_seek(m, key, NULL, NULL);
	if (p.l && lpm_node(m, p.l)->prefixlen == key->prefixlen && p.ml == key->prefixlen) {
		err = replace_node(m, p, key->data, value, flags);
		goto out;
	}
	if (flags == BPF_EXIST) {
		err = -ENOENT;
		goto out;
	}
	if (h->count >= m->max_entries) {
		err = -ENOSPC; /* as the kernel's trie_update_elem */
		goto out;
	}
	nl = node_new(m, key->data, key->prefixlen, 0);
	if (!nl) {
		err = -ENOMEM;
		goto out;
	}
	nn = lpm_node(m, nl);
	memset(nvalue(m, nn), 0, m->stride);
	uxdp_copy_value(m, nvalue(m, nn), value);
	if (!p.l) {
		/* an empty place */
	} else if (p.ml == key->prefixlen) {
		/* The new prefix contains the node's: it becomes its parent. */
		nn->child[lpm_bit_at(lpm_ndata(lpm_node(m, p.l)), p.ml)] =
			lpm_mklink(p.l, lpm_node(m, p.l)->prefixlen);
	} else {
		/* They diverge at bit ml: fork them under an intermediate node. */
		im = node_new(m, key->data, p.ml, LPM_IM);
		if (!im) {
			uxdp_pool_put(m, nl);
			err = -ENOMEM;
			goto out;
		}
		lpm_node(m, im)->child[lpm_bit_at(key->data, p.ml)] =
			lpm_mklink(nl, key->prefixlen);
		lpm_node(m, im)->child[!lpm_bit_at(key->data, p.ml)] =
			lpm_mklink(p.l, lpm_node(m, p.l)->prefixlen);
	}
	UXDP_FAULT_POINT();
	publish(m, p.slot, im ? im : nl);
	UXDP_FAULT_POINT();
	h->count++;
out:
	uxdp_map_wunlock(m);
	return err;
}

static int lpm_delete(struct uxdp_map *m, const void *key_)
{
	const struct bpf_lpm_trie_key_u8 *key = key_;
	lpm_link *pslot;
	uint32_t pl, other, c0, c1;
	struct lpm_pos p;
	struct lnode *n;
	int err;

	if (key->prefixlen > max_prefixlen(m))
		return -EINVAL;
	err = uxdp_map_wlock(m);
	if (err)
		return err;
	p = lpm_seek(m, key, &pslot, &pl);
	n = p.l ? lpm_node(m, p.l) : NULL;
	if (!n || n->prefixlen != key->prefixlen || p.ml != key->prefixlen ||
	    (n->flags & LPM_IM)) {
		err = -ENOENT;
		goto out;
	}
	c0 = node_of(m, n->child[0]);
	c1 = node_of(m, n->child[1]);
	if (c0 && c1) {
		/* still needed to fork its children: in place, as the kernel */
		__atomic_store_n(&n->flags, n->flags | LPM_IM, __ATOMIC_RELEASE);
		UXDP_FAULT_POINT();
		m->hdr->count--;
		goto out;
	}
	if (pl && (lpm_node(m, pl)->flags & LPM_IM) && !c0 && !c1) {
		/* The parent only forked this node and a sibling: the sibling takes its place. */
		struct lnode *parent = lpm_node(m, pl);

		other = node_of(m, parent->child[0]) == p.l ? node_of(m, parent->child[1])
							    : node_of(m, parent->child[0]);
		publish(m, pslot, other);
		UXDP_FAULT_POINT();
		m->hdr->count--;
		uxdp_pool_put(m, pl);
		uxdp_pool_put(m, p.l);
		goto out;
	}
	publish(m, p.slot, c0 ? c0 : c1);
	UXDP_FAULT_POINT();
	m->hdr->count--;
	uxdp_pool_put(m, p.l);
out:
	uxdp_map_wunlock(m);
	return err;
}

/* ---- get_next_key ---- */

struct walk {
	struct uxdp_map *m;
	const struct bpf_lpm_trie_key_u8 *key; /* NULL: want the first */
	bool seen;        /* passed key: the next real node is the answer */
	uint32_t first;   /* first real node in post-order */
	uint32_t answer;
};

static bool same_prefix(struct uxdp_map *m, struct lnode *n, const struct bpf_lpm_trie_key_u8 *k)
{
	return n->prefixlen == k->prefixlen &&
	       lpm_match_len(lpm_ndata(n), k->data, k->prefixlen, dlen(m)) == k->prefixlen;
}

/* Post-order walk; stops once an answer is known.  depth bounds a damaged trie. */
static void walk(struct walk *w, lpm_link e, uint32_t depth)
{
	uint32_t l = node_of(w->m, e);
	struct lnode *n;

	if (!l || w->answer || depth > max_prefixlen(w->m) + 1)
		return;
	n = lpm_node(w->m, l);
	walk(w, __atomic_load_n(&n->child[0], __ATOMIC_ACQUIRE), depth + 1);
	walk(w, __atomic_load_n(&n->child[1], __ATOMIC_ACQUIRE), depth + 1);
	if (w->answer || (__atomic_load_n(&n->flags, __ATOMIC_ACQUIRE) & LPM_IM))
		return;
	if (!w->first)
		w->first = l;
	if (w->seen)
		w->answer = l;
	else if (w->key && same_prefix(w->m, n, w->key))
		w->seen = true;
}

static int lpm_get_next_key(struct uxdp_map *m, const void *key, void *next_)
{
	struct bpf_lpm_trie_key_u8 *next = next_;
	struct walk w = { .m = m, .key = key };
	uint32_t res;

	uxdp_map_renter(m);
	walk(&w, __atomic_load_n(&m->hdr->lpm_root, __ATOMIC_ACQUIRE), 0);
	/* NULL or absent key: the first; after the last: -ENOENT */
	res = (!key || (!w.seen && !w.answer)) ? w.first : w.answer;
	if (res) {
		next->prefixlen = lpm_node(m, res)->prefixlen;
		memcpy(next->data, lpm_ndata(lpm_node(m, res)), dlen(m));
	}
	uxdp_map_rexit(m);
	return res ? 0 : -ENOENT;
}

/* ---- repair ---- */

/*
 * Mark what *slot reaches; cut links that leave the pool or loop, and make
 * each link's prefix length its node's again.
 */
static uint32_t mark(struct uxdp_map *m, lpm_link *slot, uint8_t *seen, uint32_t depth)
{
	uint32_t l = lpm_link_node(*slot), real;
	struct lnode *n;

	if (!l)
		return 0;
	if (!link_ok(m, l) || uxdp_bit(seen, l - 1) || depth > max_prefixlen(m) + 1) {
		publish(m, slot, 0);
		return 0;
	}
	if (lpm_link_plen(*slot) != lpm_node(m, l)->prefixlen)
		publish(m, slot, l);
	uxdp_set_bit(seen, l - 1);
	n = lpm_node(m, l);
	real = !(n->flags & LPM_IM);
	return real + mark(m, &n->child[0], seen, depth + 1) + mark(m, &n->child[1], seen, depth + 1);
}

/*
 * After a writer died holding the lock: the trie the root reaches is the
 * truth (every change to it is one store); the count and the free nodes
 * are made again from it.
 */
static void lpm_repair(struct uxdp_map *m)
{
	uint8_t *seen = calloc(1, ((size_t)m->n_pool + 7) / 8);

	if (!seen)
		return;
	m->hdr->count = mark(m, &m->hdr->lpm_root, seen, 0);
	uxdp_pool_rebuild(m, seen);
	free(seen);
}

const struct uxdp_map_ops uxdp_lpm_ops = {
	.check = lpm_check,
	.layout = lpm_layout,
	.init = lpm_init,
	.lookup = lpm_lookup,
	.lookup_copy = lpm_lookup_copy,
	.update = lpm_update,
	.delete = lpm_delete,
	.get_next_key = lpm_get_next_key,
	.repair = lpm_repair,
};
