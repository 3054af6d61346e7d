// Dynptrs without the kernel verifier are refused, naming the first call:
// a dynptr is a pointer the program keeps on its stack, and only the
// kernel's verifier tracks that the program does not forge or overwrite
// it.  With the verifier (--verify=auto as root) they compile: the
// differential test diff.dynptr compares them with the kernel.
// RUN: %clang-bpf -mcpu=v3 -DMEM -c %s -o %t.mem.bpf.o
// RUN: not %uxdpc --verify=none %t.mem.bpf.o -o %t.o 2>&1 | %FileCheck --check-prefix=MEM %s
// MEM: uxdpc: {{.*}}.mem.bpf.o: program 'uses_dynptr' (section xdp), insn {{[0-9]+}}: helper 197 (bpf_dynptr_from_mem): uxdp does not know which memory it reaches, so it cannot confine it (compile with the kernel verifier)
// RUN: %clang-bpf -mcpu=v3 -c %s -o %t.xdp.bpf.o
// RUN: not %uxdpc --verify=none %t.xdp.bpf.o -o %t.o 2>&1 | %FileCheck --check-prefix=XDP %s
// XDP: uxdpc: {{.*}}.xdp.bpf.o: program 'uses_dynptr' (section xdp), insn {{[0-9]+}}: kfunc bpf_dynptr_from_xdp: uxdp does not know which memory it reaches, so it cannot confine it (compile with the kernel verifier)
//
// A dynptr kfunc of another program type is refused by name in every mode.
// RUN: %clang-bpf -mcpu=v3 -DSKB -c %s -o %t.skb.bpf.o
// RUN: not %uxdpc --verify=none %t.skb.bpf.o -o %t.o 2>&1 | %FileCheck --check-prefix=SKB %s
// SKB: uxdpc: {{.*}}.skb.bpf.o: program 'uses_dynptr' (section xdp), insn {{[0-9]+}}: unsupported kfunc 'bpf_dynptr_from_skb': XDP programs make dynptrs from the packet (bpf_dynptr_from_xdp) or from memory (helper 197); this kind is another program type's
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern int bpf_dynptr_from_xdp(struct xdp_md *x, __u64 flags, struct bpf_dynptr *ptr__uninit) __ksym;
extern int bpf_dynptr_from_skb(struct __sk_buff *s, __u64 flags, struct bpf_dynptr *ptr__uninit) __ksym;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} m SEC(".maps");

SEC("xdp") int uses_dynptr(struct xdp_md *ctx)
{
	struct bpf_dynptr d;
	__u8 b[2] = { 0 };
#if defined(MEM)
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&m, &k);

	if (!v)
		return XDP_PASS;
	bpf_dynptr_from_mem(v, sizeof(*v), 0, &d);
#elif defined(SKB)
	bpf_dynptr_from_skb((void *)ctx, 0, &d);
#else
	bpf_dynptr_from_xdp(ctx, 0, &d);
#endif
	bpf_dynptr_read(b, 2, &d, 0, 0);
	return b[0] == 0x45 ? XDP_DROP : XDP_PASS;
}
char LICENSE[] SEC("license") = "GPL";
