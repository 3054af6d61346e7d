// SPDX-License-Identifier: GPL-2.0
/*
 * pb.bpf.c - one perf event record per packet, for the libbpf perf buffer
 * test (pb_test.py): bpf_perf_event_output on the current CPU's ring, of
 * four sizes (so the kernel's padding of the raw size shows), every third
 * record with the first 14 bytes of the packet appended (BPF_F_CTXLEN_MASK).
 * counters[0] numbers the packets, counters[1] counts failed outputs.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

struct rec {
	__u64 seq;
	__u32 len;
	__u32 how;
	__u8 head[40];
};

SEC("xdp")
int pb_events(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	__u64 flags = BPF_F_CURRENT_CPU;
	__u32 k = 0;
	__u64 *seq = bpf_map_lookup_elem(&counters, &k), *failed;
	struct rec r = {};
	long err;

	if (!seq)
		return XDP_PASS;
	r.seq = (*seq)++;
	r.len = (__u32)(end - data);
	r.how = (__u32)(r.seq % 4);
	for (int i = 0; i < 40; i++) {
		if (data + i + 1 > end)
			break;
		r.head[i] = ((__u8 *)data)[i];
	}
	if (r.seq % 3 == 0 && data + 14 <= end)
		flags |= 14ULL << 32;
	switch (r.how) {
	case 0:
		err = bpf_perf_event_output(ctx, &events, flags, &r, 16);
		break;
	case 1:
		err = bpf_perf_event_output(ctx, &events, flags, &r, 21);
		break;
	case 2:
		err = bpf_perf_event_output(ctx, &events, flags, &r, 44);
		break;
	default:
		err = bpf_perf_event_output(ctx, &events, flags, &r, sizeof(r));
		break;
	}
	k = 1;
	failed = bpf_map_lookup_elem(&counters, &k);
	if (err && failed)
		*failed += 1;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
