// SPDX-License-Identifier: MIT
/*
 * elfobj.c - a loaded program's instructions back into a BPF ELF object,
 * the input uxdpd's PROG_LOAD compiles (uxdpc's front end, as for clang's
 * objects).
 *
 * libbpf hands bpf(BPF_PROG_LOAD) instructions whose ld_imm64 carry map
 * descriptors.  uxdpd binds an object's maps to the instance's by name, so
 * each map a descriptor names becomes a legacy SEC("maps") definition whose
 * symbol is the uxdp map's own name and shape: the daemon then finds the
 * map this process created (or opened) and binds to it, contents and all.
 * The lddw gets an R_BPF_64_64 relocation against that symbol, as clang
 * emits one.  A BPF_PSEUDO_MAP_VALUE (global data) can only be a data
 * section in the front end, whose map is named after the section: a
 * frozen map (libbpf's .rodata) has its bytes copied into ".rodata.<n>",
 * the object's own constant map (uxdpd makes such maps anew on every load,
 * as for any object's .rodata); a writable one (.data, .bss) becomes
 * ".data.<map>", which prog.c makes the same segment for the load.  The
 * layout:
 *
 *   [0] null  [1] .strtab  [2] xdp  [3] maps  [4..] .rodata.<n>
 *   license  .symtab  .relxdp
 *
 * Subprograms libbpf appended after the program go to a .text section,
 * each a static function, and every call to one an R_BPF_64_32 relocation
 * against .text, as clang emits for a static callee: the front end takes
 * only .text functions as subprograms (a function in "xdp" would be a
 * program of its own).  With subprograms the layout gains .text and
 * .rel.text after "xdp".  A kfunc call is `call -1` with an R_BPF_64_32
 * relocation against an undefined global symbol of the kfunc's name, as
 * clang emits a __ksym function's (kfuncs.c).
 */
#include <elf.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elfobj.h"

#ifndef EM_BPF
#define EM_BPF 247
#endif
#define R_BPF_64_64 1
#define R_BPF_64_32 10
#define LEGACY_DEF 20 /* struct bpf_map_def's first five u32 */

struct buf {
	uint8_t *p;
	size_t len, cap;
	int err;
};

static size_t put(struct buf *b, const void *data, size_t n, size_t align)
{
	size_t off = (b->len + align - 1) & ~(align - 1);

	if (b->err)
		return 0;
	if (off + n > b->cap) {
		size_t cap = (off + n) * 2 + 256;
		uint8_t *p = realloc(b->p, cap);

		if (!p) {
			b->err = -ENOMEM;
			return 0;
		}
		b->p = p;
		b->cap = cap;
	}
	memset(b->p + b->len, 0, off - b->len);
	if (data)
		memcpy(b->p + off, data, n);
	else
		memset(b->p + off, 0, n);
	b->len = off + n;
	return off;
}

static uint32_t str(struct buf *s, const char *text)
{
	return (uint32_t)put(s, text, strlen(text) + 1, 1);
}

/*
 * The most sections an object has: null, .strtab, xdp, .text, maps, the
 * data sections, license, .symtab, .relxdp, .rel.text.
 */
#define MAX_SECTIONS (9 + ELFOBJ_MAX_DATA)

struct layout {
	Elf64_Shdr sh[MAX_SECTIONS];
	size_t n;
};

static size_t add_sec(struct layout *l, struct buf *f, struct buf *strs, const char *name,
		      uint32_t type, uint64_t flags, const void *data, size_t size, size_t align)
{
	Elf64_Shdr *h = &l->sh[l->n];

	h->sh_name = str(strs, name);
	h->sh_type = type;
	h->sh_flags = flags;
	h->sh_offset = put(f, data, size, align);
	h->sh_size = size;
	h->sh_addralign = align;
	return l->n++;
}

static void add_sym(struct buf *syms, struct buf *strs, const char *name, unsigned char info,
		    uint16_t shndx, uint64_t value, uint64_t size)
{
	Elf64_Sym y = { .st_name = name ? str(strs, name) : 0,
			.st_info = info,
			.st_shndx = shndx,
			.st_value = value,
			.st_size = size };

	put(syms, &y, sizeof(y), 8);
}

static void add_rel(struct layout *l, struct buf *f, struct buf *strs, const char *name,
		    const struct buf *rels, size_t symtab, size_t target)
{
	size_t r = add_sec(l, f, strs, name, SHT_REL, 0, rels->p, rels->len, 8);

	l->sh[r].sh_link = (uint32_t)symtab;
	l->sh[r].sh_info = (uint32_t)target;
	l->sh[r].sh_entsize = sizeof(Elf64_Rel);
}

