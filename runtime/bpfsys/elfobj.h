/* SPDX-License-Identifier: MIT */
/*
 * elfobj.h - instructions and the maps they name, as a BPF ELF object
 * (elfobj.c says how the maps are represented, and why).
 */
#ifndef UXDP_BPFSYS_ELFOBJ_H
#define UXDP_BPFSYS_ELFOBJ_H

#include <linux/bpf.h>
#include <stddef.h>
#include <stdint.h>

#define ELFOBJ_MAX_MAPS 64
#define ELFOBJ_MAX_DATA 8
#define ELFOBJ_MAX_KFUNCS 64

struct elfobj_map {
	const char *name; /* the uxdp map's name: the symbol uxdpd binds by */
	uint32_t type, key_size, value_size, max_entries, map_flags;
};

struct elfobj_data {
	const char *section; /* ".rodata.<n>" or ".data.<map>" (prog.c says which) */
	const void *bytes;   /* the map's value now: the section's contents */
	size_t size;
};

enum elfobj_rel_kind {
	ELFOBJ_REL_MAP,	 /* lddw of maps[index] */
	ELFOBJ_REL_DATA, /* lddw into data[index], the offset in its imm */
	ELFOBJ_REL_CALL, /* a call into .text, imm = insn index in .text - 1 */
	ELFOBJ_REL_FUNC, /* lddw of a function's address, imm = its byte offset in .text */
	ELFOBJ_REL_KFUNC, /* a call of kfuncs[index], imm = -1 */
};

struct elfobj_reloc {
	size_t insn; /* in insns[] */
	size_t index;
	enum elfobj_rel_kind kind;
};

struct elfobj {
	const struct bpf_insn *insns; /* lddw of maps with src 0 and imm 0 (or the offset) */
	size_t n_insns;
	const char *prog_name;
	const char *license;
	const struct elfobj_map *maps;
	size_t n_maps;
	const struct elfobj_data *data;
	size_t n_data;
	const struct elfobj_reloc *relocs;
	size_t n_relocs;
	/* kfuncs the program calls: undefined global symbols, as clang's externs */
	const char *const *kfuncs;
	size_t n_kfuncs;
	/*
	 * Where the subprograms libbpf appended start (the targets of
	 * BPF_PSEUDO_CALL and BPF_PSEUDO_FUNC), ascending, all > 0: the
	 * program is insns[0, subprogs[0]) in "xdp", the rest goes to .text,
	 * a static function symbol at each start.
	 */
	const size_t *subprogs;
	size_t n_subprogs;
};

/* The object's bytes in a new *out (the caller frees); -ENOMEM, -E2BIG. */
int elfobj_build(const struct elfobj *o, uint8_t **out, size_t *out_len);

#endif
