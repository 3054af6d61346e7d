// SPDX-License-Identifier: MIT
/*
 * loader.c - map an x86-64 ELF relocatable object produced by uxdpc.
 *
 * The object is untrusted input: every offset, index and size read from it
 * is checked against the file before use, and any inconsistency is reported
 * as -ENOEXEC with a one-line message instead of being followed.
 *
 * Layout of the single mapping (offsets from the image base):
 *
 *	[ executable sections | jump stubs ]  page aligned, RX after relocation
 *	[ other allocatable sections, uxdp_meta | COMMON symbols | GOT ]  RW
 *
 * Keeping everything in one mapping smaller than 2 GiB means any PC-relative
 * 32-bit reference between two parts of the image is in reach; only
 * references to the host (through the resolver) may be far, and those go
 * through a GOT slot or a stub that lives in the image.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "loader_internal.h"

#define LD_PAGE 4096u
/* Bigger than any XDP object; keeps every intra-image rel32 in reach. */
#define LD_MAX_IMAGE (1u << 30)

int ld_err(struct ld_ctx *c, int errnum, const char *fmt, ...)
{
	if (c->err && c->err_size) {
		int n = snprintf(c->err, c->err_size, "%s: ", c->name);
		va_list ap;

		if (n < 0)
			n = 0;
		if ((size_t)n < c->err_size) {
			va_start(ap, fmt);
			vsnprintf(c->err + n, c->err_size - n, fmt, ap);
			va_end(ap);
		}
	}
	return -errnum;
}

const char *ld_sec_name(const struct ld_ctx *c, size_t idx)
{
	uint32_t off;

	if (idx >= c->shnum || !c->shstr)
		return "?";
	off = c->sh[idx].sh_name;
	return off < c->shstr_size ? c->shstr + off : "?";
}

const char *ld_sym_name(const struct ld_ctx *c, size_t idx)
{
	const Elf64_Sym *s;

	if (idx >= c->nsyms)
		return "?";
	s = &c->syms[idx];
	/* Section symbols have no name of their own; name them by section. */
	if (ELF64_ST_TYPE(s->st_info) == STT_SECTION)
		return ld_sec_name(c, ld_sym_shndx(c, idx));
	return s->st_name < c->strtab_size ? c->strtab + s->st_name : "?";
}

/* The section index of a symbol, following SHN_XINDEX; checked at load. */
size_t ld_sym_shndx(const struct ld_ctx *c, size_t idx)
{
	uint16_t shndx = c->syms[idx].st_shndx;

	if (shndx == SHN_XINDEX)
		return c->shndx ? c->shndx[idx] : SHN_UNDEF;
	return shndx;
}

bool ld_sec_mapped(const struct ld_ctx *c, size_t idx)
{
	return idx < c->shnum && c->sec_off[idx] >= 0;
}

/* Is [off, off + len) inside the file? */
static bool in_file(const struct ld_ctx *c, uint64_t off, uint64_t len)
{
	return off <= c->size && len <= c->size - off;
}

static int check_header(struct ld_ctx *c)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)c->elf;
	size_t shstrndx;

	if (c->size < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0)
		return ld_err(c, ENOEXEC, "not an ELF file");
	if (eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return ld_err(c, ENOEXEC, "not a 64-bit little-endian ELF file");
	if (eh->e_type != ET_REL)
		return ld_err(c, ENOEXEC, "not a relocatable object (e_type %u)", eh->e_type);
	if (eh->e_machine != EM_X86_64)
		return ld_err(c, ENOEXEC, "not an x86-64 object (e_machine %u); was it built by uxdpc?",
			      eh->e_machine);
	if (eh->e_shoff == 0 || eh->e_shentsize != sizeof(Elf64_Shdr))
		return ld_err(c, ENOEXEC, "no section header table or bad e_shentsize %u",
			      eh->e_shentsize);
	if (eh->e_shoff % 8 || !in_file(c, eh->e_shoff, sizeof(Elf64_Shdr)))
		return ld_err(c, ENOEXEC, "section header table at %#llx is outside the file",
			      (unsigned long long)eh->e_shoff);
	c->eh = eh;
	c->sh = (const Elf64_Shdr *)(c->elf + eh->e_shoff);
	/* More than 0xff00 sections: the real counts live in section 0. */
	c->shnum = eh->e_shnum ? eh->e_shnum : c->sh[0].sh_size;
	shstrndx = eh->e_shstrndx == SHN_XINDEX ? c->sh[0].sh_link : eh->e_shstrndx;
	if (c->shnum == 0 || c->shnum > c->size / sizeof(Elf64_Shdr) ||
	    !in_file(c, eh->e_shoff, c->shnum * sizeof(Elf64_Shdr)))
		return ld_err(c, ENOEXEC, "section header table (%zu entries) is outside the file",
			      c->shnum);
	if (shstrndx != SHN_UNDEF) {
		const Elf64_Shdr *s;

		if (shstrndx >= c->shnum)
			return ld_err(c, ENOEXEC, "bad section name table index %zu", shstrndx);
		s = &c->sh[shstrndx];
		if (s->sh_type != SHT_STRTAB || !in_file(c, s->sh_offset, s->sh_size) ||
		    s->sh_size == 0 || c->elf[s->sh_offset + s->sh_size - 1] != '\0')
			return ld_err(c, ENOEXEC, "section name table %zu is malformed", shstrndx);
		c->shstr = (const char *)c->elf + s->sh_offset;
		c->shstr_size = s->sh_size;
	}
	return 0;
}

