/* SPDX-License-Identifier: MIT */
/*
 * analysis.c - functions, basic blocks and ctx tracking of a checked program.
 *
 * ctx tracking is a small abstract interpretation over every path, like the
 * verifier's register-type tracking reduced to what the lifter needs: for
 * each register and each 8-byte stack slot, is it the ctx pointer, a frame
 * pointer at a known offset, a known function (bpf_loop callbacks), or
 * anything else.  A load whose base register is the ctx pointer on every path
 * is rewritten to struct uxdp_ctx; a load whose base is the ctx pointer on
 * some paths only is refused, as the kernel refuses it.  The state flows
 * into subprograms through r1..r5 at every call site, and into bpf_loop
 * callbacks through the callback-ctx argument.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/bpf.h>
#include <uxdp/helpers.h>

#include "lift.h"

#define MAX_CALL_FRAMES 8 /* the kernel's MAX_CALL_FRAMES */
#define N_SLOTS (EBPF_STACK_SIZE / 8)

enum vkind { V_UNINIT, V_SCALAR, V_CTX, V_CTX_MOD, V_FP, V_FUNC, V_CONFLICT };

struct aval {
	uint8_t kind;
	uint8_t frame; /* V_FP: 0 this function's frame, 1 its caller's */
	int32_t x;     /* V_FP: offset from that frame's r10; V_FUNC: function index */
};

/*
 * Registers, this frame's stack slots, and the caller's slots as they were
 * at the call: a subprogram or bpf_loop callback often gets a pointer to a
 * struct on its caller's stack that holds the ctx pointer.  One level of
 * caller is tracked; a pointer into a frame further up is just a scalar.
 */
struct astate {
	struct aval r[EBPF_NR_REGS];
	struct aval s[N_SLOTS];
	struct aval ps[N_SLOTS];
};

static const struct aval SCALAR = { V_SCALAR, 0, 0 };
static const struct aval FP0 = { V_FP, 0, 0 };

static struct aval join(struct aval a, struct aval b)
{
	if (a.kind == V_UNINIT)
		return b;
	if (b.kind == V_UNINIT || (a.kind == b.kind && a.x == b.x && a.frame == b.frame))
		return a;
	if (a.kind == V_CONFLICT || b.kind == V_CONFLICT)
		return (struct aval){ V_CONFLICT, 0, 0 };
	/* ctx on one path and something else on another: the kernel refuses
	 * a load through such a register ("same insn cannot be used with
	 * different pointers"), so remember the conflict. */
	if (a.kind == V_CTX || b.kind == V_CTX || a.kind == V_CTX_MOD || b.kind == V_CTX_MOD ||
	    a.kind == V_FUNC || b.kind == V_FUNC)
		return (struct aval){ V_CONFLICT, 0, 0 };
	return SCALAR;
}

static bool join_vals(struct aval *a, const struct aval *b, int n)
{
	bool changed = false;

	for (int i = 0; i < n; i++) {
		struct aval v = join(a[i], b[i]);
		changed |= v.kind != a[i].kind || v.x != a[i].x || v.frame != a[i].frame;
		a[i] = v;
	}
	return changed;
}

/* Join b into a; true when a changed. */
static bool join_state(struct astate *a, const struct astate *b)
{
	bool changed = join_vals(a->r, b->r, EBPF_NR_REGS);

	changed |= join_vals(a->s, b->s, N_SLOTS);
	changed |= join_vals(a->ps, b->ps, N_SLOTS);
	return changed;
}

struct analyser {
	const struct uxdp_object *obj;
	const struct uxdp_prog *prog;
	struct analysis *an;
	struct uxdp_diag *diag;
	struct astate *entry;  /* per function */
	bool *dirty;           /* per function: entry changed, analyse again */
	bool xdp;
};

__attribute__((format(printf, 3, 4))) static int an_error(struct analyser *a, size_t i,
							     const char *fmt, ...)
{
	va_list ap;
	int err;

	va_start(ap, fmt);
	err = uxdp_insn_verror(a->obj, a->prog, a->diag, i, -EINVAL, fmt, ap);
	va_end(ap);
	return err;
}

int uxdp_func_at(const struct analysis *an, size_t insn)
{
	for (size_t f = 0; f < an->n_funcs; f++)
		if (an->funcs[f].start == insn)
			return (int)f;
	return -1;
}

