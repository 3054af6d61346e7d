/* SPDX-License-Identifier: MIT */
/*
 * object_format.h - what uxdpc writes into a compiled object besides code.
 *
 * A .o from uxdpc is an ordinary x86-64 ELF relocatable object.  Besides the
 * programs' native code it holds, in the section UXDP_META_SECTION, one
 * metadata record per compiled BPF object: a header, a table of programs, a
 * table of maps, a string table and the initial contents of maps (global
 * data).  Program entries and map slots are plain pointers, resolved by the
 * ELF relocations of the metadata section, so the runtime binds a program
 * without looking up any symbol by name, and the same record works when the
 * object is linked statically (the linker provides __start_uxdp_meta and
 * __stop_uxdp_meta around all records).
 *
 * Every map the program uses has a slot (struct uxdp_map_slot) in the
 * object's .bss.  The runtime creates the map and fills the slot before the
 * first packet; the program reads the slot for `lddw rX, map` (slot->map) and
 * for a reference into global data (slot->data + offset).
 *
 * The layout is versioned: a reader refuses a record whose magic or version
 * it does not know.  docs/object-format.md describes it for users.
 */
#ifndef UXDP_OBJECT_FORMAT_H
#define UXDP_OBJECT_FORMAT_H

#include <stdint.h>

#include "ctx.h"

#define UXDP_META_SECTION "uxdp_meta"
#define UXDP_META_MAGIC "UXDPMETA" /* 8 bytes, no terminator stored */
#define UXDP_META_VERSION 3 /* 3: per-map BTF (btf_off...) */

/*
 * The layout of runtime data that compiled code reads directly: map
 * handles (struct uxdp_map_fast), hash/LRU/LPM segments walked by inlined
 * lookups, struct uxdp_ctx, the runtime's thread-locals compiled code reads
 * (uxdp_this_cpu).  uxdpc writes the value it was built with into
 * every record; a runtime with another value refuses the object, since an
 * inlined lookup would walk a layout that no longer exists.  Bump it with
 * any change to those layouts.
 */
#define UXDP_RUNTIME_ABI 10 /* 9: per-CPU hash values in per-CPU arrays (pcpu_value()); 10: hash buckets of two words, head and lock (hash_internal.h) */

/*
 * A BPF_MAP_TYPE_PERCPU_ARRAY's values, as inlined lookups address them:
 * CPU (worker) c has an array of its own at data + c * span, index i of it
 * at + i * stride (stride = round_up(value_size, 8)), and span rounds each
 * CPU's array up to a cache line.  So, as in the kernel's per-CPU areas, two
 * workers never write one cache line through a per-CPU value: with the
 * CPUs of one index side by side, every per-packet counter bounced between
 * the workers' cores.
 */
#define UXDP_PERCPU_ARRAY_SPAN(max_entries, stride) \
	(((uint64_t)(max_entries) * (uint64_t)(stride) + 63) & ~(uint64_t)63)

struct uxdp_map; /* the runtime's map object, opaque to programs */

/* Filled by the runtime before a program runs. */
struct uxdp_map_slot {
	struct uxdp_map *map; /* what `lddw rX, map` yields */
	void *data;           /* array maps: the value of element 0 */
};

enum uxdp_prog_type {
	UXDP_PROG_RAW = 0, /* uint64_t NAME(uint64_t r1, uint64_t r2) */
	UXDP_PROG_XDP = 1, /* uint64_t NAME(struct uxdp_ctx *ctx) */
};

#define UXDP_PROG_F_FRAGS 0x1 /* SEC("xdp.frags") */

/*
 * uxdp_meta_prog.confinement: how the program was checked.  A program is
 * confined, kept to its packet, stack, ctx and map values, when KERNEL or
 * UXDP is set; 0 means it was not checked at all (--raw,
 * --unsafe-no-bounds-checks), and the runtime refuses to bind it unless the
 * user trusts it (uxdp --trust-unverified).  docs/object-format.md.
 */
