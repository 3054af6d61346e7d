/* SPDX-License-Identifier: MIT */
/*
 * uxdpc.h - the compiler's internal header: the data the phases share.
 *
 * The compiler runs phase by phase, one file (or a few) per phase:
 *
 *   elf_reader.c / btf_maps.c / raw_reader.c   bytes -> struct uxdp_object
 *   btf_datasec.c                               which .rodata bytes stay constant
 *   decode.c                                    validate every instruction
 *   analysis.c                                  functions, blocks, ctx tracking
 *   lift*.c                                     eBPF -> LLVM IR, one fn per function
 *   metadata.c                                  the uxdp_meta record
 *   pipeline.c                                  our passes + LLVM's default<On>
 *   target.c / emit.c                           target machine, .o / .s / .ll
 *   main.c                                      the uxdpc command line
 *
 * Errors are negative errno values.  The phase that finds a problem writes
 * one line of context into a struct uxdp_diag (program, section, instruction
 * index, reason); main.c prints it once.
 */
#ifndef UXDPC_H
#define UXDPC_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uxdp/ebpf.h>
#include <uxdp/object_format.h>

struct btf; /* libbpf */

/* ----------------------------------------------------------------- diag */

struct uxdp_diag {
	char msg[1024]; /* the first error wins; later ones are context-free echoes */
	int verbose;    /* -v count */
	/*
	 * Say what is being done, step by step (main.c: stderr is a terminal,
	 * or -v).  On a terminal without -v one status line is rewritten in
	 * place; otherwise each step is a line.
	 */
	bool progress, progress_in_place;
};

