/* SPDX-License-Identifier: MIT */
/*
 * btf_datasec.c - which bytes of read-only global data no loader can change.
 *
 * A .rodata* section becomes a BPF_F_RDONLY_PROG array map: programs cannot
 * write it, but a loader can before the program loads.  libbpf skeletons
 * expose the section's variables (`rodata->cfg = ...`), write them, then
 * freeze the map.  C makes that well defined only for `const volatile`
 * variables; clang assumes a plain `const` one keeps its initial value, so
 * passes/rodata_fold.c may too.  The section's BTF DATASEC says which
 * variable is where and what its type is.  A variable's bytes are constant
 * when its type is const (at the top, or its array elements), nothing in it
 * is volatile (top, array elements, struct and union members; pointers are
 * not followed: a pointer to volatile is itself constant), and no other
 * variable overlaps it.  Everything else stays a load: volatile variables,
 * variables without const (`int x SEC(".rodata")` is writable in C), bytes
 * no variable covers (padding, clang's switch tables), and all of a
 * section where a variable cannot be placed.
 *
 * A section without a DATASEC is constant as a whole only when clang made
 * it for its own use: string literals (.rodata.strM.N) and literal pools
 * (.rodata.cstN).  libbpf creates maps for those too, but without a DATASEC
 * they are not mmapable and no skeleton exposes them, and libbpf freezes
 * them at load like .rodata, before any program runs.
 *
 * Clang leaves the DATASEC's size and its global variables' offsets at 0:
 * as libbpf does, the offsets then come from the variables' ELF symbols.  A
 * linked object (bpftool gen object) has them filled in (size != 0).
 */
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "uxdpc.h"

/* More type hops than this (cycles, abuse): treat the variable as volatile. */
#define MAX_TYPE_VISITS 4096

struct qual_walk {
	const struct btf *btf;
	unsigned visits;
	bool is_const;	  /* const at the top or on the array elements */
	bool is_volatile; /* volatile anywhere, or the walk gave up */
};

/* Record the qualifiers of type id; top: still on the variable's own type. */
static void walk_quals(struct qual_walk *w, __u32 id, bool top)
{
	const struct btf_type *t;

	while (!w->is_volatile) {
		if (++w->visits > MAX_TYPE_VISITS || !(t = btf__type_by_id(w->btf, id))) {
			w->is_volatile = true;
			return;
		}
		if (btf_is_volatile(t)) {
			w->is_volatile = true;
		} else if (btf_is_const(t)) {
			w->is_const |= top;
		} else if (btf_is_array(t)) {
			id = btf_array(t)->type;
			continue;
		} else if (btf_is_composite(t)) {
			const struct btf_member *m = btf_members(t);

			for (__u16 i = 0; i < btf_vlen(t) && !w->is_volatile; i++, m++)
				walk_quals(w, m->type, false);
			return;
		} else if (!btf_is_typedef(t) && !btf_is_mod(t)) {
			return; /* int, enum, pointer, float...: nothing below counts */
		}
		id = t->type;
	}
}

struct placed_var {
	uint64_t off, end;
	bool constant;
};

static int by_offset(const void *a, const void *b)
{
	const struct placed_var *x = a, *y = b;

	return x->off < y->off ? -1 : x->off > y->off;
}

/*
 * Where var name lives in section shndx: 1 found (*off), 0 in another
 * section of the same name (not ours), -1 unknown (no symbol, or several).
 */
static int var_symbol(const struct uxdp_elf_view *v, const char *name, int shndx, uint64_t *off)
{
	int found = 0, elsewhere = 0;

	for (size_t i = 0; i < v->n_syms; i++) {
		const struct uxdp_elf_sym *y = &v->syms[i];

		if (y->type != STT_OBJECT || strcmp(y->name, name))
			continue;
		if (y->shndx != shndx) {
			elsewhere++;
			continue;
		}
		*off = y->value;
		found++;
	}
	if (found == 1)
		return 1;
	return !found && elsewhere ? 0 : -1;
}

