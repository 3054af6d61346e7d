// SPDX-License-Identifier: MIT
/*
 * asm.c - assembler for the uBPF-style eBPF assembly dialect.
 *
 * One pass over the lines encodes every instruction as soon as it is read;
 * a jump or local call to a label that may not be defined yet leaves a
 * fixup (slot, field, name) that uxdp_asm__finish() patches.  The grammar and
 * the encodings are those of test/conformance/README.md sections 4-5;
 * the error strings follow the reference assembler where it has one
 * ("Invalid register: <tok>", "Immediate out of 32-bit range: <tok>").
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asm.h"

#define MAX_TOKENS 8

struct asm_label {
	char *name;
	size_t slot;
};

/* Which field of a slot a label reference is patched into. */
enum fixup_field {
	FIXUP_OFF, /* 16-bit offset: conditional jumps and ja */
	FIXUP_IMM, /* 32-bit imm: ja32 and call local */
};

struct asm_fixup {
	char *name;
	size_t slot;
	enum fixup_field field;
	int lineno;
};

struct uxdp_asm {
	struct ebpf_insn *insns;
	size_t n_insns, cap_insns;
	struct asm_label *labels;
	size_t n_labels, cap_labels;
	struct asm_fixup *fixups;
	size_t n_fixups, cap_fixups;
	/* The implicit label `exit`: the first exit instruction. */
	bool have_exit;
	size_t exit_slot;
	bool finished;
	int err;
	int err_line;
	char errmsg[256];
};

struct uxdp_asm *uxdp_asm__new(void)
{
	struct uxdp_asm *a = calloc(1, sizeof(*a));

	if (!a)
		errno = ENOMEM;
	return a;
}

void uxdp_asm__free(struct uxdp_asm *a)
{
	size_t i;

	if (!a)
		return;
	for (i = 0; i < a->n_labels; i++)
		free(a->labels[i].name);
	for (i = 0; i < a->n_fixups; i++)
		free(a->fixups[i].name);
	free(a->labels);
	free(a->fixups);
	free(a->insns);
	free(a);
}

const char *uxdp_asm__error(const struct uxdp_asm *a)
{
	return a->errmsg;
}

int uxdp_asm__error_line(const struct uxdp_asm *a)
{
	return a->err_line;
}

__attribute__((format(printf, 4, 5))) static int set_error(struct uxdp_asm *a, int err, int lineno,
							   const char *fmt, ...)
{
	va_list ap;

	/* Keep the first error: later ones are usually its consequences. */
	if (a->err)
		return a->err;
	va_start(ap, fmt);
	vsnprintf(a->errmsg, sizeof(a->errmsg), fmt, ap);
	va_end(ap);
	a->err = err;
	a->err_line = lineno;
	return err;
}

/* Grow *arr (of *cap elements of size elem) to hold at least need. */
static int grow(void **arr, size_t *cap, size_t need, size_t elem)
{
	size_t ncap = *cap ? *cap : 16;
	void *p;

	if (need <= *cap)
		return 0;
	while (ncap < need)
		ncap *= 2;
	p = realloc(*arr, ncap * elem);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}

static int emit(struct uxdp_asm *a, int lineno, uint8_t opcode, unsigned int dst, unsigned int src,
		int16_t off, int32_t imm)
{
	struct ebpf_insn *insn;

	if (grow((void **)&a->insns, &a->cap_insns, a->n_insns + 1, sizeof(*a->insns)))
		return set_error(a, -ENOMEM, lineno, "out of memory");
	insn = &a->insns[a->n_insns++];
	memset(insn, 0, sizeof(*insn));
	insn->opcode = opcode;
	insn->dst = dst & 0xf;
	insn->src = src & 0xf;
	insn->off = off;
	insn->imm = imm;
	return 0;
}

/* All of s (at least one char) is digits of base 10 or 16; no overflow. */
static bool parse_uint(const char *s, unsigned int base, uint64_t *out)
{
	uint64_t v = 0;
	unsigned int d;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			return false;
		if (v > (UINT64_MAX - d) / base)
			return false;
		v = v * base + d;
	}
	*out = v;
	return true;
}

/*
 * A number token: "0x..." is unsigned hex, anything else optionally signed
 * decimal.  *neg is set for a leading '-'; *mag is the magnitude.
 */
