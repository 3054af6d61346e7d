// SPDX-License-Identifier: MIT
/*
 * xdping - answer ICMP echo requests in XDP.
 *
 * An untagged Ethernet/IPv4 frame (version 4, IHL >= 5, not a fragment:
 * MF clear and offset 0) carrying ICMP type 8 code 0 with its 8-byte ICMP
 * header in the frame becomes an echo reply and goes back out (XDP_TX):
 * MAC and IP addresses swapped, TTL set to 64, type 0, and both the IPv4
 * and the ICMP checksums updated incrementally (RFC 1624), so a request
 * with correct checksums gives a reply with correct checksums.  Everything
 * else passes.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define XDPING_TTL 64
#define ICMP_ECHOREPLY 0
#define ICMP_ECHO 8

/*
 * The ICMP echo header.  <linux/icmp.h> pulls in libc's <sys/socket.h>,
 * which does not build for the BPF target, so it is spelled out here.
 */
struct icmp_echo {
	__u8 type;
	__u8 code;
	__sum16 checksum;
	__be16 id;
	__be16 sequence;
};

/* RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'), on 16-bit words as stored. */
static __always_inline void csum_replace2(__u16 *sum, __u16 old, __u16 new)
{
	__u32 s = (__u16)~*sum;

	s += (__u16)~old;
	s += new;
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	*sum = (__u16)~s;
}

SEC("xdp")
int xdping(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	unsigned char mac[ETH_ALEN];
	struct icmp_echo *icmp;
	struct iphdr *ip;
	__u16 old, new;
	__be32 addr;

	if ((void *)(eth + 1) > end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > end)
		return XDP_PASS;
	if (ip->version != 4 || ip->ihl < 5 || ip->protocol != IPPROTO_ICMP)
		return XDP_PASS;
	if (ip->frag_off & bpf_htons(0x3fff))
		return XDP_PASS;
	icmp = (void *)ip + ip->ihl * 4;
	if ((void *)(icmp + 1) > end)
		return XDP_PASS;
	if (icmp->type != ICMP_ECHO || icmp->code != 0)
		return XDP_PASS;

	/* ICMP: type 8 -> 0 in the type/code word. */
	old = *(__u16 *)icmp;
	icmp->type = ICMP_ECHOREPLY;
	new = *(__u16 *)icmp;
	csum_replace2(&icmp->checksum, old, new);

	/* IPv4: the swap keeps the sum; the TTL/protocol word changes. */
	addr = ip->saddr;
	ip->saddr = ip->daddr;
	ip->daddr = addr;
	old = *(__u16 *)&ip->ttl;
	ip->ttl = XDPING_TTL;
	new = *(__u16 *)&ip->ttl;
	csum_replace2(&ip->check, old, new);

	__builtin_memcpy(mac, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, mac, ETH_ALEN);
	return XDP_TX;
}

char _license[] SEC("license") = "GPL";