/* -------------------------------------------------------- functions */

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	return x < y ? -1 : x > y;
}

static bool is_local_ref(const struct ebpf_insn *in)
{
	return (in->opcode == EBPF_OP_CALL && in->src == EBPF_PSEUDO_CALL_LOCAL) ||
	       (in->opcode == EBPF_OP_LDDW && in->src == EBPF_PSEUDO_FUNC);
}

static int find_functions(struct analyser *a)
{
	const struct uxdp_prog *p = a->prog;
	struct analysis *an = a->an;
	size_t *starts, n = 1;

	starts = calloc(p->n_insns + 1, sizeof(*starts));
	if (!starts)
		return -ENOMEM;
	starts[0] = 0;
	for (size_t i = 0; i < p->n_insns; i++) {
		if (an->second_slot[i] || !is_local_ref(&p->insns[i]))
			continue;
		starts[n++] = (size_t)((int64_t)i + p->insns[i].imm + 1);
	}
	qsort(starts, n, sizeof(*starts), cmp_size);
	an->funcs = calloc(n, sizeof(*an->funcs));
	if (!an->funcs) {
		free(starts);
		return -ENOMEM;
	}
	for (size_t k = 0; k < n; k++) {
		if (k && starts[k] == starts[k - 1])
			continue;
		an->funcs[an->n_funcs++].start = starts[k];
	}
	free(starts);
	for (size_t f = 0; f < an->n_funcs; f++) {
		struct lift_func *fn = &an->funcs[f];
		fn->end = f + 1 < an->n_funcs ? an->funcs[f + 1].start : p->n_insns;
		for (size_t i = fn->start; i < fn->end; i++)
			an->func_of[i] = (uint32_t)f;
		if (f == 0)
			snprintf(fn->name, sizeof(fn->name), "%s", p->name);
		else if (p->origin && p->origin[fn->start].function)
			snprintf(fn->name, sizeof(fn->name), "%s.%s", p->name,
				 p->origin[fn->start].function);
		else
			snprintf(fn->name, sizeof(fn->name), "%s.sub%zu", p->name, fn->start);
	}
	return 0;
}

/* Jumps stay in their function, and every function ends in exit or ja. */
static int check_functions(struct analyser *a)
{
	const struct uxdp_prog *p = a->prog;
	struct analysis *an = a->an;

	for (size_t f = 0; f < an->n_funcs; f++) {
		const struct lift_func *fn = &an->funcs[f];
		size_t last = fn->end - 1;
		const struct ebpf_insn *in = &p->insns[last];

		if (an->second_slot[last] ||
		    (in->opcode != EBPF_OP_EXIT && in->opcode != EBPF_OP_JA &&
		     in->opcode != EBPF_OP_JA32))
			return an_error(a, last,
					"function '%s' falls off the end: its last insn is not an exit or jmp",
					fn->name);
		an->leader[fn->start] = 1;
		for (size_t i = fn->start; i < fn->end; i++) {
			if (an->second_slot[i])
				continue;
			in = &p->insns[i];
			if (insn_is_jump(in)) {
				int64_t t = insn_jump_target(i, in);
				if (t < (int64_t)fn->start || t >= (int64_t)fn->end)
					return an_error(a, i, "jump out of range from insn %zu to %lld",
							i, (long long)t);
				an->leader[t] = 1;
			}
			if ((insn_is_jump(in) || in->opcode == EBPF_OP_EXIT) && i + 1 < fn->end)
				an->leader[i + 1] = 1;
			if (in->opcode == EBPF_OP_CALL && in->src == EBPF_PSEUDO_CALL_LOCAL)
				an->callee[i] = uxdp_func_at(an, (size_t)((int64_t)i + in->imm + 1));
		}
	}
	return 0;
}

/* The function insn i calls: a subprogram, or a callback it hands to a helper; -1 for none. */
static int32_t called_at(const struct analysis *an, size_t i)
{
	return an->callee[i] >= 0 ? an->callee[i] : an->callback[i];
}

/*
 * Depth-first over the call graph, callbacks included (a callback runs in
 * a frame of its own, as in the kernel): no recursion, at most 8 frames
 * deep.
 */
