// map inlining of LPM trie lookups and of lookups in inner maps.
// An LPM trie lookup calls the lookup specialised for its key size (8: IPv4,
// 20: IPv6, else "any"), inlined with helper inlining: a lock-free walk whose
// IPv4 prefix compare is one byte swap and count of leading zeros.  A lookup
// in the map an array-of-maps lookup returned is specialised by the inner
// template: an inner hash calls the hash lookup, an inner array becomes
// "index < handle->max_entries ? handle->data + index * stride : NULL" with
// both read from the inner map's handle.
// RUN: %clang-bpf -mcpu=v3 -c %s -o %t.bpf.o
// RUN: %uxdpc %t.bpf.o -O2 -fno-helper-inline --emit-llvm --remarks -o %t.noinl.ll 2> %t.remarks
// RUN: %FileCheck --check-prefix=CALL %s < %t.noinl.ll
// RUN: %FileCheck --check-prefix=REMARK %s < %t.remarks
// RUN: %uxdpc %t.bpf.o -O2 --emit-llvm -o - | %FileCheck --check-prefix=INL %s
// CALL-LABEL: define {{.*}}@lookups(
// CALL: call i64 @uxdp_lpm_lookup_k8(
// CALL: call i64 @uxdp_lpm_lookup_k20(
// CALL: call i64 @uxdp_helper_map_lookup_elem(
// CALL: call i64 @uxdp_hash_lookup_k4(
// CALL: call i64 @uxdp_helper_map_lookup_elem(
// CALL: load i32, ptr {{.*}}!invariant.load
// CALL-NOT: call i64 @uxdp_helper_map_lookup_elem(
// CALL: ret i64
// REMARK: map-inline: 1 lookups inlined (0 per-CPU), 1 hash lookups specialised, 2 LPM lookups specialised, 2 in inner maps
// INL-LABEL: define {{.*}}@lookups(
// INL-NOT: call {{.*}}@uxdp_lpm_lookup
// INL: call i32 @llvm.bswap.i32
// INL: call {{.*}}i32 @llvm.ctlz.i32
// INL-NOT: call {{.*}}@uxdp_lpm_lookup
// INL: ret i64
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct v4key { __u32 plen; __u32 addr; };
struct v6key { __u32 plen; __u8 addr[16]; };

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 64);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct v4key);
	__type(value, __u64);
} lpm4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 64);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct v6key);
	__type(value, __u64);
} lpm6 SEC(".maps");

struct inner_hash {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
};

struct inner_array {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, struct inner_hash);
} outer_h SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, struct inner_array);
} outer_a SEC(".maps");

SEC("xdp") int lookups(struct xdp_md *ctx)
{
	__u32 q = ctx->rx_queue_index;
	struct v4key k4 = { 32, q };
	struct v6key k6 = { 128, { 0xfe, 0x80 } };
	__u64 sum = 0, *v;
	void *inner;

	if ((v = bpf_map_lookup_elem(&lpm4, &k4)))
		sum += *v;
	if ((v = bpf_map_lookup_elem(&lpm6, &k6)))
		sum += *v;
	inner = bpf_map_lookup_elem(&outer_h, &q);
	if (inner && (v = bpf_map_lookup_elem(inner, &q)))
		sum += *v;
	inner = bpf_map_lookup_elem(&outer_a, &q);
	if (inner && (v = bpf_map_lookup_elem(inner, &q)))
		sum += *v;
	return sum ? XDP_PASS : XDP_DROP;
}
char LICENSE[] SEC("license") = "GPL";
