/* SPDX-License-Identifier: MIT */
/*
 * stack_split.c - the BPF stack cut into the pieces the program uses.
 *
 * The lifter gives each function one 512-byte alloca for its BPF stack.
 * Once addr_gep.c has made its addresses GEPs, LLVM's SROA can split an
 * alloca whose every access is at a known offset, but not one of whose
 * addresses is handed to a call: a key passed to a map lookup the runtime
 * does not inline, bpf_fib_lookup's parameters.  Then the whole 512 bytes
 * stay in memory, every slot in them is a load and a store, a dead store to
 * a slot no one reads is kept (a stats key), and the frame is too big for
 * the red zone, which costs the sub/add of the stack pointer in a leaf.
 *
 * This pass cuts the alloca where no access crosses: each access gives a
 * byte range (a load or store its size, a memcpy or memset its constant
 * length), ranges that overlap go into one piece, and each piece becomes an
 * alloca of its own.  A call given a stack address may use the bytes from
 * that address to the top of the stack (the runtime's helpers read a key or
 * fill a struct from the pointer they are given on, never below it: they
 * are C, for which the object starts at that pointer), so its range runs
 * to 512, and so does an address plus a variable known to be 0 or more
 * (an inlined LPM walk indexing its key's bytes).  Anything else done with
 * a stack address (stored, compared, turned back into an integer, merged in
 * a phi, given to one of the program's own functions that was not inlined,
 * offset by a variable that may be negative) leaves that function's stack
 * as it was.  An address the lifter still holds as an integer counts when
 * it only has constants added and goes to calls (a hash lookup's key, an
 * i64 argument of the runtime's specialised lookups).  The verifier keeps every access
 * within the bytes its address names, so an access to one piece never
 * reaches another.
 *
 * It runs after addr_gep (whose GEPs it reads) and only where that ran: in
 * programs the kernel verified or uxdpc confined.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <llvm-c/Target.h>

#include "opcode.h"
#include "passes.h"
#include "uxdpc.h"

#define STACK_BYTES 512
#define MAX_ACCESSES 4096

/* One operand that takes a stack address: instruction, operand, byte offset. */
struct access {
	LLVMValueRef inst;
	unsigned operand;
	int64_t off;
	int64_t lo, hi; /* the bytes it may touch */
};

struct split {
	LLVMTargetDataRef layout;
	struct access acc[MAX_ACCESSES];
	size_t n;
	LLVMValueRef *work; /* values pointing into the stack, and their offsets */
	int64_t *work_off;
	size_t n_work, cap_work;
	bool oom;
};

static bool push(struct split *s, LLVMValueRef v, int64_t off)
{
	if (s->n_work == s->cap_work) {
		size_t cap = s->cap_work * 2 + 32;
		LLVMValueRef *w = realloc(s->work, cap * sizeof(*w));
		int64_t *o;

		if (!w) {
			s->oom = true;
			return false;
		}
		s->work = w;
		if (!(o = realloc(s->work_off, cap * sizeof(*o)))) {
			s->oom = true;
			return false;
		}
		s->work_off = o;
		s->cap_work = cap;
	}
	s->work[s->n_work] = v;
	s->work_off[s->n_work++] = off;
	return true;
}

static bool record(struct split *s, LLVMValueRef inst, unsigned operand, int64_t off, int64_t size)
{
	if (s->n == MAX_ACCESSES || off < 0 || size <= 0 || off + size > STACK_BYTES)
		return false;
	s->acc[s->n++] = (struct access){ inst, operand, off, off, off + size };
	return true;
}

static int64_t store_size(const struct split *s, LLVMTypeRef t)
{
	return (int64_t)LLVMStoreSizeOfType(s->layout, t);
}

