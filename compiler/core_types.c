/* SPDX-License-Identifier: MIT */
/*
 * core_types.c - when two types are "the same" for CO-RE: libbpf's rules
 * for candidates (names up to a ___flavour, compatible kinds), for
 * type-based relocations (types_compat, types_match) and for the fields
 * of an access path (fields_compat), between a program's BTF and the
 * target's.  core_relo.c walks the access paths with them.
 */
#include <bpf/btf.h>
#include <errno.h>
#include <string.h>

#include "core.h"

static bool str_empty(const char *s)
{
	return !s || !s[0];
}

const struct btf_type *uxdp_core_skip_mods(const struct btf *btf, uint32_t id, uint32_t *res_id)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	int hops = 0;

	while (t && (btf_is_mod(t) || btf_is_typedef(t))) {
		if (++hops > UXDP_CORE_MAX_HOPS)
			return NULL;
		id = t->type;
		t = btf__type_by_id(btf, id);
	}
	if (res_id)
		*res_id = id;
	return t;
}

/* Length of name without its "___flavour" suffix (the last one). */
size_t uxdp_core_essential_len(const char *name)
{
	size_t n = strlen(name);

	for (size_t i = n > 5 ? n - 5 + 1 : 0; i-- > 0;) {
		if (name[i] != '_' && name[i + 1] == '_' && name[i + 2] == '_' &&
		    name[i + 3] == '_' && name[i + 4] != '_')
			return i + 1;
	}
	return n;
}

bool uxdp_core_names_match(const char *a, const char *b)
{
	size_t la, lb;

	if (str_empty(b))
		return str_empty(a);
	if (str_empty(a))
		return false;
	la = uxdp_core_essential_len(a);
	lb = uxdp_core_essential_len(b);
	return la == lb && !strncmp(a, b, la);
}

bool uxdp_core_kinds_compat(const struct btf_type *a, const struct btf_type *b)
{
	return btf_kind(a) == btf_kind(b) || (btf_is_any_enum(a) && btf_is_any_enum(b));
}

/* libbpf's type compatibility for type-based relocations (names checked by the caller). */
int uxdp_core_types_compat(const struct btf *lb, uint32_t lid, const struct btf *tb, uint32_t tid,
			   int level)
{
	const struct btf_type *l = btf__type_by_id(lb, lid), *t = btf__type_by_id(tb, tid);

	if (!l || !t)
		return -EINVAL;
	if (!uxdp_core_kinds_compat(l, t))
		return 0;
	for (int depth = 0; depth < UXDP_CORE_MAX_HOPS; depth++) {
		l = uxdp_core_skip_mods(lb, lid, &lid);
		t = uxdp_core_skip_mods(tb, tid, &tid);
		if (!l || !t)
			return -EINVAL;
		if (!uxdp_core_kinds_compat(l, t))
			return 0;
		switch (btf_kind(l)) {
		case BTF_KIND_UNKN:
		case BTF_KIND_STRUCT:
		case BTF_KIND_UNION:
		case BTF_KIND_ENUM:
		case BTF_KIND_ENUM64:
		case BTF_KIND_FWD:
			return 1;
		case BTF_KIND_INT:
			return btf_int_offset(l) == 0 && btf_int_offset(t) == 0;
		case BTF_KIND_PTR:
			lid = l->type;
			tid = t->type;
			continue;
		case BTF_KIND_ARRAY:
			lid = btf_array(l)->type;
			tid = btf_array(t)->type;
			continue;
		case BTF_KIND_FUNC_PROTO: {
			const struct btf_param *lp = btf_params(l), *tp = btf_params(t);
			int err;

			if (btf_vlen(l) != btf_vlen(t))
				return 0;
			for (int i = 0; i < btf_vlen(l); i++) {
				uint32_t a = 0, b = 0; /* set by skip_mods; -O3 cannot see it */

				if (level <= 0)
					return -EINVAL;
				uxdp_core_skip_mods(lb, lp[i].type, &a);
				uxdp_core_skip_mods(tb, tp[i].type, &b);
				err = uxdp_core_types_compat(lb, a, tb, b, level - 1);
				if (err <= 0)
					return err;
			}
			lid = l->type;
			tid = t->type;
			continue;
		}
		default:
			return 0;
		}
	}
	return -EINVAL;
}

/* Every enumerator of the local enum has a namesake in the target; sizes equal. */
static int enums_match(const struct btf *lb, const struct btf_type *l, const struct btf *tb,
		       const struct btf_type *t)
{
	if (l->size != t->size || btf_vlen(l) > btf_vlen(t))
		return 0;
	for (int i = 0; i < btf_vlen(l); i++) {
		uint32_t ln = btf_is_enum(l) ? btf_enum(l)[i].name_off : btf_enum64(l)[i].name_off;
		bool found = false;

		for (int j = 0; j < btf_vlen(t) && !found; j++) {
			uint32_t tn =
			    btf_is_enum(t) ? btf_enum(t)[j].name_off : btf_enum64(t)[j].name_off;

			found = uxdp_core_names_match(btf__name_by_offset(lb, ln),
						      btf__name_by_offset(tb, tn));
		}
		if (!found)
			return 0;
	}
	return 1;
}

