// SPDX-License-Identifier: GPL-2.0
/*
 * shared_counter.bpf.c - a rate table's step alone: count the packet in its
 * source address's entry with a locked add (xdp_firewall's fw_stage_rate).
 * uxdp-shared-counter runs it on two CPUs at once, with one source or two.
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

SEC("xdp")
int count_source(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	struct iphdr *iph = data + sizeof(struct ethhdr);
	struct rate *r, init = { .packets = 1 };
	__u32 saddr;

	if ((void *)(iph + 1) > data_end)
		return XDP_DROP;
	saddr = iph->saddr;
	r = bpf_map_lookup_elem(&rates, &saddr);
	if (!r) {
		bpf_map_update_elem(&rates, &saddr, &init, BPF_NOEXIST);
		return XDP_PASS;
	}
	__sync_fetch_and_add(&r->packets, 1);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
