// SPDX-License-Identifier: MIT
/*
 * gen-malformed.c - write the inputs uxdpc must reject, and cases.txt.
 *
 * ELF-level cases start from SEED (a valid clang-built object, seed.bpf.c)
 * and plant exactly one fault each, so that a reader that stops at the
 * first problem reports that fault and nothing else.  Offsets are found
 * with gelf on the seed, never hard-coded, so the cases survive a new
 * clang.  HOST.o, a real x86-64 object from the host compiler, is copied in
 * as the wrong-machine case.  Raw cases (for `uxdpc --raw`) are instruction arrays written out
 * as they are.  CORE.o (seed_core.bpf.c: CO-RE relocations, a .rodata.cst16
 * constant) is the seed of the BTF, .BTF.ext and CO-RE faults; each
 * `--copy FILE EXPECT` adds a valid object uxdpc must refuse (an unknown
 * kfunc, a reachable poisoned CO-RE access) as it is.
 *
 *   gen-malformed SEED.bpf.o OUTDIR HOST.o CORE.o [--copy FILE EXPECT]...
 *
 * cases.txt has one line per case:
 *
 *   <file> <expected substring of the error message> <elf|raw>
 *
 * The substring may contain spaces; the first and last words are the file
 * and the mode.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uxdp/ebpf.h>

#define BPF_K_ADD64 (EBPF_CLS_ALU64 | EBPF_SRC_K | EBPF_ALU_ADD)
#define BPF_K_MOV64 (EBPF_CLS_ALU64 | EBPF_SRC_K | EBPF_ALU_MOV)
#define BPF_X_MOV64 (EBPF_CLS_ALU64 | EBPF_SRC_X | EBPF_ALU_MOV)
#define BPF_LD_ABS_B (EBPF_CLS_LD | EBPF_MODE_ABS | EBPF_SIZE_B)
#define BPF_ATOMIC_DW (EBPF_CLS_STX | EBPF_MODE_ATOMIC | EBPF_SIZE_DW)
/* ALU64 with operation 0xe0: no such operation exists. */
#define BPF_BAD_OPCODE (EBPF_CLS_ALU64 | EBPF_SRC_K | 0xe0)
#define BPF_HELPER_UNKNOWN 9999
#define R_BPF_64_64 1

#define INSN(op, d, s, o, i) ((struct ebpf_insn){ .opcode = (op), .dst = (d), .src = (s), .off = (o), .imm = (i) })
#define MOV_K(d, i) INSN(BPF_K_MOV64, d, 0, 0, i)
#define EXIT() INSN(EBPF_OP_EXIT, 0, 0, 0, 0)
#define CALL_LOCAL(i) INSN(EBPF_OP_CALL, 0, EBPF_PSEUDO_CALL_LOCAL, 0, i)

/* Where the interesting parts of the seed are. */
struct seed {
	unsigned char *buf;
	size_t size;
	size_t shoff, shentsize;
	size_t xdp_shdr, text_shdr;  /* file offsets of the section headers */
	size_t xdp_off, xdp_size;    /* code of section "xdp" */
	size_t text_off, text_size;  /* code of section ".text" */
	size_t rel_off, rel_count;   /* .relxdp entries */
	size_t rel_lddw, rel_call;   /* file offsets of the two relocations */
	size_t lddw_idx, call_idx;   /* instruction indexes they patch */
};

static const char *outdir;
static FILE *list;
static int n_cases;

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("gen-malformed: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static void write_case(const char *file, const void *bytes, size_t size, const char *expect,
		       const char *mode)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", outdir, file);
	f = fopen(path, "wb");
	if (!f)
		die("%s: %s", path, strerror(errno));
	if (size && fwrite(bytes, 1, size, f) != size)
		die("%s: short write", path);
	if (fclose(f))
		die("%s: %s", path, strerror(errno));
	fprintf(list, "%s %s %s\n", file, expect, mode);
	n_cases++;
}

/* A fresh copy of the seed to plant one fault in. */
static unsigned char *dup_seed(const struct seed *s)
{
	unsigned char *b = malloc(s->size);

	if (!b)
		die("out of memory");
	memcpy(b, s->buf, s->size);
	return b;
}

