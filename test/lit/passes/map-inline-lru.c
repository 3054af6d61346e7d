// map inlining of LRU hash lookups: a BPF_MAP_TYPE_LRU_HASH lookup calls the
// LRU lookup specialised for the key size (4, 8, 16, ..., else "any"), with
// BPF_F_NO_COMMON_LRU (the 8-byte one) as without; with helper inlining on
// it is inlined too: no lock, a single compare of the key size, and the
// reference mark (a relaxed i8 load and store) that eviction reads.  One
// lookup per size, so that each has a single call site and inlines.  LRU
// per-CPU hashes call their per-CPU lookup with the worker's slot;
// -fno-map-inline keeps the generic helper.
// RUN: %clang-bpf -mcpu=v3 -c %s -o %t.bpf.o
// RUN: %uxdpc %t.bpf.o -O2 -fno-helper-inline --emit-llvm --remarks -o %t.noinl.ll 2> %t.remarks
// RUN: %FileCheck --check-prefix=CALL %s < %t.noinl.ll
// RUN: %FileCheck --check-prefix=REMARK %s < %t.remarks
// RUN: %uxdpc %t.bpf.o -O2 --emit-llvm -o - | %FileCheck --check-prefix=INL %s
// RUN: %uxdpc %t.bpf.o -O2 -fno-map-inline -fno-helper-inline --emit-llvm -o - | %FileCheck --check-prefix=OFF %s
// CALL-LABEL: define {{.*}}@lookups(
// CALL: call i64 @uxdp_lru_hash_lookup_k4(
// CALL: call i64 @uxdp_lru_hash_lookup_k8(
// CALL: call i64 @uxdp_lru_hash_lookup_k16(
// CALL: call i64 @uxdp_lru_hash_lookup_any(
// CALL: call i64 @uxdp_lru_percpu_hash_lookup_k4(i64 {{.*}}, i64 {{.*}}, i64
// CALL-NOT: call i64 @uxdp_helper_map_lookup_elem(
// CALL: ret i64
// REMARK: map-inline: 0 lookups inlined (0 per-CPU), 5 hash lookups specialised
// INL-LABEL: define {{.*}}@lookups(
// INL-NOT: call {{.*}}@uxdp_lru_hash_lookup
// INL-NOT: call {{.*}}@bcmp
// INL-NOT: call {{.*}}@memcmp
// INL-NOT: atomicrmw
// INL-NOT: cmpxchg
// INL: load atomic i32, ptr {{.*}} acquire
// INL: icmp eq i32
// INL: load atomic i8, ptr {{.*}} monotonic
// INL: store atomic i8 1, ptr {{.*}} monotonic
// INL-NOT: call {{.*}}@uxdp_map_lookup(
// INL-NOT: call {{.*}}@uxdp_helper_map_lookup_elem(
// INL-NOT: call {{.*}}hash_lookup
// INL: ret i64
// OFF-NOT: uxdp_lru_hash_lookup
// OFF: call i64 @uxdp_helper_map_lookup_elem(
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define LRU(name, type_, flags_, key_t)                                          \
	struct {                                                                 \
		__uint(type, type_);                                             \
		__uint(max_entries, 64);                                         \
		__uint(map_flags, flags_);                                       \
		__type(key, key_t);                                              \
		__type(value, __u64);                                            \
	} name SEC(".maps")

struct k16 { __u64 a, b; };
struct k10 { __u16 a[5]; }; /* no sized lookup: "any" */

LRU(l4, BPF_MAP_TYPE_LRU_HASH, 0, __u32);
LRU(l8, BPF_MAP_TYPE_LRU_HASH, BPF_F_NO_COMMON_LRU, __u64);
LRU(l16, BPF_MAP_TYPE_LRU_HASH, 0, struct k16);
LRU(l10, BPF_MAP_TYPE_LRU_HASH, 0, struct k10);
LRU(lpcpu, BPF_MAP_TYPE_LRU_PERCPU_HASH, 0, __u32);

SEC("xdp") int lookups(struct xdp_md *ctx)
{
	__u32 q = ctx->rx_queue_index;
	__u64 k8 = q, sum = 0, *v;
	struct k16 k16 = { q, q };
	struct k10 k10 = { { q, q, q, q, q } };

	if ((v = bpf_map_lookup_elem(&l4, &q)))
		sum += *v;
	if ((v = bpf_map_lookup_elem(&l8, &k8)))
		sum += *v;
	if ((v = bpf_map_lookup_elem(&l16, &k16)))
		sum += *v;
	if ((v = bpf_map_lookup_elem(&l10, &k10)))
		sum += *v;
	if ((v = bpf_map_lookup_elem(&lpcpu, &q)))
		sum += *v;
	return sum ? XDP_PASS : XDP_DROP;
}
char LICENSE[] SEC("license") = "GPL";
