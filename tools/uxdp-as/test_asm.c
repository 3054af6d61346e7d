// SPDX-License-Identifier: MIT
/*
 * test_asm.c - unit tests of the assembler: encodings from the conformance
 * README (section 5), label resolution, and the error messages.
 *
 *   test_asm [TESTS_DIR]   (the .data directory, for the lddw raw check)
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asm.h"
#include "data_file.h"

static int failures;

/* Assemble src and compare the slots with the expected words. */
static void check_words(const char *src, const uint64_t *want, size_t n, int line)
{
	struct ebpf_insn *insns = NULL;
	char err[256] = "";
	size_t count = 0, i;
	int ret;

	ret = uxdp_asm_text(src, &insns, &count, err, sizeof(err));
	if (ret) {
		printf("%d: FAIL \"%s\": error %d %s\n", line, src, ret, err);
		failures++;
		return;
	}
	if (count != n) {
		printf("%d: FAIL \"%s\": %zu slots, want %zu\n", line, src, count, n);
		failures++;
	} else {
		for (i = 0; i < n; i++) {
			if (uxdp_asm_insn_word(&insns[i]) == want[i])
				continue;
			printf("%d: FAIL \"%s\" slot %zu: 0x%016" PRIx64 ", want 0x%016" PRIx64
			       "\n",
			       line, src, i, uxdp_asm_insn_word(&insns[i]), want[i]);
			failures++;
		}
	}
	free(insns);
}

#define ASSERT_WORDS(src, ...)                                                                     \
	do {                                                                                       \
		const uint64_t w_[] = {__VA_ARGS__};                                               \
		check_words(src, w_, sizeof(w_) / sizeof(w_[0]), __LINE__);                        \
	} while (0)

/* Assembling src must fail with exactly want ("LINE: message"). */
static void check_error(const char *src, const char *want, int line)
{
	struct ebpf_insn *insns = NULL;
	char err[256] = "";
	size_t count;
	int ret;

	ret = uxdp_asm_text(src, &insns, &count, err, sizeof(err));
	if (ret != -EINVAL || strcmp(err, want)) {
		printf("%d: FAIL \"%s\": got %d \"%s\", want \"%s\"\n", line, src, ret, err, want);
		failures++;
	}
	free(insns);
}

#define ASSERT_ERROR(src, want) check_error(src, want, __LINE__)

/* lddw.data carries both asm and raw: they must agree. */
static void check_lddw_raw(const char *dir)
{
	struct uxdp_data_file *df = NULL;
	struct ebpf_insn *raw = NULL, *as = NULL;
	char path[4096], err[256];
	size_t n_raw, n_as;
	int ret;

	snprintf(path, sizeof(path), "%s/lddw.data", dir);
	ret = uxdp_data_file_load(path, &df, err, sizeof(err));
	ret = ret ?: uxdp_data_file_program(df, &raw, &n_raw, err, sizeof(err), NULL);
	if (!ret) {
		/* Without its raw words the file's asm is what gets assembled. */
		df->n_raw = 0;
		ret = uxdp_data_file_program(df, &as, &n_as, err, sizeof(err), NULL);
	}
	if (ret || n_raw != n_as || n_raw != 3 || memcmp(raw, as, n_raw * sizeof(*raw)) ||
	    df->result != 0x1122334455667788ull) {
		printf("FAIL %s: raw and asm differ (%d %s)\n", path, ret, ret ? err : "");
		failures++;
	}
	free(raw);
	free(as);
	uxdp_data_file_free(df);
}

static void check_data_parse(void)
{
	static const char text[] = "# c\n-- asm\nmov %r0, 1 # x\n  \n-- mem\nFF aa\n00\n"
				   "-- result\n0x1\n-- result\n7\n-- c\nint i;\n";
	struct uxdp_data_file *df = NULL;
	char err[256];

	if (uxdp_data_file_parse(text, sizeof(text) - 1, &df, err, sizeof(err)) || df->n_asm != 1 ||
	    df->mem_len != 3 || df->mem[0] != 0xff || df->mem[1] != 0xaa || !df->has_result ||
	    df->result != 7 || uxdp_data_file_skip_reason(df)) {
		printf("FAIL data parse\n");
		failures++;
	}
	uxdp_data_file_free(df);
	df = NULL;
	if (uxdp_data_file_parse("-- asm\nexit\n-- bogus\n", 21, &df, err, sizeof(err)) ||
	    !uxdp_data_file_skip_reason(df)) {
		printf("FAIL unknown directive not skipped\n");
		failures++;
	}
	uxdp_data_file_free(df);
}

