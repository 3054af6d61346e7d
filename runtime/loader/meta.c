// SPDX-License-Identifier: MIT
/*
 * meta.c - find and check the uxdp_meta records of a loaded image.
 *
 * The records are checked after relocation, because program entries and map
 * slots are pointers filled by relocations: an entry must point into the
 * image's code and a slot into its writable data, so the runtime can call
 * and store through them without further checks.
 */
#include <errno.h>
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

static int check_record(struct ld_ctx *c, const struct uxdp_meta_header *h, size_t idx)
{
	const uint8_t *rec = (const uint8_t *)h;
	const struct uxdp_meta_prog *progs;
	const struct uxdp_meta_map *maps;
	uintptr_t base = (uintptr_t)c->img->base;
	uintptr_t text_end = base + c->text_end;
	uintptr_t data_lo = base + c->data_start, data_hi = base + c->img->size;
	uint32_t i;

	if (!table_ok(h->progs_off, h->n_progs, sizeof(*progs), h->size) ||
	    !table_ok(h->maps_off, h->n_maps, sizeof(*maps), h->size))
		return ld_err(c, ENOEXEC, "uxdp_meta record %zu: program or map table out of bounds",
			      idx);
	if (h->strings_off > h->size || h->strings_size > h->size - h->strings_off ||
	    h->strings_size == 0 || rec[h->strings_off + h->strings_size - 1] != '\0')
		return ld_err(c, ENOEXEC, "uxdp_meta record %zu: string table out of bounds or unterminated",
			      idx);
	if (h->data_off > h->size || h->data_size > h->size - h->data_off)
		return ld_err(c, ENOEXEC, "uxdp_meta record %zu: data area out of bounds", idx);
	if (!str_ok(h, h->obj_name))
		return ld_err(c, ENOEXEC, "uxdp_meta record %zu: object name out of bounds", idx);

	progs = (const struct uxdp_meta_prog *)(rec + h->progs_off);
	for (i = 0; i < h->n_progs; i++) {
		const struct uxdp_meta_prog *p = &progs[i];
		uintptr_t e = (uintptr_t)p->entry;

		if (!str_ok(h, p->name) || !str_ok(h, p->section))
			return ld_err(c, ENOEXEC, "uxdp_meta record %zu: program %u: name out of bounds",
				      idx, i);
		if (p->type > UXDP_PROG_XDP)
			return ld_err(c, ENOEXEC, "uxdp_meta record %zu: program %s: unknown type %u",
				      idx, (const char *)rec + h->strings_off + p->name, p->type);
		if (e < base || e >= text_end)
			return ld_err(c, ENOEXEC, "uxdp_meta record %zu: program %s: entry is not in the code",
				      idx, (const char *)rec + h->strings_off + p->name);
	}

	maps = (const struct uxdp_meta_map *)(rec + h->maps_off);
	for (i = 0; i < h->n_maps; i++) {
		const struct uxdp_meta_map *m = &maps[i];
		const char *name;
		uintptr_t s = (uintptr_t)m->slot;

		if (!str_ok(h, m->name))
			return ld_err(c, ENOEXEC, "uxdp_meta record %zu: map %u: name out of bounds",
				      idx, i);
		name = (const char *)rec + h->strings_off + m->name;
		if (m->kind > UXDP_MAP_KIND_INNER)
			return ld_err(c, ENOEXEC, "uxdp_meta record %zu: map %s: unknown kind %u", idx,
				      name, m->kind);
		if (m->init_off > h->data_size || m->init_size > h->data_size - m->init_off)
			return ld_err(c, ENOEXEC, "uxdp_meta record %zu: map %s: initial data out of bounds",
				      idx, name);
		if (m->inner_map < -1 || (m->inner_map >= 0 && (uint32_t)m->inner_map >= h->n_maps))
			return ld_err(c, ENOEXEC, "uxdp_meta record %zu: map %s: bad inner map index %d",
				      idx, name, m->inner_map);
		if (m->kind == UXDP_MAP_KIND_INNER && !m->slot)
			continue;
		if (s % _Alignof(struct uxdp_map_slot) || s < data_lo ||
		    s > data_hi - sizeof(struct uxdp_map_slot))
			return ld_err(c, ENOEXEC, "uxdp_meta record %zu: map %s: slot is not in the image's data",
				      idx, name);
	}
	return 0;
}

static int add_records(struct ld_ctx *c, size_t sec)
{
	struct uxdp_image *img = c->img;
	const uint8_t *p = img->base + c->sec_off[sec];
	size_t left = c->sh[sec].sh_size, idx;
	int err;

	if ((uintptr_t)p % 8)
		return ld_err(c, ENOEXEC, "section %s is not 8-byte aligned", UXDP_META_SECTION);
	while (left) {
		const struct uxdp_meta_header *h = (const void *)p;
		const struct uxdp_meta_header **grown;

		idx = img->n_meta;
		if (left < sizeof(*h))
			return ld_err(c, ENOEXEC, "uxdp_meta record %zu: truncated header", idx);
		if (memcmp(h->magic, UXDP_META_MAGIC, 8) != 0)
			return ld_err(c, ENOEXEC, "uxdp_meta record %zu: bad magic", idx);
		if (h->version != UXDP_META_VERSION)
			return ld_err(c, ENOEXEC, "uxdp_meta record %zu: version %u, this runtime reads %u",
				      idx, h->version, UXDP_META_VERSION);
		if (h->size < sizeof(*h) || h->size % 8 || h->size > left)
			return ld_err(c, ENOEXEC, "uxdp_meta record %zu: bad size %u (%zu bytes left)",
				      idx, h->size, left);
		err = check_record(c, h, idx);
		if (err)
			return err;
		grown = realloc(img->meta, (idx + 1) * sizeof(*grown));
		if (!grown)
			return ld_err(c, ENOMEM, "out of memory for metadata");
		img->meta = grown;
		img->meta[idx] = h;
		img->n_meta++;
		p += h->size;
		left -= h->size;
	}
	return 0;
}

int ld_collect_meta(struct ld_ctx *c)
{
	size_t i;
	int err;

	for (i = 1; i < c->shnum; i++) {
		if (!ld_sec_mapped(c, i) || strcmp(ld_sec_name(c, i), UXDP_META_SECTION) != 0)
			continue;
		if (c->sh[i].sh_type == SHT_NOBITS)
			return ld_err(c, ENOEXEC, "section %s has no contents", UXDP_META_SECTION);
		err = add_records(c, i);
		if (err)
			return err;
	}
	return 0;
}
