/* SPDX-License-Identifier: MIT */
/*
 * btf_maps.c - BTF-defined maps (SEC(".maps")), read with libbpf's public
 * BTF API only.  CO-RE relocations are core_relo.c's.
 *
 * A BTF map definition is a variable in DATASEC ".maps" whose type is a
 * struct; each member encodes one attribute in its *type*, not its value:
 *   __uint(name, N)    int (*name)[N]     -> N is the array's element count
 *   __type(key, T)     T *key             -> key_size = sizeof(T)
 *   __array(values, S) S *values[]        -> map-in-map: S is the inner map
 * This file decodes those shapes; elf_reader.c gives it the symbols, since
 * clang leaves the DATASEC offsets to be relocated and we use the symbols'.
 */
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <elf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uxdpc.h"

/* Chains of typedefs and modifiers longer than this are cycles or abuse. */
#define MAX_TYPE_HOPS 32

/* libbpf logs its own BTF parse errors to stderr; ours is the diag line. */
static int quiet_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

struct btf *uxdp_btf_parse(const struct uxdp_elf_view *v, struct uxdp_diag *diag, int *err)
{
	libbpf_print_fn_t old;
	struct btf *btf;

	if (v->btf_size > UINT32_MAX) {
		*err = diag_error(diag, -EINVAL, "%s: .BTF too large", v->name);
		return NULL;
	}
	old = libbpf_set_print(quiet_print);
	btf = btf__new(v->btf, (__u32)v->btf_size);
	*err = btf ? 0 : (errno ? -errno : -EINVAL);
	libbpf_set_print(old);
	if (!btf)
		diag_error(diag, *err, "%s: section .BTF is malformed: %s", v->name,
			   strerror(-*err));
	return btf;
}

/* The type behind typedefs and const/volatile/restrict/type tags, or NULL. */
static const struct btf_type *skip_mods(const struct btf *btf, __u32 id, __u32 *res_id)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	int hops = 0;

	while (t && (btf_is_mod(t) || btf_is_typedef(t))) {
		if (++hops > MAX_TYPE_HOPS)
			return NULL;
		id = t->type;
		t = btf__type_by_id(btf, id);
	}
	if (res_id)
		*res_id = id;
	return t;
}

struct map_ctx {
	const struct uxdp_elf_view *v;
	struct uxdp_diag *diag;
	const struct btf *btf;
	const char *map;     /* name of the map being read, for messages */
};

