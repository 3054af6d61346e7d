/* SPDX-License-Identifier: MIT */
/*
 * helper_inline.c - link the runtime's helpers, as bitcode, into the program.
 *
 * The files in runtime/helpers/ are built to uxdp_helpers.bc with the same signatures
 * the lifter calls (include/uxdp/helpers.h).  Linked in and made internal,
 * they are ordinary functions LLVM's inliner can see into: a key on the
 * stack passed to bpf_map_lookup_elem no longer escapes into an opaque call,
 * and small helpers (csum_diff, load_bytes, strncmp, ktime) disappear into
 * the program.  What the helpers themselves call (the map implementation,
 * the worker state) stays native in the runtime and is bound at load time.
 *
 * The bitcode is built for generic x86-64; its functions' target attributes
 * are dropped so they compile, and inline, with the program's target.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <llvm-c/BitReader.h>
#include <llvm-c/Linker.h>

#include "passes.h"
#include "uxdpc.h"

static const char *const target_attrs[] = { "target-cpu", "target-features", "tune-cpu" };

/* Our own functions: everything defined before the link. */
static LLVMValueRef *defined_functions(LLVMModuleRef mod, size_t *n)
{
	LLVMValueRef *list = NULL;
	size_t cap = 0;

	*n = 0;
	for (LLVMValueRef f = LLVMGetFirstFunction(mod); f; f = LLVMGetNextFunction(f)) {
		if (LLVMIsDeclaration(f))
			continue;
		if (*n == cap) {
			LLVMValueRef *p = realloc(list, (cap = cap * 2 + 16) * sizeof(*p));
			if (!p) {
				free(list);
				return NULL;
			}
			list = p;
		}
		list[(*n)++] = f;
	}
	return list ? list : calloc(1, sizeof(*list));
}

static bool in_list(LLVMValueRef *list, size_t n, LLVMValueRef f)
{
	for (size_t k = 0; k < n; k++)
		if (list[k] == f)
			return true;
	return false;
}

static int load_bitcode(LLVMContextRef c, const char *path, LLVMModuleRef *out,
			struct uxdp_pass_env *env)
{
	LLVMMemoryBufferRef buf;
	char *msg = NULL;
	int err = 0;

	if (LLVMCreateMemoryBufferWithContentsOfFile(path, &buf, &msg)) {
		err = diag_error(env->diag, -ENOENT,
				 "helper bitcode '%s': %s (build target uxdp_helpers_bc, or use -fno-helper-inline)",
				 path, msg ? msg : "cannot read");
		LLVMDisposeMessage(msg);
		return err;
	}
	if (LLVMParseBitcodeInContext2(c, buf, out))
		err = diag_error(env->diag, -EINVAL, "helper bitcode '%s' is not valid LLVM bitcode",
				 path);
	LLVMDisposeMemoryBuffer(buf);
	return err;
}

int uxdp_pass_helper_inline(LLVMModuleRef mod, const char *bc_path, struct uxdp_pass_env *env)
{
	LLVMContextRef c = LLVMGetModuleContext(mod);
	LLVMModuleRef helpers = NULL;
	LLVMValueRef *ours;
	size_t n_ours;
	int err;

	if (!bc_path)
		return diag_error(env->diag, -ENOENT,
				  "no helper bitcode: pass --helpers-bc PATH or -fno-helper-inline");
	err = load_bitcode(c, bc_path, &helpers, env);
	if (err)
		return err;
	LLVMSetDataLayout(helpers, LLVMGetDataLayoutStr(mod));
	LLVMSetTarget(helpers, LLVMGetTarget(mod));
	ours = defined_functions(mod, &n_ours);
	if (!ours) {
		LLVMDisposeModule(helpers);
		return diag_error(env->diag, -ENOMEM, "out of memory");
	}
	/* The linker takes ownership of helpers, whatever the outcome. */
	if (LLVMLinkModules2(mod, helpers)) {
		free(ours);
		return diag_error(env->diag, -EINVAL, "linking the helper bitcode '%s' failed",
				  bc_path);
	}
	for (LLVMValueRef f = LLVMGetFirstFunction(mod); f; f = LLVMGetNextFunction(f)) {
		if (LLVMIsDeclaration(f) || in_list(ours, n_ours, f))
			continue;
		/* Internal: no second copy exported, unused ones deleted. */
		LLVMSetLinkage(f, LLVMInternalLinkage);
		LLVMSetVisibility(f, LLVMDefaultVisibility);
		for (size_t k = 0; k < sizeof(target_attrs) / sizeof(target_attrs[0]); k++)
			LLVMRemoveStringAttributeAtIndex(f, LLVMAttributeFunctionIndex,
							 target_attrs[k],
							 (unsigned)strlen(target_attrs[k]));
		env->stats.helpers_linked++;
	}
	for (LLVMValueRef g = LLVMGetFirstGlobal(mod); g; g = LLVMGetNextGlobal(g)) {
		size_t len;
		const char *name = LLVMGetValueName2(g, &len);
		/* The helpers' own constants; our slots and record stay as they are. */
		if (!LLVMIsDeclaration(g) && strncmp(name, "uxdp.", 5) && strncmp(name, "llvm.", 5))
			LLVMSetLinkage(g, LLVMInternalLinkage);
	}
	free(ours);
	return 0;
}
