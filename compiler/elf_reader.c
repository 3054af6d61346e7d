/* SPDX-License-Identifier: MIT */
/*
 * elf_reader.c - a clang-built BPF ELF object -> struct uxdp_object.
 *
 * We do what libbpf's bpf_object__open() does, without a kernel and without
 * libbpf's object code (libbpf >= 1.0 refuses legacy SEC("maps") maps, which
 * we accept): collect the programs and the functions they call, the maps
 * (legacy "maps", BTF ".maps" via btf_maps.c, global data sections) and
 * resolve the relocations of the code into the forms documented in ebpf.h.
 *
 * The input is untrusted: every offset, size and index read from the file is
 * checked before use, and each problem ends in one diag_error() line.
 */
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uxdpc.h"

#ifndef EM_BPF
#define EM_BPF 247
#endif
#ifndef R_BPF_64_64
#define R_BPF_64_64 1
#endif
#ifndef R_BPF_64_32
#define R_BPF_64_32 10
#endif

/* One ELF section, with the decoded code and relocations of executable ones. */
struct fe_sec {
	const char *name;
	GElf_Shdr sh;
	const uint8_t *bytes;     /* NULL for NOBITS and empty sections */
	bool exec;
	int map;                  /* the data map this section became, or -1 */
	struct ebpf_insn *insns;  /* exec: a copy of the code */
	size_t n_insns;
	int32_t *reloc;           /* exec: per insn, index into rels or -1 */
	bool *second;             /* exec: insn is the second slot of an lddw */
	GElf_Rel *rels;
	size_t n_rels;
};

/* A function: [start, end) in insns of its section. */
struct fe_func {
	const char *name;
	size_t shndx;
	size_t start;
	size_t end;
	bool global;
};

struct fe {
	const char *oname;        /* base name of the file, for messages */
	struct uxdp_diag *diag;
	uint8_t *buf;
	size_t size;
	Elf *elf;
	struct fe_sec *secs;
	size_t n_secs;
	const char **sec_names;   /* for the btf_maps.c view */
	uint64_t *sec_sizes;
	struct uxdp_elf_sym *syms;
	size_t n_syms;
	struct fe_func *funcs;    /* sorted by (shndx, start) */
	size_t n_funcs;
	int maps_shndx;           /* .maps */
	int legacy_shndx;         /* maps */
	int btf_shndx;
	int btf_ext_shndx;
	int license_shndx;
	int maps_rel_shndx;       /* .rel.maps */
	const struct uxdp_open_opts *opts;
	struct uxdp_object *obj;
};