static bool parse_number(const char *tok, bool *hex, bool *neg, uint64_t *mag)
{
	*neg = false;
	*hex = strstr(tok, "0x") != NULL;
	if (*hex)
		return strncmp(tok, "0x", 2) == 0 && parse_uint(tok + 2, 16, mag);
	if (*tok == '-' || *tok == '+') {
		*neg = *tok == '-';
		tok++;
	}
	return parse_uint(tok, 10, mag);
}

static int parse_reg(struct uxdp_asm *a, int lineno, const char *tok, unsigned int *reg)
{
	uint64_t v;

	/* %r11-%r15 are accepted so that negative tests can be written. */
	if (strncmp(tok, "%r", 2) || !parse_uint(tok + 2, 10, &v) || v > 15 ||
	    (tok[2] == '0' && tok[3]))
		return set_error(a, -EINVAL, lineno, "Invalid register: %s", tok);
	*reg = v;
	return 0;
}

static int parse_imm32(struct uxdp_asm *a, int lineno, const char *tok, int32_t *imm)
{
	bool hex, neg;
	uint64_t mag;

	if (!parse_number(tok, &hex, &neg, &mag))
		return set_error(a, -EINVAL, lineno, "Invalid immediate: %s", tok);
	/* Hex is a 32-bit pattern (0xffffffff is -1); decimal is a signed value. */
	if (hex ? mag > UINT32_MAX : (neg ? mag > (uint64_t)INT32_MAX + 1 : mag > INT32_MAX))
		return set_error(a, -EINVAL, lineno, "Immediate out of 32-bit range: %s", tok);
	*imm = (int32_t)(uint32_t)(neg ? 0 - mag : mag);
	return 0;
}

static int parse_imm64(struct uxdp_asm *a, int lineno, const char *tok, uint64_t *imm)
{
	bool hex, neg;
	uint64_t mag;

	if (!parse_number(tok, &hex, &neg, &mag))
		return set_error(a, -EINVAL, lineno, "Invalid immediate: %s", tok);
	if (neg && mag > (uint64_t)INT64_MAX + 1)
		return set_error(a, -EINVAL, lineno, "Immediate out of 64-bit range: %s", tok);
	*imm = neg ? 0 - mag : mag;
	return 0;
}

/* [%rN], [%rN+K] or [%rN-K], K decimal or 0x hex, int16. */
static int parse_mem(struct uxdp_asm *a, int lineno, const char *tok, unsigned int *reg,
		     int16_t *off)
{
	char buf[64];
	size_t len = strlen(tok);
	char *sign;
	bool hex, neg;
	uint64_t mag;

	if (len < 3 || len >= sizeof(buf) || tok[0] != '[' || tok[len - 1] != ']')
		return set_error(a, -EINVAL, lineno, "Invalid memory operand: %s", tok);
	memcpy(buf, tok + 1, len - 2);
	buf[len - 2] = '\0';
	sign = strpbrk(buf, "+-");
	*off = 0;
	if (sign) {
		/* The sign belongs to the operand syntax; the number follows it. */
		neg = *sign == '-';
		hex = strncmp(sign + 1, "0x", 2) == 0;
		if (hex ? !parse_uint(sign + 3, 16, &mag) : !parse_uint(sign + 1, 10, &mag))
			return set_error(a, -EINVAL, lineno, "Invalid offset: %s", tok);
		if (hex) {
			/* Hex is a 16-bit pattern, reinterpreted as int16. */
			if (mag > UINT16_MAX)
				return set_error(a, -EINVAL, lineno,
						 "Offset out of 16-bit range: %s", tok);
			*off = (int16_t)(uint16_t)(neg ? 0 - mag : mag);
		} else {
			if (neg ? mag > 32768 : mag > 32767)
				return set_error(a, -EINVAL, lineno,
						 "Offset out of 16-bit range: %s", tok);
			*off = (int16_t)(neg ? -(int64_t)mag : (int64_t)mag);
		}
		*sign = '\0';
	}
	return parse_reg(a, lineno, buf, reg);
}

/*
 * A jump target for the instruction about to be emitted at slot a->n_insns:
 * "+N"/"-N" is a relative offset, anything else a label resolved later.
 */
