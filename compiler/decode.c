/* SPDX-License-Identifier: MIT */
/*
 * decode.c - check the encoding of every instruction before lifting.
 *
 * The checks are the kernel verifier's encoding checks (resolve_pseudo_ldimm64,
 * check_subprogs, do_check's "reserved fields" tests): a program the kernel
 * would refuse for its encoding is refused here too, with the instruction
 * index and the reason.  Memory safety is not checked here.
 *
 * The lifter may then assume: every opcode is known, registers are r0..r10,
 * r10 is never written, jump targets are inside the program and never the
 * second slot of an lddw, helper ids are ones uxdp provides, map indexes are
 * valid.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/bpf.h>
#include <uxdp/helpers.h>
#include <uxdp/kfuncs.h>

#include "uxdpc.h"

/* ----------------------------------------------------------------- helpers */

#define HELPER_NAME(id, name, nargs) [id] = #name,
#define HELPER_NARGS(id, name, nargs) [id] = nargs + 1,
static const char *const helper_names[] = { UXDP_HELPER_TABLE(HELPER_NAME) };
static const signed char helper_nargs_plus1[] = { UXDP_HELPER_TABLE(HELPER_NARGS) };

/* The kernel's names of all helpers, to name one we do not provide. */
#define KERNEL_HELPER_NAME(x) #x
static const char *const kernel_helper_names[] = { __BPF_FUNC_MAPPER(KERNEL_HELPER_NAME) };

