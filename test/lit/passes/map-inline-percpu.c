// map inlining of a per-CPU array: the value of the running worker's CPU is
// at data + cpu * span + index * stride (span: 4 values of 8 bytes rounded
// up to a cache line, 64: each CPU's values on lines of their own), with
// data and ncpus read from the map handle (invariant loads) and cpu the
// index of ctx->worker, or the runtime's uxdp_worker_cpu() when a ctx has no
// worker; no lookup call.  The worker and its index are invariant loads, and
// the runtime call goes through uxdp.worker_cpu.cold, preserve_most, so that
// the program saves no registers for it on its fast path (no push of a
// callee-saved register in count; the wrapper saves what the C call
// clobbers).
// RUN: %clang-bpf -mcpu=v3 -c %s -o %t.bpf.o
// RUN: %uxdpc %t.bpf.o -O2 --emit-llvm --remarks -o %t.ll 2> %t.remarks
// RUN: %FileCheck --check-prefix=ON %s < %t.ll
// RUN: %FileCheck --check-prefix=REMARK %s < %t.remarks
// RUN: %uxdpc %t.bpf.o -O3 --target x86_64-pc-linux-gnu --mcpu x86-64-v3 -S -o - | %FileCheck --check-prefix=ASM %s
// RUN: %uxdpc %t.bpf.o -O2 -fno-map-inline -fno-helper-inline --emit-llvm -o - | %FileCheck --check-prefix=OFF %s
// ON-LABEL: define {{.*}}@count(ptr {{.*}}%0)
// ON-NOT: call {{.*}}lookup
// ON: %map = load ptr, ptr @{{"?}}uxdp.slot.{{.*}}.pcpu{{"?}}, {{.*}}!invariant.load
// ON: %percpu.data = load ptr, ptr %map, {{.*}}!invariant.load
// ON: %[[NC:.*]] = getelementptr i8, ptr %map, i64 16
// ON: %percpu.ncpus = load i32, ptr %[[NC]], {{.*}}!invariant.load
// ON: %[[WP:.*]] = getelementptr i8, ptr %0, i64 72
// ON: %[[W:.*]] = load ptr, ptr %[[WP]], {{.*}}!invariant.load
// ON: icmp eq ptr %[[W]], null
// ON: load i32, ptr %[[W]], {{.*}}!invariant.load
// ON: call preserve_mostcc i32 @uxdp.worker_cpu.cold()
// ON: urem i32 {{.*}}%percpu.ncpus
// ON: %[[SLOT:.*]] = zext i32 %slot{{.*}} to i64
// ON: %[[SPAN:.*]] = shl nuw nsw i64 %[[SLOT]], 6
// ON: getelementptr inbounds i8, ptr %percpu.data, i64 %[[SPAN]]
// ON-NOT: call {{.*}}lookup
// ON: ret i64
// ON: define internal preserve_mostcc i32 @uxdp.worker_cpu.cold() {{.*}}#[[COLD:[0-9]+]]
// ON-NEXT: entry:
// ON-NEXT: call i32 @uxdp_worker_cpu()
// ON: attributes #[[COLD]] = { cold noinline }
// ASM-LABEL: count:
// ASM-NOT: push{{q?}} %r{{bx|bp|12|13|14|15}}
// ASM: callq uxdp.worker_cpu.cold
// ASM-NOT: push{{q?}} %r{{bx|bp|12|13|14|15}}
// ASM: .Lfunc_end0:
// ASM-LABEL: uxdp.worker_cpu.cold:
// ASM-DAG: pushq %rdi
// ASM-DAG: pushq %rsi
// ASM-DAG: pushq %rdx
// ASM-DAG: pushq %rcx
// ASM-DAG: pushq %r8
// ASM-DAG: pushq %r9
// ASM-DAG: pushq %r10
// ASM: callq uxdp_worker_cpu
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
