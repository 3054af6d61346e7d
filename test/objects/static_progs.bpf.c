// SPDX-License-Identifier: GPL-2.0
/*
 * static_progs.bpf.c - tail-call targets that are static functions in XDP
 * sections, as large datapaths write them (their loader fills the
 * prog_array).  libbpf takes every function of a program section as a
 * program, static or not; so does uxdpc: `--list` shows them, `-p` selects
 * them, and the default compiles them with the entry.  static_progs.conf
 * fills the prog_array with them by name.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} stages SEC(".maps");

__u64 hits[4];

/* Kept by `used`: nothing in the code refers to a tail-call target. */
__attribute__((used)) SEC("xdp/stage")
static int stage_ipv4(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct iphdr *iph = data + sizeof(struct ethhdr);

	__sync_fetch_and_add(&hits[1], 1);
	if ((void *)(iph + 1) > data_end)
		return XDP_ABORTED;
	return iph->ttl <= 1 ? XDP_DROP : XDP_PASS;
}

__attribute__((used)) SEC("xdp/stage")
static int stage_other(struct xdp_md *ctx)
{
	__sync_fetch_and_add(&hits[2], 1);
	return XDP_TX;
}

SEC("xdp")
int static_entry(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	__sync_fetch_and_add(&hits[0], 1);
	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	bpf_tail_call(ctx, &stages, eth->h_proto == bpf_htons(ETH_P_IP) ? 0 : 1);
	__sync_fetch_and_add(&hits[3], 1); /* slot empty */
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
