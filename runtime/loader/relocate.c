// SPDX-License-Identifier: MIT
/*
 * relocate.c - x86-64 relocations of a mapped uxdpc object.
 *
 * Only what LLVM emits for the small code model with -fPIC is accepted.
 * Calls to the host (helpers, resolved by the caller) may land anywhere in
 * the address space, far beyond a rel32, so every undefined symbol reached
 * by PLT32 gets a stub in the image (jmp *slot(%rip)) and every symbol
 * reached by GOTPCREL* gets a GOT slot; both sit inside the image and are
 * therefore always within 32-bit reach of the code.
 */
#include <errno.h>
#include <string.h>

#include "loader_internal.h"

static const char *reloc_name(uint32_t type)
{
	switch (type) {
	case R_X86_64_NONE: return "R_X86_64_NONE";
	case R_X86_64_64: return "R_X86_64_64";
	case R_X86_64_PC32: return "R_X86_64_PC32";
	case R_X86_64_GOT32: return "R_X86_64_GOT32";
	case R_X86_64_PLT32: return "R_X86_64_PLT32";
	case R_X86_64_COPY: return "R_X86_64_COPY";
	case R_X86_64_GLOB_DAT: return "R_X86_64_GLOB_DAT";
	case R_X86_64_JUMP_SLOT: return "R_X86_64_JUMP_SLOT";
	case R_X86_64_RELATIVE: return "R_X86_64_RELATIVE";
	case R_X86_64_GOTPCREL: return "R_X86_64_GOTPCREL";
	case R_X86_64_32: return "R_X86_64_32";
	case R_X86_64_32S: return "R_X86_64_32S";
	case R_X86_64_16: return "R_X86_64_16";
	case R_X86_64_PC16: return "R_X86_64_PC16";
	case R_X86_64_8: return "R_X86_64_8";
	case R_X86_64_PC8: return "R_X86_64_PC8";
	case R_X86_64_DTPMOD64: return "R_X86_64_DTPMOD64";
	case R_X86_64_DTPOFF64: return "R_X86_64_DTPOFF64";
	case R_X86_64_TPOFF64: return "R_X86_64_TPOFF64";
	case R_X86_64_TLSGD: return "R_X86_64_TLSGD";
	case R_X86_64_TLSLD: return "R_X86_64_TLSLD";
	case R_X86_64_DTPOFF32: return "R_X86_64_DTPOFF32";
	case R_X86_64_GOTTPOFF: return "R_X86_64_GOTTPOFF";
	case R_X86_64_TPOFF32: return "R_X86_64_TPOFF32";
	case R_X86_64_PC64: return "R_X86_64_PC64";
	case R_X86_64_GOTOFF64: return "R_X86_64_GOTOFF64";
	case R_X86_64_GOTPC32: return "R_X86_64_GOTPC32";
	case R_X86_64_GOT64: return "R_X86_64_GOT64";
	case R_X86_64_GOTPCREL64: return "R_X86_64_GOTPCREL64";
	case R_X86_64_GOTPC64: return "R_X86_64_GOTPC64";
	case R_X86_64_GOTPLT64: return "R_X86_64_GOTPLT64";
	case R_X86_64_PLTOFF64: return "R_X86_64_PLTOFF64";
	case R_X86_64_SIZE32: return "R_X86_64_SIZE32";
	case R_X86_64_SIZE64: return "R_X86_64_SIZE64";
	case R_X86_64_GOTPC32_TLSDESC: return "R_X86_64_GOTPC32_TLSDESC";
	case R_X86_64_TLSDESC_CALL: return "R_X86_64_TLSDESC_CALL";
	case R_X86_64_TLSDESC: return "R_X86_64_TLSDESC";
	case R_X86_64_IRELATIVE: return "R_X86_64_IRELATIVE";
	case R_X86_64_GOTPCRELX: return "R_X86_64_GOTPCRELX";
	case R_X86_64_REX_GOTPCRELX: return "R_X86_64_REX_GOTPCRELX";
	default: return "unknown";
	}
}

/* Bytes patched by a supported relocation type, or 0 if it is unsupported. */
static unsigned reloc_width(uint32_t type)
{
	switch (type) {
	case R_X86_64_NONE:
		return 0;
	case R_X86_64_64:
	case R_X86_64_PC64:
	case R_X86_64_GOTPCREL64:
		return 8;
	case R_X86_64_PC32:
	case R_X86_64_PLT32:
	case R_X86_64_32:
	case R_X86_64_32S:
	case R_X86_64_GOTPCREL:
	case R_X86_64_GOTPCRELX:
	case R_X86_64_REX_GOTPCRELX:
	case R_X86_64_GOTTPOFF:
	case R_X86_64_TPOFF32:
		return 4;
	default:
		return 0;
	}
}

