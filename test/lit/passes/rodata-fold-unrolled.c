// rodata folding after LLVM's pipeline: bpf_strncmp against a const .rodata
// string is the runtime's loop once helpers are inlined; only when LLVM has
// unrolled it do its reads of the string have constant offsets, so the pass
// runs again after default<On> and the compare is against the bytes of
// "GET " (71, 69, 84, 32).  simplifycfg sinks the last read of two paths
// into one load from a phi of addresses: it becomes a phi of constants.
// Without helper inlining the string is a call argument and nothing is read.
// RUN: %clang-bpf -mcpu=v3 -c %s -o %t.bpf.o
// RUN: %uxdpc %t.bpf.o -O2 --emit-llvm --remarks -o %t.ll 2> %t.remarks
// RUN: %FileCheck %s < %t.ll
// RUN: %FileCheck --check-prefix=REMARK %s < %t.remarks
// RUN: %uxdpc %t.bpf.o -O3 --remarks -o %t.o 2>&1 | %FileCheck --check-prefix=REMARK %s
// RUN: %uxdpc %t.bpf.o -O2 -fno-helper-inline --emit-llvm --remarks -o %t.call.ll 2> %t.call.remarks
// RUN: %FileCheck --check-prefix=CALL %s < %t.call.ll
// RUN: %FileCheck --check-prefix=CALL-REMARK %s < %t.call.remarks
// CHECK-LABEL: define {{.*}}@method(
// CHECK-NOT:     slot.{{.*}}.rodata
// CHECK:         icmp eq i32 {{.*}}, 71
// CHECK:         phi i8 [ 71, {{.*}} ], [ 32, {{.*}} ]
// CHECK:       ret i64
// REMARK: rodata-fold: 4 loads folded, 0 left (volatile or not covered)
// CALL: call i64 @uxdp_helper_strncmp(
// CALL-REMARK: rodata-fold: 0 loads folded, 0 left
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

const char s_get[] = "GET ";

SEC("xdp") int method(struct xdp_md *ctx)
{
	char buf[8] = {};

	if (bpf_xdp_load_bytes(ctx, 14, buf, 4))
		return XDP_PASS;
	return bpf_strncmp(buf, 4, s_get) ? XDP_PASS : XDP_DROP;
}
char LICENSE[] SEC("license") = "GPL";
