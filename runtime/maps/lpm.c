// SPDX-License-Identifier: MIT
/*
 * lpm.c - BPF_MAP_TYPE_LPM_TRIE: longest-prefix match on
 * struct bpf_lpm_trie_key { u32 prefixlen; u8 data[]; } (data in network
 * order, most significant bit first).
 *
 * A path-compressed binary trie, like the kernel's: each node holds a prefix
 * (prefixlen bits of data) and two children chosen by the bit that follows
 * the prefix.  Nodes created only to fork two prefixes are "intermediate" and
 * carry no value.  Nodes come from a preallocated pool of 2 * max_entries
 * (there are fewer intermediate nodes than real ones); links are node index
 * + 1.  The kernel requires BPF_F_NO_PREALLOC for this type, and so do we,
 * although the pool is preallocated here.
 *
 * One map-wide spinlock guards everything, lookups included: the kernel uses
 * RCU for lock-free lookups, which has no cheap equivalent across processes.
 * A value pointer returned to a program stays valid until that prefix is
 * deleted.  get_next_key walks in post-order (children before their parent),
 * as the kernel does.
 */
#include <errno.h>
#include <string.h>

#include "map_internal.h"

#define LPM_DATA_MAX 256
#define LPM_IM 0x1 /* intermediate node: no value */

struct lnode {
	uint32_t child[2];
	uint32_t prefixlen;
	uint32_t flags;
	/* data (padded to 8), then the value */
};

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

	h->elem_size = (uint32_t)esize;
	h->n_elems = 2 * h->max_entries;
	return esize * h->n_elems;
}

static inline struct lnode *node(struct uxdp_map *m, uint32_t l)
{
	return (struct lnode *)((uint8_t *)m->data + (uint64_t)(l - 1) * m->hdr->elem_size);
}

static inline uint8_t *ndata(struct lnode *n)
{
	return (uint8_t *)(n + 1);
}

static inline uint8_t *nvalue(struct uxdp_map *m, struct lnode *n)
{
	return ndata(n) + uxdp_round_up(m->key_size - 4, 8);
}

static void lpm_init(struct uxdp_map *m)
{
	struct uxdp_shm_hdr *h = m->hdr;

	for (uint32_t i = 1; i <= h->n_elems; i++)
		node(m, i)->child[0] = i < h->n_elems ? i + 1 : 0;
	h->free_head = h->n_elems ? 1 : 0;
}

static uint32_t node_alloc(struct uxdp_map *m)
{
	uint32_t l = m->hdr->free_head;

	if (l) {
		m->hdr->free_head = node(m, l)->child[0];
		memset(node(m, l), 0, m->hdr->elem_size);
	}
	return l;
}

static void node_free(struct uxdp_map *m, uint32_t l)
{
	node(m, l)->child[0] = m->hdr->free_head;
	m->hdr->free_head = l;
}

static inline unsigned int bit_at(const uint8_t *data, uint32_t i)
{
	return (data[i / 8] >> (7 - i % 8)) & 1;
}

/* Length of the common prefix of (a, alen bits) and (b, blen bits). */
static uint32_t match_len(const uint8_t *a, uint32_t alen, const uint8_t *b, uint32_t blen)
{
	uint32_t limit = alen < blen ? alen : blen, n = 0;

	for (uint32_t i = 0; n < limit; i++) {
		unsigned int x = a[i] ^ b[i];

		if (x) {
			n += (uint32_t)__builtin_clz(x) - 24;
			break;
		}
		n += 8;
	}
	return n < limit ? n : limit;
}

static uint32_t max_prefixlen(const struct uxdp_map *m)
{
	return (m->key_size - 4) * 8;
}

/* The value of the longest prefix matching key (lock held), or NULL. */
static uint8_t *lpm_find(struct uxdp_map *m, const struct bpf_lpm_trie_key *key)
{
	uint32_t maxlen = max_prefixlen(m), plen = key->prefixlen < maxlen ? key->prefixlen
									       : maxlen;
	struct lnode *found = NULL;

	for (uint32_t l = m->hdr->root; l;) {
		struct lnode *n = node(m, l);
		uint32_t ml = match_len(ndata(n), n->prefixlen, key->data, plen);

		if (ml < n->prefixlen)
			break;
		if (!(n->flags & LPM_IM))
			found = n;
		if (ml == maxlen)
			break;
		l = n->child[bit_at(key->data, n->prefixlen)];
	}
	return found ? nvalue(m, found) : NULL;
}

static void *lpm_lookup(struct uxdp_map *m, const void *key, int cpu)
{
	uint8_t *v;

	uxdp_lock(&m->hdr->lock);
	v = lpm_find(m, key);
	uxdp_unlock(&m->hdr->lock);
	return v;
}

static int lpm_lookup_copy(struct uxdp_map *m, const void *key, void *value)
{
	uint8_t *v;

	uxdp_lock(&m->hdr->lock);
	v = lpm_find(m, key);
	if (v)
		uxdp_copy_value_out(m, value, v);
	uxdp_unlock(&m->hdr->lock);
	return v ? 0 : -ENOENT;
}

