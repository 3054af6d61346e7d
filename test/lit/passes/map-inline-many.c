// map inlining of a program with many lookups of one kind: each call to a
// specialised lookup is marked alwaysinline, so every one is inlined.
// Without the mark LLVM's inliner kept a lookup called from several places
// out of line (xdp-filter's objects: three per-CPU hash lookups of each key
// size, a call each; 337 instructions a packet against 269 inlined), paying
// a call and the map handle's loads at each.
// RUN: %clang-bpf -mcpu=v3 -c %s -o %t.bpf.o
// RUN: %uxdpc %t.bpf.o -O2 -fno-helper-inline --emit-llvm -o - | %FileCheck --check-prefix=CALL %s
// RUN: %uxdpc %t.bpf.o -O3 --emit-llvm -o - | %FileCheck --check-prefix=INL %s
// CALL-LABEL: define {{.*}}@lookups(
// CALL: call i64 @uxdp_percpu_hash_lookup_k4({{.*}}) #[[AI:[0-9]+]]
// CALL: call i64 @uxdp_hash_lookup_k4({{.*}}) #[[AI]]
// CALL: call i64 @uxdp_lru_hash_lookup_k16({{.*}}) #[[AI]]
// CALL: call i64 @uxdp_lpm_lookup_k8({{.*}}) #[[AI]]
// CALL: call i64 @uxdp_hash_lookup_any({{[^#]*}}){{$}}
// CALL: attributes #[[AI]] = { alwaysinline }
// INL-LABEL: define {{.*}}@lookups(
// INL-NOT: call {{.*}}_lookup_k
// INL-NOT: call {{.*}}@uxdp_helper_map_lookup_elem(
// INL: ret i64
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define MAP(name, type_, key_t)                                                  \
	struct {                                                                 \
		__uint(type, type_);                                             \
		__uint(max_entries, 64);                                         \
		__type(key, key_t);                                              \
		__type(value, __u64);                                            \
	} name SEC(".maps")

struct k16 { __u64 a, b; };
struct k10 { __u16 a[5]; }; /* no sized lookup: "any", left to the inliner */
struct lpm4 { __u32 prefixlen; __u32 addr; };

MAP(pcpu_a, BPF_MAP_TYPE_PERCPU_HASH, __u32);
MAP(pcpu_b, BPF_MAP_TYPE_PERCPU_HASH, __u32);
MAP(pcpu_c, BPF_MAP_TYPE_PERCPU_HASH, __u32);
MAP(hash_a, BPF_MAP_TYPE_HASH, __u32);
MAP(hash_b, BPF_MAP_TYPE_HASH, __u32);
MAP(hash_c, BPF_MAP_TYPE_HASH, __u32);
MAP(lru_a, BPF_MAP_TYPE_LRU_HASH, struct k16);
MAP(lru_b, BPF_MAP_TYPE_LRU_HASH, struct k16);
MAP(any_a, BPF_MAP_TYPE_HASH, struct k10);
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 64);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct lpm4);
	__type(value, __u64);
} lpm_a SEC(".maps");

/* A counter per map, as xdp-filter's rules: each lookup's value is written. */
static __always_inline __u64 hit(void *map, void *key)
{
	__u64 *v = bpf_map_lookup_elem(map, key);

	if (!v)
		return 0;
	*v += 1;
	return *v;
}

SEC("xdp") int lookups(struct xdp_md *ctx)
{
	__u32 q = ctx->rx_queue_index, r = ctx->ingress_ifindex;
	struct k16 k = { q, r };
	struct k10 k10 = { { q, r, q, r, q } };
	struct lpm4 p = { 32, q };
	__u64 sum = 0;

	sum += hit(&pcpu_a, &q) + hit(&pcpu_b, &r) + hit(&pcpu_c, &q);
	sum += hit(&hash_a, &r) + hit(&hash_b, &q) + hit(&hash_c, &r);
	sum += hit(&lru_a, &k) + hit(&lru_b, &k);
	sum += hit(&lpm_a, &p) + hit(&any_a, &k10);
	return sum ? XDP_PASS : XDP_DROP;
}
char LICENSE[] SEC("license") = "GPL";
