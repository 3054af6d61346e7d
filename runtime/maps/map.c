// SPDX-License-Identifier: MIT
/*
 * map.c - map objects in shared memory: create, open, list, the id registry
 * and the dispatch of the public operations to the per-type code.
 *
 * Creation is atomic for openers: the creator makes the object with
 * O_CREAT|O_EXCL (segment.c: the caller's own, mode 0600 or its group's),
 * sizes and initialises it, and only then sets hdr->ready with release
 * order; an opener that finds ready still 0 waits a little and otherwise
 * gives up with -EAGAIN.  An opener checks the owner and mode, then the
 * header: magic, version, name, the geometry recomputed from the
 * description, the file's size.  Only then does it build its handle, and
 * from then on it bounds every walk by the handle's copy of the geometry.
 *
 * Each map belongs to an instance segment, /dev/shm/uxdp.<instance>
 * (instance.c): map ids (the values of map-in-map maps, as the kernel
 * stores map ids) come from its counter, so they are unique within an
 * instance across processes, and its epochs and participants make reads
 * lock-free and locks robust.  Each process keeps a registry id -> handle;
 * programs read it without a lock (entries are only ever appended, and
 * published with release order).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <uxdp/opts_import.h>

#include "fault.h"
#include "hash_free.h"
#include "hash_internal.h"
#include "instance.h"
#include "lpm_internal.h"
#include "lru.h"
#include "map_internal.h"
#include "rlock.h"
#include "segment.h"

__thread unsigned int uxdp_this_cpu __attribute__((tls_model("initial-exec")));

/* ---- names ---- */