static int check_call_depth(struct analyser *a, size_t f, int depth, uint8_t *on_path)
{
	struct analysis *an = a->an;
	const struct lift_func *fn = &an->funcs[f];
	int err;

	if (depth > MAX_CALL_FRAMES)
		return an_error(a, fn->start, "the call stack of %d frames is too deep", depth);
	on_path[f] = 1;
	for (size_t i = fn->start; i < fn->end; i++) {
		int32_t c = called_at(an, i);
		if (c < 0)
			continue;
		if (on_path[c]) {
			on_path[f] = 0;
			return an_error(a, i, "recursive call to function '%s'",
					an->funcs[c].name);
		}
		err = check_call_depth(a, (size_t)c, depth + 1, on_path);
		if (err) {
			on_path[f] = 0;
			return err;
		}
	}
	on_path[f] = 0;
	return 0;
}

static void find_tail_calls(struct analyser *a)
{
	struct analysis *an = a->an;
	bool changed = true;

	if (!a->xdp)
		return;
	for (size_t i = 0; i < a->prog->n_insns; i++) {
		const struct ebpf_insn *in = &a->prog->insns[i];
		if (!an->second_slot[i] && in->opcode == EBPF_OP_CALL &&
		    in->src == EBPF_PSEUDO_CALL_HELPER && in->imm == UXDP_HELPER_ID_TAIL_CALL)
			an->funcs[an->func_of[i]].may_tail_call = true;
	}
	while (changed) {
		changed = false;
		for (size_t i = 0; i < a->prog->n_insns; i++) {
			int32_t c = called_at(an, i);
			struct lift_func *caller = &an->funcs[an->func_of[i]];
			if (c >= 0 && an->funcs[c].may_tail_call && !caller->may_tail_call) {
				caller->may_tail_call = true;
				changed = true;
			}
		}
	}
}

/* ------------------------------------------------------ ctx tracking */

/* The slots of the frame a V_FP value points into. */
static struct aval *frame_slots(struct astate *s, const struct aval *fp)
{
	return fp->frame ? s->ps : s->s;
}

/* A store of size bytes at fp+off: what it does to the tracked slots. */
static void store_stack(struct aval *slots, int64_t off, int size, const struct aval *val)
{
	int first = stack_slot_of(off), last = stack_slot_of(off + size - 1);

	if (first < 0 || last < 0)
		return;
	if (val && size == 8 && (off % 8) == 0) {
		slots[first] = *val;
		return;
	}
	for (int k = first; k <= last; k++)
		slots[k] = SCALAR;
}

static void clobber_caller_saved(struct astate *s)
{
	for (int r = 0; r <= 5; r++)
		s->r[r] = SCALAR;
}

static void apply_alu(struct astate *s, const struct ebpf_insn *in)
{
	struct aval *d = &s->r[in->dst];
	uint8_t op = EBPF_OP(in->opcode);
	bool x = EBPF_SRC(in->opcode) == EBPF_SRC_X;

	if (EBPF_CLASS(in->opcode) != EBPF_CLS_ALU64) {
		*d = SCALAR;
		return;
	}
	if (op == EBPF_ALU_MOV && x && in->off == 0) {
		*d = s->r[in->src];
	} else if ((op == EBPF_ALU_ADD || op == EBPF_ALU_SUB) && !x &&
		   (d->kind == V_FP || d->kind == V_CTX || d->kind == V_CTX_MOD)) {
		int64_t delta = op == EBPF_ALU_ADD ? in->imm : -(int64_t)in->imm;
		if (d->kind == V_FP)
			d->x += (int32_t)delta;
		else if (delta)
			d->kind = V_CTX_MOD;
	} else if (d->kind == V_CTX || d->kind == V_CTX_MOD) {
		d->kind = V_CTX_MOD;
	} else {
		*d = SCALAR;
	}
}

