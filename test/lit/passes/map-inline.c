// map inlining: an array lookup on a known map becomes a bounds check and an
// address computed from the slot's data pointer, with no call; -fno-map-inline
// keeps the helper call.
// RUN: %clang-bpf -mcpu=v3 -c %s -o %t.bpf.o
// RUN: %uxdpc %t.bpf.o -O2 --emit-llvm --remarks -o %t.ll 2> %t.remarks
// RUN: %FileCheck --check-prefix=ON %s < %t.ll
// RUN: %FileCheck --check-prefix=REMARK %s < %t.remarks
// RUN: %uxdpc %t.bpf.o -O2 -fno-map-inline -fno-helper-inline --emit-llvm -o - | %FileCheck --check-prefix=OFF %s
// ON-LABEL: define {{.*}}@count(
// ON-NOT: call {{.*}}map_lookup
// ON: %array.data = load ptr, ptr getelementptr inbounds (i8, ptr @{{"?}}uxdp.slot.{{.*}}.counters{{"?}}, i64 8){{.*}}!invariant.load
// ON: atomicrmw add
// REMARK: map-inline: 1 lookups inlined
// OFF: call i64 @uxdp_helper_map_lookup_elem(
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

SEC("xdp") int count(struct xdp_md *ctx)
{
	__u32 key = ctx->rx_queue_index & 3;
	__u64 *v = bpf_map_lookup_elem(&counters, &key);

	if (v)
		__sync_fetch_and_add(v, 1);
	return XDP_PASS;
}
char LICENSE[] SEC("license") = "GPL";
