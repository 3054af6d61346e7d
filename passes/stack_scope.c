/* SPDX-License-Identifier: MIT */
/*
 * stack_scope.c - accesses to the BPF stack told apart from all others.
 *
 * The lifter makes the 512-byte stack one alloca (%stack) and r10 its end
 * as an integer, which the program hands to helpers (a hash lookup's key is
 * r10 - 72): the alloca is captured, and LLVM must then assume that any
 * pointer it cannot trace (a map's data pointer loaded from its slot, a
 * packet pointer loaded from the ctx, a lookup's result) may point into it.
 * So a store to a stack slot no one reads again stays when another access
 * follows it.
 *
 * The stack is private to one run of the program: the runtime hands the
 * program no pointer into it, the ctx and the maps' handles hold none, and
 * the map lookups return map memory.  Other calls may return one (the
 * bpf_iter_num_next kfunc returns a pointer into the iterator, which lives
 * on the stack), so their results are unknown.  So each memory access
 * whose pointer walks back to nothing but a stack alloca gets
 * !alias.scope !{S}, and each whose pointer walks back to nothing but the
 * ctx, a field of it, a map slot or a runtime load from one, a map
 * lookup's result or a global gets !noalias !{S}:
 * S = !{!"uxdp.stack", !{!"uxdp"}}.  Everything else (a
 * pointer spilled to the stack and reloaded, a subprogram's integer
 * argument, the sum of two pointers, an address computed from a plain
 * number) is left alone.  A wrong !noalias would be a miscompile, so the
 * walk answers "unknown" whenever it is not sure, and uxdpc runs the pass
 * only when the kernel verified or its own analysis confined every program
 * (compiler/pipeline.c): the reasoning below is the verifier's.
 *
 * Integers count as pointers here, as the lifter makes them: an address is
 * inttoptr(ptrtoint(base) + offset), and instcombine turns some into GEPs
 * or disjoint ors.  The offset may be any number that does not itself come
 * from a pointer (for a valid program a base plus a number stays within the
 * base's object, as the verifier checks).  A number loaded from a packet or
 * a map value is one (the verifier makes it a scalar, whatever was stored
 * there), and so is one of fewer than 64 bits loaded from the stack; 64
 * bits loaded from the stack may be a spilled pointer.
 *
 * It runs after the subprograms and helpers are inlined (so that a stack
 * pointer passed down and the lookups' results are visible in one
 * function) and before LLVM's default<On>, whose GVN, LICM and DSE use the
 * scopes.  The inliner gives every inlined copy fresh scopes, so one S for
 * the whole module stays sound when a function is inlined later.
 */
#include <stddef.h>
#include <string.h>

#include <uxdp/ctx.h>
#include <uxdp/helpers.h>

#include "opcode.h"
#include "passes.h"
#include "uxdpc.h"

#define EBPF_STACK_BYTES 512
/* Walks longer than this, or reaching more values, answer "unknown". */
#define MAX_DEPTH 48
#define MAX_STEPS 1024
#define MAX_OPEN_PHIS 64
/* Scopes an access may already have (the inliner's, of noalias arguments). */
#define MAX_SCOPES 32

/*
 * What a value (pointer or integer) is rooted in.  NONE and CYCLE are the
 * neutral elements of a join: NONE is a null pointer, 0 or poison (an
 * access through them is undefined), CYCLE a phi being walked (its other
 * incoming values are joined by the walk that opened it).
 */
enum root {
	R_NONE,
	R_CYCLE,
	R_CONST,   /* a non-zero integer constant */
	R_SCALAR,  /* a number not derived from a pointer */
	R_STACK,   /* into a stack alloca */
	R_CTX,     /* the ctx argument plus a constant */
	R_SLOTG,   /* a map slot global plus a constant */
	R_SLOT,    /* runtime data read from a slot: map handle, map data, an element */
	R_PKT,     /* into the packet's buffer: a packet pointer from the ctx plus anything */
	R_RT,      /* the runtime's memory, not reached through a slot: a lookup's result, a global */
	R_OTHER,   /* elsewhere, not the stack, maybe the packet: a mix of the above */
	R_UNKNOWN,
};

struct walk {
	struct uxdp_pass_env *env;
	LLVMValueRef ctx;
	unsigned invariant_kind;
	unsigned steps;
	unsigned n_open;
	unsigned lowest_hit; /* the outermost open phi a cycle went back to */
	LLVMValueRef open[MAX_OPEN_PHIS];
};

