// SPDX-License-Identifier: GPL-2.0
/*
 * xsk.bpf.c - the xskmap/cpumap redirect test program.  The byte after the
 * Ethernet header picks what happens:
 *
 *   0, 1, 2  redirect to xskmap slot 0, 1, 2 (fallback XDP_DROP), after
 *            marking the frame (byte 15 = 0xee) so that the test sees the
 *            frame as the program left it
 *   3        redirect to cpumap entry 0 (fallback XDP_DROP)
 *   5        bpf_redirect(ifindex 7)
 *   else     XDP_PASS
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} xsks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_CPUMAP);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bpf_cpumap_val);
} cpus SEC(".maps");

SEC("xdp")
int xdp_xsk(struct xdp_md *ctx)
{
	__u8 *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;

	if (data + 16 > end)
		return XDP_PASS;
	switch (data[14]) {
	case 0:
	case 1:
	case 2:
		data[15] = 0xee;
		return bpf_redirect_map(&xsks, data[14], XDP_DROP);
	case 3:
		return bpf_redirect_map(&cpus, 0, XDP_DROP);
	case 5:
		return bpf_redirect(7, 0);
	default:
		return XDP_PASS;
	}
}

char _license[] SEC("license") = "GPL";