/* Effect of insn i on state s (before: s is the in-state). */
static void transfer(struct analyser *a, size_t i, struct astate *s)
{
	const struct ebpf_insn *in = &a->prog->insns[i];
	uint8_t cls = EBPF_CLASS(in->opcode);
	const struct aval *base;

	switch (cls) {
	case EBPF_CLS_ALU:
	case EBPF_CLS_ALU64:
		apply_alu(s, in);
		break;
	case EBPF_CLS_LD:
		if (in->src == EBPF_PSEUDO_FUNC)
			s->r[in->dst] = (struct aval){
				V_FUNC, 0, uxdp_func_at(a->an, (size_t)((int64_t)i + in->imm + 1)) };
		else
			s->r[in->dst] = SCALAR;
		break;
	case EBPF_CLS_LDX:
		base = &s->r[in->src];
		if (base->kind == V_FP && EBPF_SIZE(in->opcode) == EBPF_SIZE_DW &&
		    EBPF_MODE(in->opcode) == EBPF_MODE_MEM && ((base->x + in->off) % 8) == 0 &&
		    stack_slot_of(base->x + in->off) >= 0)
			s->r[in->dst] = frame_slots(s, base)[stack_slot_of(base->x + in->off)];
		else
			s->r[in->dst] = SCALAR;
		if (s->r[in->dst].kind == V_UNINIT)
			s->r[in->dst] = SCALAR;
		break;
	case EBPF_CLS_ST:
	case EBPF_CLS_STX:
		base = &s->r[in->dst];
		if (base->kind == V_FP) {
			bool plain = cls == EBPF_CLS_STX && EBPF_MODE(in->opcode) == EBPF_MODE_MEM;
			store_stack(frame_slots(s, base), base->x + in->off,
				    insn_access_size(in->opcode), plain ? &s->r[in->src] : NULL);
		}
		if (EBPF_MODE(in->opcode) == EBPF_MODE_ATOMIC && (in->imm & EBPF_ATOMIC_FETCH)) {
			if (in->imm == EBPF_ATOMIC_CMPXCHG)
				s->r[0] = SCALAR;
			else
				s->r[in->src] = SCALAR;
		}
		break;
	default: /* JMP, JMP32 */
		if (EBPF_OP(in->opcode) == EBPF_JMP_CALL)
			clobber_caller_saved(s);
		break;
	}
}

static int propagate_call(struct analyser *a, size_t i, const struct astate *s)
{
	const struct ebpf_insn *in = &a->prog->insns[i];
	struct astate args;
	int32_t f = -1;

	memset(&args, 0, sizeof(args));
	if (in->opcode == EBPF_OP_CALL && in->src == EBPF_PSEUDO_CALL_LOCAL) {
		f = a->an->callee[i];
		for (int r = 1; r <= 5; r++)
			args.r[r] = s->r[r];
	} else if (a->xdp && in->opcode == EBPF_OP_CALL && in->src == EBPF_PSEUDO_CALL_HELPER &&
		   (in->imm == UXDP_HELPER_ID_LOOP || in->imm == UXDP_HELPER_ID_FOR_EACH_MAP_ELEM)) {
		bool loop = in->imm == UXDP_HELPER_ID_LOOP;

		if (s->r[2].kind != V_FUNC || s->r[2].x < 0)
			return an_error(a, i, "%s callback in r2 is not a known function",
					loop ? "bpf_loop" : "bpf_for_each_map_elem");
		f = s->r[2].x;
		a->an->callback[i] = f;
		a->an->funcs[f].is_callback = true;
		/* bpf_loop: (index, ctx); for_each: (map, key, value, ctx) */
		args.r[1] = args.r[2] = args.r[3] = args.r[4] = args.r[5] = SCALAR;
		args.r[loop ? 2 : 4] = s->r[3];
	}
	if (f < 0)
		return 0;
	/* The caller's frame becomes the callee's parent frame. */
	for (int r = 1; r <= 5; r++) {
		if (args.r[r].kind == V_UNINIT || (args.r[r].kind == V_FP && args.r[r].frame))
			args.r[r] = SCALAR;
		else if (args.r[r].kind == V_FP)
			args.r[r].frame = 1;
	}
	memcpy(args.ps, s->s, sizeof(args.ps));
	for (int k = 0; k < N_SLOTS; k++)
		if (args.ps[k].kind == V_FP)
			args.ps[k] = SCALAR;
	args.r[EBPF_REG_FP] = FP0;
	if (join_state(&a->entry[f], &args))
		a->dirty[f] = true;
	return 0;
}