static bool is_pointer_root(enum root r)
{
	return r == R_STACK || r == R_CTX || r == R_SLOTG || r == R_SLOT || r == R_PKT || r == R_RT ||
	       r == R_OTHER || r == R_CYCLE;
}

static bool is_nonstack(enum root r)
{
	return r == R_CTX || r == R_SLOTG || r == R_SLOT || r == R_PKT || r == R_RT || r == R_OTHER;
}

/* Certainly not the packet's buffer: the stack, the ctx, the runtime's memory. */
static bool is_nonpacket(enum root r)
{
	return r == R_STACK || r == R_CTX || r == R_SLOTG || r == R_SLOT || r == R_RT;
}

/* A base plus a variable offset is no longer at a known field. */
static enum root offset_by_variable(enum root r)
{
	if (r == R_CTX)
		return R_OTHER;
	if (r == R_SLOTG)
		return R_SLOT;
	return r;
}

/* The roots of a phi or select: all of one kind, or unknown. */
static enum root join(enum root a, enum root b)
{
	if (a == R_NONE || (a == R_CYCLE && b != R_NONE))
		return b;
	if (b == R_NONE || b == R_CYCLE)
		return a;
	if (a == b)
		return a == R_CONST ? R_SCALAR : a;
	if ((a == R_CONST || a == R_SCALAR) && (b == R_CONST || b == R_SCALAR))
		return R_SCALAR;
	if (is_nonstack(a) && is_nonstack(b))
		return R_OTHER;
	return R_UNKNOWN;
}

/* base + offset (add, disjoint or, GEP index): one side may be a pointer. */
static enum root add(enum root a, enum root b)
{
	if (a == R_UNKNOWN || b == R_UNKNOWN)
		return R_UNKNOWN;
	if (is_pointer_root(a) && is_pointer_root(b))
		return R_UNKNOWN;
	if (is_pointer_root(b)) {
		enum root t = a;
		a = b;
		b = t;
	}
	if (is_pointer_root(a))
		return b == R_NONE || b == R_CONST ? a : offset_by_variable(a);
	return a == R_NONE && b == R_NONE ? R_NONE : R_SCALAR;
}

/* Any other operation: a number from numbers, else unknown. */
static enum root arith(enum root a, enum root b)
{
	if (a == R_UNKNOWN || b == R_UNKNOWN || is_pointer_root(a) || is_pointer_root(b))
		return R_UNKNOWN;
	return R_SCALAR;
}

static bool name_is(LLVMValueRef v, const char *want)
{
	size_t len, n = strlen(want);
	const char *name = LLVMGetValueName2(v, &len);

	return len >= n && !memcmp(name, want, n) && (len == n || name[n] == '.');
}

/* The lifter's frame: "stack", or an inlined subprogram's "stack.i...". */
bool uxdp_is_bpf_stack(LLVMValueRef v)
{
	LLVMTypeRef ty;

	if (!LLVMIsAAllocaInst(v) || !name_is(v, "stack"))
		return false;
	ty = LLVMGetAllocatedType(v);
	return LLVMGetTypeKind(ty) == LLVMArrayTypeKind && LLVMGetArrayLength2(ty) == EBPF_STACK_BYTES;
}

/*
 * The runtime's map lookups (runtime/helpers/map_helpers.c, hash_lookup.c,
 * lpm_lookup.c, named by include/uxdp/helpers.h): each returns NULL or an
 * element (or an inner map) in the runtime's memory, never the key.
 */
static bool is_lookup_call(LLVMValueRef call)
{
	/* lpm_lookup_sized: the LPM walk the k<n> lookups share (lpm_internal.h) */
	static const char *const exact[] = { UXDP_HELPER_PREFIX "map_lookup_elem",
					     UXDP_HELPER_PREFIX "map_lookup_percpu_elem",
					     "lpm_lookup_sized" };
	static const char *const prefixes[] = { UXDP_HASH_LOOKUP_PREFIX, UXDP_LRU_HASH_LOOKUP_PREFIX,
						UXDP_PERCPU_HASH_LOOKUP_PREFIX,
						UXDP_LRU_PERCPU_HASH_LOOKUP_PREFIX,
						UXDP_LPM_LOOKUP_PREFIX };
	LLVMValueRef callee = LLVMGetCalledValue(call);
	const char *name, *size;
	size_t len;

	if (!callee || !LLVMIsAFunction(callee))
		return false;
	name = LLVMGetValueName2(callee, &len);
	for (size_t k = 0; k < sizeof(exact) / sizeof(exact[0]); k++)
		if (!strcmp(name, exact[k]))
			return true;
	for (size_t k = 0; k < sizeof(prefixes) / sizeof(prefixes[0]); k++) {
		size_t n = strlen(prefixes[k]);

		if (len <= n || memcmp(name, prefixes[k], n))
			continue;
		/* "any", or "k" and the key size */
		size = name + n;
		if (!strcmp(size, "any"))
			return true;
		if (size[0] == 'k' && size[1] && strspn(size + 1, "0123456789") == strlen(size + 1))
			return true;
	}
	return false;
}

