// libbpf 1.x cannot open legacy SEC("maps") objects: uxdpc verifies them
// with its own loader (kload.c: BPF_MAP_CREATE, BPF_PROG_LOAD, nothing
// pinned).  The good object is accepted, one reading past its bounds
// check is refused with the verifier's reason.
// REQUIRES: root
// RUN: %uxdpc -v %objdir/v3/legacy_maps.bpf.o -o %t.o 2> %t.err
// RUN: %FileCheck --check-prefix=GOOD %s < %t.err
// RUN: %uxdpc --verify=kernel %objdir/v3/legacy_maps.bpf.o -o %t.o
// RUN: %clang-bpf -mcpu=v3 -c %s -o %t.bad.bpf.o
// RUN: not %uxdpc %t.bad.bpf.o -o %t.o 2> %t.bad.err
// RUN: %FileCheck --check-prefix=BAD %s < %t.bad.err
// GOOD: legacy_maps.bpf.o: libbpf cannot open it (Operation not supported): loading it with uxdp's loader
// GOOD: legacy_maps.bpf.o: the kernel verifier accepts it (uxdp's loader)
// BAD: uxdpc: {{.*}}.bad.bpf.o: the kernel verifier rejects program 'legacy_unchecked': {{R[0-9]+}} offset is outside of the packet
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct bpf_map_def {
	unsigned int type, key_size, value_size, max_entries, map_flags;
};

struct bpf_map_def SEC("maps") seen = {
	.type = BPF_MAP_TYPE_ARRAY, .key_size = 4, .value_size = 8, .max_entries = 1,
};

SEC("xdp") int legacy_unchecked(struct xdp_md *ctx)
{
	unsigned char *p = (void *)(long)ctx->data;
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&seen, &k);

	if (v)
		*v += 1;
	if ((void *)(p + 8) > (void *)(long)ctx->data_end)
		return XDP_DROP;
	return p[8] ? XDP_DROP : XDP_PASS;
}
char LICENSE[] SEC("license") = "GPL";
