/* SPDX-License-Identifier: MIT */
/*
 * stack_args.c - a stack piece the runtime is only given to read, copied.
 *
 * After stack_split.c a key the program builds on its stack is an alloca of
 * its own.  If its only uses are loads and stores, LLVM's SROA makes it
 * registers, and an inlined hash lookup hashes and compares the values the
 * program computed.  One call given its address keeps it in memory: the
 * map_update_elem of the miss path (xdp_len_hist inserts a key it did not
 * find), a delete.  Then the program stores the key in the pieces it is
 * made of (a 4-byte address, a 2-byte port) and the lookup reads it back as
 * 8-byte words, which the CPU cannot forward from several stores: the load
 * waits for them to reach the cache (a store-forwarding stall, tens of
 * cycles a packet), besides the stores and loads themselves.
 *
 * The runtime functions below only read the key or value they are given
 * (uxdp/map.h), so such a call can be given a copy instead: a memcpy of the
 * piece from that address to its end into an alloca of its own, just
 * before the call.  SROA then promotes the piece, and the copy becomes a
 * store of the key's value, on the path that calls.  Only when every use
 * of the piece's address is a load, a store, an intrinsic SROA takes apart
 * or such a read (any other escape leaves the piece in memory anyway), and
 * only for pieces of at most 64 bytes.  Runs after stack_split, on what it
 * cut.
 */
#include <stdint.h>
#include <string.h>

#include <llvm-c/Target.h>

#include "passes.h"

#define MAX_COPY 64
#define MAX_CALLS 32 /* call arguments taking a piece's address */

/* Runtime functions and the pointer arguments they only read. */
static const struct {
	const char *name;
	unsigned read_only; /* bit k: argument k */
} readers[] = {
	{ "uxdp_map_lookup", 1u << 1 },
	{ "uxdp_map_lookup_percpu", 1u << 1 },
	{ "uxdp_map_update", 1u << 1 | 1u << 2 },
	{ "uxdp_map_delete_elem", 1u << 1 },
	{ "uxdp_map_push", 1u << 1 },
};

/* The bits of read-only pointer arguments of call, 0 if it is not a reader. */
static unsigned reader_args(LLVMValueRef call)
{
	LLVMValueRef callee = LLVMGetCalledValue(call);
	const char *name;
	size_t len;

	/* the runtime's, not a lifted function that happens to have the name */
	if (!callee || !LLVMIsAFunction(callee) || !LLVMIsDeclaration(callee))
		return 0;
	name = LLVMGetValueName2(callee, &len);
	for (size_t i = 0; i < sizeof(readers) / sizeof(readers[0]); i++)
		if (!strcmp(name, readers[i].name))
			return readers[i].read_only;
	return 0;
}

/*
 * An intrinsic SROA takes apart: memcpy, memmove and memset of a constant
 * length, lifetime and debug markers.  Any other (ptrmask, launder, ...)
 * counts as an escape.
 */
static bool sroa_intrinsic(LLVMValueRef call)
{
	LLVMValueRef callee = LLVMGetCalledValue(call);

	if (!callee || !LLVMIsAFunction(callee))
		return false;
	if (uxdp_named(callee, "llvm.lifetime.") || uxdp_named(callee, "llvm.dbg."))
		return true;
	return uxdp_is_mem_intrinsic(callee) && LLVMIsAConstantInt(LLVMGetOperand(call, 2));
}

struct copy_site {
	LLVMValueRef call;
	unsigned operand;
	int64_t off;
};

struct piece {
	struct copy_site site[MAX_CALLS];
	size_t n;
	unsigned calls; /* calls given a copy */
	bool escapes;   /* used in a way a copy does not cure */
};

static void visit(struct piece *p, LLVMValueRef ptr, int64_t off);

static bool have_site(const struct piece *p, LLVMValueRef call, unsigned k)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->site[i].call == call && p->site[i].operand == k)
			return true;
	return false;
}

/* One use of a pointer into the piece, at byte offset off. */
static void visit_use(struct piece *p, LLVMValueRef user, LLVMValueRef ptr, int64_t off)
{
	int64_t d;

	if (LLVMIsALoadInst(user) || LLVMIsADbgInfoIntrinsic(user))
		return;
	if (LLVMIsAStoreInst(user)) {
		p->escapes |= LLVMGetOperand(user, 0) == ptr; /* the address itself stored */
		return;
	}
	if (LLVMIsAIntrinsicInst(user)) {
		p->escapes |= !sroa_intrinsic(user);
		return;
	}
	if (LLVMIsAGetElementPtrInst(user) && uxdp_const_byte_gep(user, &d)) {
		visit(p, user, off + d);
		return;
	}
	if (LLVMIsACallInst(user)) {
		unsigned ro = reader_args(user), n = LLVMGetNumArgOperands(user);

		for (unsigned k = 0; k < n; k++) {
			if (LLVMGetOperand(user, k) != ptr || have_site(p, user, k))
				continue; /* a call with ptr twice is visited twice */
			if (!(ro & (1u << k)) || p->n == MAX_CALLS) {
				p->escapes = true;
				return;
			}
			p->site[p->n++] = (struct copy_site){ user, k, off };
		}
		return;
	}
	p->escapes = true; /* ptrtoint, phi, select, compare, a variable GEP */
}

