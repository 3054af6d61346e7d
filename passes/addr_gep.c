/* SPDX-License-Identifier: MIT */
/*
 * addr_gep.c - a program's addresses as offsets from the pointer they came
 * from.
 *
 * eBPF registers are integers, so the lifter addresses memory as
 * inttoptr(reg + off).  LLVM takes such a pointer to be one that may point
 * wherever the program's integers could reach, so its alias analysis
 * cannot tell two of them apart even when both are a constant apart from
 * one base: the SLP vectoriser does not see that p[0], p[1], ... are
 * adjacent (a MAC address copied from a map value into the packet stays
 * twelve byte copies), and the stack, whose address is an integer, stays
 * captured.
 *
 * In a program the kernel verified or uxdpc confined, a pointer plus
 * numbers stays within the pointer's object (the packet's buffer, the
 * stack, a map value, the ctx): that is what the verifier checks and what
 * confinement's guards enforce.  `getelementptr i8, P, off` says exactly
 * that, so each inttoptr of such a sum becomes one.  The walk goes through
 * sums (add, sub of a number, a disjoint or) and through phis and selects
 * whose every input is such an address or 0 (a map lookup's result is a
 * phi of an element's address and 0), which become pointer phis and
 * selects; the integer phi or select then gives way to ptrtoint of its
 * twin, so that one address is not carried twice.  Integer sums stay for
 * their other users (the packet checks compare integers); a sum of two
 * pointers, a pointer reloaded as an integer, or a loop's pointer is left
 * as it was.
 *
 * It runs after bounds_elim and confine_elim, which match the integer
 * form (confine_elim's run after LLVM's pipeline sees a retired phi as a
 * ptrtoint it does not follow: a missed removal, not a wrong one), and,
 * like stack_scope, only when every program was verified or
 * confined (compiler/pipeline.c).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "opcode.h"
#include "passes.h"
#include "uxdpc.h"

#define MAX_DEPTH 32
#define MAX_HITS 16

/* What an integer value is as a pointer. */
struct memo_entry {
	LLVMValueRef key;
	LLVMValueRef ptr; /* NULL: not an address; busy: being walked, or unknown */
	bool nullable;    /* the pointer may be a 0 from a phi or select */
};

struct memo {
	struct memo_entry *e;
	size_t n, cap;
};

struct gep_walk {
	LLVMBuilderRef b;
	LLVMTypeRef i8, ptr;
	struct memo memo;
	LLVMValueRef busy; /* a marker, never a real value: being walked, or unknown */
	bool unknown;      /* a walk met a value still being walked (a loop) */
	bool oom;
	/* the values still being walked that walks met, innermost last */
	LLVMValueRef hits[MAX_HITS];
	unsigned n_hits; /* MAX_HITS + 1: too many to tell */
};

static struct memo_entry *memo_find(struct memo *m, LLVMValueRef v)
{
	for (size_t k = m->n; k-- > 0;)
		if (m->e[k].key == v)
			return &m->e[k];
	return NULL;
}

/* A new entry for v (not an address, not maybe 0, until set), or NULL. */
static struct memo_entry *memo_add(struct memo *m, LLVMValueRef v)
{
	if (m->n == m->cap) {
		size_t cap = m->cap * 2 + 64;
		struct memo_entry *e = realloc(m->e, cap * sizeof(*e));

		if (!e)
			return NULL;
		m->e = e;
		m->cap = cap;
	}
	m->e[m->n] = (struct memo_entry){ .key = v };
	return &m->e[m->n++];
}

/* Was v's pointer built from a phi or select with a 0 input? */
static bool memo_nullable(struct memo *m, LLVMValueRef v)
{
	struct memo_entry *e = memo_find(m, v);

	return e && e->nullable;
}

static void memo_set_nullable(struct memo *m, LLVMValueRef v)
{
	struct memo_entry *e = memo_find(m, v);

	if (e)
		e->nullable = true;
}

static bool is_int64(LLVMValueRef v)
{
	LLVMTypeRef t = LLVMTypeOf(v);

	return LLVMGetTypeKind(t) == LLVMIntegerTypeKind && LLVMGetIntTypeWidth(t) == 64;
}

static bool is_zero(LLVMValueRef v)
{
	return (LLVMIsAConstantInt(v) && !LLVMConstIntGetZExtValue(v)) || LLVMIsAUndefValue(v) ||
	       LLVMIsAPoisonValue(v);
}

static LLVMValueRef pointer_of(struct gep_walk *w, LLVMValueRef v, int depth);

/* The builder just after v's definition (after the phis of its block). */
static void after(struct gep_walk *w, LLVMValueRef v)
{
	LLVMValueRef next = LLVMGetNextInstruction(v);

	while (next && LLVMIsAPHINode(next))
		next = LLVMGetNextInstruction(next);
	LLVMPositionBuilderBefore(w->b, next);
}

