// map inlining of hash lookups: a BPF_MAP_TYPE_HASH lookup calls the lookup
// specialised for the key size (4, 6, 8, 12, 16, 20, 24, 32, 36, 40, else "any"), a per-CPU hash the
// per-CPU one with the worker's slot as third argument; with helper inlining
// on they are inlined too, take no lock (acquire loads only), and the key
// compare is a single compare of the key size.  -fno-map-inline keeps the
// generic helper.
// RUN: %clang-bpf -mcpu=v3 -c %s -o %t.bpf.o
// RUN: %uxdpc %t.bpf.o -O2 -fno-helper-inline --emit-llvm --remarks -o %t.noinl.ll 2> %t.remarks
// RUN: %FileCheck --check-prefix=CALL %s < %t.noinl.ll
// RUN: %FileCheck --check-prefix=REMARK %s < %t.remarks
// RUN: %uxdpc %t.bpf.o -O2 --emit-llvm -o - | %FileCheck --check-prefix=INL %s
// RUN: %uxdpc %t.bpf.o -O2 -fno-map-inline -fno-helper-inline --emit-llvm -o - | %FileCheck --check-prefix=OFF %s
// CALL-LABEL: define {{.*}}@lookups(
// CALL: call i64 @uxdp_hash_lookup_k4(
// CALL: call i64 @uxdp_hash_lookup_k8(
// CALL: call i64 @uxdp_hash_lookup_k16(
// CALL: call i64 @uxdp_hash_lookup_any(
// CALL: call i64 @uxdp_hash_lookup_k20(
// CALL: call i64 @uxdp_hash_lookup_k40(
// CALL: call i64 @uxdp_percpu_hash_lookup_k4(i64 {{.*}}, i64 {{.*}}, i64
// CALL: call i64 @uxdp_percpu_hash_lookup_k6(i64 {{.*}}, i64 {{.*}}, i64
// CALL-NOT: call i64 @uxdp_helper_map_lookup_elem(
// CALL: ret i64
// REMARK: map-inline: 0 lookups inlined (0 per-CPU), 8 hash lookups specialised
// INL-LABEL: define {{.*}}@lookups(
// INL-NOT: call {{.*}}@uxdp_hash_lookup
// INL-NOT: call {{.*}}@bcmp
// INL-NOT: call {{.*}}@memcmp
// INL-NOT: atomicrmw
// INL-NOT: cmpxchg
// INL: load atomic i32, ptr {{.*}} acquire
// INL: icmp eq i32
// INL-NOT: call {{.*}}@uxdp_map_lookup(
// INL-NOT: call {{.*}}@uxdp_helper_map_lookup_elem(
// INL-NOT: call {{.*}}hash_lookup
// INL: ret i64
// OFF-NOT: uxdp_hash_lookup
// OFF: call i64 @uxdp_helper_map_lookup_elem(
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define HASH(name, type_, key_t)                                                 \
	struct {                                                                 \
		__uint(type, type_);                                             \
		__uint(max_entries, 64);                                         \
		__type(key, key_t);                                              \
		__type(value, __u64);                                            \
	} name SEC(".maps")

struct k16 { __u64 a, b; };
struct k10 { __u16 a[5]; }; /* no sized lookup: "any" */
struct k20 { __u32 a[5]; }; /* tx_ip_tunnel's vip_key */
struct k40 { __u64 a[5]; }; /* an IPv6 5-tuple with its padding */
struct mac { __u8 a[6]; }; /* xdp-filter's filter_ethernet key */

HASH(h4, BPF_MAP_TYPE_HASH, __u32);
HASH(h8, BPF_MAP_TYPE_HASH, __u64);
HASH(h16, BPF_MAP_TYPE_HASH, struct k16);
HASH(h10, BPF_MAP_TYPE_HASH, struct k10);
HASH(h20, BPF_MAP_TYPE_HASH, struct k20);
HASH(h40, BPF_MAP_TYPE_HASH, struct k40);
HASH(pcpu, BPF_MAP_TYPE_PERCPU_HASH, __u32);
HASH(pcpu6, BPF_MAP_TYPE_PERCPU_HASH, struct mac);

SEC("xdp") int lookups(struct xdp_md *ctx)
{
	__u32 q = ctx->rx_queue_index;
	__u64 k8 = q, sum = 0, *v;
	struct k16 k16 = { q, q };
	struct k10 k10 = { { q, q, q, q, q } };
	struct k20 k20 = { { q, q, q, q, q } };
	struct k40 k40 = { { q, q, q, q, q } };
	struct mac mac = { { q, q, 1, 2, 3, 4 } };

	if ((v = bpf_map_lookup_elem(&h4, &q)))
		sum += *v;
	if ((v = bpf_map_lookup_elem(&h8, &k8)))
		sum += *v;
	if ((v = bpf_map_lookup_elem(&h16, &k16)))
		sum += *v;
	if ((v = bpf_map_lookup_elem(&h10, &k10)))
		sum += *v;
	if ((v = bpf_map_lookup_elem(&h20, &k20)))
		sum += *v;
	if ((v = bpf_map_lookup_elem(&h40, &k40)))
		sum += *v;
	if ((v = bpf_map_lookup_elem(&pcpu, &q)))
		sum += *v;
	if ((v = bpf_map_lookup_elem(&pcpu6, &mac)))
		sum += *v;
	return sum ? XDP_PASS : XDP_DROP;
}
char LICENSE[] SEC("license") = "GPL";
