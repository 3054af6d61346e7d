/* SPDX-License-Identifier: MIT */
/*
 * btf_extract.c - a map's own BTF: the types its key and value reach, taken
 * out of the object's .BTF and re-encoded as a small self-contained blob,
 * so that uxdpctl can format the map's entries as bpftool does with the
 * kernel's btf_key_type_id/btf_value_type_id (object_format.h).
 *
 * Types are copied with btf__add_type() in the order a depth-first walk
 * first reaches them, so each new id is known before it is copied and
 * references (cycles included) are rewritten through one old->new table.
 * A pointer keeps no target: bpftool prints a pointer as its value, and a
 * pointee could drag in half of the kernel's types.
 *
 * Also linked into libuxdp-bpfsys.so (btf_extract.h), which makes the same
 * blob for a map a libbpf loader creates with a kernel BTF object.
 */
#include <bpf/btf.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "btf_extract.h"
#include "uxdpc.h"

struct extract {
	const struct btf *src;
	/* A global-data section: the DATASEC's size and its variables' offsets. */
	__u32 sec_size;
	const __u32 *vsi_off;
	__u32 *new_id; /* by source id; 0: not reached */
	__u32 *order;  /* source ids, in new-id order */
	__u32 n;       /* types reached */
	__u32 n_src;
};

/* The ids a type refers to, through cb; PTR targets are left out. */
static int visit_refs(const struct btf_type *t, int (*cb)(__u32 *id, void *arg), void *arg)
{
	int err = 0;
	__u16 i, n = btf_vlen(t);

	switch (btf_kind(t)) {
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
	case BTF_KIND_VAR:
		return cb((__u32 *)&t->type, arg);
	case BTF_KIND_ARRAY: {
		struct btf_array *a = btf_array(t);

		return cb(&a->type, arg) ?: cb(&a->index_type, arg);
	}
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION: {
		struct btf_member *m = btf_members(t);

		for (i = 0; i < n && !err; i++)
			err = cb(&m[i].type, arg);
		return err;
	}
	case BTF_KIND_DATASEC: {
		struct btf_var_secinfo *v = btf_var_secinfos(t);

		for (i = 0; i < n && !err; i++)
			err = cb(&v[i].type, arg);
		return err;
	}
	case BTF_KIND_INT:
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
	case BTF_KIND_FWD:
	case BTF_KIND_FLOAT:
	case BTF_KIND_PTR:
		return 0;
	default:
		return -EOPNOTSUPP; /* functions, decl tags: not in a key or value */
	}
}

static int reach(__u32 *id, void *arg);

static bool name_ok(const struct btf *src, __u32 off)
{
	return btf__str_by_offset(src, off) != NULL;
}

/*
 * Every string t names is in src's string section: btf__add_type copies
 * them, and older libbpf (Debian's 1.1) hands an offset past the section
 * to strlen as NULL instead of refusing the object when it parses it.
 */
_Static_assert(offsetof(struct btf_member, name_off) == 0 && offsetof(struct btf_enum, name_off) == 0 &&
		       offsetof(struct btf_enum64, name_off) == 0 &&
		       offsetof(struct btf_param, name_off) == 0,
	       "names_ok reads name_off at the start of each entry");

static bool names_ok(const struct btf *src, const struct btf_type *t)
{
	const uint8_t *entry = (const uint8_t *)(t + 1);
	size_t stride;

	/* members, enumerators and parameters each start with their name_off */
	switch (btf_kind(t)) {
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		stride = sizeof(struct btf_member);
		break;
	case BTF_KIND_ENUM:
		stride = sizeof(struct btf_enum);
		break;
	case BTF_KIND_ENUM64:
		stride = sizeof(struct btf_enum64);
		break;
	case BTF_KIND_FUNC_PROTO:
		stride = sizeof(struct btf_param);
		break;
	default:
		stride = 0;
		break;
	}
	if (!name_ok(src, t->name_off))
		return false;
	for (__u16 i = 0; stride && i < btf_vlen(t); i++, entry += stride) {
		__u32 off;

		memcpy(&off, entry, sizeof(off));
		if (!name_ok(src, off))
			return false;
	}
	return true;
}

static int reach_id(struct extract *x, __u32 id)
{
	const struct btf_type *t;

	if (id >= x->n_src)
		return -EINVAL; /* before new_id[id]: a type id from a damaged object */
	if (id == 0 || x->new_id[id])
		return 0;
	t = btf__type_by_id(x->src, id);
	if (!t || !names_ok(x->src, t))
		return -EINVAL;
	x->order[x->n++] = id;
	x->new_id[id] = x->n;
	return visit_refs(t, reach, x);
}

