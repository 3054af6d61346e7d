// map inlining of a per-CPU array: the value of the running worker's CPU is
// at data + cpu * span + index * stride (span: 4 values of 8 bytes rounded
// up to a cache line, 64: each CPU's values on lines of their own), with
// data and ncpus read from the map handle (invariant loads) and cpu the
// runtime's thread-local worker index uxdp_this_cpu, read with the
// initial-exec TLS model (its offset from a GOT slot the loader fills, then
// one %fs-relative load): no lookup call, no read of the ctx's worker, no
// call into the runtime, and so no callee-saved register pushed in count.
// RUN: %clang-bpf -mcpu=v3 -c %s -o %t.bpf.o
// RUN: %uxdpc %t.bpf.o -O2 --emit-llvm --remarks -o %t.ll 2> %t.remarks
// RUN: %FileCheck --check-prefix=ON %s < %t.ll
// RUN: %FileCheck --check-prefix=REMARK %s < %t.remarks
// RUN: %uxdpc %t.bpf.o -O3 --target x86_64-pc-linux-gnu --mcpu x86-64-v3 -S -o - | %FileCheck --check-prefix=ASM %s
// RUN: %uxdpc %t.bpf.o -O2 -fno-map-inline -fno-helper-inline --emit-llvm -o - | %FileCheck --check-prefix=OFF %s
// ON: @uxdp_this_cpu = external thread_local(initialexec) {{.*}}global i32
// ON-LABEL: define {{.*}}@count(ptr {{.*}}%0)
// ON-NOT: call {{.*}}lookup
// ON: %map = load ptr, ptr @{{"?}}uxdp.slot.{{.*}}.pcpu{{"?}}, {{.*}}!invariant.load
// ON: %percpu.data = load ptr, ptr %map, {{.*}}!invariant.load
// ON: %[[NC:.*]] = getelementptr i8, ptr %map, i64 16
// ON: %percpu.ncpus = load i32, ptr %[[NC]], {{.*}}!invariant.load
// ON: %percpu.cpu = load i32, ptr @uxdp_this_cpu, {{.*}}!invariant.load
// ON: urem i32 %percpu.cpu, %percpu.ncpus
// ON: %[[SLOT:.*]] = zext i32 %slot{{.*}} to i64
// ON: %[[SPAN:.*]] = shl nuw nsw i64 %[[SLOT]], 6
// ON: getelementptr inbounds i8, ptr %percpu.data, i64 %[[SPAN]]
// ON-NOT: call
// ON: ret i64
// ASM-LABEL: count:
// ASM-NOT: push{{q?}} %r{{bx|bp|12|13|14|15}}
// ASM: movq uxdp_this_cpu@GOTTPOFF(%rip), %[[REG:r[a-z0-9]+]]
// ASM-NEXT: movl %fs:(%[[REG]]), %e{{[a-z0-9]+}}
// ASM-NOT: call
// ASM: .Lfunc_end0:
// REMARK: map-inline: 1 lookups inlined (1 per-CPU), 0 hash lookups specialised
// OFF: call i64 @uxdp_helper_map_lookup_elem(
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} pcpu SEC(".maps");

SEC("xdp") int count(struct xdp_md *ctx)
{
	__u32 key = ctx->rx_queue_index;
	__u64 *v = bpf_map_lookup_elem(&pcpu, &key);

	if (v)
		*v += 1;
	return XDP_PASS;
}
char LICENSE[] SEC("license") = "GPL";
