// SPDX-License-Identifier: MIT
/*
 * create.c - BPF_MAP_CREATE: a new map in the instance, with the kernel's
 * checks on the attr, handed out as a map descriptor like every other
 * (fdmap.c).
 *
 * A kernel map lives while a descriptor, a pin or a program holds it; a
 * uxdp map is a named segment that lives until it is removed.  So the maps
 * this process creates are remembered, and those that no program loaded
 * through this process uses (prog.c marks them) are removed when it exits:
 * libbpf's feature probes and a loader that failed leave nothing behind,
 * and the maps of a program loaded into uxdpd stay, with its ids, for
 * bpftool and uxdpctl.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bpfsys.h"

struct created {
	struct created *next;
	char name[UXDP_MAP_NAME_LEN];
	bool used;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct created *created;
static pid_t creator;

/* The kernel's map flags (6.1), and those a map type may take. */
/* The last type of the uapi the library was built with (6.1: the user ring buffer). */
#define BPF_MAP_TYPE_LAST_KNOWN BPF_MAP_TYPE_USER_RINGBUF

#define KNOWN_FLAGS                                                                                \
	(BPF_F_NO_PREALLOC | BPF_F_NO_COMMON_LRU | BPF_F_NUMA_NODE | BPF_F_RDONLY | BPF_F_WRONLY | \
	 BPF_F_STACK_BUILD_ID | BPF_F_ZERO_SEED | BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG |          \
	 BPF_F_CLONE | BPF_F_MMAPABLE | BPF_F_PRESERVE_ELEMS | BPF_F_INNER_MAP)

/* bpf_obj_name_cpy: letters, digits, '_' and '.', NUL-terminated within 16. */
static int check_name(const char *name, size_t size)
{
	size_t i;

	for (i = 0; i < size && name[i]; i++)
		if (!isalnum((unsigned char)name[i]) && name[i] != '_' && name[i] != '.')
			return -EINVAL;
	return i == size ? -EINVAL : 0;
}

/* The kernel allows no name; a segment needs one. */
static void anon_name(char *buf, size_t size)
{
	static unsigned int seq;

	snprintf(buf, size, "anon.%d.%u", (int)getpid(), __atomic_fetch_add(&seq, 1, 0));
}

static void remember(const char *name)
{
	struct created *c = calloc(1, sizeof(*c));

	if (!c)
		return; /* the map is then kept at exit, as uxdp's own maps are */
	snprintf(c->name, sizeof(c->name), "%s", name);
	pthread_mutex_lock(&lock);
	creator = getpid();
	c->next = created;
	created = c;
	pthread_mutex_unlock(&lock);
}

void bpfsys_map_mark_used(const char *name)
{
	pthread_mutex_lock(&lock);
	for (struct created *c = created; c; c = c->next)
		if (!strcmp(c->name, name))
			c->used = true;
	pthread_mutex_unlock(&lock);
}

__attribute__((destructor)) static void remove_unused(void)
{
	if (creator != getpid())
		return; /* a forked child's exit is not its parent's */
	for (struct created *c = created; c; c = c->next)
		if (!c->used)
			uxdp_map_unlink(bpfsys_instance(), c->name);
}

/* The types uxdp's map runtime has, less map-in-map (its inner map comes by fd). */
static bool served_type(uint32_t type)
{
	switch (type) {
	case BPF_MAP_TYPE_ARRAY:
	case BPF_MAP_TYPE_PERCPU_ARRAY:
	case BPF_MAP_TYPE_PROG_ARRAY:
	case BPF_MAP_TYPE_DEVMAP:
	case BPF_MAP_TYPE_XSKMAP:
	case BPF_MAP_TYPE_CPUMAP:
	case BPF_MAP_TYPE_PERF_EVENT_ARRAY:
	case BPF_MAP_TYPE_HASH:
	case BPF_MAP_TYPE_PERCPU_HASH:
	case BPF_MAP_TYPE_LRU_HASH:
	case BPF_MAP_TYPE_LRU_PERCPU_HASH:
	case BPF_MAP_TYPE_DEVMAP_HASH:
	case BPF_MAP_TYPE_LPM_TRIE:
	case BPF_MAP_TYPE_QUEUE:
	case BPF_MAP_TYPE_STACK:
	case BPF_MAP_TYPE_RINGBUF:
		return true;
	default:
		return false;
	}
}

