// SPDX-License-Identifier: MIT
/*
 * meta.c - find and check the uxdp_meta records of a loaded image.
 *
 * The records are checked after relocation, because program entries and map
 * slots are pointers filled by relocations: an entry must point into the
 * image's code and a slot into its writable data, so the runtime can call
 * and store through them without further checks.  uxdp_meta_parse() is also
 * what checks the records a static linker gathered (uxdp_object_open_linked).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader_internal.h"

static bool str_ok(const struct uxdp_meta_header *h, uint32_t off)
{
	return off < h->strings_size;
}

/* Is [off, off + n * size) inside a record of rsize bytes, 8-aligned? */
static bool table_ok(uint32_t off, uint32_t n, size_t size, uint32_t rsize)
{
	return off % 8 == 0 && off <= rsize && (uint64_t)n * size <= rsize - off;
}

/* Where messages go: "what: message" into err. */
struct meta_where {
	const char *what;
	char *err;
	size_t err_size;
};

static int meta_err(const struct meta_where *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int meta_err(const struct meta_where *w, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!w->err || !w->err_size)
		return -ENOEXEC;
	n = snprintf(w->err, w->err_size, "%s: ", w->what);
	if (n < 0)
		n = 0;
	if ((size_t)n < w->err_size) {
		va_start(ap, fmt);
		vsnprintf(w->err + n, w->err_size - n, fmt, ap);
		va_end(ap);
	}
	return -ENOEXEC;
}

static int check_record(const struct uxdp_meta_header *h, size_t idx,
			const struct uxdp_meta_bounds *b, const struct meta_where *w)
{
	const uint8_t *rec = (const uint8_t *)h;
	const struct uxdp_meta_prog *progs;
	const struct uxdp_meta_map *maps;
	uint32_t i;

	if (!table_ok(h->progs_off, h->n_progs, sizeof(*progs), h->size) ||
	    !table_ok(h->maps_off, h->n_maps, sizeof(*maps), h->size))
		return meta_err(w, "uxdp_meta record %zu: program or map table out of bounds", idx);
	if (h->strings_off > h->size || h->strings_size > h->size - h->strings_off ||
	    h->strings_size == 0 || rec[h->strings_off + h->strings_size - 1] != '\0')
		return meta_err(w,
				"uxdp_meta record %zu: string table out of bounds or unterminated",
				idx);
	if (h->data_off > h->size || h->data_size > h->size - h->data_off)
		return meta_err(w, "uxdp_meta record %zu: data area out of bounds", idx);
	if (!str_ok(h, h->obj_name))
		return meta_err(w, "uxdp_meta record %zu: object name out of bounds", idx);

	progs = (const struct uxdp_meta_prog *)(rec + h->progs_off);
	for (i = 0; i < h->n_progs; i++) {
		const struct uxdp_meta_prog *p = &progs[i];
		uintptr_t e = (uintptr_t)p->entry;

		if (!str_ok(h, p->name) || !str_ok(h, p->section))
			return meta_err(w, "uxdp_meta record %zu: program %u: name out of bounds",
					idx, i);
		if (p->type > UXDP_PROG_XDP)
			return meta_err(w, "uxdp_meta record %zu: program %s: unknown type %u", idx,
					(const char *)rec + h->strings_off + p->name, p->type);
		if (e < b->code_lo || e >= b->code_hi)
			return meta_err(w,
					"uxdp_meta record %zu: program %s: entry is not in the code",
					idx, (const char *)rec + h->strings_off + p->name);
	}

	maps = (const struct uxdp_meta_map *)(rec + h->maps_off);
	for (i = 0; i < h->n_maps; i++) {
		const struct uxdp_meta_map *m = &maps[i];
		const char *name;
		uintptr_t s = (uintptr_t)m->slot;

		if (!str_ok(h, m->name))
			return meta_err(w, "uxdp_meta record %zu: map %u: name out of bounds", idx,
					i);
		name = (const char *)rec + h->strings_off + m->name;
		if (m->kind > UXDP_MAP_KIND_INNER)
			return meta_err(w, "uxdp_meta record %zu: map %s: unknown kind %u", idx,
					name, m->kind);
		if (m->init_off > h->data_size || m->init_size > h->data_size - m->init_off)
			return meta_err(w,
					"uxdp_meta record %zu: map %s: initial data out of bounds",
					idx, name);
		if (m->btf_off > h->data_size || m->btf_size > h->data_size - m->btf_off)
			return meta_err(w, "uxdp_meta record %zu: map %s: BTF out of bounds", idx,
					name);
		if (m->inner_map < -1 || (m->inner_map >= 0 && (uint32_t)m->inner_map >= h->n_maps))
			return meta_err(w, "uxdp_meta record %zu: map %s: bad inner map index %d",
					idx, name, m->inner_map);
		if (m->kind == UXDP_MAP_KIND_INNER && !m->slot)
			continue;
		if (s % _Alignof(struct uxdp_map_slot) || s < b->data_lo ||
		    b->data_hi - b->data_lo < sizeof(struct uxdp_map_slot) ||
		    s > b->data_hi - sizeof(struct uxdp_map_slot))
			return meta_err(w,
					"uxdp_meta record %zu: map %s: slot is not in the image's data",
					idx, name);
	}
	return 0;
}

