/* SPDX-License-Identifier: MIT */
/*
 * ebpf.h - the eBPF instruction set as uxdp sees it (RFC 9669).
 *
 * One header for the ISA constants, shared by the compiler (uxdpc), the
 * assembler (uxdp-as) and the runtime.  Values are the kernel's; the names
 * follow the RFC's field names so that a reader can check them against it.
 */
#ifndef UXDP_EBPF_H
#define UXDP_EBPF_H

#include <stdint.h>

/* One 8-byte instruction slot, exactly as in the kernel's struct bpf_insn. */
struct ebpf_insn {
	uint8_t opcode;
	uint8_t dst : 4;
	uint8_t src : 4;
	int16_t off;
	int32_t imm;
};

#define EBPF_INSN_SIZE 8
#define EBPF_STACK_SIZE 512
#define EBPF_NR_REGS 11
#define EBPF_REG_FP 10

/* Instruction classes: the low three bits of the opcode. */
#define EBPF_CLASS(op) ((op) & 0x07)
#define EBPF_CLS_LD 0x00
#define EBPF_CLS_LDX 0x01
#define EBPF_CLS_ST 0x02
#define EBPF_CLS_STX 0x03
#define EBPF_CLS_ALU 0x04
#define EBPF_CLS_JMP 0x05
#define EBPF_CLS_JMP32 0x06
#define EBPF_CLS_ALU64 0x07

/* Arithmetic and jump instructions: source bit and operation code. */
#define EBPF_SRC(op) ((op) & 0x08)
#define EBPF_SRC_K 0x00
#define EBPF_SRC_X 0x08
#define EBPF_OP(op) ((op) & 0xf0)

#define EBPF_ALU_ADD 0x00
#define EBPF_ALU_SUB 0x10
#define EBPF_ALU_MUL 0x20
#define EBPF_ALU_DIV 0x30
#define EBPF_ALU_OR 0x40
#define EBPF_ALU_AND 0x50
#define EBPF_ALU_LSH 0x60
#define EBPF_ALU_RSH 0x70
#define EBPF_ALU_NEG 0x80
#define EBPF_ALU_MOD 0x90
#define EBPF_ALU_XOR 0xa0
#define EBPF_ALU_MOV 0xb0
#define EBPF_ALU_ARSH 0xc0
#define EBPF_ALU_END 0xd0

#define EBPF_JMP_JA 0x00
#define EBPF_JMP_JEQ 0x10
#define EBPF_JMP_JGT 0x20
#define EBPF_JMP_JGE 0x30
#define EBPF_JMP_JSET 0x40
#define EBPF_JMP_JNE 0x50
#define EBPF_JMP_JSGT 0x60
#define EBPF_JMP_JSGE 0x70
#define EBPF_JMP_CALL 0x80
#define EBPF_JMP_EXIT 0x90
#define EBPF_JMP_JLT 0xa0
#define EBPF_JMP_JLE 0xb0
#define EBPF_JMP_JSLT 0xc0
#define EBPF_JMP_JSLE 0xd0
#define EBPF_JMP_JCOND 0xe0 /* src 0: may_goto (kernel 6.9) */

/* Load and store instructions: size and mode. */
#define EBPF_SIZE(op) ((op) & 0x18)
#define EBPF_SIZE_W 0x00
#define EBPF_SIZE_H 0x08
#define EBPF_SIZE_B 0x10
#define EBPF_SIZE_DW 0x18
#define EBPF_MODE(op) ((op) & 0xe0)
#define EBPF_MODE_IMM 0x00
#define EBPF_MODE_ABS 0x20
#define EBPF_MODE_IND 0x40
#define EBPF_MODE_MEM 0x60
#define EBPF_MODE_MEMSX 0x80
#define EBPF_MODE_ATOMIC 0xc0

/* Atomic operations (imm field of an ATOMIC store). */
#define EBPF_ATOMIC_FETCH 0x01
#define EBPF_ATOMIC_ADD 0x00
#define EBPF_ATOMIC_OR 0x40
#define EBPF_ATOMIC_AND 0x50
#define EBPF_ATOMIC_XOR 0xa0
#define EBPF_ATOMIC_XCHG (0xe0 | EBPF_ATOMIC_FETCH)
#define EBPF_ATOMIC_CMPXCHG (0xf0 | EBPF_ATOMIC_FETCH)

/* Whole opcodes that need special handling. */
#define EBPF_OP_LDDW (EBPF_CLS_LD | EBPF_MODE_IMM | EBPF_SIZE_DW) /* 0x18 */
#define EBPF_OP_CALL (EBPF_CLS_JMP | EBPF_JMP_CALL)                 /* 0x85 */
#define EBPF_OP_CALLX (EBPF_CLS_JMP | EBPF_JMP_CALL | EBPF_SRC_X)   /* 0x8d */
#define EBPF_OP_EXIT (EBPF_CLS_JMP | EBPF_JMP_EXIT)                 /* 0x95 */
#define EBPF_OP_JA (EBPF_CLS_JMP | EBPF_JMP_JA)                     /* 0x05 */
#define EBPF_OP_JA32 (EBPF_CLS_JMP32 | EBPF_JMP_JA)                 /* 0x06 */
#define EBPF_OP_MAY_GOTO (EBPF_CLS_JMP | EBPF_JMP_JCOND)           /* 0xe5 */

/* src field of a call instruction. */
#define EBPF_PSEUDO_CALL_HELPER 0
#define EBPF_PSEUDO_CALL_LOCAL 1
#define EBPF_PSEUDO_CALL_KFUNC 2

/*
 * src field of an lddw.  After uxdpc's front end has resolved relocations,
 * MAP_FD and MAP_VALUE carry the index of the map in the object's map table
 * in imm (as the kernel carries an fd), and MAP_VALUE carries the byte
 * offset into the value in the second slot's imm.  FUNC carries a relative
 * instruction offset like a local call.
 */
#define EBPF_PSEUDO_LD_IMM 0
#define EBPF_PSEUDO_MAP_FD 1
#define EBPF_PSEUDO_MAP_VALUE 2
#define EBPF_PSEUDO_BTF_ID 3
#define EBPF_PSEUDO_FUNC 4
#define EBPF_PSEUDO_MAP_IDX 5
#define EBPF_PSEUDO_MAP_IDX_VALUE 6

#endif /* UXDP_EBPF_H */
