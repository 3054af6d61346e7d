// SPDX-License-Identifier: MIT
/*
 * maps_kv.c - compare a map of plain data (array, per-CPU array, hash,
 * per-CPU hash, LRU hashes, LPM trie) in full, fast enough for maps of
 * millions of entries.
 *
 * Reading.  Arrays are read in place: uxdp's through uxdp_map_array_data()
 * (the layout map.h documents), the kernel's through an mmap when the array
 * is mmapable (kernel.c makes large ones so).  Other kernel maps are read by
 * BPF_MAP_LOOKUP_BATCH, hundreds of entries a syscall, falling back to
 * get_next_key and a lookup per key where the map has no batch operation
 * (LPM trie); other uxdp maps by get_next_key and copying lookups.
 *
 * Matching.  An array has every index on both sides, so the values are
 * compared index by index.  For the others the kernel's entries are indexed
 * by key (open addressing), each uxdp entry is looked up there, and kernel
 * entries no uxdp key reached are the kernel's own.  Of all the keys that
 * differ, the smallest (memcmp order) is reported, so the report does not
 * depend on either side's iteration order.
 */
#include <errno.h>
#include <linux/bpf.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <uxdp/map.h>
#include <uxdp/object_format.h>

#include "difftest.h"
#include "maps.h"

#ifndef ENOTSUPP
#define ENOTSUPP 524
#endif

/* One side's entries, key and value side by side. */
struct kv_set {
	uint8_t *keys, *vals;
	size_t n, cap, ks, vs;
};

static void kv_free(struct kv_set *s)
{
	free(s->keys);
	free(s->vals);
	memset(s, 0, sizeof(*s));
}

static int kv_reserve(struct kv_set *s, size_t more)
{
	size_t cap = s->cap ? s->cap : 64;
	uint8_t *k, *v;

	if (s->n + more <= s->cap)
		return 0;
	while (cap < s->n + more)
		cap *= 2;
	k = realloc(s->keys, cap * s->ks);
	if (!k)
		return -ENOMEM;
	s->keys = k;
	v = realloc(s->vals, cap * s->vs);
	if (!v)
		return -ENOMEM;
	s->vals = v;
	s->cap = cap;
	return 0;
}

/* Most entries a walk may find before it is taken for one that never ends. */
static size_t walk_limit(const struct dmap *m)
{
	return (size_t)m->max_entries * 2 + 1024;
}

/* get_next_key and a copying lookup per key; for uxdp, and kernel maps without batches. */
static int read_by_keys(const struct dmap *m, bool kernel, struct kv_set *s)
{
	/* The previous key, apart: kv_reserve may move the keys. */
	uint8_t prev[520];
	bool have_prev = false;
	int ret;

	if (s->ks > sizeof(prev))
		return -E2BIG;
	for (;;) {
		uint8_t *key, *val;

		if (s->n >= walk_limit(m))
			return -E2BIG;
		ret = kv_reserve(s, 1);
		if (ret)
			return ret;
		key = s->keys + s->n * s->ks;
		val = s->vals + s->n * s->vs;
		ret = kernel ? bpf_map_get_next_key(m->kfd, have_prev ? prev : NULL, key) :
			       uxdp_map_get_next_key(m->umap, have_prev ? prev : NULL, key);
		if (ret == -ENOENT)
			return 0;
		if (ret)
			return ret;
		memcpy(prev, key, s->ks);
		have_prev = true;
		ret = kernel ? bpf_map_lookup_elem(m->kfd, key, val) :
			       uxdp_map_lookup_elem_copy(m->umap, key, val);
		if (ret == -ENOENT)
			continue; /* gone between the two calls: nothing changes them here */
		if (ret)
			return ret;
		s->n++;
	}
}