static int check_instance(const char *inst)
{
	size_t n = strlen(inst);

	if (n == 0 || n >= UXDP_INSTANCE_LEN)
		return -EINVAL;
	/* '.' would make "a" + "b.c" and "a.b" + "c" the same object. */
	for (size_t i = 0; i < n; i++) {
		char c = inst[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return -EINVAL;
	}
	return 0;
}

static int check_name(const char *name)
{
	size_t n;

	if (!name)
		return -EINVAL;
	n = strlen(name);
	if (n == 0 || n >= UXDP_MAP_NAME_LEN || strchr(name, '/'))
		return -EINVAL;
	return 0;
}

static int shm_name(char *buf, size_t size, const char *inst, const char *name)
{
	int n = snprintf(buf, size, "/uxdp.%s.%s", inst, name);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

#define SHM_NAME_MAX (8 + UXDP_INSTANCE_LEN + UXDP_MAP_NAME_LEN)

static const char *inst_or_default(const char *inst)
{
	return inst ? inst : UXDP_DEFAULT_INSTANCE;
}

/* ---- per-type dispatch ---- */

static const struct uxdp_map_ops *ops_for(uint32_t type)
{
	switch (type) {
	case BPF_MAP_TYPE_ARRAY:
	case BPF_MAP_TYPE_PERCPU_ARRAY:
		return &uxdp_array_ops;
	case BPF_MAP_TYPE_PROG_ARRAY:
	case BPF_MAP_TYPE_ARRAY_OF_MAPS:
	case BPF_MAP_TYPE_DEVMAP:
	case BPF_MAP_TYPE_XSKMAP:
	case BPF_MAP_TYPE_CPUMAP:
	case BPF_MAP_TYPE_PERF_EVENT_ARRAY:
		return &uxdp_slot_array_ops;
	case BPF_MAP_TYPE_HASH:
	case BPF_MAP_TYPE_PERCPU_HASH:
	case BPF_MAP_TYPE_LRU_HASH:
	case BPF_MAP_TYPE_LRU_PERCPU_HASH:
	case BPF_MAP_TYPE_HASH_OF_MAPS:
	case BPF_MAP_TYPE_DEVMAP_HASH:
		return &uxdp_hash_ops;
	case BPF_MAP_TYPE_LPM_TRIE:
		return &uxdp_lpm_ops;
	case BPF_MAP_TYPE_QUEUE:
	case BPF_MAP_TYPE_STACK:
		return &uxdp_queue_ops;
	case BPF_MAP_TYPE_RINGBUF:
		return &uxdp_ringbuf_ops;
	default:
		return NULL;
	}
}

/* ---- id registry ---- */

struct reg_entry {
	struct reg_entry *next;
	char instance[UXDP_INSTANCE_LEN];
	uint32_t id;
	struct uxdp_map *map; /* accessed atomically; NULL once closed */
};

static struct reg_entry *reg_head;
static pthread_mutex_t reg_mutex = PTHREAD_MUTEX_INITIALIZER;

static struct reg_entry *reg_find(const char *inst, uint32_t id)
{
	struct reg_entry *e = __atomic_load_n(&reg_head, __ATOMIC_ACQUIRE);

	for (; e; e = e->next)
		if (e->id == id && !strcmp(e->instance, inst))
			return e;
	return NULL;
}

/*
 * The instance's id -> handle table, grown (a copy published whole; the old
 * one stays, readers may be on it) so that id fits.  reg_mutex held.
 */
static struct uxdp_id_table *id_table_for(struct uxdp_inst *in, uint32_t id)
{
	struct uxdp_id_table *t = in->by_id, *nt;
	uint32_t cap = t ? t->cap : 0;

	if (id < cap)
		return t;
	while (cap <= id)
		cap = cap ? 2 * cap : 64;
	nt = calloc(1, sizeof(*nt) + (size_t)cap * sizeof(nt->maps[0]));
	if (!nt)
		return NULL;
	nt->cap = cap;
	nt->retired = t; /* kept, and reachable: a reader may still be on it */
	if (t)
		memcpy(nt->maps, t->maps, (size_t)t->cap * sizeof(t->maps[0]));
	__atomic_store_n(&in->by_id, nt, __ATOMIC_RELEASE);
	return nt;
}

static void reg_add(struct uxdp_map *map)
{
	struct uxdp_id_table *t;
	struct reg_entry *e;

	pthread_mutex_lock(&reg_mutex);
	e = reg_find(map->hdr->instance, map->id);
	if (!e) {
		e = calloc(1, sizeof(*e));
		if (!e)
			goto out; /* lookups by id then open another handle */
		memcpy(e->instance, map->hdr->instance, UXDP_INSTANCE_LEN);
		e->id = map->id;
		e->next = reg_head;
		__atomic_store_n(&reg_head, e, __ATOMIC_RELEASE);
	}
	if (!__atomic_load_n(&e->map, __ATOMIC_RELAXED)) {
		__atomic_store_n(&e->map, map, __ATOMIC_RELEASE);
		map->registered = true;
		t = id_table_for(map->inst, map->id);
		if (t)
			__atomic_store_n(&t->maps[map->id], map, __ATOMIC_RELEASE);
	}
out:
	pthread_mutex_unlock(&reg_mutex);
}

static void reg_remove(struct uxdp_map *map)
{
	struct uxdp_id_table *t;
	struct reg_entry *e;

	if (!map->registered)
		return;
	pthread_mutex_lock(&reg_mutex);
	e = reg_find(map->hdr->instance, map->id);
	if (e && __atomic_load_n(&e->map, __ATOMIC_RELAXED) == map)
		__atomic_store_n(&e->map, NULL, __ATOMIC_RELEASE);
	t = map->inst->by_id;
	if (t && map->id < t->cap && t->maps[map->id] == map)
		__atomic_store_n(&t->maps[map->id], NULL, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&reg_mutex);
}

/* ---- mapping ---- */

/*
 * A ring buffer's data pages are mapped a second time right after the
 * object, as the kernel does, so that a record that wraps around the end is
 * still contiguous for the program and the consumer.
 */
static void *map_object(int fd, const struct uxdp_shm_hdr *h, size_t *len, const char *path)
{
	uint8_t *base;

	if (h->type != BPF_MAP_TYPE_RINGBUF) {
		*len = h->total_size;
		return uxdp_seg_map(fd, *len, PROT_READ | PROT_WRITE, path);
	}
	*len = h->total_size + h->data_size;
	base = mmap(NULL, *len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED)
		return NULL;
	if (mmap(base, h->total_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0) ==
		    MAP_FAILED ||
	    mmap(base + h->total_size, h->data_size, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_FIXED, fd, (off_t)h->data_off) == MAP_FAILED) {
		int err = errno;

		munmap(base, *len);
		errno = err;
		return NULL;
	}
	uxdp_seg_register(base, *len, path);
	return base;
}

static bool is_hash_type(uint32_t type)
{
	return ops_for(type) == &uxdp_hash_ops;
}

/*
 * A handle on the segment mapped at base, its geometry from h: the header
 * as the creator wrote it or as the opener read and checked it, never the
 * mapping's, which another process could change after the check.
 */
static int make_handle(const struct uxdp_shm_hdr *h, void *base_, size_t len,
		       struct uxdp_inst *in, struct uxdp_map **out)
{
	struct uxdp_map *m = calloc(1, sizeof(*m));
	uint8_t *base = base_;

	if (!m)
		return -ENOMEM;
	m->hdr = base_;
	m->map_len = len;
	m->inst = in;
	m->data = base + h->data_off;
	m->max_entries = h->max_entries;
	m->stride = h->stride;
	m->type = h->type;
	m->key_size = h->key_size;
	m->value_size = h->value_size;
	m->map_flags = h->map_flags;
	m->ncpus = h->ncpus;
	m->id = h->id;
	m->def_flags = h->def_flags;
	m->spin_lock_off = h->spin_lock_off;
	m->ops = ops_for(h->type);
	if (is_hash_type(h->type) || h->type == BPF_MAP_TYPE_LPM_TRIE) {
		m->pool = base + h->data_off;
		m->elem_size = h->elem_size;
		m->n_pool = h->n_pool;
		m->n_elems = h->n_elems;
		m->hash_seed = h->hash_seed;
		if (!(h->elem_size & (h->elem_size - 1)))
			m->elem_shift = (uint32_t)__builtin_ctz(h->elem_size);
		m->pool_next_off = is_hash_type(h->type) ? HASH_POOL_NEXT_OFF : LPM_POOL_NEXT_OFF;
		m->pool_stamp_off = is_hash_type(h->type) ? HASH_POOL_STAMP_OFF : LPM_POOL_STAMP_OFF;
	}
	if (is_hash_type(h->type)) {
		m->buckets = (uint32_t *)(base + h->aux_off);
		m->bucket_mask = h->n_buckets - 1;
		if (h->type == BPF_MAP_TYPE_LRU_HASH || h->type == BPF_MAP_TYPE_LRU_PERCPU_HASH)
			m->lru_area = base + uxdp_lru_area_off(h);
		else
			m->lru_area = base + uxdp_hash_free_off(h);
		if (uxdp_map_is_percpu(h->type)) {
			m->pcpu_values = base + uxdp_hash_pcpu_off(h);
			m->pcpu_span = uxdp_hash_pcpu_span(h);
		}
	}
	if (h->type == BPF_MAP_TYPE_PROG_ARRAY) {
		m->fns = calloc(h->max_entries, sizeof(*m->fns));
		if (!m->fns) {
			free(m);
			return -ENOMEM;
		}
	}
	uxdp_seg_set_tag(base_, m);
	__atomic_add_fetch(&in->handles, 1, __ATOMIC_RELAXED);
	*out = m;
	return 0;
}

/* ---- create ---- */

static int check_def(const struct uxdp_map_def *d)
{
	const struct uxdp_map_ops *ops = ops_for(d->type);

	if (!ops)
		return -EINVAL;
	if (d->flags & ~(UXDP_MAP_DEF_SPIN_LOCK | UXDP_MAP_DEF_REUSE))
		return -EINVAL;
	/* Bounds every per-CPU layout's size arithmetic (0: the online CPUs). */
	if (d->ncpus > UXDP_MAP_MAX_NCPUS)
		return -EINVAL;
	if ((d->flags & UXDP_MAP_DEF_SPIN_LOCK) &&
	    (d->spin_lock_off % 4 || (uint64_t)d->spin_lock_off + 4 > d->value_size))
		return -EINVAL;
	/* The kernel reads these flags from BTF; they need a value to hold the lock. */
	if (d->max_entries == 0 && d->type != BPF_MAP_TYPE_PERF_EVENT_ARRAY)
		return -EINVAL;
	if (uxdp_map_is_of_maps(d->type)) {
		if (!d->inner || uxdp_map_is_of_maps(d->inner->type) ||
		    d->inner->type == BPF_MAP_TYPE_PROG_ARRAY || !ops_for(d->inner->type))
			return -EINVAL;
	}
	return ops->check(d);
}

static unsigned int online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (unsigned int)n : 1;
}

/*
 * BPF_F_MMAPABLE only lets user space map an array's values, which sit at
 * the same place with or without it: a program binds to the map either
 * way.  (libbpf makes its global data with the flag when mmap is there; a
 * compiled object's data section asks for the map without it.)
 */
#define SHAPE_FLAGS(f) ((f) & ~(uint32_t)BPF_F_MMAPABLE)

/*
 * A per-CPU map with more slots than the run has workers serves it (each
 * worker its own slot, the rest unused, as the kernel's slots of CPUs that
 * run nothing): the bpf() layer makes them with a slot per possible CPU.
 */
/*
 * What a compiled program builds into its code beside the sizes: where the
 * value's bpf_spin_lock is (bpf_spin_lock and copies that skip it) and the
 * inner maps' template (an inlined map-in-map lookup reads inner values of
 * that size; confinement proved its offsets against it).  A map made
 * through the bpf() layer says nothing of a lock (it reads no value BTF),
 * so offsets are compared only when both sides know one; an inner template
 * with BPF_F_INNER_MAP leaves max_entries free, as uxdp_check_inner does.
 */
static bool same_layout(const struct uxdp_shm_hdr *h, const struct uxdp_shm_hdr *want)
{
	bool both_locked = (h->def_flags & want->def_flags & UXDP_MAP_DEF_SPIN_LOCK) != 0;

	return (!both_locked || h->spin_lock_off == want->spin_lock_off) &&
	       h->inner_type == want->inner_type && h->inner_key_size == want->inner_key_size &&
	       h->inner_value_size == want->inner_value_size &&
	       SHAPE_FLAGS(h->inner_map_flags) == SHAPE_FLAGS(want->inner_map_flags) &&
	       ((h->inner_map_flags & BPF_F_INNER_MAP) ||
		h->inner_max_entries == want->inner_max_entries);
}

static bool same_shape(const struct uxdp_shm_hdr *h, const struct uxdp_shm_hdr *want)
{
	bool cpus = uxdp_map_is_percpu(h->type) ? h->ncpus >= want->ncpus
						 : h->ncpus == want->ncpus;

	return h->type == want->type && h->key_size == want->key_size &&
	       h->value_size == want->value_size && h->max_entries == want->max_entries &&
	       SHAPE_FLAGS(h->map_flags) == SHAPE_FLAGS(want->map_flags) && cpus &&
	       same_layout(h, want);
}

int uxdp_map_open(const char *instance, const char *name, struct uxdp_map **out);

/* The key/value BTF goes after the header, in its page, if it fits there. */
static void header_btf(struct uxdp_shm_hdr *t, const struct uxdp_map_def *def)
{
	uint32_t off = (uint32_t)uxdp_round_up(sizeof(*t), 8);

	if (!def->btf || !def->btf_size || def->btf_size > UXDP_SHM_HDR_SIZE - off)
		return;
	memcpy((uint8_t *)t + off, def->btf, def->btf_size);
	t->btf_off = off;
	t->btf_size = def->btf_size;
	t->btf_key_type_id = def->btf_key_type_id;
	t->btf_value_type_id = def->btf_value_type_id;
}

/* The header a map of def gets, geometry included; NULL with *err on failure. */
static struct uxdp_shm_hdr *header_for(const char *inst, const struct uxdp_map_def *def,
				       int *err)
{
	struct uxdp_shm_hdr *t = calloc(1, UXDP_SHM_HDR_SIZE);
	uint64_t size;

	if (!t) {
		*err = -ENOMEM;
		return NULL;
	}
	t->magic = UXDP_SHM_MAGIC;
	t->version = UXDP_SHM_VERSION;
	t->type = def->type;
	t->key_size = def->key_size;
	t->value_size = def->value_size;
	t->max_entries = def->max_entries;
	t->map_flags = def->map_flags;
	t->ncpus = def->ncpus ? def->ncpus : online_cpus();
	if (def->type == BPF_MAP_TYPE_PERF_EVENT_ARRAY && t->max_entries == 0)
		t->max_entries = t->ncpus;
	t->def_flags = def->flags & UXDP_MAP_DEF_SPIN_LOCK;
	t->spin_lock_off = def->spin_lock_off;
	t->stride = (uint32_t)uxdp_round_up(def->value_size, 8);
	/* Room for a libbpf perf buffer of up to 256 pages; untouched pages cost nothing. */
	t->ring_size = def->perf_ring_size ? def->perf_ring_size : 1u << 20;
	if (def->inner) {
		t->inner_type = def->inner->type;
		t->inner_key_size = def->inner->key_size;
		t->inner_value_size = def->inner->value_size;
		t->inner_max_entries = def->inner->max_entries;
		t->inner_map_flags = def->inner->map_flags;
	}
	snprintf(t->name, sizeof(t->name), "%s", def->name);
	snprintf(t->instance, sizeof(t->instance), "%s", inst);
	header_btf(t, def);
	t->data_off = UXDP_SHM_HDR_SIZE;
	size = ops_for(def->type)->layout(t);
	if (!size || size > (1ull << 40)) {
		free(t);
		*err = size ? -E2BIG : -EINVAL;
		return NULL;
	}
	t->data_size = uxdp_round_up(size, 4096);
	t->total_size = t->data_off + t->data_size;
	return t;
}

/* A hash seed: random unless BPF_F_ZERO_SEED, as the kernel's htab. */
static uint32_t new_seed(const struct uxdp_map_def *def)
{
	uint32_t seed;

	if (def->map_flags & BPF_F_ZERO_SEED)
		return 0;
	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) != sizeof(seed))
		seed = (uint32_t)time(NULL) * 2654435761u ^ (uint32_t)getpid();
	return seed;
}

