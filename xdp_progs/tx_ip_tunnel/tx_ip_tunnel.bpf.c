// SPDX-License-Identifier: MIT
/*
 * tx_ip_tunnel - encapsulate traffic to configured VIPs and send it back out.
 *
 * A TCP or UDP packet whose (destination address, destination port,
 * protocol) is a key of vip2tnl is wrapped in an outer header toward the
 * tunnel endpoint of the value: IPv4 in IPv4 (IPPROTO_IPIP) or IPv6 in IPv6
 * (IPPROTO_IPV6).  bpf_xdp_adjust_head() makes the room; the new Ethernet
 * header goes to the endpoint's MAC from the packet's old destination MAC,
 * and the verdict is XDP_TX.  Everything else passes.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#ifndef AF_INET
#define AF_INET 2
#endif
#ifndef AF_INET6
#define AF_INET6 10
#endif

#define TNL_TTL 64

struct vip_key {
	__u32 daddr[4];  /* IPv4: daddr[0], rest zero */
	__be16 dport;
	__u8 family;     /* AF_INET or AF_INET6 */
	__u8 protocol;   /* IPPROTO_TCP or IPPROTO_UDP */
};

struct tnl_info {
	__u32 saddr[4];  /* outer source; IPv4 in saddr[0] */
	__u32 daddr[4];  /* tunnel endpoint */
	__u8 dmac[6];    /* endpoint's (next hop's) MAC */
	__u16 family;    /* must equal the VIP's family */
};

enum { ST_PASS, ST_TX_IPIP, ST_TX_IP6IP6, ST_ABORT, ST_MAX };

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, struct vip_key);
	__type(value, struct tnl_info);
} vip2tnl SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, ST_MAX);
	__type(key, __u32);
	__type(value, __u64);
} tnl_stats SEC(".maps");

static __always_inline int count(__u32 what, int verdict)
{
	__u64 *c = bpf_map_lookup_elem(&tnl_stats, &what);

	if (c)
		__sync_fetch_and_add(c, 1);
	return verdict;
}

/* Destination port of a TCP or UDP header at @l4, or -1 if it does not fit. */
static __always_inline int l4_dport(void *l4, void *data_end, __u8 proto)
{
	if (proto == IPPROTO_TCP) {
		struct tcphdr *th = l4;

		if ((void *)(th + 1) > data_end)
			return -1;
		return th->dest;
	}
	if (proto == IPPROTO_UDP) {
		struct udphdr *uh = l4;

		if ((void *)(uh + 1) > data_end)
			return -1;
		return uh->dest;
	}
	return -1;
}

static __always_inline __u16 csum_fold_ip(struct iphdr *iph)
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

static __always_inline int encap_ipv4(struct xdp_md *ctx, const struct tnl_info *tnl)
{
	void *data, *data_end;
	struct ethhdr *eth, *old_eth;
	struct iphdr *outer, *inner;
	__u8 old_dmac[ETH_ALEN];

	if (bpf_xdp_adjust_head(ctx, 0 - (int)sizeof(struct iphdr)))
		return count(ST_ABORT, XDP_ABORTED);
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	eth = data;
	outer = (void *)(eth + 1);
	old_eth = (void *)((char *)data + sizeof(struct iphdr));
	inner = (void *)(old_eth + 1);
	if ((void *)(inner + 1) > data_end)
		return count(ST_ABORT, XDP_ABORTED);

	__builtin_memcpy(old_dmac, old_eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, tnl->dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, old_dmac, ETH_ALEN);
	eth->h_proto = bpf_htons(ETH_P_IP);

	outer->version = 4;
	outer->ihl = 5;
	outer->tos = 0;
	outer->tot_len = bpf_htons(bpf_ntohs(inner->tot_len) + sizeof(struct iphdr));
	outer->id = 0;
	outer->frag_off = 0;
	outer->ttl = TNL_TTL;
	outer->protocol = IPPROTO_IPIP;
	outer->check = 0;
	outer->saddr = tnl->saddr[0];
	outer->daddr = tnl->daddr[0];
	outer->check = csum_fold_ip(outer);
	return count(ST_TX_IPIP, XDP_TX);
}

static __always_inline int encap_ipv6(struct xdp_md *ctx, const struct tnl_info *tnl)
{
	void *data, *data_end;
	struct ethhdr *eth, *old_eth;
	struct ipv6hdr *outer, *inner;
	__u8 old_dmac[ETH_ALEN];

	if (bpf_xdp_adjust_head(ctx, 0 - (int)sizeof(struct ipv6hdr)))
		return count(ST_ABORT, XDP_ABORTED);
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	eth = data;
	outer = (void *)(eth + 1);
	old_eth = (void *)((char *)data + sizeof(struct ipv6hdr));
	inner = (void *)(old_eth + 1);
	if ((void *)(inner + 1) > data_end)
		return count(ST_ABORT, XDP_ABORTED);

	__builtin_memcpy(old_dmac, old_eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, tnl->dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, old_dmac, ETH_ALEN);
	eth->h_proto = bpf_htons(ETH_P_IPV6);

	/* version 6, traffic class 0, flow label 0 */
	*(__be32 *)outer = bpf_htonl(0x60000000);
	outer->payload_len =
		bpf_htons(bpf_ntohs(inner->payload_len) + sizeof(struct ipv6hdr));
	outer->nexthdr = IPPROTO_IPV6;
	outer->hop_limit = TNL_TTL;
	__builtin_memcpy(&outer->saddr, tnl->saddr, 16);
	__builtin_memcpy(&outer->daddr, tnl->daddr, 16);
	return count(ST_TX_IP6IP6, XDP_TX);
}

SEC("xdp")
int tx_ip_tunnel(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct ethhdr *eth = data;
	struct vip_key key = {};
	struct tnl_info *tnl;
	int dport;

	if ((void *)(eth + 1) > data_end)
		return count(ST_PASS, XDP_PASS);

	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *iph = (void *)(eth + 1);

		if ((void *)(iph + 1) > data_end || iph->version != 4 || iph->ihl != 5)
			return count(ST_PASS, XDP_PASS);
		/* Only whole datagrams or first fragments carry ports. */
		if (iph->frag_off & bpf_htons(0x1fff))
			return count(ST_PASS, XDP_PASS);
		dport = l4_dport(iph + 1, data_end, iph->protocol);
		if (dport < 0)
			return count(ST_PASS, XDP_PASS);
		key.daddr[0] = iph->daddr;
		key.dport = (__be16)dport;
		key.family = AF_INET;
		key.protocol = iph->protocol;
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6h = (void *)(eth + 1);

		if ((void *)(ip6h + 1) > data_end || ip6h->version != 6)
			return count(ST_PASS, XDP_PASS);
		dport = l4_dport(ip6h + 1, data_end, ip6h->nexthdr);
		if (dport < 0)
			return count(ST_PASS, XDP_PASS);
		__builtin_memcpy(key.daddr, &ip6h->daddr, 16);
		key.dport = (__be16)dport;
		key.family = AF_INET6;
		key.protocol = ip6h->nexthdr;
	} else {
		return count(ST_PASS, XDP_PASS);
	}

	tnl = bpf_map_lookup_elem(&vip2tnl, &key);
	if (!tnl || tnl->family != key.family)
		return count(ST_PASS, XDP_PASS);
	if (key.family == AF_INET)
		return encap_ipv4(ctx, tnl);
	return encap_ipv6(ctx, tnl);
}

char _license[] SEC("license") = "GPL";
