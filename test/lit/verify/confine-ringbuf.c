// A submitted or discarded ringbuf record belongs to its reader: every copy
// of the pointer goes, as in the kernel.  The record's pointer lives on in
// a callee-saved register after bpf_ringbuf_submit, and in the caller after
// a subprogram submits it; a store through either is refused.  Writing the
// record before submitting it is proven with no check.
// RUN: %clang-bpf -mcpu=v3 -DAFTER -c %s -o %t.after.bpf.o
// RUN: not %uxdpc --verify=none %t.after.bpf.o -o %t.o 2>&1 | %FileCheck --check-prefix=AFTER %s
// AFTER: program 'record' (section xdp), insn {{[0-9]+}}: invalid mem access through r{{[0-9]}}, which is scalar
// RUN: %clang-bpf -mcpu=v3 -DCALLEE -c %s -o %t.callee.bpf.o
// RUN: not %uxdpc --verify=none %t.callee.bpf.o -o %t.o 2>&1 | %FileCheck --check-prefix=AFTER %s
// RUN: %clang-bpf -mcpu=v3 -c %s -o %t.ok.bpf.o
// RUN: %uxdpc --verify=none --list %t.ok.bpf.o | %FileCheck --check-prefix=OK %s
// OK: confinement record uxdp checks 0 back-edges 0
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} rb SEC(".maps");

#ifdef CALLEE
static __attribute__((noinline)) int submit(__u64 *rec)
{
	bpf_ringbuf_submit(rec, 0);
	return 0;
}
#else
#define submit(rec) bpf_ringbuf_submit(rec, 0)
#endif

SEC("xdp") int record(struct xdp_md *ctx)
{
	volatile __u64 *rec = bpf_ringbuf_reserve(&rb, 8, 0);

	if (!rec)
		return XDP_PASS;
	rec[0] = ctx->ingress_ifindex;
#if defined(AFTER) || defined(CALLEE)
	submit((__u64 *)rec);
	rec[0] = 7;
#else
	submit((__u64 *)rec);
#endif
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
