// A null check settles the copies of a lookup's result only when they are
// null together on every path.  Three paths, joined in this order: A (r7
// and r8 the value), B (r7 NULL, r8 the value), C (r7 the value, r8 NULL).
// After A and B, r7 is "or NULL"; after C, r8 is too, but `if r7 == 0`
// says nothing of r8 on path C, where a store through r8 writes at NULL
// plus its offset.  Refused, as the kernel refuses it (the old analysis
// settled r8 with r7's check and proved the store).  Alike: C sets both;
// the check of r7 settles r8, proven with no check.
// RUN: %clang-bpf -mcpu=v3 -DSWAP -c %s -o %t.swap.bpf.o
// RUN: not %uxdpc --verify=none %t.swap.bpf.o -o %t.o 2>&1 | %FileCheck --check-prefix=SWAP %s
// SWAP: program 'copies' (section xdp), insn {{[0-9]+}}: invalid mem access through r8, which is map_value or NULL
// RUN: %clang-bpf -mcpu=v3 -c %s -o %t.same.bpf.o
// RUN: %uxdpc --verify=none --list %t.same.bpf.o | %FileCheck --check-prefix=SAME %s
// SAME: confinement copies uxdp checks 0 back-edges 0
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} arr SEC(".maps");

#ifdef SWAP
#define PATH_C "r7 = r0;\n r8 = 0;\n"
#else
#define PATH_C "r7 = r0;\n r8 = r0;\n"
#endif

SEC("xdp") __attribute__((naked)) int copies(void)
{
	asm volatile(
		"r6 = r1;\n"
		"r1 = 0;\n"
		"*(u32 *)(r10 - 4) = r1;\n"
		"r1 = %[arr] ll;\n"
		"r2 = r10;\n"
		"r2 += -4;\n"
		"call 1;\n"
		"if r0 == 0 goto out_%=;\n"
		"r2 = *(u32 *)(r6 + 0);\n"
		"r3 = *(u32 *)(r6 + 4);\n"
		"r4 = r2;\n"
		"r4 += 2;\n"
		"if r4 > r3 goto out_%=;\n"
		"r5 = *(u8 *)(r2 + 0);\n"
		"r9 = *(u8 *)(r2 + 1);\n"
		"if r5 == 0 goto b_or_c_%=;\n"
		"r7 = r0;\n" /* A: analysed first (the worklist is a stack) */
		"r8 = r0;\n"
		"goto join_%=;\n"
		"b_or_c_%=:\n"
		"if r9 != 0 goto c_%=;\n"
		"r7 = 0;\n" /* B: second */
		"r8 = r0;\n"
		"goto join_%=;\n"
		"c_%=:\n"
		PATH_C
		"join_%=:\n"
		"if r7 == 0 goto out_%=;\n"
		"r1 = 1;\n"
		"*(u8 *)(r8 + 0) = r1;\n"
		"out_%=:\n"
		"r0 = 2;\n"
		"exit;\n"
		:: [arr] "i"(&arr) : "memory");
}

char _license[] SEC("license") = "GPL";