/* The variables of DATASEC sec placed in map m; -1 when one cannot be. */
static ssize_t place_vars(const struct btf *btf, const struct btf_type *sec,
			  const struct uxdp_elf_view *v, const struct uxdp_map_info *m,
			  struct placed_var *out)
{
	const struct btf_var_secinfo *vsi = btf_var_secinfos(sec);
	size_t n = 0;

	for (__u16 i = 0; i < btf_vlen(sec); i++, vsi++) {
		const struct btf_type *var = btf__type_by_id(btf, vsi->type);
		struct qual_walk w = { .btf = btf };
		const char *name;
		uint64_t off = vsi->offset, size = vsi->size;
		__s64 tsize;

		if (!var || !btf_is_var(var))
			return -1;
		name = btf__name_by_offset(btf, var->name_off);
		if (!name)
			return -1;
		if (sec->size == 0) {
			int r = var_symbol(v, name, m->shndx, &off);

			if (r == 0)
				continue;
			if (r < 0)
				return -1;
		}
		tsize = btf__resolve_size(btf, var->type);
		if (tsize < 0)
			return -1;
		if ((uint64_t)tsize > size)
			size = (uint64_t)tsize;
		if (off > m->value_size || size > m->value_size - off)
			return -1;
		if (!size)
			continue;
		walk_quals(&w, var->type, true);
		out[n++] = (struct placed_var){ off, off + size, w.is_const && !w.is_volatile };
	}
	return (ssize_t)n;
}

/* The constant variables of m, given the placed ones: those no other overlaps. */
static void keep_constant(struct uxdp_map_info *m, struct placed_var *pv, size_t n)
{
	uint64_t reach = 0; /* the furthest end of the variables before */

	qsort(pv, n, sizeof(*pv), by_offset);
	for (size_t i = 0; i < n; i++) {
		bool overlaps = reach > pv[i].off || (i + 1 < n && pv[i + 1].off < pv[i].end);

		if (pv[i].end > reach)
			reach = pv[i].end;
		if (!pv[i].constant || overlaps)
			continue;
		m->consts[m->n_consts++] =
			(struct uxdp_const_range){ (uint32_t)pv[i].off,
						   (uint32_t)(pv[i].end - pv[i].off) };
	}
}

/* .rodata.strM.N and .rodata.cstN: what clang emits for literals. */
static bool is_literal_pool(const char *name)
{
	const char *p;

	if (!strncmp(name, ".rodata.str", 11)) {
		p = name + 11;
		if (*p < '0' || *p > '9')
			return false;
		while (*p >= '0' && *p <= '9')
			p++;
		if (*p++ != '.' || *p < '0' || *p > '9')
			return false;
	} else if (!strncmp(name, ".rodata.cst", 11)) {
		p = name + 11;
		if (*p < '0' || *p > '9')
			return false;
	} else {
		return false;
	}
	while (*p >= '0' && *p <= '9')
		p++;
	return *p == '\0';
}

static const struct btf_type *find_datasec_id(const struct btf *btf, const char *name,
					      __u32 *sec_id)
{
	__u32 n = btf__type_cnt(btf);

	for (__u32 id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		const char *tname;

		if (!t || !btf_is_datasec(t))
			continue;
		tname = btf__name_by_offset(btf, t->name_off);
		if (tname && !strcmp(tname, name)) {
			*sec_id = id;
			return t;
		}
	}
	return NULL;
}

static const struct btf_type *find_datasec(const struct btf *btf, const char *name)
{
	__u32 id;

	return find_datasec_id(btf, name, &id);
}

static int quiet_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

static struct btf *open_btf(const struct uxdp_elf_view *v)
{
	libbpf_print_fn_t old;
	struct btf *btf;

	if (!v->btf || v->btf_size > UINT32_MAX)
		return NULL;
	old = libbpf_set_print(quiet_print);
	btf = btf__new(v->btf, (__u32)v->btf_size);
	libbpf_set_print(old);
	return btf; /* malformed: nothing known constant, as without BTF */
}

