// bounds-check elision: checks simplifycfg has or-ed into one branch
// (`data + 14 > end || data + 34 > end || data + 54 > end`) become the one
// that needs most.  -fno-bounds-elim leaves the three compares;
// --unsafe-no-bounds-checks drops them all.
// RUN: %clang-bpf -mcpu=v3 -c %s -o %t.bpf.o
// RUN: %uxdpc %t.bpf.o -O2 --remarks --emit-llvm -o %t.ll 2> %t.remarks
// RUN: %FileCheck --check-prefix=REMARK %s < %t.remarks
// RUN: %FileCheck --check-prefix=IR %s < %t.ll
// RUN: %uxdpc %t.bpf.o -O2 -fno-bounds-elim --emit-llvm -o - | %FileCheck --check-prefix=OFF %s
// RUN: %uxdpc %t.bpf.o -O2 --unsafe-no-bounds-checks --remarks --emit-llvm -o - 2>&1 | %FileCheck --check-prefix=UNSAFE %s
// REMARK: bounds-elim: 3 packet checks, 0 guards widened, 2 checks removed, 0 removed on some paths, 0 dropped (unsafe); 1 left after LLVM
// IR-LABEL: define {{.*}}@parse(
// IR: add i64 %{{[0-9]+}}, 54
// IR-NEXT: icmp ugt i64
// IR-NOT: icmp ugt
// OFF-COUNT-3: icmp ugt i64
// UNSAFE: 3 dropped (unsafe); 0 left after LLVM
// UNSAFE-NOT: icmp ugt
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
