// SPDX-License-Identifier: MIT
/*
 * btf.c - a uxdp map's key/value BTF as a kernel BTF object, so that its
 * bpf_map_info carries btf_id, btf_key_type_id and btf_value_type_id as a
 * kernel map's does.  Tools then read the BTF the way they read a kernel
 * map's (bpftool: btf__load_from_kernel_by_id, i.e. BPF_BTF_GET_FD_BY_ID
 * and BPF_OBJ_GET_INFO_BY_FD on the BTF fd, both passed to the kernel) and
 * format keys and values by it.
 *
 * The blob (uxdp_map_btf: only the key and value types, self-contained) is
 * loaded with BPF_BTF_LOAD once per map and process; the descriptor is kept
 * for the process's life, as the map handles are (fdmap.c).  The kernel
 * checks the blob; the type ids must then name types of exactly key_size
 * and value_size bytes, as the kernel checks at map creation, since a tool
 * trusts them to read that many bytes.  When any of it fails (no BPF,
 * not allowed, no BTF, a damaged or mismatched blob) the map has no BTF,
 * btf_id 0, and tools print hex: said on stderr only under
 * UXDP_BPFSYS_DEBUG, since hex output is a correct answer.
 */
#include <errno.h>
#include <linux/btf.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bpfsys.h"

struct loaded {
	struct loaded *next;
	const struct uxdp_map *map;
	int fd; /* -1: loading failed, not tried again */
	struct bpfsys_btf ids;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct loaded *loaded;

static void reset_lock(void)
{
	pthread_mutex_init(&lock, NULL);
}

__attribute__((constructor)) static void register_reset(void)
{
	pthread_atfork(NULL, NULL, reset_lock);
}

static void debug(const struct bpfsys_map *m, const char *what, int err)
{
	const char *d = getenv("UXDP_BPFSYS_DEBUG");

	if (d && *d && strcmp(d, "0"))
		fprintf(stderr, "uxdp-bpfsys: map %s: no BTF for bpf_map_info: %s%s%s\n",
			m->info.name, what, err ? ": " : "", err ? strerror(-err) : "");
}

/* ---- type sizes, on a blob the kernel accepted ---- */

struct blob {
	const uint8_t *types;
	uint32_t types_len;
	uint32_t count; /* type ids 1..count - 1 */
	uint32_t off[UXDP_MAP_BTF_MAX / sizeof(struct btf_type) + 1];
};

/* Bytes of kind-specific data after a struct btf_type; -1 for an unknown kind. */
long bpfsys_btf_extra_bytes(const struct btf_type *t)
{
	uint32_t vlen = BTF_INFO_VLEN(t->info);

	switch (BTF_INFO_KIND(t->info)) {
	case BTF_KIND_INT:
	case BTF_KIND_VAR:
	case BTF_KIND_DECL_TAG:
		return 4;
	case BTF_KIND_ARRAY:
		return sizeof(struct btf_array);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
	case BTF_KIND_DATASEC:
	case BTF_KIND_ENUM64:
		return 12L * vlen;
	case BTF_KIND_ENUM:
	case BTF_KIND_FUNC_PROTO:
		return 8L * vlen;
	case BTF_KIND_PTR:
	case BTF_KIND_FWD:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_FUNC:
	case BTF_KIND_FLOAT:
	case BTF_KIND_TYPE_TAG:
		return 0;
	default:
		return -1;
	}
}

/* Index the types of blob; -EINVAL if they do not tile the type section. */
static int blob_index(const void *data, uint32_t size, struct blob *b)
{
	struct btf_header h;
	uint32_t pos = 0;

	if (size < sizeof(h))
		return -EINVAL;
	memcpy(&h, data, sizeof(h));
	if (h.magic != BTF_MAGIC || h.hdr_len > size || h.type_off > size - h.hdr_len ||
	    h.type_len > size - h.hdr_len - h.type_off)
		return -EINVAL;
	b->types = (const uint8_t *)data + h.hdr_len + h.type_off;
	b->types_len = h.type_len;
	b->count = 1;
	while (pos < b->types_len) {
		struct btf_type t;
		long extra;

		if (b->types_len - pos < sizeof(t) ||
		    b->count >= sizeof(b->off) / sizeof(b->off[0]))
			return -EINVAL;
		memcpy(&t, b->types + pos, sizeof(t));
		extra = bpfsys_btf_extra_bytes(&t);
		if (extra < 0 || (uint64_t)extra > b->types_len - pos - sizeof(t))
			return -EINVAL;
		b->off[b->count++] = pos;
		pos += (uint32_t)(sizeof(t) + (size_t)extra);
	}
	return 0;
}

/* The size in bytes of a value of type id (the kernel's btf_type_id_size); -EINVAL if none. */
static long long type_size(const struct blob *b, uint32_t id, int depth)
{
	struct btf_type t;
	struct btf_array a;
	long long n;

	if (!id || id >= b->count || depth > 32)
		return -EINVAL;
	memcpy(&t, b->types + b->off[id], sizeof(t));
	switch (BTF_INFO_KIND(t.info)) {
	case BTF_KIND_INT:
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
	case BTF_KIND_FLOAT:
	case BTF_KIND_DATASEC:
		return t.size;
	case BTF_KIND_PTR:
		return sizeof(void *);
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
		return type_size(b, t.type, depth + 1);
	case BTF_KIND_ARRAY:
		memcpy(&a, b->types + b->off[id] + sizeof(t), sizeof(a));
		n = type_size(b, a.type, depth + 1);
		if (n < 0 || (a.nelems && (unsigned long long)n > UINT32_MAX / a.nelems))
			return -EINVAL;
		return n * a.nelems;
	default:
		return -EINVAL;
	}
}

/* Whether the ids name a key (or none) and a value of the map's sizes. */
static bool ids_fit(const struct bpfsys_map *m, const void *data, uint32_t size,
		    const struct bpfsys_btf *ids)
{
	static struct blob b; /* under lock */

	if (blob_index(data, size, &b))
		return false;
	if (ids->key_type_id && type_size(&b, ids->key_type_id, 0) != m->info.key_size)
		return false;
	return type_size(&b, ids->value_type_id, 0) == m->info.value_size;
}

/* ---- the kernel's BTF objects ---- */

static long sys_bpf(int cmd, union bpf_attr *attr)
{
	long r = bpfsys_real_syscall(__NR_bpf, cmd, (long)attr, sizeof(*attr), 0, 0, 0);

	return r < 0 ? -errno : r;
}

/* The kernel id of BTF object fd; -errno if fd is not one (any more). */
static long btf_fd_id(int fd)
{
	struct bpf_btf_info info;
	union bpf_attr attr;
	long r;

	memset(&info, 0, sizeof(info));
	memset(&attr, 0, sizeof(attr));
	attr.info.bpf_fd = (uint32_t)fd;
	attr.info.info_len = sizeof(info);
	attr.info.info = (uintptr_t)&info;
	r = sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &attr);
	return r < 0 ? r : (long)info.id;
}