/* Record "fmt..." as the error unless one is recorded already; returns err. */
int diag_error(struct uxdp_diag *diag, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Print a note to stderr when diag->verbose >= level. */
void diag_note(const struct uxdp_diag *diag, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Name the step that starts now, when diag->progress asks for it. */
void diag_progress(const struct uxdp_diag *diag, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Clear a status line left by diag_progress, before anything else is printed. */
void diag_progress_end(void);

/* ------------------------------------------------------------ the object */

/* Bytes [off, off + size) of read-only global data no loader can change. */
struct uxdp_const_range {
	uint32_t off;
	uint32_t size;
};

/* A map, or a global-data section seen as a one-element array map. */
struct uxdp_map_info {
	char *name;
	uint32_t type;        /* BPF_MAP_TYPE_* */
	uint32_t key_size;
	uint32_t value_size;
	uint32_t max_entries;
	uint32_t map_flags;
	int32_t inner_map;    /* index into uxdp_object.maps of the inner template, or -1 */
	uint32_t kind;        /* enum uxdp_map_kind */
	uint32_t pinning;
	uint32_t spin_lock_off; /* struct bpf_spin_lock in the value (BTF), or UINT32_MAX */
	uint8_t *init;        /* initial value (global data), NULL: zeroes */
	size_t init_size;
	struct uxdp_const_range *consts; /* .rodata*: bytes of init that stay (btf_datasec.c) */
	uint32_t n_consts;
	/* The map's own BTF (btf_extract.c): NULL when the map has none. */
	uint8_t *btf;
	uint32_t btf_size;
	uint32_t btf_key_id, btf_value_id; /* ids in btf; 0: none */
	/* Where the definition lives in the ELF, to resolve relocations. */
	int shndx;
	uint64_t sec_off;
	uint64_t sec_size;    /* bytes of the definition (its symbol's size) */
	/*
	 * `.values = { [slot] = &target }` (prog_array, array/hash of maps):
	 * where the `values` member starts in the definition (UINT32_MAX: it
	 * has none), and the targets the ELF's .rel.maps names, by symbol.
	 * Resolved into init once the programs are chosen: a u32 per slot,
	 * 0 for none, else the target's index + 1 (a program's in progs, a
	 * map's in maps).
	 */
	uint32_t values_off;
	struct uxdp_map_slot_init *slot_inits;
	uint32_t n_slot_inits;
};

/* One `.values` entry: slot `slot` holds the program or map `target`. */
struct uxdp_map_slot_init {
	uint32_t slot;
	const char *target;   /* the ELF symbol's name: valid while the front end reads the ELF */
	int shndx;            /* the symbol's section and offset in it */
	uint64_t value;
};


/* Where an instruction of a program came from, for error messages. */
struct uxdp_insn_origin {
	const char *section;  /* points into the object's strings */
	const char *function; /* function symbol the insn belongs to */
	uint32_t sec_insn;    /* index of the insn within its ELF section */
};

/*
 * A program ready to lift: its own function first, then every subprogram it
 * reaches, appended as libbpf appends them.  Relocations are resolved: local
 * calls and lddw FUNC carry relative offsets within insns[], lddw MAP_FD and
 * MAP_VALUE carry indexes into uxdp_object.maps (see ebpf.h).
 */
struct uxdp_prog {
	char *name;           /* function name: the entry symbol */
	char *section;        /* ELF section name */
	struct ebpf_insn *insns;
	size_t n_insns;
	struct uxdp_insn_origin *origin; /* one per insn, NULL for raw input */
	uint32_t type;        /* enum uxdp_prog_type */
	uint32_t flags;       /* UXDP_PROG_F_* */
};

/* The string attribute the lifter gives each function it makes (not the helpers' bitcode). */
#define UXDP_LIFTED_ATTR "uxdp-lifted"

/*
 * An instruction a CO-RE relocation could not resolve: libbpf turns it into
 * `call UXDP_CORE_POISON`, which the kernel accepts in dead code only.
 */
#define UXDP_CORE_POISON 0xbad2310
struct uxdp_core_poison {
	char *section;        /* where the instruction is */
	uint32_t sec_insn;
	char *why;            /* "CO-RE relocation #3 (field_byte_offset struct s.f) failed: ..." */
};

/* A program of another type (tracing, tc...), listed by --list, never compiled. */
struct uxdp_other_prog {
	char *name;
	char *section;
	const char *type;     /* libbpf's section prefix: "fentry", "tc"... */
};

struct uxdp_object {
	char *path;
	char *name;           /* base name of path */
	struct uxdp_prog *progs;
	size_t n_progs;
	struct uxdp_map_info *maps;
	size_t n_maps;
	char license[64];
	size_t n_core_relos;  /* CO-RE relocations applied from .BTF.ext */
	struct uxdp_core_poison *poison; /* the instructions they poisoned */
	size_t n_poison;
	struct uxdp_other_prog *others;  /* with uxdp_open_opts.all only */
	size_t n_others;
	char **kfuncs;        /* names of the kfuncs called: a kfunc call's imm indexes this */
	size_t n_kfuncs;
};

/* Slots of map m filled by `.values` (its resolved init): 0 for any other map. */
uint32_t uxdp_map_n_slots(const struct uxdp_map_info *m);
/*
 * What slot k of m holds: the index + 1 of a program of obj (prog_array)
 * or of a map of obj (map of maps); 0 for an empty slot.
 */
uint32_t uxdp_map_slot_target(const struct uxdp_object *obj, const struct uxdp_map_info *m,
			      uint32_t k);

/*
 * Read a clang-built BPF ELF object.  Every function, global or static, in
 * an executable section other than .text is a program, as for libbpf.  With
 * select == NULL the programs of XDP sections (SEC "xdp", "xdp/...",
 * "xdp.frags", "xdp.frags/...") are kept, or, when there are none, those of
 * custom sections libbpf gives no type ("xdp_fw", "prog"...), compiled as
 * XDP; otherwise exactly the program whose function or section name equals
 * select.  Programs of other types (tracing, tc...) are never compiled.  No
 * kernel needed.
 */
int uxdp_object_open_elf(const char *path, const char *select, struct uxdp_object **out,
			 struct uxdp_diag *diag);
/* Same, from a copy of size bytes in memory; name stands for the path in messages. */
int uxdp_object_open_elf_mem(const void *bytes, size_t size, const char *name,
			     const char *select, struct uxdp_object **out, struct uxdp_diag *diag);
/* What CO-RE relocations resolve against: btf if set, else the BTF file at path. */
struct uxdp_core_target {
	const struct btf *btf;
	const char *path;     /* NULL: uxdp_target_btf_path() */
	const char *name;     /* for messages; NULL: "uxdp's types" */
};
/*
 * --map-size NAME=N / --map-value-size NAME=N / --map-flags NAME=N: what a
 * loader sets before loading.
 */
struct uxdp_map_resize {
	const char *map;
	uint32_t max_entries; /* 0: unchanged */
	uint32_t value_size;  /* 0: unchanged */
	uint32_t map_flags;
	bool set_flags;       /* map_flags replaces the object's */
};

struct uxdp_open_opts {
	const char *select;   /* -p NAME (function or section); NULL: the default programs */
	bool all;             /* every program of the object, XDP or not (--list) */
	struct uxdp_core_target target; /* CO-RE target; zero: uxdp's types */
	const struct uxdp_map_resize *resize;
	size_t n_resize;
};
/*
 * The general form of the two above: from path, or from the size bytes at
 * mem when mem is not NULL (path then only names it); opts may be NULL.
 */
int uxdp_object_open_opts(const char *path, const void *mem, size_t size,
			  const struct uxdp_open_opts *opts, struct uxdp_object **out,
			  struct uxdp_diag *diag);
/*
 * Every map has a size: max_entries 0 (left for the loader to set) is an
 * error naming the map and --map-size.
 */
int uxdp_object_check_sizes(const struct uxdp_object *obj, struct uxdp_diag *diag);
/* Read plain instruction bytes as one program named name. */
int uxdp_object_open_raw(const char *path, const char *name, bool xdp, struct uxdp_object **out,
			 struct uxdp_diag *diag);
/* Same, from memory (used by tests and fuzzers). */
int uxdp_object_from_insns(const void *bytes, size_t size, const char *name, bool xdp,
			   struct uxdp_object **out, struct uxdp_diag *diag);
void uxdp_object_free(struct uxdp_object *obj);

/* Name of a BPF_MAP_TYPE_* for --list and messages ("hash", "lpm_trie"...). */
const char *uxdp_map_type_name(uint32_t type);

/*
 * Front-end internals, shared by elf_reader.c and btf_maps.c only.  The ELF
 * is parsed once by elf_reader.c; btf_maps.c sees it through this view so
 * that it needs no libelf.  Pointers in the view live as long as the ELF.
 */
struct uxdp_elf_sym {
	const char *name;
	int shndx;            /* -1: undefined, absolute or common */
	uint8_t type;         /* STT_* */
	uint8_t bind;         /* STB_* */
	uint64_t value;
	uint64_t size;
};

struct uxdp_elf_view {
	const char *name;     /* object file name, for messages */
	const void *btf;      /* .BTF, NULL when absent */
	size_t btf_size;
	const void *btf_ext;  /* .BTF.ext, NULL when absent */
	size_t btf_ext_size;
	int maps_shndx;       /* .maps, -1 when absent */
	const struct uxdp_elf_sym *syms;
	size_t n_syms;
	const char *const *sec_names; /* by section index */
	const uint64_t *sec_sizes;
	size_t n_secs;
};

/* Append a zeroed map named name (copied) with inner_map -1; NULL on ENOMEM. */
struct uxdp_map_info *uxdp_object_add_map(struct uxdp_object *obj, const char *name);
/* Append the BTF-defined maps of .maps (and their inner-map templates). */
int uxdp_btf_maps_read(struct uxdp_object *obj, const struct uxdp_elf_view *view,
		       struct uxdp_diag *diag);
/* Parse the object's .BTF (libbpf's messages silenced); NULL with *err and diag set. */
struct btf *uxdp_btf_parse(const struct uxdp_elf_view *view, struct uxdp_diag *diag, int *err);
/*
 * Give m a BTF blob of its own with the types key_id and value_id of src
 * reach (either may be 0), and their ids in it.  0 or a negative errno.
 */
int uxdp_btf_extract(const struct btf *src, uint32_t key_id, uint32_t value_id,
		     struct uxdp_map_info *m);
/*
 * The same for a global-data map: its section's DATASEC sec_id as the value
 * type (no key), fixed as libbpf fixes it: size m->value_size and the i-th
 * variable at vsi_off[i].
 */
int uxdp_btf_extract_datasec(const struct btf *src, uint32_t sec_id, const uint32_t *vsi_off,
			     struct uxdp_map_info *m);

/* core_relo.c: the code of every executable section, by section index. */
struct uxdp_core_sections {
	struct ebpf_insn *const *insns; /* NULL: not code, or code left alone */
	const size_t *n_insns;
};
/*
 * Apply the CO-RE relocations of .BTF.ext to the code in secs, as libbpf
 * does; unresolvable ones poison their instruction and are listed in
 * obj->poison.  tgt may be NULL (uxdp's types).
 */
int uxdp_core_apply(struct uxdp_object *obj, const struct uxdp_elf_view *view,
		    const struct uxdp_core_sections *secs, const struct uxdp_core_target *tgt,
		    struct uxdp_diag *diag);
/* core_reach.c: insn i of prog is one that a CO-RE relocation poisoned. */
bool uxdp_core_is_poison(const struct uxdp_object *obj, const struct uxdp_prog *prog, size_t i);
/* Refuse prog when it can reach a poisoned instruction (naming it and why). */
int uxdp_core_check_reach(const struct uxdp_object *obj, const struct uxdp_prog *prog,
			  struct uxdp_diag *diag);
/* Path of uxdp.btf (see core_relo.c for where it is looked for), or NULL. */
const char *uxdp_target_btf_path(void);
/* btf_datasec.c: the bytes of each .rodata* map no loader can change (maps[].consts). */
int uxdp_btf_datasec_read(struct uxdp_object *obj, const struct uxdp_elf_view *view,
			  struct uxdp_diag *diag);

/* --------------------------------------------------------------- decode */

/*
 * Check every instruction of prog as the kernel's verifier checks their
 * encoding: known opcode, reserved fields zero, registers in range, jumps and
 * calls inside the program and not into the middle of an lddw, helpers known,
 * map indexes valid.  Does not check memory safety.
 */
int uxdp_decode_check(const struct uxdp_object *obj, const struct uxdp_prog *prog,
		      struct uxdp_diag *diag);

/* Format "program 'P' (section S), insn N" for messages about insn idx. */
void uxdp_insn_where(const struct uxdp_prog *prog, size_t idx, char *buf, size_t size);
/* Record "OBJ: program 'P' (section S), insn N: reason" as the error; returns err. */
int uxdp_insn_verror(const struct uxdp_object *obj, const struct uxdp_prog *prog,
		     struct uxdp_diag *diag, size_t idx, int err, const char *fmt, va_list ap);

/* Number of arguments of a kfunc uxdp provides (kfuncs.h), or -1. */
int uxdp_kfunc_nargs(const char *name);
/* The kfunc returns an int (r0 is sign-extended from 32 bits). */
bool uxdp_kfunc_returns_int(const char *name);
/* Name of a helper id, or NULL when uxdp does not provide it. */
const char *uxdp_helper_name(int32_t id);
/* Number of arguments of a helper id, or -1. */
int uxdp_helper_nargs(int32_t id);

#endif /* UXDPC_H */
