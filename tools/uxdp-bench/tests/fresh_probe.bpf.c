// SPDX-License-Identifier: MIT
/*
 * fresh_probe - counts, per run, the value of the frame's first byte, then
 * increments that byte and drops the frame.  A run on a fresh frame sees the
 * byte as sent; a run on a frame an earlier run rewrote sees it plus one.
 * kernel_fresh_test.c runs it with BPF_F_TEST_XDP_LIVE_FRAMES to show
 * whether recycled live frames get their bytes back.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u64);
} seen SEC(".maps");

SEC("xdp")
int fresh_probe(struct xdp_md *ctx)
{
	__u8 *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u32 key;
	__u64 *n;

	if ((void *)(data + 14) > end)
		return XDP_DROP;
	key = data[0];
	n = bpf_map_lookup_elem(&seen, &key);
	if (n)
		__sync_fetch_and_add(n, 1);
	data[0] = data[0] + 1;
	return XDP_DROP;
}

char _license[] SEC("license") = "GPL";
