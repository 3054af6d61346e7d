// Where widening would change what a program does, the pass leaves the
// checks alone: a store between two checks (a short frame is still written),
// another verdict between them (a short ARP frame is dropped, not passed), a
// cursor stepping through a loop (no bound on it), and guards in a loop: one
// whose success goes round the loop to the next check (widening would leave
// an iteration early; test/diff/bounds_loops.bpf.c runs it against the
// kernel) and one whose failure loops back to it.
// RUN: %clang-bpf -mcpu=v3 -c %s -o %t.bpf.o
// RUN: %uxdpc %t.bpf.o -p store_between -O2 --remarks -o %t.o 2>&1 | %FileCheck --check-prefix=KEEP2 %s
// RUN: %uxdpc %t.bpf.o -p other_verdict -O2 --remarks -o %t.o 2>&1 | %FileCheck --check-prefix=KEEP2 %s
// RUN: %uxdpc %t.bpf.o -p loop_cursor --verify=none -O2 --remarks -o %t.o 2>&1 | %FileCheck --check-prefix=LOOP %s
// RUN: %uxdpc %t.bpf.o -p guard_in_loop -O2 --remarks -o %t.o 2>&1 | %FileCheck --check-prefix=NOWIDEN %s
// RUN: %uxdpc %t.bpf.o -p fail_loops_back -O2 --remarks -o %t.o 2>&1 | %FileCheck --check-prefix=NOWIDEN %s
// NOWIDEN: bounds-elim: 2 packet checks, 0 guards widened, 0 checks removed
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
/* while (i < 4 && p + 4 <= end && data[0] != 0xee && data + 10 <= end)
 *         { p = data + 18; i++; }  return i & 3; */
SEC("xdp") __attribute__((naked)) int guard_in_loop(struct xdp_md *ctx)
{
	asm volatile("r7 = *(u32 *)(r1 + 0); r8 = *(u32 *)(r1 + 4);"
		     "r6 = 0; r5 = r7; r5 += 14;"
		     "head_%=: if r6 >= 4 goto out_%=;"
		     "r4 = r5; r4 += 4; if r4 > r8 goto out_%=;"
		     "r9 = *(u8 *)(r7 + 0); if r9 == 0xee goto out_%=;"
		     "r4 = r7; r4 += 10; if r4 > r8 goto out_%=;"
		     "r5 = r7; r5 += 18; r6 += 1; goto head_%=;"
		     "out_%=: r0 = r6; r0 &= 3; exit;" ::: "memory");
}

/* The guard on data + 20 fails to `fail`, which loops back to it; its
 * success passes the loop header (i++) on the way to the check on 40.  The
 * map lookup keeps the counter in memory, so `fail` reads i itself. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, __u64);
	__type(value, __u64);
} h SEC(".maps");

SEC("xdp") __attribute__((naked)) int fail_loops_back(struct xdp_md *ctx)
{
	asm volatile("r7 = *(u32 *)(r1 + 0); r8 = *(u32 *)(r1 + 4);"
		     "r1 = 0; *(u64 *)(r10 - 8) = r1; r6 = 0;"
		     "head_%=: if r6 == 0 goto fail_%=;"
		     "r4 = r7; r4 += 40; if r4 > r8 goto fail_%=;"
		     "r0 = 3; exit;"
		     "fail_%=: r1 = *(u64 *)(r10 - 8); r1 += 1; *(u64 *)(r10 - 8) = r1;"
		     "if r1 > 3 goto out_%=;"
		     "r4 = r7; r4 += 20; if r4 > r8 goto fail_%=;"
		     "r6 += 1; goto head_%=;"
		     "out_%=: r1 = %[h] ll; r2 = r10; r2 += -8; call %[lookup];"
		     "r0 = r6; exit;"
		     :: [h] "i"(&h), [lookup] "i"(BPF_FUNC_map_lookup_elem) : "memory");
}

char LICENSE[] SEC("license") = "GPL";
