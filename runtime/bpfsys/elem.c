// SPDX-License-Identifier: MIT
/*
 * elem.c - element commands on uxdp maps: lookup, update, delete, get next
 * key, lookup-and-delete (queue/stack pop, the hash types), in the
 * kernel's order of checks (attr tail, flags, fd, access mode, key copy) so
 * that errnos match.
 *
 * Per-CPU values cross the boundary as the kernel's ABI has them: one
 * round_up(value_size, 8) slot per *possible* CPU (libbpf and bpftool size
 * their buffers from /sys/devices/system/cpu/possible).  A uxdp per-CPU map
 * has a slot per worker instead (its ncpus): the slots both have are copied,
 * a possible CPU without a worker reads as zeros and its written value is
 * dropped, and a worker beyond the possible CPUs (more workers than CPUs)
 * is not seen and is written zeros.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfsys.h"

#define ROUND8(x) (((x) + 7u) & ~7u)

bool bpfsys_is_percpu(uint32_t type)
{
	return type == BPF_MAP_TYPE_PERCPU_ARRAY || type == BPF_MAP_TYPE_PERCPU_HASH ||
	       type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

static bool is_queue(uint32_t type)
{
	return type == BPF_MAP_TYPE_QUEUE || type == BPF_MAP_TYPE_STACK;
}

/* Possible CPUs as libbpf counts them ("0-3,8"), once. */
unsigned int bpfsys_possible_cpus(void)
{
	static unsigned int n;
	char buf[256], *p = buf;
	unsigned int count = 0;
	FILE *f;

	if (__atomic_load_n(&n, __ATOMIC_RELAXED))
		return n;
	f = fopen("/sys/devices/system/cpu/possible", "re");
	if (!f || !fgets(buf, sizeof(buf), f)) {
		if (f)
			fclose(f);
		return 1;
	}
	fclose(f);
	while (*p && *p != '\n') {
		char *end;
		unsigned long a = strtoul(p, &end, 10), b = a;

		if (end == p)
			break;
		if (*end == '-')
			b = strtoul(end + 1, &end, 10);
		count += (unsigned int)(b - a + 1);
		p = *end == ',' ? end + 1 : end;
	}
	__atomic_store_n(&n, count ? count : 1, __ATOMIC_RELAXED);
	return n;
}

static size_t user_value_bytes(const struct uxdp_map_info *i)
{
	if (bpfsys_is_percpu(i->type))
		return (size_t)ROUND8(i->value_size) * bpfsys_possible_cpus();
	return i->value_size;
}

/* Copy the common per-CPU slots from a layout of from_n slots to one of to_n. */
static void copy_slots(void *to, unsigned int to_n, const void *from, unsigned int from_n,
		       size_t stride)
{
	unsigned int both = to_n < from_n ? to_n : from_n;

	memcpy(to, from, both * stride);
	memset((char *)to + both * stride, 0, (to_n - both) * stride);
}

int bpfsys_values_alloc(struct bpfsys_map *m, struct values *v)
{
	v->ux_bytes = uxdp_map_value_bytes(m->map);
	v->user_bytes = user_value_bytes(&m->info);
	v->ux = calloc(1, v->ux_bytes ? v->ux_bytes : 1);
	v->user = bpfsys_is_percpu(m->info.type) ? calloc(1, v->user_bytes ? v->user_bytes : 1) : v->ux;
	if (!v->ux || !v->user) {
		free(v->ux);
		if (v->user != v->ux)
			free(v->user);
		return -ENOMEM;
	}
	return 0;
}

void bpfsys_values_free(struct values *v)
{
	if (v->user != v->ux)
		free(v->user);
	free(v->ux);
}

int bpfsys_value_out(struct bpfsys_map *m, struct values *v, uint64_t uptr)
{
	if (v->user != v->ux)
		copy_slots(v->user, bpfsys_possible_cpus(), v->ux, uxdp_map_ncpus(m->map),
			   ROUND8(m->info.value_size));
	return bpfsys_copy_out(uptr, v->user, v->user_bytes);
}

/*
 * Maps this library creates have a slot per possible CPU (create.c); one a
 * uxdp run made from its object has a slot per worker.  In such a map,
 * values written for possible CPUs that have no worker are dropped; a tool
 * that reads them back expecting every CPU's (xdp-filter finds a rule only
 * when all possible CPUs have its flags) then sees zeros.  That is the
 * documented answer (bpftool's per-CPU updates hit it every time), so it
 * is said, once, only with UXDP_BPFSYS_DEBUG set.
 */
