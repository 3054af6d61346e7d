// What a call leaves behind, from a review of the null-copy and ringbuf
// rules (each variant compiled with 0 checks before its fix):
//  - A subprogram returns its lookup's result: two calls give two results
//    with the callee's site, and a null check of the second must not
//    settle the first (it is an older lookup's).
//  - A set of two maps, one of them "or NULL", stays "or NULL": no lookup
//    through it.
//  - A bpf_loop callback that submits a record or moves the packet starts
//    its next run without the caller's copies of the record or packet
//    pointers: a callback that writes a record it then submits is refused,
//    and so is one that reads a packet byte through a pointer kept in the
//    caller's stack and then moves the packet (as the kernel refuses both).
//  - A helper that does not write through a pointer into the caller's
//    frame (r2 still holds the callback's context at bpf_ktime_get_ns)
//    leaves the caller's slots as they were: the ctx kept there is still
//    the ctx (refused since the bpf_loop fix made every such slot unknown).
// RUN: %clang-bpf -mcpu=v3 -DRESULT -c %s -o %t.result.bpf.o
// RUN: not %uxdpc --verify=none %t.result.bpf.o -o %t.o 2>&1 | %FileCheck --check-prefix=RESULT %s
// RESULT: program 'calls' (section xdp), insn {{[0-9]+}}: invalid mem access through r6, which is scalar
// RUN: %clang-bpf -mcpu=v3 -DMAPSET -c %s -o %t.mapset.bpf.o
// RUN: not %uxdpc --verify=none %t.mapset.bpf.o -o %t.o 2>&1 | %FileCheck --check-prefix=MAPSET %s
// MAPSET: program 'calls' (section xdp), insn {{[0-9]+}}: R1 type=map_ptr or NULL: a helper argument that may not be NULL
// RUN: %clang-bpf -mcpu=v3 -DLOOPREC -c %s -o %t.looprec.bpf.o
// RUN: not %uxdpc --verify=none %t.looprec.bpf.o -o %t.o 2>&1 | %FileCheck --check-prefix=LOOPREC %s
// LOOPREC: program 'calls' (section xdp), insn {{[0-9]+}} (.text insn {{[0-9]+}}, in 'cb'): invalid mem access through r{{[0-9]}}
// RUN: %clang-bpf -mcpu=v3 -DLOOPPKT -c %s -o %t.looppkt.bpf.o
// RUN: not %uxdpc --verify=none %t.looppkt.bpf.o -o %t.o 2>&1 | %FileCheck --check-prefix=LOOPREC %s
// RUN: %clang-bpf -mcpu=v3 -DKEEP -c %s -o %t.keep.bpf.o
// RUN: %uxdpc --verify=none --list %t.keep.bpf.o | %FileCheck --check-prefix=KEEP %s
// KEEP: confinement calls uxdp checks 0 back-edges 0
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} arr SEC(".maps"), arr2 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} rb SEC(".maps");

#if defined(RESULT)
static __attribute__((noinline)) __u64 *get(__u32 k)
{
	return bpf_map_lookup_elem(&arr, &k);
}

SEC("xdp") int calls(struct xdp_md *ctx)
{
	volatile __u64 *first = get(ctx->rx_queue_index + 7); /* out of range: NULL */
	__u64 *second = get(0);

	if (!second)
		return XDP_PASS;
	asm volatile("r6 = %0; r1 = 1; *(u64 *)(r6 + 0) = r1;" :: "r"(first) : "r1", "r6", "memory");
	return XDP_PASS;
}
#elif defined(MAPSET)
SEC("xdp") __attribute__((naked)) int calls(void)
{
	asm volatile(
		"r6 = r1;\n"
		"r7 = *(u32 *)(r6 + 16);\n" /* ingress_ifindex */
		"r8 = *(u32 *)(r6 + 20);\n" /* rx_queue_index */
		"r2 = %[arr] ll;\n"
		"if r7 == 0 goto use_%=;\n"
		"r2 = 0;\n"
		"if r8 == 0 goto other_%=;\n"
		"r2 = %[arr2] ll;\n"
		"other_%=:\n"
		"r0 = 0;\n"
		"use_%=:\n"
		"r1 = r2;\n"
		"r3 = 0;\n"
		"*(u32 *)(r10 - 4) = r3;\n"
		"r2 = r10;\n"
		"r2 += -4;\n"
		"call 1;\n"
		"r0 = 2;\n"
		"exit;\n"
		:: [arr] "i"(&arr), [arr2] "i"(&arr2) : "memory");
}
#elif defined(LOOPREC)
struct rec_ctx {
	__u64 *rec;
};

static long cb(__u64 i, void *p)
{
	struct rec_ctx *c = p;
	__u64 *rec = c->rec;

	*rec = i;
	bpf_ringbuf_submit(rec, 0);
	return 0;
}

SEC("xdp") int calls(struct xdp_md *ctx)
{
	struct rec_ctx c = { .rec = bpf_ringbuf_reserve(&rb, 8, 0) };

	if (!c.rec)
		return XDP_PASS;
	bpf_loop(2, cb, &c, 0);
	return XDP_PASS;
}
#elif defined(LOOPPKT)
struct pkt_ctx {
	struct xdp_md *xdp;
	__u8 *data;
	__u64 sum;
};

static long cb(__u64 i, void *p)
{
	struct pkt_ctx *c = p;

	c->sum += c->data[99];
	bpf_xdp_adjust_head(c->xdp, 64);
	return 0;
}

SEC("xdp") int calls(struct xdp_md *ctx)
{
	struct pkt_ctx c = { .xdp = ctx, .data = (void *)(long)ctx->data };

	if ((void *)(c.data + 100) > (void *)(long)ctx->data_end)
		return XDP_PASS;
	bpf_loop(2, cb, &c, 0);
	return c.sum ? XDP_DROP : XDP_PASS;
}
#else
struct keep_ctx {
	struct xdp_md *xdp;
	__u64 t;
};

static long cb(__u64 i, void *p)
{
	struct keep_ctx *c = p;

	c->t = bpf_ktime_get_ns();
	return c->xdp->rx_queue_index == 3;
}

SEC("xdp") int calls(struct xdp_md *ctx)
{
	struct keep_ctx c = { .xdp = ctx };

	bpf_loop(2, cb, &c, 0);
	return c.t ? XDP_DROP : XDP_PASS;
}
#endif

char _license[] SEC("license") = "GPL";
