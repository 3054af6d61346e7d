/* SPDX-License-Identifier: MIT */
/*
 * pipeline.c - verify the lifted module, then optimise it.
 *
 *   -O0  nothing: the lifted IR as it is
 *   -O1  LLVM's default<O1> only
 *   -O2  a light clean-up, our passes (passes/), LLVM's default<O2>
 *   -O3  the same with default<O3>
 *
 * rodata-fold runs once among our passes and once more after default<On>.
 * stack-scope runs last among them, on the inlined functions.
 *
 * Each of our passes can be switched off (-fno-map-inline, ...), so that its
 * effect can be measured and a suspected miscompile narrowed down.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <llvm-c/Analysis.h>
#include <llvm-c/Transforms/PassBuilder.h>

#include "compile.h"
#include "passes.h"

static int verify(LLVMModuleRef mod, const char *when, struct uxdp_diag *diag)
{
	char *msg = NULL;
	int err = 0;

	/* A module that does not verify is our bug, not the user's. */
	if (LLVMVerifyModule(mod, LLVMReturnStatusAction, &msg))
		err = diag_error(diag, -EFAULT, "internal error: IR does not verify %s: %s", when,
				 msg ? msg : "?");
	LLVMDisposeMessage(msg);
	return err;
}

static int run_pipeline(LLVMModuleRef mod, LLVMTargetMachineRef tm, const char *pipeline,
			bool vectorise, struct uxdp_diag *diag)
{
	LLVMPassBuilderOptionsRef pbo = LLVMCreatePassBuilderOptions();
	LLVMErrorRef lerr;
	int err = 0;

	LLVMPassBuilderOptionsSetLoopVectorization(pbo, vectorise);
	LLVMPassBuilderOptionsSetSLPVectorization(pbo, vectorise);
	lerr = LLVMRunPasses(mod, pipeline, tm, pbo);
	if (lerr) {
		char *msg = LLVMGetErrorMessage(lerr);
		err = diag_error(diag, -EINVAL, "internal error: LLVM pipeline '%s' failed: %s",
				 pipeline, msg);
		LLVMDisposeErrorMessage(msg);
	}
	LLVMDisposePassBuilderOptions(pbo);
	return err;
}

/* Constant .rodata loads to constants, and the branches on them folded. */
static int fold_rodata(LLVMModuleRef mod, struct uxdp_pass_env *env)
{
	unsigned before = env->stats.rodata_folded;
	int err = uxdp_pass_rodata_fold(mod, env);

	if (!err && env->stats.rodata_folded > before)
		err = run_pipeline(mod, env->tm,
				   "function(instcombine<no-verify-fixpoint>,simplifycfg,adce)", false,
				   env->diag);
	return err;
}

/*
 * Did the kernel verify, or uxdpc's analysis confine, every program?  The
 * stack scopes rest on what that guarantees (a number loaded from a map or
 * a packet is not an address; base plus a number stays in base's object);
 * --unsafe-no-bounds-checks, --unconfined and raw programs have neither.
 */
static bool all_confined(const struct lift_module *m)
{
	for (size_t k = 0; k < m->obj->n_progs; k++)
		if (!UXDP_CONFINED(m->confinement[k]))
			return false;
	return true;
}

/*
 * UXDPC_DEBUG_DUMP=after: the module as LLVM's pipeline gets it; set to
 * anything else, as our bounds pass gets it ("before").
 */
static bool debug_dump(const char *at)
{
	const char *want = getenv("UXDPC_DEBUG_DUMP");

	return want && !strcmp(at, strcmp(want, "after") ? "before" : "after");
}

/* Our passes, on IR whose registers are already SSA values. */
static int run_our_passes(struct lift_module *m, const struct uxdp_compile_opts *opts,
			  struct uxdp_pass_env *env)
{
	const struct uxdp_pass_config *cfg = &opts->passes;
	int err = 0;

