/* SPDX-License-Identifier: MIT */
/*
 * core_relo.c - CO-RE relocations (.BTF.ext), applied as libbpf applies them.
 *
 * clang records, for each instruction whose value depends on a type layout
 * (a field offset in a load, a field size or existence in a mov, a type or
 * enumerator in an lddw), the type and the access path it meant ("0:1:2":
 * element 0 of struct T, its member 1, that member's member 2).  The loader
 * finds the same path by *name* in the target's types and patches the
 * instruction with the target's value.  Under uxdp the target is what the
 * program really runs on, described by uxdp.btf (runtime/btf/): the UAPI
 * struct xdp_md that uxdpc's ctx rewrite maps onto struct uxdp_ctx, the
 * UAPI headers, and the structs of the kfuncs uxdp emulates.  Never the
 * build machine's vmlinux: a compiled object must not depend on where it
 * was compiled.  The kernel-side loader (kload.c) passes vmlinux instead.
 *
 * The rules are libbpf's (relo_core.c), followed here from its behaviour:
 *  - candidates: target types of a compatible kind whose name equals the
 *    local one up to a "___flavour" suffix;
 *  - a field path matches when every named member exists by name (looking
 *    through anonymous structs/unions) with a compatible type and every
 *    array index is in range; all matching candidates must agree;
 *  - a load or store whose field changed size is resized when both are
 *    pointers or unsigned integers (a program's own xdp_md with 64-bit
 *    data/data_end becomes 4-byte loads), and poisoned otherwise;
 *  - no match: *_EXISTS relocations become 0, the others poison the
 *    instruction: it becomes `call 0xbad2310`, which the kernel accepts in
 *    dead code only.  uxdpc records why, and core_reach.c refuses a program
 *    that can reach it, naming the instruction.
 *  - a value that is not what clang encoded for the local type, a
 *    malformed record or an ambiguous match is an error, as in libbpf.
 */
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core.h"
#include "uxdpc.h"

#define SPEC_MAX_LEN 64 /* libbpf's BPF_CORE_SPEC_MAX_LEN */

enum core_kind {
	FIELD_BYTE_OFFSET = 0,
	FIELD_BYTE_SIZE = 1,
	FIELD_EXISTS = 2,
	FIELD_SIGNED = 3,
	FIELD_LSHIFT_U64 = 4,
	FIELD_RSHIFT_U64 = 5,
	TYPE_ID_LOCAL = 6,
	TYPE_ID_TARGET = 7,
	TYPE_EXISTS = 8,
	TYPE_SIZE = 9,
	ENUMVAL_EXISTS = 10,
	ENUMVAL_VALUE = 11,
	TYPE_MATCHES = 12,
};

static const char *const kind_names[] = {
    "field_byte_offset", "field_byte_size", "field_exists",   "field_signed", "field_lshift_u64",
    "field_rshift_u64",	 "type_id_local",   "type_id_target", "type_exists",  "type_size",
    "enumval_exists",	 "enumval_value",   "type_matches",
};

/* struct bpf_core_relo, spelled out: older linux/bpf.h lack it. */
struct core_relo {
	uint32_t insn_off;
	uint32_t type_id;
	uint32_t access_str_off;
	uint32_t kind;
};

struct ext_header {
	uint16_t magic;
	uint8_t version;
	uint8_t flags;
	uint32_t hdr_len;
	uint32_t func_info_off;
	uint32_t func_info_len;
	uint32_t line_info_off;
	uint32_t line_info_len;
	uint32_t core_relo_off; /* present when hdr_len >= 32 */
	uint32_t core_relo_len;
};

/* One step of an access path: member idx of type_id (named), or element idx. */
struct accessor {
	uint32_t type_id;
	uint32_t idx;
	const char *name; /* member or enumerator name; NULL for an array index */
};

/* An access path resolved in one BTF. */
struct spec {
	const struct btf *btf;
	uint32_t root_id;
	uint32_t kind;
	struct accessor acc[SPEC_MAX_LEN]; /* the named members and indexes */
	int len;
	int raw[SPEC_MAX_LEN]; /* every step, anonymous ones too */
	int raw_len;
	uint32_t bit_offset;
};

struct result {
	uint64_t orig_val, new_val;
	uint32_t orig_sz, new_sz;
	uint32_t orig_type, new_type;
	bool poison;
	bool validate;
	bool fail_memsz_adjust;
};

/* A named target type, for the search by essential name. */
struct cand {
	const char *name;
	size_t len; /* essential length */
	uint32_t id;
};

/* What the walk needs: both BTFs, the object and the section being patched. */
struct core {
	const struct uxdp_elf_view *v;
	struct uxdp_object *obj;
	struct uxdp_diag *diag;
	const struct btf *local;
	const struct btf *target;
	const char *target_name; /* "uxdp.btf", "vmlinux": for messages */
	struct cand *index;	 /* named target types by essential name (built on first use) */
	size_t n_index;
	const char *section;
	uint32_t insn; /* index in the section, for messages */
	uint32_t relo_no;
	char what[200]; /* "field_byte_offset struct xdp_md.data" */
};