static int fe_err(struct fe *fe, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prefix every message with the object's name. */
static int fe_err(struct fe *fe, int err, const char *fmt, ...)
{
	char buf[900];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return diag_error(fe->diag, err, "%s: %s", fe->oname, buf);
}

struct uxdp_map_info *uxdp_object_add_map(struct uxdp_object *obj, const char *name)
{
	struct uxdp_map_info *maps, *m;

	maps = realloc(obj->maps, (obj->n_maps + 1) * sizeof(*maps));
	if (!maps)
		return NULL;
	obj->maps = maps;
	m = &maps[obj->n_maps];
	memset(m, 0, sizeof(*m));
	m->inner_map = -1;
	m->spin_lock_off = UINT32_MAX;
	m->values_off = UINT32_MAX;
	m->shndx = -1;
	m->name = strdup(name);
	if (!m->name)
		return NULL;
	obj->n_maps++;
	return m;
}

void uxdp_object_free(struct uxdp_object *obj)
{
	size_t i;

	if (!obj)
		return;
	for (i = 0; i < obj->n_progs; i++) {
		free(obj->progs[i].name);
		free(obj->progs[i].section);
		free(obj->progs[i].insns);
		free(obj->progs[i].origin);
	}
	for (i = 0; i < obj->n_maps; i++) {
		free(obj->maps[i].name);
		free(obj->maps[i].init);
		free(obj->maps[i].consts);
		free(obj->maps[i].slot_inits);
		free(obj->maps[i].btf);
	}
	for (i = 0; i < obj->n_kfuncs; i++)
		free(obj->kfuncs[i]);
	free(obj->kfuncs);
	for (i = 0; i < obj->n_others; i++) {
		free(obj->others[i].name);
		free(obj->others[i].section);
	}
	free(obj->others);
	for (i = 0; i < obj->n_poison; i++) {
		free(obj->poison[i].section);
		free(obj->poison[i].why);
	}
	free(obj->poison);
	free(obj->progs);
	free(obj->maps);
	free(obj->path);
	free(obj->name);
	free(obj);
}

/* ------------------------------------------------------------ sections */

static int read_file(struct fe *fe, const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL, *nbuf;
	size_t cap = 0, len = 0, n;
	int err;

	if (!f) {
		err = -errno;
		return fe_err(fe, err, "cannot open: %s", strerror(-err));
	}
	for (;;) {
		if (len == cap) {
			if (cap > ((size_t)1 << 30)) {
				free(buf);
				fclose(f);
				return fe_err(fe, -EFBIG, "file larger than 1 GiB");
			}
			cap = cap ? cap * 2 : 65536;
			nbuf = realloc(buf, cap);
			if (!nbuf) {
				free(buf);
				fclose(f);
				return fe_err(fe, -ENOMEM, "out of memory reading the file");
			}
			buf = nbuf;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	err = ferror(f) ? -EIO : 0;
	fclose(f);
	if (err) {
		free(buf);
		return fe_err(fe, err, "read error");
	}
	fe->buf = buf;
	fe->size = len;
	return 0;
}

static bool is_data_section(const char *name)
{
	static const char *const prefixes[] = { ".data", ".rodata", ".bss" };
	size_t i, n;

	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		n = strlen(prefixes[i]);
		if (!strncmp(name, prefixes[i], n) && (name[n] == '\0' || name[n] == '.'))
			return true;
	}
	return false;
}

static int read_sections(struct fe *fe)
{
	GElf_Ehdr eh;
	size_t shnum, shstrndx, i;

	if (fe->size < SELFMAG || memcmp(fe->buf, ELFMAG, SELFMAG))
		return fe_err(fe, -ENOEXEC, "not an ELF file");
	if (fe->size < sizeof(Elf64_Ehdr))
		return fe_err(fe, -ENOEXEC, "truncated: %zu bytes, shorter than an ELF header",
			      fe->size);
	if (fe->buf[EI_CLASS] != ELFCLASS64)
		return fe_err(fe, -ENOEXEC, "not a 64-bit ELF object (BPF objects are ELF64)");
	if (fe->buf[EI_DATA] != ELFDATA2LSB)
		return fe_err(fe, -ENOEXEC, "a big-endian object; uxdp runs little-endian BPF only");
	{
		/* Say "truncated" for a cut file, before libelf's generic words. */
		Elf64_Ehdr h;
		memcpy(&h, fe->buf, sizeof(h));
		if (h.e_shentsize != sizeof(Elf64_Shdr))
			return fe_err(fe, -ENOEXEC,
				      "section header entry size %u, an ELF64 section header is %zu bytes",
				      h.e_shentsize, sizeof(Elf64_Shdr));
		if (h.e_shoff > fe->size ||
		    (uint64_t)h.e_shnum * h.e_shentsize > fe->size - h.e_shoff)
			return fe_err(fe, -ENOEXEC,
				      "truncated: the section header table (offset 0x%llx, %u entries) ends beyond the %zu-byte file",
				      (unsigned long long)h.e_shoff, h.e_shnum, fe->size);
	}
	fe->elf = elf_memory((char *)fe->buf, fe->size);
	if (!fe->elf || elf_kind(fe->elf) != ELF_K_ELF)
		return fe_err(fe, -ENOEXEC, "not an ELF object: %s", elf_errmsg(-1));
	if (!gelf_getehdr(fe->elf, &eh))
		return fe_err(fe, -ENOEXEC, "bad ELF header: %s", elf_errmsg(-1));
	if (eh.e_machine != EM_BPF)
		return fe_err(fe, -ENOEXEC, "e_machine is %u, not EM_BPF (%u): not a BPF object",
			      eh.e_machine, EM_BPF);
	if (eh.e_type != ET_REL)
		return fe_err(fe, -ENOEXEC, "not a relocatable object (e_type %u)", eh.e_type);
	if (elf_getshdrnum(fe->elf, &shnum) || elf_getshdrstrndx(fe->elf, &shstrndx))
		return fe_err(fe, -ENOEXEC, "bad section headers: %s", elf_errmsg(-1));
	if (shnum == 0 || shnum > 65535 || shstrndx >= shnum)
		return fe_err(fe, -ENOEXEC, "bad section header table (%zu sections)", shnum);

	fe->secs = calloc(shnum, sizeof(*fe->secs));
	fe->sec_names = calloc(shnum, sizeof(*fe->sec_names));
	fe->sec_sizes = calloc(shnum, sizeof(*fe->sec_sizes));
	if (!fe->secs || !fe->sec_names || !fe->sec_sizes)
		return fe_err(fe, -ENOMEM, "out of memory");
	fe->n_secs = shnum;

	for (i = 0; i < shnum; i++) {
		struct fe_sec *s = &fe->secs[i];
		Elf_Scn *scn = elf_getscn(fe->elf, i);

		s->map = -1;
		if (!scn || !gelf_getshdr(scn, &s->sh))
			return fe_err(fe, -ENOEXEC, "section %zu: bad header", i);
		s->name = i ? elf_strptr(fe->elf, shstrndx, s->sh.sh_name) : "";
		if (!s->name)
			return fe_err(fe, -ENOEXEC, "section %zu: name offset %u out of range", i,
				      s->sh.sh_name);
		fe->sec_names[i] = s->name;
		fe->sec_sizes[i] = s->sh.sh_size;
		if (s->sh.sh_type != SHT_NOBITS && s->sh.sh_type != SHT_NULL && s->sh.sh_size) {
			if (s->sh.sh_offset > fe->size ||
			    s->sh.sh_size > fe->size - s->sh.sh_offset)
				return fe_err(fe, -ENOEXEC,
					      "section '%s': offset 0x%llx size 0x%llx beyond the end of the file",
					      s->name, (unsigned long long)s->sh.sh_offset,
					      (unsigned long long)s->sh.sh_size);
			s->bytes = fe->buf + s->sh.sh_offset;
		}
		s->exec = s->sh.sh_type == SHT_PROGBITS && (s->sh.sh_flags & SHF_EXECINSTR);
		if (s->exec && s->sh.sh_size % EBPF_INSN_SIZE)
			return fe_err(fe, -ENOEXEC,
				      "section '%s': size 0x%llx is not a multiple of 8 (one instruction)",
				      s->name, (unsigned long long)s->sh.sh_size);

		if (!strcmp(s->name, ".maps"))
			fe->maps_shndx = (int)i;
		else if (!strcmp(s->name, "maps"))
			fe->legacy_shndx = (int)i;
		else if (!strcmp(s->name, ".BTF"))
			fe->btf_shndx = (int)i;
		else if (!strcmp(s->name, ".BTF.ext"))
			fe->btf_ext_shndx = (int)i;
		else if (!strcmp(s->name, "license"))
			fe->license_shndx = (int)i;
	}
	return 0;
}

/* ------------------------------------------------------------- symbols */

static int read_symbols(struct fe *fe)
{
	size_t i, symtab = 0, n;
	Elf_Data *data;
	struct fe_sec *s;

	for (i = 1; i < fe->n_secs; i++) {
		if (fe->secs[i].sh.sh_type != SHT_SYMTAB)
			continue;
		if (symtab)
			return fe_err(fe, -ENOEXEC, "more than one symbol table");
		symtab = i;
	}
	if (!symtab)
		return fe_err(fe, -ENOEXEC, "no symbol table");
	s = &fe->secs[symtab];
	if (s->sh.sh_link == 0 || s->sh.sh_link >= fe->n_secs ||
	    fe->secs[s->sh.sh_link].sh.sh_type != SHT_STRTAB)
		return fe_err(fe, -ENOEXEC, "symbol table: bad string table index %u",
			      s->sh.sh_link);
	if (s->sh.sh_entsize != sizeof(Elf64_Sym))
		return fe_err(fe, -ENOEXEC, "symbol table: entry size %llu, expected %zu",
			      (unsigned long long)s->sh.sh_entsize, sizeof(Elf64_Sym));
	data = elf_getdata(elf_getscn(fe->elf, symtab), NULL);
	if (!data)
		return fe_err(fe, -ENOEXEC, "symbol table: %s", elf_errmsg(-1));
	n = data->d_size / sizeof(Elf64_Sym);
	fe->syms = calloc(n ? n : 1, sizeof(*fe->syms));
	if (!fe->syms)
		return fe_err(fe, -ENOMEM, "out of memory");
	fe->n_syms = n;
	for (i = 0; i < n; i++) {
		struct uxdp_elf_sym *y = &fe->syms[i];
		GElf_Sym sym;

		if (!gelf_getsym(data, (int)i, &sym))
			return fe_err(fe, -ENOEXEC, "symbol %zu: %s", i, elf_errmsg(-1));
		y->name = elf_strptr(fe->elf, s->sh.sh_link, sym.st_name);
		if (!y->name)
			return fe_err(fe, -ENOEXEC, "symbol %zu: name offset %u out of range", i,
				      sym.st_name);
		y->type = GELF_ST_TYPE(sym.st_info);
		y->bind = GELF_ST_BIND(sym.st_info);
		y->value = sym.st_value;
		y->size = sym.st_size;
		if (sym.st_shndx == SHN_UNDEF || sym.st_shndx >= SHN_LORESERVE) {
			y->shndx = -1;
		} else if (sym.st_shndx >= fe->n_secs) {
			return fe_err(fe, -ENOEXEC,
				      "symbol %zu ('%s'): section index %u out of range", i,
				      y->name, sym.st_shndx);
		} else {
			y->shndx = sym.st_shndx;
		}
		/* A section symbol has no name of its own: use the section's. */
		if (y->type == STT_SECTION && y->shndx >= 0)
			y->name = fe->secs[y->shndx].name;
	}
	return 0;
}

/*
 * libxdp's multi-program dispatcher (xdp-dispatcher.o) marks itself with a
 * `dispatcher_version` in section xdp_metadata.  It runs the programs that
 * freplace (BPF_PROG_TYPE_EXT) programs put into its slot functions
 * prog0..prog9; uxdp has no freplace, and the dispatcher alone only ever
 * returns XDP_PASS, so it is refused (--list still describes it).
 */
static int refuse_dispatcher(struct fe *fe)
{
	for (size_t i = 0; i < fe->n_syms && !fe->opts->all; i++) {
		const struct uxdp_elf_sym *y = &fe->syms[i];

		if (y->shndx > 0 && !strcmp(y->name, "dispatcher_version") &&
		    !strcmp(fe->secs[y->shndx].name, "xdp_metadata"))
			return fe_err(fe, -EOPNOTSUPP,
				      "libxdp's multi-program dispatcher: its slots (prog0..prog9) are filled by freplace programs, which uxdp does not run; compile the XDP programs it would dispatch to instead");
	}
	return 0;
}

static int cmp_func(const void *a, const void *b)
{
	const struct fe_func *x = a, *y = b;

	if (x->shndx != y->shndx)
		return x->shndx < y->shndx ? -1 : 1;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return 0;
}

/* Every STT_FUNC in an executable section, whatever its binding. */
static int collect_functions(struct fe *fe)
{
	size_t i, j, n = 0;

	fe->funcs = calloc(fe->n_syms ? fe->n_syms : 1, sizeof(*fe->funcs));
	if (!fe->funcs)
		return fe_err(fe, -ENOMEM, "out of memory");
	for (i = 0; i < fe->n_syms; i++) {
		const struct uxdp_elf_sym *y = &fe->syms[i];
		const struct fe_sec *s;

		if (y->type != STT_FUNC || y->shndx < 0)
			continue;
		s = &fe->secs[y->shndx];
		if (!s->exec)
			continue;
		if (y->value % EBPF_INSN_SIZE || y->size % EBPF_INSN_SIZE ||
		    y->value > s->sh.sh_size || y->size > s->sh.sh_size - y->value)
			return fe_err(fe, -ENOEXEC,
				      "function '%s': offset 0x%llx size 0x%llx not within section '%s' or not insn-aligned",
				      y->name, (unsigned long long)y->value,
				      (unsigned long long)y->size, s->name);
		fe->funcs[n].name = y->name;
		fe->funcs[n].shndx = (size_t)y->shndx;
		fe->funcs[n].start = y->value / EBPF_INSN_SIZE;
		/* Size 0 (hand-written asm): runs to the next function, see below. */
		fe->funcs[n].end = y->size ? (y->value + y->size) / EBPF_INSN_SIZE : 0;
		fe->funcs[n].global = y->bind == STB_GLOBAL || y->bind == STB_WEAK;
		n++;
	}
	qsort(fe->funcs, n, sizeof(*fe->funcs), cmp_func);

	/* Drop aliases (same start), fill open ends, refuse overlaps. */
	for (i = 0, j = 0; i < n; i++) {
		if (j && fe->funcs[j - 1].shndx == fe->funcs[i].shndx &&
		    fe->funcs[j - 1].start == fe->funcs[i].start)
			continue;
		fe->funcs[j++] = fe->funcs[i];
	}
	n = j;
	for (i = 0; i < n; i++) {
		struct fe_func *f = &fe->funcs[i];
		size_t limit = fe->secs[f->shndx].sh.sh_size / EBPF_INSN_SIZE;

		if (i + 1 < n && fe->funcs[i + 1].shndx == f->shndx)
			limit = fe->funcs[i + 1].start;
		if (!f->end)
			f->end = limit;
		if (f->end > limit)
			return fe_err(fe, -ENOEXEC, "section '%s': function '%s' overlaps '%s'",
				      fe->secs[f->shndx].name, f->name, fe->funcs[i + 1].name);
		if (f->end <= f->start)
			return fe_err(fe, -ENOEXEC, "section '%s': function '%s' is empty",
				      fe->secs[f->shndx].name, f->name);
	}
	fe->n_funcs = n;
	return 0;
}

static const struct fe_func *func_at(const struct fe *fe, size_t shndx, size_t start, size_t *idx)
{
	size_t lo = 0, hi = fe->n_funcs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct fe_func *f = &fe->funcs[mid];

		if (f->shndx == shndx && f->start == start) {
			if (idx)
				*idx = mid;
			return f;
		}
		if (f->shndx < shndx || (f->shndx == shndx && f->start < start))
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* ------------------------------------------------- code and relocations */

static int read_code(struct fe *fe)
{
	size_t i, k;

	for (i = 1; i < fe->n_secs; i++) {
		struct fe_sec *s = &fe->secs[i];

		if (!s->exec)
			continue;
		if (s->sh.sh_size % EBPF_INSN_SIZE)
			return fe_err(fe, -ENOEXEC,
				      "section '%s': size %llu is not a multiple of 8", s->name,
				      (unsigned long long)s->sh.sh_size);
		s->n_insns = s->sh.sh_size / EBPF_INSN_SIZE;
		s->insns = calloc(s->n_insns ? s->n_insns : 1, sizeof(*s->insns));
		s->reloc = malloc((s->n_insns ? s->n_insns : 1) * sizeof(*s->reloc));
		s->second = calloc(s->n_insns ? s->n_insns : 1, sizeof(*s->second));
		if (!s->insns || !s->reloc || !s->second)
			return fe_err(fe, -ENOMEM, "out of memory");
		if (s->n_insns)
			memcpy(s->insns, s->bytes, s->n_insns * EBPF_INSN_SIZE);
		for (k = 0; k < s->n_insns; k++) {
			s->reloc[k] = -1;
			if (s->insns[k].opcode == EBPF_OP_LDDW && k + 1 < s->n_insns) {
				s->second[k + 1] = true;
				k++;
				s->reloc[k] = -1;
			}
		}
	}
	return 0;
}

static int read_relocations(struct fe *fe)
{
	size_t i, k;

	for (i = 1; i < fe->n_secs; i++) {
		const struct fe_sec *r = &fe->secs[i];
		struct fe_sec *t;
		Elf_Data *data;
		size_t n;

		if (r->sh.sh_type != SHT_REL && r->sh.sh_type != SHT_RELA)
			continue;
		if (r->sh.sh_info == 0 || r->sh.sh_info >= fe->n_secs)
			return fe_err(fe, -ENOEXEC, "section '%s': target section %u out of range",
				      r->name, r->sh.sh_info);
		t = &fe->secs[r->sh.sh_info];
		if (r->sh.sh_info == (unsigned)fe->maps_shndx && fe->maps_shndx > 0) {
			fe->maps_rel_shndx = (int)i;
			continue;
		}
		if (!t->exec)
			continue; /* .BTF, .BTF.ext, debug info: not needed */
		if (r->sh.sh_type == SHT_RELA)
			return fe_err(fe, -ENOEXEC,
				      "section '%s': RELA relocations are not used by BPF", r->name);
		if (t->rels)
			return fe_err(fe, -ENOEXEC,
				      "section '%s': more than one relocation section", t->name);
		if (r->sh.sh_entsize != sizeof(Elf64_Rel))
			return fe_err(fe, -ENOEXEC, "section '%s': entry size %llu, expected %zu",
				      r->name, (unsigned long long)r->sh.sh_entsize,
				      sizeof(Elf64_Rel));
		data = elf_getdata(elf_getscn(fe->elf, i), NULL);
		if (!data)
			return fe_err(fe, -ENOEXEC, "section '%s': %s", r->name, elf_errmsg(-1));
		n = data->d_size / sizeof(Elf64_Rel);
		t->rels = calloc(n ? n : 1, sizeof(*t->rels));
		if (!t->rels)
			return fe_err(fe, -ENOMEM, "out of memory");
		t->n_rels = n;
		for (k = 0; k < n; k++) {
			GElf_Rel *rel = &t->rels[k];
			size_t idx, sym;

			if (!gelf_getrel(data, (int)k, rel))
				return fe_err(fe, -ENOEXEC, "section '%s': relocation %zu: %s",
					      t->name, k, elf_errmsg(-1));
			sym = GELF_R_SYM(rel->r_info);
			if (rel->r_offset % EBPF_INSN_SIZE || rel->r_offset >= t->sh.sh_size)
				return fe_err(fe, -ENOEXEC,
					      "section '%s': relocation %zu: offset 0x%llx out of range or not on an insn",
					      t->name, k, (unsigned long long)rel->r_offset);
			idx = rel->r_offset / EBPF_INSN_SIZE;
			if (sym >= fe->n_syms)
				return fe_err(fe, -ENOEXEC,
					      "section '%s': relocation %zu at insn %zu: symbol index %zu out of range",
					      t->name, k, idx, sym);
			if (t->reloc[idx] >= 0)
				return fe_err(fe, -ENOEXEC,
					      "section '%s': relocation %zu at insn %zu: insn already relocated",
					      t->name, k, idx);
			t->reloc[idx] = (int32_t)k;
		}
	}
	return 0;
}

/* ---------------------------------------------------------------- maps */

static int cmp_sym_value(const void *a, const void *b)
{
	const struct uxdp_elf_sym *x = *(const struct uxdp_elf_sym *const *)a;
	const struct uxdp_elf_sym *y = *(const struct uxdp_elf_sym *const *)b;

	return x->value < y->value ? -1 : x->value > y->value;
}

/*
 * SEC("maps") struct bpf_map_def { u32 type, key_size, value_size,
 * max_entries, map_flags; ... }: one symbol per map.  Loaders (iproute2,
 * old samples) appended fields; they are ignored.
 */
static int read_legacy_maps(struct fe *fe)
{
	const struct fe_sec *s;
	const struct uxdp_elf_sym **list;
	size_t i, n = 0;
	int err = 0;

	if (fe->legacy_shndx <= 0)
		return 0;
	s = &fe->secs[fe->legacy_shndx];
	if (!s->bytes)
		return fe_err(fe, -ENOEXEC, "section 'maps': no map definitions in it");
	list = calloc(fe->n_syms ? fe->n_syms : 1, sizeof(*list));
	if (!list)
		return fe_err(fe, -ENOMEM, "out of memory");
	for (i = 0; i < fe->n_syms; i++) {
		const struct uxdp_elf_sym *y = &fe->syms[i];

		if (y->shndx == fe->legacy_shndx && y->type != STT_SECTION &&
		    y->type != STT_FILE && y->name[0])
			list[n++] = y;
	}
	qsort(list, n, sizeof(*list), cmp_sym_value);
	for (i = 0; i < n && !err; i++) {
		const struct uxdp_elf_sym *y = list[i];
		uint64_t size = y->size ? y->size : s->sh.sh_size / n;
		uint32_t def[5] = { 0 };
		struct uxdp_map_info *m;

		if (y->value > s->sh.sh_size || size > s->sh.sh_size - y->value || size < 16) {
			err = fe_err(fe, -ENOEXEC,
				     "legacy map '%s': definition at 0x%llx size %llu out of section 'maps'",
				     y->name, (unsigned long long)y->value,
				     (unsigned long long)size);
			break;
		}
		memcpy(def, s->bytes + y->value, size < sizeof(def) ? size : sizeof(def));
		m = uxdp_object_add_map(fe->obj, y->name);
		if (!m) {
			err = fe_err(fe, -ENOMEM, "out of memory");
			break;
		}
		m->type = def[0];
		m->key_size = def[1];
		m->value_size = def[2];
		m->max_entries = def[3];
		m->map_flags = def[4];
		m->kind = UXDP_MAP_KIND_USER;
		m->shndx = fe->legacy_shndx;
		m->sec_off = y->value;
	}
	free(list);
	return err;
}

/* .data, .rodata, .bss and their .NAME variants: one-element array maps. */
static int read_data_maps(struct fe *fe)
{
	size_t i;

	for (i = 1; i < fe->n_secs; i++) {
		struct fe_sec *s = &fe->secs[i];
		struct uxdp_map_info *m;

		if (!is_data_section(s->name) || !(s->sh.sh_flags & SHF_ALLOC) ||
		    (s->sh.sh_type != SHT_PROGBITS && s->sh.sh_type != SHT_NOBITS))
			continue;
		if (!s->sh.sh_size)
			continue; /* nothing can refer into it */
		if (s->sh.sh_size > UINT32_MAX)
			return fe_err(fe, -E2BIG, "section '%s': too large for a map", s->name);
		s->map = (int)fe->obj->n_maps;
		m = uxdp_object_add_map(fe->obj, s->name);
		if (!m)
			return fe_err(fe, -ENOMEM, "out of memory");
		m->type = BPF_MAP_TYPE_ARRAY;
		m->key_size = 4;
		m->value_size = (uint32_t)s->sh.sh_size;
		m->max_entries = 1;
		m->shndx = (int)i;
		m->sec_off = 0;
		if (!strncmp(s->name, ".rodata", 7)) {
			m->kind = UXDP_MAP_KIND_RODATA;
			m->map_flags = BPF_F_RDONLY_PROG;
		} else if (!strncmp(s->name, ".bss", 4)) {
			m->kind = UXDP_MAP_KIND_BSS;
		} else {
			m->kind = UXDP_MAP_KIND_DATA;
		}
		if (s->sh.sh_type == SHT_PROGBITS) {
			m->init = malloc(s->sh.sh_size);
			if (!m->init)
				return fe_err(fe, -ENOMEM, "out of memory");
			memcpy(m->init, s->bytes, s->sh.sh_size);
			m->init_size = s->sh.sh_size;
		}
	}
	return 0;
}

/* Which bytes of the .rodata* maps stay constant: btf_datasec.c. */
static int read_data_consts(struct fe *fe)
{
	struct uxdp_elf_view v = { .name = fe->oname, .maps_shndx = -1, .syms = fe->syms,
				   .n_syms = fe->n_syms, .sec_names = fe->sec_names,
				   .sec_sizes = fe->sec_sizes, .n_secs = fe->n_secs };

	if (fe->btf_shndx > 0 && fe->secs[fe->btf_shndx].bytes) {
		v.btf = fe->secs[fe->btf_shndx].bytes;
		v.btf_size = fe->secs[fe->btf_shndx].sh.sh_size;
	}
	return uxdp_btf_datasec_read(fe->obj, &v, fe->diag);
}

/* The map of .maps whose definition holds byte off of the section, or NULL. */
static struct uxdp_map_info *map_at(struct fe *fe, uint64_t off)
{
	struct uxdp_map_info *best = NULL;

	for (size_t i = 0; i < fe->obj->n_maps; i++) {
		struct uxdp_map_info *m = &fe->obj->maps[i];

		if (m->kind == UXDP_MAP_KIND_USER && m->shndx == fe->maps_shndx &&
		    m->sec_off <= off && (!best || m->sec_off > best->sec_off))
			best = m;
	}
	return best;
}

/* One relocation of .rel.maps: `[slot] = &target` in a map's `values`. */
static int read_slot_init(struct fe *fe, size_t k, const GElf_Rel *rel)
{
	size_t sym = GELF_R_SYM(rel->r_info);
	struct uxdp_map_info *m = map_at(fe, rel->r_offset);
	struct uxdp_map_slot_init *si;
	const struct uxdp_elf_sym *y;
	uint64_t at;

	if (sym >= fe->n_syms)
		return fe_err(fe, -ENOEXEC, ".rel.maps: relocation %zu: symbol index %zu out of range",
			      k, sym);
	y = &fe->syms[sym];
	if (!m || m->values_off == UINT32_MAX || rel->r_offset < m->sec_off + m->values_off ||
	    rel->r_offset + 8 > m->sec_off + m->sec_size)
		return fe_err(fe, -ENOEXEC,
			      ".rel.maps: relocation %zu (to '%s') is not in a map's 'values'", k,
			      y->name ? y->name : "?");
	at = rel->r_offset - m->sec_off - m->values_off;
	if (at % 8)
		return fe_err(fe, -ENOEXEC, "map '%s': .rel.maps: relocation %zu is not on a slot",
			      m->name, k);
	/* libbpf's rules: a named entry-point program, or a BTF-defined map */
	if (!y->name || !y->name[0] || y->type == STT_SECTION)
		return fe_err(fe, -ENOEXEC, "map '%s': slot %llu: the target is no named program or map",
			      m->name, (unsigned long long)(at / 8));
	if (m->type == BPF_MAP_TYPE_PROG_ARRAY &&
	    (y->type != STT_FUNC || y->shndx <= 0 || (size_t)y->shndx >= fe->n_secs ||
	     !fe->secs[y->shndx].exec || !strcmp(fe->secs[y->shndx].name, ".text")))
		return fe_err(fe, -ENOEXEC, "map '%s': slot %llu: '%s' isn't an entry-point program",
			      m->name, (unsigned long long)(at / 8), y->name);
	if (m->type != BPF_MAP_TYPE_PROG_ARRAY && y->shndx != fe->maps_shndx)
		return fe_err(fe, -ENOEXEC, "map '%s': slot %llu: '%s' isn't a BTF-defined map",
			      m->name, (unsigned long long)(at / 8), y->name);
	si = realloc(m->slot_inits, (m->n_slot_inits + 1) * sizeof(*si));
	if (!si)
		return fe_err(fe, -ENOMEM, "out of memory");
	m->slot_inits = si;
	m->slot_inits[m->n_slot_inits++] = (struct uxdp_map_slot_init){
		.slot = (uint32_t)(at / 8), .target = y->name, .shndx = y->shndx, .value = y->value
	};
	return 0;
}

/* Relocations in .rel.maps are `.values = { [slot] = &target }` initialisers. */
static int read_slot_inits(struct fe *fe)
{
	const struct fe_sec *r;
	Elf_Data *data;
	GElf_Rel rel;
	int err = 0;

	if (fe->maps_rel_shndx <= 0)
		return 0;
	r = &fe->secs[fe->maps_rel_shndx];
	data = elf_getdata(elf_getscn(fe->elf, (size_t)fe->maps_rel_shndx), NULL);
	if (!data || !data->d_size)
		return 0;
	if (r->sh.sh_type != SHT_REL)
		return fe_err(fe, -EOPNOTSUPP, ".rel.maps: relocations with addends are not supported");
	for (size_t k = 0; k < data->d_size / sizeof(Elf64_Rel) && !err; k++) {
		if (!gelf_getrel(data, (int)k, &rel))
			return fe_err(fe, -ENOEXEC, ".rel.maps: relocation %zu: %s", k, elf_errmsg(-1));
		err = read_slot_init(fe, k, &rel);
	}
	return err;
}

/* The index + 1 of the program or map a slot of m names (libbpf's rules). */
static int slot_target(struct fe *fe, const struct uxdp_map_info *m,
		       const struct uxdp_map_slot_init *si, uint32_t *out)
{
	bool progs = m->type == BPF_MAP_TYPE_PROG_ARRAY;

	for (size_t i = 0; progs && i < fe->obj->n_progs; i++)
		if (!strcmp(fe->obj->progs[i].name, si->target))
			return *out = (uint32_t)i + 1, 0;
	for (size_t i = 0; !progs && i < fe->obj->n_maps; i++)
		if (fe->obj->maps[i].kind == UXDP_MAP_KIND_USER &&
		    fe->obj->maps[i].shndx == si->shndx && fe->obj->maps[i].sec_off == si->value &&
		    fe->obj->maps[i].inner_map < 0)
			return *out = (uint32_t)i + 1, 0;
	if (fe->opts->all)
		return *out = 0, 0; /* --list describes the object: a slot it cannot name stays out */
	if (progs)
		return fe_err(fe, -ENOENT,
			      "map '%s' slot %u: program '%s' is not compiled (uxdp runs XDP programs only)",
			      m->name, si->slot, si->target);
	return fe_err(fe, -ENOENT, "map '%s' slot %u: '%s' is not a map of the object%s", m->name,
		      si->slot, si->target,
		      m->type == BPF_MAP_TYPE_ARRAY_OF_MAPS || m->type == BPF_MAP_TYPE_HASH_OF_MAPS ?
			      " (or is a map of maps itself)" : "");
}

/* The slots into m->init, once the programs are chosen: see uxdp_map_info.values_off. */
static int resolve_slot_inits(struct fe *fe, struct uxdp_map_info *m)
{
	uint64_t n = 0;
	uint32_t *init;
	int err = 0;

	if (m->type != BPF_MAP_TYPE_PROG_ARRAY && m->type != BPF_MAP_TYPE_ARRAY_OF_MAPS &&
	    m->type != BPF_MAP_TYPE_HASH_OF_MAPS)
		return fe_err(fe, -EINVAL, "map '%s': 'values' initialises only prog_array, array_of_maps and hash_of_maps",
			      m->name);
	if (m->type == BPF_MAP_TYPE_HASH_OF_MAPS && m->key_size != 4)
		return fe_err(fe, -EINVAL, "map '%s': a hash_of_maps with 'values' needs a 4-byte key (the slot), not %u",
			      m->name, m->key_size);
	for (uint32_t k = 0; k < m->n_slot_inits; k++) {
		if (m->type != BPF_MAP_TYPE_HASH_OF_MAPS && m->slot_inits[k].slot >= m->max_entries)
			return fe_err(fe, -E2BIG, "map '%s': slot %u of 'values' is past max_entries %u",
				      m->name, m->slot_inits[k].slot, m->max_entries);
		if (m->slot_inits[k].slot >= n)
			n = (uint64_t)m->slot_inits[k].slot + 1;
	}
	init = calloc(n ? n : 1, sizeof(*init));
	if (!init)
		return fe_err(fe, -ENOMEM, "out of memory");
	for (uint32_t k = 0; k < m->n_slot_inits && !err; k++)
		err = slot_target(fe, m, &m->slot_inits[k], &init[m->slot_inits[k].slot]);
	if (err) {
		free(init);
		return err;
	}
	m->init = (uint8_t *)init;
	m->init_size = n * sizeof(*init);
	/* the names point into the ELF, which the front end closes */
	free(m->slot_inits);
	m->slot_inits = NULL;
	m->n_slot_inits = 0;
	return 0;
}

uint32_t uxdp_map_n_slots(const struct uxdp_map_info *m)
{
	bool slots = m->type == BPF_MAP_TYPE_PROG_ARRAY || m->inner_map >= 0;

	return m->kind == UXDP_MAP_KIND_USER && m->init && slots ? (uint32_t)(m->init_size / 4) : 0;
}

uint32_t uxdp_map_slot_target(const struct uxdp_object *obj, const struct uxdp_map_info *m,
			      uint32_t k)
{
	uint32_t v;

	if (k >= uxdp_map_n_slots(m))
		return 0;
	memcpy(&v, m->init + 4 * (size_t)k, 4);
	return v <= (m->type == BPF_MAP_TYPE_PROG_ARRAY ? obj->n_progs : obj->n_maps) ? v : 0;
}

static int resolve_all_slot_inits(struct fe *fe)
{
	int err = 0;

	for (size_t i = 0; i < fe->obj->n_maps && !err; i++)
		if (fe->obj->maps[i].n_slot_inits)
			err = resolve_slot_inits(fe, &fe->obj->maps[i]);
	return err;
}

/* --map-size / --map-value-size / --map-flags: what a loader sets before it loads. */
static int resize_maps(struct fe *fe)
{
	for (size_t k = 0; k < fe->opts->n_resize; k++) {
		const struct uxdp_map_resize *r = &fe->opts->resize[k];
		struct uxdp_map_info *m = NULL;

		for (size_t i = 0; i < fe->obj->n_maps && !m; i++)
			if (fe->obj->maps[i].kind == UXDP_MAP_KIND_USER &&
			    !strcmp(fe->obj->maps[i].name, r->map))
				m = &fe->obj->maps[i];
		if (!m)
			return fe_err(fe, -ENOENT, "no map named '%s' to resize (--map-size)", r->map);
		if (r->max_entries)
			m->max_entries = r->max_entries;
		if (r->value_size)
			m->value_size = r->value_size;
		if (r->set_flags)
			m->map_flags = r->map_flags;
	}
	return 0;
}

int uxdp_object_check_sizes(const struct uxdp_object *obj, struct uxdp_diag *diag)
{
	for (size_t i = 0; i < obj->n_maps; i++) {
		const struct uxdp_map_info *m = &obj->maps[i];

		/* libbpf sizes a perf event array to the CPUs itself. */
		if (m->kind != UXDP_MAP_KIND_USER || m->type == BPF_MAP_TYPE_PERF_EVENT_ARRAY)
			continue;
		if (!m->max_entries)
			return diag_error(diag, -EINVAL,
					  "%s: map '%s' has max_entries 0: its loader sets the size before loading; give it with --map-size %s=N",
					  obj->name, m->name, m->name);
		if (!m->value_size && m->type != BPF_MAP_TYPE_RINGBUF &&
		    m->type != BPF_MAP_TYPE_USER_RINGBUF)
			return diag_error(diag, -EINVAL,
					  "%s: map '%s' has value size 0: give it with --map-value-size %s=N",
					  obj->name, m->name, m->name);
	}
	return 0;
}

/* ------------------------------------------------------------ programs */

struct placed {
	size_t func;
	size_t base;
};

struct builder {
	struct fe *fe;
	const char *prog;
	struct ebpf_insn *insns;
	size_t n_insns;
	struct placed *placed;
	size_t n_placed;
};

/* Base of function fi in the linear program, appending it on first use. */
static int place(struct builder *b, size_t fi, size_t *base)
{
	const struct fe_func *f = &b->fe->funcs[fi];
	const struct fe_sec *s = &b->fe->secs[f->shndx];
	size_t i, len = f->end - f->start;
	struct ebpf_insn *ni;

	for (i = 0; i < b->n_placed; i++) {
		if (b->placed[i].func == fi) {
			*base = b->placed[i].base;
			return 0;
		}
	}
	if (b->n_insns + len > INT32_MAX / 2)
		return fe_err(b->fe, -E2BIG, "program '%s': too many instructions", b->prog);
	ni = realloc(b->insns, (b->n_insns + len) * sizeof(*ni));
	if (!ni)
		return fe_err(b->fe, -ENOMEM, "out of memory");
	b->insns = ni;
	memcpy(ni + b->n_insns, s->insns + f->start, len * sizeof(*ni));
	b->placed[b->n_placed].func = fi;
	b->placed[b->n_placed].base = b->n_insns;
	b->n_placed++;
	*base = b->n_insns;
	b->n_insns += len;
	return 0;
}

/*
 * Resolve a reference to instruction `target` of section tsec from linear
 * insn L: it must start a function, which is appended if new; returns the
 * relative offset a call or lddw FUNC carries (target = L + 1 + off).
 */
static int resolve_func_ref(struct builder *b, const struct fe_sec *sec, size_t sec_insn,
			    size_t L, size_t tsec, int64_t target, int32_t *off)
{
	struct fe *fe = b->fe;
	size_t fi, base;
	int err;

	if (target < 0 || (uint64_t)target >= fe->secs[tsec].n_insns)
		return fe_err(fe, -ENOEXEC,
			      "program '%s': section '%s' insn %zu: target insn %lld out of section '%s'",
			      b->prog, sec->name, sec_insn, (long long)target, fe->secs[tsec].name);
	if (!func_at(fe, tsec, (size_t)target, &fi))
		return fe_err(fe, -ENOEXEC,
			      "program '%s': section '%s' insn %zu: target insn %lld of section '%s' is not the start of a function",
			      b->prog, sec->name, sec_insn, (long long)target, fe->secs[tsec].name);
	err = place(b, fi, &base);
	if (err)
		return err;
	*off = (int32_t)((int64_t)base - (int64_t)L - 1);
	return 0;
}

static int find_user_map(const struct fe *fe, int shndx, uint64_t off)
{
	size_t i;

	for (i = 0; i < fe->obj->n_maps; i++) {
		const struct uxdp_map_info *m = &fe->obj->maps[i];

		if (m->kind == UXDP_MAP_KIND_USER && m->shndx == shndx && m->sec_off == off)
			return (int)i;
	}
	return -1;
}

/* Apply the relocation of an lddw (the insn at L, L+1 in b->insns). */
static int reloc_lddw(struct builder *b, const struct fe_sec *sec, size_t si, size_t L,
		      size_t rno, const GElf_Rel *rel)
{
	struct fe *fe = b->fe;
	const struct uxdp_elf_sym *y = &fe->syms[GELF_R_SYM(rel->r_info)];
	struct ebpf_insn *in = &b->insns[L];
	int64_t addend = in[0].imm;
	const struct fe_sec *ts;
	int err, idx;

#define LDDW_ERR(err, fmt, ...)                                                                   \
	fe_err(fe, err, "program '%s': section '%s': relocation %zu at insn %zu: " fmt, b->prog, \
	       sec->name, rno, si, ##__VA_ARGS__)

	if (GELF_R_TYPE(rel->r_info) != R_BPF_64_64)
		return LDDW_ERR(-ENOEXEC, "relocation type %llu on lddw, expected R_BPF_64_64",
				(unsigned long long)GELF_R_TYPE(rel->r_info));
	if (y->shndx < 0)
		return LDDW_ERR(-EOPNOTSUPP, "unsupported extern '%s'", y->name);
	if (in[1].imm != 0 || (in[0].src != 0 && in[0].src != EBPF_PSEUDO_FUNC))
		return LDDW_ERR(-ENOEXEC, "relocated lddw already carries src %u / high imm %d",
				in[0].src, in[1].imm);
	ts = &fe->secs[y->shndx];

	if (y->shndx == fe->maps_shndx || y->shndx == fe->legacy_shndx) {
		/* The addend is 0 for a global map; a static one is section + offset. */
		if (addend < 0)
			return LDDW_ERR(-ENOEXEC, "negative map offset %lld", (long long)addend);
		idx = find_user_map(fe, y->shndx, y->value + (uint64_t)addend);
		if (idx < 0)
			return LDDW_ERR(-ENOEXEC, "no map defined at '%s'+0x%llx in section '%s'",
					y->name, (unsigned long long)(y->value + addend),
					ts->name);
		in[0].src = EBPF_PSEUDO_MAP_FD;
		in[0].imm = idx;
		return 0;
	}
	if (ts->map >= 0) {
		int64_t off = addend + (int64_t)y->value;

		if (off < 0 || (uint64_t)off > ts->sh.sh_size)
			return LDDW_ERR(-ENOEXEC, "offset %lld out of section '%s' (size %llu)",
					(long long)off, ts->name,
					(unsigned long long)ts->sh.sh_size);
		/*
		 * A mergeable constant (.rodata.cst16: entries of sh_entsize
		 * bytes) is read whole, at the entry clang points to: the entry
		 * must be in the section, or the loads after this lddw read past
		 * it (a truncated or edited object).
		 */
		if ((ts->sh.sh_flags & SHF_MERGE) && ts->sh.sh_entsize &&
		    (ts->sh.sh_size % ts->sh.sh_entsize ||
		     (uint64_t)off + ts->sh.sh_entsize > ts->sh.sh_size))
			return LDDW_ERR(-ENOEXEC,
					"offset %lld: a %llu-byte constant does not fit section '%s' (size %llu)",
					(long long)off, (unsigned long long)ts->sh.sh_entsize,
					ts->name, (unsigned long long)ts->sh.sh_size);
		in[0].src = EBPF_PSEUDO_MAP_VALUE;
		in[0].imm = ts->map;
		in[1].imm = (int32_t)off;
		return 0;
	}
	if (ts->exec) {
		/*
		 * Address of a function (bpf_loop callback and the like).  Unlike
		 * a call, the addend is in bytes: clang emits `.text`+0x80 for a
		 * static callback at byte 0x80 and `cb`+0 for a global one, and
		 * does not set src = BPF_PSEUDO_FUNC itself (libbpf does).
		 */
		int64_t byte = (int64_t)y->value + addend;
		int32_t rel_off;

		if (byte < 0 || byte % EBPF_INSN_SIZE)
			return LDDW_ERR(-ENOEXEC, "function address '%s'+%lld not insn-aligned",
					y->name, (long long)addend);
		err = resolve_func_ref(b, sec, si, L, (size_t)y->shndx, byte / EBPF_INSN_SIZE,
				       &rel_off);
		if (err)
			return err;
		in = &b->insns[L]; /* resolve_func_ref may have moved the array */
		in[0].src = EBPF_PSEUDO_FUNC;
		in[0].imm = rel_off;
		return 0;
	}
	return LDDW_ERR(-EOPNOTSUPP, "reference to '%s' in section '%s' is not supported", y->name,
			ts->name);
#undef LDDW_ERR
}

/* Index of kfunc name in obj->kfuncs, added on first use; -1 on ENOMEM. */
static int kfunc_index(struct uxdp_object *obj, const char *name)
{
	char **k;

	for (size_t i = 0; i < obj->n_kfuncs; i++)
		if (!strcmp(obj->kfuncs[i], name))
			return (int)i;
	k = realloc(obj->kfuncs, (obj->n_kfuncs + 1) * sizeof(*k));
	if (!k)
		return -1;
	obj->kfuncs = k;
	k[obj->n_kfuncs] = strdup(name);
	if (!k[obj->n_kfuncs])
		return -1;
	return (int)obj->n_kfuncs++;
}

/* Resolve the relocations and local references of placed function p. */
static int resolve_function(struct builder *b, size_t p)
{
	struct fe *fe = b->fe;
	const struct fe_func *f = &fe->funcs[b->placed[p].func];
	const struct fe_sec *sec = &fe->secs[f->shndx];
	size_t base = b->placed[p].base, si;
	int err;

	for (si = f->start; si < f->end; si++) {
		size_t L = base + (si - f->start);
		struct ebpf_insn in = b->insns[L];
		int32_t r = sec->reloc[si];
		const GElf_Rel *rel = r >= 0 ? &sec->rels[r] : NULL;
		const struct uxdp_elf_sym *y = rel ? &fe->syms[GELF_R_SYM(rel->r_info)] : NULL;
		int32_t off;

		if (in.opcode == EBPF_OP_CALL && in.src == EBPF_PSEUDO_CALL_LOCAL) {
			size_t tsec = f->shndx;
			int64_t target = (int64_t)si + in.imm + 1;

			if (rel) {
				/*
				 * clang-19: `call g` carries imm -1 against the symbol g;
				 * a static callee is `.text` with imm = insn index - 1.
				 * Both are st_value/8 + imm + 1.
				 */
				if (GELF_R_TYPE(rel->r_info) != R_BPF_64_32)
					return fe_err(fe, -ENOEXEC,
						      "program '%s': section '%s': relocation %d at insn %zu: type %llu on a call, expected R_BPF_64_32",
						      b->prog, sec->name, r, si,
						      (unsigned long long)GELF_R_TYPE(rel->r_info));
				if (y->shndx < 0) {
					/* An extern __ksym function: a kfunc, by name. */
					int k = kfunc_index(fe->obj, y->name);

					if (k < 0)
						return fe_err(fe, -ENOMEM, "out of memory");
					b->insns[L].src = EBPF_PSEUDO_CALL_KFUNC;
					b->insns[L].imm = k;
					continue;
				}
				if (!fe->secs[y->shndx].exec || y->value % EBPF_INSN_SIZE)
					return fe_err(fe, -ENOEXEC,
						      "program '%s': section '%s': relocation %d at insn %zu: call to '%s', not code",
						      b->prog, sec->name, r, si, y->name);
				tsec = (size_t)y->shndx;
				target = (int64_t)(y->value / EBPF_INSN_SIZE) + in.imm + 1;
			}
			err = resolve_func_ref(b, sec, si, L, tsec, target, &off);
			if (err)
				return err;
			b->insns[L].imm = off;
		} else if (in.opcode == EBPF_OP_CALL && rel) {
			if (y->shndx < 0)
				return fe_err(fe, -EOPNOTSUPP,
					      "program '%s': section '%s' insn %zu: unsupported extern '%s'",
					      b->prog, sec->name, si, y->name);
			return fe_err(fe, -ENOEXEC,
				      "program '%s': section '%s': relocation %d at insn %zu: on a call with src %u",
				      b->prog, sec->name, r, si, in.src);
		} else if (in.opcode == EBPF_OP_LDDW) {
			if (si + 1 >= f->end)
				return fe_err(fe, -ENOEXEC,
					      "program '%s': section '%s' insn %zu: lddw is missing its second slot (cut by the end of function '%s')",
					      b->prog, sec->name, si, f->name);
			if (sec->reloc[si + 1] >= 0)
				return fe_err(fe, -ENOEXEC,
					      "program '%s': section '%s': relocation %d at insn %zu: on the second slot of an lddw",
					      b->prog, sec->name, sec->reloc[si + 1], si + 1);
			if (rel) {
				err = reloc_lddw(b, sec, si, L, (size_t)r, rel);
				if (err)
					return err;
			} else if (in.src == EBPF_PSEUDO_FUNC) {
				/* Hand-written: a relative offset like a local call. */
				err = resolve_func_ref(b, sec, si, L, f->shndx,
						       (int64_t)si + in.imm + 1, &off);
				if (err)
					return err;
				b->insns[L].imm = off;
			} else if (in.src != EBPF_PSEUDO_LD_IMM) {
				return fe_err(fe, -ENOEXEC,
					      "program '%s': section '%s' insn %zu: lddw with src %u but no relocation",
					      b->prog, sec->name, si, in.src);
			}
			si++; /* the second slot */
		} else if (rel) {
			if (sec->second[si])
				return fe_err(fe, -ENOEXEC,
					      "program '%s': section '%s': relocation %d at insn %zu: on the second slot of an lddw",
					      b->prog, sec->name, r, si);
			return fe_err(fe, -ENOEXEC,
				      "program '%s': section '%s': relocation %d at insn %zu: not on an lddw or call (opcode 0x%02x)",
				      b->prog, sec->name, r, si, in.opcode);
		}
	}
	return 0;
}

/* Fill origin[]: one block holding the array and the names it points to. */
static int build_origin(struct builder *b, struct uxdp_prog *prog)
{
	struct fe *fe = b->fe;
	size_t strsz = 0, p, k;
	struct uxdp_insn_origin *o;
	char *str;

	for (p = 0; p < b->n_placed; p++) {
		const struct fe_func *f = &fe->funcs[b->placed[p].func];

		strsz += strlen(f->name) + 1 + strlen(fe->secs[f->shndx].name) + 1;
	}
	o = malloc(b->n_insns * sizeof(*o) + strsz);
	if (!o)
		return fe_err(fe, -ENOMEM, "out of memory");
	str = (char *)(o + b->n_insns);
	for (p = 0; p < b->n_placed; p++) {
		const struct fe_func *f = &fe->funcs[b->placed[p].func];
		const char *secname = fe->secs[f->shndx].name;
		char *fname = str, *sname;

		strcpy(fname, f->name);
		sname = fname + strlen(fname) + 1;
		strcpy(sname, secname);
		str = sname + strlen(sname) + 1;
		for (k = 0; k < f->end - f->start; k++) {
			o[b->placed[p].base + k].section = sname;
			o[b->placed[p].base + k].function = fname;
			o[b->placed[p].base + k].sec_insn = (uint32_t)(f->start + k);
		}
	}
	prog->origin = o;
	return 0;
}

static int build_prog(struct fe *fe, size_t fi, bool frags, struct uxdp_prog *prog)
{
	struct builder b = { .fe = fe, .prog = fe->funcs[fi].name };
	size_t base, p;
	int err;

	b.placed = calloc(fe->n_funcs, sizeof(*b.placed));
	if (!b.placed)
		return fe_err(fe, -ENOMEM, "out of memory");
	err = place(&b, fi, &base);
	/* place() appends as it discovers callees: the loop sees them too. */
	for (p = 0; !err && p < b.n_placed; p++)
		err = resolve_function(&b, p);
	if (!err)
		err = build_origin(&b, prog);
	if (!err) {
		prog->name = strdup(fe->funcs[fi].name);
		prog->section = strdup(fe->secs[fe->funcs[fi].shndx].name);
		if (!prog->name || !prog->section)
			err = fe_err(fe, -ENOMEM, "out of memory");
	}
	prog->insns = b.insns;
	prog->n_insns = b.n_insns;
	prog->type = UXDP_PROG_XDP;
	prog->flags = frags ? UXDP_PROG_F_FRAGS : 0;
	free(b.placed);
	return err;
}

static bool sec_is(const char *name, const char *prefix)
{
	size_t n = strlen(prefix);

	return !strncmp(name, prefix, n) && (name[n] == '\0' || name[n] == '/');
}

/* A section libbpf loads as XDP: "xdp", "xdp.frags", and their "/..." forms. */
static bool is_xdp_section(const char *name)
{
	return sec_is(name, "xdp") || sec_is(name, "xdp.frags");
}

/*
 * Sections libbpf gives another program type (its section_defs, kernel
 * 6.18): a program there is not XDP and is never compiled.  Every other
 * non-.text code section ("xdp_fw", "prog", "xdp_sock"...) is a custom one,
 * which loaders load with an explicit type: uxdp takes it as XDP.
 */
static const char *other_type(const char *name)
{
	static const char *const prefixes[] = {
		"socket", "sk_reuseport", "kprobe", "uprobe", "kretprobe", "uretprobe",
		"ksyscall", "kretsyscall", "usdt", "tc", "tcx", "netkit", "classifier",
		"action", "tracepoint", "tp", "raw_tracepoint", "raw_tp", "raw_tracepoint.w",
		"raw_tp.w", "tp_btf", "fentry", "fmod_ret", "fexit", "fentry.s", "fmod_ret.s",
		"fexit.s", "freplace", "lsm", "lsm.s", "lsm_cgroup", "iter", "iter.s", "syscall",
		"perf_event", "lwt_in", "lwt_out", "lwt_xmit", "lwt_seg6local", "sockops",
		"sk_skb", "sk_msg", "lirc_mode2", "flow_dissector", "cgroup_skb", "cgroup",
		"struct_ops", "struct_ops.s", "sk_lookup", "netfilter", "kprobe.multi",
		"kretprobe.multi", "uprobe.multi", "uretprobe.multi", "uprobe.s", "uretprobe.s",
		"kprobe.session", "uprobe.session",
	};

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (sec_is(name, prefixes[i]))
			return prefixes[i];
	return NULL;
}

/*
 * Programs are libbpf's: every function, global or static, in a code
 * section other than .text (a large datapath's tail-call targets are
 * static functions in SEC("xdp")-like sections).
 */
static bool is_candidate(const struct fe *fe, const struct fe_func *f)
{
	return strcmp(fe->secs[f->shndx].name, ".text") != 0;
}

/* Remember a program of another type, for --list. */
static int add_other(struct fe *fe, const struct fe_func *f, const char *type)
{
	struct uxdp_other_prog *o;

	o = realloc(fe->obj->others, (fe->obj->n_others + 1) * sizeof(*o));
	if (!o)
		return fe_err(fe, -ENOMEM, "out of memory");
	fe->obj->others = o;
	o = &o[fe->obj->n_others];
	o->name = strdup(f->name);
	o->section = strdup(fe->secs[f->shndx].name);
	o->type = type;
	if (!o->name || !o->section) {
		free(o->name);
		free(o->section);
		return fe_err(fe, -ENOMEM, "out of memory");
	}
	fe->obj->n_others++;
	return 0;
}

/*
 * With a selected program, the programs a prog_array's `.values` holds
 * come too, as libbpf loads them: the selected one tail-calls into them.
 * Programs of other types stay out (their slots are refused by name).
 */
static void add_slot_targets(struct fe *fe, size_t *chosen, size_t *n)
{
	for (size_t k = 0; k < fe->obj->n_maps; k++) {
		const struct uxdp_map_info *m = &fe->obj->maps[k];

		for (uint32_t s = 0; m->type == BPF_MAP_TYPE_PROG_ARRAY && s < m->n_slot_inits; s++)
			for (size_t i = 0; i < fe->n_funcs; i++) {
				const struct fe_func *f = &fe->funcs[i];
				bool have = false;

				if (!is_candidate(fe, f) || other_type(fe->secs[f->shndx].name) ||
				    strcmp(f->name, m->slot_inits[s].target))
					continue;
				for (size_t j = 0; j < *n && !have; j++)
					have = chosen[j] == i;
				if (!have)
					chosen[(*n)++] = i;
			}
	}
}

/*
 * Which programs to compile.  With select: the program whose function
 * name is select, else the one program whose section is select.  Without:
 * the programs of XDP sections when there are any, else those of custom
 * sections (an object whose loader names its sections itself).  With all
 * (--list): XDP and custom ones, the others noted in obj->others.
 */
static int choose(struct fe *fe, size_t *chosen, size_t *n_out, size_t *n_cand, char *list,
		  size_t list_size)
{
	const struct uxdp_open_opts *o = fe->opts;
	size_t i, n = 0, n_xdp = 0, len = 0;
	int err;

	list[0] = '\0';
	for (i = 0; i < fe->n_funcs; i++) {
		const struct fe_func *f = &fe->funcs[i];

		if (is_candidate(fe, f) && is_xdp_section(fe->secs[f->shndx].name))
			n_xdp++;
	}
	*n_cand = 0;
	for (i = 0; i < fe->n_funcs; i++) {
		const struct fe_func *f = &fe->funcs[i];
		const char *sname = fe->secs[f->shndx].name;
		const char *type;
		bool pick;

		if (!is_candidate(fe, f))
			continue;
		(*n_cand)++;
		if (len < list_size)
			len += (size_t)snprintf(list + len, list_size - len, "%s%s (%s)",
						*n_cand > 1 ? ", " : "", f->name, sname);
		type = other_type(sname);
		if (o->select)
			pick = !strcmp(o->select, f->name);
		else if (o->all)
			pick = !type;
		else
			pick = n_xdp ? is_xdp_section(sname) : !type;
		if (pick && type && o->select)
			return fe_err(fe, -EOPNOTSUPP,
				      "program '%s' is in section '%s', a %s program: uxdp runs XDP programs only",
				      f->name, sname, type);
		if (pick)
			chosen[n++] = i;
		else if (o->all && type && (err = add_other(fe, f, type)))
			return err;
	}
	*n_out = n;
	return 0;
}

static int select_programs(struct fe *fe, const char *select)
{
	size_t i, n = 0, n_cand = 0, len = 0;
	size_t *chosen;
	char list[600];
	int err = 0;

	chosen = calloc(fe->n_funcs ? fe->n_funcs : 1, sizeof(*chosen));
	if (!chosen)
		return fe_err(fe, -ENOMEM, "out of memory");
	err = choose(fe, chosen, &n, &n_cand, list, sizeof(list));
	if (err)
		goto out;
	/* With select, a function name wins over section names. */
	if (select && !n) {
		for (i = 0; i < fe->n_funcs; i++) {
			const struct fe_func *f = &fe->funcs[i];

			if (is_candidate(fe, f) && !strcmp(select, fe->secs[f->shndx].name))
				chosen[n++] = i;
		}
		if (n == 1 && other_type(select)) {
			err = fe_err(fe, -EOPNOTSUPP,
				     "section '%s' holds a %s program: uxdp runs XDP programs only",
				     select, other_type(select));
			goto out;
		}
		if (n > 1) {
			len = 0;
			list[0] = '\0';
			for (i = 0; i < n && len < sizeof(list); i++)
				len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s",
							i ? ", " : "", fe->funcs[chosen[i]].name);
			err = fe_err(fe, -EINVAL,
				     "section '%s' holds %zu programs, select one by function name: %s",
				     select, n, list);
			goto out;
		}
	}
	if (select && n)
		add_slot_targets(fe, chosen, &n);
	if (!n) {
		if (fe->opts->all)
			goto out; /* --list of an object without XDP programs */
		if (!n_cand)
			err = fe_err(fe, -ENOENT, "no program in the object");
		else if (select)
			err = fe_err(fe, -ENOENT,
				     "no program or section named '%s'; candidates: %s", select,
				     list);
		else
			err = fe_err(fe, -ENOENT, "no XDP program; candidates: %s", list);
		goto out;
	}
	fe->obj->progs = calloc(n, sizeof(*fe->obj->progs));
	if (!fe->obj->progs) {
		err = fe_err(fe, -ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < n && !err; i++) {
		const char *sname = fe->secs[fe->funcs[chosen[i]].shndx].name;

		fe->obj->n_progs++;
		err = build_prog(fe, chosen[i], sec_is(sname, "xdp.frags"), &fe->obj->progs[i]);
	}
out:
	free(chosen);
	return err;
}

/* ---------------------------------------------------------------- entry */

static void read_license(struct fe *fe)
{
	const struct fe_sec *s;
	size_t n;

	if (fe->license_shndx <= 0)
		return;
	s = &fe->secs[fe->license_shndx];
	if (!s->bytes)
		return;
	n = strnlen((const char *)s->bytes, s->sh.sh_size);
	if (n >= sizeof(fe->obj->license))
		n = sizeof(fe->obj->license) - 1;
	memcpy(fe->obj->license, s->bytes, n);
	fe->obj->license[n] = '\0';
}

static const char *other_type(const char *name);

/* CO-RE relocations patch the sections' code before programs are built. */
static int apply_core(struct fe *fe, const struct uxdp_elf_view *v)
{
	struct ebpf_insn **insns = calloc(fe->n_secs, sizeof(*insns));
	size_t *n = calloc(fe->n_secs, sizeof(*n));
	struct uxdp_core_sections secs = { insns, n };
	int err;

	if (!insns || !n) {
		free(insns);
		free(n);
		return fe_err(fe, -ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < fe->n_secs; i++) {
		/* Programs of other types are never compiled: leave them alone. */
		bool other = other_type(fe->secs[i].name) != NULL;

		insns[i] = fe->secs[i].exec && !other ? fe->secs[i].insns : NULL;
		n[i] = fe->secs[i].exec ? fe->secs[i].n_insns : 0;
	}
	err = uxdp_core_apply(fe->obj, v, &secs, &fe->opts->target, fe->diag);
	free(insns);
	free(n);
	return err;
}

static int read_btf(struct fe *fe)
{
	struct uxdp_elf_view v = {
		.name = fe->oname,
		.maps_shndx = fe->maps_shndx > 0 ? fe->maps_shndx : -1,
		.syms = fe->syms,
		.n_syms = fe->n_syms,
		.sec_names = fe->sec_names,
		.sec_sizes = fe->sec_sizes,
		.n_secs = fe->n_secs,
	};
	int err;

	if (fe->btf_shndx > 0) {
		v.btf = fe->secs[fe->btf_shndx].bytes;
		v.btf_size = v.btf ? fe->secs[fe->btf_shndx].sh.sh_size : 0;
	}
	if (fe->btf_ext_shndx > 0) {
		v.btf_ext = fe->secs[fe->btf_ext_shndx].bytes;
		v.btf_ext_size = v.btf_ext ? fe->secs[fe->btf_ext_shndx].sh.sh_size : 0;
	}
	err = uxdp_btf_maps_read(fe->obj, &v, fe->diag);
	if (!err)
		err = apply_core(fe, &v);
	return err;
}

static void fe_free(struct fe *fe)
{
	size_t i;

	for (i = 0; fe->secs && i < fe->n_secs; i++) {
		free(fe->secs[i].insns);
		free(fe->secs[i].reloc);
		free(fe->secs[i].second);
		free(fe->secs[i].rels);
	}
	free(fe->secs);
	free(fe->sec_names);
	free(fe->sec_sizes);
	free(fe->syms);
	free(fe->funcs);
	if (fe->elf)
		elf_end(fe->elf);
	free(fe->buf);
}

/* Copy [mem, mem + size) as if read from a file: fe_free() frees fe->buf. */
static int copy_mem(struct fe *fe, const void *mem, size_t size)
{
	fe->buf = malloc(size ? size : 1);
	if (!fe->buf)
		return fe_err(fe, -ENOMEM, "out of memory");
	memcpy(fe->buf, mem, size);
	fe->size = size;
	return 0;
}

/* path names the object in messages; mem, when not NULL, holds its bytes. */
int uxdp_object_open_opts(const char *path, const void *mem, size_t size,
			  const struct uxdp_open_opts *opts, struct uxdp_object **out,
			  struct uxdp_diag *diag)
{
	static const struct uxdp_open_opts defaults;
	struct fe fe = { .diag = diag, .opts = opts ? opts : &defaults };
	const char *slash = strrchr(path, '/');
	int err;

	*out = NULL;
	fe.oname = slash ? slash + 1 : path;
	if (elf_version(EV_CURRENT) == EV_NONE)
		return fe_err(&fe, -EINVAL, "libelf: %s", elf_errmsg(-1));
	fe.obj = calloc(1, sizeof(*fe.obj));
	if (!fe.obj)
		return fe_err(&fe, -ENOMEM, "out of memory");
	fe.obj->path = strdup(path);
	fe.obj->name = strdup(fe.oname);
	if (!fe.obj->path || !fe.obj->name) {
		err = fe_err(&fe, -ENOMEM, "out of memory");
		goto out;
	}
	err = mem ? copy_mem(&fe, mem, size) : read_file(&fe, path);
	err = err ?: read_sections(&fe);
	err = err ?: read_symbols(&fe);
	err = err ?: refuse_dispatcher(&fe);
	err = err ?: collect_functions(&fe);
	err = err ?: read_code(&fe);
	err = err ?: read_relocations(&fe);
	err = err ?: read_legacy_maps(&fe);
	err = err ?: read_btf(&fe);
	err = err ?: read_slot_inits(&fe);
	err = err ?: read_data_maps(&fe);
	err = err ?: resize_maps(&fe);
	err = err ?: read_data_consts(&fe);
	err = err ?: select_programs(&fe, fe.opts->select);
	err = err ?: resolve_all_slot_inits(&fe);
	if (!err)
		read_license(&fe);
out:
	fe_free(&fe);
	if (err) {
		uxdp_object_free(fe.obj);
		return err;
	}
	*out = fe.obj;
	return 0;
}

int uxdp_object_open_elf(const char *path, const char *select, struct uxdp_object **out,
			 struct uxdp_diag *diag)
{
	struct uxdp_open_opts o = { .select = select };

	return uxdp_object_open_opts(path, NULL, 0, &o, out, diag);
}

int uxdp_object_open_elf_mem(const void *bytes, size_t size, const char *name,
			     const char *select, struct uxdp_object **out, struct uxdp_diag *diag)
{
	struct uxdp_open_opts o = { .select = select };

	return uxdp_object_open_opts(name, bytes, size, &o, out, diag);
}