int elfobj_build(const struct elfobj *o, uint8_t **out, size_t *out_len)
{
	struct buf f = { 0 }, strs = { 0 }, syms = { 0 }, rels = { 0 }, defs = { 0 };
	struct layout l = { .n = 0 };
	size_t code, text = 0, main_end, maps = 0, data[ELFOBJ_MAX_DATA], symtab, locals, text_sym;
	struct buf rels_text = { 0 };
	Elf64_Ehdr eh = { 0 };
	char name[32];

	if (o->n_data > ELFOBJ_MAX_DATA)
		return -E2BIG;
	put(&f, NULL, sizeof(eh), 8); /* written last */
	put(&strs, "", 1, 1);
	l.n = 1; /* the null section */
	add_sec(&l, &f, &strs, ".strtab", SHT_STRTAB, 0, NULL, 0, 1); /* filled last */
	main_end = o->n_subprogs ? o->subprogs[0] : o->n_insns;
	code = add_sec(&l, &f, &strs, "xdp", SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, o->insns,
		       main_end * sizeof(*o->insns), 8);
	if (o->n_subprogs)
		text = add_sec(&l, &f, &strs, ".text", SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR,
			       o->insns + main_end, (o->n_insns - main_end) * sizeof(*o->insns),
			       8);
	for (size_t i = 0; i < o->n_maps; i++) {
		uint32_t def[5] = { o->maps[i].type, o->maps[i].key_size, o->maps[i].value_size,
				    o->maps[i].max_entries, o->maps[i].map_flags };

		put(&defs, def, sizeof(def), 4);
	}
	if (o->n_maps)
		maps = add_sec(&l, &f, &strs, "maps", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, defs.p,
			       defs.len, 4);
	for (size_t i = 0; i < o->n_data; i++) {
		data[i] = add_sec(&l, &f, &strs, o->data[i].section, SHT_PROGBITS,
				  SHF_ALLOC | (strncmp(o->data[i].section, ".rodata", 7) ? SHF_WRITE : 0),
				  o->data[i].bytes, o->data[i].size, 8);
	}
	add_sec(&l, &f, &strs, "license", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, o->license,
		strlen(o->license) + 1, 1);

	/*
	 * Symbols: the null one, section symbols and subprograms (local), then
	 * the globals: the program and the maps.
	 */
	add_sym(&syms, &strs, NULL, 0, 0, 0, 0);
	for (size_t i = 0; i < o->n_data; i++)
		add_sym(&syms, &strs, NULL, ELF64_ST_INFO(STB_LOCAL, STT_SECTION),
			(uint16_t)data[i], 0, 0);
	text_sym = 1 + o->n_data;
	if (o->n_subprogs)
		add_sym(&syms, &strs, NULL, ELF64_ST_INFO(STB_LOCAL, STT_SECTION), (uint16_t)text,
			0, 0);
	for (size_t i = 0; i < o->n_subprogs; i++) {
		size_t end = i + 1 < o->n_subprogs ? o->subprogs[i + 1] : o->n_insns;

		snprintf(name, sizeof(name), "__uxdp_sub_%zu", o->subprogs[i]);
		add_sym(&syms, &strs, name, ELF64_ST_INFO(STB_LOCAL, STT_FUNC), (uint16_t)text,
			(o->subprogs[i] - main_end) * sizeof(*o->insns),
			(end - o->subprogs[i]) * sizeof(*o->insns));
	}
	locals = text_sym + (o->n_subprogs ? 1 + o->n_subprogs : 0);
	add_sym(&syms, &strs, o->prog_name, ELF64_ST_INFO(STB_GLOBAL, STT_FUNC), (uint16_t)code, 0,
		main_end * sizeof(*o->insns));
	for (size_t i = 0; i < o->n_maps; i++)
		add_sym(&syms, &strs, o->maps[i].name, ELF64_ST_INFO(STB_GLOBAL, STT_OBJECT),
			(uint16_t)maps, i * LEGACY_DEF, LEGACY_DEF);
	for (size_t i = 0; i < o->n_kfuncs; i++)
		add_sym(&syms, &strs, o->kfuncs[i], ELF64_ST_INFO(STB_GLOBAL, STT_NOTYPE), SHN_UNDEF,
			0, 0);

	for (size_t i = 0; i < o->n_relocs; i++) {
		const struct elfobj_reloc *r = &o->relocs[i];
		size_t sym = r->kind == ELFOBJ_REL_MAP	   ? locals + 1 + r->index
			     : r->kind == ELFOBJ_REL_KFUNC ? locals + 1 + o->n_maps + r->index
			     : r->kind == ELFOBJ_REL_DATA  ? 1 + r->index
							   : text_sym;
		bool in_text = r->insn >= main_end;
		Elf64_Rel rel = {
			.r_offset = (r->insn - (in_text ? main_end : 0)) * sizeof(*o->insns),
			.r_info = ELF64_R_INFO(sym, r->kind == ELFOBJ_REL_CALL ||
							    r->kind == ELFOBJ_REL_KFUNC ?
							    R_BPF_64_32 :
							    R_BPF_64_64)
		};

		put(in_text ? &rels_text : &rels, &rel, sizeof(rel), 8);
	}
	symtab = add_sec(&l, &f, &strs, ".symtab", SHT_SYMTAB, 0, syms.p, syms.len, 8);
	l.sh[symtab].sh_link = 1;
	l.sh[symtab].sh_info = (uint32_t)locals;
	l.sh[symtab].sh_entsize = sizeof(Elf64_Sym);
	add_rel(&l, &f, &strs, ".relxdp", &rels, symtab, code);
	if (o->n_subprogs)
		add_rel(&l, &f, &strs, ".rel.text", &rels_text, symtab, text);
	l.sh[1].sh_offset = put(&f, strs.p, strs.len, 1);
	l.sh[1].sh_size = strs.len;
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_REL;
	eh.e_machine = EM_BPF;
	eh.e_version = EV_CURRENT;
	eh.e_ehsize = sizeof(eh);
	eh.e_shentsize = sizeof(Elf64_Shdr);
	eh.e_shnum = (uint16_t)l.n;
	eh.e_shstrndx = 1;
	eh.e_shoff = put(&f, l.sh, l.n * sizeof(Elf64_Shdr), 8);
	if (!f.err)
		memcpy(f.p, &eh, sizeof(eh));
	free(strs.p);
	free(syms.p);
	free(rels.p);
	free(rels_text.p);
	free(defs.p);
	if (f.err || strs.err || syms.err || rels.err || rels_text.err || defs.err) {
		free(f.p);
		return -ENOMEM;
	}
	*out = f.p;
	*out_len = f.len;
	return 0;
}