static int find_symtab(struct ld_ctx *c)
{
	const Elf64_Shdr *s = NULL, *str;
	size_t i;

	for (i = 1; i < c->shnum; i++) {
		if (c->sh[i].sh_type == SHT_SYMTAB) {
			if (s)
				return ld_err(c, ENOEXEC, "more than one symbol table");
			s = &c->sh[i];
			c->symtab_index = i;
		}
	}
	if (!s)
		return 0; /* nothing to relocate or export; legal if odd */
	if (s->sh_entsize != sizeof(Elf64_Sym) || s->sh_size % sizeof(Elf64_Sym) ||
	    s->sh_offset % 8 || !in_file(c, s->sh_offset, s->sh_size))
		return ld_err(c, ENOEXEC, "symbol table (section %zu) is malformed", c->symtab_index);
	if (s->sh_link == 0 || s->sh_link >= c->shnum)
		return ld_err(c, ENOEXEC, "symbol table links to bad string table %u", s->sh_link);
	str = &c->sh[s->sh_link];
	if (str->sh_type != SHT_STRTAB || !in_file(c, str->sh_offset, str->sh_size) ||
	    str->sh_size == 0 || c->elf[str->sh_offset + str->sh_size - 1] != '\0')
		return ld_err(c, ENOEXEC, "symbol string table (section %u) is malformed",
			      s->sh_link);
	c->syms = (const Elf64_Sym *)(c->elf + s->sh_offset);
	c->nsyms = s->sh_size / sizeof(Elf64_Sym);
	c->strtab = (const char *)c->elf + str->sh_offset;
	c->strtab_size = str->sh_size;

	for (i = 1; i < c->shnum; i++) {
		const Elf64_Shdr *x = &c->sh[i];

		if (x->sh_type != SHT_SYMTAB_SHNDX || x->sh_link != c->symtab_index)
			continue;
		if (x->sh_offset % 4 || x->sh_size < c->nsyms * 4 ||
		    !in_file(c, x->sh_offset, x->sh_size))
			return ld_err(c, ENOEXEC, "extended section index table is malformed");
		c->shndx = (const uint32_t *)(c->elf + x->sh_offset);
	}
	return 0;
}

/*
 * Unwind tables are allocatable in objects but useless here: the image has
 * no registered unwinder, and .eh_frame relocations would only add work.
 */
static bool skip_alloc_section(const struct ld_ctx *c, size_t i)
{
	const char *name = ld_sec_name(c, i);

	return c->sh[i].sh_type == SHT_X86_64_UNWIND || strcmp(name, ".eh_frame") == 0;
}

static bool want_section(const struct ld_ctx *c, size_t i)
{
	const Elf64_Shdr *s = &c->sh[i];

	if (s->sh_type != SHT_PROGBITS && s->sh_type != SHT_NOBITS &&
	    s->sh_type != SHT_INIT_ARRAY && s->sh_type != SHT_FINI_ARRAY &&
	    s->sh_type != SHT_PREINIT_ARRAY && s->sh_type != SHT_X86_64_UNWIND)
		return false;
	/* The metadata is needed even if a producer forgot SHF_ALLOC. */
	if (strcmp(ld_sec_name(c, i), UXDP_META_SECTION) == 0)
		return true;
	return (s->sh_flags & SHF_ALLOC) && !skip_alloc_section(c, i);
}

