/* SPDX-License-Identifier: MIT */
/*
 * map_inline.c - map lookups as direct code.
 *
 * A bpf_map_lookup_elem on a map the program names at compile time (its
 * lddw slot is known) needs no call when the map is a BPF_MAP_TYPE_ARRAY:
 * the kernel's array_map_lookup_elem is "index < max_entries ? value : NULL",
 * and the runtime lays values out as data + index * round_up(value_size, 8)
 * (runtime/include/uxdp/map.h).  So the call becomes that compare and an
 * address computed from the slot's data pointer, which the runtime fills
 * before the first packet: the map stays the shared memory the control plane
 * sees.
 *
 * A BPF_MAP_TYPE_PERCPU_ARRAY is the same with the value of CPU c at
 * data + c * span + index * stride (span: UXDP_PERCPU_ARRAY_SPAN, a
 * constant, since an array's size is compiled in).  data and ncpus are read from the map
 * handle (struct uxdp_map_fast; ncpus is a runtime choice, the number of
 * workers), c is the worker's slot, computed as percpu_cpu.c describes
 * (the worker index, what bpf_get_smp_processor_id() returns and the
 * runtime's per-CPU lookups use, wrapped around ncpus; LLVM merges a
 * function's reads of it).
 *
 * A BPF_MAP_TYPE_HASH lookup becomes a call to the lookup specialised for
 * the map's key size (runtime/helpers/hash_lookup.c, include/uxdp/helpers.h)
 * which helper inlining then brings in with the other helpers: a fixed-size
 * hash and key compare, a lock-free walk, and no dispatch on the map type.
 * So does a BPF_MAP_TYPE_LRU_HASH lookup (with BPF_F_NO_COMMON_LRU or
 * without: the flag only changes updates), to a lookup that also marks the
 * element referenced, as the helper does: the kernel's eviction order
 * depends on that mark.  Per-CPU hashes (LRU or not) get the same with the
 * worker's slot computed inline as for per-CPU arrays, and an LPM trie a
 * lookup specialised for its key size (runtime/helpers/lpm_lookup.c:
 * IPv4 and IPv6 prefixes compare as words).
 *
 * Map-in-map: the result of a lookup in an array or hash of maps is an inner
 * map whose type and key size the object's inner template gives, so a
 * lookup in it is specialised the same way; an inner array's lookup reads
 * data and max_entries from the inner map's handle (struct uxdp_map_fast),
 * since inner maps may differ in size.  Other map types keep their
 * (inlinable) helper call.
 *
 * A lookup on a choice of maps (one call on a phi or select of lddw, as
 * clang's tail merging makes of two lookups with a shared key slot) is split
 * into one lookup per map (split_merged_lookup), each of them then handled
 * as above.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/bpf.h>

#include <uxdp/ctx.h>
#include <uxdp/helpers.h>
#include <uxdp/object_format.h>

#include "passes.h"
#include "percpu_cpu.h"
#include "uxdpc.h"

/* struct uxdp_map_fast (runtime/include/uxdp/map.h): data at 0, then u32s. */
#define MAP_FAST_OFF_DATA 0
#define MAP_FAST_OFF_MAX_ENTRIES 8
#define MAP_FAST_OFF_NCPUS 16

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

/* A map's storage is never at NULL: a found element is never NULL either. */
static void set_nonnull(LLVMContextRef c, LLVMValueRef load)
{
	unsigned kind = LLVMGetMDKindIDInContext(c, "nonnull", 7);

	LLVMSetMetadata(load, kind, LLVMMDNodeInContext(c, NULL, 0));
}

/*
 * The array index *(u32 *)key and whether it is below max_entries, as the
 * kernel's array_map_lookup_elem tests it; the builder is left before call.
 */
