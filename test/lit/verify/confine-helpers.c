// Without the kernel verifier, every helper uxdp implements has its
// argument regions described (compiler/confine.c): the clocks and the NUMA
// node take none; the syncookie helpers read a fixed-size IP header (20 or
// 40 bytes), a TCP header of th_len bytes (gen) or 20 bytes (check).  A
// region too small for them is refused, as the kernel refuses it.
// RUN: %clang-bpf -mcpu=v3 -DOK -c %s -o %t.ok.bpf.o
// RUN: %uxdpc --verify=none --list %t.ok.bpf.o | %FileCheck --check-prefix=OK %s
// OK: confinement clocks uxdp checks 0 back-edges 0
// OK: confinement cookies uxdp checks {{[0-9]+}} back-edges 0
// RUN: %clang-bpf -mcpu=v3 -DSHORT_IPH -c %s -o %t.iph.bpf.o
// RUN: not %uxdpc --verify=none %t.iph.bpf.o -o %t.o 2>&1 | %FileCheck --check-prefix=IPH %s
// IPH: program 'cookies' (section xdp), insn {{[0-9]+}}: invalid  stack access off=[-24, -24] size=40
// RUN: %clang-bpf -mcpu=v3 -DSHORT_TH -c %s -o %t.th.bpf.o
// RUN: not %uxdpc --verify=none %t.th.bpf.o -o %t.o 2>&1 | %FileCheck --check-prefix=TH %s
// TH: program 'cookies' (section xdp), insn {{[0-9]+}}: invalid  stack access off=[-8, -8] size=20
// The numeric iterator kfuncs take an 8-byte iterator in the frame at a
// known offset; next's result is dereferenced after its null check.
// RUN: %clang-bpf -mcpu=v3 -DITER -c %s -o %t.iter.bpf.o
// RUN: %uxdpc --verify=none --list %t.iter.bpf.o | %FileCheck --check-prefix=ITER %s
// ITER: confinement iter uxdp checks 0 back-edges 1
// RUN: %clang-bpf -mcpu=v3 -DITER -DITER_IN_MAP -c %s -o %t.itermap.bpf.o
// RUN: not %uxdpc --verify=none %t.itermap.bpf.o -o %t.o 2>&1 | %FileCheck --check-prefix=ITERMAP %s
// ITERMAP: program 'iter' (section xdp), insn {{[0-9]+}}: bpf_iter_num_new: R1 must point into this frame's stack at a known offset
// bpf_xdp_pull_data takes the ctx and a length.  The packet pointers are
// forgotten after it, as the verifier forgets them: the packet is read
// again from the ctx; one checked before the call is refused.
// RUN: %clang-bpf -mcpu=v3 -DPULL -c %s -o %t.pull.bpf.o
// RUN: %uxdpc --verify=none --list %t.pull.bpf.o | %FileCheck --check-prefix=PULL %s
// PULL: confinement pull uxdp checks 0 back-edges 0
// RUN: %clang-bpf -mcpu=v3 -DPULL -DPULL_STACK -c %s -o %t.pulls.bpf.o
// RUN: not %uxdpc --verify=none %t.pulls.bpf.o -o %t.o 2>&1 | %FileCheck --check-prefix=PULLS %s
// PULLS: program 'pull' (section xdp), insn {{[0-9]+}}: bpf_xdp_pull_data: R1 type=fp expected=ctx
// RUN: %clang-bpf -mcpu=v3 -DPULL -DPULL_STALE -c %s -o %t.pullo.bpf.o
// RUN: not %uxdpc --verify=none %t.pullo.bpf.o -o %t.o 2>&1 | %FileCheck --check-prefix=PULLO %s
// PULLO: program 'pull' (section xdp), insn {{[0-9]+}}: invalid mem access through r{{[0-9]}}, which is scalar
// get_current_comm writes size bytes: a buffer that holds them is
// accepted, one smaller than size refused, as the kernel refuses it.
// RUN: %clang-bpf -mcpu=v3 -DCOMM -c %s -o %t.comm.bpf.o
// RUN: %uxdpc --verify=none --list %t.comm.bpf.o | %FileCheck --check-prefix=COMM %s
// COMM: confinement comm uxdp checks 0 back-edges 0
// RUN: %clang-bpf -mcpu=v3 -DCOMM -DCOMM_SHORT -c %s -o %t.comms.bpf.o
// RUN: not %uxdpc --verify=none %t.comms.bpf.o -o %t.o 2>&1 | %FileCheck --check-prefix=COMMS %s
// COMMS: program 'comm' (section xdp), insn {{[0-9]+}}: invalid  stack access off=[-8, -8] size=16
// check_mtu reads and writes a u32: after the call the slot holds the
// helper's value, not the 0 stored before it, so an access at that offset
// needs a run-time check; 4 bytes must fit the frame, and a read-only map
// value cannot take the write.
// RUN: %clang-bpf -mcpu=v3 -DMTU -c %s -o %t.mtu.bpf.o
// RUN: %uxdpc --verify=none --list %t.mtu.bpf.o | %FileCheck --check-prefix=MTU %s
// MTU: confinement mtu uxdp checks 1 back-edges 0
// RUN: %clang-bpf -mcpu=v3 -DMTU_SHORT -c %s -o %t.mtus.bpf.o
// RUN: not %uxdpc --verify=none %t.mtus.bpf.o -o %t.o 2>&1 | %FileCheck --check-prefix=MTUS %s
// MTUS: program 'mtu' (section xdp), insn {{[0-9]+}}: invalid  stack access off=[-2, -2] size=4
// RUN: %clang-bpf -mcpu=v3 -DMTU_RODATA -c %s -o %t.mtur.bpf.o
// RUN: not %uxdpc --verify=none %t.mtur.bpf.o -o %t.o 2>&1 | %FileCheck --check-prefix=MTUR %s
// MTUR: program 'mtu' (section xdp), insn {{[0-9]+}}: {{.*}}read-only
// A slot chosen by a variable offset cannot be forgotten alone: refused.
// RUN: %clang-bpf -mcpu=v3 -DMTU_VAR -c %s -o %t.mtuv.bpf.o
// RUN: not %uxdpc --verify=none %t.mtuv.bpf.o -o %t.o 2>&1 | %FileCheck --check-prefix=MTUV %s
// MTUV: program 'mtu' (section xdp), insn {{[0-9]+}}: helper argument r3: stack pointer with a variable offset
// ctx is no buffer for a helper: written through, it would move the packet.
// RUN: %clang-bpf -mcpu=v3 -DMTU_CTX -c %s -o %t.mtuc.bpf.o
// RUN: not %uxdpc --verify=none %t.mtuc.bpf.o -o %t.o 2>&1 | %FileCheck --check-prefix=CTXARG %s
// RUN: %clang-bpf -mcpu=v3 -DLOAD_CTX -c %s -o %t.ldc.bpf.o
// RUN: not %uxdpc --verify=none %t.ldc.bpf.o -o %t.o 2>&1 | %FileCheck --check-prefix=CTXARG %s
// CTXARG: insn {{[0-9]+}}: R3 type=ctx expected=fp, pkt, pkt_meta, map_key, map_value, mem
// A helper's output bytes on the stack are zeroed at entry: one that fails
// writes nothing (load_bytes past the end), and the program may read them.
// RUN: %clang-bpf -mcpu=v3 -DLOAD_FAIL -c %s -o %t.lf.bpf.o
// RUN: %uxdpc --verify=none %t.lf.bpf.o -O0 --emit-llvm -o - | %FileCheck --check-prefix=LOADZ %s
// LOADZ: %[[P:[0-9]+]] = getelementptr i8, ptr %stack, i64 504
// LOADZ-NEXT: store i64 0, ptr %[[P]]
// LOADZ: call {{.*}}xdp_load_bytes
// trace_printk's %pI4 reads 4 bytes wherever its argument points: refused
// as %s is.
// RUN: %clang-bpf -mcpu=v3 -DPI4 -c %s -o %t.pi4.bpf.o
// RUN: not %uxdpc --verify=none %t.pi4.bpf.o -o %t.o 2>&1 | %FileCheck --check-prefix=PI4 %s
// PI4: program 'pi4' (section xdp), insn {{[0-9]+}}: trace_printk: %s, %pI4 and the like read memory at an address uxdp cannot confine
// Every kfunc uxdp provides is described; others are refused by name
// before confinement (test/lit/kfunc/refused.c).
// RUN: %clang-bpf -mcpu=v3 -DOTHER_KFUNC -c %s -o %t.kf.bpf.o
// RUN: not %uxdpc --verify=none %t.kf.bpf.o -o %t.o 2>&1 | %FileCheck --check-prefix=KFUNC %s
// KFUNC: program 'other' (section xdp), insn {{[0-9]+}}: unsupported kfunc 'bpf_made_up_kfunc': uxdp does not provide it
#include <linux/bpf.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <bpf/bpf_helpers.h>

