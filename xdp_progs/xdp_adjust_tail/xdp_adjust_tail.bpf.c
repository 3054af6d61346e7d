// SPDX-License-Identifier: MIT
/*
 * xdp_adjust_tail - answer oversized IPv4 packets with ICMP "fragmentation
 * needed" (type 3, code 4).
 *
 * An IPv4 frame (IHL 5) longer than max_frame bytes (at_cfg[0], default
 * 600) is turned into the ICMP error its sender should get: the frame is cut
 * with bpf_xdp_adjust_tail() to the original IP header plus the first 8
 * bytes of its payload (RFC 792), bpf_xdp_adjust_head() makes room for a new
 * IPv4 + ICMP header in front, addresses and MACs are swapped, the next-hop
 * MTU is max_frame - 14, both checksums come from bpf_csum_diff(), and the
 * verdict is XDP_TX.  ICMP packets themselves are never answered (RFC 1122).
 * Everything else passes.  at_stats counts replies and passes.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

/*
 * <linux/icmp.h> includes <linux/if.h>, which needs libc headers a BPF
 * target does not have; the header is spelled out here instead.
 */
struct icmp_frag_hdr {
	__u8 type;
	__u8 code;
	__sum16 checksum;
	__be16 unused;
	__be16 mtu;
};
#define ICMP_DEST_UNREACH 3
#define ICMP_FRAG_NEEDED 4

#define DEFAULT_MAX_FRAME 600
#define QUOTE_LEN (sizeof(struct iphdr) + 8) /* original header + 8 bytes */
#define REPLY_HDRS (sizeof(struct iphdr) + sizeof(struct icmp_frag_hdr))

enum { ST_PASS, ST_REPLY, ST_ABORT, ST_MAX };

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32); /* max_frame: largest frame that passes */
} at_cfg SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, ST_MAX);
	__type(key, __u32);
	__type(value, __u64);
} at_stats SEC(".maps");

static __always_inline int count(__u32 what, int verdict)
{
	__u64 *c = bpf_map_lookup_elem(&at_stats, &what);

	if (c)
		__sync_fetch_and_add(c, 1);
	return verdict;
}

static __always_inline __u16 csum_fold(__s64 sum)
{
	__u32 s = (__u32)sum;

	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (__u16)~s;
}

SEC("xdp")
int xdp_adjust_tail(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct ethhdr *eth = data;
	struct iphdr *iph, *nip;
	struct icmp_frag_hdr *icmp;
	__u8 dmac[ETH_ALEN], smac[ETH_ALEN];
	__be32 saddr, daddr;
	__u32 zero = 0, max_frame = DEFAULT_MAX_FRAME, *cfg;
	int len;
	__s64 sum;

	cfg = bpf_map_lookup_elem(&at_cfg, &zero);
	if (cfg && *cfg >= 128 && *cfg <= 9018)
		max_frame = *cfg;

	iph = (void *)(eth + 1);
	if ((void *)(iph + 1) > data_end)
		return count(ST_PASS, XDP_PASS);
	if (eth->h_proto != bpf_htons(ETH_P_IP) || iph->version != 4 || iph->ihl != 5 ||
	    iph->protocol == IPPROTO_ICMP)
		return count(ST_PASS, XDP_PASS);
	len = data_end - data;
	if (len <= (int)max_frame || len < (int)(sizeof(*eth) + QUOTE_LEN))
		return count(ST_PASS, XDP_PASS);

	__builtin_memcpy(dmac, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(smac, eth->h_source, ETH_ALEN);
	saddr = iph->saddr;
	daddr = iph->daddr;

	/* Keep Ethernet + the quote, then grow a new IP + ICMP header in front. */
	if (bpf_xdp_adjust_tail(ctx, (int)(sizeof(*eth) + QUOTE_LEN) - len))
		return count(ST_ABORT, XDP_ABORTED);
	if (bpf_xdp_adjust_head(ctx, 0 - (int)REPLY_HDRS))
		return count(ST_ABORT, XDP_ABORTED);

	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	eth = data;
	nip = (void *)(eth + 1);
	icmp = (void *)(nip + 1);
	if ((char *)(icmp + 1) + QUOTE_LEN > (char *)data_end)
		return count(ST_ABORT, XDP_ABORTED);

	__builtin_memcpy(eth->h_dest, smac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, dmac, ETH_ALEN);
	eth->h_proto = bpf_htons(ETH_P_IP);

	nip->version = 4;
	nip->ihl = 5;
	nip->tos = 0;
	nip->tot_len = bpf_htons(REPLY_HDRS + QUOTE_LEN);
	nip->id = 0;
	nip->frag_off = bpf_htons(0x4000); /* DF */
	nip->ttl = 64;
	nip->protocol = IPPROTO_ICMP;
	nip->check = 0;
	nip->saddr = daddr;
	nip->daddr = saddr;

	icmp->type = ICMP_DEST_UNREACH;
	icmp->code = ICMP_FRAG_NEEDED;
	icmp->checksum = 0;
	icmp->unused = 0;
	icmp->mtu = bpf_htons(max_frame - sizeof(*eth));

	sum = bpf_csum_diff(0, 0, (__be32 *)nip, sizeof(*nip), 0);
	nip->check = csum_fold(sum);
	sum = bpf_csum_diff(0, 0, (__be32 *)icmp, sizeof(*icmp) + QUOTE_LEN, 0);
	icmp->checksum = csum_fold(sum);
	return count(ST_REPLY, XDP_TX);
}

char _license[] SEC("license") = "GPL";