static LLVMValueRef array_index(LLVMBuilderRef b, LLVMValueRef call,
				const struct uxdp_map_info *map, LLVMValueRef *in_range)
{
	LLVMContextRef c = LLVMGetTypeContext(LLVMTypeOf(call));
	LLVMTypeRef i32 = LLVMInt32TypeInContext(c), ptr = LLVMPointerTypeInContext(c, 0);
	LLVMValueRef key;

	LLVMPositionBuilderBefore(b, call);
	key = LLVMBuildLoad2(b, i32, LLVMBuildIntToPtr(b, LLVMGetOperand(call, 1), ptr, "key.p"),
			     "index");
	LLVMSetAlignment(key, 1);
	*in_range = LLVMBuildICmp(b, LLVMIntULT, key, LLVMConstInt(i32, map->max_entries, 0),
				  "in_range");
	return key;
}

/* Replace the lookup call by in_range ? addr : NULL. */
static void replace_lookup(LLVMBuilderRef b, LLVMValueRef call, LLVMValueRef in_range,
			   LLVMValueRef addr)
{
	LLVMTypeRef i64 = LLVMInt64TypeInContext(LLVMGetTypeContext(LLVMTypeOf(call)));
	LLVMValueRef res = LLVMBuildSelect(b, in_range, LLVMBuildPtrToInt(b, addr, i64, ""),
					   LLVMConstInt(i64, 0, 0), "lookup");

	LLVMReplaceAllUsesWith(call, res);
	LLVMInstructionEraseFromParent(call);
}

static void inline_array_lookup(LLVMBuilderRef b, LLVMValueRef call, LLVMValueRef slot,
				const struct uxdp_map_info *map)
{
	LLVMContextRef c = LLVMGetTypeContext(LLVMTypeOf(call));
	LLVMTypeRef i8 = LLVMInt8TypeInContext(c), i64 = LLVMInt64TypeInContext(c);
	LLVMTypeRef ptr = LLVMPointerTypeInContext(c, 0);
	LLVMTypeRef slot_t = LLVMStructTypeInContext(c, (LLVMTypeRef[]){ ptr, ptr }, 2, 0);
	uint64_t stride = ((uint64_t)map->value_size + 7) & ~7ULL;
	LLVMValueRef key, in_range, data, off;

	key = array_index(b, call, map, &in_range);
	data = LLVMBuildLoad2(b, ptr, LLVMBuildStructGEP2(b, slot_t, slot, 1, ""), "array.data");
	uxdp_set_invariant(data);
	LLVMSetAlignment(data, 8);
	off = LLVMBuildMul(b, LLVMBuildZExt(b, key, i64, ""), LLVMConstInt(i64, stride, 0), "");
	replace_lookup(b, call, in_range, LLVMBuildGEP2(b, i8, data, &off, 1, "elem"));
}

/*
 * index < max_entries ? data + cpu * span + index * stride : NULL, with
 * data and ncpus from the handle (the slot's data pointer is for plain
 * arrays only) and both loads invariant: a handle never changes.
 */
static void inline_percpu_array_lookup(LLVMModuleRef mod, LLVMBuilderRef b,
				       LLVMValueRef call, LLVMValueRef map_ptr,
				       const struct uxdp_map_info *map)
{
	LLVMContextRef c = LLVMGetTypeContext(LLVMTypeOf(call));
	LLVMTypeRef i8 = LLVMInt8TypeInContext(c), i32 = LLVMInt32TypeInContext(c);
	LLVMTypeRef i64 = LLVMInt64TypeInContext(c), ptr = LLVMPointerTypeInContext(c, 0);
	uint64_t stride = ((uint64_t)map->value_size + 7) & ~7ULL;
	LLVMValueRef key, in_range, data, ncpus_p, ncpus, cpu, idx, off;
	LLVMValueRef ncpus_off = LLVMConstInt(i64, MAP_FAST_OFF_NCPUS, 0);

	key = array_index(b, call, map, &in_range);
	data = LLVMBuildLoad2(b, ptr, map_ptr, "percpu.data");
	uxdp_set_invariant(data);
	set_nonnull(c, data);
	LLVMSetAlignment(data, 8);
	ncpus_p = LLVMBuildGEP2(b, i8, map_ptr, &ncpus_off, 1, "");
	ncpus = LLVMBuildLoad2(b, i32, ncpus_p, "percpu.ncpus");
	uxdp_set_invariant(ncpus);
	LLVMSetAlignment(ncpus, 4);
	cpu = uxdp_percpu_slot(mod, b, ncpus);
	/* cpu * span + index * stride, in 64 bits: no u32 overflow. */
	idx = LLVMBuildMul(b, LLVMBuildZExt(b, cpu, i64, ""),
			   LLVMConstInt(i64, UXDP_PERCPU_ARRAY_SPAN(map->max_entries, stride), 0),
			   "");
	off = LLVMBuildAdd(b, idx,
			   LLVMBuildMul(b, LLVMBuildZExt(b, key, i64, ""),
					LLVMConstInt(i64, stride, 0), ""),
			   "");
	/* inbounds: in range, the address is inside the map; else unused */
	replace_lookup(b, call, in_range, LLVMBuildInBoundsGEP2(b, i8, data, &off, 1, "elem"));
}