/* Fixed point over one function from its entry state; in[] indexed from start. */
static int analyse_function(struct analyser *a, size_t f, struct astate *in, uint8_t *reached)
{
	const struct lift_func *fn = &a->an->funcs[f];
	size_t n = fn->end - fn->start, *work, top = 0;
	uint8_t *queued;
	struct astate s;
	int err = 0;

	/* Each insn is on the work stack at most once, so n entries suffice. */
	work = malloc((n + 1) * sizeof(*work));
	queued = calloc(n + 1, 1);
	if (!work || !queued) {
		free(work);
		free(queued);
		return -ENOMEM;
	}
	memset(in, 0, n * sizeof(*in));
	memset(reached, 0, n);
	in[0] = a->entry[f];
	reached[0] = 1;
	work[top++] = fn->start;
	queued[0] = 1;
	while (top && !err) {
		size_t i = work[--top], succ[2];
		const struct ebpf_insn *insn = &a->prog->insns[i];
		int n_succ = 0;

		queued[i - fn->start] = 0;
		s = in[i - fn->start];
		transfer(a, i, &s);
		if (insn->opcode == EBPF_OP_CALL || insn->opcode == EBPF_OP_CALLX)
			err = propagate_call(a, i, &in[i - fn->start]);
		if (insn->opcode == EBPF_OP_EXIT) {
			n_succ = 0;
		} else if (insn->opcode == EBPF_OP_LDDW) {
			succ[n_succ++] = i + 2;
		} else if (insn_is_jump(insn)) {
			succ[n_succ++] = (size_t)insn_jump_target(i, insn);
			if (insn->opcode != EBPF_OP_JA && insn->opcode != EBPF_OP_JA32)
				succ[n_succ++] = i + 1;
		} else {
			succ[n_succ++] = i + 1;
		}
		for (int k = 0; k < n_succ; k++) {
			size_t t = succ[k] - fn->start;
			if (succ[k] >= fn->end)
				continue; /* checked already: cannot fall off the end */
			if (!reached[t] || join_state(&in[t], &s)) {
				if (!reached[t])
					in[t] = s;
				reached[t] = 1;
				if (!queued[t]) {
					queued[t] = 1;
					work[top++] = succ[k];
				}
			}
		}
	}
	free(work);
	free(queued);
	return err;
}

static const char *kind_name(uint8_t kind)
{
	return kind == V_CONFLICT ? "the ctx pointer on some paths and other memory on others" :
				    "a modified ctx pointer";
}

/* With the fixed point reached: record facts and refuse bad ctx uses. */
static int record_facts(struct analyser *a, size_t f, const struct astate *in,
			const uint8_t *reached)
{
	const struct lift_func *fn = &a->an->funcs[f];

	for (size_t i = fn->start; i < fn->end; i++) {
		const struct ebpf_insn *insn = &a->prog->insns[i];
		const struct astate *s = &in[i - fn->start];
		uint8_t cls = EBPF_CLASS(insn->opcode);
		const struct aval *base;

		if (!reached[i - fn->start] || a->an->second_slot[i])
			continue;
		base = cls == EBPF_CLS_LDX ? &s->r[insn->src] : &s->r[insn->dst];
		if ((cls == EBPF_CLS_LDX || cls == EBPF_CLS_ST || cls == EBPF_CLS_STX) &&
		    base->kind == V_FP && !base->frame) {
			/* Same offset on every path: address it from the frame. */
			a->an->fact[i] = FACT_STACK;
			a->an->stack_off[i] = base->x + insn->off;
		}
		if (cls == EBPF_CLS_LDX) {
			base = &s->r[insn->src];
			if (base->kind == V_CTX) {
				a->an->fact[i] = FACT_CTX_LOAD;
				if (EBPF_SIZE(insn->opcode) != EBPF_SIZE_W ||
				    EBPF_MODE(insn->opcode) != EBPF_MODE_MEM || insn->off < 0 ||
				    insn->off > 20 || insn->off % 4)
					return an_error(a, i, "invalid bpf_context access off=%d size=%d",
							insn->off, insn_access_size(insn->opcode));
			} else if (base->kind == V_CONFLICT || base->kind == V_CTX_MOD) {
				return an_error(a, i, "load through r%u, which is %s", insn->src,
						kind_name(base->kind));
			}
		} else if (cls == EBPF_CLS_ST || cls == EBPF_CLS_STX) {
			base = &s->r[insn->dst];
			if (base->kind == V_CTX || base->kind == V_CTX_MOD ||
			    base->kind == V_CONFLICT)
				return an_error(a, i, "write into the ctx (r%u) is not allowed in XDP programs",
						insn->dst);
			if (cls == EBPF_CLS_STX && base->kind != V_FP &&
			    (s->r[insn->src].kind == V_CTX || s->r[insn->src].kind == V_CONFLICT))
				return an_error(a, i, "r%u leaks the ctx pointer into memory", insn->src);
			/* The caller would not see it: its slots are not updated
			 * from a callee's stores (see struct astate). */
			if (cls == EBPF_CLS_STX && base->kind == V_FP && base->frame &&
			    s->r[insn->src].kind == V_CTX)
				return an_error(a, i, "storing the ctx pointer into the caller's stack is not supported");
		}
	}
	return 0;
}