	if (cfg->map_inline)
		err = uxdp_pass_map_inline(m->mod, env);
	if (!err && cfg->helper_inline)
		err = uxdp_pass_worker_arg(m->mod, env);
	if (!err && cfg->helper_inline)
		err = uxdp_pass_helper_inline(m->mod, cfg->helpers_bc, env);
	/* Subprograms and helpers inlined, so that a check in a subprogram
	 * sees the ctx loads of its caller. */
	if (!err)
		err = run_pipeline(m->mod, env->tm,
				   "cgscc(inline),function(sroa,early-cse,instcombine<no-verify-fixpoint>,simplifycfg)",
				   false, env->diag);
	if (!err && cfg->rodata_fold)
		err = fold_rodata(m->mod, env);
	/* Stack pointers handed to subprograms and helpers are visible now;
	 * the scopes serve LLVM's pipeline (DSE, GVN, LICM), not our passes. */
	env->stats.unconfined = !all_confined(m);
	if (!err && cfg->stack_scope && !env->stats.unconfined)
		err = uxdp_pass_stack_scope(m->mod, env);
	if (!err && debug_dump("before"))
		LLVMDumpModule(m->mod); /* what our bounds pass sees (debugging) */
	/* Confinement checks the program's own checks imply go first, so that
	 * they do not stop bounds-elim's widening; then again after it. */
	if (!err && cfg->bounds_elim && m->confine) {
		/* ctx loads are tagged apart from packet stores (lift_tag): with
		 * MemorySSA, data_end becomes one value a check can be matched on */
		err = run_pipeline(m->mod, env->tm, "function(early-cse<memssa>,instcombine<no-verify-fixpoint>)",
				   false, env->diag);
		if (!err)
			err = uxdp_pass_confine_elim(m->mod, env);
	}
	if (!err && (cfg->bounds_elim || cfg->unsafe_no_bounds))
		err = uxdp_pass_bounds_elim(m->mod, cfg->unsafe_no_bounds, env);
	if (!err && cfg->bounds_elim && m->confine)
		err = uxdp_pass_confine_elim(m->mod, env);
	if (!err && cfg->addr_gep && !env->stats.unconfined)
		err = uxdp_pass_addr_gep(m->mod, env);
	/* the integer sums addr_gep left dead would look like uses of the stack */
	if (!err && cfg->addr_gep && cfg->stack_split && !env->stats.unconfined) {
		err = run_pipeline(m->mod, env->tm, "function(dce)", false, env->diag);
		if (!err)
			err = uxdp_pass_stack_split(m->mod, env);
		if (!err && cfg->stack_args)
			err = uxdp_pass_stack_args(m->mod, env);
	}
	if (!err && !cfg->simd)
		err = uxdp_pass_no_simd(m->mod, env);
	if (!err && debug_dump("after"))
		LLVMDumpModule(m->mod); /* what LLVM's pipeline is given (debugging) */
	return err ? err : verify(m->mod, "after uxdp's passes", env->diag);
}

/*
 * The remark of a pass that runs only on verified or confined programs when
 * it did not run ("off", "skipped"); true when it ran and has its own to say.
 */
static bool ran(const char *obj, const char *pass, bool on, bool unconfined)
{
	if (!on)
		fprintf(stderr, "uxdpc: remark: %s: %s: off\n", obj, pass);
	else if (unconfined)
		fprintf(stderr, "uxdpc: remark: %s: %s: skipped (a program neither verified nor confined)\n",
			obj, pass);
	return on && !unconfined;
}