/*
 * v = a + b (or a - b), exactly one of them an address: the other is the
 * offset.  Only a constant is subtracted: a pointer minus a pointer is a
 * number (data_end - data), and the walk cannot always see that the
 * subtrahend is one.  A base that may be the 0 of a phi (a lookup's
 * result on its miss path) takes only constant offsets: on that path the
 * program may have added a pointer to the 0 that the walk cannot see.
 */
static LLVMValueRef sum(struct gep_walk *w, LLVMValueRef v, bool minus, int depth)
{
	LLVMValueRef a = LLVMGetOperand(v, 0), b = LLVMGetOperand(v, 1), pa, pb, base, off;
	bool outer = w->unknown;

	if (minus && !LLVMIsAConstantInt(b))
		return NULL;
	w->unknown = false;
	pa = pointer_of(w, a, depth + 1);
	pb = minus ? NULL : pointer_of(w, b, depth + 1);
	/* a side not known yet (a loop's phi) may be a pointer: no offset */
	if (w->unknown)
		return NULL;
	w->unknown = outer;
	if (!pa == !pb)
		return NULL; /* two pointers, or none */
	base = pa ? pa : pb;
	off = pa ? b : a;
	if (memo_nullable(&w->memo, pa ? a : b)) {
		if (!LLVMIsAConstantInt(off))
			return NULL;
		memo_set_nullable(&w->memo, v);
	}
	after(w, v);
	if (minus)
		off = LLVMConstNeg(off);
	return LLVMBuildGEP2(w->b, w->i8, base, &off, 1, "addr");
}

/* Did every walk that met a value still being walked, since hit number first, meet v? */
static bool only_cycles_to(const struct gep_walk *w, unsigned first, LLVMValueRef v)
{
	if (w->n_hits > MAX_HITS)
		return false;
	for (unsigned k = first; k < w->n_hits; k++)
		if (w->hits[k] != v)
			return false;
	return true;
}

/*
 * A phi whose every input is an address or 0 becomes a pointer phi too.
 * One with a number among its inputs is a number.  One whose inputs come
 * back to itself (a loop) is a number when its other inputs are (a loop
 * counter from 0), and unknown when one is an address: a pointer walking a
 * loop, which is left as it is and must not pass for an offset either.
 */
static LLVMValueRef phi(struct gep_walk *w, LLVMValueRef v, int depth)
{
	unsigned n = LLVMCountIncoming(v), first_hit = w->n_hits;
	LLVMValueRef in[n ? n : 1], p;
	LLVMBasicBlockRef from[n ? n : 1];
	bool any = false, nullable = false, cycle = false;

	for (unsigned k = 0; k < n; k++) {
		LLVMValueRef x = LLVMGetIncomingValue(v, k);

		from[k] = LLVMGetIncomingBlock(v, k);
		if (is_zero(x)) {
			in[k] = LLVMConstNull(w->ptr);
			nullable = true;
			continue;
		}
		w->unknown = false;
		if ((in[k] = pointer_of(w, x, depth + 1))) {
			nullable = nullable || memo_nullable(&w->memo, x);
			any = true;
		} else if (w->unknown) {
			cycle = true;
		} else {
			w->unknown = false;
			return NULL; /* a number among the inputs */
		}
	}
	if (cycle) {
		/* a cycle through v alone, and no address: a loop counter */
		w->unknown = any || !only_cycles_to(w, first_hit, v);
		if (!w->unknown)
			w->n_hits = first_hit;
		return NULL;
	}
	if (!any)
		return NULL;
	if (nullable)
		memo_set_nullable(&w->memo, v);
	LLVMPositionBuilderBefore(w->b, v);
	p = LLVMBuildPhi(w->b, w->ptr, "addr");
	LLVMAddIncoming(p, in, from, n);
	return p;
}

/* A select of two addresses, or of an address and 0, becomes a pointer select. */
static LLVMValueRef select_of(struct gep_walk *w, LLVMValueRef v, int depth)
{
	LLVMValueRef arm[2];
	bool nullable = false;

	for (int k = 0; k < 2; k++) {
		LLVMValueRef x = LLVMGetOperand(v, 1 + k);

		arm[k] = is_zero(x) ? LLVMConstNull(w->ptr) : pointer_of(w, x, depth + 1);
		if (!arm[k])
			return NULL;
		nullable = nullable || is_zero(x) || memo_nullable(&w->memo, x);
	}
	if (LLVMIsNull(arm[0]) && LLVMIsNull(arm[1]))
		return NULL;
	if (nullable)
		memo_set_nullable(&w->memo, v);
	after(w, v);
	return LLVMBuildSelect(w->b, LLVMGetOperand(v, 0), arm[0], arm[1], "addr");
}