/* The map exists already: reuse it if asked and it has the same shape. */
static int reuse_existing(const char *inst, const struct uxdp_map_def *def,
			  const struct uxdp_shm_hdr *want, struct uxdp_map **out)
{
	int err;

	if (!(def->flags & UXDP_MAP_DEF_REUSE))
		return -EEXIST;
	err = uxdp_map_open(inst, def->name, out);
	if (!err && !same_shape((*out)->hdr, want)) {
		uxdp_map_close(*out);
		*out = NULL;
		err = uxdp_seg_error(-EEXIST,
				     "map %s of instance %s exists with another type, key, "
				     "value, size, spin lock or inner map template",
				     def->name, inst);
	}
	return err;
}

/*
 * The caller's description (and its inner template) as this library's
 * struct: fields of a newer header it does not know must be zero
 * (uxdp/opts.h).
 */
static int import_def(const struct uxdp_map_def *def, struct uxdp_map_def *d,
		      struct uxdp_map_def *inner)
{
	int err = UXDP_OPTS_IMPORT(d, def);

	if (!err && d->inner) {
		err = UXDP_OPTS_IMPORT(inner, d->inner);
		d->inner = inner;
	}
	if (err)
		return uxdp_seg_error(err, "%s", err == -E2BIG ?
				      "struct uxdp_map_def has fields this libuxdp does not "
				      "know set (built with a newer uxdp/map.h)" :
				      "struct uxdp_map_def without its sz (uxdp/opts.h)");
	return 0;
}

