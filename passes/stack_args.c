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
 * store of the key's value, on the path that calls.  Only when every call
 * that takes the piece's address is such a read (any other escape leaves
 * the piece in memory anyway), and only for pieces of at most 64 bytes.
 * Runs after stack_split, on what it cut.
 */
#include <stdint.h>
#include <string.h>

#include <llvm-c/Target.h>

#include "passes.h"

#define MAX_COPY 64
#define MAX_CALLS 32

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

	if (!callee || !LLVMIsAFunction(callee))
		return 0;
	name = LLVMGetValueName2(callee, &len);
	for (size_t i = 0; i < sizeof(readers) / sizeof(readers[0]); i++)
		if (!strcmp(name, readers[i].name))
			return readers[i].read_only;
	return 0;
}

/* A GEP i8 by one constant: its offset in *off. */
static bool const_i8_gep(LLVMValueRef v, int64_t *off)
{
	LLVMValueRef idx;
	LLVMContextRef c;

	if (!LLVMIsAGetElementPtrInst(v) || LLVMGetNumOperands(v) != 2)
		return false;
	c = LLVMGetTypeContext(LLVMTypeOf(v));
	idx = LLVMGetOperand(v, 1);
	if (LLVMGetGEPSourceElementType(v) != LLVMInt8TypeInContext(c) || !LLVMIsAConstantInt(idx))
		return false;
	*off = LLVMConstIntGetSExtValue(idx);
	return true;
}

struct copy_site {
	LLVMValueRef call;
	unsigned operand;
	int64_t off;
};

struct piece {
	struct copy_site site[MAX_CALLS];
	size_t n;
	bool escapes; /* used in a way a copy does not cure */
};

static void visit(struct piece *p, LLVMValueRef ptr, int64_t off);

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
	if (LLVMIsAMemIntrinsic(user) || LLVMIsAIntrinsicInst(user))
		return; /* memcpy, memset, lifetime markers: SROA knows them */
	if (const_i8_gep(user, &d)) {
		visit(p, user, off + d);
		return;
	}
	if (LLVMIsACallInst(user)) {
		unsigned ro = reader_args(user), n = LLVMGetNumArgOperands(user);

		for (unsigned k = 0; k < n; k++) {
			if (LLVMGetOperand(user, k) != ptr)
				continue;
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

/* Give each call a copy of the piece from its address to the end. */
static void copy_args(LLVMBuilderRef b, LLVMValueRef entry_inst, struct piece *p, uint64_t size)
{
	LLVMContextRef c = LLVMGetTypeContext(LLVMTypeOf(entry_inst));
	LLVMTypeRef i8 = LLVMInt8TypeInContext(c), i64 = LLVMInt64TypeInContext(c);

	for (size_t i = 0; i < p->n; i++) {
		const struct copy_site *s = &p->site[i];
		uint64_t len = size - (uint64_t)s->off;
		LLVMValueRef tmp;

		LLVMPositionBuilderBefore(b, entry_inst);
		tmp = LLVMBuildAlloca(b, LLVMArrayType2(i8, len), "arg.copy");
		LLVMSetAlignment(tmp, 8);
		LLVMPositionBuilderBefore(b, s->call);
		LLVMBuildMemCpy(b, tmp, 8, LLVMGetOperand(s->call, s->operand), 1,
				LLVMConstInt(i64, len, 0));
		LLVMSetOperand(s->call, s->operand, tmp);
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

		if (!LLVMIsAAllocaInst(a))
			continue;
		size = LLVMABISizeOfType(layout, LLVMGetAllocatedType(a));
		if (size > MAX_COPY || LLVMIsAConstantInt(LLVMGetOperand(a, 0)) == NULL)
			continue;
		visit(&p, a, 0);
		for (size_t i = 0; i < p.n; i++)
			ok &= p.site[i].off >= 0 && (uint64_t)p.site[i].off < size;
		if (p.escapes || !p.n || !ok)
			continue;
		copy_args(b, first, &p, size);
		env->stats.args_copied += (unsigned)p.n;
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