static int track_ctx(struct analyser *a)
{
	struct analysis *an = a->an;
	size_t max_len = 0;
	struct astate *in;
	uint8_t *reached;
	bool again = true;
	int err = 0, rounds = 0;

	for (size_t f = 0; f < an->n_funcs; f++) {
		size_t len = an->funcs[f].end - an->funcs[f].start;
		max_len = len > max_len ? len : max_len;
		a->entry[f].r[EBPF_REG_FP] = FP0;
		a->dirty[f] = true;
	}
	a->entry[0].r[1] = a->xdp ? (struct aval){ V_CTX, 0, 0 } : SCALAR;
	a->entry[0].r[2] = SCALAR;
	in = calloc(max_len, sizeof(*in));
	reached = calloc(max_len + 1, 1);
	if (!in || !reached) {
		err = -ENOMEM;
		goto out;
	}
	/* Entry states only grow and the lattice is shallow: this ends. */
	while (again && !err && rounds++ < 64) {
		again = false;
		for (size_t f = 0; f < an->n_funcs && !err; f++) {
			if (!a->dirty[f])
				continue;
			a->dirty[f] = false;
			again = true;
			err = analyse_function(a, f, in, reached);
		}
	}
	/* Final pass with settled entry states: facts and checks. */
	for (size_t f = 0; f < an->n_funcs && !err; f++) {
		err = analyse_function(a, f, in, reached);
		if (!err)
			err = record_facts(a, f, in, reached);
	}
out:
	free(in);
	free(reached);
	return err;
}

/* ------------------------------------------------------------- entry */

int uxdp_analyse(const struct uxdp_object *obj, const struct uxdp_prog *prog, struct analysis *an,
		 struct uxdp_diag *diag)
{
	struct analyser a = { obj, prog, an, diag, NULL, NULL, prog->type == UXDP_PROG_XDP };
	size_t n = prog->n_insns;
	uint8_t *on_path = NULL;
	int err;

	memset(an, 0, sizeof(*an));
	an->func_of = calloc(n, sizeof(*an->func_of));
	an->leader = calloc(n + 1, 1);
	an->second_slot = calloc(n + 1, 1);
	an->fact = calloc(n, 1);
	an->callback = malloc(n * sizeof(*an->callback));
	an->callee = malloc(n * sizeof(*an->callee));
	an->stack_off = calloc(n, sizeof(*an->stack_off));
	if (!an->func_of || !an->leader || !an->second_slot || !an->fact || !an->callback ||
	    !an->callee || !an->stack_off)
		return diag_error(diag, -ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++)
		an->callback[i] = an->callee[i] = -1;
	for (size_t i = 0; i + 1 < n; i++)
		if (prog->insns[i].opcode == EBPF_OP_LDDW)
			an->second_slot[++i] = 1;
	err = find_functions(&a);
	if (err)
		return diag_error(diag, err, "out of memory");
	err = check_functions(&a);
	if (err)
		return err;
	on_path = calloc(an->n_funcs, 1);
	a.entry = calloc(an->n_funcs, sizeof(*a.entry));
	a.dirty = calloc(an->n_funcs, sizeof(*a.dirty));
	if (!on_path || !a.entry || !a.dirty) {
		err = diag_error(diag, -ENOMEM, "out of memory");
		goto out;
	}
	err = check_call_depth(&a, 0, 1, on_path);
	if (err)
		goto out;
	err = track_ctx(&a);
	if (err == -ENOMEM)
		diag_error(diag, err, "out of memory");
	/* again with the callbacks track_ctx found: a tail call in a callback
	 * ends its caller's callers too */
	err = err ?: check_call_depth(&a, 0, 1, on_path);
	if (!err)
		find_tail_calls(&a);
out:
	free(on_path);
	free(a.entry);
	free(a.dirty);
	return err;
}

void uxdp_analysis_free(struct analysis *an)
{
	free(an->funcs);
	free(an->func_of);
	free(an->leader);
	free(an->second_slot);
	free(an->fact);
	free(an->callback);
	free(an->callee);
	free(an->stack_off);
	memset(an, 0, sizeof(*an));
}