static void elf_case(const struct seed *s, unsigned char *b, size_t size, const char *file,
		     const char *expect)
{
	write_case(file, b, size, expect, "elf");
	free(b);
}

static void put_insn(unsigned char *b, size_t sec_off, size_t idx, struct ebpf_insn in)
{
	memcpy(b + sec_off + idx * sizeof(in), &in, sizeof(in));
}

static struct ebpf_insn get_insn(const unsigned char *b, size_t sec_off, size_t idx)
{
	struct ebpf_insn in;

	memcpy(&in, b + sec_off + idx * sizeof(in), sizeof(in));
	return in;
}

static void load_seed(const char *path, struct seed *s)
{
	GElf_Ehdr eh;
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	Elf *elf;
	FILE *f;
	long sz = 0;

	memset(s, 0, sizeof(*s));
	f = fopen(path, "rb");
	if (!f)
		die("%s: %s", path, strerror(errno));
	if (fseek(f, 0, SEEK_END) || (sz = ftell(f)) <= 0 || fseek(f, 0, SEEK_SET))
		die("%s: cannot size", path);
	s->size = sz;
	s->buf = malloc(s->size);
	if (!s->buf || fread(s->buf, 1, s->size, f) != s->size)
		die("%s: cannot read", path);
	fclose(f);

	if (elf_version(EV_CURRENT) == EV_NONE)
		die("libelf: %s", elf_errmsg(-1));
	elf = elf_memory((char *)s->buf, s->size);
	if (!elf || !gelf_getehdr(elf, &eh) || elf_getshdrstrndx(elf, &shstrndx))
		die("%s: %s", path, elf_errmsg(-1));
	s->shoff = eh.e_shoff;
	s->shentsize = eh.e_shentsize;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *name;

		if (!gelf_getshdr(scn, &sh))
			die("%s: %s", path, elf_errmsg(-1));
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (!name)
			continue;
		if (!strcmp(name, "xdp")) {
			s->xdp_shdr = s->shoff + elf_ndxscn(scn) * s->shentsize;
			s->xdp_off = sh.sh_offset;
			s->xdp_size = sh.sh_size;
		} else if (!strcmp(name, ".text")) {
			s->text_shdr = s->shoff + elf_ndxscn(scn) * s->shentsize;
			s->text_off = sh.sh_offset;
			s->text_size = sh.sh_size;
		} else if (!strcmp(name, ".relxdp")) {
			s->rel_off = sh.sh_offset;
			s->rel_count = sh.sh_size / sizeof(Elf64_Rel);
		}
	}
	elf_end(elf);
	if (!s->xdp_size || !s->text_size || !s->rel_count)
		die("%s: seed lacks xdp, .text or .relxdp", path);

	/* Tell the two relocations apart by the instruction they patch. */
	for (size_t i = 0; i < s->rel_count; i++) {
		Elf64_Rel r;
		struct ebpf_insn in;

		memcpy(&r, s->buf + s->rel_off + i * sizeof(r), sizeof(r));
		in = get_insn(s->buf, s->xdp_off, r.r_offset / 8);
		if (in.opcode == EBPF_OP_LDDW && !s->rel_lddw) {
			s->rel_lddw = s->rel_off + i * sizeof(r);
			s->lddw_idx = r.r_offset / 8;
		} else if (in.opcode == EBPF_OP_CALL && in.src == EBPF_PSEUDO_CALL_LOCAL && !s->rel_call) {
			s->rel_call = s->rel_off + i * sizeof(r);
			s->call_idx = r.r_offset / 8;
		}
	}
	if (!s->rel_lddw || !s->rel_call)
		die("%s: seed lacks an lddw map relocation or a local call", path);
	if (get_insn(s->buf, s->xdp_off, s->xdp_size / 8 - 1).opcode != EBPF_OP_EXIT)
		die("%s: section xdp does not end with exit", path);
	if (s->lddw_idx == 0 || s->call_idx == 0)
		die("%s: insn 0 of xdp must be a plain instruction", path);
}

static void set_u64(unsigned char *b, size_t off, uint64_t v) { memcpy(b + off, &v, sizeof(v)); }
static void set_u16(unsigned char *b, size_t off, uint16_t v) { memcpy(b + off, &v, sizeof(v)); }

