// addr-gep: an address computed as a pointer plus numbers becomes a GEP
// from that pointer: a map value's fields at constant offsets, and a byte
// at an offset read from the packet (the lookup's miss path branched away,
// so the address is the element's plus a number).  Nothing is left an
// inttoptr; -fno-addr-gep keeps every address one.
// RUN: %clang-bpf -mcpu=v3 -c %s -o %t.bpf.o
// RUN: %uxdpc %t.bpf.o -O3 --emit-llvm --remarks -o %t.ll 2> %t.remarks
// RUN: %FileCheck --check-prefix=ON %s < %t.ll
// RUN: %FileCheck --check-prefix=REMARK %s < %t.remarks
// RUN: %uxdpc %t.bpf.o -O3 -fno-addr-gep --emit-llvm -o - | %FileCheck --check-prefix=OFF %s

// ON-LABEL: define {{.*}}@fixed(
// ON-NOT: inttoptr
// ON: ret i64
// ON-LABEL: define {{.*}}@varoff(
// ON-NOT: inttoptr
// ON: getelementptr i8, ptr %elem, i64 %
// ON-NOT: inttoptr
// ON: ret i64
// OFF-LABEL: define {{.*}}@fixed(
// OFF: inttoptr
// OFF: ret i64
// REMARK: addr-gep: {{[1-9][0-9]*}} addresses made GEPs from their pointer, 0 left
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct bytes {
	__u8 b[64];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct bytes);
} vals SEC(".maps");

SEC("xdp") int fixed(struct xdp_md *ctx)
{
	__u32 k = ctx->rx_queue_index; /* may be out of range: the lookup may miss */
	struct bytes *p = bpf_map_lookup_elem(&vals, &k);

	if (!p)
		return XDP_PASS;
	return p->b[1] + p->b[9] > 4 ? XDP_DROP : XDP_PASS;
}

SEC("xdp") int varoff(struct xdp_md *ctx)
{
	__u8 *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	__u32 k = ctx->rx_queue_index;
	struct bytes *p;

	if (data + 1 > end)
		return XDP_PASS;
	p = bpf_map_lookup_elem(&vals, &k);
	if (!p)
		return XDP_PASS;
	return p->b[data[0] & 63] > 4 ? XDP_DROP : XDP_PASS;
}
char LICENSE[] SEC("license") = "GPL";
