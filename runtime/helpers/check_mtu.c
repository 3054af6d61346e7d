// SPDX-License-Identifier: MIT
/*
 * check_mtu.c - bpf_check_mtu(ctx, ifindex, &mtu_len, len_diff, flags) for
 * XDP (bpf_xdp_check_mtu in net/core/filter.c, Linux 6.18).
 *
 * ifindex 0 is the device the packet came in on; if uxdp knows no MTU for
 * it, 1500 (a kernel packet always has a device).  Named by its index, an
 * unknown device is -ENODEV even when it is the ingress: an answer the
 * program can tell from a real MTU.  The length checked is the packet's
 * (its linear part: the XDP variant does not look at frags), or *mtu_len
 * plus the link header when *mtu_len is not 0 (an L3 length, as
 * fib_lookup's tot_len), plus len_diff; it needs fragmenting when it
 * exceeds the MTU plus the link header.  *mtu_len becomes the device's
 * MTU either way, and is left alone on an error.  The arithmetic is the
 * kernel's, in int with wrap-around: an *mtu_len near 2^32 wraps small.
 * Devices are Ethernet (a 14-byte link header); where the MTU comes from:
 * uxdp/dev_mtu.h.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include <uxdp/ctx.h>
#include <uxdp/dev_mtu.h>
#include <uxdp/worker.h>

#include "helpers_impl.h"

#define MTU_CHK_RET_SUCCESS 0      /* BPF_MTU_CHK_RET_SUCCESS */
#define MTU_CHK_RET_FRAG_NEEDED 1  /* BPF_MTU_CHK_RET_FRAG_NEEDED */
#define INGRESS_DEFAULT_MTU 1500   /* a port no one gives an MTU for: Ethernet's */

uint64_t uxdp_helper_check_mtu(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	const struct uxdp_ctx *ctx = (const struct uxdp_ctx *)(uintptr_t)r1;
	uint32_t ifindex = (uint32_t)r2, *mtu_len = (uint32_t *)(uintptr_t)r3, mtu;
	const struct uxdp_worker *w = ctx->worker;
	int32_t len_diff = (int32_t)r4;
	uint32_t xdp_len = (uint32_t)(ctx->data_end - ctx->data);

	if (r5)
		return UXDP_ERR(EINVAL);
	if (uxdp_dev_mtu(w ? w->fib : NULL, ifindex ? ifindex : ctx->ingress_ifindex, &mtu)) {
		if (ifindex)
			return UXDP_ERR(ENODEV);
		mtu = INGRESS_DEFAULT_MTU; /* the kernel's packet always has a device */
	}
	if (*mtu_len)
		xdp_len = *mtu_len + UXDP_ETH_HLEN;
	xdp_len += (uint32_t)len_diff;
	*mtu_len = mtu;
	return (int32_t)xdp_len > (int32_t)(mtu + UXDP_ETH_HLEN) ? MTU_CHK_RET_FRAG_NEEDED
								 : MTU_CHK_RET_SUCCESS;
}
