/* SPDX-License-Identifier: MIT */
/*
 * lift.h - shared by analysis.c, confine.c and the lift*.c files.
 *
 * The analysis splits a checked program into functions (the main program and
 * its subprograms, as the kernel's check_subprogs does: a function starts at
 * insn 0 and at every local-call or lddw-FUNC target, and ends where the next
 * one starts), finds basic-block leaders, and tracks through every path which
 * registers and stack slots hold the ctx pointer, so that each ctx access can
 * be rewritten from struct xdp_md to struct uxdp_ctx.
 */
#ifndef UXDPC_LIFT_H
#define UXDPC_LIFT_H

#include <llvm-c/Core.h>

#include "uxdpc.h"

/* ------------------------------------------------------------- analysis */

struct lift_func {
	size_t start, end;     /* [start, end) in prog->insns */
	bool may_tail_call;    /* it, or a function it calls, tail-calls */
	bool is_callback;      /* used as a bpf_loop or for_each_map_elem callback */
	LLVMValueRef fn;       /* set by the lifter */
	char name[160];
};

/* What the analysis learnt about one instruction. */
enum insn_fact {
	FACT_NONE = 0,
	FACT_CTX_LOAD,         /* ldx through the ctx pointer: rewrite */
	FACT_STACK,            /* access to this frame's stack at stack_off[insn] */
};

struct analysis {
	struct lift_func *funcs;
	size_t n_funcs;
	uint32_t *func_of;     /* per insn: index into funcs */
	uint8_t *leader;       /* per insn: starts a basic block */
	uint8_t *second_slot;  /* per insn: second slot of an lddw */
	uint8_t *fact;         /* per insn: enum insn_fact */
	int32_t *callback;     /* per insn: bpf_loop/for_each call -> callback func index, else -1 */
	int32_t *callee;       /* per insn: local call -> func index, else -1 */
	int32_t *stack_off;    /* per insn with FACT_STACK: offset from r10 */
	struct confinement *conf; /* confine.c's result; NULL: no run-time checks */
};

int uxdp_analyse(const struct uxdp_object *obj, const struct uxdp_prog *prog, struct analysis *an,
		 struct uxdp_diag *diag);
void uxdp_analysis_free(struct analysis *an);
/* Index of the function starting at insn, or -1. */
int uxdp_func_at(const struct analysis *an, size_t insn);

/*
 * Instruction facts both walks over a program need (analysis.c, confine.c),
 * defined once so that they cannot disagree on where a jump goes.
 */

/* A jump with a target (conditional or ja/gotol): not call, not exit. */
static inline bool insn_is_jump(const struct ebpf_insn *in)
{
	uint8_t cls = EBPF_CLASS(in->opcode), op = EBPF_OP(in->opcode);

	return (cls == EBPF_CLS_JMP || cls == EBPF_CLS_JMP32) && op != EBPF_JMP_CALL &&
	       op != EBPF_JMP_EXIT;
}

/* Where jump i goes: gotol (JA32) takes its offset from imm, every other from off. */
static inline int64_t insn_jump_target(size_t i, const struct ebpf_insn *in)
{
	if (in->opcode == EBPF_OP_JA32)
		return (int64_t)i + in->imm + 1;
	return (int64_t)i + in->off + 1;
}

/* Bytes a load or store of opcode accesses. */
static inline int insn_access_size(uint8_t opcode)
{
	switch (EBPF_SIZE(opcode)) {
	case EBPF_SIZE_B:
		return 1;
	case EBPF_SIZE_H:
		return 2;
	case EBPF_SIZE_W:
		return 4;
	default:
		return 8;
	}
}

/* The 8-byte stack slot of r10 + off, or -1 outside the 512-byte frame. */
static inline int stack_slot_of(int64_t off)
{
	return off < -EBPF_STACK_SIZE || off >= 0 ? -1 : (int)((off + EBPF_STACK_SIZE) / 8);
}

/* ---------------------------------------------------------- confinement */

/* Run-time checks the lifter emits for one memory access (confine.c). */
enum confine_guard {
	CG_NONE = 0,      /* proven in its region at compile time */
	CG_PKT,           /* addr + size <= data_end (addr >= data proven) */
	CG_PKT_FULL,      /* data <= addr, addr + size <= data_end */
	CG_META,          /* addr + size <= data (addr >= data_meta proven) */
	CG_META_FULL,     /* data_meta <= addr, addr + size <= data */
	CG_STACK,         /* inside this frame's 512 bytes (variable offset) */
	CG_NULL_SIZE,     /* helper argument NULL or in its region (proven): size 0 when NULL */
};

/* A helper's pointer argument into the packet, checked at run time. */
struct confine_arg_guard {
	uint8_t guard;        /* enum confine_guard: CG_PKT* or CG_META* */
	uint8_t ptr_reg;
	uint8_t size_reg;     /* 0: the size is size_const */
	uint32_t size_const;
};

struct confinement {
	uint8_t *guard;       /* per insn: enum confine_guard of its access */
	uint8_t *budget;      /* per insn: a back-edge counted against the loop budget */
	struct confine_arg_guard (*arg_guard)[2]; /* per insn: helper call arguments */
	uint64_t *zero_slots; /* per function: 8-byte stack slots to zero at entry */
	bool *has_checks;     /* per function: guards or budget, so it may end the run */
	unsigned n_guards, n_budget; /* whole program */
};

/*
 * Prove every memory access and helper argument of prog within its region
 * (packet, stack, ctx, map value, ringbuf record), or mark the run-time
 * check it needs; refuse what the kernel verifier would refuse for memory
 * or pointer misuse.  Fills an->conf.  0 or -errno with diag set.
 */