int uxdp_map_create(const char *instance, const struct uxdp_map_def *user_def,
		    struct uxdp_map **out)
{
	const char *inst = inst_or_default(instance);
	struct uxdp_map_def d, inner, *def = &d;
	char path[SHM_NAME_MAX];
	struct uxdp_shm_hdr *t = NULL, *h;
	struct uxdp_inst *in = NULL;
	struct uxdp_map *m;
	size_t len;
	int fd, err;

	if (!user_def || !out)
		return -EINVAL;
	uxdp_seg_clear_error();
	err = import_def(user_def, &d, &inner);
	if (err)
		return err;
	err = check_instance(inst);
	err = err ?: check_name(def->name);
	err = err ?: check_def(def);
	err = err ?: shm_name(path, sizeof(path), inst, def->name);
	err = err ?: uxdp_inst_get(inst, true, 0, &in);
	if (!err)
		t = header_for(inst, def, &err);
	if (err)
		return err;
	t->inst_uuid = in->uuid;
	t->hash_seed = new_seed(def);

	err = uxdp_seg_create(path, t->total_size, &fd);
	if (err) {
		if (err == -EEXIST)
			err = reuse_existing(inst, def, t, out);
		free(t);
		return err;
	}
	t->id = uxdp_inst_alloc_id(in);
	h = map_object(fd, t, &len, path);
	err = h ? 0 : -errno;
	close(fd);
	if (err)
		goto fail;
	memcpy(h, t, UXDP_SHM_HDR_SIZE);
	err = make_handle(t, h, len, in, &m);
	if (err) {
		uxdp_seg_unmap(h, len);
		goto fail;
	}
	if (m->ops->init)
		m->ops->init(m);
	__atomic_store_n(&h->ready, 1, __ATOMIC_RELEASE);
	reg_add(m);
	free(t);
	*out = m;
	return 0;
fail:
	shm_unlink(path);
	free(t);
	return err;
}

/* ---- open ---- */

/*
 * Whether a header describes itself consistently: the description passes
 * the type's checks, and the geometry and size are what that description
 * gives.  Nothing derived from a header is used before this.
 */
