// A CO-RE relocation to a field that neither uxdp's types nor the kernel's
// have: libbpf and uxdpc poison the load.  Guarded by
// bpf_core_field_exists() it is dead code and compiles (GUARDED); read
// unconditionally it is refused with one line naming the program, the
// instruction, the relocation and the field.
// RUN: %clang-bpf -mcpu=v3 -DGUARDED -c %s -o %t.ok.bpf.o
// RUN: %uxdpc --verify=none %t.ok.bpf.o -O0 -o %t.ok.o
// RUN: %clang-bpf -mcpu=v3 -c %s -o %t.bad.bpf.o
// RUN: not %uxdpc --verify=none %t.bad.bpf.o -o %t.bad.o 2> %t.err
// RUN: %FileCheck %s < %t.err
// CHECK: uxdpc: {{.*}}.bad.bpf.o: program 'poisoned' (section xdp), insn {{[0-9]+}}: CO-RE relocation #{{[0-9]+}} (field_byte_offset struct iphdr___future.flow_label_v9) failed: no such field in uxdp's types, and the program can reach it
// CHECK-NOT: {{.}}
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct iphdr___future {
	__u32 flow_label_v9;
} __attribute__((preserve_access_index));

SEC("xdp") int poisoned(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	struct iphdr___future *h = data + 14;

	if (data + 64 > (void *)(long)ctx->data_end)
		return XDP_DROP;
#ifdef GUARDED
	if (!bpf_core_field_exists(h->flow_label_v9))
		return XDP_PASS;
#endif
	return h->flow_label_v9 ? XDP_DROP : XDP_PASS;
}
char LICENSE[] SEC("license") = "GPL";
