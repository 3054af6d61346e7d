// SPDX-License-Identifier: GPL-2.0
/*
 * syncookie.bpf.c - the SYN cookie helpers and bpf_ktime_get_coarse_ns as
 * an XDP SYN proxy uses them.  Cookie values depend on a secret (the
 * kernel's per boot, uxdp's per process), so only what does not is kept:
 * the MSS the cookie encodes, the error codes (-EINVAL for a th_len other
 * than doff * 4), and that the cookie checks in an ACK built from it while
 * a cookie changed in its count or MSS bits does not.  Counted per family
 * and outcome in `results`; the verdict follows the outcome.
 */
#include <stdbool.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/in.h>
#include <linux/tcp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} results SEC(".maps");

static __always_inline void count(__u32 k)
{
	__u64 *v = bpf_map_lookup_elem(&results, &k);

	if (v)
		__sync_fetch_and_add(v, 1);
}

/* Index of an MSS value in either family's table, 0..7; 15 otherwise. */
static __always_inline __u32 mss_slot(__u64 mss)
{
	switch (mss) {
	case 536: return 0;
	case 1300: return 1;
	case 1440: return 2;
	case 1460: return 3;
	case 1220: return 4;
	case 1420: return 5;
	case 8940: return 7;
	default: return 15;
	}
}

/* Build the ACK answering a SYN-ACK with cookie, and check it, good then bad. */
static __always_inline int check(void *iph, struct tcphdr *th, __u32 cookie, bool v6, __u32 base)
{
	struct tcphdr ack;
	long ok, bad;

	__builtin_memcpy(&ack, th, sizeof(ack));
	ack.seq = bpf_htonl(bpf_ntohl(th->seq) + 1);
	ack.ack_seq = bpf_htonl(cookie + 1);
	ok = v6 ? bpf_tcp_raw_check_syncookie_ipv6(iph, &ack) :
		  bpf_tcp_raw_check_syncookie_ipv4(iph, &ack);
	ack.ack_seq = bpf_htonl((cookie ^ 0x04a5a500) + 1);
	bad = v6 ? bpf_tcp_raw_check_syncookie_ipv6(iph, &ack) :
		   bpf_tcp_raw_check_syncookie_ipv4(iph, &ack);
	count(base + (ok == 0 ? 16 : 17));
	count(base + (bad == -13 ? 18 : 19));
	return ok == 0 && bad == -13 ? XDP_TX : XDP_ABORTED;
}

static __always_inline int cookie(void *iph, struct tcphdr *th, void *data_end, bool v6)
{
	__u32 base = v6 ? 32 : 0, len;
	__s64 r;

	if ((void *)th + 60 > data_end)
		return XDP_PASS;
	len = (((__u8 *)th)[12] >> 4) * 4;
	if (len < 20)
		len = 20;
	len &= 0x3c;
	if (len < 20)
		return XDP_PASS;
	/* th_len other than doff * 4 (unless doff is 5 or 6): -EINVAL. */
	r = v6 ? bpf_tcp_raw_gen_syncookie_ipv6(iph, th, 24) :
		 bpf_tcp_raw_gen_syncookie_ipv4(iph, th, 24);
	count(base + (r == -22 ? 20 : r >= 0 ? 21 : 22));
	r = v6 ? bpf_tcp_raw_gen_syncookie_ipv6(iph, th, len) :
		 bpf_tcp_raw_gen_syncookie_ipv4(iph, th, len);
	if (r < 0) {
		count(base + (r == -22 ? 23 : 24));
		return XDP_DROP;
	}
	count(base + mss_slot((__u64)r >> 32));
	return check(iph, th, (__u32)r, v6, base);
}

SEC("xdp")
int xdp_syncookie(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u64 t0 = bpf_ktime_get_coarse_ns(), t1;

	t1 = bpf_ktime_get_coarse_ns();
	count(t1 >= t0 && t0 > 0 ? 25 : 26);
	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *iph = (void *)(eth + 1);

		if ((void *)(iph + 1) > data_end || iph->ihl != 5 || iph->protocol != IPPROTO_TCP)
			return XDP_PASS;
		return cookie(iph, (void *)(iph + 1), data_end, false);
	}
	if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);

		if ((void *)(ip6 + 1) > data_end || ip6->nexthdr != IPPROTO_TCP)
			return XDP_PASS;
		return cookie(ip6, (void *)(ip6 + 1), data_end, true);
	}
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