/* The worker's per-CPU slot of the map behind map_ptr, computed inline. */
static LLVMValueRef percpu_slot(LLVMModuleRef mod, LLVMBuilderRef b,
				LLVMValueRef call, LLVMValueRef map_ptr)
{
	LLVMContextRef c = LLVMGetTypeContext(LLVMTypeOf(call));
	LLVMTypeRef i8 = LLVMInt8TypeInContext(c), i32 = LLVMInt32TypeInContext(c);
	LLVMTypeRef i64 = LLVMInt64TypeInContext(c);
	LLVMValueRef off = LLVMConstInt(i64, MAP_FAST_OFF_NCPUS, 0), ncpus;

	ncpus = LLVMBuildLoad2(b, i32, LLVMBuildGEP2(b, i8, map_ptr, &off, 1, ""), "percpu.ncpus");
	uxdp_set_invariant(ncpus);
	LLVMSetAlignment(ncpus, 4);
	return LLVMBuildZExt(b, uxdp_percpu_slot(mod, b, ncpus), i64, "");
}

/*
 * The lookup call replaced by prefix + "k<key_size>" (a size in sizes) or
 * prefix + "any", with the call's (map, key) and, for per-CPU maps, the
 * worker's slot as a third argument.  A call to a sized lookup is marked
 * alwaysinline: LLVM's inliner kept one called from several places out of
 * line (xdp-filter's objects look up three per-CPU hashes of each key
 * size), and each call then paid the call, its pushes and the reloads of
 * the map handle's geometry; inlined, xdpfilt_dny_all ran 269 instructions
 * a packet instead of 337 (test/lit/passes/map-inline-many.c).  The LPM
 * trie's sized lookups are marked too: each is a few instructions around
 * the out-of-line walk (lpm_lookup_sized), so xdp_acl's code and count
 * did not change.  The "any" lookup (a key compare of any size, memcmp)
 * is left to the inliner: inlined, it made xdp_dns push six registers
 * before its early exit instead of three (test/lit/ir/early-exit-pushes.test).
 * The price is code: a hash lookup is about 60 instructions, copied at
 * each call site, which the inliner no longer weighs (a program with
 * hundreds of lookup sites grows by that much).
 */
static void specialise_lookup(LLVMModuleRef mod, LLVMBuilderRef b,
			      LLVMValueRef call, uint32_t key_size, const char *prefix,
			      const unsigned *sizes, bool percpu)
{
	LLVMContextRef c = LLVMGetTypeContext(LLVMTypeOf(call));
	LLVMTypeRef i64 = LLVMInt64TypeInContext(c), ptr = LLVMPointerTypeInContext(c, 0);
	LLVMTypeRef fn_t = LLVMFunctionType(i64, (LLVMTypeRef[]){ i64, i64, i64 }, percpu ? 3 : 2,
					    0);
	LLVMValueRef fn, args[3] = { LLVMGetOperand(call, 0), LLVMGetOperand(call, 1) }, res;
	unsigned always = LLVMGetEnumAttributeKindForName("alwaysinline", 12);
	bool sized = false;
	char name[64];

	snprintf(name, sizeof(name), "%sany", prefix);
	for (const unsigned *n = sizes; *n; n++)
		if (key_size == *n) {
			snprintf(name, sizeof(name), "%sk%u", prefix, *n);
			sized = true;
		}
	fn = LLVMGetNamedFunction(mod, name);
	if (!fn)
		fn = LLVMAddFunction(mod, name, fn_t);
	LLVMPositionBuilderBefore(b, call);
	if (percpu)
		args[2] = percpu_slot(mod, b, call, LLVMBuildIntToPtr(b, args[0], ptr, "map.p"));
	res = LLVMBuildCall2(b, fn_t, fn, args, percpu ? 3 : 2, "");
	if (sized)
		LLVMAddCallSiteAttribute(res, LLVMAttributeFunctionIndex,
					 LLVMCreateEnumAttribute(c, always, 0));
	LLVMReplaceAllUsesWith(call, res);
	LLVMInstructionEraseFromParent(call);
}

