// SPDX-License-Identifier: MIT
/*
 * btf_fmt.c - format map entries by BTF as bpftool does (btf_fmt.h).
 *
 * bpftool prints both its plain BTF output and the "formatted" member of
 * its JSON with one writer, differing only in a few kinds (bitfields and
 * 128-bit ints are bare hex in plain text, strings in JSON; pointers and
 * non-printable chars differ too).  Its plain text is that writer in pretty
 * mode, whose layout has quirks (an array's items stay on the '[' line, its
 * ']' goes on a line of its own; entries are joined as "},{"), so the
 * writer here reproduces its rules rather than using uxdp_json: a separator
 * before each item, an end-of-line plus indentation before each name and
 * before a closing brace that closes something non-empty.
 */
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <ctype.h>
#include <errno.h>
#include <linux/bpf.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <uxdp/ctl.h>

#include "btf_fmt.h"

/* Nesting of types deeper than this is a damaged blob (or a cycle). */
#define MAX_DEPTH 32

/* ---- bpftool's writer ---- */

struct btf_fmt_out {
	FILE *f;
	unsigned int depth;
	bool pretty;
	char sep; /* ',' once something was written at this level, else 0 */
};

static void w_eol(struct btf_fmt_out *o)
{
	if (!o->pretty)
		return;
	fputc('\n', o->f);
	for (unsigned int i = 0; i < o->depth; i++)
		fputs("    ", o->f);
}

static void w_sep(struct btf_fmt_out *o)
{
	if (o->sep)
		fputc(o->sep, o->f);
	o->sep = ',';
}

static void w_open(struct btf_fmt_out *o, char c)
{
	w_sep(o);
	fputc(c, o->f);
	o->depth++;
	o->sep = 0;
}

static void w_close(struct btf_fmt_out *o, char c)
{
	if (o->depth)
		o->depth--;
	if (o->sep)
		w_eol(o);
	fputc(c, o->f);
	o->sep = ',';
}

static void w_str_raw(struct btf_fmt_out *o, const char *s)
{
	fputc('"', o->f);
	for (; *s; s++) {
		switch (*s) {
		case '"':
			fputs("\\\"", o->f);
			break;
		case '\\':
			fputs("\\\\", o->f);
			break;
		case '\n':
			fputs("\\n", o->f);
			break;
		case '\t':
			fputs("\\t", o->f);
			break;
		case '\r':
			fputs("\\r", o->f);
			break;
		case '\f':
			fputs("\\f", o->f);
			break;
		case '\b':
			fputs("\\b", o->f);
			break;
		default:
			fputc(*s, o->f);
		}
	}
	fputc('"', o->f);
}

static void w_name(struct btf_fmt_out *o, const char *name)
{
	w_sep(o);
	w_eol(o);
	o->sep = 0;
	w_str_raw(o, name ? name : "");
	fputc(':', o->f);
	if (o->pretty)
		fputc(' ', o->f);
}

