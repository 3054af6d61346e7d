// SPDX-License-Identifier: GPL-2.0
/*
 * live.bpf.c - the uxdpctl live-update test program: drop IPv4 packets whose
 * source is in blocklist, and report each drop in the events ring buffer
 * (source address and the blocklist value).  Everything else passes.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);   /* IPv4 source, network order */
	__type(value, __u32);
} blocklist SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

struct event {
	__u32 saddr;
	__u32 tag;
};

SEC("xdp")
int xdp_live(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);
	struct event ev;
	__u32 *tag;

	if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	tag = bpf_map_lookup_elem(&blocklist, &ip->saddr);
	if (!tag)
		return XDP_PASS;
	ev.saddr = ip->saddr;
	ev.tag = *tag;
	bpf_ringbuf_output(&events, &ev, sizeof(ev), 0);
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
