// SPDX-License-Identifier: MIT
/*
 * xdp_dns - answer DNS A queries for the names in dns_names, in place.
 *
 * An IPv4 UDP datagram to port 53 holding exactly one standard query (QR 0,
 * opcode 0, QDCOUNT 1, no other records) of type A, class IN, whose name (in
 * wire format, at most DNS_NAME_MAX bytes with the root label, compared
 * byte for byte, case included) is a key of dns_names, is rewritten into the
 * response: bpf_xdp_adjust_tail() grows the frame by one 16-byte answer
 * (a pointer to the question's name, TYPE A, CLASS IN, the TTL and address
 * of the map's value), MACs, addresses and ports are swapped, the header
 * gets QR, AA, RD copied, ANCOUNT 1, the IP checksum is recomputed and the
 * UDP checksum is set to 0 (none, allowed for IPv4); verdict XDP_TX.
 * Everything else passes, including queries with trailing bytes after the
 * question.  dns_stats counts answers, misses and passes.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define DNS_PORT 53
#define DNS_NAME_MAX 64
#define DNS_ANSWER_LEN 16

struct dns_hdr {
	__be16 id;
	__be16 flags;
	__be16 qdcount;
	__be16 ancount;
	__be16 nscount;
	__be16 arcount;
};

struct dns_name {
	__u8 name[DNS_NAME_MAX]; /* wire format, zero-padded */
};

struct dns_rr_a {
	__be32 addr;
	__u32 ttl; /* seconds, host order */
};

enum { ST_PASS, ST_ANSWER, ST_MISS, ST_ABORT, ST_MAX };

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct dns_name);
	__type(value, struct dns_rr_a);
} dns_names SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, ST_MAX);
	__type(key, __u32);
	__type(value, __u64);
} dns_stats SEC(".maps");

static __always_inline int count(__u32 what, int verdict)
{
	__u64 *c = bpf_map_lookup_elem(&dns_stats, &what);

	if (c)
		__sync_fetch_and_add(c, 1);
	return verdict;
}

static __always_inline __u16 ip_csum(struct iphdr *iph)
{
	__u16 *w = (__u16 *)iph;
	__u32 sum = 0;
	int i;

#pragma unroll
	for (i = 0; i < (int)sizeof(*iph) / 2; i++)
		sum += w[i];
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

SEC("xdp")
int xdp_dns(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct ethhdr *eth = data;
	struct iphdr *iph = (void *)(eth + 1);
	struct udphdr *uh = (void *)(iph + 1);
	struct dns_hdr *dh = (void *)(uh + 1);
	struct dns_name key = {};
	struct dns_rr_a *rr;
	__u8 *q = (void *)(dh + 1);
	__u8 ans[DNS_ANSWER_LEN], mac[ETH_ALEN], *tail;
	__u32 i, qlen = 0, ulen, ttl;
	__be32 addr;
	__be16 port;
	__u16 flags;

	if ((void *)(dh + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return count(ST_PASS, XDP_PASS);
	if (iph->version != 4 || iph->ihl != 5 || iph->protocol != IPPROTO_UDP ||
	    (iph->frag_off & bpf_htons(0x3fff)) || uh->dest != bpf_htons(DNS_PORT))
		return count(ST_PASS, XDP_PASS);
	flags = bpf_ntohs(dh->flags);
	if ((flags & 0xf800) || dh->qdcount != bpf_htons(1) || dh->ancount || dh->nscount ||
	    dh->arcount)
		return count(ST_PASS, XDP_PASS);

	/* The name, label by label; bytes are copied into the key as read. */
	for (i = 0; i < DNS_NAME_MAX; i++) {
		if ((void *)(q + i + 1) > data_end)
			return count(ST_PASS, XDP_PASS);
		key.name[i] = q[i];
		if (q[i] == 0) {
			qlen = i + 1;
			break;
		}
	}
	if (!qlen)
		return count(ST_PASS, XDP_PASS);
	tail = q + qlen;
	if ((void *)(tail + 4) > data_end)
		return count(ST_PASS, XDP_PASS);
	/* QTYPE A, QCLASS IN, and nothing after the question. */
	if (tail[0] != 0 || tail[1] != 1 || tail[2] != 0 || tail[3] != 1)
		return count(ST_PASS, XDP_PASS);
	ulen = sizeof(*uh) + sizeof(*dh) + qlen + 4;
	if (bpf_ntohs(uh->len) != ulen || bpf_ntohs(iph->tot_len) != sizeof(*iph) + ulen ||
	    (void *)(tail + 4) != data_end)
		return count(ST_PASS, XDP_PASS);

	rr = bpf_map_lookup_elem(&dns_names, &key);
	if (!rr)
		return count(ST_MISS, XDP_PASS);
	addr = rr->addr;
	ttl = rr->ttl;

	/* Headers first, while the pointers are known good. */
	__builtin_memcpy(mac, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, mac, ETH_ALEN);
	{
		__be32 a = iph->saddr;

		iph->saddr = iph->daddr;
		iph->daddr = a;
	}
	iph->tot_len = bpf_htons(sizeof(*iph) + ulen + DNS_ANSWER_LEN);
	iph->ttl = 64;
	iph->check = 0;
	iph->check = ip_csum(iph);
	port = uh->source;
	uh->source = uh->dest;
	uh->dest = port;
	uh->len = bpf_htons(ulen + DNS_ANSWER_LEN);
	uh->check = 0;
	dh->flags = bpf_htons(0x8000 | 0x0400 | (flags & 0x0100));
	dh->ancount = bpf_htons(1);

	ans[0] = 0xc0; /* pointer to the name at offset 12 of the message */
	ans[1] = sizeof(*dh);
	ans[2] = 0, ans[3] = 1;   /* TYPE A */
	ans[4] = 0, ans[5] = 1;   /* CLASS IN */
	ans[6] = ttl >> 24, ans[7] = ttl >> 16, ans[8] = ttl >> 8, ans[9] = ttl;
	ans[10] = 0, ans[11] = 4; /* RDLENGTH */
	__builtin_memcpy(&ans[12], &addr, 4);

	if (bpf_xdp_adjust_tail(ctx, DNS_ANSWER_LEN))
		return count(ST_ABORT, XDP_ABORTED);
	if (bpf_xdp_store_bytes(ctx, sizeof(*eth) + sizeof(*iph) + ulen, ans, DNS_ANSWER_LEN))
		return count(ST_ABORT, XDP_ABORTED);
	return count(ST_ANSWER, XDP_TX);
}

char _license[] SEC("license") = "GPL";
