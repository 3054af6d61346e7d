/* SPDX-License-Identifier: MIT */
/*
 * data_file.h - parser for bpf_conformance `.data` test files.
 *
 * The format is described in test/conformance/README.md sections 2, 3
 * and 9: '#' comments, `-- NAME` section headers found by substring, and the
 * sections asm, raw, mem, result and error.  Parsing only splits and decodes
 * the sections; uxdp_data_file_program() assembles the asm (or takes raw).
 *
 * Errors: functions return 0 or a negative errno and, for bad input
 * (-EINVAL), write "LINE: message" into err (which may be NULL).
 */
#ifndef UXDP_DATA_FILE_H
#define UXDP_DATA_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uxdp/ebpf.h>

/* One line of the asm section, with its line number in the file. */
struct uxdp_data_line {
	char *text;
	int lineno;
};

struct uxdp_data_file {
	struct uxdp_data_line *asm_lines;
	size_t n_asm;
	uint64_t *raw; /* raw instruction words; when any, they replace asm */
	size_t n_raw;
	uint8_t *mem; /* input memory, NULL when there is none */
	size_t mem_len;
	bool has_result;
	uint64_t result;
	char *error; /* expected error message, NULL when absent or empty */
	/* First header whose keyword is unknown: the file must be skipped. */
	char *unknown_directive;
	int unknown_line;
};

/* Parse the file at path.  On success *out is allocated (caller frees). */
int uxdp_data_file_load(const char *path, struct uxdp_data_file **out, char *err, size_t err_size);
/* Same, from text (size bytes, need not be NUL-terminated). */
int uxdp_data_file_parse(const char *text, size_t size, struct uxdp_data_file **out, char *err,
			 size_t err_size);
/* Free a parsed file.  NULL is allowed. */
void uxdp_data_file_free(struct uxdp_data_file *df);

/*
 * Why the file would be skipped by a runner (unknown directive, neither
 * result nor error), or NULL when it is runnable.  A program that turns out
 * empty is a further skip reason, known only after uxdp_data_file_program().
 */
const char *uxdp_data_file_skip_reason(const struct uxdp_data_file *df);

/*
 * The program of the file: the raw words if there are any, otherwise the
 * assembled asm section.  On success *insns is malloc'd (caller frees) and
 * *count set (possibly 0).  On -EINVAL err gets "LINE: message" and
 * *err_line (may be NULL) the line number.
 */
int uxdp_data_file_program(const struct uxdp_data_file *df, struct ebpf_insn **insns, size_t *count,
			   char *err, size_t err_size, int *err_line);

#endif /* UXDP_DATA_FILE_H */
