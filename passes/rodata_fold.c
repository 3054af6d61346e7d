/* SPDX-License-Identifier: MIT */
/*
 * rodata_fold.c - loads of read-only global data that cannot change become
 * constants.
 *
 * The lifter reads global data through the map slot: `lddw rX, .rodata + off`
 * is the slot's data pointer (an invariant load of slot->data) plus off, and
 * LLVM cannot know what the runtime will have written there.  A load at a
 * constant offset that falls inside bytes the front end found constant
 * (uxdp_map_info.consts, compiler/btf_datasec.c: a `const`, not `volatile`
 * variable, or a literal pool) reads the object's initial data, which the
 * runtime copies into the map and which no loader may change: it becomes
 * that constant, little-endian, of the load's own type, so whatever
 * extension the lifted code applies stays as it was, and LLVM folds the
 * branches on it.
 *
 * Everything else stays a load: a variable offset, a load that reaches
 * beyond one constant range (into padding, a volatile variable, or the next
 * variable), a volatile or atomic load, a type that is not integers.
 *
 * It runs twice: after our other passes and the inlining of subprograms and
 * helpers (a pointer into .rodata handed to a subprogram has a constant
 * offset once inlined), and after LLVM's default<On>, where unrolled loops
 * (bpf_strncmp on a .rodata string) have made more offsets constant.
 */
#include <stddef.h>
#include <stdint.h>

#include <llvm-c/Target.h>

#include <uxdp/object_format.h>

#include "opcode.h"
#include "passes.h"
#include "uxdpc.h"

/* An address chain longer than this is not followed (it is not ours). */
#define MAX_ADDRESS_DEPTH 16

struct fold {
	const struct uxdp_pass_env *env;
	LLVMTargetDataRef td;
	LLVMBuilderRef b;
	unsigned folded, left;
};

static int slot_map(const struct fold *f, LLVMValueRef global)
{
	const struct uxdp_object *obj = f->env->obj;

	for (size_t k = 0; k < obj->n_maps; k++)
		if (f->env->map_slots[k] == global)
			return (int)k;
	return -1;
}

/* Byte offset of a GEP's indices; false when one is not a constant. */
static bool gep_offset(const struct fold *f, LLVMValueRef gep, int64_t *off)
{
	LLVMTypeRef ty = LLVMGetGEPSourceElementType(gep);
	unsigned n = (unsigned)LLVMGetNumOperands(gep);

	for (unsigned i = 1; i < n; i++) {
		LLVMValueRef idx = LLVMGetOperand(gep, i);
		int64_t c;

		if (!LLVMIsAConstantInt(idx))
			return false;
		c = LLVMConstIntGetSExtValue(idx);
		if (i == 1) {
			*off += c * (int64_t)LLVMABISizeOfType(f->td, ty);
		} else if (LLVMGetTypeKind(ty) == LLVMStructTypeKind) {
			*off += (int64_t)LLVMOffsetOfElement(f->td, ty, (unsigned)c);
			ty = LLVMStructGetTypeAtIndex(ty, (unsigned)c);
		} else {
			ty = LLVMGetElementType(ty);
			*off += c * (int64_t)LLVMABISizeOfType(f->td, ty);
		}
	}
	return true;
}

static int data_map(const struct fold *f, LLVMValueRef v);

/*
 * Follow v through casts, constant additions and GEPs down to a root: the
 * value returned, with v = root + *off (+ something variable when
 * *variable).  An addition of two variable terms goes down the one that
 * leads to global data.
 */