/* The table's ids are the kernel's: a typo here would call the wrong helper. */
#define HELPER_ID_CHECK(id, name, nargs) \
	_Static_assert(id == BPF_FUNC_##name, "helper id of " #name " differs from linux/bpf.h");
UXDP_HELPER_TABLE(HELPER_ID_CHECK)

const char *uxdp_helper_name(int32_t id)
{
	if (id < 0 || (size_t)id >= sizeof(helper_names) / sizeof(helper_names[0]))
		return NULL;
	return helper_names[id];
}

int uxdp_helper_nargs(int32_t id)
{
	if (!uxdp_helper_name(id))
		return -1;
	return helper_nargs_plus1[id] - 1;
}

static const char *kernel_helper_name(int32_t id)
{
	if (id < 0 || (size_t)id >= sizeof(kernel_helper_names) / sizeof(kernel_helper_names[0]))
		return NULL;
	return kernel_helper_names[id];
}

/* ------------------------------------------------------------------ kfuncs */

#define KFUNC_NARGS(name, nargs, is_int) { #name, nargs, is_int },
static const struct {
	const char *name;
	int nargs;
	bool is_int;
} kfuncs[] = { UXDP_KFUNC_TABLE(KFUNC_NARGS) };

int uxdp_kfunc_nargs(const char *name)
{
	for (size_t k = 0; k < sizeof(kfuncs) / sizeof(kfuncs[0]); k++)
		if (!strcmp(kfuncs[k].name, name))
			return kfuncs[k].nargs;
	return -1;
}

bool uxdp_kfunc_returns_int(const char *name)
{
	for (size_t k = 0; k < sizeof(kfuncs) / sizeof(kfuncs[0]); k++)
		if (!strcmp(kfuncs[k].name, name))
			return kfuncs[k].is_int;
	return false;
}

/* Why a kernel kfunc is not there, by family (docs/compatibility.md). */
static const char *kfunc_refusal(const char *name)
{
	static const struct {
		const char *prefix, *why;
	} families[] = {
		{ "bpf_xdp_ct_", "conntrack kfuncs need the kernel's connection table, which uxdp does not have" },
		{ "bpf_ct_", "conntrack kfuncs need the kernel's connection table, which uxdp does not have" },
		{ "bpf_skb_ct_", "a tc conntrack kfunc" },
		{ "bpf_xdp_metadata_rx_", "RX metadata kfuncs need a device-bound program and its driver" },
		{ "bpf_xdp_get_xfrm_state", "IPsec state lives in the kernel" },
		{ "bpf_xdp_xfrm_state_release", "IPsec state lives in the kernel" },
		{ "bpf_dynptr_from_", "XDP programs make dynptrs from the packet (bpf_dynptr_from_xdp) or from memory (helper 197); this kind is another program type's" },
		{ "bpf_dynptr_", "uxdp does not provide this dynptr kfunc" },
		{ "bpf_obj_", "BPF-allocated objects are not supported" },
		{ "bpf_list_", "BPF linked lists are not supported" },
		{ "bpf_rbtree_", "BPF rbtrees are not supported" },
		{ "bpf_refcount_", "BPF-allocated objects are not supported" },
		{ "bpf_percpu_obj_", "BPF-allocated objects are not supported" },
		{ "bpf_arena_", "arena maps are not supported" },
		{ "bpf_wq_", "workqueues are not supported" },
		{ "bpf_iter_", "only the numbers iterator (bpf_for, bpf_repeat) is provided" },
	};

	for (size_t k = 0; k < sizeof(families) / sizeof(families[0]); k++)
		if (!strncmp(name, families[k].prefix, strlen(families[k].prefix)))
			return families[k].why;
	return "uxdp does not provide it";
}

/* ------------------------------------------------------------- locations */

void uxdp_insn_where(const struct uxdp_prog *prog, size_t idx, char *buf, size_t size)
{
	const struct uxdp_insn_origin *o = prog->origin ? &prog->origin[idx] : NULL;

	if (o && o->section && strcmp(o->section, prog->section))
		snprintf(buf, size, "program '%s' (section %s), insn %zu (%s insn %u, in '%s')",
			 prog->name, prog->section, idx, o->section, o->sec_insn,
			 o->function ? o->function : "?");
	else
		snprintf(buf, size, "program '%s' (section %s), insn %zu", prog->name,
			 prog->section, idx);
}

struct checker {
	const struct uxdp_object *obj;
	const struct uxdp_prog *prog;
	struct uxdp_diag *diag;
	bool raw; /* --raw without --xdp: conformance contract, any helper id */
	uint8_t *second_slot; /* 1 where an insn is the second slot of an lddw */
};

int uxdp_insn_verror(const struct uxdp_object *obj, const struct uxdp_prog *prog,
		     struct uxdp_diag *diag, size_t idx, int err, const char *fmt, va_list ap)
{
	char where[256], why[512];

	vsnprintf(why, sizeof(why), fmt, ap);
	uxdp_insn_where(prog, idx, where, sizeof(where));
	return diag_error(diag, err, "%s: %s: %s", obj->name, where, why);
}

__attribute__((format(printf, 3, 4))) static int insn_error(const struct checker *c, size_t idx,
							       const char *fmt, ...)
{
	va_list ap;
	int err;

	va_start(ap, fmt);
	err = uxdp_insn_verror(c->obj, c->prog, c->diag, idx, -EINVAL, fmt, ap);
	va_end(ap);
	return err;
}

/* ------------------------------------------------------------ per class */

static int check_regs(const struct checker *c, size_t i, const struct ebpf_insn *in)
{
	if (in->dst > EBPF_REG_FP)
		return insn_error(c, i, "invalid register r%u", in->dst);
	if (in->src > EBPF_REG_FP)
		return insn_error(c, i, "invalid register r%u", in->src);
	return 0;
}

static int check_alu(const struct checker *c, size_t i, const struct ebpf_insn *in)
{
	uint8_t op = EBPF_OP(in->opcode);
	bool is64 = EBPF_CLASS(in->opcode) == EBPF_CLS_ALU64;
	bool x = EBPF_SRC(in->opcode) == EBPF_SRC_X;

	if (in->dst == EBPF_REG_FP)
		return insn_error(c, i, "frame pointer r10 is read only");
	switch (op) {
	case EBPF_ALU_END:
		if (is64 && x)
			return insn_error(c, i, "unknown opcode 0x%02x", in->opcode);
		if (in->src || in->off || (in->imm != 16 && in->imm != 32 && in->imm != 64))
			return insn_error(c, i, "byte swap uses reserved fields");
		return 0;
	case EBPF_ALU_NEG:
		if (x || in->src || in->off || in->imm)
			return insn_error(c, i, "neg uses reserved fields");
		return 0;
	case EBPF_ALU_MOV:
		if (x) {
			bool sx_ok = in->off == 0 || in->off == 8 || in->off == 16 ||
				     (is64 && in->off == 32);
			if (in->imm || !sx_ok)
				return insn_error(c, i, "mov uses reserved fields");
		} else if (in->src || in->off) {
			return insn_error(c, i, "mov uses reserved fields");
		}
		return 0;
	case EBPF_ALU_DIV:
	case EBPF_ALU_MOD:
		if (in->off != 0 && in->off != 1)
			return insn_error(c, i, "div/mod uses reserved fields");
		break;
	case EBPF_ALU_ADD:
	case EBPF_ALU_SUB:
	case EBPF_ALU_MUL:
	case EBPF_ALU_OR:
	case EBPF_ALU_AND:
	case EBPF_ALU_LSH:
	case EBPF_ALU_RSH:
	case EBPF_ALU_XOR:
	case EBPF_ALU_ARSH:
		if (in->off)
			return insn_error(c, i, "ALU uses reserved fields (off=%d)", in->off);
		break;
	default:
		return insn_error(c, i, "unknown opcode 0x%02x", in->opcode);
	}
	if (x && in->imm)
		return insn_error(c, i, "ALU uses reserved fields (imm=%d)", in->imm);
	if (!x && in->src)
		return insn_error(c, i, "ALU uses reserved fields (src=r%u)", in->src);
	return 0;
}

static int check_jump_target(const struct checker *c, size_t i, int64_t target)
{
	const struct uxdp_prog *p = c->prog;

	if (target < 0 || (uint64_t)target >= p->n_insns)
		return insn_error(c, i, "jump out of range to insn %lld", (long long)target);
	if (c->second_slot[target])
		return insn_error(c, i, "jump into the middle of lddw at insn %lld",
				  (long long)target - 1);
	return 0;
}

static int check_call(const struct checker *c, size_t i, const struct ebpf_insn *in)
{
	const char *name;

	if (in->opcode == EBPF_OP_CALLX) {
		if (!c->raw)
			return insn_error(c, i, "unknown opcode 0x%02x (callx)", in->opcode);
		if (in->src || in->off || in->imm)
			return insn_error(c, i, "callx uses reserved fields");
		return 0;
	}
	if (in->off || in->dst)
		return insn_error(c, i, "call uses reserved fields");
	switch (in->src) {
	case EBPF_PSEUDO_CALL_LOCAL:
		return check_jump_target(c, i, (int64_t)i + in->imm + 1);
	case EBPF_PSEUDO_CALL_KFUNC: {
		const char *name;

		if (in->imm < 0 || (size_t)in->imm >= c->obj->n_kfuncs)
			return insn_error(c, i, "kfunc call without a kfunc name (btf id %d)",
					  in->imm);
		name = c->obj->kfuncs[in->imm];
		if (uxdp_kfunc_nargs(name) < 0)
			return insn_error(c, i, "unsupported kfunc '%s': %s", name,
					  kfunc_refusal(name));
		return 0;
	}
	case EBPF_PSEUDO_CALL_HELPER:
		break;
	default:
		return insn_error(c, i, "call uses reserved fields (src=%u)", in->src);
	}
	if (c->raw)
		return 0;
	if (uxdp_helper_name(in->imm) || uxdp_core_is_poison(c->obj, c->prog, i))
		return 0;
	name = kernel_helper_name(in->imm);
	if (name)
		return insn_error(c, i, "unsupported helper %d (bpf_%s)", in->imm, name);
	return insn_error(c, i, "unknown helper %d", in->imm);
}

static int check_jmp(const struct checker *c, size_t i, const struct ebpf_insn *in)
{
	uint8_t op = EBPF_OP(in->opcode);
	bool is32 = EBPF_CLASS(in->opcode) == EBPF_CLS_JMP32;
	bool x = EBPF_SRC(in->opcode) == EBPF_SRC_X;

	switch (op) {
	case EBPF_JMP_JA:
		if (x || in->src || in->dst)
			return insn_error(c, i, "ja uses reserved fields");
		if (is32) {
			if (in->off)
				return insn_error(c, i, "gotol uses reserved fields");
			return check_jump_target(c, i, (int64_t)i + in->imm + 1);
		}
		if (in->imm)
			return insn_error(c, i, "ja uses reserved fields");
		return check_jump_target(c, i, (int64_t)i + in->off + 1);
	case EBPF_JMP_CALL:
		if (is32)
			return insn_error(c, i, "unknown opcode 0x%02x", in->opcode);
		return check_call(c, i, in);
	case EBPF_JMP_JCOND:
		/* may_goto: the only JCOND the kernel knows (src 0). */
		if (is32 || x || c->raw)
			return insn_error(c, i, "unknown opcode 0x%02x", in->opcode);
		if (in->src || in->dst || in->imm)
			return insn_error(c, i, "may_goto uses reserved fields");
		return check_jump_target(c, i, (int64_t)i + in->off + 1);
	case EBPF_JMP_EXIT:
		if (is32 || x)
			return insn_error(c, i, "unknown opcode 0x%02x", in->opcode);
		if (in->src || in->dst || in->off || in->imm)
			return insn_error(c, i, "exit uses reserved fields");
		return 0;
	case EBPF_JMP_JEQ:
	case EBPF_JMP_JGT:
	case EBPF_JMP_JGE:
	case EBPF_JMP_JSET:
	case EBPF_JMP_JNE:
	case EBPF_JMP_JSGT:
	case EBPF_JMP_JSGE:
	case EBPF_JMP_JLT:
	case EBPF_JMP_JLE:
	case EBPF_JMP_JSLT:
	case EBPF_JMP_JSLE:
		if (x && in->imm)
			return insn_error(c, i, "jump uses reserved fields (imm=%d)", in->imm);
		if (!x && in->src)
			return insn_error(c, i, "jump uses reserved fields (src=r%u)", in->src);
		return check_jump_target(c, i, (int64_t)i + in->off + 1);
	default:
		return insn_error(c, i, "unknown opcode 0x%02x", in->opcode);
	}
}

static int check_atomic(const struct checker *c, size_t i, const struct ebpf_insn *in)
{
	uint8_t size = EBPF_SIZE(in->opcode);

	if (size != EBPF_SIZE_W && size != EBPF_SIZE_DW)
		return insn_error(c, i, "invalid atomic operand size");
	switch (in->imm) {
	case EBPF_ATOMIC_ADD:
	case EBPF_ATOMIC_OR:
	case EBPF_ATOMIC_AND:
	case EBPF_ATOMIC_XOR:
	case EBPF_ATOMIC_ADD | EBPF_ATOMIC_FETCH:
	case EBPF_ATOMIC_OR | EBPF_ATOMIC_FETCH:
	case EBPF_ATOMIC_AND | EBPF_ATOMIC_FETCH:
	case EBPF_ATOMIC_XOR | EBPF_ATOMIC_FETCH:
	case EBPF_ATOMIC_XCHG:
	case EBPF_ATOMIC_CMPXCHG:
		return 0;
	default:
		return insn_error(c, i, "unknown atomic operation 0x%x", (unsigned)in->imm);
	}
}

static int check_mem(const struct checker *c, size_t i, const struct ebpf_insn *in)
{
	uint8_t cls = EBPF_CLASS(in->opcode), mode = EBPF_MODE(in->opcode);

	switch (cls) {
	case EBPF_CLS_LDX:
		if (mode == EBPF_MODE_MEMSX && EBPF_SIZE(in->opcode) == EBPF_SIZE_DW)
			return insn_error(c, i, "unknown opcode 0x%02x", in->opcode);
		if (mode != EBPF_MODE_MEM && mode != EBPF_MODE_MEMSX)
			return insn_error(c, i, "unknown opcode 0x%02x", in->opcode);
		if (in->imm)
			return insn_error(c, i, "load uses reserved fields");
		if (in->dst == EBPF_REG_FP)
			return insn_error(c, i, "frame pointer r10 is read only");
		return 0;
	case EBPF_CLS_ST:
		if (mode != EBPF_MODE_MEM)
			return insn_error(c, i, "unknown opcode 0x%02x", in->opcode);
		if (in->src)
			return insn_error(c, i, "store uses reserved fields");
		return 0;
	default: /* STX */
		if (mode == EBPF_MODE_ATOMIC)
			return check_atomic(c, i, in);
		if (mode != EBPF_MODE_MEM)
			return insn_error(c, i, "unknown opcode 0x%02x", in->opcode);
		if (in->imm)
			return insn_error(c, i, "store uses reserved fields");
		return 0;
	}
}

static int check_lddw(const struct checker *c, size_t i, const struct ebpf_insn *in)
{
	const struct ebpf_insn *next;

	if (in->opcode != EBPF_OP_LDDW) {
		uint8_t mode = EBPF_MODE(in->opcode);
		if (mode == EBPF_MODE_ABS || mode == EBPF_MODE_IND)
			return insn_error(c, i, "legacy packet access BPF_LD_[ABS|IND] (opcode 0x%02x) is not allowed in XDP programs",
					  in->opcode);
		return insn_error(c, i, "unknown opcode 0x%02x", in->opcode);
	}
	if (i + 1 >= c->prog->n_insns)
		return insn_error(c, i, "lddw is missing its second slot");
	next = &c->prog->insns[i + 1];
	if (next->opcode || next->dst || next->src || next->off)
		return insn_error(c, i, "invalid second slot of lddw");
	if (in->off || in->dst == EBPF_REG_FP)
		return insn_error(c, i, in->off ? "lddw uses reserved fields" :
						  "frame pointer r10 is read only");
	switch (in->src) {
	case EBPF_PSEUDO_LD_IMM:
		return 0;
	case EBPF_PSEUDO_MAP_FD:
	case EBPF_PSEUDO_MAP_VALUE:
		if (in->imm < 0 || (size_t)in->imm >= c->obj->n_maps)
			return insn_error(c, i, "lddw refers to map index %d, the object has %zu maps",
					  in->imm, c->obj->n_maps);
		if (c->obj->maps[in->imm].kind == UXDP_MAP_KIND_INNER)
			return insn_error(c, i, "lddw refers to an inner map template");
		if (in->src == EBPF_PSEUDO_MAP_FD && next->imm)
			return insn_error(c, i, "invalid second slot of lddw");
		if (in->src == EBPF_PSEUDO_MAP_VALUE &&
		    ((uint32_t)next->imm >= c->obj->maps[in->imm].value_size ||
		     c->obj->maps[in->imm].type != BPF_MAP_TYPE_ARRAY))
			return insn_error(c, i, "lddw map value offset %u out of range of map '%s'",
					  (uint32_t)next->imm, c->obj->maps[in->imm].name);
		return 0;
	case EBPF_PSEUDO_FUNC:
		if (next->imm)
			return insn_error(c, i, "invalid second slot of lddw");
		return check_jump_target(c, i, (int64_t)i + in->imm + 1);
	default:
		return insn_error(c, i, "unsupported lddw kind (src=%u)", in->src);
	}
}

int uxdp_decode_check(const struct uxdp_object *obj, const struct uxdp_prog *prog,
		      struct uxdp_diag *diag)
{
	struct checker c = { obj, prog, diag, prog->type == UXDP_PROG_RAW, NULL };
	int err = 0;

	if (!prog->n_insns)
		return diag_error(diag, -EINVAL, "%s: program '%s' has no instructions",
				  obj->name, prog->name);
	c.second_slot = calloc(prog->n_insns, 1);
	if (!c.second_slot)
		return diag_error(diag, -ENOMEM, "out of memory");
	for (size_t i = 0; i + 1 < prog->n_insns; i++) {
		if (prog->insns[i].opcode == EBPF_OP_LDDW)
			c.second_slot[++i] = 1;
	}
	for (size_t i = 0; i < prog->n_insns && !err; i++) {
		const struct ebpf_insn *in = &prog->insns[i];

		err = check_regs(&c, i, in);
		if (err)
			break;
		switch (EBPF_CLASS(in->opcode)) {
		case EBPF_CLS_ALU:
		case EBPF_CLS_ALU64:
			err = check_alu(&c, i, in);
			break;
		case EBPF_CLS_JMP:
		case EBPF_CLS_JMP32:
			err = check_jmp(&c, i, in);
			break;
		case EBPF_CLS_LD:
			err = check_lddw(&c, i, in);
			if (!err)
				i++; /* the second slot was checked with it */
			break;
		default:
			err = check_mem(&c, i, in);
			break;
		}
	}
	free(c.second_slot);
	return err;
}
