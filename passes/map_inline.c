/* SPDX-License-Identifier: MIT */
/*
 * map_inline.c - array map lookups as direct code.
 *
 * A bpf_map_lookup_elem on a map the program names at compile time (its
 * lddw slot is known) needs no call when the map is a BPF_MAP_TYPE_ARRAY:
 * the kernel's array_map_lookup_elem is "index < max_entries ? value : NULL",
 * and the runtime lays values out as data + index * round_up(value_size, 8)
 * (runtime/include/uxdp/map.h).  So the call becomes that compare and an
 * address computed from the slot's data pointer, which the runtime fills
 * before the first packet: the map stays the shared memory the control plane
 * sees.  Per-CPU arrays and hash maps keep their (inlinable) helper call.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/bpf.h>

#include "passes.h"
#include "uxdpc.h"

static int slot_index(const struct uxdp_pass_env *env, LLVMValueRef slot)
{
	for (size_t k = 0; k < env->obj->n_maps; k++)
		if (env->map_slots[k] && env->map_slots[k] == slot)
			return (int)k;
	return -1;
}

/* The map an i64 map argument comes from: ptrtoint(load @slot). */
static int map_of_arg(const struct uxdp_pass_env *env, LLVMValueRef arg)
{
	LLVMValueRef p;

	if (!LLVMIsAPtrToIntInst(arg))
		return -1;
	p = LLVMGetOperand(arg, 0);
	if (!LLVMIsALoadInst(p))
		return -1;
	return slot_index(env, LLVMGetOperand(p, 0));
}

static bool is_call_to(LLVMValueRef inst, const char *name)
{
	LLVMValueRef callee;
	size_t len;

	if (!LLVMIsACallInst(inst))
		return false;
	callee = LLVMGetCalledValue(inst);
	if (!callee || !LLVMIsAFunction(callee))
		return false;
	return !strcmp(LLVMGetValueName2(callee, &len), name);
}

static void inline_array_lookup(LLVMBuilderRef b, LLVMValueRef call, LLVMValueRef slot,
				const struct uxdp_map_info *map)
{
	LLVMContextRef c = LLVMGetTypeContext(LLVMTypeOf(call));
	LLVMTypeRef i8 = LLVMInt8TypeInContext(c), i32 = LLVMInt32TypeInContext(c);
	LLVMTypeRef i64 = LLVMInt64TypeInContext(c), ptr = LLVMPointerTypeInContext(c, 0);
	LLVMTypeRef slot_t = LLVMStructTypeInContext(c, (LLVMTypeRef[]){ ptr, ptr }, 2, 0);
	uint64_t stride = ((uint64_t)map->value_size + 7) & ~7ULL;
	LLVMValueRef key_p, key, in_range, data_p, data, off, addr, res;
	unsigned invariant = LLVMGetMDKindIDInContext(c, "invariant.load", 14);

	LLVMPositionBuilderBefore(b, call);
	key_p = LLVMBuildIntToPtr(b, LLVMGetOperand(call, 1), ptr, "key.p");
	key = LLVMBuildLoad2(b, i32, key_p, "index");
	LLVMSetAlignment(key, 1);
	in_range = LLVMBuildICmp(b, LLVMIntULT, key, LLVMConstInt(i32, map->max_entries, 0),
				 "in_range");
	data_p = LLVMBuildStructGEP2(b, slot_t, slot, 1, "");
	data = LLVMBuildLoad2(b, ptr, data_p, "array.data");
	LLVMSetMetadata(data, invariant, LLVMMDNodeInContext(c, NULL, 0));
	LLVMSetAlignment(data, 8);
	off = LLVMBuildMul(b, LLVMBuildZExt(b, key, i64, ""), LLVMConstInt(i64, stride, 0), "");
	addr = LLVMBuildGEP2(b, i8, data, &off, 1, "elem");
	res = LLVMBuildSelect(b, in_range, LLVMBuildPtrToInt(b, addr, i64, ""),
			      LLVMConstInt(i64, 0, 0), "lookup");
	LLVMReplaceAllUsesWith(call, res);
	LLVMInstructionEraseFromParent(call);
}

int uxdp_pass_map_inline(LLVMModuleRef mod, struct uxdp_pass_env *env)
{
	LLVMContextRef c = LLVMGetModuleContext(mod);
	LLVMBuilderRef b = LLVMCreateBuilderInContext(c);

	for (LLVMValueRef f = LLVMGetFirstFunction(mod); f; f = LLVMGetNextFunction(f)) {
		for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(f); bb;
		     bb = LLVMGetNextBasicBlock(bb)) {
			LLVMValueRef inst = LLVMGetFirstInstruction(bb);

			while (inst) {
				LLVMValueRef next = LLVMGetNextInstruction(inst);
				int k;

				if (is_call_to(inst, "uxdp_helper_map_lookup_elem") &&
				    (k = map_of_arg(env, LLVMGetOperand(inst, 0))) >= 0 &&
				    env->obj->maps[k].type == BPF_MAP_TYPE_ARRAY &&
				    env->obj->maps[k].key_size == 4) {
					inline_array_lookup(b, inst, env->map_slots[k],
							    &env->obj->maps[k]);
					env->stats.maps_inlined++;
				}
				inst = next;
			}
		}
	}
	LLVMDisposeBuilder(b);
	return 0;
}
