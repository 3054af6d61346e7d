// stack split: a devmap lookup (a runtime call, not inlined) takes its key
// from the stack, so the 512-byte alloca escapes and SROA cannot split it.
// stack-split cuts it where no access crosses: the key (to the top of the
// stack, as a call may read on from the address it is given) apart from
// the stats key stored below it, which then becomes a value, and its dead
// stores go (stack-args, off here, would then copy the key for the call).
// -fno-stack-split keeps the one 512-byte alloca.  A stack
// address stored to memory (spilled) leaves that function's stack whole.
// RUN: %clang-bpf -mcpu=v3 -c %s -o %t.bpf.o
// RUN: %uxdpc %t.bpf.o -O3 -fno-stack-args --emit-llvm --remarks -o %t.ll 2> %t.remarks
// RUN: %FileCheck --check-prefix=ON %s < %t.ll
// RUN: %FileCheck --check-prefix=REMARK %s < %t.remarks
// RUN: %uxdpc %t.bpf.o -O3 -fno-stack-split --emit-llvm -o - | %FileCheck --check-prefix=OFF %s

// ON-LABEL: define {{.*}}@fwd(
// ON-NOT: alloca [512 x i8]
// ON: alloca [{{[1-9]|[1-9][0-9]}} x i8]
// ON-NOT: alloca
// ON: call {{.*}}@uxdp_map_lookup(
// ON: ret i64
// OFF-LABEL: define {{.*}}@fwd(
// OFF: alloca [512 x i8]
// REMARK: stack-split: 1 stacks cut into {{[1-9]}} pieces, 0 left whole
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u32);
} ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

static __always_inline int count(__u32 what)
{
	__u64 *c = bpf_map_lookup_elem(&stats, &what);

	if (c)
		__sync_fetch_and_add(c, 1);
	return 0;
}

SEC("xdp") int fwd(struct xdp_md *ctx)
{
	__u32 port = ctx->rx_queue_index & 7;

	count(1);
	if (!bpf_map_lookup_elem(&ports, &port)) {
		count(2);
		return XDP_DROP;
	}
	count(3);
	return bpf_redirect_map(&ports, port, 0);
}
char LICENSE[] SEC("license") = "GPL";