/* Load m's blob into the kernel: l->fd and l->ids, or l->fd -1. */
static void load(const struct bpfsys_map *m, struct loaded *l)
{
	static uint8_t buf[UXDP_MAP_BTF_MAX]; /* under lock */
	struct bpfsys_btf ids = {0};
	union bpf_attr attr;
	uint32_t size;
	long r;

	l->fd = -1;
	r = uxdp_map_btf(m->map, buf, sizeof(buf), &size, &ids.key_type_id, &ids.value_type_id);
	if (r) {
		debug(m, r == -ENOENT ? "the map has none" : "reading the map's BTF",
		      r == -ENOENT ? 0 : (int)r);
		return;
	}
	memset(&attr, 0, sizeof(attr));
	attr.btf = (uintptr_t)buf;
	attr.btf_size = size;
	r = sys_bpf(BPF_BTF_LOAD, &attr);
	if (r < 0) {
		debug(m, "BPF_BTF_LOAD", (int)r);
		return;
	}
	if (!ids_fit(m, buf, size, &ids)) {
		debug(m, "its key/value type ids do not name types of the map's sizes", 0);
		close((int)r);
		return;
	}
	l->fd = (int)r;
	r = btf_fd_id(l->fd);
	if (r <= 0) {
		debug(m, "the id of the loaded BTF", r ? (int)r : -ENOENT);
		close(l->fd);
		l->fd = -1;
		return;
	}
	ids.btf_id = (uint32_t)r;
	l->ids = ids;
}

static struct loaded *find(const struct uxdp_map *map)
{
	for (struct loaded *l = loaded; l; l = l->next)
		if (l->map == map)
			return l;
	return NULL;
}

void bpfsys_map_btf(const struct bpfsys_map *m, struct bpfsys_btf *out)
{
	int saved = errno; /* the caller's call succeeds whatever happens here */
	struct loaded *l;

	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&lock);
	l = find(m->map);
	if (!l) {
		l = calloc(1, sizeof(*l));
		if (l) {
			l->map = m->map;
			load(m, l);
			l->next = loaded;
			loaded = l;
		}
	} else if (l->fd >= 0 && btf_fd_id(l->fd) != (long)l->ids.btf_id) {
		/* The program closed our descriptor (and maybe reused the number). */
		load(m, l);
	}
	if (l && l->fd >= 0)
		*out = l->ids;
	pthread_mutex_unlock(&lock);
	errno = saved;
}