static void warn_dropped(struct bpfsys_map *m, const struct values *v)
{
	static bool said;
	size_t stride = ROUND8(m->info.value_size), have = uxdp_map_ncpus(m->map);
	const uint8_t *p = v->user;
	const char *d = getenv("UXDP_BPFSYS_DEBUG");

	if (!d || !*d || !strcmp(d, "0"))
		return;
	if (have >= bpfsys_possible_cpus() || __atomic_load_n(&said, __ATOMIC_RELAXED))
		return;
	for (size_t i = have * stride; i < (size_t)bpfsys_possible_cpus() * stride; i++) {
		if (p[i]) {
			__atomic_store_n(&said, true, __ATOMIC_RELAXED);
			fprintf(stderr,
				"uxdp-bpfsys: per-CPU map %s: values written for CPUs %zu-%u are "
				"dropped: it has a slot per worker of the run (%zu), the kernel "
				"one per possible CPU (%u) (docs/control-plane.md)\n",
				m->info.name, have, bpfsys_possible_cpus() - 1, have, bpfsys_possible_cpus());
			return;
		}
	}
}

int bpfsys_value_in(struct bpfsys_map *m, struct values *v, uint64_t uptr)
{
	int err;

	/*
	 * A uxdp prog_array slot holds a program index of the process that
	 * runs the program (uxdp/map.h), which a BPF_PROG_LOAD descriptor is
	 * not: written as it is, a tail call would run whatever program has
	 * that index.  Refused, as the kernel refuses a type it cannot serve.
	 */
	if (m->info.type == BPF_MAP_TYPE_PROG_ARRAY) {
		fprintf(stderr,
			"uxdp-bpfsys: map %s: a prog_array's slots cannot be written through bpf(): "
			"tail calls to programs loaded by descriptor are not provided\n",
			m->info.name);
		return -EOPNOTSUPP;
	}
	err = bpfsys_copy_in(v->user, uptr, v->user_bytes);

	if (!err && v->user != v->ux) {
		copy_slots(v->ux, uxdp_map_ncpus(m->map), v->user, bpfsys_possible_cpus(),
			   ROUND8(m->info.value_size));
		warn_dropped(m, v);
	}
	return err;
}

/* The kernel's __bpf_copy_key: key_size bytes, or NULL for keyless maps. */
int bpfsys_key_in(const struct bpfsys_map *m, uint64_t ukey, void **key)
{
	int err;

	*key = NULL;
	if (!m->info.key_size)
		return ukey ? -EINVAL : 0;
	*key = malloc(m->info.key_size);
	if (!*key)
		return -ENOMEM;
	err = bpfsys_copy_in(*key, ukey, m->info.key_size);
	if (err) {
		free(*key);
		*key = NULL;
	}
	return err;
}

/*
 * The runtime says -EOPNOTSUPP for an operation a map type does not have;
 * bpf(2) says the kernel's internal ENOTSUPP (524) for the same cases (a
 * ring buffer's lookup, a perf array's lookup, ...).
 */
int bpfsys_kernel_errno(int err)
{
	return err == -EOPNOTSUPP ? -ENOTSUPP : err;
}

bool bpfsys_can_read(const struct bpfsys_map *m)
{
	return m->fd_mode != O_WRONLY;
}

/* A frozen map is read-only to bpf(2) callers, whatever their fd says (the kernel's sys perms). */
bool bpfsys_can_write(const struct bpfsys_map *m)
{
	return m->fd_mode != O_RDONLY && !uxdp_map_frozen(m->map);
}

/* Our map behind attr.map_fd: 1, or 0 to pass the call on, or -errno. */
static int map_of(struct bpfsys_call *c, struct bpfsys_map *m)
{
	return bpfsys_fd_map((int)c->attr.map_fd, m);
}

/* The key from attr.key, op on it, its value out to attr.value (lookup, lookup-and-delete). */
static long value_of_key(struct bpfsys_call *c, struct bpfsys_map *m,
			 int (*op)(struct uxdp_map *, const void *, void *))
{
	struct values v;
	void *key;
	int r = bpfsys_key_in(m, c->attr.key, &key);

	if (r)
		return r;
	r = bpfsys_values_alloc(m, &v);
	if (!r) {
		r = bpfsys_kernel_errno(op(m->map, key, v.ux));
		r = r ?: bpfsys_value_out(m, &v, c->attr.value);
		bpfsys_values_free(&v);
	}
	free(key);
	return r;
}

