/* SPDX-License-Identifier: MIT */
/*
 * passes.h - uxdp's own IR passes, one file each, each switchable.
 *
 * They run at -O2 and -O3 between a light clean-up of the lifted IR (SROA,
 * early CSE, instcombine, simplifycfg: registers become SSA values, so calls
 * and compares can be matched) and LLVM's default<On> pipeline:
 *
 *   map_inline.c     (per-CPU) array lookups become a bounds check and an
 *                    address; hash lookups call a key-size specialised one
 *                    (percpu_cpu.c: the worker's per-CPU slot, once per
 *                    function)
 *   worker_arg.c     bpf_redirect_map given the worker from ctx (before
 *                    helper_inline, which links the helper taking it)
 *   helper_inline.c  runtime/helpers bitcode linked in, so helpers inline
 *   bounds_elim.c    a packet check widened to what the checks after it
 *                    need when they fail alike; the checks it implies go
 *                    (packet_check.c recognises the checks)
 *   simd.c           -fno-simd's attributes, and a report of vector code
 *   rodata_fold.c    loads of .rodata bytes no loader can change become
 *                    constants (after the inlining, and again after LLVM's
 *                    pipeline)
 *   stack_scope.c    accesses to the BPF stack and accesses provably not to
 *                    it (ctx, packet, maps) put in and out of one alias
 *                    scope, so that the captured stack alloca does not
 *                    alias everything, and the same for the packet's
 *                    buffer (after the inlining)
 *   addr_gep.c       an address computed as a pointer plus numbers in
 *                    integers becomes a GEP from that pointer
 *   stack_split.c    the BPF stack's alloca cut where no access crosses
 *                    (after addr_gep)
 *   stack_args.c     a piece the runtime is only given to read (a key on
 *                    the miss path's update) handed over as a copy, so
 *                    that the piece can become registers (after
 *                    stack_split)
 *
 * cfg.c gives them dominators (LLVM-C has none).
 *
 * Each returns 0 or a negative errno with a message in the diag; with
 * remarks on, each says on stderr what it did (-Rpass style).
 */
#ifndef UXDP_PASSES_H
#define UXDP_PASSES_H

#include <stdbool.h>
#include <string.h>

#include <llvm-c/Core.h>
#include <llvm-c/TargetMachine.h>

#include "uxdpc.h"

struct uxdp_object;
struct uxdp_diag;

/* A load of what never changes while a program runs (a map handle's fields). */
static inline void uxdp_set_invariant(LLVMValueRef load)
{
	LLVMContextRef c = LLVMGetTypeContext(LLVMTypeOf(load));

	LLVMSetMetadata(load, LLVMGetMDKindIDInContext(c, "invariant.load", 14),
			LLVMMDNodeInContext(c, NULL, 0));
}

struct uxdp_pass_config {
	bool map_inline;        /* -fno-map-inline turns off */
	bool helper_inline;     /* -fno-helper-inline */
	bool bounds_elim;       /* -fno-bounds-elim */
	bool simd;              /* -fno-simd */
	bool rodata_fold;       /* -fno-rodata-fold */
	bool stack_scope;       /* -fno-stack-scope */
	bool addr_gep;          /* -fno-addr-gep */
	bool stack_split;       /* -fno-stack-split */
	bool stack_args;        /* -fno-stack-args */
	bool unsafe_no_bounds;  /* --unsafe-no-bounds-checks: trusted programs only */
	bool remarks;           /* --remarks: say what each pass did */
	const char *helpers_bc; /* bitcode of runtime/helpers (uxdp_helpers.bc) */
};

/* What the passes did, for remarks and tests. */
struct uxdp_pass_stats {
	unsigned maps_inlined;      /* lookups replaced by direct code */
	unsigned percpu_inlined;    /* of which on per-CPU arrays */
	unsigned hash_specialised;  /* hash lookups calling a key-size lookup */
	unsigned lpm_specialised;   /* LPM lookups calling a key-size lookup */
	unsigned inner_specialised; /* of all these, lookups in an inner map (map-in-map) */
	unsigned lookups_split;     /* lookups on a phi of maps, one lookup per map */
	unsigned helpers_linked;    /* helper definitions brought in */
	unsigned worker_args;       /* redirect_map calls given the worker from ctx */
	unsigned checks_widened;    /* guards made to test what later checks need */
	unsigned checks_removed;    /* later checks a widened guard implies */
	unsigned checks_removed_on_paths; /* implied on some paths in only: gated */
	unsigned checks_dropped;    /* --unsafe-no-bounds-checks */
	unsigned guards_removed;    /* confinement checks the program's own imply */
	unsigned checks_before;     /* packet checks before LLVM's pipeline */
	unsigned checks_after;      /* and after it */
	unsigned vector_functions;  /* functions with vector instructions */
	unsigned rodata_folded;     /* loads of constant global data made constants */
	unsigned rodata_left;       /* loads of read-only global data left (last run) */
	unsigned stack_accesses;    /* accesses put in the stack's alias scope */
	unsigned nonstack_accesses; /* accesses marked as not aliasing the stack */
	unsigned unknown_accesses;  /* accesses left unmarked (in functions with a stack) */
	unsigned packet_accesses;    /* accesses put in the packet's alias scope */
	unsigned nonpacket_accesses; /* accesses marked as not aliasing the packet */
	bool unconfined;              /* a program neither verified nor confined */
	unsigned addresses_rewritten; /* inttoptr of a pointer plus numbers, now a GEP */
	unsigned addresses_left;      /* inttoptr the walk could not take apart */
	unsigned stacks_split;        /* BPF stacks cut into pieces */
	unsigned stack_pieces;        /* the pieces they became */
	unsigned stacks_kept;         /* BPF stacks left whole */
	unsigned args_copied;         /* runtime calls given a copy of a stack piece */
	unsigned pieces_freed;        /* pieces no runtime call keeps in memory any more */
};

