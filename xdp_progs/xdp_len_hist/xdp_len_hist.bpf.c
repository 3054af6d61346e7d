// SPDX-License-Identifier: MIT
/*
 * xdp_len_hist - histogram of frame lengths per protocol, in a hash map.
 *
 * key.proto:  the IPv4 protocol / IPv6 next header when the frame is
 *             untagged IPv4 (20-byte header in the frame, version 4) or IPv6
 *             (40-byte header, version 6); otherwise 0x10000 | EtherType
 *             (host order), and 0x20000 for frames shorter than Ethernet.
 * key.bucket: frame length / 64, at most LEN_BUCKETS - 1 (>= 1536 bytes).
 * value:      packets and bytes.  Every frame passes.  When the map is full
 *             a new key is not recorded.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define LEN_BUCKET_SHIFT 6
#define LEN_BUCKETS 25
#define PROTO_ETHERTYPE 0x10000
#define PROTO_RUNT 0x20000

struct len_key {
	__u32 proto;
	__u32 bucket;
};

struct len_val {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct len_key);
	__type(value, struct len_val);
} len_hist SEC(".maps");

SEC("xdp")
int xdp_len_hist(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct len_key key = {};
	struct len_val *v;
	__u32 len = end - data;

	key.bucket = len >> LEN_BUCKET_SHIFT;
	if (key.bucket > LEN_BUCKETS - 1)
		key.bucket = LEN_BUCKETS - 1;

	if ((void *)(eth + 1) > end) {
		key.proto = PROTO_RUNT;
	} else {
		key.proto = PROTO_ETHERTYPE | bpf_ntohs(eth->h_proto);
		if (eth->h_proto == bpf_htons(ETH_P_IP)) {
			struct iphdr *ip = (void *)(eth + 1);

			if ((void *)(ip + 1) <= end && ip->version == 4)
				key.proto = ip->protocol;
		} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
			struct ipv6hdr *ip6 = (void *)(eth + 1);

			if ((void *)(ip6 + 1) <= end && ip6->version == 6)
				key.proto = ip6->nexthdr;
		}
	}

	v = bpf_map_lookup_elem(&len_hist, &key);
	if (v) {
		__sync_fetch_and_add(&v->packets, 1);
		__sync_fetch_and_add(&v->bytes, len);
	} else {
		struct len_val n = { .packets = 1, .bytes = len };

		bpf_map_update_elem(&len_hist, &key, &n, BPF_NOEXIST);
	}
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