static int parse_target(struct uxdp_asm *a, int lineno, const char *tok, enum fixup_field field,
			int32_t *rel)
{
	struct asm_fixup *f;
	uint64_t mag;
	int64_t max = field == FIXUP_OFF ? INT16_MAX : INT32_MAX;

	*rel = 0;
	if (*tok == '+' || *tok == '-') {
		if (!parse_uint(tok + 1, 10, &mag))
			return set_error(a, -EINVAL, lineno, "Invalid jump offset: %s", tok);
		if (*tok == '-' ? mag > (uint64_t)max + 1 : mag > (uint64_t)max)
			return set_error(a, -EINVAL, lineno, "Jump offset out of range: %s", tok);
		*rel = (int32_t)(*tok == '-' ? -(int64_t)mag : (int64_t)mag);
		return 0;
	}
	if (!*tok)
		return set_error(a, -EINVAL, lineno, "Invalid jump target: %s", tok);
	if (grow((void **)&a->fixups, &a->cap_fixups, a->n_fixups + 1, sizeof(*a->fixups)))
		return set_error(a, -ENOMEM, lineno, "out of memory");
	f = &a->fixups[a->n_fixups];
	f->name = strdup(tok);
	if (!f->name)
		return set_error(a, -ENOMEM, lineno, "out of memory");
	f->slot = a->n_insns;
	f->field = field;
	f->lineno = lineno;
	a->n_fixups++;
	return 0;
}

static int define_label(struct uxdp_asm *a, int lineno, const char *tok)
{
	size_t len = strlen(tok) - 1; /* without the ':' */
	struct asm_label *l;
	size_t i;

	if (!len)
		return set_error(a, -EINVAL, lineno, "Invalid label: %s", tok);
	for (i = 0; i < a->n_labels; i++)
		if (strlen(a->labels[i].name) == len && !strncmp(a->labels[i].name, tok, len))
			return set_error(a, -EINVAL, lineno, "Duplicate label: %.*s", (int)len,
					 tok);
	if (grow((void **)&a->labels, &a->cap_labels, a->n_labels + 1, sizeof(*a->labels)))
		return set_error(a, -ENOMEM, lineno, "out of memory");
	l = &a->labels[a->n_labels];
	l->name = strndup(tok, len);
	if (!l->name)
		return set_error(a, -ENOMEM, lineno, "out of memory");
	l->slot = a->n_insns;
	a->n_labels++;
	return 0;
}

static int check_operands(struct uxdp_asm *a, int lineno, const char *mnem, int got, int want)
{
	if (got != want)
		return set_error(a, -EINVAL, lineno, "%s expects %d operand%s, got %d", mnem, want,
				 want == 1 ? "" : "s", got);
	return 0;
}

struct mnem_op {
	const char *name;
	uint8_t op;
	int16_t off;
};

static const struct mnem_op alu_ops[] = {
    {"add", EBPF_ALU_ADD, 0},
    {"sub", EBPF_ALU_SUB, 0},
    {"mul", EBPF_ALU_MUL, 0},
    {"div", EBPF_ALU_DIV, 0},
    {"or", EBPF_ALU_OR, 0},
    {"and", EBPF_ALU_AND, 0},
    {"lsh", EBPF_ALU_LSH, 0},
    {"rsh", EBPF_ALU_RSH, 0},
    {"neg", EBPF_ALU_NEG, 0},
    {"mod", EBPF_ALU_MOD, 0},
    {"xor", EBPF_ALU_XOR, 0},
    {"mov", EBPF_ALU_MOV, 0},
    {"arsh", EBPF_ALU_ARSH, 0},
    /* v4 signed division: the offset field selects the signed form. */
    {"sdiv", EBPF_ALU_DIV, 1},
    {"smod", EBPF_ALU_MOD, 1},
};

static const struct mnem_op jmp_ops[] = {
    {"jeq", EBPF_JMP_JEQ, 0},	{"jgt", EBPF_JMP_JGT, 0},   {"jge", EBPF_JMP_JGE, 0},
    {"jset", EBPF_JMP_JSET, 0}, {"jne", EBPF_JMP_JNE, 0},   {"jsgt", EBPF_JMP_JSGT, 0},
    {"jsge", EBPF_JMP_JSGE, 0}, {"jlt", EBPF_JMP_JLT, 0},   {"jle", EBPF_JMP_JLE, 0},
    {"jslt", EBPF_JMP_JSLT, 0}, {"jsle", EBPF_JMP_JSLE, 0},
};

