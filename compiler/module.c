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

/* A fresh module for the object, laid out for tm. */
static void new_module(struct lift_module *m, LLVMTargetMachineRef tm)
{
	char *triple = LLVMGetTargetMachineTriple(tm);
	LLVMTargetDataRef dl = LLVMCreateTargetDataLayout(tm);
	char *layout = LLVMCopyStringRepOfTargetData(dl);

	m->mod = LLVMModuleCreateWithNameInContext(m->obj->name, m->ctx);
	LLVMSetTarget(m->mod, triple);
	LLVMSetDataLayout(m->mod, layout);
	LLVMDisposeMessage(triple);
	LLVMDisposeMessage(layout);
	LLVMDisposeTargetData(dl);
}

static int lift_all(struct lift_module *m)
{
	int err = uxdp_create_map_slots(m);

	for (size_t k = 0; k < m->obj->n_progs && !err; k++) {
		diag_progress(m->diag, "[%zu/%zu] %s: lifting %s", k + 1, m->obj->n_progs,
			      m->obj->name, m->obj->progs[k].name);
		err = uxdp_lift_program(m, k);
	}
	return err;
}

/*
 * Lift, then ask the kernel.  Without its verdict (no kernel BPF, an object
 * libbpf cannot open, --verify=none) lift again with confinement: every
 * access proven or checked at run time (confine.c).  Lifting first without
 * it keeps uxdpc's own errors ahead of the kernel's.  Returns each
 * program's UXDP_CONFINE_* word in m->confinement.
 */
static int build_module(struct lift_module *m, LLVMTargetMachineRef tm,
			const struct uxdp_compile_opts *opts)
{
	const struct uxdp_object *obj = m->obj;
	bool kernel_ok = false, unsafe = opts->passes.unsafe_no_bounds || opts->unconfined;
	int err = lift_all(m);

	if (!err)
		err = uxdp_verify(obj, opts->verify, m->diag, &kernel_ok);
	if (!err && !kernel_ok && !unsafe && obj->progs[0].type == UXDP_PROG_XDP) {
		LLVMDisposeModule(m->mod);
		free(m->map_slots);
		m->map_slots = NULL;
		new_module(m, tm);
		m->confine = true;
		m->loop_budget = opts->loop_budget;
		err = lift_all(m);
		if (!err)
			diag_note(m->diag, 0,
				  "note: %s: confined by uxdpc's analysis: %u run-time checks, %u loop back-edges counted",
				  obj->name, m->n_guards, m->n_budget);
	}
	for (size_t k = 0; k < obj->n_progs && kernel_ok && !unsafe; k++)
		m->confinement[k] = UXDP_CONFINE_KERNEL;
	if (!err && opts->passes.unsafe_no_bounds)
		diag_note(m->diag, 0,
			  "note: %s: --unsafe-no-bounds-checks: the programs are not confined; uxdp runs them only with --trust-unverified",
			  obj->name);
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
	m.b = LLVMCreateBuilderInContext(m.ctx);
	m.prog_entries = calloc(obj->n_progs ? obj->n_progs : 1, sizeof(*m.prog_entries));
	m.confinement = calloc(obj->n_progs ? obj->n_progs : 1, sizeof(*m.confinement));
	new_module(&m, tm);
	if (!m.prog_entries || !m.confinement) {
		err = diag_error(diag, -ENOMEM, "out of memory");
		goto out;
	}
	init_types(&m);
	err = build_module(&m, tm, opts);
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
	free(m.confinement);
	LLVMDisposeBuilder(m.b);
	LLVMDisposeModule(m.mod);
	LLVMContextDispose(m.ctx);
	LLVMDisposeTargetMachine(tm);
	return err;
}
