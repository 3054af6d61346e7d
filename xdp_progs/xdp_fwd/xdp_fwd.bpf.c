// SPDX-License-Identifier: MIT
/*
 * xdp_fwd - forward IPv4/IPv6 packets by destination address.
 *
 * Two modes, chosen by fwd_cfg[0].mode:
 *   0 (table): fwd_routes maps an IPv4 destination to a port and next-hop
 *     MACs; the packet gets the MACs, its TTL is decremented (checksum
 *     updated incrementally) and it leaves through tx_ports[port].
 *   1 (fib):   bpf_fib_lookup() picks the egress ifindex and MACs; the packet
 *     leaves through tx_ports[ifindex].  IPv4 and IPv6.
 * Anything that is not forwarded (no route, TTL <= 1, not IP, malformed)
 * passes to the stack.  fwd_stats counts each outcome.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#ifndef AF_INET
#define AF_INET 2
#endif
#ifndef AF_INET6
#define AF_INET6 10
#endif

enum { FWD_MODE_TABLE = 0, FWD_MODE_FIB = 1 };
enum { ST_PASS_NOT_IP, ST_PASS_MALFORMED, ST_PASS_NO_ROUTE, ST_PASS_TTL, ST_FWD, ST_FIB_FAIL, ST_MAX };

struct fwd_cfg {
	__u32 mode;
	__u32 fib_flags; /* BPF_FIB_LOOKUP_* for fib mode */
};

struct fwd_route {
	__u32 port;      /* key in tx_ports */
	__u8 dmac[6];
	__u8 smac[6];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fwd_cfg);
} fwd_cfg SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __be32);
	__type(value, struct fwd_route);
} fwd_routes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u32); /* egress ifindex */
} tx_ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, ST_MAX);
	__type(key, __u32);
	__type(value, __u64);
} fwd_stats SEC(".maps");

static __always_inline int count(__u32 what, int verdict)
{
	__u64 *c = bpf_map_lookup_elem(&fwd_stats, &what);

	if (c)
		__sync_fetch_and_add(c, 1);
	return verdict;
}

/* TTL minus one, with the RFC 1624 incremental checksum update. */
static __always_inline void ip_decrease_ttl(struct iphdr *iph)
{
	__u32 check = iph->check;

	check += bpf_htons(0x0100);
	iph->check = (__u16)(check + (check >= 0xFFFF));
	iph->ttl--;
}

static __always_inline int fwd_fib(struct xdp_md *ctx, struct ethhdr *eth, void *l3,
				   void *data_end, __u16 proto, __u32 flags)
{
	struct bpf_fib_lookup fib = {};
	int rc;

	if (proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *iph = l3;

		if ((void *)(iph + 1) > data_end)
			return count(ST_PASS_MALFORMED, XDP_PASS);
		if (iph->ttl <= 1)
			return count(ST_PASS_TTL, XDP_PASS);
		fib.family = AF_INET;
		fib.tos = iph->tos;
		fib.l4_protocol = iph->protocol;
		fib.tot_len = bpf_ntohs(iph->tot_len);
		fib.ipv4_src = iph->saddr;
		fib.ipv4_dst = iph->daddr;
	} else {
		struct ipv6hdr *ip6h = l3;

		if ((void *)(ip6h + 1) > data_end)
			return count(ST_PASS_MALFORMED, XDP_PASS);
		if (ip6h->hop_limit <= 1)
			return count(ST_PASS_TTL, XDP_PASS);
		fib.family = AF_INET6;
		fib.l4_protocol = ip6h->nexthdr;
		fib.tot_len = bpf_ntohs(ip6h->payload_len);
		__builtin_memcpy(fib.ipv6_src, &ip6h->saddr, 16);
		__builtin_memcpy(fib.ipv6_dst, &ip6h->daddr, 16);
	}
	fib.ifindex = ctx->ingress_ifindex;

	rc = bpf_fib_lookup(ctx, &fib, sizeof(fib), flags);
	if (rc != BPF_FIB_LKUP_RET_SUCCESS)
		return count(ST_FIB_FAIL, XDP_PASS);
	if (!bpf_map_lookup_elem(&tx_ports, &fib.ifindex))
		return count(ST_PASS_NO_ROUTE, XDP_PASS);

	if (proto == bpf_htons(ETH_P_IP))
		ip_decrease_ttl(l3);
	else
		((struct ipv6hdr *)l3)->hop_limit--;
	__builtin_memcpy(eth->h_dest, fib.dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, fib.smac, ETH_ALEN);
	count(ST_FWD, 0);
	return bpf_redirect_map(&tx_ports, fib.ifindex, XDP_PASS);
}

SEC("xdp")
int xdp_fwd(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct ethhdr *eth = data;
	struct fwd_route *rt;
	struct fwd_cfg *cfg;
	struct iphdr *iph;
	__u32 zero = 0;
	__u16 proto;

	if ((void *)(eth + 1) > data_end)
		return count(ST_PASS_MALFORMED, XDP_PASS);
	proto = eth->h_proto;
	if (proto != bpf_htons(ETH_P_IP) && proto != bpf_htons(ETH_P_IPV6))
		return count(ST_PASS_NOT_IP, XDP_PASS);

	cfg = bpf_map_lookup_elem(&fwd_cfg, &zero);
	if (cfg && cfg->mode == FWD_MODE_FIB)
		return fwd_fib(ctx, eth, eth + 1, data_end, proto, cfg->fib_flags);

	if (proto != bpf_htons(ETH_P_IP))
		return count(ST_PASS_NOT_IP, XDP_PASS);
	iph = (void *)(eth + 1);
	if ((void *)(iph + 1) > data_end || iph->version != 4 || iph->ihl < 5)
		return count(ST_PASS_MALFORMED, XDP_PASS);
	rt = bpf_map_lookup_elem(&fwd_routes, &iph->daddr);
	if (!rt)
		return count(ST_PASS_NO_ROUTE, XDP_PASS);
	if (iph->ttl <= 1)
		return count(ST_PASS_TTL, XDP_PASS);

	ip_decrease_ttl(iph);
	__builtin_memcpy(eth->h_dest, rt->dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, rt->smac, ETH_ALEN);
	count(ST_FWD, 0);
	/* A port missing from tx_ports: the packet passes (flags = XDP_PASS). */
	return bpf_redirect_map(&tx_ports, rt->port, XDP_PASS);
}

char _license[] SEC("license") = "GPL";
