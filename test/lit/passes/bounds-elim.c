// bounds-check elision: packet checks become compares with the packet length.
// Here clang has already moved the reads after the three checks, so LLVM
// folds them into one by itself; bounds-elim-merge.s has reads in between.
// -fno-bounds-elim leaves them as written; --unsafe-no-bounds-checks drops them.
// RUN: %clang-bpf -mcpu=v3 -c %s -o %t.bpf.o
// RUN: %uxdpc %t.bpf.o -O2 --remarks --emit-llvm -o %t.ll 2> %t.remarks
// RUN: %FileCheck --check-prefix=REMARK %s < %t.remarks
// RUN: %FileCheck --check-prefix=IR %s < %t.ll
// RUN: %uxdpc %t.bpf.o -O2 -fno-bounds-elim --emit-llvm -o - | %FileCheck --check-prefix=OFF %s
// RUN: %uxdpc %t.bpf.o -O2 --unsafe-no-bounds-checks --remarks -o %t.o 2>&1 | %FileCheck --check-prefix=UNSAFE %s
// Three checks (14, 34, 54 bytes) with the same failure: one left.
// REMARK: bounds-elim: 3 packet checks rewritten, {{[0-9]+}} merged into an earlier guard, 0 dropped (unsafe); {{[1-3]}} before LLVM, 1 left after
// IR: %pkt.len = sub i64
// IR: icmp ult i64 %pkt.len, 54
// IR-NOT: icmp ult i64 %pkt.len
// OFF-NOT: pkt.len
// UNSAFE: 3 dropped (unsafe)
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>

SEC("xdp") int parse(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);
	unsigned char *l4 = (unsigned char *)(ip + 1);

	__u32 x;

	/* Each check is followed by a read it guards, as parsers do. */
	if ((void *)(eth + 1) > end)
		return XDP_PASS;
	x = eth->h_proto;
	if ((void *)(ip + 1) > end)
		return XDP_PASS;
	x ^= ip->protocol;
	if ((void *)(l4 + 20) > end)
		return XDP_PASS;
	return (x ^ l4[13]) & 1 ? XDP_DROP : XDP_PASS;
}
char LICENSE[] SEC("license") = "GPL";
