// Where widening would change what a program does, the pass leaves the
// checks alone: a store between two checks (a short frame is still written),
// another verdict between them (a short ARP frame is dropped, not passed), a
// cursor stepping through a loop (no bound on it).
// RUN: %clang-bpf -mcpu=v3 -c %s -o %t.bpf.o
// RUN: %uxdpc %t.bpf.o -p store_between -O2 --remarks -o %t.o 2>&1 | %FileCheck --check-prefix=KEEP2 %s
// RUN: %uxdpc %t.bpf.o -p other_verdict -O2 --remarks -o %t.o 2>&1 | %FileCheck --check-prefix=KEEP2 %s
// RUN: %uxdpc %t.bpf.o -p loop_cursor --verify=none -O2 --remarks -o %t.o 2>&1 | %FileCheck --check-prefix=LOOP %s
// KEEP2: bounds-elim: 2 packet checks, 0 guards widened, 0 checks removed, 0 removed on some paths, 0 dropped (unsafe); 2 left after LLVM
// LOOP: bounds-elim: {{[0-9]+}} packet checks, 0 guards widened, 0 checks removed
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

/* A store between the checks: a 20-byte frame is rewritten, then passes. */
SEC("xdp") int store_between(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);

	if ((void *)(eth + 1) > end)
		return XDP_PASS;
	eth->h_source[0] = 0x02;
	if ((void *)(ip + 1) > end)
		return XDP_PASS;
	return ip->protocol == 6 ? XDP_DROP : XDP_PASS;
}

/* Another verdict between the checks: a 20-byte ARP frame is dropped. */
SEC("xdp") int other_verdict(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);

	if ((void *)(eth + 1) > end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_DROP;
	if ((void *)(ip + 1) > end)
		return XDP_PASS;
	return ip->protocol == 6 ? XDP_DROP : XDP_PASS;
}

/* Clang writes this as arithmetic on data_end, which the kernel verifier
 * refuses (hence --verify=none): the pass must still leave it alone. */
SEC("xdp") int loop_cursor(struct xdp_md *ctx)
{
	unsigned char *p = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	unsigned int sum = 0;

	for (int i = 0; i < 16; i++) {
		if (p + 1 > end)
			return XDP_PASS;
		sum += *p++;
	}
	return sum & 1 ? XDP_DROP : XDP_PASS;
}
char LICENSE[] SEC("license") = "GPL";
