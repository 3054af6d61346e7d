// Map slots (in the object's map order) sit at the end of a page of their own section: the section
// .bss.uxdp_slots is page-aligned, a pad comes first, and the slots (16
// bytes each, rounded up to cache lines: 5 slots, 80 bytes, 128) fill the
// last lines of the page.  Every packet loads its slots; at the start of a
// page they 4 KiB-alias the map values and packet bytes programs write most
// (xdp_fwd: a locked counter increment at page offset 0x10 of its array
// stalled the next packet's load of the slot at 0x10; docs/benchmarks.md).
// An inner template has no slot.
// RUN: %clang-bpf -mcpu=v3 -c %s -o %t.bpf.o
// RUN: %uxdpc %t.bpf.o -O2 -S -o - | %FileCheck %s
// RUN: %uxdpc %t.bpf.o -O3 -S -o - | %FileCheck %s
// RUN: %uxdpc %t.bpf.o -O2 --emit-llvm -o - | %FileCheck --check-prefix=IR %s
// CHECK: .section .bss.uxdp_slots,"aw",@nobits
// CHECK: .p2align 12
// CHECK-NEXT: {{"?}}uxdp.slotpad.[[OBJ:[^"]*]]{{"?}}:
// CHECK-NEXT: .zero 3968
// CHECK: uxdp.slot.[[OBJ]].stats{{"?}}:
// CHECK-NEXT: .zero 16
// CHECK: uxdp.slot.[[OBJ]].cfg{{"?}}:
// CHECK-NEXT: .zero 16
// CHECK: uxdp.slot.[[OBJ]].routes{{"?}}:
// CHECK-NEXT: .zero 16
// CHECK: uxdp.slot.[[OBJ]].pcpu{{"?}}:
// CHECK-NEXT: .zero 16
// CHECK: uxdp.slot.[[OBJ]].outer{{"?}}:
// CHECK-NEXT: .zero 16
// CHECK-NOT: uxdp.slot.{{.*}}inner
// CHECK: .section uxdp_meta
// IR: @uxdp.slotpad.{{.*}} = hidden {{.*}}global [3968 x i8] zeroinitializer, section ".bss.uxdp_slots", align 4096
// IR-COUNT-5: @uxdp.slot.{{.*}} = hidden global { ptr, ptr } zeroinitializer, section ".bss.uxdp_slots", align 8
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} cfg SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u32);
} routes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} pcpu SEC(".maps");

struct inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, struct inner);
} outer SEC(".maps");

SEC("xdp") int slots(struct xdp_md *ctx)
{
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&stats, &k);
	__u32 *c = bpf_map_lookup_elem(&cfg, &k);
	void *r = bpf_map_lookup_elem(&routes, &k);
	__u64 *p = bpf_map_lookup_elem(&pcpu, &k);
	void *in = bpf_map_lookup_elem(&outer, &k);

	if (v)
		*v += 1;
	if (p)
		*p += 1;
	return (c && *c) || r || in ? XDP_DROP : XDP_PASS;
}
char LICENSE[] SEC("license") = "GPL";