/* Faults in the ELF container: header, section table, relocations. */
static void gen_elf_container(const struct seed *s)
{
	unsigned char *b;
	Elf64_Rel r;

	elf_case(s, dup_seed(s), 10, "trunc_ident.o", "truncated");
	elf_case(s, dup_seed(s), 40, "trunc_ehdr.o", "truncated");
	elf_case(s, dup_seed(s), s->xdp_off + 20, "trunc_code.o", "truncated");
	elf_case(s, dup_seed(s), s->shoff + 3 * s->shentsize + 7, "trunc_shdrs.o", "truncated");

	b = dup_seed(s);
	b[EI_MAG1] = 'X';
	elf_case(s, b, s->size, "bad_magic.o", "not an ELF file");

	b = dup_seed(s);
	b[EI_CLASS] = ELFCLASS32;
	elf_case(s, b, s->size, "elf32.o", "not a 64-bit ELF");

	b = dup_seed(s);
	b[EI_DATA] = ELFDATA2MSB;
	elf_case(s, b, s->size, "big_endian.o", "big-endian");

	b = dup_seed(s);
	set_u16(b, offsetof(Elf64_Ehdr, e_machine), EM_X86_64);
	elf_case(s, b, s->size, "machine_x86.o", "not a BPF object");

	b = dup_seed(s);
	set_u64(b, offsetof(Elf64_Ehdr, e_shoff), s->size + 0x1000);
	elf_case(s, b, s->size, "shoff_out.o", "truncated");

	b = dup_seed(s);
	set_u64(b, s->xdp_shdr + offsetof(Elf64_Shdr, sh_offset), s->size + 0x100);
	elf_case(s, b, s->size, "sec_data_out.o", "beyond the end of the file");

	b = dup_seed(s);
	set_u64(b, s->xdp_shdr + offsetof(Elf64_Shdr, sh_size), s->xdp_size - 4);
	elf_case(s, b, s->size, "code_size_odd.o", "not a multiple of 8");

	b = dup_seed(s);
	memcpy(&r, b + s->rel_lddw, sizeof(r));
	r.r_info = ELF64_R_INFO(9999, ELF64_R_TYPE(r.r_info));
	memcpy(b + s->rel_lddw, &r, sizeof(r));
	elf_case(s, b, s->size, "reloc_sym_range.o", "symbol index");

	b = dup_seed(s);
	memcpy(&r, b + s->rel_lddw, sizeof(r));
	r.r_offset = s->xdp_size + 0x800;
	memcpy(b + s->rel_lddw, &r, sizeof(r));
	elf_case(s, b, s->size, "reloc_off_range.o", "out of range or not on an insn");

	b = dup_seed(s);
	memcpy(&r, b + s->rel_lddw, sizeof(r));
	r.r_offset += 4;
	memcpy(b + s->rel_lddw, &r, sizeof(r));
	elf_case(s, b, s->size, "reloc_off_align.o", "out of range or not on an insn");

	/* A map relocation on insn 0, which is neither lddw nor call. */
	b = dup_seed(s);
	memcpy(&r, b + s->rel_lddw, sizeof(r));
	r.r_offset = 0;
	memcpy(b + s->rel_lddw, &r, sizeof(r));
	elf_case(s, b, s->size, "reloc_bad_insn.o", "not on an lddw or call");

	/* The call lands on .text insn 1: inside seed_len, not at a function. */
	b = dup_seed(s);
	{
		struct ebpf_insn in = get_insn(b, s->xdp_off, s->call_idx);

		in.imm += 1;
		put_insn(b, s->xdp_off, s->call_idx, in);
	}
	elf_case(s, b, s->size, "call_not_function.o", "is not the start of a function");
}

/* One bad instruction planted in the seed's program, and the same as raw. */
struct insn_case {
	const char *name;
	const char *expect;
	struct ebpf_insn insns[24];
	size_t n;
	/* How to plant it in the seed: replace xdp insn 0 (PLANT_FIRST), the
	 * final exit (PLANT_LAST), .text insn 0 (PLANT_TEXT), or not at all. */
	enum { PLANT_FIRST, PLANT_LAST, PLANT_TEXT, PLANT_NONE } plant;
	struct ebpf_insn planted;
};