#ifdef OK
SEC("xdp") int clocks(struct xdp_md *ctx)
{
	__u64 t = bpf_ktime_get_coarse_ns() + bpf_ktime_get_tai_ns() + bpf_jiffies64();

	return (t + bpf_get_numa_node_id()) & 1 ? XDP_PASS : XDP_DROP;
}
#endif

#if defined(OK) || defined(SHORT_IPH) || defined(SHORT_TH)
SEC("xdp") int cookies(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct iphdr *ip = data + 14;
	struct tcphdr *th = data + 34;
	__s64 r = 0;

	if ((void *)(th + 1) > end)
		return XDP_PASS;
#ifdef OK
	r = bpf_tcp_raw_gen_syncookie_ipv4(ip, th, sizeof(*th));
	r += bpf_tcp_raw_check_syncookie_ipv4(ip, th);
	{
		struct ipv6hdr ip6 = {};
		struct tcphdr t6 = {};

		r += bpf_tcp_raw_check_syncookie_ipv6(&ip6, &t6);
		r += bpf_tcp_raw_gen_syncookie_ipv6(&ip6, &t6, sizeof(t6));
	}
#elif defined(SHORT_IPH)
	{
		struct iphdr ip4 = {}; /* 20 bytes: an ipv6hdr is 40 */

		r = bpf_tcp_raw_check_syncookie_ipv6((struct ipv6hdr *)&ip4, th);
	}
#else
	{
		__u64 half = 0; /* 8 bytes: a tcphdr is 20 */

		r = bpf_tcp_raw_check_syncookie_ipv4(ip, (struct tcphdr *)&half);
	}
#endif
	return r ? XDP_DROP : XDP_PASS;
}
#endif

