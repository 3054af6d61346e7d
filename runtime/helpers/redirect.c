// SPDX-License-Identifier: MIT
/*
 * redirect.c - bpf_redirect for XDP (bpf_xdp_redirect in net/core/filter.c).
 *
 * Any flag makes the helper return XDP_ABORTED and leave the previous target
 * alone; otherwise it records the ifindex for the driver and returns
 * XDP_REDIRECT.  Whether the ifindex exists is only known when the driver
 * acts on the verdict, as in the kernel (xdp_do_redirect: -EINVAL, drop).
 */
#include <linux/bpf.h>
#include <stdint.h>

#include <uxdp/worker.h>

#include "helpers_impl.h"

uint64_t uxdp_helper_redirect(uint64_t r1, uint64_t r2)
{
	struct uxdp_redirect *ri;

	if (uxdp_unlikely(r2))
		return XDP_ABORTED;

	ri = &uxdp_worker_current()->redirect;
	ri->kind = UXDP_REDIRECT_IFINDEX;
	ri->index = (uint32_t)r1;
	ri->map = 0;
	ri->value = 0;
	ri->flags = 0;
	return XDP_REDIRECT;
}
