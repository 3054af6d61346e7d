/* SPDX-License-Identifier: MIT */
/*
 * lift_mem.c - loads, stores, atomics and lddw (RFC 9669 sections 5.1-5.4).
 *
 * A load through the ctx pointer is rewritten from struct xdp_md to struct
 * uxdp_ctx (analysis.c decides which loads those are): data, data_end and
 * data_meta become 64-bit pointer loads, the other fields 32-bit loads at
 * their new offsets, as the kernel's xdp_convert_ctx_access does.
 */
#include <errno.h>

#include <uxdp/ctx.h>

#include "lift.h"

static LLVMTypeRef size_type(struct lifter *l, uint8_t opcode)
{
	switch (EBPF_SIZE(opcode)) {
	case EBPF_SIZE_B:
		return l->m->t.i8;
	case EBPF_SIZE_H:
		return l->m->t.i16;
	case EBPF_SIZE_W:
		return l->m->t.i32;
	default:
		return l->m->t.i64;
	}
}

static LLVMValueRef ctx_field_ptr(struct lifter *l, unsigned off)
{
	struct lift_module *m = l->m;

	return LLVMBuildGEP2(m->b, m->t.i8, l->ctx_arg,
			     (LLVMValueRef[]){ LLVMConstInt(m->t.i64, off, 0) }, 1, "");
}

/* xdp_md field at xdp_off -> the value the kernel's rewrite would load. */
static int lift_ctx_load(struct lifter *l, size_t i, const struct ebpf_insn *in)
{
	struct lift_module *m = l->m;
	static const struct {
		const char *name;
		unsigned off;
		bool is_ptr;
	} fields[6] = {
		{ "data", UXDP_CTX_OFF_DATA, true },
		{ "data_end", UXDP_CTX_OFF_DATA_END, true },
		{ "data_meta", UXDP_CTX_OFF_DATA_META, true },
		{ "ingress_ifindex", UXDP_CTX_OFF_INGRESS_IFINDEX, false },
		{ "rx_queue_index", UXDP_CTX_OFF_RX_QUEUE_INDEX, false },
		{ "egress_ifindex", UXDP_CTX_OFF_EGRESS_IFINDEX, false },
	};
	unsigned k = (unsigned)in->off / 4;
	LLVMValueRef v;

	if (k >= 6)
		return lift_insn_error(l, i, -EINVAL, "invalid bpf_context access off=%d", in->off);
	if (fields[k].is_ptr) {
		v = LLVMBuildLoad2(m->b, m->t.ptr, ctx_field_ptr(l, fields[k].off), fields[k].name);
		lift_tag(m, v, true);
		v = LLVMBuildPtrToInt(m->b, v, m->t.i64, "");
	} else {
		v = LLVMBuildLoad2(m->b, m->t.i32, ctx_field_ptr(l, fields[k].off), fields[k].name);
		lift_tag(m, v, true);
		v = LLVMBuildZExt(m->b, v, m->t.i64, "");
	}
	lift_set(l, in->dst, v);
	return 0;
}

static int lift_load(struct lifter *l, size_t i, const struct ebpf_insn *in)
{
	struct lift_module *m = l->m;
	LLVMTypeRef ty = size_type(l, in->opcode);
	LLVMValueRef v;

	if (l->an->fact[i] == FACT_CTX_LOAD)
		return lift_ctx_load(l, i, in);
	lift_guard_access(l, i, in->src, in->off, (unsigned)LLVMGetIntTypeWidth(ty) / 8);
	v = LLVMBuildLoad2(m->b, ty, lift_mem_ptr(l, i, in->src, in->off), "");
	LLVMSetAlignment(v, 1);
	lift_tag(m, v, false);
	if (ty != m->t.i64)
		v = EBPF_MODE(in->opcode) == EBPF_MODE_MEMSX ? LLVMBuildSExt(m->b, v, m->t.i64, "") :
							       LLVMBuildZExt(m->b, v, m->t.i64, "");
	lift_set(l, in->dst, v);
	return 0;
}

static void lift_store(struct lifter *l, size_t i, const struct ebpf_insn *in, LLVMValueRef v64)
{
	struct lift_module *m = l->m;
	LLVMTypeRef ty = size_type(l, in->opcode);
	LLVMValueRef v, st;

	lift_guard_access(l, i, in->dst, in->off, (unsigned)LLVMGetIntTypeWidth(ty) / 8);
	v = ty == m->t.i64 ? v64 : LLVMBuildTrunc(m->b, v64, ty, "");
	st = LLVMBuildStore(m->b, v, lift_mem_ptr(l, i, in->dst, in->off));
	LLVMSetAlignment(st, 1);
	lift_tag(m, st, false);
}

/*
 * Atomic operations (RFC 9669 5.3).  The fetch forms (and xchg, cmpxchg)
 * are sequentially consistent, full barriers as in the kernel.  The plain
 * forms (add, or, and, xor without BPF_FETCH) are monotonic, as the kernel
 * makes them (atomic_add() and friends order nothing; arm64's JIT emits
 * STADD, no barrier): on x86-64 they are the same locked instruction, but
 * LLVM may then move other accesses across them.  A seq_cst one would be a
 * read of all memory to alias analysis, which keeps every stack store
 * before a stats counter's increment (stack_scope.c cannot help there).
 * The access must be naturally aligned, as the verifier requires.
 */