static bool is_slot_global(const struct walk *w, LLVMValueRef g)
{
	for (size_t k = 0; k < w->env->obj->n_maps; k++)
		if (w->env->map_slots[k] && w->env->map_slots[k] == g)
			return true;
	return false;
}

static bool is_wide(LLVMTypeRef ty)
{
	LLVMTypeKind k = LLVMGetTypeKind(ty);

	return k == LLVMPointerTypeKind || (k == LLVMIntegerTypeKind && LLVMGetIntTypeWidth(ty) == 64);
}

static enum root root_of(struct walk *w, LLVMValueRef v, int depth);

/* p as the ctx plus a constant, the forms the lifter and instcombine give it. */
static bool ctx_offset(const struct walk *w, LLVMValueRef p, int64_t *off, int depth)
{
	LLVMValueRef k;

	if (depth > MAX_DEPTH)
		return false;
	if (p == w->ctx) {
		*off = 0;
		return true;
	}
	switch (uxdp_opcode_of(p)) {
	case LLVMPtrToInt:
	case LLVMIntToPtr:
	case LLVMBitCast:
		return ctx_offset(w, LLVMGetOperand(p, 0), off, depth + 1);
	case LLVMGetElementPtr:
		if (LLVMGetNumOperands(p) != 2)
			return false;
		k = LLVMGetOperand(p, 1);
		if (!LLVMIsAConstantInt(k) ||
		    LLVMGetTypeKind(LLVMGetGEPSourceElementType(p)) != LLVMIntegerTypeKind ||
		    LLVMGetIntTypeWidth(LLVMGetGEPSourceElementType(p)) != 8)
			return false;
		break;
	case LLVMOr:
		if (!LLVMIsAInstruction(p) || !LLVMGetIsDisjoint(p))
			return false;
		/* fall through */
	case LLVMAdd:
		k = LLVMGetOperand(p, 1);
		if (!LLVMIsAConstantInt(k))
			return false;
		break;
	default:
		return false;
	}
	if (!ctx_offset(w, LLVMGetOperand(p, 0), off, depth + 1))
		return false;
	*off += LLVMConstIntGetSExtValue(k);
	return true;
}

/*
 * A load of one of the ctx's pointers into the packet's buffer (data,
 * data_end, data_meta, and the buffer's ends the adjust helpers read).
 * The verifier keeps every access through them inside the packet, and the
 * runtime keeps the ctx outside it (datapath.h).
 */
static bool is_packet_field(const struct walk *w, LLVMValueRef p)
{
	static const int64_t fields[] = { offsetof(struct uxdp_ctx, data),
					  offsetof(struct uxdp_ctx, data_end),
					  offsetof(struct uxdp_ctx, data_meta),
					  offsetof(struct uxdp_ctx, data_hard_start),
					  offsetof(struct uxdp_ctx, frame_end) };
	int64_t off;

	if (!ctx_offset(w, p, &off, 0))
		return false;
	for (size_t k = 0; k < sizeof(fields) / sizeof(fields[0]); k++)
		if (off == fields[k])
			return true;
	return false;
}

/*
 * What a load returns, by where it reads.  A pointer the runtime wrote: the
 * ctx's fields, a slot's map handle, and what map_inline reads from that
 * handle (invariant loads).  A number a program stored in a packet or a map
 * value.  Anything read from the stack may be a spilled pointer.
 */
static enum root load_result(struct walk *w, LLVMValueRef load, int depth)
{
	enum root from = root_of(w, LLVMGetOperand(load, 0), depth + 1);
	LLVMTypeRef ty = LLVMTypeOf(load);
	bool wide = is_wide(ty), is_ptr = LLVMGetTypeKind(ty) == LLVMPointerTypeKind;