/*
 * A lookup in an array whose handle is only known at run time (an inner
 * map): index < handle->max_entries ? handle->data + index * stride : NULL.
 */
static void inline_handle_array_lookup(LLVMBuilderRef b, LLVMValueRef call,
				       const struct uxdp_map_info *tmpl)
{
	LLVMContextRef c = LLVMGetTypeContext(LLVMTypeOf(call));
	LLVMTypeRef i8 = LLVMInt8TypeInContext(c), i32 = LLVMInt32TypeInContext(c);
	LLVMTypeRef i64 = LLVMInt64TypeInContext(c), ptr = LLVMPointerTypeInContext(c, 0);
	uint64_t stride = ((uint64_t)tmpl->value_size + 7) & ~7ULL;
	LLVMValueRef key, in_range, handle, data, max, off;
	LLVMValueRef max_off = LLVMConstInt(i64, MAP_FAST_OFF_MAX_ENTRIES, 0);

	LLVMPositionBuilderBefore(b, call);
	handle = LLVMBuildIntToPtr(b, LLVMGetOperand(call, 0), ptr, "inner.map");
	key = LLVMBuildLoad2(b, i32, LLVMBuildIntToPtr(b, LLVMGetOperand(call, 1), ptr, "key.p"),
			     "index");
	LLVMSetAlignment(key, 1);
	max = LLVMBuildLoad2(b, i32, LLVMBuildGEP2(b, i8, handle, &max_off, 1, ""),
			     "inner.max_entries");
	uxdp_set_invariant(max);
	LLVMSetAlignment(max, 4);
	in_range = LLVMBuildICmp(b, LLVMIntULT, key, max, "in_range");
	data = LLVMBuildLoad2(b, ptr, handle, "inner.data");
	uxdp_set_invariant(data);
	LLVMSetAlignment(data, 8);
	off = LLVMBuildMul(b, LLVMBuildZExt(b, key, i64, ""), LLVMConstInt(i64, stride, 0), "");
	replace_lookup(b, call, in_range, LLVMBuildGEP2(b, i8, data, &off, 1, "elem"));
}

static const unsigned hash_sizes[] = {
#define SIZE_ENTRY(n) n,
	UXDP_HASH_LOOKUP_SIZES(SIZE_ENTRY) 0
};
static const unsigned lpm_sizes[] = { UXDP_LPM_LOOKUP_SIZES(SIZE_ENTRY) 0 };
#undef SIZE_ENTRY

/*
 * A lookup in a map of known type and key size (a slot's map, or an inner
 * map of a known template): specialised if the type has a specialised
 * lookup; false otherwise (the helper call stays).
 */
