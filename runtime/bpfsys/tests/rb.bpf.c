// SPDX-License-Identifier: GPL-2.0
/*
 * rb.bpf.c - one ring buffer record per packet, for the libbpf consumer
 * test (rb_test.py): bpf_ringbuf_output for every third packet, else
 * reserve + submit, or reserve + discard for some (a consumer must skip
 * those).  A record is 68 bytes with its header, so records straddle the
 * end of the ring and are read through the data area's second mapping.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16384);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64); /* 0: packets seen, 1: records that found no room */
} counters SEC(".maps");

/* Read through mmap by the consumer test: [0] packets, [1] bytes. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 600); /* 4800 bytes: two pages */
	__type(key, __u32);
	__type(value, __u64);
} mm SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} other SEC(".maps");

struct rec {
	__u64 seq;
	__u64 ns; /* bpf_ktime_get_ns(): the consumer measures its wakeup latency */
	__u32 len;
	__u32 how;
	__u8 head[36];
};

static __always_inline void count(__u32 k)
{
	__u64 *c = bpf_map_lookup_elem(&counters, &k);

	if (c)
		*c += 1;
}

SEC("xdp")
int rb_events(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	__u32 k = 0;
	__u64 *seq = bpf_map_lookup_elem(&counters, &k);
	struct rec r = {}, *p;
	__u64 *v;

	if (!seq)
		return XDP_PASS;
	v = bpf_map_lookup_elem(&mm, &k); /* k == 0 */
	if (v)
		*v += 1;
	k = 1;
	v = bpf_map_lookup_elem(&mm, &k);
	if (v)
		*v += (__u64)(end - data);
	r.seq = (*seq)++;
	r.ns = bpf_ktime_get_ns();
	r.len = (__u32)(end - data);
	for (int i = 0; i < 36; i++) {
		if (data + i + 1 > end)
			break;
		r.head[i] = ((__u8 *)data)[i];
	}
	if (r.seq % 3 == 0) {
		r.how = 1;
		if (bpf_ringbuf_output(&events, &r, sizeof(r), 0))
			count(1);
		return XDP_PASS;
	}
	p = bpf_ringbuf_reserve(&events, sizeof(*p), 0);
	if (!p) {
		count(1);
		return XDP_PASS;
	}
	r.how = r.seq % 7 == 5 ? 3 : 2;
	__builtin_memcpy(p, &r, sizeof(r));
	if (r.how == 3)
		bpf_ringbuf_discard(p, 0);
	else
		bpf_ringbuf_submit(p, 0);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
