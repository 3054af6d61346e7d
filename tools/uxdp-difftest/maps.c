// SPDX-License-Identifier: MIT
/*
 * maps.c - compare every map of the kernel's object with its uxdp twin.
 *
 * Keys are collected from each side with get_next_key and sorted, so that
 * iteration order (which differs between the kernel's hash tables and
 * ours, and is not part of any contract) never counts as a difference;
 * then each key's value is read from both sides with a copying lookup.
 * Map kinds whose values are handles (program and map ids) compare by the
 * name the handle refers to, since ids are per-side.  Ring buffers and
 * queues cannot be iterated without consuming them: they are drained on
 * both sides and their record sequences compared (queues are pushed back).
 */
#include <errno.h>
#include <linux/bpf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <uxdp/map.h>
#include <uxdp/object_format.h>

#include "difftest.h"
#include "maps.h"

static size_t sort_key_size;

static int cmp_keys(const void *a, const void *b)
{
	return memcmp(a, b, sort_key_size);
}

/* get_next_key over one side; *keys is n * key_size bytes, sorted. */
static int collect_keys(struct dmap *m, bool kernel, uint8_t **keys, size_t *n)
{
	size_t cap = (size_t)m->max_entries + 1, ks = m->key_size;
	uint8_t *v = malloc(cap * ks + ks), *prev = NULL;
	int ret;

	*keys = v;
	*n = 0;
	if (!v)
		return -ENOMEM;
	for (;;) {
		uint8_t *next = v + *n * ks;

		if (*n == cap)
			return -E2BIG; /* more keys than entries: an iteration that never ends */
		ret = kernel ? bpf_map_get_next_key(m->kfd, prev, next) :
			       uxdp_map_get_next_key(m->umap, prev, next);
		if (ret == -ENOENT)
			break;
		if (ret)
			return ret;
		prev = next;
		(*n)++;
	}
	sort_key_size = ks;
	qsort(v, *n, ks, cmp_keys);
	return 0;
}

/*
 * Arrays of handles (prog_array, array_of_maps, devmap, cpumap): every index
 * is a key and an empty slot reads -ENOENT on both sides, whatever each
 * side's get_next_key lists.
 */
static int index_keys(struct dmap *m, uint8_t **keys, size_t *n)
{
	uint32_t i;

	*n = 0;
	*keys = malloc((size_t)m->max_entries * sizeof(uint32_t) + 1);
	if (!*keys)
		return -ENOMEM;
	for (i = 0; i < m->max_entries; i++)
		memcpy(*keys + i * sizeof(i), &i, sizeof(i));
	*n = m->max_entries;
	return 0;
}

static int lookup(struct dmap *m, bool kernel, const void *key, void *val)
{
	return kernel ? bpf_map_lookup_elem(m->kfd, key, val) :
			uxdp_map_lookup_elem_copy(m->umap, key, val);
}

void dmap_key_line(FILE *f, const struct dmap *m, const uint8_t *key)
{
	fprintf(f, "  map %s (%s), key ", m->name, dmap_type_name(m->type));
	dt_hexline(f, key, m->key_size);
	fputc('\n', f);
}

/* Name a handle value (program index/id, map id) for a prog_array or map-in-map. */
static void handle_name(const struct dt_ctx *dt, const struct dmap *m, bool kernel,
			const uint8_t *val, char *out, size_t out_size)
{
	uint32_t h;

	memcpy(&h, val, sizeof(h));
	if (m->cmp == CMP_PROG_ARRAY)
		dt_prog_name(dt, kernel, h, out, out_size);
	else
		dt_map_name(dt, kernel, h, out, out_size);
}

int dmap_report_value(const struct dt_ctx *dt, struct dmap *m, const uint8_t *key,
			const uint8_t *kv, const uint8_t *uv)
{
	FILE *f = stdout;
	size_t stride = (m->value_size + 7) & ~(size_t)7;
	unsigned int c;

	dt_diff_header(dt, "map value differs");
	dmap_key_line(f, m, key);
	if (m->cmp == CMP_PROG_ARRAY || m->cmp == CMP_MAP_IN_MAP) {
		char kn[DT_NAME_LEN + 32], un[DT_NAME_LEN + 32];

		handle_name(dt, m, true, kv, kn, sizeof(kn));
		handle_name(dt, m, false, uv, un, sizeof(un));
		fprintf(f, "  kernel: %s\n  uxdp:   %s\n", kn, un);
		return DT_EXIT_DIFF;
	}
	if (!m->percpu) {
		dt_hexdump(f, "kernel", kv, m->value_size, uv, m->value_size);
		dt_hexdump(f, "uxdp", uv, m->value_size, kv, m->value_size);
		return DT_EXIT_DIFF;
	}
	for (c = 0; c < m->ncpus; c++) {
		const uint8_t *a = kv + c * stride, *b = uv + c * stride;
		char label[48];

		if (!memcmp(a, b, m->value_size))
			continue;
		snprintf(label, sizeof(label), "kernel cpu %u", c);
		dt_hexdump(f, label, a, m->value_size, b, m->value_size);
		snprintf(label, sizeof(label), "uxdp cpu %u", c);
		dt_hexdump(f, label, b, m->value_size, a, m->value_size);
	}
	return DT_EXIT_DIFF;
}