static int read_map(struct uxdp_map_info *m, const struct btf *btf, const struct uxdp_elf_view *v,
		    struct uxdp_diag *diag)
{
	const char *name =
		m->shndx > 0 && (size_t)m->shndx < v->n_secs ? v->sec_names[m->shndx] : NULL;
	const struct btf_type *sec = btf && name ? find_datasec(btf, name) : NULL;
	struct placed_var *pv;
	ssize_t n;

	if (!name || !m->init || m->init_size != m->value_size)
		return 0;
	if (!sec || !btf_vlen(sec)) {
		if (!is_literal_pool(name))
			return 0;
		m->consts = malloc(sizeof(*m->consts));
		if (!m->consts)
			return diag_error(diag, -ENOMEM, "out of memory");
		m->consts[0] = (struct uxdp_const_range){ 0, m->value_size };
		m->n_consts = 1;
		return 0;
	}
	pv = calloc(btf_vlen(sec), sizeof(*pv));
	m->consts = calloc(btf_vlen(sec), sizeof(*m->consts));
	if (!pv || !m->consts) {
		free(pv);
		return diag_error(diag, -ENOMEM, "out of memory");
	}
	n = place_vars(btf, sec, v, m, pv);
	if (n < 0)
		diag_note(diag, 1, "%s: section %s: a variable cannot be placed; none is constant",
			  v->name, name);
	else
		keep_constant(m, pv, (size_t)n);
	free(pv);
	return 0;
}

/*
 * Global data gets its DATASEC as value BTF, as libbpf gives it to the
 * kernel (so bpftool prints {".bss": [{"var": ...}]}): global variables at
 * their symbols' offsets when clang left them 0, static ones where clang put
 * them.  A section where a variable cannot be placed keeps no BTF (hex).
 */
static int datasec_btf(struct uxdp_map_info *m, const struct btf *btf,
		       const struct uxdp_elf_view *v, struct uxdp_diag *diag)
{
	const char *name =
		m->shndx > 0 && (size_t)m->shndx < v->n_secs ? v->sec_names[m->shndx] : NULL;
	__u32 sec_id = 0;
	const struct btf_type *sec = btf && name ? find_datasec_id(btf, name, &sec_id) : NULL;
	const struct btf_var_secinfo *vsi;
	__u32 *off;
	int err = 0;

	if (!sec || !btf_vlen(sec))
		return 0;
	off = calloc(btf_vlen(sec), sizeof(*off));
	if (!off)
		return diag_error(diag, -ENOMEM, "out of memory");
	vsi = btf_var_secinfos(sec);
	for (__u16 i = 0; i < btf_vlen(sec) && !err; i++, vsi++) {
		const struct btf_type *var = btf__type_by_id(btf, vsi->type);
		uint64_t o = vsi->offset;

		if (!var || !btf_is_var(var))
			err = -EINVAL;
		else if (sec->size == 0 && btf_var(var)->linkage != BTF_VAR_STATIC &&
			 var_symbol(v, btf__name_by_offset(btf, var->name_off) ?: "", m->shndx,
				    &o) != 1)
			err = -EINVAL;
		else if (o > m->value_size || vsi->size > m->value_size - o)
			err = -EINVAL;
		off[i] = (__u32)o;
	}
	if (!err)
		err = uxdp_btf_extract_datasec(btf, sec_id, off, m);
	free(off);
	return err == -ENOMEM ? diag_error(diag, err, "out of memory") : 0;
}

int uxdp_btf_datasec_read(struct uxdp_object *obj, const struct uxdp_elf_view *v,
			  struct uxdp_diag *diag)
{
	struct btf *btf = open_btf(v);
	int err = 0;

	for (size_t k = 0; k < obj->n_maps && !err; k++) {
		struct uxdp_map_info *m = &obj->maps[k];

		if (m->kind == UXDP_MAP_KIND_RODATA)
			err = read_map(m, btf, v, diag);
		if (!err && (m->kind == UXDP_MAP_KIND_DATA || m->kind == UXDP_MAP_KIND_RODATA ||
			     m->kind == UXDP_MAP_KIND_BSS))
			err = datasec_btf(m, btf, v, diag);
	}
	btf__free(btf);
	return err;
}