/* movsx<from><class>: the offset is the source width. */
static const struct mnem_op movsx_ops[] = {
    {"movsx864", EBPF_CLS_ALU64, 8},   {"movsx1664", EBPF_CLS_ALU64, 16},
    {"movsx3264", EBPF_CLS_ALU64, 32}, {"movsx832", EBPF_CLS_ALU, 8},
    {"movsx1632", EBPF_CLS_ALU, 16},
};

/* Byte swaps carry the width in imm; the op field here is the full opcode. */
static const struct mnem_op end_ops[] = {
    {"le16", EBPF_CLS_ALU | EBPF_ALU_END | EBPF_SRC_K, 16},
    {"le32", EBPF_CLS_ALU | EBPF_ALU_END | EBPF_SRC_K, 32},
    {"le64", EBPF_CLS_ALU | EBPF_ALU_END | EBPF_SRC_K, 64},
    {"be16", EBPF_CLS_ALU | EBPF_ALU_END | EBPF_SRC_X, 16},
    {"be32", EBPF_CLS_ALU | EBPF_ALU_END | EBPF_SRC_X, 32},
    {"be64", EBPF_CLS_ALU | EBPF_ALU_END | EBPF_SRC_X, 64},
    {"bswap16", EBPF_CLS_ALU64 | EBPF_ALU_END, 16},
    {"bswap32", EBPF_CLS_ALU64 | EBPF_ALU_END, 32},
    {"bswap64", EBPF_CLS_ALU64 | EBPF_ALU_END, 64},
    {"swap16", EBPF_CLS_ALU64 | EBPF_ALU_END, 16},
    {"swap32", EBPF_CLS_ALU64 | EBPF_ALU_END, 32},
    {"swap64", EBPF_CLS_ALU64 | EBPF_ALU_END, 64},
};

#define MEM_OP(cls, mode, size) ((cls) | (mode) | (size))
static const struct mnem_op ldx_ops[] = {
    {"ldxw", MEM_OP(EBPF_CLS_LDX, EBPF_MODE_MEM, EBPF_SIZE_W), 0},
    {"ldxh", MEM_OP(EBPF_CLS_LDX, EBPF_MODE_MEM, EBPF_SIZE_H), 0},
    {"ldxb", MEM_OP(EBPF_CLS_LDX, EBPF_MODE_MEM, EBPF_SIZE_B), 0},
    {"ldxdw", MEM_OP(EBPF_CLS_LDX, EBPF_MODE_MEM, EBPF_SIZE_DW), 0},
    {"ldxsw", MEM_OP(EBPF_CLS_LDX, EBPF_MODE_MEMSX, EBPF_SIZE_W), 0},
    {"ldxsh", MEM_OP(EBPF_CLS_LDX, EBPF_MODE_MEMSX, EBPF_SIZE_H), 0},
    {"ldxsb", MEM_OP(EBPF_CLS_LDX, EBPF_MODE_MEMSX, EBPF_SIZE_B), 0},
};

static const struct mnem_op st_ops[] = {
    {"stw", MEM_OP(EBPF_CLS_ST, EBPF_MODE_MEM, EBPF_SIZE_W), 0},
    {"sth", MEM_OP(EBPF_CLS_ST, EBPF_MODE_MEM, EBPF_SIZE_H), 0},
    {"stb", MEM_OP(EBPF_CLS_ST, EBPF_MODE_MEM, EBPF_SIZE_B), 0},
    {"stdw", MEM_OP(EBPF_CLS_ST, EBPF_MODE_MEM, EBPF_SIZE_DW), 0},
};

static const struct mnem_op stx_ops[] = {
    {"stxw", MEM_OP(EBPF_CLS_STX, EBPF_MODE_MEM, EBPF_SIZE_W), 0},
    {"stxh", MEM_OP(EBPF_CLS_STX, EBPF_MODE_MEM, EBPF_SIZE_H), 0},
    {"stxb", MEM_OP(EBPF_CLS_STX, EBPF_MODE_MEM, EBPF_SIZE_B), 0},
    {"stxdw", MEM_OP(EBPF_CLS_STX, EBPF_MODE_MEM, EBPF_SIZE_DW), 0},
};