static void visit(struct piece *p, LLVMValueRef ptr, int64_t off)
{
	for (LLVMUseRef u = LLVMGetFirstUse(ptr); u && !p->escapes; u = LLVMGetNextUse(u))
		visit_use(p, LLVMGetUser(u), ptr, off);
}

/*
 * Give each call one copy of the piece from the lowest address it is given
 * to the end (a key and a value of one update share it), each argument
 * pointing into the copy where it pointed into the piece.
 */
static void copy_args(LLVMBuilderRef b, LLVMValueRef entry_inst, struct piece *p, uint64_t size,
		      LLVMValueRef piece)
{
	LLVMContextRef c = LLVMGetTypeContext(LLVMTypeOf(entry_inst));
	LLVMTypeRef i8 = LLVMInt8TypeInContext(c), i64 = LLVMInt64TypeInContext(c);

	for (size_t i = 0; i < p->n; i++) {
		LLVMValueRef call = p->site[i].call, tmp, from;
		int64_t lo = p->site[i].off;

		if (!call)
			continue; /* done with an earlier site of its call */
		for (size_t j = i + 1; j < p->n; j++)
			if (p->site[j].call == call && p->site[j].off < lo)
				lo = p->site[j].off;
		LLVMPositionBuilderBefore(b, entry_inst);
		tmp = LLVMBuildAlloca(b, LLVMArrayType2(i8, size - (uint64_t)lo), "arg.copy");
		LLVMSetAlignment(tmp, 8);
		LLVMPositionBuilderBefore(b, call);
		from = LLVMBuildGEP2(b, i8, piece, (LLVMValueRef[]){ LLVMConstInt(i64, (uint64_t)lo, 0) },
				     1, "arg.from");
		LLVMBuildMemCpy(b, tmp, 8, from, 1, LLVMConstInt(i64, size - (uint64_t)lo, 0));
		for (size_t j = i; j < p->n; j++) {
			struct copy_site *s = &p->site[j];
			LLVMValueRef at = tmp;

			if (s->call != call)
				continue;
			if (s->off != lo)
				at = LLVMBuildGEP2(b, i8, tmp,
						   (LLVMValueRef[]){ LLVMConstInt(i64, (uint64_t)(s->off - lo), 0) },
						   1, "arg.at");
			LLVMSetOperand(call, s->operand, at);
			s->call = NULL;
		}
		p->calls++;
	}
}

static void run_on(LLVMValueRef fn, LLVMTargetDataRef layout, LLVMBuilderRef b,
		   struct uxdp_pass_env *env)
{
	LLVMBasicBlockRef entry = LLVMGetEntryBasicBlock(fn);
	LLVMValueRef first = LLVMGetFirstInstruction(entry);

	for (LLVMValueRef a = first; a; a = LLVMGetNextInstruction(a)) {
		struct piece p = { .n = 0 };
		uint64_t size;
		bool ok = true;

		if (!LLVMIsAAllocaInst(a) || !LLVMIsAConstantInt(LLVMGetOperand(a, 0)) ||
		    LLVMConstIntGetZExtValue(LLVMGetOperand(a, 0)) != 1)
			continue;
		size = LLVMABISizeOfType(layout, LLVMGetAllocatedType(a));
		if (size > MAX_COPY)
			continue;
		visit(&p, a, 0);
		for (size_t i = 0; i < p.n; i++)
			ok &= p.site[i].off >= 0 && (uint64_t)p.site[i].off < size;
		if (p.escapes || !p.n || !ok)
			continue;
		copy_args(b, first, &p, size, a);
		env->stats.args_copied += p.calls;
		env->stats.pieces_freed++;
	}
}

int uxdp_pass_stack_args(LLVMModuleRef mod, struct uxdp_pass_env *env)
{
	LLVMTargetDataRef layout = LLVMGetModuleDataLayout(mod);
	LLVMBuilderRef b = LLVMCreateBuilderInContext(LLVMGetModuleContext(mod));

	for (LLVMValueRef f = LLVMGetFirstFunction(mod); f; f = LLVMGetNextFunction(f))
		if (!LLVMIsDeclaration(f) && uxdp_is_lifted(f))
			run_on(f, layout, b, env);
	LLVMDisposeBuilder(b);
	return 0;
}
