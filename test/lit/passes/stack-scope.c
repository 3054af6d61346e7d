// stack scope: accesses to the BPF stack get !alias.scope of one scope, and
// accesses that cannot reach it (ctx, packet, map slots and values, lookup
// results) !noalias of it; the counter, a map value, is not the packet
// either (the packet's scope is tested in packet-scope.c).  With the hash lookup a call taking its key as
// r10 - N (-fno-helper-inline: no inlining can hide that), the stack alloca
// is captured; the scope still tells LLVM that the stats counter is not in
// it, so the array lookup's key (a constant stored to the stack, forwarded
// to its load by map inlining) is a dead store before each increment (a
// monotonic atomic add), and goes.  -fno-stack-scope marks nothing and
// keeps those stores.  A pointer that is the stack on one path and a map
// value on the other is neither: the store through it stays unmarked and
// the stack read after it stays a read.  (stack-split, off here, would
// make the keys values whatever the scopes say.)
// RUN: %clang-bpf -mcpu=v3 -c %s -o %t.bpf.o
// RUN: %uxdpc %t.bpf.o -O3 -fno-helper-inline -fno-stack-split --emit-llvm --remarks -o %t.ll 2> %t.remarks
// RUN: %FileCheck --check-prefix=ON %s < %t.ll
// RUN: %FileCheck --check-prefix=NEG %s < %t.ll
// RUN: %FileCheck --check-prefix=REMARK %s < %t.remarks
// RUN: %uxdpc %t.bpf.o -O3 -fno-helper-inline -fno-stack-split -fno-stack-scope --emit-llvm --remarks -o %t.off.ll 2> %t.off.remarks
// RUN: %FileCheck --check-prefix=OFF %s < %t.off.ll
// RUN: %FileCheck --check-prefix=OFF-REMARK %s < %t.off.remarks
// RUN: %uxdpc %t.bpf.o -O3 --emit-llvm -o - | %FileCheck --check-prefix=NEG %s

// ON-LABEL: define {{.*}}@classify(
// ON-NOT: store i32 {{[0-9]+}}, ptr %slot
// ON: atomicrmw add ptr {{.*}} monotonic, align 8, !noalias ![[SCOPES:[0-9]+]]
// ON-NOT: store i32 {{[0-9]+}}, ptr %slot
// ON: call i64 @uxdp_hash_lookup_k12(
// ON-NOT: store i32 {{[0-9]+}}, ptr %slot
// ON-LABEL: define {{.*}}@mixed(
// ON: ![[SCOPES]] = !{![[SCOPE:[0-9]+]], ![[PKT:[0-9]+]]}
// ON: ![[SCOPE]] = !{!"uxdp.stack", ![[DOMAIN:[0-9]+]]}
// ON: ![[DOMAIN]] = !{!"uxdp"}
// ON: ![[PKT]] = !{!"uxdp.packet", ![[DOMAIN]]}

// NEG-LABEL: define {{.*}}@mixed(
// NEG: store i64 1, ptr %[[LOCAL:[a-z0-9.]+]], align {{[0-9]+}}, !alias.scope
// NEG: store i64 5, ptr %{{[^,]+}}, align 1{{$}}
// NEG-NEXT: load i64, ptr %[[LOCAL]], align {{[0-9]+}}, !alias.scope
// NEG: ret i64

// REMARK: stack-scope: {{[1-9][0-9]*}} stack accesses, {{[1-9][0-9]*}} other accesses marked, {{[1-9][0-9]*}} left unknown

// OFF-LABEL: define {{.*}}@classify(
// OFF: store i32 {{[0-9]+}}, ptr %slot
// OFF: atomicrmw add ptr
// OFF: store i32 {{[0-9]+}}, ptr %slot
// OFF: store i32 {{[0-9]+}}, ptr %slot
// OFF: store i32 {{[0-9]+}}, ptr %slot
// OFF-NOT: uxdp.stack
// OFF-REMARK: stack-scope: off
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

enum { STAT_SHORT, STAT_NOT_IP, STAT_MISS, STAT_HIT, N_STATS };

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, N_STATS);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

/* 12 bytes: uxdp_hash_lookup_k12, a call taking the key (-fno-helper-inline) */
struct flow {
	__u32 saddr, daddr;
	__u8 proto, tos;
	__u16 id;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, struct flow);
	__type(value, __u32);
} verdicts SEC(".maps");

static __always_inline int count(__u32 stat, int verdict)
{
	__u64 *n = bpf_map_lookup_elem(&stats, &stat);

	if (n)
		__sync_fetch_and_add(n, 1);
	return verdict;
}

SEC("xdp") int classify(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);
	struct flow key;
	__u32 *verdict;

	if (data + sizeof(*eth) + sizeof(*ip) > data_end)
		return count(STAT_SHORT, XDP_PASS);
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return count(STAT_NOT_IP, XDP_PASS);
	key.saddr = ip->saddr;
	key.daddr = ip->daddr;
	key.proto = ip->protocol;
	key.tos = ip->tos;
	key.id = ip->id;
	verdict = bpf_map_lookup_elem(&verdicts, &key);
	if (!verdict)
		return count(STAT_MISS, XDP_PASS);
	return count(STAT_HIT, *verdict ? XDP_DROP : XDP_PASS);
}

SEC("xdp") int mixed(struct xdp_md *ctx)
{
	__u32 k = STAT_HIT;
	__u64 local = 1;
	__u64 *p = &local;
	__u64 *v = bpf_map_lookup_elem(&stats, &k);

	if (v && ctx->rx_queue_index)
		p = v;
	/* keep clang from splitting the store: one pointer, two objects */
	asm volatile("" : "+r"(p));
	*p = 5;
	return local == 5 ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
