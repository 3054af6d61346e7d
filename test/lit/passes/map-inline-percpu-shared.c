// Per-CPU lookups in one function read the worker index once where one
// lookup dominates another: each inlined lookup loads the thread-local
// uxdp_this_cpu (percpu_cpu.c), an invariant load LLVM merges.  In `two`
// (xdp_pktcntr's two counters) the index is loaded once and the wrap-around
// compare of the same map is one too.  Lookups on different paths (`arms`)
// keep their own load: nothing is moved to the entry, where it would run on
// the path that counts nothing and hold a register across the function.
// RUN: %clang-bpf -mcpu=v3 -c %s -o %t.bpf.o
// RUN: %uxdpc %t.bpf.o -O2 --emit-llvm -o %t.ll
// RUN: %FileCheck %s < %t.ll
// CHECK-LABEL: define {{.*}}@two(ptr
// CHECK: load i32, ptr @uxdp_this_cpu, {{.*}}!invariant.load
// CHECK-NOT: @uxdp_this_cpu
// CHECK: urem i32 {{.*}}%percpu.ncpus
// CHECK-NOT: urem
// CHECK-NOT: @uxdp_this_cpu
// CHECK: ret i64
// CHECK-LABEL: define {{.*}}@arms(ptr
// CHECK-NEXT: entry:
// CHECK-NOT: @uxdp_this_cpu
// CHECK: switch i32 %ingress_ifindex
// CHECK: load i32, ptr @uxdp_this_cpu, {{.*}}!invariant.load
// CHECK: load i32, ptr @uxdp_this_cpu, {{.*}}!invariant.load
// CHECK-NOT: @uxdp_this_cpu
// CHECK: ret i64
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} pcpu SEC(".maps");

SEC("xdp") int two(struct xdp_md *ctx)
{
	__u32 key = 0;
	__u64 *v = bpf_map_lookup_elem(&pcpu, &key);

	if (v)
		*v += 1;
	key = 1;
	v = bpf_map_lookup_elem(&pcpu, &key);
	if (v)
		*v += ctx->data_end - ctx->data;
	return XDP_PASS;
}

SEC("xdp") int arms(struct xdp_md *ctx)
{
	__u32 key = 0;
	__u64 *v;

	if (ctx->ingress_ifindex == 7) {
		v = bpf_map_lookup_elem(&pcpu, &key);
		if (v)
			*v += 7;
		return XDP_DROP;
	}
	if (ctx->ingress_ifindex == 9) {
		key = 1;
		v = bpf_map_lookup_elem(&pcpu, &key);
		if (v)
			*v += 9;
		return XDP_TX;
	}
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