int uxdp_meta_parse(const void *sec, size_t size, const struct uxdp_meta_bounds *b,
		    const struct uxdp_meta_header ***records, size_t *n, const char *what,
		    char *err, size_t err_size)
{
	const struct meta_where w = { what, err, err_size };
	const uint8_t *p = sec;
	size_t left = size, idx;
	int ret;

	if ((uintptr_t)p % 8)
		return meta_err(&w, "section %s is not 8-byte aligned", UXDP_META_SECTION);
	while (left) {
		const struct uxdp_meta_header *h = (const void *)p;
		const struct uxdp_meta_header **grown;

		idx = *n;
		if (left < sizeof(*h))
			return meta_err(&w, "uxdp_meta record %zu: truncated header", idx);
		if (memcmp(h->magic, UXDP_META_MAGIC, 8) != 0)
			return meta_err(&w, "uxdp_meta record %zu: bad magic", idx);
		if (h->version != UXDP_META_VERSION)
			return meta_err(&w,
					"uxdp_meta record %zu: metadata version %u, this runtime reads "
					"version %u: compile it again with this version's uxdpc",
					idx, h->version, UXDP_META_VERSION);
		if (h->runtime_abi != UXDP_RUNTIME_ABI)
			return meta_err(&w,
					"uxdp_meta record %zu: compiled for runtime ABI %u, this runtime "
					"has ABI %u: compile it again with this version's uxdpc",
					idx, h->runtime_abi, UXDP_RUNTIME_ABI);
		if (h->size < sizeof(*h) || h->size % 8 || h->size > left)
			return meta_err(&w, "uxdp_meta record %zu: bad size %u (%zu bytes left)",
					idx, h->size, left);
		ret = check_record(h, idx, b, &w);
		if (ret)
			return ret;
		grown = realloc(*records, (idx + 1) * sizeof(*grown));
		if (!grown) {
			if (err && err_size)
				snprintf(err, err_size, "%s: out of memory for metadata", what);
			return -ENOMEM;
		}
		*records = grown;
		grown[idx] = h;
		(*n)++;
		p += h->size;
		left -= h->size;
	}
	return 0;
}

int ld_collect_meta(struct ld_ctx *c)
{
	uintptr_t base = (uintptr_t)c->img->base;
	/* Entries must be in the image's code and slots in its writable data. */
	const struct uxdp_meta_bounds b = {
		.code_lo = base,
		.code_hi = base + c->text_end,
		.data_lo = base + c->data_start,
		.data_hi = base + c->img->size,
	};
	size_t i;
	int err;

	for (i = 1; i < c->shnum; i++) {
		if (!ld_sec_mapped(c, i) || strcmp(ld_sec_name(c, i), UXDP_META_SECTION) != 0)
			continue;
		if (c->sh[i].sh_type == SHT_NOBITS)
			return ld_err(c, ENOEXEC, "section %s has no contents", UXDP_META_SECTION);
		err = uxdp_meta_parse(c->img->base + c->sec_off[i], c->sh[i].sh_size, &b,
				      &c->img->meta, &c->img->n_meta, c->name, c->err, c->err_size);
		if (err)
			return err;
	}
	return 0;
}
