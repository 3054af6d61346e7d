/* SPDX-License-Identifier: MIT */
/*
 * fuzz_lift.c - libFuzzer target: raw instruction bytes -> decode, analysis,
 * lift and LLVM IR at -O0.
 *
 * Byte 0 picks the program kind (bit 0: XDP, else a raw program), the rest
 * are instructions; a trailing partial instruction is dropped so that the
 * fuzzer spends its time past the reader's size check.
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct uxdp_diag diag = { 0 };
	struct uxdp_object *obj;

	if (size < 1 + EBPF_INSN_SIZE)
		return 0;
	size = (size - 1) / EBPF_INSN_SIZE * EBPF_INSN_SIZE;
	if (uxdp_object_from_insns(data + 1, size, "fuzz", data[0] & 1, &obj, &diag))
		return 0;
	fuzz_compile(obj);
	uxdp_object_free(obj);
	return 0;
}
