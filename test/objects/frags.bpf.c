// SPDX-License-Identifier: GPL-2.0
/*
 * frags.bpf.c - a multi-buffer program (SEC "xdp.frags", loaded with
 * BPF_F_XDP_HAS_FRAGS): it cannot assume the whole packet is linear, so it
 * asks for the total length with bpf_xdp_get_buff_len and copies bytes that
 * may sit in a fragment with bpf_xdp_load_bytes/bpf_xdp_store_bytes.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define PROBE_OFF 1500 /* past the first buffer of a 1500-MTU jumbo frame */

SEC("xdp.frags")
int xdp_frags(struct xdp_md *ctx)
{
	__u64 total = bpf_xdp_get_buff_len(ctx);
	__u8 buf[8];

	if (total < PROBE_OFF + sizeof(buf))
		return XDP_PASS;
	if (bpf_xdp_load_bytes(ctx, PROBE_OFF, buf, sizeof(buf)))
		return XDP_ABORTED;
	if (buf[0] == 0xff) {
		buf[0] = 0;
		if (bpf_xdp_store_bytes(ctx, PROBE_OFF, buf, 1))
			return XDP_ABORTED;
	}
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