static int lift_atomic(struct lifter *l, size_t i, const struct ebpf_insn *in)
{
	struct lift_module *m = l->m;
	LLVMBuilderRef b = m->b;
	LLVMTypeRef ty = size_type(l, in->opcode);
	LLVMValueRef p, src, old;

	lift_guard_access(l, i, in->dst, in->off, (unsigned)LLVMGetIntTypeWidth(ty) / 8);
	p = lift_mem_ptr(l, i, in->dst, in->off);
	src = lift_get(l, in->src);
	LLVMAtomicRMWBinOp op;

	if (ty != m->t.i64)
		src = LLVMBuildTrunc(b, src, ty, "");
	if (in->imm == EBPF_ATOMIC_CMPXCHG) {
		LLVMValueRef cmp = lift_get(l, 0), pair;
		if (ty != m->t.i64)
			cmp = LLVMBuildTrunc(b, cmp, ty, "");
		pair = LLVMBuildAtomicCmpXchg(b, p, cmp, src, LLVMAtomicOrderingSequentiallyConsistent,
					      LLVMAtomicOrderingSequentiallyConsistent, 0);
		lift_tag(m, pair, false);
		old = LLVMBuildExtractValue(b, pair, 0, "");
		/* r0 always receives the old value, zero-extended for 32 bits. */
		lift_set(l, 0, ty != m->t.i64 ? LLVMBuildZExt(b, old, m->t.i64, "") : old);
		return 0;
	}
	switch (in->imm & ~EBPF_ATOMIC_FETCH) {
	case EBPF_ATOMIC_ADD:
		op = LLVMAtomicRMWBinOpAdd;
		break;
	case EBPF_ATOMIC_OR:
		op = LLVMAtomicRMWBinOpOr;
		break;
	case EBPF_ATOMIC_AND:
		op = LLVMAtomicRMWBinOpAnd;
		break;
	case EBPF_ATOMIC_XOR:
		op = LLVMAtomicRMWBinOpXor;
		break;
	case EBPF_ATOMIC_XCHG & ~EBPF_ATOMIC_FETCH:
		op = LLVMAtomicRMWBinOpXchg;
		break;
	default:
		return lift_insn_error(l, i, -EINVAL, "unknown atomic operation 0x%x",
				       (unsigned)in->imm);
	}
	old = LLVMBuildAtomicRMW(b, op, p, src,
				 in->imm & EBPF_ATOMIC_FETCH ? LLVMAtomicOrderingSequentiallyConsistent :
							       LLVMAtomicOrderingMonotonic,
				 0);
	lift_tag(m, old, false);
	if (in->imm & EBPF_ATOMIC_FETCH)
		lift_set(l, in->src, ty != m->t.i64 ? LLVMBuildZExt(b, old, m->t.i64, "") : old);
	return 0;
}

int lift_mem(struct lifter *l, size_t i, const struct ebpf_insn *in)
{
	switch (EBPF_CLASS(in->opcode)) {
	case EBPF_CLS_LDX:
		return lift_load(l, i, in);
	case EBPF_CLS_ST:
		lift_store(l, i, in, lift_const64(l, (uint64_t)(int64_t)in->imm));
		return 0;
	default:
		if (EBPF_MODE(in->opcode) == EBPF_MODE_ATOMIC)
			return lift_atomic(l, i, in);
		lift_store(l, i, in, lift_get(l, in->src));
		return 0;
	}
}

/* A load of a map slot field; the runtime fills slots before the first run. */
static LLVMValueRef load_slot(struct lifter *l, LLVMValueRef slot, unsigned field)
{
	struct lift_module *m = l->m;
	LLVMValueRef p = LLVMBuildStructGEP2(m->b, m->t.slot, slot, field, "");
	LLVMValueRef v = LLVMBuildLoad2(m->b, m->t.ptr, p, field ? "map.data" : "map");
	unsigned kind = LLVMGetMDKindIDInContext(m->ctx, "invariant.load", 14);

	LLVMSetMetadata(v, kind, LLVMMDNodeInContext(m->ctx, NULL, 0));
	LLVMSetAlignment(v, 8);
	return v;
}

int lift_lddw(struct lifter *l, size_t i, const struct ebpf_insn *in)
{
	struct lift_module *m = l->m;
	const struct ebpf_insn *next = in + 1;
	LLVMValueRef v;
	int f;

	switch (in->src) {
	case EBPF_PSEUDO_LD_IMM:
		v = lift_const64(l, (uint64_t)(uint32_t)in->imm | (uint64_t)(uint32_t)next->imm << 32);
		break;
	case EBPF_PSEUDO_MAP_FD:
		v = LLVMBuildPtrToInt(m->b, load_slot(l, m->map_slots[in->imm], 0), m->t.i64, "");
		break;
	case EBPF_PSEUDO_MAP_VALUE:
		v = LLVMBuildPtrToInt(m->b, load_slot(l, m->map_slots[in->imm], 1), m->t.i64, "");
		v = LLVMBuildAdd(m->b, v, lift_const64(l, (uint32_t)next->imm), "");
		break;
	case EBPF_PSEUDO_FUNC:
		f = uxdp_func_at(l->an, (size_t)((int64_t)i + in->imm + 1));
		if (f < 0)
			return lift_insn_error(l, i, -EINVAL, "lddw refers to no function");
		v = LLVMBuildPtrToInt(m->b, l->an->funcs[f].fn, m->t.i64, "");
		break;
	default:
		return lift_insn_error(l, i, -EINVAL, "unsupported lddw kind (src=%u)", in->src);
	}
	lift_set(l, in->dst, v);
	return 0;
}
