/* SPDX-License-Identifier: MIT */
/*
 * module.c - one LLVM module per BPF object: types, slots, programs, record.
 *
 * Each compilation has its own LLVMContext, disposed at the end, so that
 * nothing leaks between objects compiled by one process (tests, fuzzers).
 */
#include <errno.h>
#include <stdlib.h>

#include "compile.h"

static void init_types(struct lift_module *m)
{
	struct lift_types *t = &m->t;
	LLVMTypeRef sub_params[6];

	t->i1 = LLVMInt1TypeInContext(m->ctx);
	t->i8 = LLVMInt8TypeInContext(m->ctx);
	t->i16 = LLVMInt16TypeInContext(m->ctx);
	t->i32 = LLVMInt32TypeInContext(m->ctx);
	t->i64 = LLVMInt64TypeInContext(m->ctx);
	t->ptr = LLVMPointerTypeInContext(m->ctx, 0);
	t->void_t = LLVMVoidTypeInContext(m->ctx);
	sub_params[0] = t->ptr;
	for (int r = 1; r <= 5; r++)
		sub_params[r] = t->i64;
	t->sub_fn = LLVMFunctionType(t->i64, sub_params, 6, 0);
	t->slot = LLVMStructTypeInContext(m->ctx, (LLVMTypeRef[]){ t->ptr, t->ptr }, 2, 0);
}

static int build_module(struct lift_module *m)
{
	int err = uxdp_create_map_slots(m);

	for (size_t k = 0; k < m->obj->n_progs && !err; k++) {
		diag_progress(m->diag, "[%zu/%zu] %s: lifting %s", k + 1, m->obj->n_progs,
			      m->obj->name, m->obj->progs[k].name);
		err = uxdp_lift_program(m, k);
	}
	return err ? err : uxdp_emit_metadata(m);
}

int uxdp_compile(const struct uxdp_object *obj, const struct uxdp_compile_opts *opts,
		 struct uxdp_diag *diag)
{
	struct lift_module m = { .obj = obj, .diag = diag };
	LLVMTargetMachineRef tm = NULL;
	int err;

	err = uxdp_target_machine(opts, &tm, diag);
	if (err)
		return err;
	m.ctx = LLVMContextCreate();
	m.mod = LLVMModuleCreateWithNameInContext(obj->name, m.ctx);
	m.b = LLVMCreateBuilderInContext(m.ctx);
	m.prog_entries = calloc(obj->n_progs ? obj->n_progs : 1, sizeof(*m.prog_entries));
	if (!m.prog_entries) {
		err = diag_error(diag, -ENOMEM, "out of memory");
		goto out;
	}
	init_types(&m);
	{
		char *triple = LLVMGetTargetMachineTriple(tm);
		LLVMTargetDataRef dl = LLVMCreateTargetDataLayout(tm);
		char *layout = LLVMCopyStringRepOfTargetData(dl);

		LLVMSetTarget(m.mod, triple);
		LLVMSetDataLayout(m.mod, layout);
		LLVMDisposeMessage(triple);
		LLVMDisposeMessage(layout);
		LLVMDisposeTargetData(dl);
	}
	err = build_module(&m);
	/* Our checks ran while lifting; the kernel's verifier judges the rest. */
	if (!err)
		err = uxdp_verify(obj, opts->verify, diag);
	if (!err) {
		diag_progress(diag, "%s: optimising %zu program%s (-O%d)", obj->name, obj->n_progs,
			      obj->n_progs == 1 ? "" : "s", opts->opt_level);
		err = uxdp_optimise(&m, tm, opts, diag);
	}
	if (!err) {
		diag_progress(diag, "%s: writing %s", obj->name, opts->output);
		err = uxdp_emit_output(m.mod, tm, opts, diag);
	}
out:
	free(m.map_slots);
	free(m.prog_entries);
	LLVMDisposeBuilder(m.b);
	LLVMDisposeModule(m.mod);
	LLVMContextDispose(m.ctx);
	LLVMDisposeTargetMachine(tm);
	return err;
}
