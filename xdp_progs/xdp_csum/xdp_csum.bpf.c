// SPDX-License-Identifier: MIT
/*
 * xdp_csum - verify the IPv4 header checksum and count good and bad headers
 * per source address.
 *
 * Ethernet, up to two VLAN tags (0x8100/0x88a8), then IPv4 with version 4,
 * IHL >= 5 and the whole header (options included) in the frame.  The
 * header's 16-bit one's-complement sum must be 0xffff.  A good header is
 * counted in csum_stats[saddr].good and passed; a bad one is counted in
 * .bad and dropped.  Anything else passes and is not counted.  When the
 * hash map is full, a new source is not recorded (the verdict stands).
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct vlan_tag {
	__be16 tci;
	__be16 proto;
};

struct csum_counts {
	__u64 good;
	__u64 bad;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32); /* IPv4 source address, network byte order */
	__type(value, struct csum_counts);
} csum_stats SEC(".maps");

SEC("xdp")
int xdp_csum(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct csum_counts *c;
	struct iphdr *ip;
	__u16 *w;
	__be16 proto;
	__u32 sum = 0, saddr;
	int i, nwords;
	void *l3;
	int ok;

	if ((void *)(eth + 1) > end)
		return XDP_PASS;
	proto = eth->h_proto;
	l3 = eth + 1;
#pragma unroll
	for (i = 0; i < 2; i++) {
		struct vlan_tag *tag = l3;

		if (proto != bpf_htons(ETH_P_8021Q) && proto != bpf_htons(ETH_P_8021AD))
			break;
		if ((void *)(tag + 1) > end)
			return XDP_PASS;
		proto = tag->proto;
		l3 = tag + 1;
	}
	if (proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;

	ip = l3;
	if ((void *)(ip + 1) > end)
		return XDP_PASS;
	if (ip->version != 4 || ip->ihl < 5)
		return XDP_PASS;

	w = (__u16 *)ip;
	nwords = ip->ihl * 2;
	for (i = 0; i < 30; i++) { /* a bounded loop: IHL <= 15 */
		if (i >= nwords)
			break;
		if ((void *)(w + i + 1) > end)
			return XDP_PASS; /* options cut by the end of the frame */
		sum += w[i];
	}
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	ok = sum == 0xffff;

	saddr = ip->saddr;
	c = bpf_map_lookup_elem(&csum_stats, &saddr);
	if (c) {
		if (ok)
			__sync_fetch_and_add(&c->good, 1);
		else
			__sync_fetch_and_add(&c->bad, 1);
	} else {
		struct csum_counts n = { .good = ok, .bad = !ok };

		bpf_map_update_elem(&csum_stats, &saddr, &n, BPF_NOEXIST);
	}
	return ok ? XDP_PASS : XDP_DROP;
}

char _license[] SEC("license") = "GPL";