static void gen_insn_cases(const struct seed *s)
{
	static const struct insn_case cases[] = {
		{ "unknown_opcode", "unknown opcode",
		  { INSN(BPF_BAD_OPCODE, 1, 0, 0, 0), MOV_K(0, 2), EXIT() }, 3,
		  PLANT_FIRST, INSN(BPF_BAD_OPCODE, 2, 0, 0, 0) },
		{ "reserved_src", "reserved fields",
		  { INSN(BPF_K_ADD64, 1, 3, 0, 5), MOV_K(0, 2), EXIT() }, 3,
		  PLANT_FIRST, INSN(BPF_K_ADD64, 2, 3, 0, 5) },
		{ "reserved_off", "reserved fields",
		  { INSN(BPF_K_ADD64, 1, 0, 1, 5), MOV_K(0, 2), EXIT() }, 3,
		  PLANT_FIRST, INSN(BPF_K_ADD64, 2, 0, 1, 5) },
		{ "register_r11", "invalid register",
		  { MOV_K(11, 0), MOV_K(0, 2), EXIT() }, 3,
		  PLANT_FIRST, MOV_K(11, 0) },
		{ "register_src_r12", "invalid register",
		  { INSN(BPF_X_MOV64, 1, 12, 0, 0), MOV_K(0, 2), EXIT() }, 3,
		  PLANT_FIRST, INSN(BPF_X_MOV64, 2, 12, 0, 0) },
		{ "write_r10", "frame pointer r10 is read only",
		  { MOV_K(10, 0), MOV_K(0, 2), EXIT() }, 3,
		  PLANT_FIRST, MOV_K(10, 0) },
		{ "jump_out_of_range", "jump out of range",
		  { INSN(EBPF_OP_JA, 0, 0, 100, 0), MOV_K(0, 2), EXIT() }, 3,
		  PLANT_FIRST, INSN(EBPF_OP_JA, 0, 0, 1000, 0) },
		{ "jump_backward_out", "jump out of range",
		  { MOV_K(0, 2), INSN(EBPF_OP_JA, 0, 0, -3, 0), EXIT() }, 3,
		  PLANT_FIRST, INSN(EBPF_OP_JA, 0, 0, -2, 0) },
		/* ja +1 from insn 0 lands on insn 2, the second slot of the lddw at 1.
		 * In the seed the offset is patched in gen_insn_cases below. */
		{ "jump_into_lddw", "jump into the middle of lddw",
		  { INSN(EBPF_OP_JA, 0, 0, 1, 0), INSN(EBPF_OP_LDDW, 0, 0, 0, 2), INSN(0, 0, 0, 0, 0),
		    EXIT() }, 4,
		  PLANT_FIRST, INSN(EBPF_OP_JA, 0, 0, 0, 0) },
		{ "falls_off_end", "falls off the end",
		  { MOV_K(0, 2), MOV_K(1, 0) }, 2,
		  PLANT_LAST, MOV_K(1, 0) },
		{ "unknown_helper", "unknown helper",
		  { INSN(EBPF_OP_CALL, 0, 0, 0, BPF_HELPER_UNKNOWN), MOV_K(0, 2), EXIT() }, 3,
		  PLANT_FIRST, INSN(EBPF_OP_CALL, 0, 0, 0, BPF_HELPER_UNKNOWN) },
		{ "kfunc_call", "kfunc",
		  { INSN(EBPF_OP_CALL, 0, EBPF_PSEUDO_CALL_KFUNC, 0, 1234), MOV_K(0, 2), EXIT() }, 3,
		  PLANT_FIRST, INSN(EBPF_OP_CALL, 0, EBPF_PSEUDO_CALL_KFUNC, 0, 1234) },
		{ "ld_abs", "legacy packet access",
		  { INSN(BPF_X_MOV64, 6, 1, 0, 0), INSN(BPF_LD_ABS_B, 0, 0, 0, 12), EXIT() }, 3,
		  PLANT_FIRST, INSN(BPF_LD_ABS_B, 0, 0, 0, 12) },
		{ "lddw_missing_slot", "lddw is missing its second slot",
		  { MOV_K(0, 2), EXIT(), INSN(EBPF_OP_LDDW, 1, 0, 0, 7) }, 3,
		  PLANT_LAST, INSN(EBPF_OP_LDDW, 1, 0, 0, 7) },
		{ "lddw_bad_second", "invalid second slot of lddw",
		  { INSN(EBPF_OP_LDDW, 1, 0, 0, 7), MOV_K(0, 2), EXIT() }, 3,
		  PLANT_NONE, {} },
		{ "atomic_unknown_op", "unknown atomic operation",
		  { MOV_K(0, 2), INSN(BPF_ATOMIC_DW, 10, 0, -8, 0x02), EXIT() }, 3,
		  PLANT_NONE, {} },
		/* insn 0 calls insn 2, which calls itself. */
		{ "recursion", "recursive call",
		  { CALL_LOCAL(1), EXIT(), CALL_LOCAL(-1), MOV_K(0, 2), EXIT() }, 5,
		  PLANT_TEXT, CALL_LOCAL(-1) },
		/* main -> f1 -> ... -> f8: nine frames, one more than the kernel's 8. */
		{ "call_too_deep", "too deep",
		  { CALL_LOCAL(1), EXIT(),
		    CALL_LOCAL(1), EXIT(), CALL_LOCAL(1), EXIT(), CALL_LOCAL(1), EXIT(),
		    CALL_LOCAL(1), EXIT(), CALL_LOCAL(1), EXIT(), CALL_LOCAL(1), EXIT(),
		    CALL_LOCAL(1), EXIT(), MOV_K(0, 2), EXIT() }, 18,
		  PLANT_NONE, {} },
	};
	char file[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct insn_case *c = &cases[i];
		struct ebpf_insn in = c->planted;
		unsigned char *b;

		snprintf(file, sizeof(file), "raw_%s.bin", c->name);
		/* A plain --raw program has no helper set (any id goes to
		 * uxdp_raw_helper); helper ids are checked for XDP programs. */
		write_case(file, c->insns, c->n * sizeof(c->insns[0]), c->expect,
			   strcmp(c->name, "unknown_helper") ? "raw" : "rawxdp");
		if (c->plant == PLANT_NONE)
			continue;

		b = dup_seed(s);
		if (!strcmp(c->name, "jump_into_lddw"))
			in.off = s->lddw_idx; /* 0 + off + 1 = second slot */
		if (c->plant == PLANT_FIRST)
			put_insn(b, s->xdp_off, 0, in);
		else if (c->plant == PLANT_LAST)
			put_insn(b, s->xdp_off, s->xdp_size / 8 - 1, in);
		else
			put_insn(b, s->text_off, 0, in);
		snprintf(file, sizeof(file), "%s.o", c->name);
		elf_case(s, b, s->size, file, c->expect);
	}

	/* Raw inputs that are broken as a whole rather than in one insn. */
	write_case("raw_empty.bin", "", 0, "no instructions", "raw");
	write_case("raw_size_odd.bin", "\xb7\0\0\0\2\0\0\0\x95\0\0\0", 12, "not a multiple of 8",
		   "raw");
}

