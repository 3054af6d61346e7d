// SPDX-License-Identifier: GPL-2.0
/*
 * shared_counter.bpf.c - a rate table's step alone, two ways:
 *   count_source          the packet counted in its source address's entry
 *                         with a locked add (xdp_firewall's fw_stage_rate
 *                         before it counted per CPU);
 *   count_source_batched  counted in this CPU's entry of a per-CPU hash and
 *                         added to the shared entry every BATCH packets
 *                         (xdp_firewall's fw_stage_rate now).
 * uxdp-shared-counter runs each on two CPUs at once, with one source or two.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>

struct rate {
	__u64 packets, dropped;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct rate);
} rates SEC(".maps");

/* The frame's IPv4 source address into *saddr; 0, or -1 for a short frame. */
static __always_inline int source_of(struct xdp_md *ctx, __u32 *saddr)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	struct iphdr *iph = data + sizeof(struct ethhdr);

	if ((void *)(iph + 1) > data_end)
		return -1;
	*saddr = iph->saddr;
	return 0;
}

SEC("xdp")
int count_source(struct xdp_md *ctx)
{
	struct rate *r, init = { .packets = 1 };
	__u32 saddr;

	if (source_of(ctx, &saddr))
		return XDP_DROP;
	r = bpf_map_lookup_elem(&rates, &saddr);
	if (!r) {
		bpf_map_update_elem(&rates, &saddr, &init, BPF_NOEXIST);
		return XDP_PASS;
	}
	__sync_fetch_and_add(&r->packets, 1);
	return XDP_PASS;
}

struct rate_cpu {
	__u64 seen;
	__u32 pending, pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct rate_cpu);
} rates_cpu SEC(".maps");

#define BATCH 32

static __always_inline __u64 add_shared(__u32 *saddr, __u64 packets)
{
	struct rate *r = bpf_map_lookup_elem(&rates, saddr), init = { .packets = packets };

	if (r)
		return __sync_fetch_and_add(&r->packets, packets) + packets;
	bpf_map_update_elem(&rates, saddr, &init, BPF_NOEXIST);
	return packets;
}

SEC("xdp")
int count_source_batched(struct xdp_md *ctx)
{
	struct rate_cpu *mine, fresh = {};
	__u32 saddr;

	if (source_of(ctx, &saddr))
		return XDP_DROP;
	mine = bpf_map_lookup_elem(&rates_cpu, &saddr);
	if (!mine) {
		fresh.seen = add_shared(&saddr, 1);
		bpf_map_update_elem(&rates_cpu, &saddr, &fresh, BPF_NOEXIST);
		return XDP_PASS;
	}
	if (++mine->pending >= BATCH) {
		mine->seen = add_shared(&saddr, mine->pending);
		mine->pending = 0;
	}
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