#define UXDP_CONFINE_KERNEL 0x1  /* the kernel verifier accepted it */
#define UXDP_CONFINE_UXDP 0x2    /* uxdpc's analysis proved or guarded every access */
#define UXDP_CONFINE_GUARDS 0x4  /* with run-time checks that end the run as XDP_ABORTED */
#define UXDP_CONFINE_BUDGET 0x8  /* with backward jumps counted against a per-packet budget */
#define UXDP_CONFINED(word) (((word) & (UXDP_CONFINE_KERNEL | UXDP_CONFINE_UXDP)) != 0)

enum uxdp_map_kind {
	UXDP_MAP_KIND_USER = 0,   /* a map the program declares */
	UXDP_MAP_KIND_DATA = 1,   /* .data, .data.*: writable global data */
	UXDP_MAP_KIND_RODATA = 2, /* .rodata, .rodata.*: read-only global data */
	UXDP_MAP_KIND_BSS = 3,    /* .bss: zero-initialised global data */
	UXDP_MAP_KIND_INNER = 4,  /* template of an inner map, not created */
};

struct uxdp_meta_header {
	char magic[8];         /* UXDP_META_MAGIC */
	uint32_t version;      /* UXDP_META_VERSION */
	uint32_t size;         /* bytes of the whole record, a multiple of 8 */
	uint32_t n_progs;
	uint32_t n_maps;
	uint32_t progs_off;    /* offsets from the start of the header */
	uint32_t maps_off;
	uint32_t strings_off;
	uint32_t strings_size;
	uint32_t data_off;     /* initial map contents */
	uint32_t data_size;
	uint32_t obj_name;     /* string offset: the BPF object's file name */
	uint32_t runtime_abi;  /* UXDP_RUNTIME_ABI of the uxdpc that wrote it */
};

struct uxdp_meta_prog {
	void *entry;           /* the native entry point, see enum uxdp_prog_type */
	uint32_t name;         /* string offset: function name */
	uint32_t section;      /* string offset: ELF section, e.g. "xdp" */
	uint32_t type;         /* enum uxdp_prog_type */
	uint32_t flags;        /* UXDP_PROG_F_* */
	uint32_t n_insns;      /* eBPF instructions, subprograms included */
	uint32_t confinement;  /* how the program was checked; 0: not at all (unconfined) */
};

struct uxdp_meta_map {
	struct uxdp_map_slot *slot; /* NULL for UXDP_MAP_KIND_INNER */
	uint32_t name;         /* string offset */
	uint32_t type;         /* BPF_MAP_TYPE_* (linux/bpf.h numbering) */
	uint32_t key_size;
	uint32_t value_size;
	uint32_t max_entries;
	uint32_t map_flags;    /* BPF_F_* */
	int32_t inner_map;     /* map-in-map: index of the inner template, else -1 */
	uint32_t kind;         /* enum uxdp_map_kind */
	uint32_t init_off;     /* offset into the data area */
	uint32_t init_size;    /* 0: zero-filled */
	uint32_t pinning;      /* LIBBPF_PIN_* from the BTF definition */
	uint32_t spin_lock_off; /* offset of the value's struct bpf_spin_lock, or UINT32_MAX */
	/*
	 * The map's own BTF, a self-contained blob in the data area holding
	 * only the types its key and value reach (bpftool formats entries by
	 * it); btf_size 0: none.  The type ids are into that blob, 0 for none,
	 * as the kernel's btf_key_type_id/btf_value_type_id.
	 */
	uint32_t btf_off;      /* offset into the data area, 8-aligned */
	uint32_t btf_size;
	uint32_t btf_key_type_id;
	uint32_t btf_value_type_id;
};

_Static_assert(sizeof(struct uxdp_meta_header) == 56, "meta header layout");
_Static_assert(sizeof(struct uxdp_meta_prog) == 32, "meta prog layout");
_Static_assert(sizeof(struct uxdp_meta_map) == 72, "meta map layout");

#endif /* UXDP_OBJECT_FORMAT_H */
