// A header cursor joined from two paths (docs/confinement.md, "Cost"): the
// L4 header is past IHL*4 on the IPv4 path and past an extension header of
// variable length on the IPv6 one; after the join the program compares
// `th + 1` with data_end and reads the ports.  Each path had proven its own
// cursor, and the join keeps `th + 20` one pointer with `th` (a new id at
// the join for both, at the same distance), so no run-time check is left.
// The out-of-bounds variants (a path that proved less, a pointer at another
// distance) are test/confine's pkt_join_least_reach / pkt_join_other_distance.
// RUN: %clang-bpf -mcpu=v3 -c %s -o %t.bpf.o
// RUN: %uxdpc --verify=none --list %t.bpf.o | %FileCheck %s
// CHECK: confinement l4_ports uxdp checks 0 back-edges 0
// RUN: %uxdpc --verify=none -O2 --emit-llvm %t.bpf.o -o - | %FileCheck --check-prefix=IR --implicit-check-not=confine.past_end %s
// IR: define {{.*}} @l4_ports(
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u64);
} ports SEC(".maps");

SEC("xdp") int l4_ports(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct tcphdr *th;
	__u32 key;
	__u64 *hits;
	__u8 proto;

	if ((void *)(eth + 1) > end)
		return XDP_PASS;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *iph = (void *)(eth + 1);

		if ((void *)(iph + 1) > end)
			return XDP_PASS;
		th = (void *)iph + iph->ihl * 4;
		if ((void *)th > end)
			return XDP_PASS;
		proto = iph->protocol;
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6h = (void *)(eth + 1);
		__u8 *ext = (void *)(ip6h + 1);

		if ((void *)(ext + 2) > end)
			return XDP_PASS;
		proto = ip6h->nexthdr;
		th = (void *)ext;
		if (proto == IPPROTO_HOPOPTS || proto == IPPROTO_DSTOPTS) {
			proto = ext[0];
			th = (void *)(ext + 8 + ext[1] * 8);
			if ((void *)th > end)
				return XDP_PASS;
		}
	} else {
		return XDP_PASS;
	}
	if (proto != IPPROTO_TCP || (void *)(th + 1) > end)
		return XDP_PASS;
	key = bpf_ntohs(th->dest);
	hits = bpf_map_lookup_elem(&ports, &key);
	if (hits && th->doff >= 5)
		(*hits)++;
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
