// SPDX-License-Identifier: MIT
/*
 * xdp_observer - report TCP connection events to userspace.
 *
 * Every IPv4 or IPv6 TCP segment with SYN, FIN or RST set becomes one
 * struct obs_event in the ringbuf obs_events: SYN (a connection opens),
 * SYN-ACK (it is accepted), FIN (one side closes), RST (it is reset), with
 * the 5-tuple, sequence and acknowledgement numbers.  obs_counts counts the
 * events by type and the records that did not fit (index 0).  The verdict
 * is always XDP_PASS: the observer never changes traffic.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

enum obs_type { OBS_LOST = 0, OBS_SYN = 1, OBS_SYNACK = 2, OBS_FIN = 3, OBS_RST = 4, OBS_MAX };

struct obs_event {
	__u8 type;      /* enum obs_type */
	__u8 family;    /* 4 or 6 */
	__u8 tcp_flags; /* byte 13 of the TCP header */
	__u8 pad;
	__be16 sport;
	__be16 dport;
	__u32 saddr[4]; /* IPv4 in saddr[0] */
	__u32 daddr[4];
	__be32 seq;
	__be32 ack_seq;
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} obs_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, OBS_MAX);
	__type(key, __u32);
	__type(value, __u64);
} obs_counts SEC(".maps");

static __always_inline void count(__u32 what)
{
	__u64 *c = bpf_map_lookup_elem(&obs_counts, &what);

	if (c)
		__sync_fetch_and_add(c, 1);
}

SEC("xdp")
int xdp_observer(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct ethhdr *eth = data;
	struct obs_event *ev;
	struct tcphdr *th;
	__u32 saddr[4] = {}, daddr[4] = {};
	__u8 family, flags, type;

	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *iph = (void *)(eth + 1);

		if ((void *)(iph + 1) > data_end || iph->version != 4 || iph->ihl < 5 ||
		    iph->protocol != IPPROTO_TCP || (iph->frag_off & bpf_htons(0x1fff)))
			return XDP_PASS;
		th = (void *)((char *)iph + iph->ihl * 4);
		saddr[0] = iph->saddr;
		daddr[0] = iph->daddr;
		family = 4;
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6h = (void *)(eth + 1);

		if ((void *)(ip6h + 1) > data_end || ip6h->version != 6 ||
		    ip6h->nexthdr != IPPROTO_TCP)
			return XDP_PASS;
		th = (void *)(ip6h + 1);
		__builtin_memcpy(saddr, &ip6h->saddr, 16);
		__builtin_memcpy(daddr, &ip6h->daddr, 16);
		family = 6;
	} else {
		return XDP_PASS;
	}
	if ((void *)(th + 1) > data_end)
		return XDP_PASS;

	flags = ((__u8 *)th)[13];
	if (th->rst)
		type = OBS_RST;
	else if (th->syn && th->ack)
		type = OBS_SYNACK;
	else if (th->syn)
		type = OBS_SYN;
	else if (th->fin)
		type = OBS_FIN;
	else
		return XDP_PASS;

	ev = bpf_ringbuf_reserve(&obs_events, sizeof(*ev), 0);
	if (!ev) {
		count(OBS_LOST);
		return XDP_PASS;
	}
	ev->type = type;
	ev->family = family;
	ev->tcp_flags = flags;
	ev->pad = 0;
	ev->sport = th->source;
	ev->dport = th->dest;
	__builtin_memcpy(ev->saddr, saddr, 16);
	__builtin_memcpy(ev->daddr, daddr, 16);
	ev->seq = th->seq;
	ev->ack_seq = th->ack_seq;
	bpf_ringbuf_submit(ev, 0);
	count(type);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