/* Append size bytes aligned to align at *cursor, checking for overflow. */
static int place(struct ld_ctx *c, size_t *cursor, uint64_t size, uint64_t align,
		 size_t *at, const char *what)
{
	uint64_t off;

	if (align == 0)
		align = 1;
	if (align & (align - 1) || align > LD_PAGE)
		return ld_err(c, ENOEXEC, "%s: unsupported alignment %llu", what,
			      (unsigned long long)align);
	off = (*cursor + align - 1) & ~(align - 1);
	if (size > LD_MAX_IMAGE || off + size > LD_MAX_IMAGE)
		return ld_err(c, EFBIG, "%s: image would exceed %u bytes", what, LD_MAX_IMAGE);
	*at = off;
	*cursor = off + size;
	return 0;
}

static size_t page_up(size_t x)
{
	return (x + LD_PAGE - 1) & ~(size_t)(LD_PAGE - 1);
}

/*
 * Decide which sections are mapped (sec_off 0 for now, -1 otherwise) and
 * check them, so that relocation planning knows every mapped target.
 */
static int select_sections(struct ld_ctx *c)
{
	size_t i;

	for (i = 1; i < c->shnum; i++) {
		const Elf64_Shdr *s = &c->sh[i];

		if (!want_section(c, i))
			continue;
		if (s->sh_flags & SHF_TLS)
			return ld_err(c, ENOEXEC, "section %s: thread-local storage is not supported",
				      ld_sec_name(c, i));
		if (s->sh_type != SHT_NOBITS && !in_file(c, s->sh_offset, s->sh_size))
			return ld_err(c, ENOEXEC, "section %zu (%s): contents at %#llx+%#llx are outside the file",
				      i, ld_sec_name(c, i), (unsigned long long)s->sh_offset,
				      (unsigned long long)s->sh_size);
		c->sec_off[i] = 0;
	}
	return 0;
}

static int layout_sections(struct ld_ctx *c, bool exec, size_t *cursor)
{
	size_t i, at = 0;
	int err;

	for (i = 1; i < c->shnum; i++) {
		const Elf64_Shdr *s = &c->sh[i];

		if (c->sec_off[i] < 0 || !!(s->sh_flags & SHF_EXECINSTR) != exec)
			continue;
		err = place(c, cursor, s->sh_size, s->sh_addralign, &at, ld_sec_name(c, i));
		if (err)
			return err;
		c->sec_off[i] = at;
	}
	return 0;
}

/* Give every COMMON symbol its own zeroed storage after the data sections. */
static int layout_commons(struct ld_ctx *c, size_t *cursor)
{
	size_t i, at = 0;
	int err;

	for (i = 1; i < c->nsyms; i++) {
		const Elf64_Sym *s = &c->syms[i];

		if (s->st_shndx != SHN_COMMON)
			continue;
		/* For COMMON, st_value is the alignment. */
		err = place(c, cursor, s->st_size, s->st_value, &at, ld_sym_name(c, i));
		if (err)
			return err;
		c->ls[i].addr = at; /* an offset until the image is mapped */
	}
	return 0;
}

/* Check every symbol once so later phases may trust names and indices. */
static int check_symbols(struct ld_ctx *c)
{
	size_t i;

	for (i = 1; i < c->nsyms; i++) {
		const Elf64_Sym *s = &c->syms[i];
		size_t shndx;

		if (s->st_name >= c->strtab_size)
			return ld_err(c, ENOEXEC, "symbol %zu: name offset %u is outside the string table",
				      i, s->st_name);
		if (s->st_shndx == SHN_XINDEX && !c->shndx)
			return ld_err(c, ENOEXEC, "symbol %zu: extended section index without a table", i);
		shndx = ld_sym_shndx(c, i);
		/* The image has no TLS block: only the runtime's thread-locals (relocate.c). */
		if (ELF64_ST_TYPE(s->st_info) == STT_TLS && shndx != SHN_UNDEF)
			return ld_err(c, ENOEXEC, "symbol %s: thread-local storage defined in the "
				      "object is not supported", ld_sym_name(c, i));
		if (s->st_shndx == SHN_ABS || s->st_shndx == SHN_COMMON || shndx == SHN_UNDEF)
			continue;
		if (shndx >= c->shnum)
			return ld_err(c, ENOEXEC, "symbol %s: section index %zu out of range",
				      ld_sym_name(c, i), shndx);
		if (s->st_value > c->sh[shndx].sh_size)
			return ld_err(c, ENOEXEC, "symbol %s: value %#llx is past the end of section %s",
				      ld_sym_name(c, i), (unsigned long long)s->st_value,
				      ld_sec_name(c, shndx));
	}
	return 0;
}