/* A whole object for another machine, not just a patched e_machine. */
static unsigned char *read_all(const char *path, size_t *size)
{
	unsigned char *b;
	FILE *f;
	long sz = 0;

	f = fopen(path, "rb");
	if (!f)
		die("%s: %s", path, strerror(errno));
	if (fseek(f, 0, SEEK_END) || (sz = ftell(f)) <= 0 || fseek(f, 0, SEEK_SET))
		die("%s: cannot size", path);
	b = malloc(sz);
	if (!b || fread(b, 1, sz, f) != (size_t)sz)
		die("%s: cannot read", path);
	fclose(f);
	*size = (size_t)sz;
	return b;
}

/* A whole file as a case, under its own base name. */
static void copy_case(const char *path, const char *as, const char *expect)
{
	size_t sz;
	unsigned char *b = read_all(path, &sz);
	const char *base = strrchr(path, '/');

	write_case(as ? as : base ? base + 1 : path, b, sz, expect, "elf");
	free(b);
}

/* ---------------------------------------------------- BTF, .BTF.ext, CO-RE */

struct core_seed {
	unsigned char *buf;
	size_t size;
	size_t btf_shdr, btf_off, btf_size;
	size_t ext_shdr, ext_off, ext_size;
	size_t cst_shdr;               /* .rodata.cst16 */
	size_t relo_hdr;               /* file offset of the first CO-RE section header */
	size_t relo_rec;               /* file offset of its first record */
	size_t int_type;               /* id of an INT type in .BTF */
};