/* Values equal?  Handles compare by what they name, the rest byte for byte. */
bool dmap_same_value(const struct dt_ctx *dt, const struct dmap *m, const uint8_t *kv,
		       const uint8_t *uv)
{
	size_t stride = (m->value_size + 7) & ~(size_t)7;
	unsigned int c;

	if (m->cmp == CMP_PROG_ARRAY || m->cmp == CMP_MAP_IN_MAP) {
		char kn[DT_NAME_LEN + 32], un[DT_NAME_LEN + 32];

		handle_name(dt, m, true, kv, kn, sizeof(kn));
		handle_name(dt, m, false, uv, un, sizeof(un));
		return !strcmp(kn, un);
	}
	if (!m->percpu)
		return !memcmp(kv, uv, m->value_size);
	/* Per-CPU: padding up to the 8-byte stride is not value. */
	for (c = 0; c < m->ncpus; c++)
		if (memcmp(kv + c * stride, uv + c * stride, m->value_size))
			return false;
	return true;
}

static int compare_kv(const struct dt_ctx *dt, struct dmap *m)
{
	uint8_t *kk = NULL, *uk = NULL, *kv = NULL, *uv = NULL;
	size_t kn, un, i = 0, j = 0, ks = m->key_size;
	int ret;

	ret = m->fd_array ? index_keys(m, &kk, &kn) : collect_keys(m, true, &kk, &kn);
	if (ret) {
		ret = dt_error(dt, "map %s: kernel get_next_key: %s", m->name, strerror(-ret));
		goto out;
	}
	ret = m->fd_array ? index_keys(m, &uk, &un) : collect_keys(m, false, &uk, &un);
	if (ret) {
		ret = dt_error(dt, "map %s: uxdp get_next_key: %s", m->name, strerror(-ret));
		goto out;
	}
	kv = calloc(1, m->vbytes);
	uv = calloc(1, m->vbytes);
	if (!kv || !uv) {
		ret = dt_error(dt, "out of memory");
		goto out;
	}
	while (i < kn || j < un) {
		int c = i == kn ? 1 : j == un ? -1 : memcmp(kk + i * ks, uk + j * ks, ks);
		const uint8_t *key = c <= 0 ? kk + i * ks : uk + j * ks;
		int kr, ur;

		if (c) {
			dt_diff_header(dt, c < 0 ? "map key only in the kernel" :
						   "map key only in uxdp");
			dmap_key_line(stdout, m, key);
			printf("  keys: kernel %zu, uxdp %zu\n", kn, un);
			ret = DT_EXIT_DIFF;
			goto out;
		}
		kr = lookup(m, true, key, kv);
		ur = lookup(m, false, key, uv);
		i++;
		j++;
		/* An fd array's empty slot is listed by get_next_key but reads -ENOENT. */
		if (kr == -ENOENT && ur == -ENOENT)
			continue;
		if (kr || ur) {
			dt_diff_header(dt, "map lookup result differs");
			dmap_key_line(stdout, m, key);
			printf("  kernel: %s\n  uxdp:   %s\n", kr ? strerror(-kr) : "found",
			       ur ? strerror(-ur) : "found");
			ret = DT_EXIT_DIFF;
			goto out;
		}
		if (!dmap_same_value(dt, m, kv, uv)) {
			ret = dmap_report_value(dt, m, key, kv, uv);
			goto out;
		}
	}
	ret = 0;
out:
	free(kk);
	free(uk);
	free(kv);
	free(uv);
	return ret;
}

/* ---- ring buffers ---- */

static int rec_push(struct reclist *l, const void *data, size_t size)
{
	uint8_t *copy;

	if (l->n == l->cap) {
		struct rec *g = realloc(l->v, (l->cap ? l->cap * 2 : 16) * sizeof(*g));

		if (!g)
			return -ENOMEM;
		l->v = g;
		l->cap = l->cap ? l->cap * 2 : 16;
	}
	copy = malloc(size ? size : 1);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, data, size);
	l->v[l->n].data = copy;
	l->v[l->n].size = size;
	l->n++;
	return 0;
}

void rec_clear(struct reclist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].data);
	l->n = 0;
}

int dmap_kernel_ringbuf_cb(void *ctx, void *data, size_t size)
{
	return rec_push(ctx, data, size);
}