static bool specialise_by_type(LLVMModuleRef mod, LLVMBuilderRef b, LLVMValueRef call,
			       const struct uxdp_map_info *map, struct uxdp_pass_env *env)
{
	struct uxdp_pass_stats *st = &env->stats;

	switch (map->type) {
	case BPF_MAP_TYPE_HASH:
		specialise_lookup(mod, b, call, map->key_size, UXDP_HASH_LOOKUP_PREFIX, hash_sizes,
				  false);
		break;
	case BPF_MAP_TYPE_LRU_HASH:
		specialise_lookup(mod, b, call, map->key_size, UXDP_LRU_HASH_LOOKUP_PREFIX,
				  hash_sizes, false);
		break;
	case BPF_MAP_TYPE_PERCPU_HASH:
		specialise_lookup(mod, b, call, map->key_size, UXDP_PERCPU_HASH_LOOKUP_PREFIX,
				  hash_sizes, true);
		break;
	case BPF_MAP_TYPE_LRU_PERCPU_HASH:
		specialise_lookup(mod, b, call, map->key_size, UXDP_LRU_PERCPU_HASH_LOOKUP_PREFIX,
				  hash_sizes, true);
		break;
	case BPF_MAP_TYPE_LPM_TRIE:
		specialise_lookup(mod, b, call, map->key_size, UXDP_LPM_LOOKUP_PREFIX, lpm_sizes,
				  false);
		st->lpm_specialised++;
		return true;
	default:
		return false;
	}
	st->hash_specialised++;
	return true;
}

/* The inner template of the map-of-maps lookup whose result arg is, or NULL. */
static const struct uxdp_map_info *inner_template(const struct uxdp_pass_env *env,
						  LLVMValueRef arg)
{
	const struct uxdp_map_info *outer;
	int k;

	if (!is_call_to(arg, "uxdp_helper_map_lookup_elem"))
		return NULL;
	k = map_of_arg(env, LLVMGetOperand(arg, 0));
	if (k < 0)
		return NULL;
	outer = &env->obj->maps[k];
	if ((outer->type != BPF_MAP_TYPE_ARRAY_OF_MAPS && outer->type != BPF_MAP_TYPE_HASH_OF_MAPS) ||
	    outer->inner_map < 0 || (size_t)outer->inner_map >= env->obj->n_maps)
		return NULL;
	return &env->obj->maps[outer->inner_map];
}

/* A lookup in an inner map: specialised by its template; false if not. */
static bool specialise_inner(LLVMModuleRef mod, LLVMBuilderRef b, LLVMValueRef call,
			     const struct uxdp_map_info *tmpl, struct uxdp_pass_env *env)
{
	if (tmpl->type == BPF_MAP_TYPE_ARRAY && tmpl->key_size == 4) {
		inline_handle_array_lookup(b, call, tmpl);
		env->stats.maps_inlined++;
	} else if (!specialise_by_type(mod, b, call, tmpl, env)) {
		return false;
	}
	env->stats.inner_specialised++;
	return true;
}

static bool split_merged_lookup(LLVMModuleRef mod, LLVMBuilderRef b, LLVMValueRef call,
				struct uxdp_pass_env *env);

static void map_inline_call(LLVMModuleRef mod, LLVMBuilderRef b, LLVMValueRef inst,
			    struct uxdp_pass_env *env)
{
	const struct uxdp_map_info *map;
	int k = map_of_arg(env, LLVMGetOperand(inst, 0));

	if (k < 0) {
		map = inner_template(env, LLVMGetOperand(inst, 0));
		if (map)
			specialise_inner(mod, b, inst, map, env);
		else
			split_merged_lookup(mod, b, inst, env);
		return;
	}
	map = &env->obj->maps[k];
	if (map->type == BPF_MAP_TYPE_ARRAY && map->key_size == 4) {
		inline_array_lookup(b, inst, env->map_slots[k], map);
		env->stats.maps_inlined++;
	} else if (map->type == BPF_MAP_TYPE_PERCPU_ARRAY && map->key_size == 4) {
		/* the map pointer: the load of slot->map */
		inline_percpu_array_lookup(mod, b, inst,
					   LLVMGetOperand(LLVMGetOperand(inst, 0), 0), map);
		env->stats.maps_inlined++;
		env->stats.percpu_inlined++;
	} else {
		specialise_by_type(mod, b, inst, map, env);
	}
}

/* The map slot a value loads (or its address as an integer): -1 if none. */
static int map_of_value(const struct uxdp_pass_env *env, LLVMValueRef v)
{
	if (LLVMIsAPtrToIntInst(v))
		v = LLVMGetOperand(v, 0);
	if (!LLVMIsALoadInst(v))
		return -1;
	return slot_index(env, LLVMGetOperand(v, 0));
}

#define SPLIT_MAX 8 /* maps one merged lookup may name */

