/* SPDX-License-Identifier: MIT */
/*
 * core_reach.c - may a program reach an instruction a CO-RE relocation
 * poisoned?
 *
 * libbpf poisons an instruction whose relocation has no target (a field
 * uxdp's types do not have) and leaves the judgement to the kernel
 * verifier, which tracks constants and never visits a branch a known value
 * rules out: `if (bpf_core_field_exists(s->f)) use(s->f);` loads when the
 * field exists and is dead code when it does not.  We do the same with a
 * forward constant propagation over registers (each known constant or
 * unknown), following only the branches the known values allow.  It is
 * weaker than the verifier (nothing through the stack, no ranges), so it
 * may call reachable what the kernel proves dead, never the reverse; the
 * programs that matter compare the relocated constant directly.
 *
 * A reachable poisoned instruction is refused here, with the reason
 * core_relo.c recorded: "program 'P' (section S), insn N: CO-RE relocation
 * #3 (field_byte_offset struct s.f) failed: uxdp's types have no such field".
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "uxdpc.h"

struct regs {
	uint64_t val[EBPF_REG_FP + 1];
	uint16_t known; /* bit r: val[r] is the register's value */
};

struct walk {
	const struct uxdp_prog *prog;
	struct regs *in; /* state at each insn's entry */
	bool *seen;
	size_t *work;
	size_t top;
};

static bool is_poison(const struct ebpf_insn *in)
{
	return in->opcode == EBPF_OP_CALL && in->src == EBPF_PSEUDO_CALL_HELPER &&
	       in->imm == UXDP_CORE_POISON;
}

/* Merge s into the entry state of insn t; queue t when it changed. */
static void flow(struct walk *w, size_t t, const struct regs *s)
{
	struct regs *d;

	if (t >= w->prog->n_insns)
		return;
	d = &w->in[t];
	if (!w->seen[t]) {
		*d = *s;
		w->seen[t] = true;
	} else {
		uint16_t known = d->known & s->known;

		for (int r = 0; r <= EBPF_REG_FP; r++)
			if ((known >> r & 1) && d->val[r] != s->val[r])
				known &= (uint16_t) ~(1u << r);
		if (known == d->known)
			return;
		d->known = known;
	}
	w->work[w->top++] = t;
}

static void set(struct regs *s, unsigned r, bool known, uint64_t v)
{
	if (known) {
		s->known |= (uint16_t)(1u << r);
		s->val[r] = v;
	} else {
		s->known &= (uint16_t) ~(1u << r);
	}
}

static bool get(const struct regs *s, unsigned r, uint64_t *v)
{
	if (!(s->known >> r & 1))
		return false;
	*v = s->val[r];
	return true;
}

/* dst op= src for the operations that keep a constant constant; false otherwise. */
static bool alu(uint8_t op, bool is64, uint64_t d, uint64_t s, uint64_t *out)
{
	unsigned mask = is64 ? 63 : 31;

	switch (op) {
	case EBPF_ALU_MOV:
		*out = s;
		break;
	case EBPF_ALU_ADD:
		*out = d + s;
		break;
	case EBPF_ALU_SUB:
		*out = d - s;
		break;
	case EBPF_ALU_MUL:
		*out = d * s;
		break;
	case EBPF_ALU_AND:
		*out = d & s;
		break;
	case EBPF_ALU_OR:
		*out = d | s;
		break;
	case EBPF_ALU_XOR:
		*out = d ^ s;
		break;
	case EBPF_ALU_LSH:
		*out = is64 ? d << (s & mask) : (uint64_t)((uint32_t)d << (s & mask));
		break;
	case EBPF_ALU_RSH:
		*out = is64 ? d >> (s & mask) : (uint64_t)((uint32_t)d >> (s & mask));
		break;
	case EBPF_ALU_NEG:
		*out = -d;
		break;
	default:
		return false;
	}
	if (!is64)
		*out = (uint32_t)*out;
	return true;
}