static LLVMValueRef address_root(const struct fold *f, LLVMValueRef v, int64_t *off, bool *variable,
				 int depth)
{
	LLVMValueRef a, b, root;
	int64_t off_a;

	if (depth > MAX_ADDRESS_DEPTH)
		return v;
	switch (uxdp_opcode_of(v)) {
	case LLVMPtrToInt:
	case LLVMIntToPtr:
	case LLVMBitCast:
	case LLVMFreeze:
		return address_root(f, LLVMGetOperand(v, 0), off, variable, depth + 1);
	case LLVMGetElementPtr:
		if (!gep_offset(f, v, off))
			*variable = true;
		return address_root(f, LLVMGetOperand(v, 0), off, variable, depth + 1);
	case LLVMSub:
		b = LLVMGetOperand(v, 1);
		if (!LLVMIsAConstantInt(b))
			return v;
		*off -= LLVMConstIntGetSExtValue(b);
		return address_root(f, LLVMGetOperand(v, 0), off, variable, depth + 1);
	case LLVMOr:
		/* An or of bits known clear is an addition (instcombine's form). */
		if (!LLVMIsAInstruction(v) || !LLVMGetIsDisjoint(v))
			return v;
		/* fall through */
	case LLVMAdd:
		a = LLVMGetOperand(v, 0);
		b = LLVMGetOperand(v, 1);
		if (LLVMIsAConstantInt(a)) {
			LLVMValueRef t = a;
			a = b;
			b = t;
		}
		if (LLVMIsAConstantInt(b)) {
			*off += LLVMConstIntGetSExtValue(b);
			return address_root(f, a, off, variable, depth + 1);
		}
		off_a = *off;
		root = address_root(f, a, &off_a, variable, depth + 1);
		*variable = true;
		if (data_map(f, root) >= 0) {
			*off = off_a;
			return root;
		}
		return address_root(f, b, off, variable, depth + 1);
	default:
		return v;
	}
}

/* The read-only global-data map whose data pointer v is (a load of slot->data), or -1. */
static int data_map(const struct fold *f, LLVMValueRef v)
{
	int64_t off = 0;
	bool variable = false;
	LLVMValueRef root;
	int k;

	if (!LLVMIsALoadInst(v) || LLVMGetTypeKind(LLVMTypeOf(v)) != LLVMPointerTypeKind)
		return -1;
	root = address_root(f, LLVMGetOperand(v, 0), &off, &variable, 0);
	if (variable || off != (int64_t)offsetof(struct uxdp_map_slot, data) ||
	    !LLVMIsAGlobalVariable(root))
		return -1;
	k = slot_map(f, root);
	if (k < 0 || f->env->obj->maps[k].kind != UXDP_MAP_KIND_RODATA)
		return -1;
	return k;
}

/* Integers of up to 64 bits, and vectors of them: what a constant can replace. */
static bool foldable_type(LLVMTypeRef ty)
{
	if (LLVMGetTypeKind(ty) == LLVMVectorTypeKind)
		ty = LLVMGetElementType(ty);
	return LLVMGetTypeKind(ty) == LLVMIntegerTypeKind && LLVMGetIntTypeWidth(ty) % 8 == 0 &&
	       LLVMGetIntTypeWidth(ty) <= 64;
}

static bool is_constant(const struct uxdp_map_info *m, int64_t off, uint64_t size)
{
	for (uint32_t i = 0; i < m->n_consts; i++) {
		const struct uxdp_const_range *r = &m->consts[i];

		if (off >= r->off && (uint64_t)off + size <= (uint64_t)r->off + r->size)
			return true;
	}
	return false;
}

/* The little-endian integer of ty's width at p. */
static LLVMValueRef int_at(LLVMTypeRef ty, const uint8_t *p)
{
	unsigned bytes = LLVMGetIntTypeWidth(ty) / 8;
	uint64_t v = 0;

	for (unsigned i = bytes; i-- > 0;)
		v = v << 8 | p[i];
	return LLVMConstInt(ty, v, 0);
}

static LLVMValueRef constant_at(const struct fold *f, LLVMTypeRef ty, const uint8_t *p)
{
	LLVMValueRef elems[64];
	LLVMTypeRef et;
	unsigned n, step;

	if (LLVMGetTypeKind(ty) != LLVMVectorTypeKind)
		return int_at(ty, p);
	n = LLVMGetVectorSize(ty);
	et = LLVMGetElementType(ty);
	step = (unsigned)LLVMABISizeOfType(f->td, et);
	if (n > sizeof(elems) / sizeof(elems[0]) || step != LLVMGetIntTypeWidth(et) / 8)
		return NULL;
	for (unsigned i = 0; i < n; i++)
		elems[i] = int_at(et, p + (size_t)i * step);
	return LLVMConstVector(elems, n);
}

/*
 * What a load of ty from addr reads when that is constant global data, else
 * NULL; *ours tells whether addr points into read-only global data at all.
 */
static LLVMValueRef constant_load(const struct fold *f, LLVMTypeRef ty, LLVMValueRef addr,
				  bool *ours)
{
	const struct uxdp_map_info *m;
	bool variable = false;
	int64_t off = 0;
	uint64_t size = LLVMStoreSizeOfType(f->td, ty);
	int k = data_map(f, address_root(f, addr, &off, &variable, 0));

	if (k < 0)
		return NULL;
	*ours = true;
	m = &f->env->obj->maps[k];
	if (variable || !foldable_type(ty) || off < 0 || !is_constant(m, off, size) ||
	    (uint64_t)off + size > m->init_size)
		return NULL;
	return constant_at(f, ty, m->init + off);
}

