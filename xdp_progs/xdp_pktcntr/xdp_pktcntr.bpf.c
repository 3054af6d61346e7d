// SPDX-License-Identifier: MIT
/*
 * xdp_pktcntr - count every packet in a per-CPU array and let a control
 * array choose the verdict (the packet-counter pattern of katran's
 * xdp_pktcntr: a one-slot control array read on every packet).
 *
 *   ctl_array[0]   (u32)  0: XDP_PASS, 1: XDP_TX, anything else: XDP_PASS
 *   cntrs_array[0] (u64)  packets seen
 *   cntrs_array[1] (u64)  bytes seen (data_end - data)
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define PKTCNTR_MODE_TX 1

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} ctl_array SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} cntrs_array SEC(".maps");

SEC("xdp")
int xdp_pktcntr(struct xdp_md *ctx)
{
	__u32 key = 0;
	__u32 *mode;
	__u64 *cnt;

	cnt = bpf_map_lookup_elem(&cntrs_array, &key);
	if (cnt)
		*cnt += 1;
	key = 1;
	cnt = bpf_map_lookup_elem(&cntrs_array, &key);
	if (cnt)
		*cnt += ctx->data_end - ctx->data;

	key = 0;
	mode = bpf_map_lookup_elem(&ctl_array, &key);
	if (mode && *mode == PKTCNTR_MODE_TX)
		return XDP_TX;
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