static int uxdp_rec_cb(void *ctx, void *data, size_t size)
{
	return rec_push(ctx, data, size);
}

static int report_records(const struct dt_ctx *dt, struct dmap *m, const char *what)
{
	size_t i, n = m->krecs.n > m->urecs.n ? m->krecs.n : m->urecs.n;

	for (i = 0; i < n; i++) {
		const struct rec *k = i < m->krecs.n ? &m->krecs.v[i] : NULL;
		const struct rec *u = i < m->urecs.n ? &m->urecs.v[i] : NULL;

		if (k && u && k->size == u->size && !memcmp(k->data, u->data, k->size))
			continue;
		dt_diff_header(dt, what);
		printf("  map %s (%s), record %zu of kernel %zu, uxdp %zu\n", m->name,
		       dmap_type_name(m->type), i, m->krecs.n, m->urecs.n);
		if (k)
			dt_hexdump(stdout, "kernel", k->data, k->size, u ? u->data : NULL,
				   u ? u->size : 0);
		else
			printf("  kernel: no record\n");
		if (u)
			dt_hexdump(stdout, "uxdp", u->data, u->size, k ? k->data : NULL,
				   k ? k->size : 0);
		else
			printf("  uxdp:   no record\n");
		return DT_EXIT_DIFF;
	}
	return 0;
}

static int compare_ringbuf(const struct dt_ctx *dt, struct dmap *m)
{
	int ret;

	rec_clear(&m->krecs);
	rec_clear(&m->urecs);
	ret = ring_buffer__consume(m->krb);
	if (ret < 0)
		return dt_error(dt, "map %s: kernel ring_buffer__consume: %s", m->name,
				strerror(-ret));
	ret = uxdp_ringbuf_consume(m->umap, uxdp_rec_cb, &m->urecs);
	if (ret < 0)
		return dt_error(dt, "map %s: uxdp_ringbuf_consume: %s", m->name, strerror(-ret));
	return report_records(dt, m, "ring buffer records differ");
}

/* ---- queues and stacks: pop everything, compare, push it back ---- */

static int drain(struct dmap *m, bool kernel, struct reclist *l)
{
	uint8_t *v = malloc(m->value_size ? m->value_size : 1);
	int ret;

	if (!v)
		return -ENOMEM;
	for (;;) {
		ret = kernel ? bpf_map_lookup_and_delete_elem(m->kfd, NULL, v) :
			       uxdp_map_lookup_and_delete_elem(m->umap, NULL, v);
		if (ret == -ENOENT) {
			ret = 0;
			break;
		}
		if (!ret)
			ret = rec_push(l, v, m->value_size);
		if (ret)
			break;
	}
	free(v);
	return ret;
}

static int refill(struct dmap *m, bool kernel, const struct reclist *l)
{
	size_t i;
	int ret;

	/* Popping a stack returns the top first: push back from the bottom. */
	for (i = 0; i < l->n; i++) {
		const struct rec *r = &l->v[m->type == BPF_MAP_TYPE_STACK ? l->n - 1 - i : i];

		ret = kernel ? bpf_map_update_elem(m->kfd, NULL, r->data, BPF_ANY) :
			       uxdp_map_push(m->umap, r->data, BPF_ANY);
		if (ret)
			return ret;
	}
	return 0;
}

static int compare_queue(const struct dt_ctx *dt, struct dmap *m)
{
	int ret;

	rec_clear(&m->krecs);
	rec_clear(&m->urecs);
	ret = drain(m, true, &m->krecs);
	if (!ret)
		ret = refill(m, true, &m->krecs);
	if (ret)
		return dt_error(dt, "map %s: kernel pop/push: %s", m->name, strerror(-ret));
	ret = drain(m, false, &m->urecs);
	if (!ret)
		ret = refill(m, false, &m->urecs);
	if (ret)
		return dt_error(dt, "map %s: uxdp pop/push: %s", m->name, strerror(-ret));
	return report_records(dt, m, "queue/stack contents differ");
}

int dmap_compare(const struct dt_ctx *dt, struct dmap *m)
{
	switch (m->cmp) {
	case CMP_KV:
		if (!m->fd_array)
			return dmap_compare_data(dt, m);
		return compare_kv(dt, m);
	case CMP_PROG_ARRAY:
	case CMP_MAP_IN_MAP:
		return compare_kv(dt, m);
	case CMP_RINGBUF:
		return compare_ringbuf(dt, m);
	case CMP_QUEUE:
		return compare_queue(dt, m);
	case CMP_NONE:
		break;
	}
	return 0;
}

