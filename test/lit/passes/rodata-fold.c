// rodata folding: a load of a `const` (not volatile) global at a constant
// offset inside it becomes the object's initial bytes, with the load's own
// width and extension (delta is an s8 read with a sign-extending load), so
// the branches on it go.  A `const volatile` one (skeletons set it before
// load), a load straddling two variables, one from padding and one at a
// variable offset stay loads.  String literals (.rodata.str1.1) are
// constant with or without BTF; without BTF (-g0) nothing else is.
// `hide` keeps clang from folding the const globals itself.
// RUN: %clang-bpf -mcpu=v4 -c %s -o %t.bpf.o
// RUN: %uxdpc %t.bpf.o -O2 --emit-llvm --remarks -o %t.ll 2> %t.remarks
// RUN: %FileCheck --check-prefix=ON %s < %t.ll
// RUN: %FileCheck --check-prefix=REMARK %s < %t.remarks
// RUN: %uxdpc %t.bpf.o -O2 -fno-rodata-fold --emit-llvm --remarks -o %t.off.ll 2> %t.off.remarks
// RUN: %FileCheck --check-prefix=OFF %s < %t.off.ll
// RUN: %FileCheck --check-prefix=OFF-REMARK %s < %t.off.remarks
// RUN: %clang-bpf -g0 -mcpu=v4 -c %s -o %t.nobtf.o
// RUN: %uxdpc %t.nobtf.o -O2 --emit-llvm --remarks -o %t.nobtf.ll 2> %t.nobtf.remarks
// RUN: %FileCheck --check-prefix=NOBTF %s < %t.nobtf.ll
// RUN: %FileCheck --check-prefix=NOBTF-REMARK %s < %t.nobtf.remarks

// ON-LABEL: define {{.*}}@const_cfg(
// ON-NEXT:  entry:
// ON-NEXT:    ret i64 1
// ON-LABEL: define {{.*}}@volatile_cfg(
// ON:         %[[CV:.*]] = getelementptr i8, ptr %map.data, i64 16
// ON-NEXT:    load i32, ptr %[[CV]]
// ON-LABEL: define {{.*}}@straddle(
// ON:         load i64, ptr
// ON-LABEL: define {{.*}}@var_index(
// ON:         load i8, ptr
// ON-LABEL: define {{.*}}@padding(
// ON:         %[[PAD:.*]] = getelementptr i8, ptr %map.data, i64 37
// ON-NEXT:    load i8, ptr %[[PAD]]
// ON-LABEL: define {{.*}}@literal(
// ON-NEXT:  entry:
// ON-NEXT:    ret i64 3
// REMARK: rodata-fold: 4 loads folded, 4 left (volatile or not covered)

// OFF-LABEL: define {{.*}}@const_cfg(
// OFF:         load i32, ptr %map.data
// OFF:         load i8, ptr
// OFF:         load i64, ptr
// OFF-LABEL: define {{.*}}@literal(
// OFF:         load i8, ptr
// OFF-REMARK: rodata-fold: off

// NOBTF-LABEL: define {{.*}}@const_cfg(
// NOBTF:         load i32, ptr %map.data
// NOBTF-LABEL: define {{.*}}@literal(
// NOBTF-NEXT:  entry:
// NOBTF-NEXT:    ret i64 3
// NOBTF-REMARK: rodata-fold: 1 loads folded, 7 left (volatile or not covered)
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define hide(p) asm volatile("" : "+r"(p))

struct config {
	__u32 mode;
	__s8 delta;
	__u16 port;
	__u64 limit;
};
const struct config cfg = { .mode = 2, .delta = -3, .port = 8080, .limit = 1000 };
const volatile __u32 cv_mode = 2;
const __u32 first = 0x11111111;
const __u32 second = 0x22222222;
const __u8 table[8] = { 7, 1, 9, 3, 5, 2, 8, 4 };
const __u8 lone = 5; /* followed by padding up to the next __u32 */
const __u32 after = 6;

SEC("xdp") int const_cfg(struct xdp_md *ctx)
{
	const struct config *c = &cfg;

	hide(c);
	if (c->mode != 2)
		return XDP_ABORTED;
	if (c->delta >= 0) /* 0xfd zero-extended would take this branch */
		return XDP_ABORTED;
	return c->limit == 1000 ? XDP_DROP : XDP_PASS;
}

SEC("xdp") int volatile_cfg(struct xdp_md *ctx)
{
	return cv_mode == 2 ? XDP_DROP : XDP_PASS;
}

SEC("xdp") int straddle(struct xdp_md *ctx)
{
	const __u32 *p = &first;

	hide(p);
	return *(const __u64 *)p == 0x2222222211111111ull ? XDP_DROP : XDP_PASS;
}

SEC("xdp") int var_index(struct xdp_md *ctx)
{
	const __u8 *t = table;

	hide(t);
	return t[ctx->rx_queue_index & 7] == 3 ? XDP_DROP : XDP_PASS;
}

SEC("xdp") int padding(struct xdp_md *ctx)
{
	const __u8 *p = &lone;

	hide(p);
	return p[1] ? XDP_DROP : XDP_PASS;
}

SEC("xdp") int literal(struct xdp_md *ctx)
{
	const char *s = "xyz";

	hide(s);
	return s[1] == 'y' ? XDP_TX : XDP_PASS;
}
char LICENSE[] SEC("license") = "GPL";
