// SPDX-License-Identifier: MIT
/*
 * self.bpf.c - the program uxdp-difftest's self-tests compare with itself.
 *
 * It touches each thing the tool compares: the verdict (by EtherType), the
 * output bytes (XDP_TX swaps MACs and marks byte 0), a hash map seeded from
 * the config (blocklist), a map the program writes (counters, per EtherType),
 * a per-CPU array and .bss.  Built again with one PLANT_* macro defined, it
 * differs from itself in exactly one of them, which the tool must report.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u16);   /* EtherType, network order */
	__type(value, __u32); /* 1: drop */
} blocklist SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u16);   /* EtherType, network order */
	__type(value, __u64); /* packets seen */
} counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64); /* bytes by verdict class */
} bytes SEC(".maps");

__u64 total_packets;

static __always_inline void count(__u16 proto, __u32 len, __u32 cls)
{
	__u64 one = 1, *c = bpf_map_lookup_elem(&counters, &proto);
	__u64 *b = bpf_map_lookup_elem(&bytes, &cls);

	if (c) {
#ifdef PLANT_MAP
		/* The planted difference: IPv6 counts double. */
		*c += proto == bpf_htons(ETH_P_IPV6) ? 2 : 1;
#else
		*c += 1;
#endif
	} else {
		bpf_map_update_elem(&counters, &proto, &one, BPF_ANY);
	}
	if (b)
		*b += len;
	total_packets++;
}

SEC("xdp")
int self_test(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	unsigned char tmp[ETH_ALEN];
	__u32 *blocked;
	__u16 proto;

	if ((void *)(eth + 1) > data_end)
		return XDP_ABORTED;
	proto = eth->h_proto;
	blocked = bpf_map_lookup_elem(&blocklist, &proto);
	if (blocked && *blocked) {
		count(proto, data_end - data, 0);
		return XDP_DROP;
	}
	if (proto == bpf_htons(ETH_P_IP)) {
		/* Bounce IPv4 back: swap the MACs and mark the frame. */
		__builtin_memcpy(tmp, eth->h_dest, ETH_ALEN);
		__builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
		__builtin_memcpy(eth->h_source, tmp, ETH_ALEN);
#ifdef PLANT_BYTES
		eth->h_dest[0] = 0x03; /* the planted difference: a multicast bit */
#else
		eth->h_dest[0] = 0x02; /* locally administered */
#endif
		count(proto, data_end - data, 1);
		return XDP_TX;
	}
	count(proto, data_end - data, 2);
#ifdef PLANT_VERDICT
	/* The planted difference: IPv6 is dropped instead of passed. */
	if (proto == bpf_htons(ETH_P_IPV6))
		return XDP_DROP;
#endif
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