static void step_alu(struct regs *s, const struct ebpf_insn *in)
{
	bool is64 = EBPF_CLASS(in->opcode) == EBPF_CLS_ALU64;
	uint8_t op = EBPF_OP(in->opcode);
	uint64_t d = 0, src = 0, out = 0;
	bool dk = get(s, in->dst, &d), sk;

	if (EBPF_SRC(in->opcode) == EBPF_SRC_X)
		sk = get(s, in->src, &src);
	else
		sk = true, src = is64 ? (uint64_t)(int64_t)in->imm : (uint32_t)in->imm;
	if (op == EBPF_ALU_MOV && in->off) { /* movsx */
		set(s, in->dst, false, 0);
		return;
	}
	if (op == EBPF_ALU_NEG)
		sk = true;
	set(s, in->dst, (dk || op == EBPF_ALU_MOV) && sk && alu(op, is64, d, src, &out), out);
}

/* The outcome of a conditional jump with both sides known: 1 taken, 0 not, -1 unknown. */
static int decide(const struct regs *s, const struct ebpf_insn *in)
{
	bool is32 = EBPF_CLASS(in->opcode) == EBPF_CLS_JMP32;
	uint64_t a, b;

	if (!get(s, in->dst, &a))
		return -1;
	if (EBPF_SRC(in->opcode) == EBPF_SRC_X) {
		if (!get(s, in->src, &b))
			return -1;
	} else {
		b = (uint64_t)(int64_t)in->imm;
	}
	if (is32) {
		a = (uint64_t)(int64_t)(int32_t)a;
		b = (uint64_t)(int64_t)(int32_t)b;
		/* unsigned compares look at the low 32 bits only */
		switch (EBPF_OP(in->opcode)) {
		case EBPF_JMP_JGT:
		case EBPF_JMP_JGE:
		case EBPF_JMP_JLT:
		case EBPF_JMP_JLE:
			a = (uint32_t)a;
			b = (uint32_t)b;
			break;
		}
	}
	switch (EBPF_OP(in->opcode)) {
	case EBPF_JMP_JEQ:
		return a == b;
	case EBPF_JMP_JNE:
		return a != b;
	case EBPF_JMP_JSET:
		return (a & b) != 0;
	case EBPF_JMP_JGT:
		return a > b;
	case EBPF_JMP_JGE:
		return a >= b;
	case EBPF_JMP_JLT:
		return a < b;
	case EBPF_JMP_JLE:
		return a <= b;
	case EBPF_JMP_JSGT:
		return (int64_t)a > (int64_t)b;
	case EBPF_JMP_JSGE:
		return (int64_t)a >= (int64_t)b;
	case EBPF_JMP_JSLT:
		return (int64_t)a < (int64_t)b;
	case EBPF_JMP_JSLE:
		return (int64_t)a <= (int64_t)b;
	default:
		return -1;
	}
}

