/* SPDX-License-Identifier: MIT */
/*
 * loader_internal.h - state shared by the loader's ELF mapping, relocation
 * and metadata phases.  Private to runtime/loader/.
 */
#ifndef UXDP_LOADER_INTERNAL_H
#define UXDP_LOADER_INTERNAL_H

#include <elf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uxdp/loader.h>

/* A defined global symbol, kept so that uxdp_image_symbol works after load. */
struct ld_export {
	char *name;
	void *addr;
};

struct uxdp_image {
	uint8_t *base;       /* one mmap: text | stubs | pad | data | commons | GOT */
	size_t size;
	size_t text_size;    /* [base, base + text_size) is RX, page aligned */
	struct ld_export *exports;
	size_t n_exports;
	const struct uxdp_meta_header **meta;
	size_t n_meta;
};

/* Where each symbol ends up, and what indirection it needs. */
struct ld_sym {
	uint64_t addr;       /* resolved address; 0 for an unresolved weak */
	bool defined;        /* has an address inside or outside the image */
	bool external;       /* came from the resolver (or is SHN_ABS) */
	bool referenced;     /* undefined, and a relocation needs its address */
	int64_t got;         /* offset of its GOT slot in the image, or -1 */
	int64_t stub;        /* offset of its jump stub in the image, or -1 */
};

struct ld_ctx {
	const char *name;    /* file name for messages */
	const uint8_t *elf;
	size_t size;
	const Elf64_Ehdr *eh;
	const Elf64_Shdr *sh;
	size_t shnum;
	const char *shstr;   /* section-name string table */
	size_t shstr_size;
	/* symbol table */
	const Elf64_Sym *syms;
	size_t nsyms;
	const char *strtab;
	size_t strtab_size;
	const uint32_t *shndx; /* SHT_SYMTAB_SHNDX, or NULL */
	size_t symtab_index;
	/* layout */
	int64_t *sec_off;    /* image offset of each section, -1 when not mapped */
	struct ld_sym *ls;
	size_t text_end;     /* end of the text sections, where stubs start */
	size_t stubs_size;
	size_t data_start;   /* first byte after the page-aligned RX part */
	size_t got_off;
	size_t n_got;
	struct uxdp_image *img;
	uxdp_symbol_resolver resolve;
	void *resolve_arg;
	char *err;
	size_t err_size;
};

/* Bytes of one absolute-jump stub: jmp *GOT(%rip), padded with int3. */
#define LD_STUB_SIZE 8

int ld_err(struct ld_ctx *c, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
const char *ld_sec_name(const struct ld_ctx *c, size_t idx);
const char *ld_sym_name(const struct ld_ctx *c, size_t idx);
size_t ld_sym_shndx(const struct ld_ctx *c, size_t idx);
bool ld_sec_mapped(const struct ld_ctx *c, size_t idx);

/* relocate.c */
int ld_plan_indirections(struct ld_ctx *c);
int ld_apply_relocations(struct ld_ctx *c);

/* meta.c */
int ld_collect_meta(struct ld_ctx *c);

#endif /* UXDP_LOADER_INTERNAL_H */