	switch (from) {
	case R_STACK:
		/* a spilled pointer is 64 bits: fewer are a number (a key, an index) */
		return LLVMGetTypeKind(ty) == LLVMIntegerTypeKind && !wide ? R_SCALAR : R_UNKNOWN;
	case R_CTX:
		if (!wide)
			return R_SCALAR;
		return is_packet_field(w, LLVMGetOperand(load, 0)) ? R_PKT : R_OTHER;
	case R_SLOTG:
		return wide ? R_SLOT : R_SCALAR;
	case R_SLOT:
		if (LLVMGetMetadata(load, w->invariant_kind))
			return wide ? R_SLOT : R_SCALAR;
		/*
		 * A pointer an inlined lookup reads from the map's handle or
		 * segment (an LPM trie's node pool): the runtime keeps no BPF
		 * stack address there, and a program's loads are integers.
		 */
		return is_ptr ? R_SLOT : R_SCALAR;
	case R_PKT:
	case R_RT:
	case R_OTHER:
		return is_ptr ? R_UNKNOWN : R_SCALAR;
	default:
		return R_UNKNOWN;
	}
}

static enum root gep_root(struct walk *w, LLVMValueRef gep, int depth)
{
	unsigned n = (unsigned)LLVMGetNumOperands(gep);
	enum root r = root_of(w, LLVMGetOperand(gep, 0), depth + 1);

	for (unsigned i = 1; i < n && r != R_UNKNOWN; i++) {
		LLVMValueRef idx = LLVMGetOperand(gep, i);

		if (LLVMIsAConstantInt(idx))
			continue;
		r = add(r, root_of(w, idx, depth + 1));
	}
	return r;
}

/*
 * A phi's roots are its incoming values' but its own: a phi already being
 * walked answers CYCLE.  A phi whose cycles all come back to itself (or to
 * phis inside it) and that has no other root is a number built from
 * numbers, a loop counter; a CYCLE through a phi opened further out stays
 * CYCLE, as that phi's other roots are not known yet.
 */
static enum root phi_root(struct walk *w, LLVMValueRef phi, int depth)
{
	unsigned n = LLVMCountIncoming(phi), me = w->n_open, outer_hit = w->lowest_hit;
	enum root r = R_NONE;

	for (unsigned k = 0; k < w->n_open; k++) {
		if (w->open[k] == phi) {
			if (k < w->lowest_hit)
				w->lowest_hit = k;
			return R_CYCLE;
		}
	}
	if (w->n_open == MAX_OPEN_PHIS)
		return R_UNKNOWN;
	w->open[w->n_open++] = phi;
	w->lowest_hit = MAX_OPEN_PHIS;
	for (unsigned i = 0; i < n && r != R_UNKNOWN; i++)
		r = join(r, root_of(w, LLVMGetIncomingValue(phi, i), depth + 1));
	w->n_open--;
	if (r == R_CYCLE && w->lowest_hit >= me)
		r = R_SCALAR;
	if (w->lowest_hit < me && w->lowest_hit < outer_hit)
		outer_hit = w->lowest_hit;
	w->lowest_hit = outer_hit;
	return r;
}