/* The map of a choice's operand: a slot (the choice is then loaded) or a slot's load. */
static int chosen_map(const struct uxdp_pass_env *env, LLVMValueRef v, bool of_slots)
{
	return of_slots ? slot_index(env, v) : map_of_value(env, v);
}

/*
 * The maps of a lookup whose map is chosen by a phi (one per incoming edge)
 * or a select (true, false), in maps[]: a choice of slot loads, or
 * (instcombine's form of it) the load of a choice of slots.  The choice, or
 * NULL if the map argument is neither.
 */
static LLVMValueRef merged_maps(const struct uxdp_pass_env *env, LLVMValueRef arg, int *maps,
				unsigned *n)
{
	LLVMValueRef v = LLVMIsAPtrToIntInst(arg) ? LLVMGetOperand(arg, 0) : arg;
	bool of_slots = false;

	if (LLVMIsALoadInst(v)) {
		v = LLVMGetOperand(v, 0);
		of_slots = true;
	}
	if (LLVMIsASelectInst(v)) {
		*n = 2;
		maps[0] = chosen_map(env, LLVMGetOperand(v, 1), of_slots);
		maps[1] = chosen_map(env, LLVMGetOperand(v, 2), of_slots);
		return maps[0] >= 0 && maps[1] >= 0 ? v : NULL;
	}
	if (!LLVMIsAPHINode(v))
		return NULL;
	*n = LLVMCountIncoming(v);
	if (*n < 2 || *n > SPLIT_MAX)
		return NULL;
	for (unsigned i = 0; i < *n; i++) {
		maps[i] = chosen_map(env, LLVMGetIncomingValue(v, i), of_slots);
		if (maps[i] < 0)
			return NULL;
	}
	return v;
}

/*
 * The number of the map a choice picks, as an i32 beside it: for a phi, a
 * phi of constants (an edge twice, from a switch, has one value: its first
 * number); for a select, a select of 0 and 1 on its condition.
 */
static LLVMValueRef which_map(LLVMBuilderRef b, LLVMValueRef choice, unsigned n)
{
	LLVMTypeRef i32 = LLVMInt32TypeInContext(LLVMGetTypeContext(LLVMTypeOf(choice)));
	LLVMValueRef which;

	LLVMPositionBuilderBefore(b, choice);
	if (LLVMIsASelectInst(choice))
		return LLVMBuildSelect(b, LLVMGetOperand(choice, 0), LLVMConstInt(i32, 0, 0),
				       LLVMConstInt(i32, 1, 0), "map.which");
	which = LLVMBuildPhi(b, i32, "map.which");
	for (unsigned i = 0; i < n; i++) {
		LLVMBasicBlockRef from = LLVMGetIncomingBlock(choice, i);
		unsigned j = 0;
		LLVMValueRef v;

		while (LLVMGetIncomingBlock(choice, j) != from)
			j++;
		v = LLVMConstInt(i32, j, 0);
		LLVMAddIncoming(which, &v, &from, 1);
	}
	return which;
}

/*
 * uxdp.lookup.split([ptr ctx,] i32 which, i64 key): the lookup in
 * maps[which], each case a lookup on that map's own slot, which
 * map_inline_call then inlines or specialises as if the program had written
 * it; ctx is passed on when the caller has one (per-CPU maps use it).
 */