static long refuse_type(uint32_t type)
{
	char why[160];

	snprintf(why, sizeof(why),
		 "map type %u (or offload, or a kernel-typed value) is not served by uxdp: "
		 "map-in-map and types uxdp has no runtime for (docs/control-plane.md)",
		 type);
	bpfsys_say_once(BPF_MAP_CREATE, why);
	return -EOPNOTSUPP;
}

static int check_attr(const struct bpfsys_call *c)
{
	const union bpf_attr *a = &c->attr;

	if (!bpfsys_attr_zero_from(c, ATTR_END(map_extra)))
		return -EINVAL;
	if (a->btf_vmlinux_value_type_id && (a->btf_key_type_id || a->btf_value_type_id))
		return -EINVAL;
	if (a->map_type != BPF_MAP_TYPE_BLOOM_FILTER && a->map_extra)
		return -EINVAL;
	if (a->map_flags & ~(uint32_t)KNOWN_FLAGS)
		return -EINVAL;
	if (a->map_type > BPF_MAP_TYPE_LAST_KNOWN)
		return -EINVAL;
	return check_name(a->map_name, sizeof(a->map_name));
}

/*
 * libbpf probes kernel features with maps it names libbpf_* (global data,
 * prog bind) and programs of other types that use them: those are the
 * kernel's to answer, with kernel maps that go with their fds.
 */
static bool libbpf_probe(const union bpf_attr *a)
{
	return !strncmp(a->map_name, "libbpf_", 7);
}

long bpfsys_map_create(struct bpfsys_call *c)
{
	const union bpf_attr *a = &c->attr;
	char name[UXDP_MAP_NAME_LEN];
	struct uxdp_map_def def = { .sz = sizeof(def) };
	struct bpfsys_blob btf;
	struct uxdp_map *m;
	int err = check_attr(c);

	if (err)
		return err;
	/*
	 * libbpf's probe for mmapable arrays (libbpf_mmap) is the kernel's, as
	 * its other probes: it says yes, so libbpf makes its global data with
	 * BPF_F_MMAPABLE and a skeleton maps .data, .bss and .rodata; mmap of
	 * a uxdp array is served as the kernel's (mmap.c), and the compiled
	 * object's data sections bind to such maps (the flag is no part of a
	 * map's shape).
	 */
	if (libbpf_probe(a))
		return bpfsys_kernel(c);
	if (!served_type(a->map_type) || a->map_ifindex || a->btf_vmlinux_value_type_id)
		return refuse_type(a->map_type);
	/* The key/value types of the caller's BTF object, kept in the segment. */
	err = bpfsys_create_btf(a, &btf);
	if (err)
		return err;
	def.btf = btf.data;
	def.btf_size = btf.size;
	def.btf_key_type_id = btf.key_type_id;
	def.btf_value_type_id = btf.value_type_id;
	if (a->map_name[0])
		snprintf(name, sizeof(name), "%s", a->map_name);
	else
		anon_name(name, sizeof(name));
	def.name = name;
	def.type = a->map_type;
	def.key_size = a->key_size;
	def.value_size = a->value_size;
	def.max_entries = a->max_entries;
	def.map_flags = a->map_flags & ~(uint32_t)(BPF_F_RDONLY | BPF_F_WRONLY | BPF_F_NUMA_NODE);
	/*
	 * Per-CPU maps get a slot per possible CPU, as the kernel's, or per
	 * worker of the daemon if it has more: what a tool writes for every
	 * possible CPU (xdp-filter's rules) reads back whole, and each worker
	 * has its own slot.  (Other maps: the daemon's count, as its own.)
	 */
	def.ncpus = bpfsys_daemon_workers();
	if (bpfsys_is_percpu(def.type) && def.ncpus < bpfsys_possible_cpus())
		def.ncpus = bpfsys_possible_cpus();
	err = uxdp_map_create(bpfsys_instance(), &def, &m);
	if (err == -EEXIST) {
		/*
		 * The kernel makes a new map on every create: so do we, under
		 * the name; a program still running on the old one keeps it.
		 */
		err = uxdp_map_unlink(bpfsys_instance(), name);
		err = err ?: uxdp_map_create(bpfsys_instance(), &def, &m);
	}
	free(btf.data);
	if (err)
		return err == -ENAMETOOLONG ? -EINVAL : err;
	uxdp_map_close(m);
	remember(name);
	/* The kernel's map fd may read and write, whatever BPF_F_RDONLY says for programs. */
	return bpfsys_fd_open(bpfsys_instance(), name,
			      (a->map_flags & BPF_F_RDONLY)	? O_RDONLY
			      : (a->map_flags & BPF_F_WRONLY) ? O_WRONLY
							      : O_RDWR);
}
