// helper inlining: the runtime's helpers are linked in from bitcode and
// inlined; -fno-helper-inline keeps the calls.
// RUN: %clang-bpf -mcpu=v3 -c %s -o %t.bpf.o
// RUN: %uxdpc %t.bpf.o -O2 --emit-llvm --remarks -o %t.ll 2> %t.remarks
// RUN: %FileCheck --check-prefix=ON %s < %t.ll
// RUN: %FileCheck --check-prefix=REMARK %s < %t.remarks
// RUN: %uxdpc %t.bpf.o -O2 -fno-helper-inline --emit-llvm -o - | %FileCheck --check-prefix=OFF %s
// ON-LABEL: define {{.*}}@sum(
// ON-NOT: call {{.*}}@uxdp_helper_csum_diff
// ON-NOT: call {{.*}}@uxdp_helper_xdp_load_bytes
// ON: ret i64
// No helper definition is exported from the object.
// ON-NOT: define {{(dso_local )?}}i64 @uxdp_helper_
// REMARK: helper-inline: {{[1-9][0-9]*}} helper definitions linked
// OFF: call i64 @uxdp_helper_xdp_load_bytes(
// OFF: call i64 @uxdp_helper_csum_diff(
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp") int sum(struct xdp_md *ctx)
{
	__u32 buf[4];

	if (bpf_xdp_load_bytes(ctx, 0, buf, sizeof(buf)))
		return XDP_PASS;
	return bpf_csum_diff(0, 0, buf, sizeof(buf), 0) & 1 ? XDP_DROP : XDP_PASS;
}
char LICENSE[] SEC("license") = "GPL";
