// SPDX-License-Identifier: GPL-2.0
/*
 * fib_lookup.bpf.c - bpf_fib_lookup driven by the packet, for
 * fib_lookup_test.c (not for uxdp-difftest: the kernel's FIB is the
 * namespace's routing table). Packet: 14 bytes of Ethernet header, the u32
 * flags, then a struct bpf_fib_lookup. The program looks it up and writes
 * the return code over the flags and the updated struct back.
 */
#include "diff_common.h"

#define FIB_OFF 18

SEC("xdp")
int diff_fib_lookup(struct xdp_md *ctx)
{
	__u8 *p = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct bpf_fib_lookup params;
	__u32 flags;
	long rc;

	if ((void *)(p + FIB_OFF + sizeof(params)) > end)
		return XDP_ABORTED;
	__builtin_memcpy(&flags, p + 14, 4);
	__builtin_memcpy(&params, p + FIB_OFF, sizeof(params));
	rc = bpf_fib_lookup(ctx, &params, sizeof(params), flags);
	__builtin_memcpy(p + 14, &rc, 4);
	__builtin_memcpy(p + FIB_OFF, &params, sizeof(params));
	return XDP_PASS;
}
