/* SPDX-License-Identifier: MIT */
/*
 * metadata.c - map slots and the uxdp_meta record (include/uxdp/object_format.h).
 *
 * Slots and the record have external linkage and hidden visibility: external
 * so that LLVM never assumes a slot keeps its zero initialiser (the runtime
 * writes it), hidden so that code reaches them PC-relative, without a GOT.
 * Their names carry the object's name so that several objects link together.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile.h"

struct strtab {
	char *buf;
	size_t len, cap;
};

static uint32_t str_add(struct strtab *st, const char *s)
{
	size_t n = strlen(s) + 1;
	uint32_t off = (uint32_t)st->len;

	if (st->len + n > st->cap) {
		size_t cap = (st->cap + n) * 2;
		char *p = realloc(st->buf, cap);
		if (!p)
			return UINT32_MAX;
		st->buf = p;
		st->cap = cap;
	}
	memcpy(st->buf + st->len, s, n);
	st->len += n;
	return off;
}

static size_t align8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

/*
 * Where the slots go: the end of a page of their own section.  Every packet
 * loads its slots, and a load stalls behind an older store to an address
 * with the same low 12 bits (4 KiB aliasing) until the store is done, which
 * for a locked increment is long.  The addresses programs write most are
 * near the start of a page: map values (array data and per-CPU spans begin
 * page-aligned, and counters have small keys) and packets (headroom 256
 * into a frame).  Measured: xdp_fwd's fwd_routes slot at page offset 0x10
 * and its locked fwd_stats[2] increment at 0x10 of the array's page made
 * it 1.9x slower than the same code with either moved by 64 bytes.  So the
 * section is page-aligned, a pad comes first, and the slots fill the last
 * cache lines of the page.  In module order, which is the order in which
 * LLVM emits a section's globals.
 */
#define SLOT_SECTION ".bss.uxdp_slots"
#define SLOT_PAGE 4096u

static void add_slot_pad(struct lift_module *m, size_t n_slots)
{
	size_t used = (n_slots * 16 + 63) & ~(size_t)63;
	char name[256];
	LLVMValueRef g;
	LLVMTypeRef t;

	if (!n_slots || used >= SLOT_PAGE)
		return;
	snprintf(name, sizeof(name), "uxdp.slotpad.%s", m->obj->name);
	t = LLVMArrayType2(LLVMInt8TypeInContext(m->ctx), SLOT_PAGE - used);
	g = LLVMAddGlobal(m->mod, t, name);
	LLVMSetInitializer(g, LLVMConstNull(t));
	/* external, as the slots: never dropped as unused, and hidden */
	LLVMSetVisibility(g, LLVMHiddenVisibility);
	LLVMSetSection(g, SLOT_SECTION);
	LLVMSetAlignment(g, SLOT_PAGE);
}

int uxdp_create_map_slots(struct lift_module *m)
{
	const struct uxdp_object *obj = m->obj;
	size_t n_slots = 0;

	m->map_slots = calloc(obj->n_maps ? obj->n_maps : 1, sizeof(*m->map_slots));
	if (!m->map_slots)
		return diag_error(m->diag, -ENOMEM, "out of memory");
	for (size_t k = 0; k < obj->n_maps; k++)
		n_slots += obj->maps[k].kind != UXDP_MAP_KIND_INNER;
	add_slot_pad(m, n_slots);
	for (size_t k = 0; k < obj->n_maps; k++) {
		char name[256];
		LLVMValueRef g;

		if (obj->maps[k].kind == UXDP_MAP_KIND_INNER)
			continue;
		snprintf(name, sizeof(name), "uxdp.slot.%s.%s", obj->name, obj->maps[k].name);
		g = LLVMAddGlobal(m->mod, m->t.slot, name);
		LLVMSetInitializer(g, LLVMConstNull(m->t.slot));
		LLVMSetVisibility(g, LLVMHiddenVisibility);
		LLVMSetSection(g, SLOT_SECTION);
		LLVMSetAlignment(g, 8);
		m->map_slots[k] = g;
	}
	return 0;
}

static LLVMValueRef i32c(struct lift_module *m, uint32_t v)
{
	return LLVMConstInt(m->t.i32, v, 0);
}

static LLVMValueRef bytes_const(struct lift_module *m, const void *data, size_t size)
{
	return LLVMConstStringInContext(m->ctx, data, (unsigned)size, 1);
}