static int check_header(const struct uxdp_shm_hdr *h, const struct stat *st, const char *path)
{
	struct uxdp_map_def def = {
		.name = h->name, .type = h->type, .key_size = h->key_size,
		.value_size = h->value_size, .max_entries = h->max_entries,
		.map_flags = h->map_flags, .ncpus = h->ncpus,
		.flags = h->def_flags & UXDP_MAP_DEF_SPIN_LOCK, .spin_lock_off = h->spin_lock_off,
		.perf_ring_size = h->ring_size,
	};
	struct uxdp_map_def inner = {
		.type = h->inner_type, .key_size = h->inner_key_size,
		.value_size = h->inner_value_size, .max_entries = h->inner_max_entries,
		.map_flags = h->inner_map_flags,
	};
	struct uxdp_shm_hdr *want;
	int err = 0;

	if (h->magic != UXDP_SHM_MAGIC || !ops_for(h->type))
		return uxdp_seg_error(-EPROTO, "/dev/shm%s is not a uxdp map", path);
	if (h->version != UXDP_SHM_VERSION)
		return uxdp_seg_error(-EPROTO,
				      "/dev/shm%s is a map of another uxdp version (%u, this one "
				      "reads %u): remove the instance and start again",
				      path, h->version, UXDP_SHM_VERSION);
	if (!memchr(h->name, 0, sizeof(h->name)) || !memchr(h->instance, 0, sizeof(h->instance)))
		return uxdp_seg_error(-EPROTO, "/dev/shm%s: damaged header (name)", path);
	if (uxdp_map_is_of_maps(h->type))
		def.inner = &inner;
	if (check_def(&def) || !h->ncpus)
		return uxdp_seg_error(-EPROTO, "/dev/shm%s: damaged header (description)", path);
	want = header_for(h->instance, &def, &err);
	if (!want)
		return uxdp_seg_error(-EPROTO, "/dev/shm%s: damaged header (size)", path);
	if (want->total_size != h->total_size || want->data_off != h->data_off ||
	    want->data_size != h->data_size || want->aux_off != h->aux_off ||
	    want->elem_size != h->elem_size || want->n_elems != h->n_elems ||
	    want->n_buckets != h->n_buckets || want->n_pool != h->n_pool ||
	    want->stride != h->stride || want->ring_size != h->ring_size)
		err = uxdp_seg_error(-EPROTO, "/dev/shm%s: damaged header (geometry)", path);
	else if ((uint64_t)st->st_size != h->total_size)
		err = uxdp_seg_error(-EPROTO,
				     "/dev/shm%s: %lld bytes where its header says %llu "
				     "(truncated?)",
				     path, (long long)st->st_size, (unsigned long long)h->total_size);
	free(want);
	return err;
}

/* Read the header of an object, waiting briefly for a creator to finish. */
static int read_header(int fd, struct stat *st, const char *path, struct uxdp_shm_hdr *out)
{
	struct timespec ts = { 0, 1000000 };
	struct uxdp_shm_hdr *h;
	int err = 0;

	for (int i = 0; st->st_size < UXDP_SHM_HDR_SIZE; i++) {
		if (i == 1000)
			return uxdp_seg_error(-EAGAIN, "/dev/shm%s: never initialised", path);
		nanosleep(&ts, NULL);
		if (fstat(fd, st) < 0)
			return -errno;
	}
	h = mmap(NULL, UXDP_SHM_HDR_SIZE, PROT_READ, MAP_SHARED, fd, 0);
	if (h == MAP_FAILED)
		return -errno;
	for (int i = 0; !__atomic_load_n(&h->ready, __ATOMIC_ACQUIRE); i++) {
		if (i == 1000) {
			err = uxdp_seg_error(-EAGAIN, "/dev/shm%s: never initialised", path);
			break;
		}
		nanosleep(&ts, NULL);
	}
	if (!err)
		memcpy(out, h, sizeof(*out));
	munmap(h, UXDP_SHM_HDR_SIZE);
	return err ?: check_header(out, st, path);
}

static int open_path(const char *path, struct uxdp_map **out)
{
	struct uxdp_inst *in = NULL;
	struct uxdp_shm_hdr h;
	void *base = NULL;
	struct stat st;
	size_t len;
	int fd, err;

	uxdp_seg_clear_error();
	err = uxdp_seg_open(path, O_RDWR, &fd, &st);
	if (err)
		return err;
	err = read_header(fd, &st, path, &h);
	if (!err) {
		err = uxdp_inst_get(h.instance, false, h.inst_uuid, &in);
		if (err == -ENOENT || err == -ESTALE)
			err = uxdp_seg_error(-ESTALE,
					     "/dev/shm%s belongs to an instance segment "
					     "(/dev/shm/uxdp.%s) that is gone: a stale map",
					     path, h.instance);
	}
	if (!err) {
		base = map_object(fd, &h, &len, path);
		err = base ? 0 : -errno;
	}
	close(fd);
	if (err)
		return err;
	err = make_handle(&h, base, len, in, out);
	if (err) {
		uxdp_seg_unmap(base, len);
		return err;
	}
	reg_add(*out);
	return 0;
}

int uxdp_map_open(const char *instance, const char *name, struct uxdp_map **out)
{
	const char *inst = inst_or_default(instance);
	char path[SHM_NAME_MAX];
	int err;

	if (!out)
		return -EINVAL;
	err = check_instance(inst);
	err = err ?: check_name(name);
	err = err ?: shm_name(path, sizeof(path), inst, name);
	return err ?: open_path(path, out);
}

void uxdp_map_close(struct uxdp_map *map)
{
	if (!map || map->registry_owned)
		return;
	reg_remove(map);
	__atomic_sub_fetch(&map->inst->handles, 1, __ATOMIC_RELAXED);
	uxdp_seg_unmap(map->hdr, map->map_len);
	free(map->fns);
	free(map);
}

int uxdp_map_unlink(const char *instance, const char *name)
{
	const char *inst = inst_or_default(instance);
	char path[SHM_NAME_MAX];
	int err;

	err = check_instance(inst);
	err = err ?: check_name(name);
	err = err ?: shm_name(path, sizeof(path), inst, name);
	if (err)
		return err;
	return shm_unlink(path) < 0 ? -errno : 0;
}

/* ---- listing ---- */

static void fill_info(const struct uxdp_shm_hdr *h, struct uxdp_map_info *info)
{
	memset(info, 0, sizeof(*info));
	memcpy(info->name, h->name, sizeof(info->name));
	memcpy(info->instance, h->instance, sizeof(info->instance));
	info->name[sizeof(info->name) - 1] = 0;
	info->instance[sizeof(info->instance) - 1] = 0;
	info->id = h->id;
	info->type = h->type;
	info->key_size = h->key_size;
	info->value_size = h->value_size;
	info->max_entries = h->max_entries;
	info->map_flags = h->map_flags;
	info->ncpus = h->ncpus;
	info->bytes = h->total_size;
}

