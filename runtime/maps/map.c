// SPDX-License-Identifier: MIT
/*
 * map.c - map objects in shared memory: create, open, list, the id registry
 * and the dispatch of the public operations to the per-type code.
 *
 * Creation is atomic for openers: the creator makes the object with
 * O_CREAT|O_EXCL, sizes and initialises it, and only then sets hdr->ready
 * with release order; an opener that finds ready still 0 waits a little and
 * otherwise gives up with -EAGAIN.
 *
 * Map ids (the values of map-in-map maps, as the kernel stores map ids) come
 * from a counter in a small object /dev/shm/uxdp.<instance>, so they are
 * unique within an instance across processes.  Each process keeps a registry
 * id -> handle; programs read it without a lock (entries are only ever
 * appended, and published with release order).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "map_internal.h"

__thread unsigned int uxdp_this_cpu;

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

/* ---- id counter ---- */

static int alloc_id(const char *inst, uint32_t *id)
{
	char name[SHM_NAME_MAX];
	uint32_t *ctr;
	int fd;

	snprintf(name, sizeof(name), "/uxdp.%s", inst);
	fd = shm_open(name, O_RDWR | O_CREAT, 0600);
	if (fd < 0)
		return -errno;
	/* Racing creators both extend to the same size, which keeps the contents. */
	if (ftruncate(fd, 4096) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	ctr = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (ctr == MAP_FAILED)
		return -errno;
	*id = __atomic_add_fetch(ctr, 1, __ATOMIC_RELAXED);
	munmap(ctr, 4096);
	return 0;
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

static void reg_add(struct uxdp_map *map)
{
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
	}
out:
	pthread_mutex_unlock(&reg_mutex);
}

static void reg_remove(struct uxdp_map *map)
{
	struct reg_entry *e;

	if (!map->registered)
		return;
	pthread_mutex_lock(&reg_mutex);
	e = reg_find(map->hdr->instance, map->id);
	if (e && __atomic_load_n(&e->map, __ATOMIC_RELAXED) == map)
		__atomic_store_n(&e->map, NULL, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&reg_mutex);
}

/* ---- mapping ---- */

/*
 * A ring buffer's data pages are mapped a second time right after the
 * object, as the kernel does, so that a record that wraps around the end is
 * still contiguous for the program and the consumer.
 */
static void *map_object(int fd, const struct uxdp_shm_hdr *h, size_t *len)
{
	uint8_t *base;

	if (h->type != BPF_MAP_TYPE_RINGBUF) {
		*len = h->total_size;
		base = mmap(NULL, *len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		return base == MAP_FAILED ? NULL : base;
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
	return base;
}

static int make_handle(struct uxdp_shm_hdr *h, size_t len, struct uxdp_map **out)
{
	struct uxdp_map *m = calloc(1, sizeof(*m));

	if (!m)
		return -ENOMEM;
	m->hdr = h;
	m->map_len = len;
	m->data = (uint8_t *)h + h->data_off;
	m->max_entries = h->max_entries;
	m->stride = h->stride;
	m->type = h->type;
	m->key_size = h->key_size;
	m->value_size = h->value_size;
	m->map_flags = h->map_flags;
	m->ncpus = h->ncpus;
	m->id = h->id;
	m->ops = ops_for(h->type);
	if (h->type == BPF_MAP_TYPE_PROG_ARRAY) {
		m->fns = calloc(h->max_entries, sizeof(*m->fns));
		if (!m->fns) {
			free(m);
			return -ENOMEM;
		}
	}
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

static bool same_shape(const struct uxdp_shm_hdr *h, const struct uxdp_shm_hdr *want)
{
	return h->type == want->type && h->key_size == want->key_size &&
	       h->value_size == want->value_size && h->max_entries == want->max_entries &&
	       h->map_flags == want->map_flags && h->ncpus == want->ncpus;
}

int uxdp_map_open(const char *instance, const char *name, struct uxdp_map **out);

int uxdp_map_create(const char *instance, const struct uxdp_map_def *def, struct uxdp_map **out)
{
	const char *inst = inst_or_default(instance);
	char path[SHM_NAME_MAX];
	struct uxdp_shm_hdr *t, *h;
	struct uxdp_map *m;
	uint64_t size;
	size_t len;
	int fd, err;

	if (!def || !out)
		return -EINVAL;
	err = check_instance(inst);
	err = err ?: check_name(def->name);
	err = err ?: check_def(def);
	err = err ?: shm_name(path, sizeof(path), inst, def->name);
	if (err)
		return err;

	t = calloc(1, UXDP_SHM_HDR_SIZE);
	if (!t)
		return -ENOMEM;
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
	t->ring_size = def->perf_ring_size ? def->perf_ring_size : 65536;
	if (def->inner) {
		t->inner_type = def->inner->type;
		t->inner_key_size = def->inner->key_size;
		t->inner_value_size = def->inner->value_size;
		t->inner_max_entries = def->inner->max_entries;
		t->inner_map_flags = def->inner->map_flags;
	}
	snprintf(t->name, sizeof(t->name), "%s", def->name);
	snprintf(t->instance, sizeof(t->instance), "%s", inst);
	t->data_off = UXDP_SHM_HDR_SIZE;
	size = ops_for(def->type)->layout(t);
	if (!size || size > (1ull << 40)) {
		free(t);
		return size ? -E2BIG : -EINVAL;
	}
	t->data_size = uxdp_round_up(size, 4096);
	t->total_size = t->data_off + t->data_size;

	fd = shm_open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
	if (fd < 0) {
		err = -errno;
		if (err == -EEXIST && (def->flags & UXDP_MAP_DEF_REUSE)) {
			err = uxdp_map_open(inst, def->name, out);
			if (!err && !same_shape((*out)->hdr, t)) {
				uxdp_map_close(*out);
				*out = NULL;
				err = -EEXIST;
			}
		}
		free(t);
		return err;
	}
	err = alloc_id(inst, &t->id);
	if (!err && ftruncate(fd, (off_t)t->total_size) < 0)
		err = -errno;
	h = err ? NULL : map_object(fd, t, &len);
	if (!err && !h)
		err = -errno;
	close(fd);
	if (err)
		goto fail;
	memcpy(h, t, UXDP_SHM_HDR_SIZE);
	err = make_handle(h, len, &m);
	if (err) {
		munmap(h, len);
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

/* Read the header of an object, waiting briefly for a creator to finish. */
static int read_header(int fd, struct uxdp_shm_hdr *out)
{
	struct timespec ts = { 0, 1000000 };
	struct uxdp_shm_hdr *h;
	struct stat st;
	int err = 0;

	if (fstat(fd, &st) < 0)
		return -errno;
	for (int i = 0; st.st_size < UXDP_SHM_HDR_SIZE; i++) {
		if (i == 1000)
			return -EAGAIN;
		nanosleep(&ts, NULL);
		if (fstat(fd, &st) < 0)
			return -errno;
	}
	h = mmap(NULL, UXDP_SHM_HDR_SIZE, PROT_READ, MAP_SHARED, fd, 0);
	if (h == MAP_FAILED)
		return -errno;
	for (int i = 0; !__atomic_load_n(&h->ready, __ATOMIC_ACQUIRE); i++) {
		if (i == 1000) {
			err = -EAGAIN;
			break;
		}
		nanosleep(&ts, NULL);
	}
	if (!err) {
		memcpy(out, h, sizeof(*out));
		if (out->magic != UXDP_SHM_MAGIC || out->version != UXDP_SHM_VERSION ||
		    out->total_size != (uint64_t)st.st_size || !ops_for(out->type))
			err = -EPROTO;
	}
	munmap(h, UXDP_SHM_HDR_SIZE);
	return err;
}

static int open_path(const char *path, struct uxdp_map **out)
{
	struct uxdp_shm_hdr h;
	void *base;
	size_t len;
	int fd, err;

	fd = shm_open(path, O_RDWR, 0);
	if (fd < 0)
		return -errno;
	err = read_header(fd, &h);
	base = err ? NULL : map_object(fd, &h, &len);
	if (!err && !base)
		err = -errno;
	close(fd);
	if (err)
		return err;
	err = make_handle(base, len, out);
	if (err) {
		munmap(base, len);
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
	munmap(map->hdr, map->map_len);
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
	char prefix[SHM_NAME_MAX], path[SHM_NAME_MAX + 256];
	struct uxdp_map_info info;
	struct uxdp_shm_hdr h;
	struct dirent *de;
	size_t plen;
	DIR *dir;
	int err = check_instance(inst);

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
		fd = shm_open(path, O_RDONLY, 0);
		if (fd < 0)
			continue; /* unlinked meanwhile */
		err = read_header(fd, &h);
		close(fd);
		if (err) {
			err = 0; /* not ours, or still being created: not a map yet */
			continue;
		}
		fill_info(&h, &info);
		err = cb(&info, arg);
		if (err)
			break;
	}
	closedir(dir);
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

struct uxdp_map *uxdp_inner_map(struct uxdp_map *outer, uint32_t id)
{
	return uxdp_map_by_id(outer->hdr->instance, id);
}

/* ---- value copies ---- */

void uxdp_copy_value(const struct uxdp_map *map, void *dst, const void *src)
{
	uint32_t off = map->hdr->spin_lock_off;

	if (!(map->hdr->def_flags & UXDP_MAP_DEF_SPIN_LOCK)) {
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

	if (!(map->hdr->def_flags & UXDP_MAP_DEF_SPIN_LOCK))
		return -EINVAL;
	lock = (uint32_t *)((uint8_t *)locked_val + map->hdr->spin_lock_off);
	uxdp_lock(lock);
	uxdp_copy_value(map, dst, src);
	uxdp_unlock(lock);
	return 0;
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
	if (map->type != BPF_MAP_TYPE_QUEUE && map->type != BPF_MAP_TYPE_STACK)
		return -EOPNOTSUPP;
	if (key)
		return -EINVAL;
	return uxdp_map_pop(map, value);
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

struct unlink_ctx {
	const char *inst;
	int err;
};

static int unlink_cb(const struct uxdp_map_info *info, void *arg)
{
	struct unlink_ctx *u = arg;
	int err = uxdp_map_unlink(u->inst, info->name);

	if (err && err != -ENOENT)
		u->err = err;
	return 0;
}

int uxdp_map_unlink_instance(const char *instance)
{
	const char *inst = inst_or_default(instance);
	struct unlink_ctx u = { .inst = inst };
	char name[SHM_NAME_MAX];
	int err = uxdp_map_list(inst, unlink_cb, &u);

	if (err)
		return err;
	snprintf(name, sizeof(name), "/uxdp.%s", inst);
	if (shm_unlink(name) < 0 && errno != ENOENT && !u.err)
		u.err = -errno;
	return u.err;
}

void uxdp_copy_value_out(const struct uxdp_map *map, void *dst, const void *src)
{
	memcpy(dst, src, map->value_size);
	/* As the kernel, never hand out the state of the value's lock. */
	if (map->hdr->def_flags & UXDP_MAP_DEF_SPIN_LOCK)
		memset((uint8_t *)dst + map->hdr->spin_lock_off, 0, 4);
}