static LLVMValueRef walk(struct gep_walk *w, LLVMValueRef v, int depth)
{
	switch (uxdp_opcode_of(v)) {
	case LLVMPtrToInt: {
		LLVMValueRef p = LLVMGetOperand(v, 0);

		/* not an inttoptr: this pass erases those it rewrites */
		return LLVMTypeOf(p) == w->ptr && !LLVMIsAIntToPtrInst(p) ? p : NULL;
	}
	case LLVMOr:
		/* an or of bits known clear is an addition (instcombine's form) */
		if (!LLVMIsAInstruction(v) || !LLVMGetIsDisjoint(v))
			return NULL;
		/* fall through */
	case LLVMAdd:
		return LLVMIsAInstruction(v) ? sum(w, v, false, depth) : NULL;
	case LLVMSub:
		return LLVMIsAInstruction(v) ? sum(w, v, true, depth) : NULL;
	case LLVMPHI:
		return phi(w, v, depth);
	case LLVMSelect:
		return select_of(w, v, depth);
	default:
		return NULL;
	}
}

/*
 * The integer phi or select v now has a pointer twin p: its other users
 * (the null checks, the packet checks, sums) take ptrtoint(p) instead, so
 * that the register allocator does not carry the same address twice
 * through every block (a VLAN walk's header pointer, one per tag).
 */
static void retire_integer(struct gep_walk *w, LLVMValueRef v, LLVMValueRef p)
{
	bool nullable = memo_nullable(&w->memo, v);
	struct memo_entry *e;
	LLVMValueRef as_int;

	after(w, p);
	as_int = LLVMBuildPtrToInt(w->b, p, LLVMTypeOf(v), "addr.int");
	/* the ptrtoint is walked in v's place: the same twin, maybe 0 as v was */
	if (!(e = memo_add(&w->memo, as_int))) {
		w->oom = true;
		return;
	}
	e->ptr = p;
	e->nullable = nullable;
	LLVMReplaceAllUsesWith(v, as_int);
}

/* v as a pointer with the provenance of the pointer it was computed from, or NULL. */
static LLVMValueRef pointer_of(struct gep_walk *w, LLVMValueRef v, int depth)
{
	struct memo_entry *e;
	LLVMValueRef p;
	bool outer;

	if (depth > MAX_DEPTH || !is_int64(v))
		return NULL;
	if ((e = memo_find(&w->memo, v))) {
		if (e->ptr != w->busy)
			return e->ptr;
		w->unknown = true; /* a loop's value: not followed, and not a number either */
		if (w->n_hits < MAX_HITS)
			w->hits[w->n_hits++] = v;
		else
			w->n_hits = MAX_HITS + 1;
		return NULL;
	}
	if (!(e = memo_add(&w->memo, v))) {
		w->oom = true;
		return NULL;
	}
	e->ptr = w->busy;
	outer = w->unknown;
	w->unknown = false;
	p = walk(w, v, depth);
	/* the memo may have moved while walking; what met a loop stays unknown */
	memo_find(&w->memo, v)->ptr = p || !w->unknown ? p : w->busy;
	w->unknown = outer || (w->unknown && !p);
	if (p && (LLVMIsAPHINode(v) || LLVMIsASelectInst(v)))
		retire_integer(w, v, p);
	return p;
}

int uxdp_pass_addr_gep(LLVMModuleRef mod, struct uxdp_pass_env *env)
{
	LLVMContextRef c = LLVMGetModuleContext(mod);
	struct gep_walk w = { .b = LLVMCreateBuilderInContext(c), .i8 = LLVMInt8TypeInContext(c),
			      .ptr = LLVMPointerTypeInContext(c, 0) };

	w.busy = LLVMConstNull(w.i8);
	for (LLVMValueRef fn = LLVMGetFirstFunction(mod); fn; fn = LLVMGetNextFunction(fn)) {
		/* the lifter's functions, with what was inlined into them: not the
		 * runtime's helpers left as functions, whose C is not verified */
		if (LLVMIsDeclaration(fn) || !uxdp_is_lifted(fn))
			continue;
		w.memo.n = 0;
		for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(fn); bb; bb = LLVMGetNextBasicBlock(bb)) {
			LLVMValueRef i = LLVMGetFirstInstruction(bb), next, p;

			for (; i; i = next) {
				next = LLVMGetNextInstruction(i);
				if (!LLVMIsAIntToPtrInst(i) || LLVMTypeOf(i) != w.ptr)
					continue;
				w.unknown = false;
				w.n_hits = 0;
				if (!(p = pointer_of(&w, LLVMGetOperand(i, 0), 0))) {
					env->stats.addresses_left++;
					continue;
				}
				LLVMReplaceAllUsesWith(i, p);
				LLVMInstructionEraseFromParent(i);
				env->stats.addresses_rewritten++;
			}
		}
	}
	free(w.memo.e);
	LLVMDisposeBuilder(w.b);
	return w.oom ? diag_error(env->diag, -ENOMEM, "addr-gep: out of memory") : 0;
}
