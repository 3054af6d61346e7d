// Loops without the kernel verifier (docs/confinement.md, "Loops"): a
// counter bounds a rotated loop whose backward jump is a packet compare (no
// budget); a loop bounded by nothing the analysis sees decrements the
// budget and polls the runtime, which is read-only for LLVM (memory(read)),
// so that data_end stays one value across the poll.
// RUN: %clang-bpf -mcpu=v3 -DCOUNTED -c %s -o %t.counted.bpf.o
// RUN: %uxdpc --verify=none --list %t.counted.bpf.o | %FileCheck --check-prefix=COUNTED %s
// COUNTED: confinement copy_name uxdp checks {{[0-9]+}} back-edges 0
// RUN: %clang-bpf -mcpu=v3 -c %s -o %t.open.bpf.o
// RUN: %uxdpc --verify=none --list %t.open.bpf.o | %FileCheck --check-prefix=OPEN %s
// OPEN: confinement walk uxdp checks {{[0-9]+}} back-edges 1
// RUN: %uxdpc --verify=none -O2 --emit-llvm %t.open.bpf.o -o - | %FileCheck --check-prefix=POLL %s
// POLL: declare i32 @uxdp_confine_poll(ptr{{.*}}) {{.*}}#[[A:[0-9]+]]
// POLL: attributes #[[A]] = { {{.*}}memory(read){{.*}} }
// A counter counted down to -1 keeps its bound (signed ranges): offsets
// [0, 7] of an 8-byte map value, proven.
// RUN: %clang-bpf -mcpu=v3 -DDOWN -c %s -o %t.down.bpf.o
// RUN: %uxdpc --verify=none --list %t.down.bpf.o | %FileCheck --check-prefix=DOWN %s
// DOWN: confinement count_down uxdp checks 0 back-edges 1
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#ifdef DOWN
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} arr SEC(".maps");

SEC("xdp") __attribute__((naked)) int count_down(void)
{
	asm volatile(
		"r4 = 0;\n"
		"*(u32 *)(r10 - 4) = r4;\n"
		"r1 = %[arr] ll;\n"
		"r2 = r10;\n"
		"r2 += -4;\n"
		"call 1;\n"
		"if r0 == 0 goto out_%=;\n"
		"r6 = 7;\n"
		"loop_%=:\n"
		"r7 = r0;\n"
		"r7 += r6;\n"
		"r8 = *(u8 *)(r7 + 0);\n"
		"r6 += -1;\n"
		"if r6 != -1 goto loop_%=;\n"
		"out_%=:\n"
		"r0 = 2;\n"
		"exit;\n"
		:: [arr] "i"(&arr) : "memory");
}
#elif defined(COUNTED)
SEC("xdp") int copy_name(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	__u8 *q = data + 54, name[64] = {};
	__u32 i, len = 0;

	for (i = 0; i < 64; i++) {
		if ((void *)(q + i + 1) > end)
			return XDP_PASS;
		name[i] = q[i];
		if (!q[i]) {
			len = i + 1;
			break;
		}
	}
	return len && name[0] == 3 ? XDP_DROP : XDP_PASS;
}
#elif !defined(DOWN)
SEC("xdp") int walk(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	__u8 *p = data;

	/* bounded only by data_end, which no counter shows */
	while ((void *)(p + 1) <= end && *p != 0xff)
		p += 1 + (*p & 1);
	return (void *)p == end ? XDP_DROP : XDP_PASS;
}
#endif
char LICENSE[] SEC("license") = "GPL";