/* Every local member has a namesake in the target whose type matches. */
static int composites_match(const struct btf *lb, const struct btf_type *l, const struct btf *tb,
			    const struct btf_type *t, bool behind_ptr, int level)
{
	const struct btf_member *lm = btf_members(l);

	if (btf_vlen(l) > btf_vlen(t))
		return 0;
	for (int i = 0; i < btf_vlen(l); i++, lm++) {
		const struct btf_member *tm = btf_members(t);
		bool found = false;

		for (int j = 0; j < btf_vlen(t) && !found; j++, tm++) {
			int err;

			if (!uxdp_core_names_match(btf__name_by_offset(lb, lm->name_off),
						   btf__name_by_offset(tb, tm->name_off)))
				continue;
			err = uxdp_core_types_match(lb, lm->type, tb, tm->type, behind_ptr,
						    level - 1);
			if (err < 0)
				return err;
			found = err > 0;
		}
		if (!found)
			return 0;
	}
	return 1;
}

/* libbpf's "types match" relation (bpf_core_type_matches()). */
int uxdp_core_types_match(const struct btf *lb, uint32_t lid, const struct btf *tb, uint32_t tid,
			  bool behind_ptr, int level)
{
	if (level <= 0)
		return -EINVAL;
	for (int depth = 0; depth < UXDP_CORE_MAX_HOPS; depth++) {
		const struct btf_type *l = uxdp_core_skip_mods(lb, lid, &lid),
				      *t = uxdp_core_skip_mods(tb, tid, &tid);
		int lk, tk;

		if (!l || !t)
			return -EINVAL;
		if (!uxdp_core_names_match(btf__name_by_offset(lb, l->name_off),
					   btf__name_by_offset(tb, t->name_off)))
			return 0;
		lk = btf_kind(l);
		tk = btf_kind(t);
		switch (lk) {
		case BTF_KIND_UNKN:
			return lk == tk;
		case BTF_KIND_FWD:
			if (behind_ptr && lk != tk)
				return (tk == BTF_KIND_STRUCT && !btf_kflag(l)) ||
				       (tk == BTF_KIND_UNION && btf_kflag(l));
			return lk == tk && btf_kflag(l) == btf_kflag(t);
		case BTF_KIND_ENUM:
		case BTF_KIND_ENUM64:
			return btf_is_any_enum(t) && enums_match(lb, l, tb, t);
		case BTF_KIND_STRUCT:
		case BTF_KIND_UNION:
			if (behind_ptr) {
				if (lk == tk)
					return 1;
				return tk == BTF_KIND_FWD && (lk == BTF_KIND_UNION) == btf_kflag(t);
			}
			return lk == tk && composites_match(lb, l, tb, t, behind_ptr, level);
		case BTF_KIND_INT:
			return lk == tk && l->size == t->size &&
			       (btf_int_encoding(l) & BTF_INT_SIGNED) ==
				   (btf_int_encoding(t) & BTF_INT_SIGNED);
		case BTF_KIND_PTR:
			if (lk != tk)
				return 0;
			behind_ptr = true;
			lid = l->type;
			tid = t->type;
			continue;
		case BTF_KIND_ARRAY:
			if (lk != tk || btf_array(l)->nelems != btf_array(t)->nelems)
				return 0;
			lid = btf_array(l)->type;
			tid = btf_array(t)->type;
			continue;
		case BTF_KIND_FUNC_PROTO: {
			const struct btf_param *lp = btf_params(l), *tp = btf_params(t);

			if (lk != tk || btf_vlen(l) != btf_vlen(t))
				return 0;
			for (int i = 0; i < btf_vlen(l); i++) {
				int err = uxdp_core_types_match(lb, lp[i].type, tb, tp[i].type,
								behind_ptr, level - 1);
				if (err <= 0)
					return err;
			}
			lid = l->type;
			tid = t->type;
			continue;
		}
		default:
			return 0;
		}
	}
	return -EINVAL;
}

/* Field types compatible for a field relocation (libbpf's rules). */
int uxdp_core_fields_compat(const struct btf *lb, uint32_t lid, const struct btf *tb, uint32_t tid)
{
	for (int depth = 0; depth < UXDP_CORE_MAX_HOPS; depth++) {
		const struct btf_type *l = uxdp_core_skip_mods(lb, lid, &lid),
				      *t = uxdp_core_skip_mods(tb, tid, &tid);

		if (!l || !t)
			return -EINVAL;
		if (btf_is_composite(l) && btf_is_composite(t))
			return 1;
		if (!uxdp_core_kinds_compat(l, t))
			return 0;
		switch (btf_kind(l)) {
		case BTF_KIND_PTR:
		case BTF_KIND_FLOAT:
			return 1;
		case BTF_KIND_FWD:
		case BTF_KIND_ENUM:
		case BTF_KIND_ENUM64: {
			const char *ln = btf__name_by_offset(lb, l->name_off);
			const char *tn = btf__name_by_offset(tb, t->name_off);

			return str_empty(ln) || str_empty(tn) || uxdp_core_names_match(ln, tn);
		}
		case BTF_KIND_INT:
			return btf_int_offset(l) == 0 && btf_int_offset(t) == 0;
		case BTF_KIND_ARRAY:
			lid = btf_array(l)->type;
			tid = btf_array(t)->type;
			continue;
		default:
			return 0;
		}
	}
	return -EINVAL;
}