/* Relocations through a GOT slot (GOTTPOFF's holds a thread-pointer offset). */
static bool is_got_reloc(uint32_t type)
{
	return type == R_X86_64_GOTPCREL || type == R_X86_64_GOTPCRELX ||
	       type == R_X86_64_REX_GOTPCRELX || type == R_X86_64_GOTPCREL64 ||
	       type == R_X86_64_GOTTPOFF;
}

static bool is_tls_reloc(uint32_t type)
{
	return type == R_X86_64_GOTTPOFF || type == R_X86_64_TPOFF32;
}

/*
 * Check a relocation section and return its entries, or NULL if it does not
 * apply to a mapped section (debug info, .eh_frame) and is to be ignored.
 */
static int rela_section(struct ld_ctx *c, size_t i, const Elf64_Rela **out, size_t *n)
{
	const Elf64_Shdr *s = &c->sh[i];

	*out = NULL;
	*n = 0;
	if (s->sh_type == SHT_REL) {
		if (ld_sec_mapped(c, s->sh_info))
			return ld_err(c, ENOEXEC, "section %s: REL relocations are not used on x86-64",
				      ld_sec_name(c, i));
		return 0;
	}
	if (s->sh_type != SHT_RELA || !ld_sec_mapped(c, s->sh_info))
		return 0;
	if (s->sh_entsize != sizeof(Elf64_Rela) || s->sh_size % sizeof(Elf64_Rela) ||
	    s->sh_offset % 8 || s->sh_offset > c->size || s->sh_size > c->size - s->sh_offset)
		return ld_err(c, ENOEXEC, "relocation section %zu (%s) is malformed", i,
			      ld_sec_name(c, i));
	if (!c->syms || s->sh_link != c->symtab_index)
		return ld_err(c, ENOEXEC, "relocation section %s does not use the symbol table",
			      ld_sec_name(c, i));
	*out = (const Elf64_Rela *)(c->elf + s->sh_offset);
	*n = s->sh_size / sizeof(Elf64_Rela);
	return 0;
}

static bool sym_is_undef(const struct ld_ctx *c, size_t sym)
{
	return sym != 0 && c->syms[sym].st_shndx != SHN_ABS && c->syms[sym].st_shndx != SHN_COMMON &&
	       ld_sym_shndx(c, sym) == SHN_UNDEF;
}

static bool sym_is_tls(const struct ld_ctx *c, size_t sym)
{
	return sym != 0 && ELF64_ST_TYPE(c->syms[sym].st_info) == STT_TLS;
}

/*
 * Thread-local symbols: only the runtime's, which live in its static TLS
 * block at one offset from every thread's pointer.  An object reads them
 * with the initial-exec model (R_X86_64_GOTTPOFF: a GOT slot holding the
 * offset, what uxdpc emits for the worker's per-CPU slot) or local-exec
 * (R_X86_64_TPOFF32: the offset in the instruction).  The image has no
 * TLS block of its own, so the dynamic models (TLSGD, TLSLD) and any
 * other relocation against a TLS symbol are refused.
 */
static int check_tls_use(struct ld_ctx *c, size_t rsec, size_t k, uint32_t type, size_t sym)
{
	if (is_tls_reloc(type) && !(sym_is_tls(c, sym) && sym_is_undef(c, sym)))
		return ld_err(c, ENOEXEC, "section %s: relocation %zu: %s against '%s', "
			      "which is not an undefined thread-local symbol",
			      ld_sec_name(c, rsec), k, reloc_name(type), ld_sym_name(c, sym));
	if (!is_tls_reloc(type) && sym_is_tls(c, sym))
		return ld_err(c, ENOEXEC, "section %s: relocation %zu: thread-local '%s' is only "
			      "supported with the initial-exec or local-exec model, not %s",
			      ld_sec_name(c, rsec), k, ld_sym_name(c, sym), reloc_name(type));
	return 0;
}