/* BPF_MAP_LOOKUP_BATCH until the end; -EOPNOTSUPP when the map has no batches. */
static int read_kernel_batches(const struct dmap *m, struct kv_set *s)
{
	uint8_t token_in[520], token_out[520]; /* a key (arrays) or a bucket index (hashes) */
	uint32_t chunk = 1024;
	bool first = true;
	int ret;

	for (;;) {
		LIBBPF_OPTS(bpf_map_batch_opts, opts);
		uint32_t count = chunk;

		if (s->n >= walk_limit(m))
			return -E2BIG;
		ret = kv_reserve(s, chunk);
		if (ret)
			return ret;
		ret = bpf_map_lookup_batch(m->kfd, first ? NULL : token_in, token_out,
					   s->keys + s->n * s->ks, s->vals + s->n * s->vs, &count,
					   &opts);
		if (ret && errno == ENOSPC && chunk < (1u << 20)) {
			chunk *= 2; /* one hash bucket holds more entries than a chunk */
			continue;
		}
		if (ret && errno != ENOENT) {
			ret = -errno;
			return ret == -EINVAL || ret == -ENOTSUPP ? -EOPNOTSUPP : ret;
		}
		s->n += count;
		if (ret)
			return 0; /* ENOENT: that was the last batch */
		memcpy(token_in, token_out, sizeof(token_in));
		first = false;
	}
}

static int read_side(const struct dmap *m, bool kernel, struct kv_set *s)
{
	int ret;

	s->ks = m->key_size;
	s->vs = m->vbytes;
	if (!kernel)
		return read_by_keys(m, false, s);
	ret = read_kernel_batches(m, s);
	if (ret != -EOPNOTSUPP)
		return ret;
	s->n = 0;
	return read_by_keys(m, true, s);
}

/* ---- arrays: index by index ---- */

/* The kernel's value of index i: in place, or from the batch read (keys are indices). */
static const uint8_t *kernel_array_value(const struct dmap *m, const struct kv_set *k,
					 const uint32_t *pos, uint32_t i)
{
	size_t stride = (m->value_size + 7) & ~(size_t)7;

	if (m->kmem)
		return m->kmem + (size_t)i * stride;
	return pos[i] == UINT32_MAX ? NULL : k->vals + (size_t)pos[i] * k->vs;
}

/*
 * uxdp's value of index i as the control plane shapes it: a per-CPU array
 * keeps each CPU's values apart (map.h), so they are gathered into buf
 * (m->vbytes), side by side like the kernel's.
 */
static const uint8_t *uxdp_array_value(const struct dmap *m, const uint8_t *udata, uint32_t i,
				       uint8_t *buf)
{
	size_t stride = (m->value_size + 7) & ~(size_t)7;
	uint64_t span = UXDP_PERCPU_ARRAY_SPAN(m->max_entries, stride);

	if (!m->percpu)
		return udata + (size_t)i * stride;
	for (unsigned int c = 0; c < m->ncpus; c++)
		memcpy(buf + c * stride, udata + c * span + (size_t)i * stride, stride);
	return buf;
}

static int compare_array(const struct dt_ctx *dt, struct dmap *m)
{
	size_t stride = (m->value_size + 7) & ~(size_t)7;
	const uint8_t *udata = uxdp_map_array_data(m->umap);
	struct kv_set k = { 0 };
	uint32_t *pos = NULL, i;
	uint8_t *ubuf = NULL;
	int ret = 0;

	if (!udata)
		return dt_error(dt, "map %s: uxdp gives no array data", m->name);
	/* Both sides in place with one layout: most calls end at this memcmp. */
	if (m->kmem && !memcmp(m->kmem, udata, (size_t)m->max_entries * stride))
		return 0;
	ubuf = malloc(m->vbytes);
	if (!ubuf)
		return dt_error(dt, "out of memory");
	if (!m->kmem) {
		ret = read_side(m, true, &k);
		if (ret) {
			ret = dt_error(dt, "map %s: reading the kernel's array: %s", m->name,
				       strerror(-ret));
			goto out;
		}
		pos = malloc(((size_t)m->max_entries + 1) * sizeof(*pos));
		if (!pos) {
			ret = dt_error(dt, "out of memory");
			goto out;
		}
		memset(pos, 0xff, ((size_t)m->max_entries + 1) * sizeof(*pos));
		for (size_t j = 0; j < k.n; j++) {
			uint32_t idx;

			memcpy(&idx, k.keys + j * k.ks, sizeof(idx));
			if (idx < m->max_entries)
				pos[idx] = (uint32_t)j;
		}
	}
	for (i = 0; i < m->max_entries; i++) {
		const uint8_t *uv = uxdp_array_value(m, udata, i, ubuf);
		const uint8_t *kv = kernel_array_value(m, &k, pos, i);

		if (!kv) {
			dt_diff_header(dt, "map key only in uxdp");
			dmap_key_line(stdout, m, (const uint8_t *)&i);
			ret = DT_EXIT_DIFF;
			break;
		}
		if (!dmap_same_value(dt, m, kv, uv)) {
			ret = dmap_report_value(dt, m, (const uint8_t *)&i, kv, uv);
			break;
		}
	}
out:
	free(ubuf);
	free(pos);
	kv_free(&k);
	return ret;
}