static int quiet_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

static int core_err(struct core *c, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* "OBJ: section 'S' insn N: CO-RE relocation #K (what): reason". */
static int core_err(struct core *c, int err, const char *fmt, ...)
{
	char buf[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return diag_error(c->diag, err, "%s: section '%s' insn %u: CO-RE relocation #%u (%s): %s",
			  c->v->name, c->section, c->insn, c->relo_no, c->what, buf);
}

/* ------------------------------------------------------------- helpers */

static bool str_empty(const char *s)
{
	return !s || !s[0];
}

static int64_t type_size(const struct btf *btf, uint32_t id)
{
	return btf__resolve_size(btf, id);
}

/* A zero-length array that is the last member of the struct being accessed. */
static bool flex_array(const struct btf *btf, const struct accessor *parent,
		       const struct btf_array *a)
{
	const struct btf_type *t;

	if (!parent->name || a->nelems > 0)
		return false;
	t = btf__type_by_id(btf, parent->type_id);
	return t && parent->idx == (uint32_t)btf_vlen(t) - 1;
}

/* ------------------------------------------------------------------ specs */

static bool kind_is_field(uint32_t k)
{
	return k <= FIELD_RSHIFT_U64;
}

static bool kind_is_type(uint32_t k)
{
	return k == TYPE_ID_LOCAL || k == TYPE_ID_TARGET || k == TYPE_EXISTS || k == TYPE_SIZE ||
	       k == TYPE_MATCHES;
}

static bool kind_is_enumval(uint32_t k)
{
	return k == ENUMVAL_EXISTS || k == ENUMVAL_VALUE;
}

/* Parse the access string "0:1:2" against the local type; -EINVAL when malformed. */
static int parse_spec(const struct btf *btf, const struct core_relo *r, const char *str,
		      struct spec *s)
{
	const struct btf_type *t;
	uint32_t id;
	int64_t sz;

	memset(s, 0, sizeof(*s));
	s->btf = btf;
	s->root_id = r->type_id;
	s->kind = r->kind;
	if (str_empty(str) || str[0] == ':')
		return -EINVAL;
	if (kind_is_type(r->kind))
		return strcmp(str, "0") ? -EINVAL : 0;
	while (*str) {
		char *end;
		long v;

		if (*str == ':')
			str++;
		v = strtol(str, &end, 10);
		if (end == str || v < 0 || v > INT_MAX)
			return -EINVAL;
		if (s->raw_len == SPEC_MAX_LEN)
			return -E2BIG;
		s->raw[s->raw_len++] = (int)v;
		str = end;
		if (*str && *str != ':')
			return -EINVAL;
	}
	if (!s->raw_len)
		return -EINVAL;
	t = uxdp_core_skip_mods(btf, r->type_id, &id);
	if (!t)
		return -EINVAL;
	s->acc[0].type_id = id;
	s->acc[0].idx = (uint32_t)s->raw[0];
	s->len = 1;
	if (kind_is_enumval(r->kind)) {
		if (!btf_is_any_enum(t) || s->raw_len > 1 || s->raw[0] >= btf_vlen(t))
			return -EINVAL;
		s->acc[0].name =
		    btf__name_by_offset(btf, btf_is_enum(t) ? btf_enum(t)[s->raw[0]].name_off
							    : btf_enum64(t)[s->raw[0]].name_off);
		return 0;
	}
	if (!kind_is_field(r->kind))
		return -EINVAL;
	sz = type_size(btf, id);
	if (sz < 0)
		return -EINVAL;
	s->bit_offset = (uint32_t)(s->raw[0] * sz * 8);
	for (int i = 1; i < s->raw_len; i++) {
		int idx = s->raw[i];

		t = uxdp_core_skip_mods(btf, id, &id);
		if (!t)
			return -EINVAL;
		if (btf_is_composite(t)) {
			const struct btf_member *m;

			if (idx >= btf_vlen(t))
				return -EINVAL;
			s->bit_offset += btf_member_bit_offset(t, (uint32_t)idx);
			m = btf_members(t) + idx;
			if (m->name_off) {
				const char *name = btf__name_by_offset(btf, m->name_off);

				if (str_empty(name))
					return -EINVAL;
				s->acc[s->len].type_id = id;
				s->acc[s->len].idx = (uint32_t)idx;
				s->acc[s->len].name = name;
				s->len++;
			}
			id = m->type;
		} else if (btf_is_array(t)) {
			const struct btf_array *a = btf_array(t);

			t = uxdp_core_skip_mods(btf, a->type, &id);
			if (!t)
				return -EINVAL;
			if (!flex_array(btf, &s->acc[s->len - 1], a) && (uint32_t)idx >= a->nelems)
				return -EINVAL;
			s->acc[s->len].type_id = id;
			s->acc[s->len].idx = (uint32_t)idx;
			s->acc[s->len].name = NULL;
			s->len++;
			sz = type_size(btf, id);
			if (sz < 0)
				return -EINVAL;
			s->bit_offset += (uint32_t)(idx * sz * 8);
		} else {
			return -EINVAL;
		}
	}
	return 0;
}

/* Find the local named member acc in target type tid (through anonymous members). */
static int match_member(const struct btf *lb, const struct accessor *acc, const struct btf *tb,
			uint32_t tid, struct spec *ts, uint32_t *next_tid, int depth)
{
	const struct btf_type *lt, *tt;
	const struct btf_member *lm, *m;
	const char *lname;

	if (depth > UXDP_CORE_MAX_HOPS)
		return -EINVAL;
	tt = uxdp_core_skip_mods(tb, tid, &tid);
	if (!tt)
		return -EINVAL;
	if (!btf_is_composite(tt))
		return 0;
	lt = btf__type_by_id(lb, acc->type_id);
	lm = btf_members(lt) + acc->idx;
	lname = btf__name_by_offset(lb, lm->name_off);
	m = btf_members(tt);
	for (int i = 0; i < btf_vlen(tt); i++, m++) {
		uint32_t bit = btf_member_bit_offset(tt, (uint32_t)i);
		const char *tname = btf__name_by_offset(tb, m->name_off);
		int found;

		if (ts->raw_len == SPEC_MAX_LEN)
			return -E2BIG;
		ts->bit_offset += bit;
		ts->raw[ts->raw_len++] = i;
		if (str_empty(tname)) {
			found = match_member(lb, acc, tb, m->type, ts, next_tid, depth + 1);
			if (found)
				return found;
		} else if (lname && !strcmp(lname, tname)) {
			struct accessor *ta = &ts->acc[ts->len++];

			ta->type_id = tid;
			ta->idx = (uint32_t)i;
			ta->name = tname;
			*next_tid = m->type;
			found = uxdp_core_fields_compat(lb, lm->type, tb, m->type);
			if (!found)
				ts->len--;
			return found;
		}
		ts->bit_offset -= bit;
		ts->raw_len--;
	}
	return 0;
}

/* Match the local spec against candidate tid: 1 match, 0 no match, <0 error. */
static int spec_match(const struct spec *ls, const struct btf *tb, uint32_t tid, struct spec *ts)
{
	const struct btf_type *tt;

	memset(ts, 0, sizeof(*ts));
	ts->btf = tb;
	ts->root_id = tid;
	ts->kind = ls->kind;
	if (kind_is_type(ls->kind)) {
		if (ls->kind == TYPE_MATCHES)
			return uxdp_core_types_match(ls->btf, ls->root_id, tb, tid, false,
						     UXDP_CORE_MAX_HOPS);
		return uxdp_core_types_compat(ls->btf, ls->root_id, tb, tid, UXDP_CORE_MAX_HOPS);
	}
	if (kind_is_enumval(ls->kind)) {
		tt = uxdp_core_skip_mods(tb, tid, &tid);
		if (!tt || !btf_is_any_enum(tt))
			return 0;
		for (int i = 0; i < btf_vlen(tt); i++) {
			uint32_t off =
			    btf_is_enum(tt) ? btf_enum(tt)[i].name_off : btf_enum64(tt)[i].name_off;
			const char *name = btf__name_by_offset(tb, off);

			if (!str_empty(name) && uxdp_core_names_match(ls->acc[0].name, name)) {
				ts->acc[0] = (struct accessor){tid, (uint32_t)i, name};
				ts->len = 1;
				ts->raw[ts->raw_len++] = i;
				return 1;
			}
		}
		return 0;
	}
	for (int i = 0; i < ls->len; i++) {
		const struct accessor *la = &ls->acc[i];
		int64_t sz;

		tt = uxdp_core_skip_mods(tb, tid, &tid);
		if (!tt)
			return -EINVAL;
		if (la->name) {
			int m = match_member(ls->btf, la, tb, tid, ts, &tid, 0);

			if (m <= 0)
				return m;
			continue;
		}
		if (i > 0) {
			const struct btf_array *a;

			if (!btf_is_array(tt))
				return 0;
			a = btf_array(tt);
			if (!flex_array(tb, &ts->acc[ts->len - 1], a) && la->idx >= a->nelems)
				return 0;
			if (!uxdp_core_skip_mods(tb, a->type, &tid))
				return -EINVAL;
		}
		if (ts->raw_len == SPEC_MAX_LEN)
			return -E2BIG;
		ts->acc[ts->len++] = (struct accessor){tid, la->idx, NULL};
		ts->raw[ts->raw_len++] = (int)la->idx;
		sz = type_size(tb, tid);
		if (sz < 0)
			return -EINVAL;
		ts->bit_offset += (uint32_t)(la->idx * sz * 8);
	}
	return 1;
}

/* ----------------------------------------------------------------- values */

#define POISON -EUCLEAN /* internal: "poison the instruction" */

/* The value of a field relocation for spec s (NULL: no target). */
static int field_value(const struct spec *s, uint32_t kind, uint64_t *val, uint32_t *field_sz,
		       uint32_t *type_id, bool *validate)
{
	const struct accessor *acc;
	const struct btf_type *t, *mt;
	const struct btf_member *m;
	uint32_t byte_off, byte_sz, bit_off, bit_sz, field_type = 0;
	bool bitfield;
	int64_t sz;

	*field_sz = 0;
	if (kind == FIELD_EXISTS) {
		*val = s ? 1 : 0;
		return 0;
	}
	if (!s)
		return POISON;
	acc = &s->acc[s->len - 1];
	t = btf__type_by_id(s->btf, acc->type_id);
	if (!acc->name) {
		sz = type_size(s->btf, acc->type_id);
		if (sz < 0)
			return -EINVAL;
		if (kind == FIELD_BYTE_OFFSET) {
			*val = s->bit_offset / 8;
			*field_sz = (uint32_t)sz;
			*type_id = acc->type_id;
		} else if (kind == FIELD_BYTE_SIZE) {
			*val = (uint64_t)sz;
		} else {
			return -EOPNOTSUPP;
		}
		if (validate)
			*validate = true;
		return 0;
	}
	m = btf_members(t) + acc->idx;
	mt = uxdp_core_skip_mods(s->btf, m->type, &field_type);
	if (!mt)
		return -EINVAL;
	bit_off = s->bit_offset;
	bit_sz = btf_member_bitfield_size(t, acc->idx);
	bitfield = bit_sz > 0;
	if (bitfield) {
		byte_sz = mt->size;
		if (!byte_sz)
			return -EINVAL;
		byte_off = bit_off / 8 / byte_sz * byte_sz;
		/* the smallest load that holds the whole bitfield */
		while (bit_off + bit_sz - byte_off * 8 > byte_sz * 8) {
			if (byte_sz >= 8)
				return -E2BIG;
			byte_sz *= 2;
			byte_off = bit_off / 8 / byte_sz * byte_sz;
		}
	} else {
		sz = type_size(s->btf, field_type);
		if (sz < 0)
			return -EINVAL;
		byte_sz = (uint32_t)sz;
		byte_off = bit_off / 8;
		bit_sz = byte_sz * 8;
	}
	/* clang and libbpf may disagree on a bitfield's load: not validated. */
	if (validate)
		*validate = !bitfield;
	switch (kind) {
	case FIELD_BYTE_OFFSET:
		*val = byte_off;
		if (!bitfield) {
			*field_sz = byte_sz;
			*type_id = field_type;
		}
		return 0;
	case FIELD_BYTE_SIZE:
		*val = byte_sz;
		return 0;
	case FIELD_SIGNED:
		*val = (btf_is_any_enum(mt) && btf_kflag(mt)) ||
		       (btf_is_int(mt) && (btf_int_encoding(mt) & BTF_INT_SIGNED));
		if (validate)
			*validate = true;
		return 0;
	case FIELD_LSHIFT_U64: /* little endian */
		*val = 64 - (bit_off + bit_sz - byte_off * 8);
		return 0;
	case FIELD_RSHIFT_U64:
		*val = 64 - bit_sz;
		if (validate)
			*validate = true;
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}

static int type_value(const struct spec *s, uint32_t kind, uint64_t *val, bool *validate)
{
	int64_t sz;

	if (validate)
		*validate = true;
	if (!s) {
		*val = 0; /* exists/matches: 0; id/size of a missing type: 0 too */
		return 0;
	}
	switch (kind) {
	case TYPE_ID_TARGET:
		*val = s->root_id;
		if (validate)
			*validate = false; /* ids change when objects are linked */
		return 0;
	case TYPE_EXISTS:
	case TYPE_MATCHES:
		*val = 1;
		return 0;
	case TYPE_SIZE:
		sz = type_size(s->btf, s->root_id);
		if (sz < 0)
			return -EINVAL;
		*val = (uint64_t)sz;
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}

static int enumval_value(const struct spec *s, uint32_t kind, uint64_t *val)
{
	const struct btf_type *t;

	if (kind == ENUMVAL_EXISTS) {
		*val = s ? 1 : 0;
		return 0;
	}
	if (!s)
		return POISON;
	t = btf__type_by_id(s->btf, s->acc[0].type_id);
	if (btf_is_enum(t))
		*val = (uint64_t)(int64_t)btf_enum(t)[s->acc[0].idx].val;
	else
		*val = btf_enum64_value(btf_enum64(t) + s->acc[0].idx);
	return 0;
}

/* Original (local) and new (target) values of one relocation; ts NULL: no match. */
static int calc(const struct spec *ls, const struct spec *ts, struct result *r)
{
	int err = -EOPNOTSUPP;

	memset(r, 0, sizeof(*r));
	r->validate = true;
	if (kind_is_field(ls->kind)) {
		err = field_value(ls, ls->kind, &r->orig_val, &r->orig_sz, &r->orig_type,
				  &r->validate);
		if (!err)
			err =
			    field_value(ts, ls->kind, &r->new_val, &r->new_sz, &r->new_type, NULL);
		if (!err && r->orig_sz != r->new_sz) {
			const struct btf_type *o = btf__type_by_id(ls->btf, r->orig_type);
			const struct btf_type *n = btf__type_by_id(ts->btf, r->new_type);

			/* Resizing keeps the value of a pointer or an unsigned integer only. */
			r->fail_memsz_adjust = !(o && n && btf_is_ptr(o) && btf_is_ptr(n)) &&
					       !(o && n && btf_is_int(o) && btf_is_int(n) &&
						 btf_int_encoding(o) != BTF_INT_SIGNED &&
						 btf_int_encoding(n) != BTF_INT_SIGNED);
		}
	} else if (kind_is_type(ls->kind)) {
		err = type_value(ls, ls->kind, &r->orig_val, &r->validate);
		if (!err)
			err = type_value(ts, ls->kind, &r->new_val, NULL);
	} else if (kind_is_enumval(ls->kind)) {
		err = enumval_value(ls, ls->kind, &r->orig_val);
		if (!err)
			err = enumval_value(ts, ls->kind, &r->new_val);
	}
	if (err == POISON) {
		r->poison = true;
		err = 0;
	}
	return err;
}

/* ------------------------------------------------------------- patching */

static int size_bytes(uint8_t opcode)
{
	switch (EBPF_SIZE(opcode)) {
	case EBPF_SIZE_DW:
		return 8;
	case EBPF_SIZE_W:
		return 4;
	case EBPF_SIZE_H:
		return 2;
	default:
		return 1;
	}
}

static int size_code(uint32_t bytes)
{
	switch (bytes) {
	case 8:
		return EBPF_SIZE_DW;
	case 4:
		return EBPF_SIZE_W;
	case 2:
		return EBPF_SIZE_H;
	case 1:
		return EBPF_SIZE_B;
	default:
		return -1;
	}
}

/* Remember why insn was poisoned, for core_reach.c's message. */
static int record_poison(struct core *c, const char *why)
{
	struct uxdp_object *obj = c->obj;
	struct uxdp_core_poison *p;
	char buf[400];

	p = realloc(obj->poison, (obj->n_poison + 1) * sizeof(*p));
	if (!p)
		return diag_error(c->diag, -ENOMEM, "out of memory");
	obj->poison = p;
	p = &p[obj->n_poison];
	snprintf(buf, sizeof(buf), "CO-RE relocation #%u (%s) %s", c->relo_no, c->what, why);
	p->section = strdup(c->section);
	p->why = strdup(buf);
	p->sec_insn = c->insn;
	if (!p->section || !p->why) {
		free(p->section);
		free(p->why);
		return diag_error(c->diag, -ENOMEM, "out of memory");
	}
	obj->n_poison++;
	return 0;
}

static int poison(struct core *c, struct ebpf_insn *in, size_t n_left, const char *why)
{
	static const struct ebpf_insn bad = {.opcode = EBPF_OP_CALL, .imm = UXDP_CORE_POISON};

	int err = 0;

	/* The second slot of an lddw too, as libbpf does. */
	if (in->opcode == EBPF_OP_LDDW && n_left > 1) {
		in[1] = bad;
		c->insn++;
		err = record_poison(c, why);
		c->insn--;
	}
	in[0] = bad;
	return err ? err : record_poison(c, why);
}

static int patch(struct core *c, struct ebpf_insn *in, size_t n_left, const struct result *r,
		 const char *miss)
{
	uint8_t cls = EBPF_CLASS(in->opcode);

	if (r->poison)
		return poison(c, in, n_left, miss);
	switch (cls) {
	case EBPF_CLS_ALU:
	case EBPF_CLS_ALU64:
		if (EBPF_SRC(in->opcode) != EBPF_SRC_K)
			return core_err(c, -EINVAL, "on an instruction with a register operand");
		if (r->validate && (uint64_t)(int64_t)in->imm != r->orig_val)
			return core_err(c, -EINVAL,
					"the instruction holds %d, the local type says %llu",
					in->imm, (unsigned long long)r->orig_val);
		in->imm = (int32_t)r->new_val;
		return 0;
	case EBPF_CLS_LDX:
	case EBPF_CLS_ST:
	case EBPF_CLS_STX:
		if (r->validate && (uint64_t)(int64_t)in->off != r->orig_val)
			return core_err(c, -EINVAL,
					"the instruction's offset is %d, the local type says %llu",
					in->off, (unsigned long long)r->orig_val);
		if (r->new_val > SHRT_MAX)
			return core_err(c, -ERANGE, "offset %llu does not fit an instruction",
					(unsigned long long)r->new_val);
		if (r->fail_memsz_adjust)
			return poison(c, in, n_left,
				      "changes the field's size and it is neither a pointer nor an "
				      "unsigned integer");
		in->off = (int16_t)r->new_val;
		if (r->new_sz != r->orig_sz) {
			int code = size_code(r->new_sz);

			if (size_bytes(in->opcode) != (int)r->orig_sz)
				return core_err(c, -EINVAL, "accesses %d bytes of a %u-byte field",
						size_bytes(in->opcode), r->orig_sz);
			if (code < 0)
				return core_err(c, -EINVAL,
						"the target field is %u bytes, not a load size",
						r->new_sz);
			in->opcode = (uint8_t)(EBPF_MODE(in->opcode) | code | cls);
		}
		return 0;
	case EBPF_CLS_LD: {
		uint64_t imm;

		if (in->opcode != EBPF_OP_LDDW || n_left < 2 || in[0].src || in[0].off ||
		    in[1].opcode || in[1].dst || in[1].src || in[1].off)
			return core_err(c, -EINVAL, "on an lddw of an unexpected form");
		imm = (uint32_t)in[0].imm | ((uint64_t)(uint32_t)in[1].imm << 32);
		if (r->validate && imm != r->orig_val)
			return core_err(c, -EINVAL,
					"the instruction holds %llu, the local type says %llu",
					(unsigned long long)imm, (unsigned long long)r->orig_val);
		in[0].imm = (int32_t)(uint32_t)r->new_val;
		in[1].imm = (int32_t)(uint32_t)(r->new_val >> 32);
		return 0;
	}
	default:
		return core_err(c, -EINVAL, "on an instruction it cannot patch (opcode 0x%02x)",
				in->opcode);
	}
}

/* "field_byte_offset struct xdp_md.data_end" for messages. */
static void describe(struct core *c, const struct spec *s)
{
	const struct btf_type *t = btf__type_by_id(s->btf, s->root_id);
	const char *name = t ? btf__name_by_offset(s->btf, t->name_off) : NULL;
	const char *kw = !t		      ? "type"
			 : btf_is_struct(t)   ? "struct "
			 : btf_is_union(t)    ? "union "
			 : btf_is_any_enum(t) ? "enum "
					      : "";
	size_t len;

	len = (size_t)snprintf(c->what, sizeof(c->what), "%s %s%s", kind_names[s->kind], kw,
			       str_empty(name) ? "<anon>" : name);
	if (kind_is_field(s->kind)) {
		for (int i = 0; i < s->len && len < sizeof(c->what); i++) {
			if (s->acc[i].name)
				len += (size_t)snprintf(c->what + len, sizeof(c->what) - len, ".%s",
							s->acc[i].name);
			else if (i > 0 || s->acc[i].idx)
				len += (size_t)snprintf(c->what + len, sizeof(c->what) - len,
							"[%u]", s->acc[i].idx);
		}
	} else if (kind_is_enumval(s->kind) && s->acc[0].name) {
		snprintf(c->what + len, sizeof(c->what) - len, "::%s", s->acc[0].name);
	}
}

static int cmp_cand(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	int r;

	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	r = strncmp(x->name, y->name, x->len);
	if (r)
		return r;
	return x->id < y->id ? -1 : x->id > y->id;
}

/*
 * Every named target type sorted by essential name, so that each
 * relocation finds its candidates by binary search (vmlinux has 100k+
 * types), in id order as libbpf's linear scan meets them.
 */
static int build_index(struct core *c)
{
	uint32_t n = btf__type_cnt(c->target);

	c->index = malloc((n ? n : 1) * sizeof(*c->index));
	if (!c->index)
		return diag_error(c->diag, -ENOMEM, "out of memory");
	for (uint32_t id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(c->target, id);
		const char *name = t ? btf__name_by_offset(c->target, t->name_off) : NULL;

		if (str_empty(name))
			continue;
		c->index[c->n_index++] = (struct cand){name, uxdp_core_essential_len(name), id};
	}
	qsort(c->index, c->n_index, sizeof(*c->index), cmp_cand);
	return 0;
}

/* The first index entry whose essential name is name[0..len), or n_index. */
static size_t first_cand(const struct core *c, const char *name, size_t len)
{
	size_t lo = 0, hi = c->n_index;
	struct cand key = {name, len, 0};

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cmp_cand(&c->index[mid], &key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Resolve and apply one relocation to the instruction at in (n_left insns to the end). */
static int apply_one(struct core *c, const struct core_relo *r, struct ebpf_insn *in, size_t n_left)
{
	const char *access = btf__name_by_offset(c->local, r->access_str_off);
	const struct btf_type *lt = btf__type_by_id(c->local, r->type_id);
	const char *lname = lt ? btf__name_by_offset(c->local, lt->name_off) : NULL;
	struct spec ls, cs, ts = {0};
	struct result res = {0}, cres;
	size_t lessent, k;
	int matched = 0, err;
	char miss[200];

	snprintf(c->what, sizeof(c->what), "%s of type %u, access '%s'",
		 r->kind <= TYPE_MATCHES ? kind_names[r->kind] : "kind ?", r->type_id,
		 access ? access : "?");
	if (!lt || r->kind > TYPE_MATCHES)
		return core_err(c, -EINVAL, "malformed record");
	err = parse_spec(c->local, r, access, &ls);
	if (err)
		return core_err(c, -EINVAL, "the access string does not fit the type");
	describe(c, &ls);
	if (r->kind == TYPE_ID_LOCAL) {
		res = (struct result){.orig_val = r->type_id, .new_val = r->type_id};
		return patch(c, in, n_left, &res, "");
	}
	if (str_empty(lname))
		return core_err(c, -EOPNOTSUPP,
				"relocations against anonymous types are not supported");
	lessent = uxdp_core_essential_len(lname);
	if (!c->index && (err = build_index(c)))
		return err;
	for (k = first_cand(c, lname, lessent); k < c->n_index && c->index[k].len == lessent &&
						!strncmp(c->index[k].name, lname, lessent);
	     k++) {
		uint32_t id = c->index[k].id;
		const struct btf_type *t = btf__type_by_id(c->target, id);

		if (!uxdp_core_kinds_compat(t, lt))
			continue;
		err = spec_match(&ls, c->target, id, &cs);
		if (err < 0)
			return core_err(c, err, "error matching %s type %u", c->target_name, id);
		if (!err)
			continue;
		err = calc(&ls, &cs, &cres);
		if (err)
			return core_err(c, err, "cannot compute the value (%s)", strerror(-err));
		if (!matched) {
			res = cres;
			ts = cs;
		} else if (cs.bit_offset != ts.bit_offset || cres.poison != res.poison ||
			   cres.new_val != res.new_val) {
			return core_err(c, -EINVAL,
					"ambiguous: %s types %u and %u give different results",
					c->target_name, ts.root_id, id);
		}
		matched++;
	}
	if (!matched) {
		err = calc(&ls, NULL, &res);
		if (err)
			return core_err(c, err, "cannot compute the value (%s)", strerror(-err));
	}
	snprintf(miss, sizeof(miss), "failed: no such %s in %s",
		 kind_is_enumval(r->kind) ? "enumerator"
		 : kind_is_type(r->kind)  ? "type"
					  : "field",
		 c->target_name);
	return patch(c, in, n_left, &res, miss);
}

/* -------------------------------------------------------------- entry */

static int sec_index(const struct uxdp_elf_view *v, const char *name)
{
	for (size_t i = 1; i < v->n_secs; i++)
		if (v->sec_names[i] && !strcmp(v->sec_names[i], name))
			return (int)i;
	return -1;
}

/*
 * The target BTF: uxdp.btf unless the caller gives another.  Searched for
 * as the helpers' bitcode is: $UXDP_TARGET_BTF, then relative to this
 * executable: in the build tree runtime/helpers/ one, two or three levels
 * up (uxdpc, the tools, the tests), installed LIBDIR/uxdp/.  No absolute
 * build path is compiled in: an installed tool must not depend on the tree
 * it was built in.
 */
const char *uxdp_target_btf_path(void)
{
	static char buf[4096 + 64];
#ifdef UXDP_TARGET_BTF_REL
	/* Its own array: clang's -Wstring-concatenation flags a pasted literal
	 * among plain ones in an initializer list. */
	static const char configured[] = "/" UXDP_TARGET_BTF_REL;
#endif
	static const char *const rel[] = {
		"/../runtime/helpers/uxdp.btf",
		"/../../runtime/helpers/uxdp.btf",
		"/../../../runtime/helpers/uxdp.btf",
#ifdef UXDP_TARGET_BTF_REL
		configured,
#endif
		"/../lib/uxdp/uxdp.btf",
	};
	char exe[4096];
	ssize_t n;

	if (getenv("UXDP_TARGET_BTF"))
		return getenv("UXDP_TARGET_BTF");
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		*strrchr(exe, '/') = '\0';
		for (size_t k = 0; k < sizeof(rel) / sizeof(rel[0]); k++) {
			snprintf(buf, sizeof(buf), "%s%s", exe, rel[k]);
			if (!access(buf, R_OK))
				return buf;
		}
	}
	return NULL;
}

static struct btf *load_target(const char *path, struct uxdp_diag *diag, const char *oname,
			       int *err)
{
	libbpf_print_fn_t old;
	struct btf *btf;

	if (!path) {
		*err = diag_error(diag, -ENOENT,
				  "%s: has CO-RE relocations, and uxdp's types (uxdp.btf) are not "
				  "installed next to uxdpc; give them with --target-btf",
				  oname);
		return NULL;
	}
	old = libbpf_set_print(quiet_print);
	btf = btf__parse_raw(path);
	*err = btf ? 0 : (errno ? -errno : -EINVAL);
	libbpf_set_print(old);
	if (!btf)
		diag_error(diag, *err, "%s: cannot read the target types %s: %s", oname, path,
			   strerror(-*err));
	return btf;
}

int uxdp_core_apply(struct uxdp_object *obj, const struct uxdp_elf_view *v,
		    const struct uxdp_core_sections *secs, const struct uxdp_core_target *tgt,
		    struct uxdp_diag *diag)
{
	const uint8_t *p = v->btf_ext;
	struct ext_header h = {0};
	struct core c = {.v = v, .obj = obj, .diag = diag};
	struct btf *local = NULL, *owned = NULL;
	uint32_t rec_size;
	size_t off, end, total = 0;
	int err = 0;

	if (!p)
		return 0;
	if (v->btf_ext_size < 24)
		return diag_error(diag, -EINVAL,
				  "%s: .BTF.ext truncated: %zu bytes, its header is 24", v->name,
				  v->btf_ext_size);
	memcpy(&h, p, v->btf_ext_size < sizeof(h) ? v->btf_ext_size : sizeof(h));
	if (h.magic != 0xeB9F)
		return diag_error(diag, -EINVAL, "%s: .BTF.ext: bad magic 0x%04x", v->name,
				  h.magic);
	if (h.hdr_len < 24 || h.hdr_len > v->btf_ext_size)
		return diag_error(diag, -EINVAL,
				  "%s: .BTF.ext: header length %u out of the %zu-byte section",
				  v->name, h.hdr_len, v->btf_ext_size);
	if (h.hdr_len < 32 || h.core_relo_len == 0)
		return 0; /* no CO-RE records */
	off = (size_t)h.hdr_len + h.core_relo_off;
	end = off + h.core_relo_len;
	if (off < h.hdr_len || end < off || end > v->btf_ext_size || h.core_relo_len < 4)
		return diag_error(diag, -EINVAL, "%s: .BTF.ext: CO-RE records out of the section",
				  v->name);
	if (!v->btf)
		return diag_error(diag, -EINVAL, "%s: .BTF.ext without .BTF", v->name);
	local = uxdp_btf_parse(v, diag, &err);
	if (!local)
		return err;
	c.local = local;
	memcpy(&rec_size, p + off, 4);
	off += 4;
	if (rec_size < sizeof(struct core_relo) || rec_size % 4) {
		err = diag_error(diag, -EINVAL, "%s: .BTF.ext: CO-RE record size %u", v->name,
				 rec_size);
		goto out;
	}
	while (off < end && !err) {
		uint32_t hdr[2];
		const char *sname;
		int shndx;

		if (end - off < sizeof(hdr)) {
			err = diag_error(diag, -EINVAL, "%s: .BTF.ext: truncated CO-RE section",
					 v->name);
			break;
		}
		memcpy(hdr, p + off, sizeof(hdr));
		off += sizeof(hdr);
		sname = btf__name_by_offset(local, hdr[0]);
		shndx = sname ? sec_index(v, sname) : -1;
		if (shndx < 0) {
			err = diag_error(diag, -EINVAL,
					 "%s: .BTF.ext: CO-RE records for unknown section '%s'",
					 v->name, sname ? sname : "?");
			break;
		}
		if (hdr[1] > (end - off) / rec_size) {
			err = diag_error(diag, -EINVAL,
					 "%s: .BTF.ext: %u CO-RE records overrun the section",
					 v->name, hdr[1]);
			break;
		}
		for (uint32_t j = 0; j < hdr[1] && !err; j++, off += rec_size) {
			struct core_relo r;
			size_t n_insns = secs->n_insns[shndx];

			memcpy(&r, p + off, sizeof(r));
			c.section = sname;
			c.insn = r.insn_off / EBPF_INSN_SIZE;
			c.relo_no = (uint32_t)total;
			total++;
			if (r.insn_off % EBPF_INSN_SIZE || c.insn >= n_insns || r.type_id == 0 ||
			    r.type_id >= btf__type_cnt(local) || r.kind > TYPE_MATCHES ||
			    str_empty(btf__name_by_offset(local, r.access_str_off))) {
				err = diag_error(diag, -EINVAL,
						 "%s: section '%s' insn %u: malformed CO-RE "
						 "relocation (type %u, kind %u)",
						 v->name, sname, c.insn, r.type_id, r.kind);
				break;
			}
			if (!secs->insns[shndx])
				continue; /* a section the caller does not compile */
			if (!c.target) {
				if (tgt && tgt->btf) {
					c.target = tgt->btf;
				} else {
					owned = load_target(
					    tgt && tgt->path ? tgt->path : uxdp_target_btf_path(),
					    diag, v->name, &err);
					if (!owned)
						break;
					c.target = owned;
				}
				c.target_name = tgt && tgt->name ? tgt->name : "uxdp's types";
			}
			err = apply_one(&c, &r, secs->insns[shndx] + c.insn, n_insns - c.insn);
		}
	}
	if (!err)
		obj->n_core_relos = total;
out:
	free(c.index);
	btf__free(owned);
	btf__free(local);
	return err;
}
