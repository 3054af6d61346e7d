// A tail call in a for_each_map_elem callback ends every caller up to the
// entry: the callback's caller checks ctx->tail_called after the call, and
// so does that function's caller (analysis.c, find_tail_calls, through
// callbacks as through calls).  Without the kernel (which refuses to load
// a tail call in a callback), uxdpc compiles it.
// RUN: %clang-bpf -mcpu=v3 -c %s -o %t.bpf.o
// RUN: %uxdpc --verify=none --emit-llvm -O0 %t.bpf.o -o - | %FileCheck %s
// CHECK-LABEL: define i64 @entry(
// CHECK: call i64 @entry.sub(
// CHECK-NEXT: store
// CHECK-NEXT: %tail_called.p = getelementptr
// CHECK-LABEL: define internal i64 @entry.sub(
// CHECK: %cb = call i64 @entry.cb(
// CHECK-NEXT: %tail_called.p = getelementptr
//
// Recursion through a callback is refused, as the kernel refuses it.
// RUN: %clang-bpf -mcpu=v3 -DRECURSE -c %s -o %t.rec.bpf.o
// RUN: not %uxdpc --verify=none %t.rec.bpf.o -o %t.o 2>&1 | %FileCheck --check-prefix=RECURSE %s
// RECURSE: in 'cb'): recursive call to function 'entry.cb'
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__uint(key_size, 4);
	__uint(value_size, 4);
} jmp SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} arr SEC(".maps");

struct walk {
	struct xdp_md *xdp;
};

static long cb(void *map, __u32 *key, __u64 *value, struct walk *w)
{
#ifdef RECURSE
	bpf_for_each_map_elem(&arr, cb, w, 0);
#else
	bpf_tail_call(w->xdp, &jmp, 0);
#endif
	return 0;
}

static __attribute__((noinline)) int sub(struct xdp_md *xdp)
{
	struct walk w = { xdp };

	bpf_for_each_map_elem(&arr, cb, &w, 0);
	return 1;
}

SEC("xdp") int entry(struct xdp_md *xdp)
{
	return sub(xdp) == 1 ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