long bpfsys_map_lookup_elem(struct bpfsys_call *c)
{
	struct bpfsys_map m;
	int r;

	if (!bpfsys_attr_zero_from(c, ATTR_END(flags)) || (c->attr.flags & ~(uint64_t)BPF_F_LOCK))
		return -EINVAL;
	r = map_of(c, &m);
	if (r <= 0)
		return r < 0 ? r : bpfsys_kernel(c);
	if (!bpfsys_can_read(&m))
		return -EPERM;
	/* BPF_F_LOCK needs the value's bpf_spin_lock, which uxdp does not report here. */
	if (c->attr.flags & BPF_F_LOCK)
		return -EINVAL;
	return value_of_key(c, &m, uxdp_map_lookup_elem_copy);
}

long bpfsys_map_update_elem(struct bpfsys_call *c)
{
	struct bpfsys_map m;
	struct values v;
	void *key;
	int r;

	if (!bpfsys_attr_zero_from(c, ATTR_END(flags)))
		return -EINVAL;
	r = map_of(c, &m);
	if (r <= 0)
		return r < 0 ? r : bpfsys_kernel(c);
	if (!bpfsys_can_write(&m))
		return -EPERM;
	if (m.info.type == BPF_MAP_TYPE_PERF_EVENT_ARRAY)
		return bpfsys_perf_update(c, &m);
	r = bpfsys_key_in(&m, c->attr.key, &key);
	if (r)
		return r;
	r = bpfsys_values_alloc(&m, &v);
	if (!r) {
		r = bpfsys_value_in(&m, &v, c->attr.value);
		r = r ?: bpfsys_kernel_errno(uxdp_map_update_elem(m.map, key, v.ux, c->attr.flags));
		bpfsys_values_free(&v);
	}
	free(key);
	return r;
}

long bpfsys_map_delete_elem(struct bpfsys_call *c)
{
	struct bpfsys_map m;
	void *key;
	int r;

	if (!bpfsys_attr_zero_from(c, ATTR_END(key)))
		return -EINVAL;
	r = map_of(c, &m);
	if (r <= 0)
		return r < 0 ? r : bpfsys_kernel(c);
	if (!bpfsys_can_write(&m))
		return -EPERM;
	r = bpfsys_key_in(&m, c->attr.key, &key);
	if (r)
		return r;
	r = bpfsys_kernel_errno(uxdp_map_delete_elem(m.map, key));
	if (!r && m.info.type == BPF_MAP_TYPE_PERF_EVENT_ARRAY)
		bpfsys_perf_deleted(m.info.id, *(uint32_t *)key);
	free(key);
	return r;
}

long bpfsys_map_get_next_key(struct bpfsys_call *c)
{
	struct bpfsys_map m;
	void *key = NULL, *next;
	int r;

	if (!bpfsys_attr_zero_from(c, ATTR_END(next_key)))
		return -EINVAL;
	r = map_of(c, &m);
	if (r <= 0)
		return r < 0 ? r : bpfsys_kernel(c);
	if (!bpfsys_can_read(&m))
		return -EPERM;
	if (c->attr.key) {
		r = bpfsys_key_in(&m, c->attr.key, &key);
		if (r)
			return r;
	}
	next = malloc(m.info.key_size ? m.info.key_size : 1);
	r = next ? bpfsys_kernel_errno(uxdp_map_get_next_key(m.map, key, next)) : -ENOMEM;
	r = r ?: bpfsys_copy_out(c->attr.next_key, next, m.info.key_size);
	free(next);
	free(key);
	return r;
}

long bpfsys_map_lookup_and_delete_elem(struct bpfsys_call *c)
{
	struct bpfsys_map m;
	int r;

	if (!bpfsys_attr_zero_from(c, ATTR_END(flags)) || (c->attr.flags & ~(uint64_t)BPF_F_LOCK))
		return -EINVAL;
	r = map_of(c, &m);
	if (r <= 0)
		return r < 0 ? r : bpfsys_kernel(c);
	if (!bpfsys_can_read(&m) || !bpfsys_can_write(&m))
		return -EPERM;
	if (c->attr.flags && is_queue(m.info.type))
		return -EINVAL;
	if (c->attr.flags & BPF_F_LOCK)
		return -EINVAL;
	/* queue/stack: pop; the hash types: atomically, as the kernel does */
	return value_of_key(c, &m, uxdp_map_lookup_and_delete_elem);
}

/* The kernel's map_freeze: write access needed, so a second freeze is EPERM. */
long bpfsys_map_freeze(struct bpfsys_call *c)
{
	struct bpfsys_map m;
	int r;

	if (!bpfsys_attr_zero_from(c, ATTR_END(map_fd)))
		return -EINVAL;
	r = map_of(c, &m);
	if (r <= 0)
		return r < 0 ? r : bpfsys_kernel(c);
	if (!bpfsys_can_write(&m))
		return -EPERM;
	return uxdp_map_freeze(m.map);
}