static void print_remarks(const struct uxdp_pass_env *env, const struct uxdp_compile_opts *opts)
{
	const struct uxdp_pass_stats *s = &env->stats;
	const char *obj = env->obj->name;

	fprintf(stderr,
		"uxdpc: remark: %s: map-inline: %u lookups inlined (%u per-CPU), %u hash lookups specialised, %u LPM lookups specialised, %u in inner maps, %u on a choice of maps split\n",
		obj, s->maps_inlined, s->percpu_inlined, s->hash_specialised, s->lpm_specialised,
		s->inner_specialised, s->lookups_split);
	fprintf(stderr,
		"uxdpc: remark: %s: helper-inline: %u helper definitions linked, %u redirect_map calls given the worker from ctx\n",
		obj, s->helpers_linked, s->worker_args);
	fprintf(stderr,
		"uxdpc: remark: %s: bounds-elim: %u packet checks, %u guards widened, %u checks removed, %u removed on some paths, %u dropped (unsafe); %u left after LLVM\n",
		obj, s->checks_before, s->checks_widened, s->checks_removed,
		s->checks_removed_on_paths, s->checks_dropped, s->checks_after);
	fprintf(stderr, "uxdpc: remark: %s: confine-elim: %u run-time packet checks implied by the program's\n",
		obj, s->guards_removed);
	fprintf(stderr,
		"uxdpc: remark: %s: simd: %s, %u functions with vector code\n",
		obj, opts->passes.simd ? "on" : "off", s->vector_functions);
	if (ran(obj, "addr-gep", opts->passes.addr_gep, s->unconfined))
		fprintf(stderr, "uxdpc: remark: %s: addr-gep: %u addresses made GEPs from their pointer, %u left\n",
			obj, s->addresses_rewritten, s->addresses_left);
	if (ran(obj, "stack-split", opts->passes.stack_split && opts->passes.addr_gep, s->unconfined))
		fprintf(stderr, "uxdpc: remark: %s: stack-split: %u stacks cut into %u pieces, %u left whole\n",
			obj, s->stacks_split, s->stack_pieces, s->stacks_kept);
	if (ran(obj, "stack-args",
		opts->passes.stack_args && opts->passes.stack_split && opts->passes.addr_gep,
		s->unconfined))
		fprintf(stderr, "uxdpc: remark: %s: stack-args: %u runtime calls given a copy, %u stack pieces no runtime call keeps in memory\n",
			obj, s->args_copied, s->pieces_freed);
	if (opts->passes.rodata_fold)
		fprintf(stderr,
			"uxdpc: remark: %s: rodata-fold: %u loads folded, %u left (volatile or not covered)\n",
			obj, s->rodata_folded, s->rodata_left);
	else
		fprintf(stderr, "uxdpc: remark: %s: rodata-fold: off\n", obj);
	if (ran(obj, "stack-scope", opts->passes.stack_scope, s->unconfined))
		fprintf(stderr,
			"uxdpc: remark: %s: stack-scope: %u stack accesses, %u other accesses marked, %u left unknown; "
			"%u packet accesses, %u marked as not the packet\n",
			obj, s->stack_accesses, s->nonstack_accesses, s->unknown_accesses,
			s->packet_accesses, s->nonpacket_accesses);
}

int uxdp_optimise(struct lift_module *m, LLVMTargetMachineRef tm,
		  const struct uxdp_compile_opts *opts, struct uxdp_diag *diag)
{
	struct uxdp_pass_env env = { .obj = m->obj, .map_slots = m->map_slots, .tm = tm,
				     .diag = diag };
	int level = opts->opt_level > 3 ? 3 : opts->opt_level;
	char pipeline[32];
	int err;

	err = verify(m->mod, "after lifting", diag);
	if (err || level <= 0)
		return err;
	if (level >= 2) {
		/* Registers and stack slots to SSA, so our passes can match. */
		err = run_pipeline(m->mod, tm, "function(sroa,early-cse,instcombine<no-verify-fixpoint>,simplifycfg)",
				   false, diag);
		env.stats.checks_before = uxdp_count_packet_checks(m->mod);
		if (!err)
			err = run_our_passes(m, opts, &env);
	}
	snprintf(pipeline, sizeof(pipeline), "default<O%d>", level);
	if (!err)
		err = run_pipeline(m->mod, tm, pipeline, level >= 2 && opts->passes.simd, diag);
	/* Loops unrolled by LLVM may read .rodata at constant offsets now. */
	if (!err && level >= 2 && opts->passes.rodata_fold)
		err = fold_rodata(m->mod, &env);
	/* LLVM's pipeline may have made more checks visibly implied (GVN) */
	if (!err && level >= 2 && m->confine && opts->passes.bounds_elim) {
		err = uxdp_pass_confine_elim(m->mod, &env);
		if (!err)
			err = run_pipeline(m->mod, tm, "function(simplifycfg,instcombine<no-verify-fixpoint>,adce)",
					   false, diag);
	}
	if (!err && level >= 2) {
		env.stats.checks_after = uxdp_count_packet_checks(m->mod);
		uxdp_pass_simd_report(m->mod, &env);
		if (opts->passes.remarks)
			print_remarks(&env, opts);
	}
	return err;
}
