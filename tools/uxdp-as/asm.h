/* SPDX-License-Identifier: MIT */
/*
 * asm.h - assembler for the uBPF-style eBPF assembly dialect.
 *
 * The dialect is the one the bpf_conformance .data files use
 * (test/conformance/README.md, sections 4 and 5): `%rN` registers,
 * `[%rN+K]` memory operands, labels ending in ':', an implicit label `exit`
 * at the first exit instruction, and `lddw` taking two slots.
 *
 * Lines are fed one at a time so that a caller reading them out of a larger
 * file (a .data test) keeps its own line numbers in error messages.  Label
 * references are resolved in uxdp_asm__finish(), since jumps may go forward.
 *
 * Errors: functions return 0 or a negative errno.  For -EINVAL (bad input)
 * uxdp_asm__error() gives a message such as "Invalid register: %r16" and
 * uxdp_asm__error_line() the line number that was passed with the line.
 */
#ifndef UXDP_ASM_H
#define UXDP_ASM_H

#include <stddef.h>
#include <stdint.h>

#include <uxdp/ebpf.h>

struct uxdp_asm;

/* A new, empty assembler; NULL with errno = ENOMEM on failure. */
struct uxdp_asm *uxdp_asm__new(void);
/* Free the assembler and everything it holds.  NULL is allowed. */
void uxdp_asm__free(struct uxdp_asm *a);

/*
 * Assemble one source line (no newline needed; '#' starts a comment).
 * Blank lines are accepted and ignored.  After an error the assembler keeps
 * the first error and refuses further input with the same code.
 */
int uxdp_asm__add_line(struct uxdp_asm *a, const char *line, int lineno);

/*
 * Resolve label references.  On success *insns points to the assembled
 * slots (owned by the assembler, valid until uxdp_asm__free) and *count is
 * their number (lddw counts two).
 */
int uxdp_asm__finish(struct uxdp_asm *a, const struct ebpf_insn **insns, size_t *count);

/* Message of the first error, or "" if there was none. */
const char *uxdp_asm__error(const struct uxdp_asm *a);
/* Line number of the first error, or 0. */
int uxdp_asm__error_line(const struct uxdp_asm *a);

/*
 * Convenience: assemble a whole text buffer (lines separated by '\n', line
 * numbers starting at 1).  On success *insns is malloc'd (caller frees) and
 * *count set.  On -EINVAL, err receives "LINE: message".
 */
int uxdp_asm_text(const char *text, struct ebpf_insn **insns, size_t *count, char *err,
		  size_t err_size);

/* The 64-bit little-endian word of a slot, as in README section 5. */
uint64_t uxdp_asm_insn_word(const struct ebpf_insn *insn);
/* The inverse: unpack a raw instruction word into a slot. */
struct ebpf_insn uxdp_asm_word_insn(uint64_t word);

#endif /* UXDP_ASM_H */