/* Follow insn i from state s to its successors. */
static void step(struct walk *w, size_t i, struct regs s)
{
	const struct ebpf_insn *in = &w->prog->insns[i];
	uint8_t cls = EBPF_CLASS(in->opcode), op = EBPF_OP(in->opcode);
	int taken;

	switch (cls) {
	case EBPF_CLS_ALU:
	case EBPF_CLS_ALU64:
		if (op == EBPF_ALU_END || op == EBPF_ALU_DIV || op == EBPF_ALU_MOD)
			set(&s, in->dst, false, 0);
		else
			step_alu(&s, in);
		flow(w, i + 1, &s);
		return;
	case EBPF_CLS_LD:
		set(&s, in->dst,
		    in->opcode == EBPF_OP_LDDW && in->src == EBPF_PSEUDO_LD_IMM &&
			i + 1 < w->prog->n_insns,
		    (uint32_t)in->imm | (i + 1 < w->prog->n_insns
					     ? (uint64_t)(uint32_t)w->prog->insns[i + 1].imm << 32
					     : 0));
		flow(w, i + 2, &s);
		return;
	case EBPF_CLS_LDX:
		set(&s, in->dst, false, 0);
		flow(w, i + 1, &s);
		return;
	case EBPF_CLS_ST:
		flow(w, i + 1, &s);
		return;
	case EBPF_CLS_STX:
		if (EBPF_MODE(in->opcode) == EBPF_MODE_ATOMIC) {
			if (in->imm == EBPF_ATOMIC_CMPXCHG)
				set(&s, 0, false, 0);
			else if (in->imm & EBPF_ATOMIC_FETCH)
				set(&s, in->src, false, 0);
		}
		flow(w, i + 1, &s);
		return;
	}
	/* JMP, JMP32 */
	switch (op) {
	case EBPF_JMP_EXIT:
		return;
	case EBPF_JMP_CALL:
		for (unsigned r = 0; r <= 5; r++)
			set(&s, r, false, 0);
		flow(w, i + 1, &s);
		return;
	case EBPF_JMP_JA:
		flow(w, (size_t)((int64_t)i + 1 + (in->opcode == EBPF_OP_JA32 ? in->imm : in->off)),
		     &s);
		return;
	}
	taken = decide(&s, in);
	if (taken != 0)
		flow(w, (size_t)((int64_t)i + 1 + in->off), &s);
	if (taken != 1)
		flow(w, i + 1, &s);
}

static const struct uxdp_core_poison *poison_at(const struct uxdp_object *obj,
						const struct uxdp_prog *prog, size_t i)
{
	const struct uxdp_insn_origin *o = prog->origin ? &prog->origin[i] : NULL;

	for (size_t k = 0; o && k < obj->n_poison; k++)
		if (obj->poison[k].sec_insn == o->sec_insn &&
		    !strcmp(obj->poison[k].section, o->section))
			return &obj->poison[k];
	return NULL;
}

bool uxdp_core_is_poison(const struct uxdp_object *obj, const struct uxdp_prog *prog, size_t i)
{
	return is_poison(&prog->insns[i]) && poison_at(obj, prog, i);
}

int uxdp_core_check_reach(const struct uxdp_object *obj, const struct uxdp_prog *prog,
			  struct uxdp_diag *diag)
{
	struct walk w = {.prog = prog};
	struct regs unknown = {.known = 0};
	size_t n = prog->n_insns, i;
	int err = 0;

	for (i = 0; i < n && !uxdp_core_is_poison(obj, prog, i); i++)
		;
	if (i == n)
		return 0;
	w.in = calloc(n, sizeof(*w.in));
	w.seen = calloc(n, sizeof(*w.seen));
	/* each insn is queued at most once per register it forgets, plus once */
	w.work = calloc(n * (EBPF_REG_FP + 2) + 1, sizeof(*w.work));
	if (!w.in || !w.seen || !w.work) {
		err = diag_error(diag, -ENOMEM, "out of memory");
		goto out;
	}
	/* Subprograms and callbacks start with nothing known. */
	flow(&w, 0, &unknown);
	for (i = 0; i < n; i++) {
		const struct ebpf_insn *in = &prog->insns[i];

		if ((in->opcode == EBPF_OP_CALL && in->src == EBPF_PSEUDO_CALL_LOCAL) ||
		    (in->opcode == EBPF_OP_LDDW && in->src == EBPF_PSEUDO_FUNC))
			flow(&w, (size_t)((int64_t)i + in->imm + 1), &unknown);
		if (in->opcode == EBPF_OP_LDDW)
			i++;
	}
	while (w.top && !err) {
		i = w.work[--w.top];
		if (uxdp_core_is_poison(obj, prog, i)) {
			char where[300];

			uxdp_insn_where(prog, i, where, sizeof(where));
			err = diag_error(diag, -EINVAL, "%s: %s: %s, and the program can reach it",
					 obj->name, where, poison_at(obj, prog, i)->why);
			break;
		}
		step(&w, i, w.in[i]);
	}
out:
	free(w.in);
	free(w.seen);
	free(w.work);
	return err;
}