/* ---- everything else: by key ---- */

static uint64_t key_hash(const uint8_t *k, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ k[i]) * 0x100000001b3ull;
	return h ^ (h >> 29);
}

/* Open addressing over the kernel's keys: slot holds entry index + 1, 0 is empty. */
struct key_index {
	uint32_t *slot;
	size_t mask;
};

static int index_build(struct key_index *x, const struct kv_set *s)
{
	size_t size = 16, i;

	while (size < s->n * 2)
		size *= 2;
	x->slot = calloc(size, sizeof(*x->slot));
	if (!x->slot)
		return -ENOMEM;
	x->mask = size - 1;
	for (i = 0; i < s->n; i++) {
		size_t h = key_hash(s->keys + i * s->ks, s->ks) & x->mask;

		while (x->slot[h])
			h = (h + 1) & x->mask;
		x->slot[h] = (uint32_t)i + 1;
	}
	return 0;
}

/* The kernel entry with this key, or -1. */
static long index_find(const struct key_index *x, const struct kv_set *s, const uint8_t *key)
{
	size_t h = key_hash(key, s->ks) & x->mask;

	for (; x->slot[h]; h = (h + 1) & x->mask)
		if (!memcmp(s->keys + (size_t)(x->slot[h] - 1) * s->ks, key, s->ks))
			return (long)x->slot[h] - 1;
	return -1;
}

enum kv_diff { KV_SAME, KV_ONLY_KERNEL, KV_ONLY_UXDP, KV_VALUE };

struct first_diff {
	enum kv_diff kind;
	const uint8_t *key;
	long k, u; /* entries of each side, -1 if none */
};

static void consider(struct first_diff *f, size_t ks, enum kv_diff kind, const uint8_t *key,
		     long k, long u)
{
	if (f->kind != KV_SAME && memcmp(key, f->key, ks) >= 0)
		return;
	f->kind = kind;
	f->key = key;
	f->k = k;
	f->u = u;
}

static int report(const struct dt_ctx *dt, struct dmap *m, const struct first_diff *f,
		  const struct kv_set *k, const struct kv_set *u)
{
	if (f->kind == KV_VALUE)
		return dmap_report_value(dt, m, f->key, k->vals + (size_t)f->k * k->vs,
					 u->vals + (size_t)f->u * u->vs);
	dt_diff_header(dt, f->kind == KV_ONLY_KERNEL ? "map key only in the kernel" :
						       "map key only in uxdp");
	dmap_key_line(stdout, m, f->key);
	printf("  keys: kernel %zu, uxdp %zu\n", k->n, u->n);
	return DT_EXIT_DIFF;
}

static int compare_by_key(const struct dt_ctx *dt, struct dmap *m)
{
	struct kv_set k = { 0 }, u = { 0 };
	struct key_index x = { 0 };
	struct first_diff f = { .kind = KV_SAME };
	uint8_t *seen = NULL;
	size_t i;
	int ret;

	ret = read_side(m, true, &k);
	if (ret) {
		ret = dt_error(dt, "map %s: reading the kernel's entries: %s", m->name,
			       strerror(-ret));
		goto out;
	}
	ret = read_side(m, false, &u);
	if (ret) {
		ret = dt_error(dt, "map %s: reading uxdp's entries: %s", m->name, strerror(-ret));
		goto out;
	}
	seen = calloc(k.n + 1, 1);
	ret = seen ? index_build(&x, &k) : -ENOMEM;
	if (ret) {
		ret = dt_error(dt, "out of memory");
		goto out;
	}
	for (i = 0; i < u.n; i++) {
		const uint8_t *key = u.keys + i * u.ks;
		long j = index_find(&x, &k, key);

		if (j < 0) {
			consider(&f, k.ks, KV_ONLY_UXDP, key, -1, (long)i);
			continue;
		}
		seen[j] = 1;
		if (!dmap_same_value(dt, m, k.vals + (size_t)j * k.vs, u.vals + i * u.vs))
			consider(&f, k.ks, KV_VALUE, key, j, (long)i);
	}
	for (i = 0; i < k.n; i++)
		if (!seen[i])
			consider(&f, k.ks, KV_ONLY_KERNEL, k.keys + i * k.ks, (long)i, -1);
	ret = f.kind == KV_SAME ? 0 : report(dt, m, &f, &k, &u);
out:
	free(x.slot);
	free(seen);
	kv_free(&k);
	kv_free(&u);
	return ret;
}