static const struct mnem_op atomic_ops[] = {
    {"add", EBPF_ATOMIC_ADD, 0}, {"or", EBPF_ATOMIC_OR, 0},	{"and", EBPF_ATOMIC_AND, 0},
    {"xor", EBPF_ATOMIC_XOR, 0}, {"xchg", EBPF_ATOMIC_XCHG, 0}, {"cmpxchg", EBPF_ATOMIC_CMPXCHG, 0},
};

#define ARRAY_SIZE(x) (sizeof(x) / sizeof((x)[0]))

static const struct mnem_op *find_op(const struct mnem_op *tab, size_t n, const char *name,
				     size_t len)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strlen(tab[i].name) == len && !strncmp(tab[i].name, name, len))
			return &tab[i];
	return NULL;
}

#define FIND(tab, name) find_op(tab, ARRAY_SIZE(tab), name, strlen(name))

/* Length of mnem without a "32"/"64" width suffix; *is32 tells which. */
static size_t strip_width(const char *mnem, bool *is32, bool *had_suffix)
{
	size_t len = strlen(mnem);

	*is32 = false;
	*had_suffix = false;
	if (len > 2 && (!strcmp(mnem + len - 2, "32") || !strcmp(mnem + len - 2, "64"))) {
		*is32 = mnem[len - 2] == '3';
		*had_suffix = true;
		return len - 2;
	}
	return len;
}

static int asm_alu(struct uxdp_asm *a, int lineno, const char *mnem, const struct mnem_op *op,
		   bool is32, char **opnd, int n)
{
	uint8_t cls = is32 ? EBPF_CLS_ALU : EBPF_CLS_ALU64;
	unsigned int dst, src = 0;
	int32_t imm = 0;
	int err;

	if (op->op == EBPF_ALU_NEG) {
		err = check_operands(a, lineno, mnem, n, 1);
		err = err ?: parse_reg(a, lineno, opnd[0], &dst);
		return err ?: emit(a, lineno, cls | op->op, dst, 0, 0, 0);
	}
	err = check_operands(a, lineno, mnem, n, 2);
	err = err ?: parse_reg(a, lineno, opnd[0], &dst);
	if (err)
		return err;
	if (opnd[1][0] == '%') {
		err = parse_reg(a, lineno, opnd[1], &src);
		return err ?: emit(a, lineno, cls | op->op | EBPF_SRC_X, dst, src, op->off, 0);
	}
	err = parse_imm32(a, lineno, opnd[1], &imm);
	return err ?: emit(a, lineno, cls | op->op | EBPF_SRC_K, dst, 0, op->off, imm);
}

static int asm_jcc(struct uxdp_asm *a, int lineno, const char *mnem, const struct mnem_op *op,
		   bool is32, char **opnd, int n)
{
	uint8_t cls = is32 ? EBPF_CLS_JMP32 : EBPF_CLS_JMP;
	unsigned int dst, src = 0;
	int32_t imm = 0, rel;
	uint8_t srcbit = EBPF_SRC_K;
	int err;

	err = check_operands(a, lineno, mnem, n, 3);
	err = err ?: parse_reg(a, lineno, opnd[0], &dst);
	if (err)
		return err;
	if (opnd[1][0] == '%') {
		err = parse_reg(a, lineno, opnd[1], &src);
		srcbit = EBPF_SRC_X;
	} else {
		err = parse_imm32(a, lineno, opnd[1], &imm);
	}
	err = err ?: parse_target(a, lineno, opnd[2], FIXUP_OFF, &rel);
	return err ?: emit(a, lineno, cls | op->op | srcbit, dst, src, rel, imm);
}