static enum root root_of(struct walk *w, LLVMValueRef v, int depth)
{
	if (depth > MAX_DEPTH || ++w->steps > MAX_STEPS)
		return R_UNKNOWN;
	if (LLVMIsAConstantPointerNull(v) || LLVMIsAUndefValue(v) || LLVMIsAPoisonValue(v))
		return R_NONE;
	if (LLVMIsAConstantInt(v))
		return LLVMConstIntGetZExtValue(v) ? R_CONST : R_NONE;
	/*
	 * Fewer than 64 bits cannot hold an address: a number, however it was
	 * made (an inlined lookup's 32-bit links and loop counters among them,
	 * whose phis would otherwise be walked round their loops).
	 */
	if (LLVMGetTypeKind(LLVMTypeOf(v)) == LLVMIntegerTypeKind &&
	    LLVMGetIntTypeWidth(LLVMTypeOf(v)) < 64)
		return R_SCALAR;
	if (LLVMIsAGlobalVariable(v))
		return is_slot_global(w, v) ? R_SLOTG : R_RT;
	if (LLVMIsAFunction(v))
		return R_RT;
	if (LLVMIsAArgument(v))
		return v == w->ctx ? R_CTX : R_UNKNOWN;
	if (uxdp_is_bpf_stack(v))
		return R_STACK;
	switch (uxdp_opcode_of(v)) {
	case LLVMPtrToInt:
	case LLVMIntToPtr:
	case LLVMBitCast:
	case LLVMAddrSpaceCast:
		return root_of(w, LLVMGetOperand(v, 0), depth + 1);
	case LLVMGetElementPtr:
		return gep_root(w, v, depth);
	case LLVMOr:
		/* an or of bits known clear is an addition (instcombine's form) */
		if (!LLVMIsAInstruction(v) || !LLVMGetIsDisjoint(v))
			return arith(root_of(w, LLVMGetOperand(v, 0), depth + 1),
				     root_of(w, LLVMGetOperand(v, 1), depth + 1));
		/* fall through */
	case LLVMAdd:
		return add(root_of(w, LLVMGetOperand(v, 0), depth + 1),
			   root_of(w, LLVMGetOperand(v, 1), depth + 1));
	case LLVMSub: {
		enum root a = root_of(w, LLVMGetOperand(v, 0), depth + 1);
		enum root b = root_of(w, LLVMGetOperand(v, 1), depth + 1);

		/* pointer - number; a pointer subtracted is not followed */
		return is_pointer_root(b) ? R_UNKNOWN : add(a, b);
	}
	case LLVMPHI:
		return phi_root(w, v, depth);
	case LLVMSelect:
		return join(root_of(w, LLVMGetOperand(v, 1), depth + 1),
			    root_of(w, LLVMGetOperand(v, 2), depth + 1));
	case LLVMLoad:
		return load_result(w, v, depth);
	case LLVMCall:
		return is_lookup_call(v) ? R_RT : R_UNKNOWN;
	case LLVMMul:
	case LLVMUDiv:
	case LLVMSDiv:
	case LLVMURem:
	case LLVMSRem:
	case LLVMAnd:
	case LLVMXor:
	case LLVMShl:
	case LLVMLShr:
	case LLVMAShr:
	case LLVMICmp:
		return arith(root_of(w, LLVMGetOperand(v, 0), depth + 1),
			     root_of(w, LLVMGetOperand(v, 1), depth + 1));
	case LLVMZExt:
	case LLVMSExt:
	case LLVMTrunc:
		return arith(root_of(w, LLVMGetOperand(v, 0), depth + 1), R_NONE);
	default:
		return R_UNKNOWN;
	}
}

/* What one accessed pointer is rooted in: stack, not the stack, or unknown. */
static enum root access_root(struct walk *w, LLVMValueRef p)
{
	enum root r;

	w->steps = 0;
	w->n_open = 0;
	w->lowest_hit = MAX_OPEN_PHIS;
	r = root_of(w, p, 0);
	return r == R_STACK || is_nonstack(r) ? r : R_UNKNOWN;
}

/* The pointers an instruction accesses memory through (0 if not ours to mark). */
static unsigned accessed_pointers(LLVMValueRef inst, LLVMValueRef ptrs[2])
{
	if (LLVMIsALoadInst(inst) || LLVMIsAAtomicRMWInst(inst) || LLVMIsAAtomicCmpXchgInst(inst)) {
		ptrs[0] = LLVMGetOperand(inst, 0);
		return 1;
	}
	if (LLVMIsAStoreInst(inst)) {
		ptrs[0] = LLVMGetOperand(inst, 1);
		return 1;
	}
	if (LLVMIsAMemSetInst(inst)) {
		ptrs[0] = LLVMGetOperand(inst, 0);
		return 1;
	}
	if (LLVMIsAMemCpyInst(inst) || LLVMIsAMemMoveInst(inst)) {
		ptrs[0] = LLVMGetOperand(inst, 0);
		ptrs[1] = LLVMGetOperand(inst, 1);
		return 2;
	}
	return 0;
}

/* scope added to the instruction's list of `kind`, keeping what is there */
static bool add_scope(LLVMContextRef c, LLVMValueRef inst, unsigned kind, LLVMMetadataRef scope)
{
	LLVMValueRef old = LLVMGetMetadata(inst, kind), ops[MAX_SCOPES];
	unsigned n = old ? LLVMGetMDNodeNumOperands(old) : 0;
	LLVMMetadataRef list[MAX_SCOPES + 1];

	if (n > MAX_SCOPES)
		return false;
	if (n)
		LLVMGetMDNodeOperands(old, ops);
	for (unsigned i = 0; i < n; i++) {
		list[i] = LLVMValueAsMetadata(ops[i]);
		if (list[i] == scope)
			return true;
	}
	list[n] = scope;
	LLVMSetMetadata(inst, kind, LLVMMetadataAsValue(c, LLVMMDNodeInContext2(c, list, n + 1)));
	return true;
}

