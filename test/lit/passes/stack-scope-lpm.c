// stack scope through an inlined LPM lookup: the walk's loads from the
// trie (its node pool, a pointer the lookup reads from the map handle),
// its 32-bit links (a number: fewer than 64 bits cannot hold an address,
// however the loop builds them) and the result of the shared walk
// (lpm_lookup_sized, still a call when the pass runs) are all known not to
// be the stack, so nothing is left unknown.  The array lookup's key, the
// rule id stored to the stack and forwarded to its load by map inlining,
// is then a dead store, since the rule's action read after it cannot be
// the stack; with -fno-stack-scope it stays.  (stack-split, off here,
// would also free the slot: it cuts the stack apart from the LPM key.)  The reasoning rests on the
// kernel verifier's or uxdpc's confinement guarantees: confined by uxdpc
// (--verify=none) the pass runs the same, and with neither
// (--unsafe-no-bounds-checks) it is skipped and says so.
// RUN: %clang-bpf -mcpu=v3 -c %s -o %t.bpf.o
// RUN: %uxdpc %t.bpf.o -O3 -fno-stack-split --emit-llvm --remarks -o %t.ll 2> %t.remarks
// RUN: %FileCheck --check-prefix=REMARK %s < %t.remarks
// RUN: %FileCheck --check-prefix=ON %s < %t.ll
// RUN: %uxdpc %t.bpf.o -O3 -fno-stack-split -fno-stack-scope --emit-llvm -o - | %FileCheck --check-prefix=OFF %s
// RUN: %uxdpc %t.bpf.o -O3 --verify=none --remarks -o %t.confined.o 2>&1 | %FileCheck --check-prefix=REMARK %s
// RUN: %uxdpc %t.bpf.o -O3 --unsafe-no-bounds-checks --remarks -o %t.unsafe.o 2>&1 | %FileCheck --check-prefix=UNSAFE %s

// REMARK: stack-scope: {{[1-9][0-9]*}} stack accesses, {{[1-9][0-9]*}} other accesses marked, 0 left unknown
// UNSAFE: stack-scope: skipped (a program neither verified nor confined)

// ON-LABEL: define {{.*}}@lpm_count(
// ON: store i64 32, ptr %slot
// ON: store i32 %{{[0-9]+}}, ptr %slot2
// ON-NOT: store i32 {{.*}}, ptr %slot
// ON: ret i64

// OFF-LABEL: define {{.*}}@lpm_count(
// OFF: store i64 32, ptr %slot
// OFF: store i32 %{{[0-9]+}}, ptr %slot2
// OFF: store i32 %{{[0-9]+}}, ptr %slot3
// OFF: ret i64
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct key {
	__u32 prefixlen;
	__u32 addr;
};

struct rule {
	__u32 action;
	__u32 id;
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 64);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct key);
	__type(value, struct rule);
} rules SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

SEC("xdp") int lpm_count(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct key k = { .prefixlen = 32 };
	struct rule *r;
	__u64 *c;
	__u32 id;

	if (data + 4 > end)
		return XDP_PASS;
	__builtin_memcpy(&k.addr, data, 4);
	r = bpf_map_lookup_elem(&rules, &k);
	if (!r)
		return XDP_PASS;
	id = r->id;
	c = bpf_map_lookup_elem(&counts, &id);
	if (c)
		*c += 1;
	return r->action == XDP_DROP ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