/* lock [fetch] OP[32] [dst+off], src */
static int asm_lock(struct uxdp_asm *a, int lineno, char **opnd, int n)
{
	const struct mnem_op *op;
	bool fetch = false, is32, suffixed;
	unsigned int dst = 0, src = 0;
	int16_t off = 0;
	size_t len;
	int32_t imm;
	int err;

	if (n > 0 && !strcmp(opnd[0], "fetch")) {
		fetch = true;
		opnd++;
		n--;
	}
	err = check_operands(a, lineno, "lock", n, 3);
	if (err)
		return err;
	len = strip_width(opnd[0], &is32, &suffixed);
	if (suffixed && !is32)
		len += 2; /* only a "32" suffix exists; "add64" is not an atomic op */
	op = find_op(atomic_ops, ARRAY_SIZE(atomic_ops), opnd[0], len);
	if (!op)
		return set_error(a, -EINVAL, lineno, "Invalid atomic operation: %s", opnd[0]);
	err = parse_mem(a, lineno, opnd[1], &dst, &off);
	err = err ?: parse_reg(a, lineno, opnd[2], &src);
	if (err)
		return err;
	/* xchg and cmpxchg always fetch; their op already has the bit. */
	imm = op->op | (fetch ? EBPF_ATOMIC_FETCH : 0);
	return emit(a, lineno,
		    MEM_OP(EBPF_CLS_STX, EBPF_MODE_ATOMIC, is32 ? EBPF_SIZE_W : EBPF_SIZE_DW), dst,
		    src, off, imm);
}

/* call N | call helper N | call local LABEL | call runtime N | call %rN */
static int asm_call(struct uxdp_asm *a, int lineno, char **opnd, int n)
{
	unsigned int reg, src;
	int32_t imm;
	int err;

	if (n == 1 && opnd[0][0] == '%') {
		/* callx keeps the register in dst, as LLVM and the kernel encode it. */
		err = parse_reg(a, lineno, opnd[0], &reg);
		return err ?: emit(a, lineno, EBPF_OP_CALLX, reg, 0, 0, 0);
	}
	if (n == 1) {
		err = parse_imm32(a, lineno, opnd[0], &imm);
		return err ?: emit(a, lineno, EBPF_OP_CALL, 0, EBPF_PSEUDO_CALL_HELPER, 0, imm);
	}
	if (n != 2)
		return set_error(a, -EINVAL, lineno, "call expects 1 or 2 operands, got %d", n);
	if (!strcmp(opnd[0], "local")) {
		err = parse_target(a, lineno, opnd[1], FIXUP_IMM, &imm);
		return err ?: emit(a, lineno, EBPF_OP_CALL, 0, EBPF_PSEUDO_CALL_LOCAL, 0, imm);
	}
	if (!strcmp(opnd[0], "helper"))
		src = EBPF_PSEUDO_CALL_HELPER;
	else if (!strcmp(opnd[0], "runtime"))
		src = EBPF_PSEUDO_CALL_KFUNC;
	else
		return set_error(a, -EINVAL, lineno, "Invalid call type: %s", opnd[0]);
	err = parse_imm32(a, lineno, opnd[1], &imm);
	return err ?: emit(a, lineno, EBPF_OP_CALL, 0, src, 0, imm);
}

