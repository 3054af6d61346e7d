// SPDX-License-Identifier: MIT
/*
 * xdp_lb - an L4 load balancer: IPv4 TCP/UDP to a VIP goes to one backend,
 * in IPIP, back out of the port it came in on (XDP_TX).
 *
 * A flow is its 5-tuple.  The first packet of a flow hashes the 5-tuple onto
 * lb_ring, a lookup table of LB_RING_SIZE slots filled by the control plane
 * with backend indexes (a consistent-hash ring: removing one backend only
 * moves the slots that named it), and records the choice in lb_conns, an LRU
 * hash; later packets of the flow follow lb_conns, so a flow stays on its
 * backend when the ring changes.  The backend's entry in lb_backends gives
 * the outer destination address and the next hop's MAC; lb_cfg gives the
 * outer source address.  Packets to other addresses, non-IPv4, fragments
 * and malformed packets pass; a VIP whose slot names no backend drops.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define LB_RING_SIZE 256 /* power of two */
#define LB_MAX_BACKENDS 64

struct lb_vip {
	__be32 addr;
	__be16 port;
	__u8 protocol;
	__u8 pad;
};

struct lb_flow {
	__be32 saddr;
	__be32 daddr;
	__be16 sport;
	__be16 dport;
	__u8 protocol;
	__u8 pad[3];
};

struct lb_backend {
	__be32 addr;    /* 0: slot unused */
	__u8 mac[6];
	__u16 pad;
};

struct lb_cfg {
	__be32 local_addr; /* outer source address */
};

enum { ST_PASS, ST_TX, ST_NEW_FLOW, ST_NO_BACKEND, ST_ABORT, ST_MAX };

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, struct lb_vip);
	__type(value, __u32); /* ring offset of this VIP, added to the hash */
} lb_vips SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, LB_MAX_BACKENDS);
	__type(key, __u32);
	__type(value, struct lb_backend);
} lb_backends SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, LB_RING_SIZE);
	__type(key, __u32);
	__type(value, __u32); /* backend index */
} lb_ring SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct lb_flow);
	__type(value, __u32); /* backend index */
} lb_conns SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lb_cfg);
} lb_cfg SEC(".maps");

/*
 * Per CPU, as a load balancer keeps its counters: every packet counts, and
 * one shared counter would be a cache line that every core writes for every
 * packet (the readers sum the CPUs).
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, ST_MAX);
	__type(key, __u32);
	__type(value, __u64);
} lb_stats SEC(".maps");

static __always_inline int count(__u32 what, int verdict)
{
	__u64 *c = bpf_map_lookup_elem(&lb_stats, &what);

	if (c)
		*c += 1; /* this CPU's own: no other writer */
	return verdict;
}

/* A 32-bit mix of the 5-tuple (multiply-xorshift rounds, fixed seed). */
static __always_inline __u32 flow_hash(const struct lb_flow *f)
{
	__u32 h = 0x9e3779b9;

	h ^= bpf_ntohl(f->saddr);
	h *= 0x85ebca6b;
	h ^= h >> 13;
	h ^= bpf_ntohl(f->daddr);
	h *= 0xc2b2ae35;
	h ^= h >> 16;
	h ^= ((__u32)bpf_ntohs(f->sport) << 16) | bpf_ntohs(f->dport);
	h *= 0x85ebca6b;
	h ^= h >> 13;
	h ^= f->protocol;
	h *= 0xc2b2ae35;
	h ^= h >> 16;
	return h;
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
int xdp_lb(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct ethhdr *eth = data, *old_eth;
	struct iphdr *iph, *outer, *inner;
	struct lb_backend *be;
	struct lb_flow flow = {};
	struct lb_vip vip = {};
	__u32 *ring_off, *idx, slot, bidx, zero = 0;
	__be32 local_addr = 0;
	struct lb_cfg *cfg;
	__u8 old_dmac[ETH_ALEN];

	iph = (void *)(eth + 1);
	if ((void *)(iph + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return count(ST_PASS, XDP_PASS);
	if (iph->version != 4 || iph->ihl != 5 || (iph->frag_off & bpf_htons(0x3fff)))
		return count(ST_PASS, XDP_PASS);

	if (iph->protocol == IPPROTO_TCP) {
		struct tcphdr *th = (void *)(iph + 1);

		if ((void *)(th + 1) > data_end)
			return count(ST_PASS, XDP_PASS);
		flow.sport = th->source;
		flow.dport = th->dest;
	} else if (iph->protocol == IPPROTO_UDP) {
		struct udphdr *uh = (void *)(iph + 1);

		if ((void *)(uh + 1) > data_end)
			return count(ST_PASS, XDP_PASS);
		flow.sport = uh->source;
		flow.dport = uh->dest;
	} else {
		return count(ST_PASS, XDP_PASS);
	}
	flow.saddr = iph->saddr;
	flow.daddr = iph->daddr;
	flow.protocol = iph->protocol;

	vip.addr = iph->daddr;
	vip.port = flow.dport;
	vip.protocol = iph->protocol;
	ring_off = bpf_map_lookup_elem(&lb_vips, &vip);
	if (!ring_off)
		return count(ST_PASS, XDP_PASS);

	idx = bpf_map_lookup_elem(&lb_conns, &flow);
	if (idx) {
		bidx = *idx;
	} else {
		slot = (flow_hash(&flow) + *ring_off) & (LB_RING_SIZE - 1);
		idx = bpf_map_lookup_elem(&lb_ring, &slot);
		if (!idx)
			return count(ST_NO_BACKEND, XDP_DROP);
		bidx = *idx;
		be = bpf_map_lookup_elem(&lb_backends, &bidx);
		if (!be || !be->addr)
			return count(ST_NO_BACKEND, XDP_DROP);
		bpf_map_update_elem(&lb_conns, &flow, &bidx, BPF_ANY);
		count(ST_NEW_FLOW, 0);
	}
	be = bpf_map_lookup_elem(&lb_backends, &bidx);
	if (!be || !be->addr)
		return count(ST_NO_BACKEND, XDP_DROP);
	cfg = bpf_map_lookup_elem(&lb_cfg, &zero);
	if (cfg)
		local_addr = cfg->local_addr;

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
	__builtin_memcpy(eth->h_dest, be->mac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, old_dmac, ETH_ALEN);
	eth->h_proto = bpf_htons(ETH_P_IP);

	outer->version = 4;
	outer->ihl = 5;
	outer->tos = inner->tos;
	outer->tot_len = bpf_htons(bpf_ntohs(inner->tot_len) + sizeof(struct iphdr));
	outer->id = 0;
	outer->frag_off = 0;
	outer->ttl = 64;
	outer->protocol = IPPROTO_IPIP;
	outer->check = 0;
	outer->saddr = local_addr;
	outer->daddr = be->addr;
	outer->check = ip_csum(outer);
	return count(ST_TX, XDP_TX);
}

char _license[] SEC("license") = "GPL";
