// SIMD: the byte-wise sum over the first 60 bytes (xdp_hash_sum's loop)
// becomes vector code for the host CPU; -fno-simd keeps it scalar.
// RUN: %clang-bpf -mcpu=v3 -c %s -o %t.bpf.o
// RUN: %uxdpc %t.bpf.o -O3 --mcpu=x86-64-v3 -S -o %t.s --remarks 2> %t.remarks
// RUN: %FileCheck --check-prefix=VEC %s < %t.s
// RUN: %FileCheck --check-prefix=REMARK %s < %t.remarks
// RUN: %uxdpc %t.bpf.o -O3 --mcpu=x86-64-v3 -fno-simd -S -o - | %FileCheck --check-prefix=SCALAR %s
// VEC-LABEL: sum60:
// VEC: vpsadbw
// REMARK: simd: on, {{[1-9]}} functions with vector code
// REMARK: addr-gep: {{[1-9][0-9]*}} addresses made GEPs from their pointer, 0 left
// SCALAR-LABEL: sum60:
// SCALAR-NOT: %ymm
// SCALAR-NOT: %xmm
// SCALAR: retq
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp") int sum60(struct xdp_md *ctx)
{
	unsigned char *p = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	__u32 sum = 0;

	if (p + 60 > end)
		return XDP_PASS;
	for (int i = 0; i < 60; i++)
		sum += p[i];
	return sum & 1 ? XDP_DROP : XDP_PASS;
}
char LICENSE[] SEC("license") = "GPL";
