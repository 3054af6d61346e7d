// kfuncs uxdp does not provide are refused with one line naming the
// program, the instruction and the kfunc, with the reason for its family.
// RUN: %clang-bpf -mcpu=v3 -DCT -c %s -o %t.ct.bpf.o
// RUN: not %uxdpc --verify=none %t.ct.bpf.o -o %t.o 2>&1 | %FileCheck --check-prefix=CT %s
// CT: uxdpc: {{.*}}.ct.bpf.o: program 'uses_kfunc' (section xdp), insn {{[0-9]+}}: unsupported kfunc 'bpf_xdp_ct_lookup': conntrack kfuncs need the kernel's connection table, which uxdp does not have
// RUN: %clang-bpf -mcpu=v3 -c %s -o %t.other.bpf.o
// RUN: not %uxdpc --verify=none %t.other.bpf.o -o %t.o 2>&1 | %FileCheck --check-prefix=OTHER %s
// OTHER: uxdpc: {{.*}}.other.bpf.o: program 'uses_kfunc' (section xdp), insn {{[0-9]+}}: unsupported kfunc 'bpf_made_up_kfunc': uxdp does not provide it
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct bpf_ct_opts;
extern struct nf_conn *bpf_xdp_ct_lookup(struct xdp_md *ctx, struct bpf_sock_tuple *tuple,
					 __u32 tuple_size, struct bpf_ct_opts *opts,
					 __u32 opts_size) __ksym;
extern int bpf_made_up_kfunc(int x) __ksym;

SEC("xdp") int uses_kfunc(struct xdp_md *ctx)
{
#ifdef CT
	struct bpf_sock_tuple t = {};

	return bpf_xdp_ct_lookup(ctx, &t, sizeof(t.ipv4), (void *)0, 0) ? XDP_DROP : XDP_PASS;
#else
	return bpf_made_up_kfunc(ctx->rx_queue_index) ? XDP_DROP : XDP_PASS;
#endif
}
char LICENSE[] SEC("license") = "GPL";
