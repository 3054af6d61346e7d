// SPDX-License-Identifier: GPL-2.0
/*
 * map_helpers.bpf.c - helpers that work through special maps:
 * bpf_redirect_map to a devmap, xskmap and cpumap (with the fallback
 * action in the flags), bpf_ringbuf_reserve/submit/discard and
 * bpf_ringbuf_output, bpf_tail_call through a prog_array, and
 * bpf_spin_lock/unlock around a map value.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct event {
	__u32 len;
	__u32 queue;
	__u64 seq;
};

struct locked {
	struct bpf_spin_lock lock;
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u32);
} tx_ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u32);
} xsks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_CPUMAP);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct bpf_cpumap_val);
} cpus SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} jump_table SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct locked);
} totals SEC(".maps");

SEC("xdp")
int xdp_map_helpers(struct xdp_md *ctx)
{
	__u32 len = ctx->data_end - ctx->data;
	__u32 queue = ctx->rx_queue_index;
	__u32 zero = 0;
	struct locked *t;
	struct event *e;
	struct event ev;

	t = bpf_map_lookup_elem(&totals, &zero);
	if (t) {
		bpf_spin_lock(&t->lock);
		t->packets++;
		t->bytes += len;
		ev.seq = t->packets;
		bpf_spin_unlock(&t->lock);
	} else {
		ev.seq = 0;
	}

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (e) {
		e->len = len;
		e->queue = queue;
		e->seq = ev.seq;
		if (len & 1)
			bpf_ringbuf_discard(e, 0);
		else
			bpf_ringbuf_submit(e, 0);
	}
	ev.len = len;
	ev.queue = queue;
	bpf_ringbuf_output(&events, &ev, sizeof(ev), 0);

	/* Hand the packet to a program chosen by its length; falls through on miss. */
	bpf_tail_call(ctx, &jump_table, len & 3);

	switch (queue & 3) {
	case 0:
		return bpf_redirect_map(&tx_ports, len & 7, XDP_PASS);
	case 1:
		return bpf_redirect_map(&xsks, queue, XDP_PASS);
	case 2:
		return bpf_redirect_map(&cpus, 0, XDP_DROP);
	default:
		return XDP_PASS;
	}
}

/* A tail-call target: the kernel requires the same type for every entry. */
SEC("xdp")
int xdp_tail_target(struct xdp_md *ctx)
{
	return XDP_DROP;
}

char _license[] SEC("license") = "GPL";
