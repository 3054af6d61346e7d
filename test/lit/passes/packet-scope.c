// packet scope and addr-gep: a next hop's MAC addresses, copied from a map
// value into the packet.  The struct is byte-aligned, so clang -target bpf
// copies byte by byte, and the lifter addresses each byte as an integer.
// addr-gep makes each address a GEP from the packet pointer or the map
// value it came from, and stack-scope puts the packet's accesses in their
// own alias scope and the map value's out of it, so LLVM sees twelve
// adjacent loads that no store in between can change and copies wide (the
// x86 code has no byte store left).  Without either (-fno-addr-gep,
// -fno-stack-scope) the copies stay bytes.
// RUN: %clang-bpf -mcpu=v3 -c %s -o %t.bpf.o
// RUN: %uxdpc %t.bpf.o -O3 -S --remarks -o %t.s 2> %t.remarks
// RUN: %FileCheck --check-prefix=ON %s < %t.s
// RUN: %FileCheck --check-prefix=REMARK %s < %t.remarks
// RUN: %uxdpc %t.bpf.o -O3 -S -fno-addr-gep -o - | %FileCheck --check-prefix=OFF %s
// RUN: %uxdpc %t.bpf.o -O3 -S -fno-stack-scope -o - | %FileCheck --check-prefix=OFF %s
// RUN: %uxdpc %t.bpf.o -O3 --unsafe-no-bounds-checks --remarks -o %t.unsafe.o 2>&1 | %FileCheck --check-prefix=UNSAFE %s

// ON-LABEL: rewrite:
// ON-NOT: movb
// ON: retq
// OFF-LABEL: rewrite:
// OFF-COUNT-12: movb
// OFF: retq
// REMARK: addr-gep: {{[1-9][0-9]*}} addresses made GEPs from their pointer, 0 left
// REMARK: stack-scope: {{.*}}; {{[1-9][0-9]*}} packet accesses, {{[1-9][0-9]*}} marked as not the packet
// UNSAFE: addr-gep: skipped (a program neither verified nor confined)
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>

struct nexthop {
	unsigned char dmac[ETH_ALEN];
	unsigned char smac[ETH_ALEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct nexthop);
} nexthops SEC(".maps");

SEC("xdp") int rewrite(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct nexthop *nh;
	__u32 k = 0;

	if (data + sizeof(*eth) > end)
		return XDP_PASS;
	nh = bpf_map_lookup_elem(&nexthops, &k);
	if (!nh)
		return XDP_PASS;
	__builtin_memcpy(eth->h_dest, nh->dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, nh->smac, ETH_ALEN);
	return XDP_TX;
}
char LICENSE[] SEC("license") = "GPL";