int main(int argc, char **argv)
{
	/* README section 5. */
	ASSERT_WORDS("add32 %r0, -3", 0xfffffffd00000004);
	ASSERT_WORDS("add32 %r0, %r1", 0x000000000000100c);
	ASSERT_WORDS("lddw %r0, 0x1122334455667788", 0x5566778800000018, 0x1122334400000000);
	ASSERT_WORDS("lddw %r1, -1", 0xffffffff00000118, 0xffffffff00000000);
	/* Hex imm32 is a bit pattern; decimal is signed. */
	ASSERT_WORDS("mov %r0, 0xffffffff", 0xffffffff000000b7);
	ASSERT_WORDS("mov64 %r9, 2147483647", 0x7fffffff000009b7);
	ASSERT_WORDS("neg %r3\nneg32 %r3", 0x0000000000000387, 0x0000000000000384);
	ASSERT_WORDS("sdiv32 %r1, %r2\nsmod %r1, 3", 0x000000000001213c, 0x0000000300010197);
	ASSERT_WORDS("movsx1632 %r1, %r2\nmovsx3264 %r0, %r9", 0x00000000001021bc,
		     0x00000000002090bf);
	ASSERT_WORDS("le16 %r1\nbe64 %r1\nbswap32 %r1\nswap32 %r1", 0x00000010000001d4,
		     0x00000040000001dc, 0x00000020000001d7, 0x00000020000001d7);
	ASSERT_WORDS("ldxdw %r0, [%r1+2]\nldxsh %r2, [%r10-16]\nldxb %r3, [%r1]",
		     0x0000000000021079, 0x00000000fff0a289, 0x0000000000001371);
	ASSERT_WORDS("stw [%r1+0x2], 0x44332211\nstxb [%r10-1], %r5", 0x4433221100020162,
		     0x00000000ffff5a73);
	ASSERT_WORDS("lock add [%r1], %r2\nlock fetch or32 [%r1+4], %r2\n"
		     "lock xchg [%r1], %r2\nlock fetch cmpxchg32 [%r1], %r2",
		     0x00000000000021db, 0x00000041000421c3, 0x000000e1000021db,
		     0x000000f1000021c3);
	/* Labels: forward, backward, implicit exit; lddw takes two slots. */
	ASSERT_WORDS("jeq %r1, 0, l\nlddw %r0, 1\nl:\nja -2\njne32 %r1, %r2, exit\nexit",
		     0x0000000000020115, 0x0000000100000018, 0, 0x00000000fffe0005,
		     0x000000000000215e, 0x0000000000000095);
	ASSERT_WORDS("ja32 +1\nexit\ncall local f\nf:\nexit", 0x0000000100000006,
		     0x0000000000000095, 0x0000000000001085, 0x0000000000000095);
	ASSERT_WORDS("call 5\ncall %r2\ncall helper 7\ncall runtime 3", 0x0000000500000085,
		     0x000000000000028d, 0x0000000700000085, 0x0000000300002085);

	ASSERT_ERROR("mov %r16, 1", "1: Invalid register: %r16");
	ASSERT_ERROR("mov %r0, 1\nadd %rx, 1", "2: Invalid register: %rx");
	ASSERT_ERROR("mov %r0, 4294967295", "1: Immediate out of 32-bit range: 4294967295");
	ASSERT_ERROR("mov %r0, 0x100000000", "1: Immediate out of 32-bit range: 0x100000000");
	ASSERT_ERROR("foo %r0", "1: Invalid mnemonic: foo");
	ASSERT_ERROR("jeq64 %r0, 0, +1", "1: Invalid mnemonic: jeq64");
	ASSERT_ERROR("mov %r0", "1: mov expects 2 operands, got 1");
	ASSERT_ERROR("ja nowhere\nexit", "1: Undefined label: nowhere");
	ASSERT_ERROR("a:\na:\nexit", "2: Duplicate label: a");
	ASSERT_ERROR("ldxw %r0, [%r1+32768]", "1: Offset out of 16-bit range: [%r1+32768]");
	ASSERT_ERROR("ldxw %r0, [%r1 + 1]", "1: ldxw expects 2 operands, got 4");
	ASSERT_ERROR("lock sub [%r1], %r2", "1: Invalid atomic operation: sub");

	check_data_parse();
	if (argc > 1)
		check_lddw_raw(argv[1]);
	if (failures) {
		printf("%d failures\n", failures);
		return 1;
	}
	printf("uxdp-as unit tests: ok\n");
	return 0;
}
