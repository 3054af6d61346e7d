// The kernel rejects an infinite loop with "infinite loop detected at insn
// N", then dumps the two states it compared: uxdpc prints the reason line,
// not the last state line (issue 11), and names the program.
// REQUIRES: root
// RUN: %clang-bpf -mcpu=v3 -c %s -o %t.bpf.o
// RUN: not %uxdpc %t.bpf.o -o %t.o 2> %t.err
// RUN: %FileCheck %s < %t.err
// CHECK: uxdpc: {{.*}}.bpf.o: the kernel verifier rejects program 'inf': infinite loop detected at insn {{[0-9]+}}
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
SEC("xdp") int inf(struct xdp_md *ctx)
{
	int i = 0;
	asm volatile("r1 = 0; l: r1 += 0; if r1 < 10 goto l; %[i] = r1" : [i]"=r"(i) :: "r1");
	return i;
}
char LICENSE[] SEC("license") = "GPL";