/* Addresses of symbols defined in the image or absolute; externals come later. */
static void bind_local_symbols(struct ld_ctx *c)
{
	size_t i;

	for (i = 1; i < c->nsyms; i++) {
		const Elf64_Sym *s = &c->syms[i];
		size_t shndx = ld_sym_shndx(c, i);

		if (s->st_shndx == SHN_ABS) {
			c->ls[i].addr = s->st_value;
			c->ls[i].defined = c->ls[i].external = true;
		} else if (s->st_shndx == SHN_COMMON) {
			c->ls[i].addr += (uintptr_t)c->img->base;
			c->ls[i].defined = true;
		} else if (shndx != SHN_UNDEF && ld_sec_mapped(c, shndx)) {
			c->ls[i].addr = (uintptr_t)c->img->base + c->sec_off[shndx] + s->st_value;
			c->ls[i].defined = true;
		}
	}
}

static int collect_exports(struct ld_ctx *c)
{
	struct uxdp_image *img = c->img;
	size_t i, n = 0;

	for (i = 1; i < c->nsyms; i++) {
		const Elf64_Sym *s = &c->syms[i];
		int bind = ELF64_ST_BIND(s->st_info);

		if ((bind == STB_GLOBAL || bind == STB_WEAK) && c->ls[i].defined &&
		    ld_sym_shndx(c, i) != SHN_UNDEF && s->st_name != 0)
			n++;
	}
	if (!n)
		return 0;
	img->exports = calloc(n, sizeof(*img->exports));
	if (!img->exports)
		return ld_err(c, ENOMEM, "out of memory for %zu symbols", n);
	for (i = 1; i < c->nsyms; i++) {
		const Elf64_Sym *s = &c->syms[i];
		int bind = ELF64_ST_BIND(s->st_info);
		struct ld_export *e;

		if (!((bind == STB_GLOBAL || bind == STB_WEAK) && c->ls[i].defined &&
		      ld_sym_shndx(c, i) != SHN_UNDEF && s->st_name != 0))
			continue;
		e = &img->exports[img->n_exports];
		e->name = strdup(c->strtab + s->st_name);
		if (!e->name)
			return ld_err(c, ENOMEM, "out of memory for symbol names");
		e->addr = (void *)(uintptr_t)c->ls[i].addr;
		img->n_exports++;
	}
	return 0;
}

static int copy_sections(struct ld_ctx *c)
{
	size_t i;

	for (i = 1; i < c->shnum; i++) {
		const Elf64_Shdr *s = &c->sh[i];

		if (c->sec_off[i] < 0 || s->sh_type == SHT_NOBITS)
			continue;
		memcpy(c->img->base + c->sec_off[i], c->elf + s->sh_offset, s->sh_size);
	}
	return 0;
}