int dmap_prepare(const struct dt_ctx *dt, struct dmap *m)
{
	size_t stride = (m->value_size + 7) & ~(size_t)7;
	long page = sysconf(_SC_PAGESIZE);
	void *p;

	m->large = m->cmp == CMP_KV &&
		   (uint64_t)m->max_entries * (m->key_size + m->vbytes) > DT_LARGE_MAP_BYTES;
	/* What uxdp writes to a large array is checked at its packet (dirty.c). */
	if (m->large && m->per_packet &&
	    (m->type == BPF_MAP_TYPE_ARRAY || m->type == BPF_MAP_TYPE_PERCPU_ARRAY)) {
		size_t bytes = m->percpu ? UXDP_PERCPU_ARRAY_SPAN(m->max_entries, stride) * m->ncpus
					 : (size_t)m->max_entries * stride;
		int err = dt_dirty_track(&m->dirty, uxdp_map_array_data(m->umap), bytes);

		if (err && dt->verbose)
			fprintf(stderr, "difftest: map %s: uxdp's writes not tracked per packet: %s\n",
				m->name, strerror(-err));
	}
	if (m->type != BPF_MAP_TYPE_ARRAY || !(m->kmap->map_flags & BPF_F_MMAPABLE))
		return 0;
	m->kmem_size = ((size_t)m->max_entries * stride + page - 1) & ~(size_t)(page - 1);
	p = mmap(NULL, m->kmem_size, PROT_READ, MAP_SHARED, m->kfd, 0);
	if (p == MAP_FAILED) {
		/* E.g. a value with a spin lock: read by batches instead. */
		if (dt->verbose)
			fprintf(stderr, "difftest: map %s: kernel mmap: %s; read by batches\n",
				m->name, strerror(errno));
		m->kmem_size = 0;
		return 0;
	}
	m->kmem = p;
	return 0;
}

void dmap_release(struct dmap *m)
{
	ring_buffer__free(m->krb);
	m->krb = NULL;
	rec_clear(&m->krecs);
	rec_clear(&m->urecs);
	free(m->krecs.v);
	free(m->urecs.v);
	if (m->kmem)
		munmap((void *)m->kmem, m->kmem_size);
	m->kmem = NULL;
}

const char *dmap_type_name(uint32_t type)
{
	const char *s = libbpf_bpf_map_type_str(type);

	return s ? s : "unknown type";
}

void dmap_classify(struct dmap *m)
{
	m->per_packet = true;
	m->fd_array = false;
	m->percpu = false;
	m->cmp = CMP_KV;
	m->why_not = NULL;
	switch (m->type) {
	case BPF_MAP_TYPE_PERCPU_ARRAY:
	case BPF_MAP_TYPE_PERCPU_HASH:
	case BPF_MAP_TYPE_LRU_PERCPU_HASH:
		m->percpu = true;
		break;
	case BPF_MAP_TYPE_PROG_ARRAY:
		m->cmp = CMP_PROG_ARRAY;
		m->fd_array = true;
		m->per_packet = false; /* programs cannot write it */
		break;
	case BPF_MAP_TYPE_ARRAY_OF_MAPS:
	case BPF_MAP_TYPE_HASH_OF_MAPS:
		m->cmp = CMP_MAP_IN_MAP;
		m->fd_array = m->type == BPF_MAP_TYPE_ARRAY_OF_MAPS;
		m->per_packet = false;
		break;
	case BPF_MAP_TYPE_DEVMAP:
	case BPF_MAP_TYPE_CPUMAP:
		m->fd_array = true;
		m->per_packet = false;
		break;
	case BPF_MAP_TYPE_DEVMAP_HASH:
		m->per_packet = false;
		break;
	case BPF_MAP_TYPE_RINGBUF:
		m->cmp = CMP_RINGBUF;
		break;
	case BPF_MAP_TYPE_QUEUE:
	case BPF_MAP_TYPE_STACK:
		m->cmp = CMP_QUEUE;
		break;
	case BPF_MAP_TYPE_XSKMAP:
		m->cmp = CMP_NONE;
		m->why_not = "the kernel does not read xskmap slots back (they hold AF_XDP sockets)";
		break;
	case BPF_MAP_TYPE_PERF_EVENT_ARRAY:
		m->cmp = CMP_NONE;
		m->why_not = "slots hold perf event fds; both sides leave them empty, so "
			     "bpf_perf_event_output fails alike and nothing is recorded";
		break;
	case BPF_MAP_TYPE_BLOOM_FILTER:
		m->cmp = CMP_NONE;
		m->why_not = "a bloom filter cannot be listed";
		break;
	case BPF_MAP_TYPE_ARRAY:
	case BPF_MAP_TYPE_HASH:
	case BPF_MAP_TYPE_LRU_HASH:
	case BPF_MAP_TYPE_LPM_TRIE:
		break;
	default:
		m->cmp = CMP_NONE;
		m->why_not = "map type not compared";
		break;
	}
	/* Frozen or read-only for programs (.rodata): it cannot change after setup. */
	if (m->map_flags & BPF_F_RDONLY_PROG)
		m->per_packet = false;
}