static int asm_insn(struct uxdp_asm *a, int lineno, const char *mnem, char **opnd, int n)
{
	const struct mnem_op *op;
	unsigned int dst = 0, src = 0;
	bool is32, suffixed;
	uint64_t imm64 = 0;
	int32_t imm = 0, rel = 0;
	int16_t off = 0;
	size_t len;
	int err;

	if (!strcmp(mnem, "exit")) {
		err = check_operands(a, lineno, mnem, n, 0);
		if (err)
			return err;
		if (!a->have_exit) {
			a->have_exit = true;
			a->exit_slot = a->n_insns;
		}
		return emit(a, lineno, EBPF_OP_EXIT, 0, 0, 0, 0);
	}
	if (!strcmp(mnem, "ja") || !strcmp(mnem, "ja32")) {
		bool wide = mnem[2] == '3';

		err = check_operands(a, lineno, mnem, n, 1);
		err = err ?: parse_target(a, lineno, opnd[0], wide ? FIXUP_IMM : FIXUP_OFF, &rel);
		if (err)
			return err;
		/* ja32 (v4) carries its offset in imm to reach beyond int16. */
		return wide ? emit(a, lineno, EBPF_OP_JA32, 0, 0, 0, rel)
			    : emit(a, lineno, EBPF_OP_JA, 0, 0, rel, 0);
	}
	if (!strcmp(mnem, "call"))
		return asm_call(a, lineno, opnd, n);
	if (!strcmp(mnem, "lock"))
		return asm_lock(a, lineno, opnd, n);
	if (!strcmp(mnem, "lddw")) {
		err = check_operands(a, lineno, mnem, n, 2);
		err = err ?: parse_reg(a, lineno, opnd[0], &dst);
		err = err ?: parse_imm64(a, lineno, opnd[1], &imm64);
		err = err ?: emit(a, lineno, EBPF_OP_LDDW, dst, 0, 0, (int32_t)(uint32_t)imm64);
		return err ?: emit(a, lineno, 0, 0, 0, 0, (int32_t)(uint32_t)(imm64 >> 32));
	}
	if ((op = FIND(end_ops, mnem))) {
		err = check_operands(a, lineno, mnem, n, 1);
		err = err ?: parse_reg(a, lineno, opnd[0], &dst);
		return err ?: emit(a, lineno, op->op, dst, 0, 0, op->off);
	}
	if ((op = FIND(movsx_ops, mnem))) {
		err = check_operands(a, lineno, mnem, n, 2);
		err = err ?: parse_reg(a, lineno, opnd[0], &dst);
		if (!err && opnd[1][0] != '%')
			return set_error(a, -EINVAL, lineno, "%s needs a register source: %s", mnem,
					 opnd[1]);
		err = err ?: parse_reg(a, lineno, opnd[1], &src);
		return err
			   ?: emit(a, lineno, op->op | EBPF_ALU_MOV | EBPF_SRC_X, dst, src, op->off,
				   0);
	}
	if ((op = FIND(ldx_ops, mnem))) {
		err = check_operands(a, lineno, mnem, n, 2);
		err = err ?: parse_reg(a, lineno, opnd[0], &dst);
		err = err ?: parse_mem(a, lineno, opnd[1], &src, &off);
		return err ?: emit(a, lineno, op->op, dst, src, off, 0);
	}
	if ((op = FIND(st_ops, mnem))) {
		err = check_operands(a, lineno, mnem, n, 2);
		err = err ?: parse_mem(a, lineno, opnd[0], &dst, &off);
		err = err ?: parse_imm32(a, lineno, opnd[1], &imm);
		return err ?: emit(a, lineno, op->op, dst, 0, off, imm);
	}
	if ((op = FIND(stx_ops, mnem))) {
		err = check_operands(a, lineno, mnem, n, 2);
		err = err ?: parse_mem(a, lineno, opnd[0], &dst, &off);
		err = err ?: parse_reg(a, lineno, opnd[1], &src);
		return err ?: emit(a, lineno, op->op, dst, src, off, 0);
	}
	len = strip_width(mnem, &is32, &suffixed);
	if ((op = find_op(alu_ops, ARRAY_SIZE(alu_ops), mnem, len)))
		return asm_alu(a, lineno, mnem, op, is32, opnd, n);
	/* Jumps take only a "32" suffix: jeq64 is not a mnemonic. */
	if ((!suffixed || is32) && (op = find_op(jmp_ops, ARRAY_SIZE(jmp_ops), mnem, len)))
		return asm_jcc(a, lineno, mnem, op, is32, opnd, n);
	return set_error(a, -EINVAL, lineno, "Invalid mnemonic: %s", mnem);
}

int uxdp_asm__add_line(struct uxdp_asm *a, const char *line, int lineno)
{
	char *tokens[MAX_TOKENS + 1];
	char *buf, *hash, *save, *tok;
	int n = 0, err = 0;
	size_t len;

	if (a->err)
		return a->err;
	if (a->finished)
		return set_error(a, -EINVAL, lineno, "line added after finish");
	buf = strdup(line);
	if (!buf)
		return set_error(a, -ENOMEM, lineno, "out of memory");
	hash = strchr(buf, '#');
	if (hash)
		*hash = '\0';
	for (tok = strtok_r(buf, " \t\r\n\v\f", &save); tok;
	     tok = strtok_r(NULL, " \t\r\n\v\f", &save)) {
		if (n == MAX_TOKENS) {
			err = set_error(a, -EINVAL, lineno, "Too many operands");
			goto out;
		}
		tokens[n++] = tok;
	}
	if (!n)
		goto out;
	len = strlen(tokens[0]);
	if (tokens[0][len - 1] == ':') {
		/* A label names the next slot; the rest of its line is ignored. */
		err = define_label(a, lineno, tokens[0]);
		goto out;
	}
	/* Operands lose one trailing comma each: "mov %r0, 1". */
	for (int i = 1; i < n; i++) {
		len = strlen(tokens[i]);
		if (tokens[i][len - 1] == ',')
			tokens[i][len - 1] = '\0';
	}
	err = asm_insn(a, lineno, tokens[0], tokens + 1, n - 1);
out:
	free(buf);
	return err;
}

