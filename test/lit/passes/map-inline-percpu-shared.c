// Per-CPU lookups in one function share the worker index where one lookup
// dominates another (percpu_cpu.c): each inlined lookup asks for
// it, and map inlining then replaces every request that an earlier one
// dominates by that one.  In `two` (xdp_pktcntr's two counters) the worker
// is tested for NULL and its index loaded once, not once per lookup as when
// each lookup joined again after its own test; the wrap-around compare of
// the same map is then one too.  Lookups on different paths (`arms`) keep
// their own: moved above the branch, the index would be computed on the
// path that counts nothing, and held in a register across the function.
// RUN: %clang-bpf -mcpu=v3 -c %s -o %t.bpf.o
// RUN: %uxdpc %t.bpf.o -O2 --emit-llvm -o %t.ll
// RUN: %FileCheck %s < %t.ll
// CHECK-LABEL: define {{.*}}@two(ptr
// CHECK: load i32, ptr %worker{{.*}}, !invariant.load
// CHECK-NOT: load i32, ptr %worker
// CHECK: call preserve_mostcc i32 @uxdp.worker_cpu.cold()
// CHECK-NOT: load i32, ptr %worker
// CHECK-NOT: @uxdp.worker_cpu.cold()
// CHECK: urem i32 {{.*}}%percpu.ncpus
// CHECK-NOT: urem
// CHECK-NOT: load i32, ptr %worker
// CHECK-NOT: @uxdp.worker_cpu.cold()
// CHECK: ret i64
// CHECK-LABEL: define {{.*}}@arms(ptr
// CHECK-NEXT: entry:
// CHECK-NOT: %worker
// CHECK: switch i32 %ingress_ifindex
// CHECK: load i32, ptr %worker{{.*}}, !invariant.load
// CHECK: load i32, ptr %worker{{.*}}, !invariant.load
// CHECK-NOT: load i32, ptr %worker
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