int uxdp_emit_metadata(struct lift_module *m)
{
	const struct uxdp_object *obj = m->obj;
	struct strtab st = { 0 };
	size_t n_fields = 0, data_size = 0, strings_size, total, k;
	LLVMValueRef *f, rec, g;
	uint8_t *data = NULL;
	uint32_t *init_off, *btf_off;
	char name[256];
	int err = 0;

	init_off = calloc(obj->n_maps + 1, sizeof(*init_off));
	btf_off = calloc(obj->n_maps + 1, sizeof(*btf_off));
	f = calloc(2 + 13 + obj->n_progs * 7 + obj->n_maps * 17 + 2, sizeof(*f));
	if (!init_off || !btf_off || !f) {
		err = diag_error(m->diag, -ENOMEM, "out of memory");
		goto out;
	}
	/* Initial contents of maps and their BTF, each 8-byte aligned. */
	for (k = 0; k < obj->n_maps; k++) {
		init_off[k] = (uint32_t)data_size;
		if (obj->maps[k].init)
			data_size = align8(data_size + obj->maps[k].init_size);
		btf_off[k] = (uint32_t)data_size;
		if (obj->maps[k].btf)
			data_size = align8(data_size + obj->maps[k].btf_size);
	}
	data = calloc(data_size ? data_size : 1, 1);
	if (!data) {
		err = diag_error(m->diag, -ENOMEM, "out of memory");
		goto out;
	}
	for (k = 0; k < obj->n_maps; k++) {
		if (obj->maps[k].init)
			memcpy(data + init_off[k], obj->maps[k].init, obj->maps[k].init_size);
		if (obj->maps[k].btf)
			memcpy(data + btf_off[k], obj->maps[k].btf, obj->maps[k].btf_size);
	}

	/* Strings first, so their offsets are known for the tables. */
	uint32_t obj_name = str_add(&st, obj->name);
	uint32_t *prog_name = calloc(obj->n_progs * 2 + 1, sizeof(uint32_t));
	uint32_t *map_name = calloc(obj->n_maps + 1, sizeof(uint32_t));
	if (!prog_name || !map_name || obj_name == UINT32_MAX) {
		free(prog_name);
		free(map_name);
		err = diag_error(m->diag, -ENOMEM, "out of memory");
		goto out;
	}
	for (k = 0; k < obj->n_progs; k++) {
		prog_name[2 * k] = str_add(&st, obj->progs[k].name);
		prog_name[2 * k + 1] = str_add(&st, obj->progs[k].section);
	}
	for (k = 0; k < obj->n_maps; k++)
		map_name[k] = str_add(&st, obj->maps[k].name);
	strings_size = align8(st.len);

	size_t progs_off = sizeof(struct uxdp_meta_header);
	size_t maps_off = progs_off + obj->n_progs * sizeof(struct uxdp_meta_prog);
	size_t strings_off = maps_off + obj->n_maps * sizeof(struct uxdp_meta_map);
	size_t data_off = strings_off + strings_size;
	total = data_off + data_size;

	f[n_fields++] = bytes_const(m, UXDP_META_MAGIC, 8);
	uint32_t hdr[12] = { UXDP_META_VERSION,	  (uint32_t)total,	 (uint32_t)obj->n_progs,
			     (uint32_t)obj->n_maps,	  (uint32_t)progs_off,	 (uint32_t)maps_off,
			     (uint32_t)strings_off,	  (uint32_t)st.len,	 (uint32_t)data_off,
			     (uint32_t)data_size,	  obj_name,		 UXDP_RUNTIME_ABI };
	for (int h = 0; h < 12; h++)
		f[n_fields++] = i32c(m, hdr[h]);
	for (k = 0; k < obj->n_progs; k++) {
		const struct uxdp_prog *p = &obj->progs[k];
		f[n_fields++] = m->prog_entries[k];
		f[n_fields++] = i32c(m, prog_name[2 * k]);
		f[n_fields++] = i32c(m, prog_name[2 * k + 1]);
		f[n_fields++] = i32c(m, p->type);
		f[n_fields++] = i32c(m, p->flags);
		f[n_fields++] = i32c(m, (uint32_t)p->n_insns);
		f[n_fields++] = i32c(m, m->confinement ? m->confinement[k] : 0);
	}
	for (k = 0; k < obj->n_maps; k++) {
		const struct uxdp_map_info *mi = &obj->maps[k];
		f[n_fields++] = m->map_slots[k] ? m->map_slots[k] : LLVMConstNull(m->t.ptr);
		uint32_t v[16] = { map_name[k],	     mi->type,		  mi->key_size,
				   mi->value_size,   mi->max_entries,	  mi->map_flags,
				   (uint32_t)mi->inner_map, mi->kind,	  mi->init ? init_off[k] : 0,
				   mi->init ? (uint32_t)mi->init_size : 0, mi->pinning,
				   mi->spin_lock_off, mi->btf ? btf_off[k] : 0,
				   mi->btf ? mi->btf_size : 0, mi->btf ? mi->btf_key_id : 0,
				   mi->btf ? mi->btf_value_id : 0 };
		for (int h = 0; h < 16; h++)
			f[n_fields++] = i32c(m, v[h]);
	}
	free(prog_name);
	free(map_name);
	{
		char *padded = calloc(strings_size ? strings_size : 1, 1);
		if (!padded) {
			err = diag_error(m->diag, -ENOMEM, "out of memory");
			goto out;
		}
		memcpy(padded, st.buf, st.len);
		f[n_fields++] = bytes_const(m, padded, strings_size);
		free(padded);
	}
	f[n_fields++] = bytes_const(m, data, data_size);

	rec = LLVMConstStructInContext(m->ctx, f, (unsigned)n_fields, 1);
	snprintf(name, sizeof(name), "uxdp.meta.%s", obj->name);
	g = LLVMAddGlobal(m->mod, LLVMTypeOf(rec), name);
	LLVMSetInitializer(g, rec);
	LLVMSetGlobalConstant(g, 0); /* relocated at load time: not read-only data */
	LLVMSetSection(g, UXDP_META_SECTION);
	LLVMSetVisibility(g, LLVMHiddenVisibility);
	LLVMSetAlignment(g, 8);
out:
	free(st.buf);
	free(data);
	free(init_off);
	free(btf_off);
	free(f);
	return err;
}