static int lpm_update(struct uxdp_map *m, const void *key_, const void *value, uint64_t flags,
		      int cpu)
{
	const struct bpf_lpm_trie_key *key = key_;
	struct uxdp_shm_hdr *h = m->hdr;
	uint32_t dlen = m->key_size - 4, maxlen = max_prefixlen(m);
	uint32_t *slot = &h->root, l, ml = 0, nl, im;
	struct lnode *n = NULL, *nn;
	int err = 0;

	if (flags > BPF_EXIST || key->prefixlen > maxlen)
		return -EINVAL;
	uxdp_lock(&h->lock);
	while ((l = *slot)) {
		n = node(m, l);
		ml = match_len(ndata(n), n->prefixlen, key->data, key->prefixlen);
		if (n->prefixlen != ml || n->prefixlen == key->prefixlen || n->prefixlen == maxlen)
			break;
		slot = &n->child[bit_at(key->data, n->prefixlen)];
	}
	if (l && n->prefixlen == key->prefixlen && ml == key->prefixlen) {
		/* The prefix has a node already: set its value. */
		bool exists = !(n->flags & LPM_IM);

		if (flags == BPF_NOEXIST && exists) {
			err = -EEXIST;
		} else if (flags == BPF_EXIST && !exists) {
			err = -ENOENT;
		} else if (!exists && h->count >= m->max_entries) {
			err = -ENOSPC;
		} else {
			if (!exists)
				memset(nvalue(m, n), 0, m->stride);
			/* The kernel puts a new node in place, holding the
			 * new key's bytes; get_next_key returns them (bits past
			 * the prefix included, and an intermediate node's
			 * bytes came from another key). */
			memcpy(ndata(n), key->data, dlen);
			uxdp_copy_value(m, nvalue(m, n), value);
			if (!exists)
				h->count++;
			n->flags &= ~LPM_IM;
		}
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
	nl = node_alloc(m);
	if (!nl) {
		err = -ENOMEM;
		goto out;
	}
	nn = node(m, nl);
	nn->prefixlen = key->prefixlen;
	memcpy(ndata(nn), key->data, dlen);
	uxdp_copy_value(m, nvalue(m, nn), value);
	h->count++;
	if (!l) {
		*slot = nl;
	} else if (ml == key->prefixlen) {
		/* The new prefix contains the node's: it becomes its parent. */
		nn->child[bit_at(ndata(n), ml)] = l;
		*slot = nl;
	} else {
		/* They diverge at bit ml: fork them under an intermediate node. */
		im = node_alloc(m);
		if (!im) {
			node_free(m, nl);
			h->count--;
			err = -ENOMEM;
			goto out;
		}
		node(m, im)->prefixlen = ml;
		node(m, im)->flags = LPM_IM;
		memcpy(ndata(node(m, im)), key->data, dlen);
		node(m, im)->child[bit_at(key->data, ml)] = nl;
		node(m, im)->child[!bit_at(key->data, ml)] = l;
		*slot = im;
	}
out:
	uxdp_unlock(&h->lock);
	return err;
}

static int lpm_delete(struct uxdp_map *m, const void *key_)
{
	const struct bpf_lpm_trie_key *key = key_;
	struct uxdp_shm_hdr *h = m->hdr;
	uint32_t *slot = &h->root, *pslot = NULL, l, pl = 0, ml = 0;
	struct lnode *n = NULL;
	int err = 0;

	if (key->prefixlen > max_prefixlen(m))
		return -EINVAL;
	uxdp_lock(&h->lock);
	while ((l = *slot)) {
		n = node(m, l);
		ml = match_len(ndata(n), n->prefixlen, key->data, key->prefixlen);
		if (n->prefixlen != ml || n->prefixlen == key->prefixlen)
			break;
		pslot = slot;
		pl = l;
		slot = &n->child[bit_at(key->data, n->prefixlen)];
	}
	if (!l || n->prefixlen != key->prefixlen || ml != key->prefixlen || (n->flags & LPM_IM)) {
		err = -ENOENT;
		goto out;
	}
	h->count--;
	if (n->child[0] && n->child[1]) {
		n->flags |= LPM_IM; /* still needed to fork its children */
		goto out;
	}
	if (pl && (node(m, pl)->flags & LPM_IM) && !n->child[0] && !n->child[1]) {
		/* The parent only forked this node and a sibling: the sibling takes its place. */
		struct lnode *p = node(m, pl);

		*pslot = p->child[0] == l ? p->child[1] : p->child[0];
		node_free(m, pl);
		node_free(m, l);
		goto out;
	}
	*slot = n->child[0] ? n->child[0] : n->child[1];
	node_free(m, l);
out:
	uxdp_unlock(&h->lock);
	return err;
}

struct walk {
	struct uxdp_map *m;
	const struct bpf_lpm_trie_key *key; /* NULL: want the first */
	bool seen;        /* passed key: the next real node is the answer */
	uint32_t first;   /* first real node in post-order */
	uint32_t answer;
};

static bool same_prefix(struct uxdp_map *m, struct lnode *n, const struct bpf_lpm_trie_key *k)
{
	return n->prefixlen == k->prefixlen &&
	       match_len(ndata(n), n->prefixlen, k->data, k->prefixlen) == k->prefixlen;
}

/* Post-order walk; stops once an answer is known. */
static void walk(struct walk *w, uint32_t l)
{
	struct lnode *n;

	if (!l || w->answer)
		return;
	n = node(w->m, l);
	walk(w, n->child[0]);
	walk(w, n->child[1]);
	if (w->answer || (n->flags & LPM_IM))
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
	struct bpf_lpm_trie_key *next = next_;
	struct walk w = { .m = m, .key = key };
	uint32_t res;

	uxdp_lock(&m->hdr->lock);
	walk(&w, m->hdr->root);
	/* NULL or absent key: the first; after the last: -ENOENT */
	res = (!key || (!w.seen && !w.answer)) ? w.first : w.answer;
	if (res) {
		next->prefixlen = node(m, res)->prefixlen;
		memcpy(next->data, ndata(node(m, res)), m->key_size - 4);
	}
	uxdp_unlock(&m->hdr->lock);
	return res ? 0 : -ENOENT;
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
};