int uxdp_confine(const struct uxdp_object *obj, const struct uxdp_prog *prog, struct analysis *an,
		 struct uxdp_diag *diag);
void uxdp_confine_free(struct analysis *an);
/*
 * Program k of obj as uxdpc alone would confine it (decode, analysis,
 * confinement): the run-time checks and counted back-edges it needs, or the
 * refusal in diag.  For --list.
 */
int uxdp_confine_program(const struct uxdp_object *obj, size_t k, unsigned *n_guards,
			 unsigned *n_budget, struct uxdp_diag *diag);
/* aot_list.c: print the uxdp_meta records of a compiled object; -ENOEXEC if it is none. */
int uxdp_list_aot(const char *path, struct uxdp_diag *diag);

/* --------------------------------------------------------------- lifter */

struct lift_types {
	LLVMTypeRef i1, i8, i16, i32, i64, ptr, void_t;
	LLVMTypeRef sub_fn;    /* i64 (ptr ctx, i64 r1..r5) */
	LLVMTypeRef slot;      /* { ptr map, ptr data } */
};

/* Module-wide state: one per compilation. */
struct lift_module {
	LLVMContextRef ctx;
	LLVMModuleRef mod;
	LLVMBuilderRef b;
	struct lift_types t;
	const struct uxdp_object *obj;
	LLVMValueRef *map_slots; /* per obj->maps entry, NULL for inner templates */
	LLVMValueRef *prog_entries; /* per obj->progs entry */
	struct uxdp_diag *diag;
	bool confine;            /* prove or guard every access (no kernel verdict) */
	uint32_t *confinement;   /* per obj->progs entry: UXDP_CONFINE_* for the record */
	unsigned n_guards, n_budget; /* over all programs, for the note */
	uint32_t loop_budget;    /* 0: UXDP_LOOP_BUDGET */
	LLVMValueRef tbaa[2];    /* lift_confine.c: access tags, program memory and ctx */
};

/* Per-function state while lowering one eBPF function. */
struct lifter {
	struct lift_module *m;
	const struct uxdp_prog *prog;
	const struct analysis *an;
	const struct lift_func *func;
	LLVMValueRef fn;
	LLVMValueRef ctx_arg;  /* ptr to struct uxdp_ctx (null for raw programs) */
	LLVMValueRef regs[EBPF_NR_REGS]; /* allocas of i64 */
	LLVMValueRef stack;    /* [512 x i8] alloca */
	LLVMBasicBlockRef *blocks; /* per insn of this function: block if leader */
	LLVMBasicBlockRef exit_block;
	LLVMValueRef may_goto; /* i64 alloca: may_goto's budget in this frame, or NULL */
	LLVMValueRef map_iter; /* for_each_map_elem's iterator (UXDP_MAP_ITER_WORDS i64), or NULL */
	bool terminated;       /* the current block already has its terminator */
	LLVMBasicBlockRef abort_bb; /* lift_confine.c: where failed checks go */
	LLVMValueRef abort_insn, abort_reason; /* its phis */
};

/* Lower prog into m->mod; defines its entry function and subprograms. */
int uxdp_lift_program(struct lift_module *m, size_t prog_idx);

/* lift_alu.c, lift_mem.c, lift_jmp.c: one instruction each; 0 or -errno. */
int lift_alu(struct lifter *l, size_t i, const struct ebpf_insn *in);
int lift_mem(struct lifter *l, size_t i, const struct ebpf_insn *in);
int lift_lddw(struct lifter *l, size_t i, const struct ebpf_insn *in);
int lift_jmp(struct lifter *l, size_t i, const struct ebpf_insn *in);

/* Shared small builders (lift.c). */
LLVMValueRef lift_get(struct lifter *l, unsigned reg);
void lift_set(struct lifter *l, unsigned reg, LLVMValueRef v64);
LLVMValueRef lift_const64(struct lifter *l, uint64_t v);
LLVMValueRef lift_const32(struct lifter *l, uint32_t v);
LLVMValueRef lift_ptr(struct lifter *l, LLVMValueRef addr64, int16_t off);
/* Address of the memory operand of insn i whose base register is reg. */
LLVMValueRef lift_mem_ptr(struct lifter *l, size_t i, unsigned reg, int16_t off);
LLVMBasicBlockRef lift_block_at(struct lifter *l, size_t insn);
int lift_insn_error(struct lifter *l, size_t i, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* After a call that may have run a tail call: return if it did. */
void lift_check_tail_called(struct lifter *l);
/* lift_confine.c: the run-time checks confine.c asked for. */
void lift_guard_access(struct lifter *l, size_t i, unsigned reg, int16_t off, unsigned size);
void lift_guard_helper_args(struct lifter *l, size_t i);
LLVMBasicBlockRef lift_back_edge(struct lifter *l, size_t i, LLVMBasicBlockRef target);
void lift_confine_frame(struct lifter *l, size_t f, bool is_entry);
/*
 * Confined code never writes the ctx: tag a memory access as the program's
 * (ctx false) or a ctx field load (ctx true), so that LLVM keeps data_end in
 * a register across packet stores.  Does nothing unless m->confine.
 */
void lift_tag(struct lift_module *m, LLVMValueRef access, bool ctx);
/* Declare (once) and return a helper or runtime function. */
LLVMValueRef lift_runtime_fn(struct lift_module *m, const char *name, LLVMTypeRef type);

#endif /* UXDPC_LIFT_H */
