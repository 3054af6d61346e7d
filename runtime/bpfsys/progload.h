/* SPDX-License-Identifier: MIT */
/*
 * progload.h - one BPF_PROG_LOAD being turned into an object for uxdpd:
 * prog.c (maps, the daemon), gdata.c (global data), calls.c (subprograms),
 * kfuncs.c (kfunc calls).
 */
#ifndef UXDP_BPFSYS_PROGLOAD_H
#define UXDP_BPFSYS_PROGLOAD_H

#include "bpfsys.h"
#include "elfobj.h"

#define LDDW (BPF_LD | BPF_IMM | BPF_DW)
#define BPFSYS_KFUNC_NAME_LEN 128

struct load {
	struct bpfsys_call *c;
	struct bpf_insn *insns;
	size_t n;
	struct elfobj_map maps[ELFOBJ_MAX_MAPS];
	char names[ELFOBJ_MAX_MAPS][UXDP_MAP_NAME_LEN];
	uint32_t ids[ELFOBJ_MAX_MAPS];
	size_t n_maps;
	struct elfobj_data data[ELFOBJ_MAX_DATA];
	size_t n_data;
	uint32_t data_ids[ELFOBJ_MAX_DATA]; /* the maps data[] came from */
	char sections[ELFOBJ_MAX_DATA][UXDP_MAP_NAME_LEN];
	char data_names[ELFOBJ_MAX_DATA][UXDP_MAP_NAME_LEN];
	struct elfobj_reloc *relocs;
	size_t n_relocs;
	size_t *subprogs, n_subprogs, cap_subprogs;
	char kfunc_names[ELFOBJ_MAX_KFUNCS][BPFSYS_KFUNC_NAME_LEN];
	const char *kfuncs[ELFOBJ_MAX_KFUNCS];
	size_t n_kfuncs;
	bool kernel_maps; /* some lddw names a kernel map */
	char why[512];
};

int bpfsys_load_add_reloc(struct load *l, size_t insn, size_t index, enum elfobj_rel_kind kind);
/* The lddw at insns[i] (BPF_PSEUDO_MAP_VALUE into m) as a data-section relocation. */
int bpfsys_gdata_ref(struct load *l, size_t i, struct bpfsys_map *m);
/* The second names gdata made for the load, removed (the daemon has answered). */
void bpfsys_gdata_unlink(struct load *l);
/* l->subprogs: where the subprograms start; -EINVAL for a call out of the program. */
int bpfsys_find_subprogs(struct load *l);
/* Calls and function addresses as relocations against .text. */
int bpfsys_relocate_calls(struct load *l);
/* kfunc calls (vmlinux BTF ids) as relocations against their names; l->why says why not. */
int bpfsys_relocate_kfuncs(struct load *l);

#endif