static bool has_stack(LLVMValueRef fn)
{
	LLVMBasicBlockRef entry = LLVMGetEntryBasicBlock(fn);

	for (LLVMValueRef i = LLVMGetFirstInstruction(entry); i; i = LLVMGetNextInstruction(i))
		if (uxdp_is_bpf_stack(i))
			return true;
	return false;
}

/* The two scopes an access may be put in, or be marked as not aliasing. */
struct scopes {
	unsigned kinds[2];     /* alias.scope, noalias */
	LLVMMetadataRef stack; /* the BPF stack */
	LLVMMetadataRef pkt;   /* the packet's buffer */
};

/* One access marked by where its pointers lead; both of a memcpy must agree. */
static void mark(struct walk *w, LLVMContextRef c, LLVMValueRef inst, const struct scopes *sc)
{
	struct uxdp_pass_stats *st = &w->env->stats;
	LLVMValueRef ptrs[2];
	unsigned n = accessed_pointers(inst, ptrs);
	enum root r, r2;
	bool pkt, nonpkt;

	if (!n)
		return;
	r = access_root(w, ptrs[0]);
	pkt = r == R_PKT;
	nonpkt = is_nonpacket(r);
	if (n == 2) {
		r2 = access_root(w, ptrs[1]);
		pkt = pkt && r2 == R_PKT;
		nonpkt = nonpkt && is_nonpacket(r2);
		if (!(r == R_STACK && r2 == R_STACK) && !(is_nonstack(r) && is_nonstack(r2)))
			r = R_UNKNOWN;
	}
	if (r == R_STACK && add_scope(c, inst, sc->kinds[0], sc->stack))
		st->stack_accesses++;
	else if (is_nonstack(r) && add_scope(c, inst, sc->kinds[1], sc->stack))
		st->nonstack_accesses++;
	else
		st->unknown_accesses++;
	if (pkt && add_scope(c, inst, sc->kinds[0], sc->pkt))
		st->packet_accesses++;
	else if (nonpkt && add_scope(c, inst, sc->kinds[1], sc->pkt))
		st->nonpacket_accesses++;
}

static LLVMMetadataRef new_scope(LLVMContextRef c, const char *name, LLVMMetadataRef domain)
{
	LLVMMetadataRef ops[2] = { LLVMMDStringInContext2(c, name, strlen(name)), domain };

	return LLVMMDNodeInContext2(c, ops, 2);
}

int uxdp_pass_stack_scope(LLVMModuleRef mod, struct uxdp_pass_env *env)
{
	LLVMContextRef c = LLVMGetModuleContext(mod);
	LLVMMetadataRef domain_ops[1] = { LLVMMDStringInContext2(c, "uxdp", 4) };
	LLVMMetadataRef domain = LLVMMDNodeInContext2(c, domain_ops, 1);
	struct scopes sc = { .kinds = { LLVMGetMDKindIDInContext(c, "alias.scope", 11),
					LLVMGetMDKindIDInContext(c, "noalias", 7) },
			     .stack = new_scope(c, "uxdp.stack", domain),
			     .pkt = new_scope(c, "uxdp.packet", domain) };
	struct walk w = { .env = env,
			  .invariant_kind = LLVMGetMDKindIDInContext(c, "invariant.load", 14) };

	for (LLVMValueRef fn = LLVMGetFirstFunction(mod); fn; fn = LLVMGetNextFunction(fn)) {
		if (LLVMIsDeclaration(fn) || !has_stack(fn))
			continue;
		/* the lifter's functions take the ctx first (lift.c), raw ones integers */
		w.ctx = NULL;
		if (LLVMCountParams(fn) &&
		    LLVMGetTypeKind(LLVMTypeOf(LLVMGetParam(fn, 0))) == LLVMPointerTypeKind)
			w.ctx = LLVMGetParam(fn, 0);
		for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(fn); bb; bb = LLVMGetNextBasicBlock(bb))
			for (LLVMValueRef i = LLVMGetFirstInstruction(bb); i; i = LLVMGetNextInstruction(i))
				mark(&w, c, i, &sc);
	}
	return 0;
}