/* ---- a large array: what uxdp wrote during the packet ---- */

/* Element i of an array: the uxdp value against the kernel's, 0 if the same. */
static int compare_element(const struct dt_ctx *dt, struct dmap *m, const uint8_t *udata,
			   uint32_t i, uint8_t *kbuf, uint8_t *ubuf)
{
	size_t stride = (m->value_size + 7) & ~(size_t)7;
	const uint8_t *uv = uxdp_array_value(m, udata, i, ubuf);
	const uint8_t *kv = kbuf;
	int ret;

	if (m->kmem) {
		kv = m->kmem + (size_t)i * stride;
	} else {
		ret = bpf_map_lookup_elem(m->kfd, &i, kbuf);
		if (ret)
			return dt_error(dt, "map %s: kernel lookup of index %u: %s", m->name, i,
					strerror(-ret));
	}
	if (dmap_same_value(dt, m, kv, uv))
		return 0;
	return dmap_report_value(dt, m, (const uint8_t *)&i, kv, uv);
}

/* The indexes of the written range [lo, hi) in the values at base, compared. */
static int compare_range(const struct dt_ctx *dt, struct dmap *m, uintptr_t base, uintptr_t lo,
			 uintptr_t hi, uint8_t *kbuf, uint8_t *ubuf)
{
	size_t stride = (m->value_size + 7) & ~(size_t)7;
	uintptr_t top = base + (size_t)m->max_entries * stride;
	const uint8_t *udata = uxdp_map_array_data(m->umap);
	uint32_t i, last;
	int ret = 0;

	lo = lo > base ? lo : base;
	hi = hi < top ? hi : top;
	if (lo >= hi)
		return 0;
	last = (uint32_t)((hi - base + stride - 1) / stride);
	for (i = (uint32_t)((lo - base) / stride); i < last && !ret; i++) {
		ret = compare_element(dt, m, udata, i, kbuf, ubuf);
		m->written_checked++;
	}
	return ret;
}

int dmap_compare_written(const struct dt_ctx *dt, struct dmap *m)
{
	size_t stride = (m->value_size + 7) & ~(size_t)7;
	/* A per-CPU array: one array of values per CPU (map.h). */
	uint64_t span = UXDP_PERCPU_ARRAY_SPAN(m->max_entries, stride);
	unsigned int arrays = m->percpu ? m->ncpus : 1, c;
	uintptr_t base = (uintptr_t)uxdp_map_array_data(m->umap);
	struct dt_page_range v[256];
	uint8_t *kbuf = malloc(m->vbytes), *ubuf = malloc(m->vbytes);
	uint64_t from = 0;
	long n, j;
	int ret = 0;

	if (!kbuf || !ubuf) {
		free(kbuf);
		free(ubuf);
		return dt_error(dt, "out of memory");
	}
	do {
		n = dt_dirty_scan(&m->dirty, v, sizeof(v) / sizeof(v[0]), &from);
		if (n < 0) {
			ret = dt_error(dt, "map %s: scanning written pages: %s", m->name,
				       strerror((int)-n));
			break;
		}
		for (j = 0; j < n && !ret; j++)
			for (c = 0; c < arrays && !ret; c++)
				ret = compare_range(dt, m, base + c * span, v[j].start, v[j].end,
						    kbuf, ubuf);
	} while (!ret && n == (long)(sizeof(v) / sizeof(v[0])));
	free(kbuf);
	free(ubuf);
	return ret;
}

int dmap_compare_data(const struct dt_ctx *dt, struct dmap *m)
{
	if (m->type == BPF_MAP_TYPE_ARRAY || m->type == BPF_MAP_TYPE_PERCPU_ARRAY)
		return compare_array(dt, m);
	return compare_by_key(dt, m);
}
