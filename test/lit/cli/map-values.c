// `.values = { [slot] = &target }` initialisers, as libbpf takes them:
// prog_array slots name programs, array/hash-of-maps slots name maps.
// uxdpc writes them as the map's initial slots (--list shows them) and
// refuses what libbpf or the kernel would refuse, naming the map, the slot
// and the target.
//
// RUN: %clang-bpf -mcpu=v3 -c %s -o %t.ok.bpf.o
// RUN: %uxdpc --list %t.ok.bpf.o | %FileCheck --check-prefix=LIST %s
// LIST: map outer type array_of_maps {{.*}} values 0=inner_one
// LIST: map jmp type prog_array {{.*}} values 2=second
//
// -p compiles the programs a prog_array's `.values` holds besides the one
// chosen, as libbpf loads them.
// RUN: %uxdpc %t.ok.bpf.o -p entry -o %t.p.o
// RUN: %uxdpc --list %t.p.o | %FileCheck --check-prefix=WITHP %s
// WITHP-DAG: entry
// WITHP-DAG: second
//
// A program of another type than XDP.
// RUN: %clang-bpf -mcpu=v3 -DTC -c %s -o %t.tc.bpf.o
// RUN: not %uxdpc %t.tc.bpf.o -o %t.o 2>&1 | %FileCheck --check-prefix=NOTXDP %s
// NOTXDP: map 'jmp' slot 2: program 'second' is not compiled (uxdp runs XDP programs only)
//
// A slot past max_entries.
// RUN: %clang-bpf -mcpu=v3 -DPAST -c %s -o %t.past.bpf.o
// RUN: not %uxdpc %t.past.bpf.o -o %t.o 2>&1 | %FileCheck --check-prefix=PAST %s
// PAST: map 'outer': slot 4 of 'values' is past max_entries 4
//
// A hash_of_maps keyed by something else than a 4-byte slot number.
// RUN: %clang-bpf -mcpu=v3 -DWIDEKEY -c %s -o %t.wide.bpf.o
// RUN: not %uxdpc %t.wide.bpf.o -o %t.o 2>&1 | %FileCheck --check-prefix=WIDEKEY %s
// WIDEKEY: map 'hmaps': a hash_of_maps with 'values' needs a 4-byte key (the slot), not 8
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
};

struct inner inner_one SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, struct inner);
} outer SEC(".maps") = {
#ifdef PAST
	.values = { [4] = &inner_one },
#else
	.values = { [0] = &inner_one },
#endif
};

#ifdef WIDEKEY
struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 4);
	__type(key, __u64);
	__array(values, struct inner);
} hmaps SEC(".maps") = {
	.values = { [1] = &inner_one },
};
#endif

#ifdef TC
int second(struct __sk_buff *skb);
#else
int second(struct xdp_md *ctx);
#endif

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__uint(key_size, 4);
	__array(values, int (void *));
} jmp SEC(".maps") = {
	.values = { [2] = (void *)&second },
};

SEC("xdp") int entry(struct xdp_md *ctx)
{
	bpf_tail_call(ctx, &jmp, 2);
	return bpf_map_lookup_elem(&outer, &(__u32){ 0 }) ? XDP_PASS : XDP_ABORTED;
}

#ifdef TC
SEC("tc") int second(struct __sk_buff *skb)
{
	return 0;
}
#else
SEC("xdp") int second(struct xdp_md *ctx)
{
	return XDP_DROP;
}
#endif

char _license[] SEC("license") = "GPL";