/*
 * The map slots of the module, in the object's map order (NULL for inner
 * templates), so that passes can tell which map a lookup is on.
 */
struct uxdp_pass_env {
	const struct uxdp_object *obj;
	LLVMValueRef *map_slots;
	LLVMTargetMachineRef tm;
	struct uxdp_diag *diag;
	struct uxdp_pass_stats stats;
};

int uxdp_pass_map_inline(LLVMModuleRef mod, struct uxdp_pass_env *env);
int uxdp_pass_worker_arg(LLVMModuleRef mod, struct uxdp_pass_env *env);
int uxdp_pass_helper_inline(LLVMModuleRef mod, const char *bc_path, struct uxdp_pass_env *env);
int uxdp_pass_bounds_elim(LLVMModuleRef mod, bool drop_all, struct uxdp_pass_env *env);
/* confine_elim.c: run-time packet checks implied by a dominating packet check. */
int uxdp_pass_confine_elim(LLVMModuleRef mod, struct uxdp_pass_env *env);
/* Count the packet checks left (for remarks before and after LLVM). */
unsigned uxdp_count_packet_checks(LLVMModuleRef mod);
/* Addresses computed as pointer + numbers become GEPs from that pointer. */
int uxdp_pass_addr_gep(LLVMModuleRef mod, struct uxdp_pass_env *env);
/* Is v the lifter's 512-byte alloca of a BPF stack (stack_scope.c)? */
bool uxdp_is_bpf_stack(LLVMValueRef v);
/* The BPF stack cut into the pieces its accesses use. */
int uxdp_pass_stack_split(LLVMModuleRef mod, struct uxdp_pass_env *env);
/* Stack pieces the runtime only reads given to it as copies. */
int uxdp_pass_stack_args(LLVMModuleRef mod, struct uxdp_pass_env *env);

/* Is fn one the lifter made from the program (with what was inlined into it)? */
static inline bool uxdp_is_lifted(LLVMValueRef fn)
{
	return LLVMGetStringAttributeAtIndex(fn, LLVMAttributeFunctionIndex, UXDP_LIFTED_ATTR,
					     (unsigned)strlen(UXDP_LIFTED_ATTR)) != NULL;
}

/* Does fn's name start with prefix ("llvm.memcpy.", ...)? */
static inline bool uxdp_named(LLVMValueRef fn, const char *prefix)
{
	size_t len, n = strlen(prefix);
	const char *name = LLVMGetValueName2(fn, &len);

	return len >= n && !memcmp(name, prefix, n);
}

/* memset, memcpy or memmove (of any length). */
static inline bool uxdp_is_mem_intrinsic(LLVMValueRef fn)
{
	return uxdp_named(fn, "llvm.memset.") || uxdp_named(fn, "llvm.memcpy.") ||
	       uxdp_named(fn, "llvm.memmove.");
}

/* A GEP of i8 with one constant index: its offset in *k. */
static inline bool uxdp_const_byte_gep(LLVMValueRef gep, int64_t *k)
{
	LLVMValueRef idx;
	LLVMTypeRef src;

	if (LLVMGetNumOperands(gep) != 2)
		return false;
	idx = LLVMGetOperand(gep, 1);
	src = LLVMGetGEPSourceElementType(gep);
	if (!LLVMIsAConstantInt(idx) || LLVMGetTypeKind(src) != LLVMIntegerTypeKind ||
	    LLVMGetIntTypeWidth(src) != 8)
		return false;
	*k = LLVMConstIntGetSExtValue(idx);
	return true;
}

/* -fno-simd: keep the backend from using vector registers on its own. */
int uxdp_pass_no_simd(LLVMModuleRef mod, struct uxdp_pass_env *env);
/* Loads of constant read-only global data become the object's initial bytes. */
int uxdp_pass_rodata_fold(LLVMModuleRef mod, struct uxdp_pass_env *env);
/* Accesses to the stack and accesses provably elsewhere get one alias scope. */
int uxdp_pass_stack_scope(LLVMModuleRef mod, struct uxdp_pass_env *env);
/* After the pipeline: count functions with vector instructions. */
void uxdp_pass_simd_report(LLVMModuleRef mod, struct uxdp_pass_env *env);

#endif /* UXDP_PASSES_H */