#define MAP_ERR(c, err, fmt, ...)                                                          \
	diag_error((c)->diag, err, "%s: map '%s': " fmt, (c)->v->name, (c)->map, ##__VA_ARGS__)

/* `int (*name)[N]` -> N */
static int field_uint(struct map_ctx *c, const struct btf_member *m, const char *name,
		      uint32_t *out)
{
	const struct btf_type *t = skip_mods(c->btf, m->type, NULL);
	const struct btf_type *arr;

	if (!t || !btf_is_ptr(t))
		return MAP_ERR(c, -EINVAL, "attribute '%s' is not a pointer (use __uint())", name);
	arr = btf__type_by_id(c->btf, t->type);
	if (!arr || !btf_is_array(arr))
		return MAP_ERR(c, -EINVAL, "attribute '%s' does not point to an array", name);
	*out = btf_array(arr)->nelems;
	return 0;
}

/* `T *name` -> sizeof(T), and T's id in *type_id */
static int field_size(struct map_ctx *c, const struct btf_member *m, const char *name,
		      uint32_t *out, __u32 *type_id)
{
	const struct btf_type *t = skip_mods(c->btf, m->type, NULL);
	__s64 sz;

	if (!t || !btf_is_ptr(t))
		return MAP_ERR(c, -EINVAL, "'%s' is not a pointer (use __type())", name);
	sz = btf__resolve_size(c->btf, t->type);
	if (sz < 0 || sz > UINT32_MAX)
		return MAP_ERR(c, -EINVAL, "cannot size the type of '%s'", name);
	*out = (uint32_t)sz;
	*type_id = t->type;
	return 0;
}

struct map_def {
	uint32_t type, key_size, value_size, max_entries, map_flags, pinning;
	uint32_t key_type_size, value_type_size;
	bool has_key_type, has_value_type;
	__u32 key_type_id, value_type_id; /* what the `key`/`value` pointers point to */
	__u32 inner_id;      /* struct type of the inner map definition, or 0 */
	uint32_t spin_lock_off; /* struct bpf_spin_lock in the value, or UINT32_MAX */
	uint32_t values_off;    /* the `values` member in the definition, or UINT32_MAX */
};

/*
 * Offset of a top-level struct bpf_spin_lock member in the value type the
 * pointer m points to, as the kernel's btf_find_spin_lock finds it for
 * BPF_F_LOCK updates and bpf_spin_lock; UINT32_MAX when there is none.
 */
static uint32_t find_spin_lock(struct map_ctx *c, const struct btf_member *m)
{
	const struct btf_type *t = skip_mods(c->btf, m->type, NULL);
	const struct btf_member *f;

	if (!t || !btf_is_ptr(t))
		return UINT32_MAX;
	t = skip_mods(c->btf, t->type, NULL);
	if (!t || !btf_is_struct(t))
		return UINT32_MAX;
	f = btf_members(t);
	for (__u16 i = 0; i < btf_vlen(t); i++, f++) {
		const struct btf_type *ft = skip_mods(c->btf, f->type, NULL);
		const char *name = ft ? btf__name_by_offset(c->btf, ft->name_off) : NULL;

		if (ft && btf_is_struct(ft) && name && !strcmp(name, "bpf_spin_lock"))
			return btf_member_bit_offset(t, i) / 8;
	}
	return UINT32_MAX;
}

/* Read the attributes of one definition struct; inner: no `values` allowed. */
static int parse_def(struct map_ctx *c, const struct btf_type *def, bool inner,
		     struct map_def *d)
{
	const struct btf_member *m = btf_members(def);
	__u16 i, n = btf_vlen(def);
	uint32_t unused;
	int err = 0;

	memset(d, 0, sizeof(*d));
	d->spin_lock_off = UINT32_MAX;
	d->values_off = UINT32_MAX;
	for (i = 0; i < n && !err; i++, m++) {
		const char *name = btf__name_by_offset(c->btf, m->name_off);

		if (!name || !name[0])
			return MAP_ERR(c, -EINVAL, "member %u has no name", i);
		if (!strcmp(name, "type")) {
			err = field_uint(c, m, name, &d->type);
		} else if (!strcmp(name, "max_entries")) {
			err = field_uint(c, m, name, &d->max_entries);
		} else if (!strcmp(name, "map_flags")) {
			err = field_uint(c, m, name, &d->map_flags);
		} else if (!strcmp(name, "key_size")) {
			err = field_uint(c, m, name, &d->key_size);
		} else if (!strcmp(name, "value_size")) {
			err = field_uint(c, m, name, &d->value_size);
		} else if (!strcmp(name, "pinning")) {
			err = field_uint(c, m, name, &d->pinning);
		} else if (!strcmp(name, "numa_node") || !strcmp(name, "map_extra")) {
			/* Meaningless in userspace; still must be well-formed. */
			err = field_uint(c, m, name, &unused);
		} else if (!strcmp(name, "key")) {
			err = field_size(c, m, name, &d->key_type_size, &d->key_type_id);
			d->has_key_type = true;
		} else if (!strcmp(name, "value")) {
			err = field_size(c, m, name, &d->value_type_size, &d->value_type_id);
			d->has_value_type = true;
			d->spin_lock_off = find_spin_lock(c, m);
		} else if (!strcmp(name, "values")) {
			const struct btf_type *t = skip_mods(c->btf, m->type, NULL);

			if (inner)
				return MAP_ERR(c, -EINVAL, "an inner map cannot have 'values'");
			if (!t || !btf_is_array(t) || btf_array(t)->nelems)
				return MAP_ERR(c, -EINVAL, "'values' is not a flexible array");
			t = skip_mods(c->btf, btf_array(t)->type, NULL);
			if (!t || !btf_is_ptr(t))
				return MAP_ERR(c, -EINVAL, "'values' is not an array of pointers");
			d->values_off = btf_member_bit_offset(def, i) / 8;
			t = skip_mods(c->btf, t->type, &d->inner_id);
			if (!t)
				return MAP_ERR(c, -EINVAL, "'values' points to a bad type");
			if (btf_is_func_proto(t))
				d->inner_id = 0; /* prog_array of programs */
			else if (!btf_is_struct(t))
				return MAP_ERR(c, -EINVAL,
					       "'values' must point to a map definition or a function");
		} else {
			return MAP_ERR(c, -EINVAL, "unknown attribute '%s'", name);
		}
	}
	if (err)
		return err;
	if (d->has_key_type) {
		if (d->key_size && d->key_size != d->key_type_size)
			return MAP_ERR(c, -EINVAL, "key_size %u and sizeof(key) %u disagree",
				       d->key_size, d->key_type_size);
		d->key_size = d->key_type_size;
	}
	if (d->has_value_type) {
		if (d->value_size && d->value_size != d->value_type_size)
			return MAP_ERR(c, -EINVAL, "value_size %u and sizeof(value) %u disagree",
				       d->value_size, d->value_type_size);
		d->value_size = d->value_type_size;
	}
	return 0;
}

static bool is_map_in_map(uint32_t type)
{
	return type == BPF_MAP_TYPE_ARRAY_OF_MAPS || type == BPF_MAP_TYPE_HASH_OF_MAPS;
}

/*
 * Whether a map keeps its key and value BTF: libbpf drops it for the types
 * whose values are descriptors or that have no key (bpf_map__create), so
 * the kernel, and bpftool after it, has none for them either.
 */
static bool keeps_btf(const struct map_def *d)
{
	switch (d->type) {
	case BPF_MAP_TYPE_PERF_EVENT_ARRAY:
	case BPF_MAP_TYPE_CGROUP_ARRAY:
	case BPF_MAP_TYPE_STACK_TRACE:
	case BPF_MAP_TYPE_ARRAY_OF_MAPS:
	case BPF_MAP_TYPE_HASH_OF_MAPS:
	case BPF_MAP_TYPE_DEVMAP:
	case BPF_MAP_TYPE_DEVMAP_HASH:
	case BPF_MAP_TYPE_CPUMAP:
	case BPF_MAP_TYPE_XSKMAP:
	case BPF_MAP_TYPE_SOCKMAP:
	case BPF_MAP_TYPE_SOCKHASH:
	case BPF_MAP_TYPE_QUEUE:
	case BPF_MAP_TYPE_STACK:
		return false;
	default:
		return d->has_value_type;
	}
}

/* The map's own BTF (btf_extract.c) from its definition d. */
static int map_btf(struct map_ctx *c, const struct map_def *d, struct uxdp_map_info *m)
{
	int err;

	if (!keeps_btf(d))
		return 0;
	err = uxdp_btf_extract(c->btf, d->has_key_type ? d->key_type_id : 0, d->value_type_id, m);
	/* A type we cannot copy only costs the formatted view: entries print as hex. */
	if (err == -ENOMEM)
		return MAP_ERR(c, err, "out of memory");
	return 0;
}

static const struct uxdp_elf_sym *find_map_sym(const struct uxdp_elf_view *v, const char *name)
{
	size_t i;

	for (i = 0; i < v->n_syms; i++) {
		const struct uxdp_elf_sym *y = &v->syms[i];

		if (y->shndx == v->maps_shndx && y->type != STT_SECTION && !strcmp(y->name, name))
			return y;
	}
	return NULL;
}

static int add_btf_map(struct uxdp_object *obj, struct map_ctx *c,
		       const struct btf_var_secinfo *vsi)
{
	const struct btf_type *var = btf__type_by_id(c->btf, vsi->type), *def, *idef;
	const struct uxdp_elf_sym *sym;
	struct uxdp_map_info *m;
	struct map_def d, id;
	char inner_name[256];
	size_t idx;
	int err;

	c->map = "?";
	if (!var || !btf_is_var(var))
		return diag_error(c->diag, -EINVAL, "%s: .maps: entry of type %u is not a variable",
				  c->v->name, vsi->type);
	c->map = btf__name_by_offset(c->btf, var->name_off);
	if (!c->map || !c->map[0])
		return diag_error(c->diag, -EINVAL, "%s: .maps: variable without a name",
				  c->v->name);
	def = skip_mods(c->btf, var->type, NULL);
	if (!def || !btf_is_struct(def))
		return MAP_ERR(c, -EINVAL, "definition is not a struct");
	sym = find_map_sym(c->v, c->map);
	if (!sym)
		return MAP_ERR(c, -EINVAL, "no symbol in section .maps");
	err = parse_def(c, def, false, &d);
	if (err)
		return err;
	if (d.inner_id && !is_map_in_map(d.type))
		return MAP_ERR(c, -EINVAL, "'values' of maps needs array_of_maps or hash_of_maps");
	if (!d.inner_id && is_map_in_map(d.type))
		return MAP_ERR(c, -EINVAL, "%s without an inner map definition ('values')",
			       uxdp_map_type_name(d.type));
	if (d.inner_id || d.type == BPF_MAP_TYPE_PROG_ARRAY) {
		/* The value of a map-in-map or prog_array slot is a 4-byte id. */
		if (d.value_size && d.value_size != 4)
			return MAP_ERR(c, -EINVAL, "value_size %u, must be 4", d.value_size);
		d.value_size = 4;
	}

	idx = obj->n_maps;
	m = uxdp_object_add_map(obj, c->map);
	if (!m)
		return MAP_ERR(c, -ENOMEM, "out of memory");
	m->type = d.type;
	m->key_size = d.key_size;
	m->value_size = d.value_size;
	m->max_entries = d.max_entries;
	m->map_flags = d.map_flags;
	m->pinning = d.pinning;
	m->spin_lock_off = d.spin_lock_off;
	m->values_off = d.values_off;
	m->kind = UXDP_MAP_KIND_USER;
	m->shndx = c->v->maps_shndx;
	m->sec_off = sym->value;
	m->sec_size = sym->size;
	err = map_btf(c, &d, m);
	if (err || !d.inner_id)
		return err;

	/* The inner template: named like libbpf names it, "outer.inner". */
	idef = btf__type_by_id(c->btf, d.inner_id);
	err = parse_def(c, idef, true, &id);
	if (err)
		return err;
	snprintf(inner_name, sizeof(inner_name), "%s.inner", c->map);
	m = uxdp_object_add_map(obj, inner_name);
	if (!m)
		return MAP_ERR(c, -ENOMEM, "out of memory");
	m->type = id.type;
	m->key_size = id.key_size;
	m->value_size = id.value_size;
	m->max_entries = id.max_entries;
	m->map_flags = id.map_flags;
	m->pinning = id.pinning;
	m->spin_lock_off = id.spin_lock_off;
	m->kind = UXDP_MAP_KIND_INNER;
	obj->maps[idx].inner_map = (int32_t)(obj->n_maps - 1);
	return map_btf(c, &id, m);
}

int uxdp_btf_maps_read(struct uxdp_object *obj, const struct uxdp_elf_view *v,
		       struct uxdp_diag *diag)
{
	struct map_ctx c = { .v = v, .diag = diag };
	const struct btf_type *sec = NULL;
	const struct btf_var_secinfo *vsi;
	struct btf *btf;
	__u32 id, n;
	int err = 0;
	__u16 i;

	if (v->maps_shndx < 0)
		return 0;
	if (!v->btf)
		return diag_error(diag, -EINVAL,
				  "%s: section .maps needs .BTF to describe its maps (compile with -g)",
				  v->name);
	btf = uxdp_btf_parse(v, diag, &err);
	if (!btf)
		return err;
	c.btf = btf;
	n = btf__type_cnt(btf);
	for (id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		const char *name;

		if (!t || !btf_is_datasec(t))
			continue;
		name = btf__name_by_offset(btf, t->name_off);
		if (name && !strcmp(name, ".maps")) {
			sec = t;
			break;
		}
	}
	if (!sec) {
		err = diag_error(diag, -EINVAL, "%s: .BTF has no DATASEC '.maps'", v->name);
		goto out;
	}
	vsi = btf_var_secinfos(sec);
	for (i = 0; i < btf_vlen(sec) && !err; i++, vsi++)
		err = add_btf_map(obj, &c, vsi);
out:
	btf__free(btf);
	return err;
}