static bool lookup_label(const struct uxdp_asm *a, const char *name, size_t *slot)
{
	size_t i;

	for (i = 0; i < a->n_labels; i++) {
		if (!strcmp(a->labels[i].name, name)) {
			*slot = a->labels[i].slot;
			return true;
		}
	}
	/* An explicit "exit:" wins over the implicit label of the first exit. */
	if (a->have_exit && !strcmp(name, "exit")) {
		*slot = a->exit_slot;
		return true;
	}
	return false;
}

int uxdp_asm__finish(struct uxdp_asm *a, const struct ebpf_insn **insns, size_t *count)
{
	size_t i, target;
	int64_t rel;

	if (a->err)
		return a->err;
	if (!a->finished) {
		for (i = 0; i < a->n_fixups; i++) {
			const struct asm_fixup *f = &a->fixups[i];
			struct ebpf_insn *insn = &a->insns[f->slot];

			if (!lookup_label(a, f->name, &target))
				return set_error(a, -EINVAL, f->lineno, "Undefined label: %s",
						 f->name);
			rel = (int64_t)target - (int64_t)(f->slot + 1);
			if (f->field == FIXUP_OFF) {
				if (rel < INT16_MIN || rel > INT16_MAX)
					return set_error(a, -EINVAL, f->lineno,
							 "Jump to %s out of 16-bit range", f->name);
				insn->off = rel;
			} else {
				if (rel < INT32_MIN || rel > INT32_MAX)
					return set_error(a, -EINVAL, f->lineno,
							 "Jump to %s out of 32-bit range", f->name);
				insn->imm = rel;
			}
		}
		a->finished = true;
	}
	*insns = a->insns;
	*count = a->n_insns;
	return 0;
}

int uxdp_asm_text(const char *text, struct ebpf_insn **insns, size_t *count, char *err,
		  size_t err_size)
{
	const struct ebpf_insn *res;
	struct uxdp_asm *a;
	const char *p = text, *nl;
	char *line;
	int lineno = 0, ret = 0;

	a = uxdp_asm__new();
	if (!a)
		return -ENOMEM;
	while (*p && !ret) {
		nl = strchr(p, '\n');
		line = strndup(p, nl ? (size_t)(nl - p) : strlen(p));
		if (!line) {
			ret = -ENOMEM;
			break;
		}
		ret = uxdp_asm__add_line(a, line, ++lineno);
		free(line);
		p = nl ? nl + 1 : p + strlen(p);
	}
	ret = ret ?: uxdp_asm__finish(a, &res, count);
	if (!ret) {
		*insns = malloc((*count ? *count : 1) * sizeof(**insns));
		if (!*insns)
			ret = -ENOMEM;
		else if (*count)
			memcpy(*insns, res, *count * sizeof(**insns));
	} else if (err && err_size) {
		if (ret == -EINVAL)
			snprintf(err, err_size, "%d: %s", uxdp_asm__error_line(a),
				 uxdp_asm__error(a));
		else
			snprintf(err, err_size, "%s", strerror(-ret));
	}
	uxdp_asm__free(a);
	return ret;
}

uint64_t uxdp_asm_insn_word(const struct ebpf_insn *insn)
{
	return (uint64_t)insn->opcode | (uint64_t)insn->dst << 8 | (uint64_t)insn->src << 12 |
	       (uint64_t)(uint16_t)insn->off << 16 | (uint64_t)(uint32_t)insn->imm << 32;
}

struct ebpf_insn uxdp_asm_word_insn(uint64_t word)
{
	struct ebpf_insn insn;

	insn.opcode = word & 0xff;
	insn.dst = (word >> 8) & 0xf;
	insn.src = (word >> 12) & 0xf;
	insn.off = (int16_t)(uint16_t)(word >> 16);
	insn.imm = (int32_t)(uint32_t)(word >> 32);
	return insn;
}