static int load(struct ld_ctx *c)
{
	struct uxdp_image *img;
	size_t cursor = 0, at = 0, i, total;
	int err;

	err = check_header(c);
	if (!err)
		err = find_symtab(c);
	if (err)
		return err;
	c->sec_off = malloc(c->shnum * sizeof(*c->sec_off));
	c->ls = calloc(c->nsyms ? c->nsyms : 1, sizeof(*c->ls));
	if (!c->sec_off || !c->ls)
		return ld_err(c, ENOMEM, "out of memory for %zu sections", c->shnum);
	for (i = 0; i < c->shnum; i++)
		c->sec_off[i] = -1;
	for (i = 0; i < c->nsyms; i++)
		c->ls[i].got = c->ls[i].stub = -1;

	err = check_symbols(c);
	if (!err)
		err = select_sections(c);
	if (!err)
		err = ld_plan_indirections(c);
	if (!err)
		err = layout_sections(c, true, &cursor);
	if (err)
		return err;
	/* Stubs are code, so they go with the text, before the RX boundary. */
	err = place(c, &cursor, c->stubs_size, 16, &at, "jump stubs");
	if (err)
		return err;
	c->text_end = at;
	cursor = page_up(cursor);
	c->data_start = cursor;
	err = layout_sections(c, false, &cursor);
	if (!err)
		err = layout_commons(c, &cursor);
	if (!err)
		err = place(c, &cursor, c->n_got * 8, 8, &c->got_off, "GOT");
	if (err)
		return err;
	/* Stub offsets were relative to text_end, GOT slots to got_off. */
	for (i = 0; i < c->nsyms; i++) {
		if (c->ls[i].stub >= 0)
			c->ls[i].stub += c->text_end;
		if (c->ls[i].got >= 0)
			c->ls[i].got += c->got_off;
	}
	total = page_up(cursor ? cursor : 1);

	img = calloc(1, sizeof(*img));
	if (!img)
		return ld_err(c, ENOMEM, "out of memory");
	c->img = img;
	img->base = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (img->base == MAP_FAILED) {
		img->base = NULL;
		return ld_err(c, errno, "mmap of %zu bytes: %s", total, strerror(errno));
	}
	img->size = total;
	img->text_size = c->data_start;

	copy_sections(c);
	bind_local_symbols(c);
	err = ld_apply_relocations(c);
	if (!err)
		err = collect_exports(c);
	if (!err)
		err = ld_collect_meta(c);
	if (err)
		return err;
	if (img->text_size && mprotect(img->base, img->text_size, PROT_READ | PROT_EXEC)) {
		err = errno;
		return ld_err(c, err, "mprotect of code: %s", strerror(err));
	}
	return 0;
}

static int load_named(const char *name, const void *elf, size_t size,
		      uxdp_symbol_resolver resolve, void *arg, struct uxdp_image **out, char *err,
		      size_t err_size)
{
	struct ld_ctx c = {
		.name = name,
		.elf = elf,
		.size = size,
		.resolve = resolve,
		.resolve_arg = arg,
		.err = err,
		.err_size = err_size,
	};
	int ret;

	if (err && err_size)
		err[0] = '\0';
	*out = NULL;
	if (!elf)
		return ld_err(&c, EINVAL, "no object");
	ret = load(&c);
	if (ret)
		uxdp_image_free(c.img);
	else
		*out = c.img;
	free(c.sec_off);
	free(c.ls);
	return ret;
}

int uxdp_image_load_mem(const void *elf, size_t size, uxdp_symbol_resolver resolve, void *arg,
			struct uxdp_image **out, char *err, size_t err_size)
{
	return load_named("<memory>", elf, size, resolve, arg, out, err, err_size);
}

int uxdp_image_load_file(const char *path, uxdp_symbol_resolver resolve, void *arg,
			 struct uxdp_image **out, char *err, size_t err_size)
{
	struct ld_ctx c = { .name = path, .err = err, .err_size = err_size };
	struct stat st;
	void *map;
	int fd, ret;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = errno;
		return ld_err(&c, ret, "%s", strerror(ret));
	}
	if (fstat(fd, &st)) {
		ret = errno;
		close(fd);
		return ld_err(&c, ret, "%s", strerror(ret));
	}
	if (!S_ISREG(st.st_mode) || st.st_size == 0) {
		close(fd);
		return ld_err(&c, ENOEXEC, "not a regular, non-empty file");
	}
	map = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	ret = errno;
	close(fd);
	if (map == MAP_FAILED)
		return ld_err(&c, ret, "mmap: %s", strerror(ret));
	ret = load_named(path, map, st.st_size, resolve, arg, out, err, err_size);
	munmap(map, st.st_size);
	return ret;
}

void *uxdp_image_symbol(const struct uxdp_image *img, const char *name)
{
	size_t i;

	if (!img || !name)
		return NULL;
	for (i = 0; i < img->n_exports; i++)
		if (strcmp(img->exports[i].name, name) == 0)
			return img->exports[i].addr;
	return NULL;
}

size_t uxdp_image_meta(const struct uxdp_image *img, const struct uxdp_meta_header *const **records)
{
	if (records)
		*records = img ? (const struct uxdp_meta_header *const *)img->meta : NULL;
	return img ? img->n_meta : 0;
}

void uxdp_image_free(struct uxdp_image *img)
{
	size_t i;

	if (!img)
		return;
	if (img->base)
		munmap(img->base, img->size);
	for (i = 0; i < img->n_exports; i++)
		free(img->exports[i].name);
	free(img->exports);
	free(img->meta);
	free(img);
}