/*
 * A load from a phi of addresses in its own block, or from a select of two,
 * (simplifycfg sinks the loads of two paths into one) reads a phi or select
 * of constants when every address it may take reads a constant.
 */
static LLVMValueRef constant_choice(struct fold *f, LLVMTypeRef ty, LLVMValueRef addr,
				    LLVMValueRef load, bool *ours)
{
	LLVMBasicBlockRef bb = LLVMGetInstructionParent(load);
	LLVMValueRef c[2], phi, vals[64];
	LLVMBasicBlockRef blocks[64];
	unsigned n;

	if (LLVMIsASelectInst(addr)) {
		c[0] = constant_load(f, ty, LLVMGetOperand(addr, 1), ours);
		c[1] = constant_load(f, ty, LLVMGetOperand(addr, 2), ours);
		if (!c[0] || !c[1])
			return NULL;
		LLVMPositionBuilderBefore(f->b, load);
		return LLVMBuildSelect(f->b, LLVMGetOperand(addr, 0), c[0], c[1], "rodata");
	}
	if (!LLVMIsAPHINode(addr) || LLVMGetInstructionParent(addr) != bb)
		return NULL;
	n = LLVMCountIncoming(addr);
	if (n > sizeof(vals) / sizeof(vals[0]))
		return NULL;
	for (unsigned i = 0; i < n; i++) {
		vals[i] = constant_load(f, ty, LLVMGetIncomingValue(addr, i), ours);
		blocks[i] = LLVMGetIncomingBlock(addr, i);
		if (!vals[i])
			return NULL;
	}
	LLVMPositionBuilderBefore(f->b, LLVMGetFirstInstruction(bb));
	phi = LLVMBuildPhi(f->b, ty, "rodata");
	LLVMAddIncoming(phi, vals, blocks, n);
	return phi;
}

/* Fold load if it reads constant global data; count it if it reads global data at all. */
static void fold_load(struct fold *f, LLVMValueRef load)
{
	LLVMTypeRef ty = LLVMTypeOf(load);
	LLVMValueRef addr = LLVMGetOperand(load, 0), c;
	bool ours = false;

	if (LLVMGetVolatile(load) || LLVMGetOrdering(load) != LLVMAtomicOrderingNotAtomic) {
		constant_load(f, ty, addr, &ours);
		f->left += ours;
		return;
	}
	c = constant_load(f, ty, addr, &ours);
	if (!c && !ours)
		c = constant_choice(f, ty, addr, load, &ours);
	if (!c) {
		f->left += ours;
		return;
	}
	LLVMReplaceAllUsesWith(load, c);
	LLVMInstructionEraseFromParent(load);
	f->folded++;
}

int uxdp_pass_rodata_fold(LLVMModuleRef mod, struct uxdp_pass_env *env)
{
	struct fold f = { .env = env, .td = LLVMGetModuleDataLayout(mod),
			  .b = LLVMCreateBuilderInContext(LLVMGetModuleContext(mod)) };
	bool any = false;

	for (size_t k = 0; k < env->obj->n_maps; k++)
		any |= env->obj->maps[k].kind == UXDP_MAP_KIND_RODATA;
	if (!any) {
		LLVMDisposeBuilder(f.b);
		return 0;
	}
	for (LLVMValueRef fn = LLVMGetFirstFunction(mod); fn; fn = LLVMGetNextFunction(fn)) {
		for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(fn); bb;
		     bb = LLVMGetNextBasicBlock(bb)) {
			LLVMValueRef inst = LLVMGetFirstInstruction(bb), next;

			for (; inst; inst = next) {
				next = LLVMGetNextInstruction(inst);
				if (LLVMIsALoadInst(inst))
					fold_load(&f, inst);
			}
		}
	}
	LLVMDisposeBuilder(f.b);
	diag_note(env->diag, 1, "%s: rodata-fold: %u loads folded in this run, %u left",
		  env->obj->name, f.folded, f.left);
	env->stats.rodata_folded += f.folded;
	env->stats.rodata_left = f.left; /* what the last run leaves */
	return 0;
}