int uxdp_map_get_info(const struct uxdp_map *map, struct uxdp_map_info *info)
{
	if (!map || !info)
		return -EINVAL;
	fill_info(map->hdr, info);
	return 0;
}

int uxdp_map_list(const char *instance, int (*cb)(const struct uxdp_map_info *info, void *arg),
		  void *arg)
{
	const char *inst = inst_or_default(instance);
	char prefix[SHM_NAME_MAX], path[SHM_NAME_MAX + 256], why[256] = "";
	struct uxdp_map_info info;
	struct uxdp_shm_hdr h;
	struct dirent *de;
	struct stat st;
	int err = check_instance(inst), refused = 0;
	size_t plen;
	DIR *dir;

	if (err)
		return err;
	snprintf(prefix, sizeof(prefix), "uxdp.%s.", inst);
	plen = strlen(prefix);
	dir = opendir("/dev/shm");
	if (!dir)
		return -errno;
	while ((de = readdir(dir))) {
		int fd;

		if (strncmp(de->d_name, prefix, plen) || !de->d_name[plen])
			continue;
		snprintf(path, sizeof(path), "/%s", de->d_name);
		uxdp_seg_clear_error();
		err = uxdp_seg_open(path, O_RDONLY, &fd, &st);
		if (!err) {
			err = read_header(fd, &st, path, &h);
			close(fd);
		}
		if (err == -ENOENT || err == -EAGAIN) {
			err = 0; /* removed meanwhile, or still being created: not a map yet */
			continue;
		}
		if (err) {
			/* not readable, not ours, or damaged: said at the end, after the others */
			if (!refused) {
				refused = err;
				snprintf(why, sizeof(why), "%s",
					 uxdp_map_last_error() ? uxdp_map_last_error() : "");
			}
			err = 0;
			continue;
		}
		fill_info(&h, &info);
		err = cb(&info, arg);
		if (err)
			break;
	}
	closedir(dir);
	if (!err && refused) {
		err = refused;
		if (why[0])
			uxdp_seg_error(err, "%s", why);
		else
			uxdp_seg_clear_error();
	}
	return err;
}

/* ---- registry lookups ---- */

struct find_id {
	uint32_t id;
	char name[UXDP_MAP_NAME_LEN];
};

static int find_id_cb(const struct uxdp_map_info *info, void *arg)
{
	struct find_id *f = arg;

	if (info->id != f->id)
		return 0;
	memcpy(f->name, info->name, sizeof(f->name));
	return 1;
}

struct uxdp_map *uxdp_map_by_id(const char *instance, uint32_t id)
{
	const char *inst = inst_or_default(instance);
	struct reg_entry *e = reg_find(inst, id);
	struct uxdp_map *m = e ? __atomic_load_n(&e->map, __ATOMIC_ACQUIRE) : NULL;
	struct find_id f = { .id = id };

	if (m || id == 0)
		return m;
	/* Slow path, once per id and process: find the object by its id. */
	if (uxdp_map_list(inst, find_id_cb, &f) != 1 || uxdp_map_open(inst, f.name, &m))
		return NULL;
	if (!m->registered) { /* another thread registered its own first */
		uxdp_map_close(m);
		e = reg_find(inst, id);
		return e ? __atomic_load_n(&e->map, __ATOMIC_ACQUIRE) : NULL;
	}
	m->registry_owned = true;
	return m;
}

int uxdp_check_inner(struct uxdp_map *map, uint32_t id)
{
	const struct uxdp_shm_hdr *h = map->hdr;
	struct uxdp_map *in = uxdp_map_by_id(h->instance, id);

	if (!in)
		return -EBADF;
	if (in->type != h->inner_type || in->key_size != h->inner_key_size ||
	    in->value_size != h->inner_value_size ||
	    (in->map_flags & ~(uint32_t)BPF_F_INNER_MAP) !=
		    (h->inner_map_flags & ~(uint32_t)BPF_F_INNER_MAP))
		return -EINVAL;
	if (!(h->inner_map_flags & BPF_F_INNER_MAP) && in->max_entries != h->inner_max_entries)
		return -EINVAL;
	return 0;
}

/* A program's map-in-map lookup: one table load when this process has the map open. */
struct uxdp_map *uxdp_inner_map(struct uxdp_map *outer, uint32_t id)
{
	struct uxdp_id_table *t = __atomic_load_n(&outer->inst->by_id, __ATOMIC_ACQUIRE);
	struct uxdp_map *m;

	if (t && id < t->cap) {
		m = __atomic_load_n(&t->maps[id], __ATOMIC_ACQUIRE);
		if (m)
			return m;
	}
	return uxdp_map_by_id(outer->inst->name, id);
}

/* ---- value copies ---- */

void uxdp_copy_value(const struct uxdp_map *map, void *dst, const void *src)
{
	uint32_t off = map->spin_lock_off;

	if (!(map->def_flags & UXDP_MAP_DEF_SPIN_LOCK)) {
		memcpy(dst, src, map->value_size);
		return;
	}
	memcpy(dst, src, off);
	memcpy((uint8_t *)dst + off + 4, (const uint8_t *)src + off + 4,
	       map->value_size - off - 4);
}

int uxdp_copy_value_locked(const struct uxdp_map *map, void *dst, const void *src,
			   void *locked_val)
{
	uint32_t *lock;
	int err;

	if (!(map->def_flags & UXDP_MAP_DEF_SPIN_LOCK))
		return -EINVAL;
	lock = (uint32_t *)((uint8_t *)locked_val + map->spin_lock_off);
	err = uxdp_rlock_acquire(map->inst, lock);
	if (err < 0)
		return err;
	uxdp_copy_value(map, dst, src);
	uxdp_rlock_release(lock);
	return 0;
}