#if defined(MTU) || defined(MTU_SHORT) || defined(MTU_RODATA) || defined(MTU_VAR) || \
	defined(MTU_CTX) || defined(LOAD_CTX)
const volatile __u32 ro_mtu = 1500;

SEC("xdp") int mtu(struct xdp_md *ctx)
{
	unsigned char *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	__u32 m = 0;

	if (data + 1 > end)
		return XDP_PASS;
#if defined(MTU_SHORT)
	{
		__u16 half[2] = {};

		bpf_check_mtu(ctx, 0, (__u32 *)&half[1], 0, 0);
		m = half[0];
	}
#elif defined(MTU_RODATA)
	bpf_check_mtu(ctx, 0, (__u32 *)&ro_mtu, 0, 0);
#elif defined(MTU_VAR)
	{
		__u32 slots[5] = {};

		bpf_check_mtu(ctx, 0, &slots[data[0] % 4], 0, 0);
		m = slots[4];
	}
#elif defined(MTU_CTX)
	bpf_check_mtu(ctx, 0, (__u32 *)ctx, 0, 0);
#elif defined(LOAD_CTX)
	bpf_xdp_load_bytes(ctx, 0, ctx, 8);
#else
	bpf_check_mtu(ctx, 0, &m, 0, 0);
#endif
	return data[m] & 1 ? XDP_PASS : XDP_DROP;
}
#endif