/* The id of the first BTF_KIND_INT type, walking the type section by hand. */
static size_t find_int_type(const unsigned char *btf, size_t size)
{
	uint32_t hdr_len, type_off, type_len, info, vlen, kind;
	size_t p, end, id = 1;

	memcpy(&hdr_len, btf + 4, 4);
	memcpy(&type_off, btf + 8, 4);
	memcpy(&type_len, btf + 12, 4);
	p = hdr_len + type_off;
	end = p + type_len;
	if (end > size)
		die("seed .BTF: types out of the section");
	while (p + 12 <= end) {
		memcpy(&info, btf + p + 4, 4);
		kind = (info >> 24) & 0x1f;
		vlen = info & 0xffff;
		if (kind == 1 /* INT */)
			return id;
		p += 12;
		switch (kind) {
		case 14: case 17: p += 4; break;                 /* VAR, DECL_TAG */
		case 3: p += 12; break;                          /* ARRAY */
		case 4: case 5: case 15: case 19:                /* STRUCT, UNION, DATASEC, ENUM64 */
			p += 12 * (size_t)vlen;
			break;
		case 6: case 13: p += 8 * (size_t)vlen; break;   /* ENUM, FUNC_PROTO */
		default: break;                                  /* PTR, FWD, TYPEDEF, mods, FUNC, FLOAT */
		}
		id++;
	}
	die("seed .BTF: no INT type");
	return 0;
}

static void load_core_seed(const char *path, struct core_seed *c)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	GElf_Ehdr eh;
	uint32_t hdr_len, core_off, core_len;
	Elf *elf;

	memset(c, 0, sizeof(*c));
	c->buf = read_all(path, &c->size);
	elf = elf_memory((char *)c->buf, c->size);
	if (!elf || !gelf_getehdr(elf, &eh) || elf_getshdrstrndx(elf, &shstrndx))
		die("%s: %s", path, elf_errmsg(-1));
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *name;
		size_t shdr = eh.e_shoff + elf_ndxscn(scn) * eh.e_shentsize;

		if (!gelf_getshdr(scn, &sh) || !(name = elf_strptr(elf, shstrndx, sh.sh_name)))
			continue;
		if (!strcmp(name, ".BTF")) {
			c->btf_shdr = shdr;
			c->btf_off = sh.sh_offset;
			c->btf_size = sh.sh_size;
		} else if (!strcmp(name, ".BTF.ext")) {
			c->ext_shdr = shdr;
			c->ext_off = sh.sh_offset;
			c->ext_size = sh.sh_size;
		} else if (!strcmp(name, ".rodata.cst16")) {
			c->cst_shdr = shdr;
		}
	}
	elf_end(elf);
	if (!c->btf_size || !c->ext_size || !c->cst_shdr)
		die("%s: seed lacks .BTF, .BTF.ext or .rodata.cst16", path);
	memcpy(&hdr_len, c->buf + c->ext_off + 4, 4);
	memcpy(&core_off, c->buf + c->ext_off + 24, 4);
	memcpy(&core_len, c->buf + c->ext_off + 28, 4);
	if (hdr_len < 32 || !core_len)
		die("%s: seed has no CO-RE records", path);
	c->relo_hdr = c->ext_off + hdr_len + core_off + 4; /* after rec_size */
	c->relo_rec = c->relo_hdr + 8;
	c->int_type = find_int_type(c->buf + c->btf_off, c->btf_size);
}

static unsigned char *dup_core(const struct core_seed *c)
{
	unsigned char *b = malloc(c->size);

	if (!b)
		die("out of memory");
	memcpy(b, c->buf, c->size);
	return b;
}

static void core_case(const struct core_seed *c, unsigned char *b, const char *file,
		      const char *expect)
{
	write_case(file, b, c->size, expect, "elf");
	free(b);
}