int ld_plan_indirections(struct ld_ctx *c)
{
	size_t i, k, n, n_stub = 0;
	const Elf64_Rela *r;
	int err;

	for (i = 1; i < c->shnum; i++) {
		const Elf64_Shdr *target;

		err = rela_section(c, i, &r, &n);
		if (err)
			return err;
		if (!r)
			continue;
		target = &c->sh[c->sh[i].sh_info];
		for (k = 0; k < n; k++) {
			uint32_t type = ELF64_R_TYPE(r[k].r_info);
			size_t sym = ELF64_R_SYM(r[k].r_info);
			unsigned width = reloc_width(type);

			if (type == R_X86_64_NONE)
				continue;
			if (sym >= c->nsyms)
				return ld_err(c, ENOEXEC, "section %s: relocation %zu names symbol %zu of %zu",
					      ld_sec_name(c, i), k, sym, c->nsyms);
			err = check_tls_use(c, i, k, type, sym);
			if (err)
				return err;
			if (!width)
				return ld_err(c, ENOEXEC, "section %s: relocation %zu has unsupported type %u (%s)",
					      ld_sec_name(c, i), k, type, reloc_name(type));
			if (r[k].r_offset > target->sh_size || target->sh_size - r[k].r_offset < width)
				return ld_err(c, ENOEXEC, "section %s: relocation %zu at %#llx is past the end of %s",
					      ld_sec_name(c, i), k, (unsigned long long)r[k].r_offset,
					      ld_sec_name(c, c->sh[i].sh_info));
			if (target->sh_type == SHT_NOBITS)
				return ld_err(c, ENOEXEC, "section %s: relocation into NOBITS section %s",
					      ld_sec_name(c, i), ld_sec_name(c, c->sh[i].sh_info));
			if (is_got_reloc(type) && sym == 0)
				return ld_err(c, ENOEXEC, "section %s: relocation %zu: GOT entry for no symbol",
					      ld_sec_name(c, i), k);
			if (sym_is_undef(c, sym))
				c->ls[sym].referenced = true;
			if (sym && (is_got_reloc(type) || (type == R_X86_64_PLT32 && sym_is_undef(c, sym))) &&
			    c->ls[sym].got < 0)
				c->ls[sym].got = c->n_got++ * 8;
			if (type == R_X86_64_PLT32 && sym_is_undef(c, sym) && c->ls[sym].stub < 0)
				c->ls[sym].stub = n_stub++ * LD_STUB_SIZE;
		}
	}
	c->stubs_size = n_stub * LD_STUB_SIZE;
	return 0;
}

/* The calling thread's thread pointer: the TCB's self pointer at %fs:0. */
static uintptr_t thread_pointer(void)
{
	uintptr_t tp;

	__asm__("movq %%fs:0, %0" : "=r"(tp));
	return tp;
}

/*
 * A thread-local symbol's address, as the resolver gives it for the
 * calling thread, made its offset from the thread pointer.  The offset is
 * the same in every thread only for static TLS (x86-64 variant II: below
 * the thread pointer), so the runtime declares such variables
 * initial-exec.  The range check only catches the grossly wrong: a
 * resolver handing out a dynamic-TLS or other thread's address can pass
 * it, which is why the resolver's contract (loader.h) asks for static TLS.
 */
static int tls_offset(struct ld_ctx *c, const char *name, void *addr, uint64_t *out)
{
	int64_t off = (int64_t)((uintptr_t)addr - thread_pointer());

	if (off >= 0 || off < INT32_MIN)
		return ld_err(c, ENOEXEC, "thread-local '%s' is not in the static TLS block "
			      "(offset %lld from the thread pointer)", name, (long long)off);
	*out = (uint64_t)off;
	return 0;
}

static int resolve_externals(struct ld_ctx *c)
{
	size_t i;
	int err;

	for (i = 1; i < c->nsyms; i++) {
		const char *name = ld_sym_name(c, i);
		void *addr;

		if (!c->ls[i].referenced)
			continue;
		addr = c->resolve ? c->resolve(name, c->resolve_arg) : NULL;
		if (!addr && (ELF64_ST_BIND(c->syms[i].st_info) != STB_WEAK || sym_is_tls(c, i)))
			return ld_err(c, ENOENT, "undefined symbol '%s' is not provided by the runtime",
				      name);
		c->ls[i].addr = (uintptr_t)addr;
		if (sym_is_tls(c, i)) {
			err = tls_offset(c, name, addr, &c->ls[i].addr);
			if (err)
				return err;
		}
		c->ls[i].defined = c->ls[i].external = true;
	}
	return 0;
}

static void fill_got_and_stubs(struct ld_ctx *c)
{
	uint8_t *base = c->img->base;
	size_t i;

	for (i = 1; i < c->nsyms; i++) {
		struct ld_sym *s = &c->ls[i];

		if (s->got >= 0)
			memcpy(base + s->got, &s->addr, 8);
		if (s->stub >= 0) {
			/* jmp *disp32(%rip); disp is from the end of the 6-byte insn */
			int32_t disp = (int32_t)(s->got - (s->stub + 6));
			uint8_t *p = base + s->stub;

			p[0] = 0xff;
			p[1] = 0x25;
			memcpy(p + 2, &disp, 4);
			p[6] = p[7] = 0xcc;
		}
	}
}