#ifdef LOAD_FAIL
SEC("xdp") int lf(struct xdp_md *ctx)
{
	__u8 b[8];

	bpf_xdp_load_bytes(ctx, 0x10000, b, 8);
	return b[0] & 1 ? XDP_PASS : XDP_DROP;
}
#endif

#ifdef PI4
SEC("xdp") int pi4(struct xdp_md *ctx)
{
	static const char f[] = "%pI4\n";
	__u64 *data = (void *)(long)ctx->data;

	if ((void *)(data + 1) > (void *)(long)ctx->data_end)
		return XDP_PASS;
	bpf_trace_printk(f, sizeof(f), *data);
	return XDP_PASS;
}
#endif

#ifdef ITER
struct bpf_iter_num;
extern int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end) __ksym;
extern int *bpf_iter_num_next(struct bpf_iter_num *it) __ksym;
extern void bpf_iter_num_destroy(struct bpf_iter_num *it) __ksym;

#ifdef ITER_IN_MAP
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} iters SEC(".maps");
#endif

SEC("xdp") int iter(struct xdp_md *ctx)
{
#ifdef ITER_IN_MAP
	__u32 zero = 0;
	__u64 *it = bpf_map_lookup_elem(&iters, &zero);
#else
	__u64 it[1]; /* the kernel's struct bpf_iter_num is 8 bytes */
#endif
	int *v, sum = 0;

#ifdef ITER_IN_MAP
	if (!it)
		return XDP_PASS;
#endif

	bpf_iter_num_new((struct bpf_iter_num *)it, 0, 4);
	while ((v = bpf_iter_num_next((struct bpf_iter_num *)it)))
		sum += *v;
	bpf_iter_num_destroy((struct bpf_iter_num *)it);
	return sum & 1 ? XDP_PASS : XDP_DROP;
}
#endif
#ifdef COMM
SEC("xdp") int comm(struct xdp_md *ctx)
{
#ifdef COMM_SHORT
	__u64 name[1];
#else
	__u64 name[2];
#endif

	bpf_get_current_comm(name, 16);
	return name[0] & 1 ? XDP_DROP : XDP_PASS;
}
#endif
#ifdef PULL
extern int bpf_xdp_pull_data(struct xdp_md *x, __u32 len) __ksym;

SEC("xdp") int pull(struct xdp_md *ctx)
{
	__u8 *data = (void *)(long)ctx->data;
	struct xdp_md copy = { 0 };

	if ((void *)(data + 14) > (void *)(long)ctx->data_end)
		return XDP_PASS;
#ifdef PULL_STACK
	if (bpf_xdp_pull_data(&copy, 64))
#else
	if (bpf_xdp_pull_data(ctx, 64 + copy.data))
#endif
		return XDP_DROP;
#ifndef PULL_STALE
	data = (void *)(long)ctx->data;
	if ((void *)(data + 14) > (void *)(long)ctx->data_end)
		return XDP_PASS;
#endif
	return data[12] == 0x08 ? XDP_TX : XDP_PASS;
}
#endif
#ifdef OTHER_KFUNC
extern int bpf_made_up_kfunc(int x) __ksym;

SEC("xdp") int other(struct xdp_md *ctx)
{
	return bpf_made_up_kfunc(ctx->rx_queue_index) ? XDP_DROP : XDP_PASS;
}
#endif
char LICENSE[] SEC("license") = "GPL";
