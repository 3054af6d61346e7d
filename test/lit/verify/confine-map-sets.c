// A lookup on one of several maps (a map pointer chosen at run time):
// every member must fit what the result is taken to be.  A map of maps
// among them would return a map handle typed as the other's value (the
// program could then overwrite the inner map's data pointer), and a map
// read-only for programs among writable ones would take their writes:
// both refused, whichever member comes first.  Members alike are
// accepted.
// RUN: %clang-bpf -mcpu=v3 -DOF_MAPS -c %s -o %t.om.bpf.o
// RUN: not %uxdpc --verify=none %t.om.bpf.o -o %t.o 2>&1 | %FileCheck --check-prefix=OFMAPS %s
// OFMAPS: program 'pick' (section xdp), insn {{[0-9]+}}: R1: one of several maps of maps
// RUN: %clang-bpf -mcpu=v3 -DRDONLY -c %s -o %t.ro.bpf.o
// RUN: not %uxdpc --verify=none %t.ro.bpf.o -o %t.o 2>&1 | %FileCheck --check-prefix=RDONLY %s
// RDONLY: program 'pick' (section xdp), insn {{[0-9]+}}: R1: one of several maps, not all read-only for programs
// RUN: %clang-bpf -mcpu=v3 -c %s -o %t.ok.bpf.o
// RUN: %uxdpc --verify=none --list %t.ok.bpf.o | %FileCheck --check-prefix=OK %s
// OK: confinement pick uxdp checks {{[0-9]+}} back-edges 0
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} small SEC(".maps");

#if defined(OF_MAPS)
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, struct inner);
} other SEC(".maps");
#else
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
#ifdef RDONLY
	__uint(map_flags, BPF_F_RDONLY_PROG);
#endif
} other SEC(".maps");
#endif

SEC("xdp") int pick(struct xdp_md *ctx)
{
	unsigned char *d = (void *)(long)ctx->data;
	__u32 zero = 0, *v;
	void *m;

	if ((void *)(d + 1) > (void *)(long)ctx->data_end)
		return XDP_PASS;
	m = d[0] ? (void *)&small : (void *)&other;
	v = bpf_map_lookup_elem(m, &zero);
	if (v)
		*v = 0x41414141;
	return XDP_PASS;
}
char LICENSE[] SEC("license") = "GPL";