/* Does the call hand one of the program's functions over (bpf_loop, for_each)? */
static bool passes_callback(LLVMValueRef call)
{
	unsigned n = LLVMGetNumArgOperands(call);

	for (unsigned k = 0; k < n; k++) {
		LLVMValueRef a = LLVMGetOperand(call, k);

		while (uxdp_opcode_of(a) == LLVMPtrToInt || uxdp_opcode_of(a) == LLVMBitCast)
			a = LLVMGetOperand(a, 0);
		if (LLVMIsAFunction(a) && uxdp_is_lifted(a))
			return true;
	}
	return false;
}

/*
 * Does the call use what a stack address it is given points to from that
 * address on, never below it?  memset/memcpy/memmove, and the runtime's
 * functions; not an indirect call or one of the program's own functions,
 * which may reach below the address, nor a call that also gets a callback
 * of the program's, which may read the caller's stack on either side of
 * the address it is given (bpf_loop's context).
 */
static bool reads_forward(LLVMValueRef call)
{
	LLVMValueRef callee = LLVMGetCalledValue(call);

	if (!callee || !LLVMIsAFunction(callee))
		return false;
	if (uxdp_is_mem_intrinsic(callee))
		return true;
	return !uxdp_named(callee, "llvm.") && !uxdp_is_lifted(callee) && !passes_callback(call);
}

/* A call given a stack address as argument k: a constant length, or to the top. */
static bool call_use(struct split *s, LLVMValueRef call, unsigned k, int64_t off)
{
	LLVMValueRef len;

	if (k >= LLVMGetNumArgOperands(call) || !reads_forward(call))
		return false; /* the callee operand itself, or a call that may reach below */
	if (uxdp_is_mem_intrinsic(LLVMGetCalledValue(call))) {
		len = LLVMGetOperand(call, 2);
		if (k > 1 || !LLVMIsAConstantInt(len))
			return false;
		return record(s, call, k, off, (int64_t)LLVMConstIntGetZExtValue(len));
	}
	return record(s, call, k, off, STACK_BYTES - off);
}

/* Every argument of call from operand first on that is the stack address v. */
static bool call_args(struct split *s, LLVMValueRef call, LLVMValueRef v, unsigned first,
		      int64_t off)
{
	unsigned n = (unsigned)LLVMGetNumOperands(call);

	for (unsigned op = first; op < n; op++)
		if (LLVMGetOperand(call, op) == v && !call_use(s, call, op, off))
			return false;
	return true;
}

/* Known to be 0 or more: what the inlined walks index their keys with. */
static bool nonnegative(LLVMValueRef v)
{
	LLVMValueRef k;

	if (LLVMIsAConstantInt(v))
		return LLVMConstIntGetSExtValue(v) >= 0;
	switch (uxdp_opcode_of(v)) {
	case LLVMZExt:
		return true;
	case LLVMLShr:
		k = LLVMGetOperand(v, 1);
		return LLVMIsAConstantInt(k) && LLVMConstIntGetZExtValue(k) > 0;
	case LLVMAnd:
		return nonnegative(LLVMGetOperand(v, 0)) || nonnegative(LLVMGetOperand(v, 1));
	default:
		return false;
	}
}

/*
 * A stack address plus a number of 0 or more: it may reach any byte from
 * its base to the top, so it may only be read, written, offset on (by 0 or
 * more) and given to calls, never kept.
 */
static bool forward_only(LLVMValueRef v, int depth)
{
	if (depth > 8)
		return false;
	for (LLVMUseRef u = LLVMGetFirstUse(v); u; u = LLVMGetNextUse(u)) {
		LLVMValueRef user = LLVMGetUser(u);
		bool ok;

		if (LLVMIsAGetElementPtrInst(user))
			ok = LLVMGetOperand(user, 0) == v && LLVMGetNumOperands(user) == 2 &&
			     LLVMGetOperand(user, 1) != v && nonnegative(LLVMGetOperand(user, 1)) &&
			     forward_only(user, depth + 1);
		else if (LLVMIsALoadInst(user))
			ok = true;
		else if (LLVMIsAStoreInst(user))
			ok = LLVMGetOperand(user, 0) != v;
		else if (LLVMIsACallInst(user))
			ok = LLVMGetCalledValue(user) != v && reads_forward(user);
		else
			ok = false;
		if (!ok)
			return false;
	}
	return true;
}