/* ELF relocation arithmetic is modulo 2^64; do it unsigned, then reinterpret. */
static int64_t wrap(uint64_t x)
{
	return (int64_t)x;
}

static int put32(struct ld_ctx *c, uint8_t *p, int64_t v, bool is_signed, size_t rsec, size_t k,
		 size_t sym)
{
	uint32_t u = (uint32_t)v;

	if (is_signed ? (v < INT32_MIN || v > INT32_MAX) : (v < 0 || v > UINT32_MAX))
		return ld_err(c, ERANGE, "section %s: relocation %zu to '%s' does not fit in 32 bits; "
			      "was the object built with -fPIC and the small code model?",
			      ld_sec_name(c, rsec), k, ld_sym_name(c, sym));
	memcpy(p, &u, 4);
	return 0;
}

int ld_apply_relocations(struct ld_ctx *c)
{
	uint8_t *base = c->img->base;
	size_t i, k, n;
	const Elf64_Rela *r;
	int err;

	err = resolve_externals(c);
	if (err)
		return err;
	fill_got_and_stubs(c);

	for (i = 1; i < c->shnum; i++) {
		uint8_t *sec;

		err = rela_section(c, i, &r, &n);
		if (err)
			return err;
		if (!r)
			continue;
		sec = base + c->sec_off[c->sh[i].sh_info];
		for (k = 0; k < n; k++) {
			uint32_t type = ELF64_R_TYPE(r[k].r_info);
			size_t sym = ELF64_R_SYM(r[k].r_info);
			int64_t P, A = r[k].r_addend, S, G, v;
			uint8_t *p;
			uint64_t u;

			/* Before p: ld_plan_indirections() skips NONE unchecked, any offset. */
			if (type == R_X86_64_NONE)
				continue;
			p = sec + r[k].r_offset;
			P = (int64_t)(uintptr_t)p;
			if (sym && !c->ls[sym].defined)
				return ld_err(c, ENOEXEC, "section %s: relocation %zu refers to '%s', which is not loaded",
					      ld_sec_name(c, i), k, ld_sym_name(c, sym));
			S = (int64_t)c->ls[sym].addr;
			G = c->ls[sym].got >= 0 ? (int64_t)(uintptr_t)(base + c->ls[sym].got) : 0;

			switch (type) {
			case R_X86_64_64:
				u = (uint64_t)S + (uint64_t)A;
				memcpy(p, &u, 8);
				break;
			case R_X86_64_PC64:
				u = (uint64_t)S + (uint64_t)A - (uint64_t)P;
				memcpy(p, &u, 8);
				break;
			case R_X86_64_GOTPCREL64:
				u = (uint64_t)G + (uint64_t)A - (uint64_t)P;
				memcpy(p, &u, 8);
				break;
			case R_X86_64_PLT32:
				v = wrap((uint64_t)S + A - P);
				/* Far host function: go through the stub instead. */
				if ((v < INT32_MIN || v > INT32_MAX) && c->ls[sym].stub >= 0)
					v = wrap((uintptr_t)(base + c->ls[sym].stub) + A - P);
				err = put32(c, p, v, true, i, k, sym);
				break;
			case R_X86_64_PC32:
				err = put32(c, p, wrap((uint64_t)S + A - P), true, i, k, sym);
				break;
			case R_X86_64_32:
				err = put32(c, p, wrap((uint64_t)S + A), false, i, k, sym);
				break;
			case R_X86_64_32S:
				err = put32(c, p, wrap((uint64_t)S + A), true, i, k, sym);
				break;
			case R_X86_64_GOTPCREL:
			case R_X86_64_GOTPCRELX:
			case R_X86_64_REX_GOTPCRELX:
			case R_X86_64_GOTTPOFF: /* the slot holds the thread-pointer offset */
				err = put32(c, p, wrap((uint64_t)G + A - P), true, i, k, sym);
				break;
			case R_X86_64_TPOFF32: /* S: the offset from the thread pointer */
				err = put32(c, p, wrap((uint64_t)S + A), true, i, k, sym);
				break;
			default: /* rejected by ld_plan_indirections */
				return ld_err(c, ENOEXEC, "relocation type %u (%s)", type,
					      reloc_name(type));
			}
			if (err)
				return err;
		}
	}
	return 0;
}
