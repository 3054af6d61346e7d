// bpf_snprintf without the kernel verifier: the output buffer is a written
// helper argument (its bytes on the stack zeroed at entry, a size past it
// refused), the format a constant string whose conversions read no memory
// (%s and %pI4 read at whatever address an argument holds), data_len a
// constant multiple of 8, and the format has no more conversions than
// data_len gives arguments (the kernel's "Invalid format string").
// RUN: %clang-bpf -mcpu=v3 -c %s -o %t.ok.bpf.o
// RUN: %uxdpc --verify=none --list %t.ok.bpf.o | %FileCheck --check-prefix=OK %s
// OK: confinement fmt uxdp checks 0 back-edges 0
// RUN: %clang-bpf -mcpu=v3 -DSTR -c %s -o %t.str.bpf.o
// RUN: not %uxdpc --verify=none %t.str.bpf.o -o %t.o 2>&1 | %FileCheck --check-prefix=STR %s
// STR: program 'fmt' (section xdp), insn {{[0-9]+}}: snprintf: %s, %pI4 and the like read memory
// RUN: %clang-bpf -mcpu=v3 -DBIG -c %s -o %t.big.bpf.o
// RUN: not %uxdpc --verify=none %t.big.bpf.o -o %t.o 2>&1 | %FileCheck --check-prefix=BIG %s
// BIG: program 'fmt' (section xdp), insn {{[0-9]+}}: invalid access to map value of 'out': off=[0, 0] size=64 value_size=32
// RUN: %clang-bpf -mcpu=v3 -DMANY -c %s -o %t.many.bpf.o
// RUN: not %uxdpc --verify=none %t.many.bpf.o -o %t.o 2>&1 | %FileCheck --check-prefix=MANY %s
// MANY: snprintf: Invalid format string (more conversions than the 1 arguments of data_len)
// A NULL output with a pointer for its size is no "NULL, size 0" (the
// pointer's low half would be the size of a write through NULL):
// RUN: %clang-bpf -mcpu=v3 -DPTRSIZE -c %s -o %t.ptrsize.bpf.o
// RUN: not %uxdpc --verify=none %t.ptrsize.bpf.o -o %t.o 2>&1 | %FileCheck --check-prefix=PTRSIZE %s
// PTRSIZE: program 'fmt' (section xdp), insn {{[0-9]+}}: R2: a size must be a scalar, not fp
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, char[32]);
} out SEC(".maps");

#ifdef PTRSIZE
static const char f[] = "x";

SEC("xdp") __attribute__((naked)) int fmt(void)
{
	asm volatile(
		"r1 = 0;\n"
		"r2 = r10;\n"
		"r3 = %[f] ll;\n"
		"r4 = 0;\n"
		"r5 = 0;\n"
		"call 165;\n"
		"r0 = 2;\n"
		"exit;\n"
		:: [f] "i"(f) : "memory");
}
#else
SEC("xdp") int fmt(struct xdp_md *ctx)
{
	static const char f[] =
#if defined(STR)
		"%s";
#elif defined(MANY)
		"%d %d";
#else
		"%d|%5u";
#endif
	__u64 args[2] = { ctx->ingress_ifindex, ctx->rx_queue_index };
	char buf[16];
	__u32 zero = 0;
	char *v = bpf_map_lookup_elem(&out, &zero);
	long n;

#if defined(MANY)
	n = bpf_snprintf(buf, sizeof(buf), f, args, 8);
#else
	n = bpf_snprintf(buf, sizeof(buf), f, args, sizeof(args));
#endif
	if (v)
#ifdef BIG
		bpf_snprintf(v, 64, f, args, sizeof(args));
#else
		bpf_snprintf(v, 32, f, args, sizeof(args));
#endif
	return n > 0 && buf[0] == '1' ? XDP_DROP : XDP_PASS;
}
#endif

char _license[] SEC("license") = "GPL";
