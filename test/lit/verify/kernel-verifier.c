// The kernel verifier's judgement (when the kernel allows BPF, as here as
// root): a program reading the packet without a bounds check is refused with
// the verifier's reason; --verify=none compiles it anyway.
// REQUIRES: root
// RUN: %clang-bpf -mcpu=v3 -c %s -o %t.bpf.o
// RUN: not %uxdpc %t.bpf.o -o %t.o 2> %t.err
// RUN: %FileCheck %s < %t.err
// RUN: %uxdpc --verify=none %t.bpf.o -o %t.o
// RUN: not %uxdpc --verify=bogus %t.bpf.o -o %t.o 2>&1 | %FileCheck --check-prefix=USAGE %s
// CHECK: uxdpc: {{.*}}.bpf.o: the kernel verifier rejects program 'unchecked': R1 offset is outside of the packet
// USAGE: unknown --verify mode 'bogus'
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp") int unchecked(struct xdp_md *ctx)
{
	unsigned char *p = (void *)(long)ctx->data;

	return p[20] ? XDP_DROP : XDP_PASS;
}
char LICENSE[] SEC("license") = "GPL";