/* ---- locks and read-side sections ---- */

/* What acquiring one of map's locks gave (rc), once it is over: a take-over is counted. */
static int lock_taken(struct uxdp_map *map, int rc)
{
	UXDP_FAULT_POINT(); /* held, nothing changed yet */
	if (rc == 1) /* the last holder died, maybe in the middle of a change */
		__atomic_add_fetch(&map->hdr->recoveries, 1, __ATOMIC_RELAXED);
	return rc;
}

int uxdp_map_lock(struct uxdp_map *map, uint32_t *word)
{
	return lock_taken(map, uxdp_rlock_acquire(map->inst, word));
}

int uxdp_map_try_lock_checked(struct uxdp_map *map, uint32_t *word)
{
	int rc = uxdp_rlock_try_checked(map->inst, word);

	return rc < 0 ? rc : lock_taken(map, rc);
}

int uxdp_map_wlock(struct uxdp_map *map)
{
	int rc = uxdp_map_lock(map, &map->hdr->lock);

	if (rc != 1)
		return rc;
	if (map->ops->repair)
		map->ops->repair(map);
	return 0;
}

void uxdp_map_wunlock(struct uxdp_map *map)
{
	uxdp_rlock_release(&map->hdr->lock);
}

void uxdp_map_renter(struct uxdp_map *map)
{
	uxdp_inst_enter(map->inst);
}

void uxdp_map_rexit(struct uxdp_map *map)
{
	uxdp_inst_exit(map->inst);
}

/*
 * bpf_spin_lock() and bpf_spin_unlock() on a lock word inside a map value:
 * the same robust lock as the map's own, in the instance of the map that
 * holds the word, so a program killed while holding it blocks nobody for
 * long and BPF_F_LOCK updates exclude programs holding it.
 */
int uxdp_map_spin_lock(uint32_t *word)
{
	struct uxdp_map *m = uxdp_seg_tag_of(word);
	int rc;

	if (!m)
		return -EINVAL;
	rc = uxdp_rlock_acquire(m->inst, word);
	return rc < 0 ? rc : 0;
}

void uxdp_map_spin_unlock(uint32_t *word)
{
	uxdp_rlock_release(word);
}

/* Counters of the map's reclamation and lock recovery (uxdpctl, tests). */
void uxdp_map_health(const struct uxdp_map *map, uint64_t *forced_reuse, uint64_t *recoveries)
{
	if (forced_reuse)
		*forced_reuse = __atomic_load_n(&map->hdr->forced_reuse, __ATOMIC_RELAXED);
	if (recoveries)
		*recoveries = __atomic_load_n(&map->hdr->recoveries, __ATOMIC_RELAXED);
}

int uxdp_map_btf(const struct uxdp_map *map, void *buf, size_t buf_size, uint32_t *size,
		 uint32_t *key_type_id, uint32_t *value_type_id)
{
	const struct uxdp_shm_hdr *h = map->hdr;
	/* One read of each field: the header is shared, and bounds come first. */
	uint32_t off = __atomic_load_n(&h->btf_off, __ATOMIC_RELAXED);
	uint32_t n = __atomic_load_n(&h->btf_size, __ATOMIC_RELAXED);

	if (!n || off < sizeof(*h) || off > UXDP_SHM_HDR_SIZE || n > UXDP_SHM_HDR_SIZE - off)
		return -ENOENT;
	*size = n;
	if (n > buf_size)
		return -ENOSPC;
	memcpy(buf, (const uint8_t *)h + off, n);
	*key_type_id = __atomic_load_n(&h->btf_key_type_id, __ATOMIC_RELAXED);
	*value_type_id = __atomic_load_n(&h->btf_value_type_id, __ATOMIC_RELAXED);
	return 0;
}

/*
 * BPF_MAP_FREEZE: one word in the shared header, set once.  What it forbids
 * (writes through bpf(2)) is enforced by the bpf() layer; programs write on.
 */
int uxdp_map_freeze(struct uxdp_map *map)
{
	uint32_t no = 0;

	return __atomic_compare_exchange_n(&map->hdr->frozen, &no, 1, false, __ATOMIC_SEQ_CST,
					   __ATOMIC_SEQ_CST) ? 0 : -EBUSY;
}

bool uxdp_map_frozen(const struct uxdp_map *map)
{
	return __atomic_load_n(&map->hdr->frozen, __ATOMIC_ACQUIRE) != 0;
}

/* ---- public operations ---- */

unsigned int uxdp_map_ncpus(const struct uxdp_map *map)
{
	return uxdp_map_is_percpu(map->type) ? map->ncpus : 1;
}

size_t uxdp_map_value_bytes(const struct uxdp_map *map)
{
	if (uxdp_map_is_percpu(map->type))
		return (size_t)map->stride * map->ncpus;
	return map->value_size;
}

void *uxdp_map_array_data(struct uxdp_map *map)
{
	if (map->type != BPF_MAP_TYPE_ARRAY && map->type != BPF_MAP_TYPE_PERCPU_ARRAY)
		return NULL;
	return map->data;
}

uint64_t uxdp_map_array_data_off(const struct uxdp_map *map)
{
	if (map->type != BPF_MAP_TYPE_ARRAY)
		return 0;
	return (uint64_t)((uint8_t *)map->data - (uint8_t *)map->hdr);
}

uint32_t uxdp_map_id(const struct uxdp_map *map)
{
	return map->id;
}

uint32_t uxdp_map_type(const struct uxdp_map *map)
{
	return map->type;
}

int uxdp_map_lookup_elem_copy(struct uxdp_map *map, const void *key, void *value)
{
	if (!map->ops->lookup_copy)
		return -EOPNOTSUPP;
	return map->ops->lookup_copy(map, key, value);
}