static void w_printf(struct btf_fmt_out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void w_printf(struct btf_fmt_out *o, const char *fmt, ...)
{
	va_list ap;

	w_sep(o);
	va_start(ap, fmt);
	vfprintf(o->f, fmt, ap);
	va_end(ap);
}

static void w_string(struct btf_fmt_out *o, const char *s)
{
	w_sep(o);
	w_str_raw(o, s);
}

/* ---- the dumper ---- */

struct dumper {
	const struct btf *btf;
	struct btf_fmt_out *o;
	bool plain; /* bpftool's is_plain_text */
};

static int dump_type(const struct dumper *d, uint32_t id, uint8_t bit_off, const uint8_t *data,
		     size_t avail, int depth);

/* A 128-bit number as bpftool prints it: hex, quoted in JSON. */
static void print_u128(const struct dumper *d, unsigned __int128 v)
{
	uint64_t hi = (uint64_t)(v >> 64), lo = (uint64_t)v;
	const char *q = d->plain ? "" : "\"";

	if (hi)
		w_printf(d->o, "%s0x%llx%016llx%s", q, (unsigned long long)hi,
			 (unsigned long long)lo, q);
	else
		w_printf(d->o, "%s0x%llx%s", q, (unsigned long long)lo, q);
}

/* nr_bits bits from bit_off (< 8) of data, little-endian; never sign-extended. */
static int print_bits(const struct dumper *d, uint32_t nr_bits, uint32_t bit_off,
		      const uint8_t *data, size_t avail)
{
	size_t bytes = (bit_off + nr_bits + 7) / 8;
	unsigned __int128 v = 0;

	if (nr_bits == 0 || nr_bits > 128 || bytes > 16 || bytes > avail)
		return -EINVAL;
	for (size_t i = 0; i < bytes; i++)
		v |= (unsigned __int128)data[i] << (8 * i);
	v >>= bit_off;
	if (nr_bits < 128)
		v &= ((unsigned __int128)1 << nr_bits) - 1;
	print_u128(d, v);
	return 0;
}

static int dump_int(const struct dumper *d, const struct btf_type *t, uint8_t bit_off,
		    const uint8_t *data, size_t avail)
{
	uint32_t info = *(const uint32_t *)(t + 1);
	uint32_t bits = BTF_INT_BITS(info), off = BTF_INT_OFFSET(info) + bit_off;
	int64_t s;
	uint64_t u;

	if (off || bits % 8)
		return print_bits(d, bits, off % 8, data + off / 8,
				  avail > off / 8 ? avail - off / 8 : 0);
	if (bits / 8 > avail)
		return -EINVAL;
	if (bits == 128)
		return print_bits(d, 128, 0, data, avail);
	switch (BTF_INT_ENCODING(info)) {
	case 0:
	case BTF_INT_SIGNED:
		if (bits != 8 && bits != 16 && bits != 32 && bits != 64)
			return print_bits(d, bits, 0, data, avail);
		u = 0;
		memcpy(&u, data, bits / 8);
		if (!(BTF_INT_ENCODING(info) & BTF_INT_SIGNED)) {
			w_printf(d->o, "%llu", (unsigned long long)u);
			return 0;
		}
		s = bits == 64 ? (int64_t)u : (int64_t)(u << (64 - bits)) >> (64 - bits);
		w_printf(d->o, "%lld", (long long)s);
		return 0;
	case BTF_INT_CHAR:
		if (isprint(data[0]))
			w_printf(d->o, "\"%c\"", data[0]);
		else if (d->plain)
			w_printf(d->o, "0x%hhx", data[0]);
		else
			w_printf(d->o, "\"\\u00%02hhx\"", data[0]);
		return 0;
	case BTF_INT_BOOL:
		w_printf(d->o, "%s", data[0] ? "true" : "false");
		return 0;
	default:
		return -EINVAL;
	}
}

static int dump_enum(const struct dumper *d, const struct btf_type *t, const uint8_t *data,
		     size_t avail)
{
	const struct btf_enum *e = btf_enum(t);
	int64_t v;

	if (t->size > avail)
		return -EINVAL;
	switch (t->size) {
	case 8:
		memcpy(&v, data, 8);
		break;
	case 4: {
		int32_t x;
		memcpy(&x, data, 4);
		v = x;
		break;
	}
	case 2: {
		int16_t x;
		memcpy(&x, data, 2);
		v = x;
		break;
	}
	case 1:
		v = (int8_t)data[0];
		break;
	default:
		return -EINVAL;
	}
	for (uint16_t i = 0; i < btf_vlen(t); i++) {
		if (v == e[i].val) {
			w_string(d->o, btf__name_by_offset(d->btf, e[i].name_off) ?: "");
			return 0;
		}
	}
	w_printf(d->o, "%lld", (long long)v);
	return 0;
}

static int dump_enum64(const struct dumper *d, const struct btf_type *t, const uint8_t *data,
		       size_t avail)
{
	const struct btf_enum64 *e = btf_enum64(t);
	uint64_t v;

	if (avail < 8)
		return -EINVAL;
	memcpy(&v, data, 8);
	for (uint16_t i = 0; i < btf_vlen(t); i++) {
		if (v == btf_enum64_value(&e[i])) {
			w_string(d->o, btf__name_by_offset(d->btf, e[i].name_off) ?: "");
			return 0;
		}
	}
	w_printf(d->o, "%lld", (long long)v);
	return 0;
}

/*
 * A char array is printed as a string when it holds one: bpftool's rule is
 * an element type (modifiers skipped, typedefs not) that is a 1-byte int
 * named "char" or encoded as a char, and printable bytes up to a NUL.
 */
static bool is_string(const struct btf *btf, const struct btf_array *a, const uint8_t *s,
		      size_t avail)
{
	const struct btf_type *et = btf__type_by_id(btf, a->type);
	int hops = 0;
	const char *name;

	if (!a->nelems || a->nelems > avail)
		return false;
	while (et && btf_is_mod(et) && ++hops < MAX_DEPTH)
		et = btf__type_by_id(btf, et->type);
	if (!et || !btf_is_int(et) || et->size != 1)
		return false;
	name = btf__name_by_offset(btf, et->name_off);
	if (btf_int_encoding(et) != BTF_INT_CHAR && (!name || strcmp(name, "char")))
		return false;
	for (uint32_t i = 0; i < a->nelems; i++) {
		if (!s[i])
			return true;
		if (s[i] <= 0x1f || s[i] >= 0x7f)
			return false;
	}
	return false;
}

static int dump_array(const struct dumper *d, const struct btf_type *t, const uint8_t *data,
		      size_t avail, int depth)
{
	const struct btf_array *a = btf_array(t);
	long long esz;
	int err = 0;

	if (is_string(d->btf, a, data, avail)) {
		w_string(d->o, (const char *)data);
		return 0;
	}
	esz = btf__resolve_size(d->btf, a->type);
	if (esz < 0 || (uint64_t)esz * a->nelems > avail)
		return -EINVAL;
	w_open(d->o, '[');
	for (uint32_t i = 0; i < a->nelems && !err; i++)
		err = dump_type(d, a->type, 0, data + i * esz, avail - i * esz, depth + 1);
	w_close(d->o, ']');
	return err;
}

static int dump_struct(const struct dumper *d, const struct btf_type *t, const uint8_t *data,
		       size_t avail, int depth)
{
	const struct btf_member *m = btf_members(t);
	int err = 0;

	w_open(d->o, '{');
	for (uint16_t i = 0; i < btf_vlen(t) && !err; i++) {
		uint32_t bit = btf_member_bit_offset(t, i);
		uint32_t bf = btf_member_bitfield_size(t, i);
		size_t at = bit / 8;

		w_name(d->o, btf__name_by_offset(d->btf, m[i].name_off));
		if (at > avail) {
			err = -EINVAL;
			break;
		}
		if (bf)
			err = print_bits(d, bf, bit % 8, data + at, avail - at);
		else
			err = dump_type(d, m[i].type, bit % 8, data + at, avail - at, depth + 1);
	}
	w_close(d->o, '}');
	return err;
}

/* Global data: {"SECTION": [{"var": value}, ...]}, each variable at its offset. */
static int dump_datasec(const struct dumper *d, const struct btf_type *t, const uint8_t *data,
			size_t avail, int depth)
{
	const struct btf_var_secinfo *v = btf_var_secinfos(t);
	int err = 0;

	w_open(d->o, '{');
	w_name(d->o, btf__name_by_offset(d->btf, t->name_off));
	w_open(d->o, '[');
	for (uint16_t i = 0; i < btf_vlen(t) && !err; i++) {
		if (v[i].offset > avail) {
			err = -EINVAL;
			break;
		}
		err =
		    dump_type(d, v[i].type, 0, data + v[i].offset, avail - v[i].offset, depth + 1);
	}
	w_close(d->o, ']');
	w_close(d->o, '}');
	return err;
}

static int dump_type(const struct dumper *d, uint32_t id, uint8_t bit_off, const uint8_t *data,
		     size_t avail, int depth)
{
	const struct btf_type *t = btf__type_by_id(d->btf, id);
	int err;
	uint64_t p = 0;

	if (!t || depth > MAX_DEPTH)
		return -EINVAL;
	switch (btf_kind(t)) {
	case BTF_KIND_INT:
		return dump_int(d, t, bit_off, data, avail);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		return dump_struct(d, t, data, avail, depth);
	case BTF_KIND_ARRAY:
		return dump_array(d, t, data, avail, depth);
	case BTF_KIND_ENUM:
		return dump_enum(d, t, data, avail);
	case BTF_KIND_ENUM64:
		return dump_enum64(d, t, data, avail);
	case BTF_KIND_PTR:
		if (avail < 8)
			return -EINVAL;
		memcpy(&p, data, 8);
		if (d->plain)
			w_printf(d->o, "\"%p\"", (void *)(uintptr_t)p);
		else
			w_printf(d->o, "%llu", (unsigned long long)p);
		return 0;
	case BTF_KIND_UNKN:
		w_printf(d->o, "(unknown)");
		return 0;
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
		return dump_type(d, t->type, bit_off, data, avail, depth + 1);
	case BTF_KIND_VAR:
		w_open(d->o, '{');
		w_name(d->o, btf__name_by_offset(d->btf, t->name_off));
		err = dump_type(d, t->type, bit_off, data, avail, depth + 1);
		w_close(d->o, '}');
		return err;
	case BTF_KIND_DATASEC:
		return dump_datasec(d, t, data, avail, depth);
	case BTF_KIND_FWD:
		w_printf(d->o, "(fwd-kind-invalid)");
		return -EINVAL;
	default:
		w_printf(d->o, "(unsupported-kind)");
		return -EINVAL;
	}
}

/* bpftool's do_dump_btf: {"key": ..., "value": ...} or "values" per CPU. */
static int dump_entry(const struct dumper *d, const struct btf_fmt *f, const void *key,
		      const void *value)
{
	size_t stride = (f->value_size + 7) & ~(size_t)7;
	int err = 0;

	w_open(d->o, '{');
	if (f->key_id) {
		w_name(d->o, "key");
		err = dump_type(d, f->key_id, 0, key, f->key_size, 0);
	}
	if (!err && !f->ncpus) {
		w_name(d->o, "value");
		err = dump_type(d, f->value_id, 0, value, f->value_size, 0);
	} else if (!err) {
		w_name(d->o, "values");
		w_open(d->o, '[');
		for (unsigned int c = 0; c < f->ncpus && !err; c++) {
			w_open(d->o, '{');
			w_name(d->o, "cpu");
			w_printf(d->o, "%u", c);
			w_name(d->o, "value");
			err = dump_type(d, f->value_id, 0, (const uint8_t *)value + c * stride,
					f->value_size, 0);
			w_close(d->o, '}');
		}
		w_close(d->o, ']');
	}
	w_close(d->o, '}');
	return err;
}

/* ---- the public side ---- */

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

/* Whether id names a type of exactly size bytes, as the kernel checks at map creation. */
static bool sized(const struct btf *btf, uint32_t id, uint32_t size)
{
	return id && id < btf__type_cnt(btf) && btf__resolve_size(btf, id) == (long long)size;
}

int btf_fmt_open(struct uxdp_map *map, const struct uxdp_map_info *info, struct btf_fmt *f)
{
	static uint8_t buf[UXDP_MAP_BTF_MAX];
	libbpf_print_fn_t old;
	uint32_t size;

	memset(f, 0, sizeof(*f));
	if (uxdp_map_btf(map, buf, sizeof(buf), &size, &f->key_id, &f->value_id))
		return -ENOENT;
	old = libbpf_set_print(quiet);
	f->btf = btf__new(buf, size);
	libbpf_set_print(old);
	if (!f->btf)
		return -ENOENT;
	f->key_size = info->key_size;
	f->value_size = info->value_size;
	f->ncpus = uxdp_ctl_map_is_percpu(info->type) ? uxdp_map_ncpus(map) : 0;
	if ((f->key_id && !sized(f->btf, f->key_id, f->key_size)) ||
	    !sized(f->btf, f->value_id, f->value_size)) {
		btf_fmt_close(f);
		return -ENOENT;
	}
	return 0;
}

void btf_fmt_close(struct btf_fmt *f)
{
	btf__free(f->btf);
	f->btf = NULL;
}

struct btf_fmt_out *btf_fmt_plain(FILE *out)
{
	struct btf_fmt_out *o = calloc(1, sizeof(*o));

	if (o) {
		o->f = out;
		o->pretty = true;
	}
	return o;
}

void btf_fmt_begin_list(struct btf_fmt_out *o)
{
	w_open(o, '[');
}

void btf_fmt_end_list(struct btf_fmt_out *o)
{
	w_close(o, ']');
}

int btf_fmt_entry(struct btf_fmt_out *o, const struct btf_fmt *f, const void *key,
		  const void *value)
{
	const struct dumper d = {.btf = f->btf, .o = o, .plain = true};

	return dump_entry(&d, f, key, value);
}

void btf_fmt_end(struct btf_fmt_out *o)
{
	if (!o)
		return;
	fputc('\n', o->f);
	fflush(o->f);
	free(o);
}

char *btf_fmt_json(const struct btf_fmt *f, const void *key, const void *value)
{
	struct btf_fmt_out o = {0};
	char *buf = NULL;
	size_t len = 0;
	int err;

	o.f = open_memstream(&buf, &len);
	if (!o.f)
		return NULL;
	err = dump_entry(&(struct dumper){.btf = f->btf, .o = &o, .plain = false}, f, key, value);
	if (fclose(o.f) || err) {
		free(buf);
		return NULL;
	}
	return buf;
}
