/* SPDX-License-Identifier: MIT */
/*
 * fuzz_elf.c - libFuzzer target: bytes -> the ELF front end.
 *
 * The input is a whole BPF object.  An object the front end accepts is
 * lifted at -O0 to LLVM IR, so that mutated relocations and map definitions
 * reach decode, analysis and the lifter, which trust what the front end
 * resolved.  Any return is fine; a crash, a leak or undefined behaviour is
 * a bug.
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct uxdp_diag diag = { 0 };
	struct uxdp_object *obj;

	if (uxdp_object_open_elf_mem(data, size, "fuzz.bpf.o", NULL, &obj, &diag))
		return 0;
	fuzz_compile(obj);
	uxdp_object_free(obj);
	return 0;
}
