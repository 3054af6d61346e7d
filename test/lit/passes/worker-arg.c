// worker-arg: bpf_redirect_map takes the worker from ctx (ctx->worker, at
// offset 72) instead of asking the runtime for the thread's, when helpers
// are inlined; the call is gone after inlining, and the thread's worker is
// only asked for when ctx has none.  -fno-helper-inline keeps the helper.
// RUN: %clang-bpf -mcpu=v3 -c %s -o %t.bpf.o
// RUN: %uxdpc %t.bpf.o -O2 --emit-llvm --remarks -o %t.ll 2> %t.remarks
// RUN: %FileCheck --check-prefix=ON %s < %t.ll
// RUN: %FileCheck --check-prefix=REMARK %s < %t.remarks
// RUN: %uxdpc %t.bpf.o -O2 -fno-helper-inline --emit-llvm -o - | %FileCheck --check-prefix=OFF %s
// ON-LABEL: define {{.*}}@to_xsk(
// ON: getelementptr {{(inbounds )?}}i8, ptr %0, i64 72
// ON-NOT: call {{.*}}@uxdp_helper_redirect_map(
// ON-NOT: call {{.*}}@uxdp_redirect_map_worker(
// ON: call {{.*}}@uxdp_worker_current(
// ON: ret i64
// ON-NOT: define {{(dso_local )?}}i64 @uxdp_redirect_map_worker
// REMARK: helper-inline: {{[0-9]+}} helper definitions linked, 1 redirect_map calls given the worker from ctx
// OFF-NOT: uxdp_redirect_map_worker
// OFF: call i64 @uxdp_helper_redirect_map(
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u32);
} xsks SEC(".maps");

SEC("xdp") int to_xsk(struct xdp_md *ctx)
{
	return bpf_redirect_map(&xsks, ctx->rx_queue_index, XDP_PASS);
}
char LICENSE[] SEC("license") = "GPL";