static LLVMValueRef split_fn(LLVMModuleRef mod, LLVMBuilderRef b, LLVMValueRef call,
			     const int *maps, unsigned n, bool with_ctx, struct uxdp_pass_env *env)
{
	LLVMContextRef c = LLVMGetModuleContext(mod);
	LLVMTypeRef i32 = LLVMInt32TypeInContext(c), i64 = LLVMInt64TypeInContext(c);
	LLVMTypeRef ptr = LLVMPointerTypeInContext(c, 0);
	LLVMTypeRef params[3] = { ptr, i32, i64 };
	LLVMTypeRef fn_t = LLVMFunctionType(i64, params + !with_ctx, 3 - !with_ctx, 0);
	LLVMTypeRef lookup_t = LLVMGetCalledFunctionType(call);
	LLVMValueRef lookup = LLVMGetCalledValue(call), fn, sw, which, key;
	LLVMBasicBlockRef entry, cases[SPLIT_MAX];
	unsigned kind = LLVMGetEnumAttributeKindForName("alwaysinline", 12);

	fn = LLVMAddFunction(mod, "uxdp.lookup.split", fn_t);
	LLVMSetLinkage(fn, LLVMInternalLinkage);
	LLVMAddAttributeAtIndex(fn, LLVMAttributeFunctionIndex,
				LLVMCreateEnumAttribute(c, kind, 0));
	which = LLVMGetParam(fn, with_ctx);
	key = LLVMGetParam(fn, with_ctx + 1);
	entry = LLVMAppendBasicBlockInContext(c, fn, "entry");
	for (unsigned i = 0; i < n; i++)
		cases[i] = LLVMAppendBasicBlockInContext(c, fn, "map");
	LLVMPositionBuilderAtEnd(b, entry);
	/* which is one of which_map's numbers: the last case needs no test */
	sw = LLVMBuildSwitch(b, which, cases[n - 1], n - 1);
	for (unsigned i = 0; i + 1 < n; i++)
		LLVMAddCase(sw, LLVMConstInt(i32, i, 0), cases[i]);
	for (unsigned i = 0; i < n; i++) {
		LLVMValueRef slot = env->map_slots[maps[i]], map, res;

		LLVMPositionBuilderAtEnd(b, cases[i]);
		/* the lifter's form of an lddw of the map (lift_mem.c) */
		map = LLVMBuildLoad2(b, ptr, slot, "map");
		uxdp_set_invariant(map);
		LLVMSetAlignment(map, 8);
		res = LLVMBuildCall2(b, lookup_t, lookup,
				     (LLVMValueRef[]){ LLVMBuildPtrToInt(b, map, i64, ""), key }, 2,
				     "");
		LLVMBuildRet(b, res);
		map_inline_call(mod, b, res, env);
	}
	return fn;
}

/*
 * A lookup on one of several maps, merged by the compiler: clang's tail
 * merging makes "v4 ? lookup(&acl_v4, &k) : lookup(&acl_v6, &k)" one call
 * on a phi of the two lddw.  As it stands, no map is known and the lookup
 * stays the generic one, dispatching on the map type; so the maps are
 * numbered beside the choice (which_map), and the call becomes a switch on
 * that number to one lookup per map, each specialised as its map allows
 * (LLVM's jump threading may later move each into its edge).  False when
 * the map argument is no such choice.
 */
static bool split_merged_lookup(LLVMModuleRef mod, LLVMBuilderRef b, LLVMValueRef call,
				struct uxdp_pass_env *env)
{
	LLVMValueRef caller = LLVMGetBasicBlockParent(LLVMGetInstructionParent(call));
	bool with_ctx = LLVMCountParams(caller) > 0 &&
			LLVMGetTypeKind(LLVMTypeOf(LLVMGetParam(caller, 0))) == LLVMPointerTypeKind;
	LLVMValueRef choice, which, fn, res, args[3];
	int maps[SPLIT_MAX];
	unsigned n, na = 0;

	if (LLVMGetNumArgOperands(call) != 2)
		return false;
	choice = merged_maps(env, LLVMGetOperand(call, 0), maps, &n);
	if (!choice)
		return false;
	which = which_map(b, choice, n);
	fn = split_fn(mod, b, call, maps, n, with_ctx, env);
	if (with_ctx)
		args[na++] = LLVMGetParam(caller, 0);
	args[na++] = which;
	args[na++] = LLVMGetOperand(call, 1);
	LLVMPositionBuilderBefore(b, call);
	res = LLVMBuildCall2(b, LLVMGlobalGetValueType(fn), fn, args, na, "");
	LLVMReplaceAllUsesWith(call, res);
	LLVMInstructionEraseFromParent(call);
	env->stats.lookups_split++;
	return true;
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

				if (is_call_to(inst, "uxdp_helper_map_lookup_elem"))
					map_inline_call(mod, b, inst, env);
				inst = next;
			}
		}
	}
	LLVMDisposeBuilder(b);
	return 0;
}
