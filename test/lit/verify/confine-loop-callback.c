// bpf_loop runs its callback again on what the last run left in the
// caller's stack.  A callback that reads an index from the caller's slot
// and then writes a far one there must not be proven from the slot's value
// before the first run (0): the second run would write a megabyte past an
// 8-byte map value.  Refused, as the kernel refuses it; the same callback
// that checks the index before using it is proven with no check.
// RUN: %clang-bpf -mcpu=v3 -c %s -o %t.far.bpf.o
// RUN: not %uxdpc --verify=none %t.far.bpf.o -o %t.o 2>&1 | %FileCheck --check-prefix=FAR %s
// FAR: program 'loop_writes' (section xdp), insn {{[0-9]+}} (.text insn {{[0-9]+}}, in 'cb'): invalid access to map value of 'arr'
// RUN: %clang-bpf -mcpu=v3 -DCHECKED -c %s -o %t.ok.bpf.o
// RUN: %uxdpc --verify=none --list %t.ok.bpf.o | %FileCheck --check-prefix=OK %s
// OK: confinement loop_writes uxdp checks 0 back-edges 0
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} arr SEC(".maps");

struct loop_ctx {
	__u64 idx;
};

static long cb(__u64 i, void *p)
{
	struct loop_ctx *c = p;
	__u32 zero = 0;
	unsigned char *v = bpf_map_lookup_elem(&arr, &zero);

	if (!v)
		return 1;
#ifdef CHECKED
	if (c->idx >= 8)
		return 1;
	v[c->idx] = 1;
	c->idx++;
#else
	v[c->idx] = 1;
	c->idx = 1000000;
#endif
	return 0;
}

SEC("xdp") int loop_writes(struct xdp_md *ctx)
{
	struct loop_ctx c = { .idx = 0 };

	bpf_loop(2, cb, &c, 0);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