static void set_u32(unsigned char *b, size_t off, uint32_t v) { memcpy(b + off, &v, sizeof(v)); }

static void gen_core_cases(const struct core_seed *c)
{
	unsigned char *b;

	b = dup_core(c);
	set_u64(b, c->btf_shdr + offsetof(Elf64_Shdr, sh_size), 12);
	core_case(c, b, "btf_truncated.o", "section .BTF is malformed");
	b = dup_core(c);
	set_u16(b, c->btf_off, 0x1234);
	core_case(c, b, "btf_bad_magic.o", "section .BTF is malformed");
	b = dup_core(c);
	set_u32(b, c->btf_off + 12, 0x7ffffff0); /* type_len far past the section */
	core_case(c, b, "btf_types_out.o", "section .BTF is malformed");
	b = dup_core(c);
	set_u64(b, c->ext_shdr + offsetof(Elf64_Shdr, sh_size), 16);
	core_case(c, b, "btf_ext_truncated.o", ".BTF.ext truncated");
	b = dup_core(c);
	set_u16(b, c->ext_off, 0x4321);
	core_case(c, b, "btf_ext_bad_magic.o", ".BTF.ext: bad magic");
	b = dup_core(c);
	set_u32(b, c->ext_off + 28, 0x10000); /* core_relo_len past the section */
	core_case(c, b, "core_records_out.o", "CO-RE records out of the section");
	b = dup_core(c);
	set_u32(b, c->relo_hdr + 4, 0x1000000); /* record count */
	core_case(c, b, "core_records_overrun.o", "CO-RE records overrun the section");
	b = dup_core(c);
	set_u32(b, c->relo_rec, 0x7ffffff8); /* insn_off */
	core_case(c, b, "core_insn_out.o", "malformed CO-RE relocation");
	b = dup_core(c);
	set_u32(b, c->relo_rec + 12, 13); /* kind */
	core_case(c, b, "core_bad_kind.o", "malformed CO-RE relocation");
	b = dup_core(c);
	set_u32(b, c->relo_rec + 4, 0); /* type_id 0 (void) */
	core_case(c, b, "core_void_type.o", "malformed CO-RE relocation");
	b = dup_core(c);
	set_u32(b, c->relo_rec + 4, (uint32_t)c->int_type); /* "0:1" on an int */
	core_case(c, b, "core_access_mismatch.o", "the access string does not fit the type");
	b = dup_core(c);
	set_u64(b, c->cst_shdr + offsetof(Elf64_Shdr, sh_size), 8);
	core_case(c, b, "cst16_short.o", "a 16-byte constant does not fit section '.rodata.cst16'");
	b = dup_core(c);
	set_u16(b, offsetof(Elf64_Ehdr, e_shentsize), 0);
	core_case(c, b, "shentsize_zero.o", "section header entry size 0");
}

int main(int argc, char **argv)
{
	char path[4096];
	struct seed s;

	struct core_seed cs;

	if (argc < 5 || (argc - 5) % 3) {
		fprintf(stderr, "usage: gen-malformed SEED.bpf.o OUTDIR HOST.o CORE.o [--copy FILE EXPECT]...\n");
		return 2;
	}
	outdir = argv[2];
	load_seed(argv[1], &s);
	snprintf(path, sizeof(path), "%s/cases.txt", outdir);
	list = fopen(path, "w");
	if (!list)
		die("%s: %s", path, strerror(errno));
	fprintf(list, "# <file> <expected substring of uxdpc's error> <elf|raw>; from gen-malformed\n");
	gen_elf_container(&s);
	gen_insn_cases(&s);
	copy_case(argv[3], "host_x86_64.o", "not a BPF object");
	load_core_seed(argv[4], &cs);
	gen_core_cases(&cs);
	free(cs.buf);
	for (int i = 5; i + 2 < argc; i += 3) {
		if (strcmp(argv[i], "--copy"))
			die("expected --copy, not '%s'", argv[i]);
		copy_case(argv[i + 1], NULL, argv[i + 2]);
	}
	if (fclose(list))
		die("%s: %s", path, strerror(errno));
	free(s.buf);
	printf("gen-malformed: %d cases in %s\n", n_cases, outdir);
	return 0;
}