/*
 * A stack address as an integer (the lifter passes keys to the runtime's
 * lookups as i64): a constant added, or handed to a call as it is.
 */
static bool integer_use(struct split *s, LLVMValueRef v, LLVMValueRef user, unsigned op,
			int64_t off)
{
	LLVMValueRef other;

	switch (LLVMIsAInstruction(user) ? LLVMGetInstructionOpcode(user) : 0) {
	case LLVMOr:
		if (!LLVMGetIsDisjoint(user))
			return false;
		/* fall through */
	case LLVMAdd:
		other = LLVMGetOperand(user, 1 - op);
		return other != v && LLVMIsAConstantInt(other) &&
		       push(s, user, off + LLVMConstIntGetSExtValue(other));
	case LLVMSub:
		other = LLVMGetOperand(user, 1);
		return op == 0 && LLVMIsAConstantInt(other) &&
		       push(s, user, off - LLVMConstIntGetSExtValue(other));
	case LLVMIntToPtr:
		return push(s, user, off);
	case LLVMCall:
		return call_args(s, user, v, op, off);
	default:
		return false;
	}
}

/* Every use of the stack alloca, followed through constant GEPs. */
static bool collect(struct split *s, LLVMValueRef stack)
{
	s->n = s->n_work = 0;
	if (!push(s, stack, 0))
		return false;
	while (s->n_work) {
		LLVMValueRef v = s->work[--s->n_work];
		int64_t off = s->work_off[s->n_work], k;
		bool is_int = LLVMGetTypeKind(LLVMTypeOf(v)) == LLVMIntegerTypeKind;

		for (LLVMUseRef u = LLVMGetFirstUse(v); u; u = LLVMGetNextUse(u)) {
			LLVMValueRef user = LLVMGetUser(u);
			unsigned op = 0, n = (unsigned)LLVMGetNumOperands(user);
			bool ok;

			while (op < n && LLVMGetOperand(user, op) != v)
				op++;
			if (is_int)
				ok = integer_use(s, v, user, op, off);
			else if (LLVMIsAPtrToIntInst(user))
				ok = push(s, user, off);
			else if (LLVMIsAGetElementPtrInst(user) && op == 0 && uxdp_const_byte_gep(user, &k))
				ok = push(s, user, off + k);
			else if (LLVMIsAGetElementPtrInst(user) && op == 0 && n == 2 &&
				 LLVMGetOperand(user, 1) != v && nonnegative(LLVMGetOperand(user, 1)))
				ok = forward_only(user, 0) && record(s, user, 0, off, STACK_BYTES - off);
			else if (LLVMIsALoadInst(user))
				ok = record(s, user, 0, off, store_size(s, LLVMTypeOf(user)));
			else if (LLVMIsAStoreInst(user) && op == 1 && LLVMGetOperand(user, 0) != v)
				ok = record(s, user, 1, off, store_size(s, LLVMTypeOf(LLVMGetOperand(user, 0))));
			else if (LLVMIsACallInst(user))
				ok = call_args(s, user, v, op, off);
			else
				ok = false;
			if (!ok)
				return false;
		}
	}
	return true;
}

