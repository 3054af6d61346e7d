// map inlining of a lookup whose map is a choice: one call on a phi of
// maps (as clang's tail merging makes of "v4 ? lookup(&acl_v4, &k) :
// lookup(&acl_v6, &k)", xdp_acl's pattern: @merged) or a select of them
// (@choices).  The
// lookup is split into one lookup per map, each inlined or specialised as
// if the program had written it; the generic lookup (a dispatch on the map
// type) is gone.
// RUN: %clang-bpf -mcpu=v3 -c %s -o %t.bpf.o
// RUN: %uxdpc %t.bpf.o -O2 -fno-helper-inline --emit-llvm --remarks -o %t.noinl.ll 2> %t.remarks
// RUN: %FileCheck --check-prefix=CALL %s < %t.noinl.ll
// RUN: %FileCheck --check-prefix=REMARK %s < %t.remarks
// RUN: %uxdpc %t.bpf.o -O2 --emit-llvm -o - | %FileCheck --check-prefix=INL %s
// RUN: %uxdpc %t.bpf.o -O2 -fno-map-inline --emit-llvm -o - | %FileCheck --check-prefix=OFF %s
// CALL-LABEL: define {{.*}}@choices(
// CALL-NOT: @uxdp_helper_map_lookup_elem(
// CALL-DAG: call i64 @uxdp_lpm_lookup_k8(
// CALL-DAG: call i64 @uxdp_lpm_lookup_k20(
// CALL-DAG: call i64 @uxdp_hash_lookup_k4(
// CALL-NOT: @uxdp_helper_map_lookup_elem(
// CALL: ret i64
// CALL-LABEL: define {{.*}}@merged(
// CALL-NOT: @uxdp_helper_map_lookup_elem(
// CALL-DAG: call i64 @uxdp_lpm_lookup_k20(
// CALL-DAG: call i64 @uxdp_lpm_lookup_k8(
// CALL-NOT: @uxdp_helper_map_lookup_elem(
// CALL: ret i64
// REMARK: map-inline: 1 lookups inlined (0 per-CPU), 1 hash lookups specialised, 4 LPM lookups specialised, 0 in inner maps, 3 on a choice of maps split
// INL-LABEL: define {{.*}}@choices(
// INL-NOT: call {{.*}}@uxdp_map_lookup(
// INL: call {{.*}}@llvm.ctlz.i{{32|64}}
// INL-NOT: call {{.*}}@uxdp_map_lookup(
// INL: ret i64
// INL-LABEL: define {{.*}}@merged(
// INL-NOT: call {{.*}}@uxdp_map_lookup(
// INL: call {{.*}}@llvm.ctlz.i{{32|64}}
// INL-NOT: call {{.*}}@uxdp_map_lookup(
// INL: ret i64
// OFF-LABEL: define {{.*}}@choices(
// OFF: call {{.*}}@uxdp_map_lookup(
// OFF-LABEL: define {{.*}}@merged(
// OFF: call {{.*}}@uxdp_map_lookup(
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct key { __u32 plen; __u8 addr[16]; };

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 64);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(key_size, 8);
	__type(value, __u64);
} lpm4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 64);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(key_size, 20);
	__type(value, __u64);
} lpm6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} array SEC(".maps");

SEC("xdp") int choices(struct xdp_md *ctx)
{
	__u32 q = ctx->rx_queue_index;
	struct key k = { q & 1 ? 32 : 128, { 0xc6, 0x12, 0, q } };
	__u64 sum = 0, *v;

	/* one call: the map is a phi of two lddw */
	if ((v = bpf_map_lookup_elem(q & 1 ? (void *)&lpm4 : (void *)&lpm6, &k)))
		sum += *v;
	if ((v = bpf_map_lookup_elem(q & 2 ? (void *)&hash : (void *)&array, &q)))
		sum += *v;
	return sum ? XDP_PASS : XDP_DROP;
}
/* xdp_acl's shape: the two calls' tails merged, the map a phi */
SEC("xdp") int merged(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct key k = { 32 };
	__u64 *v;

	if (data + 20 > end)
		return XDP_PASS;
	if (*(__u8 *)data == 4) {
		__builtin_memcpy(k.addr, data + 4, 4);
		v = bpf_map_lookup_elem(&lpm4, &k);
	} else if (*(__u8 *)data == 6) {
		k.plen = 128;
		__builtin_memcpy(k.addr, data + 4, 16);
		v = bpf_map_lookup_elem(&lpm6, &k);
	} else {
		return XDP_PASS;
	}
	return v && *v ? XDP_DROP : XDP_PASS;
}
char LICENSE[] SEC("license") = "GPL";