static int reach(__u32 *id, void *arg)
{
	return reach_id(arg, *id);
}

static int rewrite(__u32 *id, void *arg)
{
	const struct extract *x = arg;

	*id = *id ? x->new_id[*id] : 0;
	return 0;
}

static int by_offset(const void *a, const void *b)
{
	const struct btf_var_secinfo *x = a, *y = b;

	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

/*
 * What libbpf does to a section's DATASEC before the kernel gets it (clang
 * leaves size and global offsets 0): the section's size, each variable's
 * offset from its symbol, variables in offset order, as the kernel wants.
 */
static void fix_datasec(const struct extract *x, struct btf_type *t)
{
	struct btf_var_secinfo *v = btf_var_secinfos(t);

	t->size = x->sec_size;
	for (__u16 i = 0; i < btf_vlen(t); i++)
		v[i].offset = x->vsi_off[i];
	qsort(v, btf_vlen(t), sizeof(*v), by_offset);
}

/* Copy the reached types into dst, in order, with references rewritten. */
static int copy_types(struct extract *x, struct btf *dst)
{
	for (__u32 k = 0; k < x->n; k++) {
		const struct btf_type *st = btf__type_by_id(x->src, x->order[k]);
		struct btf_type *dt;
		int id = btf__add_type(dst, x->src, st);

		if (id < 0)
			return id;
		if ((__u32)id != k + 1)
			return -EINVAL;
		/* dst is writable: its types live in a buffer of its own. */
		dt = (struct btf_type *)btf__type_by_id(dst, (__u32)id);
		if (btf_is_ptr(dt))
			dt->type = 0;
		else
			visit_refs(dt, rewrite, x);
		if (btf_is_datasec(dt) && x->vsi_off)
			fix_datasec(x, dt);
	}
	return 0;
}

static int extract(struct extract *x, uint32_t key_id, uint32_t value_id,
		   struct uxdp_btf_blob *out);

/* The blob into m (which takes its bytes). */
static int to_map(int err, struct uxdp_btf_blob *b, struct uxdp_map_info *m)
{
	if (err)
		return err;
	m->btf = b->data;
	m->btf_size = b->size;
	m->btf_key_id = b->key_id;
	m->btf_value_id = b->value_id;
	return 0;
}

int uxdp_btf_extract(const struct btf *src, uint32_t key_id, uint32_t value_id,
		     struct uxdp_map_info *m)
{
	struct uxdp_btf_blob b;

	return to_map(uxdp_btf_blob_extract(src, key_id, value_id, &b), &b, m);
}

int uxdp_btf_blob_extract(const struct btf *src, uint32_t key_id, uint32_t value_id,
			  struct uxdp_btf_blob *out)
{
	struct extract x = {.src = src, .n_src = btf__type_cnt(src)};

	return extract(&x, key_id, value_id, out);
}

int uxdp_btf_extract_datasec(const struct btf *src, uint32_t sec_id, const uint32_t *vsi_off,
			     struct uxdp_map_info *m)
{
	struct extract x = {
	    .src = src, .n_src = btf__type_cnt(src), .vsi_off = vsi_off, .sec_size = m->value_size};
	struct uxdp_btf_blob b;

	return to_map(extract(&x, 0, sec_id, &b), &b, m);
}

static int extract(struct extract *xp, uint32_t key_id, uint32_t value_id,
		   struct uxdp_btf_blob *out)
{
	struct extract x = *xp;
	struct btf *dst = NULL;
	const void *raw;
	__u32 size;
	int err;

	memset(out, 0, sizeof(*out));
	x.new_id = calloc(x.n_src, sizeof(*x.new_id));
	x.order = calloc(x.n_src, sizeof(*x.order));
	err = x.new_id && x.order ? 0 : -ENOMEM;
	err = err ?: reach_id(&x, key_id);
	err = err ?: reach_id(&x, value_id);
	if (!err) {
		dst = btf__new_empty();
		err = dst ? 0 : -ENOMEM;
	}
	err = err ?: copy_types(&x, dst);
	if (!err) {
		raw = btf__raw_data(dst, &size);
		out->data = raw ? malloc(size) : NULL;
		err = out->data ? 0 : -ENOMEM;
	}
	if (!err) {
		memcpy(out->data, raw, size);
		out->size = size;
		out->key_id = key_id ? x.new_id[key_id] : 0;
		out->value_id = value_id ? x.new_id[value_id] : 0;
	}
	btf__free(dst);
	free(x.new_id);
	free(x.order);
	return err;
}