static int by_lo(const void *a, const void *b)
{
	const struct access *x = a, *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* Would cut() make one piece of the whole stack (the ranges sorted by lo)? */
static bool one_whole_piece(const struct split *s)
{
	int64_t hi = s->acc[0].hi;

	if (s->acc[0].lo >= 16)
		return false;
	for (size_t k = 1; k < s->n; k++) {
		if (s->acc[k].lo >= hi)
			return false; /* a second run: cut() makes two pieces */
		if (s->acc[k].hi > hi)
			hi = s->acc[k].hi;
	}
	return hi == STACK_BYTES;
}

/* One alloca per run of overlapping ranges (sorted by lo); each access moved onto its own. */
static unsigned cut(struct split *s, LLVMBuilderRef b, LLVMContextRef c, LLVMValueRef stack)
{
	LLVMTypeRef i8 = LLVMInt8TypeInContext(c), i64 = LLVMInt64TypeInContext(c);
	unsigned pieces = 0;
	size_t first = 0;

	LLVMPositionBuilderBefore(b, stack);
	while (first < s->n) {
		int64_t lo = s->acc[first].lo, hi = s->acc[first].hi;
		size_t end = first + 1;
		LLVMValueRef piece;
		char name[32];

		while (end < s->n && s->acc[end].lo < hi) {
			if (s->acc[end].hi > hi)
				hi = s->acc[end].hi;
			end++;
		}
		/*
		 * Each piece starts on the 16-byte boundary at or below its
		 * first byte, as aligned as the whole stack was, so every
		 * access keeps the alignment its offset gave it (instcombine
		 * raises a memcpy's to what the stack's offset allows).
		 */
		lo &= ~(int64_t)15;
		snprintf(name, sizeof(name), "stack.%lld", (long long)lo);
		piece = LLVMBuildAlloca(b, LLVMArrayType2(i8, (uint64_t)(hi - lo)), name);
		LLVMSetAlignment(piece, 16);
		for (size_t k = first; k < end; k++) {
			LLVMValueRef idx = LLVMConstInt(i64, (uint64_t)(s->acc[k].off - lo), false);
			LLVMValueRef p = s->acc[k].off == lo ? piece
							     : LLVMBuildGEP2(b, i8, piece, &idx, 1, "slot");
			LLVMTypeRef want = LLVMTypeOf(LLVMGetOperand(s->acc[k].inst, s->acc[k].operand));

			/* a key handed to a call as the lifter's i64 */
			if (LLVMGetTypeKind(want) == LLVMIntegerTypeKind)
				p = LLVMBuildPtrToInt(b, p, want, "slot.int");
			LLVMSetOperand(s->acc[k].inst, s->acc[k].operand, p);
		}
		pieces++;
		first = end;
	}
	return pieces;
}

int uxdp_pass_stack_split(LLVMModuleRef mod, struct uxdp_pass_env *env)
{
	LLVMContextRef c = LLVMGetModuleContext(mod);
	LLVMBuilderRef b = LLVMCreateBuilderInContext(c);
	struct split *s = calloc(1, sizeof(*s));
	int err = 0;

	if (!s) {
		LLVMDisposeBuilder(b);
		return diag_error(env->diag, -ENOMEM, "stack-split: out of memory");
	}
	s->layout = LLVMGetModuleDataLayout(mod);
	for (LLVMValueRef fn = LLVMGetFirstFunction(mod); fn; fn = LLVMGetNextFunction(fn)) {
		LLVMBasicBlockRef entry;

		if (LLVMIsDeclaration(fn) || !uxdp_is_lifted(fn))
			continue;
		entry = LLVMGetEntryBasicBlock(fn);
		for (LLVMValueRef i = LLVMGetFirstInstruction(entry); i; i = LLVMGetNextInstruction(i)) {
			bool keep;

			if (!uxdp_is_bpf_stack(i))
				continue;
			if (!collect(s, i) || !s->n)
				keep = true;
			else {
				qsort(s->acc, s->n, sizeof(s->acc[0]), by_lo);
				keep = one_whole_piece(s);
			}
			if (keep) {
				env->stats.stacks_kept++;
				continue;
			}
			env->stats.stack_pieces += cut(s, b, c, i);
			env->stats.stacks_split++;
		}
	}
	if (s->oom)
		err = diag_error(env->diag, -ENOMEM, "stack-split: out of memory");
	free(s->work);
	free(s->work_off);
	free(s);
	LLVMDisposeBuilder(b);
	return err;
}