int uxdp_map_update_elem(struct uxdp_map *map, const void *key, const void *value,
			 uint64_t flags)
{
	if (!map->ops->update)
		return -EOPNOTSUPP;
	return map->ops->update(map, key, value, flags, -1);
}

int uxdp_map_delete_elem(struct uxdp_map *map, const void *key)
{
	if (!map->ops->delete)
		return -EOPNOTSUPP;
	return map->ops->delete(map, key);
}

int uxdp_map_get_next_key(struct uxdp_map *map, const void *key, void *next_key)
{
	if (!map->ops->get_next_key)
		return -EOPNOTSUPP;
	return map->ops->get_next_key(map, key, next_key);
}

int uxdp_map_lookup_and_delete_elem(struct uxdp_map *map, const void *key, void *value)
{
	switch (map->type) {
	case BPF_MAP_TYPE_QUEUE:
	case BPF_MAP_TYPE_STACK:
		return key ? -EINVAL : uxdp_map_pop(map, value);
	case BPF_MAP_TYPE_HASH:
	case BPF_MAP_TYPE_PERCPU_HASH:
	case BPF_MAP_TYPE_LRU_HASH:
	case BPF_MAP_TYPE_LRU_PERCPU_HASH:
		return key ? uxdp_hash_lookup_and_delete(map, key, value) : -EINVAL;
	default:
		return -EOPNOTSUPP;
	}
}

void *uxdp_map_lookup(struct uxdp_map *map, const void *key)
{
	if (!map->ops->lookup)
		return NULL;
	return map->ops->lookup(map, key, (int)uxdp_cur_cpu(map));
}

void *uxdp_map_lookup_percpu(struct uxdp_map *map, const void *key, uint32_t cpu)
{
	if (!uxdp_map_is_percpu(map->type) || cpu >= map->ncpus)
		return NULL;
	return map->ops->lookup(map, key, (int)cpu);
}

int uxdp_map_update(struct uxdp_map *map, const void *key, const void *value, uint64_t flags)
{
	if (!map->ops->update)
		return -EOPNOTSUPP;
	return map->ops->update(map, key, value, flags, (int)uxdp_cur_cpu(map));
}

/* ---- programs ---- */

#define PROG_TABLE_MAX 4096

static uxdp_prog_fn prog_table[PROG_TABLE_MAX];

int uxdp_prog_register(uint32_t prog_index, uxdp_prog_fn fn)
{
	if (prog_index >= PROG_TABLE_MAX)
		return -E2BIG;
	__atomic_store_n(&prog_table[prog_index], fn, __ATOMIC_RELEASE);
	return 0;
}

int uxdp_prog_array_set_fn(struct uxdp_map *map, uint32_t idx, uxdp_prog_fn fn)
{
	if (map->type != BPF_MAP_TYPE_PROG_ARRAY)
		return -EINVAL;
	if (idx >= map->max_entries)
		return -E2BIG;
	__atomic_store_n(&map->fns[idx], fn, __ATOMIC_RELEASE);
	return 0;
}

uxdp_prog_fn uxdp_prog_array_get_fn(struct uxdp_map *map, uint32_t idx)
{
	const uint32_t *prog;
	uxdp_prog_fn fn;

	if (map->type != BPF_MAP_TYPE_PROG_ARRAY || idx >= map->max_entries)
		return NULL;
	/* A slot emptied by the control plane stops tail calls in every process. */
	prog = map->ops->lookup(map, &idx, 0);
	if (!prog)
		return NULL;
	fn = __atomic_load_n(&map->fns[idx], __ATOMIC_ACQUIRE);
	if (fn)
		return fn;
	return *prog < PROG_TABLE_MAX ? __atomic_load_n(&prog_table[*prog], __ATOMIC_ACQUIRE)
				      : NULL;
}

const void *uxdp_map_redirect_target(struct uxdp_map *map, uint32_t key)
{
	switch (map->type) {
	case BPF_MAP_TYPE_DEVMAP:
	case BPF_MAP_TYPE_DEVMAP_HASH:
	case BPF_MAP_TYPE_XSKMAP:
	case BPF_MAP_TYPE_CPUMAP:
		return map->ops->lookup(map, &key, 0);
	default:
		return NULL;
	}
}

/*
 * Every object of the instance, by name: damaged or foreign-looking ones
 * too, since those are exactly what a clean-up must not leave behind (the
 * sticky /dev/shm lets a user remove only its own).
 */
int uxdp_map_unlink_instance(const char *instance)
{
	const char *inst = inst_or_default(instance);
	char prefix[SHM_NAME_MAX], name[SHM_NAME_MAX + 256];
	struct dirent *de;
	size_t plen;
	int err = check_instance(inst);
	DIR *dir;

	if (err)
		return err;
	snprintf(prefix, sizeof(prefix), "uxdp.%s.", inst);
	plen = strlen(prefix);
	dir = opendir("/dev/shm");
	if (!dir)
		return -errno;
	while ((de = readdir(dir))) {
		if (strncmp(de->d_name, prefix, plen) || !de->d_name[plen])
			continue;
		snprintf(name, sizeof(name), "/%s", de->d_name);
		if (shm_unlink(name) < 0 && errno != ENOENT && !err)
			err = -errno;
	}
	closedir(dir);
	snprintf(name, sizeof(name), "/uxdp.%s", inst);
	if (shm_unlink(name) < 0 && errno != ENOENT && !err)
		err = -errno;
	return err;
}

void uxdp_copy_value_out(const struct uxdp_map *map, void *dst, const void *src)
{
	memcpy(dst, src, map->value_size);
	/* As the kernel, never hand out the state of the value's lock. */
	if (map->def_flags & UXDP_MAP_DEF_SPIN_LOCK)
		memset((uint8_t *)dst + map->spin_lock_off, 0, 4);
}
